"""Shared fixtures for the TUI tests: a database with one or more documents and suggestions."""

from __future__ import annotations

import re
from pathlib import Path

from annotator.model import CLAIM, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store

SEED = Path("/work/shared/seeds/000_437d4a26b18c2406.txt")

ARTICLE = (
    "A landmark defense treaty between North Korea and Russia, signed in June by leaders Kim Jong Un "
    "and Vladimir Putin, has come into effect. The pact was formalized on Wednesday in Moscow, "
    "KCNA reported.\n\n"
    "The United States condemned the treaty. Putin said the pact was a breakthrough.\n"
)

SECOND = "Brussels welcomed the decision on Tuesday. The European Union said it will respond.\n"


def find(text: str, needle: str, nth: int = 0) -> tuple[int, int]:
    starts = [m.start() for m in re.finditer(re.escape(needle), text)]
    s = starts[nth]
    return s, s + len(needle)


def span(text: str, needle: str, label: str, kind: str = "entity", nth: int = 0, **attrs) -> Span:
    s, e = find(text, needle, nth)
    return Span(s, e, label, kind, attrs)


def article_suggestions(text: str = ARTICLE):
    ents = [
        span(text, "North Korea", "GPE"),
        span(text, "Russia", "GPE"),
        span(text, "June", "DATE"),
        span(text, "Kim Jong Un", "PERSON"),
        span(text, "Vladimir Putin", "PERSON"),
        span(text, "Wednesday", "DATE"),
        span(text, "Moscow", "GPE"),
        span(text, "KCNA", "ORG"),
        span(text, "The United States", "GPE"),
        span(text, "Putin", "PERSON", nth=1),
    ]
    claim = span(text, "the pact was a breakthrough", "CLAIM", CLAIM, speaker=SpanRef(*find(text, "Putin", 1), "PERSON").to_dict(),
                 cue="said")
    us = find(text, "The United States")
    treaty = find(text, "the treaty")
    stance = Stance(SpanRef(*us, "GPE"), SpanRef(*treaty, ""), "AGAINST")
    return [(v, "ner", 0.9) for v in ents] + [(claim, "said_that", 0.8), (stance, "condemn", 0.7)]


def make_db(path: Path, texts=(ARTICLE, SECOND), suggestions: bool = True) -> tuple[Store, list[str]]:
    store = Store(path)
    docs = [Document.from_text(t, {"title": f"doc {i + 1}"}) for i, t in enumerate(texts)]
    store.import_records([ImportRecord(d) for d in docs])
    if suggestions:
        store.replace_suggestions(docs[0].id, "test", "1", article_suggestions(docs[0].text))
    return store, [d.id for d in docs]

