"""``annotator suggest`` and ``annotator evaluate``."""

from __future__ import annotations

import sys

import click

from annotator.cli.common import db_option, json_option, open_store, schema_option
from annotator.cli.output import echo, echo_json, warn_bad_rows


def _schema(schema_path):
    from annotator.schema import load_schema

    return load_schema(schema_path)


@click.command("suggest")
@db_option
@click.option("--model", "model", default=None, metavar="NAME_OR_PATH",
              help="spaCy pipeline package or folder (default: the first installed of the schema's models).")
@schema_option
@click.option("--n-process", "n_process", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Worker processes for nlp.pipe.")
@click.option("--batch-size", "batch_size", type=click.IntRange(1, 10_000), default=32, show_default=True,
              help="Documents per nlp.pipe batch.")
@click.option("--all", "all_docs", is_flag=True, help="Redo every document, not only those lacking current suggestions.")
@click.option("--max-chars", "max_chars", type=click.IntRange(1), default=None,
              help="Refuse documents longer than this (default 2,000,000 characters; longer ones are parsed in "
                   "100,000-character pieces).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def suggest_cmd(db_path, model, schema_path, n_process, batch_size, all_docs, max_chars, quiet):
    """Suggest entities, claims and stances for documents that lack current suggestions."""
    from annotator.suggest.runner import MAX_CHARS, suggest_documents

    schema = _schema(schema_path)
    warned = set()

    def on_warning(msg):
        if msg not in warned:
            warned.add(msg)
            echo(f"warning: {msg}", err=True)

    with open_store(db_path, create=False) as store:
        bar = None
        state = {"last": 0}

        def progress(done, total):
            nonlocal bar
            if quiet:
                return
            if bar is None:
                stderr = sys.stderr
                bar = click.progressbar(length=total, label="suggesting", file=stderr, show_pos=True, show_eta=True,
                                        hidden=not stderr.isatty())  # no stray label in logs and pipes
                bar.__enter__()
            bar.update(done - state["last"])
            state["last"] = done

        try:
            report = suggest_documents(store, schema, model=model, all=all_docs, n_process=n_process,
                                       batch_size=batch_size, progress=progress, on_warning=on_warning,
                                       max_chars=max_chars or MAX_CHARS)
        finally:
            if bar is not None:
                bar.__exit__(None, None, None)
        warn_bad_rows(store)
    for doc_id, reason in report.skipped:
        echo(f"skipped document {doc_id}: {reason}; raise --max-chars to process it", err=True)
    if report.documents == 0:
        if report.total == 0:
            echo("no documents in the database; import some first")
        elif not report.skipped:
            echo(f"nothing to do: all {report.total} documents have suggestions from the current suggesters "
                       f"(use --all to redo them)")
        return
    kinds = ", ".join(f"{n} {k}" for k, n in sorted(report.suggestions.items())) or "no suggestions"
    echo(f"suggested for {report.documents} of {report.total} documents with {report.model}: {kinds}")


@click.command("evaluate")
@db_option
@click.option("--gold", "gold_path", type=click.Path(), default=None,
              help="Gold annotations: JSONL in the export (Prodigy task) shape, or a brat folder or .ann file.")
@click.option("--gold-layer", default=None, metavar="NAME",
              help="Use a layer of the database as gold (for example one imported from brat).")
@click.option("--brat-map", "brat_map", type=click.Path(dir_okay=False), default=None,
              help="YAML saying which brat types are claims, stances and speakers (with a brat --gold).")
@click.option("--layer", default="suggestions", show_default=True,
              help="'suggestions', or an annotator's name (or 'review') to score that layer.")
@click.option("--errors", "errors", type=click.IntRange(0), default=0, show_default=True, metavar="N",
              help="List N misses and N false positives per kind, with their sentences.")
@json_option("Print the report as JSON.")
def evaluate_cmd(db_path, gold_path, gold_layer, brat_map, layer, errors, as_json):
    """Precision, recall and F1 of suggestions (or a layer) against gold annotations."""
    from annotator.formats.brat_mapping import load_mapping
    from annotator.learn.evaluate import evaluate_store, gold_from_layer, load_gold
    from annotator.learn.evaluate_report import format_report

    if (gold_path is None) == (gold_layer is None):
        raise click.UsageError("give the gold as --gold PATH or as --gold-layer NAME (one of them)")
    with open_store(db_path, readonly=True) as store:
        gold = gold_from_layer(store, gold_layer) if gold_layer else load_gold(gold_path, load_mapping(brat_map))
        cue_lemma = _cue_lemmatizer() if any(v.kind == "claim" for g in gold for v in g.values
                                             if not hasattr(v, "polarity")) else None
        report = evaluate_store(store, gold, layer, errors=errors, cue_lemma=cue_lemma)
        warn_bad_rows(store)
    if as_json:
        echo_json(report)
    else:
        echo(format_report(report))


def _cue_lemmatizer():
    """cue text -> lemma with the installed pipeline (tagger and lemmatizer only)."""
    from annotator.learn.cues import CueLemmatizer

    return CueLemmatizer()


COMMANDS = [suggest_cmd, evaluate_cmd]
