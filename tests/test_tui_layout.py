"""The annotation screen at real terminal sizes: the article keeps its space, nothing wraps,
the key bar always ends with help and quit (issue 13, points 1 and 2)."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from annotator.annotate.session import KIND_CHOICES
from annotator.annotate.refs import dangling_note
from annotator.model import CLAIM, ENTITY, STANCE, TOPIC, Span
from annotator.tui.layout import MEASURE, panes
from annotator.tui.screens import annotate as screen_notes
from annotator.tui.screens.annotate import MIN_WIDTH, pass_done_note, walk_note, with_keys
from annotator.tui.screens.keyed import wait_note
from annotator.tui.keymap import key_names
from annotator.tui.widgets.keybar import bar_text
from annotator.tui.widgets.panels import detail, fit, status_line, wordings
from helpers.pilot import app_for, panel_row_visible, shown, started, status
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


KEYS = key_names({})  # the default keys
CREATE_NOTES = [with_keys(note, KEYS)
                for note in (screen_notes.NEW_SPAN_NOTE, screen_notes.MARKED_NOTE, screen_notes.NOTHING_SELECTED_NOTE)]
NORMAL_NOTES = [
    walk_note(None, "every kind: entities, then claims, topics, stances", KEYS),
    *(walk_note(kind, f"{name} only", KEYS) for kind, name in ((ENTITY, "entities"), (CLAIM, "claims"),
                                                                (TOPIC, "topics"), (STANCE, "stances"))),
    pass_done_note(ENTITY, CLAIM, 1234, KEYS), pass_done_note(CLAIM, STANCE, 7, KEYS),
    pass_done_note(STANCE, None, 0, KEYS),
    wait_note(1234),
]
DATA_NOTES = [  # notes that quote the article: their fullest wording may not fit 120 columns with the counts
    dangling_note([(Span(0, 45, "ORG"), 2, 1)], "The Democratic People's Republic of Korea's army", KEYS),
    dangling_note([(Span(0, 5, "ORG"), 2, 1), (Span(6, 9, "GPE"), 1, 0)], "Korea's army", KEYS),
]
SMALL_COUNTS = (1, 3, {"suggested": 3, "accepted": 1, "rejected": 0})
BIG_COUNTS = (123, 4567, {"suggested": 1234, "accepted": 567, "rejected": 89})


@pytest.mark.parametrize("width", [MIN_WIDTH, 72, 80, 100, 120])
@pytest.mark.parametrize("k, n, counts", [SMALL_COUNTS, BIG_COUNTS], ids=["small", "big"])
def test_every_note_is_read_whole_from_the_smallest_width_on(width, k, n, counts):
    """At 80 columns the notes were cut mid-word ("… m ma…"): now the counts give way, then a shorter
    wording, so every instruction the annotate screen gives is whole at any width it runs at."""
    for mode, notes in (("NEW SPAN", CREATE_NOTES), ("", NORMAL_NOTES), ("", DATA_NOTES)):
        for note in notes:
            line = status_line(width, k, n, "alice", 2, counts, "in_progress", note, mode, "claims pass").plain
            assert len(line) <= width and ("…" not in line or notes is DATA_NOTES), line  # theirs: in a quote
            assert any(line.endswith("  " + wording) for wording in wordings(note)), line
            assert line.startswith(f" doc {k}/{n} ") and (not mode or f" {mode} " in line)


def test_at_120_columns_notes_keep_their_full_wording_and_the_counts():
    k, n, counts = SMALL_COUNTS
    for mode, notes in (("NEW SPAN", CREATE_NOTES), ("", NORMAL_NOTES)):
        for note in notes:
            line = status_line(120, k, n, "alice", 2, counts, "in_progress", note, mode, "").plain
            assert line.endswith("  " + wordings(note)[0]) and "? 3" in line, line


def test_the_detail_says_whole_how_to_make_a_span_in_the_narrowest_panel():
    from annotator.schema import load_schema

    width = panes(80).side - 3
    shown_rows = detail(None, "", load_schema(None), 0, 0, width).plain.splitlines()
    assert all(len(row) <= width for row in shown_rows)
    assert " ".join(shown_rows[1:]) == "n creates a span at the cursor."


async def test_every_instruction_is_whole_on_the_80_by_24_screen(tmp_path):
    make_db(tmp_path / "s.db")[0].close()
    async with app_for(tmp_path / "s.db").run_test(size=(80, 24)) as pilot:
        screen = await started(pilot)

        async def says(*keys) -> str:
            await pilot.press(*keys)
            await pilot.pause()
            line = status(screen)
            assert "…" not in line, line
            return line

        assert "NEW SPAN   move the cursor to the first word, m marks it" in await says("n")
        assert "start marked: move to the end, ⏎ confirms" in await says("m")
        await says("escape")
        for _ in KIND_CHOICES:
            line = await says("p")
            assert "walk" in line and line.endswith("; p changes it"), line


async def test_a_decision_that_ends_the_last_pass_says_so_whole_at_80_columns(tmp_path):
    """Deciding the last suggestion, a span a stance points at, said "1 stance pointing at it follows;
    all decided: d mar…": the two did not fit together and the instruction was cut."""
    make_db(tmp_path / "s.db")[0].close()
    async with app_for(tmp_path / "s.db").run_test(size=(80, 24)) as pilot:
        screen = await started(pilot)
        await pilot.press("A", "y")  # everything accepted
        await pilot.pause()
        start = screen.doc.text.index("The United States")
        screen.session.move_to(next(i for i, it in enumerate(screen.items)
                                    if it.start == start and it.kind == ENTITY))
        await pilot.press("D")  # a suggestion again: the one left to decide; the stance still names it
        await pilot.pause()
        assert "1 stance still points at" in status(screen)
        await pilot.press("2")  # decided with another label: the stance follows, the last pass ends
        await pilot.pause()
        line = status(screen).rstrip()
        assert "…" not in line and line.endswith("d marks the document done"), line


async def test_notes_name_the_keys_as_a_key_file_mapped_them(tmp_path):
    """The notes named the default keys ("m marks it") even when a key file had moved them elsewhere."""
    make_db(tmp_path / "s.db")[0].close()
    keymap = {"mark": "M", "confirm": "ctrl+o", "choose_kinds": "P", "accept": "y", "quit": "ctrl+q", "stance": "T"}
    async with app_for(tmp_path / "s.db", keymap=keymap).run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert "move the cursor to the first word, M marks it" in status(screen)
        await pilot.press("M")
        await pilot.pause()
        assert "start marked: move to the end, ctrl+o confirms" in status(screen)
        await pilot.press("escape", "P")
        await pilot.pause()
        assert status(screen).rstrip().endswith("tab, y, x, j, k and A walk entities only; P changes it"), status(screen)
        assert screen.quit_key == "ctrl+q"
        assert screen.session.keys["stance"] == "T"  # the session's own messages ("… (T changes that)")


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
