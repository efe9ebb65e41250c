"""Claim speakers and content boundaries on sentences of our own (issue 12: tuned on PolNeAR
train, each fix with its construction here)."""

from __future__ import annotations

import pytest
from test_suggest_common import claim_texts, run

pytestmark = pytest.mark.slow


def claims(text):
    return claim_texts(text, run(text))


def test_a_content_that_only_ends_in_a_quoted_phrase_takes_no_earlier_quote_with_it():
    # the earlier quote is the author's, a sentence before: not the start of the chair's words
    text = ('Critics of the mayor were "furious and tired." At a hearing on Monday, the council chair, '
            'Rosa Diaz, said the budget was "a disgrace."')
    c = claims(text)
    assert any(content.startswith("the budget was") and speaker == "Rosa Diaz" for content, speaker, _ in c)
    assert not any("furious" in content for content, _, _ in c)
    # a quote split by its attribution stays one claim
    text = '"We are furious," Ana Ruiz said. "We are tired."'
    assert claims(text) == [('We are furious," Ana Ruiz said. "We are tired', "Ana Ruiz", "speech_ccomp")]


def test_a_quote_split_by_a_pronoun_attribution_stays_one_claim():
    # "she" is resolved to the senator a sentence back; the quote is split where "she said" stands
    text = ('Senator Maria Lopez spoke to farmers in Iowa on Monday. "I think the new fee is fair," she said, '
            '"because everyone pays the same."')
    assert ('I think the new fee is fair," she said, "because everyone pays the same', "Maria Lopez",
            "speech_ccomp") in claims(text)


def test_asked_by_someone_is_that_persons_question_and_the_main_subject_answers():
    c = claims("When asked by a reporter whether the plan had failed, Mayor Tom Baker said it had not.")
    assert ("whether the plan had failed", "a reporter", "speech_ccomp") in c
    assert ("it had not", "Tom Baker", "speech_ccomp") in c


def test_a_fronted_asked_tagged_as_a_past_tense_is_still_nobody_named_asking():
    c = claims('Asked what a firm commitment looks like, Devine replied: "We are a long way off from that."')
    assert ("what a firm commitment looks like", "UNNAMED", "speech_ccomp") in c


def test_coordinated_speakers_out_of_text_order_give_one_span_from_first_to_last():
    # the parser hangs the name on the first conjunct (an apposition), so the conjuncts' phrases
    # come out of order; the speaker must still be one well-formed span ending at the name
    text = "Real estate developer and radio host Tom Keller on Sunday tweeted a chart of false crime figures."
    speakers = [s.value.attrs["speaker"] for s in run(text)["claim"]]
    assert speakers and all(sp["start"] < sp["end"] for sp in speakers)
    assert any(text[sp["start"]:sp["end"]].endswith("Tom Keller") for sp in speakers)
