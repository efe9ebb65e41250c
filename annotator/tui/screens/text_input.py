"""A one-line text dialog: edit a value, enter saves, escape cancels."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from annotator.tui.textsafe import display_text


class TextInputScreen(ModalScreen["str | None"]):
    """Dismisses with the line as typed (the caller strips and checks it), or None on escape.
    Title and hint are drawn inert; the value it starts with is made one inert line first."""

    DEFAULT_CSS = """
    TextInputScreen { align: center middle; }
    TextInputScreen > Vertical {
        width: 72; max-width: 100%; height: auto;
        border: round $accent; background: $surface; padding: 0 1;
    }
    TextInputScreen .title { text-style: bold; padding-bottom: 1; }
    TextInputScreen .hint { color: $text-muted; padding-top: 1; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel", id="text_input_cancel")]

    def __init__(self, title: str, value: str = "", *, hint: str = "enter saves · escape cancels") -> None:
        super().__init__()
        self.title_text = title
        self.value = " ".join(display_text(value).split())
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(display_text(self.title_text), no_wrap=True, overflow="ellipsis"), classes="title")
            yield Input(value=self.value, id="value")
            yield Static(Text(display_text(self.hint)), classes="hint")

    def on_mount(self) -> None:
        field = self.query_one(Input)
        field.focus()
        field.cursor_position = len(field.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
