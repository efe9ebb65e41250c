"""annotate serves each person their own assigned documents first."""

import pytest

from annotator.store import Store
from helpers.pilot import SIZE, app_for, started
from helpers.tui import make_db

pytestmark = pytest.mark.anyio


async def test_assigned_documents_come_first(tmp_path):
    path = tmp_path / "q.db"
    store, ids = make_db(path)
    store.add_assignments([(ids[1], "bob")])
    store.close()
    async with app_for(path, "bob").run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.doc.id == ids[1] and screen.doc_ids == [ids[1], ids[0]]
    async with app_for(path, "alice").run_test(size=SIZE) as pilot:  # no assignments: import order
        screen = await started(pilot)
        assert screen.doc.id == ids[0]
    with Store(path) as s:
        assert s.assigned_documents("bob") == [ids[1]]
