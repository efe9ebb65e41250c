"""Review: aligning layers, agreement/disagreement, writing only the review layer."""

import uuid

import pytest

from annotator.teams import review, review_queue
from annotator.errors import AnnotatorError
from annotator.model import Annotation, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)


def A(layer, value, status="accepted"):
    return Annotation(uuid.uuid4().hex, DOC.id, layer, value, status)


def E(s, e, label, **attrs):
    return Span(s, e, label, "entity", attrs)


def claim(speaker):
    return Span(0, 49, "CLAIM", "claim", {"speaker": speaker})


def test_align_marks_unanimous_and_disagreements():
    layers = {
        "alice": [A("alice", E(0, 13, "PERSON", score=0.9)), A("alice", E(19, 26, "GPE")),
                  A("alice", claim({"start": 0, "end": 13, "label": "PERSON"})),
                  A("alice", Stance(SpanRef(51, 57), SpanRef(68, 72), "AGAINST")), A("alice", E(76, 82, "DATE"))],
        "bob": [A("bob", E(0, 13, "PERSON", score=0.5)), A("bob", E(19, 26, "NORP")), A("bob", claim("AUTHOR")),
                A("bob", Stance(SpanRef(51, 57), SpanRef(68, 72), "AGAINST")), A("bob", E(76, 82, "DATE"), "rejected")],
    }
    al = review.align(DOC.id, layers)
    by_place = {r.place: r for r in al.rows}
    assert by_place[("entity", 0, 13)].unanimous  # a score is not a difference
    assert not by_place[("entity", 19, 26)].unanimous
    assert [v.label for v in by_place[("entity", 19, 26)].distinct] == ["GPE", "NORP"]
    assert not by_place[("claim", 0, 49)].unanimous  # different speakers
    assert by_place[("stance", 51, 57, 68, 72)].unanimous
    date = by_place[("entity", 76, 82)]
    assert date.versions["bob"] is None and not date.unanimous and date.who_has(None) == ["bob"]
    assert len(al.agreed) == 2 and len(al.disagreements) == 3
    changes = review.accept_unanimous(al)
    assert len(changes) == 2 and all(b is None and a.layer == "review" for b, a in changes)


def test_fewer_than_two_annotators_is_reported(tmp_path):
    # align() takes a single annotator's document (review --include-single confirms those);
    # loading one for a comparison still says that two are needed.
    al = review.align(DOC.id, {"alice": [A("alice", E(0, 13, "PERSON"))], "bob": []})
    assert al.single and al.annotators == ["alice"] and al.rows[0].unanimous
    with Store(tmp_path / "one.db") as s:
        s.import_records([ImportRecord(DOC)])
        s.apply("alice", DOC.id, "add", [(None, A("alice", E(0, 13, "PERSON")))])
        with pytest.raises(AnnotatorError, match="has 1 annotator.*alice.*at least two"):
            review.load(s, DOC.id, ["alice", "bob"])
        assert review.load(s, DOC.id, ["alice", "bob"], single=True).single


def test_review_choices_settle_rows_and_are_resumable():
    layers = {"alice": [A("alice", E(19, 26, "GPE")), A("alice", E(76, 82, "DATE"))],
              "bob": [A("bob", E(19, 26, "NORP"))]}
    al = review.align(DOC.id, layers)
    gpe, date = al.rows
    (before, after), = review.choose(al, gpe, gpe.versions["bob"])
    assert before is None and after.value.label == "NORP" and after.layer == "review"
    (_, nothing), = review.choose(al, date, None)
    assert nothing.status == "rejected"
    again = review.align(DOC.id, layers, review=[after, nothing])
    assert all(r.settled for r in again.rows) and not again.open
    assert again.rows[0].decision.label == "NORP" and again.rows[1].decision is None
    assert review.choose(again, again.rows[0], again.rows[0].versions["bob"]) == []
    (old, new), = review.choose(again, again.rows[0], review.relabel(again.rows[0].versions["bob"], "LOC"))
    assert old.id == new.id and new.value.label == "LOC"


def test_review_with_a_store_never_touches_annotator_layers(tmp_path):
    with Store(tmp_path / "r.db") as s:
        s.import_records([ImportRecord(DOC), ImportRecord(Document.from_text("Only alice saw this."))])
        for who, label in (("alice", "GPE"), ("bob", "NORP")):
            for v in (E(0, 13, "PERSON"), E(19, 26, label)):
                s.apply(who, DOC.id, "add", [(None, A(who, v))])
        other = s.document_ids()[1]
        s.set_status("alice", other, "done")
        queue = review_queue.build(s, ["alice", "bob"], include_single=True)
        # the other document has a status (alice marked it done) but no item: nothing to decide
        assert [e.doc_id for e in queue.entries] == [DOC.id] and queue.left == 1
        before = {n: s.items(DOC.id, n) for n in ("alice", "bob")}
        al = review.load(s, DOC.id, ["alice", "bob"])
        review.save(s, "carol", DOC.id, "accept_unanimous", review.accept_unanimous(al))
        al = review.load(s, DOC.id, ["alice", "bob"])
        row = al.open[0]
        review.save(s, "carol", DOC.id, "choose", review.choose(al, row, row.versions["alice"]))
        assert {n: s.items(DOC.id, n) for n in ("alice", "bob")} == before
        assert sorted(a.value.label for a in s.items(DOC.id, "review")) == ["GPE", "PERSON"]
        assert "carol" not in s.annotators() and "review" not in s.annotators()
        assert [e.annotator for e in s.events(doc_id=DOC.id)][-2:] == ["carol", "carol"]
        assert not review.load(s, DOC.id, ["alice", "bob"]).open
        s.undo("carol", DOC.id)
        assert len(review.load(s, DOC.id, ["alice", "bob"]).open) == 1
        with pytest.raises(AnnotatorError, match="only the review layer"):
            s.apply_review("carol", DOC.id, "x", [(None, A("alice", E(0, 5, "ORG")))])
        with pytest.raises(AnnotatorError, match="at least two"):
            review.load(s, other, ["alice", "bob"])


def test_review_command_reports_documents_with_fewer_than_two_annotators(tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "c.db"
    lonely = Document.from_text("Only alice read this one.")
    with Store(db) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(lonely)])
        s.apply("alice", lonely.id, "add", [(None, Annotation("x1", lonely.id, "alice", E(0, 4, "ORG")))])
        s.set_status("bob", DOC.id, "done")
    run = CliRunner().invoke
    r = run(cli, ["review", "--db", str(db), "--reviewer", "carol"])
    assert r.exit_code == 1
    assert "nothing to review: no document where alice, bob disagree" in r.output
    assert "1 only one of them worked on (add --include-single)" in r.output
    r = run(cli, ["review", "--db", str(db), "--reviewer", "carol", "--summary", "--include-single"])
    assert r.exit_code == 0, r.output
    assert lonely.id in r.output and "single" in r.output and "not started" in r.output
    with Store(db) as s:
        s.apply("bob", lonely.id, "add", [(None, Annotation("x2", lonely.id, "bob", E(0, 4, "ORG")))])
    r = run(cli, ["review", "--db", str(db), "--reviewer", "carol", "--summary"])
    assert r.exit_code == 0, r.output
    assert "not queued: 1 where everyone agrees" in r.output and lonely.id not in r.output
    r = run(cli, ["review", "--db", str(db), "--reviewer", "carol", "--annotators", "alice,zoe"])
    assert r.exit_code == 1 and "unknown annotator zoe; annotators in" in r.output and "alice, bob" in r.output


# --- rows: variants of one place, why they differ, positions (issues 15.4, 15.6, 15.7) -----------

WAREHOUSE = "Shares in\nThe Warehouse, a retailer, fell. Warehouse staff said so."


def test_overlapping_variants_of_one_place_are_one_row():
    layers = {"alice": [A("alice", E(10, 24, "ORG")), A("alice", E(43, 52, "ORG"))],   # "The Warehouse,"
              "bob": [A("bob", E(14, 23, "ORG")), A("bob", E(43, 52, "ORG"))]}         # "Warehouse"
    al = review.align(DOC.id, layers, text=WAREHOUSE)
    assert len(al.rows) == 2
    first, second = al.rows
    assert first.versions["alice"].start == 10 and first.versions["bob"].start == 14
    assert not first.unanimous and first.why() == "boundary" and second.unanimous
    assert review.position(WAREHOUSE, first.start) == 2 and review.position(WAREHOUSE, 0) == 1


def test_grouping_prefers_the_same_version_then_the_largest_overlap():
    # bob has "Warehouse" twice-ish: the exact one joins alice's exact one, the other its own row
    layers = {"alice": [A("alice", E(14, 23, "ORG")), A("alice", E(10, 24, "GPE"))],
              "bob": [A("bob", E(14, 23, "ORG"))]}
    al = review.align(DOC.id, layers, text=WAREHOUSE)
    by_alice = {r.versions["alice"].label: r for r in al.rows}
    assert by_alice["ORG"].unanimous and by_alice["GPE"].versions["bob"] is None
    assert by_alice["GPE"].why() == "bob: nothing"


def test_two_labels_at_one_place_are_two_rows():
    # a merge conflict left GPE and LOC at one place in alice's layer; bob says LOC
    layers = {"alice": [A("alice", E(51, 57, "GPE")), A("alice", E(51, 57, "LOC"))],
              "bob": [A("bob", E(51, 57, "LOC"))]}
    al = review.align(DOC.id, layers)
    assert len(al.rows) == 2
    loc = next(r for r in al.rows if r.versions["alice"].label == "LOC")
    gpe = next(r for r in al.rows if r.versions["alice"].label == "GPE")
    assert loc.unanimous and gpe.versions["bob"] is None  # paired by label, not alphabetically first


def test_speakers_compared_by_span_else_by_name():
    merkel = {"start": 0, "end": 13, "label": "PERSON"}
    same = review.align(DOC.id, {"alice": [A("alice", claim(merkel))], "bob": [A("bob", claim("Angela Merkel"))]},
                        text=TEXT)
    assert same.rows[0].unanimous  # a span and a name that is its text
    other = review.align(DOC.id, {"alice": [A("alice", claim(merkel))],
                                  "bob": [A("bob", claim({"start": 0, "end": 6, "label": "PERSON"}))]}, text=TEXT)
    assert other.rows[0].why() == "speaker"
    names = review.align(DOC.id, {"alice": [A("alice", claim("the Chancellor,"))], "bob": [A("bob", claim("chancellor"))]})
    assert names.rows[0].unanimous
    assert review.differences(claim("AUTHOR"), claim("UNNAMED")) == ["speaker"]
    assert review.differences(Stance(SpanRef(0, 5), SpanRef(10, 15), "FAVOR"),
                              Stance(SpanRef(0, 5), SpanRef(10, 16), "AGAINST")) == ["target", "polarity"]


def test_review_items_settle_the_row_they_belong_to():
    layers = {"alice": [A("alice", E(10, 24, "ORG"))], "bob": [A("bob", E(14, 23, "GPE"))]}
    al = review.align(DOC.id, layers, text=WAREHOUSE)
    (_, taken), = review.choose(al, al.rows[0], al.rows[0].versions["bob"])
    again = review.align(DOC.id, layers, review=[taken], text=WAREHOUSE)
    assert again.rows[0].settled and again.rows[0].decision.label == "GPE" and not again.extra_review


# --- marking reviewed, the queue, export (issues 15.2, 15.3) ------------------------------------

def _two_docs(path):
    other = Document.from_text("Moscow and Kyiv traded blame on Monday.")
    s = Store(path)
    s.import_records([ImportRecord(DOC), ImportRecord(other)])
    for who, label in (("alice", "GPE"), ("bob", "NORP")):
        for v in (E(0, 13, "PERSON"), E(19, 26, label)):
            s.apply(who, DOC.id, "add", [(None, A(who, v))])
        s.apply(who, other.id, "add", [(None, Annotation(f"{who}-o", other.id, who, E(0, 6, "GPE")))])
    return s, other


def test_mark_reviewed_refuses_open_rows_or_settles_them(tmp_path):
    s, _ = _two_docs(tmp_path / "m.db")
    with s:
        al = review.load(s, DOC.id, ["alice", "bob"])
        with pytest.raises(AnnotatorError, match="2 row\\(s\\) .* still open"):
            review.mark_reviewed(s, "carol", al)
        assert DOC.id not in s.statuses("review")
        review.save(s, "carol", DOC.id, "a", review.accept_unanimous(al))
        al = review.load(s, DOC.id, ["alice", "bob"])
        assert review.mark_reviewed(s, "carol", al, settle=True) == 1
        assert s.statuses("review")[DOC.id] == "done"
        assert sorted((a.value.label, a.status) for a in s.items(DOC.id, "review")) == \
            [("GPE", "rejected"), ("PERSON", "accepted")]
        assert not review.load(s, DOC.id, ["alice", "bob"]).open


def test_queue_order_counts_and_accept_agreed(tmp_path):
    s, other = _two_docs(tmp_path / "q.db")
    lonely = Document.from_text("Only bob saw Rome.")
    with s:
        s.import_records([ImportRecord(lonely)])
        s.apply("bob", lonely.id, "add", [(None, Annotation("b-l", lonely.id, "bob", E(13, 17, "GPE")))])
        queue = review_queue.build(s, ["alice", "bob"], include_single=True)
        assert [(e.doc_id, e.reason) for e in queue.entries] == [(DOC.id, "disagreement"), (lonely.id, "single")]
        assert queue.agreed == 1 and queue.left == 2
        assert queue.next_left(0) == 1 and queue.next_left(1) == 0
        docs, items = review_queue.accept_agreed(s, "carol", ["alice", "bob"])
        assert (docs, items) == (1, 1)
        assert s.statuses("review") == {other.id: "done"}
        assert review_queue.accept_agreed(s, "carol", ["alice", "bob"]) == (0, 0)  # nothing twice
        text = review_queue.format_queue(review_queue.build(s, ["alice", "bob"]))
        assert "1 document(s) with disagreements; 1 left" in text and "1 with a single annotator" in text


def test_export_never_passes_a_partly_reviewed_document_as_done(tmp_path, capfd):
    import json

    from annotator.formats.exporting import collect, jsonl_lines

    s, other = _two_docs(tmp_path / "e.db")
    with s:
        al = review.load(s, DOC.id, ["alice", "bob"])
        review.save(s, "carol", DOC.id, "a", review.accept_unanimous(al))
        s.set_review_status("carol", DOC.id, "done")  # as older versions allowed: one row still open
        review_queue.accept_agreed(s, "carol", ["alice", "bob"])
        items = collect(s, "review", only_done=True)
        assert [i.document.id for i in items] == [other.id]
        assert "left out 1 document(s) marked reviewed that still have open rows" in capfd.readouterr().err
        review.mark_reviewed(s, "carol", review.load(s, DOC.id, ["alice", "bob"]), settle=True)
        items = collect(s, "review", only_done=True)
        assert sorted(i.document.id for i in items) == sorted([DOC.id, other.id])
        task = next(t for t in map(json.loads, jsonl_lines(items)) if t["text"] == TEXT)
        assert task["answer"] == "accept"
        assert [sp["label"] for sp in task["spans"]] == ["PERSON"]  # the open row went out as nothing here
