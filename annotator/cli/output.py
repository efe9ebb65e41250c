"""Everything the CLI prints goes through here, so text from data is inert on the terminal.

Messages are made inert with :func:`annotator.textsafe.terminal_text`; JSON (``--json``)
with :func:`annotator.textsafe.json_text` (valid JSON, control characters escaped).
"""

from __future__ import annotations

import click

from annotator.textsafe import json_text, terminal_text


def echo(message: object = "", *, err: bool = False) -> None:
    """click.echo for text that may quote data (labels, names, titles, file names)."""
    click.echo(terminal_text(message), err=err)


def echo_json(obj: object) -> None:
    """Figures as JSON on stdout: valid JSON, and no raw control character reaches the terminal."""
    click.echo(json_text(obj, indent=2))


def warn_bad_rows(store) -> None:
    """One line on stderr per database row the store skipped because it breaks an invariant."""
    for problem in store.bad_rows:
        echo(f"warning: {store.path}: {problem}; skipped", err=True)
