"""Export tokens: the run-by-run tokenizer gives exactly spaCy's tokens, and Prodigy lines are unchanged."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotator.formats import prodigy
from annotator.formats.files import dump_json
from annotator.formats.tokens import Tokenizer
from annotator.model import Document, Span, SpanRef, Stance
from tests.conftest import FIXTURES, SHARED

ROOT = Path(__file__).resolve().parent.parent
NLP = spacy.blank("en")


def reference(text: str) -> list[dict]:
    """What export wrote before: a dict per token of spaCy's own tokenizer."""
    return [{"text": t.text, "start": t.idx, "end": t.idx + len(t.text), "id": t.i, "ws": bool(t.whitespace_)}
            for t in NLP.make_doc(text)]


def reference_bounds(tokens: list[dict], start: int, end: int) -> tuple[int, int]:
    """The token span of a character span as export computed it before (scan every token)."""
    hit = [t["id"] for t in tokens if t["end"] > start and t["start"] < end]
    if hit:
        return hit[0], hit[-1]
    after = [t["id"] for t in tokens if t["start"] >= start]
    first = after[0] if after else (tokens[-1]["id"] if tokens else 0)
    return first, first


def same_as_spacy(tok: Tokenizer, text: str, spans: int = 40) -> None:
    got, want = tok(text), reference(text)
    assert got.dicts(text) == want
    assert got.json() == dump_json(want)
    assert len(got) == len(want)
    for start in range(0, len(text) + 1, max(1, len(text) // spans)):
        for end in (start + 1, start + 7, start + 60):
            if end <= len(text):
                assert got.bounds(start, end) == reference_bounds(want, start, end), (start, end)


def real_texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "data" / "gold").glob("*.txt"))]
    texts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "tests" / "hostile").glob("*.txt"))
              if p.name != "latin1.txt"]
    for path in sorted(FIXTURES.glob("*/*.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    polnear = SHARED / "corpora" / "polnear"
    texts += [p.read_text(encoding="utf-8") for p in sorted(polnear.glob("*/*.txt"))]
    return texts


def test_real_news_gets_spacys_tokens_including_quotes_that_reach_across_runs():
    texts = real_texts()
    if len(texts) < 100:
        pytest.skip("../shared is absent: only the gold articles to compare")
    tok = Tokenizer()
    for i, text in enumerate(texts):
        same_as_spacy(tok, text, spans=10 if i % 20 else 40)
    # PolNeAR writes ''quotes'' ''like this'': spaCy's special-case step reaches across the space there
    text = "crimes against humanity,'' ''genocide'' and"
    assert [t["text"] for t in tok(text).dicts(text)] == [t["text"] for t in reference(text)]
    assert "'" in [t["text"] for t in reference(text)]  # the case that needs the whole text


PIECES = ["a", "b", "Mr", "Mr.", "U.S.", "don't", "can", "not", "it's", "''", "'", "\"", "(", ")", ":", ")", "-",
          ".", ",", "a.m.", "p.m", "e.g.", "'s", "’s", "’", "s", "she", "he", "'em", ":)", "(:", "<3", "3", "1",
          "http://x.org/a?b=1", "x@y.com", "😀", "👩‍👩‍👧", "e\u0301", "김정은", "\u00a0", "\t", "\r\n", "\n",
          "\u2028", "\x1b", "$", "10,000", "%", "%d", "--", "...", "…", "«", "»", "&", "/", "o.O", "8)", ";)"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(["", " ", " ", "  ", "\n", " \n "])),
                max_size=30))
def test_random_text_gets_spacys_tokens(parts):
    text = "".join(a + b for a, b in parts)
    same_as_spacy(Tokenizer(max_runs=50), text)  # a small cache: generations come and go on the way


@settings(max_examples=100, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_any_text_gets_spacys_tokens(text):
    same_as_spacy(Tokenizer(), text)


def test_the_cache_stays_bounded_and_the_result_does_not_change():
    tok = Tokenizer(max_runs=40)
    texts = [f"Report {i}: officials said ''it's {i * 7}'' (Reuters) - Mr. Kim's a.m. talks." for i in range(120)]
    for text in texts:
        same_as_spacy(tok, text)
        assert len(tok.cache) + len(tok.old) <= 40 + 30  # one text's new runs may land past the limit


def test_a_prodigy_line_is_the_task_as_json():
    text = "Angela Merkel said Germany would back the treaty. ''Moscow'' condemned NATO\u2028on Monday %d."
    values = [Span(0, 13, "PERSON"), Span(19, 26, "GPE"),
              Span(0, 49, "CLAIM", "claim", {"speaker": {"start": 0, "end": 13, "label": "PERSON"}}),
              Stance(SpanRef(19, 26, "GPE"), SpanRef(38, 48), "FAVOR", SpanRef(0, 49)),
              Stance(SpanRef(52, 58), SpanRef(69, 73, "ORG"), "AGAINST", None, {"relation": "relation"})]
    doc = Document.from_text(text, {"source": "x\x1b.jsonl", "n": 1})
    for status in (None, "done", "skipped"):
        task = prodigy.to_task(doc, values, "alice", status)
        line = prodigy.task_line(doc, values, "alice", status)
        assert line == dump_json(task)
        assert task["tokens"] == reference(text)
        assert "\u2028" not in line and "\x1b" not in line
        assert json.loads(line) == task


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=12),
                 st.text(alphabet="0123456789", min_size=1, max_size=8),
                 st.sampled_from(["s", "em", "re", "ll", "t", "d", "m", "ve", "Mr", "a", "m", "e", "g", "o", "O",
                                  "n", "nt", "gon", "na", "can", "not", "don", "i", "I", "x"])),
       st.booleans())
def test_a_plain_word_is_entered_as_the_general_rule_would(word, space):
    """The quick entry of an ASCII word or number is the general one, also for words a special case begins
    or ends with (those take the general way)."""
    tok = Tokenizer()
    tok("warm up")
    run = word + " " * space
    assert tok._word_entry(run, word) == tok._entry(run, [(0, word, space)])


def test_spacy_forgets_the_words_it_was_asked_about():
    """Memory stays flat however many new words a corpus brings: spaCy's vocabulary does not grow."""
    tok = Tokenizer()
    tok("warm up.")
    strings = len(tok.nlp.vocab.strings)
    for i in range(300):
        text = f"Word{i}x, ({i}-th) qu{i}ux. e{i}@x.org"
        assert tok(text).dicts(text) == reference(text)
    assert len(tok.nlp.vocab.strings) == strings


WORDS = st.one_of(st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10),
                  st.sampled_from(["Mr", "Mrs", "U", "S", "e", "g", "a", "m", "p", "km", "cannot", "gonna", "Jan",
                                   "Sept", "Inc", "Corp", "vs", "etc", "Dr", "St", "Mt", "Calif", "GOP", "i", "I"]))
SUFFIXES = st.sampled_from(list("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~") + list("“”‘’…—–«»¿¡%°·。，"))


@settings(max_examples=400, deadline=None)
@given(WORDS, SUFFIXES, st.booleans())
def test_a_word_and_the_character_spacy_cuts_off_after_it_are_spacys_tokens(word, last, space):
    """The quick way for ``said,`` ``Trump.`` (no spaCy call) gives spaCy's tokens, alone and in a text."""
    tok = Tokenizer()
    run = word + last
    for text in (run + " " * space, f"He said {run}{' ' * space}and left.", f"''{run} ''x'' {run}"):
        same_as_spacy(tok, text)
    if tok._word_and_suffix(run):
        assert [t.text for t in NLP.make_doc(run)] == [word, last]


def test_the_quick_way_is_taken_for_the_usual_cases():
    tok = Tokenizer()
    tok("warm up")
    assert all(map(tok._word_and_suffix, ["said,", "Trump.", "it?", "no!", "this:", "else;", "word)"]))
    assert not any(map(tok._word_and_suffix, ["Mr.", "U.", "e.g.", "cannot,", "said", "3,", "é,", ",,", ",", ""]))
