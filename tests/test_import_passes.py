"""The import's two passes: the second leaves out exactly the lines the first refused, builds the
same records without repeating the first pass's checks, and stops (writing nothing) when a source
changed in between."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.formats.files import iter_jsonl
from annotator.formats.importing import read_sources
from annotator.formats.prodigy import parse_task
from annotator.store import Store

GOOD = [
    {"text": "Alice met Bob in Paris.", "spans": [{"start": 0, "end": 5, "label": "PERSON", "text": "Alice"},
                                               {"start": 17, "end": 22, "label": "GPE"}],
     "answer": "accept", "_annotator_id": "alice", "meta": {"n": 1, "source": "wire"}},
    {"text": "The minister said taxes will fall.",
     "spans": [{"start": 0, "end": 12, "label": "PERSON"},
               {"start": 0, "end": 34, "label": "CLAIM", "kind": "claim",
                "attrs": {"speaker": "The minister", "claim_type": "prediction"}}],
     "relations": [{"head_span": {"start": 0, "end": 12, "label": "PERSON"},
                    "child_span": {"start": 18, "end": 23, "label": "TOPIC"}, "label": "AGAINST"}],
     "_annotator_id": "alice"},
    {"text": "No annotations here, just text.", "meta": {"title": "plain"}},
]

# Lines the first pass refuses for reasons a plain json.loads would not see, and ordinary bad ones.
BAD_LINES = [
    '{"text": "first version", "text": "second version"}',  # duplicate key: json.loads keeps the last
    '{"text": "a lone \\ud800 surrogate"}',
    '{"text": "Bob", "spans": [{"start": 0, "end": 3, "label": "\\ud83d"}]}',
    '{"text": "Bob", "spans": [{"start": 0, "end": 3, "label": "PER\\u001bSON"}]}',
    '{"text": "Bob", "spans": [{"start": 0, "end": 9, "label": "PERSON"}]}',
    '{"text": "Bob", "meta": {"score": NaN}}',
    'not json at all',
]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def _texts(db: Path) -> set[str]:
    with sqlite3.connect(db) as conn:
        return {row[0] for row in conn.execute("select text from documents")}


def test_skip_invalid_leaves_out_every_line_the_first_pass_refused(tmp_path):
    lines = []
    for good, bad in zip(GOOD + GOOD[:1] * (len(BAD_LINES) - len(GOOD)), BAD_LINES):
        lines += [json.dumps(good), bad]
    src = _write(tmp_path / "mixed.jsonl", lines)
    records, report = read_sources([src], skip_invalid=True)
    assert len(report.skipped) == len(BAD_LINES)
    assert all(problem.startswith(f"{src}:") for problem in report.skipped)
    db = tmp_path / "t.db"
    with Store(db) as store:
        store.import_records(records)
    assert _texts(db) == {g["text"] for g in GOOD}  # none of the refused lines, not even the duplicate key's


def test_skipped_lines_are_named_by_the_cli_and_the_rest_goes_in(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    src = _write(tmp_path / "mixed.jsonl", [json.dumps(GOOD[0]), BAD_LINES[0], json.dumps(GOOD[1]), BAD_LINES[2]])
    db = tmp_path / "t.db"
    result = CliRunner().invoke(cli, ["import", "--db", str(db), "--skip-invalid", str(src)])
    assert result.exit_code == 0, result.output
    assert f"{src}:2: duplicate key 'text'" in result.output
    assert f"{src}:4: invalid Unicode" in result.output
    assert "imported 2 new documents" in result.output
    assert _texts(db) == {GOOD[0]["text"], GOOD[1]["text"]}


@pytest.mark.parametrize("index", range(len(GOOD)))
def test_the_second_pass_builds_the_same_records_as_the_first(tmp_path, index):
    src = _write(tmp_path / "one.jsonl", [json.dumps(GOOD[index])])
    ((_, checked),) = list(iter_jsonl(src))
    ((_, plain),) = list(iter_jsonl(src, checked=True))
    assert plain == checked
    assert parse_task(plain, check=False) == parse_task(checked)


def test_pass_two_on_the_shared_fixtures_matches_pass_one():
    from conftest import FIXTURES

    files = sorted(FIXTURES.rglob("*.jsonl")) if FIXTURES.is_dir() else []
    if not files:
        pytest.skip("../shared/fixtures absent")
    compared = 0
    for path in files:
        for (line, a), (_, b) in zip(iter_jsonl(path), iter_jsonl(path, checked=True)):
            if isinstance(a, AnnotatorError) or "spans" not in a:
                continue
            try:
                first = parse_task(a)
            except AnnotatorError:
                continue
            assert parse_task(b, check=False) == first, f"{path}:{line}"
            compared += 1
    assert compared > 0


def test_a_source_changed_between_the_passes_writes_nothing(tmp_path):
    src = _write(tmp_path / "a.jsonl", [json.dumps(g) for g in GOOD])
    records, report = read_sources([src])
    assert report.records == len(GOOD)
    content = src.read_bytes()
    src.write_bytes(content.replace(b"Alice met Bob", b"Alice saw Bob"))  # same size, new content
    st = src.stat()
    os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    db = tmp_path / "t.db"
    with Store(db) as store:
        with pytest.raises(AnnotatorError, match="changed while it was being imported"):
            store.import_records(records)
    assert _texts(db) == set()
