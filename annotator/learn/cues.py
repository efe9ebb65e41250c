"""The lemma an attribution cue is reported under: "has learned" -> learn, "according to" as it is."""

from __future__ import annotations

from functools import lru_cache


class CueLemmatizer:
    """Lemmatises cue texts with the installed spaCy pipeline (parser and NER disabled)."""

    def __init__(self, model: str | None = None):
        import spacy

        from annotator.suggest.pipeline import resolve_model

        self.nlp = spacy.load(resolve_model(model), exclude=["parser", "ner", "senter"])
        self.lemma = lru_cache(maxsize=None)(self._lemma)

    def __call__(self, cue: str) -> str:
        return self.lemma(" ".join(cue.lower().split()))

    def _lemma(self, cue: str) -> str:
        doc = self.nlp(cue)
        if len(doc) > 1 and doc[0].lower_ == "according":
            return cue  # "according to" is no form of "accord"
        verbs = [t for t in doc if t.pos_ in ("VERB", "AUX")]
        content_verbs = [t for t in verbs if t.pos_ == "VERB"] or verbs
        if content_verbs:
            return content_verbs[-1].lemma_.lower()
        if len(doc) == 1:
            return doc[0].lemma_.lower()
        return cue
