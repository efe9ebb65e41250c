"""The annotation screen at real terminal sizes: the article keeps its space, nothing wraps,
the key bar always ends with help and quit (issue 13, points 1 and 2)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from annotator.tui.layout import MEASURE, panes
from annotator.tui.widgets.keybar import bar_text
from annotator.tui.widgets.panels import fit, status_line
from helpers.pilot import app_for, panel_row_visible, shown, started
from helpers.tui import make_db

pytestmark = pytest.mark.anyio


def test_the_article_keeps_fifty_columns_at_80_and_a_reading_measure_when_wide():
    assert panes(80).text >= 50 and panes(80).compact
    assert panes(120).text >= 70 and not panes(120).compact
    for width in (140, 200, 300):
        p = panes(width)
        assert p.text == MEASURE and p.article + p.side <= width
    for width in range(60, 301):
        p = panes(width)
        assert p.article + p.side <= width and p.side >= 20 and p.text >= 37


@pytest.mark.parametrize("width", [60, 80, 120, 200])
@pytest.mark.parametrize("mode", ["normal", "create"])
def test_the_key_bar_fits_and_ends_with_help_and_quit(width, mode):
    bar = bar_text(mode, {}, width)
    assert bar.cell_len <= width and bar.plain.rstrip().endswith("? help  q quit")
    remapped = bar_text(mode, {"help": "f1", "quit": "ctrl+q"}, width).plain
    assert remapped.rstrip().endswith("f1 help  ^q quit") or remapped.rstrip().endswith("ctrl+q quit")


def test_rows_and_the_status_line_are_cut_on_one_line():
    assert fit("Vladimir Putin", 8) == "Vladimi…" and fit("東京都庁", 5) == "東京…" and fit("ok", 8) == "ok"
    line = status_line(80, 3, 10, "a-very-long-annotator-name", 2, {"suggested": 97, "accepted": 3, "rejected": 1},
                       "in_progress", "Undone: setting the speaker of “" + "words " * 30 + "” (CLAIM)", "", "claims pass")
    assert line.cell_len <= 80 and "\n" not in line.plain and line.plain.startswith(" doc 3/10 ")
    assert "? 97" in line.plain and line.plain.endswith("…")


@pytest.mark.parametrize("size", [(80, 24), (120, 40), (200, 60)])
async def test_every_size_shows_the_article_the_panel_and_the_keys(tmp_path, size):
    make_db(tmp_path / "s.db")[0].close()
    async with app_for(tmp_path / "s.db").run_test(size=size) as pilot:
        screen = await started(pilot)
        await pilot.pause()
        assert screen.article.text_width == panes(size[0]).text >= 50
        assert shown(screen, "#keys").rstrip().endswith("? help  q quit")
        assert panel_row_visible(screen)
        if size[0] >= 160:  # centred: the article does not start at the left edge
            assert screen.article.region.x > 0
        await pilot.press("n")  # the new-span keys fit as well
        assert shown(screen, "#keys").rstrip().endswith("? help  q quit") and "m mark" in shown(screen, "#keys")
        assert "NEW SPAN" in shown(screen, "#status")


async def test_pickers_at_80_columns_keep_every_row_on_one_line(tmp_path):
    from annotator.tui.screens.picker import PickerScreen

    make_db(tmp_path / "s.db")[0].close()
    async with app_for(tmp_path / "s.db").run_test(size=(80, 24)) as pilot:
        await started(pilot)
        for keys in (["l"], ["escape", "t"], ["enter"]):
            await pilot.press(*keys)
            picker = pilot.app.screen
            assert isinstance(picker, PickerScreen)
            options = picker.query_one("OptionList")
            await pilot.pause()
            assert options.option_count == len(picker.choices)
            width = options.scrollable_content_region.width
            for n in range(options.option_count):
                prompt = options.get_option_at_index(n).prompt
                assert cell_len(prompt.plain) <= width, prompt.plain
