"""Which undecided item comes next: one pass per kind (pure).

An annotator decides a document in passes: every entity first (claims need their
speakers, stances their ends), then the claims, then the topics, then the stances.
"Next undecided" (``tab``, and the move after accept, reject or relabel) stays inside the
current pass — the first kind, in that order, that still has undecided suggestions — so
an ``a`` meant for an entity never lands on a stance. The annotator may also pick one
kind to walk (``only``); then ``j``/``k`` and "next undecided" visit that kind alone.
"""

from __future__ import annotations

from typing import Mapping, Sequence

from annotator.annotate.decisions import Item
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


def undecided_by_kind(items: Sequence[Item], only: str | None = None) -> dict[str, int]:
    """Undecided suggestions per kind, in pass order, kinds without any left out."""
    counts = {k: 0 for k in PASS_ORDER}
    for it in items:
        if it.undecided and (only is None or it.kind == only):
            counts[it.kind] = counts.get(it.kind, 0) + 1
    return {k: n for k, n in counts.items() if n}


def describe(counts: Mapping[str, int]) -> str:
    """'60 entities, 19 claims and 10 stances' (empty for no counts)."""
    parts = [plural(n, k) for k, n in counts.items() if n]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def current_pass(items: Sequence[Item], only: str | None = None) -> str | None:
    """The kind being decided: ``only`` when chosen, else the first kind with undecided items."""
    if only is not None:
        return only
    left = undecided_by_kind(items)
    return next(iter(left), None)


def next_undecided(items: Sequence[Item], after: Item | None = None, only: str | None = None) -> int | None:
    """The index of the next undecided item of the current pass.

    Within the pass it is the first one after ``after`` in reading order, wrapping round;
    when ``after`` is of another kind (a new pass begins) it is the pass's first one."""
    kind = current_pass(items, only)
    if kind is None:
        return None
    hits = [i for i, it in enumerate(items) if it.undecided and it.kind == kind]
    if not hits:
        return None
    if after is not None and after.kind == kind:
        later = [i for i in hits if items[i].sort_key > after.sort_key]
        if later:
            return later[0]
    return hits[0]


def step(items: Sequence[Item], index: int | None, by: int, only: str | None = None) -> int | None:
    """The index ``by`` places from ``index`` among the items walked (every item, or one kind)."""
    walked = [i for i, it in enumerate(items) if only is None or it.kind == only]
    if not walked:
        return None
    if index is None:
        return walked[0]
    if index in walked:
        pos = walked.index(index) + by
    else:  # focus on another kind: the nearest walked item in that direction
        pos = next((n for n, i in enumerate(walked) if i > index), len(walked)) - (1 if by < 0 else 0)
    return walked[max(0, min(pos, len(walked) - 1))]
