"""Claims: attribution rules on the dependency parse, and AUTHOR claims with check-worthiness.

Rules (the ``rule`` recorded with each suggestion):
- ``speech_ccomp``: a reporting verb with a clausal complement, "X said (that) ...",
  "..., the minister said" (also ``speech_parataxis`` when the parser attaches it loosely);
- ``speech_final``: "..., the electoral commission announced on Monday." hung on the noun;
- ``according_to``: "..., according to X";
- ``describe_as``: "... was described by X as ...", "X called Y Z", "Hailing Y as ..., X ...";
- ``accuse_of``: "X accused Y of ...", "X blamed Y for / on ..." (the stances suggester adds X AGAINST Y);
- ``nominal_cue``: "accusations from X that ...", "claims by X that ...";
- ``speech_act``: a speech act whose content is what follows it: "X denied targeting civilians",
  "X welcomed / condemned / criticised the decision", "X conceded defeat", "X urged Y to ...",
  "X called for Y", "X told Y not to ...", "official results showed Y winning";
- ``speech_colon``: "X said:" followed by the quote or statement, or a line "X: ..." (a headline,
  a transcript turn) to its end;
- ``speech_quote``: a quote beside an attribution with no clause of its own: '"Not even one," he
  said.', '"We won." Tanner said.', 'Ruiz said, "Sure. We will."';
- ``expected_to``: "X is expected / believed / said to ..." — nobody named (UNNAMED);
- ``quote_continued``: a paragraph that is nothing but a quote goes on quoting the speaker before it;
- ``as_noted``, ``in_source``, ``saying_acl``: "As X reported, Y", "In a poll / In X's view, Y",
  "a statement saying Y" (claim_frames.py);
- ``author``: a sentence the article asserts in its own voice with checkable facts (author.py).
A quote over several sentences, or interrupted by its attribution, is one claim (quotes.py).
Speakers come from speakers.py (pronouns and role nouns resolved to their antecedent; one that
cannot be resolved is the speaker itself, with ``unresolved_pronoun: true``; a dateline never
is); content boundaries from boundaries.py.

Why one module over 550 lines: it is the list of rules above, one short method each, sharing
the suggester's state (lexicons, the schema's actors); candidates, frames, quotes, speakers,
boundaries and facts already live in their own modules.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from annotator.model import CLAIM, UNNAMED, Span
from annotator.suggest.author import author_claim, author_ranges
from annotator.suggest.boundaries import content_range, exclude, misattached_that_clause
from annotator.suggest.claim_candidates import (
    ClaimCandidate,
    headline_claims,
    quote_paragraph_claims,
    resolve_overlaps,
    sentences_covered,
    widen_quotes,
)
from annotator.suggest.claim_facts import checkworthiness, claim_type, facts, hedged
from annotator.suggest.claim_frames import as_noted, in_source, saying_acl
from annotator.suggest.common import (
    QUOTES,
    Actor,
    DocContext,
    actors_version,
    subtree_range,
)
from annotator.suggest.quotes import quote_of_attribution
from annotator.suggest.speakers import (
    FIRST_PERSON,
    UNNAMED_SPEAKER,
    Speaker,
    actor_np,
    speaker_of,
    subject_token,
)

RULES_VERSION = "6"
RULE_SCORE = {"speech_final": 0.7, "speech_ccomp": 0.85, "speech_parataxis": 0.7, "according_to": 0.85, "describe_as": 0.75,
              "accuse_of": 0.8, "nominal_cue": 0.7, "speech_act": 0.6, "speech_colon": 0.65, "quote_continued": 0.5,
              "expected_to": 0.55, "speech_quote": 0.75, "broad": 0.3, "as_noted": 0.75, "in_source": 0.6,
              "saying_acl": 0.6}
ACT_PREPS = ("for", "on", "as", "of", "against", "over", "about")  # "called for Y", "criticised X for Y"
SHOW_VERBS = {"show", "reveal", "indicate", "find"}
TO_ACTS = {"point", "refer"}  # "pointed to the polls", "referred to X"
ADDRESS_VERBS = {"ask", "tell"}  # "asked the students if ...", "told residents not to drink the water"
PASSIVE_BELIEF = {"expect", "believe", "think", "say", "report", "rumor", "rumour", "understand", "know", "consider",
                  "estimate", "project", "predict", "forecast", "allege", "suppose", "see", "tip"}
BELIEF_DESCRIBE = {"see"}  # "voters see Clinton as the stronger candidate"
QUOTE_ONLY = {"continue"}  # reporting verbs only beside a quote or a that-clause
COGNITION = {"think", "believe", "know", "feel", "guess", "hope", "expect", "suppose", "reckon", "fear", "worry"}


@dataclass(frozen=True)
class Verb:
    """A verb token and what the rules look at around it."""

    tok: object
    lemma: str
    children: tuple
    agent_obj: object | None  # "by X" of a passive
    subj: object | None
    speaker_tok: object | None  # the subject, or the relative pronoun standing for it ("Ana Ruiz, who said ...")

    @classmethod
    def of(cls, t) -> "Verb":
        children = tuple(t.children)
        agent = next((c for c in children if c.dep_ == "agent"), None)
        agent_obj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
        subj = subject_token(t, adjectives=True) if not _bare_participle(t) else None
        relative = next((c for c in children if c.dep_ in ("nsubj", "nsubjpass") and
                         c.lower_ in ("who", "which", "that")), None) if t.dep_ == "relcl" else None
        return cls(t, t.lemma_.lower(), children, agent_obj, subj, relative if relative is not None else subj)

    def child(self, *deps: str):
        return next((c for c in self.children if c.dep_ in deps), None)

    @property
    def cue(self) -> tuple[int, int]:
        return (self.tok.i, self.tok.i + 1)


class ClaimSuggester:
    name = "claims"
    produces = (CLAIM,)

    def __init__(self, schema, lex, author_threshold: float = 0.5, broad: bool = False):
        """``broad`` adds low-precision candidates (rule ``broad``: beliefs, wishes, endorsements) for a
        trained rescorer to keep or drop; the rules alone never suggest them."""
        self.schema = schema
        self.lex = lex
        self.author_threshold = author_threshold
        self.version = f"{RULES_VERSION}:{lex.digest}" + ("+broad" if broad else "") + actors_version(schema)
        self._verb_rules = (self._frame, self._describe_as, self._accuse_of, self._speech_colon, self._speech_final,
                            self._speech_ccomp, self._speech_parataxis, self._speech_quote, self._expected_to,
                            self._speech_act) + (
            (self._broad,) if broad else ())

    def suggest(self, ctx: DocContext) -> list:
        """(Span, rule, score) for every attributed and AUTHOR claim, in text order."""
        found = [c for sent in ctx.sents for t in sent for c in self._candidates_at(ctx, t, sent)]
        found += headline_claims(ctx)
        found = _without_echoes(ctx, found)
        chosen = resolve_overlaps(widen_quotes(ctx, resolve_overlaps(found), self.lex))
        chosen = resolve_overlaps(chosen + quote_paragraph_claims(ctx, chosen))
        out = [self._attributed(ctx, c) for c in chosen]
        by_sent: dict[int, list[ClaimCandidate]] = {}
        for c in chosen:
            by_sent.setdefault(c.sent_start, []).append(c)
        covered = sentences_covered(ctx, chosen)
        for sent in ctx.sents:
            if sent.start in covered:
                continue
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
        if t.lower_ == "in" and t.dep_ == "prep":
            found = in_source(ctx, t, self.lex)
            return self._candidate(ctx, *found, sent) if found else []
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

    def _candidate(self, ctx, rule, rng, speaker: Speaker | None, cue, sent, gloss: bool = True) -> list[ClaimCandidate]:
        content = content_range(ctx, rng, gloss=gloss) if speaker is not None else None
        if content is None or _in_quote(ctx, cue[0]):  # a cue inside a quote: the quoted speaker's own words
            return []
        return [ClaimCandidate(rule, content[0], content[1], speaker, cue, sent.start)]

    def _frame(self, ctx, v: Verb, sent):
        """"As X noted, Y", "voters saying Y" (claim_frames.py)."""
        found = as_noted(ctx, v, self.lex) or saying_acl(ctx, v, self.lex)
        return self._candidate(ctx, *found, sent) if found else None

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
        while h.dep_ == "conj" and h.head.i != h.i and h.head.pos_ in ("VERB", "AUX"):
            h = h.head  # "X hired guards and Y cut its budget, according to Z": Z says both
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
            return self._called(ctx, v, sent) if v.lemma == "call" else None
        if v.agent_obj is not None:
            excl = [c for c in v.children if c.lower_ == "according" or (c.dep_ in ("advcl",) and c.i > as_prep.i)]
            return self._candidate(ctx, "describe_as", subtree_range(v.tok, excl), speaker_of(ctx, v.agent_obj), v.cue, sent)
        dobj = v.child("dobj")
        if dobj is not None and dobj.tag_ in ("WP", "WDT"):
            return []  # "what it called counter-terrorism": the author's gloss, no claim
        if v.lemma in BELIEF_DESCRIBE and (dobj is None or dobj.lower_.endswith(("self", "selves")) or
                                          v.subj is None or v.subj.lower_ in FIRST_PERSON):
            return None  # "sees himself as ...", "I see it as ...": how one sees oneself, the writer's view
        if dobj is not None and v.subj is not None:
            return self._candidate(ctx, "describe_as", (dobj.left_edge.i, as_prep.right_edge.i + 1),
                                   speaker_of(ctx, v.speaker_tok), v.cue, sent)
        return self._called(ctx, v, sent) if v.lemma == "call" else None

    def _called(self, ctx, v: Verb, sent):
        """"X called Y "a disgrace"", "calling him a fascist": the naming is the claim (two objects, or
        an object and a predicate the parser left without "as")."""
        if v.speaker_tok is None or v.tok.tag_ == "VBN" and not any(c.dep_ == "aux" for c in v.children):
            return None  # "a group called X": a name, nobody's claim
        parts = [c for c in v.children if c.dep_ in ("dobj", "oprd") and c.i > v.tok.i]
        naming = any(c.dep_ == "oprd" or any(a.dep_ == "appos" for a in c.children) for c in parts)
        if not naming or any(c.tag_ in ("WP", "WDT") or c.pos_ in ("VERB", "AUX") for c in parts):
            return None  # "called elections", "what it called ...": no naming of the speaker's
        start, end = parts[0].left_edge.i, parts[-1].right_edge.i + 1
        if not any(ctx.toks[k].text in QUOTES for k in range(start, min(end + 1, len(ctx.toks)))):
            return None  # an unquoted name is too often the author's ("called a collection Y", "called a session")
        return self._candidate(ctx, "describe_as", (start, end),
                               speaker_of(ctx, v.speaker_tok), v.cue, sent)

    def _accuse_of(self, ctx, v: Verb, sent):
        """"X accused Y of ...", "Y was blamed by X for ..."."""
        if v.lemma not in ("accuse", "blame") or not self._is_speech(v):
            return None
        objs = [c for c in v.children if c.dep_ in ("dobj", "nsubjpass")]
        dobj = objs[0] if objs else None
        of = next((c for c in v.children if c.dep_ == "prep" and c.lower_ in ("of", "for", "on")), None)
        for o in objs:
            if of is None:
                of = next((c for c in o.children if c.dep_ == "prep" and c.lower_ in ("of", "for", "on")), None)
        who = v.agent_obj if v.agent_obj is not None else v.speaker_tok
        if dobj is None or of is None or who is None:
            return None
        return self._candidate(ctx, "accuse_of", (min(dobj.left_edge.i, of.left_edge.i), of.right_edge.i + 1),
                               speaker_of(ctx, who), v.cue, sent)

    def _clause_of(self, v: Verb):
        comp = v.child("ccomp")
        if comp is not None and comp.i < v.tok.i:
            # "In a statement after X suspended his campaign, Cruz said he is certain ...": the parser hangs
            # the clause before on the verb too; what is said follows the verb
            comps = [c for c in v.children if c.dep_ == "ccomp"]
            comp = next((c for c in comps if c.i > v.tok.i), comps[-1])
        if comp is None and v.lemma in self.lex.speech_verbs:
            comp = misattached_that_clause(v.tok)
        if comp is None and v.lemma == "ask" and (_bare_participle(v.tok) or v.child("nsubj") is not None):
            # "Asked if he was ever bullied, ...": the question (not "X was asked if": X is asked, not asking)
            comp = next((c for c in v.children if c.dep_ == "advcl" and c.i > v.tok.i and any(
                m.dep_ == "mark" and m.lower_ in ("if", "whether") for m in c.children)), None)
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
        if v.lemma not in self.lex.speech_verbs:
            return None
        comp = self._clause_of(v)
        if comp is None:
            return None
        if v.lemma == "find" and not _finite_clause(comp):
            # "the survey found Clinton leading" is what a source shows; "found myself a student" is nothing
            return None if v.subj is not None and v.subj.lemma_.lower() in ctx.lex.source_nouns else []
        if v.lemma in QUOTE_ONLY and comp.i > v.tok.i and not _in_quote(ctx, comp.i) and \
                not any(c.dep_ == "mark" and c.lower_ == "that" for c in comp.children):
            return []  # '"...," he continued' and 'he continued that ...', not "continue what it called ..."
        if v.subj is not None and v.subj.lower_ in ("i", "we") and v.lemma in COGNITION and _in_quote(ctx, v.tok.i):
            return []  # "I think ..." inside a quote is the quoted speaker's own wording, not a new source
        if v.lemma in COGNITION and (_question(sent) or _hypothetical(v.tok)):
            return []  # "Do you think he can win?", "if people think ...", "you want to believe ...": no belief held
        who = v.speaker_tok if v.subj is not None else v.agent_obj
        rng = _with_more_said(v.tok, comp)
        if who is None:
            if any(c.dep_ in ("nsubjpass", "expl") for c in v.children) or _bare_participle(v.tok):
                return self._candidate(ctx, "speech_ccomp", rng, UNNAMED_SPEAKER, v.cue, sent)
            return []
        return self._candidate(ctx, "speech_ccomp", rng, speaker_of(ctx, who), v.cue, sent)

    def _speech_parataxis(self, ctx, v: Verb, sent):
        """"The plan, he said, will fail": the verb hangs loosely on the content's head."""
        t = v.tok
        if v.lemma not in self.lex.speech_verbs or t.dep_ != "parataxis" or v.subj is None or v.subj.head.i != t.i:
            return None
        return self._candidate(ctx, "speech_parataxis", subtree_range(t.head, [t]), speaker_of(ctx, v.speaker_tok), v.cue, sent)

    def _speech_quote(self, ctx, v: Verb, sent):
        """A reporting verb with no clause of its own beside a quote: '"Not even one," he said.',
        '"We will win." Tanner said.', 'Ruiz said, "Sure. We will cut it."' (the quote is the content)."""
        addressee = v.child("dobj") if v.lemma in ADDRESS_VERBS else None  # 'telling the crowd, "..."'
        to = v.child("xcomp")  # a quoted command the parser hangs on the verb is the quote: 'She said, "Go home."'
        if v.lemma not in self.lex.speech_verbs or v.subj is None or self._clause_of(v) is not None or \
                (to is not None and not _in_quote(ctx, to.i)) or (v.child("dobj") is not None and addressee is None):
            return None  # "Hailing it as a "breakthrough," Putin emphasized its significance": not the quote
        spk = speaker_of(ctx, v.speaker_tok)
        if spk is None:
            return None
        lo, hi = v.tok.i, v.tok.i + 1
        if v.subj.head.i == v.tok.i:
            lo, hi = min(lo, v.subj.left_edge.i), max(hi, v.subj.right_edge.i + 1)
        if addressee is not None:
            hi = max(hi, addressee.right_edge.i + 1)
        quote = quote_of_attribution(ctx, lo, hi, v.cue)
        if quote is None or (to is not None and not quote.start <= to.left_edge.i < quote.end):
            return None  # the quoted command must be the quote, all of it: not 'vowed to "fight on"'
        return self._candidate(ctx, "speech_quote", (quote.start, quote.end), spk, v.cue, sent, gloss=False)

    def _expected_to(self, ctx, v: Verb, sent):
        """"Trump is expected to win", "X is said to be ill": a belief nobody is named for (UNNAMED);
        the content is the whole clause, its subject included."""
        if v.lemma not in PASSIVE_BELIEF or not any(c.dep_ == "auxpass" for c in v.children) or v.agent_obj is not None:
            return None
        subj = v.child("nsubjpass")
        to = v.child("xcomp")
        if subj is None or to is None or subj.lower_ in ("it", "this", "that"):
            return None
        return self._candidate(ctx, "expected_to", (subj.left_edge.i, to.right_edge.i + 1), UNNAMED_SPEAKER, v.cue, sent)

    def _speech_act(self, ctx, v: Verb, sent):
        """A speech act whose content is what follows it: its object, an infinitive, a for/on/as
        phrase ("denied targeting civilians", "welcomed the decision", "urged X to stop ...",
        "called for an inquiry", "criticised X for Y", "official results showed X winning")."""
        if v.lemma not in self.lex.speech_act_verbs or v.subj is None or _negated(v.tok) or not _own_subject(v.tok):
            return None  # "to defend its sovereignty", "which had defended the law": no speech act of theirs
        if v.tok.tag_ == "VBN" and not any(c.dep_ == "aux" and c.lemma_ == "have" for c in v.children):
            return None  # "widely expected to be the top donor": a passive, its subject is no speaker
        if v.lemma in SHOW_VERBS and v.subj.lemma_.lower() not in ctx.lex.source_nouns:
            return None  # "the poll shows X", but "Ryan showed respect" is no claim
        dobj = v.child("dobj")
        parts = [c for c in v.children if c.dep_ in ("dobj", "xcomp", "ccomp", "oprd", "dative") or
                 (v.lemma in SHOW_VERBS and c.dep_ == "prep" and c.lower_ == "with") or  # "shows X with 47 percent"
                 (c.dep_ == "prep" and (c.lower_ in ACT_PREPS or (c.lower_ == "to" and v.lemma in TO_ACTS)) and not _temporal(ctx, c)) or
                 # "showed her challenger, Andrés Villegas, winning ...": the participle goes with the object
                 (c.dep_ == "advcl" and c.tag_ == "VBG" and dobj is not None and c.i > dobj.i) or
                 _for_to_clause(c) or  # "called for all candidates to publish ..."
                 (c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ in ("if", "whether") for m in c.children))]
        if v.lemma in ADDRESS_VERBS and not any(c.dep_ in ("xcomp", "ccomp", "advcl") or
                                                (c.dep_ == "prep" and c.lower_ in ("for", "about")) for c in parts):
            return []  # "asked the students", "told reporters": whom, not what
        if v.lemma == "call" and not any(c.dep_ == "prep" and c.lower_ in ("for", "on") or _for_to_clause(c)
                                         for c in parts):
            return None  # "called" alone is describing ("called it a disgrace"), not a speech act
        if not parts or (dobj is not None and dobj.pos_ == "PRON" and dobj.n_lefts + dobj.n_rights == 0 and len(parts) == 1):
            return []
        start, end = min(c.left_edge.i for c in parts), max(c.right_edge.i for c in parts) + 1
        if start < v.tok.i:
            return []
        if ctx.toks[start].dep_ in ("prep", "mark") and ctx.toks[start].lower_ in ACT_PREPS + ("to",) and end - start > 1:
            start += 1  # "called for an inquiry": what is called for is the inquiry
        end = _without_trailing_time(ctx, start, end)
        # "showed X winning ...": the participle is part of what is shown, not the author's gloss
        return self._candidate(ctx, "speech_act", (start, end), speaker_of(ctx, self._reporter(v)), v.cue, sent,
                               gloss=v.lemma not in SHOW_VERBS)

    def _reporter(self, v: Verb):
        """Who performs a speech act: its subject, but in "X said the plant would close, citing Y" the
        participle hangs on the reported clause and it is X who cites."""
        h = v.tok.head
        if v.tok.dep_ == "advcl" and v.tok.tag_ == "VBG" and h.dep_ == "ccomp" and \
                h.head.lemma_.lower() in self.lex.speech_verbs:
            return subject_token(h.head) or v.speaker_tok
        return v.speaker_tok

    def _broad(self, ctx, v: Verb, sent):
        """Any verb of believing, wanting or backing with a subject and a complement: "X wants to ...",
        "X knows that ...", "voters who supported Sanders" (for the rescorer only)."""
        if v.lemma not in self.lex.broad_verbs or v.subj is None or not _own_subject(v.tok) or _negated(v.tok):
            return None
        parts = [c for c in v.children if c.dep_ in ("dobj", "xcomp", "ccomp") or
                 (c.dep_ == "prep" and c.lower_ in ACT_PREPS and not _temporal(ctx, c))]
        if not parts:
            return []
        start, end = min(c.left_edge.i for c in parts), max(c.right_edge.i for c in parts) + 1
        if start < v.tok.i:
            return []
        return self._candidate(ctx, "broad", (start, end), speaker_of(ctx, v.speaker_tok), v.cue, sent)

    def _speech_colon(self, ctx, v: Verb, sent):
        """"X said:" — what X said follows the colon, in this sentence or as the quote after it."""
        if v.lemma not in self.lex.speech_verbs or v.subj is None or self._clause_of(v) is not None:
            return None
        doc = ctx.doc
        after = v.tok.right_edge.i + 1
        colon = next((k for k in range(v.tok.i + 1, min(after + 1, sent.end)) if doc[k].text == ":"), None)
        if colon is None:
            return None
        spk = speaker_of(ctx, v.speaker_tok)
        if colon + 1 < sent.end and any(not (t.is_punct or t.is_space) for t in doc[colon + 1:sent.end]):
            return self._candidate(ctx, "speech_colon", (colon + 1, sent.end), spk, v.cue, sent)
        follow = next((q for q in ctx.quotes if q.start > colon), None)
        if follow is None or follow.start - colon > 4:
            return []
        return self._candidate(ctx, "speech_colon", (follow.start, follow.end), spk, v.cue, sent)

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
        if len(c.fragments) > 1:
            attrs["fragments"] = [list(ctx.char_span(a, b)) for a, b in c.fragments]
        score = RULE_SCORE.get(c.rule, 0.6)
        if attrs.get("unresolved_pronoun"):
            score -= 0.2
        elif c.speaker.mention:
            score -= 0.1
        return Span(s, e, self.schema.claim.name, CLAIM, attrs), c.rule, round(score, 2)


def _is_that_clause(c) -> bool:
    if c.dep_ not in ("acl", "ccomp", "relcl", "appos") or c.pos_ not in ("VERB", "AUX"):
        return False
    mark = any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
    own_subj = any(m.dep_ in ("nsubj", "nsubjpass") and m.lower_ not in ("that", "which", "who") for m in c.children)
    return mark or (c.dep_ in ("acl", "ccomp") and own_subj)


def speaker_attrs(ctx: DocContext, spk: Speaker) -> dict:
    """The claim attributes that name its speaker: its span and text, the mention (pronoun or role
    noun) it was resolved from; a mention nobody could resolve is the speaker, flagged."""
    attrs: dict = {}
    actor = spk.actor
    if actor is None and spk.mention:
        actor = Actor(spk.mention[0], spk.mention[1], "", "")
        attrs["unresolved_pronoun"] = True
    if actor is None:
        return {"speaker": UNNAMED, "speaker_text": ""}
    s, e = ctx.char_span(actor.start, actor.end)
    attrs["speaker"] = {"start": s, "end": e, "label": actor.label}
    attrs["speaker_text"] = ctx.text_of(actor.start, actor.end)
    if spk.mention:
        ps, pe = ctx.char_span(*spk.mention)
        attrs["speaker_mention"] = {"start": ps, "end": pe, "label": ""}
        if spk.actor is not None:
            attrs["speaker_resolved_from"] = ctx.text_of(*spk.mention)
    return attrs


def _with_more_said(verb, comp) -> tuple[int, int]:
    """The content's token range, going on through what the parser hung on the reporting verb after it that
    the verb says too: a second clause ("said the inquiry had nothing to do with X, had begun after Y") or
    one that "but that" / "and that" joins ("said the state needs nurses, but that she would not ...")."""
    start, end = subtree_range(comp)
    for c in verb.children:
        if c.i > comp.i and (c.dep_ == "ccomp" or c.dep_ == "conj" and any(
                m.dep_ == "mark" and m.lower_ == "that" for m in c.children)):
            end = max(end, c.right_edge.i + 1)
    return start, end


def _in_quote(ctx: DocContext, i: int) -> bool:
    return any(q.start <= i < q.end for q in ctx.quotes)


def _own_subject(t) -> bool:
    """The verb has a subject of its own (not a relative pronoun), or shares its coordinated verb's."""
    subj = next((c for c in t.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is not None:
        return subj.lower_ not in ("who", "which", "that")
    return t.dep_ == "conj" or (t.dep_ == "advcl" and t.tag_ == "VBG")  # "..., asking them to stay away"


def _bare_participle(t) -> bool:
    """"(When) asked whether ..., X said": the asker is nobody named, and X is who was asked."""
    fronted = t.tag_ == "VBD" and t.i < t.head.i  # "Asked what ..., X replied": tagged as a past tense
    return (t.tag_ == "VBN" or fronted) and t.dep_ == "advcl" and not any(
        c.dep_ in ("nsubj", "nsubjpass", "agent") for c in t.children)


def _finite_clause(comp) -> bool:
    """A clause with "that" or a tensed verb and a subject that is not a reflexive ("found that X won")."""
    subj = next((c for c in comp.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if any(c.dep_ == "mark" and c.lower_ == "that" for c in comp.children):
        return True
    tensed = comp.tag_ in ("VBD", "VBZ", "VBP") or any(c.dep_ == "aux" and c.tag_ in ("MD", "VBD", "VBZ", "VBP")
                                                      for c in comp.children)
    return tensed and subj is not None and not subj.lower_.endswith(("self", "selves"))


def _hypothetical(t) -> bool:
    """"if people think ...", "anybody who thinks ...", "want to believe ...": a belief nobody holds here."""
    if t.dep_ == "xcomp" or any(c.dep_ == "mark" and c.lower_ in ("if", "unless", "whether") for c in t.children):
        return True
    return t.dep_ == "relcl" and t.head.lower_ in ("anybody", "anyone", "everybody", "everyone", "whoever", "those")


def _question(sent) -> bool:
    return any(t.text == "?" for t in sent[-3:])


def _without_echoes(ctx: DocContext, found: list[ClaimCandidate]) -> list[ClaimCandidate]:
    """Drop "he thinks ..." inside what the same speaker is said to say ("Dayton said he thinks
    Clinton would win" is one claim of Dayton's, not two; "TAPPER: ... I think ..." is Tapper's
    turn): a belief whose subject is a pronoun, nested in another claim's content."""
    def echo(c):
        cue = ctx.toks[c.cue[0]]
        subj = next((t for t in cue.children if t.dep_ == "nsubj"), None)
        if cue.lemma_.lower() not in COGNITION or subj is None or \
                subj.lower_ not in ("he", "she", "they", "we", "i"):
            return False
        return any(o is not c and o.start <= cue.i < o.end and not (o.start <= c.start and c.end <= o.end and
                   o.cue == c.cue) for o in found)
    return [c for c in found if not echo(c)]


def _for_to_clause(c) -> bool:
    """"for X to V" parsed as a clause marked by "for" ("called for the county to act")."""
    return c.dep_ == "advcl" and any(m.dep_ == "mark" and m.lower_ == "for" for m in c.children)


def _negated(t) -> bool:
    return any(c.dep_ == "neg" for c in t.children)


TIME_WORDS = {"morning", "afternoon", "evening", "night", "day", "week", "weekend", "month", "year", "monday",
              "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday", "today", "tonight"}


def _temporal(ctx: DocContext, prep) -> bool:
    """"on Sunday night", "on Tuesday": a time, not what the speech act is about."""
    obj = next((o for o in prep.children if o.dep_ == "pobj"), None)
    if obj is None:
        return False
    return obj.lower_ in TIME_WORDS or any(t.ent_type_ in ("DATE", "TIME") for t in obj.subtree)


def _without_trailing_time(ctx: DocContext, start: int, end: int) -> int:
    """Cut "on Sunday night" off the end of a speech act's content ("conceded defeat on Sunday night")."""
    toks = ctx.toks
    for k in range(end - 1, start, -1):
        t = toks[k]
        if t.dep_ == "prep" and t.right_edge.i >= end - 1 and _temporal(ctx, t):
            return k
    return end


