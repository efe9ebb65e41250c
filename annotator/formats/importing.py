"""Import: text files, folders, JSONL (plain, Prodigy, Doccano) into the store.

One streaming pass, so memory stays bounded whatever the size of the sources: each record is
read, checked and handed to the store, which writes them all in one transaction that commits
only at the end. A bad record stops the import and the transaction rolls back (nothing
written) unless ``skip_invalid`` is set, in which case it is reported and the rest goes in; a
source that changed while it was read stops it too.
"""

from __future__ import annotations

import os
import stat
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterable, Iterator

from annotator import validate
from annotator.errors import AnnotatorError
from annotator.formats.brat_mapping import CONFIG_FILES as BRAT_CONFIG_FILES
from annotator.formats.brat_mapping import BratMapping, is_brat, read_pair
from annotator.formats.doccano import is_doccano, parse_doccano
from annotator.formats.files import file_kind, iter_jsonl, read_text, regular_file
from annotator.formats.outputs import MARKER as EXPORT_MARKER
from annotator.formats.prodigy import CLAIM_LABEL, DEFAULT_LAYER, RECORD_FIELDS, STATUS_TO_ANSWER, parse_task
from annotator.model import DONE, Document, ImportRecord, ImportResult, Span, Stance
from annotator.schema import Schema

if TYPE_CHECKING:
    from annotator.store import Store  # a type only: formats do not open databases

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


def source_records(path: Path, layer: str | None = None, *, claim_label: str = CLAIM_LABEL,
                   brat_map: BratMapping | None = None) -> Iterator[tuple[int, ImportRecord | AnnotatorError]]:
    """(line, record) for each record of one source, read as a stream; a bad record comes as an
    AnnotatorError naming the file and line in its place. A file that cannot be read at all
    (not UTF-8, binary) raises.

    This is the one place that knows which parser reads which file: a brat pair is one document,
    a text file is one document, a JSONL line is a Prodigy or a Doccano record.
    """
    if is_brat(path) or path.name in BRAT_CONFIG_FILES:
        try:
            found = read_brat(path, layer, claim_label, brat_map)
        except AnnotatorError as exc:
            yield 1, exc if exc.path else AnnotatorError(exc.problem, path, 1)
            return
        yield from found
        return
    if path.suffix.lower() not in JSONL_SUFFIXES:
        text = read_text(path)
        if text.strip():
            title = next((line.strip() for line in text.splitlines() if line.strip()), "")
            yield 1, ImportRecord(Document.from_text(text, {"source": str(path), "title": title[:200]}))
        return
    for line, obj in iter_jsonl(path):
        if isinstance(obj, AnnotatorError):
            yield line, obj
            continue
        try:
            rec = parse_doccano(obj, layer, claim_label) if is_doccano(obj) else parse_task(obj, layer, claim_label)
        except AnnotatorError as exc:
            yield line, exc if exc.path else AnnotatorError(exc.problem, path, line)
            continue
        rec.document.meta.setdefault("source", str(path))
        yield line, rec


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


def unknown_labels(rec: ImportRecord, schema: Schema, known: dict[tuple[str, str], bool] | None = None) -> list[str]:
    """The labels of a record's items that the schema lacks; ``known`` remembers the schema's answers
    (a few labels asked about once per item of a large import)."""
    known = {} if known is None else known
    out = []
    for v in rec.values:
        if isinstance(v, Stance):
            if "relation" in v.attrs:
                continue
            label, kind = v.polarity, "stance"
        elif isinstance(v, Span):
            label, kind = v.label, v.kind
        else:
            continue
        key = (label, kind)
        if key not in known:
            known[key] = schema.known(label, kind)
        if not known[key]:
            out.append(label)
    return out


class _Repeats:
    """Finds a record that repeats an earlier record's text into the same layer but says something else.

    One text is one document with one status per layer, and the items of every record are merged; so a
    second record with another answer (Prodigy's binary data: ner.teach writes a record per span, accepted
    or rejected) would turn a rejected span into an accepted one, and one with other top-level fields
    (textcat.teach writes a record per label) would lose them. Remembers, per (document, layer) of this
    import, where it was first seen and its answer packed in one integer (no object the garbage collector
    walks; about a hundred bytes a record), and a hash of those fields for the records that have any.
    """

    STATUSES = (None, *STATUS_TO_ANSWER)

    def __init__(self) -> None:
        self.first: dict[int, int] = {}  # hash of (document, layer) -> (file, line, status) packed
        self.fields: dict[int, int] = {}  # the same key -> hash of the record's own top-level fields
        self.files: list[str] = []

    def check(self, rec: ImportRecord, path: Path, line: int) -> AnnotatorError | None:
        if not self.files or self.files[-1] != str(path):
            self.files.append(str(path))
        key = hash((rec.document.id, rec.layer))
        fields = rec.document.meta.get(RECORD_FIELDS)
        own = {k: v for k, v in fields.items() if not k.startswith("_")} if isinstance(fields, dict) else {}
        sig = hash(validate.dumps(own)) if own else 0
        code = self.STATUSES.index(rec.status)
        seen = self.first.get(key)
        if seen is None:
            self.first[key] = ((len(self.files) - 1) << 34) | (line << 2) | code
            if sig:
                self.fields[key] = sig
            return None
        first_path, first_line, status = self.files[seen >> 34], (seen >> 2) & (2**32 - 1), self.STATUSES[seen & 3]
        where = f"{first_path}:{first_line}" if first_path != str(path) else f"line {first_line}"
        if rec.status is not None and status is not None and rec.status != status:
            return AnnotatorError(
                f"the same text as {where}, in layer {rec.layer!r}, answered {STATUS_TO_ANSWER[status]!r} there and "
                f"{STATUS_TO_ANSWER[rec.status]!r} here: a document has one answer per layer and their spans would "
                f"be merged (binary data such as Prodigy's ner.teach has a record per span: import the accepted "
                f"records alone, or --skip-invalid keeps the first)", path, line)
        if sig != self.fields.get(key, 0):
            return AnnotatorError(
                f"the same text as {where} with other fields ({', '.join(sorted(own)) or 'none'}): a text is one "
                f"document, whose fields come from its first record (a record per label, as Prodigy's textcat.teach "
                f"writes, is not supported; --skip-invalid keeps the first)", path, line)
        if status is None:
            self.first[key] = seen | code
        return None


def _fingerprint(path: Path) -> tuple:
    """What tells a changed source: size first (progress reads it), then identity and times; a brat
    document's .ann counts too."""
    out = []
    for part in ((path, path.with_suffix(".ann")) if is_brat(path) and path.suffix.lower() == ".txt" else (path,)):
        st = part.stat()
        out += [st.st_size, st.st_dev, st.st_ino, st.st_mtime_ns]
    return tuple(out)


def _unchanged(path: Path, expected: tuple) -> None:
    try:
        same = _fingerprint(path) == expected
    except OSError:
        same = False
    if not same:
        raise AnnotatorError("changed while it was being imported; nothing was imported (run the import "
                             "again once the file is complete)", path)


def check_records(files: Iterable[Path], layer: str | None = None, schema: Schema | None = None, *,
                  skip_invalid: bool = False, strict: bool = False, brat_map: BratMapping | None = None,
                  progress: Callable[[int], None] | None = None,
                  report: ImportReport | None = None) -> Iterator[ImportRecord]:
    """Every good record of ``files`` (already expanded), read once as a stream and checked.

    A bad record raises an AnnotatorError naming the file and line, unless ``skip_invalid`` (then it
    is listed in ``report.skipped`` and left out); with ``strict``, so does a label the schema lacks
    (otherwise it is counted in ``report.unknown_labels``). A source whose size, identity or
    modification time changed while it was read raises once it has been read: give the stream to
    :meth:`Store.import_records`, whose one transaction then writes none of it. ``progress`` is
    called with each file's size once it is read.
    """
    report = ImportReport() if report is None else report
    claim_label = schema.claim.name if schema else CLAIM_LABEL
    known: dict[tuple[str, str], bool] = {}
    repeats = _Repeats()
    for path in files:
        expected = _fingerprint(path)
        found = skipped = 0
        for line, rec in source_records(path, layer, claim_label=claim_label, brat_map=brat_map):
            if isinstance(rec, AnnotatorError):
                if not skip_invalid:
                    raise rec
                report.skipped.append(str(rec))
                skipped += 1
                continue
            if rec.layer is not None:
                conflict = repeats.check(rec, path, line)
                if conflict is not None:
                    if not skip_invalid:
                        raise conflict
                    report.skipped.append(str(conflict))
                    skipped += 1
                    continue
            if schema is not None:
                missing = unknown_labels(rec, schema, known)
                if missing and strict:
                    raise AnnotatorError(f"label {missing[0]!r} is not in schema {schema.name} (--strict)", path, line)
                report.unknown_labels.update(missing)
            found += 1
            yield rec
        _unchanged(path, expected)
        if not found and not skipped and path.name not in BRAT_CONFIG_FILES:
            report.empty.append(str(path))
        report.records += found
        report.files += 1
        if progress:
            progress(expected[0])


def read_sources(paths: Iterable[str | Path], layer: str | None = None, schema: Schema | None = None,
                 **options) -> tuple[list[Path], ImportReport]:
    """Read and check every source without touching a database: the files to import and the report.

    For a caller that must refuse bad sources before it does anything else (``annotate SOURCE``);
    the import itself is then :func:`import_sources`, which checks every record again as it writes.
    Takes the options of :func:`check_records`, and ``follow_symlinks`` for folders."""
    report = ImportReport()
    files = expand_sources(paths, follow_symlinks=options.pop("follow_symlinks", False), notes=report.notes)
    for _ in check_records(files, layer, schema, report=report, **options):
        pass
    return files, report


def import_sources(store: Store, paths: Iterable[str | Path], layer: str | None = None, schema: Schema | None = None,
                   **options) -> ImportReport:
    """Read, check and write every source in one pass and one transaction (all or nothing).

    Takes the options of :func:`check_records`, and ``follow_symlinks`` for folders."""
    report = ImportReport()
    files = expand_sources(paths, follow_symlinks=options.pop("follow_symlinks", False), notes=report.notes)
    report.result = store.import_records(check_records(files, layer, schema, report=report, **options))
    return report
