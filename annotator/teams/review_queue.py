"""The review queue: the documents that need a reviewer's decision, and where the reviewer stopped.

The queue holds, in import order, first every document where the annotators disagree
somewhere, then (when asked) every document only one annotator worked on. Documents where
every annotator agrees on everything need no decision and stay out (``review --summary``
counts them). A document is *left* until it is marked reviewed; the queue says how many are.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

from annotator.model import DONE, REVIEW_LAYER, Action
from annotator.teams.review import Alignment, align, lazy_text

DISAGREEMENT, SINGLE = "disagreement", "single"


@dataclass
class Entry:
    """One document in the queue."""

    doc_id: str
    annotators: list[str]
    reason: str                  # DISAGREEMENT or SINGLE
    rows: int = 0
    differ: int = 0
    open: int = 0
    status: str | None = None    # the review layer's status of the document
    unfinished: list[str] = field(default_factory=list)  # annotators who have not marked it done

    @property
    def reviewed(self) -> bool:
        """Marked reviewed, with nothing open (an undo or a changed layer reopens rows: left again)."""
        return self.status == DONE and self.open == 0

    def update(self, al: Alignment, status: str | None) -> None:
        self.rows, self.differ, self.open, self.status = len(al.rows), len(al.disagreements), len(al.open), status


@dataclass
class ReviewQueue:
    annotators: list[str]
    entries: list[Entry] = field(default_factory=list)
    agreed: int = 0              # documents with two or more annotators where nothing differs
    agreed_left: int = 0         # ... of which not yet marked reviewed
    single_skipped: int = 0      # single-annotator documents left out (no --include-single)

    def __len__(self) -> int:
        return len(self.entries)

    @property
    def left(self) -> int:
        """Documents in the queue not yet marked reviewed."""
        return sum(1 for e in self.entries if not e.reviewed)

    def index(self, doc_id: str | None) -> int | None:
        return next((i for i, e in enumerate(self.entries) if e.doc_id == doc_id), None)

    def next_left(self, index: int, step: int = 1) -> int | None:
        """The nearest entry not yet reviewed after (step 1) or before (step -1) ``index``, wrapping."""
        n = len(self.entries)
        for k in range(1, n + 1):
            i = (index + step * k) % n
            if not self.entries[i].reviewed:
                return i
        return None

    def first_left(self) -> int | None:
        return self.next_left(-1) if self.entries else None


def build(store, annotators: Sequence[str], *, include_single: bool = False) -> ReviewQueue:
    """Align every document the annotators worked on (one at a time) and queue those needing a decision."""
    names = list(annotators)
    statuses = {n: store.statuses(n) for n in names}
    review_status = store.statuses(REVIEW_LAYER)
    queue = ReviewQueue(names)
    disagreements: list[Entry] = []
    singles: list[Entry] = []
    for doc_id, layers in store.layer_items_by_document(names + [REVIEW_LAYER]):
        worked = [n for n in names if n in layers or doc_id in statuses[n]]
        if not worked or not any(a.accepted for n in worked for a in layers.get(n, ())):
            continue
        if len(worked) == 1 and not include_single:
            queue.single_skipped += 1
            continue
        al = align(doc_id, {n: layers.get(n, []) for n in worked}, layers.get(REVIEW_LAYER, ()), worked,
                   _text(store, doc_id))
        if len(worked) == 1:
            entry = Entry(doc_id, worked, SINGLE)
            singles.append(entry)
        elif al.disagreements:
            entry = Entry(doc_id, worked, DISAGREEMENT)
            disagreements.append(entry)
        else:
            queue.agreed += 1
            queue.agreed_left += review_status.get(doc_id) != DONE
            continue
        entry.update(al, review_status.get(doc_id))
        entry.unfinished = [n for n in worked if statuses[n].get(doc_id) != DONE]
    queue.entries = disagreements + singles
    return queue


def _text(store, doc_id: str):
    """The document's text, read only if a speaker given as a span meets one given as a name."""
    def read() -> str:
        doc = store.document(doc_id)
        return doc.text if doc is not None else ""

    return lazy_text(read)


def partly_reviewed(store, doc_ids: Sequence[str] | None = None) -> list[str]:
    """Documents marked reviewed that have open rows against everyone who worked on them
    (an annotator changed their layer after the review, or was left out with --annotators)."""
    names = store.annotators()
    statuses = {n: store.statuses(n) for n in names}
    done = [d for d, s in store.statuses(REVIEW_LAYER).items() if s == DONE]
    if doc_ids is not None:
        wanted = set(doc_ids)
        done = [d for d in done if d in wanted]
    out = []
    for doc_id in done:
        layers = {n: store.items(doc_id, n) for n in names}
        worked = [n for n in names if layers[n] or doc_id in statuses[n]]
        if not worked:
            continue
        al = align(doc_id, layers, store.items(doc_id, REVIEW_LAYER), worked, _text(store, doc_id))
        if al.open:
            out.append(doc_id)
    return out


def accept_agreed(store, reviewer: str, annotators: Sequence[str]) -> tuple[int, int]:
    """Settle every document where two or more annotators agree on everything: their items go
    to the review layer and the document is marked reviewed, one transaction per document.
    Documents already marked reviewed are left alone. Returns (documents, items)."""
    from annotator.teams.review import accept_unanimous, mark_reviewed

    names = list(annotators)
    statuses = {n: store.statuses(n) for n in names}
    review_status = store.statuses(REVIEW_LAYER)
    agreed: list[str] = []
    for doc_id, layers in store.layer_items_by_document(names + [REVIEW_LAYER]):
        worked = [n for n in names if n in layers or doc_id in statuses[n]]
        if len(worked) < 2 or review_status.get(doc_id) == DONE:
            continue
        al = align(doc_id, {n: layers.get(n, []) for n in worked}, layers.get(REVIEW_LAYER, ()), worked,
                   _text(store, doc_id))
        if al.rows and not al.disagreements and not al.extra_review:
            agreed.append(doc_id)
    items = 0
    for doc_id in agreed:  # aligned again: the layers may have changed meanwhile
        from annotator.teams.review import load

        al = load(store, doc_id, names)
        if al.disagreements:
            continue
        changes = accept_unanimous(al)
        with store.transaction():
            if changes:
                store.apply_review(reviewer, doc_id, Action.REVIEW_ACCEPT_AGREED, changes)
            items += len(changes)
            al = load(store, doc_id, names)
            mark_reviewed(store, reviewer, al)
    return len(agreed), items


def describe_empty(queue: ReviewQueue) -> str:
    from annotator.textsafe import one_line

    names = ", ".join(one_line(n, 200) for n in queue.annotators)
    parts = [f"no document where {names} disagree"]
    if queue.agreed:
        parts.append(f"{queue.agreed} where they all agree" + (
            f" ({queue.agreed_left} not yet reviewed: annotator review --accept-agreed copies those into the "
            "review layer)" if queue.agreed_left else ", all reviewed"))
    if queue.single_skipped:
        parts.append(f"{queue.single_skipped} only one of them worked on (add --include-single)")
    return "; ".join(parts)


def format_queue(queue: ReviewQueue, titles: Mapping[str, str] | None = None) -> str:
    """The queue as a table, with what is left and what stays out.

    ``not done`` names the annotators who have not marked the document done (their "nothing" rows
    may only mean they have not got there yet); ``titles`` (doc id -> title) adds a title column."""
    from annotator.textsafe import one_line

    n_dis = sum(1 for e in queue.entries if e.reason == DISAGREEMENT)
    n_single = len(queue.entries) - n_dis
    lines = [f"review queue: {n_dis} document(s) with disagreements"
             + (f", {n_single} with a single annotator" if n_single else "")
             + f"; {queue.left} left to review",
             f"not queued: {queue.agreed} where everyone agrees ({queue.agreed_left} not yet reviewed)"
             + (f", {queue.single_skipped} with a single annotator (add --include-single)"
                if queue.single_skipped else "")]
    unfinished = sum(1 for e in queue.entries if e.unfinished)
    if unfinished:
        lines.append(f"{unfinished} queued document(s) not marked done by every annotator (not done): "
                     "what they lack may only be work not done yet")
    if queue.entries:
        lines.append("")
        lines.append(f"{'document':<18} {'reason':<12} {'rows':>5} {'agree':>6} {'differ':>6} {'open':>5}  "
                     f"{'review':<11}  {'not done':<16}" + ("  title" if titles is not None else ""))
        for e in queue.entries:
            status = "reviewed" if e.reviewed else ("reopened" if e.status == DONE else
                                                    "in progress" if e.status else "not started")
            waiting = one_line(", ".join(e.unfinished), 16) if e.unfinished else "-"
            line = (f"{e.doc_id[:18]:<18} {e.reason:<12} {e.rows:>5} {e.rows - e.differ:>6} {e.differ:>6} "
                    f"{e.open:>5}  {status:<11}  {waiting:<16}")
            if titles is not None:
                line += "  " + one_line(titles.get(e.doc_id, ""), 50)
            lines.append(line.rstrip())
    return "\n".join(lines)


def titles(store, queue: ReviewQueue) -> dict[str, str]:
    """doc id -> its title (the meta title, else the text's first line) for the documents in the queue."""
    out = {}
    for e in queue.entries:
        doc = store.document(e.doc_id)
        if doc is not None:
            title = doc.meta.get("title") if isinstance(doc.meta, dict) else None
            out[e.doc_id] = str(title) if title else doc.text.strip().split("\n", 1)[0]
    return out
