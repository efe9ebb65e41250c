"""Entities: the spaCy pipeline's NER mapped through the schema (possessive 's trimmed).

Post-processing never makes raw spaCy worse on any gold set (tests/test_evaluate.py checks):
- a possessive 's and stray punctuation come off the edges, but a symbol that is part of the
  entity stays ("3.75%", "$4 billion");
- a surname of a person named in full earlier is that person later on ("Elena Marquez" ...
  "Marquez"), unless the full name stands in a headline (where the model often mistakes a
  verb and a country for a name: "Orders Israel") or the model calls the later mention a
  place (GPE, LOC, FAC).
"""

from __future__ import annotations

from annotator.model import ENTITY, Span
from annotator.suggest.common import FoundEntity, Piece

RULES_VERSION = "2"
KEEP_SYMBOLS = {"%", "$", "€", "£", "¥", "°"}  # part of a PERCENT, MONEY or QUANTITY
PLACE_LABELS = {"GPE", "LOC", "FAC"}  # a model calling a word a place is not overruled by the surname rule
SENT_END = {".", "!", "?", "”", '"', "’", "'", "…", ")"}


class EntitySuggester:
    name = "entities"
    produces = (ENTITY,)

    def __init__(self, schema, model_id: str = ""):
        self.schema = schema
        self.version = f"{RULES_VERSION}:{model_id}" if model_id else RULES_VERSION

    def find(self, piece: Piece) -> list[FoundEntity]:
        """The entities of a parsed piece, in text order, with schema labels."""
        doc = piece.doc
        found = []
        for start, end, model_label, rule in self._model_entities(doc):
            label = self.schema.map_model_label(model_label)
            if label is None:
                continue
            start, end, rule = _trim(doc, start, end, rule)
            if doc[start:end].text.strip() == "" or all(t.is_punct or t.is_space for t in doc[start:end]):
                continue
            found.append(FoundEntity(start, end, label, model_label, rule))
        return found

    def proposals(self, piece: Piece, found: list[FoundEntity]) -> list:
        """(Span, rule, score) for each found entity."""
        out = []
        for ent in found:
            cs, ce = piece.char_span(ent.start, ent.end)
            out.append((Span(cs, ce, ent.label, ENTITY, {}), ent.rule, 0.9 if ent.rule == "ner" else 0.8))
        return out

    @staticmethod
    def _model_entities(doc) -> list[tuple[int, int, str, str]]:
        """(start, end, model label, rule) of doc.ents, plus later mentions of a named person's surname."""
        # a surname seen in a full PERSON name is that person later on ("Elena Marquez" ... "Marquez")
        surnames = {}
        for ent in doc.ents:
            if ent.label_ == "PERSON" and len(ent) >= 2 and ent[-1].pos_ == "PROPN" and not _in_headline(ent):
                surnames.setdefault(ent[-1].text, ent.start)
        ents = []
        covered = set()
        for ent in doc.ents:
            model_label, rule = ent.label_, "ner"
            if len(ent) == 1 and model_label not in PLACE_LABELS | {"PERSON"} and ent.text in surnames \
                    and surnames[ent.text] < ent.start:
                model_label, rule = "PERSON", "ner+person_name"
            ents.append((ent.start, ent.end, model_label, rule))
            covered.update(range(ent.start, ent.end))
        if surnames:
            for tok in doc:
                if tok.i not in covered and tok.pos_ == "PROPN" and tok.text in surnames and surnames[tok.text] < tok.i \
                        and not (tok.i > 0 and doc[tok.i - 1].pos_ == "PROPN") \
                        and not (tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ == "PROPN"):
                    ents.append((tok.i, tok.i + 1, "PERSON", "ner+person_name"))
            ents.sort()
        return ents


def _in_headline(ent) -> bool:
    """Is the entity in a line without a final full stop (a headline or caption)?"""
    sent = ent.sent
    last = sent.end - 1
    while last > sent.start and sent.doc[last].is_space:
        last -= 1
    return sent.doc[last].text not in SENT_END


def _stray(tok) -> bool:
    return (tok.is_punct or tok.is_space) and tok.text not in KEEP_SYMBOLS


def _trim(doc, start: int, end: int, rule: str) -> tuple[int, int, str]:
    """"North Korea’s" -> "North Korea"; stray punctuation at the edges ("3.75%" keeps its "%")."""
    while end > start + 1 and (doc[end - 1].tag_ == "POS" or doc[end - 1].text in ("'s", "’s", "'", "’")
                               or _stray(doc[end - 1])):
        end -= 1
        rule = "ner+trim" if rule == "ner" else rule
    while start < end - 1 and _stray(doc[start]):
        start += 1
        rule = "ner+trim"
    return start, end, rule
