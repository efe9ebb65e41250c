"""A list of one-line rows drawn with the Line API: only visible rows are rendered.

A row is a rich Text, or a list of (plain text, style) pieces (never parsed as markup).
Every row is made inert as it is drawn (control characters shown, not sent), whatever
its builder did. A list of rows with a ``width`` attribute is told the width it is drawn at
(and fits its rows to it); the highlighted row is kept in view, also when the view is resized."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.tui.textsafe import display_text, safe_text

HIGHLIGHT = Style(reverse=True)


class LinesView(ScrollView, can_focus=False):
    DEFAULT_CSS = """
    LinesView { overflow-x: hidden; height: 1fr; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list = []
        self._cache: dict[int, Strip] = {}
        self._by_key: dict[tuple, Strip] = {}
        self.highlighted: int | None = None

    def set_lines(self, lines: list, highlighted: int | None = None) -> None:
        self._lines = lines
        self._fit_width()
        self._cache.clear()
        self.highlighted = highlighted
        self.virtual_size = Size(max(1, self.scrollable_content_region.width), len(lines))
        self.refresh()
        if highlighted is not None:
            self._show(highlighted)

    def refresh_rows(self, ranges: list[tuple[int, int | None]]) -> None:
        """Rows [a, b) of the list changed (b None: every row from a on): draw them again."""
        size = Size(max(1, self.scrollable_content_region.width), len(self._lines))
        if size != self.virtual_size:
            self.virtual_size = size
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        for a, b in ranges:
            b = len(self._lines) if b is None else b
            for y in [y for y in self._cache if a <= y < b]:
                del self._cache[y]
            first, last = max(a, top), min(b, top + height)
            if last > first:
                self.refresh_lines(first, last - first)

    def highlight(self, line: int | None) -> None:
        old, self.highlighted = self.highlighted, line
        for y in (old, line):
            if y is not None:
                self._cache.pop(y, None)
                self.refresh_line(y)
        if line is not None:
            self._show(line)

    def _show(self, line: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if height > 0 and not (top <= line < top + height):
            self.scroll_to(y=max(0, line - height // 3), animate=False, immediate=True)

    def _fit_width(self) -> None:
        width = self.scrollable_content_region.width
        if width > 0 and getattr(self._lines, "width", width) != width:
            self._lines.width = width

    def on_resize(self) -> None:
        self._fit_width()
        self._cache.clear()
        self._by_key.clear()
        self.virtual_size = Size(max(1, self.scrollable_content_region.width), len(self._lines))
        if self.highlighted is not None:
            self.call_after_refresh(self._show, self.highlighted)

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._cache.get(index)
        row_key = None
        if strip is None and hasattr(self._lines, "row_key"):
            row_key = (self._lines.row_key(index), index == self.highlighted, width)
            strip = self._by_key.get(row_key)
            if strip is not None:
                self._cache[index] = strip
        if strip is None:
            row = self._lines[index]
            if isinstance(row, Text):
                segments = [s for s in safe_text(row).render(self.app.console) if s.text != "\n"]
            else:
                segments = [Segment(display_text(piece).replace("\n", " "), Style.parse(style) if style else None)
                            for piece, style in row]
            segments = list(Segment.apply_style(segments, base, HIGHLIGHT if index == self.highlighted else None))
            strip = Strip(segments).crop_extend(0, width, base)
            self._cache[index] = strip
            if row_key is not None:
                if len(self._by_key) > 5000:
                    self._by_key.clear()
                self._by_key[row_key] = strip
        return strip
