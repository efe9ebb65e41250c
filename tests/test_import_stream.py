"""The import's one pass: each record is checked as it is read and written in one transaction, so a
bad record, a refused label or a source that changes while it is read writes nothing, and a failed
import leaves no new database behind; ``--skip-invalid`` leaves out exactly the bad lines."""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

import pytest

from annotator.errors import AnnotatorError
from annotator.formats import importing
from annotator.model import Document, ImportRecord, Span
from annotator.formats.importing import import_sources, read_sources
from annotator.schema import load_schema
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

# Lines the import refuses for reasons a plain json.loads would not see, and ordinary bad ones.
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


def _many(n: int) -> list[str]:
    """n distinct good records (each adds a document and its spans)."""
    return [json.dumps({**GOOD[i % 2], "text": GOOD[i % 2]["text"] + f" ({i})"}) for i in range(n)]


def _cli(*args: str):
    from click.testing import CliRunner

    from annotator.cli import cli

    return CliRunner().invoke(cli, list(args))


def test_skip_invalid_leaves_out_every_bad_line(tmp_path):
    lines = []
    for good, bad in zip(GOOD + GOOD[:1] * (len(BAD_LINES) - len(GOOD)), BAD_LINES):
        lines += [json.dumps(good), bad]
    src = _write(tmp_path / "mixed.jsonl", lines)
    db = tmp_path / "t.db"
    with Store(db) as store:
        report = import_sources(store, [src], skip_invalid=True)
    assert len(report.skipped) == len(BAD_LINES)
    assert all(problem.startswith(f"{src}:") for problem in report.skipped)
    assert _texts(db) == {g["text"] for g in GOOD}  # none of the refused lines, not even the duplicate key's


def test_skipped_lines_are_named_by_the_cli_and_the_rest_goes_in(tmp_path):
    src = _write(tmp_path / "mixed.jsonl", [json.dumps(GOOD[0]), BAD_LINES[0], json.dumps(GOOD[1]), BAD_LINES[2]])
    db = tmp_path / "t.db"
    result = _cli("import", "--db", str(db), "--skip-invalid", str(src))
    assert result.exit_code == 0, result.output
    assert f"{src}:2: duplicate key 'text'" in result.output
    assert f"{src}:4: invalid Unicode" in result.output
    assert "imported 2 new documents" in result.output
    assert _texts(db) == {GOOD[0]["text"], GOOD[1]["text"]}


@pytest.mark.parametrize("bad", BAD_LINES)
def test_a_bad_line_after_good_ones_leaves_an_existing_database_as_it_was(tmp_path, bad):
    db = tmp_path / "t.db"
    assert _cli("import", "--db", str(db), str(_write(tmp_path / "first.jsonl", [json.dumps(GOOD[2])]))).exit_code == 0
    before = _texts(db)
    src = _write(tmp_path / "more.jsonl", _many(600) + [bad])  # past several write batches
    result = _cli("import", "--db", str(db), str(src))
    assert result.exit_code == 1
    assert result.output.startswith(f"error: {src}:601: ")
    assert _texts(db) == before


def test_a_failed_import_creates_no_database(tmp_path):
    src = _write(tmp_path / "a.jsonl", _many(600) + [BAD_LINES[0]])
    db = tmp_path / "new.db"
    result = _cli("import", "--db", str(db), str(src))
    assert result.exit_code == 1 and "duplicate key" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]  # no database, no -wal or -shm


def test_an_empty_import_creates_no_database(tmp_path):
    src = _write(tmp_path / "blank.jsonl", ["", "   "])
    result = _cli("import", "--db", str(tmp_path / "new.db"), str(src))
    assert result.exit_code == 0 and "empty, nothing imported" in result.output
    assert not (tmp_path / "new.db").exists()


def test_strict_refuses_a_label_late_in_the_file_and_writes_nothing(tmp_path):
    known = {"text": "Alice met Bob.", "spans": [{"start": 0, "end": 5, "label": "PERSON"}]}
    odd = {"text": "Carol met Dan.", "spans": [{"start": 0, "end": 5, "label": "WIZARD"}]}
    src = _write(tmp_path / "a.jsonl", [json.dumps({**known, "text": f"Alice met Bob {i}."}) for i in range(600)]
                 + [json.dumps(odd)])
    db = tmp_path / "t.db"
    with Store(db) as store:
        with pytest.raises(AnnotatorError, match=r":601: label 'WIZARD' is not in schema news \(--strict\)"):
            import_sources(store, [src], schema=load_schema(None), strict=True)
    assert _texts(db) == set()


def test_a_source_changed_while_it_was_read_writes_nothing(tmp_path, monkeypatch):
    src = _write(tmp_path / "a.jsonl", [json.dumps(g) for g in GOOD])
    read = importing.source_records

    def change_after_the_first_record(path, *args, **kwargs):
        for n, item in enumerate(read(path, *args, **kwargs)):
            yield item
            if n == 0:  # same size, new content, a later modification time
                src.write_bytes(src.read_bytes().replace(b"Alice met Bob", b"Alice saw Bob"))
                st = src.stat()
                os.utime(src, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))

    monkeypatch.setattr(importing, "source_records", change_after_the_first_record)
    db = tmp_path / "t.db"
    with Store(db) as store:
        with pytest.raises(AnnotatorError, match="changed while it was being imported"):
            import_sources(store, [src])
    assert _texts(db) == set()


def test_read_sources_checks_without_writing(tmp_path):
    src = _write(tmp_path / "a.jsonl", [json.dumps(g) for g in GOOD])
    files, report = read_sources([tmp_path])
    assert files == [src] and report.records == len(GOOD) and report.files == 1
    with pytest.raises(AnnotatorError, match=":2: duplicate key"):
        read_sources([_write(tmp_path / "a.jsonl", [json.dumps(GOOD[0]), BAD_LINES[0]])])
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.jsonl"]


@pytest.mark.parametrize("bad", [
    Span(0, 99, "PERSON"),  # past the end of the text
    Span(3, 3, "PERSON"),  # empty
    Span(True, 3, "PERSON"),  # a bool is not an offset
    Span(0, 3, "PERSON", "rumour"),  # no such kind
    Span(0, 3, "PERSON", attrs=None),  # attrs must be an object
    Span(0, 3, "PER\x1bSON"),  # a control character in a new label
])
def test_the_store_refuses_a_bad_span_after_good_ones_with_the_same_label(tmp_path, bad):
    """The store checks every item it writes; remembering the labels it passed must not let a bad
    span through."""
    good = [ImportRecord(Document.from_text(f"Bob {i} met Ann."), "alice", [Span(0, 3, "PERSON")])
            for i in range(3)]
    db = tmp_path / "t.db"
    with Store(db) as store:
        with pytest.raises(AnnotatorError, match="refusing to import document"):
            store.import_records([*good, ImportRecord(Document.from_text("Bob met Ann again."), "alice", [bad])])
    assert _texts(db) == set()
