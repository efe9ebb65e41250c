"""What `annotator merge` tells the team lead: documents counted once per file, conflicts that name
the words at their place and say whether this merge made them or the file already held them."""

import uuid

from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store
from annotator.teams import merge

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)
OTHER = Document.from_text("The Kremlin denied the report on Tuesday.")


def _db(path, who, labels, docs=(DOC, OTHER)):
    with Store(path) as s:
        s.import_records([ImportRecord(d) for d in docs])
        for start, end, label in labels:
            s.apply(who, DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, who,
                                                           Span(start, end, label, "entity"), "accepted"))])
    return path


def test_documents_of_several_files_are_not_summed(tmp_path):
    main = _db(tmp_path / "team.db", "carol", [])
    files = [_db(tmp_path / f"{n}.db", n, [(0, 13, "PERSON")]) for n in ("alice", "bob", "dave")]
    result = CliRunner().invoke(cli, ["merge", "--db", str(main), "--annotator", "carol", *map(str, files)])
    assert result.exit_code == 0, result.output
    line = next(x for x in result.output.splitlines() if x.strip().startswith("documents:"))
    # three copies of the same two documents: two per file, never "6 already here"
    assert "6 already here" not in line
    assert line.strip() == (f"documents: 0 added, already here: 2 of {files[0]}, 2 of {files[1]}, "
                            f"2 of {files[2]}")
    with Store(main) as s:
        rep = merge.merge_files(s, files[:1])
    assert "2 already here" in merge.format_report(rep)  # one file: one figure, as before


def test_conflict_names_the_words_and_that_the_merge_made_it(tmp_path):
    main = _db(tmp_path / "team.db", "alice", [(19, 26, "GPE")])
    laptop = _db(tmp_path / "laptop.db", "alice", [(19, 26, "NORP")])
    with Store(main) as s:
        rep = merge.merge_files(s, [laptop])
    (c,) = rep.conflicts
    assert c.text == "'Germany'" and c.came_from == "" and not c.carried
    text = merge.format_report(rep)
    assert f"{laptop}: document {DOC.id}, layer alice, entity 19-26 'Germany': kept GPE and added NORP" in text
    assert "1 conflicting (both kept)" in text


def test_a_conflict_the_file_already_held_is_not_reported_as_made_here(tmp_path):
    # team.db's alice layer holds GPE and NORP on "Germany" (an earlier merge left both);
    # merging team.db into a fresh file must not claim it "kept GPE" -- nothing was here.
    team = _db(tmp_path / "team.db", "alice", [(19, 26, "GPE"), (19, 26, "NORP")])
    fresh = _db(tmp_path / "fresh.db", "carol", [])
    with Store(fresh) as s:
        rep = merge.merge_files(s, [team])
        assert sorted(a.value.label for a in s.items(DOC.id, "alice")) == ["GPE", "NORP"]  # both kept
    (c,) = rep.conflicts
    assert c.carried and c.came_from == str(team)
    text = merge.format_report(rep)
    assert "kept GPE" not in text
    assert "0 conflicting (both kept), 1 already conflicting in the file merged" in text
    assert "entity 19-26 'Germany': holds both GPE and NORP already" in text
    assert rep.to_dict()["conflicts"][0]["carried"] is True


def test_a_conflict_between_two_files_of_one_merge_names_the_first(tmp_path):
    fresh = _db(tmp_path / "fresh.db", "carol", [])
    home = _db(tmp_path / "home.db", "alice", [(0, 13, "PERSON"), (50, 56, "GPE")])
    laptop = _db(tmp_path / "laptop.db", "alice", [(0, 13, "PERSON"), (50, 56, "LOC")])
    with Store(fresh) as s:
        rep = merge.merge_files(s, [home, laptop])
    (c,) = rep.conflicts
    assert (c.source, c.came_from, c.existing, c.incoming) == (str(laptop), str(home), ["GPE"], "LOC")
    assert f"entity 50-56 'Moscow': added LOC beside GPE from {home}" in merge.format_report(rep)
    assert rep.items_identical == 1


def test_the_words_of_a_conflict_are_inert(tmp_path):
    hostile = Document.from_text("Hi \x1b[2Jthere and more words here.")
    main, other = tmp_path / "team.db", tmp_path / "bob.db"
    for path, label in ((main, "GPE"), (other, "ORG")):
        with Store(path) as s:
            s.import_records([ImportRecord(hostile)])
            s.apply("bob", hostile.id, "add", [(None, Annotation(uuid.uuid4().hex, hostile.id, "bob",
                                                                 Span(3, 12, label, "entity"), "accepted"))])
    result = CliRunner().invoke(cli, ["merge", "--db", str(main), str(other)])
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "kept GPE and added ORG" in result.output
    assert "'␛[2Jthere'" in result.output


def test_one_file_named_twice_is_counted_per_mention(tmp_path):
    main = _db(tmp_path / "team.db", "carol", [])
    alice = _db(tmp_path / "alice.db", "alice", [(0, 13, "PERSON")])
    with Store(main) as s:
        rep = merge.merge_files(s, [alice, alice])
    assert f"already here: 2 of {alice}, 2 of {alice}" in merge.format_report(rep)
    assert rep.to_dict()["documents_existing_by_source"] == [[str(alice), 2], [str(alice), 2]]
    assert rep.items_added == 1 and rep.items_identical == 1
