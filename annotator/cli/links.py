"""`annotator links`: list and revoke the private links `serve` issued to a team."""

from __future__ import annotations

import click

from annotator.cli.common import db_option, open_store
from annotator.errors import AnnotatorError
from annotator.cli.output import echo
from annotator.textsafe import one_line

ROLES = ("annotate", "review")


@click.group()
def links() -> None:
    """The team's private `serve` links: who has one, and revoking them.

    The database keeps only each token's sha256, so links cannot be shown again; a
    revoked person gets a new link at the next `annotator serve` that serves them.
    """


@links.command("list")
@db_option
def list_links(db_path: str) -> None:
    """Who has a link, for what, and since when (never the link itself)."""
    with open_store(db_path, create=False) as store:
        rows = store.links()
    if not rows:
        echo(f"no links in {db_path} (`annotator serve --annotators A,B,...` issues them)")
        return
    width = max(4, *(len(one_line(r["name"])) for r in rows))
    echo(f"{'name':<{width}}  {'opens':<8}  issued (UTC)")
    for r in rows:
        issued = one_line(r["created"][:16].replace("T", " "))
        echo(f"{one_line(r['name']):<{width}}  {one_line(r['role']):<8}  {issued}")


@links.command("revoke")
@db_option
@click.argument("names", nargs=-1)
@click.option("--all", "everyone", is_flag=True, help="Revoke every link.")
@click.option("--only", "role", type=click.Choice(ROLES), help="Revoke only the annotate or only the review link.")
def revoke(db_path: str, names: tuple[str, ...], everyone: bool, role: str | None) -> None:
    """Stop NAMES' links at once, also in a running server (its open sessions close).

    \b
    Example:
      annotator links revoke --db team.db alice
    """
    if bool(names) == everyone:
        raise AnnotatorError("name the people whose links to revoke, or say --all")
    with open_store(db_path, create=False) as store:
        present = {r["name"] for r in store.links() if role is None or r["role"] == role}
        chosen = sorted(present) if everyone else list(dict.fromkeys(names))
        missing = [n for n in chosen if n not in present]
        if missing:
            raise AnnotatorError(f"no {role + ' ' if role else ''}link for {', '.join(map(one_line, missing))} "
                                 f"(see `annotator links list`); nothing revoked", db_path)
        with store.transaction():
            count = sum(store.revoke_links(n, role) for n in chosen)
    who = ", ".join(map(one_line, chosen)) if chosen else "nobody"
    echo(f"revoked {count} link{'s' if count != 1 else ''} ({who}); a running server closes their "
               "sessions within seconds")


COMMANDS = [links]
