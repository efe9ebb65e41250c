"""Text from data is inert on the terminal: every command that prints, fed hostile labels,
names, titles, meta and file names, writes no ESC, BEL, DEL or C1 control to stdout or stderr.

The data comes in two ways: what import accepts (article text and meta may hold anything;
labels may hold rich markup) and what only a hand-edited or hostile database holds (labels
and layer names with escape sequences), which the readers skip with a warning that names
the row — and that warning must be inert too.
"""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store
from annotator.textsafe import display_text, has_control, json_text, one_line, terminal_text

ROOT = Path(__file__).resolve().parent.parent
# clear the screen, set the window title, write the clipboard (OSC 52), a one-byte CSI, and markup
EVIL = "\x1b[2J\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07\x9b31m[bold red]X[/]\x7f"
FORBIDDEN = re.compile("[\x07\x1b\x7f\x80-\x9f]")
MARKUP = "[bold red]X[/]"
TEXT = f"Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday. {EVIL}"
DOC = Document.from_text(TEXT, {"title": "Title " + EVIL, "source": "/tmp/" + EVIL + ".txt"})
DOC2 = Document.from_text("The Kremlin denied the report on Tuesday.")


# --- the functions ----------------------------------------------------------------------

def test_display_text_keeps_length_and_shows_controls():
    shown = display_text(EVIL + "\r\nnext\u202eline\u2028")
    assert len(shown) == len(EVIL) + 12
    assert not FORBIDDEN.search(shown) and "\u202e" not in shown and "\u2028" not in shown
    assert shown.startswith("␛[2J␛]0;pwned␇") and "\n" in shown


def test_one_line_and_terminal_text():
    assert one_line("a\nb\x1bc   d", 60) == "a b␛c d"
    assert one_line("x" * 100, 10) == "x" * 9 + "…"
    assert terminal_text(f"line one {EVIL}\nline two") .count("\n") == 1
    assert not FORBIDDEN.search(terminal_text(EVIL))


def test_has_control():
    assert all(has_control(c) for c in ("\x1b", "\x07", "\n", "\t", "\x85", "\x7f", "\u202e", "\u2028"))
    assert not has_control("[bold]Zoë 王芳[/]")


def test_json_text_is_valid_inert_and_loses_nothing():
    value = {"label": EVIL, "text": "Zoë 王芳 \u2028 \u202e", EVIL: [1, 2.5, None]}
    out = json_text(value, indent=2)
    assert not FORBIDDEN.search(out) and "\u2028" not in out and "\u202e" not in out
    assert "Zoë 王芳" in out  # other non-ASCII text stays readable
    assert json.loads(out) == value
    with pytest.raises(ValueError):
        json_text({"x": float("nan")})


# --- every command that prints ------------------------------------------------------------

def _sql(db: Path, *statements) -> None:
    con = sqlite3.connect(db)
    for sql, params in statements:
        con.execute(sql, params)
    con.commit()
    con.close()


def _add(s: Store, who: str, doc: Document, value) -> None:
    s.apply(who, doc.id, "add", [(None, Annotation(uuid.uuid4().hex, doc.id, who, value))])


@pytest.fixture
def hostile(tmp_path):
    """A database holding hostile text everywhere import lets it in, plus hand-edited hostile rows."""
    db = tmp_path / "h.db"
    with Store(db) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(DOC2)])
        for who, label in (("alice", "GPE"), ("bob", MARKUP)):
            _add(s, who, DOC, Span(0, 13, "PERSON"))
            _add(s, who, DOC, Span(19, 26, label))
            _add(s, who, DOC, Span(50, 56, "GPE"))
            _add(s, who, DOC, Span(19, 48, "CLAIM", "claim", {"speaker": {"start": 0, "end": 13, "label": "PERSON"},
                                                                "cue": EVIL}))
            _add(s, who, DOC, Stance(SpanRef(50, 56, "GPE"), SpanRef(67, 71, "ORG"), "AGAINST"))
            _add(s, who, DOC2, Span(4, 11, "ORG"))
            s.set_status(who, DOC.id, "done")
        s.replace_suggestions(DOC.id, "entities", "1", [(Span(0, 13, "PERSON"), "ner", 0.9),
                                                        (Span(84, 88, MARKUP), "rule" + MARKUP, 0.5)])
        s.add_assignments([(DOC.id, "alice"), (DOC2.id, "bob")])
    _sql(db,
         ("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, origin) "
          "values ('evil-label', ?, 'bob', 'entity', 67, 71, ?, '{}', 'accepted', 'manual')", [DOC.id, EVIL]),
         ("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, origin) "
          "values (?, ?, 'bob', 'entity', 67, 71, 'ORG', '{}', 'accepted', 'manual')", [f"evil-{EVIL}", DOC.id]),
         ("insert into annotations (id, doc_id, layer, kind, start, end, label, attrs, status, origin) "
          "values ('evil2', ?, ?, 'entity', 0, 13, 'PERSON', '{}', 'accepted', 'manual')", [DOC.id, EVIL]),
         ("update suggestions set rule = ?, label = ? where start = 84", [EVIL, EVIL]),
         ("insert into assignments (doc_id, annotator, assigned) values (?, ?, '')", [DOC2.id, EVIL]))
    return db


def _gold(tmp_path) -> Path:
    path = tmp_path / f"gold{EVIL[:4]}.jsonl"
    rec = {"text": TEXT, "meta": {"title": EVIL}, "spans": [{"start": 0, "end": 13, "label": "PERSON"},
                                                            {"start": 19, "end": 26, "label": MARKUP}]}
    path.write_text(json.dumps(rec) + "\n", encoding="utf-8")
    return path


def _files(tmp_path: Path, db: Path) -> dict[str, Path]:
    """Hostile file names: a good JSONL, a JSONL with a hostile label, a teammate's database, a schema."""
    good = tmp_path / f"good{EVIL[:14]}.jsonl"
    good.write_text(json.dumps({"text": "Paris is in France. " + EVIL, "meta": {"note": EVIL},
                                "spans": [{"start": 0, "end": 5, "label": MARKUP}], "_annotator_id": "carol"}) + "\n",
                    encoding="utf-8")
    bad = tmp_path / f"bad{EVIL[:14]}.jsonl"
    bad.write_text(json.dumps({"text": "abc", "spans": [{"start": 0, "end": 2, "label": EVIL}]}) + "\n"
                   + json.dumps({"text": "ok line", "answer": {"x": EVIL}}) + "\n", encoding="utf-8")
    teammate = tmp_path / f"team{EVIL[:14]}.db"
    with Store(teammate) as s:
        s.import_records([ImportRecord(DOC)])
        _add(s, "alice", DOC, Span(19, 26, "NORP"))  # a conflict with alice's GPE
        _add(s, "dave", DOC, Span(0, 13, MARKUP))
    schema = tmp_path / f"schema{EVIL[:14]}.yaml"
    news = (ROOT / "schemas" / "news.yaml").read_text(encoding="utf-8")
    schema.write_text(news.replace("name: news", 'name: "news\\e]0;pwned\\a"'), encoding="utf-8")
    return {"good": good, "bad": bad, "teammate": teammate, "schema": schema, "gold": _gold(tmp_path)}


COMMANDS = [
    ("import good", lambda f, db: ["import", "--db", db, str(f["good"])], 0),
    ("import hostile label", lambda f, db: ["import", "--db", db, str(f["bad"])], 1),
    ("import --skip-invalid", lambda f, db: ["import", "--db", db, "--skip-invalid", str(f["bad"])], 0),
    ("import missing file", lambda f, db: ["import", "--db", db, str(f["bad"]) + EVIL], 1),
    ("import --as hostile", lambda f, db: ["import", "--db", db, "--as", EVIL, str(f["good"])], 1),
    ("import --schema hostile", lambda f, db: ["import", "--db", db, "--schema", str(f["schema"]), str(f["good"])], 0),
    ("stats", lambda f, db: ["stats", "--db", db], 0),
    ("stats --json", lambda f, db: ["stats", "--db", db, "--json"], 0),
    ("stats --rules", lambda f, db: ["stats", "--db", db, "--rules"], 0),
    ("stats --rules --json", lambda f, db: ["stats", "--db", db, "--rules", "--json"], 0),
    ("stats --annotator hostile", lambda f, db: ["stats", "--db", db, "--annotator", EVIL], 1),
    ("export jsonl to stdout", lambda f, db: ["export", "--db", db, "--annotator", "bob"], 0),
    ("export doccano to stdout", lambda f, db: ["export", "--db", db, "--annotator", "bob", "--format", "doccano"], 0),
    ("export suggestions", lambda f, db: ["export", "--db", db, "--suggestions"], 0),
    ("export brat", lambda f, db: ["export", "--db", db, "--annotator", "bob", "--format", "brat", "-o",
                                   str(Path(db).parent / f"brat{EVIL[:4]}")], 0),
    ("export unknown layer", lambda f, db: ["export", "--db", db, "--annotator", "x" + MARKUP], 1),
    ("merge", lambda f, db: ["merge", "--db", db, str(f["teammate"])], 0),
    ("merge --json", lambda f, db: ["merge", "--db", db, "--json", str(f["teammate"])], 0),
    ("merge a hostile database", lambda f, db: ["merge", "--db", str(f["teammate"]), db], 1),
    ("merge a missing file", lambda f, db: ["merge", "--db", db, str(f["teammate"]) + EVIL], 1),
    ("agreement", lambda f, db: ["agreement", "--db", db], 0),
    ("agreement --json", lambda f, db: ["agreement", "--db", db, "--json"], 0),
    ("agreement unknown annotator", lambda f, db: ["agreement", "--db", db, "--annotators", "alice," + EVIL], 1),
    ("review --summary", lambda f, db: ["review", "--db", db, "--reviewer", "carol", "--summary"], 0),
    ("review --reviewer hostile", lambda f, db: ["review", "--db", db, "--reviewer", EVIL, "--summary"], 1),
    ("evaluate", lambda f, db: ["evaluate", "--db", db, "--gold", str(f["gold"]), "--layer", "bob"], 0),
    ("evaluate --json", lambda f, db: ["evaluate", "--db", db, "--gold", str(f["gold"]), "--json"], 0),
    ("evaluate missing gold", lambda f, db: ["evaluate", "--db", db, "--gold", str(f["gold"]) + EVIL], 1),
    ("assign", lambda f, db: ["assign", "--db", db, "--annotators", "alice,bob"], 0),
    ("assign --json", lambda f, db: ["assign", "--db", db, "--annotators", "alice,bob", "--json"], 0),
    ("assign hostile names", lambda f, db: ["assign", "--db", db, "--annotators", "alice," + EVIL], 1),
    ("schema check", lambda f, db: ["schema", "check", str(f["schema"])], 0),
    ("schema check missing", lambda f, db: ["schema", "check", str(f["schema"]) + EVIL], 1),
    ("annotate missing source", lambda f, db: ["annotate", "--db", db, "--no-suggest", EVIL], 1),
    ("annotate --annotator hostile", lambda f, db: ["annotate", "--db", db, "--annotator", EVIL], 1),
    ("database that is not a database", lambda f, db: ["stats", "--db", str(f["good"])], 1),
]


@pytest.mark.parametrize("name, argv, code", COMMANDS, ids=[c[0] for c in COMMANDS])
def test_no_control_character_reaches_the_terminal(tmp_path, hostile, name, argv, code):
    files = _files(tmp_path, hostile)
    # color=True: click must not strip escape sequences itself, so a leak would show
    result = CliRunner().invoke(cli, argv(files, str(hostile)), color=True)
    out, err = result.stdout, result.stderr
    assert result.exit_code == code, (result.output, result.exception)
    assert "Traceback" not in result.output
    assert not FORBIDDEN.search(out), out
    assert not FORBIDDEN.search(err), err
    if "--json" in argv(files, str(hostile)):
        json.loads(out)  # still valid JSON
    if code == 1:
        assert len(err.splitlines()) == 1 and err.startswith("error: "), err


def test_skipped_rows_and_hostile_names_are_named_inertly(tmp_path, hostile):
    files = _files(tmp_path, hostile)
    r = CliRunner().invoke(cli, ["export", "--db", str(hostile), "--annotator", "bob"], color=True)
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning: ")]
    assert any("annotations row evil-label: label '\\x1b[2J" in w for w in warnings), r.stderr
    assert any("annotations row evil-␛[2J" in w and "id 'evil-\\x1b[2J" in w for w in warnings), r.stderr
    assert any("unusable layer name" in w for w in warnings), r.stderr
    lines = [json.loads(line) for line in r.stdout.splitlines()]
    # the good items, and the stance's ORG end (listed in spans, as Doccano and brat list stance ends)
    assert {s["label"] for s in lines[0]["spans"]} == {"PERSON", MARKUP, "GPE", "CLAIM", "ORG"}
    assert lines[0]["meta"]["title"] == "Title " + EVIL  # meta is data: exported exactly, as JSON escapes
    r = CliRunner().invoke(cli, ["import", "--db", str(hostile), str(files["bad"])], color=True)
    assert r.stderr.startswith("error: ") and "bad␛[2J␛]0;pwned␇" in r.stderr and "label '\\x1b[2J" in r.stderr


@pytest.mark.parametrize("argv", [["stats"], ["export", "--annotator", "bob"], ["agreement"]])
def test_real_process_bytes_are_inert(hostile, argv):
    """The same through a real process and pipe: the bytes written, not what a test runner captured."""
    proc = subprocess.run([sys.executable, "-m", "annotator", *argv, "--db", str(hostile)], capture_output=True,
                          cwd=ROOT, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for stream in (proc.stdout, proc.stderr):
        text = stream.decode("utf-8")
        assert b"\x1b" not in stream and b"\x07" not in stream and not FORBIDDEN.search(text)


def test_a_database_error_quoting_a_hostile_name_is_inert(tmp_path):
    """SQLite's own messages quote names from the file: `annotations` as a view of a table named with ESC."""
    db = tmp_path / "v.db"
    Store(db).close()
    _sql(db, ("drop table annotations", ()), (f"create view annotations as select * from [x{EVIL[:4]}]", ()))
    r = CliRunner().invoke(cli, ["stats", "--db", str(db)], color=True)
    assert r.exit_code == 1 and r.stderr.startswith(f"error: {db}: database error: no such table: main.x␛[2J"), r.output
    assert not FORBIDDEN.search(r.output)
