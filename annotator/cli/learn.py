"""The learning loop: train a spaCy pipeline from the team's decisions."""

from __future__ import annotations

import os
import sys
from contextlib import contextmanager
from typing import IO, Iterator

import click

from annotator.cli.common import db_option, open_store
from annotator.cli.output import echo, warn_bad_rows


@click.command("train")
@db_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False),
              help="Folder for the trained pipeline (in a folder that exists).")
@click.option("--source", default="all", show_default=True, metavar="review|ANNOTATOR|all",
              help="Whose decisions to learn from; 'all' prefers the review layer per document.")
@click.option("--eval-split", default=0.2, show_default=True, type=float, help="Share of documents held out for scores.")
@click.option("--base", default=None, metavar="MODEL", help="Start NER from this installed pipeline instead of scratch.")
@click.option("--epochs", "max_epochs", default=30, show_default=True, type=click.IntRange(1, 1000))
@click.option("--seed", default=0, show_default=True, type=int)
@click.option("--components", default="ner,claims,rescorer,stance", show_default=True, metavar="LIST",
              help="Which to train (comma-separated): ner, claims (span categorizer), rescorer (keeps or drops "
                   "the rules' claims), stance.")
def train_cmd(db_path, out, source, eval_split, base, max_epochs, seed, components):
    """Train NER, a claim span categorizer, a claim rescorer and a stance classifier from decided documents.

    Each component is trained only where there is enough data (the report says how much
    is missing). The result opens with spacy.load and with `annotator suggest --model OUT`.
    """
    from annotator.learn.train import COMPONENTS, describe, train

    chosen = tuple(c.strip() for c in components.split(",") if c.strip())
    unknown = [c for c in chosen if c not in COMPONENTS]
    if unknown or not chosen:
        raise click.BadParameter(f"{', '.join(unknown) or 'nothing'}: choose from {', '.join(COMPONENTS)}",
                                 param_hint="--components")
    with open_store(db_path, readonly=True) as store, plain_unless_terminal(sys.stderr):
        # training only reads the decisions; spaCy's progress goes to stderr
        report = train(store, out, source=source, eval_split=eval_split, base=base, max_epochs=max_epochs,
                       seed=seed, stdout=sys.stderr, components=chosen)
        warn_bad_rows(store)
    echo(describe(report))


WASABI_NO_COLOUR = "ANSI_COLORS_DISABLED"  # what wasabi 1.1 (spaCy's printer) reads; it ignores NO_COLOR


@contextmanager
def plain_unless_terminal(stream: IO) -> Iterator[None]:
    """spaCy's progress lines without colour codes while this is open, when ``stream`` is not a
    terminal (a file, a pipe) or the user set ``NO_COLOR``; the environment is restored after."""
    try:
        terminal = stream.isatty()
    except (AttributeError, ValueError):
        terminal = False
    if terminal and not os.environ.get("NO_COLOR") or os.environ.get(WASABI_NO_COLOUR):
        yield
        return
    os.environ[WASABI_NO_COLOUR] = "1"
    try:
        yield
    finally:
        os.environ.pop(WASABI_NO_COLOUR, None)


COMMANDS = [train_cmd]
