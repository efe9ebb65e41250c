"""Prodigy JSONL tasks, in both directions.

A task is ``{text, meta, _input_hash, _task_hash, tokens, spans, relations, answer,
_annotator_id, _session_id, _view_id}``. Spans carry Prodigy's ``start, end,
token_start, token_end, label`` plus our ``text, kind, attrs``; stances are relations
with ``head_span`` = source, ``child_span`` = target, ``label`` = polarity and
``kind`` = "stance". Relations of other kinds (Prodigy's own relation recipes) keep
their label and export with their original kind.
"""

from __future__ import annotations

from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats.files import dump_json
from annotator.formats.tokens import token_bounds, tokenize
from annotator.model import (
    AUTHOR,
    CLAIM,
    POLARITIES,
    SPAN_KINDS,
    STANCE,
    UNNAMED,
    Document,
    Span,
    SpanRef,
    Stance,
    Value,
    check_offsets,
    prodigy_hash,
)
from annotator.store import ImportRecord

ANSWER_TO_STATUS = {"accept": "done", "reject": "rejected", "ignore": "skipped"}
STATUS_TO_ANSWER = {"done": "accept", "in_progress": "accept", "rejected": "reject", "skipped": "ignore"}
DEFAULT_LAYER = "imported"


class RecordError(AnnotatorError):
    """A problem in one record; the caller adds the file and line."""


def record_text(record: dict) -> str:
    """A record's `text`: present, a string, and valid Unicode (no lone surrogates SQLite cannot store)."""
    if "text" not in record:
        raise RecordError("no 'text' field")
    text = record["text"]
    if not isinstance(text, str):
        raise RecordError(f"'text' must be a string, got {type(text).__name__}")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise RecordError(f"'text' holds invalid Unicode (a lone surrogate at offset {exc.start})") from None
    return text


def _int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise RecordError(f"{what} must be an integer, got {value!r}")
    return value


def _span_ref(d: Any, text: str, what: str) -> SpanRef:
    if not isinstance(d, dict) or "start" not in d or "end" not in d:
        raise RecordError(f"{what} needs 'start' and 'end'")
    start, end = _int(d["start"], f"{what} start"), _int(d["end"], f"{what} end")
    problem = check_offsets(start, end, text)
    if problem:
        raise RecordError(f"{what}: {problem}")
    return SpanRef(start, end, str(d.get("label") or ""))


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


def parse_task(record: dict, layer: str | None = None, claim_label: str = CLAIM) -> ImportRecord:
    """A Prodigy-shaped record as an ImportRecord. Raises RecordError on bad content."""
    text = record_text(record)
    meta = record.get("meta")
    meta = dict(meta) if isinstance(meta, dict) else ({} if meta is None else {"meta": meta})
    for key in ("label", "title", "url", "source", "id"):  # textcat labels and other top-level facts
        if key in record and key not in meta and not isinstance(record[key], (list, dict)):
            meta[key] = record[key]
    spans: list[Span] = []
    for i, raw in _objects(record, "spans", "span"):
        ref = _span_ref(raw, text, f"span {i}")
        label = raw.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(f"span {i} ({ref.start}-{ref.end}) has no label")
        if isinstance(raw.get("text"), str) and raw["text"] != text[ref.start:ref.end]:
            raise RecordError(f"span {i} says {raw['text']!r} but the text at {ref.start}-{ref.end} is "
                              f"{text[ref.start:ref.end]!r}")
        kind = raw.get("kind") or ("claim" if label == claim_label else "entity")
        if kind not in SPAN_KINDS:
            raise RecordError(f"span {i} has unknown kind {kind!r}")
        attrs = raw.get("attrs") if isinstance(raw.get("attrs"), dict) else {}
        spans.append(Span(ref.start, ref.end, label, kind, attrs))
    spans = [Span(s.start, s.end, s.label, s.kind, speaker_from_export(s.attrs, text, spans))
             if s.kind == "claim" else s for s in spans]
    values: list[Value] = list(spans)
    for i, raw in _objects(record, "relations", "relation"):
        source = _span_ref(raw.get("head_span"), text, f"relation {i} head_span")
        target = _span_ref(raw.get("child_span"), text, f"relation {i} child_span")
        label = raw.get("label")
        if not isinstance(label, str) or not label:
            raise RecordError(f"relation {i} has no label")
        evidence = _span_ref(raw["evidence"], text, f"relation {i} evidence") if raw.get("evidence") else None
        attrs = dict(raw.get("attrs") or {}) if isinstance(raw.get("attrs"), dict) else {}
        kind = raw.get("kind") or (STANCE if label in POLARITIES else "relation")
        if kind != STANCE:
            attrs["relation"] = kind
        values.append(Stance(source, target, label, evidence, attrs))
    has_layer = any(k in record for k in ("spans", "relations", "answer"))
    name = layer or record.get("_annotator_id") or record.get("_session_id") or DEFAULT_LAYER
    answer = record.get("answer")
    return ImportRecord(Document.from_text(text, meta), str(name) if has_layer else None, values,
                        ANSWER_TO_STATUS.get(answer) if has_layer else None)


def to_task(document: Document, values: list[Value], layer: str | None, status: str | None,
            view_id: str = "annotator") -> dict:
    """A Prodigy task for one document and one layer's accepted items.

    A stance's ends are listed in ``spans`` too when no span there holds them (as Doccano's
    entities and brat's T lines do): labelled with their own label, else TOPIC."""
    text = document.text
    tokens = tokenize(text)
    spans = []
    listed = [v for v in values if isinstance(v, Span)]
    for ref in (r for v in values if isinstance(v, Stance) for r in (v.source, v.target)):
        if not any((s.start, s.end) == (ref.start, ref.end) and (not ref.label or s.label == ref.label)
                   for s in listed):
            label = ref.label or "TOPIC"
            listed.append(Span(ref.start, ref.end, label, "topic" if label == "TOPIC" else "entity"))
    for v in sorted(listed, key=lambda s: (s.start, s.end, s.label)):
        ts, te = token_bounds(tokens, v.start, v.end)
        attrs = speaker_for_export(v.attrs, text) if v.kind == "claim" else dict(v.attrs)
        spans.append({"start": v.start, "end": v.end, "token_start": ts, "token_end": te, "label": v.label,
                      "text": text[v.start:v.end], "kind": v.kind, "attrs": attrs})
    relations = []
    for v in (v for v in values if isinstance(v, Stance)):
        attrs = dict(v.attrs)
        kind = attrs.pop("relation", STANCE)
        head, child = (_relation_end(tokens, ref) for ref in (v.source, v.target))
        rel = {"head": head["token_end"], "child": child["token_end"], "head_span": head, "child_span": child,
               "label": v.polarity, "kind": kind}
        if v.evidence:
            rel["evidence"] = {"start": v.evidence.start, "end": v.evidence.end}
        if attrs:
            rel["attrs"] = attrs
        relations.append(rel)
    task = {"text": text, "meta": document.meta, "_input_hash": prodigy_hash(text),
            "_task_hash": 0, "tokens": tokens, "spans": spans, "relations": relations,
            "answer": STATUS_TO_ANSWER.get(status or "", "accept"),
            "_annotator_id": layer, "_session_id": layer, "_view_id": view_id}
    task["_task_hash"] = prodigy_hash(text, dump_json([spans, relations]))
    return task


def _relation_end(tokens: list[dict], ref: SpanRef) -> dict:
    ts, te = token_bounds(tokens, ref.start, ref.end)
    return {"start": ref.start, "end": ref.end, "token_start": ts, "token_end": te, "label": ref.label}
