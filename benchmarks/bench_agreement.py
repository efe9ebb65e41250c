"""`annotator agreement` on 10,000 and 100,000 documents against a plain SQL + Counter script.

Both run as fresh processes on the same database (two annotators, 7 items each per
document: 5 entities, a claim with its speaker, a stance; about one item in six differs by
label, boundary or presence). Figure: wall time and peak memory (max RSS) of
``annotator agreement --json``. Baseline: the script anyone would write -- read both
layers' accepted items with one SELECT, put them in a Counter each, and compute exact-match
F1 per kind and label. Ours computes far more (overlap F1, observed agreement, kappa,
alpha, alpha_u, polarity, speakers, per-pair figures); the ratio says what that costs.

    python benchmarks/bench_agreement.py                 # both sizes, JSON rows
    python benchmarks/bench_agreement.py --old DIR       # also an older checkout in DIR, on data it can
                                                         # measure (speakers as names)
"""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SIZES = (10_000, 100_000)
LABELS = ("PERSON", "ORG", "GPE", "DATE", "NORP", "EVENT")
WORDS = ("the minister said on Tuesday that talks with the union would resume next week while "
         "officials in the capital warned of further strikes across the ports").split()

BASELINE = r"""
import sqlite3, sys
from collections import Counter
db = sqlite3.connect(sys.argv[1])
a, b = sys.argv[2], sys.argv[3]
layers = {a: Counter(), b: Counter()}
for layer, doc, kind, start, end, label in db.execute(
        "select layer, doc_id, kind, start, end, label from annotations "
        "where status = 'accepted' and layer in (?, ?)", [a, b]):
    layers[layer][doc, kind, start, end, label] += 1
both = layers[a] & layers[b]
def per_label(c):
    out = Counter()
    for (doc, kind, start, end, label), n in c.items():
        out[kind, label] += n
    return out
na, nb, nab = per_label(layers[a]), per_label(layers[b]), per_label(both)
for key in sorted(set(na) | set(nb)):
    print(key, 2 * nab[key] / (na[key] + nb[key]))
"""


def text_for(i: int, rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(70)]
    return f"Report {i}. " + " ".join(words).capitalize() + "."


def build(path: Path, n_docs: int, seed: int = 7, speakers: str = "spans") -> None:
    """A database with n_docs documents and two annotators' layers (schema made by the Store).

    Claim speakers are entity spans (``speakers="spans"``, as annotate records them) or plain
    names (``"names"``: the shape older versions of agreement could measure without running
    out of memory -- they built a units x speakers x speakers array)."""
    sys.path.insert(0, str(ROOT))
    from annotator.store import Store

    Store(path).close()
    rng = random.Random(seed)
    db = sqlite3.connect(path)
    db.execute("PRAGMA synchronous = OFF")
    docs, anns, statuses = [], [], []
    n = 0
    for i in range(n_docs):
        text = text_for(i, rng)
        doc_id = f"{i:016x}"
        docs.append((doc_id, text, "{}", i + 1, "2026-01-01"))
        starts = sorted(rng.sample(range(12, len(text) - 20, 7), 6))
        base = [(s, s + rng.randint(4, 14), rng.choice(LABELS)) for s in starts[:5]]
        claim = (starts[5], min(len(text), starts[5] + 40))
        for layer in ("alice", "bob"):
            for s, e, label in base:
                r = rng.random()
                if layer == "bob" and r < 0.05:
                    continue                                      # missing
                if layer == "bob" and r < 0.10:
                    label = rng.choice(LABELS)                    # relabelled
                elif layer == "bob" and r < 0.15:
                    e += 1                                        # boundary one character off
                n += 1
                anns.append((f"a{n}", doc_id, layer, "entity", s, e, label, "{}", "accepted", None, "manual", "t"))
            speaker = {"start": base[0][0], "end": base[0][1], "label": "PERSON"}
            if speakers == "names":
                speaker = "AUTHOR"
            if layer == "bob" and rng.random() < 0.1:
                speaker = "UNNAMED"
            n += 1
            anns.append((f"a{n}", doc_id, layer, "claim", claim[0], claim[1], "CLAIM",
                         json.dumps({"speaker": speaker}), "accepted", None, "manual", "t"))
            polarity = "AGAINST" if layer == "bob" and rng.random() < 0.1 else "FAVOR"
            attrs = {"source": {"start": base[0][0], "end": base[0][1], "label": ""},
                     "target": {"start": base[1][0], "end": base[1][1], "label": ""}, "evidence": None}
            n += 1
            anns.append((f"a{n}", doc_id, layer, "stance", base[0][0], base[0][1], polarity, json.dumps(attrs),
                         "accepted", None, "manual", "t"))
            statuses.append((doc_id, layer, "done", None, "t"))
        if len(anns) > 50_000:
            _flush(db, docs, anns, statuses)
    _flush(db, docs, anns, statuses)
    db.commit()
    db.close()


def _flush(db, docs, anns, statuses) -> None:
    db.executemany("insert into documents (id, text, meta, position, added) values (?, ?, ?, ?, ?)", docs)
    db.executemany("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, "
                   "suggestion_id, origin, updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", anns)
    db.executemany("insert into doc_status (doc_id, layer, status, cursor, updated) values (?, ?, ?, ?, ?)", statuses)
    docs.clear(), anns.clear(), statuses.clear()


MEMORY_CAP = 6 * 1024 ** 3  # a runaway process fails with MemoryError instead of starving the machine


def _cap_memory() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def measure(argv: list[str], pythonpath: Path) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS in MB) of one fresh process."""
    env = {**os.environ, "PYTHONPATH": str(pythonpath)}
    start = time.perf_counter()
    # run from the checkout itself: `python -m` puts the working directory first on sys.path
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=pythonpath,
                            preexec_fn=_cap_memory)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed: {err.strip()[-300:]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def ours(db: Path, checkout: Path) -> tuple[float, float, float]:
    return measure([sys.executable, "-m", "annotator", "agreement", "--db", str(db), "--json"], checkout)


def bare(db: Path) -> tuple[float, float, float]:
    return measure([sys.executable, "-c", BASELINE, str(db), "alice", "bob"], ROOT)


def run(old: Path | None = None, sizes=SIZES) -> list[dict]:
    rows = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            db = Path(tmp) / "agreement.db"
            build(db, n)
            rows += _compare(db, f"{n:,} documents", 3 if n <= 10_000 else 2)
            if old is not None:
                db.unlink()
                build(db, n, speakers="names")
                rows += _compare(db, f"{n:,} documents, speakers as names", 1, old)
    return rows


def _compare(db: Path, label: str, repeats: int, old: Path | None = None) -> list[dict]:
    bare(db), ours(db, ROOT)  # warm the page cache for both
    runs = [(bare(db), ours(db, ROOT)) for _ in range(repeats)]  # interleaved
    b_t, b_c, b_m, o_t, o_c, o_m = [min(r[side][k] for r in runs) for side in (0, 1) for k in range(3)]
    rows = [{"name": f"agreement, {label}: wall s vs SQL + Counter", "figure": o_t, "baseline": b_t, "unit": "s"},
            {"name": f"agreement, {label}: CPU s vs SQL + Counter", "figure": o_c, "baseline": b_c, "unit": "cpu s"},
            {"name": f"agreement, {label}: peak memory vs SQL + Counter", "figure": o_m, "baseline": b_m,
             "unit": "MB"}]
    if old is not None:
        try:
            x_t, x_c, x_m = ours(db, old)
        except RuntimeError as exc:
            print(f"old checkout failed: {exc}", file=sys.stderr)
        else:
            rows += [{"name": f"agreement (old checkout), {label}: wall s", "figure": x_t, "baseline": b_t,
                      "unit": "s"},
                     {"name": f"agreement (old checkout), {label}: CPU s", "figure": x_c, "baseline": b_c,
                      "unit": "cpu s"},
                     {"name": f"agreement (old checkout), {label}: peak memory", "figure": x_m, "baseline": b_m,
                      "unit": "MB"}]
    return rows


if __name__ == "__main__":
    args = sys.argv[1:]
    old_dir = Path(args[args.index("--old") + 1]) if "--old" in args else None
    for row in run(old_dir):
        print(json.dumps(row))
