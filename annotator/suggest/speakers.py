"""Who acts: actor phrases, pronouns resolved to an antecedent, subjects through control and coordination.

Shared by the claim rules (speakers) and the stance rules (sources and targets). An actor is
an entity whose schema label is one of the schema's ``actors`` (PERSON, ORG, GPE, NORP by
default), an actor noun phrase ("analysts", "the ministry"), or a pronoun resolved to the
nearest preceding compatible actor entity.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.suggest.common import PRONOUNS, Actor, DocContext, FoundEntity

SUBJ = ("nsubj",)
SOURCE_NOUNS = {"figure", "data", "report", "statement", "study", "survey", "poll", "document", "estimate",
                "number", "statistic", "record", "filing", "analysis"}
PRONOUN_WINDOW = 3  # sentences searched back for a pronoun's antecedent


@dataclass(frozen=True)
class Speaker:
    """Who a claim is attributed to: an actor, perhaps found through a pronoun (token range)."""

    actor: Actor | None
    pronoun: tuple[int, int] | None = None

    @property
    def unresolved(self) -> bool:
        return self.actor is None and self.pronoun is not None


UNNAMED_SPEAKER = Speaker(None)


def _compatible(kind: str, ent: FoundEntity) -> bool:
    """Can a pronoun of this kind (m, f, n, p) stand for the entity? By the model's entity type."""
    if kind in "mf":
        return ent.model_label == "PERSON"
    if kind == "n":
        return ent.model_label not in ("PERSON", "NORP")
    return ent.model_label != "PERSON"


def resolve_pronoun(ctx: DocContext, tok) -> Actor | None:
    """The nearest preceding compatible actor entity within the last three sentences."""
    kind = PRONOUNS.get(tok.lower_)
    if kind is None:
        return None
    k = ctx.piece.sentence_index(tok.i)
    window_start = ctx.sent_starts[max(0, k - PRONOUN_WINDOW)] if ctx.sent_starts else 0
    for ent in reversed(ctx.ents.entities):
        if ent.start < window_start:
            break
        if ent.end > tok.i or ent.label not in ctx.ents.actors:
            continue
        if _compatible(kind, ent):
            return Actor.of(ent, plural=kind == "p")
    return None


def actor_np(ctx: DocContext, tok, *, allow_any: bool = False) -> Actor | None:
    """The actor a token heads: an entity, an actor noun phrase (with coordination), or None."""
    if tok.pos_ == "PRON" or tok.lower_ in PRONOUNS:
        return None  # pronouns are resolved by the caller
    ent = ctx.ents.at(tok.i)
    if ent is not None and ent.label in ctx.ents.actors:
        return Actor.of(ent)
    for c in tok.children:
        if c.dep_ == "appos" and ctx.ents.is_actor(c.i):
            return ctx.ents.actor_at(c.i)
    if tok.pos_ == "PROPN" and ent is None and tok.dep_ in ("nsubj", "pobj", "poss") and tok.text[:1].isupper():
        doc = ctx.doc
        start = tok.i
        while start > tok.left_edge.i and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN":
            start -= 1
        return Actor(start, tok.i + 1, "", "")
    if tok.pos_ in ("NOUN", "PROPN") and (_is_actor_noun(ctx, tok) or allow_any):
        return _noun_phrase_actor(ctx, tok, ent)
    return None


def _is_actor_noun(ctx: DocContext, tok) -> bool:
    lex = ctx.lex
    named_part = any(ctx.ents.is_actor(c.i) for c in tok.children if c.dep_ in ("compound", "poss", "amod"))
    return (tok.lemma_.lower() in lex.actor_nouns or tok.lower_ in lex.actor_nouns or named_part
            or lex.canonical(tok.text) in lex.aliases.values() or tok.lower_ in lex.aliases)


def _noun_phrase_actor(ctx: DocContext, tok, ent: FoundEntity | None) -> Actor:
    doc = ctx.doc
    start = tok.left_edge.i
    # stop the phrase at the head (no relative clauses, prepositions)
    while start < tok.i and (doc[start].is_punct or doc[start].dep_ == "prep"):
        start += 1
    end = tok.i + 1
    if ent is not None:
        end = max(end, ent.end)
    return Actor(start, end, ent.label if ent else "", ent.model_label if ent else "",
                 plural=tok.tag_ in ("NNS", "NNPS"))


def conjuncts(tok) -> list:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out.extend(conjuncts(c))
    return out


def speaker_of(ctx: DocContext, tok) -> Speaker | None:
    """The speaker a subject/agent token names; None when it is not an actor ("the data")."""
    if tok.lower_ in ("who", "which", "that") and tok.head.dep_ == "relcl":
        tok = tok.head.head
    if tok.pos_ in ("NOUN",) and not ctx.ents.is_actor(tok.i) and (
            tok.lemma_.lower() in SOURCE_NOUNS or tok.lemma_.lower() not in ctx.lex.actor_nouns):
        tok = _actor_behind_source_noun(ctx, tok)
    if tok.pos_ == "PRON" or tok.lower_ in PRONOUNS:
        if tok.lower_ not in PRONOUNS:
            return None
        return Speaker(resolve_pronoun(ctx, tok), (tok.i, tok.i + 1))
    parts = [a for a in (actor_np(ctx, c) for c in conjuncts(tok)) if a is not None]
    if not parts:
        return None
    first, last = parts[0], parts[-1]
    if len(parts) == 1:
        return Speaker(first)
    return Speaker(Actor(first.start, last.end, first.label if first.label == last.label else "",
                         first.model_label, plural=True))


def _actor_behind_source_noun(ctx: DocContext, tok):
    """"figures from Eurostat", "a report by the ministry": the actor behind a source noun."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("from", "by", "of"):
            obj = next((o for o in c.children if o.dep_ == "pobj"), None)
            if obj is not None and ctx.ents.is_actor(obj.i):
                return obj
    return tok


def misattached_conj(tok) -> bool:
    """"X said the vote was peaceful but criticised delays": the parser hangs "criticised" on "was"."""
    head = tok.head
    return (tok.dep_ == "conj" and tok.tag_ == "VBD" and head.lemma_ == "be" and head.dep_ == "ccomp"
            and not any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children))


def subject_token(tok, depth: int = 0):
    """The subject of a verb, climbing through conj/xcomp/advcl/participles (control)."""
    for c in tok.children:
        if c.dep_ in SUBJ:
            if c.lower_ in ("who", "which", "that") and tok.dep_ == "relcl":
                return tok.head  # "the ministry, which had defended the law"
            return c
    if depth < 3 and misattached_conj(tok):
        return subject_token(tok.head.head, depth + 1)
    if depth < 3 and tok.dep_ in ("conj", "xcomp", "advcl", "ccomp") and tok.head is not tok:
        if tok.dep_ == "ccomp":
            return None
        return subject_token(tok.head, depth + 1)
    return None
