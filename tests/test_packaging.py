"""The wheel carries every package and data file: an installed annotator finds its schema."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_every_package_is_listed_in_pyproject():
    import tomllib

    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    on_disk = {str(p.parent.relative_to(ROOT)).replace("/", ".") for p in (ROOT / "annotator").rglob("*.py")}
    assert on_disk <= listed, f"add to pyproject packages: {sorted(on_disk - listed)}"


@pytest.mark.slow
def test_wheel_contains_schema_lexicons_and_styles(tmp_path):
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True)
    if build.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {build.stderr.strip().splitlines()[-1:]}")
    [wheel] = tmp_path.glob("annotator-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ["annotator/_schemas/news.yaml", "annotator/tui/app.tcss", "annotator/suggest/lexicons/stances.yaml",
                   "annotator/tui/screens/annotate.py", "annotator/tui/templates/page.html"]:
        assert needed in names
