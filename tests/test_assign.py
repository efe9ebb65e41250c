"""Assignment: K annotators per document, balanced; annotate's queue order."""

from collections import Counter
from itertools import combinations

import pytest
from click.testing import CliRunner
from hypothesis import given, strategies as st

from annotator.teams import assign
from annotator.annotate import queue
from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import Document
from annotator.store import ImportRecord, Store


@given(st.integers(0, 60), st.integers(1, 7), st.data())
def test_plan_gives_every_document_k_people_balanced(n_docs, n_people, data):
    k = data.draw(st.integers(1, n_people))
    docs = [f"d{i}" for i in range(n_docs)]
    people = [f"p{i}" for i in range(n_people)]
    pairs = assign.plan(docs, people, k)
    per_doc = Counter(d for d, _ in pairs)
    assert all(per_doc[d] == k for d in docs)
    assert len(set(pairs)) == len(pairs)
    load = Counter(p for _, p in pairs)
    loads = [load[p] for p in people]
    assert max(loads) - min(loads) <= 1


def test_plan_two_of_three_uses_every_pair():
    pairs = assign.plan([f"d{i}" for i in range(6)], ["a", "b", "c"], 2)
    by_doc = {}
    for d, p in pairs:
        by_doc.setdefault(d, set()).add(p)
    assert {frozenset(s) for s in by_doc.values()} == {frozenset(c) for c in combinations("abc", 2)}


def test_plan_keeps_existing_and_is_idempotent():
    docs = ["d1", "d2", "d3"]
    first = assign.plan(docs, ["a", "b"], 1)
    existing = {}
    for d, p in first:
        existing.setdefault(d, []).append(p)
    assert assign.plan(docs, ["a", "b"], 1, existing) == []
    more = assign.plan(docs, ["a", "b"], 2, existing)
    assert len(more) == 3 and not set(more) & set(first)


@pytest.mark.parametrize("people,k,msg", [([], 1, "no annotators"), (["a"], 2, "needs at least 2"),
                                          (["a", "b"], 0, "at least 1")])
def test_plan_bad_input(people, k, msg):
    with pytest.raises(AnnotatorError, match=msg):
        assign.plan(["d1"], people, k)


def test_queue_serves_own_assignments_first():
    docs = ["d1", "d2", "d3", "d4"]
    assert queue.queue(docs, ["d3", "d4"], {"d4": "done"}) == ["d3", "d1", "d2", "d4"]


def make_db(path, n=5):
    with Store(path) as s:
        s.import_records([ImportRecord(Document.from_text(f"Article number {i}.")) for i in range(n)])


def test_assign_command(tmp_path):
    db = tmp_path / "a.db"
    make_db(db)
    r = CliRunner().invoke(cli, ["assign", "--db", str(db), "--annotators", "alice,bob,carol", "--overlap", "2"])
    assert r.exit_code == 0, r.output
    assert "Assigned 10 new" in r.output
    with Store(db) as s:
        a = s.assignments()
        assert all(len(v) == 2 for v in a.values()) and len(a) == 5
        mine = s.assigned_documents("alice")
        assert queue.annotator_queue(s, "alice")[:len(mine)] == mine
        assert any(e.action == "assign" for e in s.events())
    r = CliRunner().invoke(cli, ["assign", "--db", str(db), "--annotators", "alice,bob,carol", "--overlap", "2"])
    assert "Assigned 0 new" in r.output
    r = CliRunner().invoke(cli, ["assign", "--db", str(db), "--annotators", "alice", "--overlap", "2"])
    assert r.exit_code == 1 and "needs at least 2 annotators" in r.output
