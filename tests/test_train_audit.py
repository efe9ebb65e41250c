"""train refuses what it cannot do before it trains, and never swaps a trained model for an empty one."""

import subprocess
import sys

import pytest

from annotator.errors import AnnotatorError
from annotator.store import Store
from tests.test_train import synthetic


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, timeout=600)


def test_a_run_that_trains_nothing_leaves_the_previous_model_as_it_was(tmp_path):
    path = tmp_path / "small.db"
    with Store(path) as store:
        store.import_records(synthetic(3))
    model = tmp_path / "model"
    model.mkdir()
    (model / "config.cfg").write_text("[nlp]\nlang = \"en\"\n", encoding="utf-8")  # stands for a trained pipeline
    (model / "meta.json").write_text("{}", encoding="utf-8")
    before = {p.name: p.read_bytes() for p in model.iterdir()}
    result = cli("train", "--db", str(path), "--out", str(model), "--source", "alice")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [result.stderr.strip()] and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {model}: nothing to train from 3 documents of 'alice', 1 held out "
                                    "(ner needs 20 items in 5 documents for training, has ")
    assert result.stderr.rstrip().endswith("annotate more and train again; nothing was written")
    assert {p.name: p.read_bytes() for p in model.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model", "small.db"]


def test_an_out_folder_that_is_no_pipeline_is_refused_before_training(tmp_path, monkeypatch):
    import annotator.learn.train as train_module

    path = tmp_path / "t.db"
    with Store(path) as store:
        store.import_records(synthetic(30))
    out = tmp_path / "notes"
    out.mkdir()
    (out / "important.txt").write_text("mine", encoding="utf-8")

    def never(*args, **kwargs):
        raise AssertionError("trained before checking --out")

    monkeypatch.setattr(train_module, "_train_spacy_components", never)
    with Store(path, readonly=True) as store, pytest.raises(AnnotatorError, match="is not a pipeline folder"):
        train_module.train(store, out, source="alice", stdout=train_module.quiet())
    assert [p.name for p in out.iterdir()] == ["important.txt"]
