"""The lowest sqlite-utils that pyproject.toml admits really works (3.x fails on a new database)."""

from __future__ import annotations

import re
import subprocess
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

STORE_ROUND_TRIP = """
import sqlite_utils, sys
from annotator.model import Annotation, Document, Span, new_id
from annotator.store import ImportRecord, Store
doc = Document.from_text("Moscow said so.")
with Store(sys.argv[1]) as s:
    s.import_records([ImportRecord(doc)])
    s.apply("alice", doc.id, "create", [(None, Annotation(new_id(), doc.id, "alice", Span(0, 6, "GPE")))])
    assert len(s.items(doc.id, "alice")) == 1
    s.undo("alice", doc.id)
    assert s.items(doc.id, "alice") == []
print(sqlite_utils.__version__ if hasattr(sqlite_utils, "__version__") else "ok")
"""


def floor(package: str) -> str:
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    spec = next(d for d in deps if d.startswith(package))
    return re.search(r">=\s*([\w.]+)", spec).group(1)


@pytest.mark.slow
def test_store_works_with_the_lowest_sqlite_utils_allowed(tmp_path):
    version = floor("sqlite-utils")
    env_dir = tmp_path / "venv"
    venv.create(env_dir, system_site_packages=True, with_pip=True)
    python = env_dir / "bin" / "python"
    pip = subprocess.run([str(python), "-m", "pip", "install", "-q", f"sqlite-utils=={version}"],
                         capture_output=True, text=True, timeout=300)
    if pip.returncode != 0:
        pytest.skip(f"cannot install sqlite-utils=={version} here: {pip.stderr.strip().splitlines()[-1:]}")
    out = subprocess.run([str(python), "-c", STORE_ROUND_TRIP, str(tmp_path / "floor.db")], capture_output=True,
                         text=True, timeout=120, cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    shown = subprocess.run([str(python), "-m", "pip", "show", "sqlite-utils"], capture_output=True, text=True)
    assert f"Version: {version}" in shown.stdout
