"""The ``annotator`` command line: thin click commands over the core."""

from __future__ import annotations

import sys

import click

from annotator import __version__
from annotator.cli.common import AnnotatorGroup, finish_output
from annotator.textsafe import terminal_text


class Group(AnnotatorGroup):
    """The annotator group: click's own usage errors, which may quote a hostile file name
    (``Path '\x1b[2J...' does not exist``), are made inert before click prints them."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except click.ClickException as exc:
            exc.message = terminal_text(exc.message)
            raise


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="annotator")
def cli() -> None:
    """Annotate news articles in the terminal: entities, claims and stances.

    Suggestions come from a spaCy pipeline; every decision is saved to SQLite at once.
    """


def _register() -> None:
    """Each module under annotator/cli/ lists its click commands in COMMANDS."""
    from annotator.cli import annotate, data, learn, links, suggest, teams

    for module in (data, suggest, annotate, teams, links, learn):
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
