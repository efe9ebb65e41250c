"""Another program holds the database's write lock: a decision waits, the screen does not (issue 10.9).

The lock is real: a second SQLite connection holds ``BEGIN IMMEDIATE`` on the file, as another
`annotator` (an import, a merge) writing the same database would.
"""

import sqlite3

import pytest

from annotator.store import Store

pytestmark = pytest.mark.anyio
pytest.importorskip("textual")
from annotator.tui.screens.keyed import RETRY_EVERY_S  # noqa: E402
from tests.helpers.pilot import SIZE, app_for, spans, started, status  # noqa: E402
from tests.helpers.review import review_app, review_items, review_screen  # noqa: E402
from tests.helpers.tui import make_db  # noqa: E402
from tests.test_review_tui import make  # noqa: E402


def hold_write_lock(path) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def annotate_app(tmp_path):
    """(database path, document ids, annotate app) over a fresh two-document database."""
    path = tmp_path / "t.db"
    store, ids = make_db(path)
    store.close()
    return path, ids, app_for(path)


async def wait_for(pilot, done, seconds=5.0):
    for _ in range(int(seconds / 0.05)):
        await pilot.pause(0.05)
        if done():
            return True
    return False


async def test_a_decision_waits_for_the_lock_and_is_saved_when_it_is_free(tmp_path):
    path, ids, app = annotate_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        first = screen.focused_item
        other = hold_write_lock(path)
        try:
            await pilot.press("a")
            assert screen.waiting
            assert "database busy: decision kept" in status(screen)
            # nothing is written, and keys that would change the focus or the layer wait too
            with Store(path, readonly=True) as s:
                assert spans(s, ids[0]) == []
            await pilot.press("j", "x")
            assert screen.focused_item == first
            # the screen stays alive: its retries repaint the waiting time
            assert await wait_for(pilot, lambda: "waiting 1 s" in status(screen) or "waiting 2 s" in status(screen))
        finally:
            other.rollback()
            other.close()
        assert await wait_for(pilot, lambda: not screen.waiting, 3 * RETRY_EVERY_S)
        with Store(path, readonly=True) as s:
            accepted = spans(s, ids[0])
        assert accepted == [("North Korea", "GPE", "accepted", "suggestion")]
        assert screen.focused_item != first  # the kept decision moved the focus on, as it always does
        await pilot.press("x")  # keys work again
        with Store(path, readonly=True) as s:
            assert len(spans(s, ids[0])) == 2
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_quitting_while_a_decision_waits_leaves_the_database_as_it_was(tmp_path):
    path, ids, app = annotate_app(tmp_path)
    other = hold_write_lock(path)
    try:
        async with app.run_test(size=SIZE) as pilot:
            screen = await started(pilot)
            await pilot.press("a")
            assert screen.waiting
            await pilot.press("q")
    finally:
        other.rollback()
        other.close()
    with Store(path, readonly=True) as s:
        assert spans(s, ids[0]) == []


async def test_a_review_decision_waits_for_the_lock_too(tmp_path):
    db = make(tmp_path / "r.db")
    app = review_app(db)
    async with app.run_test(size=SIZE) as pilot:
        screen = await review_screen(pilot)
        doc_id = screen.entry.doc_id
        other = hold_write_lock(db)
        try:
            await pilot.press("A")
            assert screen.waiting
            assert "decision kept" in str(screen.query_one("#message").render())
            assert review_items(db, doc_id) == []
        finally:
            other.rollback()
            other.close()
        assert await wait_for(pilot, lambda: not screen.waiting, 3 * RETRY_EVERY_S)
        # the unanimous rows, accepted into the review layer
        assert review_items(db, doc_id) == [(0, 13, "PERSON", "accepted"), (51, 57, "GPE", "accepted")]
        await pilot.press("q")


async def test_the_document_list_opens_at_once_while_another_program_writes(tmp_path):
    from annotator.tui.screens.documents import DocumentListScreen

    path, ids, app = annotate_app(tmp_path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        other = hold_write_lock(path)
        try:
            await pilot.press("g")
            assert await wait_for(pilot, lambda: isinstance(app.screen, DocumentListScreen), 1.0)
            assert not screen.waiting
        finally:
            other.rollback()
            other.close()
        await pilot.press("escape")
        await pilot.press("q")
