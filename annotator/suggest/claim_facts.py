"""What kind of claim a content span is: the facts in it, its type, check-worthiness and hedges."""

from __future__ import annotations

from dataclasses import dataclass

from annotator.suggest.common import DocContext

NUMBER_LABELS = {"CARDINAL", "MONEY", "PERCENT", "QUANTITY"}
DATE_LABELS = {"DATE", "TIME"}
NAMED_LABELS = {"LAW", "EVENT", "FAC", "LOC"}  # besides the actors
APPROXIMATORS = ("about ", "up to", "as many as", "as much as", "more than")  # hedges only before a number


@dataclass(frozen=True)
class Facts:
    nums: int
    dates: int
    named: int
    past_event: bool
    past_main: bool
    rule: bool
    rule_noun: bool
    causal: bool
    modal: bool
    future: bool
    opinion: int


def facts(ctx: DocContext, start: int, end: int) -> Facts:
    """Count what makes a token range checkable: numbers, dates, names, past events, rules."""
    lex = ctx.lex
    nums, dates, named = _entity_counts(ctx, start, end)
    toks = ctx.toks[start:end]
    past_event = any(t.lemma_.lower() in lex.event_verbs and t.tag_ in ("VBD", "VBN") for t in toks)
    past_main = any(t.tag_ == "VBD" and t.dep_ in ("ROOT", "conj", "ccomp", "relcl") for t in toks)
    actor_past = any(t.tag_ == "VBD" and t.dep_ in ("ROOT", "conj") and any(
        c.dep_ == "nsubj" and (ctx.ents.is_actor(c.i) or any(ctx.ents.is_actor(m.i) for m in c.children
                                                             if m.dep_ in ("compound", "poss", "appos")))
        for c in t.children) for t in toks)
    modal = [t.lower_ for t in toks if t.tag_ == "MD"]
    future = any(m in ("will", "'ll", "shall") for m in modal) or any(
        t.lower_ in ("expected", "forecast", "projected") for t in toks)
    return Facts(
        nums=nums, dates=dates, named=named, past_event=past_event or actor_past, past_main=past_main,
        rule=any(t.lemma_.lower() in lex.rule_words and t.pos_ in ("VERB", "ADJ") for t in toks),
        rule_noun=any(t.lemma_.lower() in lex.rule_words and t.pos_ in ("NOUN", "PROPN") for t in toks),
        causal=any(t.lemma_.lower() in lex.causal_words for t in toks),
        modal=bool(modal), future=future, opinion=sum(t.lower_ in lex.opinion_words for t in toks))


def _entity_counts(ctx: DocContext, start: int, end: int) -> tuple[int, int, int]:
    nums = dates = named = 0
    seen = set()
    for k in range(start, end):
        ent = ctx.ents.at(k)
        if ent is not None and id(ent) not in seen:
            seen.add(id(ent))
            if ent.model_label in NUMBER_LABELS:
                nums += 1
            elif ent.model_label in DATE_LABELS:
                dates += 1
            elif ent.label in ctx.ents.actors or ent.model_label in NAMED_LABELS:
                named += 1
        elif ctx.toks[k].like_num and ctx.toks[k].pos_ == "NUM":
            nums += 1
    return nums, dates, named


def claim_type(f: Facts) -> str:
    if f.nums:
        return "quantity"
    if f.rule:
        return "rule"
    if f.causal:
        return "causal"
    if f.future or (f.modal and not f.past_event):
        return "prediction"
    if f.past_event or f.dates or f.past_main:
        return "event"
    if f.rule_noun:
        return "rule"
    if f.opinion:
        return "opinion"
    return "other"


def checkworthiness(f: Facts) -> float:
    score = 0.2
    score += 0.25 if f.nums else 0.0
    score += 0.15 if f.dates else 0.0
    score += 0.25 if f.past_event else (0.1 if f.past_main else 0.0)
    score += 0.3 if f.rule else 0.0
    score += 0.05 * min(3, f.named)
    if f.modal and not f.nums and not f.dates:
        score -= 0.2
    if f.opinion and not (f.nums or f.dates or f.past_event):
        score -= 0.1
    return round(max(0.0, min(1.0, score)), 2)


def hedged(ctx: DocContext, start: int, end: int, sentence=None) -> bool:
    """may/might/could/would, reportedly, "if confirmed", "about 4,000" and the like."""
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
    span_text = doc[start:end].text.lower()
    return any(p in text for p in lex.hedge_phrases if p.strip() not in ("about", "more than", "up to", "as many as", "as much as")) \
        or any(p in span_text and _number_after(span_text, p) for p in APPROXIMATORS)


def _number_after(text: str, phrase: str) -> bool:
    i = text.find(phrase)
    rest = text[i + len(phrase):].lstrip()
    return bool(rest) and (rest[0].isdigit() or rest.split(" ")[0] in ("one", "two", "three", "a", "half", "dozens"))
