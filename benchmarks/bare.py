"""The keystroke benchmarks' baselines: bare Textual apps showing a text, one repaint per key.

- :func:`bare_scroll_app` scrolls the text one line per ``j`` (the whole view is drawn again,
  its scrollbar too), for ``bench_tui`` and ``bench_decisions``.
- :func:`bare_line_app` moves a highlighted line down one per ``j`` (wrapping to the top at the
  bottom of the view, never scrolling): two lines of one Line API widget drawn again — the
  cheapest change a key can show, and the kind a decision makes (a few lines of its panes)."""

from __future__ import annotations


def bare_scroll_app(text: str):
    """A new bare app showing ``text`` in a scrollable Static; its scroll offset is
    ``app.query_one("#scroll").scroll_y``."""
    from rich.text import Text
    from textual.app import App
    from textual.containers import VerticalScroll
    from textual.widgets import Static

    class Bare(App):
        BINDINGS = [("j", "down", "down")]

        def compose(self):
            with VerticalScroll(id="scroll"):
                yield Static(Text(text))

        def action_down(self):
            self.query_one("#scroll").scroll_relative(y=1, animate=False, immediate=True)

    return Bare()


def bare_line_app(text: str):
    """A new bare app showing ``text`` wrapped in a Line API view whose highlighted line moves
    down one per ``j``; the highlighted line is ``app.query_one("#lines").highlighted``."""
    import textwrap

    from rich.segment import Segment
    from rich.style import Style
    from textual.app import App
    from textual.geometry import Size
    from textual.scroll_view import ScrollView
    from textual.strip import Strip

    class Lines(ScrollView):
        highlighted = 0

        def __init__(self) -> None:
            super().__init__(id="lines")
            self.lines: list[str] = []

        def on_resize(self) -> None:
            width = max(10, self.scrollable_content_region.width)
            self.lines = [row for para in text.split("\n") for row in (textwrap.wrap(para, width) or [""])]
            self.virtual_size = Size(width, len(self.lines))
            self.refresh()

        def step(self) -> None:
            old = self.highlighted
            self.highlighted = (old + 1) % max(1, self.scrollable_content_region.height)
            self.refresh_line(old)
            self.refresh_line(self.highlighted)

        def render_line(self, y: int) -> Strip:
            index = round(self.scroll_y) + y
            width = self.scrollable_content_region.width
            base = self.rich_style
            if index >= len(self.lines):
                return Strip.blank(width, base)
            style = base + Style(reverse=True) if y == self.highlighted else base
            return Strip([Segment(self.lines[index], style)]).crop_extend(0, width, base)

    class BareLines(App):
        BINDINGS = [("j", "down", "down")]

        def compose(self):
            yield Lines()

        def action_down(self):
            self.query_one(Lines).step()

    return BareLines()
