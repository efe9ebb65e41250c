"""Entities: the spaCy pipeline's NER mapped through the schema (possessive 's trimmed)."""

from __future__ import annotations

from annotator.model import ENTITY, Span
from annotator.suggest.common import DocContext

RULES_VERSION = "1"


class EntitySuggester:
    name = "entities"
    produces = (ENTITY,)

    def __init__(self, schema, lex, model_id: str = ""):
        self.schema = schema
        self.version = f"{RULES_VERSION}:{model_id}" if model_id else RULES_VERSION

    def suggest(self, ctx: DocContext) -> list:
        doc = ctx.doc
        out = []
        ctx.entities.clear()
        ctx.ent_tokens.clear()
        ctx.ent_at.clear()
        for ent in doc.ents:
            label = self.schema.map_model_label(ent.label_)
            if label is None:
                continue
            start, end = ent.start, ent.end
            rule = "ner"
            # "North Korea’s" -> "North Korea"; stray punctuation at the edges
            while end > start + 1 and (doc[end - 1].tag_ == "POS" or doc[end - 1].text in ("'s", "’s", "'", "’")
                                       or doc[end - 1].is_punct or doc[end - 1].is_space):
                end -= 1
                rule = "ner+trim"
            while start < end - 1 and (doc[start].is_punct or doc[start].is_space):
                start += 1
                rule = "ner+trim"
            if doc[start:end].text.strip() == "" or all(t.is_punct or t.is_space for t in doc[start:end]):
                continue
            cs, ce = ctx.char_span(start, end)
            span = Span(cs, ce, label, ENTITY, {})
            k = len(ctx.ent_tokens)
            ctx.ent_tokens.append((start, end, label, ent.label_))
            for i in range(start, end):
                ctx.ent_at[i] = k
            ctx.entities.append(span)
            out.append((span, rule, 0.9 if rule == "ner" else 0.85))
        return out
