"""Commands that move data in and out: import, export, stats, schema check."""

from __future__ import annotations

from pathlib import Path


import click

from annotator.cli import names as name_checks
from annotator.cli.common import annotator_option, db_option, json_option, open_store, schema_option
from annotator.cli.output import echo, echo_json, warn_bad_rows
from annotator.errors import AnnotatorError
from annotator.model import DONE, IN_PROGRESS, REVIEW_LAYER, SKIPPED
from annotator.textsafe import one_line

BIG_INPUT = 1_000_000  # bytes; smaller imports finish before a progress bar would help


@click.command("import")
@db_option
@click.option("--as", "layer", metavar="NAME", callback=name_checks.layer_name,
              help="Annotation layer for imported spans (default: the record's _annotator_id or _session_id, "
              "else 'imported'; the review layer only when named here).")
@schema_option
@click.option("--skip-invalid", is_flag=True, help="Import the valid records and report the bad ones.")
@click.option("--strict", is_flag=True, help="Refuse labels that the schema lacks.")
@click.option("--follow-symlinks", is_flag=True, help="In folders, also follow symbolic links that lead out of "
              "the folder (by default they are skipped and listed).")
@click.option("--brat-map", "brat_map", type=click.Path(dir_okay=False), default=None,
              help="YAML saying which brat types are claims, stances and speakers (docs/suggest.md).")
@click.argument("sources", nargs=-1, required=True, type=click.Path())
def import_cmd(db_path, layer, schema_path, skip_invalid, strict, follow_symlinks, brat_map, sources):
    """Import articles: .txt/.md files, folders of them, JSONL (plain, Prodigy, Doccano) or brat.

    A .txt with a .ann of the same name beside it is a brat document (standoff annotations).

    The same text twice is one document. Spans and relations in Prodigy or Doccano files
    become an annotation layer.
    """
    from annotator.formats.importing import expand_sources
    from annotator.schema import load_schema

    from annotator.formats.brat_mapping import load_mapping

    schema = load_schema(schema_path)
    mapping = load_mapping(brat_map)
    notes: list[str] = []
    files = expand_sources(sources, follow_symlinks=follow_symlinks, notes=notes)
    for note in notes:
        echo(note, err=True)
    total = sum(p.stat().st_size for p in files)
    with _progress(total, "importing") as bar:
        report = import_files(db_path, files, layer, schema, skip_invalid=skip_invalid, strict=strict,
                              progress=bar.update, brat_map=mapping)
    echo_import_report(report, db_path, schema)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def import_summary(result, db_path: str) -> str:
    """What an import added, in one line: ``imported 1 new document (2 already present), 3 annotations
    (3 to alice) into news.db`` (import and annotate SOURCE both say it so)."""
    line = f"imported {_count(result.documents_added, 'new document')} ({result.documents_existing} already present)"
    if result.annotations_added or result.annotations_existing:
        layers = ", ".join(f"{n} to {layer}" for layer, n in sorted(result.layers.items()))
        line += f", {_count(result.annotations_added, 'annotation')} ({layers or 'none new'})"
        if result.annotations_existing:
            line += f", {result.annotations_existing} already present"
    return line + f" into {db_path}"


def echo_import_report(report, db_path: str, schema, *, err: bool = False) -> None:
    """An import's report: what was left out and why (on stderr), then :func:`import_summary`
    (on stderr too with ``err``: annotate's stdout is its screen)."""
    for note in report.notes:
        echo(note, err=True)
    for path in report.empty:
        echo(f"{path}: empty, nothing imported", err=True)
    for problem in report.skipped:
        echo(f"skipped {problem}", err=True)
    echo(import_summary(report.result, db_path), err=err)
    if report.unknown_labels:
        labels = ", ".join(f"{label} ({n})" for label, n in report.unknown_labels.most_common())
        echo(f"labels not in schema {schema.name} (kept as they are): {labels}", err=True)
    if report.skipped:
        echo(f"{_count(len(report.skipped), 'invalid record')} skipped", err=True)


def import_files(db_path: str, files: list[Path], layer: str | None, schema, **options):
    """Import expanded source files into the database in one pass and one transaction (all or
    nothing); the import's report. A database this import created and put nothing in is removed
    again, so a failed or empty import leaves no database behind."""
    from annotator.formats.importing import import_sources

    store = open_store(db_path)  # a bad database is refused here, before any source is read
    try:
        report = import_sources(store, files, layer, schema, **options)
    except BaseException:
        store.discard()  # rolled back
        raise
    if report.result.documents_added:
        store.close()
    else:
        store.discard()
    return report


def _progress(total: int, label: str):
    stderr = click.get_text_stream("stderr")
    return click.progressbar(length=total, label=label, file=stderr, show_eta=False,
                             hidden=total < BIG_INPUT or not stderr.isatty())


@click.command("export")
@db_option
@click.option("--annotator", "annotator_name", metavar="NAME", callback=name_checks.annotator_name,
              help="Export this annotator's layer.")
@click.option("--review", is_flag=True, help="Export the adjudicated review layer.")
@click.option("--suggestions", is_flag=True, help="Export the model's suggestions.")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "spacy", "doccano", "brat"]), default="jsonl",
              show_default=True)
@click.option("-o", "--output", "out", type=click.Path(), help="Output file (folder for brat); JSONL goes to "
              "stdout without it.")
@click.option("--only-done", is_flag=True, help="Only documents marked done.")
@click.option("--force", is_flag=True, help="Replace an existing output file, or a folder holding an untouched "
              "previous export (never the database or a folder annotator did not write).")
@click.option("--tokens/--no-tokens", default=True, show_default=True,
              help="JSONL: spaCy's tokens and the token indices of spans and relations. --no-tokens is several times "
              "faster and smaller and imports back losslessly, but Prodigy's relations view needs the token "
              "indices. Refused for --format spacy; Doccano and brat never hold tokens.")
def export_cmd(db_path, annotator_name, review, suggestions, fmt, out, only_done, force, tokens):
    """Export one layer as Prodigy JSONL, a spaCy DocBin, Doccano JSONL or brat standoff."""
    from annotator.formats.exporting import check_tokens, choose_layer, export_layer

    check_tokens(fmt, tokens)
    with open_store(db_path, readonly=True) as store:
        layer = choose_layer(store, annotator_name, review, suggestions)
        report = export_layer(store, layer, fmt, out, only_done=only_done, force=force, protect=[db_path],
                              tokens=tokens)
        warn_bad_rows(store)
    if out and out != "-":
        msg = f"wrote {report.documents} documents, {report.spans} spans, {report.relations} relations from " \
              f"layer {layer} to {out}"
        if report.moved:
            msg += f" ({report.moved} spans widened to token boundaries)"
        if report.dropped:
            msg += f" ({report.dropped} spans of whitespace alone left out: a DocBin span needs a token)"
        echo(msg, err=True)


@click.command("stats")
@db_option
@json_option()
@click.option("--rules", is_flag=True, help="Each suggestion rule's accept rate, and whether it is demoted or hidden.")
@click.option("--blind", is_flag=True, help="Show only your own layer (with --annotator), not your teammates'.")
@annotator_option
def stats_cmd(db_path, as_json, rules, blind, annotator_name):
    """Documents, each annotator's progress, and spans by kind and label."""
    with open_store(db_path, readonly=True) as store:
        if rules:
            return _rule_stats(store, as_json)
        stats = store.stats()
        warn_bad_rows(store)
    if blind:  # blind annotation: other people's layers (and the review layer) stay out of view
        stats["layers"] = {k: v for k, v in stats["layers"].items() if k == annotator_name}
    if as_json:
        echo_json(stats)
        return
    echo(f"documents: {stats['documents']}")
    if stats["suggestions"]:
        echo("suggestions:")
        for kind, labels in stats["suggestions"].items():
            echo(f"  {one_line(kind, 20):<8} {_labels(labels)}")
    for layer, figures in stats["layers"].items():
        # in the review layer a rejected item is a version the reviewer settled as not there, no suggestion
        n = figures["rejected_suggestions"]
        rejected = "rejected in review" if layer == REVIEW_LAYER else "suggestion rejected" if n == 1 \
            else "suggestions rejected"
        echo(f"layer {one_line(layer, 60)}: {figures[DONE]} done, {figures[IN_PROGRESS]} in progress, "
             f"{figures[SKIPPED]} skipped, {n} {rejected}")
        for kind, labels in figures["items"].items():
            echo(f"  {one_line(kind, 20):<8} {_labels(labels)}")


def _rule_stats(store, as_json: bool) -> None:
    from annotator.suggest.feedback import rule_stats

    stats = rule_stats(store)
    if as_json:
        echo_json([{**s.__dict__, "keep_rate": s.keep_rate, "weight": s.weight, "verdict": s.verdict}
                   for s in stats])
        return
    if not stats:
        echo("no suggestions yet: run `annotator suggest`")
        return
    echo(f"{'suggester:rule':<30} {'label':<14} {'suggested':>9} {'accepted':>8} {'fixed':>6} {'rejected':>8} "
         f"{'kept':>6}  verdict")
    for s in stats:
        rate = f"{s.keep_rate:.0%}" if s.keep_rate is not None else "-"
        echo(f"{one_line(s.suggester + ':' + s.rule, 60):<30} {one_line(s.label, 40):<14} {s.suggested:>9} "
             f"{s.accepted:>8} {s.fixed:>6} {s.rejected:>8} {rate:>6}  {s.verdict}")


def _labels(labels: dict) -> str:
    total = sum(labels.values())
    return f"{total:>6}  " + ", ".join(f"{one_line(label, 40)} {n}"
                                       for label, n in sorted(labels.items(), key=lambda x: -x[1]))


@click.command("migrate")
@db_option
def migrate_cmd(db_path):
    """Bring a database written by an older annotator up to this version, in place.

    Commands that write do this on their own; read-only commands (stats, export, agreement,
    evaluate, review --summary, train) refuse an older file and name this command.
    """
    with open_store(db_path, create=False) as store:
        version, before = store.version, store.migrated_from
    if before is None:
        echo(f"{db_path}: already at version {version}, nothing to do")
    else:
        echo(f"{db_path}: migrated from version {before} to {version}")


@click.group("schema")
def schema_group():
    """Label schemas."""


@schema_group.command("check")
@click.argument("path", type=click.Path())
def schema_check(path):
    """Validate a schema file; problems name the file and line."""
    from annotator.schema import load_schema

    if not Path(path).exists():
        raise AnnotatorError("no such file", path)
    schema = load_schema(path)
    echo(f"{path}: ok — schema {schema.name!r}: {len(schema.entities)} entity labels, "
               f"{schema.claim.name} with {len(schema.claim_attributes)} attributes, "
               f"polarities {', '.join(p.name for p in schema.polarities)}")


@schema_group.command("path")
def schema_path_cmd():
    """Print where the bundled default schema lives (copy it to make your own)."""
    from annotator.schema import builtin_schema_path

    echo(str(builtin_schema_path()))


COMMANDS = [import_cmd, export_cmd, stats_cmd, migrate_cmd, schema_group]
