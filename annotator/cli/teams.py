"""Team commands: agreement, assign, merge, review, serve."""

from __future__ import annotations

import json

import click

from annotator.cli.common import annotator_option, db_option, open_store
from annotator.errors import AnnotatorError


def split_names(value: str | None) -> list[str] | None:
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    return names or None


def check_annotators(store, names: list[str] | None, *, at_least: int = 0) -> list[str]:
    """The given names (or every annotator in the database); unknown ones are an error."""
    existing = store.annotators()
    if names is None:
        names = existing
    else:
        unknown = [n for n in names if n not in existing]
        if unknown:
            raise AnnotatorError(
                f"unknown annotator{'s' if len(unknown) > 1 else ''} {', '.join(unknown)}; "
                f"annotators in {store.path}: {', '.join(existing) or '(none yet)'}")
    if len(names) < at_least:
        raise AnnotatorError(f"needs at least {at_least} annotators, {store.path} has "
                             f"{len(names)}: {', '.join(names) or '(none)'}")
    return names


@click.command()
@db_option
@click.option("--annotators", "names", metavar="A,B,...", help="Compare these annotators (default: all).")
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
def agreement(db_path: str, names: str | None, as_json: bool) -> None:
    """Inter-annotator agreement per kind and label: span F1, Cohen's kappa, Krippendorff's alpha."""
    from annotator import agreement as ag

    with open_store(db_path, create=False) as store:
        chosen = check_annotators(store, split_names(names), at_least=2)
        layers = {n: store.layer_items(n) for n in chosen}
        worked = {n: set(store.statuses(n)) for n in chosen}
    report = ag.compute(layers, worked, chosen)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(ag.format_report(report))


COMMANDS = [agreement]
