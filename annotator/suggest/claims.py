"""Claims: attribution rules on the dependency parse, and AUTHOR claims with check-worthiness.

Rules (the ``rule`` recorded with each suggestion):
- ``speech_ccomp``: a reporting verb with a clausal complement, "X said (that) ...",
  "..., the minister said" (also ``speech_parataxis`` when the parser attaches it loosely);
- ``speech_final``: "..., the electoral commission announced on Monday." hung on the noun;
- ``according_to``: "..., according to X";
- ``describe_as``: "... was described by X as ...", "X called Y Z", "Hailing Y as ..., X ...";
- ``accuse_of``: "X accused Y of ..." (the stances suggester adds X AGAINST Y);
- ``nominal_cue``: "accusations from X that ...", "claims by X that ...";
- ``speech_act_np``: a speech act with a noun-phrase object, "X reaffirmed its support";
- ``author``: a sentence the article asserts in its own voice with checkable facts (author.py).
Speakers come from speakers.py (unresolved pronouns give speaker UNNAMED with
``unresolved_pronoun: true``); content boundaries from boundaries.py.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from annotator.model import CLAIM, UNNAMED, Span
from annotator.suggest.author import author_claim, author_ranges
from annotator.suggest.boundaries import content_range, exclude, misattached_that_clause
from annotator.suggest.claim_facts import checkworthiness, claim_type, facts, hedged
from annotator.suggest.common import Actor, DocContext, subtree_range
from annotator.suggest.speakers import UNNAMED_SPEAKER, Speaker, actor_np, speaker_of, subject_token

RULES_VERSION = "1"
# where candidates overlap, the more specific rule wins
PRIORITY = {"speech_final": 4, "describe_as": 6, "passive_agent": 6, "accuse_of": 5, "speech_ccomp": 4, "speech_parataxis": 4,
            "nominal_cue": 3, "speech_act_np": 2, "according_to": 1}
RULE_SCORE = {"speech_final": 0.7, "speech_ccomp": 0.85, "speech_parataxis": 0.7, "according_to": 0.85, "describe_as": 0.75,
              "passive_agent": 0.75, "accuse_of": 0.8, "nominal_cue": 0.7, "speech_act_np": 0.55}


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


@dataclass(frozen=True)
class Verb:
    """A verb token and what the rules look at around it."""

    tok: object
    lemma: str
    children: tuple
    agent_obj: object | None  # "by X" of a passive
    subj: object | None

    @classmethod
    def of(cls, t) -> "Verb":
        children = tuple(t.children)
        agent = next((c for c in children if c.dep_ == "agent"), None)
        agent_obj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        return cls(t, t.lemma_.lower(), children, agent_obj, subject_token(t))

    def child(self, *deps: str):
        return next((c for c in self.children if c.dep_ in deps), None)

    @property
    def cue(self) -> tuple[int, int]:
        return (self.tok.i, self.tok.i + 1)


class ClaimSuggester:
    name = "claims"
    produces = (CLAIM,)

    def __init__(self, schema, lex, author_threshold: float = 0.5):
        self.schema = schema
        self.lex = lex
        self.author_threshold = author_threshold
        self.version = f"{RULES_VERSION}:{lex.digest}"
        self._verb_rules = (self._describe_as, self._accuse_of, self._speech_final, self._speech_ccomp,
                            self._speech_parataxis, self._speech_act_np)

    def suggest(self, ctx: DocContext) -> list:
        """(Span, rule, score) for every attributed and AUTHOR claim, in text order."""
        chosen = resolve_overlaps([c for sent in ctx.sents for t in sent for c in self._candidates_at(ctx, t, sent)])
        out = [self._attributed(ctx, c) for c in chosen]
        by_sent: dict[int, list[ClaimCandidate]] = {}
        for c in chosen:
            by_sent.setdefault(c.sent_start, []).append(c)
        for sent in ctx.sents:
            for rng in author_ranges(ctx, sent, by_sent.get(sent.start, [])):
                made = author_claim(ctx, sent, rng, self.schema.claim.name, self.author_threshold)
                if made is not None:
                    out.append(made)
        out.sort(key=lambda p: (p[0].start, p[0].end))
        return out

    # --- candidates ---------------------------------------------------------------------

    def _candidates_at(self, ctx: DocContext, t, sent) -> list[ClaimCandidate]:
        """The candidates a token is the cue of (the first rule that applies decides)."""
        if t.lower_ == "according":
            return self._according_to(ctx, t, sent)
        if t.pos_ == "NOUN":
            return self._nominal(ctx, t, sent) if t.lemma_.lower() in self.lex.nominal_cues else []
        if t.pos_ not in ("VERB", "AUX"):
            return []
        verb = Verb.of(t)
        for rule in self._verb_rules:
            found = rule(ctx, verb, sent)
            if found is not None:
                return found
        return []

    def _candidate(self, ctx, rule, rng, speaker: Speaker | None, cue, sent) -> list[ClaimCandidate]:
        content = content_range(ctx, rng) if speaker is not None else None
        if content is None:
            return []
        return [ClaimCandidate(rule, content[0], content[1], speaker, cue, sent.start)]

    def _according_to(self, ctx, t, sent):
        to = next((c for c in t.children if c.lower_ == "to"), None)
        obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
        if obj is None:
            return []
        spk = speaker_of(ctx, obj)
        if spk is None:
            a = actor_np(ctx, obj, allow_any=True)
            spk = Speaker(a) if a else None
        h = t.head
        rng = (sent.start, sent.end) if h.i == t.i or h.pos_ not in ("VERB", "AUX") else subtree_range(h)
        rng = exclude(rng, (t.left_edge.i, t.right_edge.i + 1))
        return self._candidate(ctx, "according_to", rng, spk, (t.i, to.i + 1), sent)

    def _describe_as(self, ctx, v: Verb, sent):
        """"... described by X as ...", "X called Y Z", "Hailing Y as ..., X"."""
        if v.lemma not in self.lex.describe_verbs:
            return None
        as_prep = next((c for c in v.children if c.dep_ in ("prep", "oprd", "xcomp", "advcl") and
                        (c.lower_ == "as" or c.dep_ == "oprd")), None)
        if as_prep is None:
            return None
        if v.agent_obj is not None:
            excl = [c for c in v.children if c.lower_ == "according" or (c.dep_ in ("advcl",) and c.i > as_prep.i)]
            return self._candidate(ctx, "describe_as", subtree_range(v.tok, excl), speaker_of(ctx, v.agent_obj), v.cue, sent)
        dobj = v.child("dobj")
        if dobj is not None and v.subj is not None:
            return self._candidate(ctx, "describe_as", (dobj.left_edge.i, as_prep.right_edge.i + 1),
                                   speaker_of(ctx, v.subj), v.cue, sent)
        return None

    def _accuse_of(self, ctx, v: Verb, sent):
        """"X accused Y of ...", "Y was blamed by X for ..."."""
        if v.lemma not in ("accuse", "blame") or not self._is_speech(v):
            return None
        objs = [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
        dobj = objs[0] if objs else None
        of = next((c for c in v.children if c.dep_ == "prep" and c.lower_ in ("of", "for")), None)
        for o in objs:
            if of is None:
                of = next((c for c in o.children if c.dep_ == "prep" and c.lower_ in ("of", "for")), None)
        who = v.agent_obj if v.agent_obj is not None else v.subj
        if dobj is None or of is None or who is None:
            return None
        return self._candidate(ctx, "accuse_of", (min(dobj.left_edge.i, of.left_edge.i), of.right_edge.i + 1),
                               speaker_of(ctx, who), v.cue, sent)

    def _clause_of(self, v: Verb):
        comp = v.child("ccomp")
        if comp is None and v.lemma in self.lex.speech_verbs:
            comp = misattached_that_clause(v.tok)
        return comp

    def _speech_final(self, ctx, v: Verb, sent):
        """"..., the electoral commission announced on Monday." parsed as a clause on a noun."""
        if v.lemma not in self.lex.speech_verbs or self._clause_of(v) is not None or v.child("dobj") is not None:
            return None
        t = v.tok
        doc = ctx.doc
        as_clause = t.dep_ in ("acl", "relcl") and t.head.pos_ in ("NOUN", "PROPN")
        subj = t.head if as_clause else next((c for c in t.children if c.dep_ == "nsubj"), None)
        if subj is None or not (as_clause or t.dep_ in ("parataxis", "conj", "advcl", "ccomp")):
            return None
        last = t.right_edge.i
        while last + 1 < sent.end and (doc[last + 1].is_punct or doc[last + 1].is_space):
            last += 1
        np_start = subj.left_edge.i
        comma = np_start - 1
        if last + 1 < sent.end or comma <= sent.start or doc[comma].text != ",":
            return None
        spk = speaker_of(ctx, subj) if not as_clause else None
        if spk is None:
            a = actor_np(ctx, subj)
            if a is None:
                return None
            spk = Speaker(replace(a, start=max(a.start, np_start)))
        return self._candidate(ctx, "speech_final", (sent.start, comma), spk, v.cue, sent)

    def _speech_ccomp(self, ctx, v: Verb, sent):
        """"X said (that) ...", "..., the minister said", "it was announced that ..."."""
        comp = self._clause_of(v)
        if v.lemma not in self.lex.speech_verbs or comp is None:
            return None
        who = v.subj if v.subj is not None else v.agent_obj
        if who is None:
            if any(c.dep_ in ("nsubjpass", "expl") for c in v.children):
                return self._candidate(ctx, "speech_ccomp", subtree_range(comp), UNNAMED_SPEAKER, v.cue, sent)
            return []
        return self._candidate(ctx, "speech_ccomp", subtree_range(comp), speaker_of(ctx, who), v.cue, sent)

    def _speech_parataxis(self, ctx, v: Verb, sent):
        """"The plan, he said, will fail": the verb hangs loosely on the content's head."""
        t = v.tok
        if v.lemma not in self.lex.speech_verbs or t.dep_ != "parataxis" or v.subj is None or v.subj.head is not t:
            return None
        return self._candidate(ctx, "speech_parataxis", subtree_range(t.head, [t]), speaker_of(ctx, v.subj), v.cue, sent)

    def _speech_act_np(self, ctx, v: Verb, sent):
        """"X reaffirmed its support for Y": a speech act whose content is its object."""
        if v.lemma not in self.lex.speech_act_verbs:
            return None
        dobj = v.child("dobj")
        if dobj is None or v.subj is None or (dobj.pos_ == "PRON" and dobj.n_lefts + dobj.n_rights == 0):
            return []
        return self._candidate(ctx, "speech_act_np", subtree_range(dobj), speaker_of(ctx, v.subj), v.cue, sent)

    def _is_speech(self, v: Verb) -> bool:
        return v.lemma in self.lex.speech_verbs or v.lemma in self.lex.speech_act_verbs

    def _nominal(self, ctx, t, sent) -> list[ClaimCandidate]:
        """"accusations from X that ...", "claims by X that ...", "X's warning that ..."."""
        clause = next((c for c in t.children if _is_that_clause(c)), None)
        if clause is None:
            return []
        spk = None
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in ("from", "by"):
                obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                if obj is not None:
                    spk = speaker_of(ctx, obj)
            elif c.dep_ == "poss":
                spk = speaker_of(ctx, c)
            if spk:
                break
        return self._candidate(ctx, "nominal_cue", subtree_range(clause), spk or UNNAMED_SPEAKER, (t.i, t.i + 1), sent)

    # --- values ----------------------------------------------------------------------------

    def _attributed(self, ctx: DocContext, c: ClaimCandidate):
        s, e = ctx.char_span(c.start, c.end)
        f = facts(ctx, c.start, c.end)
        attrs = speaker_attrs(ctx, c.speaker)
        attrs["cue"] = ctx.text_of(*c.cue)
        attrs["claim_type"] = "opinion" if c.rule in ("describe_as",) and not f.nums else claim_type(f)
        attrs["checkworthy"] = round(min(1.0, 0.15 + checkworthiness(f)), 2)
        attrs["hedged"] = hedged(ctx, c.start, c.end)
        if c.via is not None:
            vs, ve = ctx.char_span(c.via.start, c.via.end)
            attrs["via"] = {"start": vs, "end": ve, "label": c.via.label}
            attrs["via_text"] = ctx.text_of(c.via.start, c.via.end)
        score = RULE_SCORE.get(c.rule, 0.6)
        if attrs.get("unresolved_pronoun"):
            score -= 0.2
        elif c.speaker.pronoun:
            score -= 0.1
        return Span(s, e, self.schema.claim.name, CLAIM, attrs), c.rule, round(score, 2)


def _is_that_clause(c) -> bool:
    if c.dep_ not in ("acl", "ccomp", "relcl", "appos") or c.pos_ not in ("VERB", "AUX"):
        return False
    mark = any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
    own_subj = any(m.dep_ in ("nsubj", "nsubjpass") and m.lower_ not in ("that", "which", "who") for m in c.children)
    return mark or (c.dep_ in ("acl", "ccomp") and own_subj)


def resolve_overlaps(cands: list[ClaimCandidate]) -> list[ClaimCandidate]:
    """Keep one claim where candidates overlap (IoU >= 0.5): the more specific rule wins; an
    "according to X" that loses to a quote with its own speaker becomes that claim's ``via``."""
    cands = sorted(cands, key=lambda c: (-PRIORITY.get(c.rule, 0), c.start))
    kept: list[ClaimCandidate] = []
    for c in cands:
        clash = next((i for i, k in enumerate(kept) if _iou(c, k) >= 0.5), None)
        if clash is None:
            kept.append(c)
        elif c.rule == "according_to" and c.speaker.actor is not None:
            kept[clash] = replace(kept[clash], via=c.speaker.actor)
    return kept


def _iou(a: ClaimCandidate, b: ClaimCandidate) -> float:
    inter = min(a.end, b.end) - max(a.start, b.start)
    if inter <= 0:
        return 0.0
    return inter / (max(a.end, b.end) - min(a.start, b.start))


def speaker_attrs(ctx: DocContext, spk: Speaker) -> dict:
    """The claim attributes that name its speaker (span, text, the pronoun it was resolved from)."""
    attrs: dict = {}
    if spk.actor is not None:
        s, e = ctx.char_span(spk.actor.start, spk.actor.end)
        attrs["speaker"] = {"start": s, "end": e, "label": spk.actor.label}
        attrs["speaker_text"] = ctx.text_of(spk.actor.start, spk.actor.end)
        if spk.pronoun:
            ps, pe = ctx.char_span(*spk.pronoun)
            attrs["speaker_mention"] = {"start": ps, "end": pe, "label": ""}
            attrs["speaker_resolved_from"] = ctx.text_of(*spk.pronoun)
        return attrs
    attrs["speaker"] = UNNAMED
    if spk.pronoun:
        attrs["speaker_text"] = ctx.text_of(*spk.pronoun)
        attrs["unresolved_pronoun"] = True
        ps, pe = ctx.char_span(*spk.pronoun)
        attrs["speaker_mention"] = {"start": ps, "end": pe, "label": ""}
    else:
        attrs["speaker_text"] = ""
    return attrs
