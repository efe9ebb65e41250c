"""import / export / stats through the real CLI, and every kind of bad input."""

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.conftest import SEED, shared_file

NEWS = "Seoul condemned the deployment. Moscow welcomed the treaty."


def dump(db_path):
    """Everything in a database, to prove a failed command changed nothing."""
    if not db_path.exists():
        return None
    conn = sqlite3.connect(db_path)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


def one_line_error(result, *fragments):
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


def test_import_seed_folder_then_stats_and_export(run_cli, tmp_path):
    result = run_cli("import", str(SEED.parent))
    assert result.exit_code == 0, result.output
    assert "imported 1 new document (" in result.output
    again = run_cli("import", str(SEED))
    assert "imported 0 new documents (1 already present)" in again.output
    stats = run_cli("stats")
    assert "documents: 1" in stats.output
    empty = run_cli("export", "--suggestions")
    assert empty.exit_code == 0 and empty.output == ""


def test_jsonl_with_text_field_and_annotator_layers(run_cli, tmp_path):
    src = tmp_path / "team.jsonl"
    src.write_text("\n".join(json.dumps(r) for r in [
        {"text": "Plain article."},
        {"text": NEWS, "spans": [{"start": 0, "end": 5, "label": "GPE"}], "_annotator_id": "alice", "answer": "accept"},
        {"text": NEWS, "spans": [{"start": 32, "end": 38, "label": "GPE"}], "_session_id": "news-bob"},
    ]) + "\n", encoding="utf-8")
    assert run_cli("import", str(src)).exit_code == 0
    stats = json.loads(run_cli("stats", "--json").output)
    assert stats["documents"] == 2
    assert set(stats["layers"]) == {"alice", "news-bob"} and stats["layers"]["alice"]["done"] == 1
    out = run_cli("export", "--annotator", "alice")
    [task] = [json.loads(line) for line in out.output.splitlines()]
    assert task["_annotator_id"] == "alice" and task["answer"] == "accept"
    assert [(s["start"], s["end"], s["label"], s["kind"]) for s in task["spans"]] == [(0, 5, "GPE", "entity")]
    unknown = run_cli("export", "--annotator", "carol")
    one_line_error(unknown, "no annotation layer named 'carol'", "alice, news-bob")
    forced = run_cli("import", "--as", "carol", str(src))
    assert "to carol" in forced.output


def test_env_var_names_the_database(tmp_path, monkeypatch):
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "env.db"
    monkeypatch.setenv("ANNOTATOR_DB", str(db))
    assert CliRunner().invoke(cli, ["import", str(SEED)]).exit_code == 0
    assert db.exists()


BAD_JSONL = [
    ('{"text": "ok"}\n{not json}\n', "bad.jsonl:2: not valid JSON"),
    ('{"text": "ok"}\n[1, 2]\n', "bad.jsonl:2: expected a JSON object, got list"),
    ('{"title": "no text"}\n', "bad.jsonl:1: no 'text' field"),
    ('{"text": 42}\n', "bad.jsonl:1: 'text' must be a string"),
    ('{"text": "short", "spans": [{"start": 0, "end": 99, "label": "ORG"}]}\n', "bad.jsonl:1: span 0: span 0-99 lies outside"),
    ('{"text": "short", "spans": [{"start": 3, "end": 3, "label": "ORG"}]}\n', "bad.jsonl:1: span 0: span 3-3 has end <= start"),
    ('{"text": "short", "label": [[4, 2, "ORG"]]}\n', "bad.jsonl:1: label 0: span 4-2 has end <= start"),
    ('{"text": "short", "spans": [{"start": 0, "end": 2, "label": "ORG", "text": "xx"}]}\n', "says 'xx'"),
    ("[" * 100000 + "\n", "bad.jsonl:1: JSON nested too deeply"),
]


@pytest.mark.parametrize("content, message", BAD_JSONL)
def test_bad_jsonl_is_one_line_and_changes_nothing(run_cli, db_path, tmp_path, content, message):
    assert run_cli("import", str(SEED)).exit_code == 0
    before = dump(db_path)
    bad = tmp_path / "bad.jsonl"
    bad.write_text(content, encoding="utf-8")
    good = tmp_path / "good.txt"
    good.write_text("A good article that must not be half-imported.", encoding="utf-8")
    one_line_error(run_cli("import", str(good), str(bad)), message)
    assert dump(db_path) == before


def test_binary_and_non_utf8_files(run_cli, db_path, tmp_path):
    binary = tmp_path / "image.txt"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    one_line_error(run_cli("import", str(binary)), "image.txt: looks like a binary file")
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes(b'{"text": "ok"}\n{"text": "caf\xe9"}\n')
    one_line_error(run_cli("import", str(latin)), "latin.jsonl:2: not UTF-8")
    assert dump(db_path) is None  # nothing was even created


def test_skip_invalid_imports_the_rest_and_reports(run_cli, tmp_path):
    src = tmp_path / "mixed.jsonl"
    src.write_text('{"text": "one"}\nnope\n{"text": "two"}\n', encoding="utf-8")
    result = run_cli("import", "--skip-invalid", str(src))
    assert result.exit_code == 0
    assert "mixed.jsonl:2: not valid JSON" in result.output and "imported 2 new documents" in result.output


def test_empty_file_says_so(run_cli, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n\n", encoding="utf-8")
    result = run_cli("import", str(empty))
    assert result.exit_code == 0 and "empty.jsonl: empty, nothing imported" in result.output


def test_unknown_labels_are_kept_and_reported_or_refused_when_strict(run_cli, db_path, tmp_path):
    src = tmp_path / "brands.jsonl"
    src.write_text(json.dumps({"text": "I love Nike", "spans": [{"start": 7, "end": 11, "label": "BRAND"}]}) + "\n")
    strict = run_cli("import", "--strict", str(src))
    one_line_error(strict, "brands.jsonl:1: label 'BRAND' is not in schema news")
    kept = run_cli("import", str(src))
    assert kept.exit_code == 0 and "labels not in schema news (kept as they are): BRAND (1)" in kept.output


def test_bad_schema_and_bad_databases(run_cli, db_path, tmp_path):
    schema = tmp_path / "bad.yaml"
    schema.write_text("entities:\n  PERSON: {key: p, color: nope}\n")
    one_line_error(run_cli("import", "--schema", str(schema), str(SEED)), "bad.yaml:2:", "not a colour")
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"definitely not sqlite")
    one_line_error(run_cli("import", "--db", str(junk), str(SEED), db=False), "junk.db: not an SQLite database")
    assert junk.read_bytes() == b"definitely not sqlite"
    one_line_error(run_cli("stats", "--db", str(tmp_path / "none.db"), db=False), "no such database")


def test_fashion_file_through_the_real_console_script(tmp_path):
    source = shared_file("prodigy", "ner_fashion_brands_training.jsonl")
    db = tmp_path / "f.db"
    run = lambda *a: subprocess.run([sys.executable, "-m", "annotator", *a, "--db", str(db)],  # noqa: E731
                                    capture_output=True, text=True)
    imported = run("import", str(source))
    assert imported.returncode == 0, imported.stderr
    assert "imported 1235 new documents" in imported.stdout
    out = tmp_path / "f.jsonl"
    assert run("export", "--annotator", "imported", "-o", str(out)).returncode == 0
    assert len(out.read_text(encoding="utf-8").splitlines()) == 1235
    refused = run("export", "--annotator", "imported", "-o", str(out))
    assert refused.returncode == 1 and "already exists" in refused.stderr and "Traceback" not in refused.stderr


def test_blind_stats_show_only_your_own_layer(run_cli, tmp_path):
    src = tmp_path / "team.jsonl"
    src.write_text("\n".join(json.dumps({"text": NEWS, "spans": [{"start": 0, "end": 5, "label": "GPE"}],
                                         "_annotator_id": name}) for name in ("alice", "bob")) + "\n")
    assert run_cli("import", str(src)).exit_code == 0
    everyone = json.loads(run_cli("stats", "--json").output)
    blind = json.loads(run_cli("stats", "--json", "--blind", "--annotator", "alice").output)
    assert set(everyone["layers"]) == {"alice", "bob"} and set(blind["layers"]) == {"alice"}
