"""Bad input for the suggesters: missing model, empty and huge documents, bad lexicons, odd labels."""

from __future__ import annotations

import warnings

import pytest

from annotator.errors import AnnotatorError
from annotator.model import Document
from annotator.store import ImportRecord, Store
from test_suggest_common import shared_pipeline


def test_model_not_installed_lists_installed_pipelines_and_how_to_add_one():
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import installed_models, load_pipeline

    with pytest.raises(AnnotatorError) as err:
        load_pipeline("xx_no_such_pipeline", load_schema())
    msg = str(err.value)
    assert "xx_no_such_pipeline" in msg and "not installed" in msg
    for name in installed_models():
        assert name in msg
    assert "pip install" in msg and "PATH" in msg


def test_model_path_that_is_not_a_folder(tmp_path):
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_pipeline

    with pytest.raises(AnnotatorError, match="not a spaCy pipeline folder"):
        load_pipeline(str(tmp_path / "nothing-here"), load_schema())


def test_schema_without_any_installed_model(tmp_path, monkeypatch):
    from annotator.schema import load_schema
    from annotator.suggest import pipeline

    monkeypatch.setattr(pipeline, "installed_models", lambda: [])
    with pytest.raises(AnnotatorError, match="installed pipelines: none"):
        pipeline.resolve_model(None, load_schema())


@pytest.mark.slow
def test_model_labels_the_schema_lacks_warn_once_and_keep_their_names(tmp_path):
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_pipeline
    from annotator.suggest.runner import suggest_text

    path = tmp_path / "small.yaml"
    path.write_text("name: small\nentities:\n  PERSON: {key: p, color: red}\n", encoding="utf-8")
    schema = load_schema(path)
    seen = []
    nlp = load_pipeline(None, schema, on_warning=seen.append)
    assert len(seen) == 1 and "GPE" in seen[0] and "own names" in seen[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load_pipeline(None, schema)
    assert len([w for w in caught if "GPE" in str(w.message)]) == 1
    labels = {s.value.label for s in suggest_text(nlp, schema, "Angela Merkel visited France.") if s.value.kind == "entity"}
    assert labels == {"PERSON", "GPE"}


@pytest.mark.slow
def test_empty_document_gets_no_suggestions_and_no_error(tmp_path):
    from annotator.suggest.runner import suggest_documents, suggest_text

    nlp, schema = shared_pipeline()
    assert suggest_text(nlp, schema, "") == []
    assert suggest_text(nlp, schema, "   \n\n ") == []
    with Store(tmp_path / "e.db") as store:
        store.import_records([ImportRecord(Document.from_text(" \n"))])
        report = suggest_documents(store, schema, nlp=nlp)
        assert report.documents == 1 and sum(report.suggestions.values()) == 0
        assert suggest_documents(store, schema, nlp=nlp).documents == 0  # marked as done


@pytest.mark.slow
def test_huge_document_is_refused_with_a_clear_message(tmp_path):
    from annotator.suggest.runner import suggest_documents

    nlp, schema = shared_pipeline()
    big = ("The minister said the economy grew 2 percent. " * 110_000)[:5_200_000]
    with Store(tmp_path / "big.db") as store:
        store.import_records([ImportRecord(Document.from_text(big)), ImportRecord(Document.from_text("Germany backed the plan."))])
        report = suggest_documents(store, schema, nlp=nlp, max_chars=1_000_000)
        assert report.documents == 1
        assert len(report.skipped) == 1 and "too long" in report.skipped[0][1] and "limit is 1,000,000" in report.skipped[0][1]


@pytest.mark.slow
def test_long_document_is_parsed_in_pieces_with_correct_offsets(monkeypatch):
    from annotator.suggest import runner

    nlp, schema = shared_pipeline()
    monkeypatch.setattr(runner, "CHUNK_CHARS", 200)
    line = "Officials in Berlin said the economy grew 2 percent in May.\n"
    text = line * 12
    sugg = runner.suggest_text(nlp, schema, text)
    assert len(runner._pieces(text, 200)) > 1
    claims = [s.value for s in sugg if s.value.kind == "claim"]
    assert len(claims) == 12
    assert all(text[c.start:c.end] == "the economy grew 2 percent in May" for c in claims)
    ents = [s.value for s in sugg if s.value.kind == "entity"]
    assert {text[e.start:e.end] for e in ents} >= {"Berlin", "2 percent", "May"}


def test_bad_lexicon_file_names_file_line_and_problem(tmp_path, monkeypatch):
    from annotator.suggest.lexicon import load_lexicons

    bad = tmp_path / "mine.yaml"
    bad.write_text("support_verbs: [laud, extol]\noppose_verbs:\n  - decry\n  - 42\n", encoding="utf-8")
    with pytest.raises(AnnotatorError) as err:
        load_lexicons(extra_files=[bad])
    assert err.value.path == bad and err.value.line == 4 and "oppose_verbs" in str(err.value)

    bad.write_text("support_verbs: [laud\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="not valid YAML") as err:
        load_lexicons(extra_files=[bad])
    assert err.value.line is not None

    bad.write_text("suport_verbs: [laud]\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="unknown lexicon 'suport_verbs'") as err:
        load_lexicons(extra_files=[bad])
    assert err.value.line == 1

    bad.write_text("aliases:\n  Pyongyang: North Korea\n  Gotham: [a, b]\n", encoding="utf-8")
    monkeypatch.setenv("ANNOTATOR_LEXICONS", str(bad))
    with pytest.raises(AnnotatorError, match="alias 'Gotham'") as err:
        load_lexicons()
    assert err.value.line == 3

    monkeypatch.setenv("ANNOTATOR_LEXICONS", str(tmp_path / "absent.yaml"))
    with pytest.raises(AnnotatorError, match="no such lexicon file"):
        load_lexicons()


def test_lexicons_extend_from_schema_and_change_versions(tmp_path):
    from annotator.schema import load_schema
    from annotator.suggest.lexicon import load_lexicons
    from annotator.suggest.runner import suggester_versions

    base = load_lexicons()
    extra = tmp_path / "extra.yaml"
    extra.write_text("oppose_verbs: [decry]\n", encoding="utf-8")
    schema_text = (load_schema().path and open(load_schema().path, encoding="utf-8").read())
    path = tmp_path / "news2.yaml"
    path.write_text(schema_text + "\nlexicons:\n  support_verbs: [laud]\n  aliases: {Gotham: Wayne Enterprises}\n"
                    "  files: [extra.yaml]\n", encoding="utf-8")
    schema = load_schema(path)
    lex = load_lexicons(schema)
    assert "laud" in lex.support_verbs and "decry" in lex.oppose_verbs and "laud" not in base.support_verbs
    assert lex.canonical("Gotham") == "wayne enterprises"
    assert lex.digest != base.digest
    v1, v2 = suggester_versions(load_schema()), suggester_versions(schema)
    assert v1["entities"] == v2["entities"] and v1["stances"] != v2["stances"]
    assert set(v1) == {"entities", "claims", "stances"}

    path.write_text(schema_text + "\nlexicons:\n  support_verbs: laud\n", encoding="utf-8")
    with pytest.raises(AnnotatorError) as err:
        load_lexicons(load_schema(path))
    assert err.value.path == path and err.value.line == schema_text.count("\n") + 3


@pytest.mark.slow
def test_user_lexicon_changes_suggestions():
    from annotator.suggest.lexicon import load_lexicons
    from annotator.suggest.runner import suggest_text

    nlp, schema = shared_pipeline()
    text = "The senator lauded the bill."
    assert not [s for s in suggest_text(nlp, schema, text) if s.value.kind == "stance"]
    from annotator.suggest.lexicon import Lexicons

    base = load_lexicons()
    lists = dict(base.lists)
    lists["support_verbs"] = base.support_verbs | {"laud"}
    lex = Lexicons(lists, base.aliases)
    st = [s.value for s in suggest_text(nlp, schema, text, lex=lex) if s.value.kind == "stance"]
    assert [(x.attrs["source_text"], x.polarity, x.attrs["target_text"]) for x in st] == [
        ("The senator", "FAVOR", "the bill")]


def test_default_limit_refuses_a_5mb_document_quickly(tmp_path):
    from annotator.suggest.runner import MAX_CHARS, suggest_documents

    assert MAX_CHARS < 5_000_000
    nlp, schema = shared_pipeline()
    with Store(tmp_path / "big.db") as store:
        store.import_records([ImportRecord(Document.from_text("x" * 5_000_000))])
        report = suggest_documents(store, schema, nlp=nlp)
    assert report.documents == 0 and "too long" in report.skipped[0][1]


def test_suggest_documents_from_a_thread_with_its_own_store(tmp_path):
    import threading

    from annotator.suggest.runner import suggest_documents

    nlp, schema = shared_pipeline()
    db = tmp_path / "t.db"
    with Store(db) as store:
        store.import_records([ImportRecord(Document.from_text(f"Germany backed plan number {i}.")) for i in range(3)])
    result = {}

    def work():
        with Store(db) as s:
            result["report"] = suggest_documents(s, schema, nlp=nlp, progress=lambda d, t: result.setdefault("p", []).append((d, t)))

    th = threading.Thread(target=work)
    th.start()
    th.join(60)
    assert result["report"].documents == 3
    assert result["p"][0] == (0, 3) and result["p"][-1] == (3, 3)


def test_a_model_that_is_a_file_is_named_as_a_file(tmp_path):
    from annotator.errors import AnnotatorError
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_pipeline

    f = tmp_path / "model.txt"
    f.write_text("not a pipeline", encoding="utf-8")
    with pytest.raises(AnnotatorError) as err:
        load_pipeline(str(f), load_schema())
    assert "is not a spaCy pipeline folder (a file)" in str(err.value) and "model.txt" in str(err.value)
