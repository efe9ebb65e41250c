"""import, export, merge and agreement at 10,000 and 100,000 documents: time and peak memory, each against
a bare baseline.

Every figure is a whole process started the way a user starts it (``python -m annotator ...``),
and so is every baseline (a short script doing the bare minimum with the same data):

* import  — ``annotator import`` of a Prodigy JSONL file into a new database, against a script that
  ``json.loads`` each line and ``insert_all``s text, meta and spans into one table (sqlite-utils, streamed);
* export  — ``annotator export --annotator alice -o out.jsonl`` (Prodigy JSONL, tokens included), against a
  script that selects each document with its spans (``json_group_array``) and writes one JSON line per document;
  and ``export --no-tokens`` (the same tasks without tokens) against the same script in the same run (left out
  when the checkout measured has no ``--no-tokens``);
* merge   — ``annotator merge`` of a teammate's database into a copy of ours, against a script that
  ``ATTACH``es it and runs ``INSERT OR IGNORE ... SELECT`` for every table in one transaction;
* agreement — ``annotator agreement --json`` on the merged database (alice's and bob's layers, 90 % of the
  documents in common, 1 in 100 of alice's with a conflicting label), against ``bench_agreement.py``'s
  plain script (one SELECT of both layers into a ``Counter`` each, exact-match F1 per kind and label).

Time is wall-clock seconds; CPU time is the process's user + system time (``os.wait4``'s
rusage), steadier than wall time on a shared machine, and telling work from waiting on the disk
(the bare import spends about half its wall time waiting for SQLite's syncs); peak memory is the
process's maximum resident set size (``ru_maxrss``), in MB. Python runs with its bytecode cache
(in the work folder, filled by the preparing runs), as an installed package does, even where the
environment says ``PYTHONDONTWRITEBYTECODE``: otherwise every run of ours would compile
annotator's modules first, which no user pays and the baselines (site-packages only) never do. The corpus is built from PolNeAR paragraphs
(``benchmarks/polnear_corpus.py``); without ``../shared`` the rows say "skipped".

    python benchmarks/bench_scale.py                       # both sizes, all four operations
    python benchmarks/bench_scale.py --sizes 10000 --ops import,export
    python benchmarks/bench_scale.py --code /tmp/old       # measure another checkout (PYTHONPATH)
    python benchmarks/bench_scale.py --sizes 100000 --ops export --no-floor   # without the slow second baseline

``ANNOTATOR_BENCH_SIZES=10000`` limits the sizes when run through ``benchmarks/run.py``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import polnear_corpus as corpus  # noqa: E402
from bench_agreement import BASELINE as SQL_COUNTER  # noqa: E402

ROOT = HERE.parent
SIZES = (10_000, 100_000)
OPS = ("import", "export", "merge", "agreement")

BARE_IMPORT = """
import json, sys, sqlite_utils
def rows():
    with open(sys.argv[1], encoding="utf-8") as fh:
        for line in fh:
            rec = json.loads(line)
            yield {"text": rec["text"], "meta": json.dumps(rec.get("meta")), "spans": json.dumps(rec.get("spans"))}
db = sqlite_utils.Database(sys.argv[2])
db["records"].insert_all(rows())
db.close()
"""

PLAIN_DUMP = """
import json, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
with open(sys.argv[2], "w", encoding="utf-8") as fh:
    for text, meta, spans in db.execute(
            "select d.text, d.meta, (select json_group_array(json_object('start', a.start, 'end', a.[end], "
            "'label', a.label)) from annotations a where a.doc_id = d.id and a.layer = 'alice') "
            "from documents d order by d.position"):
        fh.write(json.dumps({"text": text, "meta": json.loads(meta), "spans": json.loads(spans)},
                            ensure_ascii=False) + "\\n")
"""

# the plain dump plus spaCy's own tokens, one dict per token: the floor of any export whose tokens are spaCy's
DUMP_WITH_TOKENS = PLAIN_DUMP.replace("import json, sqlite3, sys", "import json, sqlite3, sys, spacy\nnlp = spacy.blank('en')").replace(
    '"spans": json.loads(spans)}', '"spans": json.loads(spans), "tokens": [{"text": t.text, "start": t.idx, '
    '"end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)} for t in nlp.make_doc(text)]}')

SQL_MERGE = """
import sqlite3, sys
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("attach database ? as other", [sys.argv[2]])
db.execute("begin immediate")
for table in ("documents", "suggestions", "annotations", "doc_status", "annotators", "assignments"):
    db.execute(f"insert or ignore into main.{table} select * from other.{table}")
db.execute("insert into main.events (time, annotator, doc_id, action, payload) "
           "select time, annotator, doc_id, action, payload from other.events")
db.execute("commit")
db.close()
"""

OTHER_SUGGESTIONS = """
import sys
from annotator.model import Span
from annotator.store import Store
with Store(sys.argv[1]) as s:
    items = []
    for doc in s.documents():
        spans = [a.value for a in s.items(doc.id, "bob") if a.value.kind == "entity"]
        items.append((doc.id, "entities", "bench-1", [(v, "ner", 0.9) for v in spans]))
    s.replace_suggestions_many(items)
"""


def measure(cmd: list[str], env: dict, cwd: Path) -> tuple[float, float, float]:
    """(wall seconds, peak RSS in MB, CPU seconds) of one process; a failure stops the benchmark with its
    stderr."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.stderr.close()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}: {err[-1500:]}")
    return elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime  # ru_maxrss is in KiB on Linux


class Bench:
    def __init__(self, code: Path, work: Path, repeats: int, floor: bool = True):
        self.floor = floor
        self.code = code
        self.work = work
        self.repeats = repeats
        self.env = {**os.environ, "PYTHONPATH": str(code), "ANNOTATOR_NAME": "carol",
                    "PYTHONPYCACHEPREFIX": str(work / "pycache")}
        self.env.pop("PYTHONDONTWRITEBYTECODE", None)

    def annotator(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "annotator", *args]

    def script(self, source: str, *args: str) -> list[str]:
        return [sys.executable, "-c", source, *args]

    def run(self, cmd: list[str]) -> tuple[float, float, float]:
        return measure(cmd, self.env, self.work)

    def prepare(self, n: int, ops=OPS) -> dict[str, Path]:
        """The corpus file, our database (alice's layer) and, for merge and agreement, a teammate's (bob's
        layer on 90% of ours and 10% new documents, his suggestions, and a conflicting version of 1 in 100
        of alice's documents)."""
        files = {"corpus": self.work / f"alice-{n}.jsonl", "main": self.work / f"main-{n}.db",
                 "other": self.work / f"bob-{n}.db", "merged": self.work / f"merged-{n}.db"}
        corpus.write_jsonl(files["corpus"], n)
        self.run(self.annotator("import", "--db", str(files["main"]), str(files["corpus"])))
        if not {"merge", "agreement"} & set(ops):
            self.run(self.script("import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("
                                 "'pragma wal_checkpoint(truncate)')", str(files["main"])))
            return files
        bob = corpus.write_jsonl(self.work / f"bob-{n}.jsonl", n, start=n // 10, annotator="bob")
        theirs = corpus.write_jsonl(self.work / f"alice-laptop-{n}.jsonl", n // 10, relabel_every=10)
        self.run(self.annotator("import", "--db", str(files["other"]), str(bob), str(theirs)))
        self.run(self.script(OTHER_SUGGESTIONS, str(files["other"])))
        shutil.copy(files["main"], files["merged"])
        self.run(self.annotator("merge", "--db", str(files["merged"]), str(files["other"])))
        for path in (files["main"], files["other"], files["merged"]):
            self.run(self.script("import sqlite3, sys; sqlite3.connect(sys.argv[1]).execute("
                                 "'pragma wal_checkpoint(truncate)')", str(path)))
        return files

    def fresh(self, name: str) -> Path:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.work / name}{suffix}").unlink(missing_ok=True)
        return self.work / name

    def copy(self, src: Path, name: str) -> Path:
        dst = self.fresh(name)
        shutil.copy(src, dst)
        return dst

    def has_lean_export(self) -> bool:
        """Whether the checkout measured has ``export --no-tokens``."""
        proc = subprocess.run(self.annotator("export", "--help"), env=self.env, cwd=self.work, capture_output=True,
                              text=True, check=False)
        return "--no-tokens" in proc.stdout

    def pairs(self, op: str, files: dict[str, Path]) -> tuple[list, list, list, list]:
        """Interleaved (ours, baseline, second baseline, ours without tokens) measurements of one operation."""
        ours, base, floor, lean = [], [], [], []
        measure_lean = op == "export" and self.has_lean_export()
        for _ in range(self.repeats):
            if op == "import":
                base.append(self.run(self.script(BARE_IMPORT, str(files["corpus"]), str(self.fresh("bare.db")))))
                ours.append(self.run(self.annotator("import", "--db", str(self.fresh("ours.db")),
                                                    str(files["corpus"]))))
            elif op == "export":
                base.append(self.run(self.script(PLAIN_DUMP, str(files["main"]), str(self.work / "plain.jsonl"))))
                if self.floor:
                    floor.append(self.run(self.script(DUMP_WITH_TOKENS, str(files["main"]),
                                                      str(self.work / "plain.jsonl"))))
                out = self.work / "out.jsonl"
                out.unlink(missing_ok=True)
                ours.append(self.run(self.annotator("export", "--db", str(files["main"]), "--annotator", "alice",
                                                    "-o", str(out))))
                if measure_lean:
                    out.unlink()
                    lean.append(self.run(self.annotator("export", "--db", str(files["main"]), "--annotator",
                                                        "alice", "--no-tokens", "-o", str(out))))
            elif op == "agreement":
                base.append(self.run(self.script(SQL_COUNTER, str(files["merged"]), "alice", "bob")))
                ours.append(self.run(self.annotator("agreement", "--db", str(files["merged"]), "--json")))
            else:
                base.append(self.run(self.script(SQL_MERGE, str(self.copy(files["main"], "base.db")),
                                                 str(files["other"]))))
                ours.append(self.run(self.annotator("merge", "--db", str(self.copy(files["main"], "ours.db")),
                                                    "--annotator", "carol", str(files["other"]))))
        return ours, base, floor, lean


BASELINES = {"import": "bare insert_all", "export": "plain SQL dump", "export --no-tokens": "plain SQL dump",
             "merge": "SQL ATTACH + INSERT SELECT", "agreement": "plain SQL + Counter"}


def rows_for(op: str, n: int, ours: list, base: list, floor: list = (), lean: list = ()) -> list[dict]:
    note = f"median of {len(ours)}" if len(ours) > 1 else "one run"
    if lean:  # export --no-tokens, against the same baseline runs
        return rows_for(op, n, ours, base, floor) + rows_for(f"{op} --no-tokens", n, lean, base)
    extra = [{"name": f"{op} {n:,} documents: time vs plain SQL dump + spaCy's tokenizer (a dict per token)",
              "figure": round(statistics.median(t for t, *_ in ours), 2),
              "baseline": round(statistics.median(t for t, *_ in floor), 2), "unit": "s", "note": note}] if floor else []
    return extra + [
        {"name": f"{op} {n:,} documents: time vs {BASELINES[op]}",
         "figure": round(statistics.median(t for t, *_ in ours), 2),
         "baseline": round(statistics.median(t for t, *_ in base), 2), "unit": "s", "note": note},
        {"name": f"{op} {n:,} documents: CPU time vs {BASELINES[op]}",
         "figure": round(statistics.median(c for *_, c in ours), 2),
         "baseline": round(statistics.median(c for *_, c in base), 2), "unit": "s", "note": f"user + system, {note}"},
        {"name": f"{op} {n:,} documents: peak memory vs {BASELINES[op]}",
         "figure": round(max(m for _, m, _ in ours), 1), "baseline": round(max(m for _, m, _ in base), 1),
         "unit": "MB", "note": "maximum RSS"},
    ]


def bench(sizes=SIZES, ops=OPS, code: Path = ROOT, repeats: int | None = None, keep: Path | None = None,
          floor: bool = True) -> list[dict]:
    if not corpus.available():
        return [{"name": "import/export/merge at scale (skipped: ../shared absent)", "figure": 0, "baseline": None,
                 "unit": ""}]
    work = Path(tempfile.mkdtemp(prefix="annotator-bench-scale-", dir=keep))
    out = []
    try:
        for n in sizes:
            b = Bench(code, work, repeats or (3 if n <= 10_000 else 1), floor)
            files = b.prepare(n, ops)
            for op in ops:
                print(f"  {op} at {n:,} ...", file=sys.stderr, flush=True)
                out += rows_for(op, n, *b.pairs(op, files))
            for p in work.iterdir():
                if p.is_file():
                    p.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return out


def run() -> list[dict]:
    sizes = tuple(int(x) for x in os.environ.get("ANNOTATOR_BENCH_SIZES", "").split(",") if x.strip()) or SIZES
    return bench(sizes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)))
    parser.add_argument("--ops", default=",".join(OPS))
    parser.add_argument("--code", type=Path, default=ROOT, help="the checkout to measure (put on PYTHONPATH)")
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--no-floor", action="store_true",
                        help="leave out export's second baseline (spaCy's tokenizer: 400 s at 100,000 documents)")
    args = parser.parse_args()
    rows = bench(tuple(int(x) for x in args.sizes.split(",")), tuple(args.ops.split(",")), args.code.resolve(),
                 args.repeats, floor=not args.no_floor)
    for row in rows:
        ratio = row["figure"] / row["baseline"] if row.get("baseline") else None
        print(json.dumps({**row, "ratio": round(ratio, 2) if ratio else None}))


if __name__ == "__main__":
    main()
