"""Which undecided item comes next: one pass per kind (pure).

An annotator decides a document in passes: every entity first (claims need their
speakers, stances their ends), then the claims, then the topics, then the stances.
"Next undecided" (``tab``, and the move after accept, reject or relabel) stays inside the
current pass — the first kind, in that order, that still has undecided suggestions — so
an ``a`` meant for an entity never lands on a stance. The annotator may also pick one
kind to walk (``only``); then ``j``/``k`` and "next undecided" visit that kind alone.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from typing import Mapping

from annotator.annotate.decisions import Item
from annotator.annotate.items import ItemIndex
from annotator.model import CLAIM, ENTITY, STANCE, TOPIC

PASS_ORDER = (ENTITY, CLAIM, TOPIC, STANCE)
_NAMES = {ENTITY: ("entity", "entities"), CLAIM: ("claim", "claims"), TOPIC: ("topic", "topics"),
          STANCE: ("stance", "stances")}


def plural(n: int, kind: str) -> str:
    """``1 entity``, ``3 entities``, ``0 claims``."""
    one, many = _NAMES.get(kind, (kind, kind + "s"))
    return f"{n} {one if n == 1 else many}"


def kind_name(kind: str | None) -> str:
    """The plural name of a kind ('entities'), or 'every kind' for None."""
    return "every kind" if kind is None else _NAMES.get(kind, (kind, kind + "s"))[1]


def undecided_by_kind(index: ItemIndex, only: str | None = None) -> dict[str, int]:
    """Undecided suggestions per kind, in pass order, kinds without any left out."""
    return {k: index.undecided[k] for k in PASS_ORDER if index.undecided[k] > 0 and only in (None, k)}


def describe(counts: Mapping[str, int]) -> str:
    """'60 entities, 19 claims and 10 stances' (empty for no counts)."""
    parts = [plural(n, k) for k, n in counts.items() if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def current_pass(index: ItemIndex, only: str | None = None) -> str | None:
    """The kind being decided: ``only`` when chosen, else the first kind with undecided items."""
    if only is not None:
        return only
    return next((k for k in PASS_ORDER if index.undecided[k] > 0), None)


def next_undecided(index: ItemIndex, after: Item | None = None, only: str | None = None) -> int | None:
    """The index of the next undecided item of the current pass.

    Within the pass it is the first one after ``after`` in reading order, wrapping round;
    when ``after`` is of another kind (a new pass begins) it is the pass's first one.
    (``after`` need not be in the list any more: the item a decision just replaced.)"""
    kind = current_pass(index, only)
    if kind is None or not index.undecided[kind]:
        return None
    group = index.by_kind.get(kind, [])
    begin = 0
    if after is not None and after.kind == kind:
        begin = bisect_right(group, after.sort_key, key=_sort_key)
    for n in (*range(begin, len(group)), *range(0, begin)):
        if group[n].undecided:
            return index.index_of(group[n])
    return None


def step(index: ItemIndex, at: int | None, by: int, only: str | None = None) -> int | None:
    """The index ``by`` places from ``at`` among the items walked (every item, or one kind)."""
    items = index.items
    if not items:
        return None
    if only is None:
        return 0 if at is None else max(0, min(at + by, len(items) - 1))
    group = index.by_kind.get(only, [])
    if not group:
        return None
    if at is None:
        return index.index_of(group[0])
    focused = items[at]
    if focused.kind == only:
        pos = bisect_left(group, focused.sort_key, key=_sort_key) + by
    else:  # focus on another kind: the nearest walked item in that direction
        pos = bisect_right(group, focused.sort_key, key=_sort_key) - (1 if by < 0 else 0)
    return index.index_of(group[max(0, min(pos, len(group) - 1))])


def _sort_key(item: Item) -> tuple:
    return item.sort_key
