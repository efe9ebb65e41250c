"""One validator for every door: import, merge, the store's readers and writers.

What a record or a database row must be before annotator stores it, uses it or shows it:

* offsets are integers inside the document text, ``start < end``;
* a document's text is a string (valid Unicode), its id a non-empty string;
* labels (entity labels, polarities, stance-end labels) are non-empty strings without
  control characters or line breaks (they end up in brat ``.ann`` lines and on screens);
* a claim's speaker is unset, ``AUTHOR``, ``UNNAMED``, a speaker's name (a string
  without control characters), or ``{start, end, label}`` with valid offsets;
* a stance has a ``source`` and a ``target`` (``{start, end, label}``), and an optional
  ``evidence`` span of the same shape; its row's start/end are its source's;
* JSON columns hold valid JSON (NaN and Infinity are refused: they are not JSON);
* layer and annotator names are non-empty, without control characters or surrounding
  spaces, and never a name annotator keeps for itself: ``suggestions``, anything starting
  ``suggester:`` (the suggesters' bookkeeping in older files), and ``review`` (the adjudication layer) unless
  the caller explicitly allows it.

Problems are returned as short strings (or raised as :class:`Invalid`) and the caller
adds where they were found: a file and line, or a table and row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from annotator.errors import AnnotatorError
from annotator.model import (
    AUTHOR,
    DOC_STATUSES,
    ITEM_STATUSES,
    KINDS,
    ORIGIN_MANUAL,
    REVIEW_LAYER,
    SPAN_KINDS,
    STANCE,
    SUGGESTIONS_LAYER,
    UNNAMED,
    Annotation,
    Document,
    Span,
    SpanRef,
    Stance,
    Suggestion,
    Value,
)
from annotator.textsafe import has_control, invisible_char

# Reserved for the suggesters: files before schema version 6 kept which version of a suggester ran
# on a document as doc_status rows of a layer named "suggester:NAME" (now the suggester_runs table).
BOOKKEEPING_PREFIX = "suggester:"
MAX_NAME = 200
MAX_LABEL = 200


class Invalid(ValueError):
    """A record or row breaks an invariant; ``str()`` is the problem, without a location."""


# --- names and labels --------------------------------------------------------------


def type_name(value: object) -> str:
    """A value's type for a message: "null" for None (JSON's and SQL's word for it)."""
    return "null" if value is None else type(value).__name__


def shown(value: object, limit: int = 60) -> str:
    """A value quoted for a message: repr() escapes every control character."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def label_problem(label: object, what: str = "label", *, allow_empty: bool = False) -> str | None:
    """Why ``label`` cannot be a label (None when it can)."""
    if not isinstance(label, str):
        return f"{what} must be a string, got {type_name(label)}"
    if not label:
        return None if allow_empty else f"{what} is empty"
    if has_control(label):
        return f"{what} {shown(label)} contains control characters or line breaks"
    if not label.strip():
        return f"{what} is blank"
    if len(label) > MAX_LABEL:
        return f"{what} is longer than {MAX_LABEL} characters"
    return None


def _invisible_problem(text: str, what: str) -> str | None:
    ch = invisible_char(text)
    return None if ch is None else f"{what} {shown(text)} contains an invisible character (U+{ord(ch):04X})"


def new_label_problem(label: object, what: str = "label", *, allow_empty: bool = False) -> str | None:
    """:func:`label_problem` for a label coming in (an import), which also may not hold a character drawn
    as nothing ("PER\u200bSON" would read as "PERSON"); rows already stored are read with
    :func:`label_problem` alone, so they stay readable."""
    return label_problem(label, what, allow_empty=allow_empty) or _invisible_problem(label, what)


def new_name_problem(name: object, what: str = "annotator name", *, allow_review: bool = False) -> str | None:
    """:func:`name_problem` for a name coming in (the command line, an imported record), with
    :func:`new_label_problem`'s rule on invisible characters."""
    return name_problem(name, what, allow_review=allow_review) or _invisible_problem(name, what)


def name_problem(name: object, what: str = "annotator name", *, allow_review: bool = False) -> str | None:
    """Why ``name`` cannot name an annotator or a layer (None when it can)."""
    if not isinstance(name, str):
        return f"{what} must be a string, got {type_name(name)}"
    if not name.strip():
        return f"{what} is empty"
    if has_control(name):
        return f"{what} {shown(name)} contains control characters or line breaks"
    if name != name.strip():
        return f"{what} {shown(name)} starts or ends with a space"
    if len(name) > MAX_NAME:
        return f"{what} is longer than {MAX_NAME} characters"
    if name == SUGGESTIONS_LAYER:
        return f"{what} {name!r} is reserved for the model's suggestions"
    if name.startswith(BOOKKEEPING_PREFIX):
        return f"{what} {shown(name)} is reserved: names starting {BOOKKEEPING_PREFIX!r} are kept for the suggesters' bookkeeping"
    if name == REVIEW_LAYER and not allow_review:
        return f"{what} {REVIEW_LAYER!r} is the adjudication layer (written by `annotator review`), not an annotator"
    return None


def check_name(name: object, what: str = "annotator name", *, allow_review: bool = False) -> str:
    """The name, or an AnnotatorError saying why it cannot be used."""
    problem = name_problem(name, what, allow_review=allow_review)
    if problem:
        raise AnnotatorError(problem)
    return name  # type: ignore[return-value]


# --- JSON --------------------------------------------------------------------------


def _finite(raw: str) -> float:
    value = float(raw)
    if not math.isfinite(value):
        raise Invalid(f"number {raw[:20]} is too large for JSON")
    return value


def _refuse_constant(name: str) -> Any:
    raise Invalid(f"{name} is not valid JSON")


def loads(raw: object, what: str) -> Any:
    """Parse a JSON column strictly (NaN, Infinity and overflowing numbers refused)."""
    if not isinstance(raw, str):
        raise Invalid(f"{what} must be JSON text, got {type_name(raw)}")
    try:
        return json.loads(raw, parse_constant=_refuse_constant, parse_float=_finite)
    except Invalid as exc:
        raise Invalid(f"{what}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise Invalid(f"{what} is not valid JSON ({exc.msg}, column {exc.colno})") from None
    except (RecursionError, ValueError) as exc:  # nested too deeply; too many digits
        raise Invalid(f"{what} is not usable JSON ({type(exc).__name__})") from None


def json_object(raw: object, what: str, *, default: dict | None = None) -> dict:
    """A JSON column that must hold an object (NULL or '' gives ``default``)."""
    if raw is None or raw == "":
        if default is None:
            raise Invalid(f"{what} is missing")
        return dict(default)
    value = loads(raw, what)
    if not isinstance(value, dict):
        raise Invalid(f"{what} must be a JSON object, got {type_name(value)}")
    return value


_PLAIN = frozenset({str, int, bool, type(None)})  # JSON values with nothing to check (float: NaN)


def json_problem(value: Any, what: str = "value") -> str | None:
    """Why a Python value cannot be stored as JSON (NaN/Infinity, odd types), None when it can."""
    if type(value) is dict and all(type(k) is str and type(v) in _PLAIN for k, v in value.items()):
        return None  # the common case (a document's meta, a claim's attrs): one flat object
    stack = [value]
    seen = 0
    while stack:
        v = stack.pop()
        seen += 1
        if seen > 5_000_000:
            return f"{what} is too large"
        t = type(v)
        if t is str or t is int or t is dict and not v:  # the common cases first, without isinstance's ABC walk
            continue
        if v is None or isinstance(v, (str, bool, int)):
            continue
        if isinstance(v, float):
            if not math.isfinite(v):
                return f"{what} holds {'NaN' if v != v else 'Infinity'}, which is not valid JSON"
            continue
        if isinstance(v, Mapping):
            for k, x in v.items():
                if not isinstance(k, str):
                    return f"{what} has a key that is not a string: {shown(k)}"
                stack.append(x)
            continue
        if isinstance(v, (list, tuple)):
            stack.extend(v)
            continue
        return f"{what} holds a {type(v).__name__}, which is not JSON"
    return None


_ENCODER = json.JSONEncoder(ensure_ascii=False, allow_nan=False)  # json.dumps would build one per call


def dumps(value: Any) -> str:
    """What the store writes into a JSON column: valid JSON only (NaN refused)."""
    return _ENCODER.encode(value)


# --- offsets, spans, stances -------------------------------------------------------


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def offsets_problem(start: object, end: object, length: int | None, what: str = "span") -> str | None:
    """Why (start, end) is not a span of a text of ``length`` characters (length None: not checked)."""
    if not _is_int(start) or not _is_int(end):
        return f"{what} offsets must be integers, got {shown(start, 20)}, {shown(end, 20)}"
    if start < 0 or (length is not None and end > length):
        return f"{what} {start}-{end} lies outside the text (length {length})"
    if end <= start:
        return f"{what} {start}-{end} has end <= start"
    return None


def ref_problem(ref: object, length: int | None, what: str) -> str | None:
    """A {start, end, label} pointer (stance source/target/evidence, claim speaker)."""
    if not isinstance(ref, Mapping):
        return f"{what} must be an object with start and end, got {type_name(ref)}"
    if "start" not in ref or "end" not in ref:
        return f"{what} needs 'start' and 'end'"
    problem = offsets_problem(ref["start"], ref["end"], length, what)
    if problem:
        return problem
    label = ref.get("label")
    if label is not None:
        return label_problem(label, f"{what} label", allow_empty=True)
    return None


def speaker_problem(speaker: object, length: int | None) -> str | None:
    """A claim's speaker: unset, AUTHOR, UNNAMED, a name, or {start, end, label}."""
    if speaker is None or speaker in ("", AUTHOR, UNNAMED):
        return None
    if isinstance(speaker, str):
        if has_control(speaker):
            return f"claim speaker {shown(speaker)} contains control characters or line breaks"
        return None
    if isinstance(speaker, Mapping):
        return ref_problem(speaker, length, "claim speaker")
    return f"claim speaker must be AUTHOR, UNNAMED, a name or {{start, end, label}}, got {type_name(speaker)}"


def claim_attribute_problem(name: str, type_: str, choices: tuple[str, ...], value: object) -> str | None:
    """Why ``value`` cannot be what a person sets claim attribute ``name`` of ``type_`` to (None clears
    it): a choice is one of ``choices``, a bool true or false, a score a number from 0 to 1, a text one
    line without control characters."""
    if value is None:
        return None
    if type_ == "choice":
        return None if value in choices else f"{name} must be one of {', '.join(choices)}, got {shown(value)}"
    if type_ == "bool":
        return None if isinstance(value, bool) else f"{name} must be yes or no, got {shown(value)}"
    if type_ == "score":
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            return f"{name} must be a number from 0 to 1, got {shown(value)}"
        return None
    if type_ == "text":
        if not isinstance(value, str):
            return f"{name} must be text, got {type_name(value)}"
        if has_control(value):
            return f"{name} {shown(value)} contains control characters or line breaks"
        return None
    return f"claim attribute {shown(name)} has type {shown(type_)}, which is not set this way"


def value_problem(value: Value, length: int | None) -> str | None:
    """Why a span or stance cannot be an item of a text of ``length`` characters."""
    if isinstance(value, Stance):
        for ref, what in ((value.source, "stance source"), (value.target, "stance target"),
                          (value.evidence, "stance evidence")):
            if ref is None:
                continue
            problem = ref_problem(ref.to_dict(), length, what)
            if problem:
                return problem
        return (label_problem(value.polarity, "stance polarity")
                or json_problem(value.attrs, "stance attrs"))
    if value.kind not in SPAN_KINDS:
        return f"unknown kind {shown(value.kind)}"
    problem = offsets_problem(value.start, value.end, length) or label_problem(value.label)
    if problem:
        return problem
    if type(value.attrs) is not dict and not isinstance(value.attrs, Mapping):
        return "attrs must be an object"
    if value.kind == "claim":
        problem = speaker_problem(value.attrs.get("speaker"), length)
        if problem:
            return problem
    return json_problem(value.attrs, "attrs") if value.attrs else None


def value_from_row(row: Mapping, length: int | None) -> Value:
    """A span or stance from a flat row (kind, start, end, label, attrs as JSON text); raises Invalid."""
    kind = row.get("kind")
    if kind not in KINDS:
        raise Invalid(f"unknown kind {shown(kind)}")
    attrs = json_object(row.get("attrs"), "attrs", default={})
    if kind == STANCE:
        refs = {}
        for key in ("source", "target", "evidence"):
            ref = attrs.pop(key, None)
            if ref is None and key == "evidence":
                refs[key] = None
                continue
            problem = ref_problem(ref, length, f"stance {key}")
            if problem:
                raise Invalid(problem)
            refs[key] = SpanRef(ref["start"], ref["end"], ref.get("label") or "")
        if (row.get("start"), row.get("end")) != (refs["source"].start, refs["source"].end):
            raise Invalid(f"stance row offsets {shown(row.get('start'), 20)}-{shown(row.get('end'), 20)} "
                          f"are not its source's {refs['source'].start}-{refs['source'].end}")
        value: Value = Stance(refs["source"], refs["target"], row.get("label"), refs["evidence"], attrs)
    else:
        value = Span(row.get("start"), row.get("end"), row.get("label"), kind, attrs)
    problem = value_problem(value, length)
    if problem:
        raise Invalid(problem)
    return value


# --- rows of the store ---------------------------------------------------------------


def _str(row: Mapping, key: str, *, empty: bool = False) -> str:
    value = row.get(key)
    if not isinstance(value, str) or (not empty and not value):
        raise Invalid(f"{key} must be a {'string' if empty else 'non-empty string'}, got {shown(value, 30)}")
    if has_control(value):
        raise Invalid(f"{key} {shown(value)} contains control characters")
    return value


def _opt_str(row: Mapping, key: str) -> str | None:
    value = row.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise Invalid(f"{key} must be a string or NULL, got {shown(value, 30)}")
    return value


def text_problem(text: object) -> str | None:
    """A document text: a string that is valid Unicode (SQLite cannot store a lone surrogate)."""
    if not isinstance(text, str):
        return f"text must be a string, got {type_name(text)}"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        return f"text holds invalid Unicode (a lone surrogate at offset {exc.start})"
    return None


def document_from_row(row: Mapping) -> Document:
    """A Document from a ``documents`` row; raises Invalid."""
    doc_id = _str(row, "id")
    problem = text_problem(row.get("text"))
    if problem:
        raise Invalid(problem)
    return Document(doc_id, row["text"], json_object(row.get("meta"), "meta", default={}))


def layer_of(row: Mapping, key: str = "layer") -> str:
    """A layer name stored in a row: a valid name, or ``review``."""
    name = row.get(key)
    problem = name_problem(name, key, allow_review=True)
    if problem:
        raise Invalid(problem)
    return name  # type: ignore[return-value]


def annotation_from_row(row: Mapping, length: int | None) -> Annotation:
    """An Annotation from an ``annotations`` row and its document's length; raises Invalid."""
    ann_id, doc_id = _str(row, "id"), _str(row, "doc_id")
    layer = layer_of(row)
    status = row.get("status")
    if status not in ITEM_STATUSES:
        raise Invalid(f"status must be {' or '.join(ITEM_STATUSES)}, got {shown(status, 30)}")
    value = value_from_row(row, length)
    return Annotation(ann_id, doc_id, layer, value, status, _opt_str(row, "suggestion_id"),
                      _opt_str(row, "origin") or ORIGIN_MANUAL)


def suggestion_from_row(row: Mapping, length: int | None) -> Suggestion:
    """A Suggestion from a ``suggestions`` row and its document's length; raises Invalid."""
    sugg_id, doc_id = _str(row, "id"), _str(row, "doc_id")
    suggester = _str(row, "suggester")
    score = row.get("score")
    if score is None:
        score = 1.0
    elif isinstance(score, bool) or not isinstance(score, (int, float)) or not math.isfinite(score):
        raise Invalid(f"score must be a finite number, got {shown(score, 30)}")
    value = value_from_row(row, length)
    return Suggestion(sugg_id, doc_id, suggester, _opt_str(row, "version") or "", _opt_str(row, "rule") or "",
                      float(score), value)


def event_payload(row: Mapping) -> dict:
    """An event's payload: a JSON object; raises Invalid."""
    return json_object(row.get("payload"), "payload")


def check_row(table: str, row: Mapping, lengths: Mapping[str, int]) -> None:
    """Check one row of a data table (merge input) against every invariant; raises Invalid.

    ``lengths`` maps each known document id to its text length (items must point at one).
    """
    if table == "documents":
        document_from_row(row)
        position = row.get("position")
        if position is not None and not _is_int(position):
            raise Invalid(f"position must be an integer, got {shown(position, 30)}")
        return
    if table in ("annotations", "suggestions"):
        doc_id = row.get("doc_id")
        if doc_id not in lengths:
            raise Invalid(f"doc_id {shown(doc_id, 40)} is not a document of this database")
        (annotation_from_row if table == "annotations" else suggestion_from_row)(row, lengths[doc_id])
        return
    if table == "doc_status":
        _str(row, "doc_id")
        layer_of(row)
        status = row.get("status")
        if status not in DOC_STATUSES:
            raise Invalid(f"status must be one of {', '.join(DOC_STATUSES)}, got {shown(status, 30)}")
        if row.get("cursor") not in (None, ""):
            json_object(row.get("cursor"), "cursor")
        return
    if table == "suggester_runs":
        if row.get("doc_id") not in lengths:
            raise Invalid(f"doc_id {shown(row.get('doc_id'), 40)} is not a document of this database")
        _str(row, "suggester")
        _str(row, "version", empty=True)
        _opt_str(row, "time")
        return
    if table == "annotators":
        layer_of(row, "name")
        _opt_str(row, "last_doc")
        return
    if table == "assignments":
        _str(row, "doc_id")
        layer_of(row, "annotator")
        return
    if table == "events":
        if not isinstance(row.get("annotator"), str) or has_control(row["annotator"]):
            raise Invalid(f"annotator must be a string without control characters, got {shown(row.get('annotator'))}")
        _str(row, "action")
        _opt_str(row, "doc_id")
        _opt_str(row, "time")
        event_payload(row)
        return
    raise Invalid(f"unknown table {table!r}")
