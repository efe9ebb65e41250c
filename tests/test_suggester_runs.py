"""Which suggester version ran on which document: the ``suggester_runs`` table (schema 6), and
the migration of a version-5 file, which kept them as ``doc_status`` rows named ``suggester:NAME``."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from annotator.teams import merge
from annotator.cli import cli
from annotator.model import DONE, IN_PROGRESS, Annotation, Document, Span, new_id
from annotator.store import ImportRecord, Store

DOCS = [Document.from_text("Angela Merkel met Emmanuel Macron in Paris."),
        Document.from_text("Boris Johnson spoke in London on Monday."),
        Document.from_text("The ministers of France and Germany met in Berlin.")]
VERSIONS = {"entities": "e1", "claims": "c1"}


def _store(path: Path) -> Store:
    """Three documents, suggestions from both suggesters on the first two, a human layer with a
    status on two of them, and a human layer whose name merely looks like the old bookkeeping."""
    s = Store(path)
    s.import_records([ImportRecord(d) for d in DOCS])
    for doc in DOCS[:2]:
        for name, version in VERSIONS.items():
            s.replace_suggestions(doc.id, name, version, [(Span(0, 6, "PERSON"), f"{name}-rule", 0.9)])
    s.apply("alice", DOCS[0].id, "create", [(None, Annotation(new_id(), DOCS[0].id, "alice", Span(0, 13, "PERSON")))])
    s.set_status("alice", DOCS[1].id, DONE)
    s.apply("Suggester:x", DOCS[2].id, "create",
            [(None, Annotation(new_id(), DOCS[2].id, "Suggester:x", Span(4, 13, "ORG")))])
    return s


def _as_version_5(path: Path) -> None:
    """Turn a file back into schema version 5: no suggester_runs; the runs as doc_status rows."""
    conn = sqlite3.connect(path)
    conn.execute("insert into doc_status (doc_id, layer, status, updated) "
                 "select doc_id, 'suggester:' || suggester, version, time from suggester_runs")
    conn.execute("drop table suggester_runs")
    conn.execute("update annotator_meta set value = '5' where key = 'schema_version'")
    conn.commit()
    conn.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return sorted(conn.execute(sql).fetchall())
    finally:
        conn.close()


def test_suggestions_record_their_run_in_their_own_table_not_in_doc_status(tmp_path):
    path = tmp_path / "a.db"
    _store(path).close()
    assert _rows(path, "select doc_id, suggester, version from suggester_runs") == sorted(
        (d.id, name, v) for d in DOCS[:2] for name, v in VERSIONS.items())
    assert _rows(path, "select distinct layer from doc_status") == [("Suggester:x",), ("alice",)]


def test_a_version_5_file_is_migrated_its_runs_moved_out_of_doc_status(tmp_path):
    path = tmp_path / "v5.db"
    _store(path).close()
    statuses_before = _rows(path, "select doc_id, layer, status from doc_status")
    _as_version_5(path)
    assert len(_rows(path, "select * from doc_status where layer glob 'suggester:*'")) == 4
    with Store(path) as s:
        assert s.migrated_from == 5 and s.version == 6
        # the runs moved over: nothing needs suggesting again but the document that had none
        assert s.documents_lacking(VERSIONS) == [DOCS[2].id]
        assert s.documents_lacking({"entities": "e2"}) == [d.id for d in DOCS]
        assert s.has_documents_lacking({"claims": "c1", "entities": "e1"})
        # every reader of layers and statuses sees only the people's layers, without filtering
        assert s.layers() == ["Suggester:x", "alice"] and s.bad_rows == []
        assert s.statuses("alice") == {DOCS[0].id: IN_PROGRESS, DOCS[1].id: DONE}
        assert set(s.stats()["layers"]) == {"Suggester:x", "alice"}
    assert _rows(path, "select doc_id, layer, status from doc_status") == statuses_before
    assert _rows(path, "select doc_id, suggester, version from suggester_runs") == sorted(
        (d.id, name, v) for d in DOCS[:2] for name, v in VERSIONS.items())


def test_suggest_does_not_redo_documents_a_version_5_file_says_are_done(tmp_path):
    path = tmp_path / "v5.db"
    with Store(path) as s:
        s.import_records([ImportRecord(d) for d in DOCS])
    runner = CliRunner()
    first = runner.invoke(cli, ["suggest", "--db", str(path)])
    assert first.exit_code == 0, first.output
    _as_version_5(path)
    again = runner.invoke(cli, ["suggest", "--db", str(path)])
    assert again.exit_code == 0, again.output
    assert "nothing to do: all 3 documents have suggestions from the current suggesters" in again.output
    assert _rows(path, "select count(*) from doc_status where layer glob 'suggester:*'") == [(0,)]


def test_merging_a_version_5_file_brings_its_runs_with_its_suggestions(tmp_path):
    other = tmp_path / "other.db"
    _store(other).close()
    _as_version_5(other)
    before = other.read_bytes()
    main = tmp_path / "main.db"
    with Store(main) as s:
        s.import_records([ImportRecord(d) for d in DOCS])
        report = merge.merge_files(s, [other])
        assert report.suggestions_added == 4 and report.runs_added == 4
        assert report.status_conflicts == [] and report.statuses_added == 3  # alice's two, Suggester:x's one
        assert s.documents_lacking(VERSIONS) == [DOCS[2].id]
        assert s.layers() == ["Suggester:x", "alice"]
    assert other.read_bytes() == before  # migrated in a copy only
    with Store(main) as s:  # merging again changes nothing
        assert not merge.merge_files(s, [other]).changed


def test_a_run_merged_without_its_suggestions_is_left_out(tmp_path):
    """Our suggestions for a document are kept, and so is our record of which version made them."""
    other, main = tmp_path / "other.db", tmp_path / "main.db"
    _store(other).close()
    with Store(main) as s:
        s.import_records([ImportRecord(d) for d in DOCS])
        s.replace_suggestions(DOCS[0].id, "entities", "e0", [(Span(0, 13, "PERSON"), "old", 0.5)])
        report = merge.merge_files(s, [other])
        assert report.runs_added == 3
    assert _rows(main, f"select version from suggester_runs where doc_id = '{DOCS[0].id}' "
                       "and suggester = 'entities'") == [("e0",)]
