"""Cold start through the real CLI in a real terminal (tmux) against a bare Textual app.

``run()`` returns two rows. The first: the median time from launching ``annotator annotate``
in a tmux pane (120x40) until the article's first words are on the pane, against a bare
Textual app — a script that reads the same text from the same database with ``sqlite3`` and
shows it in a ``Static`` — launched and watched the same way; its note also gives the median
of the per-pair ratios (each annotate start over the bare start right after it), which drifts
less when the machine's load changes during the run. The second: the CPU time (user + system,
from /proc, 10 ms ticks) each process had used when its article showed — what the start
costs, much less swayed by other programs on a shared machine than the wall time.

The database holds the seed article with its real suggestions (``annotator suggest``), and
annotate runs as an annotator would start it: the background suggester on (it finds nothing
to do). The measured starts are an annotator's second and later ones: bytecode compiled (as
``pip install`` leaves it) and the schema cached by the first start (``annotator.yamlfile``;
the untimed warm-up start lives on 2 s after its first frame so it writes that cache).

How it is watched: one tmux server is kept for the run; each launch is a new tmux session
running the command, and ``tmux capture-pane`` is polled (every few ms) until the marker
text shows. The polling costs both sides alike. Runs alternate, ``REPEATS`` of each
($BENCH_COLD_REPEATS, default 7). Needs ``tmux`` (the row says "skipped" without it).
Run it: ``python benchmarks/bench_coldstart.py``.
"""

from __future__ import annotations

import compileall
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "north-korea-russia-defense-treaty.txt"
REPEATS = int(os.environ.get("BENCH_COLD_REPEATS", "7"))
SIZE = (120, 40)
SOCKET = f"annotator-bench-{os.getpid()}"

BARE = textwrap.dedent("""
    import sqlite3, sys
    from rich.text import Text
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    conn = sqlite3.connect(sys.argv[1])
    text = conn.execute("select text from documents order by position limit 1").fetchone()[0]
    conn.close()

    class Bare(App):
        def compose(self):
            with VerticalScroll():
                yield Static(Text(text))

    Bare().run()
""")


def tmux(*args: str, check: bool = True) -> str:
    proc = subprocess.run(["tmux", "-L", SOCKET, *args], capture_output=True, text=True)
    if check and proc.returncode:
        raise RuntimeError(f"tmux {' '.join(args)}: {proc.stderr.strip()}")
    return proc.stdout


def cpu_seconds(pid: str) -> float | None:
    """User + system CPU time of a running process (Linux /proc; None elsewhere)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def launch(command: str, marker: str, timeout: float = 60.0, linger: float = 0.0) -> tuple[float, float | None]:
    """Seconds from launching ``command`` in a new tmux session until ``marker`` is on its pane, and
    the CPU seconds the command's process had used by then; the session is ended ``linger`` seconds
    after that."""
    tmux("kill-session", "-t", "run", check=False)
    start = time.perf_counter()
    tmux("new-session", "-d", "-s", "run", "-x", str(SIZE[0]), "-y", str(SIZE[1]), command)
    pid = tmux("display-message", "-p", "-t", "run", "#{pane_pid}", check=False).strip()
    try:
        while time.perf_counter() - start < timeout:
            screen = tmux("capture-pane", "-p", "-t", "run", check=False)
            if marker in screen:
                found = time.perf_counter() - start, cpu_seconds(pid)
                time.sleep(linger)
                return found
            time.sleep(0.003)
        raise RuntimeError(f"{command}: {marker!r} never showed:\n{screen}")
    finally:
        tmux("kill-session", "-t", "run", check=False)


def annotator_cli(*args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    subprocess.run([sys.executable, "-m", "annotator", *args], check=True, capture_output=True, env=env,
                   cwd=str(ROOT), timeout=600)


def run() -> list[dict]:
    name = "cold start through the CLI in tmux to the painted article vs a bare Textual app"
    if shutil.which("tmux") is None:
        return [{"name": name, "figure": 0, "baseline": None, "ratio": None, "unit": "s", "note": "skipped: no tmux"}]
    # bytecode as `pip install` leaves it: an edited checkout would otherwise pay for compiling
    # (and, under PYTHONDONTWRITEBYTECODE, pay again at every start)
    compileall.compile_dir(ROOT / "annotator", quiet=1)
    tmp = Path(tempfile.mkdtemp(prefix="bench-cold-"))
    try:
        db = tmp / "cold.db"
        annotator_cli("import", "--db", str(db), str(SEED))
        annotator_cli("suggest", "--db", str(db))
        bare = tmp / "bare.py"
        bare.write_text(BARE, encoding="utf-8")
        marker = " ".join(SEED.read_text(encoding="utf-8").split()[:4])
        env = f"cd {shlex.quote(str(ROOT))} && export PYTHONPATH={shlex.quote(str(ROOT))} HOME={shlex.quote(str(tmp))} && "
        ours = env + f"exec {shlex.quote(sys.executable)} -m annotator annotate --db {shlex.quote(str(db))} --annotator bench" + os.environ.get("BENCH_COLD_EXTRA", "")
        theirs = env + f"exec {shlex.quote(sys.executable)} {shlex.quote(str(bare))} {shlex.quote(str(db))}"
        tmux("new-session", "-d", "-s", "keep", "sleep 100000")  # one server for the whole run
        # warm the file cache for both, and let annotate finish what it does after its first frame
        # (caching the schema it parsed, annotator.yamlfile), as a user's first start does
        launch(ours, marker, linger=2.0)
        launch(theirs, marker)
        runs: dict[str, list] = {"ours": [], "theirs": []}
        for _ in range(REPEATS):
            runs["ours"].append(launch(ours, marker))
            runs["theirs"].append(launch(theirs, marker))
        rows = []
        fig, base = (statistics.median(t for t, _ in runs[k]) for k in ("ours", "theirs"))
        pairs = statistics.median(a[0] / b[0] for a, b in zip(runs["ours"], runs["theirs"]))
        rows.append({"name": name, "figure": round(fig, 4), "baseline": round(base, 4), "ratio": round(fig / base, 2),
                     "unit": "s", "note": f"median of {REPEATS}, alternating (median of the {REPEATS} pairs' "
                                          f"ratios: {pairs:.2f}); seed article with real suggestions, 120x40"})
        cpu = {k: [c for _, c in v if c is not None] for k, v in runs.items()}
        if all(len(v) == REPEATS for v in cpu.values()):
            fig, base = statistics.median(cpu["ours"]), statistics.median(cpu["theirs"])
            rows.append({"name": "CPU time of that cold start until the article is painted vs the bare app",
                         "figure": round(fig, 3), "baseline": round(base, 3), "ratio": round(fig / base, 2),
                         "unit": "s", "note": f"median of {REPEATS}; /proc user+system time (10 ms ticks) when "
                                              "the marker is seen: what the start costs, less swayed by load"})
        return rows
    finally:
        tmux("kill-server", check=False)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    for r in run():
        print(json.dumps(r))
