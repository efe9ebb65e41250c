"""`agreement --html FILE` refuses the targets every export refuses: `--html team.db --force` used to
replace the team's database with the HTML page."""

import hashlib
import os
import uuid

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store

DOC = Document.from_text("Angela Merkel said Germany would back the treaty.")


@pytest.fixture
def team(tmp_path):
    db = tmp_path / "team.db"
    with Store(db) as s:
        s.import_records([ImportRecord(DOC)])
        for who, label in (("alice", "GPE"), ("bob", "NORP")):
            s.apply(who, DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, who,
                                                           Span(19, 26, label, "entity")))])
        s.db.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return db


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def run(db, *args):
    return CliRunner().invoke(cli, ["agreement", "--db", str(db), *map(str, args)])


def test_the_database_is_never_the_html_page(team, tmp_path):
    before = digest(team)
    result = run(team, "--html", team, "--force")
    assert result.exit_code == 1
    assert f"error: {team}: is the database; choose another output" in result.output
    assert "Traceback" not in result.output
    assert digest(team) == before
    with Store(team, create=False) as s:   # still a database with both layers
        assert set(s.annotators()) == {"alice", "bob"}


def test_other_sqlite_files_links_and_folders_are_refused(team, tmp_path):
    other = tmp_path / "bob.db"
    other.write_bytes(team.read_bytes())
    result = run(team, "--html", other, "--force")
    assert result.exit_code == 1 and "is an SQLite database" in result.output
    assert digest(other) == digest(team)
    target = tmp_path / "real.html"
    target.write_text("mine")
    link = tmp_path / "link.html"
    os.symlink(target, link)
    result = run(team, "--html", link, "--force")
    assert result.exit_code == 1 and "is a symbolic link" in result.output
    assert target.read_text() == "mine"
    result = run(team, "--html", tmp_path, "--force")
    assert result.exit_code == 1 and "folder" in result.output
    result = run(team, "--html", tmp_path / "missing" / "a.html")
    assert result.exit_code == 1 and "folder does not exist" in result.output


def test_an_ordinary_report_is_written_and_replaced_only_with_force(team, tmp_path):
    page = tmp_path / "agreement.html"
    assert run(team, "--html", page).exit_code == 0
    assert page.read_text().startswith("<!DOCTYPE html>")
    again = run(team, "--html", page)
    assert again.exit_code == 1 and "already exists (use --force to overwrite)" in again.output
    assert run(team, "--html", page, "--force").exit_code == 0
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no temporary left
