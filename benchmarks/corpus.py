"""A synthetic corpus of N documents for the scale benchmarks, written straight into a database.

Each document is a short article (about 80 words, made from a fixed vocabulary, so every text
and its id differ) with a title and four suggested entities. One annotator, ``alice``, has
worked through part of it as a real one would: 1 % of the documents assigned to her, 30 %
done and 10 % in progress, two decisions (events and layer items) on each of those, and a
saved cursor. The rows are written in one transaction with plain SQL (the importer is measured
elsewhere); the file is a normal annotator database at the current schema version.
"""

from __future__ import annotations

import json
import random
import sqlite3
from pathlib import Path

WORDS = ("minister said the treaty would strengthen ties between the two countries while critics "
         "warned about costs sanctions troops trade talks officials parliament vote election court "
         "ruling police report market prices energy pipeline strike port workers union").split()
NAMES = [("Seoul", "GPE"), ("Moscow", "GPE"), ("Kim Jong Un", "PERSON"), ("the European Union", "ORG"),
         ("Tuesday", "DATE"), ("Brussels", "GPE"), ("Angela Merkel", "PERSON"), ("NATO", "ORG")]


def article(i: int, rng: random.Random) -> tuple[str, list[tuple[int, int, str]]]:
    parts, spans, pos = [f"Report {i}:"], [], len(f"Report {i}:")
    for n in range(80):
        if n % 20 == 5:
            name, label = rng.choice(NAMES)
            spans.append((pos + 1, pos + 1 + len(name), label))
            word = name
        else:
            word = rng.choice(WORDS)
        parts.append(word)
        pos += 1 + len(word)
    return " ".join(parts) + ".", spans


def build(path: Path, n: int, seed: int = 11) -> None:
    """Write a corpus of ``n`` documents into a new database at ``path``."""
    from annotator.model import Document
    from annotator.store import Store, now

    Store(path).close()  # the tables, at the current schema version
    rng = random.Random(seed)
    stamp = now()
    docs, suggestions, annotations, statuses, assignments, events, cursors = [], [], [], [], [], [], []
    last = None
    for i in range(1, n + 1):
        text, spans = article(i, rng)
        doc = Document.from_text(text)
        docs.append((doc.id, text, json.dumps({"title": f"Report {i}: {rng.choice(WORDS)} {rng.choice(WORDS)}"}),
                     i, stamp))
        sids = []
        for k, (s, e, label) in enumerate(spans):
            sid = f"{doc.id[:16]}s{k}"
            sids.append((sid, s, e, label))
            suggestions.append((sid, doc.id, "entities", "1", "ner", 0.9, "entity", s, e, label, "{}", stamp))
        roll = rng.random()
        if roll < 0.01:
            assignments.append((doc.id, "alice", stamp))
        if roll < 0.4:
            status = "done" if roll < 0.3 else "in_progress"
            statuses.append((doc.id, "alice", status, stamp))
            for k, (sid, s, e, label) in enumerate(sids[:2]):
                aid = f"{doc.id[:16]}a{k}"
                state = "accepted" if k == 0 else "rejected"
                annotations.append((aid, doc.id, "alice", "entity", s, e, label, "{}", state, sid, "suggestion", stamp))
                after = {"id": aid, "doc_id": doc.id, "layer": "alice", "kind": "entity", "start": s, "end": e,
                         "label": label, "attrs": {}, "status": state, "suggestion_id": sid, "origin": "suggestion"}
                events.append((stamp, "alice", doc.id, "accept" if k == 0 else "reject",
                               json.dumps({"changes": [[None, after]]})))
            last = doc.id
    conn = sqlite3.connect(path)
    with conn:
        conn.executemany("insert into documents (id, text, meta, position, added) values (?, ?, ?, ?, ?)", docs)
        conn.executemany("insert into suggestions (id, doc_id, suggester, version, rule, score, kind, start, end, "
                         "label, attrs, created) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", suggestions)
        conn.executemany("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, "
                         "suggestion_id, origin, updated) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", annotations)
        conn.executemany("insert into doc_status (doc_id, layer, status, updated) values (?, ?, ?, ?)", statuses)
        conn.executemany("insert into assignments (doc_id, annotator, assigned) values (?, ?, ?)", assignments)
        conn.executemany("insert into events (time, annotator, doc_id, action, payload) values (?, ?, ?, ?, ?)",
                         events)
        conn.execute("insert into doc_status (doc_id, layer, status, updated) select distinct doc_id, "
                     "'suggester:entities', '1', ? from suggestions", [stamp])
        if last is not None:
            conn.execute("insert into annotators (name, last_doc, last_seen) values ('alice', ?, ?)", [last, stamp])
            cursors.append(("alice", last, json.dumps({"start": 0}), stamp))
            conn.executemany("insert into cursors (annotator, doc_id, cursor, updated) values (?, ?, ?, ?)", cursors)
    conn.close()
