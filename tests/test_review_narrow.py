"""At 80 columns the rows panel cuts each row at the right edge, where the annotators' versions are:
a line under it gives the focused row in full (every annotator's version by name)."""

import uuid

import pytest

from annotator.model import Annotation, Document, Span
from annotator.store import ImportRecord, Store

pytestmark = pytest.mark.anyio
pytest.importorskip("textual")
from tests.helpers.review import review_app, review_screen, rows  # noqa: E402

TEXT = "Angela Merkel said Germany would back the treaty. Moscow condemned NATO on Monday."
DOC = Document.from_text(TEXT)


def make(path):
    with Store(path) as s:
        s.import_records([ImportRecord(DOC)])
        for who, labels in (("alice", ("PERSON", "GPE", "GPE")), ("bob", ("PERSON", "NORP", None)),
                            ("[red]carol", ("PERSON", "LOC", "ORG"))):
            for (start, end), label in zip(((0, 13), (19, 26), (50, 56)), labels):
                if label:
                    s.apply(who, DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, DOC.id, who,
                                                                   Span(start, end, label, "entity")))])
    return path


async def test_the_focused_row_is_shown_whole_at_80_columns(tmp_path):
    db = make(tmp_path / "r.db")
    app = review_app(db, annotators=("alice", "bob", "[red]carol"))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await review_screen(pilot)
        detail = screen.query_one("#detail")

        def shown():
            return str(detail.render()).replace("\n", " ")

        assert shown() == "entity “Angela Merkel” · agree — 1:alice PERSON · 2:bob PERSON · 3:[red]carol PERSON"
        await pilot.press("j")
        # Germany, three labels: the rows panel cannot show them at this width, the line under it does
        first = next(line for line in rows(screen).splitlines() if "Germany" in line)
        assert "3:" not in first[:78]
        assert shown() == "entity “Germany” · label — 1:alice GPE · 2:bob NORP · 3:[red]carol LOC"
        await pilot.press("j")
        assert shown() == "entity “Moscow” · label, bob: nothing — 1:alice GPE · 2:bob (nothing) · 3:[red]carol ORG"
        await pilot.press("1")   # take alice's; then back to the row: the line shows the decision
        screen.focus_row = 2
        screen.redraw(reload=False)
        assert shown().endswith("3:[red]carol ORG  → GPE")


SPEECH = ("Merkel met Putin in Berlin.\nLater, Putin said the talks went well.\nMerkel agreed.")
SPEECH_DOC = Document.from_text(SPEECH)


async def test_speaker_picker_puts_the_nearest_actor_first_and_tells_mentions_apart(tmp_path):
    from annotator.tui.screens.picker import PickerScreen

    db = tmp_path / "s.db"
    claim = (41, 65)   # "the talks went well", said by Putin on line 2
    with Store(db) as s:
        s.import_records([ImportRecord(SPEECH_DOC)])
        for who, speaker in (("alice", "AUTHOR"), ("bob", "UNNAMED")):
            for start, end, label in ((0, 6, "PERSON"), (11, 16, "PERSON"), (35, 40, "PERSON"), (67, 73, "PERSON")):
                s.apply(who, SPEECH_DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, SPEECH_DOC.id, who,
                                                                      Span(start, end, label, "entity")))])
            s.apply(who, SPEECH_DOC.id, "add", [(None, Annotation(uuid.uuid4().hex, SPEECH_DOC.id, who, Span(
                *claim, "CLAIM", "claim", {"speaker": speaker})))])
    assert SPEECH[35:40] == "Putin" and SPEECH[11:16] == "Putin"
    async with review_app(db).run_test(size=(100, 40)) as pilot:
        screen = await review_screen(pilot)
        screen.focus_row = [r.kind for r in screen.al.rows].index("claim")
        await pilot.press("e")
        await pilot.pause()
        picker = pilot.app.screen
        assert isinstance(picker, PickerScreen)
        prompts = [str(c.prompt) for c in picker.choices]
        assert prompts[:2] == ["AUTHOR (the article's own voice)", "UNNAMED"]
        # the Putin just before the claim first, then by distance; each mention with its line
        assert prompts[2:] == ["Putin (PERSON) · line 2", "Merkel (PERSON) · line 3", "Putin (PERSON) · line 1",
                               "Merkel (PERSON) · line 1"]
        await pilot.press("3")
        await pilot.pause()
    with Store(db) as s:
        (item,) = [a for a in s.items(SPEECH_DOC.id, "review") if a.value.kind == "claim"]
        assert item.value.attrs["speaker"] == {"start": 35, "end": 40, "label": "PERSON"}
