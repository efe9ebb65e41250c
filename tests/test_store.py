"""The SQLite store: identity by text, layers, events in the same transaction, undo/redo, versions."""

import json
import sqlite3

import pytest

from annotator.errors import AnnotatorError
from annotator.model import Annotation, Document, Span, SpanRef, Stance
from annotator.store import SCHEMA_VERSION, ImportRecord, Store, new_id


def test_same_text_is_one_document_and_meta_is_kept(store):
    doc = Document.from_text("Seoul condemned the deployment.", {"url": "https://example.org/a"})
    first = store.import_records([ImportRecord(doc)])
    again = store.import_records([ImportRecord(Document.from_text(doc.text, {"url": "other"}))])
    assert (first.documents_added, again.documents_added, again.documents_existing) == (1, 0, 1)
    assert store.documents() == [doc]


def test_database_is_wal_with_busy_timeout_and_records_its_version(db_path, store):
    assert store.db.journal_mode == "wal"
    assert store.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert store.version == SCHEMA_VERSION
    conn = sqlite3.connect(db_path)  # any SQLite tool can read it
    assert conn.execute("select value from annotator_meta where key='schema_version'").fetchone() == (str(SCHEMA_VERSION),)


def test_a_decision_writes_event_and_state_together(store):
    doc = Document.from_text("Moscow welcomed the treaty.")
    store.import_records([ImportRecord(doc)])
    ann = Annotation(new_id(), doc.id, "alice", Span(0, 6, "GPE"))
    event_id = store.apply("alice", doc.id, "add", [(None, ann)])
    assert store.items(doc.id, "alice") == [ann]
    [event] = store.events(doc_id=doc.id, annotator="alice")
    assert event.id == event_id and event.action == "add"
    assert event.payload["changes"][0][1]["label"] == "GPE"
    # JSON columns hold valid JSON for other SQLite tools
    for (payload,) in store.db.execute("select payload from events"):
        json.loads(payload)


def test_a_failed_decision_leaves_nothing_behind(store):
    doc = Document.from_text("Moscow welcomed the treaty.")
    store.import_records([ImportRecord(doc)])
    good = Annotation(new_id(), doc.id, "alice", Span(0, 6, "GPE"))
    with pytest.raises(Exception):
        store.apply("alice", doc.id, "add", [(None, good), (None, "not an annotation")])
    assert store.items(doc.id, "alice") == [] and store.events(doc_id=doc.id) == []


def test_undo_and_redo_many_steps(store):
    doc = Document.from_text("Moscow welcomed the treaty.")
    store.import_records([ImportRecord(doc)])
    a = Annotation("a1", doc.id, "bob", Span(0, 6, "GPE"))
    b = Annotation("a1", doc.id, "bob", Span(0, 6, "ORG"))
    c = Annotation("a2", doc.id, "bob", Span(20, 26, "LAW"))
    store.apply("bob", doc.id, "add", [(None, a)])
    store.apply("bob", doc.id, "relabel", [(a, b)])
    store.apply("bob", doc.id, "add", [(None, c)])
    labels = lambda: [x.value.label for x in store.items(doc.id, "bob")]  # noqa: E731
    assert labels() == ["ORG", "LAW"]
    assert store.undo("bob", doc.id).action == "add"
    assert labels() == ["ORG"]
    store.undo("bob", doc.id)
    assert labels() == ["GPE"]
    store.undo("bob", doc.id)
    assert labels() == [] and store.undo("bob", doc.id) is None
    store.redo("bob", doc.id)
    store.redo("bob", doc.id)
    assert labels() == ["ORG"]
    # a new decision clears the redo stack
    store.apply("bob", doc.id, "delete", [(b, None)])
    assert store.redo("bob", doc.id) is None and labels() == []
    # undo is per annotator: alice's history is separate
    assert store.undo("alice", doc.id) is None


def test_stances_round_trip_through_the_store(store):
    doc = Document.from_text("Moscow welcomed the treaty.")
    store.import_records([ImportRecord(doc)])
    stance = Stance(SpanRef(0, 6, "GPE"), SpanRef(16, 26, "TOPIC"), "FAVOR", SpanRef(0, 27), {"rule": "test"})
    ann = Annotation(new_id(), doc.id, "alice", stance)
    store.apply("alice", doc.id, "add_stance", [(None, ann)])
    assert store.items(doc.id, "alice")[0].value == stance


def test_status_cursor_and_resume(store):
    docs = [Document.from_text(t) for t in ("One.", "Two.")]
    store.import_records([ImportRecord(d) for d in docs])
    store.set_status("alice", docs[0].id, "done")
    store.save_cursor("alice", docs[1].id, {"span": 3})
    # looking at a document does not start it: only a decision gives it a status
    assert store.statuses("alice") == {docs[0].id: "done"}
    assert store.resume_point("alice") == (docs[1].id, {"span": 3})
    assert store.cursor("alice", docs[0].id) == {} and store.cursor("bob", docs[1].id) == {}
    assert store.resume_point("nobody") == (None, {})
    with pytest.raises(AnnotatorError):
        store.set_status("alice", docs[0].id, "finished")


def test_suggestions_are_replaced_per_suggester_and_versioned(store):
    doc = Document.from_text("Moscow welcomed the treaty.")
    store.import_records([ImportRecord(doc)])
    assert store.documents_lacking({"entities": "1"}) == [doc.id]
    store.replace_suggestions(doc.id, "entities", "1", [(Span(0, 6, "GPE"), "ner", 0.9)])
    store.replace_suggestions(doc.id, "entities", "1", [(Span(0, 6, "GPE"), "ner", 0.9)])
    assert len(store.suggestions(doc.id)) == 1
    assert store.documents_lacking({"entities": "1"}) == []
    assert store.documents_lacking({"entities": "2"}) == [doc.id]


def test_not_sqlite_newer_version_and_foreign_database_are_refused(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all")
    with pytest.raises(AnnotatorError, match="not an SQLite database"):
        Store(junk)
    newer = tmp_path / "newer.db"
    Store(newer).close()
    conn = sqlite3.connect(newer)
    conn.execute("update annotator_meta set value = ? where key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.commit()
    conn.close()
    with pytest.raises(AnnotatorError, match="newer annotator"):
        Store(newer)
    foreign = tmp_path / "foreign.db"
    conn = sqlite3.connect(foreign)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(AnnotatorError, match="not an annotator database"):
        Store(foreign)
    with pytest.raises(AnnotatorError, match="no such database"):
        Store(tmp_path / "missing.db", create=False)


def test_an_older_database_is_migrated_in_place(tmp_path, monkeypatch):
    import annotator.store as store_module

    path = tmp_path / "old.db"
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute("update annotator_meta set value = '0' where key = 'schema_version'")
    conn.commit()
    conn.close()
    ran = []
    monkeypatch.setattr(store_module, "MIGRATIONS", [lambda db: ran.append(db)])
    with Store(path) as s:
        assert s.version == SCHEMA_VERSION and len(ran) == 1
