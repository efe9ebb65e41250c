"""The SQLite store: the only module that speaks SQL.

One file holds documents, suggestions, one annotation layer per annotator, the
``review`` layer, per-annotator document status and an append-only ``events`` log.
Every decision writes its event and the new state in one transaction.
The file is an ordinary SQLite database (WAL mode, JSON columns hold valid JSON).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

import sqlite_utils

from annotator.errors import AnnotatorError
from annotator.model import (
    ACCEPTED,
    Annotation,
    Document,
    Suggestion,
    Value,
    new_id,
    value_from_record,
    value_to_record,
)

SCHEMA_VERSION = 1
BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"
DONE, IN_PROGRESS, SKIPPED, REJECTED_DOC = "done", "in_progress", "skipped", "rejected"
DOC_STATUSES = (DONE, IN_PROGRESS, SKIPPED, REJECTED_DOC)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


@dataclass
class ImportRecord:
    """One document to import, with the items of one layer (may be empty)."""

    document: Document
    layer: str | None = None
    values: list[Value] = field(default_factory=list)
    status: str | None = None


@dataclass
class ImportResult:
    documents_added: int = 0
    documents_existing: int = 0
    annotations_added: int = 0
    annotations_existing: int = 0
    layers: Counter = field(default_factory=Counter)


@dataclass(frozen=True)
class Event:
    id: int
    time: str
    annotator: str
    doc_id: str | None
    action: str
    payload: dict


def _create_v1(db: sqlite_utils.Database) -> None:
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


# Index i holds the step from version i to i + 1.
MIGRATIONS = [_create_v1]


def _row_to_annotation(row: dict) -> Annotation:
    value = value_from_record({**row, "attrs": json.loads(row["attrs"] or "{}")})
    return Annotation(row["id"], row["doc_id"], row["layer"], value, row["status"],
                      row["suggestion_id"], row["origin"])


def _annotation_to_row(ann: Annotation) -> dict:
    rec = value_to_record(ann.value)
    rec["attrs"] = json.dumps(rec["attrs"], ensure_ascii=False)
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
    if rec is None:
        return None
    return Annotation(rec["id"], rec["doc_id"], rec["layer"], value_from_record(rec), rec["status"],
                      rec.get("suggestion_id"), rec.get("origin") or "manual")


def _row_to_suggestion(row: dict) -> Suggestion:
    value = value_from_record({**row, "attrs": json.loads(row["attrs"] or "{}")})
    return Suggestion(row["id"], row["doc_id"], row["suggester"], row["version"], row["rule"] or "",
                      row["score"] if row["score"] is not None else 1.0, value)


def _row_to_document(row: dict) -> Document:
    return Document(row["id"], row["text"], json.loads(row["meta"] or "{}"))


class Store:
    """An open annotator database."""

    def __init__(self, path: str | Path, *, create: bool = True):
        self.path = Path(path)
        if not self.path.exists():
            if not create:
                raise AnnotatorError("no such database (import some documents first)", self.path)
        elif self.path.is_dir():
            raise AnnotatorError("is a directory, not a database file", self.path)
        else:
            with open(self.path, "rb") as fh:
                head = fh.read(16)
            if head and head != SQLITE_MAGIC:
                raise AnnotatorError("not an SQLite database", self.path)
        try:
            self.db = sqlite_utils.Database(self.path)
            self.db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise AnnotatorError(f"cannot open database: {exc}", self.path) from None

    # --- lifecycle -------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _migrate(self) -> None:
        tables = set(self.db.table_names())
        if tables and "annotator_meta" not in tables:
            raise AnnotatorError("is an SQLite database, but not an annotator database", self.path)
        version = 0
        if "annotator_meta" in tables:
            row = self.db.execute("select value from annotator_meta where key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
        if version > SCHEMA_VERSION:
            raise AnnotatorError(
                f"was written by a newer annotator (database version {version}, this program knows "
                f"up to {SCHEMA_VERSION}); upgrade annotator to open it", self.path)
        if self.db.journal_mode != "wal":
            self.db.enable_wal()
        if version == SCHEMA_VERSION:
            return
        with self._write():
            self.db["annotator_meta"].create({"key": str, "value": str}, pk="key", if_not_exists=True)
            for step in MIGRATIONS[version:]:
                step(self.db)
            self.db["annotator_meta"].upsert({"key": "schema_version", "value": str(SCHEMA_VERSION)}, pk="key")

    @contextmanager
    def _write(self) -> Iterator[None]:
        """One write transaction; BEGIN IMMEDIATE so concurrent writers wait instead of failing.

        Inside an open transaction it joins that one, so writes compose (the outer one commits)."""
        if self.db.conn.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            if self.db.conn.in_transaction:
                self.db.conn.execute("ROLLBACK")
            raise
        else:
            self.db.conn.execute("COMMIT")

    @property
    def version(self) -> int:
        return int(self.db.execute("select value from annotator_meta where key='schema_version'").fetchone()[0])

    def _event(self, annotator: str, doc_id: str | None, action: str, payload: dict) -> int:
        cur = self.db.execute(
            "insert into events (time, annotator, doc_id, action, payload) values (?, ?, ?, ?, ?)",
            [now(), annotator, doc_id, action, json.dumps(payload, ensure_ascii=False)])
        return cur.lastrowid

    def _ensure_status(self, doc_id: str, layer: str) -> None:
        """The layer has seen the document: in progress, unless it already has a status."""
        self.db.execute("insert or ignore into doc_status (doc_id, layer, status, updated) values (?, ?, ?, ?)",
                        [doc_id, layer, IN_PROGRESS, now()])

    def _put_status(self, doc_id: str, layer: str, status: str) -> None:
        self.db["doc_status"].upsert({"doc_id": doc_id, "layer": layer, "status": status, "updated": now()},
                                     pk=("doc_id", "layer"))

    # --- documents -------------------------------------------------------------------

    def import_records(self, records: Iterable[ImportRecord], annotator: str = "import") -> ImportResult:
        """Add documents and their layer items in one transaction (all or nothing).

        The same text is one document; an item already present in its layer is not added twice.
        """
        result = ImportResult()
        with self._write():
            position = self.db.execute("select coalesce(max(position), 0) from documents").fetchone()[0]
            new_docs: dict[str, dict] = {}
            existing_ids: set[str] = set()
            records = list(records)
            ids = list({r.document.id for r in records})
            for chunk in range(0, len(ids), 500):
                part = ids[chunk:chunk + 500]
                existing_ids.update(row[0] for row in self.db.execute(
                    f"select id from documents where id in ({','.join('?' * len(part))})", part))
            for rec in records:
                doc = rec.document
                if doc.id in existing_ids or doc.id in new_docs:
                    result.documents_existing += 1
                    continue
                position += 1
                new_docs[doc.id] = {"id": doc.id, "text": doc.text, "meta": json.dumps(doc.meta, ensure_ascii=False),
                                    "position": position, "added": now()}
            if new_docs:
                self.db["documents"].insert_all(new_docs.values(), batch_size=500)
                result.documents_added = len(new_docs)
            rows, statuses, events = [], [], []
            have: dict[tuple[str, str], set] = {}
            for rec in records:
                if not rec.layer:
                    continue
                key = (rec.document.id, rec.layer)
                if key not in have:
                    have[key] = {a.value.key for a in self.items(*key)} if rec.document.id in existing_ids else set()
                added = 0
                for value in rec.values:
                    if value.key in have[key]:
                        result.annotations_existing += 1
                        continue
                    have[key].add(value.key)
                    rows.append(_annotation_to_row(Annotation(new_id(), rec.document.id, rec.layer, value,
                                                              ACCEPTED, None, "import")))
                    added += 1
                result.annotations_added += added
                result.layers[rec.layer] += added
                if rec.status:
                    statuses.append({"doc_id": rec.document.id, "layer": rec.layer, "status": rec.status,
                                     "updated": now()})
                else:  # the layer saw the document; an existing status is kept
                    self._ensure_status(rec.document.id, rec.layer)
                if added or rec.status:
                    events.append({"time": now(), "annotator": annotator, "doc_id": rec.document.id,
                                   "action": "import", "payload": json.dumps(
                                       {"layer": rec.layer, "added": added, "status": rec.status})})
            if rows:
                self.db["annotations"].insert_all(rows, batch_size=500)
            if statuses:
                self.db["doc_status"].upsert_all(statuses, pk=("doc_id", "layer"))
            if events:
                self.db["events"].insert_all(events, batch_size=500)
        return result

    def documents(self, ids: Iterable[str] | None = None) -> list[Document]:
        """All documents in import order (or just those with the given ids, in that order)."""
        if ids is None:
            return [_row_to_document(r) for r in self.db.query("select * from documents order by position")]
        return [d for d in (self.document(i) for i in ids) if d is not None]

    def document(self, doc_id: str) -> Document | None:
        rows = list(self.db.query("select * from documents where id = ?", [doc_id]))
        return _row_to_document(rows[0]) if rows else None

    def document_ids(self) -> list[str]:
        return [r[0] for r in self.db.execute("select id from documents order by position")]

    def count_documents(self) -> int:
        return self.db.execute("select count(*) from documents").fetchone()[0]

    # --- suggestions -----------------------------------------------------------------

    def replace_suggestions(self, doc_id: str, suggester: str, version: str,
                            proposals: Iterable[tuple[Value, str, float]]) -> int:
        """Store a suggester's proposals (value, rule, score) for a document, replacing its older ones."""
        rows: dict[str, dict] = {}
        for value, rule, score in proposals:
            rec = value_to_record(value)
            rec["attrs"] = json.dumps(rec["attrs"], ensure_ascii=False, sort_keys=True)
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
            self._put_status(doc_id, f"suggester:{suggester}", version)
        return len(rows)

    def suggestions(self, doc_id: str | None = None) -> list[Suggestion]:
        if doc_id is None:
            rows = self.db.query("select * from suggestions order by doc_id, start, end")
        else:
            rows = self.db.query("select * from suggestions where doc_id = ? order by start, end", [doc_id])
        return [_row_to_suggestion(r) for r in rows]

    def documents_lacking(self, versions: dict[str, str]) -> list[str]:
        """Ids of documents without suggestions from every given suggester at its version."""
        done: Counter = Counter()
        for name, version in versions.items():
            for (doc_id,) in self.db.execute("select doc_id from doc_status where layer = ? and status = ?",
                                             [f"suggester:{name}", version]):
                done[doc_id] += 1
        return [i for i in self.document_ids() if done[i] < len(versions)]

    # --- layers ----------------------------------------------------------------------

    def items(self, doc_id: str, layer: str) -> list[Annotation]:
        """Every item (accepted and rejected) of one layer on one document."""
        rows = self.db.query("select * from annotations where doc_id = ? and layer = ? order by start, end",
                             [doc_id, layer])
        return [_row_to_annotation(r) for r in rows]

    def layer_items(self, layer: str) -> dict[str, list[Annotation]]:
        out: dict[str, list[Annotation]] = defaultdict(list)
        for r in self.db.query("select * from annotations where layer = ? order by doc_id, start, end", [layer]):
            out[r["doc_id"]].append(_row_to_annotation(r))
        return dict(out)

    def layers(self) -> list[str]:
        names = {r[0] for r in self.db.execute("select distinct layer from annotations")}
        names |= {r[0] for r in self.db.execute("select distinct layer from doc_status where layer not like 'suggester:%'")}
        return sorted(names)

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
                self.db["annotations"].upsert(_annotation_to_row(after), pk="id")

    def _touch(self, annotator: str, doc_id: str) -> None:
        self._ensure_status(doc_id, annotator)
        self.db["annotators"].upsert({"name": annotator, "last_doc": doc_id, "last_seen": now()}, pk="name")

    def _stacks(self, annotator: str, doc_id: str) -> tuple[list[Event], list[Event]]:
        """Replay a document's events into (undo stack, redo stack) of decision events."""
        done: list[Event] = []
        redo: list[Event] = []
        by_id: dict[int, Event] = {}
        for ev in self.events(doc_id=doc_id, annotator=annotator):
            by_id[ev.id] = ev
            if ev.action == "undo":
                if done and done[-1].id == ev.payload.get("undoes"):
                    redo.append(done.pop())
            elif ev.action == "redo":
                if redo and redo[-1].id == ev.payload.get("redoes"):
                    done.append(redo.pop())
            elif "changes" in ev.payload:
                done.append(ev)
                redo.clear()
        return done, redo

    def undo(self, annotator: str, doc_id: str) -> Event | None:
        """Undo the annotator's last decision on the document; returns the undone event."""
        with self._write():
            done, _ = self._stacks(annotator, doc_id)
            if not done:
                return None
            ev = done[-1]
            changes = [(annotation_from_record(a), annotation_from_record(b)) for b, a in reversed(ev.payload["changes"])]
            self._apply_changes(changes)
            self._event(annotator, doc_id, "undo", {"undoes": ev.id, "action": ev.action})
        return ev

    def redo(self, annotator: str, doc_id: str) -> Event | None:
        """Redo the decision most recently undone; returns the redone event."""
        with self._write():
            _, redo = self._stacks(annotator, doc_id)
            if not redo:
                return None
            ev = redo[-1]
            self._apply_changes([(annotation_from_record(b), annotation_from_record(a)) for b, a in ev.payload["changes"]])
            self._event(annotator, doc_id, "redo", {"redoes": ev.id, "action": ev.action})
        return ev

    # --- status and position ---------------------------------------------------------

    def set_status(self, annotator: str, doc_id: str, status: str) -> None:
        """Mark a document done / skipped / in progress for an annotator (an event too)."""
        if status not in DOC_STATUSES:
            raise AnnotatorError(f"unknown document status {status!r}")
        with self._write():
            self._put_status(doc_id, annotator, status)
            self._event(annotator, doc_id, "status", {"status": status})
            self.db["annotators"].upsert({"name": annotator, "last_doc": doc_id, "last_seen": now()}, pk="name")

    def statuses(self, layer: str) -> dict[str, str]:
        return {r["doc_id"]: r["status"] for r in self.db.query(
            "select doc_id, status from doc_status where layer = ?", [layer])}

    def save_cursor(self, annotator: str, doc_id: str, cursor: dict) -> None:
        """Remember where the annotator is (document and span), to resume there."""
        with self._write():
            self._touch(annotator, doc_id)
            self.db.execute("update doc_status set cursor = ? where doc_id = ? and layer = ?",
                            [json.dumps(cursor), doc_id, annotator])

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
        return [Event(r["id"], r["time"], r["annotator"], r["doc_id"], r["action"], json.loads(r["payload"]))
                for r in self.db.query(sql, params)]

    def annotators(self) -> list[str]:
        """Names of human layers (everything except review and suggester bookkeeping)."""
        return [name for name in self.layers() if name != "review"]

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
            out["layers"][layer] = {"done": statuses[DONE], "in_progress": statuses[IN_PROGRESS],
                                    "skipped": statuses[SKIPPED] + statuses[REJECTED_DOC],
                                    "rejected_suggestions": rejected, "items": labels}
        return out

    def rule_outcomes(self) -> list[dict]:
        """Per suggester, rule and label: how often it was suggested, and accepted as is, fixed or rejected.

        A decision counts for the suggestion it was made on (linked by suggestion id), in any layer.
        """
        rows = self.db.query("""
            select s.suggester, s.rule, s.label, count(distinct s.id) as suggested,
                   sum(case when a.status = 'accepted' and a.kind = s.kind and a.start = s.start
                            and a.end = s.end and a.label = s.label then 1 else 0 end) as accepted,
                   sum(case when a.status = 'accepted' and not (a.kind = s.kind and a.start = s.start
                            and a.end = s.end and a.label = s.label) then 1 else 0 end) as fixed,
                   sum(case when a.status = 'rejected' then 1 else 0 end) as rejected
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
                self._event(by, None, "assign", {"assignments": added})
        return len(added)

    def assigned_documents(self, annotator: str) -> list[str]:
        """Ids of the documents assigned to an annotator, in document order."""
        return [r[0] for r in self.db.execute(
            "select a.doc_id from assignments a join documents d on d.id = a.doc_id "
            "where a.annotator = ? order by d.position", [annotator])]

    MERGE_TABLES = ("documents", "suggestions", "annotations", "doc_status", "annotators", "assignments", "events")

    def dump_rows(self) -> dict[str, list[dict]]:
        """Every row of every data table, as plain dicts (for merging into another database)."""
        return {t: list(self.db.query(f"select * from [{t}] order by rowid")) for t in self.MERGE_TABLES}

    def insert_rows(self, table: str, rows: list[dict]) -> int:
        """Insert rows as they are (merge); call inside :meth:`transaction`. Rows must not exist yet."""
        if table not in self.MERGE_TABLES:
            raise ValueError(table)
        if rows:
            self.db[table].insert_all(rows)
        return len(rows)

    def apply_review(self, reviewer: str, doc_id: str, action: str,
                     changes: list[tuple[Annotation | None, Annotation | None]], **extra) -> int:
        """Like :meth:`apply` for the review layer: the event names the reviewer, whose own layer is untouched."""
        for before, after in changes:
            for ann in (before, after):
                if ann is not None and ann.layer != "review":
                    raise AnnotatorError(f"review writes only the review layer, not {ann.layer!r}")
        with self._write():
            event_id = self._decide(reviewer, doc_id, action, changes, {"layer": "review", **extra})
            self._ensure_status(doc_id, "review")
        return event_id

    def set_review_status(self, reviewer: str, doc_id: str, status: str) -> None:
        """Mark a document's review done / in progress (an event by the reviewer)."""
        if status not in DOC_STATUSES:
            raise AnnotatorError(f"unknown document status {status!r}")
        with self._write():
            self._put_status(doc_id, "review", status)
            self._event(reviewer, doc_id, "review_status", {"status": status, "layer": "review"})

    def cursor(self, annotator: str, doc_id: str) -> dict:
        """The cursor the annotator last saved on this document ({} when none) — for the TUI."""
        rows = list(self.db.query("select cursor from doc_status where doc_id = ? and layer = ?", [doc_id, annotator]))
        return json.loads(rows[0]["cursor"]) if rows and rows[0]["cursor"] else {}

    def replace_suggestions_many(self, items: Iterable[tuple[str, str, str, Iterable]]) -> int:
        """replace_suggestions for many (doc_id, suggester, version, proposals) in one transaction (suggest)."""
        with self._write():
            return sum(self.replace_suggestions(*item) for item in items)

    # --- teams: streaming reads for agreement and review, the reviewer's position (issues 14.5, 15) ---
    # Self-contained on purpose: agreement and the review queue read only what they need, in
    # document-id order, one row at a time, so memory does not grow with the corpus.

    def accepted_rows(self, layers: Iterable[str]) -> Iterator[tuple]:
        """Accepted items of the given layers, ordered by document id, as plain tuples:

        (doc_id, layer, label, kind, start, end, target_start, target_end, speaker_start,
        speaker_end, speaker). The target is a stance's; the speaker a claim's: a span (its
        offsets) or a plain string (AUTHOR, UNNAMED, a name).
        """
        layers = list(layers)
        marks = ",".join("?" * len(layers))
        sql = f"""
            select a.doc_id, a.layer, a.label, a.kind, a.start, a.end,
                   case when a.kind = 'stance' then json_extract(a.attrs, '$.target.start') end,
                   case when a.kind = 'stance' then json_extract(a.attrs, '$.target.end') end,
                   case when a.kind = 'claim' then json_extract(a.attrs, '$.speaker.start') end,
                   case when a.kind = 'claim' then json_extract(a.attrs, '$.speaker.end') end,
                   case when a.kind = 'claim' then json_extract(a.attrs, '$.speaker') end
            from annotations a
            where +a.layer in ({marks}) and a.status = '{ACCEPTED}'
            order by a.doc_id, a.layer"""  # "+a.layer": walk the (doc_id, layer) index instead of sorting
        return self.db.execute(sql, layers)  # the cursor itself: no Python frame per row

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
            group.setdefault(row["layer"], []).append(_row_to_annotation(row))
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
