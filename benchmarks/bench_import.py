"""Import of the Prodigy fashion-brands file against a bare sqlite-utils insert_all of the same rows."""

from __future__ import annotations

import json
import statistics
import tempfile
import time
from pathlib import Path

import sqlite_utils

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT.parent / "shared" / "fixtures" / "prodigy" / "ner_fashion_brands_training.jsonl"
REPEATS = 5


def bare(path: Path, db_file: Path) -> None:
    """What any script would do: parse each line, insert the rows."""
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        rows.append({"text": rec["text"], "meta": json.dumps(rec.get("meta")), "spans": json.dumps(rec.get("spans"))})
    db = sqlite_utils.Database(db_file)
    db["records"].insert_all(rows)
    db.close()


def ours(path: Path, db_file: Path) -> None:
    from annotator.formats.importing import import_sources
    from annotator.schema import load_schema
    from annotator.store import Store

    with Store(db_file) as store:
        import_sources(store, [path], schema=load_schema())


def timed(fn, path: Path) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        fn(path, Path(tmp) / "b.db")
        return time.perf_counter() - start


def run() -> list[dict]:
    if not SOURCE.exists():
        return [{"name": "import fashion-brands (skipped: ../shared absent)", "figure": 0, "baseline": None, "unit": ""}]
    ours(SOURCE, Path(tempfile.mkdtemp()) / "warm.db")  # warm imports and the schema
    ours_t, bare_t = [], []
    for _ in range(REPEATS):  # interleaved, so machine noise hits both alike
        bare_t.append(timed(bare, SOURCE))
        ours_t.append(timed(ours, SOURCE))
    return [{"name": "import 1,235 Prodigy records (median s) vs bare insert_all",
             "figure": statistics.median(ours_t), "baseline": statistics.median(bare_t), "unit": "s"}]


if __name__ == "__main__":
    print(run())
