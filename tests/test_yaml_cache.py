"""YAML files are parsed once and read from the user's cache after: the same data, lines and errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from annotator import yamlfile
from annotator.errors import AnnotatorError
from annotator.schema import builtin_schema_path
from annotator.schema import load_schema as _load_schema
from annotator.tui.keymap import load_keymap
from annotator.tui.screens.error import ErrorScreen
from helpers.pilot import SIZE, app_for, started

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def cache(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("ANNOTATOR_NO_CACHE", raising=False)
    monkeypatch.setattr(yamlfile, "_unsaved", {})  # not what other tests parsed
    return tmp_path / "cache" / "annotator" / "yaml"


def load_yaml(path: Path) -> yamlfile.Located:
    """Load as annotate does: what was parsed is written to the cache once it has started."""
    located = yamlfile.load_yaml(path)
    yamlfile.save_cache()
    return located


def load_schema(path: Path | None = None):
    schema = _load_schema(path)
    yamlfile.save_cache()
    return schema


def parsed(path: Path) -> yamlfile.Located:
    return yamlfile._parse(path.read_text(encoding="utf-8"), path)


def entries(cache: Path) -> list[Path]:
    return sorted(cache.glob("*.json")) if cache.exists() else []


def test_the_second_load_reads_the_cache_and_gives_the_same_data_and_lines(cache):
    path = builtin_schema_path()
    first = load_yaml(path)
    assert len(entries(cache)) == 1
    second = load_yaml(path)
    truth = parsed(path)
    for got in (first, second):
        assert got.data == truth.data and list(got.data) == list(truth.data)
        assert got.lines == truth.lines
    assert load_schema(path) == load_schema(path)


def test_a_start_with_a_cached_schema_does_not_import_pyyaml(cache):
    load_schema()  # fills the cache
    code = "import sys\nfrom annotator.schema import load_schema\nload_schema()\nprint('yaml' in sys.modules)\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XDG_CACHE_HOME": str(cache.parent.parent)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_an_edited_file_is_parsed_again(cache, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: one\nentities:\n  PERSON: {key: p, color: red}\n", encoding="utf-8")
    assert load_schema(path).name == "one"
    path.write_text("name: two\nentities:\n  PERSON: {key: p, color: red}\n", encoding="utf-8")
    assert load_schema(path).name == "two"
    assert len(entries(cache)) == 2


def test_errors_found_after_parsing_name_the_same_line_from_the_cache(cache, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: bad\nentities:\n  PERSON: {key: p, color: red}\n  ORG: {key: p, color: blue}\n",
                    encoding="utf-8")
    messages = []
    for _ in range(2):
        with pytest.raises(AnnotatorError) as exc:
            _load_schema(path)
        messages.append(str(exc.value))
        yamlfile.save_cache()
    assert len(entries(cache)) == 1  # the YAML was fine: the schema is what is wrong
    assert messages[0] == messages[1] and f"{path}:4:" in messages[0]


def test_a_file_that_does_not_load_is_never_cached(cache, tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text("name: x\nname: y\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(AnnotatorError, match="duplicate key 'name'"):
            load_yaml(path)
    assert entries(cache) == []


@pytest.mark.parametrize("text", ["when: 2024-06-19\n", "1: one\n", "yes: on\n", "blob: !!binary aGk=\n"])
def test_data_json_would_change_is_not_cached(cache, tmp_path, text):
    path = tmp_path / "d.yaml"
    path.write_text(text, encoding="utf-8")
    first, second = load_yaml(path), load_yaml(path)
    assert first.data == second.data == parsed(path).data
    assert entries(cache) == []


def test_a_damaged_cache_file_is_parsed_again_and_replaced(cache):
    path = builtin_schema_path()
    load_yaml(path)
    [entry] = entries(cache)
    for junk in (b"{not json", b"[]", b'{"format": 1, "data": {}, "lines": [[["a"], "x"]]}', b"\xff"):
        entry.write_bytes(junk)
        assert load_yaml(path).data == parsed(path).data
    assert load_yaml(path).lines == parsed(path).lines


def test_a_cache_file_made_for_another_text_is_not_used(cache, tmp_path):
    """The file name is a CRC: two texts may share it, so the text is compared before the entry is used."""
    one, two = tmp_path / "one.yaml", tmp_path / "two.yaml"
    one.write_text("n: 1\n", encoding="utf-8")
    two.write_text("n: 2\n", encoding="utf-8")
    load_yaml(one)
    entry = json.loads(yamlfile._cache_file(one.read_bytes()).read_text(encoding="utf-8"))
    yamlfile._cache_file(two.read_bytes()).write_text(json.dumps({**entry, "text": "n: 1\n"}), encoding="utf-8")
    assert yamlfile.load_yaml(two).data == {"n": 2}


def test_no_cache_when_asked_or_when_the_folder_cannot_be_written(cache, tmp_path, monkeypatch):
    path = builtin_schema_path()
    monkeypatch.setenv("ANNOTATOR_NO_CACHE", "1")
    assert load_yaml(path).data == parsed(path).data
    assert not cache.parent.parent.exists()
    monkeypatch.delenv("ANNOTATOR_NO_CACHE")
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker))  # a file where the folder should be
    assert load_yaml(path).data == parsed(path).data


def test_the_cache_keeps_only_its_newest_files(cache, tmp_path, monkeypatch):
    monkeypatch.setattr(yamlfile, "CACHE_ENTRIES", 3)
    for i in range(5):
        path = tmp_path / f"k{i}.yaml"
        path.write_text(f"n: {i}\n", encoding="utf-8")
        load_yaml(path)
    assert len(entries(cache)) == 3
    assert yamlfile._cache_file(path.read_bytes()).exists()  # the newest is kept


def test_a_key_config_loads_the_same_from_the_cache(cache, tmp_path):
    path = tmp_path / "keys.yaml"
    path.write_text("accept: y\nreject: [r, R]\n", encoding="utf-8")
    first = load_keymap(path)
    yamlfile.save_cache()
    assert len(entries(cache)) == 1
    assert load_keymap(path) == first == {"accept": "y", "reject": "r,R"}


def test_loading_alone_writes_nothing(cache):
    yamlfile.load_yaml(builtin_schema_path())
    assert entries(cache) == []


@pytest.mark.anyio
async def test_annotate_caches_what_it_read_once_its_article_is_painted(cache, db, tmp_path):
    path, _store, _ids = db
    keys = tmp_path / "keys.yaml"
    keys.write_text("accept: y\n", encoding="utf-8")
    app = app_for(path, keys=keys, keymap=None)
    assert entries(cache) == []
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)
        for _ in range(5):
            await pilot.pause()
    assert entries(cache) == sorted(yamlfile._cache_file(f.read_bytes()) for f in (builtin_schema_path(), keys))


@pytest.mark.anyio
async def test_annotate_on_a_damaged_database_caches_nothing(cache, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"not a database" * 100)
    async with app_for(bad).run_test(size=SIZE) as pilot:
        for _ in range(5):
            await pilot.pause()
        assert isinstance(pilot.app.screen, ErrorScreen)
    assert entries(cache) == []
