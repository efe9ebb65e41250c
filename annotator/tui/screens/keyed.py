"""How a key's action meets failure: a refusal is a notification, a lock wait keeps the key's
action and retries it, any other store failure is the error screen."""

from __future__ import annotations

import sqlite3
import time
from functools import wraps
from typing import Callable

from textual.message import Message

from annotator.annotate.refused import Refused
from annotator.errors import AnnotatorError
from annotator.store import DatabaseLocked

STORE_ERRORS = (sqlite3.Error, AnnotatorError, OSError)
UI_LOCK_WAIT_S = 0.3  # how long a key may block on another program's lock before the screen says so
RETRY_EVERY_S = 1.0
SAVE_PLACE_AFTER_S = 0.8  # where the user is, saved once moving pauses this long
WHILE_WAITING = {"quit", "help", "page"}  # keys that change nothing stored work while a decision waits


class StoreFailed(Message):
    """The store failed (damaged, disk full, read-only): the app shows its error screen."""

    def __init__(self, error: BaseException) -> None:
        self.error = error
        super().__init__()


def wait_note(waited: float, quit_key: str = "q") -> tuple[str, str]:
    """What a screen says while a kept decision waits for the database: the fullest wording first."""
    return (f"database busy: decision kept, waiting {waited:.0f} s ({quit_key} quits without it)",
            f"database busy: waiting {waited:.0f} s ({quit_key} drops it)")


def keyed(method):
    """Run a key's action: a refusal becomes a notification, a locked database a kept decision
    (see :class:`WaitsForDatabase`), another store failure the error screen."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Refused as refused:
            self.refused(refused)
        except DatabaseLocked as exc:
            if isinstance(self, WaitsForDatabase):
                self.keep_until_free(lambda: wrapper(self, *args, **kwargs))
            else:
                self.post_message(StoreFailed(exc))
        except STORE_ERRORS as exc:
            self.post_message(StoreFailed(exc))
        return None

    return wrapper


class WaitsForDatabase:
    """A screen whose decisions wait out another program's lock instead of failing or freezing,
    and that saves where the user is without ever stopping for a lock.

    The store gives up on a lock after :data:`UI_LOCK_WAIT_S` (``store.give_up_after``); the key's
    action (which changed nothing: its transaction never began) is kept and run again every
    second until the database is free, however long that takes. Meanwhile the screen says what it
    waits for, and only keys that change nothing stored work (scrolling, help, quit — quitting
    leaves the kept decision unsaved, and the message says so)."""

    _pending: Callable[[], None] | None = None
    _retry_timer = None
    _waiting_since = 0.0
    _save_timer = None

    @property
    def waiting(self) -> bool:
        return self._retry_timer is not None

    def allowed_while_waiting(self, action: str) -> bool:
        return not self.waiting or action in WHILE_WAITING

    def keep_until_free(self, retry: Callable[[], None]) -> None:
        self._pending = retry
        if self._retry_timer is None:
            self._waiting_since = time.monotonic()
            self._retry_timer = self.set_interval(RETRY_EVERY_S, self._retry_kept)
            self.refresh_bindings()
            self.notify("Another program is writing to the database. Your decision is kept and saved as soon "
                        "as it lets go; until then only scrolling, help and quit work (quitting drops it).",
                        title="Waiting for the database", severity="warning", timeout=8, markup=False)
        self._say_waiting()

    def _retry_kept(self) -> None:
        retry, self._pending = self._pending, None
        if retry is not None:
            retry()  # locked again: keep_until_free keeps it once more
        if self._pending is None:
            self._retry_timer.stop()
            self._retry_timer = None
            self.refresh_bindings()
            self.notify(f"The database is free again: your decision is saved "
                        f"(after {time.monotonic() - self._waiting_since:.0f} s).", markup=False)

    def _say_waiting(self) -> None:
        waited = time.monotonic() - self._waiting_since
        self.show_wait_note(wait_note(waited, self.quit_key))

    def save_place(self) -> None:
        """Remember where the user is (:meth:`write_place`); a locked database leaves it to the next save."""
        try:
            self.write_place()
        except DatabaseLocked:
            pass
        except STORE_ERRORS as exc:
            self.post_message(StoreFailed(exc))

    def save_place_soon(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(SAVE_PLACE_AFTER_S, self.save_place)

    quit_key = "q"  # as mapped: each screen sets its own

    def write_place(self) -> None:
        """Write where the user is (each screen knows what that is)."""
        raise NotImplementedError

    def show_wait_note(self, note: tuple[str, ...]) -> None:
        """Show what the screen waits for (each screen puts it where its notes go), in the fullest
        of the wordings that fits."""
        raise NotImplementedError
