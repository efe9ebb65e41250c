"""Nothing lost, nothing escapes (issue 10, the file side): export replaces only what it wrote,
paths from data stay inside -o, signals and full disks leave nothing half-written, read
commands never write, special files and symlinks are handled, lock waits say so, and an
unexpected error is one line pointing at a saved traceback.

Signals, pipes, full devices and lock holders use real subprocesses with timeouts.
"""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import Document, Span
from annotator.formats.outputs import MARKER
from annotator.store import SCHEMA_VERSION, DatabaseLocked, ImportRecord, Store, StoreError
from tests.conftest import ROOT, SEED
from tests.test_hostile_io import ENV, TIMEOUT, run, snapshot

TEXT = "Moscow said on Monday that the treaty with Pyongyang would take effect, officials in Seoul warned. " * 10


def invoke(*argv: str, **kwargs):
    return CliRunner().invoke(cli, list(argv), **kwargs)


def make_db(path: Path, docs: int = 3, layer: str = "alice") -> list[Document]:
    documents = [Document.from_text(f"Article {i}. " + TEXT) for i in range(docs)]
    with Store(path) as s:
        s.import_records([ImportRecord(d, layer, [Span(0, 7, "ORG")]) for d in documents])
    return documents


def hidden(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --- 10.2: file names from data stay inside -o ------------------------------------------


def test_brat_file_names_from_hostile_document_ids_stay_inside_the_folder(tmp_path):
    """A merged or hand-edited database may hold any id: brat export writes only safe names, inside -o."""
    tag = uuid.uuid4().hex[:8]
    ids = [f"../../../../tmp/annotator-escape-{tag}", f"/tmp/annotator-escape2-{tag}", ".hidden", "..", ".", "",
           "a/b\\c", "x" * 500, "Ünïcode id", "same", "SAME", "annotation", "annotator-export", "nl\nid", "ESC\x1b]0;t"]
    db = tmp_path / "t.db"
    with Store(db) as s:
        s.import_records([ImportRecord(Document(i, f"Text of {i!r}. Moscow.", {}), "alice",
                                       [Span(0, 4, "ORG")]) for i in ids])
    seed = Document.from_text(SEED.read_text(encoding="utf-8"))
    with Store(db) as s:
        s.import_records([ImportRecord(seed, "alice", [Span(0, 1, "ORG")])])
    out = tmp_path / "deep" / "out"
    out.parent.mkdir()  # -o names the export's folder; its parent must exist
    before = set(Path("/tmp").iterdir())
    result = invoke("export", "--db", str(db), "--format", "brat", "-o", str(out))
    assert result.exit_code == 0, result.output
    assert not list(Path("/tmp").glob(f"annotator-escape*{tag}*"))
    assert set(Path("/tmp").iterdir()) - before <= {p for p in Path("/tmp").iterdir() if p.name.startswith("pytest")}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["deep", "t.db"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["out"]
    names = [p.name for p in out.iterdir()]
    assert all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", n) for n in names), names
    assert all((out / n).is_file() and not (out / n).is_symlink() for n in names)
    # ids that break the store's invariants (empty, control characters) are skipped and named, not written
    unusable = {"", "nl\nid", "ESC\x1b]0;t"}
    assert result.output.count("skipped") >= len(unusable) and "\x1b" not in result.output
    usable = [i for i in ids if i not in unusable]
    assert len(names) == 2 * (len(usable) + 1) + 2  # .txt and .ann per document, annotation.conf, the marker
    assert len({n.lower() for n in names}) == len(names)  # unique on case-insensitive file systems too
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert set(marker["documents"]) == set(usable) | {seed.id}
    for doc_id, stem in marker["documents"].items():
        assert (out / f"{stem}.txt").read_text(encoding="utf-8") == (
            seed.text if doc_id == seed.id else f"Text of {doc_id!r}. Moscow.")
    assert marker["documents"][seed.id] == seed.id  # ordinary ids keep their name


# --- 10.1: export replaces only what it wrote ------------------------------------------


def test_force_replaces_an_untouched_previous_export_completely(tmp_path):
    db = tmp_path / "t.db"
    make_db(db, 3, "alice")
    with Store(db) as s:
        s.import_records([ImportRecord(Document.from_text("Only bob has this one. Seoul."), "bob", [Span(23, 28, "GPE")])])
    out = tmp_path / "brat"
    assert invoke("export", "--db", str(db), "--annotator", "alice", "--format", "brat", "-o", str(out)).exit_code == 0
    (out / ".stats_cache").write_bytes(b"brat's own cache")  # brat writes this when it shows the folder
    alice_files = set(os.listdir(out))
    result = invoke("export", "--db", str(db), "--annotator", "bob", "--format", "brat", "-o", str(out), "--force")
    assert result.exit_code == 0, result.output
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert marker["layer"] == "bob" and len(marker["documents"]) == 1
    assert set(os.listdir(out)) == set(marker["files"]) | {MARKER}
    assert not alice_files & set(os.listdir(out)) - {"annotation.conf", MARKER}
    assert hidden(tmp_path) == []


def test_an_empty_folder_is_used_and_a_new_folder_is_made(tmp_path):
    db = tmp_path / "t.db"
    make_db(db)
    (tmp_path / "empty").mkdir()
    for out in (tmp_path / "empty", tmp_path / "new"):
        result = invoke("export", "--db", str(db), "--format", "brat", "-o", str(out))
        assert result.exit_code == 0, result.output
        assert (out / MARKER).is_file() and (out / "annotation.conf").is_file()


def test_a_brat_folder_whose_parent_is_missing_is_refused_and_nothing_is_made(tmp_path):
    """As for a file: a mistyped parent (`-o exprots/brat`) is an error, not a new tree of folders."""
    db = tmp_path / "t.db"
    make_db(db)
    before = sorted(tmp_path.rglob("*"))
    result = invoke("export", "--db", str(db), "--format", "brat", "-o", str(tmp_path / "new" / "sub"))
    assert result.exit_code == 1
    assert result.output.strip() == f"error: {tmp_path / 'new'}: folder does not exist"
    assert sorted(tmp_path.rglob("*")) == before


@pytest.mark.parametrize("umask, file_mode, dir_mode", [(0o022, 0o644, 0o755), (0o027, 0o640, 0o750)])
def test_exported_files_get_the_umask_mode(tmp_path, umask, file_mode, dir_mode):
    db = tmp_path / "t.db"
    make_db(db)
    old = os.umask(umask)
    try:
        for fmt, out in (("jsonl", "x.jsonl"), ("doccano", "d.jsonl"), ("spacy", "x.spacy"), ("brat", "brat")):
            result = invoke("export", "--db", str(db), "--format", fmt, "-o", str(tmp_path / out))
            assert result.exit_code == 0, result.output
    finally:
        os.umask(old)
    for name in ("x.jsonl", "d.jsonl", "x.spacy"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == file_mode, name
    assert stat.S_IMODE((tmp_path / "brat").stat().st_mode) == dir_mode
    assert {stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "brat").iterdir()} == {file_mode}


def test_a_write_error_keeps_the_previous_output_and_leaves_no_temp_file(tmp_path, monkeypatch):
    import annotator.formats.exporting as exporting

    db = tmp_path / "t.db"
    make_db(db, 5)
    out = tmp_path / "out.jsonl"
    out.write_text("the previous export\n")
    calls = []
    task_line = exporting.prodigy.task_line

    def full(*args):  # the third JSONL line finds the disk full
        calls.append(args)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return task_line(*args)

    monkeypatch.setattr(exporting.prodigy, "task_line", full)
    result = invoke("export", "--db", str(db), "-o", str(out), "--force")
    assert result.exit_code == 1
    assert result.output == f"error: {out}: cannot write: No space left on device\n"
    assert out.read_text() == "the previous export\n"
    assert hidden(tmp_path) == []


def _limit_file_size():
    resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))  # writes past 60 kB fail with EFBIG


@pytest.mark.parametrize("fmt, out", [("jsonl", "big.jsonl"), ("brat", "big"), ("doccano", "big.jsonl")])
def test_a_full_disk_during_export_is_one_line_and_keeps_the_previous_output(tmp_path, fmt, out):
    db = tmp_path / "t.db"
    make_db(db, 150)
    with Store(db) as s:  # one article bigger than the limit, for brat's one-file-per-article
        s.import_records([ImportRecord(Document.from_text(TEXT * 80), "alice", [Span(0, 6, "GPE")])])
    assert invoke("export", "--db", str(db), "--format", fmt, "-o", str(tmp_path / out)).exit_code == 0
    before = snapshot(tmp_path)
    result = run(["export", "--db", "t.db", "--format", fmt, "-o", out, "--force"], tmp_path,
                 preexec_fn=_limit_file_size)
    assert result.returncode == 1, result.stderr
    assert result.stderr == f"error: {out}: cannot write: File too large\n"
    assert snapshot(tmp_path) == before


@pytest.fixture(scope="module")
def big_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("big") / "big.db"
    make_db(path, 2000)
    return path


@pytest.mark.slow
@pytest.mark.parametrize("fmt, out", [("jsonl", "out.jsonl"), ("brat", "out")])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP], ids=["TERM", "INT", "HUP"])
def test_a_signal_during_a_big_export_cleans_up_and_keeps_the_previous_output(tmp_path, big_db, fmt, out, sig):
    db = tmp_path / "big.db"
    db.write_bytes(big_db.read_bytes())
    previous = tmp_path / "previous"
    previous.mkdir()
    result = invoke("export", "--db", str(db), "--format", fmt, "-o", str(tmp_path / out))  # the previous export
    assert result.exit_code == 0, result.output
    before = snapshot(tmp_path)
    proc = subprocess.Popen([sys.executable, "-m", "annotator", "export", "--db", "big.db", "--format", fmt, "-o",
                             out, "--force"], cwd=tmp_path, env=ENV, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + TIMEOUT
        while not any(name.startswith(f".{out}.") for name in os.listdir(tmp_path)):
            assert proc.poll() is None, "the export ended before its temporary output appeared"
            assert time.monotonic() < deadline
            time.sleep(0.002)
        time.sleep(0.2)  # well into writing
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 128 + sig, err
    assert err == "interrupted\n"
    assert hidden(tmp_path) == []
    assert snapshot(tmp_path) == before


def test_an_interrupt_that_passed_through_exec_of_a_string_still_exits_130(tmp_path):
    """CPython 3.11 remembers a KeyboardInterrupt raised inside exec() of a string (as when Ctrl+C
    lands while a dataclass is being made during an import) even after it is handled, and would end
    the process by SIGINT (-2) instead of 130: what made the signal test above fail now and then."""
    (tmp_path / "boom_cli.py").write_text("from annotator.cli import cli, main\n"
                                          "@cli.command('boom')\n"
                                          "def boom():\n"
                                          "    exec('raise KeyboardInterrupt')\n"
                                          "main()\n")
    # run as a module, as `annotator` runs (python -c exits another way, where the flag is not read)
    proc = subprocess.run([sys.executable, "-m", "boom_cli", "boom"], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 130, proc.stderr
    assert proc.stderr == "interrupted\n"


# --- 10.8: standard output that cannot be written ----------------------------------------


@pytest.mark.slow
def test_a_closed_pipe_stops_export_quietly(tmp_path, big_db):
    proc = subprocess.Popen([sys.executable, "-m", "annotator", "export", "--db", str(big_db)], cwd=tmp_path,
                            env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        first = proc.stdout.readline()  # `annotator export | head -1`
        proc.stdout.close()
        err = proc.stderr.read()
        proc.wait(timeout=TIMEOUT)
    finally:
        proc.kill()
        proc.wait()
    assert json.loads(first)["text"].startswith("Article 0.")
    assert err == b""
    assert proc.returncode == 141


@pytest.mark.parametrize("argv", [["stats"], ["export"], ["stats", "--json"], ["schema", "path"]])
def test_standard_output_on_a_full_device_is_one_line(tmp_path, argv):
    make_db(tmp_path / "t.db", 200)
    with open("/dev/full", "w") as full:
        result = subprocess.run([sys.executable, "-m", "annotator", *argv, *(["--db", "t.db"] if argv[0] != "schema"
                                                                              else [])],
                                cwd=tmp_path, env=ENV, stdout=full, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT)
    assert result.returncode == 1
    assert result.stderr == "error: cannot write output: No space left on device\n"


# --- 10.7: read commands do not write ----------------------------------------------------


def _team_db(path: Path) -> None:
    make_db(path, 2, "alice")
    with Store(path) as s:
        s.import_records([ImportRecord(d, "bob", [Span(0, 7, "GPE")]) for d in s.documents()])


READ_COMMANDS = [["stats"], ["stats", "--json"], ["stats", "--rules"], ["export", "--annotator", "alice"],
                 ["export", "--annotator", "alice", "--format", "brat", "-o", "b"], ["agreement"],
                 ["review", "--reviewer", "r", "--summary"], ["evaluate", "--gold", "gold.jsonl", "--layer", "bob"]]


def _journal_mode(db: Path) -> str:
    """From the file header (bytes 18-19: 1 rollback journal, 2 WAL), without opening the database."""
    return {1: "delete", 2: "wal"}[db.read_bytes()[18]]


@pytest.mark.parametrize("journal", ["wal", "delete"])
@pytest.mark.parametrize("argv", READ_COMMANDS, ids=[" ".join(a[:2]) for a in READ_COMMANDS])
def test_read_commands_leave_the_database_file_exactly_as_it_was(tmp_path, argv, journal):
    db = tmp_path / "team.db"
    _team_db(db)
    assert invoke("export", "--db", str(db), "--annotator", "alice", "-o", str(tmp_path / "gold.jsonl")).exit_code == 0
    if journal == "delete":  # a rollback-journal file must not be switched to WAL
        conn = sqlite3.connect(db)
        conn.execute("PRAGMA journal_mode = DELETE")
        conn.close()
    assert _journal_mode(db) == journal
    before = snapshot(tmp_path)
    result = run([*argv, "--db", "team.db"], tmp_path)
    assert result.returncode == 0, result.stderr
    after = snapshot(tmp_path)
    after.pop("b", None)
    assert {k: v for k, v in after.items() if not k.startswith("b/")} == before  # no -wal, -shm, no change
    assert _journal_mode(db) == journal


def test_read_commands_work_beside_a_writer_and_leave_its_files_alone(tmp_path):
    db = tmp_path / "team.db"
    _team_db(db)
    writer = Store(db)  # another program has the database open: its -wal and -shm exist
    try:
        writer.set_status("alice", writer.document_ids()[0], "done")
        result = run(["stats", "--db", "team.db"], tmp_path)
        assert result.returncode == 0, result.stderr
        assert "layer alice: 1 done" in result.stdout
        assert (tmp_path / "team.db-wal").exists() and (tmp_path / "team.db-shm").exists()
        writer.set_status("alice", writer.document_ids()[1], "done")  # and it can go on writing
    finally:
        writer.close()


def test_a_file_we_cannot_write_is_read_without_side_files(tmp_path, monkeypatch):
    """Not writable by us (someone else's file): read as immutable, so no -wal/-shm can be left."""
    import annotator.store as store_module

    db = tmp_path / "theirs.db"
    make_db(db, 2)
    monkeypatch.setattr(store_module.os, "access", lambda path, mode: False)
    before = snapshot(tmp_path)
    with Store(db, readonly=True) as s:
        assert s.count_documents() == 2 and len(s.layer_items("alice")) == 2
    assert snapshot(tmp_path) == before


def test_a_read_only_store_refuses_to_write(tmp_path):
    db = tmp_path / "t.db"
    make_db(db, 1)
    before = snapshot(tmp_path)
    with Store(db, readonly=True) as s:
        with pytest.raises(AnnotatorError, match="read-only"):
            s.set_status("alice", s.document_ids()[0], "done")
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            s.db.execute("insert into annotators (name) values ('x')")  # SQLite itself refuses (query_only)
    assert snapshot(tmp_path) == before


def test_migrate_brings_an_older_file_up_to_date_for_read_commands(tmp_path):
    db = tmp_path / "old.db"
    make_db(db, 1)
    conn = sqlite3.connect(db)
    conn.execute("update annotator_meta set value = '0' where key = 'schema_version'")
    conn.commit()
    conn.close()
    refused = invoke("stats", "--db", str(db))
    assert refused.exit_code == 1 and f"run `annotator migrate --db {db}` first" in refused.output
    migrated = invoke("migrate", "--db", str(db))
    assert migrated.exit_code == 0 and migrated.output == f"{db}: migrated from version 0 to {SCHEMA_VERSION}\n"
    assert invoke("stats", "--db", str(db)).exit_code == 0
    assert invoke("migrate", "--db", str(db)).output == f"{db}: already at version {SCHEMA_VERSION}, nothing to do\n"


@pytest.mark.parametrize("argv", [["annotate", "--no-suggest"], ["import"]])
def test_a_failed_import_leaves_no_new_database(tmp_path, argv):
    result = invoke(*argv, "--db", str(tmp_path / "new.db"), str(ROOT / "tests/hostile/latin1.txt"))
    assert result.exit_code == 1 and "not UTF-8 text" in result.output
    assert os.listdir(tmp_path) == []


def test_a_failed_first_open_removes_the_file_it_created(tmp_path, monkeypatch):
    import annotator.store as store_module

    def broken(db):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(store_module, "MIGRATIONS", [broken])
    with pytest.raises(StoreError, match="cannot open database"):
        Store(tmp_path / "new.db")
    assert os.listdir(tmp_path) == []


def test_store_errors_are_one_line_annotator_errors(tmp_path):
    db = tmp_path / "t.db"
    make_db(db, 40)
    with open(db, "r+b") as fh:  # damage the documents table's root page
        fh.seek(3 * 4096)
        fh.write(b"\xa5" * 4096)
    with Store(db, readonly=True) as s:
        with pytest.raises(StoreError, match="the database file is damaged") as caught:
            s.documents()
    assert isinstance(caught.value, AnnotatorError) and caught.value.__cause__ is None
    assert "\n" not in str(caught.value)


# --- 10.6: folder imports, symlinks, special files --------------------------------------


def test_folder_import_does_not_follow_links_out_of_the_folder_unless_asked(tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text("A private file outside the folder.\n")
    folder = tmp_path / "articles"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text("Article A about Moscow.\n")
    (folder / "sub" / "b.md").write_text("Article B about Seoul.\n")
    (folder / "out.txt").symlink_to(outside)
    (folder / "inner.txt").symlink_to(folder / "a.txt")  # stays inside: followed (and deduplicated)
    (folder / "loop").symlink_to(folder)  # a loop must not hang
    (folder / "away").symlink_to(tmp_path)  # a folder link out of the folder
    (folder / "zero.txt").symlink_to("/dev/zero")
    os.mkfifo(folder / "pipe.txt")

    db = tmp_path / "t.db"
    result = run(["import", "--db", str(db), str(folder)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported 2 new documents" in result.stdout
    assert f"skipped {folder / 'out.txt'}: a symbolic link out of {folder} (use --follow-symlinks" in result.stderr
    assert f"skipped {folder / 'away'}: a symbolic link out of" in result.stderr
    assert f"skipped {folder / 'pipe.txt'}: a named pipe (FIFO), not a regular file" in result.stderr
    assert f"skipped {folder / 'zero.txt'}: a symbolic link out of" in result.stderr
    with Store(db, readonly=True) as s:
        assert "A private file" not in " ".join(d.text for d in s.documents())

    result = run(["import", "--db", str(db), "--follow-symlinks", str(folder)], tmp_path)
    assert result.returncode == 0, result.stderr
    # secret.txt is new (reached twice: out.txt and away/); a.txt, inner.txt and sub/b.md are there already
    assert "imported 1 new document (4 already present)" in result.stdout
    assert f"skipped {folder / 'zero.txt'}: a character device, not a regular file" in result.stderr
    with Store(db, readonly=True) as s:
        assert any("A private file" in d.text for d in s.documents())


def test_regular_file_helpers_never_open_special_files(tmp_path):
    from annotator.formats.files import read_bytes, regular_file

    os.mkfifo(tmp_path / "p")
    done = threading.Event()

    def attempt():
        for path in (tmp_path / "p", "/dev/zero", tmp_path):
            with pytest.raises(AnnotatorError, match="not a regular file"):
                read_bytes(path)
            with pytest.raises(AnnotatorError, match="not a regular file"):
                regular_file(path)
        done.set()

    worker = threading.Thread(target=attempt, daemon=True)
    worker.start()
    worker.join(10)
    assert done.is_set(), "reading a FIFO or /dev/zero blocked"
    with pytest.raises(AnnotatorError, match="no such file"):
        regular_file(tmp_path / "missing")


# --- 10.9: lock waits say so -------------------------------------------------------------

HOLDER = """
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
print("locked", flush=True)
sys.stdin.readline()  # hold the write lock until the test says so (or closes stdin)
conn.execute("ROLLBACK")
"""


def _hold_lock(db: Path) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(db)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True)
    assert proc.stdout.readline() == "locked\n"
    return proc


@pytest.mark.slow
def test_a_writer_blocked_by_another_program_says_what_it_waits_for(tmp_path):
    db = tmp_path / "t.db"
    make_db(db, 1)
    holder = _hold_lock(db)
    importer = subprocess.Popen([sys.executable, "-m", "annotator", "import", "--db", "t.db", str(SEED)], cwd=tmp_path,
                                env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        started = time.monotonic()
        notice = importer.stderr.readline()  # printed while the lock is still held
        waited = time.monotonic() - started
        assert importer.poll() is None
        holder.communicate("release\n", timeout=TIMEOUT)
        out, err = importer.communicate(timeout=TIMEOUT)
    finally:
        for proc in (holder, importer):
            proc.kill()
            proc.wait()
    assert notice == "t.db: another program is writing to the database; waiting for it (up to 30 s)…\n"
    assert waited >= 1.0  # about a second of silence first
    assert importer.returncode == 0 and err == ""
    assert "imported 1 new document (" in out


@pytest.mark.slow
def test_a_lock_held_past_the_timeout_is_one_error_line_and_nothing_written(tmp_path):
    db = tmp_path / "t.db"
    make_db(db, 1)
    before = snapshot(tmp_path)
    holder = _hold_lock(db)
    try:
        result = run(["import", "--db", "t.db", str(SEED)], tmp_path, {"ANNOTATOR_LOCK_TIMEOUT": "2"})
    finally:
        holder.kill()
        holder.wait()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    notice, error = result.stderr.splitlines()
    assert notice.startswith("t.db: another program is writing to the database; waiting for it (up to 2 s)")
    assert error == ("error: t.db: the database is locked by another program (waited 2 s and gave up); close the "
                     "other program or try again")
    for side in ("t.db-wal", "t.db-shm"):  # the killed holder's side files may stay; the content must not change
        before.pop(side, None)
    after = {k: v for k, v in snapshot(tmp_path).items() if k not in ("t.db-wal", "t.db-shm")}
    assert after == before


def test_on_wait_is_called_in_the_worker_thread_once_and_cleared(tmp_path):
    db = tmp_path / "t.db"
    [doc] = make_db(db, 1)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    threading.Timer(1.6, lambda: holder.execute("ROLLBACK")).start()
    calls: list[tuple[str, str | None]] = []
    errors: list[BaseException] = []

    def worker():
        try:
            with Store(db, on_wait=lambda m: calls.append((threading.current_thread().name, m))) as s:
                s.set_status("alice", doc.id, "done")
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    thread = threading.Thread(target=worker, name="worker")
    start = time.monotonic()
    thread.start()
    thread.join(TIMEOUT)
    holder.close()
    assert not errors and not thread.is_alive()
    assert [name for name, _ in calls] == ["worker", "worker"]
    assert "another program is writing to the database" in calls[0][1] and calls[1][1] is None
    assert time.monotonic() - start >= 1.5
    with Store(db, readonly=True) as s:
        assert s.statuses("alice")[doc.id] == "done"


def test_a_lock_timeout_raises_database_locked_and_a_retry_then_succeeds(tmp_path, monkeypatch):
    db = tmp_path / "t.db"
    [doc] = make_db(db, 1)
    monkeypatch.setenv("ANNOTATOR_LOCK_TIMEOUT", "0.5")
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    with Store(db) as s:
        with pytest.raises(DatabaseLocked, match="locked by another program"):
            s.set_status("alice", doc.id, "done")
        holder.execute("ROLLBACK")
        s.set_status("alice", doc.id, "done")  # the caller keeps the decision and tries again
        assert s.statuses("alice")[doc.id] == "done"
    holder.close()


def test_a_store_opened_for_any_thread_can_be_used_from_a_worker(tmp_path):
    db = tmp_path / "t.db"
    [doc] = make_db(db, 1)
    with Store(db, any_thread=True) as s:
        worker = threading.Thread(target=s.set_status, args=("alice", doc.id, "skipped"))
        worker.start()
        worker.join(TIMEOUT)
        assert s.statuses("alice")[doc.id] == "skipped"


# --- 10.8: the last-resort handler -------------------------------------------------------


def test_an_unexpected_error_is_one_line_naming_the_saved_traceback(tmp_path, monkeypatch):
    import annotator.formats.exporting as exporting

    db = tmp_path / "t.db"
    make_db(db, 1)

    def bug(*args, **kwargs):
        return 1 / 0

    monkeypatch.setattr(exporting, "export_layer", bug)
    monkeypatch.delenv("ANNOTATOR_DEBUG", raising=False)
    result = invoke("export", "--db", str(db))
    assert result.exit_code == 1
    match = re.fullmatch(r"error: unexpected ZeroDivisionError — a bug in annotator, please report it; "
                         r"the full traceback is in (\S+)\n", result.output)
    assert match, result.output
    report = Path(match.group(1))
    try:
        text = report.read_text()
        assert "Traceback" in text and "1 / 0" in text and "ZeroDivisionError" in text
    finally:
        report.unlink()
    monkeypatch.setenv("ANNOTATOR_DEBUG", "1")
    assert isinstance(invoke("export", "--db", str(db)).exception, ZeroDivisionError)


def test_an_interrupt_whose_frames_hold_an_open_cursor_leaves_no_wal_or_shm_file(tmp_path):
    """A handled interrupt kept in a local makes a cycle (frame, exception, traceback) that holds a store
    generator's open cursor after the store was closed; SQLite keeps such a connection until the
    statement goes, and the process used to end first, leaving the -wal and -shm files behind."""
    db = tmp_path / "t.db"
    with Store(db) as s:
        s.import_records([ImportRecord(Document.from_text(f"Document number {i}.")) for i in range(600)])
        for doc_id in s.document_ids()[:300]:
            s.set_status("alice", doc_id, "done")
    (tmp_path / "boom_cli.py").write_text(
        "from annotator.cli import cli, main\n"
        "from annotator.store import Store\n"
        "@cli.command('boom')\n"
        "def boom():\n"
        f"    with Store({str(db)!r}) as store:\n"
        "        docs = store.documents_in_layer('alice')\n"
        "        next(docs)  # suspended with its cursor open\n"
        "        try:\n"
        "            raise KeyboardInterrupt\n"
        "        except KeyboardInterrupt as exc:\n"
        "            kept = exc  # a cycle: this frame -> kept -> its traceback -> this frame\n"
        "            raise\n"
        "main()\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "boom_cli", "boom"], cwd=tmp_path, env=ENV, capture_output=True,
                          text=True, timeout=TIMEOUT)
    assert proc.returncode == 130, proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("t.db")) == ["t.db"]
