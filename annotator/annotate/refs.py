"""Stance ends and claim speakers follow the spans they point at (pure).

A stance's source and target, a claim's speaker and a stance's evidence when it is a claim
are :class:`~annotator.model.SpanRef` pointers: offsets plus a label. A pointer *points at*
a span when their offsets are equal and the pointer has no label or the span's label (the
rule the exports use to tell whether a stance's end is a span of the layer). An unlabelled
evidence is a sentence, never a span, so it follows nothing.

When a decision replaces a span by another (relabel, resize, a change of kind), every item
of the annotator's layer — accepted or rejected — that points at the old span points at the
new one in the same decision (one event, one undo), unless another span of the layer still
is what the pointer names. A labelled pointer takes the new label; an unlabelled one only
the new offsets. When a decision removes a span (delete, or reject) the pointers stay as
they are — the stance still names those words, which are no span any more — and the
decision says how many point there (:func:`dangling_note`). A suggested stance or claim
still undecided keeps the ends it was suggested with; deciding it maps each end that names
a suggested span the annotator has changed since to that span as it now is
(:meth:`~annotator.annotate.items.ItemIndex.current_ref`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Callable

from annotator.model import ACCEPTED, CLAIM, Annotation, Span, SpanRef, Stance, Value
from annotator.textsafe import one_line

if TYPE_CHECKING:
    from annotator.annotate.items import ItemIndex

Change = tuple[Annotation | None, Annotation | None]


def points_at(ref: SpanRef, start: int, end: int, label: str) -> bool:
    """True when ``ref`` names the span (start, end, label): same offsets, and no label or the same."""
    return ref.start == start and ref.end == end and (not ref.label or ref.label == label)


def moved_ref(ref: SpanRef, span: Span | SpanRef) -> SpanRef:
    """``ref`` pointing at ``span`` instead: a labelled pointer takes its label, an unlabelled one stays so."""
    return SpanRef(span.start, span.end, span.label if ref.label else "")


def speaker_ref(value: Value) -> SpanRef | None:
    """A claim's speaker when it is a span (not AUTHOR, UNNAMED or unset)."""
    if not isinstance(value, Span) or value.kind != CLAIM:
        return None
    sp = value.attrs.get("speaker")
    if isinstance(sp, dict) and "start" in sp and "end" in sp:
        return SpanRef.from_dict(sp)
    return None


def refs_of(value: Value) -> list[SpanRef]:
    """The pointers of an item that follow spans: a stance's source, target and labelled evidence,
    a claim's speaker span."""
    if isinstance(value, Stance):
        out = [value.source, value.target]
        if value.evidence is not None and value.evidence.label:
            out.append(value.evidence)
        return out
    sp = speaker_ref(value)
    return [sp] if sp is not None else []


def retarget(value: Value, move: Callable[[SpanRef], SpanRef | None], text: str) -> Value:
    """``value`` with each pointer ``move`` maps elsewhere (``move`` returns None to keep it); a
    claim's ``speaker_text`` follows its speaker."""
    if isinstance(value, Stance):
        source, target = move(value.source) or value.source, move(value.target) or value.target
        evidence = value.evidence
        if evidence is not None and evidence.label:
            evidence = move(evidence) or evidence
        if (source, target, evidence) == (value.source, value.target, value.evidence):
            return value
        return replace(value, source=source, target=target, evidence=evidence)
    sp = speaker_ref(value)
    new = move(sp) if sp is not None else None
    if new is None or new == sp:
        return value
    attrs = dict(value.attrs)
    attrs["speaker"] = new.to_dict()
    attrs["speaker_text"] = text[new.start:new.end]
    return replace(value, attrs=attrs)


def _old_value(before: Annotation | None, after: Annotation | None, index: "ItemIndex") -> Value | None:
    if before is not None:
        return before.value
    return index.suggested_value(after.suggestion_id) if after is not None and after.suggestion_id else None


def follow(changes: list[Change], index: "ItemIndex", text: str) -> tuple[list[Change], list[tuple[Span, int, int]]]:
    """What a decision's ``changes`` do to the items pointing at the spans they replace.

    Returns the changes that bring those items along (to write in the same decision), and,
    for each span the decision removes from the layer (deleted or rejected) while accepted items
    still point at it, (the span, how many stances, how many claims)."""
    touched = {a.id for b, a in changes if a is not None} | {b.id for b, a in changes if b is not None}
    updated: dict[str, tuple[Annotation, Value]] = {}
    dangling: list[tuple[Span, int, int]] = []
    for before, after in changes:
        old = _old_value(before, after, index)
        if not isinstance(old, Span):
            continue
        new = after.value if after is not None and after.status == ACCEPTED else None
        if isinstance(new, Span) and (new.start, new.end, new.label) == (old.start, old.end, old.label):
            continue
        if not isinstance(new, Span) and before is not None and before.status != ACCEPTED:
            continue  # it was no span of the layer already (rejected): nothing points at it any less
        pointing = [it for it in index.pointing_at(old.start, old.end) if it.annotation.id not in touched]

        def names_old(ref: SpanRef) -> bool:
            return points_at(ref, old.start, old.end, old.label) and not index.names_layer_span(ref, skip=touched)

        if not isinstance(new, Span):
            left = [it for it in pointing if it.state == ACCEPTED and any(names_old(r) for r in refs_of(it.value))]
            if left:
                stances = sum(isinstance(it.value, Stance) for it in left)
                dangling.append((old, stances, len(left) - stances))
            continue
        for it in pointing:
            ann, value = updated.get(it.annotation.id, (it.annotation, it.value))
            moved = retarget(value, lambda ref: moved_ref(ref, new) if names_old(ref) else None, text)
            if moved != value:
                updated[it.annotation.id] = (ann, moved)
    return [(ann, replace(ann, value=value)) for ann, value in updated.values()], dangling


def followed_note(followers: list[Change]) -> str:
    """'2 stances and 1 claim follow it' for the items a decision brought along ('' for none)."""
    if not followers:
        return ""
    stances = sum(isinstance(a.value, Stance) for _, a in followers)
    what = stances_and_claims(stances, len(followers) - stances)
    return f"{what} pointing at it follow{'s' if len(followers) == 1 else ''}"


def dangling_note(dangling: list[tuple[Span, int, int]], text: str, keys: dict[str, str]) -> tuple[str, ...] | str:
    """'“Kim Jong Un” is no span of yours now; 2 stances and 1 claim still point at it (t, s changes that)'
    and shorter wordings of it, the fullest first, for a narrow status line ('' when nothing dangles;
    ``keys``: the ``stance`` and ``speaker`` keys as mapped)."""
    if not dangling:
        return ""
    span = dangling[0][0]
    stances, claims = sum(d[1] for d in dangling), sum(d[2] for d in dangling)
    what = stances_and_claims(stances, claims)
    keys = ", ".join(keys[k] for k, n in (("stance", stances), ("speaker", claims)) if n)
    verb = "points" if stances + claims == 1 else "point"
    if len(dangling) > 1:
        return (f"{len(dangling)} spans are no spans of yours now; {what} still {verb} at them ({keys} changes that)",
                f"{what} still {verb} at {len(dangling)} removed spans ({keys})", f"{what} still {verb} at them ({keys})",
                f"{what} still {verb} at them")
    words = one_line(text[span.start:span.end], 40)
    return (f"“{words}” is no span of yours now; {what} still {verb} at it ({keys} changes that)",
            f"{what} still {verb} at “{one_line(words, 20)}” ({keys})", f"{what} still {verb} at it ({keys})",
            f"{what} still {verb} at it")


def stances_and_claims(stances: int, claims: int) -> str:
    """'2 stances and 1 claim', '1 stance', '3 claims'."""
    parts = [f"{n} {one if n == 1 else many}" for n, one, many in ((stances, "stance", "stances"),
                                                                  (claims, "claim", "claims")) if n]
    return " and ".join(parts)
