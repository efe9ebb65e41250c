"""The visible items of one document in one layer, kept up to date decision by decision (pure).

:func:`annotator.annotate.decisions.visible_items` builds the list from scratch. An
:class:`ItemIndex` builds the same list once, then applies each decision's changes to it:
only the items a decision changed, and the suggestions it hides or shows again, are made,
moved or dropped, so a decision costs the same on a 10,000-word article as on a short one.
Every change is also written to a journal of :class:`Delta` records, from which a screen
redraws only what changed (:meth:`ItemIndex.take`).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import Counter
from typing import Iterable, NamedTuple, Sequence

from annotator.annotate.decisions import Item, layer_item, visible_items
from annotator.annotate.refs import moved_ref, points_at, refs_of
from annotator.model import ACCEPTED, STANCE, SUGGESTED, Annotation, Span, SpanRef, Suggestion, Value

KINDS = ("entity", "claim", "topic", "stance")


def _sort_key(item: Item) -> tuple:
    return item.sort_key


def _leave(item: Item, added: list[Item], removed: list[Item]) -> None:
    """An item leaves the list: undo its arrival in this change, else record its removal."""
    for i, it in enumerate(added):
        if it is item:
            del added[i]
            return
    removed.append(item)


class Delta(NamedTuple):
    """What one change did to the list: the items that left it and the items that joined it."""

    removed: tuple[Item, ...]
    added: tuple[Item, ...]


class ItemIndex:
    """The items (undecided suggestions plus the layer's items) of one document, in reading order.

    ``items`` is the list :func:`visible_items` would build; ``by_kind`` the same items per kind;
    ``states`` counts them per state and ``undecided`` the undecided ones per kind.

    It also finds, by offsets, what stance ends and speakers need (see :mod:`annotator.annotate.refs`):
    the layer's items pointing at a span, the layer's spans, and the layer's spans made from a
    suggestion whose span they changed.
    """

    def __init__(self, suggestions: Sequence[Suggestion], layer: Iterable[Annotation]) -> None:
        layer = list(layer)
        self.items: list[Item] = visible_items(suggestions, layer)
        self._by_key: dict[str, Item] = {it.key: it for it in self.items}
        self._layer: dict[str, Item] = {it.annotation.id: it for it in self.items if it.annotation is not None}
        self._shown: dict[tuple, Item] = {it.value.key: it for it in self.items if it.suggestion is not None}
        self._suggestion_by_id: dict[str, Suggestion] = {}
        self._suggestions_by_value: dict[tuple, list[Suggestion]] = {}
        for s in suggestions:
            self._suggestion_by_id.setdefault(s.id, s)
            self._suggestions_by_value.setdefault(s.value.key, []).append(s)
        self._decided_ids: Counter = Counter()
        self._decided_values: Counter = Counter()
        self._pointing: dict[tuple, dict[str, Item]] = {}  # offsets -> layer items with a pointer there
        self._spans_at: dict[tuple, dict[str, Item]] = {}  # offsets -> the layer's spans (not rejected)
        self._changed: dict[tuple, dict[str, Item]] = {}  # a suggested span's offsets -> layer spans changed from it
        for it in self._layer.values():
            self._count_decided(it.annotation, 1)
            self._register(it, True)
        self.by_kind: dict[str, list[Item]] = {k: [] for k in KINDS}
        for it in self.items:
            self.by_kind.setdefault(it.kind, []).append(it)
        self.states: Counter = Counter(it.state for it in self.items)
        self.undecided: Counter = Counter(it.kind for it in self.items if it.state == SUGGESTED)
        self._journal: list[Delta] = []

    # --- reading ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.items)

    def get(self, key: str | None) -> Item | None:
        return self._by_key.get(key) if key is not None else None

    def index_of(self, item: Item | None) -> int | None:
        """The position of ``item`` in ``items`` (None when it is not there); a binary search."""
        if item is None:
            return None
        i = bisect_left(self.items, item.sort_key, key=_sort_key)
        return i if i < len(self.items) and self.items[i] is item else None

    def find(self, key: str | None) -> int | None:
        return self.index_of(self.get(key))

    def position(self, sort_key: tuple) -> int:
        """Where an item with ``sort_key`` stands (or would stand) in ``items``."""
        return bisect_left(self.items, sort_key, key=_sort_key)

    def take(self) -> list[Delta]:
        """The changes since the last call, oldest first (and forget them)."""
        out, self._journal = self._journal, []
        return out

    # --- changing ---------------------------------------------------------------------

    def apply(self, changes: Iterable[tuple[Annotation | None, Annotation | None]]) -> Delta:
        """Apply a decision's (before, after) changes as the store writes them: an ``after``
        replaces the layer item with its id, a ``before`` without ``after`` is deleted."""
        removed: list[Item] = []
        added: list[Item] = []
        values: set[tuple] = set()
        for before, after in changes:
            if after is not None:
                gone = self._layer.get(after.id)
            else:
                gone = self._layer.get(before.id) if before is not None else None
            if gone is not None:
                self._drop_layer(gone, values)
                _leave(gone, added, removed)
            if after is not None:
                item = layer_item(after)
                self._layer[after.id] = item
                self._count_decided(after, 1)
                self._register(item, True)
                values.update(self._values_of(after))
                self._put(item)
                added.append(item)
        for value in values:
            want = self._shown_suggestion(value)
            have = self._shown.get(value)
            if (have.suggestion if have is not None else None) is want:
                continue
            if have is not None:
                del self._shown[value]
                self._drop(have)
                _leave(have, added, removed)
            if want is not None:
                item = Item(want.value, SUGGESTED, want, None)
                self._shown[value] = item
                self._put(item)
                added.append(item)
        delta = Delta(tuple(removed), tuple(added))
        if removed or added:
            self._journal.append(delta)
        return delta

    def _drop_layer(self, item: Item, values: set) -> None:
        del self._layer[item.annotation.id]
        self._count_decided(item.annotation, -1)
        self._register(item, False)
        values.update(self._values_of(item.annotation))
        self._drop(item)

    def _values_of(self, ann: Annotation) -> list[tuple]:
        """The values whose shown suggestion may change when ``ann`` comes or goes."""
        out = [ann.value.key]
        linked = self._suggestion_by_id.get(ann.suggestion_id) if ann.suggestion_id else None
        if linked is not None:
            out.append(linked.value.key)
        return out

    def _count_decided(self, ann: Annotation, step: int) -> None:
        if ann.suggestion_id:
            self._decided_ids[ann.suggestion_id] += step
        self._decided_values[ann.value.key] += step

    def _register(self, item: Item, add: bool) -> None:
        """Add a layer item to (or take it out of) the lookups by offsets."""
        ann = item.annotation
        places: list[tuple[dict, tuple]] = [(self._pointing, (r.start, r.end)) for r in refs_of(ann.value)]
        if item.kind != STANCE and item.state == ACCEPTED:
            places.append((self._spans_at, (item.start, item.end)))
            linked = self._suggestion_by_id.get(ann.suggestion_id) if ann.suggestion_id else None
            if linked is not None and isinstance(linked.value, Span) and linked.value.key != ann.value.key:
                places.append((self._changed, (linked.value.start, linked.value.end)))
        for table, where in places:
            if add:
                table.setdefault(where, {})[ann.id] = item
            else:
                held = table.get(where)
                if held is not None and held.get(ann.id) is item:
                    del held[ann.id]
                    if not held:
                        del table[where]

    def suggested_value(self, suggestion_id: str | None) -> Value | None:
        """The value a suggestion proposed (None for an unknown id)."""
        s = self._suggestion_by_id.get(suggestion_id) if suggestion_id else None
        return s.value if s is not None else None

    def pointing_at(self, start: int, end: int) -> list[Item]:
        """The layer's stances and claims with a pointer (end, labelled evidence, speaker) at these offsets."""
        return list(self._pointing.get((start, end), {}).values())

    def layer_spans_at(self, start: int, end: int) -> list[Item]:
        """The layer's spans (accepted, any kind) at exactly these offsets."""
        return list(self._spans_at.get((start, end), {}).values())

    def names_layer_span(self, ref: SpanRef, skip: Iterable[str] = ()) -> bool:
        """Whether a span of the layer (accepted, its annotation id not in ``skip``) is what ``ref`` names."""
        return any(points_at(ref, it.start, it.end, it.label)
                   for it in self.layer_spans_at(ref.start, ref.end) if it.annotation.id not in skip)

    def current_ref(self, ref: SpanRef) -> SpanRef:
        """Where a suggested pointer points now: ``ref`` itself when a span of the layer is what it
        names (or nothing was changed there), else the layer's span made from the suggested span it
        names, as the annotator changed it (relabelled, resized)."""
        if self.names_layer_span(ref):
            return ref
        for it in self._changed.get((ref.start, ref.end), {}).values():
            was = self.suggested_value(it.annotation.suggestion_id)
            if was is not None and points_at(ref, was.start, was.end, was.label):
                return moved_ref(ref, it.value)
        return ref

    def _shown_suggestion(self, value: tuple) -> Suggestion | None:
        """As :func:`visible_items` decides: none when the layer holds this value, else the
        first suggestion of it that no layer item points at."""
        if self._decided_values[value] > 0:
            return None
        return next((s for s in self._suggestions_by_value.get(value, ()) if self._decided_ids[s.id] <= 0), None)

    def _put(self, item: Item) -> None:
        insort(self.items, item, key=_sort_key)
        insort(self.by_kind.setdefault(item.kind, []), item, key=_sort_key)
        self._by_key[item.key] = item
        self.states[item.state] += 1
        if item.state == SUGGESTED:
            self.undecided[item.kind] += 1

    def _drop(self, item: Item) -> None:
        for seq in (self.items, self.by_kind[item.kind]):
            i = bisect_left(seq, item.sort_key, key=_sort_key)
            if i < len(seq) and seq[i] is item:
                del seq[i]
        if self._by_key.get(item.key) is item:
            del self._by_key[item.key]
        self.states[item.state] -= 1
        if item.state == SUGGESTED:
            self.undecided[item.kind] -= 1

    def nearest(self, offset: int) -> int | None:
        """The index of the item starting closest to ``offset`` (ties: the earlier one)."""
        items = self.items
        if not items:
            return None
        above = bisect_left(items, offset, key=_start)
        if above == 0:
            return 0
        below = bisect_left(items, items[above - 1].start, key=_start)  # the first of that start
        if above == len(items) or offset - items[below].start <= items[above].start - offset:
            return below
        return above


def _start(item: Item) -> int:
    return item.start
