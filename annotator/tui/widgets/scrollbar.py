"""Textual's vertical scrollbar, drawn straight into strips and kept while it does not move.

Textual draws a scrollbar as a Rich renderable through its whole widget pipeline (the
renderable, its segments split into lines, each line styled and filtered): 2-4 ms on this
machine for a 35-row bar, paid on every key that scrolls the article or the side list, and
those keys set the decision keys' 95th percentile. :class:`QuickScrollBar` asks the same
renderer for the same segments (Textual's look, colours, hover and drag states, and the mouse
actions in the segments' meta are unchanged) and turns them into one strip per row itself,
keeping the rows while the bar's geometry and colours stay the same.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.geometry import Region
from textual.scrollbar import ScrollBar, ScrollBarRender
from textual.strip import Strip


class QuickScrollBar(ScrollBar):
    """A vertical :class:`ScrollBar` whose rows are made directly from its renderer's segments."""

    _rows_for: tuple | None = None
    _rows: list[Strip] = []

    def render_lines(self, crop: Region) -> list[Strip]:
        bar = self.render()
        width, height = self.size
        if not self.vertical or not isinstance(bar, ScrollBarRender) or width <= 0:
            return super().render_lines(crop)
        background = self.background_colors[1]
        filters = tuple(self.get_line_filters())
        key = (width, height, bar.virtual_size, bar.window_size, bar.position, bar.style, filters, background)
        if key != self._rows_for:
            style = bar.style
            segments = bar.render_bar(size=height, window_size=bar.window_size, virtual_size=bar.virtual_size,
                                      position=bar.position, vertical=True, thickness=width,
                                      back_color=style.bgcolor, bar_color=style.color).segments
            rows = []
            for segment in Segment.apply_style(segments[:height], self.rich_style):  # under it, as Textual does
                strip = Strip([segment], width)
                for line_filter in filters:
                    strip = strip.apply_filter(line_filter, background)
                rows.append(strip)
            self._rows, self._rows_for = rows, key
        rows = self._rows[crop.y:crop.bottom]
        if crop.x or crop.right != width:
            rows = [row.crop(crop.x, crop.right) for row in rows]
        return rows


class QuickVerticalScrollbar:
    """Mixin for a scrolling widget (before ``Widget`` in the bases): its vertical scrollbar is a
    :class:`QuickScrollBar`."""

    @property
    def vertical_scrollbar(self) -> ScrollBar:
        if self._vertical_scrollbar is None:  # as Textual's Widget.vertical_scrollbar, with our class
            self._vertical_scrollbar = bar = QuickScrollBar(vertical=True, name="vertical",
                                                            thickness=self.scrollbar_size_vertical)
            bar.display = False
            self.app._start_widget(self, bar)
        return self._vertical_scrollbar
