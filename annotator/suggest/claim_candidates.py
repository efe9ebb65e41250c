"""Claim candidates and what happens to them after the rules: overlaps resolved (nesting kept),
quotes widened to their whole quotation, quote-only paragraphs attributed, headline "X: ..."
statements."""

from __future__ import annotations

from dataclasses import dataclass, replace

from annotator.suggest.boundaries import content_range
from annotator.suggest.common import Actor, DocContext, trim
from annotator.suggest.quotes import quote_paragraphs, quoted_content
from annotator.suggest.speakers import Speaker

# where candidates overlap, the more specific rule wins
PRIORITY = {"speech_final": 4, "describe_as": 6, "accuse_of": 5, "speech_ccomp": 4, "speech_parataxis": 4,
            "speech_colon": 3, "speech_quote": 3, "nominal_cue": 3, "expected_to": 3, "speech_act": 2, "according_to": 1,
            "quote_continued": 0, "broad": 0, "as_noted": 4,
            "in_source": 2, "saying_acl": 3}


@dataclass(frozen=True)
class ClaimCandidate:
    """An attributed claim a rule found: content and cue as token ranges, and the speaker."""

    rule: str
    start: int
    end: int
    speaker: Speaker
    cue: tuple[int, int]
    sent_start: int
    via: Actor | None = None  # "according to X" wrapping a quote with its own speaker
    fragments: tuple[tuple[int, int], ...] = ()  # the pieces of a quote interrupted by its attribution


def resolve_overlaps(cands: list[ClaimCandidate]) -> list[ClaimCandidate]:
    """Keep one claim where candidates overlap (IoU >= 0.5): the more specific rule wins; an
    "according to X" that loses to a quote with its own speaker becomes that claim's ``via``."""
    cands = sorted(cands, key=lambda c: (-PRIORITY.get(c.rule, 0), c.start))
    kept: list[ClaimCandidate] = []
    for c in cands:
        clash = next((i for i, k in enumerate(kept) if _iou(c, k) >= 0.5 and not _nested(c, k)), None)
        if clash is None:
            kept.append(c)
        elif c.rule == "according_to" and c.speaker.actor is not None:
            kept[clash] = replace(kept[clash], via=c.speaker.actor)
    return kept


def _nested(a: ClaimCandidate, b: ClaimCandidate) -> bool:
    """One attribution inside the other's content: "Diplomats said New Delhi feared the measure ..."."""
    if "according_to" in (a.rule, b.rule) or a.cue == b.cue:
        return False
    return b.start <= a.cue[0] < b.end or a.start <= b.cue[0] < a.end


def _iou(a: ClaimCandidate, b: ClaimCandidate) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return inter / (max(a.end, b.end) - min(a.start, b.start))


def widen_quotes(ctx: DocContext, chosen: list[ClaimCandidate], lex) -> list[ClaimCandidate]:
    """Each claim inside a longer quotation (or followed by one that goes on) covers all of it."""
    inside = {k for q in ctx.quotes for k in range(q.start, q.end)}
    cues = {c.cue[0] for c in chosen} | {t.i for t in ctx.toks if t.i not in inside and t.pos_ == "VERB" and (
        t.lemma_.lower() in lex.speech_verbs) and any(d.dep_ in ("nsubj", "nsubjpass") for d in t.children)}
    out = []
    for c in chosen:
        if c.cue[0] in inside:  # "…my wife has explained that …," he said: the quote is his, not hers
            out.append(c)
            continue
        spk = c.speaker.actor or (Actor(*c.speaker.mention, "", "") if c.speaker.mention else None)
        widened = quoted_content(ctx, c.start, c.end, c.cue, (spk.start, spk.end) if spk else None,
                                 cues - {c.cue[0]}) if c.rule != "according_to" else None
        if widened is None:
            out.append(c)
            continue
        start, end = trim(ctx.doc, *widened[:2])
        pieces = widened[2]
        out.append(replace(c, start=start, end=end, fragments=tuple(pieces) if len(pieces) > 1 else ()))
    return out


def quote_paragraph_claims(ctx: DocContext, chosen: list[ClaimCandidate]) -> list[ClaimCandidate]:
    """A paragraph that is nothing but a quote, with no attribution of its own, goes on quoting the
    speaker of the claim just before it (within two paragraphs)."""
    out = []
    named = sorted((c for c in chosen if c.speaker.actor is not None or c.speaker.mention), key=lambda c: c.end)
    for q in quote_paragraphs(ctx):
        if any(c.start < q.end and q.start < c.end or q.start <= c.cue[0] < q.end for c in chosen):
            continue
        before = [c for c in named if c.end <= q.start]
        if not before or _paragraphs_between(ctx, before[-1].end, q.start) > 2:
            continue
        prev = before[-1]
        content = content_range(ctx, (q.start, q.end), gloss=False)
        if content is not None:
            out.append(ClaimCandidate("quote_continued", content[0], content[1], prev.speaker, prev.cue,
                                      ctx.sents[ctx.piece.sentence_index(q.start)].start))
    return out


def _paragraphs_between(ctx: DocContext, a: int, b: int) -> int:
    return sum("\n" in t.text_with_ws for t in ctx.toks[a:b])


NOT_SPEAKERS = {"note", "update", "updated", "related", "photo", "photos", "video", "watch", "read", "correction",
                "editor", "source", "sources", "advertisement", "subscribe", "follow", "share", "question",
                "answer", "q", "a", "transcript", "live", "breaking", "warning", "disclaimer", "full", "text",
                "contact", "email", "file", "credit", "caption", "image", "listen", "see", "also", "and", "but"}


def headline_claims(ctx: DocContext) -> list[ClaimCandidate]:
    """A line "X: statement" where X is an actor entity or a short capitalised name, title or
    speaker tag ("Pat Caddell: Democrat Voters Worried ...", "Poll: ...", "TAPPER: Do you ...",
    "Clinton camp: ..."): the rest of the line is X's, over however many sentences."""
    out = []
    doc = ctx.doc
    for first, line_end in _lines(doc):
        colon = next((k for k in range(first + 1, min(first + 6, line_end)) if doc[k].text == ":"), None)
        if colon is None or colon >= line_end - 1 or doc[first].lower_ in NOT_SPEAKERS:
            continue
        ent = ctx.ents.at(colon - 1)
        names = doc[first:colon]
        if ent is not None and ent.label in ctx.ents.actors and ent.end == colon:
            speaker = Actor.of(ent)
        elif all(t.is_alpha and (t.is_title or t.is_upper or t.pos_ == "PROPN") for t in names) and not any(
                t.pos_ in ("ADP", "DET", "CCONJ") and not t.is_upper for t in names) or (
                all(t.is_alpha for t in names) and names[0].is_title and
                names[-1].lemma_.lower() in ctx.lex.actor_nouns):
            speaker = Actor(first, colon, "", "")  # "Mayor Lopez: ...", "TAPPER: ...", "Clinton camp: ..."
        else:
            continue
        content = content_range(ctx, (colon + 1, line_end))
        if content is not None:
            out.append(ClaimCandidate("speech_colon", content[0], content[1], Speaker(speaker), (colon, colon + 1),
                                      ctx.sents[ctx.piece.sentence_index(colon)].start))
    return out


def _lines(doc):
    """(first word, end) of every line of a doc, as token indices."""
    start = 0
    for t in doc:
        if "\n" in t.text_with_ws:
            end = t.i if t.is_space else t.i + 1
            first = start
            while first < end and doc[first].is_space:
                first += 1
            if first < end:
                yield first, end
            start = t.i + 1
    first = start
    while first < len(doc) and doc[first].is_space:
        first += 1
    if first < len(doc):
        yield first, len(doc)


def sentences_covered(ctx: DocContext, chosen: list[ClaimCandidate]) -> set[int]:
    """Sentences (by start token) that lie inside a claim's content: no AUTHOR claim there."""
    covered = set()
    for c in chosen:
        for sent in ctx.sents:
            if sent.start >= c.start and sent.end <= c.end + 2 and sent.start != c.sent_start:
                covered.add(sent.start)
    return covered
