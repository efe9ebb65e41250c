"""annotator suggest against bare spaCy nlp.pipe over the same 150 articles, as whole processes.

    python benchmarks/run.py suggest

The 150 articles are made from the gold articles in tests/data/gold/ by varying them
(paragraphs rotated, numbers and a serial changed), so no two texts are equal. Both sides
load the same pipeline in a fresh Python process and parse every text with nlp.pipe; the
suggest side also runs the three suggesters and writes the suggestions to SQLite. Import
into the database is setup and is not timed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLD_DIR = ROOT / "tests" / "data" / "gold"
N_ARTICLES = 150
BATCH_SIZE = 32
REPEATS = 3

BARE = """
import sys, spacy
from pathlib import Path
texts = [p.read_text(encoding="utf-8") for p in sorted(Path(sys.argv[1]).glob("*.txt"))]
nlp = spacy.load(sys.argv[2])
n = 0
for doc in nlp.pipe(texts, batch_size=int(sys.argv[3])):
    n += len(doc)
print(n)
"""


def make_articles(n: int = N_ARTICLES) -> list[str]:
    bases = [p.read_text(encoding="utf-8") for p in sorted(GOLD_DIR.glob("*.txt"))]
    out = []
    for i in range(n):
        text = bases[i % len(bases)]
        paras = text.split("\n")
        k = (i // len(bases)) % max(1, len(paras) - 1)
        head, body = paras[0], paras[1:]
        body = body[k:] + body[:k]
        varied = "\n".join([f"{head} ({i + 1})"] + body)
        varied = varied.replace("10,000", f"{10_000 + i:,}").replace("percent", "percent" if i % 2 else "per cent")
        out.append(varied)
    return out


def _model() -> str:
    sys.path.insert(0, str(ROOT))
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import resolve_model

    return resolve_model(None, load_schema())


def _timed(cmd: list[str], env=None) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) for one whole process."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    res = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed: {res.stderr[-2000:]}")
    return elapsed, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def _fresh_db(folder: Path, name: str, texts: list[str]) -> Path:
    sys.path.insert(0, str(ROOT))
    from annotator.model import Document
    from annotator.store import ImportRecord, Store

    db = folder / name
    with Store(db) as store:
        store.import_records([ImportRecord(Document.from_text(t, {"n": i})) for i, t in enumerate(texts)])
    return db


def run() -> list[dict]:
    texts = make_articles()
    model = _model()
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        art = folder / "articles"
        art.mkdir()
        for i, t in enumerate(texts):
            (art / f"{i:04d}.txt").write_text(t, encoding="utf-8")
        suggest = [sys.executable, "-m", "annotator", "suggest", "--quiet", "--batch-size", str(BATCH_SIZE)]
        bare = [sys.executable, "-c", BARE, str(art), model, str(BATCH_SIZE)]
        # warm the file cache once, then alternate the sides; the machine may be shared, so
        # the best of REPEATS runs is kept for each side
        _timed(bare, env)
        runs: dict[str, list] = {"bare": [], "suggest": [], "suggest2": []}
        for rep in range(REPEATS):
            runs["bare"].append(_timed(bare, env))
            db = _fresh_db(folder, f"s{rep}.db", texts)
            runs["suggest"].append(_timed(suggest + ["--db", str(db)], env))
            db2 = _fresh_db(folder, f"p{rep}.db", texts)
            runs["suggest2"].append(_timed(suggest + ["--db", str(db2), "--n-process", "2"], env))
        best = {k: min(w for w, _ in v) for k, v in runs.items()}
        cpu = {k: min(c for _, c in v) for k, v in runs.items()}
        bare_s, sugg_s, sugg2_s = best["bare"], best["suggest"], best["suggest2"]
    words = sum(len(t.split()) for t in texts)
    note = f"{N_ARTICLES} articles, {words:,} words, {model}, best of {REPEATS}"
    return [
        {"name": "suggest: annotator suggest vs bare nlp.pipe (1 process)", "figure": sugg_s, "baseline": bare_s,
         "ratio": sugg_s / bare_s, "unit": "s", "note": note},
        {"name": "suggest: annotator suggest --n-process 2 vs bare nlp.pipe", "figure": sugg2_s, "baseline": bare_s,
         "ratio": sugg2_s / bare_s, "unit": "s"},
        {"name": "suggest: --n-process 2 vs --n-process 1", "figure": sugg2_s, "baseline": sugg_s,
         "ratio": sugg2_s / sugg_s, "unit": "s"},
        {"name": "suggest: CPU time, annotator suggest vs bare nlp.pipe", "figure": cpu["suggest"],
         "baseline": cpu["bare"], "ratio": cpu["suggest"] / cpu["bare"], "unit": "cpu s"},
    ]


if __name__ == "__main__":
    for row in run():
        print(row)
