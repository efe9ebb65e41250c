"""Export one layer (an annotator's, the review layer, or the suggestions) in any format.

Files are written to a temporary name beside the target and moved into place, so a
failed export never leaves half a file; an existing target is refused unless forced.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from annotator.errors import AnnotatorError
from annotator.formats import brat, doccano, prodigy, spacy_docbin
from annotator.formats.files import dump_json
from annotator.model import REVIEW_LAYER, Document, Span, Stance, Value
from annotator.store import DONE, Store

FORMATS = ("jsonl", "spacy", "doccano", "brat")
SUGGESTIONS = "suggestions"


@dataclass
class ExportItem:
    document: Document
    values: list[Value]
    layer: str
    status: str | None


def collect(store: Store, layer: str, *, only_done: bool = False) -> list[ExportItem]:
    """The documents a layer touched (in import order) with its accepted items."""
    if layer == SUGGESTIONS:
        by_doc: dict[str, list[Value]] = {}
        for s in store.suggestions():
            by_doc.setdefault(s.doc_id, []).append(s.value)
        return [ExportItem(d, by_doc[d.id], SUGGESTIONS, None) for d in store.documents() if d.id in by_doc]
    known = store.layers()
    if layer not in known:
        names = ", ".join(known) or "none yet"
        raise AnnotatorError(f"no annotation layer named {layer!r} (layers: {names})")
    items = store.layer_items(layer)
    statuses = store.statuses(layer)
    partly = set(_partly_reviewed(store)) if layer == REVIEW_LAYER and only_done else set()
    out = []
    for doc in store.documents():
        if doc.id not in items and doc.id not in statuses:
            continue
        status = statuses.get(doc.id)
        if only_done and (status != DONE or doc.id in partly):
            continue
        values = [a.value for a in items.get(doc.id, []) if a.accepted]
        out.append(ExportItem(doc, values, layer, status))
    return out


def _partly_reviewed(store: Store) -> list[str]:
    """Documents marked reviewed whose review has open rows: left out of --only-done, and said so."""
    from annotator.teams.review_queue import partly_reviewed

    ids = partly_reviewed(store)
    if ids:
        sys.stderr.write(f"note: left out {len(ids)} document(s) marked reviewed that still have open rows "
                         f"(their layers changed after the review): {', '.join(ids[:5])}"
                         f"{' ...' if len(ids) > 5 else ''}; settle them with `annotator review`\n")
    return ids


def choose_layer(store: Store, annotator: str | None, review: bool, suggestions: bool) -> str:
    """Which layer an export reads; with none named, the only human layer if there is just one."""
    chosen = [x for x in (annotator, REVIEW_LAYER if review else None, SUGGESTIONS if suggestions else None) if x]
    if len(chosen) > 1:
        raise AnnotatorError("choose one of --annotator, --review and --suggestions")
    if chosen:
        return chosen[0]
    layers = store.layers()
    if len(layers) == 1:
        return layers[0]
    if not layers:
        raise AnnotatorError("nothing annotated yet: use --suggestions to export the model's suggestions")
    raise AnnotatorError(f"several layers exist ({', '.join(layers)}): name one with --annotator, --review or --suggestions")


def jsonl_lines(items: list[ExportItem]) -> Iterator[str]:
    for item in items:
        yield dump_json(prodigy.to_task(item.document, item.values, item.layer, item.status))


def doccano_lines(items: list[ExportItem]) -> Iterator[str]:
    relation_shape = any(isinstance(v, Stance) for item in items for v in item.values)
    for item in items:
        yield dump_json(doccano.to_doccano(item.document, item.values, relation_shape))


@dataclass
class ExportReport:
    documents: int
    spans: int
    relations: int
    moved: int = 0
    path: str = "-"


def export(items: list[ExportItem], fmt: str, out: str | None, *, force: bool = False) -> ExportReport:
    """Write items in a format to `out` (stdout for JSONL formats when out is None or '-')."""
    if fmt not in FORMATS:
        raise AnnotatorError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    report = ExportReport(len(items), sum(isinstance(v, Span) for i in items for v in i.values),
                          sum(isinstance(v, Stance) for i in items for v in i.values), 0, out or "-")
    if fmt in ("jsonl", "doccano"):
        lines = jsonl_lines(items) if fmt == "jsonl" else doccano_lines(items)
        if not out or out == "-":
            for line in lines:
                sys.stdout.write(line + "\n")
            return report
        with _atomic_file(Path(out), force) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for line in lines:
                    fh.write(line + "\n")
        return report
    if not out or out == "-":
        raise AnnotatorError(f"--format {fmt} needs -o PATH ({'a .spacy file' if fmt == 'spacy' else 'a folder'})")
    if fmt == "spacy":
        docs = []
        for item in items:
            doc, moved = spacy_docbin.to_doc(item.document.text, item.values, item.document.meta)
            report.moved += moved
            docs.append(doc)
        with _atomic_file(Path(out), force) as tmp:
            spacy_docbin.write_docbin(tmp, docs)
        return report
    with _atomic_dir(Path(out), force) as tmp:
        labels, relations = set(), set()
        for item in items:
            stem = item.document.id
            (tmp / f"{stem}.txt").write_text(item.document.text, encoding="utf-8", newline="")
            (tmp / f"{stem}.ann").write_text(brat.to_ann(item.document.text, item.values), encoding="utf-8")
            labels |= {v.label for v in item.values if isinstance(v, Span)}
            relations |= {v.polarity for v in item.values if isinstance(v, Stance)}
        (tmp / "annotation.conf").write_text(brat.annotation_conf(labels, relations), encoding="utf-8")
    return report


@contextmanager
def _atomic_file(path: Path, force: bool) -> Iterator[Path]:
    if path.exists() and not force:
        raise AnnotatorError("already exists (use --force to overwrite)", path)
    if not path.parent.exists():
        raise AnnotatorError("folder does not exist", path.parent)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, path)


@contextmanager
def _atomic_dir(path: Path, force: bool) -> Iterator[Path]:
    if path.exists() and (not path.is_dir() or any(path.iterdir())) and not force:
        raise AnnotatorError("already exists and is not empty (use --force to overwrite)", path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()
    os.replace(tmp, path)
