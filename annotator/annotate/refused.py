"""What a session says when it cannot do what was asked."""

from __future__ import annotations


class Refused(Exception):
    """A request the session cannot carry out, with what to tell the annotator."""

    def __init__(self, message: str = "", *, warning: bool = False, bell: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.warning = warning
        self.bell = bell
