"""A yes/no question before a decision that touches much at once (accept all, done with undecided)."""

from __future__ import annotations

import textwrap

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static


class ConfirmScreen(ModalScreen[bool]):
    """Dismisses with True for ``y`` (or enter), False for ``n`` or escape."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical {
        width: 64; max-width: 95%; height: auto; max-height: 90%;
        border: round $warning; background: $surface; padding: 0 1;
    }
    ConfirmScreen .title { text-style: bold; padding-bottom: 1; }
    ConfirmScreen .hint { color: $text-muted; padding-top: 1; dock: bottom; }
    ConfirmScreen VerticalScroll { height: auto; scrollbar-size-vertical: 1; }
    """
    BINDINGS = [Binding("y,enter", "answer(True)", "Yes", id="confirm_yes"),
                Binding("n,escape", "answer(False)", "No", id="confirm_no")]

    def __init__(self, question: str, explanation: Text | str, yes: str) -> None:
        super().__init__()
        self.question = question
        self.explanation = explanation
        self.yes = yes

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(self.question), classes="title", id="confirm-question")
            with VerticalScroll():  # on a low screen the explanation scrolls: the question and the keys stay
                yield Static(Text(self.explanation) if isinstance(self.explanation, str) else self.explanation,
                             id="confirm-explanation")
            yield Static(Text(f"y / enter: {self.yes} · n / escape: cancel"), classes="hint")

    def on_mount(self) -> None:
        self._fit()
        self.query_one(VerticalScroll).focus()  # ↑ ↓ scroll a long explanation on a low screen

    def on_resize(self) -> None:
        self._fit()

    def _fit(self) -> None:
        """Keep the explanation within the dialog, and the dialog within the screen: at 60×12 the
        question before done ran under the frame with the keys that answer it."""
        width, height = self.size
        inner = max(1, min(64, int(width * 0.95)) - 4)  # the dialog's border and padding
        question = len(textwrap.wrap(self.question, inner)) + 1  # and its padding
        room = int(height * 0.9) - 2 - question - 2  # the frame, the question, the hint
        self.query_one(VerticalScroll).styles.max_height = max(1, room)

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
