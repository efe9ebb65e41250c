"""Attributions framed around a clause rather than hanging a clause on their verb.

- ``as_noted``: "As X noted, Y" — an as-clause of a reporting verb frames the main clause Y;
- ``in_source``: "In a CBS News poll, Y", "In her view, Y", "In Lopez's words, Y" — the poll, or the
  one whose view or words they are, is the source of Y ("Trump leads in the polls" is the author's);
- ``saying_acl``: "voters saying they want Y", "calls saying Y" — a noun whose participle reports.

Each returns a claim candidate as ``(rule, (start, end), Speaker, cue)`` (token ranges) for the
claims suggester to finish, or None when the frame does not apply.
"""

from __future__ import annotations

from annotator.suggest.common import subtree_range
from annotator.suggest.speakers import FIRST_PERSON, Speaker, actor_np, speaker_of

POLL_NOUNS = {"poll", "survey"}
VIEW_NOUNS = {"view", "word", "opinion", "estimation", "telling", "judgment", "judgement", "mind"}
CLAUSE_DEPS = ("ROOT", "conj", "ccomp")
SHOW_VERBS = {"show", "reveal", "indicate"}


def as_noted(ctx, v, lex):
    """"As X noted, Y" / "Y, as X said": the reporting verb is an as-clause of Y's verb; Y is X's."""
    t = v.tok
    if v.lemma not in lex.speech_verbs or t.dep_ != "advcl" or v.subj is None or \
            v.child("ccomp", "dobj", "xcomp") is not None:  # "as people continue to cross": no report
        return None
    if not any(c.dep_ == "mark" and c.lower_ == "as" for c in v.children) or t.head.pos_ not in ("VERB", "AUX"):
        return None
    if t.i > t.head.i or v.subj.lower_ in FIRST_PERSON:
        return None  # "..., as X said on Monday, only magnifies ...": where Y ends is unclear; "as we said": the author
    spk = speaker_of(ctx, v.speaker_tok)
    if spk is None:
        return None
    return "as_noted", subtree_range(t.head, [t]), spk, v.cue


def in_source(ctx, t, lex):
    """"In an NBC News poll released Monday, Y", "In Lopez's words, Y": the poll, or Lopez, says Y."""
    obj = next((c for c in t.children if c.dep_ == "pobj"), None)
    poss = next((c for c in obj.children if c.dep_ == "poss"), None) if obj is not None else None
    if obj is None or not (obj.lemma_.lower() in POLL_NOUNS and obj.tag_ in ("NN", "NNS") or
                           obj.lemma_.lower() in VIEW_NOUNS and poss is not None):
        return None
    verb = t.head
    while verb.pos_ not in ("VERB", "AUX") and verb.dep_ != "ROOT":
        verb = verb.head
    if verb.pos_ not in ("VERB", "AUX") or verb.dep_ not in CLAUSE_DEPS:
        return None
    if poss is not None and obj.lemma_.lower() in VIEW_NOUNS:  # "in Forbes' words", "in her view"
        spk = speaker_of(ctx, poss)
    else:
        actor = actor_np(ctx, obj, allow_any=True)
        spk = Speaker(actor) if actor is not None else None
    if spk is None:
        return None
    hi = verb.right_edge.i + 1
    p_lo, p_hi = t.left_edge.i, t.right_edge.i + 1
    if p_lo > verb.i or p_hi >= hi or ctx.toks[p_hi].text != "," or verb.lemma_.lower() in lex.speech_verbs:
        return None  # "Trump leads in the polls": the author's summary; "In a poll, 40 percent said": theirs
    rng = (p_hi + 1, hi)
    return "in_source", rng, spk, (t.i, obj.i + 1)


def saying_acl(ctx, v, lex):
    """"voters saying they want a ban", "911 calls saying shots were fired": the noun reports."""
    t = v.tok
    if v.lemma not in lex.speech_verbs or v.lemma in SHOW_VERBS or t.tag_ != "VBG" or t.dep_ != "acl" or \
            t.head.pos_ not in ("NOUN", "PROPN"):  # "polling data showing ...": no speaker's claim
        return None
    comp = v.child("ccomp")
    if comp is None:
        return None
    head = t.head
    if head.lemma_.lower() in lex.source_nouns:  # "X issued a statement saying ...": X says
        verb = head.head if head.dep_ == "dobj" else head.head.head if head.dep_ == "pobj" else None
        subj = next((c for c in verb.children if c.dep_ == "nsubj"), None) if verb is not None else None
        spk = speaker_of(ctx, subj) if subj is not None else None
        if spk is None and verb is None or verb is not None and verb.dep_ == "ROOT" and verb.lemma_ == "be":
            actor = actor_np(ctx, head, allow_any=True)  # "there is evidence suggesting ...": the evidence
            spk = Speaker(actor) if actor is not None else None
    else:
        actor = actor_np(ctx, head)
        spk = Speaker(actor) if actor is not None else None
    if spk is None:
        return None
    return "saying_acl", subtree_range(comp), spk, v.cue
