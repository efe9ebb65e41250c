"""A key redraws only the lines it changed (and the lines next to the view are drawn ahead while
idle): what the screen shows after each key must be exactly what drawing the whole screen anew
shows — on a long article whose view scrolls, with every decision key."""

from __future__ import annotations

import pytest
from rich.segment import Segment

from annotator.model import Document, Span
from annotator.store import ImportRecord, Store
from annotator.tui.screens.annotate import AnnotateScreen
from helpers.pilot import app_for, started
from helpers.tui import ARTICLE, article_suggestions

pytestmark = pytest.mark.anyio

COPIES = 12


def long_db(path):
    """One article: ARTICLE twelve times, each copy's entities suggested (the first copy's claim and
    stance too)."""
    text = ARTICLE * COPIES
    doc = Document.from_text(text, {"title": "long"})
    store = Store(path)
    store.import_records([ImportRecord(doc)])
    first = article_suggestions(text)
    proposals = list(first)
    for k in range(1, COPIES):
        shift = k * len(ARTICLE)
        proposals += [(Span(v.start + shift, v.end + shift, v.label, v.kind), rule, score)
                      for v, rule, score in first if isinstance(v, Span) and v.kind == "entity"]
    store.replace_suggestions(doc.id, "test", "1", proposals)
    return store


def screen_cells(app) -> list[list[tuple[str, object]]]:
    """What the terminal would get, line by line: (text, style) runs with equal neighbours joined."""
    return [[(s.text, s.style) for s in Segment.simplify(strip)] for strip in app.screen._compositor.render_strips()]


def drawn_anew(screen: AnnotateScreen) -> list[list[tuple[str, object]]]:
    """The same screen with every kept line forgotten: Textual's and the views' own caches."""
    for widget in screen.walk_children(with_self=True):
        widget._styles_cache.clear()
        for cache in ("_cache", "_by_key", "_strips"):
            if hasattr(getattr(widget, cache, None), "clear"):
                getattr(widget, cache).clear()
    return screen_cells(screen.app)


async def test_every_decision_key_shows_what_a_fresh_drawing_shows(tmp_path):
    store = long_db(tmp_path / "long.db")
    keys = ["a"] * 14 + ["x", "x", "1", "full_stop", "comma", "u", "u", "U", "tab", "tab", "k", "k", "D"] + ["a"] * 30 + \
           ["u"] * 8 + ["U"] * 8 + ["x"] * 12
    async with app_for(tmp_path / "long.db").run_test(size=(90, 24)) as pilot:
        screen = await started(pilot)
        tops, drawn_ahead = {round(screen.article.scroll_y)}, False
        for key in keys:
            await pilot.press(key)
            await pilot.pause()
            view = screen.article
            top, height = round(view.scroll_y), view.scrollable_content_region.height
            drawn_ahead |= any(i >= top + height for i in view._cache.keys())
            tops.add(top)
            shown = screen_cells(pilot.app)
            assert shown == drawn_anew(screen), f"after {key!r} the screen differs from a fresh drawing"
    store.close()
    assert len(tops) > 2, "the article scrolled less than twice: the test would not see lines drawn ahead"
    assert drawn_ahead, "no line below the view was drawn ahead"
