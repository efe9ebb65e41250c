"""Decisions on one document, as pure functions (no Textual, no SQL).

Given a document's suggestions and the items of one annotator's layer, compute the
visible list of items (undecided suggestions plus the layer's items, accepted and
rejected) and build the ``changes`` list that :meth:`annotator.store.Store.apply` writes
in one transaction: accept, reject, relabel, resize by word, create, delete, set a
claim's speaker or another of its attributes, add / edit / delete a stance, accept all.

Offsets are Python ``str`` indices, end-exclusive. Words come from a simple regex
tokenizer (runs of word characters, or single other non-space characters).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from typing import Iterable

from annotator.model import (
    ACCEPTED,
    AUTHOR,
    CLAIM,
    ENTITY,
    ORIGIN_MANUAL,
    ORIGIN_SUGGESTION,
    REJECTED,
    STANCE,
    SUGGESTED,
    TOPIC,
    UNNAMED,
    Annotation,
    Span,
    SpanRef,
    Stance,
    Suggestion,
    Value,
    new_id,
)

KIND_ORDER = {ENTITY: 0, CLAIM: 1, TOPIC: 2, STANCE: 3}

Change = tuple[Annotation | None, Annotation | None]


_WORD_RE = re.compile(r"\w+|[^\w\s]", re.UNICODE)
# Line breaks as str.splitlines knows them (CRLF is one); a blank line, or U+2029, is a paragraph break.
_BREAK = "\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029"
_LINE_BREAK_RE = re.compile(f"[{_BREAK}]")
_PARAGRAPH_BREAK_RE = re.compile(rf"(?>\r\n|[{_BREAK}])[^\S{_BREAK}]*(?:\r\n|[{_BREAK}])|\u2029")
_SENTENCE_END_RE = re.compile(r"[.!?]+[\"'”’)]*(?=\s)|\n\s*\n")


@dataclass(frozen=True)
class Item:
    """One visible thing on the article: an undecided suggestion or a layer item.

    ``key`` is a stable handle: "a:" + the annotation id, else "s:" + the suggestion id.
    ``kind``, ``start``, ``end``, ``label`` and ``sort_key`` are computed once (hot paths).
    """

    value: Value
    state: str  # suggested | accepted | rejected
    suggestion: Suggestion | None = None
    annotation: Annotation | None = None
    key: str = field(init=False, compare=False)
    kind: str = field(init=False, compare=False)
    start: int = field(init=False, compare=False)
    end: int = field(init=False, compare=False)
    label: str = field(init=False, compare=False)
    sort_key: tuple = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.annotation is not None:
            key = "a:" + self.annotation.id
        else:
            assert self.suggestion is not None
            key = "s:" + self.suggestion.id
        v = self.value
        setattr_ = object.__setattr__
        setattr_(self, "key", key)
        setattr_(self, "kind", v.kind)
        setattr_(self, "start", v.start)
        setattr_(self, "end", v.end)
        setattr_(self, "label", v.label)
        setattr_(self, "sort_key", (v.start, v.end, KIND_ORDER.get(v.kind, 9), v.label, key))

    @property
    def undecided(self) -> bool:
        return self.state == SUGGESTED

    @property
    def suggestion_id(self) -> str | None:
        if self.suggestion is not None:
            return self.suggestion.id
        return self.annotation.suggestion_id if self.annotation else None


# --- the visible list --------------------------------------------------------------


def layer_item(ann: Annotation) -> Item:
    """The item showing a layer's annotation (a status other than rejected shows as accepted)."""
    return Item(ann.value, ann.status if ann.status in (ACCEPTED, REJECTED) else ACCEPTED, None, ann)


def visible_items(suggestions: Iterable[Suggestion], layer_items: Iterable[Annotation]) -> list[Item]:
    """Undecided suggestions plus every layer item, in reading order.

    A suggestion counts as decided when a layer item points at it, or when the layer
    already holds an item with the same value (so re-running the suggester with new
    ids does not resurrect decided suggestions).
    """
    items = [layer_item(a) for a in layer_items]
    decided_ids = {a.annotation.suggestion_id for a in items if a.annotation.suggestion_id}
    decided_keys = {a.value.key for a in items}
    seen: set = set()
    for s in suggestions:
        if s.id in decided_ids or s.value.key in decided_keys or s.value.key in seen:
            continue
        seen.add(s.value.key)
        items.append(Item(s.value, SUGGESTED, s, None))
    items.sort(key=lambda i: i.sort_key)
    return items


def next_undecided(items: list[Item], after: int | None = None, *, wrap: bool = True) -> int | None:
    """Index of the first undecided item after position ``after`` (wrapping round)."""
    n = len(items)
    if n == 0:
        return None
    start = -1 if after is None else after
    order = list(range(start + 1, n)) + (list(range(0, start + 1)) if wrap else [])
    for i in order:
        if items[i].undecided:
            return i
    return None


# --- building changes --------------------------------------------------------------


def _new_annotation(doc_id: str, layer: str, value: Value, status: str, suggestion_id: str | None,
                    origin: str) -> Annotation:
    return Annotation(new_id(), doc_id, layer, value, status, suggestion_id, origin)


def _decide(item: Item, doc_id: str, layer: str, value: Value, status: str) -> list[Change]:
    """Set an item's value and status: a suggestion becomes a layer item, an item is updated."""
    if item.annotation is None:
        assert item.suggestion is not None
        return [(None, _new_annotation(doc_id, layer, value, status, item.suggestion.id, ORIGIN_SUGGESTION))]
    before = item.annotation
    after = replace(before, value=value, status=status)
    if after == before:
        return []
    return [(before, after)]


def accept(item: Item, doc_id: str, layer: str) -> list[Change]:
    return _decide(item, doc_id, layer, item.value, ACCEPTED)


def reject(item: Item, doc_id: str, layer: str) -> list[Change]:
    """Reject a suggestion (kept as a rejected item); a hand-made item is deleted instead."""
    if item.annotation is not None and item.annotation.origin == ORIGIN_MANUAL and item.annotation.suggestion_id is None:
        return delete(item)
    return _decide(item, doc_id, layer, item.value, REJECTED)


def delete(item: Item) -> list[Change]:
    """Remove a layer item (a suggestion it came from becomes undecided again)."""
    if item.annotation is None:
        return []
    return [(item.annotation, None)]


def accept_all(items: list[Item], doc_id: str, layer: str) -> list[Change]:
    changes: list[Change] = []
    for item in items:
        if item.undecided:
            changes += accept(item, doc_id, layer)
    return changes


def kind_of_label(label: str, claim_label: str = "CLAIM", topic_label: str = "TOPIC") -> str:
    if label == claim_label:
        return CLAIM
    if label == topic_label:
        return TOPIC
    return ENTITY


def relabel(item: Item, label: str, doc_id: str, layer: str, *, kind: str | None = None) -> list[Change]:
    """Give the item a new label (accepting it). Stances take a polarity as label."""
    value = item.value
    if isinstance(value, Stance):
        new_value: Value = replace(value, polarity=label)
    else:
        new_kind = kind or value.kind
        attrs = value.attrs if new_kind == value.kind else {}
        new_value = Span(value.start, value.end, label, new_kind, dict(attrs))
    return _decide(item, doc_id, layer, new_value, ACCEPTED)


def create(doc_id: str, layer: str, start: int, end: int, label: str, kind: str = ENTITY,
           attrs: dict | None = None) -> list[Change]:
    if end < start:
        start, end = end, start
    if end == start:
        return []
    return [(None, _new_annotation(doc_id, layer, Span(start, end, label, kind, dict(attrs or {})),
                                   ACCEPTED, None, ORIGIN_MANUAL))]


# --- words and resizing ------------------------------------------------------------


class Words:
    """Word boundaries of a text (regex tokenizer), for moving by word."""

    def __init__(self, text: str):
        self.text = text
        toks = [(m.start(), m.end()) for m in _WORD_RE.finditer(text)]
        self.starts = [s for s, _ in toks]
        self.ends = [e for _, e in toks]
        self._blank_lines: bool | None = None

    @property
    def blank_lines(self) -> bool:
        """True when the text separates paragraphs by blank lines (else each line is a paragraph)."""
        if self._blank_lines is None:
            self._blank_lines = _PARAGRAPH_BREAK_RE.search(self.text) is not None
        return self._blank_lines

    def __len__(self) -> int:
        return len(self.starts)

    def next_start(self, offset: int) -> int | None:
        i = bisect_right(self.starts, offset)
        return self.starts[i] if i < len(self.starts) else None

    def prev_start(self, offset: int) -> int | None:
        i = bisect_left(self.starts, offset)
        return self.starts[i - 1] if i > 0 else None

    def next_end(self, offset: int) -> int | None:
        i = bisect_right(self.ends, offset)
        return self.ends[i] if i < len(self.ends) else None

    def prev_end(self, offset: int) -> int | None:
        i = bisect_left(self.ends, offset)
        return self.ends[i - 1] if i > 0 else None

    def word_at(self, offset: int) -> tuple[int, int] | None:
        i = bisect_right(self.starts, offset) - 1
        if i >= 0 and self.starts[i] <= offset < self.ends[i]:
            return self.starts[i], self.ends[i]
        return None


RESIZES = ("start_left", "start_right", "end_left", "end_right")
_HAS_WORD = re.compile(r"\w")


def resized_bounds(words: Words, start: int, end: int, how: str, fine: bool = False) -> tuple[int, int] | None:
    """New (start, end) after moving one boundary by one token; None when it cannot move.

    A step that would leave the span beginning or ending on a token of punctuation alone
    (``Putin’s`` → ``Putin’``) is skipped, so ``Putin’s`` → ``Putin`` is one step; with
    ``fine`` every token counts (to take in a closing quote or a full stop)."""
    starts, ends = words.starts, words.ends

    def first(indices, ok) -> int | None:
        for i in indices:
            if not ok(i):
                return None
            if fine or _HAS_WORD.search(words.text, starts[i], ends[i]):
                return i
        return None

    if how == "start_left":
        i = first(range(bisect_left(starts, start) - 1, -1, -1), lambda i: True)
        return (starts[i], end) if i is not None else None
    if how == "start_right":
        i = first(range(bisect_right(starts, start), len(starts)), lambda i: starts[i] < end)
        return (starts[i], end) if i is not None else None
    if how == "end_right":
        i = first(range(bisect_right(ends, end), len(ends)), lambda i: True)
        return (start, ends[i]) if i is not None else None
    if how == "end_left":
        i = first(range(bisect_left(ends, end) - 1, -1, -1), lambda i: ends[i] > start)
        return (start, ends[i]) if i is not None else None
    raise ValueError(f"unknown resize {how!r}")


def crossed_break(words: Words, kind: str, old: tuple[int, int], new: tuple[int, int]) -> str | None:
    """What growing a span of ``kind`` from ``old`` to ``new`` (start, end) would take in that it may not:
    "line" or "paragraph"; None when the step is allowed.

    An entity or a topic never grows across a line break. A claim never grows across a paragraph
    break: a blank line, or — in a text without blank lines, where each line is a paragraph (as in
    most articles pasted from the web) — any line break; in a text with blank lines it may take in a
    single line break (a wrapped line). In PolNeAR's hand-annotated attributions no contiguous
    content holds a line break (0 of 16,795); the 117 of 19,892 that run over several paragraphs are
    discontinuous (the cue left out between them), which a claim here cannot be. Shrinking is never
    refused, and ``n`` (select, then create) still makes a span across lines on purpose."""
    text = words.text
    grown = [text[a:b] for a, b in ((new[0], old[0]), (old[1], new[1])) if a < b]
    for piece in grown:
        if kind == CLAIM:
            if _PARAGRAPH_BREAK_RE.search(piece) or (not words.blank_lines and _LINE_BREAK_RE.search(piece)):
                return "paragraph"
        elif _LINE_BREAK_RE.search(piece):
            return "line"
    return None


def resize(item: Item, words: Words, how: str, doc_id: str, layer: str, fine: bool = False) -> list[Change]:
    """Move one boundary of a span by one token (accepting it); see :func:`resized_bounds`."""
    value = item.value
    if isinstance(value, Stance):
        return []
    bounds = resized_bounds(words, value.start, value.end, how, fine)
    if bounds is None:
        return []
    return _decide(item, doc_id, layer, replace(value, start=bounds[0], end=bounds[1]), ACCEPTED)


# --- claims: speaker ---------------------------------------------------------------


def speaker_of(value: Value) -> str | SpanRef | None:
    """A claim's speaker: AUTHOR, UNNAMED, a SpanRef, or None when unset."""
    sp = value.attrs.get("speaker") if isinstance(value, Span) else None
    if isinstance(sp, dict) and "start" in sp and "end" in sp:
        return SpanRef.from_dict(sp)
    if isinstance(sp, str) and sp:
        return sp
    return None


def speaker_text(value: Value, text: str) -> str:
    sp = speaker_of(value)
    if sp is None:
        return "?"
    if isinstance(sp, SpanRef):
        return text[sp.start:sp.end]
    return sp


def actors(items: list[Item], actor_labels: Iterable[str]) -> list[Item]:
    """Entity items that can speak or hold a stance (not rejected), one per span: those whose
    label is one of ``actor_labels`` (the schema's ``actors``)."""
    labels = set(actor_labels)
    out, seen = [], set()
    for item in items:
        if item.kind == ENTITY and item.state != REJECTED and item.label in labels:
            k = (item.start, item.end)
            if k not in seen:
                seen.add(k)
                out.append(item)
    return out


def set_speaker(item: Item, speaker: str | SpanRef, doc_id: str, layer: str, text: str | None = None) -> list[Change]:
    """Set a claim's speaker (AUTHOR, UNNAMED or an entity span), accepting the claim.

    Stored as the suggesters store it: ``speaker`` is "AUTHOR", "UNNAMED" or
    {start, end, label}; ``speaker_text`` is the speaker's words (given ``text``)."""
    value = item.value
    if not isinstance(value, Span) or value.kind != CLAIM:
        return []
    if isinstance(speaker, SpanRef):
        sp: object = speaker.to_dict()
    elif speaker in (AUTHOR, UNNAMED):
        sp = speaker
    else:
        raise ValueError(f"bad speaker {speaker!r}")
    attrs = dict(value.attrs)
    attrs["speaker"] = sp
    if isinstance(speaker, SpanRef) and text is not None:
        attrs["speaker_text"] = text[speaker.start:speaker.end]
    elif "speaker_text" in attrs or text is not None:
        attrs["speaker_text"] = ""
    return _decide(item, doc_id, layer, replace(value, attrs=attrs), ACCEPTED)


def set_attribute(item: Item, name: str, value: object, doc_id: str, layer: str) -> list[Change]:
    """Set a claim's attribute ``name`` to ``value`` (None removes it), accepting the claim."""
    value_ = item.value
    if not isinstance(value_, Span) or value_.kind != CLAIM:
        return []
    attrs = dict(value_.attrs)
    if value is None:
        attrs.pop(name, None)
    else:
        attrs[name] = value
    return _decide(item, doc_id, layer, replace(value_, attrs=attrs), ACCEPTED)


# --- stances -----------------------------------------------------------------------


def sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence (by a simple punctuation rule) that contains [start, end)."""
    s = 0
    for m in _SENTENCE_END_RE.finditer(text, 0, start):
        s = m.end()
    m = _SENTENCE_END_RE.search(text, end)
    e = m.end() if m else len(text)
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, max(e, s)


def evidence_for(text: str, source: SpanRef, target: SpanRef) -> SpanRef:
    """The evidence of a stance between two mentions: from the sentence of the first to that of the last."""
    lo, hi = min(source.start, target.start), max(source.end, target.end)
    s, e = sentence_around(text, lo, hi)
    return SpanRef(s, e, "")


def add_stance(doc_id: str, layer: str, text: str, source: SpanRef, target: SpanRef, polarity: str,
               evidence: SpanRef | None = None) -> list[Change]:
    value = Stance(source, target, polarity, evidence or evidence_for(text, source, target))
    return [(None, _new_annotation(doc_id, layer, value, ACCEPTED, None, ORIGIN_MANUAL))]


def edit_stance(item: Item, doc_id: str, layer: str, *, source: SpanRef | None = None,
                target: SpanRef | None = None, polarity: str | None = None, text: str | None = None) -> list[Change]:
    """Change a stance's ends or polarity (accepting it). Given the ``text``, new ends bring a new
    evidence sentence (one that holds both); the old evidence stays when the ends do not move."""
    value = item.value
    if not isinstance(value, Stance):
        return []
    new = replace(value, source=source or value.source, target=target or value.target,
                  polarity=polarity or value.polarity)
    if text is not None and (new.source, new.target) != (value.source, value.target):
        new = replace(new, evidence=evidence_for(text, new.source, new.target))
    return _decide(item, doc_id, layer, new, ACCEPTED)


# --- summaries ---------------------------------------------------------------------


def counts(items: list[Item]) -> dict[str, int]:
    out = {SUGGESTED: 0, ACCEPTED: 0, REJECTED: 0}
    for item in items:
        out[item.state] = out.get(item.state, 0) + 1
    return out


def exported_spans(layer_items: Iterable[Annotation]) -> list[Span]:
    """What an export of the layer lists under ``spans``: accepted spans only."""
    return [a.value for a in layer_items if a.status == ACCEPTED and isinstance(a.value, Span)]
