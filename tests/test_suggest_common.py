"""Shared helpers for the suggester tests: one spaCy pipeline per test session."""

from __future__ import annotations

import functools

import pytest


@functools.lru_cache(maxsize=1)
def shared_pipeline():
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_pipeline

    schema = load_schema()
    return load_pipeline(None, schema), schema


def run(text: str):
    """Suggestions for a text, as (claims, stances, entities, topics) with the text at hand."""
    from annotator.suggest.runner import suggest_text

    nlp, schema = shared_pipeline()
    out = suggest_text(nlp, schema, text)
    by = {"claim": [], "stance": [], "entity": [], "topic": []}
    for s in out:
        by[s.value.kind].append(s)
    return by


def claim_texts(text: str, by) -> list[tuple[str, str, str]]:
    """(content, speaker text or AUTHOR/UNNAMED, rule) for each claim."""
    out = []
    for s in by["claim"]:
        a = s.value.attrs
        speaker = a["speaker"] if isinstance(a["speaker"], str) else a["speaker_text"]
        out.append((text[s.value.start:s.value.end], speaker, s.rule))
    return out


def stance_texts(by) -> list[tuple[str, str, str, str]]:
    return [(s.value.attrs["source_text"], s.value.polarity, s.value.attrs["target_text"], s.rule) for s in by["stance"]]


def test_suggester_package_import_is_light():
    import subprocess
    import sys

    code = "import annotator.suggest, sys; print('spacy' in sys.modules, 'textual' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "False"]


@pytest.mark.slow
def test_suggestion_values_are_model_types():
    from annotator.model import Span, Stance

    by = run("Germany backed the plan. The minister said the plan would cost 3 billion euros.")
    assert all(isinstance(s.value, Span) for s in by["claim"] + by["entity"] + by["topic"])
    assert all(isinstance(s.value, Stance) for s in by["stance"])
    for s in sum(by.values(), []):
        assert s.rule and 0.0 <= s.score <= 1.0
