"""Value types shared by every part of annotator (no I/O, no SQL).

Offsets are Python ``str`` indices (code points), end-exclusive, as in spaCy and Prodigy.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass, field
from typing import Any, Union

ENTITY, CLAIM, TOPIC, STANCE = "entity", "claim", "topic", "stance"
SPAN_KINDS = (ENTITY, CLAIM, TOPIC)
KINDS = SPAN_KINDS + (STANCE,)
ACCEPTED, REJECTED = "accepted", "rejected"
REVIEW_LAYER = "review"
AUTHOR, UNNAMED = "AUTHOR", "UNNAMED"
POLARITIES = ("FAVOR", "AGAINST", "NEUTRAL")


def new_id() -> str:
    """A fresh id for an annotation item (uuid4 hex)."""
    return uuid.uuid4().hex


def text_hash(text: str) -> str:
    """A document's identity: a hash of its text."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def prodigy_hash(*parts: str) -> int:
    """A signed 32-bit hash in the style of Prodigy's ``_input_hash``/``_task_hash``."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).digest()
    return int.from_bytes(digest[:4], "big", signed=True)


@dataclass(frozen=True)
class Document:
    id: str
    text: str
    meta: dict = field(default_factory=dict)

    @classmethod
    def from_text(cls, text: str, meta: dict | None = None) -> "Document":
        return cls(text_hash(text), text, dict(meta or {}))


@dataclass(frozen=True)
class Span:
    """An entity, claim or topic span. Claims carry speaker, cue, claim_type, ... in attrs."""

    start: int
    end: int
    label: str
    kind: str = ENTITY
    attrs: dict = field(default_factory=dict)

    def text(self, doc_text: str) -> str:
        return doc_text[self.start : self.end]

    @property
    def key(self) -> tuple:
        return (self.kind, self.start, self.end, self.label)

    def ref(self) -> "SpanRef":
        return SpanRef(self.start, self.end, self.label)


@dataclass(frozen=True)
class SpanRef:
    """A pointer to a span by offsets and label (stance ends, speakers, evidence)."""

    start: int
    end: int
    label: str = ""

    def to_dict(self) -> dict:
        return {"start": self.start, "end": self.end, "label": self.label}

    @classmethod
    def from_dict(cls, d: dict) -> "SpanRef":
        return cls(int(d["start"]), int(d["end"]), str(d.get("label") or ""))


@dataclass(frozen=True)
class Stance:
    """source --polarity--> target, resting on an evidence span (a sentence or a claim)."""

    source: SpanRef
    target: SpanRef
    polarity: str
    evidence: SpanRef | None = None
    attrs: dict = field(default_factory=dict)
    kind: str = STANCE

    @property
    def start(self) -> int:
        return self.source.start

    @property
    def end(self) -> int:
        return self.source.end

    @property
    def label(self) -> str:
        return self.polarity

    @property
    def key(self) -> tuple:
        return (STANCE, self.source.start, self.source.end, self.target.start, self.target.end, self.polarity)


Value = Union[Span, Stance]


@dataclass(frozen=True)
class Suggestion:
    """A model's proposal, kept apart from anybody's decisions."""

    id: str
    doc_id: str
    suggester: str
    version: str
    rule: str
    score: float
    value: Value


@dataclass(frozen=True)
class Annotation:
    """One item of a layer (an annotator's name, or ``review``)."""

    id: str
    doc_id: str
    layer: str
    value: Value
    status: str = ACCEPTED
    suggestion_id: str | None = None
    origin: str = "manual"  # manual | suggestion | import | review

    @property
    def accepted(self) -> bool:
        return self.status == ACCEPTED


def value_to_record(value: Value) -> dict[str, Any]:
    """Flatten a span or stance into kind/start/end/label/attrs (JSON-ready); the inverse, with every check,
    is :func:`annotator.validate.value_from_row`."""
    if isinstance(value, Stance):
        attrs = dict(value.attrs)
        attrs["source"] = value.source.to_dict()
        attrs["target"] = value.target.to_dict()
        attrs["evidence"] = value.evidence.to_dict() if value.evidence else None
        return {"kind": STANCE, "start": value.source.start, "end": value.source.end,
                "label": value.polarity, "attrs": attrs}
    return {"kind": value.kind, "start": value.start, "end": value.end,
            "label": value.label, "attrs": dict(value.attrs)}
