"""The order an annotator is served documents (pure, plus one helper over an open store)."""

from __future__ import annotations

from typing import Mapping, Sequence

FINISHED = ("done", "skipped", "rejected")


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
    """:func:`queue` for an annotator of an open store (for ``annotate``)."""
    return queue(store.document_ids(), store.assigned_documents(annotator), store.statuses(annotator))
