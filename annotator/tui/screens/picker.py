"""A typed picker dialog: choose one value from a list, by key or with enter.

Every row is one line: a prompt wider than the dialog is cut with an ellipsis, never wrapped."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.tui.textsafe import display_text, safe_text

T = TypeVar("T")


@dataclass(frozen=True)
class Choice(Generic[T]):
    value: T
    prompt: Text
    key: str | None = None


class PickerScreen(ModalScreen["T | None"], Generic[T]):
    """Dismisses with the chosen value, or None on escape. Title, prompts and hint are drawn inert."""

    DEFAULT_CSS = """
    PickerScreen { align: center middle; }
    PickerScreen > Vertical {
        width: 72; max-width: 100%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PickerScreen .title { text-style: bold; padding-bottom: 1; }
    PickerScreen .hint { color: $text-muted; padding-top: 1; }
    PickerScreen OptionList {
        height: auto; max-height: 24; border: none; text-wrap: nowrap; text-overflow: ellipsis;
        scrollbar-gutter: stable; scrollbar-size-vertical: 1;
    }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="picker_cancel")]

    def __init__(self, title: str, choices: list[Choice[T]], *, selected: int = 0,
                 hint: str = "enter choose · escape cancel") -> None:
        super().__init__()
        self.title_text = title
        self.choices = choices
        self.selected = selected
        self.hint = hint
        self._by_key = {c.key: c.value for c in choices if c.key}

    WIDTH = 72  # the dialog's width, where the terminal has room

    @classmethod
    def prompt_width(cls, screen_width: int) -> int:
        """Cells a choice's prompt may take in a dialog on a screen this wide (after the key column)."""
        dialog = min(cls.WIDTH, screen_width)
        return dialog - 2 - 2 - 4 - 1 - 4  # border, padding, the list's own frame, scrollbar, key column

    def compose(self) -> ComposeResult:
        width = self.prompt_width(self.app.size.width) + 4
        options = []
        for c in self.choices:
            prompt = Text(no_wrap=True, overflow="ellipsis", end="")
            prompt.append(f"{display_text(c.key or ' '):>2}  ", style="bold")
            prompt.append_text(safe_text(c.prompt))
            prompt.truncate(width, overflow="ellipsis")
            options.append(Option(prompt))
        with Vertical():
            yield Static(Text(display_text(self.title_text), no_wrap=True, overflow="ellipsis"), classes="title")
            yield OptionList(*options, id="choices")
            yield Static(Text(display_text(self.hint)), classes="hint")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        self._fit_list()
        if self.choices:
            ol.highlighted = max(0, min(self.selected, len(self.choices) - 1))
        ol.focus()

    def on_resize(self) -> None:
        self._fit_list()

    def _fit_list(self) -> None:
        """Keep the list within the dialog (and the dialog within the screen): a list taller than the
        room scrolls, so the highlighted row and the hint below stay in sight (at 80×24 the 20 labels
        of the news schema ran under the frame)."""
        dialog = int(self.size.height * 0.9)  # the dialog's max-height
        self.query_one(OptionList).styles.max_height = max(3, min(24, dialog - 2 - 2 - 2))  # frame, title, hint

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.choices[event.option_index].value)

    def on_key(self, event: events.Key) -> None:
        ch = event.character
        if ch and ch in self._by_key:
            event.stop()
            event.prevent_default()
            self.dismiss(self._by_key[ch])

    def action_cancel(self) -> None:
        self.dismiss(None)
