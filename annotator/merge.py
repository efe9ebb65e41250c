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
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

from annotator import validate
from annotator.errors import AnnotatorError
from annotator.formats.files import regular_file
from annotator.model import ACCEPTED, Action

ROOM_MARGIN = 16 * 1024 * 1024  # bytes kept free in the temporary folder beyond the copy


@dataclass
class Conflict:
    source: str
    doc_id: str
    layer: str
    place: str
    existing: list[str]
    incoming: str

    def __str__(self) -> str:
        return (f"{self.source}: document {self.doc_id}, layer {self.layer}, {self.place}: "
                f"kept {', '.join(self.existing)} and added {self.incoming}")


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

    @property
    def changed(self) -> bool:
        return bool(self.documents_added or self.items_added or self.statuses_added or self.events_added
                    or self.suggestions_added or self.runs_added or self.assignments_added)

    def to_dict(self) -> dict:
        return {"sources": self.sources, "documents_added": self.documents_added,
                "documents_existing": self.documents_existing, "items_added": self.items_added,
                "items_identical": self.items_identical, "layers": dict(self.layers),
                "conflicts": [c.__dict__ for c in self.conflicts], "statuses_added": self.statuses_added,
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


def read_other(path: str | Path) -> dict[str, list[dict]]:
    """Every row of another annotator database, read from a temporary copy (the file is left alone).

    Every row is checked (:func:`check_rows`); a bad one is an AnnotatorError naming the file,
    table, row and problem.
    """
    from annotator.store import Store

    src = Path(path)
    size = _regular_size(src)
    wal = src.with_name(src.name + "-wal")
    wal_size = _regular_size(wal) if os.path.lexists(wal) else 0
    tmp = Path(tempfile.mkdtemp(prefix="annotator-merge-"))
    try:
        free = shutil.disk_usage(tmp).free
        if size + wal_size + ROOM_MARGIN > free:
            raise AnnotatorError(f"cannot merge: copying it needs {size + wal_size} bytes, the temporary folder "
                                 f"{tmp.parent} has {free} free", src)
        copy = tmp / "other.db"
        _copy(src, copy, size)
        if wal_size:
            _copy(wal, tmp / "other.db-wal", wal_size)
        try:
            store = Store(copy, create=False)
        except AnnotatorError as exc:
            raise AnnotatorError(f"cannot merge: {exc.problem}", src) from None
        try:
            rows = store.dump_rows()
        except AnnotatorError as exc:  # the store speaks for sqlite3's errors
            raise AnnotatorError(f"cannot merge: {exc.problem}", src) from None
        finally:
            store.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    check_rows(rows, src)
    return rows


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


def check_rows(rows: dict[str, list[dict]], source: str | Path) -> None:
    """Every row of another database against the validator; the first bad one is an AnnotatorError."""
    lengths: dict[str, int] = {}
    for table, table_rows in rows.items():
        for row in table_rows:
            try:
                validate.check_row(table, row, lengths)
            except validate.Invalid as exc:
                raise AnnotatorError(f"cannot merge: {table} row {_row_key(table, row)[:80]}: {exc}; "
                                     f"nothing was merged", source) from None
            if table == "documents":
                lengths[row["id"]] = len(row["text"])


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


def plan(local: dict[str, list[dict]], other: dict[str, list[dict]], source: str,
         report: MergeReport) -> dict[str, list[dict]]:
    """Rows of ``other`` to insert into a database holding ``local`` (``local`` is updated in place)."""
    out: dict[str, list[dict]] = {t: [] for t in local}

    # documents
    doc_ids = {r["id"] for r in local["documents"]}
    position = max((r["position"] or 0 for r in local["documents"]), default=0)
    for r in sorted(other["documents"], key=lambda r: r["position"] or 0):
        if r["id"] in doc_ids:
            report.documents_existing += 1
            continue
        position += 1
        row = {**r, "position": position}
        out["documents"].append(row)
        local["documents"].append(row)
        doc_ids.add(r["id"])
        report.documents_added += 1

    # suggestions: a suggester's proposals for a document come whole, or not at all
    have_sugg = {(r["doc_id"], r["suggester"]) for r in local["suggestions"]}
    sugg_ids = {r["id"] for r in local["suggestions"]}
    for r in other["suggestions"]:
        if (r["doc_id"], r["suggester"]) in have_sugg:
            continue
        row = dict(r)
        if row["id"] in sugg_ids:
            row["id"] = uuid.uuid4().hex
        sugg_ids.add(row["id"])
        out["suggestions"].append(row)
        report.suggestions_added += 1
    have_sugg |= {(r["doc_id"], r["suggester"]) for r in out["suggestions"]}
    local["suggestions"].extend(out["suggestions"])

    # annotations
    ids = {r["id"] for r in local["annotations"]}
    contents = {_content(r) for r in local["annotations"]}
    places: dict[tuple, list[dict]] = {}
    for r in local["annotations"]:
        places.setdefault(_place(r), []).append(r)
    for r in other["annotations"]:
        key = _content(r)
        if key in contents:
            report.items_identical += 1
            continue
        row = dict(r)
        if row["id"] in ids:
            row["id"] = uuid.uuid4().hex
        here = places.get(_place(r), [])
        if here:
            report.conflicts.append(Conflict(source, r["doc_id"], r["layer"], _place_text(r),
                                             [_describe(x) for x in here], _describe(r)))
        out["annotations"].append(row)
        local["annotations"].append(row)
        ids.add(row["id"])
        contents.add(key)
        places.setdefault(_place(r), []).append(row)
        report.items_added += 1
        report.layers[r["layer"]] += 1

    # which suggester version ran on a document: comes with its suggestions, ours is kept
    runs = {(r["doc_id"], r["suggester"]) for r in local["suggester_runs"]}
    for r in other["suggester_runs"]:
        key = (r["doc_id"], r["suggester"])
        if key not in runs and key in have_sugg:
            out["suggester_runs"].append(dict(r))
            runs.add(key)
            report.runs_added += 1
    local["suggester_runs"].extend(out["suggester_runs"])

    # document statuses
    statuses = {(r["doc_id"], r["layer"]): r for r in local["doc_status"]}
    for r in other["doc_status"]:
        mine = statuses.get((r["doc_id"], r["layer"]))
        if mine is None:
            out["doc_status"].append(dict(r))
            statuses[(r["doc_id"], r["layer"])] = r
            report.statuses_added += 1
        elif mine["status"] != r["status"]:
            report.status_conflicts.append(f"{source}: document {r['doc_id']}, layer {r['layer']}: "
                                           f"kept {mine['status']}, theirs is {r['status']}")
    local["doc_status"].extend(out["doc_status"])

    names = {r["name"] for r in local["annotators"]}
    for r in other["annotators"]:
        if r["name"] not in names:
            out["annotators"].append(dict(r))
            names.add(r["name"])
    local["annotators"].extend(out["annotators"])

    pairs = {(r["doc_id"], r["annotator"]) for r in local["assignments"]}
    for r in other["assignments"]:
        if (r["doc_id"], r["annotator"]) not in pairs:
            out["assignments"].append(dict(r))
            pairs.add((r["doc_id"], r["annotator"]))
            report.assignments_added += 1
    local["assignments"].extend(out["assignments"])

    def ev_key(r: dict) -> tuple:
        return (r["time"], r["annotator"], r["doc_id"], r["action"], r["payload"])

    seen = {ev_key(r) for r in local["events"]}
    for r in other["events"]:
        if ev_key(r) in seen:
            continue
        row = {k: v for k, v in r.items() if k != "id"}
        out["events"].append(row)
        seen.add(ev_key(r))
        report.events_added += 1
    local["events"].extend(out["events"])
    return out


def read_all(paths: Sequence[str | Path], mine: Path | None = None) -> list[tuple[str, dict]]:
    """Read every other database first (so a bad file fails before anything is written)."""
    out = []
    for p in paths:
        p = Path(p)
        if mine is not None and p.exists() and mine.exists() and p.resolve() == mine.resolve():
            raise AnnotatorError("cannot merge a database into itself", p)
        out.append((str(p), read_other(p)))
    return out


def merge_rows(store, others: Sequence[tuple[str, dict]], merged_by: str = "merge") -> MergeReport:
    """Merge rows read by :func:`read_all` into ``store``, all in one transaction."""
    from annotator.store import now

    report = MergeReport()
    with store.transaction():
        local = store.dump_rows()
        for source, rows in others:
            report.sources.append(source)
            out = plan(local, rows, source, report)
            for table in store.MERGE_TABLES:
                store.insert_rows(table, out[table])
        if report.changed:
            store.insert_rows("events", [{"time": now(), "annotator": merged_by, "doc_id": None, "action": Action.MERGE,
                                          "payload": json.dumps({"sources": report.sources,
                                                                 "summary": report.to_dict()}, ensure_ascii=False)}])
    return report


def merge_files(store, paths: Sequence[str | Path], merged_by: str = "merge") -> MergeReport:
    """Merge other annotator databases into ``store``, all in one transaction."""
    return merge_rows(store, read_all(paths, store.path), merged_by)


def format_report(report: MergeReport) -> str:
    lines = [f"Merged {', '.join(report.sources)}:",
             f"  documents: {report.documents_added} added, {report.documents_existing} already here",
             f"  items:     {report.items_added} added, {report.items_identical} identical (kept once), "
             f"{len(report.conflicts)} conflicting (both kept)"]
    for layer, n in sorted(report.layers.items()):
        lines.append(f"    {layer:<16} +{n}")
    lines.append(f"  statuses: {report.statuses_added} added; events: {report.events_added} added; "
                 f"suggestions: {report.suggestions_added} added; assignments: {report.assignments_added} added")
    if not report.changed:
        lines.append("Nothing new: the database is unchanged.")
    if report.conflicts:
        lines.append("Conflicts (nothing was overwritten; settle them with `annotator review` or by editing the layer):")
        lines += [f"  {c}" for c in report.conflicts]
    if report.status_conflicts:
        lines.append("Document statuses that differ (ours kept):")
        lines += [f"  {s}" for s in report.status_conflicts]
    return "\n".join(lines)
