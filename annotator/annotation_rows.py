"""Annotation rows read back with every check of :func:`validate.annotation_from_row`, quicker for rows
that repeat a shape already checked.

Most of a row's checks look only at its layer, status, kind, label and attrs (JSON text), and a
layer's rows come in few such shapes (an export of 10,000 documents reads 48,000 rows of two). The
first row of a shape goes through :func:`validate.annotation_from_row`; a later row of the same
shape has only what is its own checked here, the same way: its id and document id, its offsets
against its document's length, its suggestion id and origin. A row that fails any of those, and
every row whose other checks depend on its document (a stance's ends, a claim's speaker given as a
span), goes through the full check, so a bad row is refused with the same message as before.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from operator import itemgetter

from annotator import validate
from annotator.model import CLAIM, ORIGIN_MANUAL, Annotation, Span
from annotator.textsafe import has_control

_IMMUTABLE = (str, int, float, bool, type(None))
_UNSEEN = object()
_SHAPE_KEY = itemgetter("layer", "status", "kind", "label", "attrs")
_OWN = itemgetter("id", "doc_id", "start", "end", "suggestion_id", "origin")


class AnnotationRows:
    """:meth:`read` is ``validate.annotation_from_row`` with a memory of the shapes that passed it."""

    MAX_SHAPES = 4096  # memory stays bounded when attrs differ from row to row

    def __init__(self) -> None:
        self.shapes: dict[tuple, tuple | None] = {}
        self.doc_id: str | None = None  # the last document id found good

    def read(self, row: Mapping, length: int) -> Annotation:
        """The row as an Annotation checked against a text of ``length`` characters; raises validate.Invalid
        with the message :func:`validate.annotation_from_row` gives."""
        try:
            key, own = _SHAPE_KEY(row), _OWN(row)
        except KeyError:  # not a whole row: the full check says what is missing
            return validate.annotation_from_row(row, length)
        shape = self.shapes.get(key, _UNSEEN)
        if shape is not _UNSEEN and shape is not None:
            ann = self._quick(own, length, shape)
            if ann is not None:
                return ann
        ann = validate.annotation_from_row(row, length)
        if shape is _UNSEEN:
            if len(self.shapes) >= self.MAX_SHAPES:
                self.shapes.clear()
            self.shapes[key] = _shape(ann, key[4])
        return ann

    def _quick(self, own: tuple, length: int, shape: tuple) -> Annotation | None:
        """The Annotation when the row's own fields pass the checks, else None (for the full check to say why)."""
        ann_id, doc_id, start, end, suggestion_id, origin = own
        if not (type(ann_id) is str and ann_id and not has_control(ann_id)
                and type(start) is int and type(end) is int and 0 <= start < end <= length
                and (suggestion_id is None or type(suggestion_id) is str)
                and (origin is None or type(origin) is str)):
            return None
        if doc_id != self.doc_id or type(doc_id) is not str:
            if not (type(doc_id) is str and doc_id and not has_control(doc_id)):
                return None
            self.doc_id = doc_id
        layer, status, kind, label, attrs, raw = shape
        attrs = dict(attrs) if raw is None else json.loads(raw)  # each item its own attrs, as parsed
        return Annotation(ann_id, doc_id, layer, Span(start, end, label, kind, attrs), status, suggestion_id,
                          origin or ORIGIN_MANUAL)


def _shape(ann: Annotation, raw: object) -> tuple | None:
    """What rows like this one share, or None when their checks depend on more than their own fields."""
    value = ann.value
    if not isinstance(value, Span):  # a stance's ends are checked against each document's text
        return None
    if value.kind == CLAIM and isinstance(value.attrs.get("speaker"), Mapping):  # so is a speaker span
        return None
    flat = all(type(v) in _IMMUTABLE for v in value.attrs.values())
    return ann.layer, ann.status, value.kind, value.label, dict(value.attrs), None if flat else raw
