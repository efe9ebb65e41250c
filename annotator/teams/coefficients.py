"""Agreement coefficients, computed from running tallies so memory never grows with the corpus.

* :class:`Coincidences` -- Krippendorff's coincidence matrix for nominal data: observed
  agreement and nominal alpha, for any number of coders and missing values;
* :class:`Contingency` -- two coders' paired values: observed agreement and Cohen's kappa;
* :class:`UnitizingAlpha` -- Krippendorff's unitizing alpha (alpha_u) over one continuum
  made of consecutive documents.

Each tally only grows with the number of distinct values (labels), never with the number
of units, so a corpus of any size is measured in bounded memory. (The ``krippendorff``
package needs the whole units-by-coders matrix in memory; the tests check these figures
against it and against the worked examples of the literature.)

A coefficient that is undefined (no units, or no variation so that expected disagreement
is zero) is ``None``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from fractions import Fraction
from itertools import permutations
from typing import Hashable, Iterable, Mapping, Sequence

MISSING = None


def _binary(value: Hashable, label: Hashable) -> bool:
    return value == label


class Coincidences:
    """Nominal coincidences o_ck = sum over units of (c-k value pairs) / (m_u - 1) (Krippendorff 2011)."""

    def __init__(self) -> None:
        # by m_u, so the 1 / (m_u - 1) weights stay exact integers until the end
        self.pairs: dict[int, Counter] = defaultdict(Counter)
        self.units = 0

    def add(self, values: Sequence[Hashable | None]) -> None:
        """One unit: the values its coders gave (None = this coder gave none)."""
        present = [v for v in values if v is not MISSING]
        if len(present) < 2:
            return
        self.units += 1
        tally = self.pairs[len(present)]
        if len(present) == 2:
            a, b = present
            tally[a, b] += 1
            tally[b, a] += 1
            return
        for a, b in permutations(present, 2):
            tally[a, b] += 1

    def matrix(self, label: Hashable | None = None) -> dict[tuple, Fraction]:
        """The coincidence matrix; with ``label``, binarised (label / not label)."""
        out: dict[tuple, Fraction] = defaultdict(Fraction)
        for m, tally in self.pairs.items():
            for (a, b), n in tally.items():
                key = (a, b) if label is None else (_binary(a, label), _binary(b, label))
                out[key] += Fraction(n, m - 1)
        return dict(out)

    def observed(self, label: Hashable | None = None) -> float | None:
        """Observed agreement: the share of pairable values matched by an equal value."""
        o = self.matrix(label)
        n = sum(o.values())
        return float(sum(v for (a, b), v in o.items() if a == b) / n) if n else None

    def alpha(self, label: Hashable | None = None) -> float | None:
        """Nominal alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c * n_k."""
        o = self.matrix(label)
        n = sum(o.values())
        if n <= 1:
            return None
        marginal: Counter = Counter()
        for (a, _), v in o.items():
            marginal[a] += v
        disagree = sum(v for (a, b), v in o.items() if a != b)
        expected = n * n - sum(v * v for v in marginal.values())
        if expected == 0:
            return None
        return float(1 - (n - 1) * disagree / expected)


class Contingency:
    """Two coders' values on the units both coded: a (value 1, value 2) -> count table."""

    def __init__(self) -> None:
        self.table: Counter = Counter()

    def add(self, a: Hashable, b: Hashable) -> None:
        self.table[a, b] += 1

    @property
    def units(self) -> int:
        return sum(self.table.values())

    def _cells(self, label: Hashable | None) -> Counter:
        if label is None:
            return self.table
        out: Counter = Counter()
        for (a, b), n in self.table.items():
            out[_binary(a, label), _binary(b, label)] += n
        return out

    def observed(self, label: Hashable | None = None) -> float | None:
        cells = self._cells(label)
        n = sum(cells.values())
        return sum(v for (a, b), v in cells.items() if a == b) / n if n else None

    def kappa(self, label: Hashable | None = None) -> float | None:
        """Cohen's kappa = (p_o - p_e) / (1 - p_e); None without units or when p_e == 1."""
        cells = self._cells(label)
        n = sum(cells.values())
        if n == 0:
            return None
        first: Counter = Counter()
        second: Counter = Counter()
        for (a, b), v in cells.items():
            first[a] += v
            second[b] += v
        p_o = Fraction(sum(v for (a, b), v in cells.items() if a == b), n)
        p_e = Fraction(sum(first[c] * second[c] for c in first), n * n)
        if p_e == 1:
            return None
        return float((p_o - p_e) / (1 - p_e))


def cohen_kappa(pairs: Iterable[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two coders; ``pairs`` holds (coder 1's value, coder 2's value) per unit."""
    table = Contingency()
    for a, b in pairs:
        table.add(a, b)
    return table.kappa()


def krippendorff_alpha(units: Iterable[Sequence[Hashable | None]]) -> float | None:
    """Nominal Krippendorff's alpha. ``units[u][c]`` is coder c's value on unit u, or None.

    Units with fewer than two values are not pairable and do not count. None when there is
    no pairable unit or only one value occurs at all.
    """
    tally = Coincidences()
    for unit in units:
        tally.add(unit)
    return tally.alpha()


# --- unitizing alpha -------------------------------------------------------------------

Segments = Sequence[tuple[int, int]]  # (start, end) of one coder's units of one category, sorted


def merge_segments(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """One coder's units of one category as a segmentation: sorted, overlapping ones joined.

    alpha_u assumes a coder's units of one category never overlap; nested or overlapping
    spans of one label (rare: a merge conflict, a nested entity) count as their union.
    Touching units stay two units.
    """
    out: list[list[int]] = []
    for start, end in sorted(spans):
        if end <= start:
            continue
        if out and start < out[-1][1]:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(s, e) for s, e in out]


def pair_distance(first: Segments, second: Segments) -> int:
    """Sum of Krippendorff's squared distances between two coders' segmentations of one stretch.

    Two overlapping units: (start difference)^2 + (end difference)^2. A unit lying wholly in
    the other coder's gap: its length^2. Anything else (gaps against gaps, a unit only partly
    in a gap) is 0 -- the overlapping unit already counts it.
    """
    if not first or not second:
        return sum((e - s) ** 2 for s, e in first or second)
    if len(first) == 1 and len(second) == 1:
        (s1, e1), (s2, e2) = first[0], second[0]
        if s1 < e2 and s2 < e1:
            return (s1 - s2) ** 2 + (e1 - e2) ** 2
        return (e1 - s1) ** 2 + (e2 - s2) ** 2
    total = 0
    hit_second = [False] * len(second)
    j0 = 0
    for s1, e1 in first:
        while j0 < len(second) and second[j0][1] <= s1:
            j0 += 1
        j = j0
        hit = False
        while j < len(second) and second[j][0] < e1:
            s2, e2 = second[j]
            total += (s1 - s2) ** 2 + (e1 - e2) ** 2
            hit = hit_second[j] = True
            j += 1
        if not hit:
            total += (e1 - s1) ** 2
    total += sum((e - s) ** 2 for (s, e), hit in zip(second, hit_second) if not hit)
    return total



def _count_segments(st: list, k: int, segs: Segments, base: int) -> None:
    """Count coder ``k``'s segments of one document (placed at ``base`` in the joined text) into a
    category's state: each unit's length, and each gap since that coder's previous segment."""
    units, gaps, gap_from = st[1], st[2], st[3]
    start = gap_from[k]
    for s, e in segs:
        if base + s > start:
            gaps[base + s - start] += 1
        units[e - s] += 1
        start = base + e
    gap_from[k] = start

class UnitizingAlpha:
    """Krippendorff's alpha_u, per category, over one continuum of consecutive documents.

    From Krippendorff (1995) "On the reliability of unitizing contiguous data" and (2004)
    "Measuring the reliability of qualitative text analysis data", as DKPro Agreement and
    INCEpTION compute it: every coder segments the whole continuum; for each category,

        D_o = 2 * sum over coder pairs of the squared distances / (m (m - 1) L^2)
        D_e = (2 / L) * sum over units u [ (N_c - 1)(2 l^3 - 3 l^2 + l) / 3
                                            + l^2 * sum over gaps g >= l of (g - l + 1) ]
              / (m L (m L - 1) - sum over units l (l - 1))
        alpha_u = 1 - D_o / D_e

    with m coders, L the continuum's length, l a unit's length, N_c the number of units of
    the category (all coders) and the gaps those between one coder's units of the category.
    Documents are laid end to end, so a gap can run from one document into the next.
    Only counters of lengths are kept: memory does not grow with the corpus.
    """

    def __init__(self, coders: int) -> None:
        self.coders = coders
        self.length = 0      # L so far
        self.documents = 0
        # category -> [summed pair distances, unit lengths, gap lengths, per coder where its open gap began]
        self._state: dict[Hashable, list] = {}

    def add_document(self, length: int, coders: Sequence[Mapping[Hashable, Segments]]) -> None:
        """One document of ``length`` characters: per coder, category -> its merged segments."""
        base = self.length
        state = self._state
        n = len(coders)
        categories = coders[0].keys() | coders[1].keys() if n == 2 else {c for segs in coders for c in segs}
        for c in categories:
            st = state.get(c)
            if st is None:
                st = state[c] = [0, Counter(), Counter(), [0] * n]
            per_coder = [segs.get(c, ()) for segs in coders]
            if n == 2:
                st[0] += pair_distance(per_coder[0], per_coder[1])
            else:
                st[0] += sum(pair_distance(per_coder[i], per_coder[j]) for i in range(n) for j in range(i + 1, n))
            for k, segs in enumerate(per_coder):
                if segs:
                    _count_segments(st, k, segs, base)
        self.length += length
        self.documents += 1

    def add_pair(self, length: int, first: Mapping[Hashable, Segments], second: Mapping[Hashable, Segments]) -> None:
        """:meth:`add_document` for exactly two coders (the common case, kept lean)."""
        base = self.length
        state = self._state
        for c in first.keys() | second.keys():
            st = state.get(c)
            if st is None:
                st = state[c] = [0, Counter(), Counter(), [0, 0]]
            s1, s2 = first.get(c, ()), second.get(c, ())
            st[0] += pair_distance(s1, s2)
            if s1:
                _count_segments(st, 0, s1, base)
            if s2:
                _count_segments(st, 1, s2, base)
        self.length += length
        self.documents += 1

    @property
    def categories(self) -> list:
        return sorted(self._state, key=str)

    def units(self, category: Hashable) -> int:
        st = self._state.get(category)
        return sum(st[1].values()) if st else 0

    def observed(self, category: Hashable) -> float | None:
        m, L = self.coders, self.length
        if m < 2 or L == 0:
            return None
        st = self._state.get(category)
        return 2 * (st[0] if st else 0) / (m * (m - 1) * L * L)

    def expected(self, category: Hashable) -> float | None:
        m, L = self.coders, self.length
        st = self._state.get(category)
        if m < 2 or L == 0 or not st or not st[1]:
            return None
        units, gaps = st[1], Counter(st[2])
        for end in st[3]:  # every coder's last gap, to the end of the continuum
            if L > end:
                gaps[L - end] += 1
        n_c = sum(units.values())
        # sum over gaps g >= l of (g - l + 1) = G1(l) - (l - 1) * G0(l), with G0 = count, G1 = sum of lengths
        gap_sizes = sorted(gaps, reverse=True)
        total, g0, g1, at = 0, 0, 0, 0
        for l in sorted(units, reverse=True):
            while at < len(gap_sizes) and gap_sizes[at] >= l:
                g0 += gaps[gap_sizes[at]]
                g1 += gap_sizes[at] * gaps[gap_sizes[at]]
                at += 1
            per_unit = (n_c - 1) * (2 * l ** 3 - 3 * l ** 2 + l) // 3 + l * l * (g1 - (l - 1) * g0)
            total += units[l] * per_unit
        denominator = m * L * (m * L - 1) - sum(n * l * (l - 1) for l, n in units.items())
        if denominator <= 0:
            return None
        return float(Fraction(2 * total, L * denominator))

    def alpha(self, category: Hashable | None = None) -> float | None:
        """alpha_u of one category; with None, of all categories together (1 - sum D_o / sum D_e)."""
        cats = self.categories if category is None else [category]
        observed = expected = 0.0
        for c in cats:
            d_o, d_e = self.observed(c), self.expected(c)
            if d_o is None or d_e is None:
                continue
            observed += d_o
            expected += d_e
        if expected == 0:
            return None
        return 1 - observed / expected


def unitizing_alpha(length: int, units: Iterable[tuple[int, int, int, Hashable]], coders: int,
                    category: Hashable | None = None) -> float | None:
    """alpha_u on one continuum of ``length``; ``units`` holds (coder, start, length, category)."""
    per_coder: list[dict] = [defaultdict(list) for _ in range(coders)]
    for coder, start, size, cat in units:
        per_coder[coder][cat].append((start, start + size))
    tally = UnitizingAlpha(coders)
    tally.add_document(length, [{c: merge_segments(s) for c, s in segs.items()} for segs in per_coder])
    return tally.alpha(category)


def finite(x: float | None) -> float | None:
    """None for a missing or non-finite figure (JSON has no NaN)."""
    return None if x is None or not math.isfinite(x) else x
