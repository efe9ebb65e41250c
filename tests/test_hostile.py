"""The hostile input corpus (tests/hostile/ plus a few generated giants), run by one test:
article texts, JSONL lines, schemas, key and lexicon config files, and database files.

Every case ends either in correct handling or in a clear one-line error, never a
traceback; a failed command leaves the database exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from tests.conftest import SEED

HOSTILE = Path(__file__).resolve().parent / "hostile"
OK, ERROR = "ok", "error"


def generated(tmp: Path, name: str) -> Path:
    path = tmp / name
    if name == "ten_mb_article.txt":
        para = "The ministry said on Monday that exports rose 4.2% to $18 billion, officials confirmed.\n"
        path.write_text(para * (10_000_000 // len(para) + 1), encoding="utf-8")
    elif name == "one_mb_line.jsonl":
        path.write_text(json.dumps({"text": "word " * 210_000, "spans": [{"start": 0, "end": 4, "label": "ORG"}]}) + "\n",
                        encoding="utf-8")
    elif name == "deeply_nested.jsonl":
        path.write_text('{"text": "x", "meta": ' + "[" * 50_000 + "]" * 50_000 + "}\n", encoding="utf-8")
    elif name == "nested_ok.jsonl":
        path.write_text('{"text": "nested meta", "meta": ' + "[" * 50 + "]" * 50 + "}\n", encoding="utf-8")
    elif name == "empty_dir":
        path.mkdir()
    elif name == "not_sqlite.db":  # generated: *.db files are not kept in git
        path.write_bytes(b"I am a text file pretending to be a database\n")
    elif name == "truncated_sqlite.db":
        path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 200)
    return path


# (id, command, file, expectation, fragment that must be in the output)
CASES = [
    ("markup article", "import", "markup.txt", OK, "imported 1 new"),
    ("control and zero-width characters", "import", "controls.txt", OK, "imported 1 new"),
    ("right-to-left article", "import", "rtl.txt", OK, "imported 1 new"),
    ("markup and escapes in JSONL", "import", "markup.jsonl", OK, "1 annotation ("),
    ("right-to-left spans", "import", "rtl_spans.jsonl", OK, "1 annotation ("),
    ("CRLF and BOM JSONL", "import", "crlf_bom.jsonl", OK, "imported 2 new"),
    ("10 MB article", "import", "@ten_mb_article.txt", OK, "imported 1 new"),
    ("1 MB JSONL line", "import", "@one_mb_line.jsonl", OK, "1 annotation ("),
    ("nested but fine meta", "import", "@nested_ok.jsonl", OK, "imported 1 new"),
    ("deeply nested JSON", "import", "@deeply_nested.jsonl", ERROR, "deeply_nested.jsonl:1: JSON nested too deeply"),
    ("duplicate JSON keys", "import", "duplicate_keys.jsonl", ERROR, "duplicate_keys.jsonl:1: duplicate key 'text'"),
    ("huge integer offset", "import", "huge_number.jsonl", ERROR, "huge_number.jsonl:1: span 0: span 0-9999"),
    ("infinite float offset", "import", "float_offset.jsonl", ERROR, "float_offset.jsonl:1: span 0 end must be an integer"),
    ("NaN offset", "import", "nan_offset.jsonl", ERROR, "nan_offset.jsonl:1: span 0 start must be an integer"),
    ("lone surrogate in text", "import", "lone_surrogate.jsonl", ERROR, "lone_surrogate.jsonl:1: invalid Unicode"),
    ("lone surrogate in meta", "import", "surrogate_in_meta.jsonl", ERROR, "surrogate_in_meta.jsonl:1: invalid Unicode"),
    ("null text", "import", "null_text.jsonl", ERROR, "null_text.jsonl:1: 'text' must be a string"),
    ("spans not a list", "import", "spans_not_list.jsonl", ERROR, "spans_not_list.jsonl:1: 'spans' must be a list"),
    ("numeric label", "import", "label_number.jsonl", ERROR, "label_number.jsonl:1: span 0 (0-2) has no label"),
    ("relation outside the text", "import", "relation_outside.jsonl", ERROR, "relation_outside.jsonl:1: relation 0 child_span"),
    ("Doccano relation to a missing entity", "import", "doccano_bad_id.jsonl", ERROR, "doccano_bad_id.jsonl:1: relation 0 points"),
    ("empty JSON object", "import", "empty_object.jsonl", ERROR, "empty_object.jsonl:1: no 'text' field"),
    ("truncated JSONL", "import", "truncated.jsonl", ERROR, "truncated.jsonl:2: not valid JSON"),
    ("Latin-1 text file", "import", "latin1.txt", ERROR, "latin1.txt:1: not UTF-8 text"),
    ("binary file named .jsonl", "import", "binary.jsonl", ERROR, "binary.jsonl: looks like a binary file"),
    ("folder without articles", "import", "@empty_dir", ERROR, "empty_dir: folder has no .txt, .md or .jsonl files"),
    ("missing file", "import", "@does_not_exist.txt", ERROR, "does_not_exist.txt: no such file or folder"),
    ("schema that is not YAML", "schema", "yaml_not_yaml.yaml", ERROR, "yaml_not_yaml.yaml:2: not valid YAML"),
    ("schema with a python object tag", "schema", "yaml_python_object.yaml", ERROR, "is not allowed"),
    ("schema with duplicate sections", "schema", "yaml_duplicate.yaml", ERROR, "yaml_duplicate.yaml:3: duplicate key 'entities'"),
    ("schema alias bomb", "schema", "yaml_bomb.yaml", ERROR, "too large once aliases are expanded"),
    ("empty schema", "schema", "yaml_empty.yaml", ERROR, "yaml_empty.yaml:1: a schema must be a mapping"),
    ("schema key that is a huge number", "schema", "yaml_huge_int_key.yaml", ERROR, "'key' must be one character"),
    ("key config that is not YAML", "keys", "keys_not_yaml.yaml", ERROR, "keys_not_yaml.yaml:2: not valid YAML"),
    ("key config with an unknown binding", "keys", "keys_unknown_id.yaml", ERROR,
     "keys_unknown_id.yaml:1: unknown binding id 'no_such_binding'"),
    ("key config with a python tag", "keys", "keys_python_tag.yaml", ERROR, "is not allowed"),
    ("key config with a number for keys", "keys", "keys_number.yaml", ERROR, "keys_number.yaml:1:"),
    ("lexicon with a bad entry", "lexicon", "lexicon_bad_entry.yaml", ERROR,
     "lexicon_bad_entry.yaml:1: lexicon 'support_verbs': entry 2 (42)"),
    ("lexicon with a bad alias", "lexicon", "lexicon_bad_alias.yaml", ERROR, "lexicon_bad_alias.yaml:1:"),
    ("database that is a text file", "db", "@not_sqlite.db", ERROR, "not_sqlite.db: not an SQLite database"),
    ("database with a valid header and garbage", "db", "@truncated_sqlite.db", ERROR, "truncated_sqlite.db: cannot open database"),
    ("database path that is a folder", "db", "@empty_dir", ERROR, "is a directory"),
]


def dump(db: Path):
    conn = sqlite3.connect(db)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.mark.parametrize("name, command, file, expect, fragment", CASES, ids=[c[0] for c in CASES])
def test_hostile_input(tmp_path, monkeypatch, name, command, file, expect, fragment):
    source = generated(tmp_path, file[1:]) if file.startswith("@") else HOSTILE / file
    db = tmp_path / "work.db"
    runner = CliRunner()
    assert runner.invoke(cli, ["import", "--db", str(db), str(SEED)]).exit_code == 0
    before = dump(db)
    if command == "import":
        argv = ["import", "--db", str(db), str(source)]
    elif command == "schema":
        argv = ["import", "--db", str(db), "--schema", str(source), str(SEED)]
    elif command == "keys":
        argv = ["annotate", "--db", str(db), "--keys", str(source), "--no-suggest"]
    elif command == "lexicon":
        monkeypatch.setenv("ANNOTATOR_LEXICONS", str(source))
        argv = ["suggest", "--db", str(db)]
    else:
        argv = ["stats", "--db", str(source)]
    result = runner.invoke(cli, argv)
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if expect == OK:
        assert result.exit_code == 0, result.output
    else:
        assert result.exit_code == 1, result.output
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("error: "), result.output
        assert dump(db) == before
    assert fragment in result.output, result.output


def test_hostile_text_is_stored_exactly(tmp_path):
    """Markup, escapes, control and right-to-left characters are data: stored and exported unchanged."""
    from annotator.store import Store

    db = tmp_path / "t.db"
    files = ["markup.txt", "controls.txt", "rtl.txt"]
    assert CliRunner().invoke(cli, ["import", "--db", str(db), *(str(HOSTILE / f) for f in files)]).exit_code == 0
    with Store(db) as store:
        texts = {d.text for d in store.documents()}
    for f in files:
        raw = (HOSTILE / f).read_bytes().decode("utf-8")
        assert raw.removeprefix("\ufeff") in texts
