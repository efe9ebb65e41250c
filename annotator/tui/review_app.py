"""``annotator review``: the app around the review screen (store, key config, error screen)."""

from __future__ import annotations

from pathlib import Path

from annotator.teams.review_queue import ReviewQueue
from annotator.tui.keymap import REVIEW_KEYS, config_path, load_keymap, textual_keymap
from annotator.tui.store_app import StoreApp
from annotator.tui.screens.keyed import STORE_ERRORS
from annotator.tui.screens.review import ReviewScreen


class ReviewApp(StoreApp):
    """``annotator review``: the queue's documents one at a time, results into the review layer."""

    TITLE = "annotator review"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db_path: str | Path, reviewer: str, queue: ReviewQueue, schema, *,
                 keymap: dict[str, str] | None = None, keys_path: str | Path = "") -> None:
        super().__init__(db_path)
        self.reviewer, self.queue, self.schema = reviewer, queue, schema
        self.keymap = dict(keymap or {})
        self.keys_path = keys_path or config_path()

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(textual_keymap(self.keymap, REVIEW_KEYS))
        try:
            from annotator.store import Store

            self.store = Store(self.db_path, create=False)
            doc_id, cursor = self.store.review_position(self.reviewer)
        except STORE_ERRORS as exc:
            self.show_error(exc)
            return
        if not self.queue.entries:
            from annotator.teams.review_queue import describe_empty

            self.show_error(f"nothing to review: {describe_empty(self.queue)}")
            return
        start = self.queue.index(doc_id)
        if start is None:
            start, cursor = (self.queue.first_left() or 0), {}
        self.push_screen(ReviewScreen(self.store, self.reviewer, self.queue, self.schema, keymap=self.keymap,
                                      keys_path=self.keys_path, start=start, cursor=cursor))


def create_review_app(db_path: str | Path, reviewer: str, queue: ReviewQueue, *, schema=None,
                      keys: str | Path | None = None, keymap: dict[str, str] | None = None) -> ReviewApp:
    """Build the review app: load the schema and the key config (errors are one-line AnnotatorErrors)."""
    from annotator.schema import load_schema

    if schema is None:
        schema = load_schema()
    keys_path = Path(keys).expanduser() if keys else config_path()
    loaded = load_keymap(keys_path, required=bool(keys)) if keymap is None else {}
    loaded.update(keymap or {})
    return ReviewApp(db_path, reviewer, queue, schema, keymap=loaded, keys_path=keys_path)
