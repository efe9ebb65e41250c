"""Textual's border, padding and filters around a content line, worked out once per drawn line.

Textual keeps a widget's styled lines by their row on screen, so scrolling marks every row
dirty and each visible line goes through the whole styling again (borders, padding, a new
strip, then the colour filter on that new strip), although the content lines themselves
come from our line caches unchanged. That was most of what a key that scrolls the article or
the side list cost, and those keys set the 95th percentile.

:class:`StyledLines` keeps the styled result of each content strip it has seen (by identity:
our caches hand back the same strip object until the line changes), so a line that scrolls
into view is styled once, not once per scroll. Rows that are not content (borders, padding)
go through Textual as before. Everything the styling depends on besides the content strip is
compared once per pass; when any of it differs, the kept lines are dropped.
"""

from __future__ import annotations

from textual._styles_cache import StylesCache
from textual.strip import Strip

KEPT = 1024  # styled lines kept (a line cache holds 256 per widget; several screens of lines)


class StyledLines(StylesCache):
    """A widget's styles cache that remembers each content strip's styled line."""

    def __init__(self) -> None:
        super().__init__()
        self._styled: dict[int, tuple[Strip, Strip]] = {}  # id(content strip) -> (that strip, styled)
        self._styled_for: tuple | None = None
        self._line_args: tuple | None = None  # the last content row's styling arguments
        self._filters: tuple = ()
        self._background = None

    def clear(self) -> None:
        super().clear()
        self._styled.clear()

    def render(self, styles, size, base_background, background, render_content_line, filters, border_title,
               border_subtitle, **options) -> list[Strip]:
        self._filters, self._background = tuple(filters), background
        key = (size, base_background, background, self._filters, styles.border,  # (titles: border rows only)
               styles.outline, styles.tint, styles.text_opacity, styles.hatch if styles.has_rule("hatch") else None,
               *(value for name, value in options.items() if name != "crop"))
        if key != self._styled_for:
            self._styled.clear()
            self._styled_for, self._line_args = key, None
        return super().render(styles, size, base_background, background, render_content_line, filters, border_title,
                              border_subtitle, **options)

    def render_line(self, styles, y, size, content_size, padding, base_background, background, render_content_line,
                    *rest) -> Strip:
        gutter = styles.gutter
        content_y = y - gutter.top
        outline_top, outline_bottom = styles.outline.top[0], styles.outline.bottom[0]
        if not (0 <= content_y < content_size.height and y < size.height - gutter.bottom) or \
                (outline_top and y == 0) or (outline_bottom and y == size.height - 1):
            return super().render_line(styles, y, size, content_size, padding, base_background, background,
                                       render_content_line, *rest)
        content = render_content_line(content_y)
        kept = self._styled.get(id(content))
        if kept is not None and kept[0] is content:
            return kept[1]
        self._line_args = (styles, y, size, content_size, padding, base_background, background, *rest)
        return self._style(content)

    def _style(self, content: Strip) -> Strip:
        styles, y, size, content_size, padding, base_background, background, *rest = self._line_args
        styled = super().render_line(styles, y, size, content_size, padding, base_background, background,
                                     lambda _y: content, *rest)
        if len(self._styled) >= KEPT:  # the oldest goes
            del self._styled[next(iter(self._styled))]
        self._styled[id(content)] = (content, styled)
        return styled

    def prestyle(self, content: Strip) -> None:
        """Style a content line drawn ahead of need (and run the colour filters over it), as the next
        frame that shows it would; nothing until a frame has shown how this widget is styled."""
        kept = self._styled.get(id(content))
        if self._line_args is None or (kept is not None and kept[0] is content):
            return
        styled = self._style(content)
        for line_filter in self._filters:
            styled = styled.apply_filter(line_filter, self._background)
