"""How a key's action meets failure: a refusal is a notification, a store failure the error screen."""

from __future__ import annotations

import sqlite3
from functools import wraps

from annotator.annotate.refused import Refused
from annotator.errors import AnnotatorError

STORE_ERRORS = (sqlite3.Error, AnnotatorError, OSError)


def keyed(method):
    """Run a key's action: a refusal becomes a notification, a store failure the error screen."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Refused as refused:
            self.refused(refused)
        except STORE_ERRORS as exc:
            self.post_message(self.Failed(exc))
        return None

    return wrapper
