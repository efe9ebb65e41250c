"""`annotator annotate`: open the keyboard-first annotation TUI."""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

import click

from annotator.cli.common import annotator_option, db_option, open_store
from annotator.cli.output import echo
from annotator.errors import AnnotatorError
from annotator.formats.files import regular_file


@click.command("annotate")
@db_option
@annotator_option
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False), default=None,
              help="Label schema YAML (default: the bundled news schema).")
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False), default=None, envvar="ANNOTATOR_KEYS",
              show_envvar=True, help="Key config YAML (default: ~/.config/annotator/keys.yaml).")
@click.option("--model", default=None, help="spaCy pipeline to suggest with (default: the schema's).")
@click.option("--no-suggest", is_flag=True, help="Do not compute missing suggestions in the background.")
@click.argument("sources", nargs=-1, type=click.Path(exists=True))
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

    schema = load_schema(schema_path)
    if sources:
        from annotator.importing import read_sources

        if Path(db_path).exists():  # a bad database is refused before the sources are read
            open_store(db_path, create=False).close()
        records, report = read_sources(list(sources), None, schema)  # a bad source fails before any file is made
        if records:
            with open_store(db_path) as store:
                report.result = store.import_records(records)
        result = getattr(report, "result", report)
        added = getattr(result, "documents_added", None)
        if added is not None:
            echo(f"imported {added} new document(s), {getattr(result, 'documents_existing', 0)} already there",
                       err=True)
        for what in ("empty", "skipped"):
            for item in getattr(report, what, None) or []:
                echo(f"{what}: {item}", err=True)
    if not Path(db_path).exists():
        _no_documents(db_path)
    regular_file(db_path)  # a FIFO or a device is refused here, not on the app's error screen
    try:
        with open_store(db_path, create=False) as store:
            count = store.count_documents()
    except (AnnotatorError, sqlite3.Error):
        count = None  # damaged or locked: the app shows an error screen and exits cleanly
    if count == 0:
        _no_documents(db_path)
    app = create_app(db_path, annotator_name, schema=schema, suggest=not no_suggest, keys=keys_path, model=model)
    app.run()
    sys.exit(app.return_code or 0)


def _no_documents(db_path: str) -> None:
    echo(
        f"No documents in {db_path} yet. Import some first, for example:\n"
        f"  annotator import --db {db_path} articles/          (.txt files, a directory, or JSONL)\n"
        f"or pass them straight to annotate:\n"
        f"  annotator annotate --db {db_path} article.txt",
        err=True)
    sys.exit(2)


COMMANDS = [annotate]
