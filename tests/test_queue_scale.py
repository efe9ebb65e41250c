"""The queue read from the store as needed is the queue :func:`annotator.annotate.queue.queue`
defines, a snapshot of the session's start: random corpora (assignments, statuses, unusable
rows, documents added during the session), a small sampling block so that every path is taken."""

from __future__ import annotations

import random
import sqlite3

import pytest

from annotator.annotate import queue as Q
from annotator.model import Annotation, Document, Span, Stance, SpanRef
from annotator.store import ImportRecord, Store, new_id


def _corpus(path, rng: random.Random, n: int) -> list[str]:
    store = Store(path)
    docs = [Document.from_text(f"Document {i} about Seoul and Moscow, {rng.random()}.") for i in range(n)]
    store.import_records([ImportRecord(d) for d in docs])
    ids = [d.id for d in docs]
    store.add_assignments([(d, "alice") for d in rng.sample(ids, n // 5)] + [(d, "bob") for d in rng.sample(ids, 3)])
    for d in rng.sample(ids, n // 3):
        store.set_status("alice", d, rng.choice(["done", "done", "in_progress", "skipped", "rejected"]))
    store.close()
    conn = sqlite3.connect(path)  # a few rows no reader accepts (hand-edited)
    for d in rng.sample(ids, 3):
        conn.execute("update documents set text = null where id = ?", [d])
    conn.execute("update documents set meta = '[1]' where id = ?", [rng.choice(ids)])
    conn.commit()
    conn.close()
    return ids


def _reference(store, annotator="alice") -> list[str]:
    return Q.queue(store.document_ids(), store.assigned_documents(annotator), store.statuses(annotator))


@pytest.mark.parametrize("seed", range(6))
def test_the_queue_is_the_defined_order_and_keeps_its_numbers_for_the_session(tmp_path, monkeypatch, seed):
    monkeypatch.setattr(Q, "BLOCK", random.Random(seed).choice([1, 2, 3, 5, 8]))
    rng = random.Random(seed)
    path = tmp_path / "q.db"
    ids = _corpus(path, rng, rng.randint(20, 70))
    with Store(path) as store:
        expected = _reference(store)
        queue = Q.Queue(store, "alice")
        assert list(queue) == expected and len(queue) == len(expected)
        for i, d in enumerate(expected):
            assert queue.index(d) == i and queue[i] == d
        a, b = sorted(rng.sample(range(len(expected) + 1), 2))
        assert queue[a:b] == expected[a:b]
        # during the session: finished, assigned, new documents
        for d in rng.sample(expected, 6):
            store.set_status("alice", d, rng.choice(["done", "skipped"]))
        store.add_assignments([(d, "alice") for d in rng.sample(expected, 4)])
        new = [Document.from_text(f"Added {k} {rng.random()}") for k in range(rng.randint(0, 5))]
        store.import_records([ImportRecord(d) for d in new])
        queue.refresh()
        expected += [d.id for d in new]
        assert list(queue) == expected
        assert [queue.index(d) for d in expected] == list(range(len(expected)))
        assert queue[len(expected) - 1] == expected[-1]
        assert ids[0] in queue or ids[0] not in expected
        # the views by status: the documents with that status now, in queue order
        statuses = store.status_positions("alice")
        live = store.statuses("alice")
        for status in Q.FILTERS:
            view = Q.StatusView(queue, statuses, status)
            want = [d for d in expected if status == "all" or live.get(d, "todo") == status
                    or (status == "skipped" and live.get(d) == "rejected")]
            assert len(view) == len(want), status
            got = queue.ids(view.positions(0, len(view) + 5))
            assert got == want, status
            rows = {d: i for i, d in enumerate(want)}
            for d in rng.sample(expected, min(8, len(expected))):  # where the list puts its cursor
                assert view.index_of(store.document_position(d)) == rows.get(d), status
            if want:
                k = rng.randrange(len(want))
                assert queue.ids(view.positions(k, 3)) == want[k:k + 3], status


def test_list_rows_count_what_the_screen_shows(tmp_path):
    from annotator.annotate import decisions as D

    rng = random.Random(3)
    path = tmp_path / "c.db"
    with Store(path) as store:
        docs = [Document.from_text(f"Seoul, Moscow and Tokyo met on day {i}.") for i in range(8)]
        store.import_records([ImportRecord(d) for d in docs])
        for d in docs:
            spans = [Span(0, 5, "GPE"), Span(7, 13, "GPE"), Span(7, 13, "ORG"), Span(18, 23, "GPE")]
            stance = Stance(SpanRef(0, 5, "GPE"), SpanRef(7, 13, ""), "AGAINST")
            store.replace_suggestions(d.id, "a", "1", [(v, "r", 0.5) for v in spans + [stance]])
            store.replace_suggestions(d.id, "b", "1", [(spans[0], "r", 0.4), (Span(18, 23, "LOC"), "r", 0.4)])
            items = D.visible_items(store.suggestions(d.id), [])
            for item in rng.sample(items, rng.randint(0, len(items))):
                change = rng.choice([D.accept, D.reject])(item, d.id, "alice")
                store.apply("alice", d.id, "x", change)
            if rng.random() < 0.5:
                store.apply("alice", d.id, "create", [(None, Annotation(new_id(), d.id, "alice", Span(0, 5, "GPE")))])
        queue = Q.Queue(store, "alice")
        rows = Q.list_rows(store, "alice", queue, list(queue.positions()))
        assert [r["doc_id"] for r in rows] == list(queue) and [r["number"] for r in rows] == list(range(1, 9))
        for r in rows:
            want = D.counts(D.visible_items(store.suggestions(r["doc_id"]), store.items(r["doc_id"], "alice")))
            assert r["counts"] == want
