"""Worker processes and checks for tests/test_crash_and_concurrency.py.

Run as a script (the tests start it in a subprocess with this checkout on PYTHONPATH):

    python tests/helpers/crash_worker.py decide DB ANNOTATOR SEED
        Make random decisions through the same core code the TUI uses
        (annotator.annotate.decisions builds the changes; Store.apply / Store.undo /
        Store.set_status commit them) until killed or a deadline passes. Before each
        commit it prints ``I {intent}``; only after the commit has returned it prints
        ``A {ack}``. Every line is flushed at once, so a line on stdout means the
        process got that far.

    python tests/helpers/crash_worker.py write DB ANNOTATOR N GOFILE
        Wait for GOFILE, then make N decisions (accept an undecided suggestion, else
        create a span), each one ``Store.apply`` with ``seq=i`` in its event; every
        decision adds one item to the layer.

The module also holds what the tests share: building a database with suggestions,
parsing a worker's output, and a content signature of a database (ids and times left out).
"""

from __future__ import annotations

import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from annotator.annotate import decisions as D  # noqa: E402
from annotator.model import CLAIM, DONE, IN_PROGRESS, SKIPPED, Document, Span  # noqa: E402
from annotator.store import ImportRecord, Store, annotation_record  # noqa: E402

LABELS = ("PERSON", "ORG", "GPE", "NORP", "DATE", "EVENT")
WORDS = ("Moscow Pyongyang treaty Kremlin signed officials said the pact would deepen military cooperation "
         "while analysts warned about sanctions troops weapons and the war economy in Seoul").split()
DEADLINE_S = 60.0  # a worker never outlives this, whatever happens to the test


# --- setup -------------------------------------------------------------------------


def article(i: int, words: int = 80) -> str:
    rng = random.Random(i)
    sentences, cur = [], []
    for k in range(words):
        cur.append(rng.choice(WORDS))
        if k % 12 == 11:
            sentences.append(" ".join(cur).capitalize() + ".")
            cur = []
    if cur:
        sentences.append(" ".join(cur).capitalize() + ".")
    return f"Article {i}. " + " ".join(sentences)


def make_db(path: Path, docs: int = 6) -> list[str]:
    """A database with ``docs`` articles, each with entity and claim suggestions; returns the doc ids."""
    with Store(path) as s:
        s.import_records([ImportRecord(Document.from_text(article(i))) for i in range(docs)])
        ids = s.document_ids()
        for doc_id in ids:
            text = s.document(doc_id).text
            words = D.Words(text)
            props = []
            for k in range(0, len(words), 5):
                label = LABELS[k % len(LABELS)]
                props.append((Span(words.starts[k], words.ends[k], label), f"rule_{label.lower()}", 0.5 + k % 5 / 10))
            first_sentence = D.sentence_around(text, words.starts[3], words.ends[3])
            props.append((Span(*first_sentence, CLAIM, "claim", {"speaker": "AUTHOR"}), "author_claim", 0.7))
            s.replace_suggestions(doc_id, "crashtest", "1", props)
    return ids


# --- output of a worker ------------------------------------------------------------


def emit(tag: str, obj: dict | None = None) -> None:
    sys.stdout.write(tag + ("" if obj is None else " " + json.dumps(obj, ensure_ascii=False)) + "\n")
    sys.stdout.flush()


def read_lines(path: Path) -> list[tuple[str, dict | None]]:
    """Complete lines of a worker's stdout as (tag, object); a torn last line is left out."""
    raw = path.read_text(encoding="utf-8") if path.exists() else ""
    lines = raw.split("\n")[:-1]  # whatever follows the last newline was cut by the kill
    out = []
    for line in lines:
        tag, _, rest = line.partition(" ")
        out.append((tag, json.loads(rest) if rest else None))
    return out


def changes_json(changes) -> list:
    return json.loads(json.dumps([[annotation_record(b), annotation_record(a)] for b, a in changes],
                                 ensure_ascii=False))


# --- the workers -------------------------------------------------------------------


def decide(db: str, who: str, seed: int, max_ops: int = 1_000_000) -> None:
    rng = random.Random(seed)
    store = Store(db, create=False)
    docs = store.document_ids()
    texts = {d: store.document(d).text for d in docs}
    words = {d: D.Words(t) for d, t in texts.items()}
    emit("READY")
    stop = time.monotonic() + DEADLINE_S
    for seq in range(max_ops):
        if time.monotonic() > stop:
            break
        doc = rng.choice(docs)
        r = rng.random()
        if r < 0.08:
            emit("I", {"seq": seq, "op": "undo", "doc": doc})
            ev = store.undo(who, doc)
            eid = store.events(doc_id=doc, annotator=who)[-1].id if ev is not None else None
            emit("A", {"seq": seq, "eid": eid, "undoes": ev.id if ev is not None else None})
            continue
        if r < 0.12:
            status = rng.choice((DONE, SKIPPED, IN_PROGRESS))
            emit("I", {"seq": seq, "op": "status", "doc": doc, "status": status})
            store.set_status(who, doc, status)
            emit("A", {"seq": seq, "eid": store.events(doc_id=doc, annotator=who)[-1].id})
            continue
        items = D.visible_items(store.suggestions(doc), store.items(doc, who))
        undecided = [i for i in items if i.undecided]
        mine = [i for i in items if i.annotation is not None]
        op = rng.choice(("accept", "accept", "accept", "reject", "relabel", "resize", "create", "create",
                         "delete", "accept_all" if rng.random() < 0.1 else "accept"))
        changes: list = []
        if op == "accept" and undecided:
            changes = D.accept(rng.choice(undecided), doc, who)
        elif op == "reject" and items:
            changes = D.reject(rng.choice(items), doc, who)
        elif op == "relabel" and items:
            changes = D.relabel(rng.choice(items), rng.choice(LABELS), doc, who)
        elif op == "resize" and items:
            changes = D.resize(rng.choice(items), words[doc], rng.choice(D.RESIZES), doc, who)
        elif op == "create":
            start = rng.randrange(len(texts[doc]) - 12)
            changes = D.create(doc, who, start, start + rng.randint(1, 12), rng.choice(LABELS))
        elif op == "delete" and mine:
            changes = D.delete(rng.choice(mine))
        elif op == "accept_all":
            changes = D.accept_all(items, doc, who)
        if not changes:
            continue
        emit("I", {"seq": seq, "op": op, "doc": doc, "changes": changes_json(changes)})
        eid = store.apply(who, doc, op, changes, seq=seq)
        emit("A", {"seq": seq, "eid": eid})
    store.close()


def write(db: str, who: str, n: int, go: str) -> None:
    store = Store(db, create=False)
    docs = store.document_ids()
    texts = {d: store.document(d).text for d in docs}
    stop = time.monotonic() + DEADLINE_S
    while not Path(go).exists():
        if time.monotonic() > stop:
            raise SystemExit("no go signal")
        time.sleep(0.005)
    # Like the TUI, hold each document's suggestions and this annotator's layer in memory (nobody
    # else writes this layer); the reads stay out of the way of what is measured: the writes.
    suggestions = {d: store.suggestions(d) for d in docs}
    layer = {d: store.items(d, who) for d in docs}
    for i in range(n):
        doc = docs[i % len(docs)]
        undecided = [it for it in D.visible_items(suggestions[doc], layer[doc]) if it.undecided]
        if undecided and i % 2 == 0:
            op, changes = "accept", D.accept(undecided[0], doc, who)
        else:
            start = (i * 7) % (len(texts[doc]) - 6)
            op, changes = "create", D.create(doc, who, start, start + 5, LABELS[i % len(LABELS)])
        store.apply(who, doc, op, changes, seq=i)
        layer[doc] += [after for _, after in changes]
    store.close()


# --- what the tests compare ----------------------------------------------------------


def signature(path: Path) -> dict:
    """The content of a database without generated ids and times: equal content, equal signature."""
    with Store(path, create=False) as s:
        q = s.db.execute
        return {
            "documents": sorted(q("select id, text, meta, position from documents").fetchall()),
            "annotations": sorted(q("select doc_id, layer, kind, start, end, label, attrs, status, suggestion_id, "
                                    "origin from annotations").fetchall(), key=repr),
            "doc_status": sorted(q("select doc_id, layer, status, cursor from doc_status").fetchall(), key=repr),
            "events": sorted(q("select annotator, doc_id, action, payload from events").fetchall(), key=repr),
            "suggestions": q("select count(*) from suggestions").fetchone()[0],
            "annotators": sorted(q("select name from annotators").fetchall()),
        }


if __name__ == "__main__":
    mode, args = sys.argv[1], sys.argv[2:]
    if mode == "decide":
        decide(args[0], args[1], int(args[2]))
    elif mode == "write":
        write(args[0], args[1], int(args[2]), args[3])
    else:
        raise SystemExit(f"unknown mode {mode!r}")
