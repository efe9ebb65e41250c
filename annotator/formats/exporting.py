"""Export one layer (an annotator's, the review layer, or the suggestions) in any format.

Outputs are written by :mod:`annotator.formats.outputs`: to a temporary name beside the target, moved
into place when complete, removed on failure or interruption (Ctrl+C, SIGTERM, SIGHUP). An
existing output is replaced only with ``force``, and never the database, a folder holding it,
the current or home folder, or a folder that is not an untouched previous export.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from annotator.errors import AnnotatorError
from annotator.formats import brat, doccano, prodigy, spacy_docbin
from annotator.formats.files import dump_json
from annotator.formats.outputs import (atomic_file, atomic_folder, check_replace_file, check_replace_folder,
                                       check_target, inside, write_marker)
from annotator.formats.tokens import tokenizer
from annotator.model import CLAIM, DONE, REVIEW_LAYER, STANCE, SUGGESTIONS_LAYER, Document, Span, Stance, Value

if TYPE_CHECKING:
    from annotator.store import Store  # a type only: formats do not open databases

FORMATS = ("jsonl", "spacy", "doccano", "brat")


@dataclass
class ExportItem:
    document: Document
    values: list[Value]
    layer: str
    status: str | None


def layer_items(store: Store, layer: str, *, only_done: bool = False) -> Iterator[ExportItem]:
    """The documents a layer touched (in import order) with its accepted items, read from the store as a
    stream (a batch of documents at a time). An unknown layer is refused at once, before any reading."""
    if layer == SUGGESTIONS_LAYER:
        return (ExportItem(doc, [s.value for s in found], SUGGESTIONS_LAYER, None)
                for doc, found in store.suggested_documents())
    known = store.layers()
    if layer not in known:
        names = ", ".join(known) or "none yet"
        raise AnnotatorError(f"no annotation layer named {layer!r} (layers: {names})")
    partly = set(_partly_reviewed(store)) if layer == REVIEW_LAYER and only_done else set()
    return (ExportItem(doc, [a.value for a in items if a.accepted], layer, status)
            for doc, items, status in store.documents_in_layer(layer)
            if not only_done or (status == DONE and doc.id not in partly))


def collect(store: Store, layer: str, *, only_done: bool = False) -> list[ExportItem]:
    """The documents a layer touched (in import order) with its accepted items, as a list."""
    return list(layer_items(store, layer, only_done=only_done))


def has_relations(store: Store, layer: str, *, only_done: bool = False) -> bool:
    """Whether the export of a layer holds a stance or a claim whose speaker is a span (Doccano's shape depends on
    it), without reading it all."""
    kinds = (STANCE, CLAIM)
    if layer == SUGGESTIONS_LAYER:
        return any(doccano.has_relations([s.value for s in found])
                   for _, found in store.suggested_documents(kinds=kinds))
    return any(doccano.has_relations([a.value for a in items if a.accepted]) and (status == DONE or not only_done)
               for _, items, status in store.documents_in_layer(layer, kinds=kinds, only_with_items=True))


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


def jsonl_lines(items: Iterable[ExportItem], tokens: bool = True) -> Iterator[str]:
    """Prodigy tasks, one JSONL line each; ``tokens=False``: the lean tasks (:func:`prodigy.lean_task`)."""
    if not tokens:
        for item in items:
            yield prodigy.lean_task_line(item.document, item.values, item.layer, item.status)
        return
    for item in items:
        yield prodigy.task_line(item.document, item.values, item.layer, item.status)


def doccano_lines(items: Iterable[ExportItem], relation_shape: bool) -> Iterator[str]:
    for item in items:
        yield dump_json(doccano.to_doccano(item.document, item.values, relation_shape))


@dataclass
class ExportReport:
    documents: int
    spans: int
    relations: int
    moved: int = 0  # spaCy: spans widened to token boundaries
    dropped: int = 0  # spaCy: spans of whitespace alone, left out
    path: str = "-"
    layer: str | None = None  # the layer of the first document written


def _counted(items: Iterable[ExportItem], report: ExportReport) -> Iterator[ExportItem]:
    for item in items:
        if report.layer is None:
            report.layer = item.layer
        report.documents += 1
        for v in item.values:
            if isinstance(v, Span):
                report.spans += 1
            elif isinstance(v, Stance):
                report.relations += 1
        yield item


def check_tokens(fmt: str, tokens: bool) -> None:
    """Refuse ``tokens=False`` for the one format made of tokens (a spaCy DocBin); Doccano and brat never
    hold tokens, so for them it changes nothing."""
    if not tokens and fmt == "spacy":
        raise AnnotatorError("--no-tokens does not apply to --format spacy (a DocBin is made of tokens): "
                             "use --format jsonl, doccano or brat")


def export_layer(store: Store, layer: str, fmt: str, out: str | None, *, only_done: bool = False,
                 force: bool = False, protect: Iterable[str | Path] = (), tokens: bool = True) -> ExportReport:
    """Export one layer of an open store, reading it as a stream (memory stays bounded; see :func:`export`)."""
    check_tokens(fmt, tokens)
    items = layer_items(store, layer, only_done=only_done)
    shape = has_relations(store, layer, only_done=only_done) if fmt == "doccano" else None
    return export(items, fmt, out, force=force, protect=protect, relation_shape=shape, tokens=tokens)


def export(items: Iterable[ExportItem], fmt: str, out: str | None, *, force: bool = False,
           protect: Iterable[str | Path] = (), relation_shape: bool | None = None, tokens: bool = True) -> ExportReport:
    """Write items in a format to `out` (stdout for JSONL formats when out is None or '-').

    Items are written as they come (a generator is never held whole, except by the spaCy format,
    whose DocBin is one object). ``protect`` names files (the database) that the output must never
    replace. ``relation_shape`` chooses Doccano's shape; None: the entities/relations shape when an
    item holds a stance or a claim's speaker span (which needs the items as a list). ``tokens=False`` writes JSONL without
    tokens (see :func:`check_tokens` for the other formats).
    """
    if fmt not in FORMATS:
        raise AnnotatorError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    check_tokens(fmt, tokens)
    protect = list(protect)
    report = ExportReport(0, 0, 0, path=out or "-")
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
    if fmt == "doccano" and relation_shape is None:
        items = list(items)
        relation_shape = any(doccano.has_relations(item.values) for item in items)
    items = _counted(items, report)
    if fmt == "jsonl" and tokens:
        tokenizer().ready()  # spaCy's import (a second) before the output exists, not while it is written
    if fmt in ("jsonl", "doccano"):
        lines = jsonl_lines(items, tokens) if fmt == "jsonl" else doccano_lines(items, relation_shape)
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
        _write_docbin(items, path, report, force, protect)
    else:
        _write_brat(items, path, report, force, protect)
    return report


def _write_docbin(items: Iterable[ExportItem], path: Path, report: ExportReport, force: bool, protect) -> None:
    def docs():
        for item in items:
            doc, moved, dropped = spacy_docbin.to_doc(item.document.text, item.values, item.document.meta)
            report.moved += moved
            report.dropped += dropped
            yield doc

    with atomic_file(path, force=force, protect=protect) as tmp:
        spacy_docbin.write_docbin(tmp, docs())


def _write_brat(items: Iterable[ExportItem], path: Path, report: ExportReport, force: bool, protect) -> None:
    """A brat folder: a .txt/.ann pair per document, annotation.conf, and the marker that lets a
    later export replace the folder."""
    with atomic_folder(path, force=force, fmt="brat", protect=protect) as tmp:
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
        write_marker(tmp, "brat", {"layer": report.layer, "documents": names})
