"""Crash safety and concurrency of the store, with real processes (issue 7).

- Annotating processes (tests/helpers/crash_worker.py ``decide``: decisions.py builds the
  changes, Store.apply / undo / set_status commit them, the same path the TUI takes)
  are killed with SIGKILL at random moments. On reopen, every decision acknowledged
  before the kill is there exactly, an unacknowledged one is there completely or not
  at all, and ``PRAGMA integrity_check`` is ok.
- ``python -m annotator import`` of a big JSONL file is killed with SIGKILL at random
  moments, many of them while its one write transaction is under way: afterwards the
  database holds nothing of that file or all of it, and everything it held before.
- 8 writer processes x 500 decisions on one file: none lost, none duplicated.
- The real TUI (``annotator annotate --no-suggest`` in tmux, keys a / x) killed with
  SIGKILL: every decision its status line had counted is on disk, in order.

What this proves and what it does not: SIGKILL stops a process, not the machine. A
commit that has returned is in the WAL file (the operating system holds it even if
it has not reached the disk yet), so these tests show that no acknowledged decision
depends on the process living on, and that SQLite's journal keeps every transaction
whole. They say nothing about power loss; that rests on ``PRAGMA synchronous``, which
the store leaves at SQLite's default FULL (an fsync of the WAL per commit, about a
millisecond here), so a committed decision survives power loss too.

Random kill points are reproducible from a seed: set ``CRASH_SEED=<n>`` (printed at
the start of each test and in every failure message). The seed fixes the decisions and
the nominal kill delays; the exact instruction a kill lands on still depends on timing.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from annotator.annotate import decisions as D
from annotator.annotate.walk import PASS_ORDER
from annotator.store import Store, annotation_record
from helpers.crash_worker import ROOT, make_db, read_lines, signature

pytestmark = pytest.mark.slow

WORKER = Path(__file__).resolve().parent / "helpers" / "crash_worker.py"
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}


def crash_seed() -> int:
    seed = int(os.environ.get("CRASH_SEED") or random.randrange(2**31))
    print(f"CRASH_SEED={seed}")
    return seed


def wal_size(wal: Path) -> int:
    """The write-ahead log's size; 0 when it is absent (a closing connection may remove it at any moment)."""
    try:
        return wal.stat().st_size
    except FileNotFoundError:
        return 0


def in_write_transaction(db: Path, pid: int) -> bool:
    """Whether process ``pid`` holds SQLite's write lock on ``db`` (WAL mode: a POSIX write lock on
    byte 120 of the ``-shm`` file, as /proc/locks shows): it is inside a write transaction, which
    may not have touched the WAL yet (dirty pages stay in the page cache until the commit)."""
    try:
        inode = os.stat(f"{db}-shm").st_ino
    except FileNotFoundError:
        return False
    with open("/proc/locks") as locks:
        return any(f[3:5] == ["WRITE", str(pid)] and f[5].endswith(f":{inode}") and f[6] == "120"
                   for f in (line.split() for line in locks) if len(f) >= 8)


def wait_for(predicate, timeout: float, what: str, step: float = 0.01) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(step)


def kill(proc: subprocess.Popen) -> int:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    return proc.wait(timeout=30)


# --- 1. annotating processes killed at random points --------------------------------


class Expected:
    """One annotator's layer as the acknowledgements say it must be."""

    def __init__(self, who: str):
        self.who = who
        self.items: dict[str, dict[str, dict]] = {}  # doc -> annotation id -> record
        self.status: dict[str, str] = {}
        self.last_event = 0
        self.acked = 0
        self.committed_unacked = 0
        self.lost_intents = 0

    def apply(self, doc: str, changes: list, where: str) -> None:
        layer = self.items.setdefault(doc, {})
        for before, after in changes:
            if before is not None:
                assert layer.get(before["id"]) == before, f"{where}: decision built on a state the test did not expect"
                del layer[before["id"]]
            if after is not None:
                layer[after["id"]] = after

    def unapply(self, doc: str, changes: list, where: str) -> None:
        self.apply(doc, [(a, b) for b, a in reversed(changes)], where)

    def settle(self, store: Store, lines: list, where: str) -> None:
        """Check the database against the worker's output of one round, then take its state as expected."""
        intents: dict[int, dict] = {}
        acks: list[tuple[dict, dict]] = []
        for tag, obj in lines:
            if tag == "I":
                intents[obj["seq"]] = obj
            elif tag == "A":
                acks.append((intents.pop(obj["seq"]), obj))
        assert len(intents) <= 1, f"{where}: more than one decision in flight: {sorted(intents)}"
        pending = next(iter(intents.values()), None)
        new = [e for e in store.events(annotator=self.who) if e.id > self.last_event]
        acked_ids = [ack["eid"] for _, ack in acks if ack["eid"] is not None]
        got_ids = [e.id for e in new]
        assert got_ids[:len(acked_ids)] == acked_ids, f"{where}: acknowledged events missing: {acked_ids} vs {got_ids}"
        extra = new[len(acked_ids):]
        assert len(extra) <= (1 if pending else 0), f"{where}: events nobody asked for: {extra}"
        by_id = {e.id: e for e in new}
        for intent, ack in acks:
            self.acked += 1
            self._take(store, intent, ack["eid"] and by_id[ack["eid"]], ack.get("undoes"), where)
        if extra:  # committed, killed before the acknowledgement: it must be the decision in flight, whole
            self.committed_unacked += 1
            self._take(store, pending, extra[0], extra[0].payload.get("undoes"), where + " (unacknowledged)")
        elif pending is not None:
            self.lost_intents += 1
        if new:
            self.last_event = new[-1].id
        # the layer on disk is exactly the acknowledged decisions (plus the whole in-flight one, if committed)
        docs = set(self.items) | {d for d in store.document_ids() if store.items(d, self.who)}
        for doc in docs:
            on_disk = {a.id: json.loads(json.dumps(annotation_record(a))) for a in store.items(doc, self.who)}
            assert on_disk == self.items.get(doc, {}), f"{where}: layer {self.who} on {doc} differs"
        assert store.statuses(self.who) == self.status, f"{where}: document statuses of {self.who} differ"

    def _take(self, store: Store, intent: dict, event, undoes, where: str) -> None:
        doc, op = intent["doc"], intent["op"]
        if op == "undo":
            if event is None:  # nothing to undo
                return
            assert event.action == "undo" and event.doc_id == doc and event.payload["undoes"] == undoes, where
            undone = [e for e in store.events(doc_id=doc, annotator=self.who) if e.id == undoes]
            assert undone, f"{where}: undo of an event that does not exist"
            self.unapply(doc, undone[0].payload["changes"], where)
        elif op == "status":
            assert event.action == "status" and event.payload == {"status": intent["status"]}, where
            self.status[doc] = intent["status"]
        else:
            assert event.action == op and event.doc_id == doc, where
            assert event.payload == {"changes": intent["changes"], "seq": intent["seq"]}, \
                f"{where}: the stored event differs from the decision made"
            self.apply(doc, intent["changes"], where)
            self.status.setdefault(doc, "in_progress")


def test_annotators_killed_at_random_points_lose_no_acknowledged_decision(tmp_path):
    seed = crash_seed()
    rng = random.Random(seed)
    db = tmp_path / "team.db"
    make_db(db)
    who = ("alice", "bob")  # two annotators at once: one may die holding the write lock
    expected = {w: Expected(w) for w in who}
    rounds = 10
    for r in range(rounds):
        where = f"round {r} (CRASH_SEED={seed})"
        outs = {w: tmp_path / f"r{r}-{w}.out" for w in who}
        errs = {w: tmp_path / f"r{r}-{w}.err" for w in who}
        procs = {}
        for k, w in enumerate(who):
            with open(outs[w], "wb") as out, open(errs[w], "wb") as err:
                procs[w] = subprocess.Popen([sys.executable, str(WORKER), "decide", str(db), w,
                                             str(seed * 100 + r * 2 + k)], stdout=out, stderr=err, env=ENV)
        try:
            for w in who:
                wait_for(lambda: outs[w].read_bytes().startswith(b"READY\n") or procs[w].poll() is not None,
                         60, f"{w} to start ({where})")
            delays = sorted((rng.uniform(0.0, 0.6), w) for w in who)
            start = time.monotonic()
            for delay, w in delays:
                time.sleep(max(0.0, start + delay - time.monotonic()))
                procs[w].send_signal(signal.SIGKILL)
        finally:
            codes = {w: kill(p) for w, p in procs.items()}
        for w in who:
            assert codes[w] == -signal.SIGKILL, f"{where}: {w} exited {codes[w]}: {errs[w].read_text()[-2000:]}"
        with Store(db, create=False) as store:
            assert store.integrity_check() == "ok", where
            for w in who:
                expected[w].settle(store, read_lines(outs[w]), f"{where}, {w}")
    acked = sum(e.acked for e in expected.values())
    print({w: {"acknowledged": e.acked, "committed, not acknowledged": e.committed_unacked,
               "in flight, not committed": e.lost_intents, "items": sum(map(len, e.items.values()))}
           for w, e in expected.items()})
    assert acked >= 40, f"only {acked} decisions were acknowledged in {rounds} rounds (CRASH_SEED={seed})"


# --- 2. an import killed halfway ----------------------------------------------------

IMPORT_RECORDS = 5000


def big_jsonl(path: Path, n: int = IMPORT_RECORDS) -> None:
    """About 3 MB of Prodigy-style records, 5 spans each (an import of a few seconds)."""
    rng = random.Random(1)
    words = "the treaty was signed after talks and officials said that the pact would deepen cooperation".split()
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(n):
            head = f"Record {i}: "
            body = [rng.choice(words) for _ in range(60)]
            spans, pos = [], len(head)
            for k, w in enumerate(body):
                if k % 12 == 0:
                    spans.append({"start": pos, "end": pos + len(w), "label": "ORG"})
                pos += len(w) + 1
            fh.write(json.dumps({"text": head + " ".join(body) + ".", "spans": spans, "meta": {"n": i}}) + "\n")


def judge_round(command: str, where: str, code: int, db: Path, out: Path, before, after, wal_seen: bool,
                detail: str) -> tuple[str, str]:
    """One killed (or finished) run of an all-or-nothing command: the database holds nothing of it
    or all of it, and is sound. Returns (what it holds, how the run ended); the file is removed."""
    killed = code == -signal.SIGKILL
    assert killed or code == 0, f"{where}: {command} exited {code}: {out.read_text()[-2000:]}"
    got = signature(db)
    if got == before:
        outcome = "nothing"
    elif got == after:
        outcome = "all"
    else:
        n_docs = len(got["documents"]) - len(before["documents"])
        raise AssertionError(f"{where}: half a {command} run: {n_docs} of {IMPORT_RECORDS} documents "
                             f"(killed={killed}, {detail})")
    with Store(db, create=False) as s:
        assert s.integrity_check() == "ok", where
    db.unlink()
    return outcome, "killed mid-write" if killed and wal_seen else "killed" if killed else "finished"


def test_import_killed_halfway_leaves_nothing_or_everything(tmp_path):
    seed = crash_seed()
    rng = random.Random(seed)
    base = tmp_path / "base.db"
    make_db(base, docs=3)
    with Store(base, create=False) as s:  # a layer and an event that must survive every round
        doc = s.document_ids()[0]
        s.apply("alice", doc, "create", D.create(doc, "alice", 0, 7, "ORG"))
    assert not Path(f"{base}-wal").exists()
    source = tmp_path / "big.jsonl"
    big_jsonl(source)
    before = signature(base)

    def run_import(db: Path, out: Path) -> subprocess.Popen:
        shutil.copy(base, db)
        with open(out, "wb") as fh:
            return subprocess.Popen([sys.executable, "-m", "annotator", "import", "--db", str(db), "--as", "bulk",
                                     str(source)], stdout=fh, stderr=subprocess.STDOUT, env=ENV, cwd=tmp_path)

    # once to the end: what "all of it" looks like, and how long the write phase lasts
    full_db = tmp_path / "full.db"
    t0 = time.monotonic()
    proc = run_import(full_db, tmp_path / "full.out")
    writing = None
    try:
        while proc.poll() is None:
            if writing is None and in_write_transaction(full_db, proc.pid):
                writing = time.monotonic() - t0
            assert time.monotonic() - t0 < 120, "the full import took over 2 minutes"
            time.sleep(0.005)
    finally:
        kill(proc)
    total = time.monotonic() - t0
    assert proc.returncode == 0, (tmp_path / "full.out").read_text()
    after = signature(full_db)
    assert len(after["documents"]) == len(before["documents"]) + IMPORT_RECORDS
    assert sum(a[1] == "bulk" for a in after["annotations"]) == 5 * IMPORT_RECORDS
    write_phase = total - (writing or total * 0.6)
    print(f"full import {total:.2f} s, write transaction about {write_phase:.2f} s")

    outcomes = Counter()
    rounds = 8
    for r in range(rounds):
        where = f"round {r} (CRASH_SEED={seed})"
        db, out = tmp_path / f"kill{r}.db", tmp_path / f"kill{r}.out"
        # odd rounds: kill once the write transaction has begun; even rounds: at any
        # time from the start, or (every other one) around the moment the full run committed
        during_write = r % 2 == 1
        if during_write:
            delay = rng.uniform(0.0, 0.6 * write_phase)
        elif r % 4 == 0:
            delay = rng.uniform(0.0, total)
        else:
            delay = rng.uniform(0.85 * total, 1.15 * total)
        t0 = time.monotonic()
        proc = run_import(db, out)
        try:
            if during_write:
                wait_for(lambda: proc.poll() is not None or in_write_transaction(db, proc.pid), 120,
                         f"the import to start writing ({where})", step=0.002)
                wal_seen = proc.poll() is None
                t0 = time.monotonic()
            else:
                wal_seen = False
            while proc.poll() is None and time.monotonic() - t0 < delay:
                time.sleep(0.002)
        finally:
            code = kill(proc)
        outcomes[judge_round("import", where, code, db, out, before, after, wal_seen,
                             f"delay={delay:.3f} s, during_write={during_write}")] += 1
    print(dict(outcomes))
    assert outcomes[("nothing", "killed mid-write")] >= 1, \
        f"no round killed the import inside its transaction: {dict(outcomes)} (CRASH_SEED={seed})"


def test_merge_killed_halfway_leaves_nothing_or_everything(tmp_path):
    """``annotator merge`` streams the other database in batches, inside one transaction: killed at any
    moment, ours holds none of it or all of it."""
    seed = crash_seed()
    rng = random.Random(seed)
    base = tmp_path / "base.db"
    make_db(base, docs=3)
    other = tmp_path / "bob.db"
    source = tmp_path / "big.jsonl"
    big_jsonl(source)
    subprocess.run([sys.executable, "-m", "annotator", "import", "--db", str(other), "--as", "bob", str(source)],
                   check=True, env=ENV, cwd=tmp_path, capture_output=True)
    before = signature(base)

    def run_merge(db: Path, out: Path) -> subprocess.Popen:
        shutil.copy(base, db)
        with open(out, "wb") as fh:
            return subprocess.Popen([sys.executable, "-m", "annotator", "merge", "--db", str(db), "--annotator",
                                     "carol", str(other)], stdout=fh, stderr=subprocess.STDOUT, env=ENV, cwd=tmp_path)

    full_db = tmp_path / "full.db"
    t0 = time.monotonic()
    proc = run_merge(full_db, tmp_path / "full.out")
    try:
        assert proc.wait(timeout=120) == 0, (tmp_path / "full.out").read_text()
    finally:
        kill(proc)
    total = time.monotonic() - t0
    after = signature(full_db)
    assert len(after["documents"]) == len(before["documents"]) + IMPORT_RECORDS
    assert sum(a[1] == "bob" for a in after["annotations"]) == 5 * IMPORT_RECORDS

    outcomes = Counter()
    for r in range(6):
        where = f"round {r} (CRASH_SEED={seed})"
        db, out = tmp_path / f"kill{r}.db", tmp_path / f"kill{r}.out"
        wal = Path(f"{db}-wal")
        during_write = r % 2 == 1  # odd rounds: once the transaction writes to the WAL; even: any time
        delay = rng.uniform(0.0, 0.3 * total) if during_write else rng.uniform(0.0, 1.1 * total)
        proc = run_merge(db, out)
        t0 = time.monotonic()
        try:
            if during_write:
                wait_for(lambda: proc.poll() is not None or (wal_size(wal) > 0), 120,
                         f"the merge to start writing ({where})", step=0.002)
                t0 = time.monotonic()
            wal_seen = during_write and proc.poll() is None
            while proc.poll() is None and time.monotonic() - t0 < delay:
                time.sleep(0.002)
        finally:
            code = kill(proc)
        outcomes[judge_round("merge", where, code, db, out, before, after, wal_seen, f"delay={delay:.3f} s")] += 1
    print(dict(outcomes))
    assert outcomes[("nothing", "killed mid-write")] >= 1, \
        f"no round killed the merge inside its transaction: {dict(outcomes)} (CRASH_SEED={seed})"


# --- 3. eight writers x 500 decisions ---------------------------------------------------

WRITERS = 8
DECISIONS = 500


def test_eight_writers_500_decisions_each_none_lost_none_duplicated(tmp_path):
    db = tmp_path / "team.db"
    make_db(db, docs=10)
    go = tmp_path / "go"
    names = [f"writer{k}" for k in range(WRITERS)]
    errs = {w: tmp_path / f"{w}.err" for w in names}
    procs = {}
    for w in names:
        with open(errs[w], "wb") as err:
            procs[w] = subprocess.Popen([sys.executable, str(WORKER), "write", str(db), w, str(DECISIONS), str(go)],
                                        stderr=err, env=ENV)
    time.sleep(1.0)  # let them import and open the store; the barrier makes them start together
    t0 = time.monotonic()
    go.touch()
    try:
        codes = {w: p.wait(timeout=180) for w, p in procs.items()}
    finally:
        for p in procs.values():
            kill(p)
    elapsed = time.monotonic() - t0
    print(f"{WRITERS} x {DECISIONS} decisions in {elapsed:.2f} s ({WRITERS * DECISIONS / elapsed:.0f}/s)")
    failed = {w: errs[w].read_text()[-2000:] for w, c in codes.items() if c != 0}
    assert not failed, failed
    with Store(db, create=False) as s:
        assert s.integrity_check() == "ok"
        assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert s.db.execute("select count(*) from annotations").fetchone()[0] == WRITERS * DECISIONS
        assert s.db.execute("select count(*) from events").fetchone()[0] == WRITERS * DECISIONS
        for w in names:
            events = s.events(annotator=w)
            assert len(events) == DECISIONS, w
            assert sorted(e.payload["seq"] for e in events) == list(range(DECISIONS)), f"{w}: lost or repeated"
            made = [c[1]["id"] for e in events for c in e.payload["changes"]]
            assert len(made) == len(set(made)) == DECISIONS, w
            layer = [a for items in s.layer_items(w).values() for a in items]
            assert len(layer) == DECISIONS, w
            assert {a.id for a in layer} == set(made), f"{w}: layer and events disagree"
            assert Counter(e.action for e in events)["accept"] > 0, w


# --- 4. the real TUI, killed after its screen showed decisions -----------------------

DECIDED = re.compile(r"✓ (\d+)\s+✗ (\d+)")


def test_tui_killed_keeps_every_decision_it_showed(tmp_path):
    """``annotator annotate`` in tmux: keys a/x, SIGKILL; what the screen showed is on disk.

    The TUI writes a decision before it repaints, so once the status line counts a
    decision, it is committed. Keys sent after the last screen check may or may not
    have been handled; whatever was handled must be there whole, in order.
    """
    tmux = shutil.which("tmux")
    if tmux is None:
        pytest.skip("tmux is not installed")
    seed = crash_seed()
    rng = random.Random(seed)
    base = tmp_path / "base.db"
    doc = make_db(base)[0]
    with Store(base, create=False) as s:  # a and x decide the focused suggestion and move to the next one,
        items = D.visible_items(s.suggestions(doc), [])  # one kind after another (entities first)
        order = [i for kind in PASS_ORDER for i in items if i.undecided and i.kind == kind]
    for r in range(3):
        where = f"round {r} (CRASH_SEED={seed})"
        db, sock = tmp_path / f"tui{r}.db", tmp_path / f"tmux{r}.sock"
        shutil.copy(base, db)
        keys = [rng.choice("ax") for _ in range(rng.randint(4, min(12, len(order) - 1)))]
        acked_upto = rng.randint(1, len(keys))  # keys after this one go out in a burst, unchecked
        tm = [tmux, "-u", "-S", str(sock)]

        def screen() -> str:
            return subprocess.run(tm + ["capture-pane", "-p", "-t", "tui"], capture_output=True, text=True,
                                  timeout=10).stdout

        def decided() -> int | None:
            m = DECIDED.search(screen())
            return int(m[1]) + int(m[2]) if m else None

        cmd = f"exec {sys.executable} -m annotator annotate --no-suggest --db {db} --annotator tui"
        subprocess.run(tm + ["new-session", "-d", "-s", "tui", "-x", "120", "-y", "40", cmd], env=ENV, cwd=tmp_path,
                       timeout=30, check=True)
        shown = 0
        try:
            pid = int(subprocess.run(tm + ["display", "-p", "-t", "tui", "#{pane_pid}"], capture_output=True,
                                     text=True, timeout=10).stdout)
            try:
                wait_for(lambda: decided() == 0, 60, "the TUI to show the first document", step=0.1)
            except AssertionError:
                raise AssertionError(f"{where}: no '✓ N ✗ N' status line; the screen:\n{screen()}") from None
            for i, key in enumerate(keys):
                subprocess.run(tm + ["send-keys", "-t", "tui", key], timeout=10, check=True)
                if i < acked_upto:
                    wait_for(lambda: decided() == i + 1, 20, f"key {i} to be shown ({where})", step=0.02)
                    shown = i + 1
            time.sleep(rng.uniform(0.0, 0.3))
            os.kill(pid, signal.SIGKILL)

            def gone() -> bool:
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    return True
                return False

            wait_for(gone, 20, f"the TUI to die ({where})")
        finally:
            subprocess.run(tm + ["kill-server"], capture_output=True, timeout=10)
        with Store(db, create=False) as s:
            assert s.integrity_check() == "ok", where
            n = len([e for e in s.events(annotator="tui") if e.action in ("accept", "reject")])
            assert shown <= n <= len(keys), f"{where}: {n} decisions on disk, the screen showed {shown}"
            want = {(i.kind, i.start, i.end, i.label, i.suggestion.id, "accepted" if k == "a" else "rejected")
                    for i, k in zip(order, keys[:n])}
            got = {(a.value.kind, a.value.start, a.value.end, a.value.label, a.suggestion_id,
                    a.status) for a in s.items(doc, "tui")}
            assert got == want, f"{where}: layer differs from the keys pressed ({keys[:n]})"
