"""Entities: the spaCy pipeline's NER mapped through the schema (possessive 's trimmed)."""

from __future__ import annotations

from annotator.model import ENTITY, Span
from annotator.suggest.common import FoundEntity, Piece

RULES_VERSION = "1"


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
            if ent.label_ == "PERSON" and len(ent) >= 2 and ent[-1].pos_ == "PROPN":
                surnames.setdefault(ent[-1].text, ent.start)
        ents = []
        covered = set()
        for ent in doc.ents:
            model_label, rule = ent.label_, "ner"
            if len(ent) == 1 and model_label != "PERSON" and ent.text in surnames and surnames[ent.text] < ent.start:
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


def _trim(doc, start: int, end: int, rule: str) -> tuple[int, int, str]:
    """"North Korea’s" -> "North Korea"; stray punctuation at the edges."""
    while end > start + 1 and (doc[end - 1].tag_ == "POS" or doc[end - 1].text in ("'s", "’s", "'", "’")
                               or doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
        rule = "ner+trim" if rule == "ner" else rule
    while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
        start += 1
        rule = "ner+trim"
    return start, end, rule
