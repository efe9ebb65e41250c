"""Inter-annotator agreement, measured in one streaming pass (no SQL, no Textual here).

Per kind (entity, claim, topic, stance) and per label:

* pairwise span F1, *exact* (same offsets and label) and *overlapping* (same label, offsets
  overlap), averaged over the pairs of annotators;
* observed agreement, Cohen's kappa (two annotators) and Krippendorff's alpha (any number,
  nominal) on the labels of *matched* spans -- places marked with the same offsets by at
  least two annotators; per label, the label is binarised (L / not L);
* Krippendorff's unitizing alpha (alpha_u), which judges where units begin and end and
  whether they are there at all, corrected for chance (spans only, per label);
* the same coincidence figures on stance polarity (a unit is a source -> target pair) and on
  claim speakers (a unit is a claim span).

Each (place, label) is an item of its own: when one layer holds two labels at one place (a
merge conflict leaves that), equal labels are paired first, then what is left in label
order, and a label nobody else gave is a unit of one (it counts against F1, not in kappa).
Speakers are compared by their span when every annotator of a claim gave one, else by
normalised text (see :func:`speaker_text`).

Only accepted items count. A document counts for a pair when both annotators have worked
on it (have items or a status there); alpha_u needs every compared annotator on a document.
Every figure says how many documents and items it rests on. The input is a stream of
documents (:class:`DocumentItems`); memory holds one document and tallies whose size
depends on the labels, not on the corpus.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations, groupby
from operator import itemgetter
from typing import Iterable, Iterator, Mapping, Sequence

from annotator.model import AUTHOR, CLAIM, KINDS, STANCE, UNNAMED, Annotation, Stance
from annotator.teams.coefficients import (  # noqa: F401  (re-exported for callers and tests)
    Coincidences, Contingency, UnitizingAlpha, cohen_kappa, finite, krippendorff_alpha, merge_segments)

ALL = "*"  # the "every label" row

# the columns of a streamed item row (as Store.accepted_rows yields them); KIND..T_END is the place
DOC, LAYER, LABEL, KIND, START, END, T_START, T_END, SP_START, SP_END, SP_TEXT = range(11)
PLACE = slice(KIND, T_END + 1)


@dataclass
class DocumentItems:
    """One document as agreement sees it: its length, who worked on it, their accepted items."""

    doc_id: str
    length: int
    worked: set[str]
    items: dict[str, list[tuple]]  # annotator -> item rows (see the column constants above)


# --- speakers -----------------------------------------------------------------------------

_EDGE = re.compile(r"^[\W_]+|[\W_]+$")


def speaker_text(text: str) -> str:
    """A speaker's name for comparison: NFKC, case-folded, spaces collapsed, punctuation at the
    ends and a leading "the" dropped ("the United States," == "United States")."""
    norm = " ".join(unicodedata.normalize("NFKC", text).casefold().split())
    norm = _EDGE.sub("", norm)
    return norm[4:] if norm.startswith("the ") else norm


def _speaker(row: tuple) -> tuple | None:
    """(span or None, raw text) of a claim row's speaker; None when it has none."""
    if row[SP_START] is not None and row[SP_END] is not None:
        try:
            return (int(row[SP_START]), int(row[SP_END])), str(row[SP_TEXT] or "")
        except (TypeError, ValueError):
            return None
    if row[SP_TEXT] in (None, ""):
        return None
    return None, str(row[SP_TEXT])


def speaker_values(speakers: Sequence[tuple | None]) -> list[str | None]:
    """Comparable values for the speakers of one claim: spans when all have one, else names
    (AUTHOR and UNNAMED as they are, other texts through :func:`speaker_text`)."""
    given = [s for s in speakers if s is not None]
    if given and all(s[0] is not None for s in given):
        return [None if s is None else f"{s[0][0]}-{s[0][1]}" for s in speakers]
    return [None if s is None else (s[1] if s[1] in (AUTHOR, UNNAMED) else speaker_text(s[1])) for s in speakers]


# --- results ------------------------------------------------------------------------------

@dataclass
class Figure:
    """One row of the report: a kind and a label (``*`` for every label)."""

    kind: str
    label: str
    f1_exact: float | None = None
    f1_overlap: float | None = None
    observed: float | None = None   # observed agreement on the matched units (share of equal values)
    kappa: float | None = None
    alpha: float | None = None
    alpha_u: float | None = None
    documents: int = 0              # documents worked on by at least two of the annotators
    items: int = 0                  # accepted items of this kind/label in them
    units: int = 0                  # matched units behind observed, kappa and alpha
    alpha_u_documents: int = 0      # documents every annotator worked on (alpha_u's continuum)
    alpha_u_units: int = 0          # units (all annotators) alpha_u rests on

    FIELDS = ("kind", "label", "f1_exact", "f1_overlap", "observed", "kappa", "alpha", "alpha_u",
              "documents", "items", "units", "alpha_u_documents", "alpha_u_units")

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.FIELDS}


@dataclass
class Report:
    annotators: list[str]
    documents: int                      # documents worked on by at least two of them
    rows: list[Figure] = field(default_factory=list)
    polarity: Figure | None = None      # stance polarity on matched source->target pairs
    speakers: Figure | None = None      # claim speakers on matched claim spans
    pairs: dict[str, dict] = field(default_factory=dict)  # "a|b" -> {"documents", kind -> figures}

    def to_dict(self) -> dict:
        return {"annotators": self.annotators, "documents": self.documents,
                "figures": [r.to_dict() for r in self.rows],
                "stance_polarity": self.polarity.to_dict() if self.polarity else None,
                "claim_speakers": self.speakers.to_dict() if self.speakers else None,
                "pairs": self.pairs}


# --- one pass over the documents ---------------------------------------------------------------

_kind_label = itemgetter(KIND, LABEL)
_end = itemgetter(END)


def _place(row: tuple) -> tuple:
    if row[KIND] == STANCE:
        return (row[START], row[END], row[T_START], row[T_END])
    return (row[START], row[END])


def _overlap(a: tuple, b: tuple) -> bool:
    if len(a) == 4:
        return a[0] < b[1] and b[0] < a[1] and a[2] < b[3] and b[2] < a[3]
    return a[0] < b[1] and b[0] < a[1]


def _hits(mine: list[tuple], theirs: list[tuple]) -> int:
    """How many of ``mine`` (places) overlap at least one of ``theirs``."""
    if len(mine) * len(theirs) <= 64 or len(mine[0]) == 4:
        return sum(1 for p in mine if any(_overlap(p, q) for q in theirs))
    # long documents: a sweep over spans sorted by start (prefix maximum of the ends)
    from bisect import bisect_left

    ordered = sorted(theirs)
    starts = [q[0] for q in ordered]
    reach, best = [], -1
    for q in ordered:
        best = max(best, q[1])
        reach.append(best)
    n = 0
    for p in mine:
        k = bisect_left(starts, p[1])  # spans starting before p ends
        if k and reach[k - 1] > p[0]:
            n += 1
    return n


def pair_up(members: Sequence[tuple[int, str, object]]) -> list[dict[int, tuple[str, object]]]:
    """Units at one place from (annotator index, label, payload): each (place, label) is its own
    item; equal labels of different annotators pair first, then leftovers in label order."""
    by_coder: dict[int, list[tuple[str, object]]] = defaultdict(list)
    for idx, label, payload in members:
        by_coder[idx].append((label, payload))
    units: list[dict[int, tuple[str, object]]] = []
    for idx in sorted(by_coder):
        rest = []
        for label, payload in sorted(by_coder[idx], key=lambda x: x[0]):
            unit = next((u for u in units if idx not in u and any(v[0] == label for v in u.values())), None)
            if unit is not None:
                unit[idx] = (label, payload)
            else:
                rest.append((label, payload))
        for label, payload in rest:
            unit = next((u for u in units if idx not in u), None)
            if unit is not None:
                unit[idx] = (label, payload)
            else:
                units.append({idx: (label, payload)})
    return units


class _Tally:
    """Everything the report needs, summed document by document.

    The per-document work is written for speed (it runs once per document of the corpus):
    one dict of places per annotator, exact matches by dict lookups, overlap searched only
    for the items that found no exact match.
    """

    def __init__(self, names: list[str], fast: bool = True) -> None:
        self.names = names
        self.fast = fast  # the two-annotator walk (False: the general code, for tests)
        self.pairs = list(combinations(range(len(names)), 2))
        self.documents = 0
        self.pair_documents = Counter()
        self.f1: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])  # (pair, kind, label)
        self.items: Counter = Counter()                                      # (kind, label)
        self.coincidences: dict[str, Coincidences] = defaultdict(Coincidences)        # kind, or "speaker"
        self.contingency: dict[tuple, Contingency] = defaultdict(Contingency)         # (pair, kind)
        self.unitizing = UnitizingAlpha(len(names)) if len(names) > 2 else None
        self.pair_unitizing: dict[tuple, UnitizingAlpha] = {}

    def add(self, doc: DocumentItems) -> None:
        names = self.names
        present = [i for i, n in enumerate(names) if n in doc.worked]
        if len(present) < 2:
            return
        self.documents += 1
        length = doc.length
        items = self.items
        # per annotator: (kind, start, end, target start, target end) -> its rows there, and
        # (kind, label) -> the spans alpha_u segments
        places: dict[int, dict[tuple, list[tuple]]] = {}
        spans: dict[int, dict[tuple, list]] = {}
        counts: dict[int, Counter] = {}
        for i in present:
            rows = doc.items.get(names[i], ())
            mine: dict[tuple, list[tuple]] = {}
            segs: dict[tuple, list] = {}
            for row in rows:
                key = row[PLACE]
                if key in mine:
                    mine[key].append(row)
                else:
                    mine[key] = [row]
                if key[0] != STANCE:
                    cat = (key[0], row[LABEL])
                    if cat in segs:
                        segs[cat].append(key[1:3])
                    else:
                        segs[cat] = [key[1:3]]
            count = Counter(map(_kind_label, rows))
            if rows:
                length = max(length, max(map(_end, rows)))
            places[i], spans[i], counts[i] = mine, segs, count
            items.update(map(_kind_label, rows))
        if len(present) == 2 and self.fast:
            self._add_two(present, places, counts)
        else:
            for pair in self.pairs:
                a, b = pair
                if a in places and b in places:
                    self.pair_documents[pair] += 1
                    self._pair_f1(pair, places[a], places[b], counts[a], counts[b])
            self._units(present, places)
        self._unitize(present, spans, length)

    def _add_two(self, present: list[int], places: dict[int, dict], counts: dict[int, Counter]) -> None:
        """F1 and matched units of a document two annotators worked on, in one walk over the places
        (the same figures as :meth:`_pair_f1` and :meth:`_units`, which handle any number)."""
        a, b = pair = tuple(present)
        mine, theirs = places[a], places[b]
        self.pair_documents[pair] += 1
        f1, coincidences, contingency = self.f1, self.coincidences, self.contingency
        for (kind, label), n in counts[a].items():
            f1[pair, kind, label][3] += n
        for (kind, label), n in counts[b].items():
            f1[pair, kind, label][4] += n
        loose_a: list[tuple] = []
        loose_b: list[tuple] = []
        for key, rows in mine.items():
            other = theirs.get(key)
            if other is None:
                loose_a.extend(rows)
                continue
            if len(rows) > 1 or len(other) > 1:
                loose_a.extend(self._exact(pair, {key: rows}, {key: other}, 1))
                loose_b.extend(self._exact(pair, {key: other}, {key: rows}, 2, count_exact=False))
                self._place_units(present, key, {a: rows, b: other})
                continue
            x, y = rows[0], other[0]
            kind, la, lb = key[0], x[LABEL], y[LABEL]
            if la == lb:
                tally = f1[pair, kind, la]
                tally[0] += 1
                tally[1] += 1
                tally[2] += 1
            else:
                loose_a.append(x)
                loose_b.append(y)
            coinc = coincidences[kind]
            coinc.units += 1
            both = coinc.pairs[2]
            both[la, lb] += 1
            both[lb, la] += 1
            contingency[pair, kind].table[la, lb] += 1
            if kind == CLAIM:
                self._speakers(present, {a: x, b: y})
        for key, rows in theirs.items():
            if key not in mine:
                loose_b.extend(rows)
        if loose_a and theirs:
            self._overlaps(pair, loose_a, theirs, 1)
        if loose_b and mine:
            self._overlaps(pair, loose_b, mine, 2)

    def _pair_f1(self, pair, first: dict, second: dict, count_a: Counter, count_b: Counter) -> None:
        f1 = self.f1
        for (kind, label), n in count_a.items():
            f1[pair, kind, label][3] += n
        for (kind, label), n in count_b.items():
            f1[pair, kind, label][4] += n
        if not first or not second:
            return
        loose_a = self._exact(pair, first, second, 1)
        loose_b = self._exact(pair, second, first, 2, count_exact=False)
        if loose_a:
            self._overlaps(pair, loose_a, second, 1)
        if loose_b:
            self._overlaps(pair, loose_b, first, 2)

    def _exact(self, pair, mine: dict, theirs: dict, slot: int, count_exact: bool = True) -> list[tuple]:
        """Count exact matches (once) and hits of items matched exactly; return the rest."""
        f1 = self.f1
        loose = []
        for key, rows in mine.items():
            other = theirs.get(key)
            if other is None:
                loose.extend(rows)
                continue
            if len(rows) == 1 and len(other) == 1:
                if rows[0][LABEL] == other[0][LABEL]:
                    tally = f1[pair, key[0], rows[0][LABEL]]
                    tally[slot] += 1
                    if count_exact:
                        tally[0] += 1
                else:
                    loose.append(rows[0])
                continue
            their_labels = Counter(r[LABEL] for r in other)
            if count_exact:
                for label, n in (Counter(r[LABEL] for r in rows) & their_labels).items():
                    f1[pair, key[0], label][0] += n
            for row in rows:
                if row[LABEL] in their_labels:
                    f1[pair, key[0], row[LABEL]][slot] += 1
                else:
                    loose.append(row)
        return loose

    def _overlaps(self, pair, loose: list[tuple], theirs: dict, slot: int) -> None:
        """Items without an exact match that overlap an item of the same kind and label."""
        by_label: dict[tuple, list[tuple]] = defaultdict(list)
        for key, rows in theirs.items():
            for row in rows:
                by_label[row[KIND], row[LABEL]].append(_place(row))
        for row in loose:
            candidates = by_label.get((row[KIND], row[LABEL]))
            if candidates and _hits([_place(row)], candidates):
                self.f1[pair, row[KIND], row[LABEL]][slot] += 1

    def _units(self, present: list[int], places: dict[int, dict]) -> None:
        if len(present) == 2:
            a, b = present
            mine, theirs = places[a], places[b]
            shared = mine.keys() & theirs.keys()
            if not shared:
                return
            simple = []
            for key in shared:
                first, second = mine[key], theirs[key]
                if len(first) == 1 and len(second) == 1:
                    simple.append((key[0], first[0], second[0]))
                else:
                    self._place_units(present, key, {a: first, b: second})
            pair = (a, b)
            for kind, x, y in simple:  # the common case, kept lean: one item each at a place
                la, lb = x[LABEL], y[LABEL]
                coinc = self.coincidences[kind]
                coinc.units += 1
                tally = coinc.pairs[2]
                tally[la, lb] += 1
                tally[lb, la] += 1
                self.contingency[pair, kind].table[la, lb] += 1
                if kind == CLAIM:
                    self._speakers(present, {a: x, b: y})
            return
        seen = Counter(k for i in present for k in places[i])
        for key, n in seen.items():
            if n >= 2:
                self._place_units(present, key, {i: places[i][key] for i in present if key in places[i]})

    def _place_units(self, present: list[int], key: tuple, members: dict[int, list[tuple]]) -> None:
        kind = key[0]
        if all(len(rows) == 1 for rows in members.values()):
            units = [{i: rows[0] for i, rows in members.items()}]
        else:
            units = [{i: row for i, (_, row) in u.items()}
                     for u in pair_up([(i, r[LABEL], r) for i, rows in members.items() for r in rows])]
        for unit in units:
            if len(unit) < 2:
                continue
            self.coincidences[kind].add([unit[i][LABEL] if i in unit else None for i in present])
            for pair in self.pairs:
                if pair[0] in unit and pair[1] in unit:
                    self.contingency[pair, kind].add(unit[pair[0]][LABEL], unit[pair[1]][LABEL])
            if kind == CLAIM:
                self._speakers(present, unit)

    def _speakers(self, present: list[int], unit: dict[int, tuple]) -> None:
        speakers = speaker_values([_speaker(unit[i]) if i in unit else None for i in present])
        self.coincidences["speaker"].add(speakers)
        value = dict(zip(present, speakers))
        for a, b in self.pairs:
            if value.get(a) is not None and value.get(b) is not None:
                self.contingency[(a, b), "speaker"].add(value[a], value[b])

    def _unitize(self, present: list[int], spans: dict[int, dict], length: int) -> None:
        segments = {i: {c: (v if len(v) == 1 and v[0][1] > v[0][0] else merge_segments(v))
                        for c, v in spans[i].items()} for i in present}
        for pair in self.pairs:
            if pair[0] in segments and pair[1] in segments:
                tally = self.pair_unitizing.get(pair)
                if tally is None:
                    tally = self.pair_unitizing[pair] = UnitizingAlpha(2)
                tally.add_document(length, [segments[pair[0]], segments[pair[1]]])
        if self.unitizing is not None and len(present) == len(self.names):
            self.unitizing.add_document(length, [segments[i] for i in present])


def _f1(exact: int, a_hit: int, b_hit: int, na: int, nb: int) -> tuple[float | None, float | None]:
    if na + nb == 0:
        return None, None
    return f1(exact, na, exact, nb), f1(a_hit, na, b_hit, nb)


def f1(matched_a: int, total_a: int, matched_b: int, total_b: int) -> float | None:
    """F1 of two annotators' item sets: recall = matched_a / total_a, precision = matched_b / total_b.

    With exact matching matched_a == matched_b and this is 2|A and B| / (|A| + |B|).
    None when neither annotator has any item.
    """
    if total_a + total_b == 0:
        return None
    if matched_a == 0 or matched_b == 0:
        return 0.0
    recall, precision = matched_a / total_a, matched_b / total_b
    return 2 * precision * recall / (precision + recall)


def _mean(xs: list[float]) -> float | None:
    return sum(xs) / len(xs) if xs else None


def measure(documents: Iterable[DocumentItems], annotators: Sequence[str], *, fast: bool = True) -> Report:
    """Agreement among ``annotators`` over a stream of documents (one pass, bounded memory).

    ``fast=False`` uses the general code for documents two annotators share too (tests
    compare the two)."""
    names = list(annotators)
    tally = _Tally(names, fast)
    # The pass allocates millions of short-lived tuples and keeps almost nothing: reference
    # counting frees them, so the cyclic collector's scans would be pure overhead.
    collecting = gc.isenabled()
    gc.disable()
    try:
        for doc in documents:
            tally.add(doc)
    finally:
        if collecting:
            gc.enable()
    return _report(tally)


def _report(t: _Tally) -> Report:
    names = t.names
    t.labels = defaultdict(set)
    for kind, label in t.items:
        t.labels[kind].add(label)
    report = Report(names, t.documents)
    unitizing = t.unitizing if t.unitizing is not None else t.pair_unitizing.get((0, 1))
    u_docs = unitizing.documents if unitizing is not None else 0
    for kind in KINDS:
        if kind not in t.labels:
            continue
        coinc = t.coincidences.get(kind, Coincidences())
        main_table = t.contingency.get(((0, 1), kind)) if len(names) == 2 else None
        for label in [ALL] + sorted(t.labels[kind]):
            fig = Figure(kind, label, documents=t.documents, units=coinc.units, alpha_u_documents=u_docs)
            fig.items = sum(n for (k, lab), n in t.items.items() if k == kind and (label == ALL or lab == label))
            exact, overlap = [], []
            for pair in t.pairs:
                sums = [sum(x) for x in zip(*[v for (p, k, lab), v in t.f1.items()
                                              if p == pair and k == kind and (label == ALL or lab == label)])] \
                    or [0, 0, 0, 0, 0]
                fe, fo = _f1(*sums)
                if fe is not None:
                    exact.append(fe)
                    overlap.append(fo)
            fig.f1_exact, fig.f1_overlap = _mean(exact), _mean(overlap)
            key = None if label == ALL else label
            fig.observed, fig.alpha = coinc.observed(key), coinc.alpha(key)
            fig.kappa = main_table.kappa(key) if main_table is not None else None
            if kind != STANCE and unitizing is not None:
                cat = None if label == ALL else (kind, label)
                if label == ALL:
                    cats = [c for c in unitizing.categories if c[0] == kind]
                    fig.alpha_u = _alpha_u_of(unitizing, cats)
                    fig.alpha_u_units = sum(unitizing.units(c) for c in cats)
                else:
                    fig.alpha_u = unitizing.alpha(cat) if unitizing.units(cat) else None
                    fig.alpha_u_units = unitizing.units(cat)
            report.rows.append(fig)
    if STANCE in t.labels:
        report.polarity = _coincidence_figure(t, STANCE, "polarity", STANCE)
    if CLAIM in t.labels:
        report.speakers = _coincidence_figure(t, "speaker", "speaker", CLAIM)
    for pair in t.pairs:
        if not t.pair_documents[pair]:
            continue
        a, b = pair
        entry: dict = {"annotators": [names[a], names[b]], "documents": t.pair_documents[pair]}
        for kind in [k for k in KINDS if k in t.labels] + (["speaker"] if CLAIM in t.labels else []):
            table = t.contingency.get((pair, kind), Contingency())
            figures: dict = {"observed": table.observed(), "kappa": table.kappa(), "units": table.units,
                             "confusion": [[x, y, n] for (x, y), n in sorted(table.table.items())]}
            if kind != "speaker":
                sums = [sum(x) for x in zip(*[v for (p, k, _), v in t.f1.items() if p == pair and k == kind])] \
                    or [0, 0, 0, 0, 0]
                figures["f1_exact"], figures["f1_overlap"] = _f1(*sums)
                figures["items"] = sums[3] + sums[4]
            if kind not in (STANCE, "speaker") and pair in t.pair_unitizing:
                u = t.pair_unitizing[pair]
                figures["alpha_u"] = _alpha_u_of(u, [c for c in u.categories if c[0] == kind])
            entry[kind] = figures
        report.pairs[f"{names[a]}|{names[b]}"] = entry
    return report


def _alpha_u_of(tally: UnitizingAlpha, categories: list) -> float | None:
    observed = expected = 0.0
    for c in categories:
        d_o, d_e = tally.observed(c), tally.expected(c)
        if d_o is not None and d_e is not None:
            observed, expected = observed + d_o, expected + d_e
    return finite(1 - observed / expected) if expected else None


def _coincidence_figure(t: _Tally, key: str, label: str, kind: str) -> Figure:
    coinc = t.coincidences.get(key, Coincidences())
    table = t.contingency.get(((0, 1), key)) if len(t.names) == 2 else None
    return Figure(kind, label, observed=coinc.observed(), alpha=coinc.alpha(),
                  kappa=table.kappa() if table is not None else None, documents=t.documents, units=coinc.units)


# --- streams ----------------------------------------------------------------------------------

def from_store(store, annotators: Sequence[str]) -> Iterator[DocumentItems]:
    """The documents of a store as agreement reads them: three streams ordered by id, merged."""
    names = list(annotators)
    first, second = itemgetter(0), itemgetter(1)
    items = groupby(store.accepted_rows(names), first)
    statuses = groupby(store.layer_documents(names), first)
    item_doc, item_rows = next(items, (None, None))
    status_doc, status_rows = next(statuses, (None, None))
    for doc_id, length in store.document_lengths():
        worked: set[str] = set()
        rows: dict[str, list[tuple]] = {}
        while status_doc is not None and status_doc <= doc_id:
            if status_doc == doc_id:
                worked.update(map(second, status_rows))
            status_doc, status_rows = next(statuses, (None, None))
        while item_doc is not None and item_doc <= doc_id:
            if item_doc == doc_id:
                for layer, layer_rows in groupby(item_rows, second):
                    rows[layer] = list(layer_rows)
            item_doc, item_rows = next(items, (None, None))
        worked.update(rows)
        if len(worked) >= 2:
            yield DocumentItems(doc_id, length or 0, worked, rows)


def _row(doc_id: str, layer: str, value, text: str) -> tuple:
    if isinstance(value, Stance):
        return (doc_id, layer, value.polarity, STANCE, value.source.start, value.source.end,
                value.target.start, value.target.end, None, None, None)
    sp_start = sp_end = sp_text = None
    if value.kind == CLAIM:
        sp = value.attrs.get("speaker")
        if isinstance(sp, Mapping):
            try:
                sp_start, sp_end = int(sp["start"]), int(sp["end"])
                sp_text = text[sp_start:sp_end]
            except (KeyError, TypeError, ValueError):
                pass
        elif sp not in (None, ""):
            sp_text = str(sp)
    return (doc_id, layer, value.label, value.kind, value.start, value.end, None, None, sp_start, sp_end, sp_text)


def from_layers(layers: Mapping[str, Mapping[str, Sequence[Annotation]]],
                worked: Mapping[str, set[str]] | None = None,
                texts: Mapping[str, str] | None = None) -> Iterator[DocumentItems]:
    """In-memory layers (annotator -> doc_id -> items) as a stream of documents."""
    docs = sorted({d for layer in layers.values() for d in layer} | {d for ds in (worked or {}).values() for d in ds})
    for doc_id in docs:
        text = (texts or {}).get(doc_id, "")
        who = {n for n, ds in (worked or {}).items() if doc_id in ds} | {n for n in layers if doc_id in layers[n]}
        rows = {n: [_row(doc_id, n, a.value, text) for a in layers[n].get(doc_id, ()) if a.accepted]
                for n in layers if doc_id in layers[n]}
        yield DocumentItems(doc_id, len(text), who, rows)


def compute(layers: Mapping[str, Mapping[str, Sequence[Annotation]]], worked: Mapping[str, set[str]] | None = None,
            annotators: Sequence[str] | None = None, texts: Mapping[str, str] | None = None) -> Report:
    """Agreement among ``annotators`` (default: every layer) from in-memory layers."""
    names = list(annotators) if annotators is not None else sorted(layers)
    return measure(from_layers({n: layers.get(n, {}) for n in names}, worked, texts), names)


def from_database(store, annotators: Sequence[str]) -> Report:
    """Agreement among ``annotators`` in an open store, streamed."""
    return measure(from_store(store, annotators), annotators)


# --- text output -----------------------------------------------------------------------------

def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def format_report(report: Report) -> str:
    names = ", ".join(report.annotators)
    lines = [f"Agreement among {names} on {report.documents} document(s) worked on by at least two of them."]
    if not report.rows:
        lines.append("No accepted items to compare.")
        return "\n".join(lines)
    head = (f"{'kind':<8} {'label':<14} {'F1 exact':>8} {'F1 overlap':>10} {'agree':>6} {'kappa':>7} "
            f"{'alpha':>7} {'alpha_u':>7} {'docs':>5} {'items':>6} {'units':>6}")
    lines += ["", head, "-" * len(head)]
    rows = list(report.rows) + [r for r in (report.polarity, report.speakers) if r is not None]
    for r in rows:
        label = r.label if len(r.label) <= 14 else r.label[:13] + "…"
        alpha_u = _fmt(r.alpha_u) if r.kind != STANCE and r.label not in ("speaker",) else ""
        lines.append(f"{r.kind:<8} {label:<14} {_fmt(r.f1_exact):>8} {_fmt(r.f1_overlap):>10} "
                     f"{_pct(r.observed):>6} {_fmt(r.kappa):>7} {_fmt(r.alpha):>7} {alpha_u:>7} "
                     f"{r.documents:>5} {r.items if r.items else '':>6} {r.units:>6}")
    lines += ["",
              "label * = every label. agree (observed agreement), kappa and alpha: on the labels of spans",
              "matched by offsets (per label: L vs not L); units = how many. alpha_u: boundaries and presence",
              "together, over the whole text. stance polarity on matched source->target pairs; claim speaker on",
              "matched claims (by span when all gave one, else by name)."]
    u_docs = next((r.alpha_u_documents for r in report.rows), 0)
    if len(report.annotators) > 2:
        lines.append(f"alpha_u rests on the {u_docs} document(s) every one of them worked on.")
    if len(report.annotators) != 2:
        lines.append("kappa needs exactly two annotators (use --annotators A,B); alpha works for any number.")
    return "\n".join(lines)

