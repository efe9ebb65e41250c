"""What the annotate and review apps share: their database, its error screen, closing it."""

from __future__ import annotations

from pathlib import Path

from textual.app import App

from annotator.tui.screens.error import ErrorScreen, error_message
from annotator.tui.screens.keyed import StoreFailed


class StoreApp(App):
    """An app over one annotator database (``self.store``, opened by the subclass)."""

    def __init__(self, db_path: str | Path) -> None:
        super().__init__()
        self.db_path = Path(db_path)
        self.store = None
        self.failed: str | None = None  # the error screen's message, once one is shown

    def on_store_failed(self, message: StoreFailed) -> None:
        self.show_error(message.error)

    def show_error(self, exc: BaseException | str) -> None:
        """Replace the UI by an error screen; any key then exits with code 1."""
        if self.failed is not None:
            return
        self.failed = error_message(exc, self.db_path)
        self.push_screen(ErrorScreen(self.failed))

    def on_unmount(self) -> None:
        if self.store is not None:
            try:
                self.store.close()
            except Exception:
                pass
