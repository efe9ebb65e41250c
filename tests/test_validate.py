"""The one validator (annotator/validate.py) and the store readers that use it."""

from __future__ import annotations

import json
import sqlite3
import uuid

import pytest

from annotator import validate
from annotator.errors import AnnotatorError
from annotator.model import Annotation, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)


@pytest.mark.parametrize("name, fragment", [
    ("", "is empty"),
    ("   ", "is empty"),
    ("a\x1bb", "control characters"),
    ("a\nb", "control characters"),
    ("a\tb", "control characters"),
    ("a\u202eb", "control characters"),
    ("a\x9bb", "control characters"),
    (" alice", "starts or ends with a space"),
    ("suggestions", "reserved for the model's suggestions"),
    ("suggester:entities", "suggesters' bookkeeping"),
    ("suggester:", "suggesters' bookkeeping"),
    ("review", "adjudication layer"),
    ("x" * 201, "longer than 200"),
    (5, "must be a string"),
    (None, "must be a string"),
])
def test_unusable_names(name, fragment):
    problem = validate.name_problem(name)
    assert problem and fragment in problem
    with pytest.raises(AnnotatorError):
        validate.check_name(name)


@pytest.mark.parametrize("name", ["alice", "Bob Smith", "ner_news-alice", "Zoë", "王芳", "[bold]carol[/]", "imported"])
def test_usable_names(name):
    assert validate.name_problem(name) is None


def test_review_only_when_allowed():
    assert validate.name_problem("review", allow_review=True) is None
    assert validate.name_problem("suggestions", allow_review=True)


@pytest.mark.parametrize("label, ok", [
    ("PERSON", True), ("[red]X[/red]", True), ("FASHION_BRAND", True), ("Ünïcode", True),
    ("", False), (" ", False), ("A\nB", False), ("\x1b[2J", False), ("X\x07", False), ("X\x85", False),
    (7, False), (None, False), ("L" * 201, False),
])
def test_labels(label, ok):
    assert (validate.label_problem(label) is None) is ok


@pytest.mark.parametrize("raw, fragment", [
    ('{"a": NaN}', "NaN is not valid JSON"),
    ('{"a": Infinity}', "Infinity is not valid JSON"),
    ('{"a": -Infinity}', "-Infinity is not valid JSON"),
    ('{"a": 1e999}', "too large"),
    ("not json", "is not valid JSON"),
    ("[1, 2]", "must be a JSON object"),
    (5, "must be JSON text"),
])
def test_json_columns(raw, fragment):
    with pytest.raises(validate.Invalid, match=fragment):
        validate.json_object(raw, "meta")


def test_json_values_for_writing():
    assert validate.json_problem({"a": [1, 2.5, None, {"b": "c"}]}) is None
    assert "NaN" in validate.json_problem({"a": [float("nan")]})
    assert "Infinity" in validate.json_problem({"a": float("inf")})
    assert "not a string" in validate.json_problem({1: "x"})
    assert "set" in validate.json_problem({"a": {1}})
    with pytest.raises(ValueError):
        validate.dumps({"a": float("nan")})


@pytest.mark.parametrize("value, fragment", [
    (Span(0, 13, "PERSON"), None),
    (Span(0, 999, "PERSON"), "outside the text"),
    (Span(5, 5, "PERSON"), "end <= start"),
    (Span("a", "b", "PERSON"), "must be integers"),
    (Span(True, 3, "PERSON"), "must be integers"),
    (Span(0, 13, "BAD\x1b"), "control characters"),
    (Span(0, 13, "PERSON", "bogus"), "unknown kind"),
    (Span(19, 48, "CLAIM", "claim", {"speaker": "AUTHOR"}), None),
    (Span(19, 48, "CLAIM", "claim", {"speaker": {"start": 0, "end": 13, "label": "PERSON"}}), None),
    (Span(19, 48, "CLAIM", "claim", {"speaker": {"start": "a", "end": "b"}}), "must be integers"),
    (Span(19, 48, "CLAIM", "claim", {"speaker": {}}), "needs 'start' and 'end'"),
    (Span(19, 48, "CLAIM", "claim", {"speaker": {"start": 0, "end": 500}}), "outside the text"),
    (Span(19, 48, "CLAIM", "claim", {"speaker": [0, 13]}), "claim speaker must be"),
    (Span(19, 48, "CLAIM", "claim", {"speaker": "Merkel\x1b"}), "control characters"),
    (Span(19, 48, "CLAIM", "claim", {"cue": float("nan")}), "NaN"),
    (Stance(SpanRef(0, 13, "PERSON"), SpanRef(38, 48), "FAVOR"), None),
    (Stance(SpanRef(0, 13, "PERSON"), SpanRef(38, 480), "FAVOR"), "stance target"),
    (Stance(SpanRef(0, 13, "PERSON"), SpanRef(38, 48), "FAV\nOR"), "control characters"),
    (Stance(SpanRef(0, 13, "PER\x07"), SpanRef(38, 48), "FAVOR"), "stance source label"),
    (Stance(SpanRef(0, 13), SpanRef(38, 48), "FAVOR", SpanRef(9, 2)), "stance evidence"),
])
def test_values(value, fragment):
    problem = validate.value_problem(value, len(TEXT))
    if fragment is None:
        assert problem is None
    else:
        assert problem and fragment in problem


def _row(**over):
    row = {"id": "a1", "doc_id": DOC.id, "layer": "alice", "kind": "entity", "start": 0, "end": 13, "label": "PERSON",
           "attrs": "{}", "status": "accepted", "suggestion_id": None, "origin": "manual"}
    row.update(over)
    return row


@pytest.mark.parametrize("over, fragment", [
    ({}, None),
    ({"start": "abc"}, "must be integers"),
    ({"end": 9999}, "outside the text"),
    ({"label": None}, "must be a string"),
    ({"kind": "bogus"}, "unknown kind"),
    ({"attrs": "{"}, "attrs is not valid JSON"),
    ({"attrs": '{"x": NaN}'}, "NaN"),
    ({"status": "maybe"}, "status must be"),
    ({"layer": "suggester:entities"}, "bookkeeping"),
    ({"layer": "review"}, None),
    ({"kind": "stance", "label": "FAVOR", "attrs": "{}"}, "stance source"),
    ({"kind": "stance", "label": "FAVOR",
      "attrs": json.dumps({"source": {"start": 0, "end": 13}, "target": {"start": 38, "end": 48}})}, None),
    ({"kind": "stance", "label": "FAVOR",
      "attrs": json.dumps({"source": {"start": 0, "end": 13}, "target": {"start": 38, "end": 48}, "evidence": 5})},
     "stance evidence"),
    ({"kind": "stance", "label": "FAVOR", "start": 1,
      "attrs": json.dumps({"source": {"start": 0, "end": 13}, "target": {"start": 38, "end": 48}})}, "not its source's"),
])
def test_annotation_rows(over, fragment):
    if fragment is None:
        assert validate.annotation_from_row(_row(**over), len(TEXT)).doc_id == DOC.id
    else:
        with pytest.raises(validate.Invalid, match=fragment):
            validate.annotation_from_row(_row(**over), len(TEXT))


# --- the store's readers skip a bad row and name it -------------------------------------

def _store_with_rows(path):
    with Store(path) as s:
        other = Document.from_text("The Kremlin denied the report on Tuesday.")
        s.import_records([ImportRecord(DOC), ImportRecord(other)])
        for value in (Span(0, 13, "PERSON"), Span(19, 26, "GPE")):
            s.apply("alice", DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, "alice", value))])
        s.replace_suggestions(DOC.id, "entities", "1", [(Span(50, 56, "GPE"), "ner", 0.9)])
    return other


def _sql(path, sql, params=()):
    con = sqlite3.connect(path)
    con.execute(sql, params)
    con.commit()
    con.close()


def untype_documents(path):
    """Recreate `documents` without column types, as a hand-made or hostile file may have it."""
    con = sqlite3.connect(path)
    con.executescript("alter table documents rename to d_old; create table documents (id primary key, text, meta, "
                      "position, added); insert into documents select * from d_old; drop table d_old;")
    con.close()


def test_a_bad_annotation_row_is_skipped_and_named(tmp_path):
    db = tmp_path / "a.db"
    _store_with_rows(db)
    _sql(db, "update annotations set start = 'abc' where label = 'GPE'")
    with Store(db) as s:
        items = s.items(DOC.id, "alice")
        assert [a.value.label for a in items] == ["PERSON"]
        assert list(s.layer_items("alice")) == [DOC.id]
        [bad] = s.bad_rows
        assert bad.startswith("annotations row ") and "offsets must be integers" in bad


def test_a_bad_document_is_left_out_of_every_reader(tmp_path):
    db = tmp_path / "d.db"
    other = _store_with_rows(db)
    untype_documents(db)  # a column without TEXT affinity keeps an integer as an integer
    _sql(db, "update documents set text = 5 where id = ?", [DOC.id])
    with Store(db) as s:
        assert s.document_ids() == [other.id]
        assert [d.id for d in s.documents()] == [other.id]
        assert s.document(DOC.id) is None
        assert s.bad_rows == [f"documents row {DOC.id}: text must be a string, got int"]
    _sql(db, "update documents set text = NULL where id = ?", [DOC.id])
    with Store(db) as s:
        assert s.document_ids() == [other.id]
        assert s.bad_rows == [f"documents row {DOC.id}: text must be a string, got null"]


def test_bad_meta_suggestion_cursor_and_event_rows(tmp_path):
    db = tmp_path / "m.db"
    _store_with_rows(db)
    with Store(db) as s:
        s.save_cursor("alice", DOC.id, {"start": 0})
    _sql(db, "update documents set meta = '{\"x\": NaN}' where id = ?", [DOC.id])
    _sql(db, "update suggestions set attrs = 'nope'")
    _sql(db, "update cursors set cursor = '{broken' where annotator = 'alice'")
    with Store(db) as s:
        assert s.document(DOC.id) is None
        assert s.suggestions(DOC.id) == []
        assert s.cursor("alice", DOC.id) == {}
        problems = "\n".join(s.bad_rows)
    assert "meta: NaN is not valid JSON" in problems
    assert "suggestions row" in problems and "attrs is not valid JSON" in problems
    assert f"cursors row (alice, {DOC.id}): cursor is not valid JSON" in problems


def test_undo_skips_a_malformed_decision_event(tmp_path):
    db = tmp_path / "u.db"
    _store_with_rows(db)
    _sql(db, "update events set payload = '{\"changes\": [[null, {\"id\": 1}]]}' where id = "
             "(select max(id) from events where action = 'add')")
    with Store(db) as s:
        undone = s.undo("alice", DOC.id)  # the first, well-formed decision is undone instead
        assert undone is not None
        assert any(b.startswith("events row ") for b in s.bad_rows)
    _sql(db, "update events set payload = 'not json'")
    with Store(db) as s:
        assert s.events() == [] and s.undo("alice", DOC.id) is None
        assert any("payload is not valid JSON" in b for b in s.bad_rows)


def test_a_layer_with_an_unusable_name_is_left_out(tmp_path):
    db = tmp_path / "l.db"
    _store_with_rows(db)
    _sql(db, "update annotations set layer = 'x\x1b[2J' where label = 'GPE'")
    with Store(db) as s:
        assert s.layers() == ["alice"]
        assert any("unusable layer name" in b and "\\x1b" in b for b in s.bad_rows)


def test_writers_refuse_what_the_readers_would_skip(tmp_path):
    with Store(tmp_path / "w.db") as s:
        s.import_records([ImportRecord(DOC)])
        with pytest.raises(AnnotatorError, match="control characters"):
            s.apply("alice", DOC.id, "add", [(None, Annotation("x", DOC.id, "alice", Span(0, 13, "P\x1b")))])
        with pytest.raises(AnnotatorError, match="NaN"):
            s.import_records([ImportRecord(Document.from_text("nan meta", {"x": float("nan")}))])
        with pytest.raises(AnnotatorError, match="outside the text"):
            s.import_records([ImportRecord(DOC, "alice", [Span(0, 500, "PERSON")])])
        with pytest.raises(AnnotatorError, match="bookkeeping"):
            s.import_records([ImportRecord(DOC, "suggester:x", [Span(0, 13, "PERSON")])])
        assert s.count_documents() == 1 and s.items(DOC.id, "alice") == []
