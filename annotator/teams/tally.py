"""One pass over the documents: everything the agreement report needs, summed as it goes.

Tallies grow with the number of labels, not with the number of documents or items.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter, defaultdict
from itertools import combinations
from operator import itemgetter
from typing import Sequence

from annotator.model import CLAIM, STANCE
from annotator.teams.coefficients import Coincidences, Contingency, UnitizingAlpha, merge_segments
from annotator.teams.items import (END, KIND, LABEL, PLACE, START, T_END, T_START, DocumentItems, _speaker,
                                   speaker_values)

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


class Tally:
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
        # the two-annotator walk counts raw events and folds them in at the end (finish):
        self.joint: Counter = Counter()                               # (pair, kind, label a, label b)
        self.sides: dict[tuple, tuple[Counter, Counter]] = {}          # pair -> items of a, of b
        self._text = lambda: ""

    def add(self, doc: DocumentItems) -> None:
        names = self.names
        present = [i for i, n in enumerate(names) if n in doc.worked]
        if len(present) < 2:
            return
        self.documents += 1
        self._text = doc.text
        length = doc.length
        items = self.items
        # per annotator: (kind, start, end, target start, target end) -> its rows there, and
        # (kind, label) -> the spans alpha_u segments
        places: dict[int, dict[tuple, list[tuple]]] = {}
        spans: dict[int, dict[tuple, list]] = {}
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
            if rows:
                length = max(length, max(map(_end, rows)))
            places[i], spans[i] = mine, segs
            items.update(map(_kind_label, rows))
        if len(present) == 2 and self.fast:
            self._add_two(doc, present, places)
        else:
            counts = {i: Counter(map(_kind_label, doc.items.get(names[i], ()))) for i in present}
            for pair in self.pairs:
                a, b = pair
                if a in places and b in places:
                    self.pair_documents[pair] += 1
                    self._pair_f1(pair, places[a], places[b], counts[a], counts[b])
            self._units(present, places)
        self._unitize(present, spans, length)

    def _add_two(self, doc: DocumentItems, present: list[int], places: dict[int, dict]) -> None:
        """F1 and matched units of a document two annotators worked on, in one walk over the places
        (the same figures as :meth:`_pair_f1` and :meth:`_units`, which handle any number; the
        common case -- one item each at a place -- is one count in ``joint``)."""
        a, b = pair = tuple(present)
        mine, theirs = places[a], places[b]
        self.pair_documents[pair] += 1
        sides = self.sides.get(pair)
        if sides is None:
            sides = self.sides[pair] = (Counter(), Counter())
        sides[0].update(map(_kind_label, doc.items.get(self.names[a], ())))
        sides[1].update(map(_kind_label, doc.items.get(self.names[b], ())))
        joint = self.joint
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
            joint[pair, key[0], x[LABEL], y[LABEL]] += 1
            if x[LABEL] != y[LABEL]:
                loose_a.append(x)
                loose_b.append(y)
            if key[0] == CLAIM:
                self._speakers(present, {a: x, b: y})
        for key, rows in theirs.items():
            if key not in mine:
                loose_b.extend(rows)
        if loose_a and theirs:
            self._overlaps(pair, loose_a, theirs, 1)
        if loose_b and mine:
            self._overlaps(pair, loose_b, mine, 2)

    def finish(self) -> None:
        """Fold the two-annotator walk's counts into the figures' tallies (once, after the pass)."""
        f1 = self.f1
        for pair, (first, second) in self.sides.items():
            for (kind, label), n in first.items():
                f1[pair, kind, label][3] += n
            for (kind, label), n in second.items():
                f1[pair, kind, label][4] += n
        for (pair, kind, la, lb), n in self.joint.items():
            if la == lb:
                tally = f1[pair, kind, la]
                tally[0] += n
                tally[1] += n
                tally[2] += n
            coinc = self.coincidences[kind]
            coinc.units += n
            coinc.pairs[2][la, lb] += n
            coinc.pairs[2][lb, la] += n
            self.contingency[pair, kind].table[la, lb] += n
        self.sides, self.joint = {}, Counter()

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
        wanted = {(row[KIND], row[LABEL]) for row in loose}
        by_label: dict[tuple, list[tuple]] = defaultdict(list)
        for rows in theirs.values():
            for row in rows:
                if (row[KIND], row[LABEL]) in wanted:
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
        speakers = speaker_values([_speaker(unit[i]) if i in unit else None for i in present], self._text)
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
                tally.add_pair(length, segments[pair[0]], segments[pair[1]])
        if self.unitizing is not None and len(present) == len(self.names):
            self.unitizing.add_document(length, [segments[i] for i in present])
