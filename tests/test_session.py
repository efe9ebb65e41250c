"""The annotation session without a screen: documents, focus, decisions, pickers, undo."""

from __future__ import annotations

import pytest

from annotator.annotate.session import AnnotationSession, Refused
from annotator.model import ACCEPTED, AUTHOR, REJECTED, SpanRef, Stance
from annotator.schema import load_schema
from helpers.tui import ARTICLE, find, make_db


@pytest.fixture
def made(tmp_path):
    store, ids = make_db(tmp_path / "s.db")
    yield store, ids
    store.close()


def session(store, layer="alice", **kw) -> AnnotationSession:
    s = AnnotationSession(store, load_schema(None), layer, **kw)
    assert s.open_first()
    return s


def focused(s: AnnotationSession) -> str:
    return s.doc.text[s.focused.start:s.focused.end]


def layer(store, doc_id, name="alice"):
    text = store.document(doc_id).text
    return sorted((text[a.value.start:a.value.end], a.value.label, a.status) for a in store.items(doc_id, name)
                  if not isinstance(a.value, Stance))


def test_opens_first_undecided_and_accept_advances(made):
    store, ids = made
    s = session(store)
    assert s.doc.id == ids[0] and focused(s) == "North Korea"
    s.accept()
    assert focused(s) == "Russia"
    s.reject()
    assert focused(s) == "June"
    assert layer(store, ids[0]) == [("North Korea", "GPE", ACCEPTED), ("Russia", "GPE", REJECTED)]
    assert [e.action for e in store.events(doc_id=ids[0], annotator="alice")] == ["accept", "reject"]


def test_accept_on_a_decided_item_writes_nothing_and_moves_on(made):
    store, ids = made
    s = session(store)
    s.accept()
    s.step(-1)
    assert focused(s) == "North Korea"
    s.accept()
    assert focused(s) == "Russia" and len(store.events(annotator="alice", doc_id=ids[0])) == 1


def test_refusals_say_why_and_write_nothing(made):
    store, ids = made
    s = session(store)
    with pytest.raises(Refused, match="not in your layer"):
        s.delete()
    s.focus_index = None
    with pytest.raises(Refused, match="Nothing is focused"):
        s.accept()
    with pytest.raises(Refused, match="Nothing to undo"):
        s.history("undo")
    assert store.events(annotator="alice", doc_id=ids[0]) == []


def test_undo_and_redo_focus_the_item_they_touched(made):
    store, ids = made
    s = session(store)
    s.accept()  # North Korea
    s.accept()  # Russia
    assert focused(s) == "June"
    said = s.history("undo")
    assert said == "Undone: accepting “Russia” (GPE)" and focused(s) == "Russia"
    s.history("redo")
    assert focused(s) == "Russia"
    assert layer(store, ids[0]) == [("North Korea", "GPE", ACCEPTED), ("Russia", "GPE", ACCEPTED)]


def test_selection_is_a_word_or_a_trimmed_range(made):
    store, ids = made
    s = session(store)
    korea = ARTICLE.index("Korea")
    assert s.selection(korea + 2, None) == (korea, korea + len("Korea"))
    start, end = find(ARTICLE, "North Korea")
    assert ARTICLE[start - 1] == ARTICLE[end] == " "
    assert s.selection(end + 1, start - 1) == (start, end)  # the spaces at both ends are trimmed
    assert s.selection(start - 1, start - 1) is None  # cursor and mark on a space: nothing
    assert s.selection(start - 1, end + 1) == (start, end)  # either direction
    s.create(*s.selection(end, start), "GPE")
    assert ("North Korea", "GPE", ACCEPTED) in layer(store, ids[0])


def test_pickers_offer_one_candidate_per_name_nearest_the_claim(made):
    store, ids = made
    s = session(store)
    names = [c.text for c in s.actor_candidates(near=len(ARTICLE))]
    assert names.count("Putin") == 1 and "Vladimir Putin" in names and "KCNA" in names
    putin = next(c for c in s.actor_candidates(near=len(ARTICLE)) if c.text == "Putin")
    assert putin.ref.start == find(ARTICLE, "Putin", 1)[0]  # the mention nearest the end, not the first


def test_set_speaker_and_stance_wizard(made):
    store, ids = made
    s = session(store)
    claim = next(i for i in s.items if i.kind == "claim")
    s.set_speaker(claim.key, AUTHOR)
    assert [a.value.attrs["speaker"] for a in store.items(ids[0], "alice")] == [AUTHOR]
    s.move_to(next(n for n, i in enumerate(s.items) if s.doc.text[i.start:i.end] == "The United States"))
    draft, sources, current = s.stance_draft()
    assert draft.editing is None and (current.start, current.end) == find(ARTICLE, "The United States")
    draft.source = current
    targets, _ = s.stance_targets(draft)
    draft.target = next(t.ref for t in targets if t.text == "Russia")
    s.finish_stance(draft, "AGAINST")
    stances = [a.value for a in store.items(ids[0], "alice") if isinstance(a.value, Stance)]
    assert [(ARTICLE[v.source.start:v.source.end], ARTICLE[v.target.start:v.target.end], v.polarity)
            for v in stances] == [("The United States", "Russia", "AGAINST")]


def test_done_moves_to_the_next_document_and_resume_returns(made):
    store, ids = made
    s = session(store)
    s.accept()
    s.step(+1)
    s.save_cursor()
    assert s.mark_done() == ids[1]
    s.open(ids[1])
    assert s.relative(-1) == ids[0]
    with pytest.raises(Refused, match="last document"):
        s.relative(+1)
    again = session(store)
    assert again.doc.id == ids[1]
    again.open(ids[0])  # where alice left it
    assert focused(again) == "June"


def test_assigned_documents_come_first_and_start_doc_wins(made):
    store, ids = made
    store.add_assignments([(ids[1], "bob")])
    assert session(store, "bob").doc_ids == [ids[1], ids[0]]
    assert session(store, "carol", start_doc=ids[1]).doc.id == ids[1]


def test_suggestions_arriving_later_are_picked_up(tmp_path):
    from helpers.tui import article_suggestions

    store, ids = make_db(tmp_path / "late.db", suggestions=False)
    s = session(store)
    assert s.items == [] and s.awaiting_suggestions
    store.replace_suggestions(ids[0], "late", "1", article_suggestions(s.doc.text))
    assert s.reload() and focused(s) == "North Korea" and not s.awaiting_suggestions
    store.close()


def test_relabel_by_number_uses_schema_order(made):
    store, ids = made
    s = session(store)
    first = s.span_labels()[0]
    s.relabel_number(1)
    assert ("North Korea", first, ACCEPTED) in layer(store, ids[0])
    s.move_to(next(n for n, i in enumerate(s.items) if i.kind == "stance"))
    s.relabel_number(1)  # a stance takes a polarity
    stance = next(a.value for a in store.items(ids[0], "alice") if isinstance(a.value, Stance))
    assert stance.polarity == s.schema.polarities[0].name
    assert isinstance(stance.source, SpanRef)


def test_next_undecided_finishes_the_entities_before_the_claim_and_the_stance(made):
    store, ids = made
    s = session(store)
    seen = []
    while s.current_pass is not None:
        seen.append(s.focused.kind)
        s.accept()
    assert seen == ["entity"] * 10 + ["claim", "stance"]


def test_choosing_one_kind_walks_only_it(made):
    store, ids = made
    s = session(store)
    assert s.choose_kinds() == "entities only" and s.choose_kinds() == "claims only"
    assert s.focused.kind == "claim" and s.accept_all_counts() == {"claim": 1}
    s.step(+1)
    assert s.focused.kind == "claim"  # the only claim: j stays on it
    assert s.choose_kinds() == "topics only"
    with pytest.raises(Refused, match="No undecided topics"):
        s.next_undecided()
    s.choose_kinds()
    assert s.focused.kind == "stance"
    s.accept_all()
    assert [a.value.kind for a in store.items(ids[0], "alice")] == ["stance"]
    assert s.choose_kinds().startswith("every kind") and s.accept_all_counts() == {"entity": 10, "claim": 1}


def test_undo_of_a_created_span_focuses_the_nearest_item_and_says_so(made):
    store, ids = made
    s = session(store)
    s.create(*find(ARTICLE, "landmark"), "ORG")
    assert focused(s) == "landmark"
    assert s.history("undo") == "Undone: creating “landmark” (ORG)"
    assert focused(s) == "North Korea" and layer(store, ids[0]) == []
    assert s.history("redo") == "Redone: creating “landmark” (ORG)" and focused(s) == "landmark"
    assert store.cursor("alice", ids[0])["key"] == s.focused.key  # committed with the redo


def test_opening_saves_where_the_annotator_is_without_starting_the_document(made):
    store, ids = made
    s = session(store)
    s.step(+1)
    s.open(ids[1])
    assert store.statuses("alice") == {} and store.resume_point("alice")[0] == ids[1]
    s.open(ids[0])  # no cursor given: where alice left it
    assert focused(s) == "Russia"


def test_document_rows_follow_the_queue_and_mark_assignments(made):
    store, ids = made
    store.add_assignments([(ids[1], "alice")])
    s = session(store)
    rows = s.document_rows()
    assert [(r["number"], r["doc_id"], r["assigned"]) for r in rows] == [(1, ids[1], True), (2, ids[0], False)]
    assert s.doc.id == ids[1] and s.doc_index == 0


def test_picker_candidates_name_their_mention_and_a_stance_source_follows_its_target(made):
    store, ids = made
    s = session(store)
    putin = next(c for c in s.actor_candidates(near=len(ARTICLE)) if c.text == "Putin")
    assert (putin.before, putin.after, putin.mentions) == ("", " said the pact was a breakthrough.", 1)
    korea = next(c for c in s.actor_candidates() if c.text == "North Korea")
    assert korea.before == "A landmark defense treaty between " and korea.after.startswith(" and Russia,")
    draft, _, _ = s.stance_draft()
    draft.source = SpanRef(*find(ARTICLE, "North Korea"), "GPE")
    draft.target = SpanRef(*find(ARTICLE, "Moscow"), "GPE")
    s.finish_stance(draft, "FAVOR")
    [st] = [a.value for a in store.items(ids[0], "alice") if isinstance(a.value, Stance)]
    assert ARTICLE[st.evidence.start:st.evidence.end].startswith("A landmark defense treaty")
    assert ARTICLE[st.evidence.start:st.evidence.end].endswith("KCNA reported.")  # both ends' sentences
