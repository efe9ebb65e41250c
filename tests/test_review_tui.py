"""The review screen, driven by keys (Textual's pilot)."""

import uuid

import pytest

from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store

pytestmark = pytest.mark.anyio
pytest.importorskip("textual")
from annotator.tui.screens.review import ReviewApp, ReviewScreen  # noqa: E402

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)
DOC2 = Document.from_text("The Kremlin denied the report on Tuesday in Moscow.")


def make(path):
    with Store(path) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(DOC2)])
        for who, label in (("alice", "GPE"), ("bob", "NORP")):
            for doc, v in ((DOC, Span(0, 13, "PERSON")), (DOC, Span(19, 26, label)), (DOC, Span(51, 57, "GPE")),
                           (DOC2, Span(4, 11, "ORG"))):
                s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, v))])
    return path


def labels(db, layer, doc=DOC):
    with Store(db) as s:
        return sorted((a.value.start, a.value.label, a.status) for a in s.items(doc.id, layer))


async def test_accept_unanimous_then_settle_a_disagreement(tmp_path):
    db = make(tmp_path / "r.db")
    with Store(db) as s:
        alice_before = s.items(DOC.id, "alice")
    app = ReviewApp(str(db), "carol", ["alice", "bob"], [DOC.id, DOC2.id])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, ReviewScreen)
        rows = str(screen.query_one("#rows").render())
        assert "differ" in rows and "agree" in rows and "1:alice" in rows
        await pilot.press("A")
        assert labels(db, "review") == [(0, "PERSON", "accepted"), (51, "GPE", "accepted")]
        # the cursor is on the open row (19-26): take bob's version
        await pilot.press("2")
        assert labels(db, "review") == [(0, "PERSON", "accepted"), (19, "NORP", "accepted"), (51, "GPE", "accepted")]
        await pilot.press("u")
        assert (19, "NORP", "accepted") not in labels(db, "review")
        await pilot.press("tab", "e")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("0")
        assert (19, "GPE", "rejected") in labels(db, "review")
        assert "✓" in str(screen.query_one("#rows").render())
        await pilot.press("d")
        await pilot.pause()
        assert screen.index == 1
        assert "document 2 of 2" in str(screen.query_one("#status").render())
    with Store(db) as s:
        assert s.items(DOC.id, "alice") == alice_before
        assert s.statuses("review") == {DOC.id: "done"}
        assert "carol" not in s.annotators()
    # resumable: opens at the first document not yet reviewed
    app = ReviewApp(str(db), "carol", ["alice", "bob"], [DOC.id, DOC2.id])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert app.screen.index == 1
        await pilot.press("question_mark")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewHelp"
        await pilot.press("escape")
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_article_text_is_not_markup(tmp_path):
    doc = Document.from_text("[bold]Boris[/bold] \x1b[31mJohnson said so.")
    db = tmp_path / "m.db"
    with Store(db) as s:
        s.import_records([ImportRecord(doc)])
        for who in ("alice", "bob"):
            s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, Span(0, 18, "PERSON")))])
    app = ReviewApp(str(db), "carol", ["alice", "bob"], [doc.id])
    async with app.run_test(size=(120, 30)) as pilot:
        await pilot.pause()
        assert "[bold]Boris" in str(app.screen.query_one("#rows").render())


async def test_edit_a_claims_speaker(tmp_path):
    db = tmp_path / "c.db"
    with Store(db) as s:
        s.import_records([ImportRecord(DOC)])
        for who, speaker in (("alice", {"start": 0, "end": 13, "label": "PERSON"}), ("bob", "UNNAMED")):
            for v in (Span(0, 13, "PERSON"), Span(0, 49, "CLAIM", "claim", {"speaker": speaker, "cue": "said"})):
                s.apply(who, DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, who, v))])
    app = ReviewApp(str(db), "carol", ["alice", "bob"], [DOC.id])
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        screen = app.screen
        rows = [r.kind for r in screen.al.rows]
        screen.focus_row = rows.index("claim")
        await pilot.press("e")
        await pilot.pause()
        await pilot.press("1")  # AUTHOR
        await pilot.pause()
    with Store(db) as s:
        (claim,) = [a for a in s.items(DOC.id, "review") if a.value.kind == "claim"]
        assert claim.value.attrs["speaker"] == "AUTHOR" and claim.value.attrs["cue"] == "said"
        assert {a.value.attrs.get("speaker") for a in s.items(DOC.id, "bob") if a.value.kind == "claim"} == {"UNNAMED"}
