"""The key bar: the screen's last line, the main keys of the current mode as they are mapped.

It shows as many keys as fit, most used first, and always ends with ``? help`` and
``q quit`` (Textual's Footer drops whatever does not fit, ``q`` included)."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Static

from annotator.tui.keymap import ALWAYS_SHOWN, BAR, effective_keys, key_name, short_description

GAP = "  "


def bar_text(mode: str, keymap: dict[str, str] | None, width: int) -> Text:
    """The key bar for ``mode`` fitted to ``width`` cells."""
    keys = {k.id: (k, keys) for k, keys in effective_keys(keymap)}

    def piece(binding_id: str) -> Text:
        key, typed = keys[binding_id]
        out = Text()
        out.append(key_name(typed), style="bold reverse")
        out.append(" " + short_description(key))
        return out

    tail = Text(GAP).join(piece(i) for i in ALWAYS_SHOWN)
    room = width - 1 - tail.cell_len
    out = Text(" ", no_wrap=True, overflow="crop", end="")
    for binding_id in BAR[mode]:
        p = piece(binding_id)
        if p.cell_len + len(GAP) > room:
            break
        out.append_text(p)
        out.append(GAP)
        room -= p.cell_len + len(GAP)
    out.append_text(tail)
    out.truncate(width)
    return out


class KeyBar(Static):
    """One line of key hints; :meth:`show` redraws it for a mode."""

    DEFAULT_CSS = "KeyBar { height: 1; background: $panel; }"

    def __init__(self, keymap: dict[str, str] | None = None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.keymap = keymap
        self.mode = "normal"
        self._drawn: tuple[str, int] | None = None

    def show(self, mode: str) -> None:
        """Draw the bar for ``mode`` (only when the mode or the width changed: keys are frequent)."""
        drawn = (mode, self.size.width)
        if drawn == self._drawn:
            return
        self.mode, self._drawn = mode, drawn
        self.update(bar_text(mode, self.keymap, self.size.width or 80), layout=False)

    def on_resize(self) -> None:
        self.show(self.mode)
