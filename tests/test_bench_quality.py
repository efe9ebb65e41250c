"""The claim error breakdown of benchmarks/bench_quality.py: each error lands in the right category."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from annotator.learn.evaluate import GoldDoc, Predicted
from annotator.model import CLAIM, Span

TEXT = ("Mayor Ana Ruiz said the bridge will open in May. Critics said the cost was too high and the plan "
        "came too late. The weather was fine. Officials said taxes would rise.")


def _bench():
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_quality.py"
    spec = importlib.util.spec_from_file_location("bench_quality", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _claim(content: str, speaker: str, occurrence: int = 0) -> Span:
    start = TEXT.index(content)
    for _ in range(occurrence):
        start = TEXT.index(content, start + 1)
    s = TEXT.index(speaker)
    return Span(start, start + len(content), "CLAIM", CLAIM,
                {"speaker": {"start": s, "end": s + len(speaker), "label": ""}, "cue": "said"})


def test_claim_errors_are_classified_by_what_went_wrong():
    bench = _bench()
    gold = GoldDoc(TEXT, [_claim("the bridge will open in May", "Mayor Ana Ruiz"),
                          _claim("the cost was too high and the plan came too late", "Critics"),
                          _claim("taxes would rise", "Officials")], {"title": "t"})
    preds = [Predicted(_claim("the bridge will open in May", "Critics"), "speech_ccomp"),  # wrong speaker
             Predicted(_claim("the cost", "Critics"), "speech_ccomp"),  # overlaps too little
             Predicted(_claim("The weather was fine", "Officials"), "speech_act")]  # overlaps nothing
    errors = bench.claim_errors([(gold, preds)], aliases={})
    got = sorted((e["category"], e["side"], e["rule"]) for e in errors)
    assert got == [("boundary", "fn", "speech_ccomp"), ("boundary", "fp", "speech_ccomp"),
                   ("miss", "fn", ""), ("speaker", "fp", "speech_ccomp"), ("spurious", "fp", "speech_act")]
    boundary = next(e for e in errors if e["category"] == "boundary" and e["side"] == "fp")
    assert boundary["shape"] == "short (end early)" and boundary["gold_speaker"] == "Critics"
    text = bench.format_breakdown(errors, examples=1, category=None, rule=None)
    assert "speaker   fp         1" in text and "== spurious: 1 of 1" in text
