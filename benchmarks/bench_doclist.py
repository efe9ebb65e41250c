"""Opening ``annotate`` and its document list (``g``) on corpora of 10,000 and 100,000 documents.

``run()`` returns rows ``{"name", "figure", "baseline", "ratio", "unit", "note"}``. Each corpus
(see ``corpus.py``: short articles with four suggestions each, an annotator 30 % done and 10 %
in progress, 1 % assigned to her) is measured in a fresh process, the app headless at 120x40:

- open: from starting the app on the database until the first frame showing the article
  (the modules are imported before the clock starts: cold start is ``bench_coldstart``);
- ``g``: from the key until the list is painted; scroll: ``pagedown`` (median of 10) and
  ``end``; filter: ``f`` four times, through every status (the slowest);
- peak memory: the process's maximum resident set size after all of that.

Baseline: the same measurements on a corpus of 100 documents built the same way, in the same
run; a ratio near 1 means the cost does not grow with the corpus.
Run it: ``python benchmarks/bench_doclist.py`` (``BENCH_DOCLIST_SIZES=10000`` for fewer sizes).
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HERE = Path(__file__).resolve().parent
SIZES = tuple(int(s) for s in os.environ.get("BENCH_DOCLIST_SIZES", "10000,100000").split(","))
BASELINE = 100

CHILD = textwrap.dedent(r"""
    import asyncio, json, resource, statistics, sys, time
    sys.path.insert(0, {here!r})
    db = sys.argv[1]
    from bench_decisions import time_keys
    from annotator.tui.app import create_app
    from annotator.tui.screens.annotate import AnnotateScreen
    import textual.screen as S

    painted = []
    orig = S.Screen._compositor_refresh

    def patched(self):
        orig(self)
        if isinstance(self, AnnotateScreen) and self.doc is not None and not painted:
            painted.append(time.perf_counter())

    S.Screen._compositor_refresh = patched

    async def ready(pilot):
        for _ in range(10_000):
            if painted:
                break
            await pilot.pause(0.001)
        await pilot.pause()

    t0 = time.perf_counter()
    app = create_app(db, "alice", suggest=False, keymap={{}})
    plan = [("g", "g", 1), ("pagedown", "pagedown", 10), ("end", "end", 1), ("home", "home", 1), ("f", "f", 4),
            ("escape", "escape", 1)]
    times = asyncio.run(time_keys(app, plan, ready))
    out = {{"open": painted[0] - t0, "g": times["g"][0], "pagedown": statistics.median(times["pagedown"]),
           "end": times["end"][0], "filter": max(times["f"]),
           "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}
    print("RESULT " + json.dumps(out))
""")


def measure(db: Path) -> dict:
    code = CHILD.format(here=str(HERE))
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-c", code, str(db)], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=3600)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    raise RuntimeError(f"no result for {db}:\n{proc.stdout[-2000:]}\n{proc.stderr[-3000:]}")


def build(path: Path, n: int) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(HERE)!r}); import corpus; "
                    f"from pathlib import Path; corpus.build(Path({str(path)!r}), {n})"],
                   check=True, env=env, cwd=str(ROOT), timeout=3600)


LABELS = {"open": ("open annotate, to the painted article", "s"), "g": ("g, the document list painted", "ms"),
          "pagedown": ("list scroll, pagedown, median", "ms"), "end": ("list scroll to the end", "ms"),
          "filter": ("list filter by status, slowest of 4", "ms"), "peak_mb": ("peak memory after open, g, scroll, filter", "MB")}


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-doclist-"))
    try:
        base_db = tmp / f"c{BASELINE}.db"
        build(base_db, BASELINE)
        base = measure(base_db)
        rows = []
        for n in SIZES:
            db = tmp / f"c{n}.db"
            build(db, n)
            got = measure(db)
            for key, (what, unit) in LABELS.items():
                scale = 1000 if unit == "ms" else 1
                fig, bl = got[key] * scale, base[key] * scale
                rows.append({"name": f"{n:,} documents: {what} (vs {BASELINE} documents)", "figure": round(fig, 4),
                             "baseline": round(bl, 4), "ratio": round(fig / bl, 2) if bl else None, "unit": unit})
            db.unlink()
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
