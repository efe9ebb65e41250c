"""Drawing the lines next to the view before they are needed, a few at a time while idle.

A decision that moves the focus out of view scrolls the article (or the side list) by
two thirds of a screen: every line that comes into view must be drawn in that one frame,
which made such keys several times dearer than the rest (and they set the 95th
percentile). A view with this mixin keeps the lines a screenful above and below it drawn
in its line cache: whenever a frame had to draw a line, it schedules the missing
neighbours, :data:`CHUNK` lines per step, each step its own message, so a key that
arrives meanwhile waits for one step at most (about a millisecond), not for all of them.
"""

from __future__ import annotations

from textual.strip import Strip

CHUNK = 8  # lines drawn per idle step


class PrefetchesLines:
    """Mixin for a Line API view with a line cache. Subclasses say which lines exist
    (:meth:`_line_count`), whether one is cached (:meth:`_is_drawn`) and how to draw one into
    the cache (:meth:`_draw_ahead`); they call :meth:`_prefetch_soon` when a frame drew a line."""

    _prefetching = False

    def _line_count(self) -> int:
        raise NotImplementedError

    def _cache_size(self) -> int:
        """How many drawn lines the cache keeps (lines drawn ahead never push out the view's own)."""
        raise NotImplementedError

    def _is_drawn(self, index: int) -> bool:
        raise NotImplementedError

    def _draw_ahead(self, index: int) -> Strip:
        """Draw line ``index`` into the line cache; return it."""
        raise NotImplementedError

    def _prefetch_soon(self) -> None:
        if not self._prefetching:
            self._prefetching = self.call_later(self._prefetch_step)

    def _wanted(self) -> list[int]:
        """The lines a screenful below the view, then above it, not drawn yet (as many as the cache
        holds beside the view's own, so drawing ahead never evicts a line it wants)."""
        height = self.scrollable_content_region.height
        if height <= 0:
            return []
        top, n = round(self.scroll_y), self._line_count()
        order = [*range(top + height, min(n, top + 2 * height)), *range(max(0, top - height), top)]
        order = order[:max(0, self._cache_size() - height)]
        return [i for i in order if not self._is_drawn(i)]

    def _prefetch_step(self) -> None:
        todo = self._wanted()
        prestyle = getattr(self._styles_cache, "prestyle", None)
        for index in todo[:CHUNK]:
            strip = self._draw_ahead(index)
            if prestyle is not None:
                prestyle(strip)
        self._prefetching = len(todo) > CHUNK and self.call_later(self._prefetch_step)
