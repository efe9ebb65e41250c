"""Text classifiers over the rules' candidates: the stance classifier and the claim rescorer.

Both are spaCy ``textcat`` pipelines trained with spaCy's own config system and loop, on
short marked texts (annotator.suggest.trained.marked_sentence / marked_claim):
- stance: FAVOR / AGAINST / NEUTRAL / NONE for a (sentence, source, target) candidate, its
  NONE examples the stance suggestions people rejected;
- claim rescorer: KEEP / DROP for a claim the rules suggested, learned from which of the
  rules' claims the layer kept. In a document marked done, a claim suggestion the layer has
  no matching claim for counts as dropped (matched as in ``evaluate``: IoU >= 0.5 and the
  same speaker). It re-scores the rules, never invents claims.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Callable

CLAIM_SUGGESTERS = ("claims",)


def train_textcat(train_docs: list, dev_docs: list, work: Path, name: str, max_epochs: int, seed: int, stdout: IO,
                  config_for: Callable):
    """Train a textcat pipeline on DocBin-ready docs (``doc.cats`` set); returns the loaded best model."""
    from spacy.tokens import DocBin

    from annotator.learn.train import _train_pipeline

    DocBin(docs=train_docs).to_disk(work / f"{name}_train.spacy")
    DocBin(docs=dev_docs).to_disk(work / f"{name}_dev.spacy")
    config = config_for(["textcat"], work / f"{name}_train.spacy", work / f"{name}_dev.spacy", max_epochs, seed)
    run = work / f"{name}_run"
    run.mkdir()
    return _train_pipeline(config, run, stdout)


def textcat_scores(nlp, dev_docs: list) -> dict:
    from spacy.training import Example

    scores = nlp.evaluate([Example(nlp.make_doc(d.text), d) for d in dev_docs])
    return {"macro_f": round(scores.get("cats_macro_f") or 0.0, 3), "accuracy": round(scores.get("cats_score") or 0.0, 3)}


def claim_examples(store, items, blank, nlp, schema) -> list:
    """Docs with KEEP / DROP cats for each claim the rules (broad candidates included) find in the
    items' documents: kept when a person accepted that suggestion or the layer has a matching claim."""
    from dataclasses import replace

    from annotator.learn.matching import iou, speaker_right
    from annotator.suggest.claims import ClaimSuggester
    from annotator.suggest.runner import make_suggesters, suggest_text
    from annotator.suggest.trained import CLAIM_LABELS, DROP, KEEP, marked_claim

    rules = make_suggesters(schema)
    suggesters = replace(rules, claims=ClaimSuggester(schema, rules.lex, broad=True))
    docs = []
    for item in items:
        text = item.document.text
        decided = {(a.value.start, a.value.end): a.accepted for a in store.items(item.document.id, item.layer)
                   if a.suggestion_id and getattr(a.value, "kind", "") == "claim"}
        gold = [v for v in item.values if getattr(v, "kind", "") == "claim"]
        for s in suggest_text(nlp, schema, text, suggesters=suggesters):
            value = s.value
            if s.suggester != "claims":
                continue
            keep = decided.get((value.start, value.end))
            if keep is None:
                keep = any(iou((value.start, value.end), (g.start, g.end)) >= 0.5 and
                           speaker_right(value.attrs, g.attrs, text, {}) for g in gold)
            doc = blank.make_doc(marked_claim(text, value, s.rule))
            doc.cats = {label: float(label == (KEEP if keep else DROP)) for label in CLAIM_LABELS}
            docs.append(doc)
    return docs


def train_rescorer(store, train_items, dev_items, work: Path, max_epochs: int, seed: int, stdout: IO, report,
                   config_for: Callable, base: str | None = None) -> None:
    """Train the claim rescorer into work/claims_rescorer (see the module docstring)."""
    import spacy

    from annotator.schema import load_schema
    from annotator.suggest.pipeline import load_pipeline
    from annotator.suggest.trained import CLAIM_LABELS, RESCORER_DIR

    schema = load_schema()
    nlp = load_pipeline(base, schema, on_warning=lambda message: None)  # the parse the rules run on
    blank = spacy.blank("en")
    print(f"finding the rules' claims in {len(train_items) + len(dev_items)} documents", file=stdout)
    train_docs = claim_examples(store, train_items, blank, nlp, schema)
    dev_docs = claim_examples(store, dev_items, blank, nlp, schema) or train_docs[-20:]
    report.items = len(train_docs)
    print(f"training the claim rescorer on {len(train_docs)} claim suggestions", file=stdout)
    model = train_textcat(train_docs, dev_docs, work, "rescorer", max_epochs, seed, stdout, config_for)
    model.meta["annotator"] = {"labels": list(CLAIM_LABELS), "input": "claim with [SPK]..[/SPK] and [CLM]..[/CLM]"}
    model.to_disk(work / RESCORER_DIR)
    if dev_items:
        report.scores = textcat_scores(model, dev_docs)
    report.trained = True
