"""Inter-annotator agreement (pure functions: no I/O, no SQL, no Textual).

Figures, per kind (entity, claim, topic, stance) and per label:

* pairwise span F1, *exact* (same offsets and label) and *overlapping* (same label,
  offsets overlap), averaged over the pairs of annotators;
* Cohen's kappa (two annotators) and Krippendorff's alpha (any number, nominal, via the
  ``krippendorff`` package) on the labels of *matched* spans -- spans marked with the same
  offsets by at least two annotators; per label, the label is binarised (L / not L);
* the same two coefficients on stance polarity (a unit is a source -> target pair) and on
  claim speakers (a unit is a claim span; the value is its speaker).

Only accepted items count. A document counts for a pair only when both annotators have
worked on it (have items or a status on it); a figure reports how many documents and
items it rests on. A coefficient that cannot be computed (no units, or every value the
same so that expected disagreement is zero) is ``None``.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import combinations
from typing import Hashable, Iterable, Mapping, Sequence

from annotator.model import CLAIM, KINDS, STANCE, Annotation, Span, Stance

MISSING = None
ALL = "*"  # the "every label" row


# --- the coefficients ------------------------------------------------------------------

def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa for two coders; ``pairs`` holds (coder 1's value, coder 2's value) per unit.

    kappa = (p_o - p_e) / (1 - p_e). Returns None with no units, or when p_e == 1
    (both coders used one and the same category throughout: kappa is undefined).
    """
    n = len(pairs)
    if n == 0:
        return None
    p_o = sum(1 for a, b in pairs if a == b) / n
    first = Counter(a for a, _ in pairs)
    second = Counter(b for _, b in pairs)
    p_e = sum(first[c] * second[c] for c in set(first) | set(second)) / (n * n)
    if math.isclose(p_e, 1.0):
        return None
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(units: Sequence[Sequence[Hashable | None]]) -> float | None:
    """Nominal Krippendorff's alpha. ``units[u][c]`` is coder c's value on unit u, or None.

    Computed by the ``krippendorff`` package (values are coded as integers first).
    Units with fewer than two values are not pairable and do not count. Returns None
    when fewer than one pairable unit exists or when only one value occurs at all.
    """
    pairable = [u for u in units if sum(v is not MISSING for v in u) >= 2]
    if not pairable:
        return None
    domain = sorted({v for u in pairable for v in u if v is not MISSING}, key=repr)
    if len(domain) < 2:
        return None
    import numpy as np
    import krippendorff

    code = {v: i for i, v in enumerate(domain)}
    coders = max(len(u) for u in pairable)
    data = np.full((coders, len(pairable)), np.nan)
    for j, unit in enumerate(pairable):
        for i, v in enumerate(unit):
            if v is not MISSING:
                data[i, j] = code[v]
    value = float(krippendorff.alpha(reliability_data=data, value_domain=list(range(len(domain))),
                                     level_of_measurement="nominal"))
    return None if math.isnan(value) else value


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


# --- units from annotations -------------------------------------------------------------

def _span_unit(value) -> tuple:
    """What makes two items 'the same place': offsets for spans, the two ends for stances."""
    if isinstance(value, Stance):
        return (value.source.start, value.source.end, value.target.start, value.target.end)
    return (value.start, value.end)


def _overlaps(a, b) -> bool:
    if isinstance(a, Stance):
        return (a.source.start < b.source.end and b.source.start < a.source.end
                and a.target.start < b.target.end and b.target.start < a.target.end)
    return a.start < b.end and b.start < a.end


def speaker_value(span: Span) -> str | None:
    """A claim's speaker as a comparable value: AUTHOR, UNNAMED, or 'start-end' of the speaker span."""
    sp = span.attrs.get("speaker")
    if sp is None or sp == "":
        return None
    if isinstance(sp, Mapping):
        try:
            return f"{int(sp['start'])}-{int(sp['end'])}"
        except (KeyError, TypeError, ValueError):
            return None
    return str(sp)


@dataclass
class Figure:
    """One row of the report: a kind and a label (``*`` for every label)."""

    kind: str
    label: str
    f1_exact: float | None = None
    f1_overlap: float | None = None
    kappa: float | None = None
    alpha: float | None = None
    documents: int = 0      # documents the F1 rests on (worked on by at least two annotators)
    items: int = 0          # items (accepted, of this kind/label) in those documents
    units: int = 0          # matched units the kappa/alpha rest on

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("kind", "label", "f1_exact", "f1_overlap", "kappa", "alpha", "documents", "items", "units")}


@dataclass
class Report:
    annotators: list[str]
    documents: int                      # documents worked on by at least two of them
    rows: list[Figure] = field(default_factory=list)
    polarity: Figure | None = None      # stance polarity on matched source->target pairs
    speakers: Figure | None = None      # claim speakers on matched claim spans
    pairs: dict[str, dict] = field(default_factory=dict)  # "a|b" -> {"documents", "f1_exact", ...}

    def to_dict(self) -> dict:
        return {"annotators": self.annotators, "documents": self.documents,
                "figures": [r.to_dict() for r in self.rows],
                "stance_polarity": self.polarity.to_dict() if self.polarity else None,
                "claim_speakers": self.speakers.to_dict() if self.speakers else None,
                "pairs": self.pairs}


LayerData = Mapping[str, Mapping[str, Sequence[Annotation]]]  # annotator -> doc_id -> items


def _accepted(items: Iterable[Annotation], kind: str, label: str) -> list:
    return [a.value for a in items
            if a.accepted and a.value.kind == kind and (label == ALL or a.value.label == label)]


def _pair_f1(a_items: list, b_items: list) -> tuple[int, int, int, int, int]:
    """(exact matches, A overlapping some B, B overlapping some A, |A|, |B|) with labels equal."""
    a_keys = Counter((_span_unit(v), v.label) for v in a_items)
    b_keys = Counter((_span_unit(v), v.label) for v in b_items)
    exact = sum((a_keys & b_keys).values())
    a_hit = sum(1 for v in a_items if any(w.label == v.label and _overlaps(v, w) for w in b_items))
    b_hit = sum(1 for w in b_items if any(w.label == v.label and _overlaps(v, w) for v in a_items))
    return exact, a_hit, b_hit, len(a_items), len(b_items)


def _units(layers: LayerData, names: list[str], docs: Iterable[str], kind: str, value_of) -> list[list]:
    """Matched units: one per (document, place) marked by at least two annotators."""
    units = []
    for doc in docs:
        table: dict[tuple, list] = defaultdict(lambda: [MISSING] * len(names))
        for i, name in enumerate(names):
            for v in sorted(_accepted(layers.get(name, {}).get(doc, ()), kind, ALL),
                            key=lambda v: (_span_unit(v), v.label), reverse=True):
                table[_span_unit(v)][i] = value_of(v)  # several labels at one place: the first wins
        units.extend(u for u in table.values() if sum(x is not MISSING for x in u) >= 2)
    return units


def _coefficients(units: list[list], names: list[str]) -> tuple[float | None, float | None]:
    alpha = krippendorff_alpha(units)
    kappa = None
    if len(names) == 2:
        kappa = cohen_kappa([(u[0], u[1]) for u in units if u[0] is not MISSING and u[1] is not MISSING])
    return kappa, alpha


def compute(layers: LayerData, worked: Mapping[str, set[str]] | None = None,
            annotators: Sequence[str] | None = None) -> Report:
    """Agreement among ``annotators`` (default: every layer in ``layers``).

    ``layers[name][doc_id]`` lists that annotator's items on the document; ``worked[name]``
    is the set of documents the annotator has worked on (default: those with items).
    """
    names = list(annotators) if annotators is not None else sorted(layers)
    worked = {n: set((worked or {}).get(n, set())) | set(layers.get(n, {})) for n in names}
    pair_docs = {(a, b): sorted(worked[a] & worked[b]) for a, b in combinations(names, 2)}
    shared = sorted({d for docs in pair_docs.values() for d in docs})
    report = Report(names, len(shared))

    labels: dict[str, set[str]] = defaultdict(set)
    for n in names:
        for doc in shared:
            for a in layers.get(n, {}).get(doc, ()):
                if a.accepted:
                    labels[a.value.kind].add(a.value.label)

    for kind in KINDS:
        if kind not in labels:
            continue
        for label in [ALL] + sorted(labels[kind]):
            fig = Figure(kind, label, documents=len(shared))
            fig.items = sum(len(_accepted(layers.get(n, {}).get(d, ()), kind, label)) for n in names for d in shared)
            f_exact, f_overlap = [], []
            for (a, b), docs in pair_docs.items():
                sums = [0, 0, 0, 0, 0]
                for d in docs:
                    got = _pair_f1(_accepted(layers.get(a, {}).get(d, ()), kind, label),
                                   _accepted(layers.get(b, {}).get(d, ()), kind, label))
                    sums = [x + y for x, y in zip(sums, got)]
                exact, a_hit, b_hit, na, nb = sums
                fe, fo = f1(exact, na, exact, nb), f1(a_hit, na, b_hit, nb)
                if fe is not None:
                    f_exact.append(fe)
                    f_overlap.append(fo)
                if label == ALL:
                    pair = report.pairs.setdefault(f"{a}|{b}", {"documents": len(docs)})
                    pair[kind] = {"f1_exact": fe, "f1_overlap": fo, "items": na + nb}
            fig.f1_exact = sum(f_exact) / len(f_exact) if f_exact else None
            fig.f1_overlap = sum(f_overlap) / len(f_overlap) if f_overlap else None
            value_of = (lambda v: v.label) if label == ALL else (lambda v, L=label: v.label == L)
            units = _units(layers, names, shared, kind, value_of)
            fig.units = len(units)
            fig.kappa, fig.alpha = _coefficients(units, names)
            report.rows.append(fig)

    if STANCE in labels:
        units = _units(layers, names, shared, STANCE, lambda v: v.polarity)
        report.polarity = Figure(STANCE, "polarity", documents=len(shared), units=len(units))
        report.polarity.kappa, report.polarity.alpha = _coefficients(units, names)
    if CLAIM in labels:
        units = _units(layers, names, shared, CLAIM, speaker_value)
        units = [u for u in units if sum(x is not MISSING for x in u) >= 2]
        report.speakers = Figure(CLAIM, "speaker", documents=len(shared), units=len(units))
        report.speakers.kappa, report.speakers.alpha = _coefficients(units, names)
    return report


# --- text output -----------------------------------------------------------------------

def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def format_report(report: Report) -> str:
    names = ", ".join(report.annotators)
    lines = [f"Agreement among {names} on {report.documents} document(s) worked on by at least two of them."]
    if not report.rows:
        lines.append("No accepted items to compare.")
        return "\n".join(lines)
    head = f"{'kind':<8} {'label':<14} {'F1 exact':>8} {'F1 overlap':>10} {'kappa':>7} {'alpha':>7} {'docs':>5} {'items':>6} {'units':>6}"
    lines += ["", head, "-" * len(head)]
    rows = list(report.rows)
    for extra in (report.polarity, report.speakers):
        if extra is not None:
            rows.append(extra)
    for r in rows:
        lines.append(f"{r.kind:<8} {r.label:<14} {_fmt(r.f1_exact):>8} {_fmt(r.f1_overlap):>10} "
                     f"{_fmt(r.kappa):>7} {_fmt(r.alpha):>7} {r.documents:>5} {r.items if r.items else '':>6} {r.units:>6}")
    lines.append("")
    lines.append("label * = every label. kappa/alpha on labels of spans matched by offsets (per label: L vs not L);")
    lines.append("stance polarity on matched source->target pairs; claim speaker on matched claims.")
    if len(report.annotators) != 2:
        lines.append("kappa needs exactly two annotators (use --annotators A,B); alpha works for any number.")
    return "\n".join(lines)
