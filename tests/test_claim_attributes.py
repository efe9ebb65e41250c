"""A claim's attributes besides its speaker (the schema's claim_type, cue, checkworthy, hedged):
set by their type from one key, one decision each, undone and redone, saved and exported."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from click.testing import CliRunner
from textual.widgets import Input

from annotator.annotate.session import AnnotationSession, Refused
from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import ACCEPTED, CLAIM, ORIGIN_SUGGESTION, Action
from annotator.schema import builtin_schema_path, load_schema
from annotator.store import Store
from annotator.tui.keymap import load_keymap
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.picker import PickerScreen
from annotator.tui.screens.text_input import TextInputScreen
from annotator.tui.widgets.panels import detail
from helpers.pilot import SIZE, app_for, shown, started, status
from helpers.tui import make_db

CLAIM_TEXT = "the pact was a breakthrough"


@pytest.fixture
def made(tmp_path):
    store, ids = make_db(tmp_path / "s.db")
    yield tmp_path / "s.db", store, ids
    store.close()


def on_claim(store, schema=None) -> AnnotationSession:
    s = AnnotationSession(store, schema or load_schema(None), "alice")
    assert s.open_first()
    while s.focused.kind != CLAIM:
        assert s.step(1)
    return s


def claims(store, doc_id):
    return [a for a in store.items(doc_id, "alice") if a.value.kind == CLAIM]


def attribute_events(store, doc_id):
    return [(e.action, e.payload.get("attribute"), e.payload.get("value"))
            for e in store.events(doc_id=doc_id, annotator="alice")]


# --- the session -----------------------------------------------------------------------------------

def test_each_type_is_set_as_one_decision_and_accepts_the_suggested_claim(made):
    _, store, ids = made
    s = on_claim(store)
    assert s.focused.undecided
    s.set_attribute(s.focused.key, "claim_type", "opinion")
    [claim] = claims(store, ids[0])
    assert claim.status == ACCEPTED and claim.origin == ORIGIN_SUGGESTION  # accepted with it, as `s` does
    assert claim.value.attrs["claim_type"] == "opinion"
    assert claim.value.attrs["cue"] == "said" and claim.value.attrs["speaker"]["label"] == "PERSON"  # kept
    s.set_attribute(s.focused.key, "hedged", True)
    s.set_attribute(s.focused.key, "checkworthy", 1.0)
    s.set_attribute(s.focused.key, "cue", "  told reporters \t")  # stripped
    [claim] = claims(store, ids[0])
    assert {k: claim.value.attrs[k] for k in ("claim_type", "hedged", "checkworthy", "cue")} == {
        "claim_type": "opinion", "hedged": True, "checkworthy": 1.0, "cue": "told reporters"}
    assert attribute_events(store, ids[0]) == [
        (Action.SET_ATTRIBUTE, "claim_type", "opinion"), (Action.SET_ATTRIBUTE, "hedged", True),
        (Action.SET_ATTRIBUTE, "checkworthy", 1.0), (Action.SET_ATTRIBUTE, "cue", "told reporters")]


def test_clearing_removes_the_attribute_and_an_empty_text_clears(made):
    _, store, ids = made
    s = on_claim(store)
    s.set_attribute(s.focused.key, "checkworthy", 0.0)
    s.set_attribute(s.focused.key, "checkworthy", None)
    s.set_attribute(s.focused.key, "cue", "   ")
    [claim] = claims(store, ids[0])
    assert "checkworthy" not in claim.value.attrs and "cue" not in claim.value.attrs


def test_undo_and_redo_restore_the_value_and_say_which(made):
    _, store, ids = made
    s = on_claim(store)
    s.set_attribute(s.focused.key, "claim_type", "event")
    s.set_attribute(s.focused.key, "claim_type", "opinion")
    assert s.history(Action.UNDO) == f"Undone: claim_type event → opinion on “{CLAIM_TEXT}”"
    assert claims(store, ids[0])[0].value.attrs["claim_type"] == "event"
    assert s.history(Action.REDO) == f"Redone: claim_type event → opinion on “{CLAIM_TEXT}”"
    assert claims(store, ids[0])[0].value.attrs["claim_type"] == "opinion"
    s.history(Action.UNDO)
    # the first decision on the suggestion: undone, it is undecided again, told against the suggestion
    assert s.history(Action.UNDO) == f"Undone: claim_type – → event on “{CLAIM_TEXT}”"
    assert claims(store, ids[0]) == [] and s.focused.undecided and s.focused.kind == CLAIM
    s.set_attribute(s.focused.key, "cue", "claimed")
    assert s.history(Action.UNDO) == f"Undone: cue said → claimed on “{CLAIM_TEXT}”"


def test_refused_off_a_claim_on_a_bad_value_and_on_no_change(made):
    _, store, ids = made
    s = AnnotationSession(store, load_schema(None), "alice")
    s.open_first()
    assert s.focused.kind != CLAIM
    with pytest.raises(Refused, match=r"Focus a claim to set its attributes \(j/k moves\)"):
        s.claim_attributes()
    entity = s.focused.key
    with pytest.raises(Refused):
        s.set_attribute(entity, "hedged", True)  # an entity has no claim attributes: nothing written
    while s.focused.kind != CLAIM:
        s.step(1)
    key = s.focused.key
    for name, value, said in (("cue", "said\nloudly", "control characters"), ("claim_type", "rumour", "one of"),
                              ("checkworthy", 1.5, "from 0 to 1"), ("hedged", "yes", "yes or no"),
                              ("speaker", "AUTHOR", "no claim attribute 'speaker'")):
        with pytest.raises(Refused, match=said):
            s.set_attribute(key, name, value)
    assert store.events(doc_id=ids[0], annotator="alice") == []
    s.set_attribute(key, "hedged", False)
    with pytest.raises(Refused, match="hedged is already no"):
        s.set_attribute(s.focused.key, "hedged", False)


def test_refused_when_the_schema_declares_no_attribute_besides_the_speaker(made, tmp_path):
    _, store, _ = made
    news = builtin_schema_path().read_text(encoding="utf-8")
    only_speaker = re.sub(r"    cue:.*?\n(?=\ntopic:)", "", news, flags=re.DOTALL)
    assert "claim_type" not in only_speaker and "speaker: {type: speaker" in only_speaker
    path = tmp_path / "speaker_only.yaml"
    path.write_text(only_speaker, encoding="utf-8")
    s = on_claim(store, load_schema(path))
    with pytest.raises(Refused, match="declares no claim attributes besides the speaker \\(s sets that\\)"):
        s.claim_attributes()


def test_saved_at_once_and_exported(made):
    path, store, ids = made
    s = on_claim(store)
    s.set_attribute(s.focused.key, "claim_type", "prediction")
    s.set_attribute(s.focused.key, "hedged", True)
    with Store(path) as other:  # another connection: it is stored already
        [claim] = claims(other, ids[0])
        assert (claim.value.attrs["claim_type"], claim.value.attrs["hedged"]) == ("prediction", True)
    out = path.parent / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(path), "--annotator", "alice", "-o", str(out)])
    assert result.exit_code == 0, result.output
    [task] = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    [span] = [sp for sp in task["spans"] if sp["label"] == "CLAIM"]
    assert span["text"] == CLAIM_TEXT
    assert span["attrs"]["claim_type"] == "prediction" and span["attrs"]["hedged"] is True


def test_the_detail_shows_every_attribute_of_the_schema_inert(made):
    _, store, _ = made
    s = on_claim(store)
    s.set_attribute(s.focused.key, "checkworthy", 1.0)
    item = s.focused
    drawn = detail(item, s.doc.text, s.schema, 0, 1, width=60).plain
    assert "cue: said" in drawn and "claim_type: –" in drawn and "checkworthy: yes" in drawn and "hedged: –" in drawn
    # a value from data is drawn inert: no escape sequence, no line break, no markup
    hostile = replace(item, value=replace(item.value, attrs={**item.value.attrs, "cue": "[red]x\x1b[2Jy\nz"}))
    drawn = detail(hostile, s.doc.text, s.schema, 0, 1, width=60)
    assert "\x1b" not in drawn.plain and "[red]x" in drawn.plain and "\nz" not in drawn.plain


# --- the real app, its real keys ---------------------------------------------------------------------

async def _to_claim(pilot, screen) -> None:
    while screen.focused_item.kind != CLAIM:
        await pilot.press("j")


@pytest.mark.anyio
async def test_the_key_sets_each_type_through_its_dialog(made):
    path, store, ids = made
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("c")  # an entity is focused: refused, nothing opens
        await pilot.pause()
        assert isinstance(pilot.app.screen, AnnotateScreen)
        assert [n.message for n in pilot.app._notifications] == ["Focus a claim to set its attributes (j/k moves)."]
        await _to_claim(pilot, screen)
        await pilot.press("c")
        picker = pilot.app.screen
        assert isinstance(picker, PickerScreen)
        assert [c.value for c in picker.choices] == ["cue", "claim_type", "checkworthy", "hedged"]
        assert "said" in picker.choices[0].prompt.plain
        await pilot.press("2")  # claim_type: its choices, digits pick them
        assert [c.value for c in pilot.app.screen.choices][:7] == [
            "event", "quantity", "rule", "causal", "prediction", "opinion", "other"]
        await pilot.press("6")
        await pilot.pause()
        [claim] = claims(store, ids[0])
        assert claim.value.attrs["claim_type"] == "opinion" and claim.status == ACCEPTED
        assert "claim_type: opinion" in shown(screen, "#detail")
        await pilot.press("c", "4", "y")  # hedged: yes
        await pilot.press("c", "3", "n")  # checkworthy decided: no (0.0)
        await pilot.press("c", "1")  # cue: a line of text, prefilled
        assert isinstance(pilot.app.screen, TextInputScreen)
        assert pilot.app.screen.query_one(Input).value == "said"
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"told", "enter")
        await pilot.pause()
        [claim] = claims(store, ids[0])
        assert {k: claim.value.attrs[k] for k in ("hedged", "checkworthy", "cue")} == {
            "hedged": True, "checkworthy": 0.0, "cue": "told"}
        await pilot.press("c", "1", "x", "escape")  # escape cancels the text: nothing written
        await pilot.press("c", "3", "c")  # clear checkworthy
        await pilot.pause()
        assert isinstance(pilot.app.screen, AnnotateScreen)
        assert "checkworthy" not in claims(store, ids[0])[0].value.attrs
        await pilot.press("u")
        await pilot.pause()
        assert f"Undone: checkworthy no → – on “{CLAIM_TEXT}”" in status(screen)
        await pilot.press("u")
        await pilot.pause()
        assert f"Undone: cue said → told on “{CLAIM_TEXT}”" in status(screen)
        assert claims(store, ids[0])[0].value.attrs["cue"] == "said"
        await pilot.press("U")
        await pilot.pause()
        assert claims(store, ids[0])[0].value.attrs["cue"] == "told"
    assert [a for a, *_ in attribute_events(store, ids[0])] == [Action.SET_ATTRIBUTE] * 5 + [
        Action.UNDO, Action.UNDO, Action.REDO]


@pytest.mark.anyio
async def test_a_control_character_typed_into_a_text_is_refused(made):
    path, store, ids = made
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await _to_claim(pilot, screen)
        await pilot.press("c", "1")
        pilot.app.screen.query_one(Input).value = "said\x07"  # as a paste could bring it
        await pilot.press("enter")
        await pilot.pause()
        assert any("control characters" in n.message for n in pilot.app._notifications)
    assert claims(store, ids[0]) == []


@pytest.mark.anyio
async def test_a_key_file_remaps_the_attribute_key(made, tmp_path):
    path, store, ids = made
    keys = tmp_path / "keys.yaml"
    keys.write_text("attributes: e\n", encoding="utf-8")
    async with app_for(path, keymap=load_keymap(keys)).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await _to_claim(pilot, screen)
        await pilot.press("c")  # no longer bound
        assert isinstance(pilot.app.screen, AnnotateScreen)
        await pilot.press("e", "4", "y")
        await pilot.pause()
    assert claims(store, ids[0])[0].value.attrs["hedged"] is True


def test_a_key_file_giving_the_attribute_key_to_another_binding_is_refused(tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text("attributes: s\n", encoding="utf-8")
    with pytest.raises(AnnotatorError, match="attributes: key 's' is already speaker's by default"):
        load_keymap(keys)
