"""Prodigy JSONL tasks, in both directions.

A task is ``{text, meta, _input_hash, _task_hash, tokens, spans, relations, answer,
_annotator_id, _session_id, _view_id}``. Spans carry Prodigy's ``start, end,
token_start, token_end, label`` plus our ``text, kind, attrs``; stances are relations
with ``head_span`` = source, ``child_span`` = target, ``label`` = polarity and
``kind`` = "stance". Relations of other kinds (Prodigy's own relation recipes) keep
their label and export with their original kind. The lean task (``export --no-tokens``,
:func:`lean_task`) is the same without ``tokens`` and without anything counted in tokens.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from annotator import validate
from annotator.errors import AnnotatorError
from annotator.formats.files import dump_json
from annotator.formats.tokens import Tokens, json_string, tokenizer
from annotator.model import (
    AUTHOR,
    DONE,
    IN_PROGRESS,
    POLARITIES,
    REJECTED_DOC,
    REVIEW_LAYER,
    SKIPPED,
    SPAN_KINDS,
    STANCE,
    UNNAMED,
    Document,
    ImportRecord,
    Span,
    SpanRef,
    Stance,
    Value,
    prodigy_hash,
)

ANSWER_TO_STATUS = {"accept": DONE, "reject": REJECTED_DOC, "ignore": SKIPPED}
STATUS_TO_ANSWER = {DONE: "accept", REJECTED_DOC: "reject", SKIPPED: "ignore"}
DEFAULT_LAYER = "imported"
CLAIM_LABEL = "CLAIM"  # the claim label where no schema names one (the bundled schema's; model.CLAIM is the kind)
STANCE_END_ONLY = "stance_end_only"  # a span listed only as a stance's end: not an item of the layer
# The fields of a task that annotator models (or writes itself); every other top-level field of an imported
# record (a textcat ``label``, a choice task's ``options`` and ``accept``, ``html``, ``_timestamp``, ...) is kept
# in the document's meta under RECORD_FIELDS, with the record's own ``_input_hash``, and written back at the
# top level of the exported task.
TASK_KEYS = frozenset({"text", "meta", "_input_hash", "_task_hash", "tokens", "spans", "relations", "answer",
                       "_annotator_id", "_session_id", "_view_id"})
RECORD_FIELDS = "record_fields"
# The same for a span's or a relation's own fields (a pattern's ``source`` and ``input_hash``, a span's ``type``,
# a relation's ``color``): kept in its attrs under RECORD_FIELDS, written back beside the fields annotator writes.
SPAN_KEYS = frozenset({"start", "end", "token_start", "token_end", "label", "text", "kind", "attrs", STANCE_END_ONLY})
RELATION_KEYS = frozenset({"head", "child", "head_span", "child_span", "label", "kind", "evidence", "attrs"})


class RecordError(AnnotatorError):
    """A problem in one record; the caller adds the file and line."""


def record_text(record: dict) -> str:
    """A record's `text`: present, a string, not blank, and valid Unicode (no lone surrogates SQLite cannot store)."""
    if "text" not in record:
        raise RecordError("no 'text' field")
    problem = validate.text_problem(record["text"])
    if problem:
        raise RecordError(problem.replace("text", "'text'", 1))
    if not record["text"].strip():  # as an empty .txt file imports nothing: there is nothing to annotate
        raise RecordError("'text' is empty" if not record["text"] else "'text' holds only whitespace")
    return record["text"]


def check_label(label: object, what: str) -> str:
    """A span or relation label: a non-empty string without control characters or line breaks."""
    problem = validate.new_label_problem(label, f"{what} label")
    if problem:
        raise RecordError(problem)
    return label  # type: ignore[return-value]


def layer_name(record: dict, layer: str | None) -> str:
    """The layer a record's items go to: --as, else its _annotator_id or _session_id, else 'imported'.

    A name from the record must be a usable layer name: not empty, no control characters,
    not reserved, and not the review layer (that takes an explicit ``--as review``)."""
    if layer:
        return layer
    for key in ("_annotator_id", "_session_id"):
        value = record.get(key)
        if value is None or value == "":
            continue
        if value == REVIEW_LAYER:
            raise RecordError(f"'{key}' is 'review', the adjudication layer: import into it only with --as review "
                              f"(or choose another layer with --as NAME)")
        problem = validate.new_name_problem(value, f"'{key}'")
        if problem:
            raise RecordError(f"{problem}; choose the layer with --as NAME")
        return value
    return DEFAULT_LAYER


def answer_field(status: str | None) -> dict:
    """Prodigy's ``answer`` for a document's status in a layer: none for a document still in progress
    (nobody has decided it yet; imported again it stays in progress, where an ``accept`` would make it
    done), else accept, reject or ignore (accept when the layer has no status, as for suggestions)."""
    if status == IN_PROGRESS:
        return {}
    return {"answer": STATUS_TO_ANSWER.get(status or "", "accept")}


def record_answer(record: dict) -> str | None:
    """Prodigy's `answer` as a document status (None when absent or not one of accept/reject/ignore)."""
    answer = record.get("answer")
    if answer is None:
        return None
    if not isinstance(answer, str):
        raise RecordError(f"'answer' must be \"accept\", \"reject\" or \"ignore\", got {type(answer).__name__}")
    return ANSWER_TO_STATUS.get(answer)


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{what} must be an integer, got {value!r}")
    return value


def _span_ref(d: Any, text: str, what: str) -> SpanRef:
    return SpanRef(*_bounds(d, text, what))


def _bounds(d: Any, text: str, what: str) -> tuple[int, int, str]:
    """A {start, end, label} object's (start, end, label), checked against the text."""
    if not isinstance(d, dict) or "start" not in d or "end" not in d:
        raise RecordError(f"{what} needs 'start' and 'end'")
    start, end = d["start"], d["end"]
    if type(start) is not int or type(end) is not int:  # the common case without a call; _int names the rest
        start, end = _int(start, f"{what} start"), _int(end, f"{what} end")
    if not 0 <= start < end <= len(text):
        raise RecordError(f"{what}: {validate.offsets_problem(start, end, len(text))}")
    label = str(d.get("label") or "")
    if label and label not in _GOOD_LABELS:
        problem = validate.new_label_problem(label, f"{what} label", allow_empty=True)
        if problem:
            raise RecordError(problem)
        if len(_GOOD_LABELS) < 4096:  # a file has a few labels, asked about on every span
            _GOOD_LABELS.add(label)
    return start, end, label


_GOOD_LABELS: set[str] = set()  # labels new_label_problem passed


def speaker_from_export(attrs: dict, text: str, spans: list[Span]) -> dict:
    """Turn an exported claim's speaker (text, AUTHOR, UNNAMED, or speaker_span) into our internal form."""
    attrs = dict(attrs)
    span = attrs.pop("speaker_span", None)
    speaker = attrs.get("speaker")
    if isinstance(span, dict):
        ref = _span_ref(span, text, "claim speaker_span")
        label = ref.label or next((s.label for s in spans if (s.start, s.end) == (ref.start, ref.end)), "")
        attrs["speaker"] = SpanRef(ref.start, ref.end, label).to_dict()
    elif isinstance(speaker, str) and speaker not in (AUTHOR, UNNAMED):
        for s in spans:
            if s.kind == "entity" and text[s.start:s.end] == speaker:
                attrs["speaker"] = s.ref().to_dict()
                break
    return attrs


def speaker_for_export(attrs: dict, text: str) -> dict:
    """Our claim attrs for export: speaker as text (or AUTHOR/UNNAMED) plus speaker_span."""
    attrs = dict(attrs)
    speaker = attrs.get("speaker")
    if isinstance(speaker, dict):
        attrs["speaker"] = text[speaker["start"]:speaker["end"]]
        attrs["speaker_span"] = {"start": speaker["start"], "end": speaker["end"], "label": speaker.get("label", "")}
    return attrs


def _objects(record: dict, key: str, what: str):
    """(index, object) for each item of a list field such as `spans`; anything else is a RecordError."""
    items = record.get(key) or []
    if not isinstance(items, list):
        raise RecordError(f"'{key}' must be a list")
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise RecordError(f"{what} {i} must be an object")
        yield i, item


def parse_task(record: dict, layer: str | None = None, claim_label: str = CLAIM_LABEL) -> ImportRecord:
    """A Prodigy-shaped record as an ImportRecord. Raises RecordError on bad content."""
    text = record_text(record)
    meta = record.get("meta")
    meta = dict(meta) if isinstance(meta, dict) else ({} if meta is None else {"meta": meta})
    for key in ("label", "title", "url", "source", "id"):  # textcat labels and other top-level facts
        if key in record and key not in meta and not isinstance(record[key], (list, dict)):
            meta[key] = record[key]
    fields = {k: v for k, v in record.items() if k not in TASK_KEYS}
    if _is_hash(record.get("_input_hash")):
        fields["_input_hash"] = record["_input_hash"]
    if fields and RECORD_FIELDS not in meta:
        for key, value in fields.items():  # named as the record names them, not as meta
            problem = validate.json_problem(value, repr(key))
            if problem:
                raise RecordError(problem)
        meta[RECORD_FIELDS] = fields
    problem = validate.json_problem(meta, "meta")
    if problem:
        raise RecordError(problem)
    spans: list[Span] = []
    for i, raw in _objects(record, "spans", "span"):
        start, end, _ = _bounds(raw, text, f"span {i}")
        label = raw.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(f"span {i} ({start}-{end}) has no label")
        # a non-empty label was checked by _bounds, with the same words check_label would use
        if isinstance(raw.get("text"), str) and raw["text"] != text[start:end]:
            raise RecordError(f"span {i} says {raw['text']!r} but the text at {start}-{end} is "
                              f"{text[start:end]!r}")
        kind = raw.get("kind") or ("claim" if label == claim_label else "entity")
        if kind not in SPAN_KINDS:
            raise RecordError(f"span {i} has unknown kind {kind!r}")
        if raw.get(STANCE_END_ONLY) is True:
            continue  # our export listed it for a relation; the relation's head_span or child_span holds it
        attrs = raw.get("attrs") if isinstance(raw.get("attrs"), dict) else {}
        spans.append(Span(start, end, label, kind, _with_fields(attrs, raw, SPAN_KEYS)))
    spans = [Span(s.start, s.end, s.label, s.kind, speaker_from_export(s.attrs, text, spans))
             if s.kind == "claim" else s for s in spans]
    for i, s in enumerate(spans):
        # A span without attrs has nothing left to check: _bounds and the loop above made every check
        # value_problem would (kind, offsets, label); spans with attrs go through it for the rest.
        problem = validate.value_problem(s, len(text)) if s.attrs else None
        if problem:
            raise RecordError(f"span {i} ({s.start}-{s.end}): {problem}")
    values: list[Value] = list(spans)
    for i, raw in _objects(record, "relations", "relation"):
        source = _span_ref(raw.get("head_span"), text, f"relation {i} head_span")
        target = _span_ref(raw.get("child_span"), text, f"relation {i} child_span")
        label = raw.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(f"relation {i} has no label")
        check_label(label, f"relation {i}")
        evidence = _span_ref(raw["evidence"], text, f"relation {i} evidence") if raw.get("evidence") else None
        attrs = dict(raw.get("attrs") or {}) if isinstance(raw.get("attrs"), dict) else {}
        kind = raw.get("kind") or (STANCE if label in POLARITIES else "relation")
        if kind != STANCE:
            attrs["relation"] = kind
        stance = Stance(source, target, label, evidence, _with_fields(attrs, raw, RELATION_KEYS))
        problem = validate.value_problem(stance, len(text))
        if problem:
            raise RecordError(f"relation {i}: {problem}")
        values.append(stance)
    status = record_answer(record)
    has_layer = any(k in record for k in ("spans", "relations", "answer"))
    return ImportRecord(Document.from_text(text, meta), layer_name(record, layer) if has_layer else None, values,
                        status if has_layer else None)


def _with_fields(attrs: dict, raw: dict, known: frozenset) -> dict:
    """``attrs`` plus the item's own fields that annotator does not model (see RELATION_KEYS), if it has any."""
    if len(raw) <= len(known) and raw.keys() <= known:  # the common case, without a dict
        return attrs
    fields = {k: v for k, v in raw.items() if k not in known}
    return {**attrs, RECORD_FIELDS: fields} if fields and RECORD_FIELDS not in attrs else attrs


def _fields_back(item: dict, attrs: dict) -> dict:
    """``item`` (an exported span or relation) with the fields its record came with (see RECORD_FIELDS) added back,
    taken out of ``attrs``; none of them replaces a field annotator writes."""
    fields = attrs.pop(RECORD_FIELDS, None)
    if isinstance(fields, dict):
        item.update((k, v) for k, v in fields.items() if k not in item and k not in SPAN_KEYS | RELATION_KEYS)
    return item


def _is_hash(value: object) -> bool:
    return type(value) is int and -2**63 <= value < 2**63


def split_meta(meta: dict) -> tuple[dict, dict]:
    """A document's meta without the record's own top-level fields, and those fields (see RECORD_FIELDS);
    none of them ever replaces a field annotator writes, but the record's ``_input_hash`` is kept."""
    fields = meta.get(RECORD_FIELDS)
    if not isinstance(fields, dict):
        return meta, {}
    rest = {k: v for k, v in meta.items() if k != RECORD_FIELDS}
    return rest, {k: v for k, v in fields.items() if k not in TASK_KEYS or (k == "_input_hash" and _is_hash(v))}


def _items(document: Document, values: list[Value], tokens: Tokens | None) -> tuple[list[dict], list[dict]]:
    """A task's spans and relations; with token indices only when given the ``tokens`` (the lean task has none)."""
    text = document.text
    spans = []
    listed = [v for v in values if isinstance(v, Span)]
    ends_only: set[int] = set()  # ids of the stance ends no span of the layer holds: listed for Prodigy, marked
    for ref in (r for v in values if isinstance(v, Stance) for r in (v.source, v.target)):
        if not any((s.start, s.end) == (ref.start, ref.end) and (not ref.label or s.label == ref.label)
                   for s in listed):
            label = ref.label or "TOPIC"
            end = Span(ref.start, ref.end, label, "topic" if label == "TOPIC" else "entity")
            listed.append(end)
            ends_only.add(id(end))
    for v in sorted(listed, key=lambda s: (s.start, s.end, s.label)):
        attrs = speaker_for_export(v.attrs, text) if v.kind == "claim" else dict(v.attrs)
        span = {"start": v.start, "end": v.end, "label": v.label, "text": text[v.start:v.end], "kind": v.kind,
                "attrs": attrs}
        if tokens is not None:
            ts, te = tokens.bounds(v.start, v.end)
            span = {"start": v.start, "end": v.end, "token_start": ts, "token_end": te, **span}
        if id(v) in ends_only:
            span[STANCE_END_ONLY] = True
        spans.append(_fields_back(span, attrs) if RECORD_FIELDS in attrs else span)
    relations = []
    for v in (v for v in values if isinstance(v, Stance)):
        attrs = dict(v.attrs)
        kind = attrs.pop("relation", STANCE)
        fields = {RECORD_FIELDS: attrs.pop(RECORD_FIELDS)} if RECORD_FIELDS in attrs else {}
        if tokens is None:
            rel = {"head_span": _ref(v.source), "child_span": _ref(v.target), "label": v.polarity, "kind": kind}
        else:
            head, child = (_relation_end(tokens, ref) for ref in (v.source, v.target))
            rel = {"head": head["token_end"], "child": child["token_end"], "head_span": head, "child_span": child,
                   "label": v.polarity, "kind": kind}
        if v.evidence:
            rel["evidence"] = {"start": v.evidence.start, "end": v.evidence.end}
        if attrs:
            rel["attrs"] = attrs
        relations.append(_fields_back(rel, fields) if fields else rel)
    return spans, relations


def _task(document: Document, values: list[Value], layer: str | None, status: str | None,
          view_id: str, tokens: Tokens | None) -> tuple[dict, dict]:
    """A task's fields before its tokens and after them (see :func:`_items` for ``tokens``)."""
    text = document.text
    spans, relations = _items(document, values, tokens)
    meta, fields = split_meta(document.meta)
    input_hash = fields.pop("_input_hash", None)
    before = {"text": text, "meta": meta, "_input_hash": prodigy_hash(text) if input_hash is None else input_hash,
              "_task_hash": prodigy_hash(text, dump_json([spans, relations]))}
    after = {"spans": spans, "relations": relations, **answer_field(status),
             "_annotator_id": layer, "_session_id": layer, "_view_id": view_id, **fields}
    return before, after


def to_task(document: Document, values: list[Value], layer: str | None, status: str | None,
            view_id: str = "annotator") -> dict:
    """A Prodigy task for one document and one layer's accepted items.

    A stance's ends are listed in ``spans`` too when no span there holds them (as Doccano's
    entities and brat's T lines do): labelled with their own label, else TOPIC."""
    tokens = tokenizer()(document.text)
    before, after = _task(document, values, layer, status, view_id, tokens)
    return {**before, "tokens": tokens.dicts(document.text), **after}


def task_line(document: Document, values: list[Value], layer: str | None, status: str | None,
              view_id: str = "annotator") -> str:
    """``dump_json(to_task(...))``: the task as one JSONL line, its tokens written straight from the tokenizer."""
    tokens = tokenizer()(document.text)
    before, after = _task(document, values, layer, status, view_id, tokens)
    return dump_json(before)[:-1] + ', "tokens": ' + tokens.json() + ", " + dump_json(after)[1:]


def lean_task(document: Document, values: list[Value], layer: str | None, status: str | None,
              view_id: str = "annotator") -> dict:
    """:func:`to_task` without tokens (``export --no-tokens``): no ``tokens`` field, spans without
    ``token_start``/``token_end``, relations with their ``head_span``/``child_span`` (character offsets) but
    without Prodigy's token indices ``head``/``child``. Nothing is tokenized, so spaCy is never loaded and
    no span is widened. ``_task_hash`` hashes the text and the spans and relations as written here, so it
    is stable, but not the tokenized task's hash for the same items (their spans differ)."""
    before, after = _task(document, values, layer, status, view_id, None)
    return {**before, **after}


def lean_task_line(document: Document, values: list[Value], layer: str | None, status: str | None,
                   view_id: str = "annotator") -> str:
    """``dump_json(lean_task(...))``: a task without tokens as one JSONL line, written from its parts so that
    the spans and relations are encoded once (for the line and its hash) and the text once (a test holds the
    two equal)."""
    text = document.text
    spans, relations = _items(document, values, None)
    spans_json, relations_json = _dump(spans), _dump(relations) if relations else "[]"
    task_hash = prodigy_hash(text, f"[{spans_json}, {relations_json}]")  # dump_json([spans, relations])
    meta, fields = split_meta(document.meta)
    input_hash = fields.pop("_input_hash", None)
    tail = _tail(status, layer, view_id)
    if fields:
        tail = f"{tail[:-1]}, {_dump(fields)[1:]}"
    return (f'{{"text": {json_string(text)}, "meta": {_dump(meta)}, '
            f'"_input_hash": {prodigy_hash(text) if input_hash is None else input_hash}, '
            f'"_task_hash": {task_hash}, "spans": {spans_json}, "relations": {relations_json}, {tail}')


def _dump(value: object) -> str:
    """``dump_json(value)``, quicker for what encodes to plain ASCII (nothing there that it would escape)."""
    raw = validate.dumps(value)
    return raw if raw.isascii() and "\x7f" not in raw else dump_json(value)


@lru_cache(maxsize=64)
def _tail(status: str | None, layer: str | None, view_id: str) -> str:
    """A task's last fields, from ``answer`` on, and its closing brace."""
    return dump_json({**answer_field(status), "_annotator_id": layer, "_session_id": layer, "_view_id": view_id})[1:]


def _ref(ref: SpanRef) -> dict:
    return {"start": ref.start, "end": ref.end, "label": ref.label}


def _relation_end(tokens: Tokens, ref: SpanRef) -> dict:
    ts, te = tokens.bounds(ref.start, ref.end)
    return {"start": ref.start, "end": ref.end, "token_start": ts, "token_end": te, "label": ref.label}
