"""Each claim and stance rule on small sentences."""

from __future__ import annotations

import pytest

from test_suggest_common import claim_texts, run, stance_texts

pytestmark = pytest.mark.slow


def claims(text):
    return claim_texts(text, run(text))


def stances(text):
    return stance_texts(run(text))


def test_speech_verb_with_clausal_complement():
    c = claims("Officials in Kyiv said that the attack killed 12 people.")
    assert ("the attack killed 12 people", "Officials", "speech_ccomp") in c


def test_quote_before_speech_verb():
    text = 'Finance Minister Anna Berg spoke on Monday. "The budget is balanced," she said.'
    by = run(text)
    c = claim_texts(text, by)
    assert ("The budget is balanced", "Anna Berg", "speech_ccomp") in c
    claim = next(s for s in by["claim"] if s.rule == "speech_ccomp")
    assert claim.value.attrs["speaker_resolved_from"] == "she"
    assert claim.value.attrs["speaker"]["label"] == "PERSON"


def test_unresolved_pronoun_is_flagged_not_guessed():
    text = "He said the plan would fail."
    by = run(text)
    claim = by["claim"][0].value
    assert claim.attrs["speaker"] == "UNNAMED"
    assert claim.attrs["unresolved_pronoun"] is True
    assert claim.attrs["speaker_text"] == "He"
    assert claim.attrs["hedged"] is True  # "would"


def test_according_to():
    c = claims("Prices rose 3 percent in May, according to the statistics office.")
    assert ("Prices rose 3 percent in May", "the statistics office", "according_to") in c


def test_according_to_names_the_actor_behind_a_source_noun():
    c = claims("According to figures from Eurostat, the bloc exported 4 million tonnes of steel.")
    assert ("the bloc exported 4 million tonnes of steel", "Eurostat", "according_to") in c


def test_month_may_is_not_a_hedge():
    by = run("Prices rose 3 percent in May, according to the statistics office.")
    assert by["claim"][0].value.attrs["hedged"] is False


def test_passive_described_by_as_with_nested_source():
    text = "The treaty was described by Kim Jong Un as pivotal for peace, according to KCNA."
    by = run(text)
    c = claim_texts(text, by)
    assert c[0][1:] == ("Kim Jong Un", "describe_as")
    assert c[0][0].startswith("The treaty was described") and "KCNA" not in c[0][0]
    assert by["claim"][0].value.attrs["via_text"] == "KCNA"
    assert ("Kim Jong Un", "FAVOR", "The treaty", "describe_as") in stance_texts(by)


def test_accused_of_gives_claim_and_stance():
    text = "The court accused the company of hiding losses."
    c = claims(text)
    assert ("the company of hiding losses", "The court", "accuse_of") in c
    assert ("The court", "AGAINST", "the company", "verb") in stances(text)


def test_nominal_cue_accusations_from():
    text = ("Tensions rose amid accusations from the United States and South Korea that North Korea "
            "has sent troops to Russia.")
    by = run(text)
    c = claim_texts(text, by)
    assert ("North Korea has sent troops to Russia", "the United States and South Korea", "nominal_cue") in c
    st = stance_texts(by)
    assert ("the United States", "AGAINST", "North Korea", "noun") in st
    assert ("South Korea", "AGAINST", "North Korea", "noun") in st


def test_speech_act_with_noun_phrase_object():
    c = claims("Kim Jong Un reaffirmed North Korea's support for Russia.")
    assert ("North Korea's support for Russia", "Kim Jong Un", "speech_act_np") in c


def test_content_stops_before_the_authors_gloss():
    text = ("Analysts say that North Korea has sent 10,000 troops to Russia—an allegation that could "
            "redefine its role.")
    c = claims(text)
    assert c[0][0] == "North Korea has sent 10,000 troops to Russia"
    text = "Putin emphasized the treaty's significance, reflecting the Kremlin's reliance on allies."
    c = claims(text)
    assert c[0][0] == "the treaty's significance"


def test_headline_line_is_its_own_sentence_and_not_a_claim():
    text = "Details of the Treaty\nThe treaty was signed in June 2024 by 12 countries."
    by = run(text)
    c = claim_texts(text, by)
    assert len(c) == 1 and c[0][1] == "AUTHOR"
    assert c[0][0] == "The treaty was signed in June 2024 by 12 countries"


def test_author_claim_has_type_and_checkworthiness():
    text = "Consumer prices rose 2.3 percent in April. The future may bring better times."
    by = run(text)
    assert len(by["claim"]) == 1
    a = by["claim"][0].value.attrs
    assert a["speaker"] == "AUTHOR" and a["claim_type"] == "quantity" and a["checkworthy"] >= 0.5


def test_author_main_clause_before_attributed_relative_clause():
    text = "Last week, Andrei Belousov visited Pyongyang, where Kim Jong Un reaffirmed his support for Russia."
    c = claims(text)
    assert ("Last week, Andrei Belousov visited Pyongyang", "AUTHOR", "author") in c
    assert any(sp == "Kim Jong Un" for _, sp, _ in c)


# --- stances ----------------------------------------------------------------------------

def test_support_verb():
    assert ("Germany", "FAVOR", "the tariffs", "verb") in stances("Germany backed the tariffs.")


def test_passive_and_participle_invert_roles():
    st = stances("The ruling was welcomed by unions but criticized by employers.")
    assert ("unions", "FAVOR", "The ruling", "verb_passive") in st
    assert ("employers", "AGAINST", "The ruling", "verb_passive") in st
    st = stances("A treaty signed by Kim Jong Un and Vladimir Putin took effect.")
    assert ("Kim Jong Un", "FAVOR", "A treaty", "verb_passive") in st
    assert ("Vladimir Putin", "FAVOR", "A treaty", "verb_passive") in st


def test_negation():
    st = stances("Finance Minister Anna Berg spoke on Monday. She did not criticise the central bank.")
    assert ("Anna Berg", "NEUTRAL", "the central bank", "negated") in st
    st = stances("Prime Minister Nikol Pashinyan said Armenia will never accept the new border.")
    assert ("Armenia", "AGAINST", "the new border", "negated") in st


def test_control_verbs():
    st = stances("North Korea has sent troops to support Russia's war efforts.")
    assert ("North Korea", "FAVOR", "Russia", "control") in st
    st = stances("The German government refused to back the plan.")
    assert [x[1:] for x in st] == [("AGAINST", "the plan", "negated")]


def test_nominal_support_for():
    st = stances("Turkey voiced support for Azerbaijan.")
    assert ("Turkey", "FAVOR", "Azerbaijan", "noun") in st
    assert ("Russia", "AGAINST", "Ukraine", "noun") in stances("Russia's invasion of Ukraine began in 2022.")


def test_reaction_raised_alarm_in_with_aliases():
    text = "The treaty's activation has raised alarm in Washington and Seoul."
    by = run(text)
    st = stance_texts(by)
    assert ("Washington", "AGAINST", "The treaty", "reaction") in st
    assert ("Seoul", "AGAINST", "The treaty", "reaction") in st
    canon = {s.value.attrs["source_text"]: s.value.attrs["source_canonical"] for s in by["stance"]}
    assert canon == {"Washington": "united states", "Seoul": "south korea"}
    # the topic target exists as a span
    assert [text[t.value.start:t.value.end] for t in by["topic"]] == ["The treaty"]


def test_votes():
    assert ("Germany", "AGAINST", "the proposal", "vote") in stances("Germany voted against the proposal.")
    assert ("Spain", "FAVOR", "the motion", "vote") in stances("Spain voted for the motion.")


def test_in_defiance_of():
    st = stances("Russia and China held drills in defiance of Western pressure.")
    assert ("Russia", "AGAINST", "Western", "phrase") in st
    assert ("China", "AGAINST", "Western", "phrase") in st


def test_kremlin_and_pyongyang_aliases():
    by = run("The Kremlin praised Pyongyang.")
    s = by["stance"][0].value.attrs
    assert (s["source_canonical"], s["target_canonical"]) == ("russia", "north korea")


def test_entities_trim_possessive():
    text = "North Korea's leader met Putin."
    by = run(text)
    assert ("North Korea", "GPE") in [(text[e.value.start:e.value.end], e.value.label) for e in by["entity"]]
