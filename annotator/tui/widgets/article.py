"""The article pane: the document text with spans drawn by label colour and state.

A Line API widget: the text is wrapped once per width into character ranges, and each
visible line is drawn from Segments built from the plain text (never markup). Each
character knows the style of the span drawn over it (one list for entities, one for
claims and topics). Moving the focus only repaints the lines of the old and new focus, and
a decision (:meth:`ArticleView.update_items`) restyles only the characters of the items it
changed and repaints only their lines, so a keystroke costs the same on a 10,000-word
article as on a short one. Drawn lines are kept in a bounded cache, and the lines a screenful
above and below the view are drawn into it while idle (:mod:`.prefetch`), so a key that
scrolls the view draws almost nothing itself.

How items look (not by colour alone):
- suggestion: label colour, underlined (claims/topics: italic);
- accepted: solid background in the label colour, bold;
- rejected: dim, struck through;
- focused: black on bright white, bold (with the underline/strike of its state);
- the focused claim's speaker: black on cyan, bold, underlined (distinct from the focus);
- the new-span cursor: black on orange; the marked selection: white on blue.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from itertools import groupby
from typing import Iterable, Sequence

from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.message import Message
from textual.cache import LRUCache
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.annotate.decisions import Item
from annotator.annotate.items import Delta
from annotator.model import ACCEPTED, ENTITY, STANCE, SUGGESTED
from annotator.schema import Schema
from annotator.tui.textsafe import display_text, wrap
from annotator.tui.widgets.base_style import BaseStylePerFrame
from annotator.tui.widgets.prefetch import PrefetchesLines
from annotator.tui.widgets.scrollbar import QuickVerticalScrollbar

FOCUS = Style(color="black", bgcolor="#ffffff", bold=True)
RELATED = Style(color="black", bgcolor="#5fd7ff", bold=True, underline=True)
CURSOR = Style(color="black", bgcolor="#ffaf00", bold=True)
SELECTION = Style(color="#ffffff", bgcolor="#005faf")
LINE_CACHE = 256  # drawn lines kept: the view and a screenful either side (20-60 lines each), while the
# collector's heap stays small (a drawn line is a Strip and its caches: about 20 objects)


def _dark(color: str, amount: float = 0.3) -> str:
    c = Color.parse(color).get_truecolor()
    r, g, b = (int(v * amount) for v in c)
    return f"#{r:02x}{g:02x}{b:02x}"


def item_style(item: Item, schema: Schema) -> Style:
    color = schema.color(item.label)
    if item.kind == ENTITY:
        if item.state == SUGGESTED:
            return Style(color=color, underline=True)
        if item.state == ACCEPTED:
            return Style(color="black", bgcolor=color, bold=True)
        return Style(color=color, strike=True, dim=True)
    # claims and topics cover long stretches: quieter styles
    if item.state == SUGGESTED:
        return Style(color=color, italic=True)
    if item.state == ACCEPTED:
        return Style(bgcolor=_dark(color))
    return Style(strike=True, dim=True)


class ArticleView(QuickVerticalScrollbar, PrefetchesLines, BaseStylePerFrame, ScrollView, can_focus=False):
    """Draws one document and its items; knows nothing about the store."""

    DEFAULT_CSS = """
    ArticleView {
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        overflow-x: hidden;
        height: 1fr;
    }
    """

    class Clicked(Message):
        def __init__(self, offset: int) -> None:
            self.offset = offset
            super().__init__()

    def __init__(self, schema: Schema, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.schema = schema
        self.text = ""
        self._width_hint: int | None = None
        self._lines: list[tuple[int, int]] = [(0, 0)]
        self._starts: list[int] = [0]
        self._wrap_width = 0
        self._item_styles: dict[tuple, Style] = {}
        # per layer (entities drawn over claims and topics): the items in reading order, the
        # longest one's length, and for each character the style of the span drawn over it
        self._layers: dict[str, list[Item]] = {ENTITY: [], "span": []}
        self._longest: dict[str, int] = {ENTITY: 0, "span": 0}
        self._ent: list[Style | None] = []
        self._span: list[Style | None] = []
        self._focus: list[tuple[int, int]] = []
        self._related: list[tuple[int, int]] = []
        self.cursor: int | None = None
        self.mark: int | None = None
        self._cache: LRUCache[int, Strip] = LRUCache(LINE_CACHE)
        self._cache_for: tuple[int, int] = (0, 0)  # (scroll_x, width) the cached lines were cropped to
        self._style_cache: dict[tuple, Style] = {}

    # --- content ------------------------------------------------------------------

    def set_document(self, text: str, items: list[Item], focus: Iterable[tuple[int, int]] = (),
                     width: int | None = None) -> None:
        """Show a document. ``width``: the columns of text the view will have, when it is not laid
        out yet (so the first frame shows the text wrapped, not a blank view)."""
        self._width_hint = width
        self.text = display_text(text)
        self.cursor = self.mark = None
        self._focus = list(focus)
        self._related = []
        self._wrap_width = 0
        self._rewrap()
        self.set_items(items)
        self.scroll_to(y=0, animate=False)

    def set_items(self, items: Sequence[Item]) -> None:
        """Draw these items (all of them anew)."""
        n = len(self.text)
        self._ent, self._span = [None] * n, [None] * n
        self._layers = {ENTITY: [], "span": []}
        for it in items:
            if it.kind != STANCE:
                self._layers[_layer(it)].append(it)
        for layer, members in self._layers.items():
            members.sort(key=_sort_key)
            self._longest[layer] = max((it.end - it.start for it in members), default=0)
            self._paint(layer, members, 0, n)
        self._style_cache.clear()
        self._cache.clear()
        self.refresh()

    def update_items(self, deltas: Iterable[Delta]) -> None:
        """Draw what decisions changed: the items that left and joined, in the order they did."""
        ranges: list[tuple[str, int, int]] = []
        for delta in deltas:
            for it in delta.removed:
                if it.kind != STANCE:
                    members = self._layers[_layer(it)]
                    i = bisect_left(members, it.sort_key, key=_sort_key)
                    if i < len(members) and members[i] is it:
                        del members[i]
                    ranges.append((_layer(it), it.start, it.end))
            for it in delta.added:
                if it.kind != STANCE:
                    layer = _layer(it)
                    insort(self._layers[layer], it, key=_sort_key)
                    self._longest[layer] = max(self._longest[layer], it.end - it.start)
                    ranges.append((layer, it.start, it.end))
        n = len(self.text)
        for layer, start, end in ranges:
            start, end = max(0, start), min(n, end)
            if end > start:
                members = self._layers[layer]
                lo = bisect_left(members, start - self._longest[layer], key=_start)
                hi = bisect_left(members, end, key=_start)
                self._paint(layer, [it for it in members[lo:hi] if it.end > start], start, end)
        self._refresh_ranges([(start, max(start + 1, end)) for _, start, end in ranges])

    def _paint(self, layer: str, members: list[Item], start: int, end: int) -> None:
        """Restyle the characters start..end of a layer from the items over them: longer spans first,
        so shorter (nested) ones paint on top; of two as long, the later one in reading order."""
        styles = self._ent if layer == ENTITY else self._span
        styles[start:end] = [None] * (end - start)
        for it in sorted(members, key=lambda it: (it.start - it.end, it.sort_key)):
            s, e = max(start, it.start), min(end, it.end)
            if e > s:
                styles[s:e] = [self._item_style(it)] * (e - s)

    def _item_style(self, item: Item) -> Style:
        key = (item.kind, item.state, item.label)
        style = self._item_styles.get(key)
        if style is None:
            style = self._item_styles[key] = item_style(item, self.schema)
        return style

    def set_focus(self, ranges: Iterable[tuple[int, int]], *, related: Iterable[tuple[int, int]] = (),
                  scroll: bool = True) -> None:
        """Draw ``ranges`` as the focus and ``related`` (a claim's speaker) in their own style."""
        old = self._focus + self._related
        self._focus = [(s, e) for s, e in ranges]
        self._related = [(s, e) for s, e in related]
        self._refresh_ranges(old + self._focus + self._related)
        if scroll and self._focus:
            self.show_offset(self._focus[0][0], self._focus[0][1])

    def set_cursor(self, cursor: int | None, mark: int | None) -> None:
        old = [r for r in (self._cursor_range(),) if r]
        self.cursor, self.mark = cursor, mark
        new = [r for r in (self._cursor_range(),) if r]
        self._refresh_ranges(old + new)
        if cursor is not None:
            self.show_offset(cursor, cursor)

    def _cursor_range(self) -> tuple[int, int] | None:
        if self.cursor is None:
            return None
        lo = self.cursor if self.mark is None else min(self.cursor, self.mark)
        hi = self.cursor if self.mark is None else max(self.cursor, self.mark)
        return lo, hi + 1

    # --- geometry -----------------------------------------------------------------

    def line_of(self, offset: int) -> int:
        return max(0, bisect_right(self._starts, offset) - 1)

    def show_offset(self, start: int, end: int) -> None:
        height = self.text_height
        if height <= 0:
            return
        first = self.line_of(start)
        last = self.line_of(max(start, end - 1))
        top = round(self.scroll_y)
        if first < top or last >= top + height:
            # a third of a screen of context on the side it came from, the rest on the side it is going
            if last - first >= height:
                want = first
            elif first < top:
                want = min(first, last - (2 * height) // 3)
            else:
                want = first - height // 3
            self.scroll_to(y=max(0, want), animate=False, immediate=True)

    def _refresh_ranges(self, ranges: list[tuple[int, int]]) -> None:
        for s, e in ranges:
            a, b = self.line_of(s), self.line_of(max(s, e - 1))
            for y in range(a, b + 1):
                self._cache.discard(y)
            self.refresh_lines(a, b - a + 1)

    @property
    def text_width(self) -> int:
        return max(10, self.scrollable_content_region.width)

    @property
    def text_height(self) -> int:
        return self.scrollable_content_region.height

    def _rewrap(self) -> None:
        if self.scrollable_content_region.width > 0:
            width = self.text_width
        elif self._width_hint:  # not laid out yet: wrap at the width it will have
            width = max(10, self._width_hint)
        else:  # wrapped on the first resize
            self._wrap_width, self._lines, self._starts = 0, [(0, 0)], [0]
            return
        if width == self._wrap_width and self._lines:
            return
        self._wrap_width = width
        self._lines = wrap(self.text, width) or [(0, 0)]
        self._starts = [s for s, _ in self._lines]
        self.virtual_size = Size(width, len(self._lines))
        self._cache.clear()

    def on_resize(self) -> None:
        if self.text_width != self._wrap_width:
            self._rewrap()
            self.refresh()
            if self._focus:
                self.show_offset(*self._focus[0])

    # --- drawing ------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        scroll_x, scroll_y = self.scroll_offset
        index = scroll_y + y
        width = self.frame_width
        base = self.base_style
        if index >= len(self._lines):
            return Strip.blank(width, base)
        if (scroll_x, width) != self._cache_for:  # lines are kept as drawn: cropped to the view
            self._cache.clear()
            self._cache_for = (scroll_x, width)
        strip = self._cache.get(index)
        if strip is None:
            strip = self._draw(index, base)
            self._prefetch_soon()
        return strip

    def _draw(self, index: int, base: Style) -> Strip:
        scroll_x, width = self._cache_for
        strip = self._build_line(index, base).crop_extend(scroll_x, scroll_x + width, base)
        self._cache.set(index, strip)
        return strip

    # lines drawn ahead (PrefetchesLines)

    def _line_count(self) -> int:
        return len(self._lines)

    def _cache_size(self) -> int:
        return LINE_CACHE

    def _is_drawn(self, index: int) -> bool:
        # with the view's geometry changed since the last frame, nothing is drawn ahead until the next
        return index in self._cache or self._cache_for != (round(self.scroll_x), self.scrollable_content_region.width)

    def _draw_ahead(self, index: int) -> Strip:
        return self._draw(index, self.base_style)

    def _char_state(self, i: int) -> tuple:
        focus = 0
        for s, e in self._focus:
            if s <= i < e:
                focus = 1
                break
        else:
            for s, e in self._related:
                if s <= i < e:
                    focus = 2
                    break
        cur = 0
        if self.cursor is not None:
            if i == self.cursor:
                cur = 2
            elif self.mark is not None and min(self.cursor, self.mark) <= i < max(self.cursor, self.mark):
                cur = 1
        n = len(self._ent)
        return (self._span[i] if i < n else None, self._ent[i] if i < n else None, focus, cur)

    def _style(self, state: tuple, base: Style) -> Style:
        style = self._style_cache.get(state)
        if style is None:
            span_style, ent_style, focus, cur = state
            style = base
            if span_style is not None:
                style = style + span_style
            if ent_style is not None:
                style = style + ent_style
            if focus == 1:
                style = style + FOCUS
            elif focus == 2:
                style = style + RELATED
            if cur == 1:
                style = style + SELECTION
            elif cur == 2:
                style = style + CURSOR
            self._style_cache[state] = style
        return style

    def _build_line(self, index: int, base: Style) -> Strip:
        s, e = self._lines[index]
        text = self.text
        segments: list[Segment] = []
        if s < e:
            n = len(self._ent)
            cuts = {e}
            pos = s
            for _key, group in groupby(zip(self._span[s:min(e, n)], self._ent[s:min(e, n)])):
                pos += sum(1 for _ in group)
                cuts.add(pos)
            extra = [p for r in self._focus + self._related for p in r]
            if self.cursor is not None:
                extra += [self.cursor, self.cursor + 1]
                if self.mark is not None:
                    extra.append(self.mark)
            cuts.update(p for p in extra if s < p < e)
            start = s
            for cut in sorted(cuts):
                if cut <= start:
                    continue
                segments.append(Segment(text[start:cut], self._style(self._char_state(start), base)))
                start = cut
        if self.cursor is not None and self.cursor == e and (e >= len(text) or text[e] == "\n"):
            segments.append(Segment(" ", base + CURSOR))
        return Strip(segments)

    # --- mouse (optional) ---------------------------------------------------------

    def on_click(self, event) -> None:
        index = round(self.scroll_y) + event.y
        if not (0 <= index < len(self._lines)):
            return
        s, e = self._lines[index]
        x = event.x + round(self.scroll_x)
        from rich.cells import cell_len

        col = 0
        for i in range(s, e):
            col += cell_len(self.text[i])
            if col > x:
                self.post_message(self.Clicked(i))
                return


def _layer(item: Item) -> str:
    return ENTITY if item.kind == ENTITY else "span"


def _sort_key(item: Item) -> tuple:
    return item.sort_key


def _start(item: Item) -> int:
    return item.start
