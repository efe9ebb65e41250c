"""Driving the review app in tests (Textual's pilot): build the queue and the app, wait for the screen."""

from __future__ import annotations

from annotator.store import Store
from annotator.teams import review_queue
from annotator.tui.review_app import create_review_app
from annotator.tui.screens.review import ReviewScreen

from .pilot import ready_screen

SIZE = (140, 40)


def review_app(db, reviewer="carol", annotators=("alice", "bob"), include_single=False, keymap=..., **kw):
    """The app as `annotator review` builds it. By default no key file is read (keymap {});
    ``keymap=None, keys=PATH`` reads PATH as the CLI's --keys does."""
    with Store(db, create=False) as s:
        queue = review_queue.build(s, list(annotators), include_single=include_single)
    return create_review_app(db, reviewer, queue, keymap={} if keymap is ... else keymap, **kw)


async def review_screen(pilot) -> ReviewScreen:
    return await ready_screen(pilot, ReviewScreen, lambda screen: screen.al is not None)


def rows(screen: ReviewScreen) -> str:
    return str(screen.query_one("#rows").render())


def status(screen: ReviewScreen) -> str:
    return str(screen.query_one("#status").render())


def review_items(db, doc_id):
    with Store(db) as s:
        return sorted((a.value.start, a.value.end, a.value.label, a.status) for a in s.items(doc_id, "review"))
