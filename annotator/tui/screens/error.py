"""A full-screen error: shown instead of a traceback; any key exits the app cleanly."""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Static

from annotator.errors import AnnotatorError
from annotator.store import DatabaseLocked
from annotator.tui.textsafe import display_text


def error_message(exc: BaseException | str, db_path) -> str:
    """The one line the error screen shows for a failure of the app's database."""
    if isinstance(exc, DatabaseLocked):
        return (f"{db_path}: the database is locked by another program (waited and gave up). "
                "Close the other writer and start again.")
    if isinstance(exc, (AnnotatorError, str)):
        return str(exc)
    return f"{db_path}: {type(exc).__name__}: {exc}"


class ErrorScreen(Screen[None]):
    DEFAULT_CSS = """
    ErrorScreen { align: center middle; }
    ErrorScreen > Vertical {
        width: 80; max-width: 95%; height: auto; border: heavy $error; padding: 1 2; background: $surface;
    }
    ErrorScreen .title { text-style: bold; color: $error; padding-bottom: 1; }
    ErrorScreen .hint { color: $text-muted; padding-top: 1; }
    """

    def __init__(self, message: str, title: str = "annotator cannot go on") -> None:
        super().__init__()
        self.message = message
        self.title_text = title

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(display_text(self.title_text)), classes="title")
            yield Static(Text(display_text(self.message)), id="error-message")
            yield Static(Text("Everything decided before this point is saved. Press any key to exit."),
                         classes="hint")

    def on_key(self, event: events.Key) -> None:
        event.stop()
        self.app.exit(return_code=1, message=Text(f"error: {display_text(self.message)}"))
