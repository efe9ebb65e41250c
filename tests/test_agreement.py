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


# --- observed agreement, alpha against the krippendorff package (issue 15.8) ---------------------

def test_observed_agreement_beside_a_zero_kappa():
    # One annotator always says GPE: 14 of 15 matched labels agree, yet kappa is 0 and alpha
    # not above 0. Observed agreement tells the reader why the coefficients look alarming.
    a = [ent(10 * i, 10 * i + 5, "GPE") for i in range(15)]
    b = [ent(10 * i, 10 * i + 5, "GPE" if i else "LOC") for i in range(15)]
    rep = agreement.compute({"a": {"d1": [ann("a", v) for v in a]}, "b": {"d1": [ann("b", v) for v in b]}})
    row = next(r for r in rep.rows if r.label == "*")
    assert row.observed == pytest.approx(14 / 15) and row.units == 15
    assert row.kappa == pytest.approx(0.0) and row.alpha <= 0
    d = rep.to_dict()["figures"][0]
    assert d["observed"] == pytest.approx(14 / 15) and d["units"] == 15 and d["items"] == 30
    text = agreement.format_report(rep)
    assert "93.3%" in text and "agree" in text


@pytest.mark.parametrize("seed", range(30))
def test_nominal_alpha_matches_the_krippendorff_package(seed):
    np = pytest.importorskip("numpy")
    kd = pytest.importorskip("krippendorff")
    import random

    rng = random.Random(seed)
    coders, n_units = rng.randint(2, 5), rng.randint(2, 40)
    values = "abcd"[:rng.randint(2, 4)]
    units = [[rng.choice(values) if rng.random() > 0.25 else None for _ in range(coders)] for _ in range(n_units)]
    ours = agreement.krippendorff_alpha(units)
    pairable = [u for u in units if sum(v is not None for v in u) >= 2]
    if ours is None:
        assert len({v for u in pairable for v in u if v is not None}) < 2
        return
    data = np.array([[np.nan if u[c] is None else values.index(u[c]) for u in units] for c in range(coders)])
    assert ours == pytest.approx(kd.alpha(reliability_data=data, level_of_measurement="nominal"), abs=1e-9)


# --- unitizing alpha (issue 15.9): the worked examples as DKPro Agreement's tests state them -----

from annotator.teams import coefficients as co  # noqa: E402


def krippendorff_2004():
    # Krippendorff (2004), Content Analysis, p. 254: continuum 150..450, two observers,
    # categories c and k (DKPro Agreement, Krippendorff2004Test).
    units = [(0, 225, 70, "c"), (0, 370, 30, "c"), (1, 220, 80, "c"), (1, 355, 20, "c"), (1, 400, 20, "c"),
             (0, 180, 60, "k"), (0, 300, 50, "k"), (1, 180, 60, "k"), (1, 300, 50, "k")]
    return tally(300, [(r, s - 150, n, c) for r, s, n, c in units], 2)


def tally(length, units, coders):
    per = [{} for _ in range(coders)]
    for r, s, n, c in units:
        per[r].setdefault(c, []).append((s, s + n))
    t = co.UnitizingAlpha(coders)
    t.add_document(length, [{c: co.merge_segments(v) for c, v in p.items()} for p in per])
    return t


def test_unitizing_alpha_krippendorff_2004():
    t = krippendorff_2004()
    assert t.observed("c") == pytest.approx(0.0144, abs=1e-4)
    assert t.expected("c") == pytest.approx(0.0532, abs=1e-4)
    assert t.alpha("c") == pytest.approx(0.7286, abs=1e-4)
    assert t.observed("k") == 0 and t.expected("k") == pytest.approx(0.0490, abs=1e-4) and t.alpha("k") == 1.0
    assert t.alpha() == pytest.approx(0.8591, abs=5e-4)


def test_unitizing_distances_krippendorff_2004():
    # the squared distances of Krippendorff (2004) as DKPro checks them (offset, length pairs)
    assert co.pair_distance([(225, 295)], [(220, 300)]) == 50
    assert co.pair_distance([(370, 400)], [(355, 375)]) == 850
    assert co.pair_distance([], [(400, 420)]) == 400          # a unit in the other's gap: its length^2
    assert co.pair_distance([(5, 11)], [(4, 6)]) == 26
    assert co.pair_distance([(5, 11)], [(6, 8)]) == 10
    assert co.pair_distance([(5, 11)], [(5, 11)]) == 0
    assert co.pair_distance([(1, 9)], [(2, 3)]) == 37


def krippendorff_1995(stretch):
    # Krippendorff (1995: p. 57): four pairs of observers (A-D) on a continuum of 24 (stretched)
    units = [(2, 8, 0, "A"), (14, 6, 0, "A"), (4, 4, 1, "A"), (15, 2, 1, "A"),
             (0, 18, 0, "B"), (0, 2, 1, "B"), (2, 1, 1, "B"), (3, 1, 1, "B"), (4, 1, 1, "B"), (5, 1, 1, "B"),
             (6, 3, 1, "B"), (9, 1, 1, "B"),
             (2, 6, 0, "C"), (10, 2, 0, "C"), (14, 4, 0, "C"), (20, 2, 0, "C"), (0, 2, 1, "C"), (4, 4, 1, "C"),
             (10, 4, 1, "C"), (16, 2, 1, "C"), (20, 2, 1, "C"),
             (0, 2, 0, "D"), (2, 8, 0, "D"), (10, 4, 0, "D"), (14, 6, 0, "D"), (20, 4, 0, "D"), (0, 4, 1, "D"),
             (4, 4, 1, "D"), (8, 7, 1, "D"), (15, 2, 1, "D"), (17, 7, 1, "D")]
    return tally(int(24 * stretch), [(r, int(s * stretch), int(n * stretch), c) for s, n, r, c in units], 2)


def test_unitizing_alpha_krippendorff_1995():
    t = krippendorff_1995(1)
    for cat, d_o in (("A", 0.03125), ("B", 2.26736), ("C", 0.02777), ("D", 0.38715)):
        assert t.observed(cat) == pytest.approx(d_o, abs=1e-4)
    t = krippendorff_1995(50000)  # the paper's values hold for a fine-grained continuum
    for cat, d_e, a in (("A", 0.06990, 0.553), ("B", 1.17731, -0.926), ("C", 0.08642, 0.679), ("D", 0.41445, 0.066)):
        assert t.expected(cat) == pytest.approx(d_e, abs=5e-3)
        assert t.alpha(cat) == pytest.approx(a, abs=0.02)
    t = krippendorff_1995(0.5)
    assert t.observed("C") == pytest.approx(0.02777, abs=1e-5) and t.expected("C") == pytest.approx(0.05494, abs=1e-5)


def test_unitizing_alpha_small_cases():
    # DKPro Agreement's UnitizingAgreementTest: -11111111- against --1-1-1---
    assert co.unitizing_alpha(10, [(0, 1, 8, "A"), (1, 2, 1, "A"), (1, 4, 1, "A"), (1, 6, 1, "A")], 2) == \
        pytest.approx(-0.7003, abs=1e-4)
    assert co.unitizing_alpha(20, [], 3) is None  # nothing marked: undefined
    identical = [(r, s, 4, "X") for r in range(3) for s in (2, 11)]
    assert co.unitizing_alpha(20, identical, 3) == 1.0


def brute_expected(length, units, coders, cat):
    """D_e by the formula term by term (every unit against every gap), as DKPro computes it."""
    segs = [co.merge_segments((s, s + n) for r, s, n, c in units if r == k and c == cat) for k in range(coders)]
    gaps = []
    for k in range(coders):
        pos = 0
        for s, e in segs[k]:
            if s > pos:
                gaps.append(s - pos)
            pos = e
        if length > pos:
            gaps.append(length - pos)
    lens = [e - s for k in range(coders) for s, e in segs[k]]
    if not lens:
        return None
    n_c = len(lens)
    total = sum((n_c - 1) * (2 * l ** 3 - 3 * l ** 2 + l) / 3 + l * l * sum(g - l + 1 for g in gaps if g >= l)
                for l in lens)
    return 2 / length * total / (coders * length * (coders * length - 1) - sum(l * (l - 1) for l in lens))


@pytest.mark.parametrize("seed", range(25))
def test_streamed_unitizing_alpha_equals_the_formula_on_one_continuum(seed):
    # Documents laid end to end and fed one at a time give the same D_o and D_e as the whole
    # continuum computed term by term.
    import random

    rng = random.Random(seed)
    coders = rng.randint(2, 4)
    docs = [rng.randint(5, 40) for _ in range(rng.randint(1, 5))]
    streamed = co.UnitizingAlpha(coders)
    whole, base = [], 0
    for length in docs:
        per = [{} for _ in range(coders)]
        for k in range(coders):
            for _ in range(rng.randint(0, 3)):
                s = rng.randrange(length)
                e = min(length, s + rng.randint(1, 8))
                cat = rng.choice("XY")
                per[k].setdefault(cat, []).append((s, e))
                whole.append((k, base + s, e - s, cat))
        streamed.add_document(length, [{c: co.merge_segments(v) for c, v in p.items()} for p in per])
        base += length
    one = tally(base, whole, coders)
    for cat in "XY":
        assert streamed.observed(cat) == pytest.approx(one.observed(cat))
        expected = brute_expected(base, whole, coders, cat)
        if expected is None:
            assert streamed.expected(cat) is None
        else:
            assert streamed.expected(cat) == pytest.approx(expected)


def test_alpha_u_in_the_report_judges_boundaries():
    # Same labels, one boundary off by a comma: F1 exact drops to 0, alpha_u stays high.
    text = "The Warehouse, a shop in Leeds, opened. " * 3
    a = [ent(4, 14, "ORG"), ent(25, 30, "GPE")]
    b = [ent(4, 13, "ORG"), ent(25, 30, "GPE")]
    rep = agreement.compute({"a": {"d1": [ann("a", v) for v in a]}, "b": {"d1": [ann("b", v) for v in b]}},
                            texts={"d1": text})
    rows = {r.label: r for r in rep.rows}
    assert rows["ORG"].f1_exact == 0.0 and rows["ORG"].f1_overlap == 1.0
    assert 0.9 < rows["ORG"].alpha_u < 1.0 and rows["GPE"].alpha_u == 1.0
    assert rows["ORG"].alpha_u_units == 2 and rows["ORG"].alpha_u_documents == 1
    assert rep.to_dict()["figures"][0]["alpha_u"] == rows["*"].alpha_u


# --- two labels at one place (issue 15.7), speakers (issue 15.6) ----------------------------------

def test_two_labels_at_one_place_are_two_items():
    # alice's layer holds GPE and LOC at 0-6 (a merge conflict); bob says LOC. The LOC items
    # pair up and agree; alice's GPE is an item nobody else gave (it costs F1, not kappa).
    layers = {"alice": {"d1": [ann("alice", ent(0, 6, "GPE")), ann("alice", ent(0, 6, "LOC"))]},
              "bob": {"d1": [ann("bob", ent(0, 6, "LOC"))]}}
    rep = agreement.compute(layers)
    row = next(r for r in rep.rows if r.label == "*")
    assert row.units == 1 and row.observed == 1.0
    assert row.f1_exact == pytest.approx(2 * 1 / 3)
    assert rep.pairs["alice|bob"]["entity"]["confusion"] == [["LOC", "LOC", 1]]
    assert agreement.pair_up([(0, "LOC", "x"), (0, "GPE", "y"), (1, "ORG", "z"), (1, "GPE", "w")]) == \
        [{0: ("GPE", "y"), 1: ("GPE", "w")}, {0: ("LOC", "x"), 1: ("ORG", "z")}]


def claim_by(speaker):
    return Span(40, 60, "CLAIM", "claim", {"speaker": speaker})


def test_speakers_by_span_when_both_have_one_else_by_name():
    text = "The United States said so. Later, the United States, in a note, also ..."
    us1 = {"start": 0, "end": 17, "label": "GPE"}
    us2 = {"start": 34, "end": 51, "label": "GPE"}
    cases = [
        (us1, "United States", 1.0),   # span against a name: compared by name
        (us1, us1, 1.0),               # the same span
        (us1, us2, 0.0),               # two spans, two mentions: compared by span
        ("the United States,", "united states", 1.0),
        ("AUTHOR", "UNNAMED", 0.0),
    ]
    for a, b, observed in cases:
        layers = {"a": {"d1": [ann("a", claim_by(a))]}, "b": {"d1": [ann("b", claim_by(b))]}}
        rep = agreement.compute(layers, texts={"d1": text})
        assert rep.speakers.units == 1 and rep.speakers.observed == observed, (a, b)


# --- the store streams the same figures as the in-memory layers (issue 14.5) ---------------------

@pytest.mark.parametrize("seed", range(10))
def test_store_stream_equals_in_memory_layers(tmp_path, seed):
    import random

    from annotator.model import Document
    from annotator.store import ImportRecord, Store

    rng = random.Random(seed)
    names = ["ann", "bo", "cy"][:rng.randint(2, 3)]
    texts = [f"Doc {i}: " + " ".join(rng.choice(["Paris", "said", "Kim", "the", "Moscow", "UN"]) for _ in range(30))
             for i in range(8)]
    docs = [Document.from_text(t) for t in texts]
    layers = {n: {} for n in names}
    worked = {n: set() for n in names}
    with Store(tmp_path / "s.db") as s:
        s.import_records([ImportRecord(d) for d in docs])
        for n in names:
            for d in docs:
                r = rng.random()
                if r < 0.2:
                    continue
                if r < 0.3:
                    s.set_status(n, d.id, "done")
                    worked[n].add(d.id)
                    continue
                values = []
                for _ in range(rng.randint(1, 6)):
                    st = rng.randrange(len(d.text) - 10)
                    kind = rng.choice(["entity", "entity", "claim", "topic", "stance"])
                    if kind == "stance":
                        v = Stance(SpanRef(st, st + 3), SpanRef(st + 5, st + 9), rng.choice(["FAVOR", "AGAINST"]))
                    elif kind == "claim":
                        v = Span(st, st + 8, "CLAIM", "claim", {"speaker": rng.choice(
                            ["AUTHOR", "Kim", {"start": 0, "end": 3, "label": "PERSON"}])})
                    else:
                        v = Span(st, st + rng.randint(2, 6), rng.choice(["GPE", "ORG", "TOPIC"]), kind)
                    values.append(v)
                    if kind == "entity" and rng.random() < 0.3:  # a second label at the same place
                        values.append(Span(v.start, v.end, rng.choice(["LOC", "NORP"]), "entity"))
                for v in values:
                    a = Annotation(f"{n}{rng.random()}", d.id, n, v, "accepted" if rng.random() > 0.1 else "rejected")
                    s.apply(n, d.id, "add", [(None, a)])
                    layers[n].setdefault(d.id, []).append(a)
                worked[n].add(d.id)
        streamed = agreement.from_database(s, names).to_dict()
        general = agreement.measure(agreement.from_store(s, names), names, fast=False).to_dict()
    in_memory = agreement.compute(layers, worked, names, texts={d.id: d.text for d in docs}).to_dict()
    assert streamed == in_memory
    assert general == streamed  # the two-annotator walk computes what the general code does


# --- agreement --html (issue 15.10) ----------------------------------------------------------------

HOSTILE = '<script>alert("x")</script>&amp;'


def _team_db(path):
    from annotator.model import Document
    from annotator.store import ImportRecord, Store

    doc = Document.from_text("Angela Merkel met officials in Paris and Berlin on Monday, the ministry said.")
    with Store(path) as s:
        s.import_records([ImportRecord(doc)])
        for who, labels in (("alice", ("PERSON", "GPE", HOSTILE)), ("<b>bob</b>", ("PERSON", "LOC", HOSTILE))):
            for (st, en), label in zip(((0, 13), (31, 36), (41, 47)), labels):
                s.apply(who, doc.id, "add", [(None, Annotation(f"{who}{st}", doc.id, who, Span(st, en, label)))])
    return path


def test_agreement_html_is_self_contained_and_escaped(tmp_path, run_cli):
    db = _team_db(tmp_path / "t.db")
    out = tmp_path / "report.html"
    r = run_cli("agreement", "--db", str(db), "--html", str(out), db=False)
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;" in page and "&lt;b&gt;bob&lt;/b&gt;" in page
    assert "src=" not in page and "<link" not in page and "url(" not in page and "@import" not in page
    assert page.count("<svg") == 1 and "Confusion matrix of labels" in page and "Per pair of annotators" in page
    # an existing report is kept without --force
    r = run_cli("agreement", "--db", str(db), "--html", str(out), db=False)
    assert r.exit_code == 1 and "already exists" in r.output
    r = run_cli("agreement", "--db", str(db), "--html", str(tmp_path / "nowhere" / "r.html"), db=False)
    assert r.exit_code == 1 and "folder does not exist" in r.output


def _chromium():
    import shutil

    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def test_agreement_html_renders_in_chromium(tmp_path, run_cli):
    import subprocess

    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed (apt-get install chromium); CI installs it")
    db = _team_db(tmp_path / "t.db")
    out = tmp_path / "report.html"
    assert run_cli("agreement", "--db", str(db), "--html", str(out), db=False).exit_code == 0
    profile = tmp_path / "profile"
    done = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                           "--dump-dom", out.as_uri()], capture_output=True, text=True, timeout=120)
    dom = done.stdout
    assert done.returncode == 0 and "</html>" in dom, done.stderr[-500:]
    # the browser built the chart and the tables, and the hostile label stayed text
    assert dom.count("<rect") >= 8 and "<svg" in dom
    assert "Confusion matrix of labels: &lt;b&gt;bob&lt;/b&gt; against alice" in dom
    assert "<script" not in dom and "&lt;script&gt;alert" in dom
    shot = tmp_path / "shot.png"
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", f"--user-data-dir={profile}",
                    f"--screenshot={shot}", "--window-size=1000,1400", out.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 10_000  # a page with content, not a blank one


def test_agreement_text_and_json_output(tmp_path, run_cli):
    import json

    from annotator.model import Document
    from annotator.store import ImportRecord, Store

    doc = Document.from_text("Angela Merkel met officials in Paris on Monday.")
    db = tmp_path / "j.db"
    with Store(db) as s:
        s.import_records([ImportRecord(doc)])
        for who in ("alice", "bob"):
            s.apply(who, doc.id, "add", [(None, Annotation(f"{who}1", doc.id, who, Span(0, 13, "RED")))])
            s.apply(who, doc.id, "add", [(None, Annotation(f"{who}2", doc.id, who, Span(31, 36, "GPE")))])
    import sqlite3

    con = sqlite3.connect(db)  # a label the store would refuse, edited in by hand
    con.execute("update annotations set label = ? where label = 'RED'", ["\x1b[31mRED"])
    con.commit()
    con.close()
    r = run_cli("agreement", "--db", str(db), db=False)
    # the edited rows break an invariant: skipped, and named inertly (never the raw escape)
    assert r.exit_code == 0 and "\x1b" not in r.output
    assert "annotations row alice1: label" in r.output and "annotations row bob1: label" in r.output
    assert "100.0%" in r.output and "alpha_u" in r.output
    r = run_cli("agreement", "--db", str(db), "--json", db=False)
    data = json.loads(r.stdout)  # (the skipped rows are named on stderr)
    for row in data["figures"]:
        assert {"observed", "kappa", "alpha", "alpha_u", "documents", "items", "units",
                "alpha_u_documents", "alpha_u_units"} <= set(row)
    assert data["figures"][0]["observed"] == 1.0 and data["figures"][0]["alpha_u"] == 1.0
    assert data["pairs"]["alice|bob"]["entity"]["alpha_u"] == 1.0


@pytest.mark.parametrize("seed", range(10))
def test_add_pair_equals_add_document(seed):
    import random

    rng = random.Random(seed)
    one, two = co.UnitizingAlpha(2), co.UnitizingAlpha(2)
    for _ in range(rng.randint(1, 6)):
        length = rng.randint(5, 50)
        coders = []
        for _ in range(2):
            spans = {}
            for _ in range(rng.randint(0, 4)):
                s = rng.randrange(length)
                spans.setdefault(rng.choice("XYZ"), []).append((s, min(length, s + rng.randint(1, 9))))
            coders.append({c: co.merge_segments(v) for c, v in spans.items()})
        one.add_document(length, coders)
        two.add_pair(length, *coders)
    for c in "XYZ":
        assert (one.observed(c), one.expected(c), one.alpha(c)) == (two.observed(c), two.expected(c), two.alpha(c))
