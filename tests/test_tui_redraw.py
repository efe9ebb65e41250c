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


def strips_cells(strips) -> list[list[tuple[str, object]]]:
    return [[(s.text, s.style) for s in Segment.simplify(strip)] for strip in strips]


async def test_the_scrollbars_look_as_textuals_own_at_every_position_and_on_hover(tmp_path):
    from textual.scrollbar import ScrollBar

    from annotator.tui.widgets.scrollbar import QuickScrollBar

    store = long_db(tmp_path / "long.db")
    async with app_for(tmp_path / "long.db").run_test(size=(90, 24)) as pilot:
        screen = await started(pilot)
        seen = set()
        for key in ["a"] * 70 + ["u"] * 10:
            await pilot.press(key)
            await pilot.pause()
            for view in (screen.article, screen._list):
                bar = view.vertical_scrollbar
                assert isinstance(bar, QuickScrollBar)
                if not bar.display:
                    continue
                for hover in (False, True):
                    bar.mouse_over = hover
                    crop = bar.size.region
                    ours = strips_cells(bar.render_lines(crop))
                    bar._styles_cache.clear()
                    textuals = strips_cells(ScrollBar.render_lines(bar, crop))
                    assert ours == textuals, f"{view.id}'s scrollbar at {bar.position} (hover {hover}) differs"
                    seen.add((view.id, bar.position))
                bar.mouse_over = False
    store.close()
    assert len({position for view, position in seen if view == "article"}) > 2, "the article never scrolled"


async def test_a_key_that_scrolls_styles_only_the_lines_it_changed(tmp_path):
    """Lines drawn ahead are styled ahead too: when the view scrolls onto them, the frame styles
    the few lines the key changed, not every line of the view."""
    store = long_db(tmp_path / "long.db")
    async with app_for(tmp_path / "long.db").run_test(size=(90, 24)) as pilot:
        screen = await started(pilot)
        view = screen.article
        cache = view._styles_cache
        styled, ahead = [], []
        style, prestyle = cache._style, cache.prestyle
        cache._style = lambda content: (styled.append(content) if not ahead else None, style(content))[1]
        cache.prestyle = lambda content: (ahead.append(1), prestyle(content), ahead.clear())
        scrolls = 0
        for _ in range(60):
            top = round(view.scroll_y)
            styled.clear()
            await pilot.press("a")
            await pilot.pause()
            if round(view.scroll_y) != top:
                scrolls += 1
                assert len(styled) <= 4, f"a scroll styled {len(styled)} of {view.text_height} lines in its frame"
    store.close()
    assert scrolls >= 2, "the article never scrolled: the test saw nothing"


async def test_a_focus_that_leaves_the_view_lands_a_third_in_from_where_it_came(tmp_path):
    """Going down, the focus lands a third of a screen from the top (two thirds of what comes next
    in view); going back up (undo), a third from the bottom: either way the next scroll is two
    thirds of a screen away, in the article and in the side list."""
    store = long_db(tmp_path / "long.db")
    async with app_for(tmp_path / "long.db").run_test(size=(90, 24)) as pilot:
        screen = await started(pilot)
        landed = {"down": [], "up": []}
        for key in ["a"] * 70 + ["u"] * 70:
            views = [(screen.article, screen.article.line_of(screen.article._focus[0][0])),
                     (screen._list, screen._list.highlighted)]
            tops = [round(view.scroll_y) for view, _ in views]
            await pilot.press(key)
            await pilot.pause()
            for (view, _), top in zip(views, tops):
                new_top, height = round(view.scroll_y), view.scrollable_content_region.height
                line = view.line_of(view._focus[0][0]) if view is screen.article else view.highlighted
                if new_top != top and new_top > 0:
                    landed["down" if new_top > top else "up"].append((view.id, line - new_top, height))
    store.close()
    assert {view for view, _, _ in landed["down"]} == {"article", "items"}
    assert {view for view, _, _ in landed["up"]} == {"article", "items"}
    assert all(row == height // 3 for _, row, height in landed["down"]), landed["down"]
    assert all(row == (2 * height) // 3 for _, row, height in landed["up"]), landed["up"]


async def test_the_collector_runs_less_often_while_the_app_runs_and_as_before_after(tmp_path):
    """Collections every 700 allocations landed in keys' time (benchmarks/README.md, fifth round): the
    app raises the thresholds once the article is painted, and gives the program its own back."""
    import gc

    from annotator.tui.app import GC_THRESHOLDS

    long_db(tmp_path / "l.db").close()
    before = gc.get_threshold()
    async with app_for(tmp_path / "l.db").run_test() as pilot:
        await started(pilot)
        await pilot.pause()
        assert gc.get_threshold() == GC_THRESHOLDS and GC_THRESHOLDS[0] > before[0]
    assert gc.get_threshold() == before
