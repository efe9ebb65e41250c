"""Tokenization for export formats: spaCy's rule-based English tokenizer, no model needed.

spaCy's tokenizer first cuts a text into runs of non-whitespace (a single space after one
becomes its last token's trailing whitespace) and of other whitespace, and tokenizes each run
on its own: prefixes, suffixes, infixes and URLs never reach across a run. :class:`Tokenizer`
does the cutting itself and asks spaCy only about runs it has not seen before (a corpus
repeats its words), keeping each run's tokens ready to be written as Prodigy JSON: the
tokens of ``spacy.blank("en").make_doc(text)``, several times faster than making a spaCy
``Doc`` and a dict per token.

One thing does reach across runs: spaCy's last step matches special cases (``''``, ``:)``,
``a.m.``) on the whole text, and a match spanning two runs that one space separates changes
nothing itself but can keep a special case inside a run from applying (``''quotes'' ''like
this''`` in news text does it). So each run also records what such a match would need after
it, and what it could supply; a text where two neighbouring runs fit together is tokenized by
spaCy whole. Tests compare the result with spaCy's on real and random text.

Learning a run is cheap where spaCy's rules say what it does without a call: ASCII letters or digits
alone are one token, and an ASCII word with one character after it that spaCy's suffix rules cut
off (``said,`` ``Trump.``) is two, each asked of spaCy's own rules and special cases. The rest go to
spaCy in one call per text, with a vocabulary that computes no lexical attributes, inside a memory
zone: spaCy forgets the words once their offsets are read, so memory is the capped run cache alone.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from itertools import accumulate, chain, compress
from json.encoder import encode_basestring
from operator import add, itemgetter, not_

from annotator.textsafe import json_text

RUNS = re.compile(r"\S+ ?|\s+")  # \s is str.isspace(), the test spaCy's tokenizer uses
MAX_CACHED_RUNS = 100_000  # runs kept ready (in two generations: a run unused for a generation is dropped)
_NONE: frozenset = frozenset()
_PLAIN_TAIL = '", "start": %d, "end": %d, "id": %d, "ws": false}, '
_PLAIN_TAIL_WS = '", "start": %d, "end": %d, "id": %d, "ws": true}, '
_TEMPLATE, _STEPS, _LENS, _WANTS = (itemgetter(i) for i in range(4))


@lru_cache(maxsize=1)
def blank_nlp():
    import spacy

    return spacy.blank("en")


@lru_cache(maxsize=1)
def bare_nlp():
    """``spacy.blank("en")`` whose vocabulary computes no lexical attributes (shape, norm, like_num...) for
    the words it meets: :class:`Tokenizer` keeps offsets and nothing else, the tokenizer never reads them,
    and computing them was most of what a new word cost."""
    import spacy

    nlp = spacy.blank("en")
    nlp.vocab.lex_attr_getters = {}
    return nlp


def json_string(text: str) -> str:
    """``json_text(text)`` for a string, quicker for plain ASCII (nothing there for it to escape beyond JSON's own)."""
    return encode_basestring(text) if text.isascii() and "\x7f" not in text else json_text(text)


def _template(text: str, space: bool) -> str:
    """A token's Prodigy JSON with %d for its start, end and id, and the ", " that follows it in a list."""
    return ('{"text": ' + json_string(text).replace("%", "%%") + ', "start": %d, "end": %d, "id": %d, "ws": '
            + ("true}, " if space else "false}, "))


@lru_cache(maxsize=1)
def special_cases() -> tuple[dict[str, frozenset], frozenset, dict[str, set], int, frozenset]:
    """What the run check needs to know about spaCy's special cases (those its last step looks for, the ones its
    affix rules would cut up): for each way to cut one into leading and trailing tokens, the leading text and
    every trailing text that completes it; all trailing texts; the tokens a special case makes out of several,
    with where the affix rules had cut them; the longest special case; and every special case's text."""
    from spacy.tokenizer import Tokenizer as SpacyTokenizer
    from spacy.vocab import Vocab

    tokenizer = bare_nlp().tokenizer
    plain = SpacyTokenizer(Vocab(lex_attr_getters={}), prefix_search=tokenizer.prefix_search,  # no special cases
                           suffix_search=tokenizer.suffix_search, infix_finditer=tokenizer.infix_finditer,
                           token_match=tokenizer.token_match, url_match=tokenizer.url_match,
                           faster_heuristics=tokenizer.faster_heuristics)
    splits: dict[str, set] = {}
    merged: dict[str, set] = {}
    for case, pieces in tokenizer.rules.items():
        if any(c.isspace() for c in case) or not (tokenizer.find_prefix(case) or tokenizer.find_suffix(case)
                                                  or tokenizer.find_infix(case)):
            continue
        words = [t.text for t in plain(case)]
        cuts = set(accumulate(map(len, words)))
        for cut in range(1, len(words)):
            splits.setdefault("".join(words[:cut]), set()).add("".join(words[cut:]))
        at = 0
        for piece in (str(piece.get(65, "")) for piece in pieces):  # 65: spaCy's ORTH
            inside = {c - at for c in cuts if at < c < at + len(piece)}
            if inside:
                merged.setdefault(piece, set()).update(inside)
            at += len(piece)
    frozen = {head: frozenset(rest) for head, rest in splits.items()}
    longest = max((len(h) for h in splits), default=0) + max((len(r) for rs in splits.values() for r in rs), default=0)
    return frozen, frozenset().union(*frozen.values()), merged, longest, frozenset(tokenizer.rules)


class Tokens:
    """A text's tokens: :meth:`json` writes them, :meth:`bounds` maps a character span to them.

    Tokens cover the text end to end but for single spaces after some of them, so each token's start is
    the sum of the lengths (plus trailing space) of those before it: everything here is computed by
    Python's C-level iteration tools, nothing per token in Python code."""

    __slots__ = ("starts", "ends", "entries")

    def __init__(self, entries: list[tuple]):
        self.entries = entries
        self.starts = list(accumulate(chain.from_iterable(map(_STEPS, entries)), initial=0))
        self.starts.pop()
        self.ends = list(map(add, self.starts, chain.from_iterable(map(_LENS, entries))))

    def __len__(self) -> int:
        return len(self.starts)

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """(token_start, token_end) of a character span; token_end is inclusive, as in Prodigy.

        The tokens the span overlaps; a span inside whitespace points at the next token (else the last)."""
        first = bisect_right(self.ends, start)  # the first token ending after start
        last = bisect_left(self.starts, end) - 1  # the last token starting before end
        if first <= last:
            return first, last
        after = bisect_left(self.starts, start)
        if after < len(self.starts):
            return after, after
        last_id = max(len(self.starts) - 1, 0)
        return last_id, last_id

    def dicts(self, text: str) -> list[dict]:
        """Prodigy-style tokens: text, start, end, id, ws."""
        steps = chain.from_iterable(map(_STEPS, self.entries))
        return [{"text": text[s:e], "start": s, "end": e, "id": i, "ws": step > e - s}
                for i, (s, e, step) in enumerate(zip(self.starts, self.ends, steps))]

    def json(self) -> str:
        """``annotator.textsafe.json_text(self.dicts(text))``, written directly."""
        template = "".join(map(_TEMPLATE, self.entries))
        return ("[" + template[:-2] + "]") % tuple(chain.from_iterable(zip(self.starts, self.ends,
                                                                            range(len(self.starts)))))


class Tokenizer:
    """spaCy's English tokenization, run by run, each distinct run tokenized by spaCy once (see the module doc)."""

    def __init__(self, max_runs: int = MAX_CACHED_RUNS):
        self.max_runs = max_runs
        self.nlp = None
        self.cache: dict[str, tuple] = {}  # this generation's runs
        self.old: dict[str, tuple] = {}  # the last generation's; a run met again moves to this one

    def ready(self) -> Tokenizer:
        """Load spaCy and its rules now (the first text would): an export does it before it opens its output,
        so that a signal during the slow import finds no half-written file to clean up."""
        if self.nlp is None:
            self._start()
        return self

    def _start(self) -> None:
        self.nlp = bare_nlp()
        self.splits, self.rests, self.merged, self.longest, self.rules = special_cases()
        spacy_tokenizer = self.nlp.tokenizer
        self.find_prefix, self.find_suffix = spacy_tokenizer.find_prefix, spacy_tokenizer.find_suffix
        self.plain_suffixes = spacy_tokenizer.token_match is None  # else every string is first asked about

    def _entry(self, run: str, tokens: list[tuple[int, str, bool]]) -> tuple:
        """One run, ready for :class:`Tokens`, from its (offset, text, trailing space) tokens: (its tokens' JSON
        templates; each token's length plus its trailing space; each token's length; what a special case could
        need right after the run, or None; how the run could end what the run before began, or None for
        whitespace; beginnings of what it could need that a whole run could be; the first characters of what it
        could need)."""
        template = "".join(_template(text, space) for _, text, space in tokens)
        lengths = tuple(len(text) for _, text, _ in tokens)
        steps = tuple(n + space for n, (_, _, space) in zip(lengths, tokens))
        wants, heads = None, None
        word = run.rstrip(" ")
        if len(tokens) == 1 and tokens[0][1] == word and word not in self.merged:  # one token, the whole run
            if run.endswith(" "):
                wants = self.splits.get(word)
            heads = _NONE if word not in self.rests or len(word) > self.longest else frozenset((word,))
        elif not run[0].isspace():
            cuts = set()
            for at, text, _ in tokens:
                cuts.update((at, at + len(text)))
                # where spaCy's affix rules may have cut a token that a special case then made whole
                cuts.update(at + c for c in self.merged.get(text, ()))
            n, longest = len(word), self.longest
            if run.endswith(" "):
                wants = frozenset().union(*(self.splits.get(word[c:], ()) for c in cuts if 0 < n - c < longest))
            heads = frozenset(word[:c] for c in cuts if 0 < c <= min(n, longest)) & self.rests or _NONE
        inside = frozenset(w[:c] for w in wants or () for c in range(1, len(w))) or _NONE
        return template, steps, lengths, wants or None, heads, inside, "".join({w[0] for w in wants or ()})

    def _word_entry(self, run: str, word: str) -> tuple:
        """``_entry(run, [(0, word, word != run)])`` for a run that is one token of ASCII letters or digits
        (nothing in it to escape or to take for a %), quicker when no special case begins or ends with it."""
        if word in self.splits or word in self.rests or word in self.merged:
            return self._entry(run, [(0, word, word != run)])
        space = word != run
        return ('{"text": "' + word + (_PLAIN_TAIL_WS if space else _PLAIN_TAIL), (len(word) + space,), (len(word),),
                None, _NONE, _NONE, "")

    def _word_and_suffix(self, run: str) -> bool:
        """Whether spaCy cuts a run into an ASCII word and one character after it (``said,`` ``Trump.``):
        asked of spaCy's own affix rules. Its tokenizer strips a prefix or suffix at a time unless the
        string left is a special case; here no prefix, a one-character suffix, and the word left, letters
        alone and no special case, is one token as above (a test holds this against spaCy)."""
        word, last = run[:-1], run[-1:]
        return (word.isascii() and word.isalpha() and not last.isalnum() and self.plain_suffixes
                and run not in self.rules and word not in self.rules and last not in self.rules
                and not self.find_prefix(run) and self.find_suffix(run) == 1)

    def _learn(self, runs: dict[str, None]) -> dict[str, tuple]:
        """Entries for runs not in this generation's cache: from the last generation, else from spaCy, which
        tokenizes all the new non-space runs of a text in one go, a newline between each two (a whitespace
        token keeps any special case from matching across them)."""
        found = {}
        for run in runs:
            entry = self.old.pop(run, None)
            if entry is not None:
                found[run] = self.cache[run] = entry
        new = [run for run in runs if run not in found]
        for run in new:
            word = run.rstrip(" ")
            if word.isascii() and (word.isalpha() or word.isdigit()) and word not in self.rules:
                # ASCII letters alone, or digits alone: no affix, infix or URL rule of spaCy's English cuts
                # those, so they are one token (a test holds this against spaCy)
                found[run] = self.cache[run] = self._word_entry(run, word)
            elif self._word_and_suffix(word):
                found[run] = self.cache[run] = self._entry(run, [(0, word[:-1], False), (len(word) - 1, word[-1],
                                                                                       word != run)])
        new = [run for run in new if run not in found]
        if len(self.cache) + len(new) > self.max_runs // 2:
            # a new generation: runs met only in the last one stop taking memory
            self.old, self.cache = self.cache, {}
        words = [run for run in new if not run[0].isspace()]
        tokens: dict[str, list] = {run: [] for run in words}
        joined = "\n".join(words)
        k, at, end = 0, 0, len(words[0].rstrip(" ")) if words else 0
        for idx, length, space in self._tokens(joined) if words else ():
            while k < len(words) and idx >= end:  # past run k's text: a separator, or the next run
                at += len(words[k]) + 1
                k += 1
                end = at + len(words[k].rstrip(" ")) if k < len(words) else 0
            if k < len(words) and at <= idx and idx + length <= end:
                tokens[words[k]].append((idx - at, joined[idx:idx + length], bool(space)))
            elif joined[idx:idx + length] != "\n":  # spaCy joined across runs after all: ask about each alone
                tokens = {run: [] for run in words}
                break
        for run in new:
            got = tokens.get(run) or [(idx, run[idx:idx + length], bool(space)) for idx, length, space in self._tokens(run)]
            found[run] = self.cache[run] = self._entry(run, got)
        return found

    def _tokens(self, text: str) -> list[list[int]]:
        """spaCy's tokens of a text: [offset, length, trailing space] each, read in bulk."""
        from spacy.attrs import IDX, LENGTH, SPACY

        with self.nlp.memory_zone():  # spaCy forgets the words as soon as they are read: memory stays flat
            doc = self.nlp.make_doc(text)
            return doc.to_array([IDX, LENGTH, SPACY]).tolist() if len(doc) else []

    def __call__(self, text: str) -> Tokens:
        if self.nlp is None:
            self.ready()
        runs = RUNS.findall(text)
        entries = [*map(self.cache.get, runs)]
        if None in entries:
            learned = self._learn(dict.fromkeys(compress(runs, map(not_, entries))))
            entries = [*map(learned.get, runs, entries)]  # learned[run], else the entry found
        if any(map(_WANTS, entries)) and self._spanning(runs, entries):
            return self._whole(text)
        return Tokens(entries)

    @classmethod
    def _spanning(cls, runs: list[str], entries: list[tuple]) -> bool:
        """Whether a special case could match across runs that one space separates."""
        for k in compress(range(len(runs) - 1), map(_WANTS, entries)):
            entry = entries[k]
            if runs[k + 1][0] in entry[6] and cls._joins(entry[3], entry[5], runs, entries, k + 1):
                return True
        return False

    @classmethod
    def _joins(cls, wants: frozenset, inside: frozenset, runs: list[str], entries: list[tuple], k: int) -> bool:
        """Whether run k begins with what a special case still ``wants`` (or lies ``inside`` it and the next run
        continues it)."""
        heads = entries[k][4]
        if heads is None:  # whitespace: a special case never holds it
            return False
        if wants & heads:
            return True
        word = runs[k].rstrip(" ")
        if word not in inside or not runs[k].endswith(" ") or k + 1 >= len(runs):
            return False
        rest = frozenset(w[len(word):] for w in wants if len(w) > len(word) and w.startswith(word))
        return cls._joins(rest, frozenset(w[:c] for w in rest for c in range(1, len(w))), runs, entries, k + 1)

    def _whole(self, text: str) -> Tokens:
        """The text tokenized by spaCy in one go, one entry per token."""
        return Tokens([(_template(text[idx:idx + n], bool(space)), (n + space,), (n,))
                       for idx, n, space in self._tokens(text)])


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    return Tokenizer()
