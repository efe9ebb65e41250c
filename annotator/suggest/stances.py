"""Stances: source actor -> target (entity, topic or actor) with FAVOR / AGAINST / NEUTRAL.

Rules (the ``rule`` recorded with each suggestion):
- ``verb``: a support/oppose verb, subject -> object ("Germany backed the plan");
- ``verb_passive``: passive and participles invert roles ("sanctioned by the UN",
  "the treaty, signed by Kim ..." -> UN AGAINST ..., Kim FAVOR the treaty);
- ``control``: the subject of a control verb acts in its complement
  ("X sent troops to support Y" -> X FAVOR Y); "refused to back" flips the polarity;
- ``negated``: "did not criticise" is NEUTRAL, "will never accept" is AGAINST;
- ``noun``: nominal cues with a possessor or "from X" ("X's support for Y", "accusations
  from X that Y ...", "Russia's invasion of Ukraine");
- ``reaction``: "raised alarm in X" -> X AGAINST the subject; "drew praise from X" -> FAVOR;
- ``vote``: "voted for / against Y";
- ``phrase``: "in defiance of Y", "in favour of Y".
Metonyms are resolved through the alias lexicon (Pyongyang -> North Korea) into
``source_canonical`` / ``target_canonical`` attributes; the spans stay where the text is.
"""

from __future__ import annotations

from annotator.model import STANCE, TOPIC, Span, SpanRef, Stance
from annotator.suggest.claims import actor_np, conjuncts, resolve_pronoun, subject_token
from annotator.suggest.common import ACTOR_LABELS, PRONOUNS, Actor, DocContext, trim

RULES_VERSION = "1"
NEG_WORDS = {"not", "n't", "never", "no"}


class StanceSuggester:
    name = "stances"
    produces = (STANCE, TOPIC)

    def __init__(self, schema, lex):
        self.schema = schema
        self.lex = lex
        self.version = f"{RULES_VERSION}:{lex.digest}"

    # --- ends ----------------------------------------------------------------------------

    def _actors(self, ctx, tok, sent_starts) -> list[Actor]:
        """Each conjunct of an actor phrase (pronouns resolved)."""
        out = []
        for c in conjuncts(tok):
            if c.lower_ in PRONOUNS and c.pos_ == "PRON":
                a = resolve_pronoun(ctx, c, sent_starts)
            else:
                a = actor_np(ctx, c)
                if a is None:
                    # "leaders Kim Jong Un and Vladimir Putin": a named actor inside the phrase
                    for k in range(c.left_edge.i, c.i + 1):
                        if ctx.is_actor_entity(k):
                            e = ctx.entity_of(k)
                            a = Actor(e[0], e[1], e[2], e[3])
                            break
            if a is not None and not any(x.start == a.start for x in out):
                out.append(a)
            # appositive/compound lists: "leaders Kim Jong Un and Vladimir Putin"
        return out

    def _targets(self, ctx, tok, sent_starts, any_np: bool = False) -> list[tuple[Actor, bool]]:
        """Each conjunct of a target phrase: (actor, is_topic)."""
        out = []
        lex = self.lex
        doc = ctx.doc
        for c in conjuncts(tok):
            if c.lower_ in PRONOUNS and c.pos_ == "PRON":
                a = resolve_pronoun(ctx, c, sent_starts)
                if a is not None:
                    out.append((a, False))
                continue
            ent = ctx.entity_of(c.i)
            if ent and ent[3] in ACTOR_LABELS | {"LAW", "EVENT", "PRODUCT", "WORK_OF_ART"}:
                out.append((Actor(ent[0], ent[1], ent[2], ent[3]), False))
                continue
            lemma = c.lemma_.lower()
            if lemma in lex.topic_nouns or c.lower_ in lex.topic_nouns:
                start = c.left_edge.i
                while start < c.i and (doc[start].is_punct or doc[start].dep_ in ("prep", "cc", "preconj")):
                    start += 1
                # a possessor that is an actor is the better target: "Russia's policies" -> Russia?
                # no: policies are the topic; keep the topic phrase but stop before relative clauses
                out.append((Actor(start, c.i + 1, self.schema.topic.name, "TOPIC"), True))
                continue
            poss = next((p for p in c.children if p.dep_ == "poss"), None)
            if poss is not None:
                pe = ctx.entity_of(poss.i)
                if pe and pe[3] in ACTOR_LABELS:
                    out.append((Actor(pe[0], pe[1], pe[2], pe[3]), False))
                    continue
                if poss.lemma_.lower() in lex.topic_nouns:
                    s = poss.left_edge.i
                    out.append((Actor(s, poss.i + 1, self.schema.topic.name, "TOPIC"), True))
                    continue
                if poss.lower_ in PRONOUNS:
                    a = resolve_pronoun(ctx, poss, sent_starts)
                    if a is not None:
                        out.append((a, False))
                        continue
            a = actor_np(ctx, c)
            if a is not None:
                out.append((a, False))
                continue
            # "Western pressure": the actor named in a modifier
            for m in c.children:
                if m.dep_ in ("amod", "compound") and ctx.is_actor_entity(m.i):
                    e = ctx.entity_of(m.i)
                    out.append((Actor(e[0], e[1], e[2], e[3]), False))
                    break
                if m.dep_ in ("amod", "compound") and m.lower_ in lex.aliases:
                    out.append((Actor(m.i, m.i + 1, "", ""), False))
                    break
            else:
                if any_np and c.pos_ == "NOUN":
                    start = c.left_edge.i
                    while start < c.i and (doc[start].is_punct or doc[start].dep_ in ("prep", "cc", "preconj")):
                        start += 1
                    out.append((Actor(start, c.i + 1, self.schema.topic.name, "TOPIC"), True))
        return out

    # --- the suggester -------------------------------------------------------------------

    def suggest(self, ctx: DocContext) -> list:
        doc = ctx.doc
        sents = list(doc.sents)
        sent_starts = [s.start for s in sents]
        found: list[tuple] = []  # (sources, targets, polarity, rule, sent, cue_tok, score)

        def emit(src_toks, tgt_toks, polarity, rule, sent, cue, score=0.7, *, sources=None, targets=None,
                 any_np=False):
            srcs = sources if sources is not None else [a for t in src_toks for a in self._actors(ctx, t, sent_starts)]
            tgts = targets if targets is not None else [
                x for t in tgt_toks for x in self._targets(ctx, t, sent_starts, any_np)]
            if srcs and tgts:
                found.append((srcs, tgts, polarity, rule, sent, cue, score))

        for sent in sents:
            for t in sent:
                lemma = t.lemma_.lower()
                if t.pos_ in ("VERB", "AUX"):
                    self._verb(ctx, t, lemma, sent, emit)
                elif t.pos_ in ("NOUN", "PROPN"):
                    self._noun(ctx, t, lemma, sent, emit, sent_starts)
        return self._build(ctx, found)

    def _polarity_of_verb(self, lemma: str) -> str | None:
        if lemma in self.lex.support_verbs:
            return "FAVOR"
        if lemma in self.lex.oppose_verbs:
            return "AGAINST"
        return None

    @staticmethod
    def _negate(polarity: str) -> str:
        return "AGAINST" if polarity == "FAVOR" else "NEUTRAL"

    def _verb(self, ctx, t, lemma, sent, emit) -> None:
        lex = self.lex
        children = list(t.children)
        # votes: "voted for / against / in favour of Y"
        if lemma in lex.vote_verbs:
            subj = subject_token(t)
            for c in children:
                if c.dep_ == "prep" and c.lower_ in ("for", "against"):
                    obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                    if obj is not None and subj is not None:
                        pol = "FAVOR" if c.lower_ == "for" else "AGAINST"
                        if self._negated(t):
                            pol = self._negate(pol)
                        emit([subj], [obj], pol, "vote", sent, t, 0.8)
            return
        # "ruled against Y", "campaigned for Y", "sided with Y"
        if lemma in lex.prep_stance_verbs and not any(c.dep_ == "dobj" for c in children):
            subj = subject_token(t)
            for c in children:
                if c.dep_ == "prep" and c.lower_ in ("for", "against", "with"):
                    obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                    if obj is not None and subj is not None:
                        pol = "AGAINST" if c.lower_ == "against" else "FAVOR"
                        if self._negated(t):
                            pol = self._negate(pol)
                        emit([subj], [obj], pol, "verb_prep", sent, t, 0.65, any_np=True)
            return
        # reactions: "raised alarm in X", "drew praise from X"
        if lemma in lex.reaction_verbs:
            for d in children:
                if d.dep_ == "dobj" and (d.lemma_.lower() in lex.reaction_nouns or d.lemma_.lower() in lex.favour_reaction_nouns):
                    pol = "FAVOR" if d.lemma_.lower() in lex.favour_reaction_nouns else "AGAINST"
                    preps = [p for p in list(d.children) + children if p.dep_ == "prep" and p.lower_ in ("in", "among", "from", "across")]
                    subj = subject_token(t)
                    for p in preps:
                        obj = next((o for o in p.children if o.dep_ == "pobj"), None)
                        if obj is not None and subj is not None:
                            emit([obj], [subj], pol, "reaction", sent, d, 0.7)
            return
        if lemma in lex.describe_verbs and lemma not in lex.support_verbs:
            self._describe(ctx, t, children, sent, emit)
            return
        pol = self._polarity_of_verb(lemma)
        if pol is None:
            return
        if lemma in ("warn", "charge", "strike", "fine", "target") and not any(c.dep_ == "dobj" for c in children):
            return
        rule = "verb"
        score = 0.7
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in children)
        agent = next((c for c in children if c.dep_ == "agent"), None)
        agent_obj = next((o for o in agent.children if o.dep_ == "pobj"), None) if agent is not None else None
        if self._negated(t):
            pol, rule, score = self._negate(pol), "negated", 0.6
        elif t.dep_ == "xcomp" and t.head.lemma_.lower() in lex.negating_verbs:
            pol, rule, score = self._negate(pol), "negated", 0.6
        if passive or (t.tag_ == "VBN" and t.dep_ in ("acl", "amod", "advcl", "relcl", "conj")):
            if agent_obj is None:
                return
            if passive:
                target = next((c for c in children if c.dep_ == "nsubjpass"), None)
                if target is None and t.dep_ == "conj":
                    target = next((c for c in t.head.children if c.dep_ in ("nsubjpass", "nsubj")), None)
            elif t.dep_ == "conj":
                target = next((c for c in t.head.children if c.dep_ in ("nsubjpass", "nsubj")), None)
            else:
                target = t.head
            if target is not None:
                emit([agent_obj], [target], pol, "verb_passive" if rule == "verb" else rule, sent, t, score,
                     any_np=True)
            return
        obj = next((c for c in children if c.dep_ in ("dobj",)), None)
        if obj is None:
            prep = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("on", "against", "for", "with", "to")), None)
            if prep is not None and lemma in ("cooperate", "ally", "side", "retaliate", "vote", "protest"):
                obj = next((o for o in prep.children if o.dep_ == "pobj"), None)
        if obj is None:
            return
        subj = next((c for c in children if c.dep_ == "nsubj"), None)
        if subj is not None and subj.lower_ in ("who", "which", "that"):
            subj = subject_token(t)
        elif subj is None:
            subj = subject_token(t)
            if subj is not None and rule == "verb":
                rule = "control"
        if subj is None:
            return
        emit([subj], [obj], pol, rule, sent, t, score, any_np=True)

    def _describe(self, ctx, t, children, sent, emit) -> None:
        """"X described Y as pivotal" / "Y was described by X as a threat": evaluative words only."""
        lex = self.lex
        as_prep = next((c for c in children if c.lower_ == "as" or c.dep_ == "oprd"), None)
        if as_prep is None:
            return
        words = {w.lemma_.lower() for w in as_prep.subtree} | {w.lower_ for w in as_prep.subtree}
        if words & lex.positive_evaluations:
            pol = "FAVOR"
        elif words & lex.negative_evaluations:
            pol = "AGAINST"
        else:
            return
        agent = next((c for c in children if c.dep_ == "agent"), None)
        if agent is not None:
            src = next((o for o in agent.children if o.dep_ == "pobj"), None)
            tgt = next((c for c in children if c.dep_ == "nsubjpass"), None)
        else:
            src = subject_token(t)
            tgt = next((c for c in children if c.dep_ == "dobj"), None)
        if src is not None and tgt is not None:
            emit([src], [tgt], pol, "describe_as", sent, t, 0.6, any_np=True)

    def _negated(self, t) -> bool:
        return any(c.dep_ == "neg" or (c.lower_ in NEG_WORDS and c.dep_ in ("advmod", "neg")) for c in t.children)

    def _noun(self, ctx, t, lemma, sent, emit, sent_starts) -> None:
        lex = self.lex
        if lemma in lex.support_nouns:
            pol = "FAVOR"
        elif lemma in lex.oppose_nouns:
            pol = "AGAINST"
        elif lemma in ("defiance", "favour", "favor", "support") and t.head.lower_ == "in":
            pol = "AGAINST" if lemma == "defiance" else "FAVOR"
        else:
            return
        children = list(t.children)
        # "in defiance of Y" / "in favour of Y": the clause subject is the source
        if t.head.lower_ == "in" and t.dep_ == "pobj" and lemma in ("defiance", "favour", "favor", "support"):
            of = next((c for c in children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = next((o for o in of.children if o.dep_ == "pobj"), None) if of is not None else None
            verb = t.head.head
            subj = subject_token(verb) if verb.pos_ in ("VERB", "AUX") else None
            if obj is not None and subj is not None:
                emit([subj], [obj], pol, "phrase", sent, t, 0.6)
            return
        src = None
        for c in children:
            if c.dep_ == "poss":
                src = c
            elif c.dep_ == "prep" and c.lower_ in ("from", "by") and src is None:
                src = next((o for o in c.children if o.dep_ == "pobj"), None)
        if src is None and t.dep_ == "dobj" and t.head.pos_ in ("VERB", "AUX"):
            src = subject_token(t.head)
        if src is None:
            return
        tgt = None
        for c in children:
            if c.dep_ == "prep" and c.lower_ in ("for", "of", "to", "against", "on", "with"):
                if c.lower_ == "with" and lemma not in ("cooperation", "alliance", "partnership", "solidarity"):
                    continue
                tgt = next((o for o in c.children if o.dep_ == "pobj"), None)
                if tgt is not None:
                    break
        if tgt is None and t.dep_ == "dobj":
            # "voiced support for Y": the preposition hangs on the verb
            for c in t.head.children:
                if c.dep_ == "prep" and c.lower_ in ("for", "to", "against") and c.i > t.i:
                    tgt = next((o for o in c.children if o.dep_ == "pobj"), None)
                    if tgt is not None:
                        break
        if tgt is None:
            # "accusations from X that Y has ...": the clause subject is the target
            for c in children:
                if c.dep_ in ("acl", "ccomp", "relcl") and any(m.dep_ == "mark" for m in c.children):
                    tgt = next((m for m in c.children if m.dep_ == "nsubj"), None)
                    if tgt is not None:
                        break
        if tgt is None:
            return
        emit([src], [tgt], pol, "noun", sent, t, 0.6)

    # --- values ----------------------------------------------------------------------------

    def _build(self, ctx: DocContext, found) -> list:
        doc = ctx.doc
        out = []
        topics: dict[tuple[int, int], Span] = {}
        seen: set = set()
        for srcs, tgts, pol, rule, sent, cue, score in found:
            es, ee = trim(doc, sent.start, sent.end)
            ev_s, ev_e = ctx.char_span(es, ee) if ee > es else ctx.char_span(sent.start, sent.end)
            for a in srcs:
                for tg, is_topic in tgts:
                    if a.start < tg.end and tg.start < a.end:
                        continue
                    src_can = ctx.canonical(a.start, a.end)
                    tgt_can = ctx.canonical(tg.start, tg.end)
                    if src_can == tgt_can:
                        continue
                    key = (sent.start, src_can, tgt_can, pol)
                    if key in seen:
                        continue
                    seen.add(key)
                    ss, se = ctx.char_span(a.start, a.end)
                    ts, te = ctx.char_span(tg.start, tg.end)
                    if is_topic and (ts, te) not in topics:
                        topics[(ts, te)] = Span(ts, te, self.schema.topic.name, TOPIC, {})
                        out.append((topics[(ts, te)], "stance_target", 0.6))
                    attrs = {"rule": rule, "cue": cue.text, "source_text": ctx.text_of(a.start, a.end),
                             "target_text": ctx.text_of(tg.start, tg.end), "source_canonical": src_can,
                             "target_canonical": tgt_can}
                    stance = Stance(SpanRef(ss, se, a.label), SpanRef(ts, te, tg.label), pol,
                                    SpanRef(ev_s, ev_e, ""), attrs)
                    out.append((stance, rule, score))
        return out
