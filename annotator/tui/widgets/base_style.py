"""The widget's base style, worked out once per frame instead of once per drawn line.

Textual's ``Widget.rich_style`` walks every ancestor's styles each time it is read (tens of
microseconds); a Line API widget reads it for every line it draws. Within one
``render_lines`` pass the styles cannot change, so the first line's answer serves the rest.
"""

from __future__ import annotations

from rich.style import Style
from textual.geometry import Region
from textual.strip import Strip

from annotator.tui.widgets.styled_lines import StyledLines


class BaseStylePerFrame:
    """Mixin for a Line API widget (before ``Widget`` in the bases): ``self.base_style`` is
    ``rich_style`` and ``self.frame_width`` the content width, each read at most once per
    ``render_lines`` pass."""

    _frame_base: Style | None = None
    _in_frame = False

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._styles_cache = StyledLines()  # each content line styled once, not on every scroll

    _frame_width: int | None = None

    def render_lines(self, crop: Region) -> list[Strip]:
        self._in_frame, self._frame_base, self._frame_width = True, None, None
        try:
            return super().render_lines(crop)
        finally:
            self._in_frame, self._frame_base, self._frame_width = False, None, None

    @property
    def frame_width(self) -> int:
        """The width of the scrollable content region, worked out at most once per pass as well."""
        if not self._in_frame:
            return self.scrollable_content_region.width
        if self._frame_width is None:
            self._frame_width = self.scrollable_content_region.width
        return self._frame_width

    @property
    def base_style(self) -> Style:
        if not self._in_frame:
            return self.rich_style
        if self._frame_base is None:
            self._frame_base = self.rich_style
        return self._frame_base
