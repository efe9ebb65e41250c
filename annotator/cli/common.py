"""Shared CLI pieces: the --db option, opening the store, and one-line errors."""

from __future__ import annotations

import getpass
import os
import sqlite3
import sys

import click

from annotator.errors import AnnotatorError
from annotator.textsafe import terminal_text

DEFAULT_DB = "annotations.db"


class AnnotatorGroup(click.Group):
    """A click group that turns AnnotatorError (and friends) into one line on stderr, exit 1."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AnnotatorError as exc:
            click.echo(terminal_text(f"error: {exc}"), err=True)
            sys.exit(1)
        except sqlite3.OperationalError as exc:
            click.echo(terminal_text(f"error: database: {exc}"), err=True)
            sys.exit(1)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)


def db_option(f):
    """--db PATH, default $ANNOTATOR_DB or ./annotations.db."""
    return click.option("--db", "db_path", type=click.Path(), envvar="ANNOTATOR_DB",
                        default=DEFAULT_DB, show_default=True, show_envvar=True,
                        help="SQLite database file.")(f)


def default_annotator() -> str:
    """$ANNOTATOR_NAME, else the login name."""
    name = os.environ.get("ANNOTATOR_NAME")
    if name:
        return name
    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"


def annotator_option(f):
    from annotator.cli.names import annotator_name  # refuses empty, control-character and reserved names

    return click.option("--annotator", "annotator_name", default=default_annotator, show_default="login name",
                        callback=annotator_name,
                        help="Whose annotation layer to use ($ANNOTATOR_NAME or the login name).")(f)


def open_store(db_path: str, create: bool = True):
    from annotator.store import Store

    return Store(db_path, create=create)
