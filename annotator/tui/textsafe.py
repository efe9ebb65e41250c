"""Drawing data in the TUI: the shared text-safety functions plus Textual/rich helpers.

The safety rules themselves live in :mod:`annotator.textsafe` (the CLI uses them too):
control characters, bidi overrides and separators become visible stand-ins, one character
per character, so span offsets still line up. Rich markup needs no escaping because we
never parse markup: widgets get ``rich.text.Text`` objects or Segments built from plain strings.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

from annotator.textsafe import display_text, one_line

__all__ = ["display_text", "one_line", "safe", "safe_text", "wrap"]


def safe(text: str, style: str = "") -> Text:
    """A rich Text holding the string literally (no markup parsing, controls replaced)."""
    return Text(display_text(text), style=style, no_wrap=False)


def safe_text(text: Text) -> Text:
    """A copy of a rich Text with its characters made inert; its styles stay where they were."""
    plain = text.plain
    shown = display_text(plain)
    if shown == plain:
        return text
    out = text.copy()
    out.plain = shown  # same length, so every span keeps its place
    return out


_TOKEN = re.compile(r"\S+\s*|\s+")


def wrap(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap of (display) text into (start, end) character ranges per line.

    Newlines end lines and are not part of any range. Words longer than the width are
    split. Trailing spaces may hang past the width (they are cropped when drawn).
    """
    width = max(1, width)
    lines: list[tuple[int, int]] = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        pe = n if nl == -1 else nl
        if pe == pos:
            lines.append((pos, pos))
        else:
            ls, w = pos, 0
            for m in _TOKEN.finditer(text, pos, pe):
                ts, te = m.start(), m.end()
                tok = m.group()
                word = tok.rstrip()
                ww = cell_len(word)
                tw = cell_len(tok)
                if w + ww <= width:
                    w += tw
                    continue
                if w > 0 and ts > ls:
                    lines.append((ls, ts))
                    ls, w = ts, 0
                if ww <= width:
                    w = tw
                    continue
                # a word wider than the line: split it by cells
                i = ts
                while i < te:
                    j, cw = i, 0
                    while j < te and not text[j].isspace():
                        c = cell_len(text[j])
                        if cw + c > width and j > i:
                            break
                        cw += c
                        j += 1
                    if j < te and not text[j].isspace():
                        lines.append((ls, j))
                        ls, i, w = j, j, 0
                    else:
                        w = cw + cell_len(text[j:te])
                        break
            lines.append((ls, pe))
        if nl == -1:
            break
        pos = nl + 1
    return lines
