"""The two ends of a stance: sources (actors) and targets (actors, things or topic phrases)."""

from __future__ import annotations

from annotator.suggest.common import PRONOUNS, Actor, DocContext
from annotator.suggest.speakers import actor_np, conjuncts, resolve_pronoun

THING_LABELS = {"LAW", "EVENT", "PRODUCT", "WORK_OF_ART"}  # entities that can be a stance target besides actors
TOPIC = "TOPIC"  # model label of a topic phrase (its schema label is the schema's topic label)


def sources(ctx: DocContext, tok) -> list[Actor]:
    """Each conjunct of an actor phrase (pronouns resolved)."""
    out: list[Actor] = []
    for c in conjuncts(tok):
        if c.lower_ in PRONOUNS and c.pos_ == "PRON":
            a = resolve_pronoun(ctx, c)
        else:
            a = actor_np(ctx, c)
            if a is None:
                # "leaders Kim Jong Un and Vladimir Putin": a named actor inside the phrase
                a = next((ctx.ents.actor_at(k) for k in range(c.left_edge.i, c.i + 1) if ctx.ents.is_actor(k)), None)
            if a is None and c.lemma_.lower() in ctx.lex.actor_nouns:
                a = Actor(c.i, c.i + 1, "", "")  # "a rebel assault": an actor noun used as a modifier
        if a is not None and not any(x.start == a.start for x in out):
            out.append(a)
    return out


def targets(ctx: DocContext, tok, topic_label: str, any_np: bool = False) -> list[tuple[Actor, bool]]:
    """Each conjunct of a target phrase: (actor, is_topic). With ``any_np`` any noun phrase is a topic."""
    out = []
    for c in conjuncts(tok):
        found = _target(ctx, c, topic_label, any_np)
        if found is not None:
            out.append(found)
    return out


def _target(ctx: DocContext, c, topic_label: str, any_np: bool) -> tuple[Actor, bool] | None:
    lex = ctx.lex
    if c.lower_ in PRONOUNS and c.pos_ == "PRON":
        a = resolve_pronoun(ctx, c)
        return (a, False) if a is not None else None
    ent = ctx.ents.at(c.i)
    if ent is not None and (ent.label in ctx.ents.actors or ent.model_label in THING_LABELS):
        return Actor.of(ent), False
    if c.lemma_.lower() in lex.topic_nouns or c.lower_ in lex.topic_nouns:
        # "Russia's policies": the policies are the topic, not Russia
        return topic_phrase(ctx, c, topic_label), True
    poss = next((p for p in c.children if p.dep_ == "poss"), None)
    if poss is not None:
        found = _possessor_target(ctx, poss, topic_label)
        if found is not None:
            return found
    a = actor_np(ctx, c)
    if a is not None:
        return a, False
    # "Western pressure": the actor named in a modifier
    for m in c.children:
        if m.dep_ in ("amod", "compound") and ctx.ents.is_actor(m.i):
            return ctx.ents.actor_at(m.i), False
        if m.dep_ in ("amod", "compound") and m.lower_ in lex.aliases:
            return Actor(m.i, m.i + 1, "", ""), False
    if any_np and c.pos_ == "NOUN":
        return topic_phrase(ctx, c, topic_label), True
    return None


def _possessor_target(ctx: DocContext, poss, topic_label: str) -> tuple[Actor, bool] | None:
    """"North Korea's troops" -> North Korea; "the treaty's terms" -> the treaty; "its allies" -> its antecedent."""
    if ctx.ents.is_actor(poss.i):
        return ctx.ents.actor_at(poss.i), False
    if poss.lemma_.lower() in ctx.lex.topic_nouns:
        return Actor(poss.left_edge.i, poss.i + 1, topic_label, TOPIC), True
    if poss.lower_ in PRONOUNS:
        a = resolve_pronoun(ctx, poss)
        if a is not None:
            return a, False
    return None


def topic_phrase(ctx: DocContext, head, topic_label: str) -> Actor:
    """The noun phrase up to its head (no relative clauses or prepositional phrases after it)."""
    doc = ctx.doc
    start = head.left_edge.i
    while start < head.i and (doc[start].is_punct or doc[start].dep_ in ("prep", "cc", "preconj")):
        start += 1
    return Actor(start, head.i + 1, topic_label, TOPIC)
