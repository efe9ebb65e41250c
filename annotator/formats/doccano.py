"""Doccano JSONL, both shapes: ``{"text", "label": [[start, end, LABEL], ...]}`` and
``{"text", "entities": [{id, start_offset, end_offset, label}], "relations": [{id, from_id, to_id, type}]}``.

In the relations shape a claim's speaker, when it is a span, is a relation of type ``Speaker`` from the
claim to the speaker (as in brat; a speaker without a label of its own, as PolNeAR's sources, is labelled
TOPIC there and comes back unlabelled, not as a span); ``AUTHOR`` and ``UNNAMED`` have no place in Doccano.
An entity labelled TOPIC is a topic.
"""

from __future__ import annotations

from annotator import validate
from annotator.formats.prodigy import (CLAIM_LABEL, DEFAULT_LAYER, RecordError, _int, _objects, check_label, record_text,
                                       split_meta)
from annotator.model import POLARITIES, TOPIC, Document, ImportRecord, Span, SpanRef, Stance, Value

META_SKIP = {"text", "label", "labels", "entities", "relations", "id"}
SPEAKER = "Speaker"  # the relation type from a claim to its speaker


def is_doccano(record: dict) -> bool:
    """Doccano's shapes: a list-of-triples `label`, or `entities` with start_offset."""
    label = record.get("label", record.get("labels"))
    if isinstance(label, list) and all(isinstance(x, list) for x in label) and "spans" not in record:
        return True
    ents = record.get("entities")
    return isinstance(ents, list) and all(isinstance(e, dict) and "start_offset" in e for e in ents)


def _check(start, end, text: str, what: str) -> None:
    _int(start, f"{what} start")
    _int(end, f"{what} end")
    problem = validate.offsets_problem(start, end, len(text))
    if problem:
        raise RecordError(f"{what}: {problem}")


def parse_doccano(record: dict, layer: str | None = None, claim_label: str = CLAIM_LABEL) -> ImportRecord:
    text = record_text(record)
    meta = {k: v for k, v in record.items() if k not in META_SKIP}
    if "id" in record:
        meta["doccano_id"] = record["id"]
    problem = validate.json_problem(meta, "meta")
    if problem:
        raise RecordError(problem)
    values: list[Value] = []
    triples = record.get("label", record.get("labels"))
    if isinstance(triples, list) and "entities" not in record:
        for i, triple in enumerate(triples):
            if not isinstance(triple, list) or len(triple) != 3 or not isinstance(triple[2], str):
                raise RecordError(f"label {i} must be [start, end, LABEL]")
            start, end, label = triple
            _check(start, end, text, f"label {i}")
            check_label(label, f"label {i}")
            values.append(Span(start, end, label, _kind(label, claim_label)))
    by_id: dict = {}
    for i, ent in _objects(record, "entities", "entity"):
        start, end, label = ent.get("start_offset"), ent.get("end_offset"), ent.get("label")
        _check(start, end, text, f"entity {i}")
        if not isinstance(label, str) or not label:
            raise RecordError(f"entity {i} has no label")
        check_label(label, f"entity {i}")
        span = Span(start, end, label, _kind(label, claim_label))
        by_id[ent.get("id", i)] = span
        values.append(span)
    speakers: dict[int, dict] = {}  # id() of a claim span -> its speaker
    stand_ins: set[int] = set()  # id() of TOPIC entities that stand for a speaker without a label
    related: set[int] = set()  # id() of entities other relations use
    for i, rel in _objects(record, "relations", "relation"):
        src, dst, label = by_id.get(rel.get("from_id")), by_id.get(rel.get("to_id")), rel.get("type")
        if src is None or dst is None:
            raise RecordError(f"relation {i} points at an entity id that is not in this record")
        if not isinstance(label, str) or not label:
            raise RecordError(f"relation {i} has no type")
        check_label(label, f"relation {i} type")
        if label == SPEAKER and src.kind == "claim":
            if dst.label == "TOPIC":  # the export's stand-in for a speaker without a label: a topic never speaks
                speakers[id(src)] = SpanRef(dst.start, dst.end, "").to_dict()
                stand_ins.add(id(dst))
            else:
                speakers[id(src)] = dst.ref().to_dict()
            continue
        related.update((id(src), id(dst)))
        attrs = {} if label in POLARITIES else {"relation": "relation"}
        values.append(Stance(src.ref(), dst.ref(), label, None, attrs))
    stand_ins -= related
    values = [Span(v.start, v.end, v.label, v.kind, {**v.attrs, "speaker": speakers[id(v)]})
              if id(v) in speakers else v for v in values if id(v) not in stand_ins]
    return ImportRecord(Document.from_text(text, meta), layer or DEFAULT_LAYER, values, None)


def _kind(label: str, claim_label: str) -> str:
    return "claim" if label == claim_label else TOPIC if label == "TOPIC" else "entity"


def has_relations(values: list[Value]) -> bool:
    """Whether a document's items need Doccano's relations shape: a stance, or a claim whose speaker is a span."""
    return any(isinstance(v, Stance) or (v.kind == "claim" and isinstance(v.attrs.get("speaker"), dict))
               for v in values)


def to_doccano(document: Document, values: list[Value], relation_shape: bool) -> dict:
    """One Doccano record; `relation_shape` picks the entities/relations form."""
    spans = sorted((v for v in values if isinstance(v, Span)), key=lambda s: (s.start, s.end, s.label))
    if not relation_shape:
        return {"text": document.text, "label": [[s.start, s.end, s.label] for s in spans], **_meta(document)}
    ids: dict = {}
    entities = []
    for span in spans:
        ids[(span.start, span.end, span.label)] = len(entities) + 1
        entities.append({"id": len(entities) + 1, "start_offset": span.start, "end_offset": span.end, "label": span.label})

    def entity(ref: SpanRef) -> int:
        key = next((k for k in ids if k[:2] == (ref.start, ref.end) and (not ref.label or k[2] == ref.label)), None)
        if key is None:  # a stance end or speaker that is not itself a span: add it so the relation can point at it
            key = (ref.start, ref.end, ref.label or "TOPIC")
            ids[key] = len(entities) + 1
            entities.append({"id": ids[key], "start_offset": ref.start, "end_offset": ref.end, "label": key[2]})
        return ids[key]

    relations = []
    for span in spans:
        speaker = span.attrs.get("speaker") if span.kind == "claim" else None
        if isinstance(speaker, dict):
            relations.append({"id": len(relations) + 1, "from_id": ids[(span.start, span.end, span.label)],
                              "to_id": entity(SpanRef.from_dict(speaker)), "type": SPEAKER})
    for v in (v for v in values if isinstance(v, Stance)):
        relations.append({"id": len(relations) + 1, "from_id": entity(v.source), "to_id": entity(v.target),
                          "type": v.polarity})
    return {"text": document.text, "entities": entities, "relations": relations, **_meta(document)}


def _meta(document: Document) -> dict:
    """The record's other fields: the meta's, and the top-level fields a Prodigy record came with (see
    ``prodigy.RECORD_FIELDS``), except those Doccano's own shape uses."""
    meta, fields = split_meta(document.meta)
    fields.pop("_input_hash", None)
    return {k: v for k, v in {**fields, **meta}.items() if k not in META_SKIP and k != "doccano_id"}
