"""Merging teammates' database files (and JSONL exports through import)."""

import hashlib
import json
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.teams import merge
from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import Annotation, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)
OTHER_DOC = Document.from_text("The Kremlin denied the report on Tuesday.")


def add(store, who, value, doc=DOC, status="accepted"):
    store.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, value, status))])


def make(path, who, labels, docs=(DOC,)):
    with Store(path) as s:
        s.import_records([ImportRecord(d) for d in docs])
        for start, end, label in labels:
            add(s, who, Span(start, end, label, "entity"))
    return path


def files_digest(path: Path) -> dict:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in path.parent.iterdir() if p.name.startswith(path.name)}


def state(path) -> dict:
    with Store(path) as s:
        rows = s.dump_rows()
    return {t: sorted(json.dumps(r, sort_keys=True) for r in v) for t, v in rows.items()}


def test_merge_brings_layers_and_twice_changes_nothing(tmp_path):
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON")])
    other = make(tmp_path / "bob.db", "bob", [(0, 13, "PERSON"), (19, 26, "GPE")], docs=(DOC, OTHER_DOC))
    with Store(other) as s:
        add(s, "bob", Stance(SpanRef(19, 26, "GPE"), SpanRef(37, 48, "TOPIC"), "FAVOR"))
        s.set_status("bob", DOC.id, "done")
        s.add_assignments([(DOC.id, "bob")])
    before_other = files_digest(other)
    with Store(main) as s:
        rep = merge.merge_files(s, [other], merged_by="carol")
        assert rep.documents_added == 1 and rep.documents_existing == 1
        assert rep.items_added == 3 and rep.layers == {"bob": 3} and not rep.conflicts
        assert set(s.annotators()) == {"alice", "bob"}
        assert len(s.items(DOC.id, "bob")) == 3
        assert s.statuses("bob") == {DOC.id: "done"}
        assert s.assignments() == {DOC.id: ["bob"]}
        assert [e.annotator for e in s.events() if e.action == "merge"] == ["carol"]
        assert s.integrity_check() == "ok"
    assert files_digest(other) == before_other  # the other file is never touched
    snapshot = state(main)
    with Store(main) as s:
        rep2 = merge.merge_files(s, [other])
    assert not rep2.changed and rep2.items_identical == 3
    assert state(main) == snapshot


def test_identical_items_once_conflicts_kept_and_reported(tmp_path):
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON"), (19, 26, "GPE")])
    laptop = make(tmp_path / "laptop.db", "alice", [(0, 13, "PERSON"), (19, 26, "NORP"), (51, 57, "GPE")])
    with Store(main) as s:
        rep = merge.merge_files(s, [laptop])
        labels = sorted(a.value.label for a in s.items(DOC.id, "alice"))
    assert labels == ["GPE", "GPE", "NORP", "PERSON"]
    assert rep.items_identical == 1 and rep.items_added == 2
    assert len(rep.conflicts) == 1
    c = rep.conflicts[0]
    assert (c.layer, c.existing, c.incoming, c.place) == ("alice", ["GPE"], "NORP", "entity 19-26")
    text = merge.format_report(rep)
    assert "kept GPE and added NORP" in text


def test_merge_of_a_copy_is_all_identical(tmp_path):
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON")])
    copy = tmp_path / "copy.db"
    with Store(main) as s:
        s.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    copy.write_bytes(main.read_bytes())
    snapshot = state(main)
    with Store(main) as s:
        rep = merge.merge_files(s, [copy])
    assert not rep.changed and state(main) == snapshot


def test_uncheckpointed_wal_content_is_merged(tmp_path):
    other = make(tmp_path / "bob.db", "bob", [])
    s = Store(other)  # kept open: its last writes may sit in bob.db-wal only
    add(s, "bob", Span(0, 13, "PERSON"))
    main = make(tmp_path / "main.db", "alice", [])
    with Store(main) as m:
        rep = merge.merge_files(m, [other])
    s.close()
    assert rep.layers["bob"] == 1


def test_failure_part_way_leaves_database_unchanged(tmp_path, monkeypatch):
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON")])
    other = make(tmp_path / "bob.db", "bob", [(0, 13, "ORG")], docs=(DOC, OTHER_DOC))
    snapshot = state(main)
    calls = []
    original = Store.insert_rows

    def flaky(self, table, rows):
        calls.append(table)
        if table == "annotations":
            raise RuntimeError("disk full")
        return original(self, table, rows)

    monkeypatch.setattr(Store, "insert_rows", flaky)
    with Store(main) as s, pytest.raises(RuntimeError):
        merge.merge_files(s, [other])
    assert "documents" in calls
    assert state(main) == snapshot


def test_bad_files_are_refused_before_anything_changes(tmp_path):
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON")])
    good = make(tmp_path / "bob.db", "bob", [(0, 13, "ORG")])
    newer = make(tmp_path / "newer.db", "zoe", [])
    with Store(newer) as s:
        s.db.execute("update annotator_meta set value = '99' where key = 'schema_version'")
        s.db.conn.commit()
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    snapshot = state(main)
    with Store(main) as s:
        with pytest.raises(AnnotatorError, match="newer annotator") as exc:
            merge.merge_files(s, [good, newer])
        assert str(newer) in str(exc.value)
        with pytest.raises(AnnotatorError, match="not an SQLite database"):
            merge.merge_files(s, [junk])
        with pytest.raises(AnnotatorError, match="no such file"):
            merge.merge_files(s, [tmp_path / "missing.db"])
        with pytest.raises(AnnotatorError, match="into itself"):
            merge.merge_files(s, [main])
    assert state(main) == snapshot


def test_merge_command(tmp_path):
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON"), (19, 26, "GPE")])
    other = make(tmp_path / "bob.db", "bob", [(0, 13, "PERSON")])
    r = CliRunner().invoke(cli, ["merge", "--db", str(main), str(other)])
    assert r.exit_code == 0, r.output
    assert "items:     1 added" in r.output
    r = CliRunner().invoke(cli, ["merge", "--db", str(main), str(other)])
    assert "Nothing new" in r.output
    fresh = tmp_path / "fresh.db"
    r = CliRunner().invoke(cli, ["merge", "--db", str(fresh), str(tmp_path / "nope.db")])
    assert r.exit_code == 1 and "no such file" in r.output and not fresh.exists()


def test_jsonl_exports_merge_through_import(tmp_path):
    a = make(tmp_path / "a.db", "alice", [(0, 13, "PERSON"), (19, 26, "GPE")])
    b = make(tmp_path / "b.db", "bob", [(0, 13, "PERSON"), (51, 57, "GPE")], docs=(DOC, OTHER_DOC))
    run = CliRunner().invoke
    for db, who in ((a, "alice"), (b, "bob")):
        r = run(cli, ["export", "--db", str(db), "--annotator", who, "-o", str(tmp_path / f"{who}.jsonl")])
        assert r.exit_code == 0, r.output
    main = tmp_path / "main.db"
    files = [str(tmp_path / "alice.jsonl"), str(tmp_path / "bob.jsonl")]
    r = run(cli, ["import", "--db", str(main), *files])
    assert r.exit_code == 0, r.output
    snapshot = state(main)
    with Store(main) as s:
        assert {"alice", "bob"} <= set(s.annotators())
        assert sorted(a.value.label for a in s.items(DOC.id, "alice")) == ["GPE", "PERSON"]
        assert sorted((a.value.start, a.value.label) for a in s.items(DOC.id, "bob")) == [(0, "PERSON"), (51, "GPE")]
    r = run(cli, ["import", "--db", str(main), *files])
    assert r.exit_code == 0, r.output
    assert state(main)["annotations"] == snapshot["annotations"]
    assert state(main)["documents"] == snapshot["documents"]


def test_older_database_is_migrated_in_a_copy_only(tmp_path):
    import sqlite3

    old = tmp_path / "old.db"
    con = sqlite3.connect(old)  # an annotator database at schema version 0: only the meta table
    con.execute("create table annotator_meta (key text primary key, value text)")
    con.execute("insert into annotator_meta values ('schema_version', '0')")
    con.commit()
    con.close()
    before = old.read_bytes()
    main = make(tmp_path / "main.db", "alice", [(0, 13, "PERSON")])
    snapshot = state(main)
    with Store(main) as s:
        rep = merge.merge_files(s, [old])
    assert not rep.changed and state(main) == snapshot
    assert old.read_bytes() == before


def test_merge_in_small_batches_is_the_same_merge(tmp_path, monkeypatch):
    """Merge reads the other file a batch at a time (a document's rows never split): batches of one row
    give the same database and the same report as one batch for everything."""
    docs = [Document.from_text(f"Report {i}: Angela Merkel met Emmanuel Macron in Paris.") for i in range(5)]
    main = make(tmp_path / "main.db", "alice", [], docs=docs[:3])
    other = make(tmp_path / "bob.db", "bob", [], docs=docs)
    for path, who, label in ((main, "alice", "PERSON"), (other, "alice", "ORG"), (other, "bob", "PERSON")):
        with Store(path) as s:
            for doc in docs[:3] if path == main else docs:
                add(s, who, Span(11, 24, label), doc=doc)
                add(s, who, Span(29, 44, "PERSON"), doc=doc)
                s.set_status(who, doc.id, "done")
    results = []
    for batch in (10_000, 1):
        monkeypatch.setattr(Store, "MERGE_BATCH", batch)
        db = tmp_path / f"main-{batch}.db"
        db.write_bytes(main.read_bytes())
        with Store(db) as s:
            rep = merge.merge_files(s, [other], merged_by="carol")
        snapshot = state(db)
        snapshot["events"] = [e for e in snapshot["events"] if '"action": "merge"' not in e]  # its time differs
        results.append((snapshot, [str(c) for c in rep.conflicts], rep.to_dict() | {"conflicts": None}))
    for a, b in zip(results[0], results[1]):
        assert a == b
    snapshot, conflicts, summary = results[0]
    assert summary["documents_added"] == 2 and summary["items_identical"] == 3  # alice's 29-44 on docs 0-2
    assert len(conflicts) == 3 and all("kept PERSON and added ORG" in c for c in conflicts)
    assert summary["layers"] == {"alice": 7, "bob": 10}
