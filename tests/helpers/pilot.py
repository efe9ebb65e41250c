"""Driving the annotate app in tests (Textual's pilot): build it, wait for it, read the layer back."""

from __future__ import annotations

from annotator.model import Stance
from annotator.tui.app import create_app
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.error import ErrorScreen

SIZE = (120, 40)


def app_for(path, annotator="alice", **kw):
    kw.setdefault("suggest", False)
    kw.setdefault("keymap", {})
    return create_app(path, annotator, **kw)


async def ready_screen(pilot, kind, ready):
    """The app's screen once it is a ``kind`` that is ``ready(screen)`` (or the error screen)."""
    for _ in range(50):
        await pilot.pause()
        screen = pilot.app.screen
        if isinstance(screen, kind) and ready(screen):
            return screen
        if isinstance(screen, ErrorScreen):
            return screen
    raise AssertionError(f"the app never showed a ready {kind.__name__}")


async def started(pilot) -> AnnotateScreen:
    return await ready_screen(pilot, AnnotateScreen, lambda screen: screen.doc is not None)


def spans(store, doc_id, layer="alice"):
    """(text, label, status, origin) of every item in the layer, for readable asserts."""
    doc = store.document(doc_id)
    out = []
    for a in store.items(doc_id, layer):
        v = a.value
        if isinstance(v, Stance):
            out.append((doc.text[v.source.start:v.source.end], "->", doc.text[v.target.start:v.target.end],
                        v.polarity, a.status))
        else:
            out.append((doc.text[v.start:v.end], v.label, a.status, a.origin))
    return sorted(out)


def actions(store, doc_id, layer="alice"):
    return [e.action for e in store.events(doc_id=doc_id, annotator=layer)]


def focused_text(screen: AnnotateScreen) -> str:
    item = screen.focused_item
    return screen.doc.text[item.start:item.end]


def shown(screen, selector: str) -> str:
    """The plain text a Static on the screen shows (status line, detail, key bar, dialog texts)."""
    return str(screen.query_one(selector).render())


def status(screen: AnnotateScreen) -> str:
    return shown(screen, "#status")


def panel_row_visible(screen: AnnotateScreen) -> bool:
    """Whether the focused item's row is highlighted and inside the side panel's visible rows."""
    view = screen.query_one("#items")
    line = screen._item_lines.get(screen.focused_item.key)
    top, height = round(view.scroll_y), view.scrollable_content_region.height
    return line is not None and view.highlighted == line and top <= line < top + height
