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
- ``vote``: "voted for / against Y"; ``verb_prep``: "ruled against Y", "sided with Y";
- ``phrase``: "in defiance of Y", "in favour of Y";
- ``describe_as``: "X described Y as pivotal" (evaluative words only);
- ``directive``: "X urged / ordered / called on Y to stop V-ing Z" -> X AGAINST Y and X AGAINST Z,
  "X urged Y to back Z" -> X FAVOR Z; "X called for Z" -> X FAVOR Z;
- ``withdraw``: "X withdrew from the agreement" -> X AGAINST the agreement (a topic, not a place).
What a denial denies is no stance ("the RSF denied targeting civilians"), and a verb under a
directive is the directive's, not its object's.
Metonyms are resolved through the alias lexicon (Pyongyang -> North Korea) into
``source_canonical`` / ``target_canonical`` attributes; the spans stay where the text is.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.model import STANCE, TOPIC, Span, SpanRef, Stance
from annotator.suggest.common import DocContext, actors_version, trim
from annotator.suggest.speakers import misattached_conj, subject_token
from annotator.suggest.stance_ends import sources, topic_phrase
from annotator.suggest.stance_ends import targets as find_targets

RULES_VERSION = "4"
NEG_WORDS = {"not", "n't", "never", "no"}
NEEDS_OBJECT = ("warn", "charge", "strike", "fine", "target")  # a stance only with a direct object
PREP_OBJECT_VERBS = ("cooperate", "ally", "side", "retaliate", "vote", "protest")  # "cooperate with Y"
PHRASE_NOUNS = ("defiance", "favour", "favor", "support")  # "in defiance of Y", "in favour of Y"
WITH_NOUNS = ("cooperation", "alliance", "partnership", "solidarity")  # "cooperation with Y"
ATTACK_NOUNS = {"attack", "assault", "invasion", "offensive", "airstrike", "raid", "bombardment", "strike"}


@dataclass(frozen=True)
class StanceCandidate:
    """Sources and targets a rule found for one cue, with the polarity."""

    sources: tuple
    targets: tuple  # (Actor, is_topic)
    polarity: str
    rule: str
    sent: object
    cue: object  # the cue token
    score: float


def negated(t) -> bool:
    return any(c.dep_ == "neg" or (c.lower_ in NEG_WORDS and c.dep_ in ("advmod", "neg")) for c in t.children)


def negate(polarity: str) -> str:
    return "AGAINST" if polarity == "FAVOR" else "NEUTRAL"


def _pobj(prep):
    return next((o for o in prep.children if o.dep_ == "pobj"), None)


class StanceSuggester:
    name = "stances"
    produces = (STANCE, TOPIC)

    def __init__(self, schema, lex):
        self.schema = schema
        self.lex = lex
        self.version = f"{RULES_VERSION}:{lex.digest}{actors_version(schema)}"
        self._verb_rules = (self._vote, self._directive, self._withdraw, self._prep_stance, self._reaction,
                            self._describe, self._support_oppose)

    def suggest(self, ctx: DocContext) -> list:
        """(Stance or TOPIC Span, rule, score) for every stance the rules find."""
        found: list[StanceCandidate] = []
        for sent in ctx.sents:
            for t in sent:
                lemma = t.lemma_.lower()
                if t.pos_ in ("VERB", "AUX"):
                    found.extend(self._verb(ctx, t, lemma, sent))
                elif t.pos_ in ("NOUN", "PROPN"):
                    found.extend(self._noun(ctx, t, lemma, sent))
        return self._build(ctx, found)

    def _candidate(self, ctx, src_toks, tgt_toks, polarity, rule, sent, cue, score=0.7, *, any_np=False, targets=()):
        srcs = [a for t in src_toks for a in sources(ctx, t)]
        tgts = list(targets) + [x for t in tgt_toks for x in find_targets(ctx, t, self.schema.topic.name, any_np)]
        return [StanceCandidate(tuple(srcs), tuple(tgts), polarity, rule, sent, cue, score)] if srcs and tgts else []

    # --- verbs -----------------------------------------------------------------------------

    def _verb(self, ctx, t, lemma, sent) -> list[StanceCandidate]:
        children = list(t.children)
        for rule in self._verb_rules:
            found = rule(ctx, t, lemma, children, sent)
            if found is not None:
                return found
        return []

    def _vote(self, ctx, t, lemma, children, sent):
        """"voted for / against Y", "voted in favour of Y"; "voting against" (or "against them")
        is about the motion named before it in the sentence."""
        if lemma not in self.lex.vote_verbs:
            return None
        subj = subject_token(t) or (t.head if t.dep_ == "acl" else None)  # "with 119 countries voting in favour"
        if subj is None:
            return []
        out = []
        for c in children:
            if c.dep_ not in ("prep", "advmod", "prt") or c.lower_ not in ("for", "against", "in"):
                continue
            obj = _pobj(c)
            pol = "AGAINST" if c.lower_ == "against" else "FAVOR"
            if c.lower_ == "in":
                if obj is None or obj.lemma_.lower() not in ("favour", "favor"):
                    continue
                of = next((p for p in obj.children if p.dep_ == "prep" and p.lower_ == "of"), None)
                obj = _pobj(of) if of is not None else None  # "voting in favour": of the motion before
            if obj is None or (obj.pos_ == "PRON" and obj.lower_ in ("it", "them", "this", "that")):
                motion = _motion_before(ctx, c, sent, self.schema.topic.name)
                targets = [(motion, True)] if motion is not None else []
                out += self._candidate(ctx, [subj], [], negate(pol) if negated(t) else pol, "vote", sent, t, 0.75,
                                       targets=targets)
            else:
                out += self._candidate(ctx, [subj], [obj], negate(pol) if negated(t) else pol, "vote", sent, t, 0.8,
                                       any_np=True)
        return out

    def _directive(self, ctx, t, lemma, children, sent):
        """"X urged / ordered / called on Y to stop V-ing Z": X AGAINST Y and Z; "X urged Y to back Z":
        X's stance toward Z; "X called for Z": X FAVOR Z."""
        lex = self.lex
        if lemma not in lex.directive_verbs:
            return None
        subj = subject_token(t)
        on = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("on", "upon")), None)
        addressee = next((c for c in children if c.dep_ in ("dobj", "dative")), None) or (_pobj(on) if on else None)
        action = next((c for c in children if c.dep_ == "xcomp" and c.pos_ in ("VERB", "AUX")), None)
        if action is None and on is not None:
            action = next((c for c in _pobj(on).children if c.dep_ in ("acl", "xcomp")), None) if _pobj(on) else None
        if subj is None:
            return []
        if lemma == "call" and action is None:
            for_ = next((c for c in children if c.dep_ == "prep" and c.lower_ == "for"), None)
            obj = _pobj(for_) if for_ is not None else None
            return self._candidate(ctx, [subj], [obj], "FAVOR", "directive", sent, t, 0.65, any_np=True) if obj else None
        if action is None or addressee is None:
            return None
        act_lemma = action.lemma_.lower()
        if act_lemma in lex.cessation_verbs:
            inner = next((c for c in action.children if c.dep_ in ("xcomp", "dobj", "ccomp")), None)
            what = next((c for c in inner.children if c.dep_ == "dobj"), None) if inner is not None and inner.pos_ == "VERB" \
                else inner
            ends = [addressee] + ([what] if what is not None else [])
            return self._candidate(ctx, [subj], ends, "AGAINST", "directive", sent, t, 0.65, any_np=True)
        pol = "FAVOR" if act_lemma in lex.support_verbs else "AGAINST" if act_lemma in lex.oppose_verbs else None
        what = next((c for c in action.children if c.dep_ == "dobj"), None)
        if pol is None or what is None:
            return []
        return self._candidate(ctx, [subj], [what], negate(pol) if negated(action) else pol, "directive", sent, t, 0.6,
                               any_np=True)

    def _withdraw(self, ctx, t, lemma, children, sent):
        """"X withdrew from the agreement", "X quit the pact": X AGAINST it (a treaty, deal, talks ...)."""
        if lemma not in self.lex.withdraw_verbs:
            return None
        subj = subject_token(t)
        frm = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("from", "of")), None)
        what = _pobj(frm) if frm is not None else next((c for c in children if c.dep_ == "dobj"), None)
        if subj is None or what is None:
            return []
        ent = ctx.ents.at(what.i)
        is_topic = what.lemma_.lower() in self.lex.topic_nouns or (ent is not None and ent.model_label in ("LAW", "EVENT"))
        if not is_topic:
            return []  # "withdrew from civilian areas" is no stance
        return self._candidate(ctx, [subj], [what], "AGAINST", "withdraw", sent, t, 0.65, any_np=True)

    def _prep_stance(self, ctx, t, lemma, children, sent):
        """"ruled against Y", "campaigned for Y", "sided with Y"."""
        if lemma not in self.lex.prep_stance_verbs or any(c.dep_ == "dobj" for c in children):
            return None
        subj = subject_token(t)
        out = []
        for c in children:
            obj = _pobj(c) if c.dep_ == "prep" and c.lower_ in ("for", "against", "with") else None
            if obj is not None and subj is not None:
                pol = "AGAINST" if c.lower_ == "against" else "FAVOR"
                out += self._candidate(ctx, [subj], [obj], negate(pol) if negated(t) else pol, "verb_prep", sent, t,
                                       0.65, any_np=True)
        return out

    def _reaction(self, ctx, t, lemma, children, sent):
        """"raised alarm in X" -> X AGAINST the subject; "drew praise from X" -> X FAVOR the subject."""
        lex = self.lex
        if lemma not in lex.reaction_verbs:
            return None
        out = []
        for d in children:
            noun = d.lemma_.lower()
            if d.dep_ != "dobj" or (noun not in lex.reaction_nouns and noun not in lex.favour_reaction_nouns):
                continue
            pol = "FAVOR" if noun in lex.favour_reaction_nouns else "AGAINST"
            preps = [p for p in list(d.children) + children if p.dep_ == "prep" and p.lower_ in ("in", "among", "from", "across")]
            subj = subject_token(t)
            for p in preps:
                obj = _pobj(p)
                if obj is not None and subj is not None:
                    out += self._candidate(ctx, [obj], [subj], pol, "reaction", sent, d, 0.7)
        return out

    def _describe(self, ctx, t, lemma, children, sent):
        """"X described Y as pivotal" / "Y was described by X as a threat": evaluative words only."""
        lex = self.lex
        if lemma not in lex.describe_verbs or lemma in lex.support_verbs:
            return None
        as_prep = next((c for c in children if c.lower_ == "as" or c.dep_ == "oprd"), None)
        if as_prep is None:
            return []
        words = {w.lemma_.lower() for w in as_prep.subtree} | {w.lower_ for w in as_prep.subtree}
        if words & lex.positive_evaluations:
            pol = "FAVOR"
        elif words & lex.negative_evaluations:
            pol = "AGAINST"
        else:
            return []
        agent = next((c for c in children if c.dep_ == "agent"), None)
        if agent is not None:
            src, tgt = _pobj(agent), next((c for c in children if c.dep_ == "nsubjpass"), None)
        else:
            src, tgt = subject_token(t), next((c for c in children if c.dep_ == "dobj"), None)
        if src is None or tgt is None:
            return []
        return self._candidate(ctx, [src], [tgt], pol, "describe_as", sent, t, 0.6, any_np=True)

    def _support_oppose(self, ctx, t, lemma, children, sent):
        """A support/oppose verb: active subject -> object, or passive agent -> subject."""
        pol = "FAVOR" if lemma in self.lex.support_verbs else "AGAINST" if lemma in self.lex.oppose_verbs else None
        if pol is None or (lemma in NEEDS_OBJECT and not any(c.dep_ == "dobj" for c in children)):
            return []
        if self._governed_by(t, self.lex.denial_verbs | self.lex.directive_verbs):
            return []  # what is denied is no stance; a directive's verbs are the directive's
        dobj = next((c for c in children if c.dep_ == "dobj"), None)
        on = next((c for c in list(children) + list(dobj.children if dobj is not None else [])
                   if c.dep_ == "prep" and c.lower_ == "on"), None)
        if lemma == "blame" and on is not None:
            # "blamed the loss on X": X is blamed (when X is an actor), not the loss
            subj = subject_token(t)
            return self._candidate(ctx, [subj], [_pobj(on)], "AGAINST", "verb", sent, t) if subj and _pobj(on) else []
        rule, score = "verb", 0.7
        if negated(t) or (t.dep_ == "xcomp" and t.head.lemma_.lower() in self.lex.negating_verbs):
            pol, rule, score = negate(pol), "negated", 0.6
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in children) or (
                t.tag_ == "VBN" and t.dep_ in ("acl", "amod", "advcl", "relcl", "conj")):
            return self._passive(ctx, t, children, pol, rule, score, sent)
        obj = next((c for c in children if c.dep_ in ("dobj",)), None)
        if obj is None:
            prep = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("on", "against", "for", "with", "to")), None)
            if prep is not None and lemma in PREP_OBJECT_VERBS:
                obj = _pobj(prep)
        if obj is None:
            return []
        subj = next((c for c in children if c.dep_ == "nsubj"), None)
        if subj is not None and subj.lower_ in ("who", "which", "that"):
            subj = subject_token(t)
        elif subj is None:
            subj = subject_token(t)
            if subj is not None and rule == "verb":
                rule = "control"
        if subj is None:
            return []
        return self._candidate(ctx, [subj], [obj], pol, rule, sent, t, score, any_np=True)

    @staticmethod
    def _governed_by(t, lemmas) -> bool:
        """Is t (through xcomp/ccomp and conjunctions) the complement of one of these verbs?"""
        head, depth = t, 0
        while head.dep_ in ("xcomp", "ccomp", "conj", "pcomp") and head.head.i != head.i and depth < 3:
            if misattached_conj(head):
                return False  # coordinated with the main verb ("denied X and blamed Y"), not under it
            if head.dep_ == "conj" and head.head.dep_ not in ("xcomp", "ccomp", "pcomp"):
                return False  # "rejected X and said it would challenge Y": a main clause of its own
            head, depth = head.head, depth + 1
            if head.lemma_.lower() in lemmas and head.pos_ in ("VERB", "AUX"):
                return True
        return False

    def _passive(self, ctx, t, children, pol, rule, score, sent):
        """"Y was sanctioned by X", "the treaty, signed by X": the agent is the source."""
        agent = next((c for c in children if c.dep_ == "agent"), None)
        agent_obj = _pobj(agent) if agent is not None else None
        if agent_obj is None:
            return []
        if any(c.dep_ in ("nsubjpass", "auxpass") for c in children):
            target = next((c for c in children if c.dep_ == "nsubjpass"), None)
            if target is None and t.dep_ == "conj":
                target = next((c for c in t.head.children if c.dep_ in ("nsubjpass", "nsubj")), None)
        elif t.dep_ == "conj":
            target = next((c for c in t.head.children if c.dep_ in ("nsubjpass", "nsubj")), None)
        else:
            target = t.head
        if target is None:
            return []
        return self._candidate(ctx, [agent_obj], [target], pol, "verb_passive" if rule == "verb" else rule, sent, t,
                               score, any_np=True)

    # --- nouns -----------------------------------------------------------------------------

    def _noun(self, ctx, t, lemma, sent) -> list[StanceCandidate]:
        """"X's support for Y", "accusations from X that Y ...", "in defiance of Y"."""
        lex = self.lex
        in_phrase = lemma in PHRASE_NOUNS and t.head.lower_ == "in"
        if lemma in lex.support_nouns:
            pol = "FAVOR"
        elif lemma in lex.oppose_nouns:
            pol = "AGAINST"
        elif in_phrase:
            pol = "AGAINST" if lemma == "defiance" else "FAVOR"
        else:
            return []
        children = list(t.children)
        if in_phrase and t.dep_ == "pobj":
            # the clause subject is the source
            of = next((c for c in children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = _pobj(of) if of is not None else None
            verb = t.head.head
            subj = subject_token(verb) if verb.pos_ in ("VERB", "AUX") else None
            return self._candidate(ctx, [subj], [obj], pol, "phrase", sent, t, 0.6) if obj is not None and subj is not None else []
        src = _noun_source(t, children, ctx.ents, self.lex)
        tgt = _noun_target(t, lemma, children) if src is not None else None
        if tgt is None:
            return []
        # an attack is against a place or thing as much as an actor ("an assault on the airport")
        return self._candidate(ctx, [src], [tgt], pol, "noun", sent, t, 0.6, any_np=lemma in ATTACK_NOUNS)

    # --- values ----------------------------------------------------------------------------

    def _build(self, ctx: DocContext, found: list[StanceCandidate]) -> list:
        """One stance per (sentence, source, target, polarity) after aliases; TOPIC spans for topic targets."""
        out = []
        topics: set[tuple[int, int]] = set()
        seen: set = set()
        for c in found:
            evidence = self._evidence(ctx, c.sent)
            for a in c.sources:
                for tg, is_topic in c.targets:
                    if a.start < tg.end and tg.start < a.end:
                        continue
                    src_can, tgt_can = ctx.canonical(a.start, a.end), ctx.canonical(tg.start, tg.end)
                    key = (c.sent.start, src_can, tgt_can, c.polarity)
                    if src_can == tgt_can or key in seen:
                        continue
                    seen.add(key)
                    ss, se = ctx.char_span(a.start, a.end)
                    ts, te = ctx.char_span(tg.start, tg.end)
                    if is_topic and (ts, te) not in topics:
                        topics.add((ts, te))
                        out.append((Span(ts, te, self.schema.topic.name, TOPIC, {}), "stance_target", 0.6))
                    attrs = {"rule": c.rule, "cue": c.cue.text, "source_text": ctx.text_of(a.start, a.end),
                             "target_text": ctx.text_of(tg.start, tg.end), "source_canonical": src_can,
                             "target_canonical": tgt_can}
                    stance = Stance(SpanRef(ss, se, a.label), SpanRef(ts, te, tg.label), c.polarity, evidence, attrs)
                    out.append((stance, c.rule, c.score))
        return out

    @staticmethod
    def _evidence(ctx: DocContext, sent) -> SpanRef:
        es, ee = trim(ctx.doc, sent.start, sent.end)
        ev_s, ev_e = ctx.char_span(es, ee) if ee > es else ctx.char_span(sent.start, sent.end)
        return SpanRef(ev_s, ev_e, "")


def _noun_source(t, children, ents=None, lex=None):
    """The holder of a nominal stance: a possessor, "from/by X", an actor named before it ("an RSF
    assault"), or the subject of "voiced support"."""
    src = None
    for c in children:
        if c.dep_ == "poss" or (c.dep_ in ("compound", "amod") and src is None and ents is not None and (
                ents.is_actor(c.i) or c.lemma_.lower() in lex.actor_nouns)):
            src = c  # "an RSF assault", "a rebel assault"
        elif c.dep_ == "prep" and c.lower_ in ("from", "by") and src is None:
            src = _pobj(c)
    if src is None and t.dep_ == "dobj" and t.head.pos_ in ("VERB", "AUX"):
        src = subject_token(t.head)
    return src


def _noun_target(t, lemma, children):
    """What a nominal stance is about: "for/of/against Y", a preposition on the verb, or a that-clause's subject."""
    for c in children:
        if c.dep_ == "prep" and c.lower_ in ("for", "of", "to", "against", "on", "with"):
            if c.lower_ == "with" and lemma not in WITH_NOUNS:
                continue
            tgt = _pobj(c)
            if tgt is not None:
                return tgt
    if t.dep_ == "dobj":
        # "voiced support for Y": the preposition hangs on the verb
        for c in t.head.children:
            if c.dep_ == "prep" and c.lower_ in ("for", "to", "against") and c.i > t.i:
                tgt = _pobj(c)
                if tgt is not None:
                    return tgt
    # "accusations from X that Y has ...": the clause subject is the target
    for c in children:
        if c.dep_ in ("acl", "ccomp", "relcl") and any(m.dep_ == "mark" for m in c.children):
            tgt = next((m for m in c.children if m.dep_ == "nsubj"), None)
            if tgt is not None:
                return tgt
    return None


def _motion_before(ctx: DocContext, tok, sent, topic_label: str):
    """The topic phrase a vote is about: the nearest topic noun before tok in its sentence, else in the
    sentence before ("approved a resolution ..., with 36 voting against"; "... Chile voted against.")."""
    k = ctx.piece.sentence_index(sent.start)
    start = ctx.sent_starts[k - 1] if k > 0 else sent.start
    for k in range(tok.i - 1, start - 1, -1):
        t = ctx.toks[k]
        if t.pos_ == "NOUN" and t.lemma_.lower() in ctx.lex.topic_nouns and t.dep_ != "compound":
            return topic_phrase(ctx, t, topic_label)
    return None
