"""The SQLite store: the only module that speaks SQL.

One file holds documents, suggestions, one annotation layer per annotator, the
``review`` layer, per-annotator document status and an append-only ``events`` log.
Every decision writes its event and the new state in one transaction.
The file is an ordinary SQLite database (WAL mode, JSON columns hold valid JSON).

Opening: ``Store(path)`` creates or migrates the file (write commands); ``Store(path,
readonly=True)`` never writes, migrates, switches the journal mode or leaves -wal/-shm files,
and refuses a file that is not an annotator database yet or needs migrating.

Errors: every ``sqlite3`` error raised by a public method is translated here into a one-line
:class:`StoreError` (:class:`DatabaseLocked` when another program held the lock too long), so
no other module needs to know SQLite's messages.

Lock waits: a writer that finds the database locked waits up to ``LOCK_TIMEOUT_S`` (or
$ANNOTATOR_LOCK_TIMEOUT seconds); once it has waited ``WAIT_NOTICE_S`` it calls
``on_wait(message)``, and ``on_wait(None)`` when the wait ends (the lock was taken, or the wait
gave up with :class:`DatabaseLocked`, after which nothing was written and the call can simply be
made again). The callback runs on the thread that called the store (a TUI worker thread, say),
so a UI must hand the message to its own thread (Textual: ``app.call_from_thread``). A store
(its SQLite connection) belongs to the thread that opened it, unless it is opened with
``any_thread=True``: then any thread may use it, one at a time (the caller serialises).

Why one long module: the project's rule is that exactly one module speaks SQL, so every table's
reads and writes live here, in sections (opening and migrations, documents and import, items and
decisions, undo stacks, statuses and cursors, the queue's reads, teams, merge). Each method is
small; splitting the file would spread SQL over several modules, which the rule forbids.
"""

from __future__ import annotations

import functools
import inspect
import json
import os
import re
import sqlite3
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator

from annotator import validate
from annotator.annotation_rows import AnnotationRows
from annotator.errors import AnnotatorError
from annotator.formats.files import regular_file
from annotator.model import (
    ACCEPTED,
    DOC_STATUSES,
    DONE,
    FINISHED_STATUSES,
    IN_PROGRESS,
    KINDS,
    ORIGIN_IMPORT,
    REJECTED,
    REJECTED_DOC,
    REVIEW_LAYER,
    SKIPPED,
    SPAN_KINDS,
    SUGGESTED,
    TODO,
    Action,
    Annotation,
    Document,
    ImportRecord,
    ImportResult,
    Span,
    Suggestion,
    Value,
    new_id,  # noqa: F401 (callers import it from here)
    value_to_record,
)


_SQLITE_UTILS_LOCK = threading.Lock()


@cache
def load_sqlite_utils():
    """sqlite-utils, imported on first use: it costs about 50 ms, and reading a document for the
    screen needs only plain SQL (see :class:`_Database`).

    sqlite-utils imports numpy and pandas, when they are installed, only to map their number
    types to column types, which the store never needs (it makes its tables from Python types and
    binds Python values); numpy alone costs about 0.2 s. They are kept out while sqlite-utils
    loads; whoever imports them later (spaCy does) gets them as usual. A thread that is about to
    import numpy (a suggester loading spaCy) calls this first, so no import of numpy can fall in
    that moment."""
    with _SQLITE_UTILS_LOCK:
        kept_out = [name for name in ("numpy", "pandas") if name not in sys.modules]
        for name in kept_out:
            sys.modules[name] = None  # type: ignore[assignment]  # "import numpy" raises ImportError
        try:
            import sqlite_utils
        finally:
            for name in kept_out:
                if sys.modules.get(name, 0) is None:
                    del sys.modules[name]
        return sqlite_utils


class _Database:
    """An SQLite connection with sqlite-utils' ``execute`` and ``query``, made into a real
    ``sqlite_utils.Database`` the first time anything else (a table, ``upsert``…) is asked of it."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self._full = None

    def execute(self, sql: str, parameters=None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def query(self, sql: str, params=None) -> Iterator[dict]:
        cursor = self.conn.execute(sql, params or ())
        keys = [d[0] for d in cursor.description]
        for row in cursor:
            yield dict(zip(keys, row))

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("select name from sqlite_master where type = 'table'")]

    @property
    def journal_mode(self) -> str:
        return self.conn.execute("PRAGMA journal_mode").fetchone()[0]

    def close(self) -> None:
        self.conn.close()

    @property
    def full(self):
        if self._full is None:
            # sqlite-utils plugins are not run on annotator's files (loading them scans every
            # installed package, about 30 ms)
            self._full = load_sqlite_utils().Database(self.conn, execute_plugins=False)
        return self._full

    def __getitem__(self, table: str):
        return self.full[table]

    def __getattr__(self, name: str):
        return getattr(self.full, name)

def sql_strings(values: Iterable[str]) -> str:
    """A tuple of the vocabulary's names (annotator.model) as an SQL list: ``('done', 'skipped')``.
    SQL here names statuses and kinds through the constants; they never contain a quote."""
    return "(" + ", ".join(f"'{v}'" for v in values) + ")"


SCHEMA_VERSION = 6
BOOKKEEPING_PREFIX = validate.BOOKKEEPING_PREFIX  # how files before version 6 named the suggesters' runs
LOCK_TIMEOUT_S = 30.0  # how long a blocked writer waits for another program's lock, in all
LOCK_TIMEOUT_ENV = "ANNOTATOR_LOCK_TIMEOUT"  # seconds; overrides LOCK_TIMEOUT_S
WAIT_NOTICE_S = 1.0  # after this long, ``on_wait`` is told what is being waited for
SQLITE_MAGIC = b"SQLite format 3\x00"
# A fast check, in SQL, of the invariants :mod:`annotator.validate` enforces on the columns a
# streamed item row shows (kind, offsets, label, status, a stance's ends, a claim's speaker):
# agreement reads hundreds of thousands of rows without a Python call each. A row it flags is
# judged, and named, by the validator itself (Store.skip_item).
LABEL_CONTROL_GLOB = "*[\x01-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\u061c]*"
ITEM_ROW_OK = f"""case when json_valid(a.attrs) and a.status = '{ACCEPTED}'
        and a.kind in {sql_strings(KINDS)}
        and typeof(a.start) = 'integer' and typeof(a.end) = 'integer' and a.start >= 0 and a.end > a.start
        and typeof(a.label) = 'text' and a.label <> '' and not (a.label glob ?)
        and (a.kind <> 'stance' or (json_type(a.attrs, '$.source.start') = 'integer'
             and json_type(a.attrs, '$.source.end') = 'integer' and json_type(a.attrs, '$.target.start') = 'integer'
             and json_type(a.attrs, '$.target.end') = 'integer'))
        and (a.kind <> 'claim' or coalesce(json_type(a.attrs, '$.speaker'), 'null') in ('null', 'text')
             or (json_type(a.attrs, '$.speaker.start') = 'integer' and json_type(a.attrs, '$.speaker.end') = 'integer'))
    then 1 else 0 end"""
SIDE_FILES = ("-wal", "-shm", "-journal")
MIGRATE_COMMAND = "annotator migrate --db {path}"



def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


class StoreError(AnnotatorError):
    """The database file failed: damaged, full, read-only, locked; one line, no traceback."""


class DatabaseLocked(StoreError):
    """Another program held the database's lock for longer than the lock timeout."""


def lock_timeout() -> float:
    """How long to wait for another program's lock: $ANNOTATOR_LOCK_TIMEOUT seconds, else 30."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV, "").strip()
    if not raw:
        return LOCK_TIMEOUT_S
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 < value <= 86_400:
        raise AnnotatorError(f"{LOCK_TIMEOUT_ENV}={raw!r} must be a number of seconds between 0 and 86400")
    return value


def _error_name(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _is_busy(exc: sqlite3.Error) -> bool:
    return _error_name(exc).startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "database is locked" in str(exc)


def translate_error(exc: sqlite3.Error, path: object, timeout: float = LOCK_TIMEOUT_S) -> StoreError:
    """One line saying what went wrong with the database file and what to do about it."""
    name, text = _error_name(exc), str(exc)
    if _is_busy(exc):
        return DatabaseLocked(f"the database is locked by another program (waited {timeout:g} s and gave up); "
                              "close the other program or try again", path)
    if name.startswith("SQLITE_FULL") or "disk is full" in text:
        return StoreError("the disk is full; free some space and try again", path)
    if name.startswith("SQLITE_READONLY") or "readonly database" in text:
        return StoreError("cannot write: the database file or its folder is read-only", path)
    if name.startswith(("SQLITE_CORRUPT", "SQLITE_NOTADB")) or "malformed" in text or "not a database" in text:
        return StoreError(f"the database file is damaged ({text}); restore a backup, or try `sqlite3 "
                          f"{path} .recover`", path)
    if name.startswith("SQLITE_IOERR"):
        return StoreError(f"disk I/O error ({name}); is the disk full or failing?", path)
    if name.startswith("SQLITE_CANTOPEN"):
        return StoreError(f"cannot open the database file ({text})", path)
    return StoreError(f"database error: {text}", path)


def _translating(method: Callable) -> Callable:
    if inspect.isgeneratorfunction(method):  # errors come while the caller iterates
        @functools.wraps(method)
        def generator(self: "Store", *args, **kwargs):
            try:
                yield from method(self, *args, **kwargs)
            except sqlite3.Error as exc:
                raise translate_error(exc, self.path, self.lock_timeout) from None

        return generator

    @functools.wraps(method)
    def wrapper(self: "Store", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path, self.lock_timeout) from None

    return wrapper


class _LockWait:
    """One wait for another program's lock: tells ``on_wait`` after a while, gives up at the timeout."""

    def __init__(self, store: "Store", start: float):
        self.store = store
        self.start = start
        self.told = False

    def again(self, exc: sqlite3.Error, tried_at: float) -> None:
        now_ = time.monotonic()
        if now_ - self.start >= self.store.lock_timeout - 0.01:
            raise exc
        if not self.told and now_ - self.start >= WAIT_NOTICE_S * 0.9:
            self.told = True
            self.store._notify(f"{self.store.path}: another program is writing to the database; waiting for it "
                               f"(up to {self.store.lock_timeout:g} s)…")
        if now_ - tried_at < 0.05:  # SQLite gave up at once (no busy handler for this lock): do not spin
            time.sleep(0.05)
        left = self.store.lock_timeout - (time.monotonic() - self.start)
        self.store.db.execute(f"PRAGMA busy_timeout = {max(1, int(min(WAIT_NOTICE_S, left) * 1000))}")

    def done(self) -> None:
        if self.told:
            self.store._notify(None)


@dataclass(frozen=True)
class Event:
    id: int
    time: str
    annotator: str
    doc_id: str | None
    action: str
    payload: dict


def _create_v1(db) -> None:
    db["documents"].create(
        {"id": str, "text": str, "meta": str, "position": int, "added": str}, pk="id", if_not_exists=True)
    db["suggestions"].create(
        {"id": str, "doc_id": str, "suggester": str, "version": str, "rule": str, "score": float,
         "kind": str, "start": int, "end": int, "label": str, "attrs": str, "created": str},
        pk="id", foreign_keys=[("doc_id", "documents", "id")], if_not_exists=True)
    db["annotations"].create(
        {"id": str, "doc_id": str, "layer": str, "kind": str, "start": int, "end": int, "label": str,
         "attrs": str, "status": str, "suggestion_id": str, "origin": str, "updated": str},
        pk="id", foreign_keys=[("doc_id", "documents", "id")], if_not_exists=True)
    db["doc_status"].create(
        {"doc_id": str, "layer": str, "status": str, "cursor": str, "updated": str},
        pk=("doc_id", "layer"), if_not_exists=True)
    db["annotators"].create({"name": str, "last_doc": str, "last_seen": str}, pk="name", if_not_exists=True)
    db["assignments"].create({"doc_id": str, "annotator": str, "assigned": str},
                             pk=("doc_id", "annotator"), if_not_exists=True)
    db["events"].create(
        {"id": int, "time": str, "annotator": str, "doc_id": str, "action": str, "payload": str},
        pk="id", if_not_exists=True)
    db["suggestions"].create_index(["doc_id", "suggester"], if_not_exists=True)
    db["annotations"].create_index(["doc_id", "layer"], if_not_exists=True)
    db["annotations"].create_index(["layer"], if_not_exists=True)
    db["events"].create_index(["doc_id", "annotator"], if_not_exists=True)


def _add_serve_links(db) -> None:
    """Version 2: private `serve` links, one per (role, name); only the token's sha256 is kept."""
    db["serve_links"].create({"role": str, "name": str, "token_sha256": str, "created": str},
                             pk=("role", "name"), if_not_exists=True)
    db["serve_links"].create_index(["token_sha256"], unique=True, if_not_exists=True)


def _add_cursors(db) -> None:
    """Version 3: where each annotator's focus is, per document, kept apart from doc_status, so
    looking at a document does not start it (only a decision does). Saved cursors move over."""
    db["cursors"].create({"annotator": str, "doc_id": str, "cursor": str, "updated": str},
                         pk=("annotator", "doc_id"), if_not_exists=True)
    db.execute("insert or ignore into cursors (annotator, doc_id, cursor, updated) "
               "select layer, doc_id, cursor, updated from doc_status where cursor is not null")


# Documents whose row can be used at all (cheap, in SQL); the rest are reported as bad rows.
_USABLE_DOC = ("typeof(id) = 'text' and length(id) between 1 and 200 and typeof(text) = 'text' and "
               "id not glob ('*[' || char(1) || '-' || char(31) || char(127) || '-' || char(159) || ']*') and "
               "(meta is null or meta = '' or case when json_valid(meta) then json_type(meta) = 'object' else 0 end)")


def _add_undo_stacks(db) -> None:
    """Version 4: each annotator's undo and redo stacks per document, kept as the events are
    written, so undo and redo cost the same at any length of history. ``undo_marks`` holds the
    last event the stacks account for; stacks behind their document's events (an older file, a
    merge, a hand edit) are rebuilt from the events when next used."""
    db["undo_stacks"].create({"annotator": str, "doc_id": str, "stack": str, "depth": int, "event_id": int},
                             pk=("annotator", "doc_id", "stack", "depth"), if_not_exists=True)
    db["undo_marks"].create({"annotator": str, "doc_id": str, "last_event": int},
                            pk=("annotator", "doc_id"), if_not_exists=True)


def _add_queue_indexes(db) -> None:
    """Version 5: indexes that let ``annotate`` serve an annotator's queue and the document list
    without reading every document: the usable documents by position and by id (only usable rows
    are in them: the same test as the readers make), statuses by layer, assignments by annotator."""
    db.execute(f"create index if not exists documents_usable_position on documents (position, id) where {_USABLE_DOC}")
    db.execute(f"create index if not exists documents_usable_id on documents (id, position) where {_USABLE_DOC}")
    db.execute("create index if not exists doc_status_layer on doc_status (layer, status, updated, doc_id)")
    db.execute("create index if not exists assignments_annotator on assignments (annotator, assigned, doc_id)")


def _add_suggester_runs(db) -> None:
    """Version 6: which version of each suggester last ran on each document, in a table of its own
    (it was kept as ``doc_status`` rows of a layer named ``suggester:NAME``, which every reader of
    statuses and layers had to leave out). Those rows move over and leave ``doc_status``."""
    db["suggester_runs"].create({"doc_id": str, "suggester": str, "version": str, "time": str},
                                pk=("doc_id", "suggester"), if_not_exists=True)
    db.execute("create index if not exists suggester_runs_version on suggester_runs (suggester, version, doc_id)")
    old = f"substr(layer, 1, {len(BOOKKEEPING_PREFIX)}) = '{BOOKKEEPING_PREFIX}'"  # exact: like ignores case
    db.execute("insert or replace into suggester_runs (doc_id, suggester, version, time) select doc_id, "
               f"substr(layer, {len(BOOKKEEPING_PREFIX) + 1}), status, updated from doc_status where {old}")
    db.execute(f"delete from doc_status where {old}")


# Index i holds the step from version i to i + 1.
MIGRATIONS = [_create_v1, _add_serve_links, _add_cursors, _add_undo_stacks, _add_queue_indexes, _add_suggester_runs]


@cache
def data_columns() -> dict[str, list[str]]:
    """Each data table's columns at the current schema version (what merge reads and writes)."""
    db = load_sqlite_utils().Database(memory=True, execute_plugins=False)
    for step in MIGRATIONS:
        step(db)
    try:
        return {t: list(db[t].columns_dict) for t in Store.MERGE_TABLES}
    finally:
        db.close()


def _row_to_annotation(row: dict, length: int | None = None) -> Annotation:
    """An annotations row as an Annotation; raises validate.Invalid for a row that breaks an invariant."""
    return validate.annotation_from_row(row, length)


def _annotation_to_row(ann: Annotation) -> dict:
    problem = validate.value_problem(ann.value, None) or validate.name_problem(ann.layer, "layer", allow_review=True)
    if problem:
        raise AnnotatorError(f"refusing to store an item of document {ann.doc_id}: {problem}")
    rec = value_to_record(ann.value)
    rec["attrs"] = validate.dumps(rec["attrs"])
    return {"id": ann.id, "doc_id": ann.doc_id, "layer": ann.layer, **rec, "status": ann.status,
            "suggestion_id": ann.suggestion_id, "origin": ann.origin, "updated": now()}


def annotation_record(ann: Annotation | None) -> dict | None:
    """A JSON-ready form of an annotation, as kept in event payloads."""
    if ann is None:
        return None
    rec = value_to_record(ann.value)
    return {"id": ann.id, "doc_id": ann.doc_id, "layer": ann.layer, **rec, "status": ann.status,
            "suggestion_id": ann.suggestion_id, "origin": ann.origin}


def annotation_from_record(rec: dict | None) -> Annotation | None:
    """The inverse of :func:`annotation_record`; raises validate.Invalid for a malformed record."""
    if rec is None:
        return None
    if not isinstance(rec, dict):
        raise validate.Invalid(f"a change must be an object, got {type(rec).__name__}")
    return validate.annotation_from_row({**rec, "attrs": validate.dumps(rec.get("attrs") or {})}, None)


def _row_to_suggestion(row: dict, length: int | None = None) -> Suggestion:
    """A suggestions row as a Suggestion; raises validate.Invalid for a row that breaks an invariant."""
    return validate.suggestion_from_row(row, length)


def _row_to_document(row: dict) -> Document:
    """A documents row as a Document; raises validate.Invalid for a row that breaks an invariant."""
    return validate.document_from_row(row)



def _ints(joined: str | None) -> list[int]:
    """The integers of a ``group_concat`` (a long list read as one string: much cheaper than rows)."""
    return [int(v) for v in joined.split(",")] if joined else []


class _ImportCheck:
    """The validator's rules for what import writes (the readers check them again on the way out).

    Remembers the layers and span labels it has passed: a large import asks about a few labels
    once each, and a plain span (no attrs) with such a label needs only its kind and offsets checked."""

    def __init__(self) -> None:
        self.layers: set[str] = set()
        self.labels: set[str] = set()

    def __call__(self, rec: ImportRecord) -> None:
        doc = rec.document
        n = len(doc.text)
        problem = validate.text_problem(doc.text) or validate.json_problem(doc.meta, "meta")
        if problem is None and rec.layer and rec.layer not in self.layers:
            problem = validate.name_problem(rec.layer, "layer", allow_review=True)
            if problem is None:
                self.layers.add(rec.layer)
        labels = self.labels
        for v in () if problem else rec.values:
            if (type(v) is Span and type(v.attrs) is dict and not v.attrs and v.label in labels
                    and v.kind in SPAN_KINDS and type(v.start) is int and type(v.end) is int
                    and 0 <= v.start < v.end <= n):
                continue  # all value_problem would check, the label's part already passed
            problem = validate.value_problem(v, n)
            if problem:
                break
            if type(v) is Span:
                labels.add(v.label)
        if problem:
            raise AnnotatorError(f"refusing to import document {doc.id}: {problem}")


_INSERT_DOCUMENT = "insert into documents (id, text, meta, position, added) values (?, ?, ?, ?, ?)"
_INSERT_ANNOTATION = ("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, suggestion_id, "
                      "origin, updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
_ENSURE_STATUS = "insert or ignore into doc_status (doc_id, layer, status, updated) values (?, ?, ?, ?)"
_PUT_STATUS = ("insert into doc_status (doc_id, layer, status, updated) values (?, ?, ?, ?) "
               "on conflict (doc_id, layer) do update set status = excluded.status, updated = excluded.updated")
_INSERT_EVENT = "insert into events (time, annotator, doc_id, action, payload) values (?, ?, ?, ?, ?)"


def _new_ids(n: int) -> list[str]:
    """n fresh random item ids (32 hex digits, like :func:`annotator.model.new_id`), drawn at once."""
    raw = os.urandom(16 * n).hex()
    return [raw[i:i + 32] for i in range(0, 32 * n, 32)]


class _ImportWriter:
    """Writes import batches inside the caller's transaction; remembers nothing between batches but
    the next document position (duplicates across batches are found in the database)."""

    def __init__(self, store: "Store", annotator: str, result: ImportResult):
        self.store = store
        self.db = store.db
        self.annotator = annotator
        self.result = result
        self.position = self.db.execute("select coalesce(max(position), 0) from documents").fetchone()[0]

    def write(self, batch: list[ImportRecord]) -> None:
        if not batch:
            return
        result, db = self.result, self.db
        stamp = now()
        ids = list({rec.document.id for rec in batch})
        existing = {row[0] for row in db.execute(
            f"select id from documents where id in ({','.join('?' * len(ids))})", ids)}
        seen: set[str] = set()  # documents met earlier in this batch
        docs, rows, ensure, put, events = [], [], [], [], []
        have: dict[tuple[str, str], set] = {}
        item_ids = iter(_new_ids(sum(len(rec.values) for rec in batch if rec.layer)))
        dumps = validate.dumps
        for rec in batch:
            doc = rec.document
            if doc.id in existing or doc.id in seen:
                result.documents_existing += 1
            else:
                self.position += 1
                docs.append((doc.id, doc.text, dumps(doc.meta), self.position, stamp))
                result.documents_added += 1
            if rec.layer:
                key = (doc.id, rec.layer)
                if key not in have:
                    have[key] = self.store._item_keys(doc.id, rec.layer, len(doc.text)) if doc.id in existing else set()
                keys = have[key]
                added = 0
                for value in rec.values:
                    value_key = value.key
                    if value_key in keys:
                        result.annotations_existing += 1
                        continue
                    keys.add(value_key)
                    if type(value) is Span:  # value_to_record's span case, without its dict
                        kind, start, end, label, attrs = value.kind, value.start, value.end, value.label, value.attrs
                    else:
                        item = value_to_record(value)
                        kind, start, end, label, attrs = (item["kind"], item["start"], item["end"], item["label"],
                                                          item["attrs"])
                    rows.append((next(item_ids), doc.id, rec.layer, kind, start, end, label,
                                 dumps(attrs) if attrs else "{}", ACCEPTED, None, ORIGIN_IMPORT, stamp))
                    added += 1
                result.annotations_added += added
                result.layers[rec.layer] += added
                if rec.status:
                    put.append((doc.id, rec.layer, rec.status, stamp))
                else:  # the layer saw the document; an existing status is kept
                    ensure.append((doc.id, rec.layer, IN_PROGRESS, stamp))
                if added or rec.status:
                    events.append((stamp, self.annotator, doc.id, Action.IMPORT,
                                   dumps({"layer": rec.layer, "added": added, "status": rec.status})))
            seen.add(doc.id)
        for sql, params in ((_INSERT_DOCUMENT, docs), (_INSERT_ANNOTATION, rows), (_ENSURE_STATUS, ensure),
                            (_PUT_STATUS, put), (_INSERT_EVENT, events)):
            if params:
                db.conn.executemany(sql, params)


class Store:
    """An open annotator database (see the module docstring for ``readonly`` and ``on_wait``).

    Readers skip a row that breaks an invariant (see :mod:`annotator.validate`) instead of
    failing on it: the row is named in :attr:`bad_rows`, for the caller to warn about.
    """

    def __init__(self, path: str | Path, *, create: bool = True, readonly: bool = False,
                 on_wait: Callable[[str | None], None] | None = None, any_thread: bool = False):
        self.path = Path(path)
        self.readonly = readonly
        self.any_thread = any_thread
        self.on_wait = on_wait
        self.lock_timeout = lock_timeout()
        self.migrated_from: int | None = None  # the version an existing file had before this open migrated it
        self.db: _Database | None = None  # sqlite-utils' Database, made on first use
        self._seen_in: tuple[str, str] | None = None  # (annotator, doc_id) _seen wrote in this transaction
        existed = self.path.exists()
        self.created = not existed  # this open made the file (see discard)
        if not existed:
            if not create or readonly:
                raise AnnotatorError("no such database (import some documents first)", self.path)
            if not self.path.parent.is_dir():
                raise AnnotatorError("cannot create the database: its folder does not exist", self.path)
        else:
            regular_file(self.path)  # a FIFO or a device would block or never end
            with open(self.path, "rb") as fh:
                head = fh.read(16)
            if head and head != SQLITE_MAGIC:
                raise AnnotatorError("not an SQLite database", self.path)
            if not head and readonly:
                raise AnnotatorError("is an empty file, not an annotator database yet (`annotator import --db "
                                     f"{self.path} FILES` makes it one)", self.path)
        try:
            self.db = _Database(self._connect())
            if readonly:
                self._check_readable()
            else:
                self._migrate()
        except BaseException as exc:
            self._abandon(created=not existed)
            if isinstance(exc, sqlite3.Error):
                error = translate_error(exc, self.path, self.lock_timeout)
                if not isinstance(error, DatabaseLocked):
                    error = StoreError(f"cannot open database: {error.problem}", self.path)
                raise error from None
            raise

    def _connect(self) -> sqlite3.Connection:
        options = {"timeout": self.lock_timeout, "check_same_thread": not self.any_thread}
        if not self.readonly or os.access(self.path, os.W_OK) and os.access(self.path.parent, os.W_OK):
            conn = sqlite3.connect(self.path, **options)
            if self.readonly:
                # An ordinary connection that refuses to write: closing it as the last one removes
                # the -wal/-shm files (a mode=ro connection would leave them behind).
                conn.execute("PRAGMA query_only = ON")
        else:
            # We cannot write the file, so SQLite could not clean up -wal/-shm files it made for us.
            # Without a -wal file every committed change is in the main file: read it as immutable.
            # (Someone else writing it meanwhile could make a read fail; it can never change the file.)
            wal = self.path.with_name(self.path.name + "-wal").exists()
            uri = f"file:{urllib.parse.quote(str(self.path.resolve()))}?mode=ro" + ("" if wal else "&immutable=1")
            conn = sqlite3.connect(uri, uri=True, **options)
        if self.readonly:
            conn.execute("PRAGMA temp_store = MEMORY")  # a read command writes no file at all, not even a sort
        conn.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
        return conn

    def _abandon(self, created: bool) -> None:
        """Close after a failed open; a file this open created is removed again."""
        if self.db is not None:
            try:
                self.db.close()
            except sqlite3.Error:
                pass
        if created:
            for suffix in ("",) + SIDE_FILES:
                Path(str(self.path) + suffix).unlink(missing_ok=True)

    def discard(self) -> None:
        """Close after a write that failed or wrote nothing: a database file this open created is
        removed again, so a failed import leaves no database behind, as if it had never opened one.

        The file stays when another program has put a document in it meanwhile."""
        try:
            empty = self.db.execute("select not exists (select 1 from documents)").fetchone()[0]
        except sqlite3.Error:
            empty = False
        self._abandon(created=self.created and bool(empty))

    # --- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def give_up_after(self, seconds: float) -> None:
        """Wait at most ``seconds`` for another program's lock before :class:`DatabaseLocked`
        (an interactive caller that keeps the write and retries it itself)."""
        self.lock_timeout = seconds
        self.db.execute(f"PRAGMA busy_timeout = {max(1, int(seconds * 1000))}")

    def _notify(self, message: str | None) -> None:
        if self.on_wait is not None:
            self.on_wait(message)

    def _stored_version(self) -> int:
        row = self.db.execute("select value from annotator_meta where key = 'schema_version'").fetchone()
        if not row:
            return 0
        value = str(row[0]).strip()
        if not re.fullmatch(r"[0-9]{1,6}", value):
            raise AnnotatorError(f"has an unreadable schema version {row[0]!r} in its annotator_meta table "
                                 "(edited by hand or damaged)", self.path)
        return int(value)

    def _check_version(self, version: int) -> None:
        if version > SCHEMA_VERSION:
            raise AnnotatorError(
                f"was written by a newer annotator (database version {version}, this program knows "
                f"up to {SCHEMA_VERSION}); upgrade annotator to open it", self.path)

    def _check_readable(self) -> None:
        """For a read-only open: an annotator database at this program's version, or a one-line refusal."""
        tables = set(self.db.table_names())
        if "annotator_meta" not in tables:
            if not tables:
                raise AnnotatorError(f"is an empty SQLite database, not an annotator database yet (`annotator "
                                     f"import --db {self.path} FILES` makes it one)", self.path)
            raise AnnotatorError("is an SQLite database, but not an annotator database", self.path)
        version = self._stored_version()
        self._check_version(version)
        if version < SCHEMA_VERSION:
            raise AnnotatorError(
                f"is an annotator database of version {version}, older than this program's ({SCHEMA_VERSION}); "
                f"this command only reads, so run `{MIGRATE_COMMAND.format(path=self.path)}` first", self.path)

    def _migrate(self) -> None:
        tables = set(self.db.table_names())
        if tables and "annotator_meta" not in tables:
            raise AnnotatorError("is an SQLite database, but not an annotator database", self.path)
        version = self._stored_version() if "annotator_meta" in tables else 0
        self._check_version(version)
        if self.db.journal_mode != "wal":
            self._waiting_for_lock(self.db.enable_wal)
        if version == SCHEMA_VERSION:
            return
        if tables:
            self.migrated_from = version
        with self._write():
            self.db["annotator_meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            for step in MIGRATIONS[version:]:
                step(self.db)
            self.db["annotator_meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")

    def _waiting_for_lock(self, step: Callable[[], object]) -> None:
        """Run a step that takes a lock; while another program holds it, retry (telling ``on_wait``)."""
        if self.readonly:
            raise AnnotatorError("opened read-only: this command does not write", self.path)
        wait: _LockWait | None = None
        first = time.monotonic()
        self.db.execute(f"PRAGMA busy_timeout = {int(min(WAIT_NOTICE_S, self.lock_timeout) * 1000)}")
        try:
            while True:
                tried_at = time.monotonic()
                try:
                    step()
                    return
                except sqlite3.OperationalError as exc:
                    if not _is_busy(exc):
                        raise
                    wait = wait or _LockWait(self, first)
                    wait.again(exc, tried_at)
        finally:
            self.db.execute(f"PRAGMA busy_timeout = {int(self.lock_timeout * 1000)}")
            if wait is not None:
                wait.done()

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction; BEGIN IMMEDIATE so concurrent writers wait instead of failing.

        Inside an open transaction it joins that one, so writes compose (the outer one commits)."""
        if self.db.conn.in_transaction:
            yield
            return
        self._seen_in = None
        try:
            self._waiting_for_lock(lambda: self.db.execute("BEGIN IMMEDIATE"))
        except sqlite3.Error as exc:
            raise translate_error(exc, self.path, self.lock_timeout) from None
        try:
            yield
        except BaseException:
            if self.db.conn.in_transaction:
                try:
                    self.db.conn.execute("ROLLBACK")
                except sqlite3.Error:
                    pass  # the original error says more
            raise
        else:
            try:
                self.db.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                if self.db.conn.in_transaction:
                    self.db.conn.execute("ROLLBACK")
                raise translate_error(exc, self.path, self.lock_timeout) from None

    @property
    def version(self) -> int:
        return self._stored_version()

    def record_event(self, annotator: str, doc_id: str | None, action: str, payload: dict) -> int:
        """Log one event (in the caller's transaction, else in its own), e.g. a merge's summary."""
        with self._write():
            return self._event(annotator, doc_id, action, payload)

    def _event(self, annotator: str, doc_id: str | None, action: str, payload: dict) -> int:
        cur = self.db.execute(
            "insert into events (time, annotator, doc_id, action, payload) values (?, ?, ?, ?, ?)",
            [now(), annotator, doc_id, action, validate.dumps(payload)])
        if doc_id is not None:
            self._track_history(annotator, doc_id, cur.lastrowid, action, payload)
        return cur.lastrowid

    def _ensure_status(self, doc_id: str, layer: str) -> None:
        """The layer has seen the document: in progress, unless it already has a status."""
        self.db.execute("insert or ignore into doc_status (doc_id, layer, status, updated) values (?, ?, ?, ?)",
                        [doc_id, layer, IN_PROGRESS, now()])

    def _put_status(self, doc_id: str, layer: str, status: str) -> None:
        self.db["doc_status"].upsert({"doc_id": doc_id, "layer": layer, "status": status, "updated": now()},
                                     pk=("doc_id", "layer"))

    # --- reading rows that may have been edited by hand ------------------------------

    @property
    def bad_rows(self) -> list[str]:
        """One message per row skipped so far because it breaks an invariant ("table row ID: problem")."""
        return list(self.__dict__.get("_bad_rows", {}).values())

    def _skip(self, table: str, key: object, problem: object) -> None:
        self.__dict__.setdefault("_bad_rows", {}).setdefault((table, key), f"{table} row {key}: {problem}")

    def _read(self, table: str, row: dict, convert):
        """convert(row), or None when the row is bad (remembered in bad_rows)."""
        try:
            return convert(row)
        except validate.Invalid as exc:
            self._skip(table, row.get("id"), exc)
            return None

    def _read_items(self, table: str, rows: Iterable[dict], convert) -> list:
        """Annotations or suggestions checked against their document's text; bad rows skipped."""
        out = []
        for row in rows:
            try:
                out.append(convert(row, self._length(row.get("doc_id"))))
            except validate.Invalid as exc:
                self._skip(table, row.get("id"), exc)
        return out

    def _length(self, doc_id: object) -> int | None:
        """A document's text length in characters (None when it has no usable text)."""
        lengths = self.__dict__.setdefault("_lengths", {})
        if doc_id not in lengths:
            row = self.db.execute("select typeof(text), length(text), instr(text, char(0)) from documents "
                                  "where id = ?", [doc_id]).fetchone()
            if row is None or row[0] != "text":
                return None
            if row[2]:  # SQLite's length() stops at a NUL character
                row = (row[0], len(self.db.execute("select text from documents where id = ?", [doc_id]).fetchone()[0]))
            lengths[doc_id] = row[1]
        return lengths[doc_id]

    # --- documents -------------------------------------------------------------------

    IMPORT_BATCH = 500  # records written per round of executemany (memory holds one batch)
    # SQLite's page cache during an import, in KiB: an import's transaction outgrows the default 2 MB, after
    # which SQLite spills pages to the WAL and reads index pages back. 128 MB keeps the indexes of a
    # 100,000-document import in memory (64 MB: 10 % slower there); bounded, so memory stays flat beyond.
    IMPORT_CACHE_KIB = 128 * 1024

    def import_records(self, records: Iterable[ImportRecord], annotator: str = "import") -> ImportResult:
        """Add documents and their layer items in one transaction (all or nothing).

        ``records`` is consumed as a stream, a batch at a time, so memory stays bounded whatever
        its length; an exception from it (or from a record that breaks an invariant) rolls back
        everything. The same text is one document; an item already present in its layer is not
        added twice; a record's status replaces the layer's status for the document, a record
        without one leaves an existing status alone (else the document is in progress).
        """
        result = ImportResult()
        cache = self.db.execute("PRAGMA cache_size").fetchone()[0]
        self.db.execute(f"PRAGMA cache_size = {-self.IMPORT_CACHE_KIB}")  # negative: in KiB
        try:
            with self._write():
                writer = _ImportWriter(self, annotator, result)
                check = _ImportCheck()
                batch: list[ImportRecord] = []
                for rec in records:
                    check(rec)
                    batch.append(rec)
                    if len(batch) >= self.IMPORT_BATCH:
                        writer.write(batch)
                        batch = []
                writer.write(batch)
        finally:
            self.db.execute(f"PRAGMA cache_size = {cache}")
        return result

    def _item_keys(self, doc_id: str, layer: str, length: int) -> set:
        """Keys of the items a layer already has on a document (rows that break an invariant left out)."""
        keys = set()
        for row in self.db.query("select * from annotations where doc_id = ? and layer = ?", [doc_id, layer]):
            try:
                keys.add(_row_to_annotation(row, length).value.key)
            except validate.Invalid as exc:
                self._skip("annotations", row.get("id"), exc)
        return keys

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        """All documents in import order (or just those with the given ids, in that order).

        A row that breaks an invariant is left out and named in :attr:`bad_rows`."""
        if ids is None:
            out = []
            for r in self.db.query("select * from documents order by position"):
                doc = self._read("documents", r, _row_to_document)
                if doc is not None:
                    out.append(doc)
            return out
        return [d for d in (self.document(i) for i in ids) if d is not None]

    def document(self, doc_id: str) -> Document | None:
        """One document, or None when there is none (or its row is bad: see :attr:`bad_rows`)."""
        rows = list(self.db.query("select * from documents where id = ?", [doc_id]))
        return self._read("documents", rows[0], _row_to_document) if rows else None

    def document_ids(self) -> list[str]:
        """Ids of the usable documents in import order (a row whose text is not text is left out)."""
        for r in self.db.query(f"select id, text from documents where not ({_USABLE_DOC})"):
            self._read("documents", {"meta": None, **r}, _row_to_document)
        return [r[0] for r in self.db.execute(f"select id from documents where {_USABLE_DOC} order by position")]

    EXPORT_BATCH = 256  # documents read per round by the streaming readers

    def documents_in_layer(self, layer: str, *, kinds: Iterable[str] | None = None,
                        only_with_items: bool = False) -> Iterator[tuple[Document, list[Annotation], str | None]]:
        """Each document a layer touched (it has items or a status there), in import order, with the layer's
        items on it (accepted and rejected, by offsets) and its status there.

        Read a batch of documents at a time, so memory stays bounded whatever the size of the database.
        ``kinds`` keeps only items of those kinds; ``only_with_items`` leaves out documents without such
        items. Rows that break an invariant are left out and named in :attr:`bad_rows`."""
        kind_sql, kind_args = self._kinds_filter(kinds)
        read = AnnotationRows().read  # every check of _row_to_annotation, quicker for rows of a shape seen before
        for batch in self._document_batches():
            ids = [doc_id for _, doc_id in batch]
            marks = ",".join("?" * len(ids))
            rows: dict[str, list[dict]] = defaultdict(list)
            for row in self.db.query(f"select * from annotations where layer = ? and doc_id in ({marks}){kind_sql} "
                                     "order by doc_id, start, end, rowid", [layer, *ids, *kind_args]):
                rows[row["doc_id"]].append(row)
            # "+layer": look the batch's documents up by the primary key; the index on layer would walk the
            # whole layer for every batch (quadratic in the corpus)
            statuses = {} if only_with_items else {r[0]: r[1] for r in self.db.execute(
                f"select doc_id, status from doc_status where +layer = ? and doc_id in ({marks})", [layer, *ids])}
            for doc in self._batch_documents([(rowid, doc_id) for rowid, doc_id in batch
                                              if doc_id in rows or doc_id in statuses]):
                items = self._checked(doc, rows.get(doc.id, ()), "annotations", read)
                if items or doc.id in statuses:
                    yield doc, items, statuses.get(doc.id)

    def suggested_documents(self, *, kinds: Iterable[str] | None = None) -> Iterator[tuple[Document, list[Suggestion]]]:
        """Each document with suggestions, in import order, with its suggestions by offsets (streamed as
        :meth:`documents_in_layer` is; ``kinds`` keeps only suggestions of those kinds)."""
        kind_sql, kind_args = self._kinds_filter(kinds)
        for batch in self._document_batches():
            ids = [doc_id for _, doc_id in batch]
            rows: dict[str, list[dict]] = defaultdict(list)
            for row in self.db.query(f"select * from suggestions where doc_id in ({','.join('?' * len(ids))})"
                                     f"{kind_sql} order by doc_id, start, end, rowid", [*ids, *kind_args]):
                rows[row["doc_id"]].append(row)
            for doc in self._batch_documents([(rowid, doc_id) for rowid, doc_id in batch if doc_id in rows]):
                found = self._checked(doc, rows[doc.id], "suggestions", _row_to_suggestion)
                if found:
                    yield doc, found

    @staticmethod
    def _kinds_filter(kinds: Iterable[str] | None) -> tuple[str, list]:
        if kinds is None:
            return "", []
        kinds = list(kinds)
        return f" and kind in ({','.join('?' * len(kinds))})", kinds

    def _document_batches(self) -> Iterator[list[tuple[int, object]]]:
        """(rowid, id) of every document in import order, a batch at a time (only the sort keys are held)."""
        cursor = self.db.execute("select rowid, id from documents order by position, rowid")
        while True:
            batch = cursor.fetchmany(self.EXPORT_BATCH)
            if not batch:
                return
            yield batch

    def _batch_documents(self, wanted: list[tuple[int, object]]) -> list[Document]:
        """The documents of these (rowid, id) pairs, in that order (bad rows left out, see :attr:`bad_rows`)."""
        if not wanted:
            return []
        rows = {r["_rowid"]: r for r in self.db.query(
            f"select rowid as _rowid, * from documents where rowid in ({','.join('?' * len(wanted))})",
            [rowid for rowid, _ in wanted])}
        out = []
        for rowid, _ in wanted:
            row = rows.get(rowid)
            if row is not None:
                del row["_rowid"]
                doc = self._read("documents", row, _row_to_document)
                if doc is not None:
                    out.append(doc)
        return out

    def _checked(self, doc: Document, rows: Iterable[dict], table: str, convert) -> list:
        """Rows of items on a document, checked against its text; bad ones left out (named in bad_rows)."""
        out = []
        for row in rows:
            try:
                out.append(convert(row, len(doc.text)))
            except validate.Invalid as exc:
                self._skip(table, row.get("id"), exc)
        return out

    def count_documents(self) -> int:
        return self.db.execute("select count(*) from documents").fetchone()[0]

    # --- suggestions -----------------------------------------------------------------

    def replace_suggestions(self, doc_id: str, suggester: str, version: str,
                            proposals: Iterable[tuple[Value, str, float]]) -> int:
        """Store a suggester's proposals (value, rule, score) for a document, replacing its older ones."""
        import hashlib  # here, not at the top: opening annotate never needs it (OpenSSL is slow to load)

        rows: dict[str, dict] = {}
        for value, rule, score in proposals:
            problem = validate.value_problem(value, None)
            if problem:
                raise AnnotatorError(f"suggester {suggester} proposed a bad item for document {doc_id}: {problem}")
            rec = value_to_record(value)
            rec["attrs"] = json.dumps(rec["attrs"], ensure_ascii=False, sort_keys=True, allow_nan=False)
            # Stable ids: the same proposal keeps its id when suggestions are recomputed, so
            # decisions stay linked to the rule that made them (the first rule wins a tie).
            sid = hashlib.sha256(json.dumps([doc_id, suggester, rec["kind"], rec["start"], rec["end"], rec["label"],
                                             rec["attrs"] if rec["kind"] == "stance" else ""]).encode()).hexdigest()[:32]
            rows.setdefault(sid, {"id": sid, "doc_id": doc_id, "suggester": suggester, "version": version,
                                  "rule": rule, "score": float(score), **rec, "created": now()})
        with self._write():
            self.db.execute("delete from suggestions where doc_id = ? and suggester = ?", [doc_id, suggester])
            if rows:
                self.db["suggestions"].insert_all(rows.values())
            self._upsert("suggester_runs", {"doc_id": doc_id, "suggester": suggester, "version": version,
                                            "time": now()}, ("doc_id", "suggester"))
        return len(rows)

    def suggestions(self, doc_id: str | None = None) -> list[Suggestion]:
        if doc_id is None:
            rows = self.db.query("select * from suggestions order by doc_id, start, end")
        else:
            rows = self.db.query("select * from suggestions where doc_id = ? order by start, end", [doc_id])
        return self._read_items("suggestions", rows, _row_to_suggestion)

    def documents_lacking(self, versions: dict[str, str]) -> list[str]:
        """Ids of documents without suggestions from every given suggester at its version."""
        done: Counter = Counter()
        for name, version in versions.items():
            for (doc_id,) in self.db.execute("select doc_id from suggester_runs where suggester = ? and version = ?",
                                             [name, version]):
                done[doc_id] += 1
        return [i for i in self.document_ids() if done[i] < len(versions)]

    def has_documents_lacking(self, versions: dict[str, str]) -> bool:
        """Whether any document lacks suggestions from a given suggester at its version: a cheap
        question (SQLite stops at the first such document), asked before loading a pipeline."""
        for name, version in versions.items():
            row = self.db.execute(
                f"select 1 from documents d where {_USABLE_DOC} and not exists (select 1 from suggester_runs r "
                "where r.doc_id = d.id and r.suggester = ? and r.version = ?) limit 1",
                [name, version]).fetchone()
            if row is not None:
                return True
        return False

    # --- layers ----------------------------------------------------------------------

    def items(self, doc_id: str, layer: str) -> list[Annotation]:
        """Every item (accepted and rejected) of one layer on one document."""
        rows = self.db.query("select * from annotations where doc_id = ? and layer = ? order by start, end",
                             [doc_id, layer])
        return self._read_items("annotations", rows, _row_to_annotation)

    def layer_items(self, layer: str) -> dict[str, list[Annotation]]:
        """doc_id -> the layer's items on it (rows that break an invariant left out, see :attr:`bad_rows`)."""
        out: dict[str, list[Annotation]] = defaultdict(list)
        rows = self.db.query("select * from annotations where layer = ? order by doc_id, start, end", [layer])
        for ann in self._read_items("annotations", rows, _row_to_annotation):
            out[ann.doc_id].append(ann)
        return dict(out)

    def layers(self) -> list[str]:
        """Names of the layers (human and review); a name that is not a usable name is left out (bad_rows)."""
        names = {r[0] for r in self.db.execute("select distinct layer from annotations")}
        names |= {r[0] for r in self.db.execute("select distinct layer from doc_status")}
        out = []
        for name in names:
            problem = validate.name_problem(name, "layer", allow_review=True)
            if problem:
                self.__dict__.setdefault("_bad_rows", {}).setdefault(
                    ("layer", name), f"annotations and doc_status rows of an unusable layer name: {problem}")
            else:
                out.append(name)
        return sorted(out)

    def apply(self, annotator: str, doc_id: str, action: str,
              changes: list[tuple[Annotation | None, Annotation | None]], **extra) -> int:
        """Apply a decision: each change is (before, after); None means absent.

        The event and the new state are written in one transaction; returns the event id.
        """
        with self._write():
            event_id = self._decide(annotator, doc_id, action, changes, extra)
            self._touch(annotator, doc_id)
        return event_id

    def _decide(self, annotator: str, doc_id: str, action: str, changes, extra: dict) -> int:
        """The new state and its event, in the caller's transaction."""
        self._apply_changes(changes)
        payload = {"changes": [[annotation_record(b), annotation_record(a)] for b, a in changes], **extra}
        return self._event(annotator, doc_id, action, payload)

    def _apply_changes(self, changes) -> None:
        for before, after in changes:
            if after is None:
                if before is not None:
                    self.db.execute("delete from annotations where id = ?", [before.id])
            else:
                self._upsert("annotations", _annotation_to_row(after), ("id",))

    def _upsert(self, table: str, row: dict, pk: tuple[str, ...]) -> None:
        """Insert a row, or update the existing one with its primary key (plain SQL: a decision's
        hot path; sqlite-utils' upsert reads the table's schema each time)."""
        cols = ", ".join(f"[{c}]" for c in row)
        update = ", ".join(f"[{c}] = excluded.[{c}]" for c in row if c not in pk) or f"[{pk[0]}] = [{pk[0]}]"
        self.db.execute(f"insert into [{table}] ({cols}) values ({', '.join('?' * len(row))}) "
                        f"on conflict ({', '.join(pk)}) do update set {update}", list(row.values()))

    def _seen(self, annotator: str, doc_id: str) -> None:
        """The annotator was last on this document (written once per transaction: a decision also saves
        the cursor, and both say so)."""
        if self._seen_in == (annotator, doc_id):
            return
        self._seen_in = (annotator, doc_id)
        self._upsert("annotators", {"name": annotator, "last_doc": doc_id, "last_seen": now()}, ("name",))

    def _touch(self, annotator: str, doc_id: str) -> None:
        self._ensure_status(doc_id, annotator)
        self._seen(annotator, doc_id)

    def _changes(self, ev: Event) -> list[tuple[Annotation | None, Annotation | None]] | None:
        """A decision event's (before, after) pairs; None (and a bad row) when they are malformed."""
        try:
            changes = ev.payload["changes"]
            if not isinstance(changes, list) or not all(isinstance(c, list) and len(c) == 2 for c in changes):
                raise validate.Invalid("payload changes must be a list of [before, after] pairs")
            return [(annotation_from_record(b), annotation_from_record(a)) for b, a in changes]
        except validate.Invalid as exc:
            self._skip("events", ev.id, exc)
            return None

    # --- undo and redo: stacks kept as events are written (see _add_undo_stacks) ----

    def _replay(self, annotator: str, doc_id: str) -> tuple[list[Event], list[Event]]:
        """Replay a document's events into (undo stack, redo stack) of decision events."""
        done: list[Event] = []
        redo: list[Event] = []
        for ev in self.events(doc_id=doc_id, annotator=annotator):
            if ev.action == Action.UNDO:
                if done and done[-1].id == ev.payload.get("undoes"):
                    redo.append(done.pop())
            elif ev.action == Action.REDO:
                if redo and redo[-1].id == ev.payload.get("redoes"):
                    done.append(redo.pop())
            elif "changes" in ev.payload:
                if self._changes(ev) is None:
                    continue  # a malformed decision (hand-edited): never replayed, named in bad_rows
                done.append(ev)
                redo.clear()
        return done, redo

    def last_event_id(self, annotator: str, doc_id: str) -> int | None:
        """The id of the annotator's last event on the document (None when there is none): whoever holds
        the layer in memory can tell from it whether anything else wrote to it since."""
        return self._last_event(annotator, doc_id)

    def _last_event(self, annotator: str, doc_id: str) -> int | None:
        """The id of the annotator's last event on the document; one index seek."""
        return self.db.execute("select max(id) from events where doc_id = ? and annotator = ?",
                               [doc_id, annotator]).fetchone()[0]

    def _mark(self, annotator: str, doc_id: str) -> int | None:
        row = self.db.execute("select last_event from undo_marks where annotator = ? and doc_id = ?",
                              [annotator, doc_id]).fetchone()
        return row[0] if row else None

    def _set_mark(self, annotator: str, doc_id: str, event_id: int) -> None:
        self.db.execute("insert or replace into undo_marks (annotator, doc_id, last_event) values (?, ?, ?)",
                        [annotator, doc_id, event_id])

    def _top(self, annotator: str, doc_id: str, stack: str) -> tuple[int, int] | None:
        """(depth, event id) on top of a stack, or None when it is empty."""
        row = self.db.execute("select depth, event_id from undo_stacks where annotator = ? and doc_id = ? "
                              "and stack = ? order by depth desc limit 1", [annotator, doc_id, stack]).fetchone()
        return (row[0], row[1]) if row else None

    def _push(self, annotator: str, doc_id: str, stack: str, event_id: int) -> None:
        top = self._top(annotator, doc_id, stack)
        self.db.execute("insert into undo_stacks (annotator, doc_id, stack, depth, event_id) values (?, ?, ?, ?, ?)",
                        [annotator, doc_id, stack, (top[0] if top else 0) + 1, event_id])

    def _pop(self, annotator: str, doc_id: str, stack: str, depth: int) -> None:
        self.db.execute("delete from undo_stacks where annotator = ? and doc_id = ? and stack = ? and depth = ?",
                        [annotator, doc_id, stack, depth])

    def _move_top(self, annotator: str, doc_id: str, source: str, target: str, event_id: object) -> None:
        """Replay one undo (undo → redo) or redo (redo → undo): only when ``event_id`` is on top."""
        top = self._top(annotator, doc_id, source)
        if top is not None and top[1] == event_id:
            self._pop(annotator, doc_id, source, top[0])
            self._push(annotator, doc_id, target, event_id)

    def _track_history(self, annotator: str, doc_id: str, event_id: int, action: str, payload: dict) -> None:
        """Keep the stacks up to date with a new event, in its transaction — when they were up to date
        before it (else they are rebuilt when next used)."""
        previous, mark = self.db.execute(  # one statement: this runs in every decision's transaction
            "select (select max(id) from events where doc_id = ? and annotator = ? and id < ?), "
            "(select last_event from undo_marks where annotator = ? and doc_id = ?)",
            [doc_id, annotator, event_id, annotator, doc_id]).fetchone()
        if previous is None:  # the first event: whatever is left over belongs to deleted events
            self.db.execute("delete from undo_stacks where annotator = ? and doc_id = ?", [annotator, doc_id])
        elif mark != previous:
            return
        if action == Action.UNDO:
            self._move_top(annotator, doc_id, "undo", "redo", payload.get("undoes"))
        elif action == Action.REDO:
            self._move_top(annotator, doc_id, "redo", "undo", payload.get("redoes"))
        elif "changes" in payload:
            self._push(annotator, doc_id, "undo", event_id)
            self.db.execute("delete from undo_stacks where annotator = ? and doc_id = ? and stack = 'redo'",
                            [annotator, doc_id])
        self._set_mark(annotator, doc_id, event_id)

    def _rebuild_stacks(self, annotator: str, doc_id: str) -> tuple[list[Event], list[Event]]:
        """Replay the events into the stacks (once, when they fell behind); returns them."""
        done, redo = self._replay(annotator, doc_id)
        self.db.execute("delete from undo_stacks where annotator = ? and doc_id = ?", [annotator, doc_id])
        self.db.conn.executemany(
            "insert into undo_stacks (annotator, doc_id, stack, depth, event_id) values (?, ?, ?, ?, ?)",
            [(annotator, doc_id, name, depth, ev.id) for name, stack in (("undo", done), ("redo", redo))
             for depth, ev in enumerate(stack, 1)])
        last = self._last_event(annotator, doc_id)
        if last is not None:
            self._set_mark(annotator, doc_id, last)
        return done, redo

    def _stack_top(self, annotator: str, doc_id: str, stack: str) -> tuple[Event, list] | None:
        """The decision event on top of the undo or redo stack, with its changes; None when empty.

        Costs a few index lookups; the stacks are rebuilt from the events only when they fell
        behind them, or when the event on top is gone or malformed (edited by hand)."""
        if self._mark(annotator, doc_id) == self._last_event(annotator, doc_id):
            top = self._top(annotator, doc_id, stack)
            if top is None:
                return None
            r = next(iter(self.db.query("select * from events where id = ?", [top[1]])), None)
            if r is not None:
                payload = self._read("events", r, validate.event_payload)
                if payload is not None and r["annotator"] == annotator and r["doc_id"] == doc_id:
                    ev = Event(r["id"], r["time"], r["annotator"], r["doc_id"], r["action"], payload)
                    changes = self._changes(ev) if "changes" in payload else None
                    if changes is not None:
                        return ev, changes
        done, redo = self._rebuild_stacks(annotator, doc_id)
        chosen = done if stack == "undo" else redo
        return (chosen[-1], self._changes(chosen[-1])) if chosen else None

    def undo(self, annotator: str, doc_id: str) -> Event | None:
        """Undo the annotator's last decision on the document; returns the undone event."""
        with self._write():
            top = self._stack_top(annotator, doc_id, "undo")
            if top is None:
                return None
            ev, changes = top
            self._apply_changes([(after, before) for before, after in reversed(changes)])
            self._event(annotator, doc_id, Action.UNDO, {"undoes": ev.id, "action": ev.action})
        return ev

    def redo(self, annotator: str, doc_id: str) -> Event | None:
        """Redo the decision most recently undone; returns the redone event."""
        with self._write():
            top = self._stack_top(annotator, doc_id, "redo")
            if top is None:
                return None
            ev, changes = top
            self._apply_changes(changes)
            self._event(annotator, doc_id, Action.REDO, {"redoes": ev.id, "action": ev.action})
        return ev

    # --- status and position ---------------------------------------------------------

    def set_status(self, annotator: str, doc_id: str, status: str) -> None:
        """Mark a document done / skipped / in progress for an annotator (an event too)."""
        if status not in DOC_STATUSES:
            raise AnnotatorError(f"unknown document status {status!r}")
        with self._write():
            self._put_status(doc_id, annotator, status)
            self._event(annotator, doc_id, Action.STATUS, {"status": status})
            self._seen(annotator, doc_id)

    def statuses(self, layer: str) -> dict[str, str]:
        return {r["doc_id"]: r["status"] for r in self.db.query(
            "select doc_id, status from doc_status where layer = ?", [layer])}

    def save_cursor(self, annotator: str, doc_id: str, cursor: dict) -> None:
        """Remember where the annotator is (document and focus), to resume there.

        It does not start the document: its status is left as it is (only a decision sets it)."""
        with self._write():
            self.db.execute("insert or replace into cursors (annotator, doc_id, cursor, updated) values (?, ?, ?, ?)",
                            [annotator, doc_id, json.dumps(cursor), now()])
            self._seen(annotator, doc_id)

    def resume_point(self, annotator: str) -> tuple[str | None, dict]:
        """(last document id, its saved cursor) for the annotator."""
        rows = list(self.db.query("select last_doc from annotators where name = ?", [annotator]))
        if not rows or not rows[0]["last_doc"]:
            return None, {}
        doc_id = rows[0]["last_doc"]
        return doc_id, self.cursor(annotator, doc_id)

    # --- history and summaries -------------------------------------------------------

    def events(self, doc_id: str | None = None, annotator: str | None = None) -> list[Event]:
        where, params = [], []
        if doc_id is not None:
            where.append("doc_id = ?")
            params.append(doc_id)
        if annotator is not None:
            where.append("annotator = ?")
            params.append(annotator)
        sql = "select * from events" + (" where " + " and ".join(where) if where else "") + " order by id"
        out = []
        for r in self.db.query(sql, params):
            payload = self._read("events", r, validate.event_payload)
            if payload is not None:
                out.append(Event(r["id"], r["time"], r["annotator"], r["doc_id"], r["action"], payload))
        return out

    def annotators(self) -> list[str]:
        """Names of human layers (every layer except review)."""
        return [name for name in self.layers() if name != REVIEW_LAYER]

    def stats(self) -> dict:
        """Counts for ``annotator stats``: documents, per layer status, items by kind and label."""
        out: dict = {"documents": self.count_documents(), "suggestions": {}, "layers": {}}
        for r in self.db.query("select kind, label, count(*) n from suggestions group by kind, label order by kind, label"):
            out["suggestions"].setdefault(r["kind"], {})[r["label"]] = r["n"]
        for layer in self.layers():
            statuses = Counter(self.statuses(layer).values())
            labels: dict = {}
            for r in self.db.query("select kind, label, count(*) n from annotations where layer = ? and status = ? "
                                   "group by kind, label order by kind, label", [layer, ACCEPTED]):
                labels.setdefault(r["kind"], {})[r["label"]] = r["n"]
            rejected = self.db.execute("select count(*) from annotations where layer = ? and status != ?",
                                       [layer, ACCEPTED]).fetchone()[0]
            out["layers"][layer] = {DONE: statuses[DONE], IN_PROGRESS: statuses[IN_PROGRESS],
                                    SKIPPED: statuses[SKIPPED] + statuses[REJECTED_DOC],
                                    "rejected_suggestions": rejected, "items": labels}
        return out

    def rule_outcomes(self) -> list[dict]:
        """Per suggester, rule and label: how often it was suggested, and accepted as is, fixed or rejected.

        A decision counts for the suggestion it was made on (linked by suggestion id), in any layer.
        """
        rows = self.db.query(f"""
            select s.suggester, s.rule, s.label, count(distinct s.id) as suggested,
                   sum(case when a.status = '{ACCEPTED}' and a.kind = s.kind and a.start = s.start
                            and a.end = s.end and a.label = s.label then 1 else 0 end) as accepted,
                   sum(case when a.status = '{ACCEPTED}' and not (a.kind = s.kind and a.start = s.start
                            and a.end = s.end and a.label = s.label) then 1 else 0 end) as fixed,
                   sum(case when a.status = '{REJECTED}' then 1 else 0 end) as rejected
            from suggestions s left join annotations a on a.suggestion_id = s.id
            group by s.suggester, s.rule, s.label order by s.suggester, s.rule, s.label""")
        return [dict(r) for r in rows]

    def integrity_check(self) -> str:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0]

    # --- teams: assignments, merge, review (issue 5) ---------------------------------

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction for a caller composing several writes (merge); all or nothing."""
        with self._write():
            yield

    def assignments(self) -> dict[str, list[str]]:
        """doc_id -> annotators assigned to it."""
        out: dict[str, list[str]] = defaultdict(list)
        for r in self.db.query("select doc_id, annotator from assignments order by doc_id, annotator"):
            out[r["doc_id"]].append(r["annotator"])
        return dict(out)

    def add_assignments(self, pairs: Iterable[tuple[str, str]], by: str = "assign") -> int:
        """Assign (doc_id, annotator) pairs (existing ones are kept); one event; returns how many were new."""
        pairs = list(dict.fromkeys(pairs))
        with self._write():
            added = []
            for doc_id, name in pairs:
                cur = self.db.execute("insert or ignore into assignments (doc_id, annotator, assigned) values (?, ?, ?)",
                                      [doc_id, name, now()])
                if cur.rowcount:
                    added.append([doc_id, name])
            if added:
                self._event(by, None, Action.ASSIGN, {"assignments": added})
        return len(added)

    def assigned_documents(self, annotator: str) -> list[str]:
        """Ids of the documents assigned to an annotator, in document order."""
        return [r[0] for r in self.db.execute(
            "select a.doc_id from assignments a join documents d on d.id = a.doc_id "
            "where a.annotator = ? order by d.position", [annotator])]

    # --- the annotator's queue (ordered by annotate/queue.py) and the document list ------
    # "Usable" documents are those the readers accept (_USABLE_DOC), found through the partial
    # indexes of version 5, so none of these reads every document.

    def queue_start(self) -> tuple[str, int]:
        """(a time stamp, the highest usable position): what a session's queue is a snapshot of.
        Every status and assignment written before this call is stamped at or before the stamp,
        every one written after it later (it waits for the clock to move on, under a millisecond)."""
        row = self.db.execute(f"select max(position) from documents where {_USABLE_DOC}").fetchone()
        stamp = now()
        while now() == stamp:
            time.sleep(0.0002)
        return stamp, row[0] or 0

    def usable_count(self, above: int | None = None, below: int | None = None) -> int:
        """How many usable documents have ``above < position < below`` (either bound may be left out)."""
        sql, params = f"select count(*) from documents where {_USABLE_DOC}", []
        if above is not None:
            sql, params = sql + " and position > ?", params + [above]
        if below is not None:
            sql, params = sql + " and position < ?", params + [below]
        return self.db.execute(sql, params).fetchone()[0]

    def usable_positions(self, start: int, limit: int, offset: int = 0) -> list[tuple[int, str]]:
        """(position, id) of usable documents from ``start`` on, in order (skipping ``offset`` of them)."""
        return [(r[0], r[1]) for r in self.db.execute(
            f"select position, id from documents where {_USABLE_DOC} and position >= ? order by position "
            "limit ? offset ?", [start, limit, offset])]

    def usable_sample(self, every: int, up_to: int) -> list[int]:
        """The positions of the 0th, every-th, 2·every-th… usable document with position ≤ ``up_to``
        (one pass over an index: a sparse index for counting by position)."""
        (joined,) = self.db.execute(
            f"select group_concat(position) from (select position from documents where {_USABLE_DOC} "
            "and position <= ? order by position)", [up_to]).fetchone()
        return _ints(joined)[::every]

    def document_ids_at(self, positions: list[int]) -> list[tuple[int, str]]:
        """(position, id) of the usable documents at these positions."""
        return [(r[0], r[1]) for r in self.db.execute(
            "with wanted(position) as (select value from json_each(?)) "
            f"select d.position, d.id from wanted cross join documents d on d.position = wanted.position and {_USABLE_DOC}",
            [json.dumps(list(positions))])]

    def document_position(self, doc_id: str) -> int | None:
        """The position of a usable document (None for an unknown or unusable one)."""
        row = self.db.execute(f"select position from documents where {_USABLE_DOC} and id = ?", [doc_id]).fetchone()
        return row[0] if row else None

    _FINISHED_BY = f"s.layer = ? and s.status in {sql_strings(FINISHED_STATUSES)} and s.updated <= ?"

    def queue_assigned_positions(self, annotator: str, before: str, up_to: int) -> list[int]:
        """Positions (sorted) of the usable documents up to ``up_to`` assigned to the annotator before
        ``before`` and not finished by then (done, skipped or rejected)."""
        (joined,) = self.db.execute(
            f"select group_concat(position) from (select d.position from assignments a join documents d indexed by "
            f"documents_usable_id on d.id = a.doc_id and {_USABLE_DOC} where a.annotator = ? and a.assigned <= ? "
            "and d.position <= ? and not exists (select 1 from doc_status s where s.doc_id = a.doc_id and "
            f"{self._FINISHED_BY}) order by d.position)", [annotator, before, up_to, annotator, before]).fetchone()
        return _ints(joined)

    def queue_finished_positions(self, annotator: str, before: str, up_to: int) -> list[int]:
        """Positions (sorted) of the usable documents up to ``up_to`` the annotator finished before ``before``."""
        (joined,) = self.db.execute(
            f"select group_concat(position) from (select d.position from doc_status s join documents d indexed by "
            f"documents_usable_id on d.id = s.doc_id and {_USABLE_DOC} where {self._FINISHED_BY} "
            "and d.position <= ? order by d.position)", [annotator, before, up_to]).fetchone()
        return _ints(joined)

    def queue_counts(self, annotator: str, before: str, up_to: int, position: int) -> dict[str, int]:
        """In one pass over the annotator's statuses: how many usable documents up to ``up_to`` were
        finished before ``before`` (``finished``), how many of those come before ``position``
        (``finished_before``), whether the one at ``position`` is one (``is_finished``), and how
        many are done now (``done``)."""
        f = f"s.status in {sql_strings(FINISHED_STATUSES)} and s.updated <= :before"
        row = self.db.execute(
            f"select count(*) filter (where {f} and d.position <= :up_to), count(*) filter (where {f} and d.position "
            f"< :position), count(*) filter (where {f} and d.position = :position), count(*) filter (where s.status "
            f"= '{DONE}') from doc_status s join documents d indexed by documents_usable_id on d.id = s.doc_id and "
            f"{_USABLE_DOC} where s.layer = :layer",
            {"up_to": up_to, "position": position, "before": before, "layer": annotator}).fetchone()
        return {"finished": row[0], "finished_before": row[1], "is_finished": row[2], DONE: row[3]}

    def status_positions(self, annotator: str) -> dict[int, str]:
        """position -> status of every usable document the annotator has a status for."""
        out: dict[int, str] = {}
        for status, joined in self.db.execute(
                f"select s.status, group_concat(d.position) from doc_status s join documents d indexed by "
                f"documents_usable_id on d.id = s.doc_id and {_USABLE_DOC} where s.layer = ? group by s.status",
                [annotator]):
            out.update(dict.fromkeys(_ints(joined), status))
        return out

    def statuses_at(self, annotator: str, positions: list[int]) -> dict[int, str]:
        """position -> status of the documents at these positions that have one for the annotator."""
        return {r[0]: r[1] for r in self.db.execute(
            "with wanted(position) as (select value from json_each(?)) "
            "select d.position, s.status from wanted cross join documents d on d.position = wanted.position "
            f"and {_USABLE_DOC} cross join doc_status s on s.doc_id = d.id and s.layer = ?",
            [json.dumps(list(positions)), annotator])}

    def status_count(self, annotator: str, status: str) -> int:
        """How many usable documents have this status for the annotator."""
        return self.db.execute(
            f"select count(*) from doc_status s join documents d indexed by documents_usable_id on d.id = s.doc_id and {_USABLE_DOC} "
            "where s.layer = ? and s.status = ?", [annotator, status]).fetchone()[0]

    def status(self, annotator: str, doc_id: str) -> str | None:
        """The annotator's status of one document (None: not started)."""
        row = self.db.execute("select status from doc_status where doc_id = ? and layer = ?",
                              [doc_id, annotator]).fetchone()
        return row[0] if row else None

    def document_list_rows(self, annotator: str, positions: list[int]) -> dict[int, dict]:
        """For the document list: per position, the document's id, title (its meta title, else its
        text), status and assignment for the annotator, and how many of its items the annotator
        sees in each state — as :func:`annotator.annotate.decisions.visible_items` would show them
        (undecided suggestions, one per value, and the layer's accepted and rejected items)."""
        if not positions:
            return {}
        rows = self.db.execute(f"""
            with page(position) as (select value from json_each(?))
            select d.position, d.id, json_extract(d.meta, '$.title'), substr(d.text, 1, 300),
                   (select status from doc_status s where s.doc_id = d.id and s.layer = :layer),
                   exists (select 1 from assignments a where a.doc_id = d.id and a.annotator = :layer),
                   (select count(*) from annotations a where a.doc_id = d.id and a.layer = :layer
                        and ifnull(a.status, '') = '{REJECTED}'),
                   (select count(*) from annotations a where a.doc_id = d.id and a.layer = :layer
                        and ifnull(a.status, '') != '{REJECTED}'),
                   (select count(distinct s.kind || char(31) || s.start || char(31) || s.end || char(31) || s.label
                           || char(31) || case when s.kind = 'stance' then ifnull(json_extract(s.attrs, '$.target.start'), '')
                           || ',' || ifnull(json_extract(s.attrs, '$.target.end'), '') else '' end)
                    from suggestions s where s.doc_id = d.id
                    and not exists (select 1 from annotations a where a.doc_id = s.doc_id and a.layer = :layer
                                    and a.suggestion_id = s.id)
                    and not exists (select 1 from annotations a where a.doc_id = s.doc_id and a.layer = :layer
                                    and a.kind = s.kind and a.start = s.start and a.end = s.end and a.label = s.label
                                    and (s.kind != 'stance' or (
                                        json_extract(a.attrs, '$.target.start') is json_extract(s.attrs, '$.target.start')
                                        and json_extract(a.attrs, '$.target.end') is json_extract(s.attrs, '$.target.end')))))
            from page cross join documents d on d.position = page.position and {_USABLE_DOC}
            """.replace("?", ":positions", 1), {"positions": json.dumps(positions), "layer": annotator})
        out = {}
        for position, doc_id, title, text, status, assigned, rejected, accepted, undecided in rows:
            out[position] = {"doc_id": doc_id, "title": str(title) if title else text, "status": status or TODO,
                             "assigned": bool(assigned),
                             "counts": {SUGGESTED: undecided, ACCEPTED: accepted, REJECTED: rejected}}
        return out

    MERGE_TABLES = ("documents", "suggestions", "suggester_runs", "annotations", "doc_status", "annotators",
                    "assignments", "events")

    MERGE_BATCH = 2000  # rows of another database read (and written) per round by merge

    def merge_columns(self) -> dict[str, list[str]]:
        """The columns merge reads of each data table, once the tables are checked.

        Only real tables are read, and only the columns annotator creates (extra columns
        added by hand are left behind): a data table that is a view or a virtual table, or
        lacks a column, is an AnnotatorError naming it, so a hostile file (a recursive view,
        say) cannot make a merge run forever.
        """
        found = {r[0]: (r[1], r[2] or "") for r in self.db.execute(
            f"select name, type, sql from sqlite_master where name in ({','.join('?' * len(self.MERGE_TABLES))})",
            list(self.MERGE_TABLES))}
        for table, wanted in data_columns().items():
            kind, sql = found.get(table, ("missing", ""))
            plain = kind == "table" and not sql.lstrip().upper().startswith("CREATE VIRTUAL") \
                and "WITHOUT ROWID" not in " ".join(sql.upper().split())
            if not plain:
                what = "is missing" if kind == "missing" else f"is a {'special table' if kind == 'table' else kind}"
                raise AnnotatorError(f"data table {table!r} {what}, not a plain table", self.path)
            have = {r[1] for r in self.db.execute(f"PRAGMA table_info([{table}])")}
            missing = [c for c in wanted if c not in have]
            if missing:
                raise AnnotatorError(f"table {table!r} lacks column {missing[0]!r}", self.path)
        return data_columns()

    def dump_rows(self) -> dict[str, list[dict]]:
        """Every row of every data table, as plain dicts (checked as :meth:`merge_columns` does; small
        databases only: merge reads with :meth:`merge_batches`)."""
        return {table: list(self.db.query(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}] order by rowid"))
                for table, cols in self.merge_columns().items()}

    def merge_batches(self, table: str, order: str = "rowid") -> Iterator[list[dict]]:
        """A data table's rows (merge's columns) a batch at a time, never more in memory.

        ``order``: "rowid" (as stored), "position" (documents in import order), or "doc_id" (by document;
        a document's rows are never split across batches). Call :meth:`merge_columns` first."""
        if table not in self.MERGE_TABLES:
            raise ValueError(table)
        sort = {"rowid": "rowid", "position": "coalesce(position, 0), rowid", "doc_id": "doc_id, rowid"}[order]
        keys = self.db.execute(f"select rowid, {'doc_id' if order == 'doc_id' else 'null'} from [{table}] "
                               f"order by {sort}")
        cols = ", ".join(f"[{c}]" for c in data_columns()[table])
        carry: list[tuple] = []
        while True:
            chunk = keys.fetchmany(self.MERGE_BATCH)
            if not chunk:
                if carry:
                    yield self._rows_at(table, cols, carry)
                return
            chunk = carry + chunk
            cut = len(chunk)
            if order == "doc_id":  # keep the last document's rows for the next batch, whole
                while cut > 0 and chunk[cut - 1][1] == chunk[-1][1]:
                    cut -= 1
                if cut == 0:  # one document's rows fill the batch: read on
                    carry = chunk
                    continue
            chunk, carry = chunk[:cut], chunk[cut:]
            yield self._rows_at(table, cols, chunk)

    def _rows_at(self, table: str, cols: str, keys: list[tuple]) -> list[dict]:
        """Rows by rowid (the first item of each key), in the keys' order."""
        rows = {r["_rowid"]: r for r in self.db.query(
            f"select rowid as _rowid, {cols} from [{table}] where rowid in ({','.join('?' * len(keys))})",
            [k[0] for k in keys])}
        out = []
        for k in keys:
            row = rows[k[0]]
            del row["_rowid"]
            out.append(row)
        return out

    def merge_text_lengths(self, doc_ids: Iterable[str]) -> dict[str, int]:
        """{id: length of the text in characters} of those of these documents that exist (texts that are not
        text are left out)."""
        ids = list(set(doc_ids))
        found = self.db.execute(f"select id, text from documents where id in ({','.join('?' * len(ids))})", ids)
        return {doc_id: len(text) for doc_id, text in found if isinstance(text, str)}

    def merge_existing(self, table: str, column: str, values: Iterable) -> set:
        """Which of these values a key column of a data table already holds."""
        if table not in self.MERGE_TABLES or column not in data_columns()[table]:
            raise ValueError((table, column))
        values = list(set(values))
        return {r[0] for r in self.db.execute(
            f"select [{column}] from [{table}] where [{column}] in ({','.join('?' * len(values))})", values)}

    def merge_document_rows(self, table: str, doc_ids: Iterable[str | None], columns: Iterable[str] | None = None
                            ) -> list[dict]:
        """The rows of a data table on these documents (None: rows on no document), as stored."""
        if table not in self.MERGE_TABLES or table == "documents":
            raise ValueError(table)
        wanted = list(columns or data_columns()[table])
        doc_ids = set(doc_ids)
        ids = [d for d in doc_ids if d is not None]
        where = f"doc_id in ({','.join('?' * len(ids))})" + (" or doc_id is null" if None in doc_ids else "")
        return list(self.db.query(f"select {', '.join(f'[{c}]' for c in wanted)} from [{table}] where {where} "
                                  "order by rowid", ids))

    def merge_last_position(self) -> int:
        """The highest document position (0 with none)."""
        return self.db.execute("select coalesce(max(position), 0) from documents").fetchone()[0]

    def merge_max_rowid(self, table: str) -> int:
        """The highest rowid of a data table (0 when empty): merge's mark of which rows came later."""
        if table not in self.MERGE_TABLES:
            raise ValueError(table)
        return self.db.execute(f"select coalesce(max(rowid), 0) from [{table}]").fetchone()[0]

    def insert_rows(self, table: str, rows: list[dict]) -> int:
        """Insert rows as they are (merge); call inside :meth:`transaction`. Rows must not exist yet."""
        if table not in self.MERGE_TABLES:
            raise ValueError(table)
        if rows:
            cols = [c for c in data_columns()[table] if c in rows[0]]
            self.db.conn.executemany(
                f"insert into [{table}] ({', '.join(f'[{c}]' for c in cols)}) values ({', '.join('?' * len(cols))})",
                [[r[c] for c in cols] for r in rows])
        return len(rows)

    def apply_review(self, reviewer: str, doc_id: str, action: str,
                     changes: list[tuple[Annotation | None, Annotation | None]], **extra) -> int:
        """Like :meth:`apply` for the review layer: the event names the reviewer, whose own layer is untouched."""
        for before, after in changes:
            for ann in (before, after):
                if ann is not None and ann.layer != REVIEW_LAYER:
                    raise AnnotatorError(f"review writes only the review layer, not {ann.layer!r}")
        with self._write():
            event_id = self._decide(reviewer, doc_id, action, changes, {"layer": REVIEW_LAYER, **extra})
            self._ensure_status(doc_id, REVIEW_LAYER)
        return event_id

    def set_review_status(self, reviewer: str, doc_id: str, status: str) -> None:
        """Mark a document's review done / in progress (an event by the reviewer)."""
        if status not in DOC_STATUSES:
            raise AnnotatorError(f"unknown document status {status!r}")
        with self._write():
            self._put_status(doc_id, REVIEW_LAYER, status)
            self._event(reviewer, doc_id, Action.REVIEW_STATUS, {"status": status, "layer": REVIEW_LAYER})

    def cursor(self, annotator: str, doc_id: str) -> dict:
        """The cursor the annotator last saved on this document ({} when none) — for the TUI."""
        row = self.db.execute("select cursor from cursors where annotator = ? and doc_id = ?",
                              [annotator, doc_id]).fetchone()
        if not row or not row[0]:
            return {}
        try:
            return validate.json_object(row[0], "cursor")
        except validate.Invalid as exc:
            self._skip("cursors", f"({annotator}, {doc_id})", exc)
            return {}

    def replace_suggestions_many(self, items: Iterable[tuple[str, str, str, Iterable]]) -> int:
        """replace_suggestions for many (doc_id, suggester, version, proposals) in one transaction (suggest)."""
        with self._write():
            return sum(self.replace_suggestions(*item) for item in items)

    # --- serve: private links (issue 15.1); the tokens themselves are never stored ----

    def put_link(self, role: str, name: str, token_sha256: str) -> None:
        """Store (or replace) the link of `name` in `role` ('annotate' or 'review') by its token's hash."""
        with self._write():
            self.db["serve_links"].upsert({"role": role, "name": name, "token_sha256": token_sha256,
                                           "created": now()}, pk=("role", "name"))

    def link_by_hash(self, token_sha256: str) -> tuple[str, str] | None:
        """(role, name) of the link whose token hashes to `token_sha256`, or None."""
        row = self.db.execute("select role, name from serve_links where token_sha256 = ?", [token_sha256]).fetchone()
        return (row[0], row[1]) if row else None

    def links(self) -> list[dict]:
        """Every live link: role, name, created (no hashes)."""
        return [dict(r) for r in self.db.query("select role, name, created from serve_links order by name, role")]

    def revoke_links(self, name: str, role: str | None = None) -> int:
        """Delete `name`'s links (in one role, or all); returns how many there were."""
        sql, params = "delete from serve_links where name = ?", [name]
        if role is not None:
            sql, params = sql + " and role = ?", params + [role]
        with self._write():
            return self.db.execute(sql, params).rowcount

    # --- teams: streaming reads for agreement and review, the reviewer's position (issues 14.5, 15) ---
    # Self-contained on purpose: agreement and the review queue read only what they need, in
    # document-id order, one row at a time, so memory does not grow with the corpus.

    def accepted_rows(self, layers: Iterable[str]) -> Iterator[tuple]:
        """Accepted items of the given layers, ordered by document id, as plain tuples:

        (doc_id, layer, label, kind, start, end, target_start, target_end, speaker_start,
        speaker_end, speaker, id, ok). The target is a stance's; the speaker a claim's: a span
        (its offsets) or a plain string (AUTHOR, UNNAMED, a name). ``ok`` is 0 for a row that
        breaks an invariant these columns show (see :data:`ITEM_ROW_OK`): pass its id to
        :meth:`skip_item` instead of using it. Rows with another status than accepted or
        rejected come too (with ok 0), so they are named rather than silently left out.
        """
        layers = list(layers)
        marks = ",".join("?" * len(layers))
        sql = f"""
            select a.doc_id, a.layer, a.label, a.kind, a.start, a.end,
                   case when a.kind = 'stance' and json_valid(a.attrs) then json_extract(a.attrs, '$.target.start') end,
                   case when a.kind = 'stance' and json_valid(a.attrs) then json_extract(a.attrs, '$.target.end') end,
                   case when a.kind = 'claim' and json_valid(a.attrs) then json_extract(a.attrs, '$.speaker.start') end,
                   case when a.kind = 'claim' and json_valid(a.attrs) then json_extract(a.attrs, '$.speaker.end') end,
                   case when a.kind = 'claim' and json_valid(a.attrs) then json_extract(a.attrs, '$.speaker') end,
                   a.id, {ITEM_ROW_OK}
            from annotations a
            where +a.layer in ({marks}) and a.status is not '{REJECTED}'
            order by a.doc_id, a.layer"""  # "+a.layer": walk the (doc_id, layer) index instead of sorting
        return self.db.execute(sql, [LABEL_CONTROL_GLOB, *layers])  # the cursor itself: no Python frame per row

    def skip_item(self, item_id: str) -> bool:
        """Name an annotations row that breaks an invariant in :attr:`bad_rows` (the validator says
        why); False, so ``[r for r in rows if ok or store.skip_item(id)]`` leaves it out."""
        row = self.db.execute("select * from annotations where id = ?", [item_id]).fetchone()
        if row is not None:
            columns = [d[0] for d in self.db.execute("select * from annotations limit 0").description]
            self._read_items("annotations", [dict(zip(columns, row))], _row_to_annotation)
        return False

    def layer_documents(self, layers: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        """(doc_id, layer, status) of every document the given layers have a status on, by document id."""
        layers = list(layers)
        return self.db.execute(
            f"select doc_id, layer, status from doc_status where layer in ({','.join('?' * len(layers))}) "
            "order by doc_id, layer", layers)

    def document_lengths(self) -> Iterator[tuple[str, int]]:
        """(id, length of the text in characters) of every document, by id."""
        return self.db.execute("select id, length(text) from documents order by id")

    def layer_items_by_document(self, layers: Iterable[str]) -> Iterator[tuple[str, dict[str, list[Annotation]]]]:
        """(doc_id, {layer: its items there}) for every document some of the layers have items on,
        in import order, one document at a time (accepted and rejected items)."""
        layers = list(layers)
        rows = self.db.query(
            f"select a.* from annotations a join documents d on d.id = a.doc_id "
            f"where a.layer in ({','.join('?' * len(layers))}) order by d.position, a.start, a.end", layers)
        current, group = None, {}
        for row in rows:
            if row["doc_id"] != current:
                if current is not None:
                    yield current, group
                current, group = row["doc_id"], {}
            for ann in self._read_items("annotations", [row], _row_to_annotation):  # a bad row is skipped, named
                group.setdefault(row["layer"], []).append(ann)
        if current is not None:
            yield current, group

    def labels_in_layers(self, layers: Iterable[str], kind: str) -> list[str]:
        """The labels the given layers use for items of one kind (sorted)."""
        layers = list(layers)
        return [r[0] for r in self.db.execute(
            f"select distinct label from annotations where kind = ? and layer in ({','.join('?' * len(layers))}) "
            "order by label", [kind, *layers])]

    def save_review_position(self, reviewer: str, doc_id: str, cursor: dict) -> None:
        """Remember where a reviewer is (document and row), to resume there."""
        value = json.dumps({"doc_id": doc_id, "cursor": cursor, "time": now()}, ensure_ascii=False)
        with self._write():
            self.db.execute("insert or replace into annotator_meta (key, value) values (?, ?)",
                            [f"review_position:{reviewer}", value])

    def review_position(self, reviewer: str) -> tuple[str | None, dict]:
        """(document id, cursor) where the reviewer last was; (None, {}) when never."""
        row = self.db.execute("select value from annotator_meta where key = ?",
                              [f"review_position:{reviewer}"]).fetchone()
        if not row:
            return None, {}
        try:
            data = json.loads(row[0])
            return data.get("doc_id"), dict(data.get("cursor") or {})
        except (ValueError, TypeError, AttributeError):
            return None, {}


for _name, _method in list(vars(Store).items()):  # every public method speaks for its sqlite3 errors
    if not _name.startswith("_") and callable(_method) and _name != "transaction":
        setattr(Store, _name, _translating(_method))
