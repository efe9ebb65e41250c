"""A schema's name and description of the wrong type are one line naming the file and line, not made into text
(a name with control characters is accepted and shown inert: tests/test_text_safety.py)."""

import pytest

from annotator.schema import builtin_schema_path


@pytest.mark.parametrize("line, problem", [
    ("name: [a]", "6: 'name' must be text, not list"),
    ("description: {a: 1}", "7: 'description' must be text, not dict"),
])
def test_wrong_name_or_description_is_refused(tmp_path, run_cli, line, problem):
    lines = builtin_schema_path().read_text(encoding="utf-8").splitlines()
    key = line.split(":")[0] + ":"
    number = next(i for i, text in enumerate(lines) if text.startswith(key))
    assert str(number + 1) == problem.split(":")[0]
    lines[number] = line
    schema = tmp_path / "s.yaml"
    schema.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run_cli("schema", "check", str(schema), db=False)
    assert result.exit_code == 1
    assert result.output == f"error: {schema}:{problem}\n"


@pytest.mark.parametrize("label, kind", [("CLAIM", "claim"), ("TOPIC", "topic")])
def test_an_entity_label_that_is_the_claim_or_topic_label_is_refused(tmp_path, run_cli, label, kind):
    """A span so labelled would come back from every format as a claim (a topic), not as an entity."""
    text = builtin_schema_path().read_text(encoding="utf-8")
    schema = tmp_path / "s.yaml"
    schema.write_text(text.replace("  LANGUAGE: {", f"  {label}: {{").replace("  LANGUAGE: LANGUAGE\n", ""),
                      encoding="utf-8")
    result = run_cli("schema", "check", str(schema), db=False)
    assert result.exit_code == 1
    line = next(i for i, text in enumerate(schema.read_text().splitlines(), 1) if text.startswith(f"  {label}: {{"))
    assert result.output == f"error: {schema}:{line}: entity label {label} is also the {kind} label; name one of them otherwise\n"
