"""Undo and redo against a plain decision, at 10, 1,000 and 5,000 events of history.

``run()`` returns rows ``{"name", "figure", "baseline", "ratio", "unit"}``: for each history
length N, a fresh database holds one document on which one annotator made N decisions
(relabelling one span back and forth). Figure: the median time of ``Store.undo`` (and of
``Store.redo``) there, each one SQLite transaction. Baseline: the median time of
``Store.apply`` — one plain decision, the same kind of transaction — on the same document
at the same history length. A ratio that stays put as N grows means a step costs the same
at any length of history. Run it: ``python benchmarks/bench_undo.py``.
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HISTORY = (10, 1_000, 5_000)
STEPS = 60
TEXT = "Moscow welcomed the treaty while Seoul and Tokyo condemned it. " * 20


def _history(path: Path, n: int):
    from annotator.model import Annotation, Document, Span
    from annotator.store import ImportRecord, Store, new_id

    store = Store(path)
    doc = Document.from_text(TEXT)
    store.import_records([ImportRecord(doc)])
    ann = Annotation(new_id(), doc.id, "alice", Span(0, 6, "GPE"))
    store.apply("alice", doc.id, "add", [(None, ann)])
    with store.transaction():
        for k in range(n - 1):
            new = Annotation(ann.id, doc.id, "alice", Span(0, 6, "ORG" if k % 2 == 0 else "GPE"))
            store.apply("alice", doc.id, "relabel", [(ann, new)])
            ann = new
    return store, doc.id, ann


def measure(tmp: Path, n: int) -> dict[str, float]:
    from annotator.model import Annotation, Span

    store, doc_id, ann = _history(tmp / f"undo-{n}.db", n)
    times: dict[str, list[float]] = {"apply": [], "undo": [], "redo": []}
    try:
        for k in range(STEPS):
            new = Annotation(ann.id, doc_id, "alice", Span(0, 6, "ORG" if k % 2 == 0 else "GPE"))
            t0 = time.perf_counter()
            store.apply("alice", doc_id, "relabel", [(ann, new)])
            times["apply"].append(time.perf_counter() - t0)
            ann = new
        for _ in range(STEPS):
            for which in ("undo", "redo"):
                t0 = time.perf_counter()
                ev = getattr(store, which)("alice", doc_id)
                times[which].append(time.perf_counter() - t0)
                assert ev is not None
    finally:
        store.close()
    return {k: statistics.median(v) * 1000 for k, v in times.items()}


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-undo-"))
    rows = []
    try:
        for n in HISTORY:
            m = measure(tmp, n)
            for which in ("undo", "redo"):
                rows.append({"name": f"{which} at {n:,} events of history vs one decision, median",
                             "figure": round(m[which], 4), "baseline": round(m["apply"], 4),
                             "ratio": round(m[which] / m["apply"], 2), "unit": "ms"})
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
