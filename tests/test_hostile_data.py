"""Hostile data at every door (issue 10, points 3-6 and 8): bad records on import, bad rows
in a teammate's database on merge, bad rows already in our own database, and names that
are empty, hold control characters or collide with annotator's bookkeeping.

Every refused case: the documented exit code, exactly one line on stderr naming the file
and line (or the table and row) and the problem, no traceback, and the database exactly
as it was (sha256 of the file and every table's row count). Every skipped bad row: the
command still works, and one warning line names the row.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = ROOT / "tests" / "hostile"
TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT, {"title": "Treaty"})
DOC2 = Document.from_text("The Kremlin denied the report on Tuesday.")
ESC = "\x1b[2J\x1b]0;pwned\x07"
TABLES = ("documents", "suggestions", "suggester_runs", "annotations", "doc_status", "annotators", "assignments",
          "events")


def fingerprint(db: Path) -> tuple:
    """What "unchanged" means: the file's bytes and every table's row count."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        counts = tuple(con.execute(f"select count(*) from [{t}]").fetchone()[0] for t in TABLES)
    finally:
        con.close()
    return hashlib.sha256(db.read_bytes()).hexdigest(), counts


def build(path: Path, who: str = "alice") -> Path:
    """A database with every kind of row: items of each kind, suggestions, status, assignment, events."""
    with Store(path) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(DOC2)])
        values = {"ent1": Span(0, 13, "PERSON"), "ent2": Span(19, 26, "GPE"),
                  "claim1": Span(19, 48, "CLAIM", "claim", {"speaker": {"start": 0, "end": 13, "label": "PERSON"}}),
                  "stance1": Stance(SpanRef(50, 56, "GPE"), SpanRef(67, 71, "ORG"), "AGAINST", SpanRef(50, 82))}
        for ann_id, value in values.items():
            s.apply(who, DOC.id, "add", [(None, Annotation(ann_id, DOC.id, who, value))])
        s.apply(who, DOC2.id, "add", [(None, Annotation("ent3", DOC2.id, who, Span(4, 11, "ORG")))])
        s.set_status(who, DOC.id, "done")
        s.save_cursor(who, DOC.id, {"start": 0})
        s.replace_suggestions(DOC.id, "entities", "1", [(Span(0, 13, "PERSON"), "ner", 0.9)])
        s.replace_suggestions(DOC.id, "stances", "1", [(Stance(SpanRef(50, 56), SpanRef(67, 71), "AGAINST"), "verb", 0.8)])
        s.add_assignments([(DOC.id, who)])
    return path


def sql(db: Path, *statements: str, params: tuple = ()) -> None:
    con = sqlite3.connect(db)
    try:
        for statement in statements:
            con.execute(statement, params if "?" in statement else ())
        con.commit()
    finally:
        con.close()


def untype(db: Path, table: str) -> None:
    """Recreate a table without column types (as a hand-made file may have it): integers stay integers."""
    con = sqlite3.connect(db)
    cols = [r[1] for r in con.execute(f"PRAGMA table_info([{table}])")]
    con.executescript(f"alter table [{table}] rename to old_t; create table [{table}] ({', '.join(cols)}); "
                      f"insert into [{table}] select * from old_t; drop table old_t;")
    con.close()


def run(argv: list[str], **kw):
    return CliRunner().invoke(cli, argv, color=True, **kw)


def one_error_line(result, code: int = 1) -> str:
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == code, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


# --- 1. bad records on import: one line naming file and line; nothing written ---------------

# tests/hostile/records/NAME.jsonl: a good first line, then the bad record (line 2)
RECORDS = [
    ("label_with_esc_and_osc", "span 0 label '\\x1b[2J"),
    ("label_with_bel", "contains control characters"),
    ("label_with_a_newline", "contains control characters or line breaks"),
    ("label_with_a_tab", "span 0 label"),
    ("label_with_a_c1_csi", "span 0 label"),
    ("label_with_a_bidi_override", "span 0 label"),
    ("label_with_a_line_separator", "span 0 label"),
    ("blank_label", "span 0 label is blank"),
    ("label_of_201_characters", "longer than 200"),
    ("relation_label_with_esc", "relation 0 label"),
    ("relation_end_label_with_esc", "relation 0 head_span label"),
    ("relation_attrs_with_nan", "relation 0: stance attrs holds NaN"),
    ("doccano_label_with_esc", "label 0 label"),
    ("doccano_entity_label_with_a_newline", "entity 0 label"),
    ("doccano_relation_type_with_bel", "relation 0 type label"),
    ("doccano_meta_with_infinity", "meta holds Infinity"),
    ("speaker_with_string_offsets", "claim speaker offsets must be integers"),
    ("speaker_as_an_empty_object", "claim speaker needs 'start' and 'end'"),
    ("speaker_outside_the_text", "claim speaker 0-999 lies outside the text"),
    ("speaker_with_end_before_start", "claim speaker 5-2 has end <= start"),
    ("speaker_as_a_list", "claim speaker must be AUTHOR, UNNAMED, a name or"),
    ("speaker_as_a_number", "claim speaker must be"),
    ("speaker_name_with_esc", "claim speaker 'Merkel\\x1b"),
    ("speaker_label_with_esc", "claim speaker label"),
    ("speaker_span_with_a_string_offset", "claim speaker_span start must be an integer"),
    ("answer_that_is_a_list", "'answer' must be \"accept\", \"reject\" or \"ignore\", got list"),
    ("answer_that_is_an_object", "got dict"),
    ("answer_that_is_a_number", "got int"),
    ("meta_with_nan", "meta holds NaN, which is not valid JSON"),
    ("meta_with_infinity_deep_inside", "meta holds Infinity"),
    ("meta_with_infinity", "meta holds Infinity"),
    ("top_level_title_nan", "'title' holds NaN"),
    ("span_attrs_with_nan", "span 0 (0-6): attrs holds NaN"),
    ("annotator_id_of_the_suggester_s_bookkeeping", "'_annotator_id' 'suggester:entities' is reserved"),
    ("annotator_id_review", "import into it only with --as review"),
    ("session_id_review", "'_session_id' is 'review'"),
    ("annotator_id_suggestions", "reserved for the model's suggestions"),
    ("annotator_id_with_esc", "'_annotator_id' 'bob\\x1b"),
    ("annotator_id_with_a_newline", "contains control characters"),
    ("annotator_id_blank", "'_annotator_id' is empty"),
    ("annotator_id_with_a_leading_space", "starts or ends with a space"),
    ("annotator_id_a_list", "'_annotator_id' must be a string, got list"),
    ("annotator_id_a_number", "'_annotator_id' must be a string, got int"),
    ("session_id_reserved_under_an_empty_annotator_id", "'_session_id' 'suggester:x' is reserved"),
]
SPAN = {"start": 0, "end": 6, "label": "PERSON"}


def rec(**over) -> dict:
    return {"text": "Merkel said the treaty holds.", **over}


@pytest.fixture
def seeded(tmp_path):
    db = tmp_path / "work.db"
    build(db)
    return db


def test_every_record_file_has_a_case():
    assert sorted(p.stem for p in (HOSTILE / "records").glob("*.jsonl")) == sorted(r[0] for r in RECORDS)


@pytest.mark.parametrize("name, fragment", RECORDS, ids=[r[0] for r in RECORDS])
def test_bad_record_is_refused_with_one_line(seeded, name, fragment):
    src = HOSTILE / "records" / f"{name}.jsonl"
    before = fingerprint(seeded)
    line = one_error_line(run(["import", "--db", str(seeded), str(src)]))
    assert line.startswith(f"error: {src}:2: ") and fragment in line, line
    assert "\x1b" not in line and "\x07" not in line
    assert fingerprint(seeded) == before


@pytest.mark.parametrize("record", [rec(answer=["accept"]), rec(answer={"x": 1}), rec(meta={"x": float("nan")}),
                                    rec(spans=[SPAN, {"start": 12, "end": 25, "label": "CLAIM",
                                                      "attrs": {"speaker": {"start": "a", "end": "b"}}}]),
                                    rec(spans=[{**SPAN, "label": ESC}])],
                         ids=["answer list", "answer object", "NaN meta", "bad speaker", "ESC label"])
def test_skip_invalid_skips_them_and_imports_the_rest(tmp_path, record):
    db = tmp_path / "s.db"
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps(record) + "\n" + json.dumps(rec(text="Good one.", spans=[
        {"start": 0, "end": 4, "label": "ORG"}])) + "\n", encoding="utf-8")
    r = run(["import", "--db", str(db), "--skip-invalid", str(src)])
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    assert f"skipped {src}:1: " in r.stderr and "1 invalid record skipped" in r.stderr
    assert "imported 1 new document (" in r.stdout
    with Store(db) as s:
        assert [d.text for d in s.documents()] == ["Good one."]


def test_review_layer_only_when_asked(tmp_path):
    db = tmp_path / "r.db"
    src = tmp_path / "review.jsonl"
    src.write_text(json.dumps(rec(spans=[SPAN], _annotator_id="review")) + "\n", encoding="utf-8")
    assert run(["import", "--db", str(db), str(src)]).exit_code == 1 and not db.exists()
    r = run(["import", "--db", str(db), "--as", "review", str(src)])
    assert r.exit_code == 0 and "1 to review" in r.stdout, r.output
    # an export of the review layer round-trips the same way
    out = tmp_path / "out.jsonl"
    assert run(["export", "--db", str(db), "--review", "-o", str(out)]).exit_code == 0
    db2 = tmp_path / "r2.db"
    assert run(["import", "--db", str(db2), str(out)]).exit_code == 1
    assert run(["import", "--db", str(db2), "--as", "review", str(out)]).exit_code == 0


# --- 2. names at every door ----------------------------------------------------------------

NAMES = [
    ("annotate --annotator empty", ["annotate", "--annotator", ""], "--annotator: name is empty"),
    ("annotate --annotator suggestions", ["annotate", "--annotator", "suggestions"], "reserved for the model's"),
    ("annotate --annotator suggester:", ["annotate", "--annotator", "suggester:entities"], "suggesters' bookkeeping"),
    ("annotate --annotator review", ["annotate", "--annotator", "review"], "'review' is the adjudication layer"),
    ("annotate --annotator ESC", ["annotate", "--annotator", ESC], "--annotator: name '\\x1b[2J"),
    ("annotate --annotator newline", ["annotate", "--annotator", "a\nb"], "contains control characters"),
    ("annotate --annotator spaces", ["annotate", "--annotator", "  "], "name is empty"),
    ("stats --annotator empty", ["stats", "--annotator", ""], "--annotator: name is empty"),
    ("stats --annotator ESC", ["stats", "--annotator", ESC], "contains control characters"),
    ("export --annotator empty", ["export", "--annotator", ""], "--annotator: name is empty"),
    ("export --annotator suggester:", ["export", "--annotator", "suggester:entities"], "bookkeeping"),
    ("export --annotator BEL", ["export", "--annotator", "x\x07"], "contains control characters"),
    ("merge --annotator empty", ["merge", "--annotator", "", "other.db"], "--annotator: name is empty"),
    ("merge --annotator suggestions", ["merge", "--annotator", "suggestions", "other.db"], "reserved"),
    ("serve --annotator empty", ["serve", "--annotator", ""], "--annotator: name is empty"),
    ("serve --annotator review", ["serve", "--annotator", "review"], "adjudication layer"),
    ("import --as empty", ["import", "--as", "", "x.txt"], "--as: layer name is empty"),
    ("import --as suggester:", ["import", "--as", "suggester:x", "x.txt"], "bookkeeping"),
    ("import --as suggestions", ["import", "--as", "suggestions", "x.txt"], "reserved"),
    ("import --as ESC", ["import", "--as", ESC, "x.txt"], "contains control characters"),
    ("assign --annotators with suggestions", ["assign", "--annotators", "alice,suggestions"], "reserved"),
    ("assign --annotators with review", ["assign", "--annotators", "alice,review"], "adjudication layer"),
    ("assign --annotators with ESC", ["assign", "--annotators", "alice,b" + ESC], "contains control characters"),
    ("review --reviewer empty", ["review", "--reviewer", "", "--summary"], "--reviewer: name is empty"),
    ("review --reviewer review", ["review", "--reviewer", "review", "--summary"], "adjudication layer"),
    ("review --reviewer suggester:", ["review", "--reviewer", "suggester:x", "--summary"], "bookkeeping"),
]


@pytest.mark.parametrize("name, argv, fragment", NAMES, ids=[n[0] for n in NAMES])
def test_unusable_names_are_refused_at_the_door(seeded, name, argv, fragment):
    before = fingerprint(seeded)
    line = one_error_line(run([argv[0], "--db", str(seeded), *argv[1:]]))
    assert fragment in line, line
    assert fingerprint(seeded) == before


@pytest.mark.parametrize("value", ["suggestions", "suggester:entities", ESC], ids=["suggestions", "bookkeeping", "ESC"])
def test_annotator_name_from_the_environment_is_checked_too(seeded, monkeypatch, value):
    monkeypatch.setenv("ANNOTATOR_NAME", value)
    before = fingerprint(seeded)
    line = one_error_line(run(["annotate", "--db", str(seeded), "--no-suggest"]))
    assert line.startswith("error: --annotator: name ")
    assert fingerprint(seeded) == before


# --- 3. a bad row in a teammate's database: the merge refuses, nothing merged -----------------

def sql_cases(folder: str) -> list[tuple[str, str]]:
    """(name, expected fragment) of each tests/hostile/FOLDER/NAME.sql (its `-- expect:` line)."""
    out = []
    for path in sorted((HOSTILE / folder).glob("*.sql")):
        expect = re.search(r"^-- expect: (.*)$", path.read_text(encoding="utf-8"), re.M)
        out.append((path.stem, expect.group(1).replace("{DOC}", DOC.id).replace("{DOC2}", DOC2.id)))
    return out


def break_with(db: Path, folder: str, name: str) -> None:
    """Apply tests/hostile/FOLDER/NAME.sql to a database (`-- untyped: T` first drops T's column types)."""
    script = (HOSTILE / folder / f"{name}.sql").read_text(encoding="utf-8")
    for table in re.findall(r"^-- untyped: (\w+)$", script, re.M):
        untype(db, table)
    con = sqlite3.connect(db)
    try:
        con.executescript(script.replace("{DOC}", DOC.id).replace("{DOC2}", DOC2.id))
    finally:
        con.close()


MERGES = sql_cases("merge")


@pytest.mark.parametrize("name, fragment", MERGES, ids=[m[0] for m in MERGES])
def test_a_bad_row_refuses_the_whole_merge(tmp_path, name, fragment):
    main = build(tmp_path / "main.db")
    other = build(tmp_path / "bob.db", "bob")
    break_with(other, "merge", name)
    before, before_other = fingerprint(main), fingerprint(other)
    line = one_error_line(run(["merge", "--db", str(main), str(other)]))
    assert line.startswith(f"error: {other}: cannot merge: "), line
    assert fragment in line and line.endswith("; nothing was merged"), line
    assert "\x1b" not in line and "\x07" not in line
    assert fingerprint(main) == before
    assert fingerprint(other) == before_other


def test_merge_of_a_good_file_still_works_after_the_checks(tmp_path):
    main = build(tmp_path / "main.db")
    other = build(tmp_path / "bob.db", "bob")
    r = run(["merge", "--db", str(main), str(other)])
    assert r.exit_code == 0, r.output
    assert "bob              +5" in r.stdout


SHAPES = sql_cases("shapes")


@pytest.mark.parametrize("name, fragment", SHAPES, ids=[s[0] for s in SHAPES])
def test_only_plain_tables_of_the_expected_shape_are_read(tmp_path, name, fragment):
    main = build(tmp_path / "main.db")
    other = build(tmp_path / "bob.db", "bob")
    break_with(other, "shapes", name)
    before = fingerprint(main)
    line = one_error_line(run(["merge", "--db", str(main), str(other)]))
    assert line.startswith(f"error: {other}: cannot merge: {fragment}"), line
    assert fingerprint(main) == before


def test_a_recursive_view_does_not_hang_the_merge(tmp_path):
    """The case that filled the disk at 70 MB/s: `documents` as an endless recursive view."""
    main = build(tmp_path / "main.db")
    other = build(tmp_path / "bob.db", "bob")
    sql(other, "drop table documents",
        "create view documents as with recursive r(id, text, meta, position, added) as "
        "(select 'a', 'b', '{}', 1, '' union all select id || 'a', text, meta, position + 1, added from r) "
        "select * from r")
    before = fingerprint(main)
    proc = subprocess.run([sys.executable, "-m", "annotator", "merge", "--db", str(main), str(other)],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr == f"error: {other}: cannot merge: data table 'documents' is a view, not a plain table\n"
    assert fingerprint(main) == before


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_special_files_are_refused_as_merge_input(tmp_path):
    main = build(tmp_path / "main.db")
    fifo = tmp_path / "pipe.db"
    os.mkfifo(fifo)
    sock_path = tmp_path / "sock.db"
    sock = socket.socket(socket.AF_UNIX)
    sock.bind(str(sock_path))
    devices = [p for p in (Path("/dev/zero"), Path("/dev/null")) if stat.S_ISCHR(p.stat().st_mode)]
    before = fingerprint(main)
    for path in (fifo, sock_path, *devices):
        line = one_error_line(run(["merge", "--db", str(main), str(path)]))
        assert line.startswith(f"error: {path}: is a ") and line.endswith(", not a regular file"), line
        assert ("FIFO" in line) == (path == fifo) and ("socket" in line) == (path == sock_path), line
    sock.close()
    assert fingerprint(main) == before


# --- 4. a bad row already in our own database: skipped with a warning, never a traceback -------

OWN = sql_cases("own")


@pytest.mark.parametrize("name, fragment", OWN, ids=[o[0] for o in OWN])
@pytest.mark.parametrize("command", ["jsonl", "brat", "agreement", "stats"])
def test_a_bad_row_in_our_database_is_skipped_and_named(tmp_path, name, fragment, command):
    db = build(tmp_path / "own.db")
    with Store(db) as s:  # a second annotator, for agreement
        s.apply("bob", DOC.id, "add", [(None, Annotation("b1", DOC.id, "bob", Span(0, 13, "PERSON")))])
    break_with(db, "own", name)
    argv = {"jsonl": ["export", "--annotator", "alice"],
            "brat": ["export", "--annotator", "alice", "--format", "brat", "-o", str(tmp_path / "brat")],
            "agreement": ["agreement"], "stats": ["stats"]}[command]
    r = run([argv[0], "--db", str(db), *argv[1:]])
    assert r.exit_code == 0 and "Traceback" not in r.output, r.output
    assert not any(c in r.output for c in "\x1b\x07"), r.output
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning: ")]
    assert all(w.startswith(f"warning: {db}: ") and w.endswith("; skipped") for w in warnings), r.stderr
    if command == "stats" or (command == "agreement" and name.startswith("document")):
        return  # stats counts with SQL, agreement compares layers: neither reads these rows
    assert any(fragment in w for w in warnings), r.stderr
    if command == "jsonl":
        tasks = [json.loads(line) for line in r.stdout.splitlines()]
        assert tasks and tasks[0]["text"] == TEXT and any(s["label"] == "PERSON" for s in tasks[0]["spans"])
