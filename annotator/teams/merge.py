"""Merging teammates' database files into one (no SQL here: rows go through the Store).

* The other file is never modified: it (and its ``-wal`` file) is copied to a temporary
  directory and opened there, so migrating an older file happens on the copy only; a file
  from a newer annotator is refused with the other file's name in the message.
* Everything is written in one transaction: a merge that fails part way leaves the
  database as it was (several files: all of them, or none).
* Identical items (same document, layer, kind, offsets, label, attributes and status) are
  kept once. An item that differs from one already in the same layer at the same place
  (same offsets, or for a stance the same source and target) is a *conflict*: both are
  kept in that annotator's layer, nothing is overwritten, and the conflict is reported.
* Events (the history), document statuses, assignments and suggestions (with the record of
  which suggester version made them) come along; a status already present is kept (a
  different incoming one is reported).
* Merging the same file twice changes nothing the second time.
* Every row of the other file is checked by :mod:`annotator.validate` before anything is
  written: one bad row (text that is not text, offsets outside the text, a label with
  control characters, a reserved layer name, JSON that is not JSON, ...) refuses the whole
  merge with one line naming the file, table, row and problem.
* Only regular files are read, only real tables of the expected shape (a view named
  ``documents`` is refused, not queried), and the copy is made only when the temporary
  folder has room for it.
* Memory stays bounded whatever the size of either database: the other file is read twice
  (checked, then merged) a batch of rows at a time, and ours is asked only about the
  documents of the batch at hand (every rule above is a rule about one document, but for
  ids and annotator names, which the store looks up). Only the report grows, with the
  conflicts it lists.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections import Counter
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Sequence

from annotator import validate
from annotator.errors import AnnotatorError
from annotator.formats.files import regular_file
from annotator.model import ACCEPTED, Action, new_id
from annotator.textsafe import one_line

ROOM_MARGIN = 16 * 1024 * 1024  # bytes kept free in the temporary folder beyond the copy


@dataclass
class Conflict:
    """A place of a layer that holds two versions after the merge.

    ``came_from`` says where the version(s) already there came from: ``""`` when they were in
    this database before the merge, else the file that brought them in this merge -- an earlier
    file, or ``source`` itself when that file already held both (a conflict of an earlier merge,
    carried along rather than made now)."""

    source: str
    doc_id: str
    layer: str
    place: str
    existing: list[str]
    incoming: str
    text: str = ""       # the words at that place (for a stance: source -> target), for the report
    came_from: str = ""

    @property
    def carried(self) -> bool:
        """True when the file merged already held both versions."""
        return self.came_from == self.source

    def __str__(self) -> str:
        where = f"{self.place} {self.text}" if self.text else self.place
        head = f"{self.source}: document {self.doc_id}, layer {self.layer}, {where}: "
        existing = ", ".join(self.existing)
        if not self.came_from:
            return head + f"kept {existing} and added {self.incoming}"
        if self.carried:
            return head + f"holds both {existing} and {self.incoming} already"
        return head + f"added {self.incoming} beside {existing} from {self.came_from}"


@dataclass
class MergeReport:
    sources: list[str] = field(default_factory=list)
    documents_added: int = 0
    documents_existing: int = 0
    items_added: int = 0
    items_identical: int = 0
    layers: Counter = field(default_factory=Counter)  # items added per layer
    conflicts: list[Conflict] = field(default_factory=list)
    statuses_added: int = 0
    status_conflicts: list[str] = field(default_factory=list)
    events_added: int = 0
    suggestions_added: int = 0
    runs_added: int = 0  # suggester_runs rows (which suggester version made the suggestions added)
    assignments_added: int = 0
    existing_by_source: list[int] = field(default_factory=list)  # documents already here, per file (in order)
    # where the annotations each file brought end: (highest rowid after it, file); rows at or below
    # ``rowid_before`` were here before the merge (the conflicts say which file brought a version)
    rowid_before: int = 0
    rowid_ends: list[tuple[int, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.documents_added or self.items_added or self.statuses_added or self.events_added
                    or self.suggestions_added or self.runs_added or self.assignments_added)

    def to_dict(self) -> dict:
        return {"sources": self.sources, "documents_added": self.documents_added,
                "documents_existing": self.documents_existing, "items_added": self.items_added,
                "items_identical": self.items_identical, "layers": dict(self.layers),
                "documents_existing_by_source": [[src, n] for src, n in zip(self.sources, self.existing_by_source)],
                "conflicts": [{**c.__dict__, "carried": c.carried} for c in self.conflicts],
                "statuses_added": self.statuses_added,
                "status_conflicts": self.status_conflicts, "events_added": self.events_added,
                "suggestions_added": self.suggestions_added, "suggester_runs_added": self.runs_added,
                "assignments_added": self.assignments_added}


def _regular_size(path: Path) -> int:
    """The size of a regular file; anything else (folder, FIFO, device, socket) is refused."""
    return regular_file(path).stat().st_size


def _copy(src: Path, dst: Path, size: int) -> None:
    """Copy at most ``size`` bytes (the size checked before): a file that grows is not followed."""
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        left = size
        while left > 0:
            chunk = fin.read(min(left, 1 << 20))
            if not chunk:
                break
            fout.write(chunk)
            left -= len(chunk)


@contextmanager
def opened(paths: Sequence[str | Path], mine: Path | None = None) -> Iterator[list[tuple[str, object]]]:
    """(name, Store) of each other database, opened on a temporary copy (the files are left alone) and
    checked row by row (:func:`check_rows`) before anything is written; the copies go when the block ends.

    A bad file is an AnnotatorError naming it (and the table, row and problem)."""
    tmp = Path(tempfile.mkdtemp(prefix="annotator-merge-"))
    try:
        with ExitStack() as stores:
            out = []
            for i, p in enumerate(paths):
                p = Path(p)
                if mine is not None and p.exists() and mine.exists() and p.resolve() == mine.resolve():
                    raise AnnotatorError("cannot merge a database into itself", p)
                store = stores.enter_context(_open_copy(p, tmp / f"other-{i}.db"))
                check_rows(store, p)
                out.append((str(p), store))
            yield out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


@contextmanager
def _open_copy(src: Path, copy: Path):
    from annotator.store import Store

    size = _regular_size(src)
    wal = src.with_name(src.name + "-wal")
    wal_size = _regular_size(wal) if os.path.lexists(wal) else 0
    free = shutil.disk_usage(copy.parent).free
    if size + wal_size + ROOM_MARGIN > free:
        raise AnnotatorError(f"cannot merge: copying it needs {size + wal_size} bytes, the temporary folder "
                             f"{copy.parent.parent} has {free} free", src)
    _copy(src, copy, size)
    if wal_size:
        _copy(wal, copy.with_name(copy.name + "-wal"), wal_size)
    try:
        store = Store(copy, create=False)
    except AnnotatorError as exc:
        raise AnnotatorError(f"cannot merge: {exc.problem}", src) from None
    try:
        yield store
    finally:
        store.close()


def _row_key(table: str, row: dict) -> str:
    if table == "doc_status":
        return f"({row.get('doc_id')}, {row.get('layer')})"
    if table == "suggester_runs":
        return f"({row.get('doc_id')}, {row.get('suggester')})"
    if table == "annotators":
        return str(row.get("name"))
    if table == "assignments":
        return f"({row.get('doc_id')}, {row.get('annotator')})"
    return str(row.get("id"))


def check_rows(other, source: str | Path) -> None:
    """Every row of another database (an open Store) against the validator, a batch at a time; the first
    bad one (or a table of the wrong shape) is an AnnotatorError naming the file."""
    try:
        for table in other.merge_columns():
            for batch in other.merge_batches(table):
                lengths = other.merge_text_lengths(r["doc_id"] for r in batch) \
                    if table in ("annotations", "suggestions", "suggester_runs") else {}
                for row in batch:
                    try:
                        validate.check_row(table, row, lengths)
                    except validate.Invalid as exc:
                        raise AnnotatorError(f"cannot merge: {table} row {_row_key(table, row)[:80]}: {exc}; "
                                             f"nothing was merged", source) from None
    except AnnotatorError as exc:  # the store speaks for sqlite3's errors
        if exc.path is None or Path(exc.path) != Path(source):
            raise AnnotatorError(exc.problem if exc.problem.startswith("cannot merge") else
                                 f"cannot merge: {exc.problem}", source) from None
        raise


def _json(raw: object) -> object:
    """A JSON column's value (incoming rows are validated; a bad local row compares as its raw text)."""
    try:
        return validate.loads(raw or "{}", "attrs")
    except validate.Invalid:
        return raw


def _attrs(row: dict) -> str:
    return json.dumps(_json(row.get("attrs")), sort_keys=True, ensure_ascii=False)


def _content(row: dict) -> tuple:
    return (row["doc_id"], row["layer"], row["kind"], row["start"], row["end"], row["label"], _attrs(row),
            row["status"])


def _place(row: dict) -> tuple:
    place: tuple = (row["doc_id"], row["layer"], row["kind"], row["start"], row["end"])
    if row["kind"] == "stance":
        attrs = _json(row.get("attrs"))
        target = (attrs.get("target") if isinstance(attrs, dict) else None) or {}
        place += (target.get("start"), target.get("end")) if isinstance(target, dict) else (None, None)
    return place


def _describe(row: dict) -> str:
    status = "" if row["status"] == ACCEPTED else f" ({row['status']})"
    return f"{row['label']}{status}"


def _place_text(row: dict) -> str:
    p = _place(row)
    text = f"{row['kind']} {p[3]}-{p[4]}"
    if row["kind"] == "stance":
        text += f" -> {p[5]}-{p[6]}"
    return text


def _words(store, row: dict, texts: dict) -> str:
    """The words at a row's place, quoted and inert (a stance: its source's and its target's)."""
    if row["doc_id"] not in texts:
        doc = store.document(row["doc_id"])
        texts[row["doc_id"]] = doc.text if doc is not None else ""
    text = texts[row["doc_id"]]

    def quoted(start, end) -> str:
        ok = isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(text)
        return "'" + one_line(text[start:end], 30) + "'" if ok else "?"

    p = _place(row)
    return quoted(p[3], p[4]) + (f" -> {quoted(p[5], p[6])}" if row["kind"] == "stance" else "")


def _came_from(report: MergeReport, rows: list[dict], source: str) -> str:
    """Where versions already at a place came from: "" (here before the merge) or the file that brought
    the first of them in this merge (``source`` itself for rows of the batch at hand)."""
    rowids = [r.get("rowid") for r in rows]
    if any(isinstance(i, int) and i <= report.rowid_before for i in rowids):
        return ""
    earliest = min((i for i in rowids if isinstance(i, int)), default=None)
    if earliest is None:
        return source
    return next((name for end, name in report.rowid_ends if earliest <= end), source)


def _doc_ids(batch: list[dict]) -> list:
    return list({r["doc_id"]: None for r in batch})


def merge_source(store, other, source: str, report: MergeReport) -> None:
    """Write the rows of ``other`` (an open, checked Store) that ``store`` lacks, a batch at a time; call
    inside ``store.transaction()``. Ours is read only for the documents of each batch."""
    report.existing_by_source.append(0)
    for step in (_documents, _suggestions, _annotations, _suggester_runs, _statuses, _annotators, _assignments,
                 _events):
        step(store, other, source, report)


def _documents(store, other, source: str, report: MergeReport) -> None:
    """Documents we lack, after ours in their own import order."""
    position = store.merge_last_position()
    for batch in other.merge_batches("documents", "position"):
        have = store.merge_existing("documents", "id", [r["id"] for r in batch])
        out = []
        for r in batch:
            if r["id"] in have:
                report.documents_existing += 1
                report.existing_by_source[-1] += 1
                continue
            position += 1
            out.append({**r, "position": position})
            have.add(r["id"])
            report.documents_added += 1
        store.insert_rows("documents", out)


def _suggestions(store, other, source: str, report: MergeReport) -> None:
    """A suggester's proposals for a document come whole, or not at all (ours are kept)."""
    for batch in other.merge_batches("suggestions", "doc_id"):
        have_sugg = {(r["doc_id"], r["suggester"])
                     for r in store.merge_document_rows("suggestions", _doc_ids(batch), ("doc_id", "suggester"))}
        ids = store.merge_existing("suggestions", "id", [r["id"] for r in batch])
        out = []
        for r in batch:
            if (r["doc_id"], r["suggester"]) in have_sugg:
                continue
            row = dict(r)
            if row["id"] in ids:
                row["id"] = new_id()
            ids.add(row["id"])
            out.append(row)
            report.suggestions_added += 1
        store.insert_rows("suggestions", out)


def _annotations(store, other, source: str, report: MergeReport) -> None:
    """Items: identical ones kept once, a different one at the same place kept too and reported."""
    from annotator.store import data_columns

    for batch in other.merge_batches("annotations", "doc_id"):
        local = store.merge_document_rows("annotations", _doc_ids(batch),
                                          [*data_columns()["annotations"], "rowid"])
        texts: dict[str, str] = {}
        ids = store.merge_existing("annotations", "id", [r["id"] for r in batch])
        contents = {_content(r) for r in local}
        places: dict[tuple, list[dict]] = {}
        for r in local:
            places.setdefault(_place(r), []).append(r)
        out = []
        for r in batch:
            key = _content(r)
            if key in contents:
                report.items_identical += 1
                continue
            row = dict(r)
            if row["id"] in ids:
                row["id"] = new_id()
            here = places.get(_place(r), [])
            if here:
                report.conflicts.append(Conflict(source, r["doc_id"], r["layer"], _place_text(r),
                                                 [_describe(x) for x in here], _describe(r),
                                                 _words(store, r, texts), _came_from(report, here, source)))
            out.append(row)
            ids.add(row["id"])
            contents.add(key)
            places.setdefault(_place(r), []).append(row)
            report.items_added += 1
            report.layers[r["layer"]] += 1
        store.insert_rows("annotations", out)


def _suggester_runs(store, other, source: str, report: MergeReport) -> None:
    """Which suggester version ran on a document: comes with its suggestions; ours is kept."""
    for batch in other.merge_batches("suggester_runs", "doc_id"):
        docs = _doc_ids(batch)
        runs = {(r["doc_id"], r["suggester"])
                for r in store.merge_document_rows("suggester_runs", docs, ("doc_id", "suggester"))}
        have_sugg = {(r["doc_id"], r["suggester"])
                     for r in store.merge_document_rows("suggestions", docs, ("doc_id", "suggester"))}
        out = []
        for r in batch:
            key = (r["doc_id"], r["suggester"])
            if key not in runs and key in have_sugg:
                out.append(dict(r))
                runs.add(key)
                report.runs_added += 1
        store.insert_rows("suggester_runs", out)


def _statuses(store, other, source: str, report: MergeReport) -> None:
    """Document statuses: ours is kept, a different incoming one reported."""
    for batch in other.merge_batches("doc_status", "doc_id"):
        statuses = {(r["doc_id"], r["layer"]): r for r in store.merge_document_rows("doc_status", _doc_ids(batch))}
        out = []
        for r in batch:
            mine = statuses.get((r["doc_id"], r["layer"]))
            if mine is None:
                out.append(dict(r))
                statuses[(r["doc_id"], r["layer"])] = r
                report.statuses_added += 1
            elif mine["status"] != r["status"]:
                report.status_conflicts.append(f"{source}: document {r['doc_id']}, layer {r['layer']}: "
                                               f"kept {mine['status']}, theirs is {r['status']}")
        store.insert_rows("doc_status", out)


def _annotators(store, other, source: str, report: MergeReport) -> None:
    for batch in other.merge_batches("annotators"):
        names = store.merge_existing("annotators", "name", [r["name"] for r in batch])
        out = []
        for r in batch:
            if r["name"] not in names:
                out.append(dict(r))
                names.add(r["name"])
        store.insert_rows("annotators", out)


def _assignments(store, other, source: str, report: MergeReport) -> None:
    for batch in other.merge_batches("assignments", "doc_id"):
        pairs = {(r["doc_id"], r["annotator"])
                 for r in store.merge_document_rows("assignments", _doc_ids(batch), ("doc_id", "annotator"))}
        out = []
        for r in batch:
            if (r["doc_id"], r["annotator"]) not in pairs:
                out.append(dict(r))
                pairs.add((r["doc_id"], r["annotator"]))
                report.assignments_added += 1
        store.insert_rows("assignments", out)


def _events(store, other, source: str, report: MergeReport) -> None:
    """The history, each event kept once."""
    for batch in other.merge_batches("events", "doc_id"):
        seen = {_event_key(r) for r in store.merge_document_rows("events", _doc_ids(batch))}
        out = []
        for r in batch:
            if _event_key(r) in seen:
                continue
            out.append({k: v for k, v in r.items() if k != "id"})
            seen.add(_event_key(r))
            report.events_added += 1
        store.insert_rows("events", out)


def _event_key(r: dict) -> tuple:
    return (r["time"], r["annotator"], r["doc_id"], r["action"], r["payload"])


def merge_sources(store, others: Sequence[tuple[str, object]], merged_by: str = "merge") -> MergeReport:
    """Merge databases opened by :func:`opened` into ``store``, all in one transaction."""
    report = MergeReport()
    with store.transaction():
        report.rowid_before = store.merge_max_rowid("annotations")
        for source, other in others:
            report.sources.append(source)
            merge_source(store, other, source, report)
            report.rowid_ends.append((store.merge_max_rowid("annotations"), source))
        if report.changed:
            store.record_event(merged_by, None, Action.MERGE, {"sources": report.sources, "summary": report.to_dict()})
    return report


def merge_files(store, paths: Sequence[str | Path], merged_by: str = "merge") -> MergeReport:
    """Merge other annotator databases into ``store``, all in one transaction (each is checked whole first)."""
    with opened(paths, store.path) as others:
        return merge_sources(store, others, merged_by)


def format_report(report: MergeReport) -> str:
    new = [c for c in report.conflicts if not c.carried]
    carried = [c for c in report.conflicts if c.carried]
    lines = [f"Merged {', '.join(report.sources)}:",
             f"  documents: {report.documents_added} added, {_existing(report)}",
             f"  items:     {report.items_added} added, {report.items_identical} identical (kept once), "
             f"{len(new)} conflicting (both kept)" + (f", {len(carried)} already conflicting in the file merged" if carried else "")]
    for layer, n in sorted(report.layers.items()):
        lines.append(f"    {layer:<16} +{n}")
    lines.append(f"  statuses: {report.statuses_added} added; events: {report.events_added} added; "
                 f"suggestions: {report.suggestions_added} added; assignments: {report.assignments_added} added")
    if not report.changed:
        lines.append("Nothing new: the database is unchanged.")
    if new:
        lines.append("Conflicts (nothing was overwritten; settle them with `annotator review` or by editing the layer):")
        lines += [f"  {c}" for c in new]
    if carried:
        lines.append("Already in conflict in the file merged (brought as they are; settle them with `annotator review`):")
        lines += [f"  {c}" for c in carried]
    if report.status_conflicts:
        lines.append("Document statuses that differ (ours kept):")
        lines += [f"  {s}" for s in report.status_conflicts]
    return "\n".join(lines)


def _existing(report: MergeReport) -> str:
    """How many documents each file had that were here already: one figure per file, never summed over
    files (three teammates' copies of five documents are five documents, not fifteen)."""
    if len(report.sources) < 2:
        return f"{report.documents_existing} already here"
    per = ", ".join(f"{n} of {s}" for s, n in zip(report.sources, report.existing_by_source))
    return f"already here: {per}"
