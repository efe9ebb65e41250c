"""Several annotators writing to one database file at once (WAL): nothing is lost."""

import subprocess
import sys
import textwrap
import time

from annotator.model import Document
from annotator.store import ImportRecord, Store

WRITERS = 6
DECISIONS = 40
DOCS = 5

WORKER = textwrap.dedent("""
    import sys, time, uuid
    from pathlib import Path
    from annotator.model import Annotation, Span
    from annotator.store import Store

    db, who, n, go = sys.argv[1], sys.argv[2], int(sys.argv[3]), Path(sys.argv[4])
    store = Store(db, create=False)
    docs = store.document_ids()
    while not go.exists():
        time.sleep(0.005)
    for i in range(n):
        doc = docs[i % len(docs)]
        ann = Annotation(uuid.uuid4().hex, doc, who, Span(i, i + 1, "PERSON"))
        store.apply(who, doc, "add", [(None, ann)])
        if i % 10 == 9:
            store.set_status(who, doc, "done")
            store.undo(who, doc)  # undoes the last add
    store.close()
""")


def test_many_writers_lose_nothing(tmp_path):
    db = tmp_path / "team.db"
    with Store(db) as s:
        s.import_records([ImportRecord(Document.from_text(f"Document {i} " * 20)) for i in range(DOCS)])
    go = tmp_path / "go"
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(db), f"w{k}", str(DECISIONS), str(go)],
                              stderr=subprocess.PIPE, text=True) for k in range(WRITERS)]
    time.sleep(0.5)
    go.touch()
    errors = []
    for p in procs:
        _, err = p.communicate(timeout=240)
        if p.returncode:
            errors.append(err)
    assert not errors, errors[0]
    undos = DECISIONS // 10
    with Store(db) as s:
        assert s.integrity_check() == "ok"
        for k in range(WRITERS):
            who = f"w{k}"
            events = s.events(annotator=who)
            assert sum(e.action == "add" for e in events) == DECISIONS
            assert sum(e.action == "undo" for e in events) == undos
            assert sum(e.action == "status" for e in events) == undos
            items = [a for items in s.layer_items(who).values() for a in items]
            assert len(items) == DECISIONS - undos
            done = {s.document_ids()[i % DOCS] for i in range(9, DECISIONS, 10)}
            assert {d for d, st in s.statuses(who).items() if st == "done"} == done
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
