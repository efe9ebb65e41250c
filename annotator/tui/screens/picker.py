"""A typed picker dialog: choose one value from a list, by key or with enter."""

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
        width: 64; max-width: 90%; height: auto; max-height: 90%;
        border: round $accent; background: $surface; padding: 0 1;
    }
    PickerScreen .title { text-style: bold; padding-bottom: 1; }
    PickerScreen .hint { color: $text-muted; padding-top: 1; }
    PickerScreen OptionList { height: auto; max-height: 24; border: none; }
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

    def compose(self) -> ComposeResult:
        options = []
        for c in self.choices:
            prompt = Text()
            prompt.append(f"{display_text(c.key or ' '):>2}  ", style="bold")
            prompt.append_text(safe_text(c.prompt))
            options.append(Option(prompt))
        with Vertical():
            yield Static(Text(display_text(self.title_text)), classes="title")
            yield OptionList(*options, id="choices")
            yield Static(Text(display_text(self.hint)), classes="hint")

    def on_mount(self) -> None:
        ol = self.query_one(OptionList)
        if self.choices:
            ol.highlighted = max(0, min(self.selected, len(self.choices) - 1))
        ol.focus()

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
