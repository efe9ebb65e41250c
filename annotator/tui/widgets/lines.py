"""A list of one-line rows drawn with the Line API: only visible rows are rendered.

A row is a rich Text, or a list of (plain text, style) pieces (never parsed as markup).
Every row is made inert as it is drawn (control characters shown, not sent), whatever
its builder did. A list of rows with a ``width`` attribute is told the width it is drawn at
(and fits its rows to it); the highlighted row is kept in view, also when the view is resized.
Drawn rows are kept in bounded caches, and the rows a screenful above and below the view are
drawn while idle (:mod:`.prefetch`)."""

from __future__ import annotations

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.cache import LRUCache
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.tui.textsafe import display_text, safe_text
from annotator.tui.widgets.base_style import BaseStylePerFrame
from annotator.tui.widgets.prefetch import PrefetchesLines
from annotator.tui.widgets.scrollbar import QuickVerticalScrollbar

HIGHLIGHT = Style(reverse=True)
ROW_CACHE = 256  # drawn rows kept, by place and by content (a screenful is 10-60 rows)


class LinesView(QuickVerticalScrollbar, PrefetchesLines, BaseStylePerFrame, ScrollView, can_focus=False):
    DEFAULT_CSS = """
    LinesView { overflow-x: hidden; height: 1fr; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines: list = []
        self._cache: LRUCache[int, tuple[tuple | None, Strip]] = LRUCache(ROW_CACHE)  # (row_key, drawn row)
        self._by_key: LRUCache[tuple, Strip] = LRUCache(ROW_CACHE)  # rows that moved are drawn already
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
        """Rows [a, b) of the list may have changed (b None: every row from a on, as rows moved):
        draw them again — in a range [a, b), only those whose ``row_key`` is not what they were drawn
        with (rows that moved are found drawn by their content in ``_by_key``)."""
        size = Size(max(1, self.scrollable_content_region.width), len(self._lines))
        if size != self.virtual_size:
            self.virtual_size = size
        top, height = round(self.scroll_y), self.scrollable_content_region.height
        width = self.scrollable_content_region.width
        for a, b in ranges:
            moved, b = b is None, len(self._lines) if b is None else b
            for y in [y for y in self._cache.keys() if a <= y < b]:
                if moved or not self._unchanged(y, width):
                    self._cache.discard(y)
            for y in range(max(a, top), min(b, top + height)):
                if y not in self._cache:
                    self.refresh_line(y)

    def highlight(self, line: int | None) -> None:
        old, self.highlighted = self.highlighted, line
        for y in (old, line):
            if y is not None:
                self._cache.discard(y)
                self.refresh_line(y)
        if line is not None:
            self._show(line)

    def _show(self, line: int) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if height > 0 and not (top <= line < top + height):  # as ArticleView.show_offset
            want = line - (2 * height) // 3 if line < top else line - height // 3
            self.scroll_to(y=max(0, want), animate=False, immediate=True)

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
        cached = self._cache.get(index)
        if cached is not None:
            return cached[1]
        width, base = self.frame_width, self.base_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        strip = self._draw(index, width, base)
        self._prefetch_soon()
        return strip

    def _row_key(self, index: int, width: int) -> tuple | None:
        """What row ``index`` shows, as a key (None when the rows cannot say)."""
        if not hasattr(self._lines, "row_key"):
            return None
        return self._lines.row_key(index), index == self.highlighted, width

    def _unchanged(self, index: int, width: int) -> bool:
        cached = self._cache.get(index)
        return cached is not None and cached[0] is not None and cached[0] == self._row_key(index, width)

    def _draw(self, index: int, width: int, base: Style) -> Strip:
        """Row ``index`` drawn (or found drawn by its content, when rows moved), and cached."""
        row_key = self._row_key(index, width)
        if row_key is not None:
            strip = self._by_key.get(row_key)
            if strip is not None:
                self._cache.set(index, (row_key, strip))
                return strip
        row = self._lines[index]
        if isinstance(row, Text):
            segments = [s for s in safe_text(row).render(self.app.console) if s.text != "\n"]
        else:
            segments = [Segment(display_text(piece).replace("\n", " "), Style.parse(style) if style else None)
                        for piece, style in row]
        segments = list(Segment.apply_style(segments, base, HIGHLIGHT if index == self.highlighted else None))
        strip = Strip(segments).crop_extend(0, width, base)
        self._cache.set(index, (row_key, strip))
        if row_key is not None:
            self._by_key.set(row_key, strip)
        return strip

    # rows drawn ahead (PrefetchesLines)

    def _line_count(self) -> int:
        return len(self._lines)

    def _cache_size(self) -> int:
        return ROW_CACHE

    def _is_drawn(self, index: int) -> bool:
        return index in self._cache

    def _draw_ahead(self, index: int) -> Strip:
        return self._draw(index, self.scrollable_content_region.width, self.base_style)
