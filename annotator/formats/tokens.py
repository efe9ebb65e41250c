"""Tokenization for export formats: spaCy's rule-based English tokenizer, no model needed."""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def blank_nlp():
    import spacy

    return spacy.blank("en")


def tokenize(text: str) -> list[dict]:
    """Prodigy-style tokens: text, start, end, id, ws."""
    doc = blank_nlp().make_doc(text)
    return [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
            for t in doc]


def token_bounds(tokens: list[dict], start: int, end: int) -> tuple[int, int]:
    """(token_start, token_end) of a character span; token_end is inclusive, as in Prodigy."""
    first = last = None
    for tok in tokens:
        if tok["end"] > start and tok["start"] < end:
            if first is None:
                first = tok["id"]
            last = tok["id"]
    if first is None:  # a span inside whitespace: point at the nearest token
        after = [t["id"] for t in tokens if t["start"] >= start]
        first = last = after[0] if after else (tokens[-1]["id"] if tokens else 0)
    return first, last
