"""Team commands: agreement, assign, merge, review, serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path

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
        # the review layer may be compared by name too (an annotator against the adjudication)
        known = existing + (["review"] if "review" in store.layers() else [])
        unknown = [n for n in names if n not in known]
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
@click.option("--html", "html_path", metavar="FILE", type=click.Path(),
              help="Also write the report as one self-contained HTML page (charts, confusion matrices).")
@click.option("--force", is_flag=True, help="Overwrite an existing --html file.")
def agreement(db_path: str, names: str | None, as_json: bool, html_path: str | None, force: bool) -> None:
    """Inter-annotator agreement per kind and label: span F1, observed agreement, Cohen's kappa,
    Krippendorff's alpha and unitizing alpha, with the documents and items each rests on."""
    from annotator.teams import agreement as ag

    if html_path and Path(html_path).exists() and not force:
        raise AnnotatorError("already exists (use --force to overwrite)", html_path)
    with open_store(db_path, create=False) as store:
        chosen = check_annotators(store, split_names(names), at_least=2)
        report = ag.from_database(store, chosen)
    if html_path:
        from annotator.teams import report_html

        report_html.write(report, html_path, force=force)
        click.echo(f"wrote the agreement report to {html_path}", err=True)
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        click.echo(ag.format_report(report))



@click.command()
@db_option
@click.option("--annotators", "names", required=True, metavar="A,B,...", help="The people to share the documents among.")
@click.option("--overlap", type=int, default=1, show_default=True, help="How many annotators each document gets.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON.")
def assign(db_path: str, names: str, overlap: int, as_json: bool) -> None:
    """Give each document OVERLAP annotators, balanced across people (existing assignments are kept)."""
    from annotator.teams import assign as asg

    people = split_names(names) or []
    with open_store(db_path, create=False) as store:
        doc_ids = store.document_ids()
        if not doc_ids:
            raise AnnotatorError("has no documents to assign (import some first)", store.path)
        pairs = asg.plan(doc_ids, people, overlap, store.assignments())
        added = store.add_assignments(pairs)
        info = asg.summary(store.assignments(), doc_ids)
    info["added"] = added
    if as_json:
        click.echo(json.dumps(info, indent=2))
        return
    click.echo(f"Assigned {added} new document-annotator pair(s) over {len(doc_ids)} document(s).")
    for person, n in info["annotators"].items():
        click.echo(f"  {person:<16} {n:>5} document(s)")
    for k, n in info["documents_by_overlap"].items():
        click.echo(f"  {n:>5} document(s) with {k} annotator(s)")



@click.command()
@db_option
@annotator_option
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def merge(db_path: str, annotator_name: str, others: tuple[str, ...], as_json: bool) -> None:
    """Bring teammates' database files (OTHERS) into this one; nothing is overwritten.

    Identical items are kept once; conflicting ones are kept per annotator and reported.
    The other files are never modified. Merging the same file twice changes nothing.
    For teammates' JSONL exports, use `annotator import` (each record keeps its _annotator_id).
    """
    from annotator import merge as mg

    from pathlib import Path

    rows = mg.read_all(others, Path(db_path))  # a bad file fails before the database is touched
    with open_store(db_path, create=True) as store:
        report = mg.merge_rows(store, rows, merged_by=annotator_name)
    click.echo(json.dumps(report.to_dict(), indent=2) if as_json else mg.format_report(report))



@click.command()
@db_option
@click.option("--reviewer", required=True, metavar="NAME", help="Who is reviewing (named in every review event).")
@click.option("--annotators", "names", metavar="A,B,...", help="Whose layers to compare (default: all).")
@click.option("--include-single", is_flag=True,
              help="Queue the documents only one annotator worked on too (after the disagreements).")
@click.option("--summary", is_flag=True, help="Print the review queue instead of opening the screen.")
@click.option("--accept-agreed", is_flag=True,
              help="Copy the items of every document where all annotators agree into the review layer "
                   "and mark those documents reviewed (no screen).")
@click.option("--schema", "schema_path", type=click.Path(dir_okay=False), default=None,
              help="Label schema YAML (default: the bundled news schema).")
@click.option("--keys", "keys_path", type=click.Path(dir_okay=False), default=None, envvar="ANNOTATOR_KEYS",
              show_envvar=True, help="Key config YAML (default: ~/.config/annotator/keys.yaml).")
def review(db_path: str, reviewer: str, names: str | None, include_single: bool, summary: bool,
           accept_agreed: bool, schema_path: str | None, keys_path: str | None) -> None:
    """Settle disagreements between annotators into the review layer (never into their own layers).

    Opens a queue of the documents that need a decision -- those where the annotators
    disagree, then (with --include-single) those only one annotator worked on -- at the
    document and row where this reviewer stopped. Keys: A accepts every unanimous row;
    1-9 take annotator k's version; 0 or x: nothing here; e edits; d marks the document
    reviewed; n / p: next / previous document left; ? shows every key.
    """
    from annotator.teams import review_queue as rq
    from annotator.teams.agreement import printable

    with open_store(db_path, create=False) as store:
        chosen = check_annotators(store, split_names(names), at_least=2)
        if accept_agreed:
            docs, items = rq.accept_agreed(store, reviewer, chosen)
            who = ", ".join(map(printable, chosen))
            click.echo(f"accepted {items} item(s) on {docs} document(s) where {who} agree "
                       "into the review layer; marked them reviewed")
            return
        queue = rq.build(store, chosen, include_single=include_single)
    if summary:
        click.echo(rq.format_queue(queue))
        return
    if not queue.entries:
        raise AnnotatorError(f"nothing to review: {rq.describe_empty(queue)}")
    from annotator.schema import load_schema
    from annotator.tui.review_app import create_review_app

    app = create_review_app(db_path, reviewer, queue, schema=load_schema(schema_path), keys=keys_path)
    app.run()
    sys.exit(app.return_code or 0)


@click.command()
@db_option
@annotator_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--public", is_flag=True, help="Allow a non-loopback --host (textual-serve has no authentication).")
@click.option("--public-url", metavar="URL", help="The address browsers use, if not http://HOST:PORT.")
@click.option("--no-suggest", is_flag=True, help="Do not compute missing suggestions in the served sessions.")
def serve(db_path: str, annotator_name: str, host: str, port: int, public: bool, public_url: str | None,
          no_suggest: bool) -> None:
    """Serve the annotation TUI in a browser (textual-serve; the `web` extra).

    Each browser tab runs `annotator annotate --annotator NAME` on the database. Loopback
    only by default; any other --host needs --public and prints a warning.
    """
    from pathlib import Path

    from annotator.tui import serve as sv

    sv.check_host(host, public)
    if not Path(db_path).exists():
        raise AnnotatorError("no such database (import some documents first)", db_path)
    with open_store(db_path, create=False) as store:
        if store.count_documents() == 0:
            raise AnnotatorError("has no documents yet (import some first)", db_path)
    url = sv.public_url(host, port, public_url)
    if not sv.is_loopback(host):
        click.echo(sv.WARNING.format(url=url, db=db_path), err=True)
    command = sv.app_command(extra=["--no-suggest"] if no_suggest else [])
    server = sv.make_server(command, host, port, url, title=f"annotator · {annotator_name} · {Path(db_path).name}",
                            environment=sv.app_environment(db_path, annotator_name))
    click.echo(f"Serving annotator for {annotator_name} on {url} (Ctrl+C to stop)", err=True)
    server.serve()


COMMANDS = [agreement, assign, merge, review, serve]
