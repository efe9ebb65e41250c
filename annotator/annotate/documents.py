"""The documents half of an :class:`~annotator.annotate.session.AnnotationSession`: which
document opens first and next, marking one done, where the annotator is, and the queue as
the document list shows it. The session's items and focus are the other half."""

from __future__ import annotations

from annotator.annotate import decisions as D
from annotator.annotate.queue import ALL, BLOCK, Queue, StatusView, list_rows
from annotator.annotate.refused import Refused
from annotator.model import DONE


class SessionDocuments:
    """Mixed into :class:`AnnotationSession` (which holds the state these methods read)."""

    def open_first(self, *, save: bool = True) -> bool:
        """Open where the annotator stopped, else the first document not done; False when there is none.

        Documents come in the annotator's queue order: their own unfinished assignments
        (`annotator assign`), then other unfinished documents, then finished ones."""
        self.doc_ids = Queue(self.store, self.layer)
        start = self.start_doc
        if start is None:
            last, _ = self.store.resume_point(self.layer)
            if last is not None and last in self.doc_ids:
                start = last
            else:
                if last is not None:
                    self.store.document(last)  # a bad row: named in the store's bad_rows, for the screen
                start = self._next_not_done(-1)
                if start is None and len(self.doc_ids):
                    start = self.doc_ids[0]
        if start is None:
            return False
        self.open(start, save=save)
        done = self.doc_ids.done_now  # counted while finding the document's place, when it was
        self._done = done if done is not None else self.store.status_count(self.layer, DONE)
        return self.doc is not None

    def open(self, doc_id: str, cursor: dict | None = None, *, save: bool = True) -> None:
        """Open a document at ``cursor``, else where the annotator left it, else its first undecided item.

        Where the annotator is, is saved (unless ``save`` is False: the caller saves it soon)."""
        if self.doc is not None and self.doc.id != doc_id:
            self.save_cursor()
        doc = self.store.document(doc_id)
        if doc is None:
            return
        if doc_id not in self.doc_ids:
            self._extend_queue()
        try:
            index = self.doc_ids.index(doc_id)
        except ValueError:  # not a document the queue serves (its row fails the store's checks)
            return
        if cursor is None:
            cursor = self.store.cursor(self.layer, doc_id)
        self.doc = doc
        self.doc_index = index
        self._status = self.store.status(self.layer, doc_id)
        self.words = D.Words(doc.text)
        self._load_items(suggestions=True)
        self.focus_index = self._index_for_cursor(cursor)
        self._pending = cursor if cursor.get("key", "").startswith("s:") and self.awaiting_suggestions else {}
        if save:
            self.save_cursor()  # where the annotator is; the document's status is left alone

    def _extend_queue(self) -> None:
        """Documents added since the session began join the end of the queue (numbers never shift)."""
        if isinstance(self.doc_ids, Queue):
            self.doc_ids.refresh()
        else:
            self.doc_ids = Queue(self.store, self.layer)

    def relative(self, step: int) -> str:
        """The id of the document ``step`` places away in the queue."""
        i = self.doc_index + step
        if not 0 <= i < len(self.doc_ids):
            raise Refused("That was the " + ("last" if step > 0 else "first") + " document.")
        return self.doc_ids[i]

    def mark_done(self) -> str | None:
        """Mark the open document done; the next one not done (None when every one is).

        Undecided suggestions stay undecided: they are not exported, and reopening the
        document shows them again."""
        self.store.set_status(self.layer, self.doc.id, DONE)
        if self._status != DONE:
            self._status, self._done = DONE, self._done + 1
        return self._next_not_done(self.doc_index)

    def _next_not_done(self, after: int) -> str | None:
        """The first document not done after place ``after`` in the queue, going round (None when
        every one is done). Read a page of places at a time."""
        queue = self.doc_ids
        n = len(queue)
        if n == 0 or self._done >= n:
            return None
        page = 64
        for start in range(after + 1, after + 1 + n, page):
            stop = min(start + page, after + 1 + n)
            places = [i % n for i in range(start, stop)]
            positions = [p for a, b in _runs(places) for p in queue.positions(a, b)]
            statuses = self.store.statuses_at(self.layer, positions)
            for p in positions:
                if statuses.get(p) != DONE:
                    return queue.ids([p])[0]
            page = min(page * 4, 4096)
        return None

    def _cursor(self) -> dict:
        item = self.focused
        return {"key": item.key, "start": item.start, "end": item.end,
                "suggestion_id": item.suggestion_id} if item else {}

    def save_cursor(self) -> None:
        """Remember the document and the focused item, to resume there."""
        if self.doc is not None:
            self.store.save_cursor(self.layer, self.doc.id, self._cursor())

    @property
    def queue_is_large(self) -> bool:
        """Whether the queue is long enough for reading ahead to pay (see :meth:`Queue.warm`)."""
        return isinstance(self.doc_ids, Queue) and len(self.doc_ids) > 20 * BLOCK

    def document_view(self, status: str = ALL, statuses: dict[int, str] | None = None) -> StatusView:
        """The queue for the document list: every document, or those with one status (``statuses``:
        position -> status, from :meth:`statuses_now`, needed for a status)."""
        self._extend_queue()
        return StatusView(self.doc_ids, statuses if statuses is not None else {}, status)

    def statuses_now(self) -> dict[int, str]:
        """Every status the annotator has now, by document position (for filtering the list)."""
        return self.store.status_positions(self.layer)

    def document_rows(self, view: StatusView | None = None, start: int = 0, count: int | None = None) -> list[dict]:
        """Rows of the document list (see :func:`annotator.annotate.queue.list_rows`), numbered as
        the status bar counts the queue: rows ``start``… of ``view`` (every document by default)."""
        view = view if view is not None else self.document_view()
        positions = view.positions(start, len(view) if count is None else count)
        return list_rows(self.store, self.layer, self.doc_ids, positions)


def _runs(places: list[int]) -> list[tuple[int, int]]:
    """Consecutive runs [a, b) of places (a page of places that wraps round is two runs)."""
    runs: list[tuple[int, int]] = []
    for i in places:
        if runs and runs[-1][1] == i:
            runs[-1] = (runs[-1][0], i + 1)
        else:
            runs.append((i, i + 1))
    return runs
