"""Agreement figures, checked against worked examples from the literature."""


import pytest

from annotator.teams import agreement
from annotator.model import Annotation, Span, SpanRef, Stance, REJECTED

N = None


def test_krippendorff_2011_nominal_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C:
    # 4 observers, 12 units, missing values; nominal alpha = 0.743.
    A = [1, 2, 3, 3, 2, 1, 4, 1, 2, N, N, N]
    B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, N, 3]
    C = [N, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, N]
    D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, N]
    units = list(zip(A, B, C, D))
    assert round(agreement.krippendorff_alpha(units), 3) == 0.743


def test_krippendorff_2011_binary_two_coders():
    # Krippendorff (2011), section A: two observers, binary data, 10 units; alpha = 0.095.
    A = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0]
    B = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert round(agreement.krippendorff_alpha(list(zip(A, B))), 3) == 0.095


def test_krippendorff_values_need_not_be_numbers():
    units = [("PERSON", "PERSON"), ("ORG", "ORG"), ("ORG", "GPE"), ("GPE", "GPE")]
    codes = {"PERSON": 1, "ORG": 2, "GPE": 3}
    numeric = [(codes[a], codes[b]) for a, b in units]
    assert agreement.krippendorff_alpha(units) == pytest.approx(agreement.krippendorff_alpha(numeric))


def _table(yy, yn, ny, nn):
    return [("yes", "yes")] * yy + [("yes", "no")] * yn + [("no", "yes")] * ny + [("no", "no")] * nn


def test_cohen_kappa_textbook_example():
    # The standard example (Wikipedia "Cohen's kappa"): 50 grant proposals read by A and B,
    # 20 yes/yes, 5 yes/no, 10 no/yes, 15 no/no: p_o = 0.7, p_e = 0.5, kappa = 0.4.
    assert agreement.cohen_kappa(_table(20, 5, 10, 15)) == pytest.approx(0.4)


def test_cohen_kappa_same_agreement_different_marginals():
    # Same source, the paradox examples: 45/15/25/15 -> 0.1304 and 25/35/5/35 -> 0.2593.
    assert agreement.cohen_kappa(_table(45, 15, 25, 15)) == pytest.approx(0.1304, abs=1e-4)
    assert agreement.cohen_kappa(_table(25, 35, 5, 35)) == pytest.approx(0.2593, abs=1e-4)


def test_krippendorff_2011_nominal_two_coders_no_missing():
    # Krippendorff (2011), section B: two observers, nominal values a-e, 12 units; alpha = 0.692.
    A = "a a b b d c c c e d d a".split()
    B = "b a b b b c c c e d d d".split()
    assert round(agreement.krippendorff_alpha(list(zip(A, B))), 3) == 0.692


def test_cohen_kappa_three_categories_by_hand():
    # p_o = 0.89; marginals (80, 10, 10) and (80, 5, 15): p_e = 0.66; kappa = 0.23 / 0.34.
    cells = {("p", "p"): 75, ("p", "n"): 1, ("p", "o"): 4, ("n", "p"): 5, ("n", "n"): 4,
             ("n", "o"): 1, ("o", "o"): 10}
    pairs = [pair for pair, n in cells.items() for _ in range(n)]
    assert agreement.cohen_kappa(pairs) == pytest.approx(0.23 / 0.34)


def test_degenerate_coefficients_are_none():
    assert agreement.cohen_kappa([]) is None
    assert agreement.cohen_kappa([("a", "a"), ("a", "a")]) is None
    assert agreement.krippendorff_alpha([("a", "a")]) is None
    assert agreement.krippendorff_alpha([("a", None)]) is None


def test_cohen_kappa_and_alpha_agree_for_large_samples():
    pairs = _table(20, 5, 10, 15) * 20
    assert agreement.krippendorff_alpha(pairs) == pytest.approx(agreement.cohen_kappa(pairs), abs=0.01)


def ann(layer, value, doc="d1", status="accepted"):
    return Annotation(f"{layer}-{id(value)}", doc, layer, value, status)


def ent(s, e, label):
    return Span(s, e, label, "entity")


def test_span_f1_exact_and_overlapping():
    alice = [ent(0, 5, "PERSON"), ent(10, 20, "ORG"), ent(30, 35, "GPE")]
    bob = [ent(0, 5, "PERSON"), ent(12, 20, "ORG"), ent(30, 35, "LOC"), ent(40, 45, "DATE")]
    layers = {"alice": {"d1": [ann("alice", v) for v in alice]},
              "bob": {"d1": [ann("bob", v) for v in bob]}}
    rep = agreement.compute(layers)
    row = next(r for r in rep.rows if r.kind == "entity" and r.label == "*")
    assert row.f1_exact == pytest.approx(2 * 1 / (3 + 4))
    # overlapping: alice 2/3 recalled, bob 2/4 precise -> F1 = 2pr/(p+r)
    p, r = 2 / 4, 2 / 3
    assert row.f1_overlap == pytest.approx(2 * p * r / (p + r))
    assert row.documents == 1 and row.items == 7
    # matched units by offsets: (0,5) PERSON/PERSON and (30,35) GPE/LOC
    assert row.units == 2
    assert row.kappa == pytest.approx(agreement.cohen_kappa([("PERSON", "PERSON"), ("GPE", "LOC")]))
    per_label = {r.label: r for r in rep.rows if r.kind == "entity"}
    assert per_label["PERSON"].f1_exact == 1.0
    assert per_label["DATE"].f1_exact == 0.0


def test_rejected_items_and_unshared_documents_do_not_count():
    layers = {"alice": {"d1": [ann("alice", ent(0, 5, "PERSON")), ann("alice", ent(6, 9, "ORG"), status=REJECTED)],
                        "d2": [ann("alice", ent(0, 5, "ORG"), doc="d2")]},
              "bob": {"d1": [ann("bob", ent(0, 5, "PERSON"))]}}
    rep = agreement.compute(layers)
    assert rep.documents == 1
    row = next(r for r in rep.rows if r.label == "*")
    assert row.f1_exact == 1.0 and row.items == 2


def test_document_worked_on_without_items_counts_as_empty():
    layers = {"alice": {"d1": [ann("alice", ent(0, 5, "PERSON"))]}, "bob": {}}
    rep = agreement.compute(layers, worked={"bob": {"d1"}})
    row = next(r for r in rep.rows if r.label == "*")
    assert rep.documents == 1 and row.f1_exact == 0.0


def test_stance_polarity_and_claim_speakers():
    src, tgt = SpanRef(0, 5, "GPE"), SpanRef(20, 30, "ORG")
    src2, tgt2 = SpanRef(40, 45, "GPE"), SpanRef(50, 55, "ORG")
    a = [Stance(src, tgt, "FAVOR"), Stance(src2, tgt2, "AGAINST"),
         Span(60, 90, "CLAIM", "claim", {"speaker": {"start": 0, "end": 5, "label": "PERSON"}}),
         Span(100, 120, "CLAIM", "claim", {"speaker": "AUTHOR"})]
    b = [Stance(src, tgt, "FAVOR"), Stance(src2, tgt2, "NEUTRAL"),
         Span(60, 90, "CLAIM", "claim", {"speaker": {"start": 0, "end": 5, "label": "PERSON"}}),
         Span(100, 120, "CLAIM", "claim", {"speaker": "UNNAMED"})]
    layers = {"a": {"d1": [ann("a", v) for v in a]}, "b": {"d1": [ann("b", v) for v in b]}}
    rep = agreement.compute(layers)
    assert rep.polarity.units == 2
    assert rep.polarity.kappa == pytest.approx(agreement.cohen_kappa([("FAVOR", "FAVOR"), ("AGAINST", "NEUTRAL")]))
    assert rep.speakers.units == 2
    assert rep.speakers.kappa == pytest.approx(agreement.cohen_kappa([("0-5", "0-5"), ("AUTHOR", "UNNAMED")]))
    d = rep.to_dict()
    assert d["stance_polarity"]["units"] == 2 and d["claim_speakers"]["units"] == 2
    text = agreement.format_report(rep)
    assert "polarity" in text and "speaker" in text


def test_three_annotators_alpha_only():
    layers = {n: {"d1": [ann(n, ent(0, 5, lab)), ann(n, ent(6, 9, "ORG"))]}
              for n, lab in (("a", "PERSON"), ("b", "PERSON"), ("c", "ORG"))}
    rep = agreement.compute(layers)
    row = next(r for r in rep.rows if r.label == "*")
    assert row.kappa is None
    assert row.alpha == pytest.approx(agreement.krippendorff_alpha(
        [("PERSON", "PERSON", "ORG"), ("ORG", "ORG", "ORG")]))
    assert len(rep.pairs) == 3
    assert "kappa needs exactly two" in agreement.format_report(rep)
