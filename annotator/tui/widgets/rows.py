"""A few fixed rows of rich Text (the focus detail, the status line), drawn with the Line API.

:meth:`TextRows.update` takes the rows as one Text (lines split at newlines) and repaints
only the rows whose text or styles changed — a decision changes a few of them, and a
Static would lay out and repaint every row of its Text each time. Rows are drawn as they
are (the builders fit them to the width); every row is made inert as it is drawn.
"""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Region
from textual.strip import Strip
from textual.widget import Widget

from annotator.tui.textsafe import safe_text
from annotator.tui.widgets.base_style import BaseStylePerFrame


class TextRows(BaseStylePerFrame, Widget):
    def __init__(self, text: Text | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: list[Text] = []
        self._strips: dict[int, Strip] = {}
        if text is not None:
            self.update(text)

    def update(self, text: Text, *, layout: bool = False) -> None:
        """Show ``text``, one row per line; only changed rows are drawn again."""
        rows = list(text.split("\n", allow_blank=True)) if text.plain else []
        old, self._rows = self._rows, rows
        width = max(1, self.size.width)
        for y in range(max(len(old), len(rows))):
            if y >= len(old) or y >= len(rows) or not _same(old[y], rows[y]):
                self._strips.pop(y, None)
                self.refresh(Region(0, y, width, 1))

    def render(self) -> Text:
        """Every row as one Text (what the widget shows, as plain text for tools and tests)."""
        return Text("\n").join(self._rows)

    def on_resize(self) -> None:
        self._strips.clear()

    def render_line(self, y: int) -> Strip:
        width = self.size.width
        base = self.base_style
        if y >= len(self._rows):
            return Strip.blank(width, base)
        strip = self._strips.get(y)
        if strip is None:
            segments = [s for s in safe_text(self._rows[y]).render(self.app.console) if s.text != "\n"]
            fill = Style.from_color(bgcolor=base.bgcolor)  # as a Static pads: the background alone
            strip = Strip(Segment.apply_style(segments, base)).crop_extend(0, width, fill)
            self._strips[y] = strip
        return strip


def _same(a: Text, b: Text) -> bool:
    return a.plain == b.plain and a.spans == b.spans and a.style == b.style
