"""The order an annotator is served documents, and the document list (pure, plus helpers over a store).

:func:`queue` says what the order is: the annotator's own unfinished assignments first, then
the other unfinished documents, then the finished ones (done, skipped or rejected), each in
document order. :class:`Queue` is that order for a session over a store of any size, read
from the store as needed — no list of every document is ever made:

- It is a snapshot taken when the session starts: a document finished, or assigned, during
  the session keeps its place (the numbers in the status bar and the list never shift), and
  documents added meanwhile join the end, in document order.
- The assigned and finished documents are held as sorted positions (usually few; at most one
  integer per finished document); the other unfinished documents are whatever lies between
  them, counted through a sparse sample of positions (every ``BLOCK``-th usable document) and
  short range counts in SQLite.

:class:`StatusView` is the queue restricted to one status (the list's filter), and
:func:`list_rows` what the document list shows of some of its documents.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from heapq import merge
from itertools import islice
from typing import Iterator, Mapping

FINISHED = ("done", "skipped", "rejected")
BLOCK = 256  # one sampled position per BLOCK usable documents
FILTERS = ("all", "todo", "in_progress", "done", "skipped")


def queue(doc_ids: Sequence[str], mine: Sequence[str], statuses: Mapping[str, str]) -> list[str]:
    """The order an annotator is served documents: their own unfinished assignments first,
    then the other unfinished documents, then the finished ones (all in document order)."""
    own = set(mine)
    unfinished = [d for d in doc_ids if statuses.get(d) not in FINISHED]
    first = [d for d in unfinished if d in own]
    rest = [d for d in unfinished if d not in own]
    finished = [d for d in doc_ids if statuses.get(d) in FINISHED]
    return first + rest + finished


def annotator_queue(store, annotator: str) -> list[str]:
    """:func:`queue` for an annotator of an open store, as a list (reads every document id)."""
    return queue(store.document_ids(), store.assigned_documents(annotator), store.statuses(annotator))


def _contains(sorted_list: list[int], value: int) -> bool:
    i = bisect_left(sorted_list, value)
    return i < len(sorted_list) and sorted_list[i] == value


class Queue(Sequence):
    """An annotator's documents in the order they are served (see the module docstring): a
    sequence of document ids. ``positions`` gives the same order as document positions."""

    def __init__(self, store, annotator: str) -> None:
        self.store = store
        self.annotator = annotator
        self.started, self.last = store.queue_start()
        self._assigned = store.queue_assigned_positions(annotator, self.started, self.last)
        self._n_old = store.usable_count(below=self.last + 1)
        self._n_new = store.usable_count(above=self.last)
        self._finished_list: list[int] | None = None  # read when first needed (one per finished document)
        self._aside: list[int] | None = None
        self._n_finished: int | None = None
        self._sample: list[int] | None = None
        self.done_now: int | None = None  # documents done now (counted with the first place asked for)
        self._places: dict[int, int] = {}  # places found so far (they do not change: a snapshot)

    # --- sizes ------------------------------------------------------------------------

    @property
    def _finished(self) -> list[int]:
        if self._finished_list is None:
            self._finished_list = self.store.queue_finished_positions(self.annotator, self.started, self.last)
            self._n_finished = len(self._finished_list)
        return self._finished_list

    @property
    def _set_aside(self) -> list[int]:
        """The positions the "other" documents skip: assigned and finished ones, sorted."""
        if self._aside is None:
            self._aside = list(merge(self._assigned, self._finished))
        return self._aside

    @property
    def _n_other(self) -> int:
        if self._n_finished is None:
            self._finished
        return self._n_old - len(self._assigned) - self._n_finished

    def __len__(self) -> int:
        return self._n_old + self._n_new

    def refresh(self) -> None:
        """Count documents added since the session began (they join the end)."""
        self._n_new = self.store.usable_count(above=self.last)

    # --- position <-> place -----------------------------------------------------------

    def index_of_position(self, position: int) -> int:
        """The place (from 0) of the usable document at ``position`` in the queue."""
        if position > self.last:
            return self._n_old + self.store.usable_count(above=self.last, below=position)
        place = self._places.get(position)
        if place is None:
            place = self._places[position] = self._place(position)
        return place

    def _place(self, position: int) -> int:
        i = bisect_left(self._assigned, position)
        if i < len(self._assigned) and self._assigned[i] == position:
            return i
        if self._finished_list is None:  # counted in SQLite rather than read (opening a document)
            counts = self.store.queue_counts(self.annotator, self.started, self.last, position)
            self._n_finished, self.done_now = counts["finished"], counts["done"]
            j, here = counts["finished_before"], counts["is_finished"]
        else:
            j = bisect_left(self._finished, position)
            here = j < len(self._finished) and self._finished[j] == position
        if here:
            return len(self._assigned) + self._n_other + j
        return len(self._assigned) + self._usable_before(position) - i - j

    def position_at(self, index: int) -> int:
        """The position of the document at place ``index`` (from 0)."""
        if not 0 <= index < len(self):
            raise IndexError(index)
        if index < len(self._assigned):
            return self._assigned[index]
        index -= len(self._assigned)
        if index < self._n_other:
            return self._nth_other(index)
        index -= self._n_other
        if index < len(self._finished):
            return self._finished[index]
        index -= len(self._finished)
        return self.store.usable_positions(self.last + 1, 1, offset=index)[0][0]

    def positions(self, start: int = 0, stop: int | None = None) -> Iterator[int]:
        """The positions of places ``start``…``stop`` in order (read in pages)."""
        stop = len(self) if stop is None else min(stop, len(self))
        i = max(0, start)
        while i < stop:
            if i < len(self._assigned):
                yield from self._assigned[i:stop]
                i = min(stop, len(self._assigned))
            elif i < len(self._assigned) + self._n_other:
                end = min(stop, len(self._assigned) + self._n_other)
                yield from islice(self._others_from(self._nth_other(i - len(self._assigned))), end - i)
                i = end
            elif i < self._n_old:
                k = i - len(self._assigned) - self._n_other
                end = min(stop, self._n_old)
                yield from self._finished[k:k + end - i]
                i = end
            else:
                rows = self.store.usable_positions(self.last + 1, stop - i, offset=i - self._n_old)
                yield from (p for p, _ in rows)
                i = stop

    # --- documents (the Sequence of ids) ----------------------------------------------

    def __getitem__(self, index):
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            ids = self.ids(self.positions(start, stop)) if step == 1 else None
            return ids if ids is not None else [self[i] for i in range(start, stop, step)]
        if index < 0:
            index += len(self)
        return self.ids([self.position_at(index)])[0]

    def ids(self, positions) -> list[str]:
        positions = list(positions)
        found = dict(self.store.document_ids_at(positions))
        return [found[p] for p in positions]

    def index(self, doc_id, start: int = 0, stop: int | None = None) -> int:
        position = self.store.document_position(doc_id) if isinstance(doc_id, str) else None
        if position is None:
            raise ValueError(f"{doc_id!r} is not in the queue")
        i = self.index_of_position(position)
        if not (start <= i < (len(self) if stop is None else stop)):
            raise ValueError(f"{doc_id!r} is not in the queue")
        return i

    def __contains__(self, doc_id) -> bool:
        try:
            self.index(doc_id)
        except ValueError:
            return False
        return True

    def __iter__(self) -> Iterator[str]:
        page: list[int] = []
        for p in self.positions():
            page.append(p)
            if len(page) == 500:
                yield from self.ids(page)
                page = []
        yield from self.ids(page)

    def __eq__(self, other) -> bool:
        if isinstance(other, (list, tuple, Queue)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    # --- the other unfinished documents: usable ones not set aside --------------------

    def _samples(self) -> list[int]:
        if self._sample is None:
            self._sample = self.store.usable_sample(BLOCK, self.last)
        return self._sample

    def warm(self, store=None) -> None:
        """Read the sample of positions and the finished documents now (``store``: another connection
        to the same database, for a worker thread), so the first document list does not wait."""
        store = store or self.store
        if self._sample is None:
            self._sample = store.usable_sample(BLOCK, self.last)
        if self._finished_list is None:
            finished = store.queue_finished_positions(self.annotator, self.started, self.last)
            self._finished_list, self._n_finished = finished, len(finished)

    def _usable_before(self, position: int) -> int:
        """How many usable documents (up to the snapshot) come before ``position``."""
        sample = self._sample
        if sample is None:  # one count, rather than reading the sample for one answer
            return self.store.usable_count(below=position)
        b = bisect_right(sample, position) - 1
        if b < 0:
            return self.store.usable_count(below=position)
        return b * BLOCK + self.store.usable_count(above=sample[b] - 1, below=position)

    def _nth_other(self, n: int) -> int:
        """The position of the n-th (from 0) usable document before the snapshot that is set aside
        neither as assigned nor as finished."""
        sample, aside = self._samples(), self._set_aside
        # the last sampled position with at most n others before it
        lo, hi = 0, len(sample) - 1
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if mid * BLOCK - bisect_left(aside, sample[mid]) <= n:
                lo = mid
            else:
                hi = mid - 1
        start = sample[lo]
        left = n - (lo * BLOCK - bisect_left(aside, start))
        for p in self._others_from(start):
            if left == 0:
                return p
            left -= 1
        raise IndexError(n)

    def _others_from(self, start: int, page: int = BLOCK) -> Iterator[int]:
        """The other documents from position ``start`` on, in order (read ``page`` at a time)."""
        aside = self._set_aside
        while True:
            rows = self.store.usable_positions(start, page)
            for p, _ in rows:
                if p > self.last:
                    return
                if not _contains(aside, p):
                    yield p
            if len(rows) < page:
                return
            start = rows[-1][0] + 1


class StatusView:
    """The queue restricted to the documents with one status (``todo``: none yet; ``skipped``
    includes ``rejected``), in queue order. The statuses are those of now (a document done
    during the session shows under done, in its place in the queue)."""

    def __init__(self, queue: Queue, statuses: Mapping[int, str], status: str) -> None:
        self.queue = queue
        self.status = status
        if status == "all":
            self._members = None
        elif status == "todo":
            self._members = None
            self._excluded = sorted(statuses)
            # the others (neither assigned nor finished when the session began) with a status now
            aside = set(queue._set_aside)
            self._others_excluded = [p for p in self._excluded if p <= queue.last and p not in aside]
            self._todo_assigned = [p for p in queue._assigned if p not in statuses]
            self._todo_finished = [p for p in queue._finished if p not in statuses]
        else:
            wanted = ("skipped", "rejected") if status == "skipped" else (status,)
            assigned, finished, last = set(queue._assigned), set(queue._finished), queue.last
            members = [p for p, s in statuses.items() if s in wanted]
            members.sort(key=lambda p: (3 if p > last else 0 if p in assigned else 2 if p in finished else 1, p))
            self._members = members
        self._length: int | None = None
        self._rows: dict[int, int] | None = None

    def _group(self, p: int) -> int:
        q = self.queue
        if p > q.last:
            return 3
        if _contains(q._assigned, p):
            return 0
        return 2 if _contains(q._finished, p) else 1

    def __len__(self) -> int:
        if self._length is None:
            if self._members is not None:
                self._length = len(self._members)
            elif self.status == "all":
                self._length = len(self.queue)
            else:  # every usable document without a status (statuses are of usable documents)
                self._length = len(self.queue) - len(self._excluded)
        return self._length

    def index_of(self, position: int) -> int | None:
        """The row of the document at ``position`` in the view (None when it is not in it)."""
        q = self.queue
        if self._members is not None:
            if self._rows is None:
                self._rows = {p: i for i, p in enumerate(self._members)}
            return self._rows.get(position)
        try:
            place = q.index_of_position(position)
        except IndexError:
            return None
        if self.status == "all":
            return place
        if _contains(self._excluded, position):
            return None
        group = self._group(position)
        if group == 0:
            return bisect_left(self._todo_assigned, position)
        before = len(self._todo_assigned)
        others_total = q._n_other - len(self._others_excluded)
        if group == 1:
            other_place = place - len(q._assigned)
            return before + other_place - bisect_left(self._others_excluded, position)
        before += others_total
        if group == 2:
            return before + bisect_left(self._todo_finished, position)
        before += len(self._todo_finished)
        new = [p for p in q.positions(q._n_old, len(q)) if p < position and not _contains(self._excluded, p)]
        return before + len(new)

    def positions(self, start: int, count: int) -> list[int]:
        """The positions of rows ``start``…``start + count`` of the view."""
        if self._members is not None:
            return self._members[start:start + count]
        if self.status == "all":
            return list(self.queue.positions(start, start + count))
        return self._todo(start, count)

    def _todo(self, start: int, count: int) -> list[int]:
        """Rows of the todo view: the queue's places without a status, found group by group."""
        q, excluded = self.queue, self._excluded
        out: list[int] = []
        skip = start
        for todo in (self._todo_assigned, None, self._todo_finished):
            if todo is not None:
                out += todo[skip:skip + count - len(out)]
                skip = max(0, skip - len(todo))
            else:
                skip, got = self._todo_others(skip, count - len(out))
                out += got
            if len(out) >= count:
                return out
        # documents added since the session began
        for p in q.positions(q._n_old, len(q)):
            if not _contains(excluded, p):
                if skip:
                    skip -= 1
                else:
                    out.append(p)
                    if len(out) >= count:
                        break
        return out

    def _todo_others(self, skip: int, count: int) -> tuple[int, list[int]]:
        """Skip ``skip`` of the other documents without a status, then take up to ``count`` of them;
        returns (what is left to skip, what was taken)."""
        q, excluded = self.queue, self._others_excluded
        total = q._n_other - len(excluded)
        if skip >= total:
            return skip - total, []
        # the smallest place k among the others with skip + 1 of them without a status up to it
        lo, hi = skip, min(skip + len(excluded), q._n_other - 1)
        while lo < hi:
            mid = (lo + hi) // 2
            if mid + 1 - bisect_right(excluded, q._nth_other(mid)) >= skip + 1:
                hi = mid
            else:
                lo = mid + 1
        taken = islice((p for p in q._others_from(q._nth_other(lo)) if not _contains(excluded, p)), count)
        return 0, list(taken)


def list_rows(store, annotator: str, queue: Queue, positions: list[int]) -> list[dict]:
    """What the document list shows for these documents: number (the place in the queue, from 1),
    doc_id, title, status, assigned (to this annotator), counts (of visible items per state)."""
    rows = store.document_list_rows(annotator, positions)
    out = []
    for p in positions:
        row = rows.get(p)
        if row is not None:
            out.append({**row, "number": queue.index_of_position(p) + 1, "position": p})
    return out
