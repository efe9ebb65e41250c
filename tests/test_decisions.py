"""The pure core of decisions: visible items and the changes each decision writes."""

from __future__ import annotations

from annotator.annotate import decisions as D
from annotator.model import ACCEPTED, CLAIM, REJECTED, Annotation, Span, SpanRef, Stance, Suggestion
from annotator.schema import DEFAULT_ACTORS

TEXT = "Kim Jong Un met Vladimir Putin in Moscow. Putin said the treaty is good."


def sug(start, end, label, kind="entity", sid=None, **attrs):
    return Suggestion(sid or f"s{start}", "d", "test", "1", "ner", 0.9, Span(start, end, label, kind, attrs))


def ann(value, status=ACCEPTED, sid=None, origin="suggestion", aid="a1"):
    return Annotation(aid, "d", "alice", value, status, sid, origin)


def test_visible_items_hides_decided_suggestions_and_keeps_rejected_items():
    s1, s2, s3 = sug(0, 11, "PERSON"), sug(16, 30, "PERSON"), sug(34, 40, "GPE")
    items = D.visible_items([s1, s2, s3], [ann(s1.value, sid=s1.id), ann(s3.value, REJECTED, sid="other", aid="a2")])
    assert [(i.start, i.state) for i in items] == [(0, ACCEPTED), (16, D.SUGGESTED), (34, REJECTED)]
    assert D.next_undecided(items) == 1
    assert D.next_undecided(items, 1) == 1  # wraps round to itself
    assert D.counts(items) == {D.SUGGESTED: 1, ACCEPTED: 1, REJECTED: 1}


def test_accept_reject_relabel_build_one_change_each():
    s = sug(0, 11, "PERSON")
    item = D.visible_items([s], [])[0]
    [(before, after)] = D.accept(item, "d", "alice")
    assert before is None and after.status == ACCEPTED and after.suggestion_id == s.id and after.origin == "suggestion"
    [(before, after)] = D.reject(item, "d", "alice")
    assert after.status == REJECTED
    [(_, after)] = D.relabel(item, "ORG", "d", "alice")
    assert after.value.label == "ORG" and after.status == ACCEPTED
    # relabel of a layer item updates it in place
    layer_item = D.visible_items([], [ann(s.value, REJECTED, sid=s.id)])[0]
    [(before, after)] = D.relabel(layer_item, "GPE", "d", "alice")
    assert before.id == after.id and after.value.label == "GPE" and after.status == ACCEPTED
    # claims keep their attributes when relabelled to a claim, entities lose them
    [(_, after)] = D.relabel(item, "CLAIM", "d", "alice", kind=CLAIM)
    assert after.value.kind == CLAIM


def test_reject_of_hand_made_span_deletes_it():
    item = D.visible_items([], [ann(Span(0, 3, "PERSON"), origin="manual")])[0]
    assert D.reject(item, "d", "alice") == [(item.annotation, None)]
    assert D.delete(item) == [(item.annotation, None)]


def test_resize_by_word_both_boundaries_both_directions():
    words = D.Words(TEXT)
    assert D.resized_bounds(words, 16, 30, "end_right") == (16, 33)  # + "in"
    assert D.resized_bounds(words, 16, 30, "end_left") == (16, 24)  # "Vladimir"
    assert D.resized_bounds(words, 16, 30, "start_left") == (12, 30)  # "met Vladimir Putin"
    assert D.resized_bounds(words, 16, 30, "start_right") == (25, 30)  # "Putin"
    assert D.resized_bounds(words, 25, 30, "start_right") is None  # cannot become empty
    assert D.resized_bounds(words, 25, 30, "end_left") is None
    item = D.visible_items([sug(16, 30, "PERSON")], [])[0]
    [(_, after)] = D.resize(item, words, "end_right", "d", "alice")
    assert (after.value.start, after.value.end) == (16, 33) and after.status == ACCEPTED


def test_words_handle_emoji_and_cjk_offsets():
    text = "🙂 Kim 東京 said."
    words = D.Words(text)
    assert words.next_start(0) == 2
    assert text[words.word_at(6)[0]:words.word_at(6)[1]] == "東京"


def test_create_accept_all_speaker_and_stances():
    [(_, a)] = D.create("d", "alice", 9, 0, "PERSON")
    assert (a.value.start, a.value.end, a.origin, a.suggestion_id) == (0, 9, "manual", None)
    assert D.create("d", "alice", 3, 3, "PERSON") == []
    sugs = [sug(0, 11, "PERSON"), sug(16, 30, "PERSON"), sug(42, 70, "CLAIM", CLAIM, sid="c")]
    items = D.visible_items(sugs, [])
    assert len(D.accept_all(items, "d", "alice")) == 3
    assert [i.label for i in D.actors(items, DEFAULT_ACTORS)] == ["PERSON", "PERSON"]
    claim = items[2]
    [(_, a)] = D.set_speaker(claim, SpanRef(42, 47, "PERSON"), "d", "alice")
    assert a.value.attrs["speaker"] == {"start": 42, "end": 47, "label": "PERSON"}
    assert D.speaker_of(a.value) == SpanRef(42, 47, "PERSON")
    [(_, a)] = D.set_speaker(claim, "AUTHOR", "d", "alice")
    assert a.value.attrs["speaker"] == "AUTHOR" and D.speaker_text(a.value, TEXT) == "AUTHOR"
    assert D.set_speaker(items[0], "AUTHOR", "d", "alice") == []  # not a claim
    [(_, st)] = D.add_stance("d", "alice", TEXT, SpanRef(0, 11, "PERSON"), SpanRef(34, 40, "GPE"), "FAVOR")
    assert isinstance(st.value, Stance) and st.value.polarity == "FAVOR"
    assert TEXT[st.value.evidence.start:st.value.evidence.end] == "Kim Jong Un met Vladimir Putin in Moscow."
    stance_item = D.visible_items([], [st])[0]
    [(before, after)] = D.edit_stance(stance_item, "d", "alice", polarity="AGAINST")
    assert before.id == after.id and after.value.polarity == "AGAINST" and after.value.source == st.value.source


def test_exported_spans_are_accepted_spans_only():
    items = [ann(Span(0, 3, "PERSON"), aid="1"), ann(Span(4, 6, "ORG"), REJECTED, aid="2"),
             ann(Span(7, 9, "GPE"), origin="manual", aid="3")]
    assert [s.label for s in D.exported_spans(items)] == ["PERSON", "GPE"]


def test_set_speaker_keeps_speaker_text_in_step():
    claim = D.visible_items([sug(42, 70, "CLAIM", CLAIM, sid="c", speaker="AUTHOR", speaker_text="")], [])[0]
    [(_, a)] = D.set_speaker(claim, SpanRef(42, 47, "PERSON"), "d", "alice", TEXT)
    assert a.value.attrs["speaker_text"] == "Putin"
    item = D.visible_items([], [a])[0]
    [(_, b)] = D.set_speaker(item, "UNNAMED", "d", "alice", TEXT)
    assert b.value.attrs["speaker"] == "UNNAMED" and b.value.attrs["speaker_text"] == ""


def test_sentence_around_and_words_edges():
    assert D.sentence_around(TEXT, 0, 3) == (0, 41)
    assert TEXT[slice(*D.sentence_around(TEXT, 42, 47))] == "Putin said the treaty is good."
    words = D.Words("")
    assert words.next_start(0) is None and words.prev_end(0) is None and words.word_at(0) is None


def test_resize_by_word_skips_punctuation_only_steps_and_by_token_does_not():
    text = "Putin’s pact with the U.S. held."
    words = D.Words(text)
    assert D.resized_bounds(words, 0, 7, "end_left") == (0, 5)  # Putin’s -> Putin, not Putin’
    assert D.resized_bounds(words, 0, 5, "end_right") == (0, 7)  # Putin -> Putin’s
    assert D.resized_bounds(words, 0, 7, "end_left", fine=True) == (0, 6)  # Putin’
    us = text.index("U.S")
    assert text[slice(*D.resized_bounds(words, us, us + 3, "end_right"))] == "U.S. held"
    assert text[slice(*D.resized_bounds(words, us, us + 3, "end_right", fine=True))] == "U.S."
    quoted = "He said “no deal” today."
    w2 = D.Words(quoted)
    s = quoted.index("“")
    assert quoted[slice(*D.resized_bounds(w2, s, s + 9, "start_right"))] == "no deal”"  # the opening quote goes
    assert quoted[slice(*D.resized_bounds(w2, s + 1, s + 9, "end_left"))] == "no deal"  # and the closing one


def test_editing_a_stance_end_brings_new_evidence_and_a_polarity_alone_keeps_it():
    text = "Kim met Putin. Nothing else happened today. Kim later praised Russia."
    kim, putin = SpanRef(0, 3, "PERSON"), SpanRef(8, 13, "PERSON")
    [(_, st)] = D.add_stance("d", "alice", text, kim, putin, "FAVOR")
    item = D.visible_items([], [st])[0]
    [(_, same)] = D.edit_stance(item, "d", "alice", polarity="AGAINST", text=text)
    assert same.value.evidence == st.value.evidence == SpanRef(0, 14, "")
    russia, kim2 = SpanRef(62, 68, "GPE"), SpanRef(44, 47, "PERSON")
    [(_, moved)] = D.edit_stance(item, "d", "alice", source=kim2, target=russia, text=text)
    assert text[moved.value.evidence.start:moved.value.evidence.end] == "Kim later praised Russia."
