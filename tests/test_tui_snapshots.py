"""Snapshot tests of the annotation screen at the classic 80×24, at 120×40 and at 200×60
(update with --snapshot-update, and say why in the commit)."""

from __future__ import annotations

import pytest

from annotator.model import Document
from annotator.store import ImportRecord, Store
from annotator.tui.app import create_app
from annotator.tui.screens.annotate import AnnotateScreen
from helpers.tui import make_db

SMALL, MEDIUM, LARGE = (80, 24), (120, 40), (200, 60)
MARKUP = (
    "[bold red]Not bold[/bold red] and [link=https://example.com]not a link[/link].\n"
    "An ANSI escape: \x1b[31mnot red\x1b[0m, a bell \x07, a tab\there, a backspace\x08 and \x9b a C1 CSI.\n"
    ":smile: is not an emoji code, [b]neither is this[/b], and \\[escaped] stays.\n"
    "Emoji 🙂 and CJK 東京 and combining é keep their offsets.\r\nCRLF line end above.\n"
)


@pytest.fixture
def app(tmp_path):
    store, ids = make_db(tmp_path / "s.db")
    store.add_assignments([(ids[0], "alice")])
    store.close()
    return create_app(tmp_path / "s.db", "alice", suggest=False, keymap={})


async def wait_for_document(pilot) -> None:
    for _ in range(50):
        await pilot.pause()
        if isinstance(pilot.app.screen, AnnotateScreen) and pilot.app.screen.doc is not None:
            break


@pytest.mark.parametrize("size", [SMALL, MEDIUM, LARGE], ids=["80x24", "120x40", "200x60"])
def test_main_screen_with_suggestions(snap_compare, app, size):
    # accepted, rejected, relabelled and undecided entities at once; the focus on Vladimir Putin
    assert snap_compare(app, press=["a", "x", "a", "1"], terminal_size=size, run_before=wait_for_document)


def test_claim_focused_marks_its_speaker(snap_compare, app):
    assert snap_compare(app, press=["p", "p"], terminal_size=SMALL, run_before=wait_for_document)


def test_help_screen(snap_compare, app):
    assert snap_compare(app, press=["question_mark"], terminal_size=MEDIUM, run_before=wait_for_document)


def test_label_picker(snap_compare, app):
    assert snap_compare(app, press=["j", "l"], terminal_size=SMALL, run_before=wait_for_document)


def test_stance_target_picker_names_each_mention(snap_compare, app):
    assert snap_compare(app, press=["t", "enter"], terminal_size=SMALL, run_before=wait_for_document)


def test_accept_all_asks_with_counts(snap_compare, app):
    assert snap_compare(app, press=["A"], terminal_size=SMALL, run_before=wait_for_document)


def test_new_span_selection(snap_compare, app):
    assert snap_compare(app, press=["n", "b", "b", "m", "w", "w"], terminal_size=SMALL, run_before=wait_for_document)


def test_new_span_instruction_is_whole_at_80_columns(snap_compare, app):
    # the note gives way to nothing: the counts go for as long as it shows
    assert snap_compare(app, press=["n"], terminal_size=SMALL, run_before=wait_for_document)


def test_choose_kinds_instruction_is_whole_at_80_columns(snap_compare, app):
    # p through entities, claims, topics and stances only, back to every kind: the longest note
    assert snap_compare(app, press=["p"] * 5, terminal_size=SMALL, run_before=wait_for_document)


def test_document_list(snap_compare, app):
    assert snap_compare(app, press=["a", "g"], terminal_size=SMALL, run_before=wait_for_document)


def test_article_full_of_markup(snap_compare, tmp_path):
    path = tmp_path / "m.db"
    with Store(path) as store:
        store.import_records([ImportRecord(Document.from_text(MARKUP))])
    app = create_app(path, "alice", suggest=False, keymap={})
    assert snap_compare(app, press=["n", "m", "w", "w", "w"], terminal_size=MEDIUM, run_before=wait_for_document)


def test_too_small_terminal(snap_compare, app):
    assert snap_compare(app, terminal_size=(50, 10), run_before=wait_for_document)
