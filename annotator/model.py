"""Value types shared by every part of annotator (no I/O, no SQL).

Offsets are Python ``str`` indices (code points), end-exclusive, as in spaCy and Prodigy.
"""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Union

# --- the vocabulary: every name annotator stores, compares or shows as a status -----------

ENTITY, CLAIM, TOPIC, STANCE = "entity", "claim", "topic", "stance"
SPAN_KINDS = (ENTITY, CLAIM, TOPIC)
KINDS = SPAN_KINDS + (STANCE,)

# Layers: each annotator has one named after them; ``review`` holds adjudicated results. The
# suggestions are no layer (they have their own table), but commands that read a layer
# (``export --suggestions``, ``evaluate --layer``) call them by this name.
REVIEW_LAYER = "review"
SUGGESTIONS_LAYER = "suggestions"

# An item's status in a layer (``annotations.status``), and its state on screen: a suggestion
# nobody decided yet is ``suggested``, a state that is never stored.
ACCEPTED, REJECTED = "accepted", "rejected"
ITEM_STATUSES = (ACCEPTED, REJECTED)
SUGGESTED = "suggested"
ITEM_STATES = (SUGGESTED, ACCEPTED, REJECTED)

# A document's status in a layer (``doc_status.status``); a document without one is to do.
# ``rejected`` (the whole document, e.g. Prodigy's "reject" answer) counts as skipped.
DONE, IN_PROGRESS, SKIPPED, REJECTED_DOC = "done", "in_progress", "skipped", "rejected"
DOC_STATUSES = (DONE, IN_PROGRESS, SKIPPED, REJECTED_DOC)
FINISHED_STATUSES = (DONE, SKIPPED, REJECTED_DOC)  # out of the annotator's queue
TODO = "todo"  # shown and filtered on, never stored

# Where an item of a layer came from (``annotations.origin``).
ORIGIN_MANUAL, ORIGIN_SUGGESTION, ORIGIN_IMPORT, ORIGIN_REVIEW = "manual", "suggestion", "import", "review"
ORIGINS = (ORIGIN_MANUAL, ORIGIN_SUGGESTION, ORIGIN_IMPORT, ORIGIN_REVIEW)


class Action:
    """Event action names (``events.action``): the decisions, which carry (before, after) changes
    in their payload and can be undone, and the bookkeeping events around them."""

    # decisions in an annotator's layer
    ACCEPT, REJECT, ACCEPT_ALL, DELETE = "accept", "reject", "accept_all", "delete"
    RELABEL, RESIZE, CREATE = "relabel", "resize", "create"
    SET_SPEAKER, ADD_STANCE, EDIT_STANCE = "set_speaker", "add_stance", "edit_stance"
    SET_ATTRIBUTE = "set_attribute"  # a claim attribute other than the speaker (payload: attribute, value)
    # decisions in the review layer
    REVIEW_ACCEPT_UNANIMOUS, REVIEW_ACCEPT_AGREED = "review_accept_unanimous", "review_accept_agreed"
    REVIEW_CHOOSE, REVIEW_EDIT, REVIEW_SETTLE_OPEN = "review_choose", "review_edit", "review_settle_open"
    # history and bookkeeping
    UNDO, REDO = "undo", "redo"
    STATUS, REVIEW_STATUS = "status", "review_status"
    IMPORT, ASSIGN, MERGE = "import", "assign", "merge"


AUTHOR, UNNAMED = "AUTHOR", "UNNAMED"
POLARITIES = ("FAVOR", "AGAINST", "NEUTRAL")


def new_id() -> str:
    """A fresh id for an annotation item (uuid4 hex)."""
    return uuid.uuid4().hex


def text_hash(text: str) -> str:
    """A document's identity: a hash of its text."""
    import hashlib  # here, not at the top: opening annotate never needs it (OpenSSL is slow to load)

    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def prodigy_hash(*parts: str) -> int:
    """A signed 32-bit hash in the style of Prodigy's ``_input_hash``/``_task_hash``."""
    import hashlib

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
    origin: str = ORIGIN_MANUAL  # one of ORIGINS

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


@dataclass
class ImportRecord:
    """One document to import, with the items of one layer (may be empty)."""

    document: Document
    layer: str | None = None
    values: list[Value] = field(default_factory=list)
    status: str | None = None


@dataclass
class ImportResult:
    documents_added: int = 0
    documents_existing: int = 0
    annotations_added: int = 0
    annotations_existing: int = 0
    layers: Counter = field(default_factory=Counter)
