"""The annotation TUI against a bare Textual app showing the same text.

``run()`` returns ``[{"name", "figure", "baseline", "ratio", "unit"}]``:

- cold start to the first painted article (a fresh Python process, from launch until the
  article's lines have been rendered), without and with suggestions to compute (the
  article must paint before the model has loaded), plus the time until the model's
  highlights are painted. Baseline: a bare Textual app painting the same text in a
  ``Static`` (and, for highlights, the same app loading the same spaCy pipeline, running
  it on the text and painting its entities).
- keystroke-to-repaint on a 10,000-word article with 1,000 suggested spans (median and
  p95): ``j`` (next span) and ``a`` (accept: one SQLite transaction, then the repaint).
  Baseline: the bare app scrolling the same text by one line per key.

Keystroke times run headless: from posting the key event to the end of the compositor
refresh that shows its effect (Textual renders every changed line; only the terminal
write is skipped). Run it: ``python benchmarks/bench_tui.py``.
"""

from __future__ import annotations

import asyncio
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SEED = ROOT.parent / "shared" / "seeds" / "000_437d4a26b18c2406.txt"
COLD_REPEATS = 3
KEYS = 150
SIZE = (120, 40)

NAMES = ["Kim Jong Un", "Vladimir Putin", "North Korea", "Russia", "Moscow", "Pyongyang", "KCNA", "Ukraine",
         "the United States", "South Korea", "Seoul", "the Kremlin"]
LABELS = {"Kim Jong Un": "PERSON", "Vladimir Putin": "PERSON", "KCNA": "ORG"}
FILLER = ("the treaty was signed after talks and officials said that the pact would deepen military "
          "cooperation while analysts warned about sanctions troops weapons and the war economy").split()


def long_article(words: int = 10_000, spans: int = 1_000, seed: int = 7):
    """A synthetic article of ``words`` words with ``spans`` entity spans, and the spans."""
    rng = random.Random(seed)
    every = words // spans
    parts: list[str] = []
    out_spans = []
    pos = 0
    count = 0
    n = 0
    while count < words:
        if n % every == every - 1 and len(out_spans) < spans:
            name = rng.choice(NAMES)
            start = pos
            parts.append(name)
            pos += len(name)
            out_spans.append((start, pos, LABELS.get(name, "GPE")))
            count += len(name.split())
        else:
            w = rng.choice(FILLER)
            parts.append(w)
            pos += len(w)
            count += 1
        n += 1
        sep = ".\n\n" if n % 120 == 0 else " "
        parts.append(sep)
        pos += len(sep)
    return "".join(parts), out_spans


def _db_with(path: Path, text: str, spans=None) -> None:
    from annotator.model import Document, Span
    from annotator.store import ImportRecord, Store

    with Store(path) as store:
        doc = Document.from_text(text, {"title": "benchmark"})
        store.import_records([ImportRecord(doc)])
        if spans is not None:
            store.replace_suggestions(doc.id, "bench", "1", [(Span(s, e, label), "bench", 0.9) for s, e, label in spans])


# --- cold start (fresh processes) ------------------------------------------------------

CHILD = textwrap.dedent(r"""
    import asyncio, os, sys, time
    sys.path.insert(0, {root!r})
    mode, db = sys.argv[1], sys.argv[2]
    seen = set()

    def say(what):
        if what not in seen:
            seen.add(what)
            print(what, time.time(), flush=True)

    import textual.screen as S
    _orig = S.Screen._compositor_refresh
    hooks = []

    def patched(self):
        _orig(self)
        for hook in hooks:
            hook(self)

    S.Screen._compositor_refresh = patched

    async def wait_for(*names):
        for _ in range(600_000):
            if all(n in seen for n in names):
                return
            await asyncio.sleep(0.001)

    async def annotator(suggest):
        from annotator.tui.app import create_app
        from annotator.tui.screens.annotate import AnnotateScreen

        def hook(screen):
            if isinstance(screen, AnnotateScreen) and screen.doc is not None and screen.article._cache:
                say("PAINTED")
                if suggest and screen.items:
                    say("HIGHLIGHTS")

        hooks.append(hook)
        app = create_app(db, "bench", suggest=suggest, keymap={{}})
        async with app.run_test(headless=True, size={size!r}):
            await wait_for("PAINTED", *(["HIGHLIGHTS"] if suggest else []))
        os._exit(0)

    async def bare(model):
        from rich.text import Text
        from textual.app import App
        from textual.containers import VerticalScroll
        from textual.widgets import Static
        from annotator.store import Store

        with Store(db, create=False) as store:
            text = store.documents()[0].text
        state = {{"updated": False}}

        def hook(screen):
            if screen.query("#text"):
                say("PAINTED")
                if state["updated"]:
                    say("HIGHLIGHTS")

        hooks.append(hook)

        class Bare(App):
            def compose(self):
                with VerticalScroll():
                    yield Static(Text(text), id="text")

        app = Bare()
        async with app.run_test(headless=True, size={size!r}):
            await wait_for("PAINTED")
            if model:
                import spacy
                from annotator.schema import load_schema
                from annotator.suggest.pipeline import resolve_model

                def work():
                    nlp = spacy.load(resolve_model(None, load_schema()))
                    return [(e.start_char, e.end_char) for e in nlp(text).ents]

                ents = await asyncio.get_running_loop().run_in_executor(None, work)
                t = Text(text)
                for s, e in ents:
                    t.stylize("underline green", s, e)
                app.query_one("#text").update(t)
                state["updated"] = True
                await wait_for("HIGHLIGHTS")
        os._exit(0)

    if mode == "annotator":
        asyncio.run(annotator(False))
    elif mode == "annotator-model":
        asyncio.run(annotator(True))
    elif mode == "bare":
        asyncio.run(bare(False))
    else:
        asyncio.run(bare(True))
""")



def _cold(mode: str, db: Path) -> dict[str, float]:
    code = CHILD.format(root=str(ROOT), size=SIZE)
    start = time.time()
    proc = subprocess.run([sys.executable, "-c", code, mode, str(db)], capture_output=True, text=True, timeout=600,
                          cwd=str(ROOT))
    out = {}
    for line in proc.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in ("PAINTED", "HIGHLIGHTS"):
            out[parts[0]] = float(parts[1]) - start
    if "PAINTED" not in out:
        raise RuntimeError(f"{mode}: no paint\n{proc.stdout}\n{proc.stderr[-3000:]}")
    return out


def cold_start(tmp: Path, model: bool) -> list[dict]:
    text = SEED.read_text(encoding="utf-8") if SEED.exists() else long_article(800, 60)[0]
    rows = []
    ann, bare = [], []
    for i in range(COLD_REPEATS):
        db = tmp / f"cold-{model}-{i}.db"
        _db_with(db, text, spans=None if model else [])
        ann.append(_cold("annotator-model" if model else "annotator", db))
        bare.append(_cold("bare-model" if model else "bare", db))
    med = lambda rs, k: statistics.median(r[k] for r in rs)  # noqa: E731
    suffix = "with model load" if model else "no model"
    rows.append(_row(f"tui cold start to painted article ({suffix})", med(ann, "PAINTED"), med(bare, "PAINTED"), "s"))
    if model and all("HIGHLIGHTS" in r for r in ann + bare):
        rows.append(_row("tui cold start to painted model highlights", med(ann, "HIGHLIGHTS"),
                         med(bare, "HIGHLIGHTS"), "s"))
    return rows


# --- keystroke to repaint (in process, headless) ---------------------------------------


async def _keystrokes(app, ready, changed, key: str, n: int) -> list[float]:
    from textual import events

    async with app.run_test(headless=True, size=SIZE) as pilot:
        await ready(pilot)
        await pilot.pause()
        screen = app.screen
        stamps: list[float] = []
        original = screen._compositor_refresh

        def refresh() -> None:
            original()
            stamps.append(time.perf_counter())

        screen._compositor_refresh = refresh  # type: ignore[method-assign]
        times = []
        for _ in range(n):
            before = changed()
            await pilot.pause()
            t0 = time.perf_counter()
            app.post_message(events.Key(key, key if len(key) == 1 else None))
            while changed() == before:
                await asyncio.sleep(0)
            seen = len(stamps)
            t_state = time.perf_counter()
            deadline = t_state + 1.0
            while time.perf_counter() < deadline and not any(s >= t_state for s in stamps[seen - 1 if seen else 0:]):
                await asyncio.sleep(0.0002)
            after = [s for s in stamps if s >= t_state]
            times.append((after[0] if after else t_state) - t0)
        return times


def _stats(times: list[float]) -> tuple[float, float]:
    times = sorted(times)
    return statistics.median(times) * 1000, times[min(len(times) - 1, int(len(times) * 0.95))] * 1000


def keystrokes(tmp: Path) -> list[dict]:
    from bare import bare_scroll_app

    from annotator.tui.app import create_app
    from annotator.tui.screens.annotate import AnnotateScreen

    text, spans = long_article()
    db = tmp / "long.db"
    _db_with(db, text, spans)

    async def ready(pilot):
        for _ in range(200):
            await pilot.pause()
            if isinstance(pilot.app.screen, AnnotateScreen) and pilot.app.screen.doc is not None:
                return
        raise RuntimeError("annotator never opened the document")

    results = {}
    for key in ("j", "a"):
        app = create_app(db, f"bench-{key}", suggest=False, keymap={})

        def changed(app=app, key=key):
            screen = app.screen
            if not isinstance(screen, AnnotateScreen):
                return None
            return screen.session.focus_index if key == "j" else len(screen.items) - sum(i.undecided for i in screen.items)

        results[key] = asyncio.run(_keystrokes(app, ready, changed, key, KEYS))

    async def bare_ready(pilot):
        await pilot.pause()

    bare_app = bare_scroll_app(text)
    baseline = asyncio.run(_keystrokes(bare_app, bare_ready, lambda: bare_app.query_one("#scroll").scroll_y, "j",
                                       KEYS))
    b_med, b_p95 = _stats(baseline)
    rows = []
    for key, what in (("j", "next span"), ("a", "accept (saved, then shown)")):
        med, p95 = _stats(results[key])
        rows.append(_row(f"tui keystroke-to-repaint, 10k words/1k spans, {what}, median", med, b_med, "ms"))
        rows.append(_row(f"tui keystroke-to-repaint, 10k words/1k spans, {what}, p95", p95, b_p95, "ms"))
    return rows


def _row(name: str, figure: float, baseline: float, unit: str) -> dict:
    return {"name": name, "figure": round(figure, 4), "baseline": round(baseline, 4),
            "ratio": round(figure / baseline, 2) if baseline else None, "unit": unit}


def run() -> list[dict]:
    tmp = Path(tempfile.mkdtemp(prefix="bench-tui-"))
    try:
        rows = cold_start(tmp, model=False)
        try:
            rows += cold_start(tmp, model=True)
        except Exception as exc:  # no spaCy pipeline installed: say so rather than fail the lot
            print(f"bench_tui: model cold start skipped: {exc}", file=sys.stderr)
        rows += keystrokes(tmp)
        return rows
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(json.dumps(row))
