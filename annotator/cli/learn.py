"""The learning loop: train a spaCy pipeline from the team's decisions."""

from __future__ import annotations

import click

from annotator.cli.common import db_option, open_store


@click.command("train")
@db_option
@click.option("--out", "out", required=True, type=click.Path(file_okay=False), help="Folder for the trained pipeline.")
@click.option("--source", default="all", show_default=True, metavar="review|ANNOTATOR|all",
              help="Whose decisions to learn from; 'all' prefers the review layer per document.")
@click.option("--eval-split", default=0.2, show_default=True, type=float, help="Share of documents held out for scores.")
@click.option("--base", default=None, metavar="MODEL", help="Start NER from this installed pipeline instead of scratch.")
@click.option("--epochs", "max_epochs", default=30, show_default=True, type=click.IntRange(1, 1000))
@click.option("--seed", default=0, show_default=True, type=int)
def train_cmd(db_path, out, source, eval_split, base, max_epochs, seed):
    """Train NER, a claim span categorizer and a stance classifier from decided documents.

    Each component is trained only where there is enough data (the report says how much
    is missing). The result opens with spacy.load and with `annotator suggest --model OUT`.
    """
    from annotator.learn.train import describe, train

    with open_store(db_path, create=False) as store:
        report = train(store, out, source=source, eval_split=eval_split, base=base, max_epochs=max_epochs,
                       seed=seed, stdout=click.get_text_stream("stderr"))
    click.echo(describe(report))


COMMANDS = [train_cmd]
