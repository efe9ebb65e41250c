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
    # the pronoun itself is the speaker, flagged: nobody is guessed
    assert claim.attrs["speaker"] == {"start": 0, "end": 2, "label": ""}
    assert claim.attrs["unresolved_pronoun"] is True
    assert claim.attrs["speaker_text"] == "He" and "speaker_resolved_from" not in claim.attrs
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
    assert ("North Korea's support for Russia", "Kim Jong Un", "speech_act") in c


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


# --- issue 12: attribution beyond "said" ---------------------------------------------------

def test_dateline_is_never_the_speaker_or_a_stance_source():
    text = "OSLO (Reuters) — The regulator sued the airline on Monday, accusing it of hiding fees."
    c = claims(text)
    assert ("the airline on Monday, accusing it of hiding fees", "AUTHOR", "author") not in c
    assert all(sp != "OSLO" for _, sp, _ in c)
    assert ("it of hiding fees", "The regulator", "accuse_of") in c
    st = stances(text)
    assert ("The regulator", "AGAINST", "the airline", "verb") in st and all(s[0] != "OSLO" for s in st)


def test_denial_is_a_claim_and_not_a_stance():
    text = "The militia denied shelling the market and blamed the army for the blast."
    assert ("shelling the market", "The militia", "speech_act") in claims(text)
    assert ("the army for the blast", "The militia", "accuse_of") in claims(text)
    st = stances(text)
    assert ("The militia", "AGAINST", "the army", "control") in st or ("The militia", "AGAINST", "the army", "verb") in st
    assert not [s for s in st if s[2] == "the market"]  # what is denied is no stance


@pytest.mark.parametrize("verb, polarity", [("welcomed", "FAVOR"), ("condemned", "AGAINST"),
                                             ("criticised", "AGAINST"), ("praised", "FAVOR")])
def test_speech_acts_are_claims_of_their_subject(verb, polarity):
    text = f"The teachers' union {verb} the verdict."
    assert claims(text) == [("the verdict", "The teachers' union", "speech_act")]
    assert [s[1:3] for s in stances(text)] == [(polarity, "the verdict")]


def test_concession_and_what_official_results_showed():
    text = "Governor Ines Ortega conceded defeat on Sunday night after official results showed her rival winning 58 percent."
    c = [x[:2] for x in claims(text)]
    assert ("defeat", "Ines Ortega") in c and ("her rival winning 58 percent", "official results") in c


def test_told_reporters_and_in_a_statement():
    text = '"We will appeal," the coach told reporters. In a statement, the league said the ban would stand.'
    c = claims(text)
    assert ("We will appeal", "the coach", "speech_ccomp") in c
    assert ("the ban would stand", "the league", "speech_ccomp") in c


def test_quote_over_two_sentences_is_one_claim():
    text = ('Finance Minister Anna Berg spoke on Monday. "The budget is balanced," she said. '
            '"Next year we will cut taxes for every family."')
    by = run(text)
    c = claim_texts(text, by)
    assert ("The budget is balanced,\" she said. \"Next year we will cut taxes for every family", "Anna Berg",
            "speech_ccomp") in c
    frags = next(s.value for s in by["claim"] if s.rule == "speech_ccomp").attrs["fragments"]
    assert [text[a:b] for a, b in frags] == ["The budget is balanced,", "Next year we will cut taxes for every family."]


def test_quote_after_the_attribution_goes_on_in_the_next_sentence():
    text = 'Mayor Eva Lind said: "The bridge is safe. It will reopen on Friday."\nTraffic resumed.'
    assert claims(text)[0][:2] == ("The bridge is safe. It will reopen on Friday", "Eva Lind")


def test_a_quote_with_its_own_attribution_is_not_merged():
    text = '"Prices will fall," the minister said. "They will not," an economist replied.'
    assert claims(text)[0] == ("Prices will fall", "the minister", "speech_ccomp")


def test_pronoun_and_role_speakers_get_their_antecedent():
    text = "A senior judge in Lyon suspended the order. She said the police had acted unlawfully."
    by = run(text)
    claim = next(s.value for s in by["claim"] if s.rule == "speech_ccomp")
    assert claim.attrs["speaker_text"] == "A senior judge" and claim.attrs["speaker_resolved_from"] == "She"
    text = "Orbis Logistics cut 400 jobs in March. The company said demand had collapsed."
    claim = next(s.value for s in run(text)["claim"] if s.rule == "speech_ccomp")
    assert claim.attrs["speaker_text"] == "Orbis Logistics" and claim.attrs["speaker_resolved_from"] == "The company"


def test_nested_attribution_keeps_both_claims():
    c = claims("Aides said the governor feared a recount would delay the result.")
    assert ("the governor feared a recount would delay the result", "Aides", "speech_ccomp") in c
    assert ("a recount would delay the result", "the governor", "speech_ccomp") in c


def test_headline_name_colon_statement():
    text = "Mayor Lopez: The Bridge Will Reopen in May\nThe city council approved the repairs on Tuesday."
    assert ("The Bridge Will Reopen in May", "Mayor Lopez", "speech_colon") in claims(text)


# --- issue 12: stance recall ---------------------------------------------------------------

def test_votes_in_favour_and_against_without_an_object():
    st = stances("The assembly adopted a resolution, with 90 countries voting in favour. Chile voted against.")
    assert ("90 countries", "FAVOR", "a resolution", "vote") in st
    assert ("Chile", "AGAINST", "a resolution", "vote") in st
    st = stances("Eight states voted in favour of the quotas, while Norway voted against them.")
    assert ("Eight states", "FAVOR", "the quotas", "vote") in st and ("Norway", "AGAINST", "the quotas", "vote") in st


def test_directives_urged_to_stop_ordered_to_halt_called_for():
    st = stances("Berlin urged Belgrade to stop arming the militias.")
    assert ("Berlin", "AGAINST", "Belgrade", "directive") in st and ("Berlin", "AGAINST", "the militias", "directive") in st
    assert not [s for s in st if s[1] == "FAVOR"]  # the arming is not Berlin's
    st = stances("The council ordered the mill to halt the dumping of waste.")
    assert ("The council", "AGAINST", "the mill", "directive") in st
    assert ("The council", "AGAINST", "the dumping", "directive") in st
    assert stances("Rights groups called for an inquiry.") == [("Rights groups", "FAVOR", "an inquiry", "directive")]


def test_withdrawing_from_an_agreement_but_not_from_a_place():
    assert stances("Peru withdrew from the fishing pact.") == [("Peru", "AGAINST", "the fishing pact", "withdraw")]
    assert stances("Government troops withdrew from the border towns.") == []


def test_reported_stance_is_the_reported_holders():
    st = stances("Analysts said the central bank opposes a rate cut.")
    assert [s[:3] for s in st] == [("the central bank", "AGAINST", "a rate cut")]


def test_blame_on_an_actor_and_an_assault_on_a_place():
    st = stances("The mayor blamed the flooding on the water company.")
    assert [s[:3] for s in st] == [("The mayor", "AGAINST", "the water company")]
    st = stances("Residents fled ahead of a rebel assault on the airport.")
    assert ("rebel", "AGAINST", "the airport", "noun") in st


# --- issue 12: entities never worse than raw spaCy ------------------------------------------

def test_percent_keeps_its_sign():
    text = "Rates rose to 3.75% in May."
    by = run(text)
    assert ("3.75%", "PERCENT") in [(text[e.value.start:e.value.end], e.value.label) for e in by["entity"]]


def test_a_headline_mistake_does_not_turn_a_country_into_a_person():
    text = ("World Court Orders Israel to Halt Rafah Offensive\n"
            "The International Court of Justice ordered Israel on Friday to halt its offensive. Israel rejected the ruling.")
    labels = {(text[e.value.start:e.value.end], e.value.label) for e in run(text)["entity"]}
    assert ("Israel", "GPE") in labels and ("Israel", "PERSON") not in labels


def test_surname_of_a_person_named_in_full_is_still_that_person():
    text = "Opposition candidate Elena Marquez won the vote. Marquez thanked her supporters."
    labels = [(text[e.value.start:e.value.end], e.value.label) for e in run(text)["entity"]]
    assert ("Marquez", "PERSON") in labels and ("Elena Marquez", "PERSON") in labels


# --- attribution beyond reported speech (issue 12, PolNeAR recall) ---------------------------------

def test_parenthetical_cue_inside_the_clause():
    text = "The mayor spoke on Friday. The permit, her office said, had been hard to get."
    c = claims(text)
    assert ("The permit, her office said, had been hard to get", "her office", "speech_parataxis") in c


def test_doubled_apostrophe_quote_opens_the_next_sentence():
    from test_suggest_common import shared_pipeline

    nlp, _ = shared_pipeline()
    text = "''The harbour is too shallow,'' Nora Quist said. ''Nobody can dredge it in time.'' She left."
    assert [s.text for s in nlp(text).sents] == [
        "''The harbour is too shallow,'' Nora Quist said.", "''Nobody can dredge it in time.''", "She left."]
    c = claims(text)
    assert ("The harbour is too shallow,'' Nora Quist said. ''Nobody can dredge it in time", "Nora Quist",
            "speech_ccomp") in c


def test_quote_widening_stays_in_its_paragraph_and_needs_the_content_to_be_quoted():
    text = ('The council met on Monday. "We will not pay for it."\n\n'
            'Mayor Ana Ruiz said the budget was "balanced". "The voters decided," she said.')
    c = claims(text)
    # the quote that ends the paragraph before is not the mayor's, and a quoted word inside the
    # content does not make the next sentence's quote part of it
    assert ('the budget was "balanced"', "Mayor Ana Ruiz", "speech_ccomp") in c


def test_straight_quote_marks_are_read_by_the_side_they_are_glued_to():
    from annotator.suggest.quotes import find_quotes
    from test_suggest_common import shared_pipeline

    nlp, _ = shared_pipeline()
    # a stray closing mark (a typo) does not turn every later quote inside out
    doc = nlp('The bill passed." Critics objected. "It is a giveaway," said Tom Reyes.')
    quotes = [doc[q.start:q.end].text for q in find_quotes(doc)]
    assert quotes == ["It is a giveaway,"]


def test_quantities_speak_for_their_group():
    c = claims("In the survey of 900 farmers, most said the drought had cut their harvest.")
    assert ("the drought had cut their harvest", "most", "speech_ccomp") in c
    c = claims("One in four farmers in the survey said the subsidy came too late.")
    assert ("the subsidy came too late", "One in four farmers in the survey", "speech_ccomp") in c


def test_a_quote_mark_glued_to_the_next_word_never_lets_that_word_start_a_sentence():
    from annotator.suggest.pipeline import newline_sentences
    from test_suggest_common import shared_pipeline

    nlp, _ = shared_pipeline()
    text = "Reyes went on:\n\n\u201cThe questions were unfair.\u201d She said the \u201cpanel\u201d had erred."
    with nlp.select_pipes(enable=["tok2vec", "tagger"]):
        doc = nlp(text)
    newline_sentences(doc)  # before the parser: the mark opens the sentence, the words glued to marks never do
    starts = {t.text: t.is_sent_start for t in doc if t.text in ("The", "panel")}
    assert starts == {"The": False, "panel": False}
    assert [s.text for s in nlp(text).sents][1] == "\u201cThe questions were unfair.\u201d"


def test_relative_pronoun_speaker_keeps_who_as_its_mention():
    text = "The bridge was inspected by Tom Leenders, who estimated that the repairs would cost $4 million."
    claim = next(s for s in run(text)["claim"] if s.rule == "speech_ccomp").value
    assert text[claim.start:claim.end] == "the repairs would cost $4 million"
    assert claim.attrs["speaker_text"] == "Tom Leenders" and claim.attrs["speaker_resolved_from"] == "who"


def test_a_cue_inside_a_quote_is_the_quoted_speakers_wording_not_a_claim_of_its_own():
    # "my sister has explained" is part of what the quote says, not a new attribution (in real
    # news corpora such as PolNeAR, attributions inside a direct quote are not annotated)
    text = '"Frankly, my sister has explained that she cannot come, and we respect that." The hall fell silent.'
    assert not any(speaker == "my sister" for _, speaker, _ in claims(text))
    text = '"The minister told us the plant would close," said Ana Ruiz, a union steward.'
    assert claims(text) == [("The minister told us the plant would close", "Ana Ruiz", "speech_ccomp")]


def test_a_quote_beside_an_attribution_with_no_clause_of_its_own():
    c = claims('The rally was quiet. "Not even one," he said.')
    assert ("Not even one", "he", "speech_quote") in c
    c = claims('The rally ended late. "We will win in November." Tanner said.')
    assert ("We will win in November", "Tanner", "speech_quote") in c
    c = claims('Asked about the budget, Mayor Ana Ruiz said, "Sure. We will cut it. Everybody knows that."')
    assert ("Sure. We will cut it. Everybody knows that", "Mayor Ana Ruiz", "speech_quote") in c


def test_by_saying_speaks_for_the_main_verbs_subject_and_who_speaks_for_those():
    c = claims("Dora Finch distanced herself from the vote by saying she had never seen the text.")
    assert ("she had never seen the text", "Dora Finch", "speech_ccomp") in c
    c = claims("Among those who said they cared most about the economy, most backed Reyes.")
    assert ("they cared most about the economy", "who", "speech_ccomp") in c


def test_a_quote_is_not_the_content_of_a_verb_with_an_object():
    c = claims('Hailing the deal as a "fresh start," Mayor Ruiz stressed its cost on Friday.')
    assert not any(rule == "speech_quote" for _, _, rule in c)


def test_called_for_someone_to_act():
    c = claims("Ruiz is calling for the county to take a stronger role in the dispute.")
    assert ("the county to take a stronger role in the dispute", "Ruiz", "speech_act") in c
    assert ("an inquiry", "Rights groups", "speech_act") in claims("Rights groups called for an inquiry.")


def test_a_belief_echoing_its_speakers_words_is_one_claim_and_a_question_is_none():
    c = claims("Mayor Dayton told reporters that he thinks Ruiz would win the runoff.")
    assert c == [("he thinks Ruiz would win the runoff", "Dayton", "speech_ccomp")]
    assert claims("Do you think the mayor can win the runoff?") == []


def test_when_asked_the_asker_is_nobody_named():
    c = claims('"We will see," Ruiz said when asked whether she would run again.')
    assert ("whether she would run again", "UNNAMED", "speech_ccomp") in c
    assert ("We will see", "Ruiz", "speech_ccomp") in c


def test_a_line_name_colon_statement_is_that_speakers_over_several_sentences():
    text = ("HOST: Do you think the levy will pass?\n\nDORSEY: I doubt it. Nobody wants to pay more.\n\n"
            "Farmers union: Levy Would Ruin Small Growers\n\nNote: This story was updated.")
    c = claims(text)
    assert ("Do you think the levy will pass", "HOST", "speech_colon") in c
    assert ("I doubt it. Nobody wants to pay more", "DORSEY", "speech_colon") in c
    assert ("Levy Would Ruin Small Growers", "Farmers union", "speech_colon") in c
    assert not any(speaker == "Note" for _, speaker, _ in c)


def test_asking_and_telling_someone_what_to_do_or_whether():
    # what is asked is the question; the students are whom it was asked, as reporters are whom one tells
    assert ("if they were always so serious", "Rubin", "speech_ccomp") in claims(
        "Then Rubin asked the students if they were always so serious.")
    assert ("residents not to drink the water", "Officials", "speech_act") in claims(
        "Officials have told residents not to drink the water.")
    assert ("them not to stage protests inside the hall", "Ruiz", "speech_act") in claims(
        "Ruiz sent a text to her supporters, asking them not to stage protests inside the hall.")
    assert claims("Ruiz told reporters on Monday.") == []


def test_what_a_source_shows_but_not_what_a_person_shows_or_a_passive_expects():
    assert ("Ruiz with 47 percent of the vote", "A county poll", "speech_act") in claims(
        "A county poll shows Ruiz with 47 percent of the vote.")
    assert claims("Ruiz showed respect to the council.") == []
    c = claims("Courted by both parties and widely expected to be the top donor, Finch said little.")
    assert not any(rule == "speech_act" for _, _, rule in c)


def test_beliefs_nobody_holds_here_are_no_claims():
    text = "HOST: Will it pass?\n\nDORSEY: I think the levy will pass. I think voters want it."
    assert claims(text) == [("Will it pass", "HOST", "speech_colon"),
                            ("I think the levy will pass. I think voters want it", "DORSEY", "speech_colon")]
    assert claims("For anybody who thinks the levy is popular, the poll is a warning.") == []
    assert claims("Voters want to believe that wages can rise.") == []


def test_finding_needs_a_finding():
    assert ("the county had overspent by $2 million", "An audit", "speech_ccomp") in claims(
        "An audit found that the county had overspent by $2 million.")
    assert claims("The party finds itself divided over the levy.") == []


def test_content_stops_before_the_authors_contrast():
    c = claims("Ruiz argued that the levy was unfair, while her rival has soared in the polls by defending it.")
    assert ("the levy was unfair", "Ruiz", "speech_ccomp") in c


def test_accused_of_v_ing_is_not_the_accusers_own_act():
    s = stances("The army accused the rebels on Tuesday of shelling a displacement camp.")
    assert not any(src == "The army" and tgt == "a displacement camp" for src, _, tgt, _ in s)
