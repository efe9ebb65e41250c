"""The TUI draws text from data literally: escape sequences, BEL, C1 controls and rich markup
in labels, titles, rule names and attributes show as visible characters on every screen
(main, side panel, detail, status line, document list, pickers, help, review), and a bad row
in the database is skipped with a note instead of crashing the app at start."""

from __future__ import annotations

import re
import sqlite3
import uuid

import pytest

from annotator import validate
from annotator.model import CLAIM, Annotation, Document, Span
from annotator.store import ImportRecord, Store

pytestmark = pytest.mark.anyio
pytest.importorskip("textual")
from annotator.tui.app import create_app  # noqa: E402
from annotator.teams import review_queue  # noqa: E402
from annotator.tui.review_app import create_review_app  # noqa: E402
from annotator.tui.screens.review import ReviewScreen  # noqa: E402
from annotator.tui.screens.annotate import AnnotateScreen  # noqa: E402
from annotator.tui.screens.documents import DocumentListScreen  # noqa: E402
from annotator.tui.screens.error import ErrorScreen  # noqa: E402
from annotator.tui.screens.help import HelpScreen  # noqa: E402
from annotator.tui.screens.picker import PickerScreen  # noqa: E402

EVIL = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x9b31m"
SHOWN = "␛[2J␛]0;pwned␇␛]52;c;ZXZpbA==␇"  # how EVIL is drawn (the C1 byte becomes U+FFFD)
MARKUP = "[bold red]X[/]"
FORBIDDEN = re.compile("[\x07\x1b\x7f\x80-\x9f]")
TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday. " + EVIL
SIZE = (140, 40)


def screen_text(app) -> str:
    """Every character the current screen would send to the terminal (styles aside)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(seg.text for seg in strip) for strip in strips)


def assert_inert(app) -> str:
    text = screen_text(app)
    assert not FORBIDDEN.search(text), repr(FORBIDDEN.search(text))
    return text


async def until(pilot, predicate, what: str):
    for _ in range(60):
        await pilot.pause()
        if predicate():
            return
    raise AssertionError(f"never got: {what}")


def make(path, label: str = MARKUP) -> tuple[Document, Document]:
    doc = Document.from_text(TEXT, {"title": "Title " + EVIL})
    doc2 = Document.from_text("The Kremlin denied the report on Tuesday.", {"title": "second"})
    with Store(path) as s:
        s.import_records([ImportRecord(doc), ImportRecord(doc2)])
        s.replace_suggestions(doc.id, "entities", "1", [
            (Span(50, 56, "GPE"), "ner", 0.9),
            (Span(19, 48, "CLAIM", CLAIM, {"speaker": {"start": 0, "end": 13, "label": "PERSON"}, "cue": EVIL}),
             "said", 0.8)])
        for who in ("alice", "bob"):
            for value in (Span(0, 13, "PERSON"), Span(19, 26, label if who == "bob" else "GPE")):
                s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, value))])
    con = sqlite3.connect(path)
    con.execute("update suggestions set rule = ? where kind = 'entity'", ["ner" + EVIL])
    con.commit()
    con.close()
    return doc, doc2


async def test_every_annotate_screen_draws_hostile_text_literally(tmp_path):
    db = tmp_path / "t.db"
    doc, _ = make(db, MARKUP)
    with Store(db) as s:  # bob's markup label lands in alice's layer too, so the side panel shows it
        s.apply("alice", doc.id, "add", [(None, Annotation("m1", doc.id, "alice", Span(67, 71, MARKUP)))])
    app = create_app(db, "alice", suggest=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AnnotateScreen) and app.screen.doc is not None, "a document")
        screen = app.screen
        text = assert_inert(app)
        assert "[bold red]" in text  # markup is shown (cut to the label column), never interpreted
        assert "␛[2J␛]0;pwned␇" in text  # the article itself
        # focus the GPE suggestion whose rule name is hostile: the detail header shows it literally
        i = next(n for n, it in enumerate(screen.items) if it.suggestion and it.suggestion.rule.startswith("ner"))
        screen.session.move_to(i)
        screen._show_moved()
        await pilot.pause()
        assert "ner␛[2J" in assert_inert(app)
        j = next(n for n, it in enumerate(screen.items) if it.kind == CLAIM)
        screen.session.move_to(j)
        screen._show_moved()
        await pilot.pause()
        text = assert_inert(app)
        assert "cue: ␛[2J␛]0;pwned␇␛]52;" in text  # the claim's cue, an attribute
        await pilot.press("g")
        await until(pilot, lambda: isinstance(app.screen, DocumentListScreen), "the document list")
        assert "Title ␛[2J␛]0;pwned␇" in assert_inert(app)
        await pilot.press("escape", "l")
        await until(pilot, lambda: isinstance(app.screen, PickerScreen), "the label picker")
        assert_inert(app)
        await pilot.press("escape", "question_mark")
        await until(pilot, lambda: isinstance(app.screen, HelpScreen), "the help screen")
        assert_inert(app)


async def test_a_hostile_label_that_got_into_the_database_is_drawn_literally(tmp_path, monkeypatch):
    """Defence in depth: even with the validator switched off, a label holding escape sequences is
    drawn as visible characters in the side panel, the detail header and the review screen."""
    monkeypatch.setattr(validate, "label_problem", lambda *a, **k: None)
    db = tmp_path / "h.db"
    doc, _ = make(db, "GPE")
    con = sqlite3.connect(db)
    # alice's label only: the two versions differ, so the document is in the review queue
    con.execute("update annotations set label = ? where label = 'GPE' and layer = 'alice'", ["LBL" + EVIL])
    con.commit()
    con.close()
    app = create_app(db, "alice", suggest=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AnnotateScreen) and app.screen.doc is not None, "a document")
        screen = app.screen
        i = next(n for n, it in enumerate(screen.items) if it.label.startswith("LBL"))
        screen.session.move_to(i)
        screen._show_moved()
        await pilot.pause()
        text = assert_inert(app)
        assert text.count("LBL␛[2J") >= 2  # side panel and detail header
    with Store(db) as s:
        queue = review_queue.build(s, ["alice", "bob"])
    review = create_review_app(str(db), "carol", queue, keymap={})
    async with review.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(review.screen, ReviewScreen), "the review screen")
        assert "LBL␛[2J" in assert_inert(review)
        await pilot.press("e")  # the label picker of the review layer
        await until(pilot, lambda: isinstance(review.screen, PickerScreen), "the review picker")
        assert_inert(review)


async def test_annotate_starts_past_a_bad_document_it_would_resume_on(tmp_path):
    """Hand-edited with sqlite-utils: the document alice stopped on no longer has text. The app used
    to crash at every start; now it opens the next document and says which row it skipped."""
    db = tmp_path / "r.db"
    doc, doc2 = make(db, "GPE")
    with Store(db) as s:
        s.save_cursor("alice", doc.id, {"start": 0})
    con = sqlite3.connect(db)
    con.execute("update documents set text = NULL where id = ?", [doc.id])
    con.execute("update annotations set attrs = 'not json' where layer = 'alice' and label = 'PERSON'")
    con.commit()
    con.close()
    app = create_app(db, "alice", suggest=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, (AnnotateScreen, ErrorScreen))
                    and getattr(app.screen, "doc", None) is not None, "a document")
        assert app.screen.doc.id == doc2.id
        text = assert_inert(app)
        assert "skipped a bad database row: documents row" in text
        await pilot.press("left_square_bracket")  # previous document: the bad one is not in the queue
        assert app.screen.doc.id == doc2.id
    assert app.return_code in (0, None)


async def test_a_bad_annotation_row_is_skipped_with_a_note(tmp_path):
    db = tmp_path / "i.db"
    doc, _ = make(db, "GPE")
    con = sqlite3.connect(db)
    con.execute("update annotations set start = 'abc' where layer = 'alice' and label = 'PERSON'")
    con.commit()
    con.close()
    app = create_app(db, "alice", suggest=False, keymap={})
    async with app.run_test(size=SIZE) as pilot:
        await until(pilot, lambda: isinstance(app.screen, AnnotateScreen) and app.screen.doc is not None, "a document")
        assert app.screen.doc.id == doc.id
        assert [it.label for it in app.screen.items if it.annotation] == ["GPE"]
        assert "skipped a bad database row: annotations row" in assert_inert(app)
        await pilot.press("a")  # deciding still works
    with Store(db) as s:
        assert any(a.value.label == "GPE" for a in s.items(doc.id, "alice"))


async def test_the_lines_view_draws_every_row_inert_whatever_its_builder_passed(tmp_path):
    from rich.text import Text
    from textual.app import App

    from annotator.tui.widgets.lines import LinesView

    class One(App):
        def compose(self):
            yield LinesView(id="lines")

    app = One()
    async with app.run_test(size=(80, 5)) as pilot:
        app.query_one(LinesView).set_lines([[("piece" + EVIL, "bold")], Text("text" + EVIL)])
        await pilot.pause()
        text = assert_inert(app)
        assert "piece" + SHOWN in text
        assert "text␛[2J␛]0;pwned" in text  # (rich.Text itself drops BEL when it is built)
