"""Start-up of the CLI: commands imported on first use, the garbage collector paused only while starting."""

from __future__ import annotations

import gc
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import LAZY_COMMANDS, cli
from annotator.startup import pause_gc, resume_gc
from helpers.pilot import SIZE, app_for, started

ROOT = Path(__file__).resolve().parent.parent
CLI_MODULES = sorted(p.stem for p in (ROOT / "annotator" / "cli").glob("*.py")
                     if "COMMANDS" in p.read_text(encoding="utf-8") and p.stem != "__init__")


def annotator(*args: str, code: str = "") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    argv = [sys.executable, "-c", code, *args] if code else [sys.executable, "-m", "annotator", *args]
    return subprocess.run(argv, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def test_the_lazy_map_names_every_command_of_every_module():
    """A command added to a module's COMMANDS but not to LAZY_COMMANDS (or the other way) fails here."""
    listed = {}
    for name in CLI_MODULES:
        for command in importlib.import_module(f"annotator.cli.{name}").COMMANDS:
            listed[command.name] = name
    assert set(CLI_MODULES) == {"annotate", "data", "learn", "links", "suggest", "teams"}
    assert listed == LAZY_COMMANDS


def test_help_lists_every_command_with_its_one_line_help():
    out = annotator("--help")
    assert out.returncode == 0, out.stderr
    commands = out.stdout.split("Commands:\n", 1)[1]
    for name, module in LAZY_COMMANDS.items():
        command = next(c for c in importlib.import_module(f"annotator.cli.{module}").COMMANDS if c.name == name)
        short = command.get_short_help_str(limit=1000)
        [line] = [line for line in commands.splitlines() if line.split()[0] == name]
        shown = line.split(None, 1)[1].removesuffix("...")
        assert len(shown) > 10 and short.startswith(shown), (name, shown, short)


@pytest.mark.parametrize("argv, message", [
    (["frobnicate"], "Error: No such command 'frobnicate'."),
    (["anotate"], "Error: No such command 'anotate'. Did you mean 'annotate'?"),
    (["agreemnt", "--db", "x.db"], "Error: No such command 'agreemnt'. Did you mean 'agreement'?"),
])
def test_a_bad_command_is_a_usage_error_naming_it(argv, message):
    out = annotator(*argv)
    assert out.returncode == 2
    assert out.stdout == ""
    assert out.stderr.strip().splitlines()[-1] == message
    assert "Traceback" not in out.stderr


def test_a_command_imports_only_its_own_module(tmp_path: Path):
    code = ("import atexit, sys\n"
            "atexit.register(lambda: print(sorted(m for m in sys.modules if m.startswith('annotator.cli.'))))\n"
            "sys.argv[0] = 'annotator'\n"
            "from annotator.cli import main\n"
            "main()\n")
    out = annotator("stats", "--db", str(tmp_path / "none.db"), code=code)
    assert out.returncode == 1 and "none.db" in out.stderr  # no such database: a one-line error
    loaded = eval(out.stdout.strip().splitlines()[-1])
    assert "annotator.cli.data" in loaded
    assert not {"annotator.cli.teams", "annotator.cli.annotate", "annotator.cli.suggest",
                "annotator.cli.learn", "annotator.cli.links"} & set(loaded)


def test_every_command_but_annotate_runs_with_the_collector_on(monkeypatch, tmp_path: Path):
    import annotator.cli.data as data

    seen = []

    def stats(*args, **kwargs):
        seen.append(gc.isenabled())

    monkeypatch.setattr(data.stats_cmd, "callback", stats)
    pause_gc()
    try:
        assert not gc.isenabled()
        result = CliRunner().invoke(cli, ["stats", "--db", str(tmp_path / "x.db")])
    finally:
        resume_gc()
    assert result.exit_code == 0, result.output
    assert seen == [True]


def test_resume_leaves_a_collector_someone_else_turned_off():
    gc.disable()
    try:
        pause_gc()
        resume_gc()
        assert not gc.isenabled()
    finally:
        gc.enable()
    pause_gc()
    resume_gc()
    assert gc.isenabled()


@pytest.mark.anyio
async def test_annotate_resumes_the_collector_once_the_article_is_painted(db):
    path, _store, _ids = db
    pause_gc()
    try:
        async with app_for(path).run_test(size=SIZE) as pilot:
            await started(pilot)
            for _ in range(5):
                await pilot.pause()
                if gc.isenabled():
                    break
            assert gc.isenabled()
    finally:
        resume_gc()


def test_the_collector_is_on_after_main_returns(tmp_path: Path):
    code = ("import atexit, gc, sys\n"
            "atexit.register(lambda: print('GC', gc.isenabled()))\n"
            "sys.argv[0] = 'annotator'\n"
            "from annotator.cli import main\n"
            "main()\n")
    for argv in (["--help"], ["annotate", "--db", str(tmp_path / "none.db")], ["frobnicate"]):
        out = annotator(*argv, code=code)
        assert out.stdout.strip().splitlines()[-1] == "GC True", (argv, out.stdout, out.stderr)



def test_annotate_hands_the_database_it_checked_to_the_app(db, monkeypatch):
    """One open of the database before the first frame: the CLI's connection becomes the app's."""
    import annotator.tui.app as tui_app
    from annotator.store import Store

    path, _store, _ids = db
    handed = {}

    class FakeApp:
        return_code = 0

        def run(self):
            store = handed["store"]
            handed["documents"] = store.count_documents()  # still open
            store.close()

    def fake_create_app(db_path, annotator, **kw):
        handed.update(kw)
        return FakeApp()

    monkeypatch.setattr(tui_app, "create_app", fake_create_app)
    monkeypatch.setattr("annotator.cli.annotate.terminal", lambda: True)
    result = CliRunner().invoke(cli, ["annotate", "--db", str(path), "--annotator", "zoe", "--no-suggest"])
    assert result.exit_code == 0, result.output
    assert isinstance(handed["store"], Store) and handed["store"].on_wait is None  # no stderr under the TUI
    assert handed["documents"] == 2


@pytest.mark.anyio
async def test_the_app_uses_and_closes_a_store_it_is_given(db):
    from annotator.store import Store

    path, _store, _ids = db
    given = Store(path, create=False)
    app = app_for(path, store=given)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert app.store is given and screen.doc is not None
    with pytest.raises(Exception):
        given.count_documents()  # closed with the app
