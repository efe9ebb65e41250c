"""A few snapshot tests of the annotation screen (update with --snapshot-update)."""

from __future__ import annotations

import pytest

from annotator.model import Document
from annotator.store import ImportRecord, Store
from annotator.tui.app import create_app
from annotator.tui.screens.annotate import AnnotateScreen
from helpers.tui import make_db

SIZE = (110, 32)
MARKUP = (
    "[bold red]Not bold[/bold red] and [link=https://example.com]not a link[/link].\n"
    "An ANSI escape: \x1b[31mnot red\x1b[0m, a bell \x07, a tab\there, a backspace\x08 and \x9b a C1 CSI.\n"
    ":smile: is not an emoji code, [b]neither is this[/b], and \\[escaped] stays.\n"
    "Emoji 🙂 and CJK 東京 and combining é keep their offsets.\r\nCRLF line end above.\n"
)


@pytest.fixture
def app(tmp_path):
    store, ids = make_db(tmp_path / "s.db")
    store.close()
    return create_app(tmp_path / "s.db", "alice", suggest=False, keymap={})


async def wait_for_document(pilot) -> None:
    for _ in range(50):
        await pilot.pause()
        if isinstance(pilot.app.screen, AnnotateScreen) and pilot.app.screen.doc is not None:
            break


def test_main_screen_with_suggestions(snap_compare, app):
    # accept, reject, then focus rests on the third suggestion: all three looks at once
    assert snap_compare(app, press=["a", "x", "j", "j", "j", "j", "j", "j", "j", "a", "k", "k"], terminal_size=SIZE,
                        run_before=wait_for_document)


def test_help_screen(snap_compare, app):
    assert snap_compare(app, press=["question_mark"], terminal_size=(110, 44), run_before=wait_for_document)


def test_label_picker(snap_compare, app):
    assert snap_compare(app, press=["j", "l"], terminal_size=SIZE, run_before=wait_for_document)


def test_new_span_selection(snap_compare, app):
    assert snap_compare(app, press=["n", "b", "b", "m", "w", "w"], terminal_size=SIZE, run_before=wait_for_document)


def test_document_list(snap_compare, app):
    assert snap_compare(app, press=["a", "d", "g"], terminal_size=SIZE, run_before=wait_for_document)


def test_article_full_of_markup(snap_compare, tmp_path):
    path = tmp_path / "m.db"
    with Store(path) as store:
        store.import_records([ImportRecord(Document.from_text(MARKUP))])
    app = create_app(path, "alice", suggest=False, keymap={})
    assert snap_compare(app, press=["n", "m", "w", "w", "w"], terminal_size=SIZE, run_before=wait_for_document)


def test_too_small_terminal(snap_compare, app):
    assert snap_compare(app, terminal_size=(50, 10), run_before=wait_for_document)
