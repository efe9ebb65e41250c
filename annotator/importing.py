"""Import: text files, folders, JSONL (plain, Prodigy, Doccano) into the store.

Every source is read and checked before anything is written; then all of it goes in
one transaction. A bad record stops the import (nothing written) unless
``skip_invalid`` is set, in which case it is reported and the rest goes in.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from annotator.errors import AnnotatorError
from annotator.formats.brat_mapping import CONFIG_FILES as BRAT_CONFIG_FILES
from annotator.formats.brat_mapping import BratMapping, is_brat, read_pair
from annotator.formats.doccano import is_doccano, parse_doccano
from annotator.formats.files import file_kind, iter_jsonl, read_text, regular_file
from annotator.formats.prodigy import DEFAULT_LAYER, parse_task
from annotator.model import CLAIM, DONE, Document, Span, Stance
from annotator.outputs import MARKER as EXPORT_MARKER
from annotator.schema import Schema
from annotator.store import ImportRecord, ImportResult, Store

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
JSONL_SUFFIXES = {".jsonl", ".ndjson", ".json"}


@dataclass
class ImportReport:
    files: int = 0
    records: int = 0
    empty: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # files a folder walk left out, and why
    unknown_labels: Counter = field(default_factory=Counter)
    result: ImportResult = field(default_factory=ImportResult)


def expand_sources(paths: Iterable[str | Path], *, follow_symlinks: bool = False,
                   notes: list[str] | None = None) -> list[Path]:
    """Files to read: each file as given; folders searched recursively for text and JSONL files.

    A file named on the command line must be a regular file (a FIFO or a device is refused).
    In a folder, entries that are not regular files are skipped, and so are symbolic links that
    lead out of the folder unless ``follow_symlinks``; each skip is added to ``notes``.
    """
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = _walk(path, follow_symlinks, notes if notes is not None else [])
            if not found:
                raise AnnotatorError("folder has no .txt, .md or .jsonl files", path)
            out.extend(found)
        else:
            out.append(regular_file(path, missing="no such file or folder"))
    return out


def _walk(folder: Path, follow_symlinks: bool, notes: list[str]) -> list[Path]:
    root = folder.resolve()
    seen: set[tuple[int, int]] = set()
    found: list[Path] = []

    def visit(directory: Path) -> None:
        st = directory.stat()
        if (st.st_dev, st.st_ino) in seen:  # a link loop, or a folder reached twice
            return
        seen.add((st.st_dev, st.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            raise AnnotatorError(exc.strerror or str(exc), directory) from None
        for entry in entries:
            path = Path(entry.path)
            if entry.is_symlink():
                target = Path(os.path.realpath(path))
                if not follow_symlinks and target != root and root not in target.parents:
                    notes.append(f"skipped {path}: a symbolic link out of {folder} (use --follow-symlinks to "
                                 "follow it)")
                    continue
            try:
                mode = path.stat().st_mode
            except OSError:
                notes.append(f"skipped {path}: a broken symbolic link")
                continue
            if stat.S_ISDIR(mode):
                visit(path)
            elif entry.name == EXPORT_MARKER:  # a brat export's own bookkeeping, not a document
                continue
            elif path.suffix.lower() in TEXT_SUFFIXES | JSONL_SUFFIXES:
                if stat.S_ISREG(mode):
                    found.append(path)
                else:
                    notes.append(f"skipped {path}: {file_kind(mode)}, not a regular file")

    visit(folder)
    return sorted(found)


def read_source(path: Path, layer: str | None = None, *, skip_invalid: bool = False,
                report: ImportReport | None = None, claim_label: str = CLAIM,
                brat_map: BratMapping | None = None) -> list[tuple[int, ImportRecord]]:
    """Parse one file into (line, ImportRecord) pairs; raises AnnotatorError on the first bad record."""
    report = report if report is not None else ImportReport()
    if is_brat(path) or path.name in BRAT_CONFIG_FILES:
        try:
            return read_brat(path, layer, claim_label, brat_map)
        except AnnotatorError as exc:
            if not skip_invalid:
                raise
            report.skipped.append(str(exc))
            return []
    text = read_text(path)
    if not text.strip():
        report.empty.append(str(path))
        return []
    if path.suffix.lower() not in JSONL_SUFFIXES:
        title = next((line.strip() for line in text.splitlines() if line.strip()), "")
        meta = {"source": str(path), "title": title[:200]}
        return [(1, ImportRecord(Document.from_text(text, meta)))]
    records: list[tuple[int, ImportRecord]] = []
    for line, obj in iter_jsonl(path, text):
        try:
            if isinstance(obj, AnnotatorError):
                raise obj
            parse = parse_doccano if is_doccano(obj) else parse_task
            rec = parse(obj, layer, claim_label)
            rec.document.meta.setdefault("source", str(path))
        except AnnotatorError as exc:
            error = exc if exc.path else AnnotatorError(exc.problem, path, line)
            if not skip_invalid:
                raise error from None
            report.skipped.append(str(error))
            continue
        records.append((line, rec))
    if not records and not report.skipped:
        report.empty.append(str(path))
    return records


def read_brat(path: Path, layer: str | None, claim_label: str, mapping: BratMapping | None
              ) -> list[tuple[int, ImportRecord]]:
    """A brat document (NAME.txt + NAME.ann): annotated ones go to the layer, marked done; brat's
    configuration files are not documents."""
    if path.name in BRAT_CONFIG_FILES:
        return []
    text, meta, values = read_pair(path, mapping or BratMapping(), claim_label)
    if not values:  # brat keeps an empty .ann beside every document nobody annotated yet
        return [(1, ImportRecord(Document.from_text(text, meta)))]
    return [(1, ImportRecord(Document.from_text(text, meta), layer or DEFAULT_LAYER, values, DONE))]


def unknown_labels(rec: ImportRecord, schema: Schema) -> list[str]:
    out = []
    for v in rec.values:
        if isinstance(v, Stance):
            if "relation" not in v.attrs and not schema.known(v.polarity, "stance"):
                out.append(v.polarity)
        elif isinstance(v, Span) and not schema.known(v.label, v.kind):
            out.append(v.label)
    return out


def read_sources(paths: Iterable[str | Path], layer: str | None = None, schema: Schema | None = None, *,
                 skip_invalid: bool = False, strict: bool = False, follow_symlinks: bool = False,
                 progress: Callable[[int], None] | None = None,
                 brat_map: BratMapping | None = None) -> tuple[list[ImportRecord], ImportReport]:
    """Read and check every source without touching a database."""
    report = ImportReport()
    records: list[ImportRecord] = []
    for path in expand_sources(paths, follow_symlinks=follow_symlinks, notes=report.notes):
        found = read_source(path, layer, skip_invalid=skip_invalid, report=report,
                            claim_label=schema.claim.name if schema else CLAIM, brat_map=brat_map)
        for line, rec in found:
            if schema is not None:
                missing = unknown_labels(rec, schema)
                if missing and strict:
                    raise AnnotatorError(f"label {missing[0]!r} is not in schema {schema.name} (--strict)", path, line)
                report.unknown_labels.update(missing)
            records.append(rec)
        report.files += 1
        if progress:
            progress(path.stat().st_size)
    report.records = len(records)
    return records, report


def import_sources(store: Store, paths: Iterable[str | Path], layer: str | None = None, schema: Schema | None = None,
                   **options) -> ImportReport:
    """Read every source, check it, then write all of it in one transaction."""
    records, report = read_sources(paths, layer, schema, **options)
    if records:
        report.result = store.import_records(records)
    return report
