"""Undo and redo from stacks kept as events are written: the same answers as replaying the
history, a constant amount of work per step whatever the history's length, and stacks that
fell behind their events (an older file, a merge, a hand edit) rebuilt from the events."""

from __future__ import annotations

import random
import shutil
import sqlite3

from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store, new_id

TEXT = "Moscow welcomed the treaty while Seoul and Tokyo condemned it."
WORDS = [(0, 6), (20, 26), (33, 38), (43, 48)]


def _store(path) -> tuple[Store, str]:
    store = Store(path)
    doc = Document.from_text(TEXT)
    store.import_records([ImportRecord(doc)])
    return store, doc.id


def _random_history(store: Store, doc_id: str, steps: int, seed: int) -> None:
    """Adds, relabels, deletes, undos, redos and status changes by two annotators, at random."""
    rng = random.Random(seed)
    for _ in range(steps):
        who = rng.choice(["alice", "alice", "bob"])
        roll = rng.random()
        items = store.items(doc_id, who)
        if roll < 0.25:
            store.undo(who, doc_id)
        elif roll < 0.4:
            store.redo(who, doc_id)
        elif roll < 0.45:
            store.set_status(who, doc_id, rng.choice(["in_progress", "done"]))
        elif items and roll < 0.6:
            old = rng.choice(items)
            store.apply(who, doc_id, "delete", [(old, None)])
        elif items and roll < 0.75:
            old = rng.choice(items)
            new = Annotation(old.id, doc_id, who, Span(old.value.start, old.value.end, rng.choice(["GPE", "ORG"])))
            store.apply(who, doc_id, "relabel", [(old, new)])
        else:
            s, e = rng.choice(WORDS)
            store.apply(who, doc_id, "add", [(None, Annotation(new_id(), doc_id, who, Span(s, e, "GPE")))])


def _drain(path, who: str, doc_id: str, which: str) -> list[int]:
    """Undo (or redo) until nothing is left; the ids of the events undone, in order."""
    with Store(path) as store:
        step = store.undo if which == "undo" else store.redo
        out = []
        while (ev := step(who, doc_id)) is not None:
            out.append(ev.id)
        return out


def _forget_stacks(path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("delete from undo_stacks")
    conn.execute("delete from undo_marks")
    conn.commit()
    conn.close()


def test_kept_stacks_answer_as_replaying_the_history_does(tmp_path):
    for seed in range(6):
        path = tmp_path / f"h{seed}.db"
        store, doc_id = _store(path)
        _random_history(store, doc_id, 80, seed)
        store.close()
        replayed = tmp_path / f"r{seed}.db"
        shutil.copy(path, replayed)
        _forget_stacks(replayed)  # the copy has to rebuild its stacks from the events
        for who in ("alice", "bob"):
            for which in ("redo", "undo", "redo"):
                kept, rebuilt = _drain(path, who, doc_id, which), _drain(replayed, who, doc_id, which)
                assert kept == rebuilt, (seed, who, which)
        with Store(path) as a, Store(replayed) as b:
            assert a.items(doc_id, "alice") == b.items(doc_id, "alice")


def _statements_of(store: Store, action) -> list[str]:
    seen: list[str] = []
    store.db.conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        store.db.conn.set_trace_callback(None)
    return seen


def test_an_undo_reads_no_history_and_does_the_same_work_at_any_length(tmp_path):
    counts = {}
    for n in (10, 400):
        store, doc_id = _store(tmp_path / f"n{n}.db")
        ann = Annotation(new_id(), doc_id, "alice", Span(0, 6, "GPE"))
        store.apply("alice", doc_id, "add", [(None, ann)])
        for k in range(n - 1):
            new = Annotation(ann.id, doc_id, "alice", Span(0, 6, "ORG" if k % 2 == 0 else "GPE"))
            store.apply("alice", doc_id, "relabel", [(ann, new)])
            ann = new
        undo = _statements_of(store, lambda: store.undo("alice", doc_id))
        redo = _statements_of(store, lambda: store.redo("alice", doc_id))
        assert not [s for s in undo + redo if "from events where doc_id" in s and "max(id)" not in s]
        counts[n] = (len(undo), len(redo))
        assert store.items(doc_id, "alice")[0].value.label == ann.value.label
        store.close()
    assert counts[10] == counts[400]


def test_events_written_behind_the_stacks_back_are_replayed(tmp_path):
    path = tmp_path / "m.db"
    store, doc_id = _store(path)
    first = Annotation(new_id(), doc_id, "alice", Span(0, 6, "GPE"))
    store.apply("alice", doc_id, "add", [(None, first)])
    store.close()
    # a decision copied in by hand (as a merge copies events), without touching the stacks
    other = Annotation(new_id(), doc_id, "alice", Span(20, 26, "ORG"))
    with Store(tmp_path / "other.db") as o:
        o.import_records([ImportRecord(Document.from_text(TEXT))])
        o.apply("alice", doc_id, "add", [(None, other)])
        row = o.db.execute("select time, annotator, doc_id, action, payload from events where action = 'add'").fetchone()
    conn = sqlite3.connect(path)
    conn.execute("insert into events (time, annotator, doc_id, action, payload) values (?, ?, ?, ?, ?)", row)
    conn.execute("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, origin, updated)"
                 " values (?, ?, 'alice', 'entity', 20, 26, 'ORG', '{}', 'accepted', 'manual', '')", [other.id, doc_id])
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.undo("alice", doc_id).payload["changes"][0][1]["id"] == other.id
        assert [a.id for a in s.items(doc_id, "alice")] == [first.id]
        assert s.undo("alice", doc_id).payload["changes"][0][1]["id"] == first.id
        assert s.undo("alice", doc_id) is None
        assert s.redo("alice", doc_id).payload["changes"][0][1]["id"] == first.id


def test_a_database_of_version_3_keeps_its_history_after_the_migration(tmp_path):
    path = tmp_path / "v3.db"
    store, doc_id = _store(path)
    for s, e in WORDS:
        store.apply("alice", doc_id, "add", [(None, Annotation(new_id(), doc_id, "alice", Span(s, e, "GPE")))])
    store.undo("alice", doc_id)
    store.close()
    conn = sqlite3.connect(path)  # back to version 3: no stacks at all
    conn.execute("drop table undo_stacks")
    conn.execute("drop table undo_marks")
    conn.execute("update annotator_meta set value = '3' where key = 'schema_version'")
    conn.commit()
    conn.close()
    with Store(path) as s:
        assert s.migrated_from == 3
        assert s.redo("alice", doc_id).action == "add"
        assert s.redo("alice", doc_id) is None
        assert len([s.undo("alice", doc_id) for _ in WORDS]) == 4 and s.undo("alice", doc_id) is None
        assert s.items(doc_id, "alice") == []
