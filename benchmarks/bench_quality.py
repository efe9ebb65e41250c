"""Suggestion quality: F1 on the project's own gold (per split) and on PolNeAR (train, dev).

    python benchmarks/run.py quality                 # the rows below, in the benchmark table
    python benchmarks/bench_quality.py gold          # own gold, every split, as tables
    python benchmarks/bench_quality.py dev --errors 20 [--cue say]   # PolNeAR dev, with errors
    python benchmarks/bench_quality.py train         # PolNeAR train (the tuning data)

Baselines measured in the same run: raw spaCy NER for entities. PolNeAR is read from
../shared/corpora/polnear (skipped when absent); never copied into the repository. Parsed
documents are cached in $TMPDIR/annotator-bench-cache (keyed by pipeline and text), so
re-running after a rule change only re-runs the rules; the cache holds no suggestions.
The measurement through the real CLI (import, suggest, evaluate) is in docs/suggest.md.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotator.learn.evaluate import Predicted, evaluate_documents, load_gold  # noqa: E402

GOLD = ROOT / "tests" / "data" / "gold" / "gold.jsonl"
POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear"
POLNEAR_MAP = ROOT / "docs" / "examples" / "brat-map-polnear.yaml"
CACHE = Path(os.environ.get("TMPDIR", tempfile.gettempdir())) / "annotator-bench-cache"
SPLITS = ("tuning", "tuning_v2", "held_out_v1", "held_out")


def _pipeline():
    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_pipeline, model_version, resolve_model

    schema = load_schema()
    name = resolve_model(None, schema)
    return load_pipeline(name, schema), schema, model_version(name)


def parsed(nlp, model_id: str, texts: list[str]) -> list:
    """spaCy Docs for the texts, from the cache where possible (DocBin keeps the parse and entities)."""
    from spacy.tokens import DocBin

    CACHE.mkdir(exist_ok=True)
    keys = [hashlib.sha256((model_id + "\x00" + t).encode("utf-8", "surrogatepass")).hexdigest()[:24] for t in texts]
    missing = [i for i, k in enumerate(keys) if not (CACHE / f"{k}.spacy").exists()]
    for i, doc in zip(missing, nlp.pipe((texts[i] for i in missing), batch_size=16)):
        DocBin(docs=[doc]).to_disk(CACHE / f"{keys[i]}.spacy")
    return [next(DocBin().from_disk(CACHE / f"{k}.spacy").get_docs(nlp.vocab)) for k in keys]


def suggestions(nlp, schema, model_id: str, texts: list[str]) -> list[list[Predicted]]:
    """The suggesters' proposals per text (texts under 100,000 characters: one piece each)."""
    from annotator.suggest.runner import make_suggesters, propose

    suggesters = make_suggesters(schema, model_id=model_id)
    out = []
    for doc in parsed(nlp, model_id, texts):
        result = propose([(0, doc)], suggesters)
        out.append([Predicted(v, rule, name) for name, props in result.items() for v, rule, _ in props])
    return out


def own_gold(nlp, schema, model_id: str) -> dict:
    """F1 reports per split of tests/data/gold, plus raw spaCy NER on the same articles."""
    gold = load_gold(GOLD)
    preds = suggestions(nlp, schema, model_id, [g.text for g in gold])
    raw = [[Predicted(_span(e), "raw") for e in doc.ents] for doc in parsed(nlp, model_id, [g.text for g in gold])]
    out = {}
    for split in SPLITS:
        idx = [i for i, g in enumerate(gold) if g.meta.get("split") == split]
        out[split] = {"rules": evaluate_documents([(gold[i], preds[i]) for i in idx]),
                      "raw": evaluate_documents([(gold[i], raw[i]) for i in idx]), "docs": len(idx)}
    return out


def _span(ent):
    from annotator.model import Span

    return Span(ent.start_char, ent.end_char, ent.label_)


def polnear(nlp, schema, model_id: str, split: str, errors: int = 0, limit: int | None = None) -> dict | None:
    """The evaluate report on a PolNeAR split (None when the corpus is absent)."""
    folder = POLNEAR / split
    if not folder.is_dir():
        return None
    from annotator.formats.brat_mapping import load_mapping
    from annotator.learn.cues import CueLemmatizer

    gold = load_gold(folder, load_mapping(POLNEAR_MAP))[:limit]
    preds = suggestions(nlp, schema, model_id, [g.text for g in gold])
    return evaluate_documents(list(zip(gold, preds)), errors=errors, cue_lemma=CueLemmatizer())


def run() -> list[dict]:
    nlp, schema, model_id = _pipeline()
    rows = []
    for split, rep in own_gold(nlp, schema, model_id).items():
        kinds, raw = rep["rules"]["kinds"], rep["raw"]["kinds"]
        for kind in ("claim+speaker", "stance", "entity"):
            rows.append({"name": f"own gold {split} ({rep['docs']} articles) {kind} F1"
                                 + (" vs raw spaCy NER" if kind == "entity" else ""),
                         "figure": kinds[kind]["f1"], "baseline": raw[kind]["f1"] if kind == "entity" else None,
                         "unit": "F1"})
    for split in ("dev", "train"):
        rep = polnear(nlp, schema, model_id, split)
        if rep is not None:
            k = rep["kinds"]["claim+speaker"]
            rows.append({"name": f"PolNeAR {split} claim+speaker F1 (P {k['precision']:.2f}, R {k['recall']:.2f})",
                         "figure": k["f1"], "baseline": None, "unit": "F1"})
    return rows


def main() -> None:
    from annotator.learn.evaluate_report import format_report

    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["gold", "dev", "train"])
    parser.add_argument("--errors", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--split", default=None, help="own gold: one split only")
    args = parser.parse_args()
    nlp, schema, model_id = _pipeline()
    if args.what == "gold":
        gold = load_gold(GOLD)
        preds = suggestions(nlp, schema, model_id, [g.text for g in gold])
        for split in [args.split] if args.split else SPLITS:
            idx = [i for i, g in enumerate(gold) if g.meta.get("split") == split]
            print(f"== own gold: {split} ({len(idx)} articles)")
            rep = evaluate_documents([(gold[i], preds[i]) for i in idx], errors=args.errors)
            rep.pop("rules")
            print(format_report(rep))
        return
    rep = polnear(nlp, schema, model_id, args.what, args.errors, args.limit)
    if rep is None:
        sys.exit(f"{POLNEAR / args.what} is absent")
    print(format_report(rep))


if __name__ == "__main__":
    main()
