"""The order an annotator is served documents (pure, plus helpers over an open store)."""

from __future__ import annotations

from typing import Mapping, Sequence

from annotator.annotate import decisions as D

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


def document_rows(store, annotator: str, doc_ids: Sequence[str]) -> list[dict]:
    """One row per document of ``doc_ids`` (the annotator's queue), numbered from 1 in that order:
    doc_id, number, status, assigned (to this annotator), counts (of visible items), title."""
    statuses = store.statuses(annotator)
    assigned = set(store.assigned_documents(annotator))
    layer = store.layer_items(annotator)
    by_doc: dict[str, list] = {}
    for s in store.suggestions():
        by_doc.setdefault(s.doc_id, []).append(s)
    docs = {doc.id: doc for doc in store.documents()}
    rows = []
    for n, doc_id in enumerate(doc_ids, 1):
        doc = docs[doc_id]
        counts = D.counts(D.visible_items(by_doc.get(doc_id, []), layer.get(doc_id, [])))
        rows.append({"doc_id": doc_id, "number": n, "status": statuses.get(doc_id, "todo"),
                     "assigned": doc_id in assigned, "counts": counts,
                     "title": str(doc.meta.get("title") or doc.text)})
    return rows
