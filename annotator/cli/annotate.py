"""`annotator annotate`: open the keyboard-first annotation TUI."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import click

from annotator.cli.common import annotator_option, db_option, open_store, schema_option
from annotator.cli.output import echo
from annotator.errors import AnnotatorError
from annotator.formats.files import regular_file
from annotator.startup import resume_gc


@click.command("annotate")
@db_option
@annotator_option
@schema_option
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False), default=None, envvar="ANNOTATOR_KEYS",
              show_envvar=True, help="Key config YAML (default: ~/.config/annotator/keys.yaml).")
@click.option("--model", default=None, help="spaCy pipeline to suggest with (default: the schema's).")
@click.option("--no-suggest", is_flag=True, help="Do not compute missing suggestions in the background.")
@click.argument("sources", nargs=-1, type=click.Path())  # read_sources names a missing one
def annotate(db_path: str, annotator_name: str, schema_path: str | None, keys_path: str | None,
             model: str | None, no_suggest: bool, sources: tuple[str, ...]) -> None:
    """Annotate documents in the terminal, starting where you stopped.

    With SOURCE files or directories, import them first. Suggestions missing for any
    document are computed in the background; the article is readable at once.
    Every decision is saved before it is shown. Press ? in the app for every key.

    \b
    Example:
      annotator annotate --db news.db --annotator alice articles/
    """
    from annotator.schema import load_schema
    from annotator.tui.app import create_app
    from annotator.tui.keymap import config_path, load_keymap

    # every option is checked before anything is imported or drawn
    schema = load_schema(schema_path)
    keys_file = Path(keys_path).expanduser() if keys_path else config_path()
    keymap = load_keymap(keys_file, required=bool(keys_path))
    if model:
        _check_model(model)
    count = store = None
    if os.path.lexists(db_path):  # a FIFO or a device is refused here, not on the app's error screen
        regular_file(db_path)
        store = open_store(db_path, create=False)  # and a bad database before the sources are read
    try:
        if store is not None:
            count = _count_documents(store)
        if sources:
            resume_gc()  # reading a corpus makes garbage: the collector is paused only for a bare start
        imported = _read_sources(sources, schema) if sources else None
        if not terminal():
            _usage_error("annotate draws a screen and reads keys: run it in a terminal "
                         "(stdin and stdout must not be redirected)")
        if imported is not None:
            if store is not None:
                store.close()
                store = None
            _import(db_path, *imported, schema)
            try:
                with open_store(db_path, create=False) as counted:
                    count = _count_documents(counted)
            except (AnnotatorError, sqlite3.Error):
                count = None  # damaged or locked: the app shows an error screen and exits cleanly
        if not Path(db_path).exists():
            _no_documents(db_path)
        if count == 0:
            _no_documents(db_path)
        if store is not None:
            if count is None:  # damaged or locked: the app opens it itself and shows its error screen
                store.close()
                store = None
            else:  # handed to the app, which waits for locks on its status line, not on stderr
                store.on_wait = None
        app = create_app(db_path, annotator_name, schema=schema, suggest=not no_suggest, keys=keys_file,
                         keymap=keymap, model=model, store=store)
        store = None  # the app closes it when it ends
    finally:
        if store is not None:
            store.close()
    app.run()
    sys.exit(app.return_code or 0)


def _count_documents(store) -> int | None:
    try:
        return store.count_documents()
    except (AnnotatorError, sqlite3.Error):
        return None  # damaged or locked: the app shows an error screen and exits cleanly


def terminal() -> bool:
    """Whether annotate has a screen to draw on: a terminal on stdin and stdout, or another Textual
    driver chosen by whoever started it (``annotator serve``: textual-serve's web driver, over pipes)."""
    return bool(os.environ.get("TEXTUAL_DRIVER")) or (sys.stdin.isatty() and sys.stdout.isatty())


def _usage_error(message: str) -> None:
    echo(f"error: {message}", err=True)
    sys.exit(2)


def _check_model(model: str) -> None:
    """An installed pipeline's name or a pipeline folder, else a one-line error (exit 2) before the app starts."""
    path = Path(model).expanduser()
    if path.exists() or "/" in model or model.startswith("."):
        if not (path / "config.cfg").is_file() and not (path / "meta.json").is_file():
            _usage_error(f"--model {model}: not a spaCy pipeline folder (no config.cfg or meta.json in it)")
        return
    from annotator.suggest.pipeline import installed_models

    installed = installed_models()
    if model not in installed:
        _usage_error(f"--model {model}: no such spaCy pipeline is installed (installed: "
                     f"{', '.join(installed) or 'none'}); give an installed pipeline or a pipeline folder")


def _read_sources(sources: tuple[str, ...], schema):
    """Read and check every source before a database file is made or touched."""
    from annotator.formats.importing import read_sources

    return read_sources(list(sources), None, schema)


def _import(db_path: str, files, checked, schema) -> None:
    """Import sources :func:`_read_sources` checked (each record is checked again as it is written)."""
    from annotator.cli.data import echo_import_report, import_files

    report = checked
    if checked.records:
        report = import_files(db_path, files, None, schema)
        report.notes = checked.notes
    echo_import_report(report, db_path, schema, err=True)


def _no_documents(db_path: str) -> None:
    echo(
        f"No documents in {db_path} yet. Import some first, for example:\n"
        f"  annotator import --db {db_path} articles/          (.txt files, a directory, or JSONL)\n"
        f"or pass them straight to annotate:\n"
        f"  annotator annotate --db {db_path} article.txt",
        err=True)
    sys.exit(2)


COMMANDS = [annotate]
