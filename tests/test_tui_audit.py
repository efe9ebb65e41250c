"""A new user's audit of the annotation screen at 80×24 (issues found by driving it in tmux on
real news): each test fails on the code before its fix."""

from __future__ import annotations

import pytest
from textual.containers import Vertical
from textual.widgets import OptionList

from annotator.tui.screens.picker import PickerScreen
from helpers.pilot import app_for, started

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
