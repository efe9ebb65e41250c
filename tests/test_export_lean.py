"""`annotator export --no-tokens` (issue 14.7): Prodigy JSONL without tokens, through the real CLI and database.

Its shape, its round trip through our own importer (claims with speakers, stances, every status), the
Prodigy fixtures, that spaCy is never imported, the formats it is refused for, atomic output, and the
store's quicker reading of rows (every bad row still skipped and named, with the same message).
"""

from __future__ import annotations

import errno
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator import validate
from annotator.annotation_rows import AnnotationRows
from annotator.cli import cli
from annotator.formats.files import dump_json
from annotator.model import prodigy_hash
from annotator.store import Store
from annotator.textsafe import terminal_text
from tests.conftest import ROOT, shared_file

MERKEL = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
RECORDS = [
    {"text": MERKEL, "meta": {"title": "Treaty", "source": "wire"}, "answer": "accept", "_annotator_id": "alice",
     "spans": [{"start": 0, "end": 13, "label": "PERSON"}, {"start": 19, "end": 26, "label": "GPE"},
               {"start": 19, "end": 48, "label": "CLAIM", "kind": "claim",
                "attrs": {"speaker": "Angela Merkel", "speaker_span": {"start": 0, "end": 13, "label": "PERSON"},
                          "claim_type": "prediction"}},
               {"start": 50, "end": 56, "label": "GPE"}, {"start": 67, "end": 71, "label": "ORG"}],
     "relations": [{"head_span": {"start": 50, "end": 56, "label": "GPE"},
                    "child_span": {"start": 67, "end": 71, "label": "ORG"}, "label": "AGAINST", "kind": "stance",
                    "evidence": {"start": 50, "end": 82}}]},
    {"text": "The Kremlin denied the report on Tuesday.", "answer": "reject", "_annotator_id": "alice",
     "spans": [{"start": 4, "end": 11, "label": "ORG"}]},
    {"text": "Nothing to see here, said nobody.", "answer": "ignore", "_annotator_id": "alice", "spans": []},
    {"text": "Zoë Schmidt — in Berlin 🙂 — said the pact «holds». Paris agreed with Zoë Schmidt.",
     "answer": "accept", "_annotator_id": "alice",
     "spans": [{"start": 0, "end": 11, "label": "PERSON"}, {"start": 17, "end": 23, "label": "GPE"},
               {"start": 29, "end": 49, "label": "CLAIM", "kind": "claim", "attrs": {"speaker": "AUTHOR"}},
               {"start": 38, "end": 42, "label": "TOPIC", "kind": "topic"}, {"start": 52, "end": 57, "label": "GPE"},
               {"start": 70, "end": 81, "label": "PERSON"}],
     "relations": [{"head_span": {"start": 52, "end": 57, "label": "GPE"},
                    "child_span": {"start": 70, "end": 81, "label": "PERSON"}, "label": "FAVOR", "kind": "stance"},
                   {"head_span": {"start": 0, "end": 11}, "child_span": {"start": 38, "end": 42},
                    "label": "TOPIC_OF", "kind": "mentions"}]},
]


def cli_run(*argv: str):
    return CliRunner().invoke(cli, list(argv), catch_exceptions=True)


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return path


def imported(tmp_path: Path, name: str = "a.db", records: list[dict] = RECORDS) -> Path:
    db = tmp_path / name
    result = cli_run("import", "--db", str(db), str(write_jsonl(tmp_path / f"{name}.jsonl", records)))
    assert result.exit_code == 0, result.output
    return db


def export(db: Path, out: Path, *extra: str) -> list[dict]:
    result = cli_run("export", "--db", str(db), "--annotator", "alice", "-o", str(out), *extra)
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]


def layer_contents(db: Path, layer: str = "alice") -> dict:
    """text -> (status, every item with its attrs), what a round trip must keep."""
    with Store(db, readonly=True) as store:
        return {doc.text: (status, sorted(repr(a.value) for a in items if a.accepted))
                for doc, items, status in store.documents_in_layer(layer)}


def test_lean_lines_have_no_tokens_and_the_same_items_as_the_default(tmp_path):
    db = imported(tmp_path)
    lean = export(db, tmp_path / "lean.jsonl", "--no-tokens")
    full = export(db, tmp_path / "full.jsonl")
    assert len(lean) == len(full) == 4
    for task, tokened in zip(lean, full):
        assert list(task) == ["text", "meta", "_input_hash", "_task_hash", "spans", "relations", "answer",
                              "_annotator_id", "_session_id", "_view_id"]
        assert "tokens" in tokened
        for span in task["spans"]:
            assert list(span) == ["start", "end", "label", "text", "kind", "attrs"]
            assert span["text"] == task["text"][span["start"]:span["end"]]  # never widened to tokens
        for rel in task["relations"]:
            assert "head" not in rel and "child" not in rel
            assert set(rel["head_span"]) == set(rel["child_span"]) == {"start", "end", "label"}
        # the same task as the default one, less what is counted in tokens (and the hash of that)
        stripped = {k: v for k, v in tokened.items() if k not in ("tokens", "_task_hash")}
        for span in stripped["spans"]:
            del span["token_start"], span["token_end"]
        for rel in stripped["relations"]:
            del rel["head"], rel["child"]
            for end in (rel["head_span"], rel["child_span"]):
                del end["token_start"], end["token_end"]
        assert {k: v for k, v in task.items() if k != "_task_hash"} == stripped
        # _task_hash: the text and the spans and relations as written (documented in prodigy.lean_task)
        assert task["_input_hash"] == prodigy_hash(task["text"])
        assert task["_task_hash"] == prodigy_hash(task["text"], dump_json([task["spans"], task["relations"]]))
    claim = next(s for s in lean[0]["spans"] if s["kind"] == "claim")
    assert claim["attrs"]["speaker"] == "Angela Merkel"
    assert claim["attrs"]["speaker_span"] == {"start": 0, "end": 13, "label": "PERSON"}
    assert [t["answer"] for t in lean] == ["accept", "reject", "ignore", "accept"]
    assert lean[0]["relations"][0]["evidence"] == {"start": 50, "end": 82}
    assert {r["label"]: r["kind"] for r in lean[3]["relations"]} == {"FAVOR": "stance", "TOPIC_OF": "mentions"}


def test_lean_export_is_deterministic_and_says_what_it_wrote(tmp_path):
    db = imported(tmp_path)
    args = ["export", "--db", str(db), "--annotator", "alice", "--no-tokens"]
    first, second = cli_run(*args), cli_run(*args)
    assert first.exit_code == 0 and first.output == second.output
    result = cli_run(*args, "-o", str(tmp_path / "out.jsonl"))
    assert result.exit_code == 0
    assert result.output == f"wrote 4 documents, 12 spans, 3 relations from layer alice to {tmp_path / 'out.jsonl'}\n"
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == first.output


def test_the_default_output_is_unchanged_by_the_flag_pair(tmp_path):
    db = imported(tmp_path)
    plain = cli_run("export", "--db", str(db), "--annotator", "alice")
    explicit = cli_run("export", "--db", str(db), "--annotator", "alice", "--tokens")
    assert plain.exit_code == explicit.exit_code == 0
    assert plain.output == explicit.output and '"tokens": [' in plain.output


def test_lean_export_round_trips_through_our_importer(tmp_path):
    db = imported(tmp_path)
    lean = tmp_path / "lean.jsonl"
    export(db, lean, "--no-tokens")
    again = tmp_path / "again.db"
    assert cli_run("import", "--db", str(again), str(lean)).exit_code == 0
    before, after = layer_contents(db), layer_contents(again)
    assert after == before
    assert [status for status, _ in before.values()] == ["done", "rejected", "skipped", "done"]
    assert any("speaker" in item and "'start': 0" in item for _, items in before.values() for item in items)
    assert sum("Stance(" in item for _, items in before.values() for item in items) == 3
    export(again, tmp_path / "lean-again.jsonl", "--no-tokens")
    assert (tmp_path / "lean-again.jsonl").read_bytes() == lean.read_bytes()


@pytest.mark.parametrize("fixture, layer", [("ner_fashion_brands_training.jsonl", "imported"),
                                            ("relations_annotations.jsonl", "imported")])
def test_prodigy_fixtures_export_lean_as_valid_prodigy_jsonl_and_come_back(tmp_path, fixture, layer):
    source = shared_file("prodigy", fixture)
    original = [json.loads(line) for line in source.read_text(encoding="utf-8").splitlines()]
    db = tmp_path / "a.db"
    assert cli_run("import", "--db", str(db), str(source)).exit_code == 0
    out = tmp_path / "lean.jsonl"
    result = cli_run("export", "--db", str(db), "--annotator", layer, "--no-tokens", "-o", str(out))
    assert result.exit_code == 0, result.output
    lean = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [t["text"] for t in lean] == [r["text"] for r in original]
    for task, before in zip(lean, original):
        for key in ("_input_hash", "_task_hash"):
            assert type(task[key]) is int and -2**31 <= task[key] < 2**31
        assert task["answer"] in ("accept", "reject", "ignore")
        assert sorted((s["start"], s["end"], s["label"]) for s in task["spans"]) == \
            sorted((s["start"], s["end"], s["label"]) for s in before.get("spans", []))
        assert relations(task) == relations(before)
        assert all(r["kind"] == "relation" for r in task["relations"])  # Prodigy's own, not mistaken for stances
    again = tmp_path / "b.db"
    assert cli_run("import", "--db", str(again), str(out)).exit_code == 0
    assert layer_contents(again, layer) == layer_contents(db, layer)


def relations(task: dict) -> set:
    return {(r["head_span"]["start"], r["head_span"]["end"], r["child_span"]["start"], r["child_span"]["end"],
             r["label"]) for r in task.get("relations", [])}


def _imported_modules(argv: list[str], cwd: Path) -> set[str]:
    result = subprocess.run([sys.executable, "-X", "importtime", "-m", "annotator", *argv], cwd=cwd, check=False,
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    return {line.split("|")[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}


def test_spacy_is_never_imported_without_tokens(tmp_path):
    db = imported(tmp_path)
    lean = _imported_modules(["export", "--db", str(db), "--annotator", "alice", "--no-tokens", "-o", "l.jsonl"],
                             tmp_path)
    assert "annotator.formats.exporting" in lean  # the export ran in this process
    assert not {m for m in lean if m == "spacy" or m.startswith(("spacy.", "thinc"))}
    full = _imported_modules(["export", "--db", str(db), "--annotator", "alice", "-o", "f.jsonl"], tmp_path)
    assert "spacy" in full  # the check above can fail: the default export does import spaCy


def test_no_tokens_is_refused_for_the_spacy_format_and_nothing_is_written(tmp_path):
    db = imported(tmp_path)
    out = tmp_path / "out.spacy"
    result = cli_run("export", "--db", str(db), "--annotator", "alice", "--format", "spacy", "--no-tokens",
                     "-o", str(out))
    assert result.exit_code == 1
    assert result.output == "error: --no-tokens does not apply to --format spacy (a DocBin is made of tokens): " \
                            "use --format jsonl, doccano or brat\n"
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "a.db.jsonl"]


@pytest.mark.parametrize("fmt", ["doccano", "brat"])
def test_no_tokens_changes_nothing_for_formats_without_tokens(tmp_path, fmt):
    db = imported(tmp_path)
    outputs = []
    for name, extra in (("plain", ()), ("lean", ("--no-tokens",))):
        out = tmp_path / name
        result = cli_run("export", "--db", str(db), "--annotator", "alice", "--format", fmt, "-o", str(out), *extra)
        assert result.exit_code == 0, result.output
        files = {"": out} if out.is_file() else {p.name: p for p in sorted(out.iterdir())}
        outputs.append({name: path.read_bytes() for name, path in files.items()})
    assert outputs[0] == outputs[1]


def test_a_failed_lean_export_keeps_the_previous_output_and_leaves_nothing(tmp_path, monkeypatch):
    from annotator.formats import exporting

    db = imported(tmp_path)
    out = tmp_path / "out.jsonl"
    out.write_text("the previous export\n")
    refused = cli_run("export", "--db", str(db), "--annotator", "alice", "--no-tokens", "-o", str(out))
    assert refused.exit_code == 1 and "--force" in refused.output
    calls = []
    lean_task_line = exporting.prodigy.lean_task_line

    def full(*args):  # the third line finds the disk full
        calls.append(args)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return lean_task_line(*args)

    monkeypatch.setattr(exporting.prodigy, "lean_task_line", full)
    result = cli_run("export", "--db", str(db), "--annotator", "alice", "--no-tokens", "-o", str(out), "--force")
    assert result.exit_code == 1
    assert result.output == f"error: {out}: cannot write: No space left on device\n"
    assert out.read_text() == "the previous export\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.db", "a.db.jsonl", "out.jsonl"]


# --- the store's quicker reading: every bad row still skipped and named ---------------------------------

GOOD = {"id": "a1", "doc_id": "d1", "layer": "alice", "kind": "entity", "start": 0, "end": 5, "label": "ORG",
        "attrs": "{}", "status": "accepted", "suggestion_id": None, "origin": "import", "updated": "now"}
CLAIM = {**GOOD, "kind": "claim", "label": "CLAIM", "attrs": json.dumps({"speaker": "AUTHOR", "cue": "said"})}
NESTED = {**GOOD, "attrs": json.dumps({"notes": ["a", {"b": 1}]})}
ODD = [None, "", "x", "a\x1b[2J", "a\nb", 3, 3.5, -1, True, 10**6, b"bytes", "{}", "[]", "NaN", "accepted",
       "rejected", "entity", "claim", "stance", "ORG", "alice", "review", "suggestions", " alice", 0, 5, 7, 11]


def _outcome(read, row: dict, length: int):
    try:
        return read(row, length)
    except validate.Invalid as exc:
        return f"Invalid: {exc}"


@pytest.mark.parametrize("good", [GOOD, CLAIM, NESTED], ids=["entity", "claim", "nested-attrs"])
def test_rows_read_quickly_are_exactly_what_the_full_check_gives(good):
    """After a good row of a shape, any row (each field made odd in turn) gives what validate gives."""
    rows = AnnotationRows()
    assert rows.read(good, 10) == validate.annotation_from_row(good, 10)
    for field in good:
        for odd in ODD:
            row = {**good, field: odd}
            for length in (4, 10):
                assert _outcome(rows.read, row, length) == _outcome(validate.annotation_from_row, row, length), \
                    (field, odd, length)
        row = {k: v for k, v in good.items() if k != field}  # a field missing
        assert _outcome(rows.read, row, 10) == _outcome(validate.annotation_from_row, row, 10), field
    first, second = rows.read(good, 10), rows.read({**good, "id": "a2"}, 10)
    first.value.attrs["changed"] = True  # each item has its own attrs
    assert "changed" not in second.value.attrs and "changed" not in rows.read(good, 10).value.attrs


def test_a_bad_row_among_good_ones_of_its_shape_is_skipped_and_named(tmp_path):
    text = "Acme Corp hired Bob. " * 20
    records = [{"text": f"{i}. {text}", "answer": "accept", "_annotator_id": "alice",
                "spans": [{"start": 3, "end": 12, "label": "ORG"}, {"start": 19, "end": 22, "label": "PERSON"}]}
               for i in range(40)]
    db = imported(tmp_path, records=records)
    breaks = ["start = 'three'", "start = 3.5", "end = 100000", "end = start", "id = ''", "id = 'x' || char(27)",
              "suggestion_id = x'05'", "origin = x'07'"]  # blobs: a TEXT column keeps them
    con = sqlite3.connect(db)
    ids = [r[0] for r in con.execute("select a.id from annotations a join documents d on d.id = a.doc_id "
                                     "where a.label = 'ORG' order by d.position")]
    for change, ann_id in zip(breaks, ids[10::3]):  # after ten good rows of the same shape
        con.execute(f"update annotations set {change} where id = ?", [ann_id])
    con.commit()
    keys = [c[0] for c in con.execute("select * from annotations").description]
    expected = {}
    for row in con.execute("select a.*, length(d.text) from annotations a join documents d on d.id = a.doc_id"):
        record = dict(zip(keys, row[:-1]))
        try:
            validate.annotation_from_row(record, row[-1])
        except validate.Invalid as exc:
            expected[record["id"]] = f"annotations row {record['id']}: {exc}"
    con.close()
    assert len(expected) == len(breaks)
    result = CliRunner().invoke(cli, ["export", "--db", str(db), "--annotator", "alice", "--no-tokens"])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.stderr.splitlines() if line.startswith("warning: ")]
    assert sorted(warnings) == sorted(terminal_text(f"warning: {db}: {message}; skipped")
                                      for message in expected.values())
    tasks = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(tasks) == 40 and sum(len(t["spans"]) for t in tasks) == 80 - len(breaks)
