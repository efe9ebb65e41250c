"""The core never imports Textual: the TUI is one client of it, the CLI another."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import annotator

ROOT = Path(annotator.__file__).resolve().parent.parent


def core_modules() -> list[str]:
    names = []
    for info in pkgutil.walk_packages(annotator.__path__, "annotator."):
        if info.name.startswith("annotator.tui") or info.name in ("annotator.__main__", "annotator.cli.annotate"):
            continue
        names.append(info.name)
    return names


def test_core_modules_do_not_import_textual():
    modules = core_modules()
    assert {"annotator.store", "annotator.annotate.decisions", "annotator.annotate.session"} <= set(modules)
    code = (
        "import importlib, sys\n"
        f"mods = {modules!r}\n"
        "for m in mods:\n"
        "    importlib.import_module(m)\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('textual', 'textual_serve'))\n"
        "print('TEXTUAL' if bad else 'CLEAN', bad)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("CLEAN"), out.stdout


def test_cli_help_does_not_import_textual():
    code = ("import sys\nfrom annotator.cli import cli\n"
            "print('textual' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_formats_do_not_import_the_store():
    """formats/ turns files into records and records into files; only the store opens a database."""
    formats = [m for m in core_modules() if m.startswith("annotator.formats.")]
    assert {"annotator.formats.importing", "annotator.formats.exporting", "annotator.formats.prodigy"} <= set(formats)
    code = (
        "import importlib, sys\n"
        f"for m in {formats!r}:\n"
        "    importlib.import_module(m)\n"
        "print('STORE' if 'annotator.store' in sys.modules else 'CLEAN')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "CLEAN"


def test_the_tree_shows_the_pipeline_stages():
    """One package per stage (issue 11): formats in, suggest, annotate, teams, learn; no stage module at the top."""
    top = {p.stem for p in (ROOT / "annotator").glob("*.py")}
    assert not top & {"importing", "exporting", "outputs", "merge", "train", "evaluate", "review", "agreement"}
    for stage in ("formats", "suggest", "annotate", "teams", "learn", "tui/screens"):
        assert (ROOT / "annotator" / stage / "__init__.py").exists(), stage
