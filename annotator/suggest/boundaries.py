"""Where an attributed claim's content starts and ends (token ranges).

The content is the asserted clause: without the cue and the speaker, stopping before the
author's own gloss ("— an allegation that could …", ", reflecting …").
"""

from __future__ import annotations

from annotator.suggest.common import DASHES, DocContext, trim
from annotator.suggest.speakers import misattached_conj


def content_range(ctx: DocContext, rng: tuple[int, int], gloss: bool = True) -> tuple[int, int] | None:
    """The trimmed content of a rule's token range, cut before the author's gloss (unless ``gloss``
    is False); None if it is empty. One word is enough for a speech act ("conceded defeat")."""
    doc = ctx.doc
    s, e = trim(doc, *rng)
    if e <= s:
        return None
    if gloss:
        e = cut_gloss(ctx, s, e)
    s, e = trim(doc, s, e)
    return (s, e) if e - s >= 1 and any(t.is_alpha for t in doc[s:e]) else None


def cut_gloss(ctx: DocContext, start: int, end: int) -> int:
    """End of the speaker's content: before "— an allegation that ..." or ", reflecting ..."."""
    doc = ctx.doc
    for k in range(start + 1, end):
        t = doc[k]
        if t.dep_ == "cc" and k + 1 < end and misattached_conj(doc[k + 1]):
            return k
        if t.text in ("”", '"') and k + 2 < end and doc[k + 1].dep_ == "cc" and doc[k + 2].dep_ == "conj" \
                and doc[k + 2].pos_ == "VERB" and not any(c.dep_ == "nsubj" for c in doc[k + 2].children):
            return k + 1
        if t.text in DASHES and k + 1 < end and _gloss_after_dash(ctx, k, end):
            return k
        if t.text == "," and k + 1 < end and _gloss_after_comma(doc[k + 1], k, end):
            return k
    return end


def _gloss_after_dash(ctx: DocContext, k: int, end: int) -> bool:
    doc = ctx.doc
    nxt = doc[k + 1]
    nxt2 = doc[k + 2] if k + 2 < end else nxt
    gloss = ctx.lex.gloss_nouns
    return nxt.dep_ == "appos" or nxt2.dep_ == "appos" or nxt.lemma_.lower() in gloss or nxt2.lemma_.lower() in gloss


CONTRAST = ("while", "whereas")


def _gloss_after_comma(nxt, k: int, end: int) -> bool:
    if nxt.tag_ == "VBG" and nxt.dep_ in ("advcl", "acl", "xcomp") and nxt.head.i < k and \
            all(t.is_punct for t in nxt.doc[nxt.right_edge.i + 1:end]):
        return True  # ", reflecting ..." to the end; not "The senator, running against X, leads ..."
    if nxt.lower_ in CONTRAST and nxt.dep_ == "mark" and nxt.head.dep_ == "advcl" and \
            any(c.dep_ in ("nsubj", "nsubjpass") for c in nxt.head.children):
        return True  # ", while her rival has soared in the polls": the author's contrast
    return (nxt.lower_ == "which" and nxt.head.dep_ == "relcl" and nxt.head.head.i < k
            and nxt.head.head.dep_ not in ("pobj", "dobj", "attr", "nsubj"))


def exclude(rng: tuple[int, int], cut: tuple[int, int]) -> tuple[int, int]:
    """A range without the cut part ("according to X" inside or at an edge of the content)."""
    s, e = rng
    a, b = cut
    if a <= s < b:
        s = b
    elif a < e <= b or (s < a and b >= e):
        e = a
    elif s < a and b < e and b >= e - 2:
        e = a
    elif s < a and b < e and a - s >= 4:
        e = a  # "X fell to 89 percent, according to Y, below ..." -> the part before
    return s, e


def misattached_that_clause(verb):
    """"X told supporters in the capital that ...": the parser hangs the that-clause on "capital"."""
    for c in verb.children:
        if c.dep_ in ("prep", "dobj"):
            for d in c.subtree:
                if d.dep_ in ("relcl", "acl") and d.left_edge.lower_ == "that" and d.left_edge.dep_ in ("dobj", "mark", "nsubj"):
                    if any(m.dep_ == "nsubj" and m.lower_ != "that" for m in d.children):
                        return d
    return None
