"""The review screen, driven by keys (Textual's pilot)."""

import io
import sqlite3
import uuid

import pytest

from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store

pytestmark = pytest.mark.anyio
pytest.importorskip("textual")
from annotator.tui.screens.error import ErrorScreen  # noqa: E402
from annotator.tui.screens.help import HelpScreen  # noqa: E402
from annotator.tui.screens.picker import PickerScreen  # noqa: E402
from annotator.tui.screens.review import ConfirmScreen, ReviewScreen  # noqa: E402
from tests.helpers.review import SIZE, review_app, review_items, review_screen, rows, status  # noqa: E402

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)
DOC2 = Document.from_text("The Kremlin denied the report on Tuesday in Moscow.")
AGREED = Document.from_text("Paris is calm today.")


def add(s, who, doc, value):
    s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, value))])


def make(path):
    with Store(path) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(AGREED), ImportRecord(DOC2)])
        for who, label, label2 in (("alice", "GPE", "ORG"), ("bob", "NORP", "GPE")):
            for v in (Span(0, 13, "PERSON"), Span(19, 26, label), Span(51, 57, "GPE")):
                add(s, who, DOC, v)
            add(s, who, DOC2, Span(4, 11, label2))
            add(s, who, AGREED, Span(0, 5, "GPE"))
    return path


def labels(db, layer, doc=DOC):
    with Store(db) as s:
        return sorted((a.value.start, a.value.label, a.status) for a in s.items(doc.id, layer))


async def test_accept_unanimous_then_settle_a_disagreement(tmp_path):
    db = make(tmp_path / "r.db")
    with Store(db) as s:
        alice_before = s.items(DOC.id, "alice")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert isinstance(screen, ReviewScreen)
        text = rows(screen)
        assert "differ" in text and "agree" in text and "1:alice" in text
        # the queue holds the two documents with disagreements, not the one where all agree
        assert "1 of 2 in the queue (disagreements) · 2 left" in status(screen)
        await pilot.press("A")
        assert labels(db, "review") == [(0, "PERSON", "accepted"), (51, "GPE", "accepted")]
        # the focus went to the open row (19-26): take bob's version
        await pilot.press("2")
        assert labels(db, "review") == [(0, "PERSON", "accepted"), (19, "NORP", "accepted"), (51, "GPE", "accepted")]
        await pilot.press("u")
        assert (19, "NORP", "accepted") not in labels(db, "review")
        assert screen.al.rows[screen.focus_row].start == 19  # back on the undone row
        await pilot.press("tab", "e")
        await pilot.pause()
        assert isinstance(app.screen, PickerScreen)
        await pilot.press("escape")
        await pilot.press("0")
        assert (19, "GPE", "rejected") in labels(db, "review")
        assert "✓" in rows(screen)
        await pilot.press("d")
        await pilot.pause()
        assert screen.index == 1
        assert "2 of 2 in the queue" in status(screen) and "1 left" in status(screen)
        await pilot.press("q")
    with Store(db) as s:
        assert s.items(DOC.id, "alice") == alice_before
        assert s.statuses("review") == {DOC.id: "done"}
        assert "carol" not in s.annotators()
    # resumable: opens where the reviewer was (the second document)
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert screen.index == 1 and screen.entry.doc_id == DOC2.id
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_resume_on_the_row_where_the_reviewer_stopped(tmp_path):
    db = make(tmp_path / "r.db")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        await pilot.press("]", "j")  # second document; it has one row, so j stays
        await pilot.press("[", "j", "j")  # first document, third row (51-57)
        assert screen.al.rows[screen.focus_row].start == 51
        await pilot.press("q")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert screen.entry.doc_id == DOC.id and screen.al.rows[screen.focus_row].start == 51


async def test_next_and_previous_document_left(tmp_path):
    db = make(tmp_path / "r.db")
    from annotator.teams import review as rv

    with Store(db) as s:  # already reviewed (its one row settled as nothing here)
        rv.mark_reviewed(s, "carol", rv.load(s, DOC2.id, ["alice", "bob"]), settle=True)
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert screen.entry.doc_id == DOC.id and "1 left" in status(screen)
        await pilot.press("n")  # the only document left is this one
        assert screen.entry.doc_id == DOC.id
        await pilot.press("]")  # the queue still walks to reviewed documents
        assert screen.entry.doc_id == DOC2.id and "reviewed" in status(screen)
        await pilot.press("p")
        assert screen.entry.doc_id == DOC.id


async def test_done_with_open_rows_asks_first(tmp_path):
    db = make(tmp_path / "r.db")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        await pilot.press("A", "d")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is screen and screen.entry.doc_id == DOC.id
        with Store(db) as s:
            assert DOC.id not in s.statuses("review") or s.statuses("review")[DOC.id] != "done"
        await pilot.press("d")
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert screen.entry.doc_id == DOC2.id
    # the open row was settled as "nothing here" in the same step: nothing is left open
    assert (19, "GPE", "rejected") in labels(db, "review")
    with Store(db) as s:
        assert s.statuses("review")[DOC.id] == "done"


async def test_edit_offers_labels_outside_the_schema_and_moves_on(tmp_path):
    db = tmp_path / "f.db"
    doc = Document.from_text("Prada and Gucci opened shops in Milan.")
    with Store(db) as s:
        s.import_records([ImportRecord(doc)])
        add(s, "alice", doc, Span(0, 5, "FASHION_BRAND"))
        add(s, "bob", doc, Span(0, 5, "ORG"))
        add(s, "alice", doc, Span(10, 15, "FASHION_BRAND"))
        add(s, "bob", doc, Span(10, 15, "ORG"))
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        await pilot.press("e")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, PickerScreen)
        values = [c.value for c in picker.choices]
        assert "FASHION_BRAND" in values and "PERSON" in values
        picker.dismiss("FASHION_BRAND")
        await pilot.pause()
        assert screen.focus_row == 1  # like 1/2/0/x: the next open row
    assert review_items(db, doc.id) == [(0, 5, "FASHION_BRAND", "accepted")]


async def test_remapped_keys_and_generated_help(tmp_path):
    db = make(tmp_path / "r.db")
    keys = tmp_path / "keys.yaml"
    keys.write_text("review_accept_unanimous: z\nreview_done: D\n", encoding="utf-8")
    app = review_app(db, keymap=None, keys=str(keys))
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        await pilot.press("A")  # no longer bound
        assert labels(db, "review") == []
        await pilot.press("z")
        assert labels(db, "review") == [(0, "PERSON", "accepted"), (51, "GPE", "accepted")]
        await pilot.press("question_mark")
        await pilot.pause()
        from rich.console import Console

        from annotator.tui.screens.help import keys_table

        helper = app.screen
        assert isinstance(helper, HelpScreen)
        console = Console(width=140, record=True, file=io.StringIO())
        console.print(keys_table(helper.keymap, helper.labels, helper.keys))
        lines = console.export_text().splitlines()
        accept = next(line for line in lines if "review_accept_unanimous" in line)
        assert accept.split()[0] == "z" and "unanimous" in accept
        assert any("review_done" in line and line.split()[0] == "D" for line in lines)
        assert not any(line.split()[-1] == "accept" for line in lines if line.split())  # only review keys
        await pilot.press("escape")
        assert screen.entry.doc_id == DOC.id


async def test_a_store_failure_shows_the_error_screen(tmp_path):
    db = make(tmp_path / "r.db")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)

        def damaged(*args, **kwargs):  # (a lock is waited out instead: test_tui_lock_wait.py)
            raise sqlite3.DatabaseError("database disk image is malformed")

        screen.store.apply_review = damaged
        await pilot.press("A")
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "r.db: DatabaseError: database disk image is malformed" in str(
            app.screen.query_one("#error-message").render())
        await pilot.press("x")
        await pilot.pause()
    assert app.return_code == 1


async def test_versions_of_one_place_are_one_row_with_positions(tmp_path):
    db = tmp_path / "w.db"
    doc = Document.from_text("Shares in\nThe Warehouse, a retailer, fell.")
    with Store(db) as s:
        s.import_records([ImportRecord(doc)])
        add(s, "alice", doc, Span(10, 24, "ORG"))   # "The Warehouse,"
        add(s, "bob", doc, Span(14, 23, "ORG"))     # "Warehouse"
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert len(screen.al.rows) == 1
        text = rows(screen)
        assert "L2 10–24" in text and "boundary" in text and "“Warehouse”" in text
        await pilot.press("2")
    assert review_items(db, doc.id) == [(14, 23, "ORG", "accepted")]


async def test_article_text_is_not_markup(tmp_path):
    doc = Document.from_text("[bold]Boris[/bold] \x1b[31mJohnson said so.")
    db = tmp_path / "m.db"
    with Store(db) as s:
        s.import_records([ImportRecord(doc)])
        add(s, "alice", doc, Span(0, 18, "PERSON"))
        add(s, "bob", doc, Span(0, 18, "ORG"))
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert "[bold]Boris" in rows(screen)


async def test_single_annotator_documents_when_asked(tmp_path):
    db = make(tmp_path / "r.db")
    lonely = Document.from_text("Only alice read this about Rome.")
    with Store(db) as s:
        s.import_records([ImportRecord(lonely)])
        add(s, "alice", lonely, Span(27, 31, "GPE"))
    app = review_app(db, include_single=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert len(screen.queue) == 3 and screen.queue.entries[-1].doc_id == lonely.id
        await pilot.press("]", "]", "]")  # to the last entry (and no further)
        assert screen.entry.doc_id == lonely.id and "single annotator" in status(screen)
        assert "single" in rows(screen)
        await pilot.press("A")
    assert review_items(db, lonely.id) == [(27, 31, "GPE", "accepted")]


async def test_edit_a_claims_speaker(tmp_path):
    db = tmp_path / "c.db"
    with Store(db) as s:
        s.import_records([ImportRecord(DOC)])
        for who, speaker in (("alice", {"start": 0, "end": 13, "label": "PERSON"}), ("bob", "UNNAMED")):
            for v in (Span(0, 13, "PERSON"), Span(0, 49, "CLAIM", "claim", {"speaker": speaker, "cue": "said"})):
                add(s, who, DOC, v)
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert "speaker" in rows(screen)  # why they differ
        screen.focus_row = [r.kind for r in screen.al.rows].index("claim")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("1")  # AUTHOR
        await pilot.pause()
    with Store(db) as s:
        (claim,) = [a for a in s.items(DOC.id, "review") if a.value.kind == "claim"]
        assert claim.value.attrs["speaker"] == "AUTHOR" and claim.value.attrs["cue"] == "said"
        assert {a.value.attrs.get("speaker") for a in s.items(DOC.id, "bob") if a.value.kind == "claim"} == {"UNNAMED"}


async def test_an_empty_queue_says_so(tmp_path):
    db = tmp_path / "a.db"
    with Store(db) as s:
        s.import_records([ImportRecord(AGREED)])
        for who in ("alice", "bob"):
            add(s, who, AGREED, Span(0, 5, "GPE"))
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "nothing to review" in str(app.screen.query_one("#error-message").render())


async def test_undo_after_marking_reviewed_reopens_the_document(tmp_path):
    db = make(tmp_path / "r.db")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        await pilot.press("A", "1", "d")  # settle everything, mark reviewed: the next document opens
        await pilot.pause()
        assert screen.entry.doc_id == DOC2.id and "1 left" in status(screen)
        await pilot.press("[", "u")  # back, undo the last decision
        await pilot.pause()
        assert "row(s) reopened" in status(screen) and "2 left" in status(screen)


async def test_at_80_columns_the_status_and_a_long_message_are_whole(tmp_path):
    """A line too long for the width takes a second row instead of being cut (80×24, the classic size)."""
    db = make(tmp_path / "r.db")
    app = review_app(db)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await review_screen(pilot)
        for _ in range(2):
            await pilot.press("A", "d")
            await pilot.pause()
            await pilot.press("y")
            await pilot.pause()
        message = screen.query_one("#message")
        assert "every document in the queue is reviewed" in str(message.render())
        assert len(str(message.render())) > message.content_region.width  # too long for one row ...
        assert message.region.height == 2  # ... so it has two
        line = status(screen)
        assert len(line) > 78 and line.endswith("· reviewed") and screen.query_one("#status").region.height == 2
    async with review_app(db).run_test(size=SIZE) as pilot:  # wide enough: one row each, as before
        screen = await review_screen(pilot)
        assert screen.query_one("#status").region.height == 1 and screen.query_one("#message").region.height == 1
