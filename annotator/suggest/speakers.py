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
# "X ... by saying", "after saying": X says; not "accused Y of shelling" (Y shells)
MANNER_PREPS = ("by", "after", "before", "while", "without", "in", "when")
PRONOUN_WINDOW = 3  # sentences searched back for a pronoun's antecedent
FIRST_PERSON = {"i", "we", "you", "me", "us"}  # speakers as they are: nobody to resolve them to
# quantities that speak for a group ("most said", "many say", "another says"); nouns such as "half"
# or "majority" are actor phrases anyway
QUANTIFIERS = {"most", "many", "some", "few", "several", "others", "another", "both", "all", "none", "each",
               "either", "neither", "one"}
ORG_ROLE_NOUNS = {"company", "firm", "group", "corporation", "network", "campaign"}  # "the company" = the ORG named before


@dataclass(frozen=True)
class Speaker:
    """Who a claim is attributed to: an actor, perhaps found through a mention (a pronoun or a
    role noun such as "the company"; token range). An unresolved mention is the speaker itself."""

    actor: Actor | None
    mention: tuple[int, int] | None = None

    @property
    def unresolved(self) -> bool:
        return self.actor is None and self.mention is not None


UNNAMED_SPEAKER = Speaker(None)


def _compatible(kind: str, ent: FoundEntity) -> bool:
    """Can a pronoun of this kind (m, f, n, p) stand for the entity? By the model's entity type."""
    if kind in "mf":
        return ent.model_label == "PERSON"
    if kind == "n":
        return ent.model_label not in ("PERSON", "NORP")
    return ent.model_label != "PERSON"


def _compatible_np(ctx: DocContext, kind: str, tok) -> bool:
    """Can a pronoun stand for an actor noun phrase headed by tok ("A federal judge ... She said")?"""
    lemma = tok.lemma_.lower()
    plural = tok.tag_ in ("NNS", "NNPS")
    if kind in "mf":
        return lemma in ctx.lex.person_nouns and not plural
    if kind == "n":
        return lemma in ctx.lex.group_nouns and not plural
    return plural and (lemma in ctx.lex.person_nouns or lemma in ctx.lex.group_nouns or lemma in ctx.lex.actor_nouns)


def resolve_pronoun(ctx: DocContext, tok) -> Actor | None:
    """The nearest preceding compatible actor within the last three sentences: an actor entity, or
    the subject of an earlier clause headed by an actor noun; datelines are never antecedents."""
    kind = PRONOUNS.get(tok.lower_)
    if kind is None:
        return None
    k = ctx.piece.sentence_index(tok.i)
    window_start = ctx.sent_starts[max(0, k - PRONOUN_WINDOW)] if ctx.sent_starts else 0
    best: Actor | None = None
    for ent in reversed(ctx.ents.entities):
        if ent.start < window_start:
            break
        if ent.end > tok.i or ent.label not in ctx.ents.actors or ctx.piece.in_dateline(ent.start):
            continue
        if _compatible(kind, ent):
            best = Actor.of(ent, plural=kind == "p")
            break
    for cand in _subject_nouns(ctx, window_start, tok.i):
        if best is not None and cand.i < best.start:
            break
        if ctx.ents.at(cand.i) is None and _compatible_np(ctx, kind, cand):
            return _noun_phrase_actor(ctx, cand, None)
    return best


def _subject_nouns(ctx: DocContext, start: int, end: int):
    """Subjects headed by a noun in [start, end), nearest first."""
    for i in range(end - 1, start - 1, -1):
        t = ctx.toks[i]
        if t.dep_ in ("nsubj", "nsubjpass") and t.pos_ == "NOUN":
            yield t


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
    """The speaker a subject/agent token names; None when it is not an actor ("the plan")."""
    if tok.lower_ in ("who", "which", "that") and tok.head.dep_ == "relcl":
        relative = (tok.i, tok.i + 1)  # "voters who said ...": the voters, through "who"
        found = speaker_of(ctx, tok.head.head)
        if found is None and tok.lower_ == "who":
            return Speaker(Actor(tok.i, tok.i + 1, "", ""))  # "those who said ...": who speaks, whoever they are
        return Speaker(found.actor, found.mention or relative) if found is not None and found.actor else found
    if ctx.piece.in_dateline(tok.i):
        return None
    source_noun = tok.pos_ == "NOUN" and tok.lemma_.lower() in ctx.lex.source_nouns
    if tok.pos_ in ("NOUN",) and not ctx.ents.is_actor(tok.i) and (
            source_noun or tok.lemma_.lower() not in ctx.lex.actor_nouns):
        behind = _actor_behind_source_noun(ctx, tok)
        if behind is not tok:
            tok, source_noun = behind, False
    if tok.lower_ in FIRST_PERSON and tok.pos_ == "PRON":
        return Speaker(Actor(tok.i, tok.i + 1, "", ""))
    if tok.lower_ in QUANTIFIERS or (tok.pos_ == "NUM" and tok.dep_ in ("nsubj", "nsubjpass")):
        return Speaker(_quantity_actor(tok))  # "most said ...", "One in four voters said ..."
    if tok.pos_ == "PRON" or tok.lower_ in PRONOUNS:
        if tok.lower_ not in PRONOUNS:
            return None
        return Speaker(resolve_pronoun(ctx, tok), (tok.i, tok.i + 1))
    # the subject of an attribution is its speaker, whatever noun heads it ("the coach", "aides")
    parts = [a for a in (actor_np(ctx, c, allow_any=True) for c in conjuncts(tok)) if a is not None]
    if not parts and source_noun:
        return Speaker(_noun_phrase_actor(ctx, tok, None))  # "official results showed ..."
    if not parts:
        return None
    if len(parts) == 1:
        first = parts[0]
        role = _role_antecedent(ctx, tok, first)
        return Speaker(role, (first.start, first.end)) if role is not None else Speaker(first)
    # conjuncts' phrases need not come in text order, nor be disjoint ("Real estate mogul and
    # reality television star Donald Trump"): the speaker runs from the first start to the last end
    parts.sort(key=lambda a: (a.start, a.end))
    first, last = parts[0], max(parts, key=lambda a: a.end)
    return Speaker(Actor(first.start, last.end, first.label if first.label == last.label else "",
                         first.model_label, plural=True))


def _quantity_actor(tok) -> Actor:
    """"Most", "another", "one in four voters in the poll": the quantity with its of/in phrases."""
    end = tok.i + 1
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("of", "in", "among") and c.i > tok.i:
            end = max(end, c.right_edge.i + 1)
    return Actor(tok.left_edge.i, end, "", "", plural=tok.lower_ not in ("another", "one", "each", "either", "neither"))


def _role_antecedent(ctx: DocContext, tok, actor: Actor) -> Actor | None:
    """"The company denied ...": "the" + an actor noun names an actor mentioned before — the same
    noun in an earlier phrase ("China's commerce ministry ... the ministry") or, for a company, the
    nearest ORG before. None when tok is no such role noun or nothing fits."""
    if actor.label or tok.pos_ != "NOUN" or tok.tag_ in ("NNS", "NNPS"):
        return None
    if not any(c.dep_ == "det" and c.lower_ == "the" for c in tok.children) or \
            any(c.dep_ in ("amod", "compound", "poss", "nummod") for c in tok.children):
        return None
    lemma = tok.lemma_.lower()
    k = ctx.piece.sentence_index(tok.i)
    window_start = ctx.sent_starts[max(0, k - PRONOUN_WINDOW)]
    for i in range(tok.i - 1, window_start - 1, -1):
        t = ctx.toks[i]
        if t.lemma_.lower() == lemma and t.pos_ in ("NOUN", "PROPN") and not ctx.piece.in_dateline(i):
            ent = ctx.ents.actor_at(i) or next((ctx.ents.actor_at(c.i) for c in t.children
                                                 if c.dep_ in ("compound", "appos") and ctx.ents.is_actor(c.i)), None)
            if ent is not None:
                return ent  # "Economy Minister Sophie Hermans ... the minister"
            if any(ctx.ents.is_actor(c.i) for c in t.subtree if c.i < t.i):
                return actor_np(ctx, t)  # "China's commerce ministry ... the ministry"
    if lemma in ORG_ROLE_NOUNS:
        for ent in reversed(ctx.ents.entities):
            if ent.start < window_start:
                break
            if ent.end <= tok.i and ent.model_label == "ORG" and ent.label in ctx.ents.actors:
                return Actor.of(ent)
    return None


def _actor_behind_source_noun(ctx: DocContext, tok):
    """"figures from Eurostat", "a report by the ministry": the actor behind a source noun."""
    for c in tok.children:
        if c.dep_ == "prep" and c.lower_ in ("from", "by", "of"):
            obj = next((o for o in c.children if o.dep_ == "pobj"), None)
            if obj is not None and ctx.ents.is_actor(obj.i):
                return obj
    return tok


def misattached_conj(tok) -> bool:
    """A verb the parser hangs on the reported clause instead of coordinating it with the main verb."""
    return misattached_main(tok) is not None


def misattached_main(tok):
    """The main verb a misattached coordinated verb belongs to, else None: "X said the vote was
    peaceful but criticised delays" ("criticised" hung on "was" or on "peaceful"), "X denied
    targeting civilians and blamed the army" ("blamed" on "targeting")."""
    if tok.dep_ != "conj" or any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children):
        return None
    head = tok.head
    if tok.tag_ in ("VBD", "VBZ", "VBP") and head.dep_ in ("ccomp", "xcomp") and \
            ((head.lemma_ == "be" and tok.tag_ == "VBD") or head.tag_ in ("VBG", "VB")):
        return head.head
    if tok.tag_ in ("VBD", "VBN") and head.pos_ in ("ADJ", "NOUN"):
        node = head
        for _ in range(3):
            if node.dep_ == "ccomp" and node.head.i != node.i:
                return node.head
            if node.head.i == node.i:
                break
            node = node.head
    return None


def subject_token(tok, depth: int = 0, adjectives: bool = False):
    """The subject of a verb, climbing through conj/xcomp/advcl/participles (control); with ``adjectives``
    also through a predicate adjective ("X were more likely / quick to say ...": X), which claims use and
    stances do not (on the gold articles it gave "X AGAINST Y" for "how far X is willing to push ...")."""
    for c in tok.children:
        if c.dep_ in SUBJ:
            if c.lower_ in ("who", "which", "that") and tok.dep_ == "relcl":
                return tok.head  # "the ministry, which had defended the law"
            return c
    if tok.tag_ == "VBN" and tok.dep_ == "advcl" and any(c.dep_ == "agent" for c in tok.children):
        return None  # "(When) asked by a reporter whether ..., X said": the main clause's subject is who was asked
    if depth < 3 and tok.dep_ == "pcomp" and tok.head.dep_ == "prep" and tok.head.lower_ in MANNER_PREPS and \
            tok.head.head.pos_ in ("VERB", "AUX"):
        return subject_token(tok.head.head, depth + 1, adjectives)  # "X distanced herself by saying ...": X says
    main = misattached_main(tok) if depth < 3 else None
    if main is not None:
        return subject_token(main, depth + 1, adjectives)
    if depth < 3 and tok.dep_ == "xcomp":
        # "X were more likely / quick to say ...": X says; "it is hard / too early to say whether ...": nobody does
        head = tok.head.head if adjectives and tok.head.dep_ == "acomp" else tok.head
        subject = subject_token(head, depth + 1, adjectives) if head.i != tok.i else None
        return None if subject is not None and head.lemma_ == "be" and subject.lower_ in ("it", "there") else subject
    if depth < 3 and tok.dep_ in ("conj", "advcl", "ccomp") and tok.head.i != tok.i:
        if tok.dep_ == "ccomp":
            return None
        return subject_token(tok.head, depth + 1, adjectives)
    return None
