"""Concurrent writers on one database file vs one writer doing the same decisions.

``run()`` returns figures in the shape every benchmark here uses:
``[{"name", "figure", "baseline", "ratio", "unit"}]``. The figure is the wall time for
N processes each making M decisions at once; the baseline is one process making all
N*M decisions alone (same database layout, same decisions). A ratio near or below 1
means WAL lets writers share the file without serialising badly; much above 1 means
they queue on the write lock. Run it: ``python benchmarks/bench_concurrency.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WORKER = textwrap.dedent("""
    import sys, time, uuid
    from pathlib import Path
    from annotator.model import Annotation, Span
    from annotator.store import Store

    db, names, n, go = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3]), Path(sys.argv[4])
    store = Store(db, create=False)
    docs = store.document_ids()
    while not go.exists():
        time.sleep(0.001)
    for who in names:
        for i in range(n):
            doc = docs[i % len(docs)]
            store.apply(who, doc, "add", [(None, Annotation(uuid.uuid4().hex, doc, who, Span(i, i + 1, "PERSON")))])
    store.close()
""")


def _setup(path: Path, docs: int = 20) -> None:
    from annotator.model import Document
    from annotator.store import ImportRecord, Store

    with Store(path) as s:
        s.import_records([ImportRecord(Document.from_text(f"Benchmark article {i}. " * 40)) for i in range(docs)])


def _timed(db: Path, groups: list[list[str]], decisions: int) -> float:
    go = db.with_suffix(".go")
    go.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, str(db), ",".join(g), str(decisions), str(go)], env=env)
             for g in groups]
    time.sleep(1.0)  # let every process import and open the store
    start = time.perf_counter()
    go.touch()
    for p in procs:
        if p.wait() != 0:
            raise RuntimeError("a writer failed")
    return time.perf_counter() - start


def run(writers: int = 4, decisions: int = 100) -> list[dict]:
    names = [f"w{k}" for k in range(writers)]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        _setup(tmp / "one.db")
        _setup(tmp / "many.db")
        baseline = _timed(tmp / "one.db", [names], decisions)
        figure = _timed(tmp / "many.db", [[n] for n in names], decisions)
    total = writers * decisions
    return [
        {"name": f"{writers} concurrent writers x {decisions} decisions vs 1 writer x {total}",
         "figure": round(figure, 4), "baseline": round(baseline, 4), "ratio": round(figure / baseline, 3), "unit": "s",
         "note": "each decision is one BEGIN IMMEDIATE transaction; writers queue on the lock"},
        {"name": "decisions per second, concurrent vs single writer",
         "figure": round(total / figure, 1), "baseline": round(total / baseline, 1),
         "ratio": round(baseline / figure, 3), "unit": "decisions/s"},
    ]


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
