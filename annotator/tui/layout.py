"""How the annotation screen shares the terminal's width between the article and the side panel.

The article comes first: at 80 columns it keeps 50 columns of text (the side panel
narrows to 27 and the article has no frame); the panel takes about a third of wider
screens, the article is framed from 120 columns, and on wide screens the article stops
at a reading measure of 80 characters a line, the panel at 64 columns, and the pair is
centred.
"""

from __future__ import annotations

from dataclasses import dataclass

MEASURE = 80  # the longest article line on a wide screen, in cells
FRAMED_FROM = 120  # from this width on the article has a frame
SIDE_SHARE = 0.34  # the side panel's share of the width, between its bounds
FRAME = 2 + 2 + 1  # round border, padding, scrollbar gutter (framed article)
BARE = 2 + 1  # padding, scrollbar gutter (compact article)
SIDE_MIN, SIDE_MAX = 20, 64


@dataclass(frozen=True)
class Panes:
    article: int  # columns of the article pane (frame included)
    side: int  # columns of the side panel (its left rule included)
    compact: bool  # no frame round the article

    @property
    def text(self) -> int:
        """Columns of article text."""
        return self.article - (BARE if self.compact else FRAME)


def panes(width: int) -> Panes:
    """The article and side-panel widths for a terminal ``width`` columns wide."""
    compact = width < FRAMED_FROM
    chrome = BARE if compact else FRAME
    side = max(SIDE_MIN, min(SIDE_MAX, round(width * SIDE_SHARE), width - 50 - chrome))
    article = min(width - side, MEASURE + chrome)
    return Panes(article, min(SIDE_MAX, width - article), compact)
