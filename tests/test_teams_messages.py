"""Team commands' messages as the team lead reads them: long labels stay apart in the agreement
table, and `review --accept-agreed` with nothing left says so instead of "accepted 0 ... marked them"."""

import uuid

from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)


def _db(path, layers):
    with Store(path) as s:
        s.import_records([ImportRecord(DOC)])
        for who, spans in layers.items():
            for start, end, label in spans:
                s.apply(who, DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, who,
                                                               Span(start, end, label, "entity")))])
    return path


def test_long_labels_sharing_a_prefix_stay_apart(tmp_path):
    db = _db(tmp_path / "t.db", {"alice": [(0, 13, "ORGANIZATION_PUBLIC"), (19, 26, "ORGANIZATION_PRIVATE")],
                                 "bob": [(0, 13, "ORGANIZATION_PUBLIC"), (19, 26, "ORGANIZATION_PUBLIC")]})
    result = CliRunner().invoke(cli, ["agreement", "--db", str(db)])
    assert result.exit_code == 0, result.output
    rows = [line.split() for line in result.output.splitlines() if line.startswith("entity ")]
    assert [r[1] for r in rows] == ["*", "ORGANIZATION_PRIVATE", "ORGANIZATION_PUBLIC"]
    public = next(r for r in rows if r[1] == "ORGANIZATION_PUBLIC")
    assert public[2:4] == ["0.667", "0.667"]   # 1 match, 1 + 2 items
    header = next(line for line in result.output.splitlines() if line.startswith("kind"))
    assert header.index("F1 exact") == next(line for line in result.output.splitlines()
                                            if "ORGANIZATION_PUBLIC" in line).index("0.667") - 3


def test_accept_agreed_with_nothing_left_says_so(tmp_path):
    db = _db(tmp_path / "t.db", {"alice": [(0, 13, "PERSON")], "bob": [(0, 13, "PERSON")]})
    args = ["review", "--db", str(db), "--reviewer", "carol", "--accept-agreed"]
    first = CliRunner().invoke(cli, args)
    assert first.exit_code == 0 and first.output.startswith("accepted 1 item(s) on 1 document(s)")
    again = CliRunner().invoke(cli, args)
    assert again.exit_code == 0
    assert again.output.strip() == ("nothing to accept: no document where alice, bob all agree is left "
                                    "unreviewed; the review layer is unchanged")


def test_assign_names_a_newcomer_who_got_nothing_and_why(tmp_path):
    other = Document.from_text("The Kremlin denied the report on Tuesday.")
    db = tmp_path / "t.db"
    with Store(db) as s:
        s.import_records([ImportRecord(DOC), ImportRecord(other)])
    first = CliRunner().invoke(cli, ["assign", "--db", str(db), "--annotators", "alice,bob", "--overlap", "2"])
    assert first.exit_code == 0 and "note:" not in first.output
    result = CliRunner().invoke(
        cli, ["assign", "--db", str(db), "--annotators", "alice,bob,dave", "--overlap", "2"])
    assert result.exit_code == 0
    assert "  dave                 0 document(s)" in result.stdout
    assert result.stderr.strip() == ("note: dave got no document: every document already has 2 or more "
                                     "annotator(s), and assignments already made are kept (a higher "
                                     "--overlap adds people to them)")
    as_json = CliRunner().invoke(
        cli, ["assign", "--db", str(db), "--annotators", "alice,bob,dave", "--overlap", "2", "--json"])
    import json
    assert json.loads(as_json.stdout)["annotators"] == {"alice": 2, "bob": 2, "dave": 0}


def test_a_name_given_twice_is_refused_not_compared_with_itself(tmp_path):
    db = _db(tmp_path / "t.db", {"alice": [(0, 13, "PERSON"), (19, 26, "GPE")], "bob": [(0, 13, "PERSON")]})
    for args in (["agreement", "--db", str(db), "--annotators", "alice,bob,alice"],
                 ["review", "--db", str(db), "--reviewer", "carol", "--annotators", "alice,alice", "--accept-agreed"],
                 ["review", "--db", str(db), "--reviewer", "carol", "--annotators", "alice, bob,alice", "--summary"],
                 ["assign", "--db", str(db), "--annotators", "alice,alice,bob"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 1, args
        assert result.output.strip() == "error: --annotators: alice named more than once; name each annotator once"
    with Store(db) as s:
        assert s.items(DOC.id, "review") == [] and s.assignments() == {}


def test_merge_help_says_what_annotator_means_there():
    result = CliRunner().invoke(cli, ["merge", "--help"])
    assert result.exit_code == 0
    text = " ".join(result.output.split())
    assert "Who is merging, named in the history's merge event" in text
    assert "Whose annotation layer to use" not in text
