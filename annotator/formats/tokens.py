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
"""

from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache
from itertools import accumulate, compress
from operator import add, itemgetter

from annotator.textsafe import json_text

RUNS = re.compile(r"\S+ ?|\s+")  # \s is str.isspace(), the test spaCy's tokenizer uses
MAX_CACHED_RUNS = 100_000  # runs kept ready (in two generations: a run unused for a generation is dropped)
_WANTS = itemgetter(5)
_NONE: frozenset = frozenset()
_ONE_SPACE = {False: (False,), True: (True,)}  # the trailing-space flags of a one-token run, shared


@lru_cache(maxsize=1)
def blank_nlp():
    import spacy

    return spacy.blank("en")


def _json_parts(text: str, space: bool) -> tuple[str, str]:
    """What comes before a token's start offset and after its id in its Prodigy JSON (as ``json_text`` writes it)."""
    return '{"text": ' + json_text(text) + ', "start": ', ', "ws": true}' if space else ', "ws": false}'


@lru_cache(maxsize=1)
def special_cases() -> tuple[dict[str, frozenset], frozenset, dict[str, set], int]:
    """What the run check needs to know about spaCy's special cases (those its last step looks for, the ones its
    affix rules would cut up): for each way to cut one into leading and trailing tokens, the leading text and
    every trailing text that completes it; all trailing texts; the tokens a special case makes out of several,
    with where the affix rules had cut them; and the longest special case."""
    import spacy

    tokenizer = blank_nlp().tokenizer
    plain = spacy.blank("en").tokenizer
    plain.rules = {}
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
    return frozen, frozenset().union(*frozen.values()), merged, longest


class Tokens:
    """A text's tokens, kept per run; :meth:`json` writes them, :meth:`bounds` maps a span to them."""

    __slots__ = ("runs", "entries", "at", "first")

    def __init__(self, runs: list[str], entries: list[tuple]):
        self.runs = runs
        self.entries = entries
        self.at = list(accumulate(map(len, runs), initial=0))  # where each run starts
        self.first = list(accumulate([e[1] for e in entries], initial=0))  # the id of each run's first token

    def __len__(self) -> int:
        return self.first[-1]

    def _tokens(self, k: int) -> list[tuple[int, int]]:
        """(start, end) of run k's tokens."""
        at, entry = self.at[k], self.entries[k]
        if entry[3] is None:
            return [(at, at + entry[2])]
        rel = entry[3]
        return [(at + rel[j], at + rel[j + 1]) for j in range(0, len(rel), 3)]

    def bounds(self, start: int, end: int) -> tuple[int, int]:
        """(token_start, token_end) of a character span; token_end is inclusive, as in Prodigy.

        The tokens the span overlaps; a span inside whitespace points at the next token (else the last)."""
        first = last = None
        k = max(bisect_right(self.at, start) - 1, 0)
        while k < len(self.runs) and self.at[k] < end:
            for j, (s, e) in enumerate(self._tokens(k)):
                if e > start and s < end:
                    if first is None:
                        first = self.first[k] + j
                    last = self.first[k] + j
            k += 1
        if first is None:
            k = max(bisect_right(self.at, start) - 1, 0)
            for k in range(k, len(self.runs)):
                for j, (s, _) in enumerate(self._tokens(k)):
                    if s >= start:
                        return self.first[k] + j, self.first[k] + j
            last_id = max(len(self) - 1, 0)
            return last_id, last_id
        return first, last

    def dicts(self, text: str) -> list[dict]:
        """Prodigy-style tokens: text, start, end, id, ws."""
        out = []
        for k, entry in enumerate(self.entries):
            spaces = entry[7]
            for j, (s, e) in enumerate(self._tokens(k)):
                out.append({"text": text[s:e], "start": s, "end": e, "id": self.first[k] + j, "ws": spaces[j]})
        return out

    def json(self) -> str:
        """``annotator.textsafe.json_text(self.dicts(text))``, written directly."""
        return "[" + ", ".join([f'{e[0]}{a}, "end": {a + e[2]}, "id": {i}{e[4]}' if e[3] is None
                                else e[0] % tuple(map(add, e[3], (a, a, i) * e[1]))
                                for e, a, i in zip(self.entries, self.at, self.first)]) + "]"


class Tokenizer:
    """spaCy's English tokenization, run by run, each distinct run tokenized by spaCy once (see the module doc)."""

    def __init__(self, max_runs: int = MAX_CACHED_RUNS):
        self.max_runs = max_runs
        self.nlp = None
        self.cache: dict[str, tuple] = {}  # this generation's runs
        self.old: dict[str, tuple] = {}  # the last generation's; a run met again moves to this one

    def _start(self) -> None:
        self.nlp = blank_nlp()
        self.splits, self.rests, self.merged, self.longest = special_cases()

    def _entry(self, run: str, tokens: list[tuple[int, str, bool]]) -> tuple:
        """One run, ready to be written in a text's JSON, from its (offset, text, trailing space) tokens:
        (JSON before the start offset, or a %-template for several tokens; token count; length of a single
        token, else 0; None, or each token's start, end and index for several; JSON after the id of a single
        token; what a special case could need after the run; how the run begins; each token's trailing-space
        flag; beginnings of what it could need that a whole run could be)."""
        if len(tokens) == 1:
            _, text, space = tokens[0]
            head, tail = _json_parts(text, space)
            entry = [head, 1, len(text), None, tail]
            spaces = _ONE_SPACE[space]
        else:
            template = ", ".join('{"text": ' + json_text(text).replace("%", "%%")
                                 + ', "start": %d, "end": %d, "id": %d' + (', "ws": true}' if space else ', "ws": false}')
                                 for _, text, space in tokens)
            rel = tuple(x for j, (at, text, _) in enumerate(tokens) for x in (at, at + len(text), j))
            entry = [template, len(tokens), 0, rel, ""]
            spaces = tuple(space for _, _, space in tokens)
        wants, heads = None, None
        if not run[0].isspace():
            cuts = set()
            for at, text, _ in tokens:
                cuts.update((at, at + len(text)))
                # where spaCy's affix rules may have cut a token that a special case then made whole
                cuts.update(at + c for c in self.merged.get(text, ()))
            word = run.rstrip(" ")
            n, longest = len(word), self.longest
            if run.endswith(" "):
                wants = frozenset().union(*(self.splits.get(word[c:], ()) for c in cuts if 0 < n - c < longest))
            heads = frozenset(word[:c] for c in cuts if 0 < c <= min(n, longest)) & self.rests or _NONE
        inside = frozenset(w[:c] for w in wants or () for c in range(1, len(w))) or _NONE
        return tuple(entry + [wants or None, heads, spaces, inside])

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
        if len(self.cache) + len(new) > self.max_runs // 2:
            # a new generation, and a new spaCy vocabulary: runs met only in the last one stop taking memory
            import spacy

            self.old, self.cache = self.cache, {}
            self.nlp = spacy.blank("en")
        words = [run for run in new if not run[0].isspace()]
        tokens: dict[str, list] = {run: [] for run in words}
        doc = self.nlp.make_doc("\n".join(words)) if words else ()
        k, at, end = 0, 0, len(words[0].rstrip(" ")) if words else 0
        for t in doc:
            while k < len(words) and t.idx >= end:  # past run k's text: a separator, or the next run
                at += len(words[k]) + 1
                k += 1
                end = at + len(words[k].rstrip(" ")) if k < len(words) else 0
            if k < len(words) and at <= t.idx and t.idx + len(t.text) <= end:
                tokens[words[k]].append((t.idx - at, t.text, bool(t.whitespace_)))
            elif t.text != "\n":  # spaCy joined across runs after all: ask about each run alone
                tokens = {run: [] for run in words}
                break
        for run in new:
            got = tokens.get(run)
            if not got:
                got = [(t.idx, t.text, bool(t.whitespace_)) for t in self.nlp.make_doc(run)]
            found[run] = self.cache[run] = self._entry(run, got)
        return found

    def __call__(self, text: str) -> Tokens:
        if self.nlp is None:
            self._start()
        runs = RUNS.findall(text)
        entries = [*map(self.cache.get, runs)]
        if None in entries:
            learned = self._learn(dict.fromkeys(run for run, e in zip(runs, entries) if e is None))
            entries = [e or learned[run] for run, e in zip(runs, entries)]
        if any(map(_WANTS, entries)) and self._spanning(runs, entries):
            return self._whole(text)
        return Tokens(runs, entries)

    @classmethod
    def _spanning(cls, runs: list[str], entries: list[tuple]) -> bool:
        """Whether a special case could match across runs that one space separates."""
        return any(cls._joins(entries[k][5], entries[k][8], runs, entries, k + 1)
                   for k in compress(range(len(runs) - 1), map(_WANTS, entries)))

    @classmethod
    def _joins(cls, wants: frozenset, inside: frozenset, runs: list[str], entries: list[tuple], k: int) -> bool:
        """Whether run k begins with what a special case still ``wants`` (or lies ``inside`` it and the next run
        continues it)."""
        heads = entries[k][6]
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
        """The text tokenized by spaCy in one go, shaped as one run per token."""
        doc = self.nlp.make_doc(text)
        runs, entries = [], []
        for t in doc:
            end = t.idx + len(t.text) + (1 if t.whitespace_ else 0)
            runs.append(text[t.idx:end])
            head, tail = _json_parts(t.text, bool(t.whitespace_))
            entries.append((head, 1, len(t.text), None, tail, None, None, _ONE_SPACE[bool(t.whitespace_)], _NONE))
        return Tokens(runs, entries)


@lru_cache(maxsize=1)
def tokenizer() -> Tokenizer:
    return Tokenizer()
