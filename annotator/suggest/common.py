"""What the rule suggesters share: a parsed piece of text, its entity index, actors, token ranges.

The data flow is explicit (see ``runner.propose``): the entity suggester finds entities in
a parsed :class:`Piece`; an :class:`EntityIndex` over them is passed, inside a
:class:`DocContext`, to the claim and stance suggesters. Nothing is written back.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from functools import cached_property

PRONOUNS = {
    "he": "m", "him": "m", "his": "m", "she": "f", "her": "f", "hers": "f",
    "it": "n", "its": "n", "they": "p", "them": "p", "their": "p",
}
QUOTES = set("\"“”'‘’«»")
DASHES = {"—", "–", "--", "―"}


@dataclass(frozen=True)
class Piece:
    """One parsed piece of a stored text (long texts are parsed in pieces), starting at ``offset``."""

    doc: object  # spacy.tokens.Doc
    offset: int = 0

    @cached_property
    def toks(self) -> list:
        """The doc's tokens, made once (``doc[i]`` builds a new object each time)."""
        return list(self.doc)

    @cached_property
    def sents(self) -> list:
        return list(self.doc.sents)

    @cached_property
    def sent_starts(self) -> list[int]:
        return [s.start for s in self.sents]

    def char_span(self, start_tok: int, end_tok: int) -> tuple[int, int]:
        """Character offsets in the stored text of a token range (end-exclusive)."""
        doc = self.doc
        return (doc[start_tok].idx + self.offset, doc[end_tok - 1].idx + len(doc[end_tok - 1].text) + self.offset)

    def text_of(self, start_tok: int, end_tok: int) -> str:
        return self.doc[start_tok:end_tok].text

    def sentence_index(self, tok_i: int) -> int:
        return bisect.bisect_right(self.sent_starts, tok_i) - 1

    @cached_property
    def quotes(self) -> list:
        from annotator.suggest.quotes import find_quotes

        return find_quotes(self.doc)

    def in_dateline(self, tok_i: int) -> bool:
        return bool(self.datelines) and self.sentence_index(tok_i) in self.datelines

    @cached_property
    def datelines(self) -> frozenset[int]:
        """Indices of the sentences that are a dateline ("WASHINGTON (AP) —")."""
        from annotator.suggest.datelines import dateline_end

        text = self.doc.text
        return frozenset(k for k, s in enumerate(self.sents)
                         if dateline_end(text, s.start_char) is not None and
                         dateline_end(text, s.start_char) >= s.end_char - 1)


@dataclass(frozen=True)
class FoundEntity:
    """An entity the entity suggester found: a token range, its schema and model labels, the rule."""

    start: int  # token indices, end-exclusive
    end: int
    label: str  # schema label
    model_label: str
    rule: str = "ner"


@dataclass(frozen=True)
class Actor:
    """A mention that can be a speaker or a stance end."""

    start: int  # token indices, end-exclusive
    end: int
    label: str  # entity label, or "" for an actor noun phrase
    model_label: str = ""
    plural: bool = False

    @classmethod
    def of(cls, ent: FoundEntity, plural: bool = False) -> "Actor":
        return cls(ent.start, ent.end, ent.label, ent.model_label, plural)


class EntityIndex:
    """The entities of a piece, looked up by token; ``actors`` are the schema's actor labels."""

    def __init__(self, entities: list[FoundEntity], actors: frozenset[str] | tuple[str, ...]):
        self.entities = list(entities)
        self.actors = frozenset(actors)
        self._at: dict[int, FoundEntity] = {}
        for ent in self.entities:
            for i in range(ent.start, ent.end):
                self._at[i] = ent

    def at(self, tok_i: int) -> FoundEntity | None:
        return self._at.get(tok_i)

    def is_actor(self, tok_i: int) -> bool:
        ent = self._at.get(tok_i)
        return ent is not None and ent.label in self.actors

    def actor_at(self, tok_i: int) -> Actor | None:
        ent = self._at.get(tok_i)
        return Actor.of(ent) if ent is not None and ent.label in self.actors else None


@dataclass(frozen=True)
class DocContext:
    """What the claim and stance rules read: the parsed piece, its entities and the lexicons."""

    piece: Piece
    ents: EntityIndex
    lex: object  # Lexicons

    @property
    def doc(self):
        return self.piece.doc

    @property
    def toks(self) -> list:
        return self.piece.toks

    @property
    def sents(self) -> list:
        return self.piece.sents

    @property
    def sent_starts(self) -> list[int]:
        return self.piece.sent_starts

    @property
    def quotes(self) -> list:
        return self.piece.quotes

    def char_span(self, start_tok: int, end_tok: int) -> tuple[int, int]:
        return self.piece.char_span(start_tok, end_tok)

    def text_of(self, start_tok: int, end_tok: int) -> str:
        return self.piece.text_of(start_tok, end_tok)

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
