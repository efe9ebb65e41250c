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


def _schema_with(tmp_path, extra: str):
    from annotator.schema import builtin_schema_path, load_schema

    text = builtin_schema_path().read_text(encoding="utf-8").replace("actors: [PERSON, ORG, GPE, NORP]\n", extra)
    path = tmp_path / "schema.yaml"
    path.write_text(text, encoding="utf-8")
    return load_schema(path), text


def test_schema_names_the_actor_labels(tmp_path):
    from annotator.errors import AnnotatorError
    from annotator.schema import load_schema

    assert load_schema().actors == ("PERSON", "ORG", "GPE", "NORP")
    assert _schema_with(tmp_path, "")[0].actors == ("PERSON", "ORG", "GPE", "NORP")  # the default
    assert _schema_with(tmp_path, "actors: [ORG]\n")[0].actors == ("ORG",)
    with pytest.raises(AnnotatorError, match="actor label 'ROBOT' is not an entity label") as err:
        _schema_with(tmp_path, "actors:\n  - PERSON\n  - ROBOT\n")
    lines = (tmp_path / "schema.yaml").read_text(encoding="utf-8").splitlines()
    assert err.value.line == lines.index("  - ROBOT") + 1


@pytest.mark.slow
def test_suggesters_read_the_actor_labels_from_the_schema(tmp_path):
    from annotator.suggest.runner import suggest_text

    nlp, schema = shared_pipeline()
    text = "Angela Merkel visited Paris on Monday. She said the plan would work."

    def speaker(s):
        claim = next(x.value for x in suggest_text(nlp, s, text) if x.value.kind == "claim" and x.rule != "author")
        return claim.attrs["speaker"] if isinstance(claim.attrs["speaker"], str) else claim.attrs["speaker_text"]

    assert speaker(schema) == "Angela Merkel"
    no_people, _ = _schema_with(tmp_path, "actors: [ORG, GPE, NORP]\n")
    assert speaker(no_people) == "She"  # no actor for "She" to stand for: the pronoun is the speaker
