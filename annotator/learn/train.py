"""Train a spaCy pipeline from decided annotations, with spaCy's own config system and loop.

The output folder is a pipeline ``spacy.load`` opens:

- ``ner`` for entities, when there are enough entity spans;
- ``span_finder`` + ``spancat`` for claims (``doc.spans["claims"]``), when there are enough claims;
- ``stance/``: a separate text classifier over (sentence, source, target) candidates, with the
  source and target marked in the sentence, deciding FAVOR / AGAINST / NEUTRAL / NONE.
  Rejected stance suggestions are its NONE examples;
- ``claims_rescorer/``: a text classifier deciding KEEP / DROP for the claims the rules
  suggested, learned from which of them the layer kept (annotator.learn.classifiers).

``components`` (``--components``) limits training to some of ner, claims, rescorer, stance.

Training happens in a temporary folder beside the output, which is moved into place only
when everything succeeded: an interrupted run leaves the previous model untouched. As for an
export, the output's parent folder must exist (a mistyped path is an error, not a new tree of
folders), and the output may not be a link, the current or home folder, or hold the database.
"""

from __future__ import annotations

import hashlib
import io
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from annotator.errors import AnnotatorError
from annotator.formats.exporting import ExportItem, collect
from annotator.formats.outputs import check_parent, check_target
from annotator.model import REVIEW_LAYER, Span, Stance
from annotator.store import Store
from annotator.suggest.trained import NO_STANCE, RESCORER_DIR, STANCE_LABELS, marked_sentence

# What each component needs before it is worth training (documents, items). Below this a
# trained component did worse than the rules on held-out news (benchmarks/bench_learning.py).
NEEDS = {"ner": (5, 20), "claims": (20, 50), "rescorer": (10, 50), "stance": (10, 50)}
COMPONENTS = tuple(NEEDS)
CLAIM_CANDIDATES = "claim_candidates"


class NothingToTrain(AnnotatorError):
    """No component has enough data: nothing is trained and nothing written."""


@dataclass
class ComponentReport:
    name: str
    documents: int
    items: int
    trained: bool = False
    reason: str = ""
    scores: dict = field(default_factory=dict)


@dataclass
class TrainReport:
    out: str
    source: str
    train_docs: int
    eval_docs: int
    components: list[ComponentReport]


def gather(store: Store, source: str) -> list[ExportItem]:
    """Decided documents: the review layer first, then annotators' accepted items.

    `source` is "review", an annotator's name, or "all" (per document: the review layer
    where it exists, else the annotator with the most accepted items there). Only
    documents marked done count, so unannotated text is never taken as a negative.
    """
    layers = store.layers()
    if source != "all" and source not in layers:
        raise AnnotatorError(f"no annotation layer named {source!r} (layers: {', '.join(layers) or 'none yet'})")
    chosen = [source] if source != "all" else ([REVIEW_LAYER] if REVIEW_LAYER in layers else []) + sorted(
        layer for layer in layers if layer != REVIEW_LAYER)
    by_doc: dict[str, ExportItem] = {}
    for layer in chosen:
        for item in collect(store, layer, only_done=True):
            current = by_doc.get(item.document.id)
            if current is None or (current.layer != REVIEW_LAYER and len(item.values) > len(current.values)):
                by_doc[item.document.id] = item
    order = {doc_id: i for i, doc_id in enumerate(store.document_ids())}
    return sorted(by_doc.values(), key=lambda item: order[item.document.id])


def rejected_stances(store: Store, items: list[ExportItem]) -> dict[str, list[Stance]]:
    """Stance suggestions the layer rejected, per document: negatives for the stance classifier."""
    out: dict[str, list[Stance]] = {}
    for item in items:
        out[item.document.id] = [a.value for a in store.items(item.document.id, item.layer)
                                 if not a.accepted and isinstance(a.value, Stance)]
    return out


def split(items: list[ExportItem], eval_split: float) -> tuple[list[ExportItem], list[ExportItem]]:
    """A stable split by document hash, so the same document always lands on the same side."""
    if not 0 <= eval_split < 1:
        raise AnnotatorError("--eval-split must be at least 0 and below 1")

    def bucket(item: ExportItem) -> float:
        return int(hashlib.sha256(item.document.id.encode()).hexdigest()[:8], 16) / 0xFFFFFFFF

    dev = [i for i in items if bucket(i) < eval_split]
    train = [i for i in items if bucket(i) >= eval_split]
    if eval_split and not dev and len(train) > 1:
        dev, train = train[-1:], train[:-1]
    return train, dev


def _component_reports(train: list[ExportItem]) -> dict[str, ComponentReport]:
    def count(kind) -> tuple[int, int]:
        docs = sum(any(kind(v) for v in i.values) for i in train)
        return docs, sum(kind(v) for i in train for v in i.values)

    reports = {}
    for name, kind in (("ner", lambda v: isinstance(v, Span) and v.kind == "entity"),
                       ("claims", lambda v: isinstance(v, Span) and v.kind == "claim"),
                       ("rescorer", lambda v: isinstance(v, Span) and v.kind == "claim"),
                       ("stance", lambda v: isinstance(v, Stance) and "relation" not in v.attrs)):
        docs, items = count(kind)
        need_docs, need_items = NEEDS[name]
        report = ComponentReport(name, docs, items)
        if docs < need_docs or items < need_items:
            report.reason = (f"needs {need_items} items in {need_docs} documents for training, has {items} in "
                             f"{docs} — annotate more and train again")
        reports[name] = report
    return reports


def _docs(items: list[ExportItem], with_claims: bool):
    from annotator.formats.spacy_docbin import to_doc

    docs = []
    for item in items:
        doc, *_ = to_doc(item.document.text, item.values, item.document.meta)
        if with_claims:
            doc.spans[CLAIM_CANDIDATES] = list(doc.spans["claims"])
        docs.append(doc)
    return docs


def _write(path: Path, docs) -> None:
    from spacy.tokens import DocBin

    DocBin(store_user_data=False, docs=docs).to_disk(path)


def _train_pipeline(config, work: Path, stdout: IO):
    from spacy.training.initialize import init_nlp
    from spacy.training.loop import train as train_loop

    import spacy

    (work / "model").mkdir(parents=True, exist_ok=True)
    nlp = init_nlp(config)
    train_loop(nlp, work / "model", stdout=stdout, stderr=stdout)

    return spacy.load(work / "model" / "model-best")


def _base_config(pipeline: list[str], train_path: Path, dev_path: Path, max_epochs: int, seed: int):
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=pipeline, optimize="efficiency")
    config["paths"]["train"] = str(train_path)
    config["paths"]["dev"] = str(dev_path)
    config["system"]["seed"] = seed
    training = config["training"]
    training["max_epochs"] = max_epochs
    training["max_steps"] = 0
    training["patience"] = 400
    training["eval_frequency"] = 25
    return config


def train(store: Store, out: str | Path, *, source: str = "all", eval_split: float = 0.2, base: str | None = None,
          max_epochs: int = 30, seed: int = 0, stdout: IO | None = None,
          components: tuple[str, ...] | None = None) -> TrainReport:
    """Train what the data supports and write the pipeline to `out` (replacing it only on success)."""
    stdout = stdout or sys.stdout
    out = Path(out)
    check_target(out, folder=True, protect=[store.path])
    check_parent(out)
    _check_replaceable(out)
    items = gather(store, source)
    if not items:
        raise AnnotatorError(f"no documents marked done in {source!r}: mark documents done (key d) before training")
    train_items, dev_items = split(items, eval_split)
    reports = _component_reports(train_items)
    for name in set(COMPONENTS) - set(components or COMPONENTS):
        reports[name].reason = "not asked for (--components)"
    if all(r.reason for r in reports.values()):  # an empty pipeline would replace a trained one at --out
        needs = "; ".join(f"{r.name} {r.reason.split(' — ')[0]}" for r in reports.values())
        raise NothingToTrain(f"nothing to train from {len(items)} documents of {source!r}, {len(dev_items)} held out "
                             f"({needs}): "
                             f"annotate more and train again; nothing was written", out)
    _check_base(base)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.training.", dir=out.parent))
    try:
        nlp = _train_spacy_components(train_items, dev_items, reports, work, base, max_epochs, seed, stdout)
        if not reports["stance"].reason:
            negatives = rejected_stances(store, train_items)
            _train_stance(train_items, dev_items, negatives, work, max_epochs, seed, stdout, reports["stance"])
        if not reports["rescorer"].reason:
            from annotator.learn.classifiers import train_rescorer

            train_rescorer(store, train_items, dev_items, work, max_epochs, seed, stdout, reports["rescorer"],
                           _base_config, base)
        _standalone(nlp)
        _set_meta(nlp, store, source, base, train_items, dev_items, reports)
        final = work / "pipeline"
        nlp.to_disk(final)
        for folder in ("stance", RESCORER_DIR):
            if (work / folder).exists():
                shutil.move(str(work / folder), final / folder)
        _replace(final, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return TrainReport(str(out), source, len(train_items), len(dev_items), list(reports.values()))


def _check_base(base: str | None) -> None:
    if base is None:
        return
    from spacy.util import get_installed_models, is_package

    if not (is_package(base) or Path(base).is_dir()):
        raise AnnotatorError(f"base model {base!r} is not installed (installed: "
                             f"{', '.join(get_installed_models()) or 'none'})")


def _train_spacy_components(train_items, dev_items, reports, work: Path, base, max_epochs: int, seed: int, stdout: IO):
    """NER and the claim span categorizer, in one spaCy pipeline (a blank one when neither is trained)."""
    import spacy

    pipeline = [name for name in ("ner", "claims") if not reports[name].reason]
    spacy_pipes = (["ner"] if "ner" in pipeline else []) + (["span_finder", "spancat"] if "claims" in pipeline else [])
    if not spacy_pipes:
        return spacy.blank("en")
    with_claims = "claims" in pipeline
    _write(work / "train.spacy", _docs(train_items, with_claims))
    _write(work / "dev.spacy", _docs(dev_items or train_items[-1:], with_claims))
    config = _base_config(spacy_pipes, work / "train.spacy", work / "dev.spacy", max_epochs, seed)
    if base is not None and "ner" in spacy_pipes:
        # fine-tune the base pipeline's NER (which carries its own tok2vec in the stock
        # English pipelines) instead of starting from scratch
        config["components"]["ner"] = {"source": base}
    if with_claims:
        _span_config(config)
    print(f"training {', '.join(spacy_pipes)} on {len(train_items)} documents", file=stdout)
    nlp = _train_pipeline(config, work, stdout)
    if dev_items:
        _score_spacy(nlp, dev_items, reports, pipeline)
    for name in pipeline:
        reports[name].trained = True
    return nlp


def _span_config(config) -> None:
    config["components"]["span_finder"]["spans_key"] = CLAIM_CANDIDATES
    config["components"]["span_finder"]["max_length"] = 80
    config["components"]["spancat"]["spans_key"] = "claims"
    config["components"]["spancat"]["suggester"] = {
        "@misc": "spacy.preset_spans_suggester.v1", "spans_key": CLAIM_CANDIDATES}
    config["training"]["annotating_components"] = ["span_finder"]
    weights = config["training"]["score_weights"]
    for key in list(weights):
        if key.startswith("spans_sc"):
            weights[key.replace("spans_sc", "spans_claims")] = weights.pop(key)
        if key.startswith("spans_" + CLAIM_CANDIDATES) or key.startswith("span_finder"):
            weights[key] = 0.0


def _score_spacy(nlp, dev_items, reports, pipeline) -> None:
    from spacy.training import Example

    from annotator.formats.spacy_docbin import to_doc

    examples = []
    for item in dev_items:
        gold, *_ = to_doc(item.document.text, item.values)
        examples.append(Example(nlp.make_doc(item.document.text), gold))
    scores = nlp.evaluate(examples)
    if "ner" in pipeline:
        reports["ner"].scores = {k: round(scores.get(k) or 0.0, 3) for k in ("ents_p", "ents_r", "ents_f")}
    if "claims" in pipeline:
        reports["claims"].scores = {k: round(scores.get(f"spans_claims_{k}") or 0.0, 3) for k in "prf"}


def _set_meta(nlp, store, source, base, train_items, dev_items, reports) -> None:
    nlp.meta["name"] = "annotator_trained"
    # a new version per run, so `suggest` knows stored suggestions came from an older model
    nlp.meta["version"] = f"1.0.{int(time.time())}"
    nlp.meta["description"] = "Trained by `annotator train` from annotations"
    nlp.meta["annotator"] = {
        "source": source, "database": str(store.path), "train_documents": len(train_items),
        "eval_documents": len(dev_items), "base": base,
        "components": {r.name: {"trained": r.trained, "documents": r.documents, "items": r.items,
                                "scores": r.scores, "reason": r.reason} for r in reports.values()},
        "document_ids": [i.document.id for i in train_items]}


def _standalone(nlp) -> None:
    """Give each trained component its own copy of the shared tok2vec, so `suggest` can source
    them into the parsing pipeline that the rules need."""
    if "tok2vec" not in nlp.pipe_names:
        return
    listeners = set(nlp.get_pipe("tok2vec").listening_components)
    for name in ("ner", "span_finder", "spancat"):
        if name in listeners:
            nlp.replace_listeners("tok2vec", name, ["model.tok2vec"])


def _train_stance(train_items, dev_items, negatives, work: Path, max_epochs: int, seed: int, stdout: IO,
                  report: ComponentReport) -> None:
    import spacy

    from annotator.learn.classifiers import textcat_scores, train_textcat

    blank = spacy.blank("en")

    def examples(items, negs):
        docs = []
        for item in items:
            stances = [v for v in item.values if isinstance(v, Stance) and "relation" not in v.attrs]
            for stance, label in [(s, s.polarity) for s in stances] + [(s, NO_STANCE) for s in negs.get(item.document.id, [])]:
                doc = blank.make_doc(marked_sentence(item.document.text, stance))
                doc.cats = {name: float(name == label) for name in STANCE_LABELS}
                docs.append(doc)
        return docs

    train_docs = examples(train_items, negatives)
    dev_docs = examples(dev_items, {}) or train_docs[-5:]
    print(f"training the stance classifier on {len(train_docs)} candidates", file=stdout)
    nlp = train_textcat(train_docs, dev_docs, work, "stance", max_epochs, seed, stdout, _base_config)
    nlp.meta["annotator"] = {"labels": list(STANCE_LABELS), "input": "sentence with [SRC]..[/SRC] and [TGT]..[/TGT]"}
    nlp.to_disk(work / "stance")
    if dev_items:
        report.scores = textcat_scores(nlp, dev_docs)
    report.trained = True


def _replace(new: Path, out: Path) -> None:
    """Move the finished pipeline into place; the old one is removed only after the move is ready."""
    old = None
    if out.exists():
        _check_replaceable(out)
        old = out.with_name(f".{out.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        out.rename(old)
    new.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _check_replaceable(out: Path) -> None:
    """Refuse, before any training, an ``--out`` that exists and is not a pipeline folder (an empty one is fine)."""
    if out.is_dir() and not (out / "config.cfg").exists() and any(out.iterdir()):
        raise AnnotatorError("exists and is not a pipeline folder; choose another --out", out)


def describe(report: TrainReport) -> str:
    lines = [f"trained on {report.train_docs} documents from {report.source!r}, "
             f"evaluated on {report.eval_docs} held out; pipeline written to {report.out}"]
    for c in report.components:
        if c.trained:
            scores = ", ".join(f"{k} {v:.3f}" for k, v in c.scores.items()) or "no held-out documents to score on"
            lines.append(f"  {c.name:<7} trained ({c.items} items in {c.documents} documents): {scores}")
        else:
            lines.append(f"  {c.name:<7} not trained: {c.reason}")
    return "\n".join(lines)


def quiet() -> IO:
    return io.StringIO()
