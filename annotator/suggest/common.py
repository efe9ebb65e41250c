"""Shared helpers for the rule suggesters: a parsed document with its entities and actors."""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.model import Span

ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
PRONOUNS = {
    "he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f",
    "it": "n", "its": "n", "they": "p", "them": "p", "their": "p",
}
QUOTES = set("\"“”'‘’«»")
DASHES = {"—", "–", "--", "―"}


@dataclass
class Actor:
    """A mention that can be a speaker or a stance end."""

    start: int  # token indices, end-exclusive
    end: int
    label: str  # entity label, or "" for an actor noun phrase
    model_label: str = ""
    plural: bool = False


@dataclass
class DocContext:
    """One parsed document, with the state the suggesters share."""

    doc: object  # spacy.tokens.Doc
    schema: object
    lex: object  # Lexicons
    offset: int = 0  # character offset of this doc in the stored text (chunked documents)
    entities: list[Span] = field(default_factory=list)
    ent_tokens: list[tuple[int, int, str, str]] = field(default_factory=list)  # (start, end, label, model label)
    ent_at: dict[int, int] = field(default_factory=dict)  # token index -> index into ent_tokens
    toks: list = field(default_factory=list)  # the doc's tokens, made once (doc[i] builds a new object)
    claims: list[Span] = field(default_factory=list)
    claim_info: list[dict] = field(default_factory=list)  # per claim: tokens, speaker actor ...

    def __post_init__(self) -> None:
        if not self.toks:
            self.toks = list(self.doc)

    # --- offsets ---------------------------------------------------------------------

    def char_span(self, start_tok: int, end_tok: int) -> tuple[int, int]:
        doc = self.doc
        return (doc[start_tok].idx + self.offset, doc[end_tok - 1].idx + len(doc[end_tok - 1].text) + self.offset)

    def text_of(self, start_tok: int, end_tok: int) -> str:
        return self.doc[start_tok:end_tok].text

    # --- entities --------------------------------------------------------------------

    def entity_of(self, tok_i: int):
        k = self.ent_at.get(tok_i)
        return self.ent_tokens[k] if k is not None else None

    def is_actor_entity(self, tok_i: int) -> bool:
        e = self.entity_of(tok_i)
        return bool(e) and e[3] in ACTOR_LABELS

    def canonical(self, start_tok: int, end_tok: int) -> str:
        return self.lex.canonical(self.text_of(start_tok, end_tok))


def trim(doc, start: int, end: int) -> tuple[int, int]:
    """Drop punctuation, quotes, spaces and a leading 'that' from both ends of a token range."""
    while start < end and (doc[start].is_punct or doc[start].is_space or doc[start].text in QUOTES
                           or (doc[start].lower_ == "that" and doc[start].dep_ in ("mark", "dobj") and start + 1 < end)):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space or doc[end - 1].text in QUOTES):
        # keep a closing quote when its opening quote is inside the range
        if doc[end - 1].text in ("”", '"') and any(doc[k].text in ("“", '"') for k in range(start, end - 1)):
            if doc[end - 1].text == "”" or sum(doc[k].text == '"' for k in range(start, end)) % 2 == 0:
                break
        end -= 1
    return start, end


def subtree_range(tok, exclude=()) -> tuple[int, int]:
    """Token range of tok's subtree, cut before any excluded child subtree that lies at its edge."""
    doc = tok.doc
    start, end = tok.left_edge.i, tok.right_edge.i + 1
    for ex in exclude:
        a, b = ex.left_edge.i, ex.right_edge.i + 1
        if a <= start < b:
            start = b
        elif start < a and (b >= end or all(doc[k].is_punct or doc[k].is_space for k in range(b, end))):
            end = a  # the excluded part ends the range, perhaps before a full stop
    return start, end
