"""Shared fixtures: temporary databases, the shared/ fixtures folder, and a CLI runner."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("ANNOTATOR_SHARED", ROOT.parent / "shared"))
FIXTURES = SHARED / "fixtures"
SEED = ROOT / "seeds" / "north-korea-russia-defense-treaty.txt"


@pytest.fixture(autouse=True, scope="session")
def _cache_outside_home(tmp_path_factory):
    """annotate caches parsed YAML under $XDG_CACHE_HOME; tests keep the user's home untouched."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


def shared_file(*parts: str) -> Path:
    """A file from ../shared/fixtures, or skip the test saying why."""
    path = FIXTURES.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (the shared fixtures live beside the repo in ../shared)")
    return path


@pytest.fixture
def db(tmp_path: Path):
    """The TUI tests' database: (path, open store, document ids) of two documents, the first
    with the article's suggestions (``helpers.tui.make_db``)."""
    from helpers.tui import make_db

    store, ids = make_db(tmp_path / "t.db")
    yield tmp_path / "t.db", store, ids
    store.close()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path: Path):
    from annotator.store import Store

    with Store(db_path) as s:
        yield s


@pytest.fixture
def run_cli(db_path: Path):
    """Invoke the real click CLI in-process; returns the click Result."""
    from annotator.cli import cli

    def run(*args: str, db: bool = True, input: str | None = None):
        argv = list(args)
        if db:
            argv += ["--db", str(db_path)]
        return CliRunner().invoke(cli, argv, input=input, catch_exceptions=True)

    return run


@pytest.fixture
def anyio_backend():
    """Async tests (``pytest.mark.anyio``) run on asyncio, as Textual does."""
    return "asyncio"
