"""A yes/no question before a decision that touches much at once (accept all, done with undecided)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
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
    ConfirmScreen .hint { color: $text-muted; padding-top: 1; }
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
            yield Static(Text(self.explanation) if isinstance(self.explanation, str) else self.explanation,
                         id="confirm-explanation")
            yield Static(Text(f"y / enter: {self.yes} · n / escape: cancel"), classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
