"""Review: align annotators' layers on a document, find agreement and disagreement,
and turn a reviewer's choices into review-layer changes (pure functions, no SQL).

A *place* is where an item sits: the kind and offsets of a span, or for a stance its
source and target. At each place every annotator has a version (their accepted item
there, or nothing). A place is *unanimous* when every annotator who worked on the
document has the same version (same label and the attributes that matter: a claim's
speaker, a stance's polarity and evidence...). Anything else is a disagreement, settled
by choosing one version (or none) -- the choice goes to the ``review`` layer only.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from typing import Mapping, Sequence

from annotator.errors import AnnotatorError
from annotator.model import REVIEW_LAYER, STANCE, Annotation, Span, Stance, Value, value_to_record

# attributes that say how an item was made, not what it is
NOISE_ATTRS = ("score", "rule", "suggester", "version", "source_rule", "origin", "text")


def place_of(value: Value) -> tuple:
    if isinstance(value, Stance):
        return (STANCE, value.source.start, value.source.end, value.target.start, value.target.end)
    return (value.kind, value.start, value.end)


def signature(value: Value) -> str:
    """What must be equal for two versions to agree (label and meaningful attributes)."""
    rec = value_to_record(value)
    attrs = {k: v for k, v in rec["attrs"].items() if k not in NOISE_ATTRS and v not in (None, "", [], {})}
    return json.dumps([rec["kind"], rec["start"], rec["end"], rec["label"], attrs], sort_keys=True, ensure_ascii=False)


@dataclass
class Row:
    """One place on the document, with every annotator's version and the review's."""

    place: tuple
    versions: dict[str, Value | None]          # annotator -> their item here (None: nothing)
    review: Annotation | None = None           # the review layer's item here (rejected: "nothing here")

    @property
    def kind(self) -> str:
        return self.place[0]

    @property
    def start(self) -> int:
        return self.place[1]

    @property
    def end(self) -> int:
        return self.place[2]

    @property
    def distinct(self) -> list[Value | None]:
        """The different versions, in annotator order (None = 'nothing here')."""
        seen: dict[str | None, Value | None] = {}
        for v in self.versions.values():
            seen.setdefault(None if v is None else signature(v), v)
        return list(seen.values())

    @property
    def unanimous(self) -> bool:
        d = self.distinct
        return len(d) == 1 and d[0] is not None

    @property
    def settled(self) -> bool:
        return self.review is not None

    @property
    def decision(self) -> Value | None:
        """The reviewer's version (None when unsettled or settled as 'nothing here')."""
        return self.review.value if self.review is not None and self.review.accepted else None

    def who_has(self, value: Value | None) -> list[str]:
        sig = None if value is None else signature(value)
        return [n for n, v in self.versions.items() if (None if v is None else signature(v)) == sig]


@dataclass
class Alignment:
    doc_id: str
    annotators: list[str]                     # the annotators who worked on the document
    rows: list[Row] = field(default_factory=list)
    extra_review: list[Annotation] = field(default_factory=list)  # review items at places nobody marked

    @property
    def agreed(self) -> list[Row]:
        return [r for r in self.rows if r.unanimous]

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if not r.unanimous]

    @property
    def open(self) -> list[Row]:
        return [r for r in self.rows if not r.settled]


def align(doc_id: str, layers: Mapping[str, Sequence[Annotation]], review: Sequence[Annotation] = (),
          worked: Sequence[str] | None = None) -> Alignment:
    """Align the accepted items of each annotator (``layers[name]``) on one document.

    ``worked`` names the annotators who worked on the document (default: those with items).
    ``review`` is the review layer on the document: an accepted item settles its place with
    that version, a rejected one settles it as 'nothing here'.
    """
    names = list(worked) if worked is not None else [n for n in layers if layers[n]]
    if len(names) < 2:
        raise AnnotatorError(
            f"document {doc_id} has {len(names)} annotator(s) ({', '.join(names) or 'none'}); "
            "reviewing needs at least two")
    by_place: dict[tuple, dict[str, list[Value]]] = {}
    for n in names:
        for a in layers.get(n, ()):
            if a.accepted:
                by_place.setdefault(place_of(a.value), {}).setdefault(n, []).append(a.value)
    rows: list[Row] = []
    for place in sorted(by_place, key=lambda p: (p[1], -p[2], p[0], p[3:])):
        got = by_place[place]
        # several items at one place from one annotator (e.g. two labels): one row each
        depth = max(len(v) for v in got.values())
        for i in range(depth):
            versions = {n: (sorted(got.get(n, []), key=signature)[i] if i < len(got.get(n, [])) else None)
                        for n in names}
            rows.append(Row(place, versions))
    review_by_place: dict[tuple, list[Annotation]] = {}
    for a in review:
        review_by_place.setdefault(place_of(a.value), []).append(a)
    for row in rows:
        pending = review_by_place.get(row.place, [])
        if not pending:
            continue
        sigs = {signature(v) for v in row.versions.values() if v is not None}
        pick = next((a for a in pending if signature(a.value) in sigs), pending[0])
        pending.remove(pick)
        row.review = pick
    extra = [a for rest in review_by_place.values() for a in rest if a.accepted]
    return Alignment(doc_id, names, rows, extra)


def _review_item(doc_id: str, value: Value, origin: str = "review") -> Annotation:
    return Annotation(uuid.uuid4().hex, doc_id, REVIEW_LAYER, value, "accepted", None, origin)


def accept_unanimous(al: Alignment) -> list[tuple[Annotation | None, Annotation | None]]:
    """Changes that copy every unanimous, not yet settled item into the review layer."""
    return [(None, _review_item(al.doc_id, r.distinct[0])) for r in al.rows if r.unanimous and not r.settled]


def choose(al: Alignment, row: Row, value: Value | None) -> list[tuple[Annotation | None, Annotation | None]]:
    """Changes that settle ``row`` with ``value`` in the review layer.

    ``None`` settles it as 'nothing here' (a rejected review item, so the decision is kept
    and reviewing can resume). Choosing what is already there changes nothing.
    """
    status = "accepted" if value is not None else "rejected"
    if value is None:
        value = row.review.value if row.review is not None else next(v for v in row.versions.values() if v is not None)
    if row.review is not None:
        if row.review.status == status and signature(row.review.value) == signature(value):
            return []
        return [(row.review, Annotation(row.review.id, al.doc_id, REVIEW_LAYER, value, status, None, "review"))]
    return [(None, Annotation(uuid.uuid4().hex, al.doc_id, REVIEW_LAYER, value, status, None, "review"))]


def relabel(value: Value, label: str) -> Value:
    """An edited version: the same place with another label (polarity for a stance)."""
    if isinstance(value, Stance):
        return Stance(value.source, value.target, label, value.evidence, dict(value.attrs))
    return Span(value.start, value.end, label, value.kind, dict(value.attrs))


def summary(al: Alignment) -> dict:
    return {"doc_id": al.doc_id, "annotators": al.annotators, "places": len(al.rows),
            "unanimous": len(al.agreed), "disagreements": len(al.disagreements), "open": len(al.open)}


def describe(value: Value | None, text: str = "") -> str:
    """A short one-line description of a version."""
    if value is None:
        return "(nothing)"
    if isinstance(value, Stance):
        src = text[value.source.start:value.source.end] if text else f"{value.source.start}-{value.source.end}"
        tgt = text[value.target.start:value.target.end] if text else f"{value.target.start}-{value.target.end}"
        return f"{src} {value.polarity} {tgt}"
    out = value.label
    if value.kind == "claim":
        sp = value.attrs.get("speaker")
        if isinstance(sp, Mapping):
            sp = text[int(sp["start"]):int(sp["end"])] if text else f"{sp['start']}-{sp['end']}"
        if sp:
            out += f" by {sp}"
    return out


# --- with a store (no SQL here: the Store's methods) ------------------------------------

def worked_on(store, annotators: Sequence[str]) -> dict[str, set[str]]:
    """doc_id -> the given annotators who worked on it (have items or a status there)."""
    out: dict[str, set[str]] = {}
    for n in annotators:
        docs = set(store.statuses(n)) | set(store.layer_items(n))
        for d in docs:
            out.setdefault(d, set()).add(n)
    return out


def documents_to_review(store, annotators: Sequence[str]) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """(documents with at least two of the annotators, [(document, its annotators)] with fewer)."""
    worked = worked_on(store, annotators)
    ok, short = [], []
    for d in store.document_ids():
        names = [n for n in annotators if n in worked.get(d, set())]
        if len(names) >= 2:
            ok.append(d)
        elif names:
            short.append((d, names))
    return ok, short


def load(store, doc_id: str, annotators: Sequence[str]) -> Alignment:
    """The alignment of one document for the given annotators (those who worked on it)."""
    layers = {n: store.items(doc_id, n) for n in annotators}
    worked = [n for n in annotators if layers[n] or doc_id in store.statuses(n)]
    return align(doc_id, layers, store.items(doc_id, REVIEW_LAYER), worked)


def save(store, reviewer: str, doc_id: str, action: str, changes) -> int | None:
    """Write review-layer changes (one event by the reviewer); nothing to do -> None."""
    if not changes:
        return None
    return store.apply_review(reviewer, doc_id, action, changes)
