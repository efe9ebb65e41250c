"""The stream agreement reads: one document at a time, each item a plain tuple.

:func:`from_store` merges three streams the store yields in document-id order (accepted
items, statuses, document lengths); :func:`from_layers` gives the same rows from in-memory
layers (tests, callers holding Annotation objects). Speakers are compared here too.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from itertools import groupby
from operator import itemgetter
from typing import Callable, Iterator, Mapping, Sequence

from annotator.model import AUTHOR, CLAIM, STANCE, UNNAMED, Annotation, Stance

# the columns of a streamed item row (as Store.accepted_rows yields them); KIND..T_END is the place
DOC, LAYER, LABEL, KIND, START, END, T_START, T_END, SP_START, SP_END, SP_TEXT, ID, OK = range(13)
PLACE = slice(KIND, T_END + 1)



@dataclass
class DocumentItems:
    """One document as agreement sees it: its length, who worked on it, their accepted items.

    ``text`` gives the document's text on demand: it is needed only to compare a speaker
    given as a span with one given as a name, so most documents never read it."""

    doc_id: str
    length: int
    worked: set[str]
    items: dict[str, list[tuple]]  # annotator -> item rows (see the column constants above)
    text: Callable[[], str] = lambda: ""


# --- speakers -----------------------------------------------------------------------------

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def speaker_text(text: str) -> str:
    """A speaker's name for comparison: NFKC, case-folded, spaces collapsed, punctuation at the
    ends and a leading "the" dropped ("the United States," == "United States")."""
    norm = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    norm = _EDGE.sub("", norm)
    return norm[4:] if norm.startswith("the ") else norm


def _speaker(row: tuple) -> tuple | None:
    """(span or None, name or None) of a claim row's speaker; None when it has none."""
    if row[SP_START] is not None and row[SP_END] is not None:
        try:
            return (int(row[SP_START]), int(row[SP_END])), None
        except (TypeError, ValueError):
            return None
    if row[SP_TEXT] in (None, ""):
        return None
    return None, str(row[SP_TEXT])


def speaker_values(speakers: Sequence[tuple | None], text: Callable[[], str] = lambda: "") -> list[str | None]:
    """Comparable values for the speakers of one claim: spans when all have one, else names
    (AUTHOR and UNNAMED as they are, other names -- a span's text -- through :func:`speaker_text`)."""
    given = [s for s in speakers if s is not None]
    if given and all(s[0] is not None for s in given):
        return [None if s is None else f"{s[0][0]}-{s[0][1]}" for s in speakers]
    doc = text() if any(s[0] is not None for s in given) else ""
    out: list[str | None] = []
    for s in speakers:
        if s is None:
            out.append(None)
        else:
            name = doc[s[0][0]:s[0][1]] if s[0] is not None else s[1]
            out.append(name if name in (AUTHOR, UNNAMED) else speaker_text(name))
    return out


# --- streams ----------------------------------------------------------------------------------

def from_store(store, annotators: Sequence[str]) -> Iterator[DocumentItems]:
    """The documents of a store as agreement reads them: three streams ordered by id, merged."""
    names = list(annotators)
    first, second = itemgetter(0), itemgetter(1)
    items = groupby(store.accepted_rows(names), first)
    statuses = groupby(store.layer_documents(names), first)
    item_doc, item_rows = next(items, (None, None))
    status_doc, status_rows = next(statuses, (None, None))
    for doc_id, length in store.document_lengths():
        worked: set[str] = set()
        rows: dict[str, list[tuple]] = {}
        while status_doc is not None and status_doc <= doc_id:
            if status_doc == doc_id:
                worked.update(map(second, status_rows))
            status_doc, status_rows = next(statuses, (None, None))
        while item_doc is not None and item_doc <= doc_id:
            if item_doc == doc_id:
                for layer, layer_rows in groupby(item_rows, second):
                    rows[layer] = [r for r in layer_rows if _inside(r, length) or store.skip_item(r[ID])]
            item_doc, item_rows = next(items, (None, None))
        worked.update(rows)
        if len(worked) >= 2:
            yield DocumentItems(doc_id, length or 0, worked, rows, _text_of(store, doc_id))


def _inside(row: tuple, length: int | None) -> bool:
    """The store's SQL check passed and the item's offsets (and its target's, its speaker's) lie in the text."""
    if not row[OK] or length is None:
        return False
    return row[END] <= length and all(end is None or (isinstance(end, int) and end <= length)
                                      for end in (row[T_END], row[SP_END]))


def _text_of(store, doc_id: str) -> Callable[[], str]:
    def text() -> str:
        doc = store.document(doc_id)
        return doc.text if doc is not None else ""

    return text


def _row(doc_id: str, layer: str, value, text: str) -> tuple:
    if isinstance(value, Stance):
        return (doc_id, layer, value.polarity, STANCE, value.source.start, value.source.end,
                value.target.start, value.target.end, None, None, None, None, 1)
    sp_start = sp_end = sp_text = None
    if value.kind == CLAIM:
        sp = value.attrs.get("speaker")
        if isinstance(sp, Mapping):
            try:
                sp_start, sp_end = int(sp["start"]), int(sp["end"])
            except (KeyError, TypeError, ValueError):
                pass
        elif sp not in (None, ""):
            sp_text = str(sp)
    return (doc_id, layer, value.label, value.kind, value.start, value.end, None, None, sp_start, sp_end, sp_text,
            None, 1)


def from_layers(layers: Mapping[str, Mapping[str, Sequence[Annotation]]],
                worked: Mapping[str, set[str]] | None = None,
                texts: Mapping[str, str] | None = None) -> Iterator[DocumentItems]:
    """In-memory layers (annotator -> doc_id -> items) as a stream of documents."""
    docs = sorted({d for layer in layers.values() for d in layer} | {d for ds in (worked or {}).values() for d in ds})
    for doc_id in docs:
        text = (texts or {}).get(doc_id, "")
        who = {n for n, ds in (worked or {}).items() if doc_id in ds} | {n for n in layers if doc_id in layers[n]}
        rows = {n: [_row(doc_id, n, a.value, text) for a in layers[n].get(doc_id, ()) if a.accepted]
                for n in layers if doc_id in layers[n]}
        yield DocumentItems(doc_id, len(text), who, rows, lambda text=text: text)
