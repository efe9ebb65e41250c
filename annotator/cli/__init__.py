"""The ``annotator`` command line: thin click commands over the core.

Each command lives in a module under annotator/cli/ that lists it in ``COMMANDS``; the group
imports a command's module only when that command runs (or ``--help`` lists them all), so
starting one command does not pay for the others' imports.
"""

from __future__ import annotations

import importlib
import sys

import click

from annotator import __version__
from annotator.cli.common import AnnotatorGroup, exit_now, finish_output, interrupted
from annotator.startup import pause_gc, resume_gc
from annotator.textsafe import terminal_text

# command name -> the module under annotator/cli/ whose COMMANDS holds it (a test checks both agree)
LAZY_COMMANDS = {
    "agreement": "teams", "annotate": "annotate", "assign": "teams", "evaluate": "suggest", "export": "data",
    "import": "data", "links": "links", "merge": "teams", "migrate": "data", "review": "teams",
    "schema": "data", "serve": "teams", "stats": "data", "suggest": "suggest", "train": "learn",
}
# commands that resume the garbage collector themselves (annotate: once its first frame is painted)
RESUMES_GC = {"annotate"}


class Group(AnnotatorGroup):
    """The annotator group: commands imported on first use, and click's own usage errors, which
    may quote a hostile file name (``Path '\x1b[2J...' does not exist``), made inert before click
    prints them."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(LAZY_COMMANDS) | set(self.commands))

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in self.commands and cmd_name in LAZY_COMMANDS:
            module = importlib.import_module(f"annotator.cli.{LAZY_COMMANDS[cmd_name]}")
            for command in module.COMMANDS:
                self.add_command(command)
        return self.commands.get(cmd_name)

    def resolve_command(self, ctx: click.Context, args: list[str]):
        try:
            name, command, rest = super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:  # "Did you mean" over every command, loaded or not
            raise click.exceptions.NoSuchCommand(exc.command_name, possibilities=self.list_commands(ctx),
                                                 ctx=ctx) from None
        if name not in RESUMES_GC:
            resume_gc()
        return name, command, rest

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


def main() -> None:
    pause_gc()  # start-up makes only long-lived objects (annotator.startup)
    was_interrupted = False
    try:
        try:
            cli(prog_name="annotator")
            code = 0
        except SystemExit as exc:
            code = exc.code
            if code is not None and not isinstance(code, int):
                print(code, file=sys.stderr)
                code = 1
            was_interrupted = isinstance(exc.__context__, KeyboardInterrupt)  # the group's "interrupted"
        finally:
            resume_gc()
        code = finish_output(code)
    except KeyboardInterrupt:  # Ctrl+C outside a command (the group handles it inside): no traceback either
        try:
            interrupted()
        except SystemExit as exc:
            code, was_interrupted = exc.code, True
    if was_interrupted:
        exit_now(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
