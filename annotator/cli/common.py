"""Shared CLI pieces: the --db option, opening the store, and one-line errors."""

from __future__ import annotations

import errno
import gc
import os
import sqlite3
import sys
import tempfile
import traceback

import click

from annotator.errors import AnnotatorError
from annotator.textsafe import terminal_text

DEFAULT_DB = "annotations.db"
DEBUG_ENV = "ANNOTATOR_DEBUG"  # set to 1 to get Python's traceback instead of the one-line bug report


class AnnotatorGroup(click.Group):
    """A click group that turns every failure into one line on stderr and a non-zero exit.

    Known problems (AnnotatorError, database errors, interrupts, output that cannot be
    written) are each handled by name; anything else is a bug: one line says so and where the
    full traceback was written.
    """

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except AnnotatorError as exc:
            _fail(f"error: {exc}")
        except sqlite3.Error as exc:  # raised outside the store, which translates its own
            _fail(f"error: database: {exc}")
        except KeyboardInterrupt as exc:
            interrupted(getattr(exc, "signum", 2))
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # BrokenPipeError
                output_closed()
            where = f"{exc.filename}: " if exc.filename else "cannot write output: "
            _fail(f"error: {where}{exc.strerror or exc}")
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_ENV):
                raise
            report = crash_report(exc)
            _fail(f"error: unexpected {type(exc).__name__} — a bug in annotator, please report it; "
                  f"the full traceback is in {report}")


def interrupted(signum: int = 2):
    """Ctrl+C (or SIGTERM/SIGHUP, raised like it): one line, exit 128 + the signal's number."""
    _fail("interrupted", 128 + signum)


def exit_now(code: int) -> None:
    """End the process with ``code`` once the streams are flushed, without Python's own exit.

    After an interrupt this is the only way to be sure of the code: CPython 3.11 remembers a
    KeyboardInterrupt that passed through ``exec``/``eval`` of a string (a dataclass or named
    tuple being made during an import, say) even after it was handled, and then ends the process
    by SIGINT (status -2) instead of the exit code asked for. Everything that must be undone has
    been by then (the interrupt ran every ``finally`` and ``with`` on its way out).

    One collection first: a handled interrupt whose frames sit in a reference cycle (code that kept the
    exception in a local) can still hold a database cursor, and SQLite closes a connection with a live
    statement only when the statement goes: ending without it left the database's -wal and -shm files.
    """
    gc.collect()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):
            pass
    os._exit(code)


def _fail(message: str, code: int = 1):
    try:
        click.echo(terminal_text(message), err=True)
    except OSError:
        pass
    sys.exit(code)


def _silence_stdout() -> None:
    """Send what is still buffered for standard output to /dev/null, so Python's exit does not complain."""
    try:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def output_closed():
    """Standard output was closed by its reader (``annotator export | head -1``): stop quietly, exit 141."""
    _silence_stdout()
    sys.exit(141)


def crash_report(exc: BaseException) -> str:
    """Write the traceback of an unexpected exception to a file in the temp folder; return its path."""
    from annotator import __version__

    try:
        fd, path = tempfile.mkstemp(prefix="annotator-crash-", suffix=".txt")
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace") as fh:
            fh.write(f"annotator {__version__}, Python {sys.version.split()[0]}\n")
            fh.write("command: " + " ".join(sys.argv) + "\n\n")
            fh.write("".join(traceback.format_exception(exc)))
        return path
    except OSError:
        return "(nowhere: the temp folder is not writable)"


def finish_output(code: int | None) -> int:
    """Flush standard output at exit: a closed pipe ends quietly (141), a full device in one line (1)."""
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return code or 141
    except OSError as exc:
        _silence_stdout()
        try:
            click.echo(f"error: cannot write output: {exc.strerror or exc}", err=True)
        except OSError:
            pass
        return code or 1
    except ValueError:  # standard output was closed
        pass
    return code or 0


def db_option(f):
    """--db PATH, default $ANNOTATOR_DB or ./annotations.db."""
    return click.option("--db", "db_path", type=click.Path(), envvar="ANNOTATOR_DB",
                        default=DEFAULT_DB, show_default=True, show_envvar=True,
                        help="SQLite database file.")(f)


SCHEMA_ENV = "ANNOTATOR_SCHEMA"


def schema_option(f):
    """--schema FILE, default $ANNOTATOR_SCHEMA or the bundled news schema (every command that uses one)."""
    return click.option("--schema", "schema_path", type=click.Path(dir_okay=False), envvar=SCHEMA_ENV,
                        default=None, show_envvar=True,
                        help="Label schema YAML (default: the bundled news schema).")(f)


def json_option(help: str = "Print the figures as JSON."):
    """--json: the command's figures as JSON on stdout (printed with :func:`annotator.cli.output.echo_json`)."""
    return click.option("--json", "as_json", is_flag=True, help=help)


def default_annotator() -> str:
    """$ANNOTATOR_NAME, else the login name."""
    name = os.environ.get("ANNOTATOR_NAME")
    if name:
        return name
    import getpass  # only when no name is given (it loads termios and pwd)

    try:
        return getpass.getuser()
    except Exception:  # no login name in some containers
        return "annotator"


def annotator_option(f):
    from annotator.cli.names import annotator_name  # refuses empty, control-character and reserved names

    return click.option("--annotator", "annotator_name", default=default_annotator, show_default="login name",
                        callback=annotator_name,
                        help="Whose annotation layer to use ($ANNOTATOR_NAME or the login name).")(f)


def say_wait(message: str | None) -> None:
    """The store's lock-wait notice, as a line on stderr."""
    if message:
        click.echo(message, err=True)


def open_store(db_path: str, create: bool = True, *, readonly: bool = False):
    """Open the database; ``readonly`` for commands that only read (they never create, migrate or write)."""
    from annotator.store import Store

    return Store(db_path, create=create and not readonly, readonly=readonly, on_wait=say_wait)
