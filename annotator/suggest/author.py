"""AUTHOR claims: what the article asserts in its own voice, when it holds checkable facts."""

from __future__ import annotations

from annotator.model import AUTHOR, CLAIM, Span
from annotator.suggest.claim_facts import checkworthiness, claim_type, facts, hedged
from annotator.suggest.common import DocContext, trim

SENT_END = {".", "!", "?", "”", '"', "’", "'", "…", ")"}
MIN_MAIN_CLAUSE = 4  # tokens of an author's main clause before an attributed clause


def author_ranges(ctx: DocContext, sent, attributed: list) -> list[tuple[int, int]]:
    """Token ranges of a sentence the author asserts: all of it when nothing in it is attributed,
    else the main clause before an attributed relative or coordinated clause
    ("X visited Y, where Z reaffirmed ...")."""
    doc = ctx.doc
    s, e = trim(doc, sent.start, sent.end)
    if e <= s:
        return []
    end_tok = sent.end - 1
    while end_tok > sent.start and doc[end_tok].is_space:
        end_tok -= 1
    if doc[end_tok].text not in SENT_END:
        return []  # a headline or caption, not a sentence
    if not attributed:
        return [(s, e)]
    first = min(min(c.start, c.cue[0]) for c in attributed)
    cue_tok = doc[min(c.cue[0] for c in attributed)]
    root = sent.root
    if cue_tok.i != root.i and root.i < first and cue_tok.dep_ in ("relcl", "advcl", "conj") \
            and cue_tok.head.i != cue_tok.i:
        a, b = trim(doc, s, cue_tok.left_edge.i)
        if b - a >= MIN_MAIN_CLAUSE:
            return [(a, b)]
    return []


def author_claim(ctx: DocContext, sent, rng: tuple[int, int], label: str, threshold: float):
    """(Span, "author", score) for a range the author asserts, or None when it is not check-worthy."""
    doc = ctx.doc
    a, b = rng
    if not any(t.pos_ in ("VERB", "AUX") for t in doc[a:b]):
        return None
    f = facts(ctx, a, b)
    score = checkworthiness(f)
    if score < threshold:
        return None
    s, e = ctx.char_span(a, b)
    attrs = {"speaker": AUTHOR, "speaker_text": "", "cue": "", "claim_type": claim_type(f),
             "checkworthy": score, "hedged": hedged(ctx, a, b, sent)}
    return Span(s, e, label, CLAIM, attrs), "author", score
