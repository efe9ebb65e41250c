"""The keystroke benchmarks' baseline: a bare Textual app that scrolls a text one line per ``j``
(the cheapest repaint of that text), for ``bench_tui`` and ``bench_decisions``."""

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
