"""Agreement for a team of three who share documents two at a time (`assign --overlap 2`): F1 is
pooled over the pairs, and the text report gives each pair's figures (kappa, alpha_u), which the
all-annotator table cannot have when no document was done by all three."""

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store
from annotator.teams import agreement

TEXT = " ".join(f"Word{i:02d}" for i in range(40))   # "Word00 Word01 ..." : 6 characters + a space each


def ent(i, label, layer, doc):
    return Annotation(f"{layer}-{doc}-{i}-{label}", doc, layer, Span(7 * i, 7 * i + 6, label, "entity"), "accepted")


def team_layers():
    # alice and bob share d1 and agree on ten entities; alice and carol share d2 and each marked
    # one entity there, with different labels.
    return {"alice": {"d1": [ent(i, "ORG", "alice", "d1") for i in range(10)], "d2": [ent(0, "ORG", "alice", "d2")]},
            "bob": {"d1": [ent(i, "ORG", "bob", "d1") for i in range(10)]},
            "carol": {"d2": [ent(0, "GPE", "carol", "d2")]}}


def test_f1_is_pooled_over_pairs_like_agree():
    rep = agreement.compute(team_layers(), texts={"d1": TEXT, "d2": TEXT})
    row = next(r for r in rep.rows if r.kind == "entity" and r.label == "*")
    # pairs: alice-bob F1 1.0 on 20 items, alice-carol F1 0.0 on 2 items. The mean of the two (0.5)
    # would let one entity weigh as much as ten; pooled: 2 * 10 / 22.
    assert row.f1_exact == pytest.approx(20 / 22) and row.f1_overlap == pytest.approx(20 / 22)
    assert row.items == 22 and row.units == 11 and row.observed == pytest.approx(10 / 11)
    assert rep.pairs["alice|bob"]["entity"]["f1_exact"] == 1.0
    assert rep.pairs["alice|carol"]["entity"]["f1_exact"] == 0.0
    org = next(r for r in rep.rows if r.kind == "entity" and r.label == "ORG")
    assert org.f1_exact == pytest.approx(20 / 21)   # ORG: 10 matches; alice-carol 1 vs 0 items


def test_text_report_gives_each_pairs_figures(tmp_path):
    db = tmp_path / "team.db"
    d1, d2 = Document.from_text(TEXT), Document.from_text(TEXT + " and more.")
    with Store(db) as s:
        s.import_records([ImportRecord(d1), ImportRecord(d2)])
        for layer, docs in team_layers().items():
            for key, items in docs.items():
                doc = d1 if key == "d1" else d2
                for a in items:
                    s.apply(layer, doc.id, "add", [(None, Annotation(a.id, doc.id, layer, a.value, "accepted"))])
    result = CliRunner().invoke(cli, ["agreement", "--db", str(db)])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "alpha_u rests on the 0 document(s) every one of them worked on; each pair's is below." in out
    assert "Per pair, on the documents the two share:" in out
    pair_lines = out.split("Per pair, on the documents the two share:")[1].splitlines()
    ab = next(x for x in pair_lines if x.startswith("alice · bob"))
    ac = next(x for x in pair_lines if x.startswith("alice · carol"))
    assert ab.split() == ["alice", "·", "bob", "1", "entity", "1.000", "100.0%", "-", "1.000", "20", "10"]
    assert ac.split()[:7] == ["alice", "·", "carol", "1", "entity", "0.000", "0.0%"]
    assert ac.split()[-2:] == ["2", "1"]
    assert "bob · carol" not in out   # they share no document
    two = CliRunner().invoke(cli, ["agreement", "--db", str(db), "--annotators", "alice,bob"])
    assert "Per pair" not in two.output and "kappa needs" not in two.output


def test_html_page_points_to_the_pairs_when_no_document_has_everyone(tmp_path):
    from annotator.teams import report_html

    rep = agreement.compute(team_layers(), texts={"d1": TEXT, "d2": TEXT})
    page = report_html.render(rep)
    assert ("With 3 annotators, kappa (for two) is left out of the tables and alpha_u rests on the 0 "
            "document(s) every one of them worked on") in page
    assert '<a href="#pairs">' in page and 'id="pairs"' in page
    two = agreement.compute({k: v for k, v in team_layers().items() if k != "carol"}, texts={"d1": TEXT})
    assert "kappa (for two) is left out" not in report_html.render(two)
