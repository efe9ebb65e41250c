"""Export one layer (an annotator's, the review layer, or the suggestions) in any format.

Outputs are written by :mod:`annotator.outputs`: to a temporary name beside the target, moved
into place when complete, removed on failure or interruption (Ctrl+C, SIGTERM, SIGHUP). An
existing output is replaced only with ``force``, and never the database, a folder holding it,
the current or home folder, or a folder that is not an untouched previous export.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from annotator.errors import AnnotatorError
from annotator.formats import brat, doccano, prodigy, spacy_docbin
from annotator.formats.files import dump_json
from annotator.model import DONE, REVIEW_LAYER, SUGGESTIONS_LAYER, Document, Span, Stance, Value
from annotator.outputs import (atomic_file, atomic_folder, check_replace_file, check_replace_folder, check_target,
                               inside, write_marker)
from annotator.store import Store

FORMATS = ("jsonl", "spacy", "doccano", "brat")


@dataclass
class ExportItem:
    document: Document
    values: list[Value]
    layer: str
    status: str | None


def collect(store: Store, layer: str, *, only_done: bool = False) -> list[ExportItem]:
    """The documents a layer touched (in import order) with its accepted items."""
    if layer == SUGGESTIONS_LAYER:
        by_doc: dict[str, list[Value]] = {}
        for s in store.suggestions():
            by_doc.setdefault(s.doc_id, []).append(s.value)
        return [ExportItem(d, by_doc[d.id], SUGGESTIONS_LAYER, None) for d in store.documents() if d.id in by_doc]
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
    chosen = [x for x in (annotator, REVIEW_LAYER if review else None, SUGGESTIONS_LAYER if suggestions else None) if x]
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


def export(items: list[ExportItem], fmt: str, out: str | None, *, force: bool = False,
           protect: Iterable[str | Path] = ()) -> ExportReport:
    """Write items in a format to `out` (stdout for JSONL formats when out is None or '-').

    ``protect`` names files (the database) that the output must never replace.
    """
    if fmt not in FORMATS:
        raise AnnotatorError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    protect = list(protect)
    report = ExportReport(len(items), sum(isinstance(v, Span) for i in items for v in i.values),
                          sum(isinstance(v, Stance) for i in items for v in i.values), 0, out or "-")
    to_stdout = not out or out == "-"
    if to_stdout and fmt in ("spacy", "brat"):
        raise AnnotatorError(f"--format {fmt} needs -o PATH ({'a .spacy file' if fmt == 'spacy' else 'a folder'})")
    if not to_stdout:  # every check before any work
        path = Path(out)
        check_target(path, folder=fmt == "brat", protect=protect)
        if fmt == "brat":
            check_replace_folder(path, force, fmt)
        else:
            check_replace_file(path, force)
    if fmt in ("jsonl", "doccano"):
        lines = jsonl_lines(items) if fmt == "jsonl" else doccano_lines(items)
        if to_stdout:
            for line in lines:
                sys.stdout.write(line + "\n")
            sys.stdout.flush()
            return report
        with atomic_file(path, force=force, protect=protect) as tmp:
            with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
                for line in lines:
                    fh.write(line + "\n")
        return report
    if fmt == "spacy":
        docs = []
        for item in items:
            doc, moved = spacy_docbin.to_doc(item.document.text, item.values, item.document.meta)
            report.moved += moved
            docs.append(doc)
        with atomic_file(path, force=force, protect=protect) as tmp:
            spacy_docbin.write_docbin(tmp, docs)
        return report
    with atomic_folder(path, force=force, fmt=fmt, protect=protect) as tmp:
        labels, relations, names, used = set(), set(), {}, set()
        for item in items:
            stem = brat.file_stem(item.document.id, used)
            names[item.document.id] = stem
            inside(tmp, f"{stem}.txt").write_text(item.document.text, encoding="utf-8", newline="")
            inside(tmp, f"{stem}.ann").write_text(brat.to_ann(item.document.text, item.values), encoding="utf-8")
            labels |= {v.label for v in item.values if isinstance(v, Span)}
            relations |= {v.polarity for v in item.values if isinstance(v, Stance)}
            labels |= {r.label for v in item.values if isinstance(v, Stance) for r in (v.source, v.target) if r.label}
        (tmp / "annotation.conf").write_text(brat.annotation_conf(labels, relations), encoding="utf-8")
        write_marker(tmp, "brat", {"layer": items[0].layer if items else None, "documents": names})
    return report
