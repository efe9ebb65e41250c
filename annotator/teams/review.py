"""Review: align annotators' layers on a document, say where and why they differ, and turn a
reviewer's choices into review-layer changes (no SQL here: the Store's methods).

A *row* is one thing on the document with every annotator's version of it. Versions of one
place are grouped even when their boundaries differ (``Warehouse,`` and ``Warehouse`` are
one row, shown side by side): each annotator's items are matched to the rows of those before
them -- the same version first, then the same place, then the largest overlap -- and an
item left over starts a row of its own. Each (place, label) is an item of its own, so two
labels at one place in one layer (a merge conflict) are two rows.

Two versions *agree* when they have the same kind, offsets, label and the attributes that
matter (a claim's speaker, a stance's polarity and evidence, ...). Speakers are compared by
their span when both have one, else by normalised name. A row is *unanimous* when every
annotator who worked on the document has the same version; anything else is settled by
choosing one version (or "nothing here"), which goes to the ``review`` layer only.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property
from typing import Callable, Mapping, Sequence, Union

from annotator.errors import AnnotatorError
from annotator.model import (CLAIM, REJECTED, REVIEW_LAYER, STANCE, Annotation, Span, Stance, Value, new_id,
                             value_to_record)
from annotator.teams.items import speaker_text

# attributes that say how an item was made, not what it is
NOISE_ATTRS = ("score", "rule", "suggester", "version", "source_rule", "origin", "text")
DONE = "done"


def place_of(value: Value) -> tuple:
    if isinstance(value, Stance):
        return (STANCE, value.source.start, value.source.end, value.target.start, value.target.end)
    return (value.kind, value.start, value.end)


def signature(value: Value) -> str:
    """The exact identity of a version (label and meaningful attributes, as stored)."""
    rec = value_to_record(value)
    attrs = {k: v for k, v in rec["attrs"].items() if k not in NOISE_ATTRS and v not in (None, "", [], {})}
    return json.dumps([rec["kind"], rec["start"], rec["end"], rec["label"], attrs], sort_keys=True, ensure_ascii=False)


# --- comparing two versions ---------------------------------------------------------------

Text = Union[str, Callable[[], str]]  # the document's text, or a function that reads it when needed


def lazy_text(read: Callable[[], str]) -> Callable[[], str]:
    """A text read at most once, and only if a comparison needs it."""
    cache: list[str] = []

    def text() -> str:
        if not cache:
            cache.append(read())
        return cache[0]

    return text


def _speaker(value: Value) -> tuple | None:
    """(span or None, name or None) of a claim's speaker; None when it has none."""
    sp = value.attrs.get("speaker") if isinstance(value, Span) else None
    if sp in (None, ""):
        return None
    if isinstance(sp, Mapping):
        try:
            return (int(sp["start"]), int(sp["end"])), None
        except (KeyError, TypeError, ValueError):
            return None
    return None, str(sp)


def _name(speaker: tuple, doc: str) -> str:
    if speaker[0] is not None:
        return speaker_text(doc[speaker[0][0]:speaker[0][1]]) if doc else ""
    return speaker[1] if speaker[1] in ("AUTHOR", "UNNAMED") else speaker_text(speaker[1])


def same_speaker(a: Value, b: Value, text: Text = "") -> bool:
    """By span when both have one, else by normalised name (a span's text is its name)."""
    x, y = _speaker(a), _speaker(b)
    if x is None or y is None:
        return x is None and y is None
    if x[0] is not None and y[0] is not None:
        return x[0] == y[0]
    doc = text() if callable(text) else text
    name = _name(x, doc)
    return name == _name(y, doc) and name != ""


def _attrs(value: Value) -> dict:
    attrs = value.attrs if isinstance(value, Span) else value.attrs
    return {k: v for k, v in attrs.items()
            if k not in NOISE_ATTRS and k != "speaker" and v not in (None, "", [], {})}


def differences(a: Value, b: Value, text: Text = "") -> list[str]:
    """Why two versions differ, in words ([] when they agree): boundary, label, speaker, ..."""
    if a.kind != b.kind:
        return ["kind"]
    out = []
    if isinstance(a, Stance):
        if (a.source.start, a.source.end) != (b.source.start, b.source.end):
            out.append("source")
        if (a.target.start, a.target.end) != (b.target.start, b.target.end):
            out.append("target")
        if a.polarity != b.polarity:
            out.append("polarity")
        ev_a = (a.evidence.start, a.evidence.end) if a.evidence else None
        ev_b = (b.evidence.start, b.evidence.end) if b.evidence else None
        if ev_a != ev_b:
            out.append("evidence")
    else:
        if (a.start, a.end) != (b.start, b.end):
            out.append("boundary")
        if a.label != b.label:
            out.append("label")
        if a.kind == CLAIM and not same_speaker(a, b, text):
            out.append("speaker")
    attrs_a, attrs_b = _attrs(a), _attrs(b)
    out += [k for k in sorted(set(attrs_a) | set(attrs_b)) if attrs_a.get(k) != attrs_b.get(k)]
    return out


def _ranges(value: Value) -> list[tuple[int, int]]:
    if isinstance(value, Stance):
        return [(value.source.start, value.source.end), (value.target.start, value.target.end)]
    return [(value.start, value.end)]


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def match_score(a: Value, b: Value, text: Text = "") -> float:
    """How well two versions belong in one row: 4 the same, 3 same place, 1-2 overlapping, 0 not."""
    if a.kind != b.kind:
        return 0.0
    if place_of(a) == place_of(b):
        return 4.0 if not differences(a, b, text) else 3.0
    ratios = [_overlap(x, y) for x, y in zip(_ranges(a), _ranges(b))]
    return 1.0 + sum(ratios) / len(ratios) if all(ratios) else 0.0


# --- rows -------------------------------------------------------------------------------

@dataclass
class Row:
    """One thing on the document, with every annotator's version and the review's."""

    versions: dict[str, Value | None]          # annotator -> their item here (None: nothing)
    review: Annotation | None = None           # the review layer's item here (rejected: "nothing here")
    text: Text = field(default="", repr=False)  # the document's text (speakers are compared by name)

    @property
    def given(self) -> list[Value]:
        return [v for v in self.versions.values() if v is not None]

    @property
    def first(self) -> Value:
        return self.given[0]

    @property
    def kind(self) -> str:
        return self.first.kind

    @property
    def place(self) -> tuple:
        """The place of the first annotator's version (the row's position)."""
        return place_of(self.first)

    @property
    def places(self) -> set[tuple]:
        return {place_of(v) for v in self.given}

    @property
    def start(self) -> int:
        return min(v.start for v in self.given)

    @property
    def end(self) -> int:
        return max(v.end for v in self.given)

    @cached_property
    def distinct(self) -> list[Value | None]:
        """The different versions, in annotator order (None = 'nothing here')."""
        seen: list[Value | None] = []
        for v in self.versions.values():
            if not any(self._same(v, w) for w in seen):
                seen.append(v)
        return seen

    def _same(self, a: Value | None, b: Value | None) -> bool:
        if a is None or b is None:
            return a is None and b is None
        return not differences(a, b, self.text)

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
        return [n for n, v in self.versions.items() if self._same(v, value)]

    def why(self) -> str:
        """Why the versions differ, in words ('' when unanimous)."""
        if self.unanimous:
            return ""
        reasons: list[str] = []
        given = [v for v in self.distinct if v is not None]
        for i, a in enumerate(given):
            for b in given[i + 1:]:
                reasons += [r for r in differences(a, b, self.text) if r not in reasons]
        missing = [n for n, v in self.versions.items() if v is None]
        if missing:
            reasons.append(f"{', '.join(missing)}: nothing")
        return ", ".join(reasons)


@dataclass
class Alignment:
    doc_id: str
    annotators: list[str]                     # the annotators who worked on the document
    rows: list[Row] = field(default_factory=list)
    extra_review: list[Annotation] = field(default_factory=list)  # review items at places nobody marked
    text: Text = field(default="", repr=False)

    @property
    def agreed(self) -> list[Row]:
        return [r for r in self.rows if r.unanimous]

    @property
    def disagreements(self) -> list[Row]:
        return [r for r in self.rows if not r.unanimous]

    @property
    def open(self) -> list[Row]:
        return [r for r in self.rows if not r.settled]

    @property
    def single(self) -> bool:
        """Only one annotator worked on the document: there is nothing to compare."""
        return len(self.annotators) == 1


def _group(names: list[str], layers: Mapping[str, Sequence[Annotation]], text: Text) -> list[dict[str, Value]]:
    """Rows as {annotator: version}: each annotator's items matched to the rows so far."""
    rows: list[dict[str, Value]] = []
    for name in names:
        items = sorted((a.value for a in layers.get(name, ()) if a.accepted),
                       key=lambda v: (v.start, -v.end, v.kind, place_of(v), v.label))
        # an index of the existing rows per kind: (start, row) sorted, and the longest extent
        index: dict[str, list[tuple[int, int]]] = {}
        longest: dict[str, int] = {}
        for r, row in enumerate(rows):
            for v in row.values():
                index.setdefault(v.kind, []).append((v.start, r))
                longest[v.kind] = max(longest.get(v.kind, 0), v.end - v.start)
        for entries in index.values():
            entries.sort()
        candidates = []
        for i, v in enumerate(items):
            entries = index.get(v.kind, [])
            k = bisect_right(entries, (v.end, len(rows)))
            seen: set[int] = set()
            while k > 0 and entries[k - 1][0] >= v.start - longest.get(v.kind, 0):
                k -= 1
                r = entries[k][1]
                if r in seen or name in rows[r]:
                    continue
                seen.add(r)
                score = max(match_score(v, w, text) for w in rows[r].values())
                if score > 0:
                    candidates.append((-score, i, r))
        candidates.sort()
        used_items: set[int] = set()
        used_rows: set[int] = set()
        for _, i, r in candidates:
            if i not in used_items and r not in used_rows:
                rows[r][name] = items[i]
                used_items.add(i)
                used_rows.add(r)
        rows.extend({name: v} for i, v in enumerate(items) if i not in used_items)
    return rows


def align(doc_id: str, layers: Mapping[str, Sequence[Annotation]], review: Sequence[Annotation] = (),
          worked: Sequence[str] | None = None, text: Text = "") -> Alignment:
    """Align the accepted items of each annotator (``layers[name]``) on one document.

    ``worked`` names the annotators who worked on the document (default: those with items);
    one is enough (a single annotator's document: every row is theirs alone). ``review`` is
    the review layer on the document: an accepted item settles its row with that version, a
    rejected one settles it as 'nothing here'. ``text`` (or a function reading it) lets speakers
    be compared by name.
    """
    names = list(worked) if worked is not None else [n for n in layers if layers[n]]
    if not names:
        raise AnnotatorError(f"document {doc_id} has no annotator; there is nothing to review")
    grouped = _group(names, layers, text)
    rows = [Row({n: g.get(n) for n in names}, text=text) for g in grouped]
    rows.sort(key=lambda r: (r.start, -r.end, r.kind, r.place))
    pending = sorted(review, key=lambda a: (a.value.start, a.value.end, a.value.label, a.id))
    tests = (lambda a, v: not differences(a.value, v, text),          # the same version
             lambda a, v: place_of(a.value) == place_of(v),            # an edit at the same place
             lambda a, v: match_score(a.value, v, text) > 0)           # anything overlapping
    for test in tests:
        for a in list(pending):
            row = next((r for r in rows if not r.settled and any(test(a, v) for v in r.given)), None)
            if row is not None:
                row.review = a
                pending.remove(a)
    extra = [a for a in pending if a.accepted]
    return Alignment(doc_id, names, rows, extra, text)


# --- decisions ----------------------------------------------------------------------------

def _review_item(doc_id: str, value: Value, status: str = "accepted") -> Annotation:
    return Annotation(new_id(), doc_id, REVIEW_LAYER, value, status, None, "review")


def accept_unanimous(al: Alignment) -> list[tuple[Annotation | None, Annotation | None]]:
    """Changes that copy every unanimous, not yet settled item into the review layer."""
    return [(None, _review_item(al.doc_id, r.distinct[0])) for r in al.rows if r.unanimous and not r.settled]


def choose(al: Alignment, row: Row, value: Value | None) -> list[tuple[Annotation | None, Annotation | None]]:
    """Changes that settle ``row`` with ``value`` in the review layer.

    ``None`` settles it as 'nothing here' (a rejected review item, so the decision is kept
    and reviewing can resume). Choosing what is already there changes nothing.
    """
    status = "accepted" if value is not None else REJECTED
    if value is None:
        value = row.review.value if row.review is not None else row.first
    if row.review is not None:
        if row.review.status == status and signature(row.review.value) == signature(value):
            return []
        return [(row.review, Annotation(row.review.id, al.doc_id, REVIEW_LAYER, value, status, None, "review"))]
    return [(None, _review_item(al.doc_id, value, status))]


def settle_open(al: Alignment) -> list[tuple[Annotation | None, Annotation | None]]:
    """Changes that settle every open row as 'nothing here'."""
    return [change for row in al.open for change in choose(al, row, None)]


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
    if value.kind == CLAIM:
        sp = value.attrs.get("speaker")
        if isinstance(sp, Mapping):
            sp = text[int(sp["start"]):int(sp["end"])] if text else f"{sp['start']}-{sp['end']}"
        if sp:
            out += f" by {sp}"
    return out


def position(text: str, offset: int) -> int:
    """The 1-based line number of an offset."""
    return text.count("\n", 0, offset) + 1


# --- with a store (no SQL here: the Store's methods) ------------------------------------

def load(store, doc_id: str, annotators: Sequence[str], *, single: bool = False) -> Alignment:
    """The alignment of one document for the given annotators (those who worked on it).

    Fewer than two of them is an error unless ``single`` (a single annotator's document)."""
    layers = {n: store.items(doc_id, n) for n in annotators}
    worked = [n for n in annotators if layers[n] or doc_id in store.statuses(n)]
    if len(worked) < (1 if single else 2):
        raise AnnotatorError(
            f"document {doc_id} has {len(worked)} annotator(s) ({', '.join(worked) or 'none'}); "
            "reviewing needs at least two (or --include-single)")
    doc = store.document(doc_id)
    return align(doc_id, layers, store.items(doc_id, REVIEW_LAYER), worked, doc.text if doc else "")


def save(store, reviewer: str, doc_id: str, action: str, changes) -> int | None:
    """Write review-layer changes (one event by the reviewer); nothing to do -> None."""
    if not changes:
        return None
    return store.apply_review(reviewer, doc_id, action, changes)


def mark_reviewed(store, reviewer: str, al: Alignment, *, settle: bool = False) -> int:
    """Mark the document reviewed. Open rows are refused unless ``settle``, which settles them
    as 'nothing here' in the same transaction -- so a document marked reviewed never has
    open rows, and its export says exactly what the reviewer decided. Returns rows settled."""
    changes = settle_open(al)
    if changes and not settle:
        raise AnnotatorError(f"{len(al.open)} row(s) on document {al.doc_id} are still open; settle them "
                             "or mark it reviewed with them settled as 'nothing here'")
    with store.transaction():
        if changes:
            store.apply_review(reviewer, al.doc_id, "review_settle_open", changes)
        store.set_review_status(reviewer, al.doc_id, DONE)
    return len(changes)
