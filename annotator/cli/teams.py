"""Team commands: agreement, assign, merge, review, serve."""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import click

from annotator.cli import names as name_checks
from annotator.cli.common import annotator_option, db_option, json_option, open_store, schema_option
from annotator.cli.output import echo, echo_json, warn_bad_rows
from annotator.errors import AnnotatorError
from annotator.model import REVIEW_LAYER


def split_names(value: str | None, option: str = "--annotators") -> list[str] | None:
    """The names of a comma-separated option; a name given twice is an error (``alice,bob,alice`` would
    compare alice with herself: agreement inflated, her items "agreed" by review --accept-agreed)."""
    if value is None:
        return None
    names = [n.strip() for n in value.split(",") if n.strip()]
    twice = [n for n, k in Counter(names).items() if k > 1]
    if twice:
        raise AnnotatorError(f"{option}: {', '.join(twice)} named more than once; name each annotator once")
    return names or None


def check_annotators(store, names: list[str] | None, *, at_least: int = 0) -> list[str]:
    """The given names (or every annotator in the database); unknown ones are an error."""
    existing = store.annotators()
    if names is None:
        names = existing
    else:
        # the review layer may be compared by name too (an annotator against the adjudication)
        known = existing + ([REVIEW_LAYER] if REVIEW_LAYER in store.layers() else [])
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
@json_option()
@click.option("--html", "html_path", metavar="FILE", type=click.Path(),
              help="Also write the report as one self-contained HTML page (charts, confusion matrices).")
@click.option("--force", is_flag=True, help="Overwrite an existing --html file.")
def agreement(db_path: str, names: str | None, as_json: bool, html_path: str | None, force: bool) -> None:
    """Inter-annotator agreement per kind and label: span F1, observed agreement, Cohen's kappa,
    Krippendorff's alpha and unitizing alpha, with the documents and items each rests on."""
    from annotator.teams import agreement as ag

    if html_path:
        from annotator.teams import report_html

        report_html.check(html_path, force=force, protect=[db_path])  # before the work, as export does
    with open_store(db_path, readonly=True) as store:
        chosen = check_annotators(store, split_names(names), at_least=2)
        report = ag.from_database(store, chosen)
        warn_bad_rows(store)
    if html_path:
        report_html.write(report, html_path, force=force, protect=[db_path])
        echo(f"wrote the agreement report to {html_path}", err=True)
    if as_json:
        echo_json(report.to_dict())
    else:
        echo(ag.format_report(report))



@click.command()
@db_option
@click.option("--annotators", "names", required=True, metavar="A,B,...", callback=name_checks.annotator_list,
              help="The people to share the documents among.")
@click.option("--overlap", type=int, default=1, show_default=True, help="How many annotators each document gets.")
@json_option("Print the summary as JSON.")
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
        info = asg.summary(store.assignments(), doc_ids, people)
    info["added"] = added
    if as_json:
        echo_json(info)
        return
    echo(f"Assigned {added} new document-annotator pair(s) over {len(doc_ids)} document(s).")
    for person, n in info["annotators"].items():
        echo(f"  {person:<16} {n:>5} document(s)")
    for k, n in info["documents_by_overlap"].items():
        echo(f"  {n:>5} document(s) with {k} annotator(s)")
    idle = [p for p in dict.fromkeys(people) if info["annotators"].get(p, 0) == 0]
    if idle:  # a newcomer after the documents were shared out: say why, not nothing
        echo(f"note: {', '.join(idle)} got no document: every document already has {overlap} or more "
             "annotator(s), and assignments already made are kept (a higher --overlap adds people to them)",
             err=True)



def _merged_by_option(f):
    from annotator.cli.common import default_annotator

    return click.option("--annotator", "annotator_name", default=default_annotator, show_default="login name",
                        callback=name_checks.annotator_name,
                        help="Who is merging, named in the history's merge event ($ANNOTATOR_NAME or the "
                             "login name); every layer keeps its own name, none is written as this person.")(f)


@click.command()
@db_option
@_merged_by_option
@click.argument("others", nargs=-1, required=True, type=click.Path(dir_okay=False))
@json_option("Print the report as JSON.")
def merge(db_path: str, annotator_name: str, others: tuple[str, ...], as_json: bool) -> None:
    """Bring teammates' database files (OTHERS) into this one; nothing is overwritten.

    Identical items are kept once; conflicting ones are kept per annotator and reported.
    The other files are never modified. Merging the same file twice changes nothing.
    For teammates' JSONL exports, use `annotator import` (each record keeps its _annotator_id).
    """
    from annotator.teams import merge as mg
    from annotator.formats.files import regular_file


    for other in others:  # a FIFO or a device would hang the copy or fill the disk
        regular_file(other)
    with mg.opened(others, Path(db_path)) as rows:  # a bad file fails before the database is touched
        with open_store(db_path, create=True) as store:
            report = mg.merge_sources(store, rows, merged_by=annotator_name)
    if as_json:
        echo_json(report.to_dict())
    else:
        echo(mg.format_report(report))



@click.command()
@db_option
@click.option("--reviewer", required=True, metavar="NAME", envvar="ANNOTATOR_REVIEWER",
              callback=name_checks.annotator_name,
              help="Who is reviewing (named in every review event).")
@click.option("--annotators", "names", metavar="A,B,...", help="Whose layers to compare (default: all).")
@click.option("--include-single", is_flag=True,
              help="Queue the documents only one annotator worked on too (after the disagreements).")
@click.option("--summary", is_flag=True, help="Print the review queue instead of opening the screen.")
@click.option("--accept-agreed", is_flag=True,
              help="Copy the items of every document where all annotators agree into the review layer "
                   "and mark those documents reviewed (no screen).")
@schema_option
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

    with open_store(db_path, create=False, readonly=summary and not accept_agreed) as store:
        chosen = check_annotators(store, split_names(names), at_least=2)
        if accept_agreed:
            docs, items = rq.accept_agreed(store, reviewer, chosen)
            who = ", ".join(chosen)  # echo makes names inert
            if not docs:
                echo(f"nothing to accept: no document where {who} all agree is left unreviewed; "
                     "the review layer is unchanged")
                return
            echo(f"accepted {items} item(s) on {docs} document(s) where {who} agree "
                 "into the review layer; marked them reviewed")
            return
        queue = rq.build(store, chosen, include_single=include_single)
        titles = rq.titles(store, queue) if summary else None
        warn_bad_rows(store)
    if summary:
        echo(rq.format_queue(queue, titles))
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
@click.option("--annotators", "names", metavar="A,B,...", help="Serve these people, one private link each.")
@click.option("--team", is_flag=True, help="Serve everyone with an assignment, one private link each.")
@click.option("--reviewer", metavar="NAME", help="Also serve a link that opens `review` as NAME.")
@click.option("--new-links", is_flag=True, help="Replace the stored links of everyone served (old ones stop working).")
@click.option("--max-sessions", type=click.IntRange(1, 256), default=None,
              help="Sessions (browser tabs) open at once  [default: 4, or one per person if more]")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port to listen on (0: any free port).")
@click.option("--public", is_flag=True, help="Allow a --host other machines can reach.")
@click.option("--public-url", metavar="URL", help="The address browsers use, if not http://HOST:PORT (a proxy).")
@click.option("--no-suggest", is_flag=True, help="Do not compute missing suggestions in the served sessions.")
@schema_option
@click.pass_context
def serve(ctx: click.Context, db_path: str, annotator_name: str, names: str | None, team: bool,
          reviewer: str | None, new_links: bool, max_sessions: int | None, host: str, port: int, public: bool,
          public_url: str | None, no_suggest: bool, schema_path: str | None) -> None:
    """Serve the annotation TUI in a browser, through private links (the `web` extra).

    \b
    One person:  serve --annotator alice        a new private link each start
    A team:      serve --annotators alice,bob   one stored link per person
                 serve --team                   everyone with an assignment
                 serve ... --reviewer carol     plus a link that opens `review`

    Each link opens its own person's session and nobody else's; team links survive a
    restart and are printed once (`annotator links` lists and revokes them). Loopback
    only unless --public. Every session uses the server's --schema.
    """

    from annotator.schema import load_schema
    from annotator.tui import serve as sv

    load_schema(schema_path)  # a bad schema fails here, in one line, not in every browser
    sv.check_host(host, public)
    team_mode = bool(names or team or reviewer)
    if team_mode and ctx.get_parameter_source("annotator_name") == click.core.ParameterSource.COMMANDLINE:
        raise AnnotatorError("--annotator serves one person; for several use --annotators A,B,... or --team")
    if new_links and not team_mode:
        raise AnnotatorError("--new-links is for team links (--annotators, --team or --reviewer); "
                             "a one-person server makes a new link at every start")
    if names and team:
        raise AnnotatorError("give either --annotators or --team, not both")
    sv.require_web()
    with open_store(db_path, create=False) as store:
        if store.count_documents() == 0:
            raise AnnotatorError("has no documents yet (import some first)", db_path)
        if team_mode:
            people = _team(store, split_names(names), team, reviewer)
        else:
            people = [sv.Person(sv.ANNOTATE, sv.check_name(annotator_name))]
    limit = max_sessions or max(sv.DEFAULT_MAX_SESSIONS, len(people))
    sock = sv.bind(host, port)  # a port in use fails here, before any link is issued
    try:
        url = sv.public_url(host, sock.getsockname()[1], public_url)
        if team_mode:
            with open_store(db_path, create=False) as store:
                issued = sv.issue_team_links(store, people, renew=new_links)
            links = sv.Links(db_path, served=set(people))
        else:
            links = sv.Links()
            issued = [(people[0], links.add(people[0]), None)]
        server = sv.make_server(links, sock, url, db_path=db_path, schema_path=schema_path, no_suggest=no_suggest,
                                max_sessions=limit, bound_loopback=sv.is_loopback(host), url_given=bool(public_url))
    except BaseException:
        sock.close()
        raise
    if not sv.is_loopback(host) and not url.startswith("https:"):
        echo(sv.PLAIN_HTTP_WARNING.format(port=sock.getsockname()[1]), err=True)
    _print_links(url, issued, Path(db_path).name, limit, team_mode)
    server.serve()
    echo("stopped", err=True)


def _team(store, names: list[str] | None, team: bool, reviewer: str | None):
    """The people a team server serves: the named annotators (or all assigned ones) and the reviewer."""
    from annotator.tui import serve as sv

    if team:
        names = []
        for name in sorted({n for people in store.assignments().values() for n in people}):
            try:
                names.append(sv.check_name(name))
            except AnnotatorError as exc:
                echo(f"warning: skipped an assignment's annotator: {exc}", err=True)
        if not names:
            raise AnnotatorError("has no assignments; run `annotator assign` first or name people with "
                                 "--annotators", store.path)
    people = [sv.Person(sv.ANNOTATE, sv.check_name(n)) for n in dict.fromkeys(names or [])]
    if reviewer is not None:
        people.append(sv.Person(sv.REVIEW, sv.check_name(reviewer, sv.REVIEW)))
        if len(store.annotators()) < 2:  # (what is left to review, the review session itself says)
            echo(f"note: {reviewer}'s review link opens nothing yet: there are not two annotators' layers",
                 err=True)
    known = set(store.annotators()) | {n for p in store.assignments().values() for n in p}
    for person in people:
        if person.role == sv.ANNOTATE and person.name not in known:
            echo(f"note: {person.name} has no assignment and no annotations in {store.path} yet", err=True)
    return people


def _print_links(url: str, issued, db_name: str, limit: int, team_mode: bool) -> None:
    """The private links on stdout (the only place a token is ever shown); the rest on stderr."""
    from annotator.tui import serve as sv

    if not team_mode:
        person, token, _ = issued[0]
        echo(f"Serving annotator for {person.name} on {url}/s/{token}")
        echo(f"This link is private: whoever has it annotates as {person.name}. A new one is made at "
                   f"every start. At most {limit} session{'s' if limit != 1 else ''} at once; Ctrl+C to stop.",
                   err=True)
        return
    echo(f"Serving {sv.shown(db_name)} on {url} for {len(issued)} "
               f"{'person' if len(issued) == 1 else 'people'}; give each link only to its owner:")
    width = max(len(p.describe()) for p, _, _ in issued)
    for person, token, created in issued:
        if token is not None:
            echo(f"  {person.describe():<{width}}  {url}/s/{token}")
        else:
            echo(f"  {person.describe():<{width}}  (link of {sv.shown(created[:16].replace('T', ' '))} UTC "
                       "still valid; not shown again)")
    if any(token is None for _, token, _ in issued):
        echo("Only a hash of each link is stored, so kept links cannot be shown again: "
                   "`annotator links revoke NAME` and a restart give NAME a new one; --new-links gives everyone "
                   "one.", err=True)
    echo(f"Links survive a restart; `annotator links revoke NAME` stops one. At most {limit} "
               f"session{'s' if limit != 1 else ''} at once; Ctrl+C to stop.", err=True)


COMMANDS = [agreement, assign, merge, review, serve]
