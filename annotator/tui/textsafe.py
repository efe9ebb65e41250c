"""Article text is data: make it safe to draw, keeping one character per character.

Control characters (C0, DEL, C1 — which covers ESC and CSI, so ANSI escape sequences
cannot reach the terminal), bidi overrides and line/paragraph separators become visible
replacements. The result has exactly the same length as the input, so span offsets
still line up. Rich markup needs no escaping here because we never parse markup:
widgets get ``rich.text.Text`` objects or Segments built from plain strings.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from rich.text import Text

_BIDI = "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u061c"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for c in range(0x20):
        table[c] = chr(0x2400 + c)  # ␀ ... ␟ (ESC -> ␛)
    del table[0x0A]  # newlines stay newlines
    table[0x09] = " "  # a tab shows as one space (tabs would expand in the terminal)
    table[0x7F] = "\u2421"  # ␡
    for c in range(0x80, 0xA0):
        table[c] = "\ufffd"
    for ch in _BIDI:
        table[ord(ch)] = "\ufffd"
    table[0x2028] = "\u2424"  # ␤
    table[0x2029] = "\u00b6"  # ¶
    return table


_TABLE = _build_table()
_NEEDS = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029" + _BIDI + "]")


def display_text(text: str) -> str:
    """The text as drawn: newlines kept, CRLF's CR shown as a space, controls replaced."""
    if not _NEEDS.search(text):
        return text
    out = text.translate(_TABLE)
    if "\r" in text:
        # CR before LF is invisible line-ending noise: draw it as a space, not ␍.
        chars = list(out)
        for i, ch in enumerate(text):
            if ch == "\r" and i + 1 < len(text) and text[i + 1] == "\n":
                chars[i] = " "
        out = "".join(chars)
    assert len(out) == len(text)
    return out


def one_line(text: str, limit: int = 60) -> str:
    """A short, safe, single-line rendering for lists and titles."""
    s = display_text(text).replace("\n", " ")
    s = re.sub(r"\s+", " ", s).strip()
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def safe(text: str, style: str = "") -> Text:
    """A rich Text holding the string literally (no markup parsing, controls replaced)."""
    return Text(display_text(text), style=style, no_wrap=False)


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
