"""Decision keys on a long article with real suggestions, the background suggester on.

``run()`` returns ``[{"name", "figure", "baseline", "ratio", "unit", "note"}]``: for each
decision key — accept ``a``, reject ``x``, relabel ``1``, resize ``.``/``,`` (the end one word
right, then left again), undo ``u``, redo ``U`` and next ``tab`` — the keystroke-to-repaint
time (median and 95th percentile, in ms) on a ~10,000-word article carrying every kind of
real suggestion (entities, claims, topics, stances).

The article: PolNeAR dev articles read from ``../shared/corpora/polnear/dev`` at run time
(joined until 10,000 words; never copied into the repository), else the gold articles of
``tests/data/gold`` repeated. Its suggestions come from the real suggester:
``annotator import`` and ``annotator suggest`` through the CLI. The app is the real one
(``create_app`` with the background suggester on, as ``annotator annotate`` starts it; it
finds every document suggested and says so), keys are posted to it as key events.

Keys are typed one frame apart: each is posted 1/60 s after the previous key's repaint (a
person's keys, even a held key's auto-repeat at 30 a second, come further apart than that).
Posted sooner, a key's repaint waits for Textual's next 60 Hz frame slot (it never paints more
often), so each figure is also measured with the keys back to back (``BENCH_KEY_GAP`` sets the
first spacing, in seconds; the "back to back" rows always use none).

Time of one key: from posting the key event until the end of the first compositor refresh
after the key's action returned (Textual renders every changed line; only the terminal
write is skipped). Every decision commits its SQLite transaction inside the action, so
before that repaint. Two baselines (``benchmarks/bare.py``), each run before and after the
annotator's keys: a bare Textual app scrolling the same text by one line per key (the whole
view drawn again), and one moving a highlighted line (two lines drawn again: the kind of
change a decision makes, and the cheapest repaint a key can have). Each key's rows compare
with the second; the first is printed as rows of its own. Every figure comes twice: wall
time, and the process's CPU time over the same stretch ("CPU" rows: steadier when other
programs load the machine; they leave out waiting for the disk, so not the commit's fsync).
Run it: ``python benchmarks/bench_decisions.py``.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear" / "dev"
GOLD = ROOT / "tests" / "data" / "gold"
WORDS = 10_000
KEYS = int(os.environ.get("BENCH_DECISION_KEYS", "200"))
FRAME = 1 / 60
KEY_GAP = float(os.environ.get("BENCH_KEY_GAP", FRAME))  # seconds from a key's repaint to the next key
SIZE = (120, 40)


def long_text(words: int = WORDS) -> tuple[str, str]:
    """(text, where it came from): PolNeAR dev articles joined, else the gold articles repeated."""
    files = sorted(POLNEAR.glob("*.txt")) if POLNEAR.is_dir() else []
    source = "PolNeAR dev articles"
    if not files:
        files, source = sorted(GOLD.glob("*.txt")), "gold articles repeated"
    parts, count, i = [], 0, 0
    while count < words:
        text = files[i % len(files)].read_text(encoding="utf-8").strip()
        parts.append(text)
        count += len(text.split())
        i += 1
    return "\n\n".join(parts), f"{source} ({i} joined, {count:,} words)"


def annotator_cli(*args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.run([sys.executable, "-m", "annotator", *args], capture_output=True, text=True, env=env,
                          cwd=str(ROOT), timeout=1200)
    if proc.returncode:
        raise RuntimeError(f"annotator {' '.join(args)}: {proc.stderr[-2000:]}")
    return proc.stdout + proc.stderr


def build_db(tmp: Path) -> tuple[Path, str]:
    """A database holding the long article and its real suggestions; (path, a note on what it holds)."""
    text, source = long_text()
    article = tmp / "long-article.txt"
    article.write_text(text, encoding="utf-8")
    db = tmp / "long.db"
    annotator_cli("import", "--db", str(db), str(article))
    said = annotator_cli("suggest", "--db", str(db)).strip().splitlines()[-1]
    return db, f"{source}; {said}"


# --- timing keys -----------------------------------------------------------------------


async def time_keys(app, plan: list[tuple[str, str, int]], ready,
                    cpu: dict[str, list[float]] | None = None, gap: float = KEY_GAP) -> dict[str, list[float]]:
    """Run ``plan`` — (name, key, count) — on ``app``, each key ``gap`` seconds after the previous
    one's repaint; seconds per key, by name (and into ``cpu``, when given, the process's CPU seconds
    over the same stretch: steadier than wall time on a shared machine, where other programs' load
    stretches every wall figure)."""
    from textual import events

    out: dict[str, list[float]] = {}
    async with app.run_test(headless=True, size=SIZE) as pilot:
        await ready(pilot)
        screen = app.screen
        stamps: list[float] = []
        cpu_stamps: list[float] = []
        original = screen._compositor_refresh

        def refresh() -> None:
            original()
            stamps.append(time.perf_counter())
            cpu_stamps.append(time.process_time())

        screen._compositor_refresh = refresh  # type: ignore[method-assign]
        acted: list[float] = []
        run_action = app.run_action

        async def timed_action(*args, **kwargs):
            result = await run_action(*args, **kwargs)
            acted.append(time.perf_counter())
            return result

        app.run_action = timed_action  # type: ignore[method-assign]
        for name, key, count in plan:
            times = out.setdefault(name, [])
            cpu_times = cpu.setdefault(name, []) if cpu is not None else []
            for n in range(count):
                k = key[n % len(key)] if isinstance(key, tuple) else key
                await pilot.pause()
                if gap:
                    await asyncio.sleep(gap)
                seen_actions = len(acted)
                c0 = time.process_time()
                t0 = time.perf_counter()
                app.post_message(events.Key(k, k if len(k) == 1 else None))
                while len(acted) == seen_actions:
                    await asyncio.sleep(0)
                t_done = acted[-1]
                deadline = time.perf_counter() + 2.0
                while time.perf_counter() < deadline and not (stamps and stamps[-1] >= t_done):
                    await asyncio.sleep(0.0001)
                after = [(s, c) for s, c in zip(stamps[-3:], cpu_stamps[-3:]) if s >= t_done]
                times.append((after[0][0] if after else t_done) - t0)
                cpu_times.append((after[0][1] if after else time.process_time()) - c0)
    return out


def stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times) * 1000, times[min(len(times) - 1, int(len(times) * 0.95))] * 1000


async def _annotator_ready(pilot) -> None:
    from annotator.tui.screens.annotate import AnnotateScreen

    app = pilot.app
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        await pilot.pause(0.05)
        screen = app.screen
        if isinstance(screen, AnnotateScreen) and screen.doc is not None and screen.items and app.suggest_finished:
            return
    raise RuntimeError("annotator never opened the document, or the background suggester never finished")


PLANS = {  # one fresh annotator layer each
    "accept": [("accept", "a", KEYS), ("undo", "u", KEYS), ("redo", "U", KEYS)],
    "reject": [("reject", "x", KEYS)],
    "relabel": [("relabel", "1", KEYS)],
    "resize": [("resize", ("full_stop", "comma"), KEYS)],
    "next": [("next", "tab", KEYS)],
}
ORDER = ("accept", "reject", "relabel", "resize", "undo", "redo", "next")


def decision_keys(db: Path, cpu: dict[str, list[float]] | None = None, gap: float = KEY_GAP,
                  tag: str = "") -> dict[str, list[float]]:
    from annotator.tui.app import create_app

    times: dict[str, list[float]] = {}
    for layer, plan in PLANS.items():
        app = create_app(db, f"bench-{layer}{tag}", suggest=True, keymap={})
        times.update(asyncio.run(time_keys(app, plan, _annotator_ready, cpu, gap)))
    return times


def bare_keys(text: str, cpu: dict[str, list[float]] | None = None, gap: float = KEY_GAP) -> dict[str, list[float]]:
    """Seconds per key of the two bare baselines: ``scroll`` and ``line``."""
    from bare import bare_line_app, bare_scroll_app

    async def ready(pilot):
        await pilot.pause()

    return {name: asyncio.run(time_keys(make(text), [(name, "j", KEYS)], ready, cpu, gap))[name]
            for name, make in (("scroll", bare_scroll_app), ("line", bare_line_app))}


def row(name: str, figure: float, baseline: float, unit: str, note: str = "") -> dict:
    return {"name": name, "figure": round(figure, 4), "baseline": round(baseline, 4),
            "ratio": round(figure / baseline, 2) if baseline else None, "unit": unit, "note": note}


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-decisions-"))
    try:
        db, note = build_db(tmp)
        from annotator.store import Store

        with Store(db, readonly=True) as store:
            text = store.documents()[0].text
        rows = []
        for spacing, gap, tag in ((f"keys {KEY_GAP * 1000:.1f} ms apart", KEY_GAP, ""),
                                  ("keys back to back", 0.0, "-b2b")):
            bare_cpu: dict[str, list[float]] = {}
            cpu: dict[str, list[float]] = {}
            bare = bare_keys(text, bare_cpu, gap)
            times = decision_keys(db, cpu, gap, tag)
            for name, more in bare_keys(text, bare_cpu, gap).items():
                bare[name] += more
            for what, mine, base, unit in (("", times, bare, "ms"), (" CPU", cpu, bare_cpu, "cpu ms")):
                l_med, l_p95 = stats(base["line"])
                for name in ORDER:
                    med, p95 = stats(mine[name])
                    rows.append(row(f"decision keys{what}, {spacing}, 10k words real suggestions, {name}, median "
                                    f"(vs bare line repaint)", med, l_med, unit, note))
                    rows.append(row(f"decision keys{what}, {spacing}, 10k words real suggestions, {name}, p95", p95,
                                    l_p95, unit))
                    note = ""
                s_med, s_p95 = stats(base["scroll"])
                rows.append(row(f"bare scroll by one line{what}, {spacing} (vs bare line repaint), median", s_med,
                                l_med, unit, f"load average {os.getloadavg()[0]:.2f}"))
                rows.append(row(f"bare scroll by one line{what}, {spacing} (vs bare line repaint), p95", s_p95,
                                l_p95, unit))
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for r in run():
        print(json.dumps(r))
