"""Hostile files, paths and databases through the real command line (issue 10: export, import,
special files, read-only commands, one-line errors).

Every case runs ``python -m annotator`` in a subprocess, in a copy of a small project folder
(``work.db`` with two annotators' layers, a previous brat export, an earlier JSONL export), so a
hang fails at the timeout instead of hanging the suite. Each asserts: exit code 1, exactly one
line on stderr naming the file and the problem, nothing on stdout, no traceback, and the
folder exactly as it was — every file's SHA-256 (the database included), nothing added, nothing
removed — and the database's row counts unchanged.

Safety of the suite itself: a case must be harmless should the code under test regress. No
case names a system path as an output (a broken export once replaced /dev/zero and deleted
/etc through ``-o / --force``): outputs that are devices are device nodes made inside the
project, and the refusals of ``/`` and the system's devices are checked on
:func:`annotator.formats.outputs.check_target`, which writes nothing. Every command runs with a
64 MB limit on file size, so a runaway copy fails instead of filling the disk.
"""

from __future__ import annotations

import hashlib
import os
import resource
import shlex
import shutil
import socket
import sqlite3
import stat
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError
from tests.conftest import ROOT, SEED

HOSTILE = ROOT / "tests" / "hostile"
GOLD = ROOT / "tests" / "data" / "gold" / "gold.jsonl"
TIMEOUT = 60
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
       "ANNOTATOR_NAME": "tester"}
for _var in ("ANNOTATOR_DB", "ANNOTATOR_SCHEMA", "ANNOTATOR_KEYS", "ANNOTATOR_LEXICONS", "ANNOTATOR_DEBUG"):
    ENV.pop(_var, None)


MAX_FILE = 64_000_000


def _limit_file_size(limit: int = MAX_FILE) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))


def run(argv: list[str], cwd: Path, env: dict | None = None, **kwargs) -> subprocess.CompletedProcess:
    kwargs.setdefault("preexec_fn", _limit_file_size)
    return subprocess.run([sys.executable, "-m", "annotator", *argv], cwd=cwd, capture_output=True, text=True,
                          timeout=TIMEOUT, env={**ENV, "HOME": str(cwd / "home"), **(env or {})},
                          stdin=subprocess.DEVNULL, **kwargs)


def snapshot(root: Path) -> dict[str, str]:
    """Every entry under root (symlinks not followed, special files not opened) with its content hash."""
    out = {}
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            path = Path(dirpath, name)
            mode = os.lstat(path).st_mode
            if stat.S_ISREG(mode):
                out[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
            elif stat.S_ISLNK(mode):
                out[str(path.relative_to(root))] = "-> " + os.readlink(path)
            else:
                out[str(path.relative_to(root))] = stat.filemode(mode)[0]
    return out


def row_counts(db: Path) -> dict[str, int]:
    conn = sqlite3.connect(f"file:{db}?mode=ro&immutable=1", uri=True)  # creates no -wal/-shm
    try:
        tables = [r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")]
        return {t: conn.execute(f"select count(*) from [{t}]").fetchone()[0] for t in tables}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A project folder: work.db (the seed article, layers alice and bob), a brat export, a JSONL export."""
    p = tmp_path_factory.mktemp("project")
    db = str(p / "work.db")
    runner = CliRunner()
    for argv in (["import", "--db", db, str(SEED)],
                 ["import", "--db", db, "--as", "alice", str(HOSTILE / "markup.jsonl")],
                 ["import", "--db", db, "--as", "bob", str(HOSTILE / "markup.jsonl"), str(HOSTILE / "rtl_spans.jsonl")],
                 ["export", "--db", db, "--annotator", "alice", "--format", "brat", "-o", str(p / "prev")],
                 ["export", "--db", db, "--annotator", "alice", "-o", str(p / "existing.jsonl")]):
        result = runner.invoke(cli, argv)
        assert result.exit_code == 0, result.output
    (p / "home").mkdir()
    (p / "notes").mkdir()
    (p / "notes" / "mine.md").write_text("my own notes\n")
    (p / "gold.jsonl").write_bytes(GOLD.read_bytes())
    return p


@pytest.fixture
def project(template, tmp_path) -> Path:
    p = tmp_path / "p"
    shutil.copytree(template, p, symlinks=True)
    return p


# --- setups: hostile things made in the project folder before the command runs -----------


def _copy_db(p: Path, name: str, version: str | None = None) -> None:
    shutil.copyfile(p / "work.db", p / name)
    if version is not None:
        conn = sqlite3.connect(p / name)
        conn.execute("update annotator_meta set value = ? where key = 'schema_version'", [version])
        conn.commit()
        conn.close()


def _corrupt(p: Path) -> None:
    _copy_db(p, "corrupt.db")
    with open(p / "corrupt.db", "r+b") as fh:
        for page in (4, 8):  # the documents and annotations tables' root pages (page size 4096)
            fh.seek((page - 1) * 4096)
            fh.write(bytes(range(256)) * 16)


def _blank_sqlite(p: Path) -> None:
    conn = sqlite3.connect(p / "blank.db")
    conn.execute("PRAGMA user_version = 7")  # writes a header, no tables
    conn.commit()
    conn.close()


def _device(p: Path, name: str, minor: int) -> None:
    """A character device node inside the project (1,3 is null, 1,5 zero), never the system's own."""
    try:
        os.mknod(p / name, stat.S_IFCHR | 0o666, os.makedev(1, minor))
    except PermissionError:
        pytest.skip("making a device node needs root")


def _socket(p: Path) -> None:
    here = os.getcwd()
    os.chdir(p)  # AF_UNIX paths are limited to ~100 bytes: bind a short relative name
    try:
        sock = socket.socket(socket.AF_UNIX)
        sock.bind("sock.jsonl")
        sock.close()
    finally:
        os.chdir(here)


SETUPS = {
    "fifo": lambda p: os.mkfifo(p / "fifo.txt"),
    "fifo_db": lambda p: os.mkfifo(p / "fifo.db"),
    "fifo_yaml": lambda p: os.mkfifo(p / "fifo.yaml"),
    "fifo_jsonl": lambda p: os.mkfifo(p / "fifo.jsonl"),
    "zero_link": lambda p: (p / "zero.txt").symlink_to("/dev/zero"),
    "zero_db_link": lambda p: (p / "zero.db").symlink_to("/dev/zero"),
    "socket": _socket,
    "null_device": lambda p: _device(p, "null.jsonl", 3),
    "zero_device": lambda p: _device(p, "zero.spacy", 5),
    "empty_db": lambda p: (p / "empty.db").write_bytes(b""),
    "blank_db": _blank_sqlite,
    "old_db": lambda p: _copy_db(p, "old.db", "0"),
    "abc_db": lambda p: _copy_db(p, "abc.db", "abc"),
    "float_db": lambda p: _copy_db(p, "float.db", "1.5"),
    "negative_db": lambda p: _copy_db(p, "negative.db", "-1"),
    "newer_db": lambda p: _copy_db(p, "newer.db", "99"),
    "corrupt_db": _corrupt,
    "other_db": lambda p: _copy_db(p, "other.db"),
    "hardlink_db": lambda p: os.link(p / "work.db", p / "hardlink.jsonl"),
    "link_to_file": lambda p: (p / "link.jsonl").symlink_to("existing.jsonl"),
    "link_to_db": lambda p: (p / "db-link.jsonl").symlink_to("work.db"),
    "link_to_export": lambda p: (p / "prev-link").symlink_to("prev"),
    "edited_export": lambda p: next((p / "prev").glob("*.ann")).write_text("T1\tPERSON 0 5\tmine\n"),
    "extra_in_export": lambda p: (p / "prev" / "my-notes.txt").write_text("do not delete\n"),
    "subfolder_in_export": lambda p: (p / "prev" / "extra").mkdir(),
    "bad_marker": lambda p: (p / "prev" / "annotator-export.json").write_text("{not json"),
    "db_in_export": lambda p: shutil.copyfile(p / "work.db", p / "prev" / "inner.db"),
}


@dataclass
class Case:
    id: str
    argv: str  # split with shlex; runs in the project folder
    fragment: str  # must appear in the one error line
    setup: str | None = None
    env: dict = field(default_factory=dict)


EXPORT = "export --db work.db --annotator alice"
CASES = [
    # 10.1: export --force never destroys what it did not write
    Case("brat into the project folder", f"{EXPORT} --format brat -o . --force", "holds the database work.db"),
    Case("brat into the project folder by absolute path", f"{EXPORT} --format brat -o {{p}} --force",
         "holds the database work.db"),
    Case("brat into the folder above the project", f"{EXPORT} --format brat -o .. --force", "holds the database"),
    Case("brat into the home folder", f"{EXPORT} --format brat -o home --force", "is your home folder"),
    Case("brat into a folder of my notes", f"{EXPORT} --format brat -o notes --force",
         "is not empty and is not a previous annotator brat export"),
    Case("brat over an edited previous export", f"{EXPORT} --format brat -o prev --force",
         "was changed since annotator exported it", "edited_export"),
    Case("brat over a previous export with my file in it", f"{EXPORT} --format brat -o prev --force",
         "my-notes.txt was not written by annotator", "extra_in_export"),
    Case("brat over a previous export with a subfolder", f"{EXPORT} --format brat -o prev --force",
         "extra was not written by annotator", "subfolder_in_export"),
    Case("brat over a database put in a previous export", f"{EXPORT} --format brat -o prev --force",
         "inner.db was not written by annotator", "db_in_export"),
    Case("brat over a folder with a broken marker", f"{EXPORT} --format brat -o prev --force",
         "is not a previous annotator brat export", "bad_marker"),
    Case("brat over a previous export without --force", f"{EXPORT} --format brat -o prev",
         "already holds an annotator brat export (use --force"),
    Case("brat over a regular file", f"{EXPORT} --format brat -o existing.jsonl --force",
         "is a regular file, not a folder"),
    Case("brat over the database", f"{EXPORT} --format brat -o work.db --force", "is the database"),
    Case("brat through a symlink to an export", f"{EXPORT} --format brat -o prev-link --force",
         "is a symbolic link", "link_to_export"),
    Case("brat onto a FIFO", f"{EXPORT} --format brat -o fifo.txt --force", "not a folder", "fifo"),
    Case("jsonl over the database", f"{EXPORT} -o work.db --force", "work.db: is the database"),
    Case("jsonl over the database's -wal file", f"{EXPORT} -o work.db-wal --force", "is the database -wal file"),
    Case("jsonl over the database's -shm file", f"{EXPORT} -o work.db-shm --force", "is the database -shm file"),
    Case("jsonl over the database by absolute path", f"{EXPORT} -o {{p}}/work.db --force", "is the database"),
    Case("jsonl over a hard link to the database", f"{EXPORT} -o hardlink.jsonl --force", "is the database",
         "hardlink_db"),
    Case("jsonl over a symlink to the database", f"{EXPORT} -o db-link.jsonl --force", "is a symbolic link",
         "link_to_db"),
    Case("jsonl over a symlink to a file", f"{EXPORT} -o link.jsonl --force", "is a symbolic link", "link_to_file"),
    Case("jsonl over another SQLite database", f"{EXPORT} -o other.db --force",
         "is an SQLite database; an export never overwrites one", "other_db"),
    Case("jsonl over an existing file without --force", f"{EXPORT} -o existing.jsonl", "already exists"),
    Case("jsonl into an existing folder", f"{EXPORT} -o notes", "notes: is a folder; this format writes one file"),
    Case("jsonl into the current folder", f"{EXPORT} -o . --force", "is a folder"),
    Case("spacy into an existing folder", f"{EXPORT} --format spacy -o notes --force", "is a folder"),
    Case("doccano into a missing folder", f"{EXPORT} --format doccano -o nowhere/x.jsonl", "folder does not exist"),
    Case("brat into a folder whose parent is missing", f"{EXPORT} --format brat -o nowhere/brat",
         "nowhere: folder does not exist"),
    Case("jsonl onto a FIFO", f"{EXPORT} -o fifo.txt --force", "is a named pipe (FIFO), not a regular file", "fifo"),
    Case("jsonl onto a null device", f"{EXPORT} -o null.jsonl --force", "is a character device, not a regular file",
         "null_device"),
    Case("spacy onto a zero device", f"{EXPORT} --format spacy -o zero.spacy --force", "is a character device",
         "zero_device"),
    Case("brat onto a device", f"{EXPORT} --format brat -o null.jsonl --force", "is a character device, not a folder",
         "null_device"),
    Case("jsonl onto a socket", f"{EXPORT} -o sock.jsonl --force", "is a socket", "socket"),
    # 10.6: special files are refused before they are opened
    Case("import a FIFO", "import --db work.db fifo.txt", "fifo.txt: is a named pipe (FIFO)", "fifo"),
    Case("import /dev/zero", "import --db work.db /dev/zero", "/dev/zero: is a character device"),
    Case("import a .txt symlink to /dev/zero", "import --db work.db zero.txt", "zero.txt: is a character device",
         "zero_link"),
    Case("import a socket", "import --db work.db sock.jsonl", "sock.jsonl: is a socket", "socket"),
    Case("import with a FIFO as --db", f"import --db fifo.db {SEED}", "fifo.db: is a named pipe", "fifo_db"),
    Case("stats with a FIFO as --db", "stats --db fifo.db", "fifo.db: is a named pipe", "fifo_db"),
    Case("export with a FIFO as --db", "export --db fifo.db", "fifo.db: is a named pipe", "fifo_db"),
    Case("stats with /dev/zero as --db", "stats --db /dev/zero", "/dev/zero: is a character device"),
    Case("stats with a symlink to /dev/zero as --db", "stats --db zero.db", "is a character device", "zero_db_link"),
    Case("annotate with a FIFO as --db", "annotate --db fifo.db --no-suggest", "fifo.db: is a named pipe",
         "fifo_db"),
    Case("import with a FIFO as --schema", f"import --db work.db --schema fifo.yaml {SEED}",
         "fifo.yaml: is a named pipe", "fifo_yaml"),
    Case("schema check of a FIFO", "schema check fifo.yaml", "fifo.yaml: is a named pipe", "fifo_yaml"),
    Case("annotate with a FIFO as --keys", "annotate --db work.db --keys fifo.yaml --no-suggest",
         "fifo.yaml: is a named pipe", "fifo_yaml"),
    Case("merge a FIFO", "merge --db work.db fifo.db", "fifo.db: is a named pipe", "fifo_db"),
    Case("merge /dev/zero", "merge --db work.db /dev/zero", "/dev/zero: is a character device"),
    Case("merge a symlink to /dev/zero", "merge --db work.db zero.db", "is a character device", "zero_db_link"),
    Case("merge a zero device node", "merge --db work.db zero.spacy", "zero.spacy: is a character device",
         "zero_device"),
    Case("import a zero device node", "import --db work.db zero.spacy", "zero.spacy: is a character device",
         "zero_device"),
    Case("a FIFO as a lexicon file", "suggest --db work.db", "fifo.yaml: is a named pipe", "fifo_yaml",
         env={"ANNOTATOR_LEXICONS": "fifo.yaml"}),
    Case("evaluate against a FIFO", "evaluate --db work.db --gold fifo.jsonl", "fifo.jsonl: is a named pipe",
         "fifo_jsonl"),
    Case("evaluate against /dev/zero", "evaluate --db work.db --gold /dev/zero", "is a character device"),
    # 10.7: read commands do not write, and say which command migrates
    Case("stats on an empty file", "stats --db empty.db", "is an empty file, not an annotator database yet",
         "empty_db"),
    Case("export on an empty file", "export --db empty.db", "is an empty file", "empty_db"),
    Case("agreement on an empty file", "agreement --db empty.db", "is an empty file", "empty_db"),
    Case("evaluate on an empty file", "evaluate --db empty.db --gold gold.jsonl", "is an empty file", "empty_db"),
    Case("review --summary on an empty file", "review --db empty.db --reviewer r --summary", "is an empty file",
         "empty_db"),
    Case("train on an empty file", "train --db empty.db --out model", "is an empty file", "empty_db"),
    Case("train on an older database", "train --db old.db --out model", "annotator migrate --db old.db", "old_db"),
    Case("stats on an SQLite file without tables", "stats --db blank.db",
         "is an empty SQLite database, not an annotator database yet", "blank_db"),
    Case("export on an SQLite file without tables", "export --db blank.db", "not an annotator database yet",
         "blank_db"),
    Case("stats on an older database", "stats --db old.db", "run `annotator migrate --db old.db` first", "old_db"),
    Case("export on an older database", "export --db old.db", "annotator migrate --db old.db", "old_db"),
    Case("agreement on an older database", "agreement --db old.db", "annotator migrate --db old.db", "old_db"),
    Case("evaluate on an older database", "evaluate --db old.db --gold gold.jsonl", "annotator migrate", "old_db"),
    Case("review --summary on an older database", "review --db old.db --reviewer r --summary",
         "annotator migrate --db old.db", "old_db"),
    Case("stats on a newer database", "stats --db newer.db", "newer annotator", "newer_db"),
    Case("stats on a missing database", "stats --db missing.db", "missing.db: no such database"),
    Case("export from a missing database", "export --db missing.db", "missing.db: no such database"),
    Case("agreement on a missing database", "agreement --db missing.db", "missing.db: no such database"),
    Case("migrate a missing database", "migrate --db missing.db", "missing.db: no such database"),
    # 10.8: every remaining traceback is one line
    Case("stats on a corrupt page", "stats --db corrupt.db", "the database file is damaged", "corrupt_db"),
    Case("export from a corrupt page", "export --db corrupt.db --annotator alice", "the database file is damaged", "corrupt_db"),
    Case("agreement on a corrupt page", "agreement --db corrupt.db", "damaged", "corrupt_db"),
    Case("import into a corrupt page", f"import --db corrupt.db {HOSTILE / 'rtl.txt'}", "damaged", "corrupt_db"),
    Case("schema_version 'abc' (stats)", "stats --db abc.db", "unreadable schema version 'abc'", "abc_db"),
    Case("schema_version 'abc' (import)", f"import --db abc.db {SEED}", "unreadable schema version 'abc'",
         "abc_db"),
    Case("schema_version '1.5' (stats)", "stats --db float.db", "unreadable schema version '1.5'", "float_db"),
    Case("schema_version '1.5' (migrate)", "migrate --db float.db", "unreadable schema version '1.5'", "float_db"),
    Case("schema_version '-1'", "stats --db negative.db", "unreadable schema version '-1'", "negative_db"),
    Case("YAML schema nested 3000 deep (lists)", f"import --db work.db --schema {HOSTILE / 'yaml_deep_list.yaml'} "
         f"{SEED}", "yaml_deep_list.yaml: not valid YAML: nested too deeply"),
    Case("YAML schema nested 3000 deep (mappings)", f"schema check {HOSTILE / 'yaml_deep_map.yaml'}",
         "yaml_deep_map.yaml: not valid YAML: nested too deeply"),
    Case("YAML key config nested 3000 deep", f"annotate --db work.db --keys {HOSTILE / 'keys_deep.yaml'} "
         "--no-suggest", "keys_deep.yaml: not valid YAML: nested too deeply"),
    Case("YAML schema with a 5,000-digit number", f"schema check {HOSTILE / 'yaml_huge_number.yaml'}",
         "yaml_huge_number.yaml:4: not valid YAML: a number too long to read"),
    Case("model_labels target given as a list", f"schema check {HOSTILE / 'yaml_model_labels_list_value.yaml'}",
         "yaml_model_labels_list_value.yaml:6: model label PER must map to one entity label (or null), not a list"),
    Case("model_labels target given as a mapping", f"schema check {HOSTILE / 'yaml_model_labels_mapping_value.yaml'}",
         "model label PER must map to one entity label (or null), not a dict"),
    Case("model_labels given as a list", f"schema check {HOSTILE / 'yaml_model_labels_list.yaml'}",
         "yaml_model_labels_list.yaml:4: 'model_labels' must map model labels to schema labels"),
    Case("JSON number of 5,000 digits in meta", f"import --db work.db {HOSTILE / 'huge_digits.jsonl'}",
         "huge_digits.jsonl:1: a number longer than 4,300 digits"),
    Case("JSON offset of 5,000 digits", f"import --db work.db {HOSTILE / 'huge_digits_offset.jsonl'}",
         "huge_digits_offset.jsonl:1: a number longer than 4,300 digits"),
    Case("gold file with a 5,000-digit number", f"evaluate --db work.db --gold {HOSTILE / 'huge_digits.jsonl'}",
         "huge_digits.jsonl:1: a number longer than 4,300 digits"),
    Case("lock timeout that is not a number", f"import --db work.db {SEED}", "ANNOTATOR_LOCK_TIMEOUT='soon' must be",
         env={"ANNOTATOR_LOCK_TIMEOUT": "soon"}),
]


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_hostile_io(project, case):
    if case.setup:
        SETUPS[case.setup](project)
    before, counts = snapshot(project), row_counts(project / "work.db")
    argv = [a.replace("{p}", str(project)) for a in shlex.split(case.argv)]
    result = run(argv, project, case.env)
    assert "Traceback" not in result.stderr + result.stdout
    lines = result.stderr.splitlines()
    assert result.returncode == 1, result.stderr
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert case.fragment in lines[0], lines[0]
    assert result.stdout == ""
    assert snapshot(project) == before  # the database, every other file, nothing added or left behind
    assert row_counts(project / "work.db") == counts


def test_the_table_is_big_and_names_each_case_once():
    assert len(CASES) >= 80
    assert len({c.id for c in CASES}) == len(CASES)


@pytest.mark.parametrize("target, fragment", [
    ("/", "is a folder"), ("/dev/null", "is a character device, not a regular file"),
    ("/dev/zero", "is a character device"), ("/dev", "is a folder"), ("~", "is a folder")])
def test_system_paths_are_refused_as_file_outputs(tmp_path, target, fragment):
    """What `export -o /dev/null --force` must refuse, checked without running an export (see the docstring)."""
    from annotator.formats.outputs import check_target

    with pytest.raises(AnnotatorError, match=fragment):
        check_target(Path(target).expanduser(), folder=False, protect=[tmp_path / "work.db"])


@pytest.mark.parametrize("target, fragment", [
    ("/", "holds the database"), ("~", "is your home folder"), (".", "is the current folder"),
    ("..", "holds the current folder"), ("/dev/null", "is a character device, not a folder"),
    ("/etc", "is not empty and is not a previous annotator brat export"),
    ("/usr", "is not empty and is not a previous annotator brat export")])
def test_system_folders_are_refused_as_folder_outputs(tmp_path, monkeypatch, target, fragment):
    """What `export --format brat -o / --force` must refuse, checked without running an export.

    The working folder is one beside the database, not below it, so that ``..`` is refused for
    holding the current folder wherever the checkout lives (a clone in /tmp: ``..`` would also
    hold pytest's temporary database)."""
    from annotator.formats.outputs import check_replace_folder, check_target

    work = tmp_path / "project" / "sub"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(AnnotatorError, match=fragment):
        path = Path(target).expanduser()
        check_target(path, folder=True, protect=[tmp_path / "work.db"])
        check_replace_folder(path, True, "brat")
