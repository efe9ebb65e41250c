"""Pilot tests for a real session's flow (issue 13): where the focus goes, passes per kind,
what starts and ends a document, resuming, the queue, stance ends, resizing, what the
status line says. Each test checks the database rows and what the screen shows."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from annotator.model import ACCEPTED, CLAIM, ENTITY, REJECTED, STANCE, Document, Span, SpanRef, Stance
from annotator.store import ImportRecord, Store
from annotator.tui.screens.confirm import ConfirmScreen
from annotator.tui.screens.documents import DocumentListScreen
from annotator.tui.screens.picker import PickerScreen
from helpers.pilot import SIZE, actions, app_for, focused_text, panel_row_visible, shown, spans, started, status
from helpers.tui import ARTICLE, find

pytestmark = pytest.mark.anyio


def one_doc(tmp_path, text: str, values) -> tuple:
    """A database with one document and the given suggestions (rule 'test', score 0.9)."""
    path = tmp_path / "one.db"
    store = Store(path)
    doc = Document.from_text(text)
    store.import_records([ImportRecord(doc)])
    store.replace_suggestions(doc.id, "test", "1", [(v, "test", 0.9) for v in values])
    return path, store, doc.id


def kinds(store, doc_id, layer="alice") -> list[tuple[str, str]]:
    return sorted((a.value.kind, a.status) for a in store.items(doc_id, layer))


# --- 3: the focus after undo and redo --------------------------------------------


async def test_undoing_a_hand_made_span_focuses_the_nearest_item(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("n", "enter", "o")  # the word under the cursor, "North", as ORG
        assert spans(store, ids[0]) == [("North", "ORG", ACCEPTED, "manual")] and focused_text(screen) == "North"
        await pilot.press("u")
        assert spans(store, ids[0]) == []
        assert focused_text(screen) == "North Korea"  # the nearest item, not nothing
        assert "Undone: creating “North” (ORG)" in status(screen) and "North Korea" in shown(screen, "#detail")
        await pilot.press("U")
        assert spans(store, ids[0]) == [("North", "ORG", ACCEPTED, "manual")] and focused_text(screen) == "North"
        assert "Redone: creating “North” (ORG)" in status(screen)
        await pilot.press("u", "a")  # a works on the focused item at once
    assert spans(store, ids[0]) == [("North Korea", "GPE", ACCEPTED, "suggestion")]
    assert actions(store, ids[0]) == ["create", "undo", "redo", "undo", "accept"]


async def test_undoing_and_redoing_a_hand_made_stance(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("t", "enter", "enter", "plus")  # North Korea -> Russia, FAVOR
        assert spans(store, ids[0]) == [("North Korea", "->", "Russia", "FAVOR", ACCEPTED)]
        await pilot.press("u")
        assert spans(store, ids[0]) == []
        assert focused_text(screen) == "North Korea"
        assert "Undone: adding the stance North Korea → Russia (FAVOR)" in status(screen)
        await pilot.press("U")
        assert spans(store, ids[0]) == [("North Korea", "->", "Russia", "FAVOR", ACCEPTED)]
        assert isinstance(screen.focused_item.value, Stance)
        assert "North Korea → Russia" in shown(screen, "#detail")


# --- 4: one pass per kind, the panel row in view, A asks ---------------------------


async def test_accepting_walks_entities_first_then_claims_then_stances(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert "entities pass" in status(screen)
        await pilot.press(*["a"] * 10)  # in reading order the 10th would have been the stance
        assert kinds(store, ids[0]) == [(ENTITY, ACCEPTED)] * 10
        assert screen.focused_item.kind == CLAIM
        assert "Entities done: now claims, 1 to decide" in status(screen) and "claims pass" in status(screen)
        await pilot.press("a")
        assert screen.focused_item.kind == STANCE and "stances pass" in status(screen)
        await pilot.press("x")
        assert "Every suggestion is decided" in status(screen)
    assert kinds(store, ids[0]) == sorted([(ENTITY, ACCEPTED)] * 10 + [(CLAIM, ACCEPTED), (STANCE, REJECTED)])


async def test_p_chooses_the_kind_walked_and_A_accepts_only_that_kind(db):
    path, store, ids = db
    async with app_for(path).run_test(size=(80, 24)) as pilot:
        screen = await started(pilot)
        await pilot.press("p")
        assert "entities only" in status(screen)
        await pilot.press("p", "p", "p")  # claims, topics (none here), stances
        assert "stances only" in status(screen) and screen.focused_item.kind == STANCE
        assert panel_row_visible(screen)  # the last row of the panel, scrolled into view at 80x24
        await pilot.press("x")
        assert kinds(store, ids[0]) == [(STANCE, REJECTED)]
        await pilot.press("p", "p")  # every kind, then entities only
        await pilot.press("A")
        confirm = pilot.app.screen
        assert isinstance(confirm, ConfirmScreen)
        assert shown(confirm, "#confirm-question") == "Accept 10 suggestions?"
        assert "10 entities will be accepted" in shown(confirm, "#confirm-explanation")
        await pilot.press("n")  # no: nothing written
        assert kinds(store, ids[0]) == [(STANCE, REJECTED)]
        await pilot.press("A", "y")
        assert kinds(store, ids[0]) == sorted([(ENTITY, ACCEPTED)] * 10 + [(STANCE, REJECTED)])
        assert screen.items[[i.kind for i in screen.items].index(CLAIM)].undecided  # the claim is left
    assert actions(store, ids[0]) == ["reject", "accept_all"]


async def test_the_focused_row_is_in_view_from_the_start_and_after_each_move(db):
    path, store, ids = db
    async with app_for(path).run_test(size=(80, 24)) as pilot:
        screen = await started(pilot)
        await pilot.pause()
        assert panel_row_visible(screen)
        for _ in range(len(screen.items)):
            await pilot.press("j")
            assert panel_row_visible(screen), focused_text(screen)


# --- 5: done with undecided suggestions asks -----------------------------------------


async def test_done_asks_when_suggestions_are_undecided_and_not_when_all_are_decided(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("d")
        assert isinstance(pilot.app.screen, ConfirmScreen)
        await pilot.press("escape")  # not done after all
        assert pilot.app.screen is screen and screen.doc.id == ids[0]
        assert store.statuses("alice") == {}
        await pilot.press("A", "y", "d")  # every suggestion decided: done at once, the next one opens
        assert pilot.app.screen is screen and screen.doc.id == ids[1]
        assert "doc 2/2" in status(screen)
    assert store.statuses("alice") == {ids[0]: "done"}


# --- 6: only a decision starts a document -------------------------------------------


async def test_looking_at_a_document_does_not_start_it(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert "todo" in status(screen)
        await pilot.press("right_square_bracket")  # the second document, only looked at
        assert screen.doc.id == ids[1] and "todo" in status(screen)
        await pilot.press("left_square_bracket", "a")
        assert "in progress" in status(screen)
        await pilot.press("right_square_bracket", "q")
    assert store.statuses("alice") == {ids[0]: "in_progress"}
    assert store.resume_point("alice")[0] == ids[1]  # yet it reopens where alice was


def test_review_and_agreement_ignore_a_document_only_looked_at(db):
    import json

    from click.testing import CliRunner

    from annotator.annotate.session import AnnotationSession
    from annotator.cli import cli
    from annotator.schema import load_schema

    path, store, ids = db
    for name in ("alice", "bob"):  # both decide on the first document
        session = AnnotationSession(store, load_schema(None), name)
        assert session.open_first() and session.doc.id == ids[0]
        session.accept()
    session.open(ids[1])  # bob looks at the second one, and decides nothing
    assert set(store.statuses("bob")) == {ids[0]}
    result = CliRunner().invoke(cli, ["review", "--db", str(path), "--reviewer", "carol", "--summary"])
    assert result.exit_code == 0, result.output
    # the first document counts (both agree on it, so it is not queued); the one bob only looked at does not
    assert "1 where everyone agrees" in result.stdout and ids[1] not in result.output
    result = CliRunner().invoke(cli, ["agreement", "--db", str(path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["documents"] == 1 and {f["documents"] for f in report["figures"]} == {1}


# --- 7: resuming where the last decision or focus was ------------------------------


async def test_g_enter_on_the_open_document_keeps_the_focus(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press(*["j"] * 6)
        assert focused_text(screen) == "Moscow" and "7/12" in shown(screen, "#detail")
        await pilot.press("g")
        assert isinstance(pilot.app.screen, DocumentListScreen)
        await pilot.press("enter")
        assert focused_text(screen) == "Moscow" and "7/12" in shown(screen, "#detail")
        await pilot.press("right_square_bracket", "left_square_bracket")
        assert focused_text(screen) == "Moscow"
    assert store.cursor("alice", ids[0])["start"] == find(ARTICLE, "Moscow")[0]


async def test_a_decision_commits_where_the_focus_goes_next(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("a", "a")
        # what a restart after kill -9 would read, at once (no timer has run)
        with Store(path) as other:
            last, cursor = other.resume_point("alice")
        assert last == ids[0] and cursor["key"] == screen.focused_item.key and focused_text(screen) == "June"
    async with app_for(path).run_test(size=SIZE) as pilot:  # left without q
        screen = await started(pilot)
        assert focused_text(screen) == "June"


@pytest.mark.slow
def test_kill_9_then_restart_resumes_at_the_last_decision(db, tmp_path):
    import asyncio

    from helpers.terminal import Terminal

    path, store, ids = db
    with Terminal(["annotate", "--db", str(path), "--annotator", "alice", "--no-suggest"], tmp_path) as term:
        term.wait_for("North Korea")
        for n in (1, 2, 3):
            term.send(b"x" if n == 2 else b"a")
            term.wait_until(lambda: len(store.events(doc_id=ids[0], annotator="alice")) == n)
        term.kill()  # SIGKILL the moment the third decision is in the database
    assert spans(store, ids[0]) == [("June", "DATE", ACCEPTED, "suggestion"),
                                    ("North Korea", "GPE", ACCEPTED, "suggestion"),
                                    ("Russia", "GPE", REJECTED, "suggestion")]

    async def reopen() -> str:
        async with app_for(path).run_test(size=SIZE) as pilot:
            return focused_text(await started(pilot))

    assert asyncio.run(reopen()) == "Kim Jong Un"


# --- 8: the g list and the status bar count the same queue -------------------------


async def test_document_list_uses_the_queue_order_and_marks_assignments(db):
    path, store, ids = db
    store.add_assignments([(ids[1], "alice")])
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        assert screen.doc.id == ids[1] and "doc 1/2" in status(screen)  # assigned first
        await pilot.press("g")
        doclist = pilot.app.screen
        rows = [doclist.row(i) for i in range(doclist.row_count)]
        assert [(r.position, r.doc_id, r.assigned) for r in rows] == [(1, ids[1], True), (2, ids[0], False)]
        table = doclist.table
        assert [str(c) for c in table.cells(0)[:2]] == ["1", "to you"]
        assert [str(c) for c in table.cells(1)[:2]] == ["2", ""]
        await pilot.press("down", "enter")
        assert screen.doc.id == ids[0] and "doc 2/2" in status(screen)
    assert store.statuses("alice") == {}


# --- 9: the speaker in the article, the mention in the picker -----------------------


async def test_a_focused_claim_marks_its_speaker_and_the_picker_shows_each_mention(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("p", "p")  # claims only
        assert screen.focused_item.kind == CLAIM
        putin = find(ARTICLE, "Putin", 1)
        assert screen.article._related == [putin] and screen.article._focus == [find(ARTICLE, "the pact was a breakthrough")]
        await pilot.press("s")
        picker = pilot.app.screen
        assert isinstance(picker, PickerScreen)
        rows = {c.prompt.plain.split("  “")[0].strip(): c.prompt.plain for c in picker.choices[2:]}
        assert "“Putin said the pact was a breakthrough.”" in rows["PERSON  Putin"]
        assert all(cell_len(c.prompt.plain) <= PickerScreen.prompt_width(SIZE[0]) for c in picker.choices)


# --- 10: a stance's source and evidence follow a new target ------------------------

STANCE_TEXT = ("Kim Jong Un visited Moscow in June. " + "The talks went on for days. " * 4
               + "Later, Kim Jong Un praised Russia for its help.\n")


async def test_editing_a_stance_target_moves_the_source_mention_and_the_evidence(tmp_path):
    text = STANCE_TEXT
    kim1, kim2 = find(text, "Kim Jong Un"), find(text, "Kim Jong Un", 1)
    moscow, russia = find(text, "Moscow"), find(text, "Russia")
    values = [Span(*kim1, "PERSON"), Span(*moscow, "GPE"), Span(*kim2, "PERSON"), Span(*russia, "GPE"),
              Stance(SpanRef(*kim1, "PERSON"), SpanRef(*moscow, "GPE"), "FAVOR", SpanRef(0, 35, ""))]
    path, store, doc_id = one_doc(tmp_path, text, values)
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("p", "p", "p", "p", "t")  # stances only: the suggested stance; edit it
        assert isinstance(pilot.app.screen, PickerScreen)
        await pilot.press("enter")  # the source stays Kim Jong Un
        await pilot.press("down", "enter", "enter")  # the target: Russia (after Moscow); FAVOR kept
        [st] = [a.value for a in store.items(doc_id, "alice")]
        later = text.index("Later")
        assert (st.source, st.target, st.polarity) == (SpanRef(*kim2, "PERSON"), SpanRef(*russia, "GPE"), "FAVOR")
        assert (st.evidence.start, st.evidence.end) == (later, len(text) - 1)
        assert "Kim Jong Un → Russia" in shown(screen, "#detail")
        assert screen.article._focus == [kim2, russia]
    store.close()


# --- 11: every export format carries the same items ---------------------------------


async def test_a_stance_whose_ends_were_not_accepted_exports_alike_in_every_format(db, tmp_path):
    import json

    from click.testing import CliRunner

    from annotator.cli import cli

    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("p", "p", "p", "p", "a")  # only the stance The United States -> the treaty
        assert shown(screen, "#detail").startswith(" AGAINST  ✓ ")
    assert spans(store, ids[0]) == [("The United States", "->", "the treaty", "AGAINST", ACCEPTED)]
    run = CliRunner().invoke
    base = ["export", "--db", str(path), "--annotator", "alice", "--format"]
    assert run(cli, base + ["jsonl", "-o", str(tmp_path / "a.jsonl")]).exit_code == 0
    assert run(cli, base + ["doccano", "-o", str(tmp_path / "a.doccano")]).exit_code == 0
    assert run(cli, base + ["brat", "-o", str(tmp_path / "brat")]).exit_code == 0
    us, treaty = find(ARTICLE, "The United States"), find(ARTICLE, "the treaty")
    want = {(*us, "GPE"), (*treaty, "TOPIC")}
    [task] = [json.loads(line) for line in (tmp_path / "a.jsonl").read_text().splitlines()]
    assert {(s["start"], s["end"], s["label"]) for s in task["spans"]} == want
    [rec] = [json.loads(line) for line in (tmp_path / "a.doccano").read_text().splitlines()]
    assert {(e["start_offset"], e["end_offset"], e["label"]) for e in rec["entities"]} == want
    [ann] = (tmp_path / "brat").glob("*.ann")
    t_lines = [line.split("\t")[1].split() for line in ann.read_text().splitlines() if line.startswith("T")]
    assert {(int(s), int(e), label) for label, s, e in t_lines} == want
    conf = (tmp_path / "brat" / "annotation.conf").read_text()
    entities = conf.split("[entities]")[1].split("[relations]")[0].split()
    assert {"GPE", "TOPIC"} <= set(entities)


# --- 12: resizing by word skips punctuation ------------------------------------------


async def test_resize_by_word_skips_punctuation_and_by_token_does_not(tmp_path):
    text = "Putin’s visit to Pyongyang was rare.\n"
    path, store, doc_id = one_doc(tmp_path, text, [Span(0, 7, "PERSON")])
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("shift+left")  # one press: Putin’s -> Putin
        assert focused_text(screen) == "Putin" and "“Putin”" in shown(screen, "#detail")
        assert [text[a.value.start:a.value.end] for a in store.items(doc_id, "alice")] == ["Putin"]
        await pilot.press("right_parenthesis")  # by token: the apostrophe too
        assert focused_text(screen) == "Putin’"
        await pilot.press("full_stop")  # by word again: the next word's end
        assert focused_text(screen) == "Putin’s"
    assert [text[a.value.start:a.value.end] for a in store.items(doc_id, "alice")] == ["Putin’s"]
    assert actions(store, doc_id) == ["resize"] * 3
    store.close()


# --- 13: the status line speaks words -------------------------------------------------


async def test_status_line_says_what_undo_and_redo_did_in_words_and_forgets_it(db):
    path, store, ids = db
    async with app_for(path).run_test(size=SIZE) as pilot:
        screen = await started(pilot)
        await pilot.press("A", "y", "u")
        assert "Undone: accepting 12 suggestions" in status(screen)
        await pilot.press("U")
        assert "Redone: accepting 12 suggestions" in status(screen)
        await pilot.press("U")  # nothing left to redo: the old note goes
        assert "Redone" not in status(screen) and "accept_all" not in status(screen)
        assert len(store.items(ids[0], "alice")) == 12
    assert actions(store, ids[0]) == ["accept_all", "undo", "redo"]


def test_invalid_model_is_refused_before_the_app_starts(db, tmp_path):
    from click.testing import CliRunner

    from annotator.cli import cli

    path, store, ids = db
    for model, says in (("no_such_pipeline", "no such spaCy pipeline is installed"),
                        (str(tmp_path), "not a spaCy pipeline folder")):
        result = CliRunner().invoke(cli, ["annotate", "--db", str(path), "--model", model])
        assert result.exit_code == 2, result.output
        assert result.stderr.startswith(f"error: --model {model}: ") and says in result.stderr
        assert len(result.stderr.splitlines()) == 1 and result.stdout == ""


def test_a_missing_source_is_one_line_naming_it_and_no_database_is_made(tmp_path):
    """As in `import`: `error: FILE: no such file or folder`, status 1, not click's three-line usage error."""
    from click.testing import CliRunner

    from annotator.cli import cli

    db = tmp_path / "new.db"
    missing = tmp_path / "artcles"
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db), "--no-suggest", str(missing)])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"error: {missing}: no such file or folder\n" and result.stdout == ""
    assert not db.exists()


def test_annotate_without_a_terminal_refuses(db, monkeypatch):
    from click.testing import CliRunner

    from annotator.cli import cli

    path, store, ids = db
    result = CliRunner().invoke(cli, ["annotate", "--db", str(path), "--no-suggest"])
    assert result.exit_code == 2 and "run it in a terminal" in result.stderr
    assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert store.events() == []
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # annotator serve's sessions
    from annotator.cli.annotate import terminal

    assert terminal()
