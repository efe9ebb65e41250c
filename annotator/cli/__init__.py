"""The ``annotator`` command line: thin click commands over the core."""

from __future__ import annotations

import sys

import click

from annotator import __version__
from annotator.cli.common import AnnotatorGroup, finish_output


@click.group(cls=AnnotatorGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
def cli() -> None:
    """Annotate news articles in the terminal: entities, claims and stances.

    Suggestions come from a spaCy pipeline; every decision is saved to SQLite at once.
    """


def _register() -> None:
    """Each module under annotator/cli/ lists its click commands in COMMANDS."""
    from annotator.cli import annotate, data, learn, suggest, teams

    for module in (data, suggest, annotate, teams, learn):
        for command in getattr(module, "COMMANDS", []):
            cli.add_command(command)


def main() -> None:
    try:
        cli(prog_name="annotator")
        code = 0
    except SystemExit as exc:
        code = exc.code
        if code is not None and not isinstance(code, int):
            print(code, file=sys.stderr)
            code = 1
    sys.exit(finish_output(code))


_register()

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
