"""A label or annotator name with a character a terminal draws as nothing ("PER\u200bSON") would read as
another one ("PERSON"): refused where it comes in, with the file and line, and nothing imported."""

import json

from click.testing import CliRunner

from annotator.cli import cli
from annotator.store import Store


def _import(tmp_path, record):
    src = tmp_path / "in.jsonl"
    src.write_text(json.dumps({"text": "Angela Merkel spoke."}) + "\n" + json.dumps(record) + "\n", encoding="utf-8")
    db = tmp_path / "t.db"
    return CliRunner().invoke(cli, ["import", "--db", str(db), str(src)]), db


def test_a_label_with_a_zero_width_space_is_refused_naming_file_and_line(tmp_path):
    result, db = _import(tmp_path, {"text": "Angela Merkel spoke.", "answer": "accept",
                                    "spans": [{"start": 0, "end": 13, "label": "PER\u200bSON"}]})
    assert result.exit_code == 1
    assert "in.jsonl:2" in result.output and "invisible character (U+200B)" in result.output
    assert "Traceback" not in result.output
    if db.exists():
        with Store(db) as s:
            assert s.count_documents() == 0


def test_a_layer_name_from_a_record_with_a_word_joiner_is_refused(tmp_path):
    result, _ = _import(tmp_path, {"text": "Angela Merkel spoke again.", "_annotator_id": "ali\u2060ce",
                                    "answer": "accept", "spans": [{"start": 0, "end": 13, "label": "PERSON"}]})
    assert result.exit_code == 1 and "U+2060" in result.output


def test_an_annotator_name_with_a_soft_hyphen_is_refused_on_the_command_line(tmp_path):
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "t.db"), "--annotator", "bo\u00adb"])
    assert result.exit_code != 0 and "U+00AD" in result.output


def test_a_name_spelled_with_a_zero_width_non_joiner_is_accepted(tmp_path):
    # Persian and other scripts spell names with ZWNJ; it is not one of the refused characters
    result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "t.db"), "--annotator", "علی\u200cرضا"])
    assert "invisible" not in result.output
