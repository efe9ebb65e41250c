"""Inter-annotator agreement, measured in one streaming pass (no SQL, no Textual here).

Per kind (entity, claim, topic, stance) and per label:

* pairwise span F1, *exact* (same offsets and label) and *overlapping* (same label, offsets
  overlap), pooled over the pairs of annotators (matches and items summed over the pairs, so
  each pair weighs by how much it annotated; each pair's own F1 is in :attr:`Report.pairs`);
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
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Iterable, Mapping, Sequence

from annotator.model import CLAIM, KINDS, STANCE, Annotation
from annotator.teams.coefficients import (Coincidences, Contingency, UnitizingAlpha, cohen_kappa, finite,
                                           krippendorff_alpha)
from annotator.teams.items import DocumentItems, from_layers, from_store, speaker_text
from annotator.teams.tally import Tally, pair_up
from annotator.textsafe import one_line

__all__ = ["ALL", "Figure", "Report", "DocumentItems", "measure", "compute", "from_database", "from_store",
           "from_layers", "format_report", "f1", "cohen_kappa", "krippendorff_alpha", "pair_up", "speaker_text"]

ALL = "*"  # the "every label" row
LABEL_WIDTH = 40  # the text report's label column at its widest


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


def measure(documents: Iterable[DocumentItems], annotators: Sequence[str], *, fast: bool = True) -> Report:
    """Agreement among ``annotators`` over a stream of documents (one pass, bounded memory).

    ``fast=False`` uses the general code for documents two annotators share too (tests
    compare the two)."""
    names = list(annotators)
    tally = Tally(names, fast)
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
    tally.finish()
    return _report(tally)


def _report(t: Tally) -> Report:
    t.labels = defaultdict(set)
    for kind, label in t.items:
        t.labels[kind].add(label)
    report = Report(t.names, t.documents)
    for kind in KINDS:
        for label in [ALL] + sorted(t.labels[kind]) if kind in t.labels else []:
            report.rows.append(_label_figure(t, kind, label))
    if STANCE in t.labels:
        report.polarity = _coincidence_figure(t, STANCE, "polarity", STANCE)
    if CLAIM in t.labels:
        report.speakers = _coincidence_figure(t, "speaker", "speaker", CLAIM)
    for pair in t.pairs:
        if t.pair_documents[pair]:
            a, b = pair
            report.pairs[f"{t.names[a]}|{t.names[b]}"] = _pair_entry(t, pair)
    return report


def _f1_sums(t: Tally, pair, kind: str, label: str = ALL) -> list[int]:
    """[exact, hits of A, hits of B, |A|, |B|] of one pair over a kind (and label)."""
    rows = [v for (p, k, lab), v in t.f1.items() if p == pair and k == kind and label in (ALL, lab)]
    return [sum(x) for x in zip(*rows)] or [0, 0, 0, 0, 0]


def _label_figure(t: Tally, kind: str, label: str) -> Figure:
    """One row: F1 pooled over the pairs; coincidence figures; alpha_u on the common continuum."""
    coinc = t.coincidences.get(kind, Coincidences())
    unitizing = t.unitizing if t.unitizing is not None else t.pair_unitizing.get((0, 1))
    fig = Figure(kind, label, documents=t.documents, units=coinc.units,
                 alpha_u_documents=unitizing.documents if unitizing is not None else 0)
    fig.items = sum(n for (k, lab), n in t.items.items() if k == kind and label in (ALL, lab))
    # pooled over the pairs (each pair weighs by its items, as the units of agree and alpha do):
    # a pair that shares one stance must not count as much as one that shares fifty
    pooled = [sum(x) for x in zip(*(_f1_sums(t, pair, kind, label) for pair in t.pairs))]
    fig.f1_exact, fig.f1_overlap = _f1(*pooled) if pooled else (None, None)
    key = None if label == ALL else label
    fig.observed, fig.alpha = coinc.observed(key), coinc.alpha(key)
    table = t.contingency.get(((0, 1), kind)) if len(t.names) == 2 else None
    fig.kappa = table.kappa(key) if table is not None else None
    if kind != STANCE and unitizing is not None:
        cats = [c for c in unitizing.categories if c[0] == kind and label in (ALL, c[1])]
        fig.alpha_u = _alpha_u_of(unitizing, cats)
        fig.alpha_u_units = sum(unitizing.units(c) for c in cats)
    return fig


def _pair_entry(t: Tally, pair) -> dict:
    """One pair's figures per kind (and claim speakers), with the confusion matrix of labels."""
    a, b = pair
    entry: dict = {"annotators": [t.names[a], t.names[b]], "documents": t.pair_documents[pair]}
    for kind in [k for k in KINDS if k in t.labels] + (["speaker"] if CLAIM in t.labels else []):
        table = t.contingency.get((pair, kind), Contingency())
        figures: dict = {"observed": table.observed(), "kappa": table.kappa(), "units": table.units,
                         "confusion": [[x, y, n] for (x, y), n in sorted(table.table.items())]}
        if kind != "speaker":
            sums = _f1_sums(t, pair, kind)
            figures["f1_exact"], figures["f1_overlap"] = _f1(*sums)
            figures["items"] = sums[3] + sums[4]
        if kind not in (STANCE, "speaker") and pair in t.pair_unitizing:
            u = t.pair_unitizing[pair]
            figures["alpha_u"] = _alpha_u_of(u, [c for c in u.categories if c[0] == kind])
        entry[kind] = figures
    return entry


def _alpha_u_of(tally: UnitizingAlpha, categories: list) -> float | None:
    observed = expected = 0.0
    for c in categories:
        d_o, d_e = tally.observed(c), tally.expected(c)
        if d_o is not None and d_e is not None:
            observed, expected = observed + d_o, expected + d_e
    return finite(1 - observed / expected) if expected else None


def _coincidence_figure(t: Tally, key: str, label: str, kind: str) -> Figure:
    coinc = t.coincidences.get(key, Coincidences())
    table = t.contingency.get(((0, 1), key)) if len(t.names) == 2 else None
    return Figure(kind, label, observed=coinc.observed(), alpha=coinc.alpha(),
                  kappa=table.kappa() if table is not None else None, documents=t.documents, units=coinc.units)


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
    names = ", ".join(one_line(n, 200) for n in report.annotators)
    lines = [f"Agreement among {names} on {report.documents} document(s) worked on by at least two of them."]
    if not report.rows:
        lines.append("No accepted items to compare.")
        return "\n".join(lines)
    rows = list(report.rows) + [r for r in (report.polarity, report.speakers) if r is not None]
    # as wide as the longest label (up to LABEL_WIDTH): cut labels could read the same
    width = max([14] + [min(LABEL_WIDTH, len(one_line(r.label, LABEL_WIDTH))) for r in rows])
    head = (f"{'kind':<8} {'label':<{width}} {'F1 exact':>8} {'F1 overlap':>10} {'agree':>6} {'kappa':>7} "
            f"{'alpha':>7} {'alpha_u':>7} {'docs':>5} {'items':>6} {'units':>6}")
    lines += ["", head, "-" * len(head)]
    for r in rows:
        label = f"{one_line(r.label, width):<{width}}"
        alpha_u = _fmt(r.alpha_u) if r.kind != STANCE and r.label not in ("speaker",) else ""
        lines.append(f"{r.kind:<8} {label} {_fmt(r.f1_exact):>8} {_fmt(r.f1_overlap):>10} "
                     f"{_pct(r.observed):>6} {_fmt(r.kappa):>7} {_fmt(r.alpha):>7} {alpha_u:>7} "
                     f"{r.documents:>5} {r.items if r.items else '':>6} {r.units:>6}")
    lines += ["",
              "label * = every label. agree (observed agreement), kappa and alpha: on the labels of spans",
              "matched by offsets (per label: L vs not L); units = how many. alpha_u: boundaries and presence",
              "together, over the whole text. stance polarity on matched source->target pairs; claim speaker on",
              "matched claims (by span when all gave one, else by name)."]
    u_docs = next((r.alpha_u_documents for r in report.rows), 0)
    if len(report.annotators) > 2:
        lines.append(f"alpha_u rests on the {u_docs} document(s) every one of them worked on"
                     + ("; each pair's is below." if report.pairs else "."))
        lines.append("kappa needs exactly two annotators: each pair's is below; alpha works for any number.")
        lines += _pairs_lines(report)
    elif len(report.annotators) != 2:
        lines.append("kappa needs exactly two annotators (use --annotators A,B); alpha works for any number.")
    return "\n".join(lines)


def _pairs_lines(report: Report) -> list[str]:
    """With more than two annotators, each pair on the documents it shares: with documents shared
    two at a time (``assign --overlap 2``), kappa and alpha_u exist only pair by pair."""
    if not report.pairs:
        return []
    head = (f"{'pair':<27} {'docs':>5}  {'kind':<8} {'F1 exact':>8} {'agree':>6} {'kappa':>7} {'alpha_u':>7} "
            f"{'items':>6} {'units':>6}")
    lines = ["", "Per pair, on the documents the two share:", "", head, "-" * len(head)]
    for entry in report.pairs.values():
        name = one_line(" · ".join(entry["annotators"]), 27)
        first = True
        for kind in [k for k in (*KINDS, "speaker") if k in entry]:
            f = entry[kind]
            label = "claim sp." if kind == "speaker" else kind
            alpha_u = _fmt(f["alpha_u"]) if "alpha_u" in f else ""
            f1_exact = _fmt(f["f1_exact"]) if "f1_exact" in f else ""
            lines.append(f"{name if first else '':<27} {entry['documents'] if first else '':>5}  {label:<8} "
                         f"{f1_exact:>8} {_pct(f['observed']):>6} {_fmt(f['kappa']):>7} {alpha_u:>7} "
                         f"{f.get('items', ''):>6} {f['units']:>6}")
            first = False
    return lines
