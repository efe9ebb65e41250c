"""The review queue says which annotators have not marked a document done (a "bob: nothing" row may
only be work bob has not reached yet) and, in `--summary`, each document's title."""

import uuid

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store
from annotator.teams import review_queue

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT, {"title": "Merkel \x1b[2J backs the treaty"})
DOC2 = Document.from_text("The Kremlin denied the report on Tuesday in Moscow.")


def make(path):
    with Store(path) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(DOC2)])
        for who, label in (("alice", "GPE"), ("bob", "NORP")):
            for doc, span in ((DOC, Span(19, 26, label, "entity")), (DOC2, Span(4, 11, label, "entity"))):
                s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, span))])
        s.set_status("alice", DOC.id, "done")
        s.set_status("alice", DOC2.id, "done")
        s.set_status("bob", DOC2.id, "done")   # bob is still on DOC
    return path


def test_queue_names_who_has_not_marked_done(tmp_path):
    with Store(make(tmp_path / "t.db")) as s:
        queue = review_queue.build(s, ["alice", "bob"])
    by_doc = {e.doc_id: e.unfinished for e in queue.entries}
    assert by_doc == {DOC.id: ["bob"], DOC2.id: []}


def test_summary_shows_not_done_and_titles_inert(tmp_path):
    db = make(tmp_path / "t.db")
    result = CliRunner().invoke(cli, ["review", "--db", str(db), "--reviewer", "carol", "--summary"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "1 queued document(s) not marked done by every annotator (not done)" in out
    line1 = next(x for x in out.splitlines() if x.startswith(DOC.id))
    line2 = next(x for x in out.splitlines() if x.startswith(DOC2.id))
    assert "  bob  " in line1 and line1.endswith("Merkel ␛[2J backs the treaty")
    assert "\x1b" not in out
    assert line2.split()[8] == "-" and line2.endswith("The Kremlin denied the report on Tuesday in Mosco…")


pytest.importorskip("textual")


@pytest.mark.anyio
async def test_review_screen_says_who_has_not_marked_done(tmp_path):
    from tests.helpers.review import SIZE, review_app, review_screen, rows

    db = make(tmp_path / "t.db")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        assert screen.entry.doc_id == DOC.id
        assert rows(screen).splitlines()[0].strip() == "1:alice  2:bob (not done)"
        await pilot.press("n")   # the next document: everyone is done there
        assert screen.entry.doc_id == DOC2.id
        assert rows(screen).splitlines()[0].strip() == "1:alice  2:bob"
