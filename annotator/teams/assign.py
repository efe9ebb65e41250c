"""Assigning documents to annotators with a controlled overlap (pure functions)."""

from __future__ import annotations

from collections import Counter
from typing import Mapping, Sequence

from annotator.errors import AnnotatorError


def plan(doc_ids: Sequence[str], annotators: Sequence[str], overlap: int,
         existing: Mapping[str, Sequence[str]] | None = None) -> list[tuple[str, str]]:
    """New (doc_id, annotator) pairs giving every document ``overlap`` of the annotators.

    Existing assignments are kept and count towards both a document's overlap and a
    person's load. Each document goes to the least-loaded annotators (ties in the given
    order), so loads never differ by more than one when starting from nothing, and with
    overlap 2 of 3 people every pairing occurs.
    """
    names = list(dict.fromkeys(annotators))
    if not names:
        raise AnnotatorError("no annotators given (use --annotators alice,bob)")
    if overlap < 1:
        raise AnnotatorError(f"--overlap must be at least 1, got {overlap}")
    if overlap > len(names):
        raise AnnotatorError(f"--overlap {overlap} needs at least {overlap} annotators, got {len(names)}: "
                             f"{', '.join(names)}")
    existing = existing or {}
    order = {n: i for i, n in enumerate(names)}
    load = Counter({n: 0 for n in names})
    for doc, people in existing.items():
        for p in people:
            if p in load:
                load[p] += 1
    out: list[tuple[str, str]] = []
    for doc in doc_ids:
        have = [p for p in existing.get(doc, ()) if p in order]
        need = overlap - len(have)
        if need <= 0:
            continue
        chosen = sorted((n for n in names if n not in have), key=lambda n: (load[n], order[n]))[:need]
        for n in chosen:
            load[n] += 1
            out.append((doc, n))
    return out


def summary(assignments: Mapping[str, Sequence[str]], doc_ids: Sequence[str], named: Sequence[str] = ()) -> dict:
    """Per annotator: documents assigned (everyone ``named`` too, with 0 when they got none); per
    overlap: how many documents have that many people."""
    per_person = Counter({n: 0 for n in named})
    per_person.update(p for people in assignments.values() for p in people)
    per_doc = Counter(len(assignments.get(d, ())) for d in doc_ids)
    return {"annotators": dict(sorted(per_person.items())), "documents_by_overlap": dict(sorted(per_doc.items()))}
