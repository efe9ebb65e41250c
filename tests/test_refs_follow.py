"""Stance ends and claim speakers follow the span they point at; resizing stays on its line.

Session tests through the real store (``AnnotationSession``), one run of the user's report on the
seed article through the real CLI and model, and one through the app with Textual's pilot.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.annotate.items import ItemIndex
from annotator.annotate.session import AnnotationSession, Refused
from annotator.cli import cli
from annotator.model import CLAIM, STANCE, Document, Span, SpanRef, Stance
from annotator.schema import load_schema
from annotator.store import ImportRecord, Store
from annotator.tui.widgets.panels import detail
from helpers.tui import ARTICLE, SEED, find, make_db

GOLD = Path(__file__).parent / "data" / "gold" / "conflict-border-clashes.txt"


@pytest.fixture
def made(tmp_path):
    store, ids = make_db(tmp_path / "s.db")
    yield store, ids
    store.close()


def session(store, layer="alice") -> AnnotationSession:
    s = AnnotationSession(store, load_schema(None), layer)
    assert s.open_first()
    return s


def focus(s: AnnotationSession, needle: str, nth: int = 0, kind: str | None = None) -> None:
    start, end = find(s.doc.text, needle, nth)
    i = next(i for i, it in enumerate(s.items) if (it.start, it.end) == (start, end) and it.kind != "stance"
             and (kind is None or it.kind == kind))
    s.move_to(i)


def layer_values(store, doc_id, layer="alice"):
    return [a.value for a in store.items(doc_id, layer)]


def stances(store, doc_id, layer="alice") -> list[Stance]:
    return [v for v in layer_values(store, doc_id, layer) if isinstance(v, Stance)]


def claim(store, doc_id, layer="alice") -> Span:
    return next(v for v in layer_values(store, doc_id, layer) if isinstance(v, Span) and v.kind == CLAIM)


def ref(text: str, needle: str, label: str, nth: int = 0) -> SpanRef:
    return SpanRef(*find(text, needle, nth), label)


def events(store, doc_id) -> list[str]:
    return [e.action for e in store.events(doc_id=doc_id, annotator="alice")]


def fresh_lookups(index: ItemIndex) -> tuple:
    return tuple({k: set(v) for k, v in table.items()} for table in (index._pointing, index._spans_at, index._changed))


# --- 1: what points at a span follows it ------------------------------------------


def test_relabelling_a_speaker_brings_the_claim_along_and_one_undo_reverts_both(made):
    store, ids = made
    s = session(store)
    s.accept_all()
    text = s.doc.text
    putin = ref(text, "Putin", "PERSON", 1)
    assert claim(store, ids[0]).attrs["speaker"] == putin.to_dict()
    focus(s, "Putin", 1)
    s.relabel("ORG")
    assert claim(store, ids[0]).attrs["speaker"] == ref(text, "Putin", "ORG", 1).to_dict()
    assert claim(store, ids[0]).attrs["speaker_text"] == "Putin"
    assert s.take_note() == "1 claim pointing at it follows" and s.take_note() == ""
    assert events(store, ids[0]) == ["accept_all", "relabel"]  # one decision, one event
    s.history("undo")
    assert claim(store, ids[0]).attrs["speaker"] == putin.to_dict()
    assert [v.label for v in layer_values(store, ids[0]) if (v.start, v.end) == (putin.start, putin.end)] == ["PERSON"]
    s.history("redo")
    assert claim(store, ids[0]).attrs["speaker"] == ref(text, "Putin", "ORG", 1).to_dict()


def test_resizing_a_stance_source_moves_the_stance_with_it(made):
    store, ids = made
    s = session(store)
    s.accept_all()
    text = s.doc.text
    focus(s, "The United States")
    s.resize("start_right")
    [stance] = stances(store, ids[0])
    assert stance.source == ref(text, "United States", "GPE")
    assert s.take_note() == "1 stance pointing at it follows"
    item = next(it for it in s.items if it.kind == "stance")
    assert item.value.source == stance.source  # what the screen shows is what is stored
    said = s.history("undo")
    assert stances(store, ids[0])[0].source == ref(text, "The United States", "GPE")
    # the undo names what the user did, and the stance apart (it said "resizing 2 suggestions")
    assert said == "Undone: resizing “The United States” → “United States” (GPE) and the stance that followed"


def test_a_suggested_stance_accepted_after_its_end_changed_points_at_the_span_as_it_is(made):
    """The stance and the claim are still undecided suggestions when their ends change."""
    store, ids = made
    s = session(store)
    text = s.doc.text
    focus(s, "The United States")
    s.resize("start_right")
    focus(s, "Putin", 1)
    s.relabel("ORG")
    stance_item = next(it for it in s.items if it.kind == "stance")
    assert stance_item.undecided
    s.move_to(s.items.index(stance_item))
    draft, sources, current = s.stance_draft()
    assert current == ref(text, "United States", "GPE")  # the t picker starts on the end as it now is
    s.accept_all()
    [stance] = stances(store, ids[0])
    assert stance.source == ref(text, "United States", "GPE")
    assert claim(store, ids[0]).attrs["speaker"] == ref(text, "Putin", "ORG", 1).to_dict()


def test_an_unlabelled_end_follows_the_offsets_and_stays_unlabelled(made):
    """The suggested stance's target "the treaty" has no label; a topic made there and resized moves it."""
    store, ids = made
    s = session(store)
    s.accept_all()
    text = s.doc.text
    assert stances(store, ids[0])[0].target == ref(text, "the treaty", "")
    s.create(*find(text, "the treaty"), "TOPIC")
    s.resize("start_right")
    assert stances(store, ids[0])[0].target == ref(text, "treaty", "", 1)
    s.relabel("ORG")  # the offsets stay: an unlabelled end does not change
    assert stances(store, ids[0])[0].target == ref(text, "treaty", "", 1)


def test_an_end_another_span_still_holds_stays(made):
    """Two spans at "the treaty" (a topic, an ORG): resizing one leaves the unlabelled end on the other."""
    store, ids = made
    s = session(store)
    s.accept_all()
    text = s.doc.text
    s.create(*find(text, "the treaty"), "ORG")
    s.create(*find(text, "the treaty"), "TOPIC")
    s.resize("start_right")
    assert stances(store, ids[0])[0].target == ref(text, "the treaty", "")
    assert s.take_note() == ""


def test_deleting_an_end_keeps_it_and_says_how_many_point_at_it(made, tmp_path):
    store, ids = made
    s = session(store)
    s.accept_all()
    text = s.doc.text
    focus(s, "The United States")
    s.delete()
    assert stances(store, ids[0])[0].source == ref(text, "The United States", "GPE")  # kept, not dropped
    said = "“The United States” is no span of yours now; 1 stance still points at it (t changes that)"
    assert s.take_note()[0] == said
    stance = next(it for it in s.items if it.kind == STANCE and it.annotation is not None)
    claim = next(it for it in s.items if it.kind == CLAIM and it.annotation is not None
                 and it.value.attrs.get("speaker", {}).get("start") == find(text, "Putin", 1)[0])
    assert s.loose_ends(stance) == ["source"] and s.loose_ends(claim) == []
    shown = detail(stance, text, s.schema, 0, 1, 44, "n", s.loose_ends(stance)).plain
    assert shown.splitlines()[-1] == "source is no span of yours"  # the panel says so while it is focused
    focus(s, "Putin", 1)
    s.reject()  # rejecting an accepted span removes it from the layer's spans as well
    assert s.take_note() == ("“Putin” is no span of yours now; 1 claim still points at it (s changes that)",
                             "1 claim still points at “Putin” (s)", "1 claim still points at it (s)",
                             "1 claim still points at it")
    claim = next(it for it in s.items if it.key == claim.key)
    assert s.loose_ends(claim) == ["speaker"]
    focus(s, "Putin", 1)
    s.delete()  # it was rejected already: nothing points at it any less
    assert s.take_note() == ""


def test_the_stance_picker_offers_ends_that_are_no_span_any_more(made):
    """Rejected, "The United States" is no actor any more (deleted, it would be a suggestion again)."""
    store, ids = made
    s = session(store)
    s.accept_all()
    text = s.doc.text
    focus(s, "The United States")
    s.reject()
    s.move_to(next(i for i, it in enumerate(s.items) if it.kind == "stance"))
    draft, sources, current = s.stance_draft()
    assert current == ref(text, "The United States", "GPE")
    assert sources[s.index_of_name(sources, current)].ref == current
    assert sources[0].note == "current source, no span"
    draft.source = current
    targets, current_target = s.stance_targets(draft)
    assert targets[s.index_of_name(targets, current_target)].ref == ref(text, "the treaty", "")
    assert targets[0].note == "current target, no span"
    draft.target = current_target
    s.finish_stance(draft, "FAVOR")  # kept as they were, only the polarity changes
    [stance] = stances(store, ids[0])
    assert (stance.source, stance.target, stance.polarity) == (ref(text, "The United States", "GPE"),
                                                               ref(text, "the treaty", ""), "FAVOR")


def test_the_index_lookups_stay_as_a_fresh_index_builds_them(made):
    store, ids = made
    s = session(store)
    focus(s, "The United States")
    s.resize("start_right")
    s.accept_all()
    focus(s, "Putin", 1)
    s.relabel("ORG")
    focus(s, "United States")
    s.delete()
    s.history("undo")
    s.history("undo")
    fresh = ItemIndex(store.suggestions(ids[0]), store.items(ids[0], "alice"))
    assert fresh_lookups(s.index) == fresh_lookups(fresh)
    assert [it.value for it in s.items] == [it.value for it in fresh.items]


def test_the_seed_article_as_reported(tmp_path):
    """The user's report: relabel Kim Jong Un to ORG, resize Vladimir Putin to Putin, accept all, export."""
    db = str(tmp_path / "seed.db")
    run = CliRunner()
    assert run.invoke(cli, ["import", str(SEED), "--db", db]).exit_code == 0
    assert run.invoke(cli, ["suggest", "--db", db]).exit_code == 0
    with Store(db) as store:
        s = session(store, "me")
        text = s.doc.text
        assert text[84:95] == "Kim Jong Un" and text[100:114] == "Vladimir Putin"
        kim, putin = SpanRef(84, 95, "PERSON"), SpanRef(100, 114, "PERSON")
        ends = {r for it in s.items if isinstance(it.value, Stance) for r in (it.value.source, it.value.target)}
        assert {kim, putin} <= ends  # the suggester's stances hold by these two
        focus(s, "Kim Jong Un")
        s.relabel_number(2)
        focus(s, "Vladimir Putin")
        s.resize("start_right")
        s.accept_all()
    out = run.invoke(cli, ["export", "--annotator", "me", "--no-tokens", "--db", db])
    assert out.exit_code == 0, out.output
    task = json.loads(out.output.splitlines()[0])
    at = {(sp["start"], sp["end"]): sp for sp in task["spans"]}
    assert at[(84, 95)]["label"] == "ORG" and "stance_end_only" not in at[(84, 95)]
    assert (100, 114) not in at and at[(109, 114)]["label"] == "PERSON"
    assert not [sp for sp in task["spans"] if sp.get("stance_end_only") and (sp["start"], sp["end"]) in
                ((84, 95), (100, 114))]
    ends = {(r[e]["start"], r[e]["end"], r[e]["label"]) for r in task["relations"] for e in ("head_span", "child_span")}
    assert (84, 95, "ORG") in ends and (109, 114, "PERSON") in ends
    assert not ends & {(84, 95, "PERSON"), (100, 114, "PERSON")}
    brat = tmp_path / "brat"
    out = run.invoke(cli, ["export", "--annotator", "me", "--format", "brat", "-o", str(brat), "--db", db])
    assert out.exit_code == 0, out.output
    bounds = [line.split("\t")[1].split(" ") for f in brat.glob("*.ann") for line in f.read_text().splitlines()
              if line.startswith("T")]
    offsets = [(b[1], b[2]) for b in bounds]
    assert len(offsets) == len(set(offsets))  # one T line per text: no second label for the same words


# --- 2: resizing by word stays on its line ------------------------------------------


def one_doc(tmp_path, text: str, values) -> tuple[Store, str]:
    store = Store(tmp_path / "one.db")
    doc = Document.from_text(text)
    store.import_records([ImportRecord(doc)])
    store.replace_suggestions(doc.id, "test", "1", [(v, "test", 0.9) for v in values])
    return store, doc.id


def test_an_entity_never_grows_across_a_line_break(tmp_path):
    text = GOLD.read_text(encoding="utf-8")
    start, end = find(text, "Ceasefire Collapses")
    store, doc_id = one_doc(tmp_path, text, [Span(start, end, "EVENT"),
                                            Span(*find(text, "Armenia's Defence Ministry"), "ORG")])
    s = session(store)
    focus(s, "Ceasefire Collapses")
    for how, fine in (("end_right", True), ("end_right", False)):
        with pytest.raises(Refused, match="A span stays on its line: the next word is past a line break") as refused:
            s.resize(how, fine)
        assert refused.value.bell
    focus(s, "Armenia's Defence Ministry")
    with pytest.raises(Refused, match="the word before is past a line break"):
        s.resize("start_left")
    assert events(store, doc_id) == []  # nothing written
    s.resize("end_left")  # shrinking is never refused
    assert [v.end - v.start for v in layer_values(store, doc_id)] == [len("Armenia's Defence")]
    store.close()


def test_a_claim_stays_in_its_paragraph(tmp_path):
    """One paragraph per line (no blank lines): every line break is a paragraph break for a claim."""
    text = "Officials said the talks failed.\nThe envoy left on Monday.\n"
    store, doc_id = one_doc(tmp_path, text, [Span(*find(text, "the talks failed"), "CLAIM", CLAIM)])
    s = session(store)
    s.resize("end_right", True)  # the full stop: same line
    with pytest.raises(Refused, match="A claim stays in its paragraph: the next word is past a paragraph break"):
        s.resize("end_right", True)
    store.close()


def test_a_claim_takes_in_a_wrapped_line_but_not_a_blank_line(tmp_path):
    """Paragraphs separated by blank lines: a single line break is a wrapped line inside one."""
    text = "Officials said the talks\nfailed badly.\n\nThe envoy left.\n"
    store, doc_id = one_doc(tmp_path, text, [Span(*find(text, "the talks"), "CLAIM", CLAIM),
                                            Span(*find(text, "the talks"), "ORG")])
    s = session(store)
    focus(s, "the talks", kind=CLAIM)
    for _ in range(3):
        s.resize("end_right", True)
    assert s.doc.text[s.focused.start:s.focused.end] == "the talks\nfailed badly."
    with pytest.raises(Refused, match="past a paragraph break"):
        s.resize("end_right")
    focus(s, "the talks", kind="entity")
    with pytest.raises(Refused, match="past a line break"):  # an entity stays on its line all the same
        s.resize("end_right")
    store.close()


# --- the screen ------------------------------------------------------------------------


@pytest.mark.anyio
async def test_the_screen_says_what_points_at_a_deleted_span_and_offers_it_in_the_picker(db):
    from annotator.tui.screens.picker import PickerScreen
    from helpers.pilot import SIZE, app_for, started, status

    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("A", "y")
        session = screen.session
        focus(session, "The United States")
        await pilot.press("x")
        assert "“The United States” is no span of yours now; 1 stance still points at it" in status(screen)
        session.move_to(next(i for i, it in enumerate(session.items) if it.kind == "stance"))
        await pilot.press("t")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, PickerScreen)
        rows = [str(c.prompt) for c in picker.choices]
        assert "The United States" in rows[0] and "(current source, no span)" in rows[0]
        assert picker.choices[picker.selected].value == ref(ARTICLE, "The United States", "GPE")
        await pilot.press("escape")
