"""Label schemas: the bundled one loads; bad ones name file, line and problem."""

from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.schema import builtin_schema_path, load_schema

GOOD = """\
name: mini
entities:
  PERSON: {key: p, color: "#ff0000"}
  ORG: {key: o, color: blue}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_news_schema_has_ontonotes_labels_claims_and_polarities():
    schema = load_schema()
    assert builtin_schema_path().name == "news.yaml"
    for label in ["PERSON", "ORG", "GPE", "NORP", "LOC", "DATE", "LAW", "EVENT", "MONEY", "PERCENT", "CARDINAL"]:
        assert label in schema.entity_names
    assert schema.claim.name == "CLAIM"
    assert {a.name for a in schema.claim_attributes} == {"speaker", "cue", "claim_type", "checkworthy", "hedged"}
    assert [p.name for p in schema.polarities] == ["FAVOR", "AGAINST", "NEUTRAL"]
    assert schema.map_model_label("GPE") == "GPE"
    assert schema.map_model_label("FASHION_BRAND") == "FASHION_BRAND"


def test_minimal_schema_gets_defaults(tmp_path):
    schema = load_schema(write(tmp_path, GOOD))
    assert schema.entity_names == ("PERSON", "ORG")
    assert schema.claim.name == "CLAIM" and len(schema.polarities) == 3


@pytest.mark.parametrize("text, line, problem", [
    ("entities:\n  PERSON: {key: p, color: red\n", 3, "not valid YAML"),
    (GOOD + "  PERSON: {key: q, color: red}\n", 5, "duplicate key 'PERSON'"),
    (GOOD + "  GPE: {key: p, color: green}\n", 5, "key 'p' is bound twice"),
    (GOOD + "  GPE: {key: g, color: notacolour}\n", 5, "'notacolour' is not a colour"),
    (GOOD + "widgets: 3\n", 5, "unknown section 'widgets'"),
    ("entities:\n  PERSON: {key: pp, color: red}\n", 2, "'key' must be one character"),
    ("entities:\n  PERSON: {key: p, color: red}\nmodel_labels:\n  GPE: COUNTRY\n", 4, "not an entity label"),
    ("entities: []\n", 1, "'entities' must map"),
    ("- just a list\n", 1, "must be a mapping"),
    ("entities:\n  PERSON: {key: p, color: red}\nclaim:\n  attributes:\n    speaker: {type: nope}\n", 5,
     "needs a type"),
    ("entities:\n  PERSON: !!python/object:os.system {}\n", 2, "not valid YAML"),
])
def test_bad_schema_names_file_line_and_problem(tmp_path, text, line, problem):
    path = write(tmp_path, text)
    with pytest.raises(AnnotatorError) as err:
        load_schema(path)
    assert str(err.value).startswith(f"{path}:{line}: "), str(err.value)
    assert problem in str(err.value)


def test_schema_check_command(run_cli, tmp_path):
    ok = run_cli("schema", "check", str(builtin_schema_path()), db=False)
    assert ok.exit_code == 0 and "ok" in ok.output
    bad = run_cli("schema", "check", str(write(tmp_path, GOOD + "  GPE: {key: p, color: green}\n")), db=False)
    assert bad.exit_code == 1
    assert bad.output.count("\n") == 1 and "s.yaml:5: key 'p' is bound twice" in bad.output
