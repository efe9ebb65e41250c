"""Pilot tests: drive the keys, then check the database holds exactly what was decided."""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import ACCEPTED, CLAIM, REJECTED, Document, SpanRef, Stance
from annotator.store import ImportRecord, Store
from annotator.tui.app import create_app
from annotator.tui.keymap import load_keymap
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.confirm import ConfirmScreen
from annotator.tui.screens.documents import DocumentListScreen
from annotator.tui.screens.error import ErrorScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.picker import PickerScreen
from helpers.pilot import SIZE, actions, app_for, focused_text, spans, started
from helpers.tui import ARTICLE, find, make_db

pytestmark = pytest.mark.anyio


async def test_focus_starts_on_first_undecided_and_accept_moves_on(db):
    path, store, ids = db
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert focused_text(screen) == "North Korea"
        await pilot.press("a")
        # saved before shown: the row is there as soon as the key is handled
        assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion")]
        assert focused_text(screen) == "Russia"
        await pilot.press("x")
        assert focused_text(screen) == "June"
    assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion"),
                                    ("Russia", "GPE", REJECTED, "suggestion")]
    assert actions(store, ids[0]) == ["accept", "reject"]
    ev = store.events(doc_id=ids[0], annotator="alice")[0]
    [[before, after]] = ev.payload["changes"]
    assert before is None and after["label"] == "GPE" and after["suggestion_id"]


async def test_navigation_and_relabel_by_digit_and_picker(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("j", "down", "k")  # North Korea -> Russia -> June -> Russia
        assert focused_text(screen) == "Russia"
        await pilot.press("2")  # label 2 of the news schema: ORG (accepts, moves on)
        assert focused_text(screen) == "June"
        await pilot.press("l")
        assert isinstance(app_screen := pilot.app.screen, PickerScreen)
        await pilot.press("e")  # EVENT's key in the picker
        assert not isinstance(pilot.app.screen, PickerScreen) and app_screen is not None
        await pilot.press("up", "up")
        assert focused_text(screen) == "Russia"
    assert spans(store, ids[0]) == [("June", "EVENT", ACCEPTED, "suggestion"),
                                    ("Russia", "ORG", ACCEPTED, "suggestion")]
    assert actions(store, ids[0]) == ["relabel", "relabel"]


async def test_label_picker_escape_changes_nothing(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("l", "escape")
        assert isinstance(pilot.app.screen, AnnotateScreen)
    assert spans(store, ids[0]) == []


async def test_accept_all_is_one_event(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("A")  # asks first, saying how many of which kind
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert str(confirm.query_one("#confirm-question").render()) == "Accept 12 suggestions?"
        assert "10 entities, 1 claim and 1 stance" in str(confirm.query_one("#confirm-explanation").render())
        assert store.items(ids[0], "alice") == []
        await pilot.press("y")
        assert all(not i.undecided for i in screen.items)
    items = store.items(ids[0], "alice")
    assert len(items) == 12 and {a.status for a in items} == {ACCEPTED}
    assert actions(store, ids[0]) == ["accept_all"]
    assert len(store.events(doc_id=ids[0])[-1].payload["changes"]) == 12


async def test_resize_start_and_end_by_word(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("shift+right")
        assert focused_text(screen) == "North Korea and"
        await pilot.press("shift+left", "ctrl+left")
        assert focused_text(screen) == "between North Korea"
        await pilot.press("greater_than_sign", "full_stop", "comma")
        assert focused_text(screen) == "North Korea"
        await pilot.press("less_than_sign")
    assert spans(store, ids[0]) == [("between North Korea", "GPE", ACCEPTED, "suggestion")]
    assert actions(store, ids[0]) == ["resize"] * 7


async def test_create_span_by_keyboard(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("n")  # cursor at the focused span: "North Korea"
        assert screen.mode == "create" and screen.cursor == find(ARTICLE, "North Korea")[0]
        await pilot.press("b", "b", "b", "b", "m", "w", "w", "w")  # "landmark defense treaty"
        assert ARTICLE[screen.mark:screen.cursor] == "landmark defense treaty"
        await pilot.press("enter")
        assert isinstance(pilot.app.screen, PickerScreen)
        await pilot.press("w")  # LAW
        assert screen.mode == "normal"
        assert focused_text(screen) == "landmark defense treaty"
    assert spans(store, ids[0]) == [("landmark defense treaty", "LAW", ACCEPTED, "manual")]
    assert actions(store, ids[0]) == ["create"]


async def test_create_cancel_and_single_word(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("n", "escape")
        assert screen.mode == "normal"
        await pilot.press("n", "right", "right", "enter", "o")  # no mark: the word under the cursor
    assert spans(store, ids[0]) == [("North Korea"[:5], "ORG", ACCEPTED, "manual")]


async def test_undo_many_steps_and_redo(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("a", "x", "1")
        assert len(store.items(ids[0], "alice")) == 3
        await pilot.press("u", "ctrl+z")
        assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion")]
        assert focused_text(screen) == "Russia"  # focus follows what was undone
        await pilot.press("u")
        assert spans(store, ids[0]) == []
        await pilot.press("u")  # nothing left: no event
        await pilot.press("ctrl+y", "U")
        assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion"),
                                        ("Russia", "GPE", REJECTED, "suggestion")]
    assert actions(store, ids[0]) == ["accept", "reject", "relabel", "undo", "undo", "undo", "redo", "redo"]


async def test_set_claim_speaker(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("s")  # not a claim: a warning, nothing written
        assert isinstance(pilot.app.screen, AnnotateScreen)
        while screen.focused_item.kind != CLAIM:
            await pilot.press("j")
        await pilot.press("s")
        assert isinstance(pilot.app.screen, PickerScreen)
        await pilot.press("a")  # AUTHOR
        claim = [a for a in store.items(ids[0], "alice") if a.value.kind == CLAIM][0]
        assert claim.value.attrs["speaker"] == "AUTHOR" and claim.status == ACCEPTED
        await pilot.press("s", "4")  # the 4th actor: Vladimir Putin
    [claim] = [a for a in store.items(ids[0], "alice") if a.value.kind == CLAIM]
    s, e = find(ARTICLE, "Vladimir Putin")
    assert claim.value.attrs["speaker"] == {"start": s, "end": e, "label": "PERSON"}
    assert claim.value.attrs["cue"] == "said"
    assert actions(store, ids[0]) == ["set_speaker", "set_speaker"]


async def test_add_edit_delete_stance(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("t")  # source picker: preselected on the focused actor (North Korea)
        await pilot.press("enter")  # target picker: first target after the source (Russia)
        await pilot.press("enter")
        await pilot.press("plus")  # FAVOR
        [st] = [a for a in store.items(ids[0], "alice") if isinstance(a.value, Stance)]
        assert (st.value.source, st.value.target, st.value.polarity) == (
            SpanRef(*find(ARTICLE, "North Korea"), "GPE"), SpanRef(*find(ARTICLE, "Russia"), "GPE"), "FAVOR")
        assert isinstance(screen.focused_item.value, Stance)  # focus on the new stance
        await pilot.press("t", "enter", "enter", "minus")  # edit: keep source and target, AGAINST
        [st2] = [a for a in store.items(ids[0], "alice") if isinstance(a.value, Stance)]
        assert st2.id == st.id and st2.value.polarity == "AGAINST"
        await pilot.press("D")
        assert [a for a in store.items(ids[0], "alice") if isinstance(a.value, Stance)] == []
    assert actions(store, ids[0]) == ["add_stance", "edit_stance", "delete"]


async def test_accept_suggested_stance(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        while not isinstance(screen.focused_item.value, Stance):
            await pilot.press("j")
        await pilot.press("a")
    assert spans(store, ids[0]) == [("The United States", "->", "the treaty", "AGAINST", ACCEPTED)]


async def test_done_opens_next_and_document_keys(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("d")  # 12 suggestions are undecided: it asks, and says what done does with them
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen) and screen.doc.id == ids[0]
        assert "12 suggestions undecided" in str(confirm.query_one("#confirm-question").render())
        assert ids[0] not in store.statuses("alice")  # nothing decided yet: not even started
        explanation = str(confirm.query_one("#confirm-explanation").render())
        assert "10 entities, 1 claim and 1 stance" in explanation and "no export has them" in explanation
        await pilot.press("y")
        assert screen.doc.id == ids[1]
        assert store.statuses("alice")[ids[0]] == "done"
        await pilot.press("left_square_bracket")
        assert screen.doc.id == ids[0]
        await pilot.press("right_square_bracket")
        assert screen.doc.id == ids[1]
        await pilot.press("right_square_bracket")  # last one: stays
        assert screen.doc.id == ids[1]
    assert actions(store, ids[0]) == ["status"]


async def test_document_without_suggestions_annotated_by_hand(db):
    path, store, ids = db
    async with app_for(path, start_doc=ids[1]).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.doc.id == ids[1] and screen.items == []
        await pilot.press("a")  # nothing focused: a warning, no crash
        await pilot.press("n", "m", "enter", "g")  # "Brussels" as GPE
        await pilot.press("n", "w", "w", "w", "m", "w", "w", "enter", "d")  # "decision on": DATE... then fix
        await pilot.press("shift+left", "shift+right", "shift+right")  # "decision on Tuesday"
        await pilot.press("3")  # relabel to GPE? no: label 3 is GPE; keep going with the picker instead
        await pilot.press("l", "e")  # EVENT
        await pilot.press("k", "t", "enter", "enter", "equals_sign")  # Brussels -> decision..., NEUTRAL
    got = spans(store, ids[1])
    assert ("Brussels", "GPE", ACCEPTED, "manual") in got
    assert ("decision on Tuesday", "EVENT", ACCEPTED, "manual") in got
    assert ("Brussels", "->", "decision on Tuesday", "NEUTRAL", ACCEPTED) in got
    assert len(got) == 3


async def test_resume_at_same_document_and_span(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("a", "j", "j")
        assert focused_text(screen) == "Kim Jong Un"
        await pilot.press("q")
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.doc.id == ids[0] and focused_text(screen) == "Kim Jong Un"
        await pilot.press("d", "j")  # to the second document, then back with [
        await pilot.press("left_square_bracket")
        assert focused_text(screen) == "Kim Jong Un"
    # after `d`, reopening resumes on the next document
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.doc.id == ids[0]


async def test_document_list_filter_and_open(db):
    path, store, ids = db
    store.set_status("alice", ids[0], "done")
    async with app_for(path, start_doc=ids[0]).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("g")
        doclist = pilot.app.screen
        assert isinstance(doclist, DocumentListScreen)
        assert doclist.row_count == 2
        await pilot.press("f")  # todo
        assert doclist.status_filter == "todo" and doclist.row_count == 1
        await pilot.press("f", "f")  # done
        assert doclist.row_count == 1
        await pilot.press("f", "f")  # all
        assert doclist.row_count == 2
        # the queue's order and numbers: the unfinished document first, the finished one (open) last
        rows = [doclist.row(i) for i in range(doclist.row_count)]
        assert [(r.position, r.doc_id) for r in rows] == [(1, ids[1]), (2, ids[0])]
        assert doclist.table.cursor == 1  # on the open document
        await pilot.press("up", "enter")
        assert screen.doc.id == ids[1]
        row = {r.doc_id: r for r in rows}
        assert row[ids[0]].status == "done" and row[ids[0]].undecided == 12 and row[ids[1]].status == "todo"


async def test_help_lists_every_key_and_keymap_remaps(db, tmp_path):
    path, store, ids = db
    keys = tmp_path / "keys.yaml"
    keys.write_text("accept: y\nreject: [r, x]\n")
    async with create_app(path, "alice", suggest=False, keys=keys).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("a")  # no longer bound
        assert spans(store, ids[0]) == []
        await pilot.press("y", "r")
        assert [s[2] for s in spans(store, ids[0])] == [ACCEPTED, REJECTED]
        await pilot.press("question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        await pilot.press("escape")
        assert pilot.app.screen is screen


def test_bad_keymap_names_file_and_line(tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text("accept: y\nacept: z\n")
    with pytest.raises(AnnotatorError) as err:
        load_keymap(keys)
    assert "keys.yaml:2" in str(err.value) and "acept" in str(err.value)
    keys.write_text("accept: 3\n")
    with pytest.raises(AnnotatorError):
        load_keymap(keys)
    assert load_keymap(tmp_path / "missing.yaml") == {}


async def test_markup_and_escapes_are_shown_as_text(tmp_path):
    path = tmp_path / "m.db"
    text = "[bold]Loud[/bold] [link=http://x]click[/link] \x1b[31mred\x1b[0m bell\x07 end\r\nnext"
    store = Store(path)
    store.import_records([ImportRecord(Document.from_text(text))])
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        view = screen.article
        lines = [view.render_line(y).text for y in range(3)]
        assert lines[0].startswith("[bold]Loud[/bold] [link=http://x]click[/link] ␛[31mred␛[0m bell␇ end")
        assert "\x1b" not in "".join(lines) and "\x07" not in "".join(lines)
        assert lines[1].startswith("next")
        await pilot.press("n", "m", "w", "w", "enter", "p")
    [a] = store.items(Document.from_text(text).id, "alice")
    assert text[a.value.start:a.value.end] == "[bold"  # offsets are the original text's
    store.close()


async def test_too_small_terminal_shows_message(db):
    path, store, ids = db
    async with app_for(path).run_test(size=(50, 10)) as pilot:
        screen = await started(pilot)
        assert screen.has_class("-too-small")
        assert "too small" in str(screen.query_one("#too-small").render()).lower()
        await pilot.press("a")  # disabled while too small
        assert spans(store, ids[0]) == []
        await pilot.resize_terminal(120, 40)
        await pilot.pause()
        assert not screen.has_class("-too-small")
        await pilot.press("a")
        assert len(spans(store, ids[0])) == 1


async def test_damaged_database_shows_error_screen_and_exits(tmp_path):
    path = tmp_path / "bad.db"
    path.write_bytes(b"SQLite format 3\x00" + b"\x00garbage" * 200)
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        await pilot.press("space")
    assert app.return_code == 1


async def test_damaged_database_during_a_decision_shows_error(db, monkeypatch):
    path, store, ids = db
    app = app_for(path)
    async with app.run_test(size=SIZE) as pilot:
        await started(pilot)

        def damaged(*a, **k):  # (a lock is waited out instead: test_tui_lock_wait.py)
            raise sqlite3.DatabaseError("database disk image is malformed")

        monkeypatch.setattr(app.store, "apply", damaged)
        await pilot.press("a")
        await pilot.pause()
        assert isinstance(app.screen, ErrorScreen)
        assert "malformed" in str(app.screen.query_one("#error-message").render())
        await pilot.press("q")
    assert app.return_code == 1
    assert spans(store, ids[0]) == []


async def test_suggestions_arrive_from_worker_after_article_is_shown(tmp_path):
    path = tmp_path / "w.db"
    store, ids = make_db(path, suggestions=False)
    release = threading.Event()
    calls = []

    def fake_suggest(worker_store, schema, *, progress=None, **kw):
        calls.append(threading.current_thread().name)
        assert release.wait(10)
        doc = worker_store.document(ids[0])
        from helpers.tui import article_suggestions

        worker_store.replace_suggestions(ids[0], "fake", "1", article_suggestions(doc.text))
        if progress:
            progress(1, 2)

    app = app_for(path, suggest=True, suggest_fn=fake_suggest)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        # the article is readable while the "model" is still loading
        assert screen.items == [] and "Korea" in screen.article.render_line(0).text
        release.set()
        for _ in range(100):
            await pilot.pause(0.05)
            if screen.items:
                break
        assert len(screen.items) == 12 and focused_text(screen) == "North Korea"
        await pilot.press("a")
    assert calls and calls[0] != threading.main_thread().name
    assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion")]
    store.close()


async def test_export_lists_only_accepted_and_hand_made_spans(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("a", "x", "a")  # accept North Korea, reject Russia, accept June
        await pilot.press("n", "b", "m", "w", "enter", "o")  # a hand-made span: "leaders"
    accepted = sorted(store.document(ids[0]).text[a.value.start:a.value.end]
                      for a in store.items(ids[0], "alice") if a.status == ACCEPTED)
    assert accepted == ["June", "North Korea", "leaders"]
    out = Path(path).parent / "out.jsonl"
    result = CliRunner().invoke(cli, ["export", "--db", str(path), "--annotator", "alice", "-o", str(out)])
    assert result.exit_code == 0, result.output
    [task] = [json.loads(line) for line in out.read_text().splitlines()]
    assert task["text"] == store.document(ids[0]).text
    assert store.status("alice", ids[0]) == "in_progress" and "answer" not in task  # not marked done yet
    assert sorted(s["text"] for s in task["spans"]) == ["June", "North Korea", "leaders"]
    assert all(task["text"][s["start"]:s["end"]] == s["text"] for s in task["spans"])


async def test_keymap_clash_the_mapped_binding_wins(db):
    path, store, ids = db
    async with app_for(path, keymap={"accept": "x"}).run_test(size=SIZE) as pilot:
        await started(pilot)
        await pilot.press("x")
    assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion")]


def test_annotate_without_documents_says_how_to_import(tmp_path, monkeypatch):
    monkeypatch.setattr("annotator.cli.annotate.terminal", lambda: True)

    result = CliRunner().invoke(cli, ["annotate", "--db", str(tmp_path / "none.db"), "--no-suggest"])
    assert result.exit_code == 2
    assert "annotator import" in result.output
    Store(tmp_path / "empty.db").close()
    result = CliRunner().invoke(cli, ["annotate", "--db", str(tmp_path / "empty.db"), "--no-suggest"])
    assert result.exit_code == 2 and "No documents" in result.output


def test_annotate_imports_sources_then_opens_the_app(tmp_path, monkeypatch):
    import annotator.tui.app as tui_app

    opened = {}

    class FakeApp:
        return_code = 0

        def run(self):
            opened["ran"] = True

    def fake_create_app(db_path, annotator, **kw):
        opened.update(db=db_path, annotator=annotator, **kw)
        return FakeApp()

    monkeypatch.setattr(tui_app, "create_app", fake_create_app)
    monkeypatch.setattr("annotator.cli.annotate.terminal", lambda: True)
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    db = tmp_path / "new.db"
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db), "--annotator", "zoe", "--no-suggest", str(src)])
    assert result.exit_code == 0, result.output
    assert "imported 1 new document (0 already present) into" in result.output
    assert opened["ran"] and opened["annotator"] == "zoe" and opened["suggest"] is False
    with Store(db) as store:
        assert [d.text for d in store.documents()] == [ARTICLE]


def test_annotate_source_and_import_report_in_the_same_words(tmp_path, monkeypatch):
    """annotate SOURCE and import say what they imported alike, in the singular for one document."""
    import annotator.tui.app as tui_app

    class FakeApp:
        return_code = 0

        def run(self):
            pass

    monkeypatch.setattr(tui_app, "create_app", lambda *a, **kw: FakeApp())
    monkeypatch.setattr("annotator.cli.annotate.terminal", lambda: True)
    src = tmp_path / "a.txt"
    src.write_text(ARTICLE, encoding="utf-8")
    runner = CliRunner()

    def said(*args):
        result = runner.invoke(cli, [*args, "--db", str(tmp_path / "x.db"), str(src)])
        assert result.exit_code == 0, result.output
        return [line for line in result.output.splitlines() if line.startswith("imported")]

    first = said("annotate", "--no-suggest")
    assert first == [f"imported 1 new document (0 already present) into {tmp_path / 'x.db'}"]
    again = said("annotate", "--no-suggest")
    assert again == [f"imported 0 new documents (1 already present) into {tmp_path / 'x.db'}"]
    assert said("import") == again


async def test_tab_jumps_to_next_undecided_and_a_on_decided_moves_on(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("a", "k")  # back on the accepted North Korea
        assert focused_text(screen) == "North Korea"
        await pilot.press("a")  # already accepted: no event, focus moves on
        assert focused_text(screen) == "Russia"
        await pilot.press("k", "tab")
        assert focused_text(screen) == "Russia"
    assert actions(store, ids[0]) == ["accept"]


@pytest.mark.slow
async def test_real_suggester_in_the_background(tmp_path):
    pytest.importorskip("annotator.suggest.runner")
    path = tmp_path / "real.db"
    store, ids = make_db(path, suggestions=False)
    app = app_for(path, suggest=True)
    async with app.run_test(size=SIZE) as pilot:
        screen = await started(pilot)  # (that it paints before the model loads: see the fake-worker test)
        for _ in range(1200):
            await pilot.pause(0.05)
            if screen.items or "failed" in app.suggest_note or "unavailable" in app.suggest_note:
                break
        assert screen.items, app.suggest_note
        assert any(i.label == "PERSON" and screen.doc.text[i.start:i.end] == "Kim Jong Un" for i in screen.items)
        await pilot.press("a")
        for _ in range(600):
            if app.suggest_finished:
                break
            await pilot.pause(0.05)
        assert app.suggest_finished and "failed" not in app.suggest_note
    assert len(store.items(ids[0], "alice")) == 1
    assert store.suggestions(ids[1])  # every document lacking suggestions got them
    store.close()


def test_the_keys_table_in_the_docs_lists_every_binding():
    from annotator.tui.keymap import KEYS

    docs = (Path(__file__).resolve().parent.parent / "docs" / "annotate.md").read_text(encoding="utf-8")
    table = [line for line in docs.split("## Keys")[1].split("Notes:")[0].splitlines() if line.startswith("| `")]
    ids = {cell.strip(" `") for line in table for cell in line.split("|")[3].split("…")}
    missing = [k.id for k in KEYS if k.id not in ids and not k.id.startswith("relabel_")]
    assert not missing and {"relabel_1", "relabel_9"} <= ids
