"""A new user's audit of the annotation screen at 80×24 (issues found by driving it in tmux on
real news): each test fails on the code before its fix."""

from __future__ import annotations

import io

import pytest
from click.testing import CliRunner
from rich.cells import cell_len
from rich.console import Console
from textual.containers import Vertical, VerticalScroll
from textual.widgets import OptionList, Static

from annotator.cli import cli
from annotator.errors import AnnotatorError
from annotator.model import Document, Span
from annotator.store import ImportRecord, Store
from annotator.tui.keymap import load_keymap
from annotator.tui.screens.confirm import ConfirmScreen
from annotator.tui.screens.documents import DocumentListScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.picker import PickerScreen
from helpers.pilot import app_for, started, status

pytestmark = pytest.mark.anyio

SMALL = (80, 24)


def _inside(inner, outer) -> bool:
    """Whether ``inner`` (a region) lies within ``outer``'s content (its border excluded)."""
    return outer.y < inner.y and inner.bottom <= outer.bottom - 1


@pytest.mark.parametrize("size", [SMALL, (80, 14), (160, 45)], ids=["80x24", "80x14", "160x45"])
async def test_label_picker_fits_the_screen_and_its_last_label_can_be_reached(db, size):
    # at 80×24 the 20 labels of the news schema are taller than the dialog: the list ran under its
    # frame, so CLAIM and TOPIC could be highlighted without being seen, and the hint was cut off
    path, store, ids = db
    async with app_for(path).run_test(size=size) as pilot:
        await started(pilot)
        await pilot.press("l")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, PickerScreen)
        frame = picker.query_one(Vertical)
        hint = picker.query_one(".hint")
        options = picker.query_one(OptionList)
        assert frame.region.bottom <= size[1]
        assert _inside(options.region, frame.region) and _inside(hint.region, frame.region)
        await pilot.press("end")
        await pilot.pause()
        assert options.highlighted == options.option_count - 1  # TOPIC, the last label
        top, height = round(options.scroll_y), options.scrollable_content_region.height
        assert top <= options.highlighted < top + height
        await pilot.press("T")  # and it is chosen by its key
        await pilot.pause()
        assert not isinstance(pilot.app.screen, PickerScreen)


# --- the key file: a key that can never be pressed is refused, not bound in silence -------------

def _refusal(tmp_path, text: str) -> str:
    path = tmp_path / "keys.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(AnnotatorError) as err:
        load_keymap(path)
    return str(err.value)


@pytest.mark.parametrize("value, said", [
    ('"F1"', "did you mean 'f1'"),          # Textual's names are lower case: F1 never fires
    ('"Ctrl+Y"', "did you mean 'ctrl'"),
    ('"ctrl+"', "names no key"),
    ('"help"', "is not a key name"),
    ('"\\e[31m"', "is not a key name"),     # an escape sequence pasted by mistake
    ("[y, ENTER]", "did you mean 'enter'"),
])
def test_a_key_name_that_can_never_be_pressed_is_refused_with_file_and_line(tmp_path, value, said):
    # before, each was bound as it was: accept then had no key at all, and nothing said so
    message = _refusal(tmp_path, f"undo: u\naccept: {value}\n")
    assert "keys.yaml:2" in message and "accept" in message and said in message
    assert "\x1b" not in message


def test_every_key_name_the_docs_show_is_still_accepted(tmp_path):
    path = tmp_path / "keys.yaml"
    path.write_text('accept: "y,Y,f5,ctrl+shift+up,backspace"\nreject: [r, x, minus, slash]\n'
                    'undo: "u,ctrl+z,insert"\nhelp: "f1,question_mark"\n', encoding="utf-8")
    keymap = load_keymap(path)
    assert keymap["reject"] == "r,x,minus,slash" and keymap["help"] == "f1,question_mark"


def test_annotate_refuses_a_key_that_can_never_be_pressed_in_one_line(tmp_path):
    keys = tmp_path / "keys.yaml"
    keys.write_text("accept: F1\n", encoding="utf-8")
    db = tmp_path / "new.db"
    article = tmp_path / "a.txt"
    article.write_text("Kim Jong Un met Vladimir Putin in Moscow.\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["annotate", "--db", str(db), "--keys", str(keys), str(article)])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip().splitlines()[-1].startswith(f"error: {keys}:1: accept: 'F1'")
    assert not db.exists()


# --- the document list (g) at 80 columns: the title is read, and a cut one says so --------------

LONG_TITLE = "Senate committee opens hearings on the regional water authority's budget overrun"


def _list_db(tmp_path):
    store = Store(tmp_path / "d.db")
    docs = [Document.from_text("The committee met on Tuesday.\n", {"title": LONG_TITLE}),
            Document.from_text("A short one.\n", {"title": "Short title"})]
    store.import_records([ImportRecord(d) for d in docs])
    store.close()
    return tmp_path / "d.db"


@pytest.mark.parametrize("size", [SMALL, (160, 45)], ids=["80x24", "160x45"])
async def test_document_list_gives_the_title_room_and_marks_a_cut_one(tmp_path, size):
    # at 80 columns the count columns' names left the title 14 cells ("Senate committ"), cut with no sign
    async with app_for(_list_db(tmp_path)).run_test(size=size) as pilot:
        await started(pilot)
        await pilot.press("g")
        await pilot.pause()
        screen = pilot.app.screen
        assert isinstance(screen, DocumentListScreen)
        table = screen.table
        rows = [table.render_line(y).text.rstrip() for y in range(2)]
        header = str(screen.query_one("#doclist-header").render()).rstrip()
        assert rows[1].endswith("Short title")
        if size == SMALL:
            assert rows[0].endswith("…") and len(rows[0]) - rows[0].index("Senate committee") >= 28
            assert header.split() == ["#", "status", "?", "✓", "✗", "document"]
        else:
            assert rows[0].endswith(LONG_TITLE)
            assert "to decide" in header and "accepted" in header
        # the header's columns line up with the rows'
        assert header.index("document") == rows[1].index("Short title")
        assert all(len(r) <= table.scrollable_content_region.width for r in rows)


# --- d says what it did ---------------------------------------------------------------------------

async def test_done_says_which_document_it_marked_and_that_the_next_is_open(db):
    # the next article simply replaced the first, with nothing on the status line to say why
    path, store, ids = db
    async with app_for(path).run_test(size=SMALL) as pilot:
        screen = await started(pilot)
        await pilot.press("a", "d", "y")
        await pilot.pause()
        assert screen.doc.id == ids[1]
        line = status(screen)
        assert "doc 1/2 marked done; this is the next one not done" in line and "doc 2/2" in line
        await pilot.press("d")  # nothing undecided here: no question
        await pilot.pause()
        assert "doc 2/2 marked done: every document is done" in status(screen)
        assert not pilot.app._notifications  # said once, on the status line, not also in a toast over it
    assert store.status("alice", ids[0]) == store.status("alice", ids[1]) == "done"


# --- labels in wide characters keep the side panel's columns -----------------------------------

async def test_a_label_in_wide_characters_keeps_the_words_column_of_the_side_panel(tmp_path):
    # padding counted characters, not cells: after 人物 (4 cells, 2 characters) the words sat 2 cells right
    text = "Tanaka met Sato in Osaka on Monday.\n"
    store = Store(tmp_path / "w.db")
    doc = Document.from_text(text, {"title": "wide labels"})
    store.import_records([ImportRecord(doc, "alice", [Span(0, 6, "人物"), Span(11, 15, "PERSONA"), Span(19, 24, "GPE")])])
    store.close()
    async with app_for(tmp_path / "w.db").run_test(size=SMALL) as pilot:
        screen = await started(pilot)
        rows = screen._rows
        lines = ["".join(piece for piece, _ in rows[rows.get(item.key)]) for item in screen.items]
        starts = {cell_len(line[:line.index(word)]) for line, word in zip(lines, ("Tanaka", "Sato", "Osaka"))}
        assert len(starts) == 1, lines


# --- what a refused key says names the keys as mapped --------------------------------------------

async def test_refusals_name_the_keys_as_mapped(db):
    # "x rejects it" and "(j/k moves)" were written out, whatever the key file said
    path, store, ids = db
    keymap = {"reject": "r", "next_span": "down,J", "prev_span": "up,K"}
    async with app_for(path, keymap=keymap).run_test(size=SMALL) as pilot:
        await started(pilot)
        said = []
        for key in ("D", "s"):  # an undecided suggestion is not in the layer; an entity is no claim
            await pilot.press(key)
            await pilot.pause()
            said += [n.message for n in pilot.app._notifications]
    assert said == ["An undecided suggestion is not in your layer: r rejects it.",
                    "Focus a claim to set its speaker (↓/↑ moves)."]


# --- ? says what the screen's styles mean, not only the keys ------------------------------------

async def test_help_starts_with_what_the_styles_and_marks_mean(db):
    # the help listed keys only: a new annotator had to guess that underlined means undecided
    path, store, ids = db
    async with app_for(path).run_test(size=SMALL) as pilot:
        await started(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen = pilot.app.screen
        assert isinstance(help_screen, HelpScreen)
        console = Console(width=76, file=io.StringIO(), record=True)
        for static in help_screen.query(Static):
            console.print(static.content)
        shown_text = console.export_text()
    legend_lines = ["?  an entity suggested, undecided: underlined", "✓  accepted (or made by hand): solid background",
                    "✗  rejected: dim, struck through", "the focus (both ends of a focused stance): black on white",
                    "a focused claim's speaker: black on cyan"]
    at = [shown_text.find(line) for line in legend_lines]
    assert -1 not in at and at == sorted(at) and at[-1] < shown_text.find("Accept the focused span")


# --- p on a kind the document has none of says so --------------------------------------------------

async def test_choosing_a_kind_the_document_lacks_says_so(db):
    # "tab, a, x, j, k and A walk topics only" showed with the focus left on a claim, and a then
    # decided that claim: nothing said there were no topics to walk
    path, store, ids = db
    async with app_for(path).run_test(size=SMALL) as pilot:
        screen = await started(pilot)
        await pilot.press("p", "p")
        assert "walk claims only" in status(screen)
        await pilot.press("p")
        line = status(screen)
        assert "no topics in this document to walk; p changes it" in line and "walk topics" not in line
        await pilot.press("p")
        assert "walk stances only" in status(screen) and screen.focused_item.kind == "stance"
    async with app_for(path).run_test(size=(60, 12)) as pilot:  # whole at the smallest screen too
        screen = await started(pilot)
        await pilot.press("p", "p", "p")
        line = status(screen).rstrip()
        assert "no topics" in line and line.endswith("to walk; p changes it") and "…" not in line


# --- undo and redo say what a decision on a suggestion changed ------------------------------------

async def test_undo_of_a_decision_on_a_suggestion_names_what_it_was(db):
    # "Undone: resizing “United States” (GPE)" named only the new words, "relabelling “North Korea” (ORG)"
    # only the new label, as if nothing had been there before the suggestion was decided
    path, store, ids = db
    async with app_for(path).run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)

        async def says(*keys) -> str:
            await pilot.press(*keys)
            await pilot.pause()
            return status(screen)

        assert "Undone: relabelling “North Korea” (GPE → ORG)" in await says("2", "u")
        assert "Redone: relabelling “North Korea” (GPE → ORG)" in await says("U")
        start = screen.doc.text.index("The United States")
        screen.session.move_to(next(i for i, it in enumerate(screen.items) if it.start == start))
        assert "Undone: resizing “The United States” → “United States” (GPE)" in await says("greater_than_sign", "u")
        await says("p", "p", "p", "p")  # stances only: The United States → the treaty, suggested AGAINST
        assert "Undone: relabelling The United States → the treaty (AGAINST → FAVOR)" in await says("1", "u")
        line = await says("p", "p", "j", "a", "u")
        assert "Undone: accepting “June” (DATE)" in line and "→" not in line  # accepted as suggested: nothing more


async def test_a_refusal_naming_bracket_keys_is_shown_as_written_not_as_markup(db):
    # next_span on [ and prev_span on ]: "Focus a claim to set its speaker ([/] moves)." went to the
    # toast as markup, "[/]" closed no tag, and the app died with a MarkupError traceback
    path, store, ids = db
    keymap = {"next_span": "left_square_bracket,j", "prev_span": "right_square_bracket,k", "prev_doc": "ctrl+p",
              "next_doc": "ctrl+n"}
    app = app_for(path, keymap=keymap)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("s")
        for _ in range(5):
            await pilot.pause(0.05)
        [toast] = pilot.app.screen.query("Toast")
        assert "Focus a claim to set its speaker ([/] moves)." in str(toast.render())
    assert app.return_code in (None, 0)


async def test_refused_keys_in_a_row_leave_one_toast_not_a_stack(db):
    # s, D, s on an undecided entity stacked three toasts over half the 80x24 screen for five seconds
    path, store, ids = db
    async with app_for(path).run_test(size=SMALL, notifications=True) as pilot:
        await started(pilot)
        await pilot.press("s", "D", "s", "D")
        for _ in range(3):
            await pilot.pause(0.05)
        toasts = list(pilot.app.screen.query("Toast"))
        assert len(toasts) == 1 and "x rejects it" in str(toasts[0].render())


# --- the questions before done and accept-all fit the smallest screen ------------------------------

@pytest.mark.parametrize("size", [(60, 12), SMALL], ids=["60x12", "80x24"])
async def test_the_done_question_keeps_its_keys_in_sight_and_scrolls_its_explanation(db, size):
    # at 60x12 (the smallest screen annotate draws) the explanation ran under the frame, and with
    # it the line saying which keys answer ("y / enter: mark it done · n / escape: cancel")
    path, store, ids = db
    async with app_for(path).run_test(size=size) as pilot:
        await started(pilot)
        await pilot.press("d")
        await pilot.pause()
        question = pilot.app.screen
        assert isinstance(question, ConfirmScreen)
        frame = question.query_one(Vertical)
        hint = question.query_one(".hint")
        assert frame.region.bottom <= size[1] and _inside(hint.region, frame.region)
        assert "y / enter: mark it done" in str(hint.render())
        scroll = question.query_one(VerticalScroll)
        assert _inside(scroll.region, frame.region)
        await pilot.press("end")  # the end of the explanation can be read
        await pilot.pause()
        assert scroll.scroll_y == scroll.max_scroll_y
        await pilot.press("y")
        await pilot.pause()
    assert store.status("alice", ids[0]) == "done"


# --- a digit on a claim is refused, not a change of kind ------------------------------------------

async def test_a_digit_on_a_claim_is_refused_and_the_claim_kept(db):
    # walking claims, 1 made "the pact was a breakthrough" a PERSON entity: speaker and cue gone,
    # with nothing on screen to say so but the side panel
    path, store, ids = db
    async with app_for(path).run_test(size=SMALL) as pilot:
        screen = await started(pilot)
        await pilot.press("p", "p")
        assert screen.focused_item.kind == "claim"
        await pilot.press("1")
        await pilot.pause()
        said = [n.message for n in pilot.app._notifications]
        assert said == ["Digits label entities and stances: l changes a claim's kind."]
        await pilot.press("l")
        await pilot.pause()
        assert isinstance(pilot.app.screen, PickerScreen)  # l still changes its kind, on purpose
        await pilot.press("escape")
    assert store.items(ids[0], "alice") == [] and store.events(doc_id=ids[0], annotator="alice") == []


# --- a resize key that cannot move says why ----------------------------------------------------

async def test_a_resize_that_cannot_move_says_why(tmp_path):
    # , on the one-word "May" did nothing at all: no bell, no word; the key seemed broken
    text = "The mayor said the bridge reopens in May"
    store = Store(tmp_path / "r.db")
    doc = Document.from_text(text, {"title": "resize"})
    store.import_records([ImportRecord(doc)])
    store.replace_suggestions(doc.id, "test", "1", [(Span(text.index("May"), len(text), "DATE"), "ner", 0.9),
                                                    (Span(0, 3, "ORG"), "ner", 0.9)])
    store.close()
    async with app_for(tmp_path / "r.db").run_test(size=SMALL) as pilot:
        screen = await started(pilot)
        said = {}
        for item_text, keys in (("The", ("less_than_sign", "comma")), ("May", ("full_stop", "greater_than_sign"))):
            screen.session.move_to(next(i for i, it in enumerate(screen.items) if text[it.start:it.end] == item_text))
            for key in keys:
                await pilot.press(key)
                await pilot.pause()
                said[(item_text, key)] = [n.message for n in pilot.app._notifications]
    assert said == {("The", "less_than_sign"): ["There is no word before it in the text."],
                    ("The", "comma"): ["The span is one word: it cannot be shorter (x rejects it)."],
                    ("May", "full_stop"): ["There is no word after it in the text."],
                    ("May", "greater_than_sign"): ["The span is one word: it cannot be shorter (x rejects it)."]}
    assert Store(tmp_path / "r.db").events(doc_id=doc.id, annotator="alice") == []


async def test_undo_of_x_on_a_span_made_by_hand_says_deleting(db):
    # x deletes a span made by hand; its undo said "Undone: rejecting “Brussels” (PERSON)"
    path, store, ids = db
    async with app_for(path).run_test(size=(120, 40)) as pilot:
        screen = await started(pilot)
        await pilot.press("right_square_bracket")  # the second document: no suggestions
        await pilot.pause()
        await pilot.press("n", "enter", "p", "x", "u")
        await pilot.pause()
        assert "Undone: deleting “Brussels” (PERSON)" in status(screen)
