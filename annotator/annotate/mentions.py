"""Mentions of a name in a document: picker candidates with context, and the nearest mention (pure).

The speaker and stance pickers list each name once (its words and label); the mention
behind an entry is the one nearest to where the annotator is working, and the entry shows
that mention's sentence so the annotator sees which one it is. A stance's ends are
mentions too: when one end changes, the other end moves to its name's mention nearest the
new one, so the evidence sentence holds both.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Sequence

from annotator.annotate.decisions import Item, sentence_around
from annotator.model import REJECTED, STANCE, SpanRef

_WS = re.compile(r"\s+")


def name_of(text: str, start: int, end: int, label: str) -> tuple[str, str]:
    """What makes two mentions 'the same name': their words (case and spacing ignored) and label."""
    return " ".join(text[start:end].split()).lower(), label


@dataclass(frozen=True)
class Candidate:
    """A name a picker offers (a speaker, a stance source or target), through one of its mentions."""

    ref: SpanRef
    text: str  # the mention's words, as in the article (show them through textsafe)
    mentions: int = 1  # how many times the name occurs
    before: str = ""  # its sentence before the mention (whitespace collapsed)
    after: str = ""  # ... and after it
    note: str = ""  # why it is offered although no such span is in the list ("current end, no span")

    @property
    def label(self) -> str:
        return self.ref.label

    @property
    def name(self) -> tuple[str, str]:
        return " ".join(self.text.split()).lower(), self.ref.label


def context(text: str, start: int, end: int) -> tuple[str, str]:
    """The rest of the sentence around [start, end): its text before and after (runs of whitespace
    as one space, the space next to the mention kept)."""
    s, e = sentence_around(text, start, end)
    return _WS.sub(" ", text[s:start]), _WS.sub(" ", text[end:e])


def spans_of(items: Iterable[Item]) -> list[Item]:
    """Items that can be a mention: spans (not stances) that were not rejected."""
    return [it for it in items if it.kind != STANCE and it.state != REJECTED]


def one_per_name(items: Sequence[Item], text: str, near: int) -> list[Candidate]:
    """One candidate per name, in order of first mention, through the mention nearest ``near``."""
    best: dict[tuple, Item] = {}
    seen: dict[tuple, set] = {}
    for it in items:
        name = name_of(text, it.start, it.end, it.label)
        seen.setdefault(name, set()).add((it.start, it.end))
        if name not in best or abs(it.start - near) < abs(best[name].start - near):
            best[name] = it
    out = []
    for name, it in best.items():
        before, after = context(text, it.start, it.end)
        out.append(Candidate(SpanRef(it.start, it.end, it.label), text[it.start:it.end], len(seen[name]),
                             before, after))
    return out


def with_current(candidates: list[Candidate], items: Sequence[Item], text: str, ref: SpanRef | None,
                 what: str) -> list[Candidate]:
    """``candidates`` with ``ref`` first when none of them is at its offsets: a stance's current end is
    always offered, even when it is no span (any more) or no actor, with a note saying so."""
    if ref is None or any((c.ref.start, c.ref.end) == (ref.start, ref.end) for c in candidates):
        return candidates
    is_span = any(it.start == ref.start and it.end == ref.end and (not ref.label or it.label == ref.label)
                  for it in spans_of(items))
    before, after = context(text, ref.start, ref.end)
    note = f"current {what}" + ("" if is_span else ", no span")
    return [Candidate(ref, text[ref.start:ref.end], 1, before, after, note), *candidates]


def target_candidates(items: Sequence[Item], text: str, source: SpanRef) -> list[Candidate]:
    """What a stance held by ``source`` can be towards: every span of another name, one per name,
    through the mention nearest the source."""
    own = name_of(text, source.start, source.end, source.label)
    spans = [it for it in spans_of(items) if (it.start, it.end) != (source.start, source.end)
             and name_of(text, it.start, it.end, it.label) != own]
    return one_per_name(spans, text, source.start)


def nearest_mention(items: Sequence[Item], text: str, ref: SpanRef, near: int) -> SpanRef:
    """The mention of ``ref``'s name nearest to ``near`` (``ref`` itself when it is the nearest)."""
    name = name_of(text, ref.start, ref.end, ref.label)
    best = ref
    for it in spans_of(items):
        if it.label == ref.label and name_of(text, it.start, it.end, it.label) == name:
            if abs(it.start - near) < abs(best.start - near):
                best = SpanRef(it.start, it.end, ref.label)
    return best


def index_of_name(candidates: Sequence[Candidate], text: str, ref: SpanRef | None) -> int | None:
    """The position of the candidate for ``ref``'s name (whichever mention it shows), None when absent."""
    if ref is None:
        return None
    exact = next((n for n, c in enumerate(candidates) if (c.ref.start, c.ref.end) == (ref.start, ref.end)), None)
    if exact is not None:
        return exact
    name = name_of(text, ref.start, ref.end, ref.label)
    return next((n for n, c in enumerate(candidates) if c.name == name or (not ref.label and c.name[0] == name[0])),
                None)
