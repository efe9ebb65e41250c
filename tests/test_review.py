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
