"""The key config: a key that would do two things is refused; a remap never silently unbinds another key."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.tui.keymap import CREATE, NORMAL, load_keymap
from helpers.pilot import SIZE, app_for, focused_text, spans, started

pytestmark = pytest.mark.anyio


def keys_file(tmp_path, text):
    path = tmp_path / "keys.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path) -> str:
    with pytest.raises(AnnotatorError) as err:
        load_keymap(path)
    return str(err.value)


def test_a_key_taken_from_a_default_of_the_same_mode_is_refused_with_file_and_line(tmp_path):
    # `x` stays reject's default: accept would silently take it and reject would have no key at all
    message = refusal(keys_file(tmp_path, "undo: u\naccept: x\n"))
    assert "keys.yaml:2" in message and "'x'" in message and "reject" in message and "accept" in message


def test_two_remapped_bindings_on_one_key_are_refused(tmp_path):
    message = refusal(keys_file(tmp_path, "accept: y\nreject: [r, y]\n"))
    assert "keys.yaml:2" in message and "'y'" in message
    message = refusal(keys_file(tmp_path, "review_edit: z\nreview_done: z\n"))  # the review screen's own ids
    assert "keys.yaml:2" in message and "review_edit" in message


def test_moving_the_other_binding_away_or_sharing_a_key_across_modes_is_fine(tmp_path):
    assert load_keymap(keys_file(tmp_path, "accept: x\nreject: r\n")) == {"accept": "x", "reject": "r"}
    # w is the new-span cursor's word key in the other mode; an annotate key and a review key may share one
    assert load_keymap(keys_file(tmp_path, "accept: w\nreview_edit: a\n")) == {"accept": "w", "review_edit": "a"}


def test_annotate_refuses_a_clashing_key_file_in_one_line_before_anything_starts(tmp_path):
    db = tmp_path / "new.db"
    keys = keys_file(tmp_path, "accept: x\n")
    article = tmp_path / "a.txt"
    article.write_text("Kim Jong Un met Vladimir Putin in Moscow.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db), "--keys", str(keys), str(article)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(f"error: {keys}:1: ")
    assert not db.exists()


async def test_a_remap_leaves_the_other_modes_keys_working(db, tmp_path):
    """``label_picker: L`` and ``accept: w``: `l` and `w` still move the new-span cursor, and `w` accepts."""
    path, store, ids = db
    keymap = load_keymap(keys_file(tmp_path, "label_picker: L\naccept: w\n"))
    async with app_for(path, keymap=keymap).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert focused_text(screen) == "North Korea"
        await pilot.press("w")  # accepts in the normal mode
        assert spans(store, ids[0])[0][:3] == ("North Korea", "GPE", "accepted")
        await pilot.press("n")
        assert screen.mode == CREATE
        start = screen.cursor
        await pilot.press("l")
        assert screen.cursor == start + 1
        await pilot.press("w")
        assert screen.cursor > start + 1
        await pilot.press("escape")
        assert screen.mode == NORMAL
