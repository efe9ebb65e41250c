"""Strings that came from data are inert before they reach a terminal (or a JSON reader).

Every string a user did not type in this session — article text, labels, layer and
annotator names, titles, meta, file names, rule names — may hold control characters:
ESC starts ANSI sequences (clear the screen, set the title, write the clipboard with
OSC 52), BEL ends OSC strings, the C1 range holds one-byte CSI/OSC/DCS, and bidi
overrides reorder what is drawn. This module is the one place that makes such text safe:

* :func:`display_text` for drawing: controls become visible stand-ins (ESC -> ␛), one
  character per character, so span offsets still line up; newlines are kept.
* :func:`one_line` for lists, titles and labels: the same, on one short line.
* :func:`terminal_text` for everything the CLI prints (messages, reports, errors).
* :func:`json_text` for JSON meant for a terminal or a pipe (``--json``, JSONL export):
  valid JSON that decodes to exactly the same value, with every control character
  written as a ``\\uXXXX`` escape, so no raw control byte is ever printed.
* :func:`has_control` for the validators: labels and names may not hold any of these.

Rich markup needs no escaping: nothing here is ever parsed as markup (the CLI prints plain
text; the TUI draws ``rich.text.Text`` objects and segments built from plain strings).
"""

from __future__ import annotations

import json
import re

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
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029" + _BIDI + "]")
# What JSON may still hold raw after json.dumps(ensure_ascii=False): DEL, C1, separators, bidi.
_JSON_RAW = re.compile("[\x7f-\x9f\u2028\u2029" + _BIDI + "]")


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
    """A short, safe, single-line rendering for lists, titles, labels and names."""
    s = display_text(str(text)).replace("\n", " ")
    s = re.sub(r"\s+", " ", s).strip()
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return s


def terminal_text(text: object) -> str:
    """Any message for the terminal, made inert: line breaks kept, every other control shown."""
    return display_text(str(text))


_INVISIBLE = re.compile("[\u00ad\u180e\u200b\u2060-\u2064\ufeff]")  # draw as nothing; ZWJ/ZWNJ spell names


def invisible_char(text: str) -> str | None:
    """The first character of the string that a terminal draws as nothing (a zero-width space, a soft
    hyphen, a word joiner, a byte-order mark), or None: "PER\u200bSON" would read as "PERSON"."""
    m = _INVISIBLE.search(text)
    return m.group() if m else None


def has_control(text: str) -> bool:
    """True when the string holds a control character, a line break or a bidi override."""
    return bool(_CONTROL.search(text))


def json_text(obj: object, *, indent: int | None = None, sort_keys: bool = False) -> str:
    """JSON for a terminal or a file: valid (NaN and Infinity refused), and inert.

    ``json.dumps`` already escapes C0 controls (ESC is written ``\\u001b``) but, with
    ``ensure_ascii=False``, leaves DEL, the C1 range, U+2028/2029 and bidi overrides raw.
    Those can only occur inside JSON strings, so writing them as ``\\uXXXX`` escapes keeps
    the document valid and its value unchanged; other non-ASCII text stays readable.
    """
    raw = json.dumps(obj, ensure_ascii=False, allow_nan=False, indent=indent, sort_keys=sort_keys)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", raw)
