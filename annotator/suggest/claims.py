"""Claims: attribution rules on the dependency parse, and AUTHOR claims with check-worthiness.

Rules (the ``rule`` recorded with each suggestion):
- ``speech_ccomp``: a reporting verb with a clausal complement, "X said (that) ...",
  "..., the minister said" (also ``speech_parataxis`` when the parser attaches it loosely);
- ``according_to``: "..., according to X";
- ``describe_as``: "... was described by X as ...", "X called Y Z", "Hailing Y as ..., X ...";
- ``accuse_of``: "X accused Y of ..." (the stances suggester adds X AGAINST Y);
- ``nominal_cue``: "accusations from X that ...", "claims by X that ...";
- ``speech_act_np``: a speech act with a noun-phrase object, "X reaffirmed its support";
- ``author``: a sentence the article asserts in its own voice with checkable facts.
Speakers are actors (PERSON/ORG/GPE/NORP entities, actor nouns such as "analysts", or a
pronoun resolved to the nearest preceding compatible actor; unresolved pronouns give
speaker UNNAMED with ``unresolved_pronoun: true``). Content spans stop before the author's
gloss ("— an allegation that ...", ", reflecting ...").
"""

from __future__ import annotations

from annotator.model import AUTHOR, CLAIM, UNNAMED, Span
from annotator.suggest.common import (
    ACTOR_LABELS,
    DASHES,
    PRONOUNS,
    Actor,
    DocContext,
    subtree_range,
    trim,
)

RULES_VERSION = "1"
SUBJ = ("nsubj",)
PRIORITY = {"speech_final": 4, "describe_as": 6, "passive_agent": 6, "accuse_of": 5, "speech_ccomp": 4, "speech_parataxis": 4,
            "nominal_cue": 3, "speech_act_np": 2, "according_to": 1}
RULE_SCORE = {"speech_final": 0.7, "speech_ccomp": 0.85, "speech_parataxis": 0.7, "according_to": 0.85, "describe_as": 0.75,
              "passive_agent": 0.75, "accuse_of": 0.8, "nominal_cue": 0.7, "speech_act_np": 0.55}
MODAL_HEDGES = {"may", "might", "could", "would"}
NUMBER_LABELS = {"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}
DATE_LABELS = {"DATE", "TIME"}
SOURCE_NOUNS = {"figure", "data", "report", "statement", "study", "survey", "poll", "document", "estimate",
                "number", "statistic", "record", "filing", "analysis"}
SENT_END = {".", "!", "?", "”", '"', "’", "'", "…", ")"}


# --- actors ------------------------------------------------------------------------------

def resolve_pronoun(ctx: DocContext, tok, sent_starts: list[int]) -> Actor | None:
    """The nearest preceding compatible actor entity within the last three sentences."""
    kind = PRONOUNS.get(tok.lower_)
    if kind is None:
        return None
    import bisect

    k = bisect.bisect_right(sent_starts, tok.i) - 1
    window_start = sent_starts[max(0, k - 3)] if sent_starts else 0
    for (s, e, label, model_label) in reversed(ctx.ent_tokens):
        if e > tok.i or s < window_start:
            if s < window_start:
                break
            continue
        if kind in "mf" and model_label == "PERSON":
            return Actor(s, e, label, model_label)
        if kind == "n" and model_label in ("ORG", "GPE"):
            return Actor(s, e, label, model_label)
        if kind == "p" and model_label in ("ORG", "GPE", "NORP"):
            return Actor(s, e, label, model_label, plural=True)
    return None


def actor_np(ctx: DocContext, tok, *, allow_any: bool = False) -> Actor | None:
    """The actor a token heads: an entity, an actor noun phrase (with coordination), or None."""
    doc = ctx.doc
    lex = ctx.lex
    if tok.pos_ == "PRON" or tok.lower_ in PRONOUNS:
        return None  # pronouns are resolved by the caller
    ent = ctx.entity_of(tok.i)
    actor = None
    if ent and ent[3] in ACTOR_LABELS:
        actor = Actor(ent[0], ent[1], ent[2], ent[3])
    else:
        for c in tok.children:
            if c.dep_ == "appos":
                e2 = ctx.entity_of(c.i)
                if e2 and e2[3] in ACTOR_LABELS:
                    actor = Actor(e2[0], e2[1], e2[2], e2[3])
                    break
        if actor is None and tok.pos_ == "PROPN" and not ent and tok.dep_ in ("nsubj", "pobj", "poss") \
                and tok.text[:1].isupper():
            start = tok.i
            while start > tok.left_edge.i and doc[start - 1].dep_ == "compound" and doc[start - 1].pos_ == "PROPN":
                start -= 1
            actor = Actor(start, tok.i + 1, "", "")
        if actor is None and tok.pos_ in ("NOUN", "PROPN"):
            lemma = tok.lemma_.lower()
            named_part = any(ctx.is_actor_entity(c.i) for c in tok.children if c.dep_ in ("compound", "poss", "amod"))
            if lemma in lex.actor_nouns or tok.lower_ in lex.actor_nouns or named_part or allow_any \
                    or lex.canonical(tok.text) in lex.aliases.values() or tok.lower_ in lex.aliases:
                start = tok.left_edge.i
                # stop the phrase at the head (no relative clauses, prepositions)
                while start < tok.i and (doc[start].is_punct or doc[start].dep_ == "prep"):
                    start += 1
                end = tok.i + 1
                if ent:
                    end = max(end, ent[1])
                label = ent[2] if ent else ""
                actor = Actor(start, end, label, ent[3] if ent else "", plural=tok.tag_ in ("NNS", "NNPS"))
    if actor is None:
        return None
    return actor


def conjuncts(tok) -> list:
    out = [tok]
    for c in tok.children:
        if c.dep_ == "conj":
            out.extend(conjuncts(c))
    return out


def speaker_of(ctx: DocContext, tok, sent_starts) -> dict | None:
    """Speaker info for a subject/agent token: {'actor': Actor | None, 'pronoun': (s, e) | None}.

    None when the token is not an actor (e.g. "the data"), so no claim is made.
    """
    if tok.lower_ in ("who", "which", "that") and tok.head.dep_ == "relcl":
        tok = tok.head.head
    if tok.pos_ in ("NOUN",) and not ctx.is_actor_entity(tok.i) and (
            tok.lemma_.lower() in SOURCE_NOUNS or tok.lemma_.lower() not in ctx.lex.actor_nouns):
        # "figures from Eurostat", "a report by the ministry": the actor behind a source noun
        for c in tok.children:
            if c.dep_ == "prep" and c.lower_ in ("from", "by", "of"):
                obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                if obj is not None and ctx.is_actor_entity(obj.i):
                    tok = obj
                    break
    if tok.pos_ == "PRON" or tok.lower_ in PRONOUNS:
        if tok.lower_ not in PRONOUNS:
            return None
        return {"actor": resolve_pronoun(ctx, tok, sent_starts), "pronoun": (tok.i, tok.i + 1)}
    parts = [a for a in (actor_np(ctx, c) for c in conjuncts(tok)) if a is not None]
    if not parts:
        return None
    first, last = parts[0], parts[-1]
    if len(parts) == 1:
        return {"actor": first, "pronoun": None}
    return {"actor": Actor(first.start, last.end, first.label if first.label == last.label else "",
                           first.model_label, plural=True), "pronoun": None, "parts": parts}


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


# --- content -------------------------------------------------------------------------------

def cut_gloss(ctx: DocContext, start: int, end: int) -> int:
    """End of the speaker's content: before "— an allegation that ..." or ", reflecting ..."."""
    doc = ctx.doc
    lex = ctx.lex
    for k in range(start + 1, end):
        t = doc[k]
        if t.dep_ == "cc" and k + 1 < end and misattached_conj(doc[k + 1]):
            return k
        if t.text in ("”", '"') and k + 2 < end and doc[k + 1].dep_ == "cc" and doc[k + 2].dep_ == "conj" \
                and doc[k + 2].pos_ == "VERB" and not any(c.dep_ == "nsubj" for c in doc[k + 2].children):
            return k + 1
        if t.text in DASHES and k + 1 < end:
            nxt = doc[k + 1]
            nxt2 = doc[k + 2] if k + 2 < end else nxt
            if nxt.dep_ == "appos" or nxt2.dep_ == "appos" or nxt.lemma_.lower() in lex.gloss_nouns \
                    or nxt2.lemma_.lower() in lex.gloss_nouns:
                return k
        if t.text == "," and k + 1 < end:
            nxt = doc[k + 1]
            if nxt.tag_ == "VBG" and nxt.dep_ in ("advcl", "acl", "xcomp") and nxt.head.i < k:
                return k
            if nxt.lower_ == "which" and nxt.head.dep_ == "relcl" and nxt.head.head.i < k \
                    and nxt.head.head.dep_ not in ("pobj", "dobj", "attr", "nsubj"):
                return k
    return end


def hedged(ctx: DocContext, start: int, end: int, sentence=None) -> bool:
    doc = ctx.doc
    lex = ctx.lex
    toks = ctx.toks
    for k in range(start, end):
        t = toks[k]
        low = t.lower_
        if low in ("about", "around", "some", "nearly", "roughly", "approximately") and (low == "about" or low in lex.hedges):
            if k + 1 < len(doc) and (doc[k + 1].like_num or doc[k + 1].ent_type_ in NUMBER_LABELS):
                return True
            continue
        if low in lex.hedges or t.lemma_.lower() in lex.hedges:
            if low in ("some", "around", "nearly", "roughly", "approximately"):
                continue
            if low in ("may", "might", "could", "would") and t.tag_ != "MD":
                continue  # the month of May
            return True
    text = (sentence.text if sentence is not None else doc[start:end].text).lower()
    return any(p in text for p in lex.hedge_phrases if p.strip() not in ("about", "more than", "up to", "as many as", "as much as")) \
        or any(p in doc[start:end].text.lower() and _number_after(doc[start:end].text.lower(), p)
               for p in ("about ", "up to", "as many as", "as much as", "more than"))


def _number_after(text: str, phrase: str) -> bool:
    i = text.find(phrase)
    rest = text[i + len(phrase):].lstrip()
    return bool(rest) and (rest[0].isdigit() or rest.split(" ")[0] in ("one", "two", "three", "a", "half", "dozens"))


def facts(ctx: DocContext, start: int, end: int) -> dict:
    lex = ctx.lex
    nums = dates = named = 0
    seen = set()
    for k in range(start, end):
        e = ctx.ent_at.get(k)
        if e is not None and e not in seen:
            seen.add(e)
            ml = ctx.ent_tokens[e][3]
            if ml in NUMBER_LABELS:
                nums += 1
            elif ml in DATE_LABELS:
                dates += 1
            elif ml in ACTOR_LABELS or ml in ("LAW", "EVENT", "FAC", "LOC"):
                named += 1
        elif ctx.toks[k].like_num and ctx.toks[k].pos_ == "NUM":
            nums += 1
    toks = ctx.toks[start:end]
    past_event = any(t.lemma_.lower() in lex.event_verbs and t.tag_ in ("VBD", "VBN") for t in toks)
    past_main = any(t.tag_ == "VBD" and t.dep_ in ("ROOT", "conj", "ccomp", "relcl") for t in toks)
    rule = any(t.lemma_.lower() in lex.rule_words and t.pos_ == "VERB" for t in toks)
    rule_noun = any(t.lemma_.lower() in lex.rule_words and t.pos_ in ("NOUN", "PROPN") for t in toks)
    causal = any(t.lemma_.lower() in lex.causal_words for t in toks)
    actor_past = any(t.tag_ == "VBD" and t.dep_ in ("ROOT", "conj") and any(
        c.dep_ == "nsubj" and (ctx.is_actor_entity(c.i) or any(ctx.is_actor_entity(m.i) for m in c.children
                                                                  if m.dep_ in ("compound", "poss", "appos")))
        for c in t.children) for t in toks)
    modal = [t.lower_ for t in toks if t.tag_ == "MD"]
    future = any(m in ("will", "'ll", "shall") for m in modal) or any(t.lower_ in ("expected", "forecast", "projected") for t in toks)
    opinion = sum(t.lower_ in lex.opinion_words for t in toks)
    return {"nums": nums, "dates": dates, "named": named, "past_event": past_event or actor_past,
            "past_main": past_main,
            "rule": rule, "rule_noun": rule_noun, "causal": causal, "modal": bool(modal), "future": future,
            "opinion": opinion}


def claim_type(f: dict) -> str:
    if f["nums"]:
        return "quantity"
    if f["rule"]:
        return "rule"
    if f["causal"]:
        return "causal"
    if f["future"] or (f["modal"] and not f["past_event"]):
        return "prediction"
    if f["past_event"] or f["dates"] or f["past_main"]:
        return "event"
    if f["rule_noun"]:
        return "rule"
    if f["opinion"]:
        return "opinion"
    return "other"


def checkworthiness(f: dict) -> float:
    score = 0.2
    score += 0.25 if f["nums"] else 0.0
    score += 0.15 if f["dates"] else 0.0
    score += 0.25 if f["past_event"] else (0.1 if f["past_main"] else 0.0)
    score += 0.3 if f["rule"] else 0.0
    score += 0.05 * min(3, f["named"])
    if f["modal"] and not f["nums"] and not f["dates"]:
        score -= 0.2
    if f["opinion"] and not (f["nums"] or f["dates"] or f["past_event"]):
        score -= 0.1
    return round(max(0.0, min(1.0, score)), 2)


# --- the suggester ---------------------------------------------------------------------------

class ClaimSuggester:
    name = "claims"
    produces = (CLAIM,)

    def __init__(self, schema, lex, author_threshold: float = 0.5):
        self.schema = schema
        self.lex = lex
        self.author_threshold = author_threshold
        self.version = f"{RULES_VERSION}:{lex.digest}"

    def suggest(self, ctx: DocContext) -> list:
        doc = ctx.doc
        lex = self.lex
        sents = list(doc.sents)
        sent_starts = [s.start for s in sents]
        cands: list[dict] = []

        def add(rule, content, speaker, cue, sent, **extra):
            s, e = trim(doc, *content)
            if e <= s:
                return
            e = cut_gloss(ctx, s, e)
            s, e = trim(doc, s, e)
            if e - s < 2:
                return
            cands.append({"rule": rule, "start": s, "end": e, "speaker": speaker, "cue": cue, "sent": sent, **extra})

        for sent in sents:
            for t in sent:
                lemma = t.lemma_.lower()
                low = t.lower_
                # according to X
                if low == "according":
                    to = next((c for c in t.children if c.lower_ == "to"), None)
                    obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
                    if obj is not None:
                        spk = speaker_of(ctx, obj, sent_starts)
                        if spk is None:
                            a = actor_np(ctx, obj, allow_any=True)
                            spk = {"actor": a, "pronoun": None} if a else None
                        h = t.head
                        if h.i == t.i or h.pos_ not in ("VERB", "AUX"):
                            rng = (sent.start, sent.end)
                        else:
                            rng = subtree_range(h)
                        rng = _exclude(rng, (t.left_edge.i, t.right_edge.i + 1))
                        if spk is not None:
                            add("according_to", rng, spk, (t.i, (to.i + 1)), sent)
                    continue
                if t.pos_ not in ("VERB", "AUX", "NOUN"):
                    continue
                if t.pos_ == "NOUN":
                    if lemma in lex.nominal_cues:
                        self._nominal(ctx, t, sent, sent_starts, add)
                    continue
                children = list(t.children)
                agent = next((c for c in children if c.dep_ == "agent"), None)
                agent_obj = next((c for c in agent.children if c.dep_ == "pobj"), None) if agent is not None else None
                subj = subject_token(t)
                # ... described by X as ...; X called Y Z; Hailing Y as ..., X
                if lemma in lex.describe_verbs:
                    as_prep = next((c for c in children if c.dep_ in ("prep", "oprd", "xcomp", "advcl") and
                                    (c.lower_ == "as" or c.dep_ == "oprd")), None)
                    if as_prep is not None:
                        if agent_obj is not None:
                            spk = speaker_of(ctx, agent_obj, sent_starts)
                            excl = [c for c in children if c.lower_ == "according" or
                                    (c.dep_ in ("advcl",) and c.i > as_prep.i)]
                            rng = subtree_range(t, excl)
                            if spk:
                                add("describe_as", rng, spk, (t.i, t.i + 1), sent)
                            continue
                        dobj = next((c for c in children if c.dep_ == "dobj"), None)
                        if dobj is not None and subj is not None:
                            spk = speaker_of(ctx, subj, sent_starts)
                            if spk:
                                add("describe_as", (dobj.left_edge.i, as_prep.right_edge.i + 1), spk, (t.i, t.i + 1), sent)
                            continue
                if lemma not in lex.speech_verbs and lemma not in lex.speech_act_verbs:
                    continue
                # X accused Y of ...
                if lemma in ("accuse", "blame"):
                    objs = [c for c in children if c.dep_ in ("dobj", "nsubjpass")]
                    dobj = objs[0] if objs else None
                    of = next((c for c in children if c.dep_ == "prep" and c.lower_ in ("of", "for")), None)
                    for o in objs:
                        if of is None:
                            of = next((c for c in o.children if c.dep_ == "prep" and c.lower_ in ("of", "for")), None)
                    who = agent_obj if agent_obj is not None else subj
                    if dobj is not None and of is not None and who is not None:
                        spk = speaker_of(ctx, who, sent_starts)
                        if spk:
                            add("accuse_of", (min(dobj.left_edge.i, of.left_edge.i), of.right_edge.i + 1), spk,
                                (t.i, t.i + 1), sent, accused=(dobj.i,))
                        continue
                comp = next((c for c in children if c.dep_ == "ccomp"), None)
                if comp is None and lemma in lex.speech_verbs:
                    comp = _misattached_that_clause(t)
                if comp is None and lemma in lex.speech_verbs and not any(c.dep_ == "dobj" for c in children):
                    if self._speech_final(ctx, t, sent, sent_starts, add):
                        continue
                if lemma in lex.speech_verbs and comp is not None:
                    who = subj if subj is not None else agent_obj
                    if who is None:
                        if any(c.dep_ in ("nsubjpass", "expl") for c in children):
                            add("speech_ccomp", subtree_range(comp), {"actor": None, "pronoun": None, "unnamed": True},
                                (t.i, t.i + 1), sent)
                        continue
                    spk = speaker_of(ctx, who, sent_starts)
                    if spk:
                        add("speech_ccomp", subtree_range(comp), spk, (t.i, t.i + 1), sent)
                    continue
                if lemma in lex.speech_verbs and t.dep_ == "parataxis" and subj is not None and subj.head is t:
                    spk = speaker_of(ctx, subj, sent_starts)
                    if spk:
                        h = t.head
                        add("speech_parataxis", subtree_range(h, [t]), spk, (t.i, t.i + 1), sent)
                    continue
                if lemma in lex.speech_act_verbs:
                    dobj = next((c for c in children if c.dep_ == "dobj"), None)
                    if dobj is not None and subj is not None and not (dobj.pos_ == "PRON" and dobj.n_lefts + dobj.n_rights == 0):
                        spk = speaker_of(ctx, subj, sent_starts)
                        if spk:
                            add("speech_act_np", subtree_range(dobj), spk, (t.i, t.i + 1), sent)

        chosen = self._resolve(cands)
        out = []
        claim_sents = {}
        for c in chosen:
            claim_sents.setdefault(c["sent"].start, []).append(c)
            out.append(self._make(ctx, c))
        for sent in sents:
            for rng in self._author_ranges(ctx, sent, claim_sents.get(sent.start, [])):
                made = self._author(ctx, sent, rng)
                if made is not None:
                    out.append(made)
        out.sort(key=lambda p: (p[0].start, p[0].end))
        ctx.claims = [p[0] for p in out]
        return out

    # --- rules needing more room ---------------------------------------------------------

    def _nominal(self, ctx, t, sent, sent_starts, add) -> None:
        clause = None
        for c in t.children:
            if c.dep_ in ("acl", "ccomp", "relcl", "appos") and c.pos_ in ("VERB", "AUX"):
                mark = any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
                own_subj = any(m.dep_ in ("nsubj", "nsubjpass") and m.lower_ not in ("that", "which", "who")
                               for m in c.children)
                if mark or (c.dep_ in ("acl", "ccomp") and own_subj):
                    clause = c
                    break
        if clause is None:
            return
        spk = None
        for c in t.children:
            if c.dep_ == "prep" and c.lower_ in ("from", "by"):
                obj = next((o for o in c.children if o.dep_ == "pobj"), None)
                if obj is not None:
                    spk = speaker_of(ctx, obj, sent_starts)
            elif c.dep_ == "poss":
                spk = speaker_of(ctx, c, sent_starts)
            if spk:
                break
        if spk is None:
            spk = {"actor": None, "pronoun": None, "unnamed": True}
        add("nominal_cue", subtree_range(clause), spk, (t.i, t.i + 1), sent)

    def _speech_final(self, ctx, t, sent, sent_starts, add) -> bool:
        """"..., the electoral commission announced on Monday." parsed as a clause on a noun."""
        doc = ctx.doc
        if t.dep_ in ("acl", "relcl") and t.head.pos_ in ("NOUN", "PROPN"):
            subj = t.head
        else:
            subj = next((c for c in t.children if c.dep_ == "nsubj"), None)
            if subj is None or t.dep_ not in ("parataxis", "conj", "advcl", "ccomp"):
                return False
        last = t.right_edge.i
        while last + 1 < sent.end and (doc[last + 1].is_punct or doc[last + 1].is_space):
            last += 1
        if last + 1 < sent.end:
            return False
        np_start = subj.left_edge.i
        comma = np_start - 1
        if comma <= sent.start or doc[comma].text != ",":
            return False
        spk = speaker_of(ctx, subj, sent_starts) if t.dep_ not in ("acl", "relcl") else None
        if spk is None:
            a = actor_np(ctx, subj)
            if a is None:
                return False
            a.start = max(a.start, np_start)
            spk = {"actor": a, "pronoun": None}
        add("speech_final", (sent.start, comma), spk, (t.i, t.i + 1), sent)
        return True

    @staticmethod
    def _resolve(cands: list[dict]) -> list[dict]:
        """Keep one claim where candidates overlap (IoU >= 0.5): the more specific rule wins."""
        cands.sort(key=lambda c: (-PRIORITY.get(c["rule"], 0), c["start"]))
        kept: list[dict] = []
        for c in cands:
            clash = None
            for k in kept:
                inter = min(c["end"], k["end"]) - max(c["start"], k["start"])
                union = max(c["end"], k["end"]) - min(c["start"], k["start"])
                if inter > 0 and inter / union >= 0.5:
                    clash = k
                    break
            if clash is None:
                kept.append(c)
            elif c["rule"] == "according_to" and c["speaker"].get("actor") is not None:
                clash["via"] = c["speaker"]["actor"]
        return kept

    # --- building values ---------------------------------------------------------------------

    def _speaker_attrs(self, ctx: DocContext, spk: dict) -> dict:
        actor = spk.get("actor")
        attrs: dict = {}
        if actor is not None:
            s, e = ctx.char_span(actor.start, actor.end)
            attrs["speaker"] = {"start": s, "end": e, "label": actor.label}
            attrs["speaker_text"] = ctx.text_of(actor.start, actor.end)
            if spk.get("pronoun"):
                ps, pe = ctx.char_span(*spk["pronoun"])
                attrs["speaker_mention"] = {"start": ps, "end": pe, "label": ""}
                attrs["speaker_resolved_from"] = ctx.text_of(*spk["pronoun"])
        else:
            attrs["speaker"] = UNNAMED
            if spk.get("pronoun"):
                attrs["speaker_text"] = ctx.text_of(*spk["pronoun"])
                attrs["unresolved_pronoun"] = True
                ps, pe = ctx.char_span(*spk["pronoun"])
                attrs["speaker_mention"] = {"start": ps, "end": pe, "label": ""}
            else:
                attrs["speaker_text"] = ""
        return attrs

    def _make(self, ctx: DocContext, c: dict):
        s, e = ctx.char_span(c["start"], c["end"])
        f = facts(ctx, c["start"], c["end"])
        attrs = self._speaker_attrs(ctx, c["speaker"])
        attrs["cue"] = ctx.text_of(*c["cue"])
        attrs["claim_type"] = "opinion" if c["rule"] in ("describe_as",) and not f["nums"] else claim_type(f)
        attrs["checkworthy"] = round(min(1.0, 0.15 + checkworthiness(f)), 2)
        attrs["hedged"] = hedged(ctx, c["start"], c["end"])
        if c.get("via") is not None:
            v = c["via"]
            vs, ve = ctx.char_span(v.start, v.end)
            attrs["via"] = {"start": vs, "end": ve, "label": v.label}
            attrs["via_text"] = ctx.text_of(v.start, v.end)
        score = RULE_SCORE.get(c["rule"], 0.6)
        if attrs.get("unresolved_pronoun"):
            score -= 0.2
        elif c["speaker"].get("pronoun"):
            score -= 0.1
        ctx.claim_info.append({"start": c["start"], "end": c["end"], "rule": c["rule"], "speaker": c["speaker"],
                               "cue": c["cue"], "accused": c.get("accused")})
        return Span(s, e, self.schema.claim.name, CLAIM, attrs), c["rule"], round(score, 2)

    def _author_ranges(self, ctx: DocContext, sent, claims: list[dict]) -> list[tuple[int, int]]:
        doc = ctx.doc
        s, e = trim(doc, sent.start, sent.end)
        if e <= s:
            return []
        end_tok = sent.end - 1
        while end_tok > sent.start and doc[end_tok].is_space:
            end_tok -= 1
        if doc[end_tok].text not in SENT_END:
            return []  # a headline or caption, not a sentence
        if not claims:
            return [(s, e)]
        # the author's main clause before an attributed clause: "X visited Y, where Z reaffirmed ..."
        first = min(min(c["start"], c["cue"][0]) for c in claims)
        cue_tok = doc[min(c["cue"][0] for c in claims)]
        root = sent.root
        if cue_tok.i != root.i and root.i < first and cue_tok.dep_ in ("relcl", "advcl", "conj") \
                and cue_tok.head.i != cue_tok.i:
            a, b = trim(doc, s, cue_tok.left_edge.i)
            if b - a >= 4:
                return [(a, b)]
        return []

    def _author(self, ctx: DocContext, sent, rng):
        doc = ctx.doc
        a, b = rng
        if not any(t.pos_ in ("VERB", "AUX") for t in doc[a:b]):
            return None
        f = facts(ctx, a, b)
        score = checkworthiness(f)
        if score < self.author_threshold:
            return None
        s, e = ctx.char_span(a, b)
        attrs = {"speaker": AUTHOR, "speaker_text": "", "cue": "", "claim_type": claim_type(f),
                 "checkworthy": score, "hedged": hedged(ctx, a, b, sent)}
        ctx.claim_info.append({"start": a, "end": b, "rule": "author", "speaker": {"actor": None}, "cue": None})
        return Span(s, e, self.schema.claim.name, CLAIM, attrs), "author", score


def _misattached_that_clause(verb):
    """"X told supporters in the capital that ...": the parser hangs the that-clause on "capital"."""
    for c in verb.children:
        if c.dep_ in ("prep", "dobj"):
            for d in c.subtree:
                if d.dep_ in ("relcl", "acl") and d.left_edge.lower_ == "that" and d.left_edge.dep_ in ("dobj", "mark", "nsubj"):
                    if any(m.dep_ == "nsubj" and m.lower_ != "that" for m in d.children):
                        return d
    return None


def _exclude(rng: tuple[int, int], cut: tuple[int, int]) -> tuple[int, int]:
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
