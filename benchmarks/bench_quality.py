"""Suggestion quality: F1 on the project's own gold (per split) and on PolNeAR (train, dev).

    python benchmarks/run.py quality                 # the rows below, in the benchmark table
    python benchmarks/bench_quality.py gold          # own gold, every split, as tables
    python benchmarks/bench_quality.py dev --errors 20 [--cue say]   # PolNeAR dev, with errors
    python benchmarks/bench_quality.py train         # PolNeAR train (the tuning data)
    python benchmarks/bench_quality.py train --breakdown --errors 5 [--category speaker] [--rule speech_ccomp]
        # claim+speaker errors by kind: right content with the wrong speaker, a content overlapping
        # the gold one too little (IoU < 0.5), a miss with nothing overlapping, a false positive
        # overlapping no gold claim; per rule, with examples (tune on train; never read dev's errors)

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


def polnear_pairs(nlp, schema, model_id: str, split: str, limit: int | None = None) -> list | None:
    """(gold document, predictions) for a PolNeAR split (None when the corpus is absent)."""
    folder = POLNEAR / split
    if not folder.is_dir():
        return None
    from annotator.formats.brat_mapping import load_mapping

    gold = load_gold(folder, load_mapping(POLNEAR_MAP))[:limit]
    return list(zip(gold, suggestions(nlp, schema, model_id, [g.text for g in gold])))


def polnear(nlp, schema, model_id: str, split: str, errors: int = 0, limit: int | None = None) -> dict | None:
    """The evaluate report on a PolNeAR split (None when the corpus is absent)."""
    from annotator.learn.cues import CueLemmatizer

    pairs = polnear_pairs(nlp, schema, model_id, split, limit)
    if pairs is None:
        return None
    return evaluate_documents(pairs, errors=errors, cue_lemma=CueLemmatizer())


# --- error breakdown --------------------------------------------------------------------------

CATEGORIES = {
    "speaker": "right content (IoU >= 0.5), wrong speaker",
    "boundary": "content overlaps a gold claim nothing matched, IoU < 0.5",
    "nested": "content overlaps only gold claims other suggestions matched (IoU < 0.5)",
    "taken": "content matches a gold claim another suggestion matched (a duplicate)",
    "miss": "a gold claim no suggestion overlaps",
    "spurious": "a suggestion overlapping no gold claim",
}


def claim_errors(pairs, aliases: dict | None = None) -> list[dict]:
    """Every claim+speaker error of (gold document, predictions) pairs, classified (CATEGORIES).

    One entry per wrong suggestion and per miss: ``category``, ``side`` (fp or fn), the rule,
    the suggested and gold content and speaker, and for boundaries how the contents differ
    (``shape``: short / long / shifted, and which edge is off). AUTHOR claims are left out when
    the gold has none, as evaluate does."""
    from annotator.learn.matching import greedy, iou, speaker_right
    from annotator.model import AUTHOR, Span

    if aliases is None:
        from annotator.suggest.lexicon import load_lexicons

        aliases = load_lexicons().aliases
    pairs = list(pairs)
    skip_author = not any(isinstance(v, Span) and v.kind == "claim" and v.attrs.get("speaker") == AUTHOR
                          for g, _ in pairs for v in g.values)
    out = []
    for gold, preds in pairs:
        text = gold.text
        golds = [v for v in gold.values if isinstance(v, Span) and v.kind == "claim"]
        claims = [p for p in preds if isinstance(p.value, Span) and p.value.kind == "claim" and
                  not (skip_author and p.value.attrs.get("speaker") == AUTHOR)]
        ious = [[iou((p.value.start, p.value.end), (g.start, g.end)) for g in golds] for p in claims]

        def score(i, j, _ious=ious, _claims=claims, _golds=golds, _text=text):
            o = _ious[i][j]
            return o if o >= 0.5 and speaker_right(_claims[i].value.attrs, _golds[j].attrs, _text, aliases) else 0

        matched = greedy(list(range(len(claims))), list(range(len(golds))), score)
        used_p, used_g = {i for i, _ in matched}, {j for _, j in matched}
        free_g = [j for j in range(len(golds)) if j not in used_g]
        # the claims-only matching: a suggestion it matches and claim+speaker does not has the wrong speaker
        content_pairs = {i: j for i, j in greedy(list(range(len(claims))), list(range(len(golds))),
                                                 lambda i, j, _ious=ious: _ious[i][j] if _ious[i][j] >= 0.5 else 0)
                         if i not in used_p and j not in used_g}
        speaker_gold = {j: i for i, j in content_pairs.items()}
        for i, p in enumerate(claims):
            if i in used_p:
                continue
            if i in content_pairs:
                cat, g = "speaker", golds[content_pairs[i]]
            elif any(o >= 0.5 for o in ious[i]):
                cat, g = "taken", golds[max(range(len(golds)), key=lambda j: ious[i][j])]
            elif any(ious[i][j] > 0 for j in free_g):
                cat, g = "boundary", golds[max(free_g, key=lambda j: ious[i][j])]
            elif any(o > 0 for o in ious[i]):
                cat, g = "nested", golds[max(range(len(golds)), key=lambda j: ious[i][j])]
            else:
                cat, g = "spurious", None
            out.append(_error_entry(text, gold, "fp", cat, p, g))
        for j in free_g:
            g = golds[j]
            if j in speaker_gold:
                continue  # counted once, with its suggestion
            near = [i for i in range(len(claims)) if ious[i][j] > 0 and i not in used_p]
            if any(ious[i][j] >= 0.5 for i in near):
                cat = "taken"
            elif near:
                cat = "boundary"
            else:
                cat = "miss"
            best = max(near, key=lambda i: ious[i][j]) if near else None
            out.append(_error_entry(text, gold, "fn", cat, claims[best] if best is not None else None, g))
    return out


def _speaker_text(attrs: dict, text: str) -> str:
    sp = attrs.get("speaker")
    return text[sp["start"]:sp["end"]] if isinstance(sp, dict) else str(sp or "")


def _error_entry(text: str, gold, side: str, cat: str, pred, g) -> dict:
    from annotator.learn.evaluate_report import sentence_around

    e = {"side": side, "category": cat, "rule": pred.rule if pred is not None else "",
         "document": str(gold.meta.get("title") or gold.meta.get("source") or "")[:60]}
    if pred is not None:
        v = pred.value
        e.update(pred_content=text[v.start:v.end], pred_speaker=_speaker_text(v.attrs, text),
                 pred_mention=str(v.attrs.get("speaker_resolved_from") or ""),
                 pred_cue=str(v.attrs.get("cue") or ""), pred_span=(v.start, v.end))
    if g is not None:
        e.update(gold_content=text[g.start:g.end], gold_speaker=_speaker_text(g.attrs, text),
                 gold_cue=str(g.attrs.get("cue") or ""), gold_span=(g.start, g.end))
    if cat == "boundary" and pred is not None and g is not None:
        (ps, pe), (gs, ge) = e["pred_span"], e["gold_span"]
        edges = ("start " + ("early" if ps < gs else "late") if ps != gs else "") + \
                (" end " + ("early" if pe < ge else "late") if pe != ge else "")
        e["shape"] = ("short" if gs <= ps and pe <= ge else "long" if ps <= gs and ge <= pe else "shifted") + \
            f" ({edges.strip()})"
    anchor = g if g is not None else pred.value
    e["sentence"] = sentence_around(text, anchor.start, anchor.end)
    return e


def format_breakdown(errors: list[dict], examples: int, category: str | None, rule: str | None, seed: int = 0) -> str:
    """Counts per category, side and rule, and a random sample of examples per category."""
    import random
    from collections import Counter

    from annotator.learn.evaluate_report import inert

    lines = [f"{'category':<10}{'side':<5}{'count':>7}  what"]
    counts = Counter((e["category"], e["side"]) for e in errors)
    for cat, what in CATEGORIES.items():
        for side in ("fp", "fn"):
            if counts[cat, side]:
                lines.append(f"{cat:<10}{side:<5}{counts[cat, side]:>7}  {what}")
    by_rule = Counter((e["category"], e["rule"] or "(none)") for e in errors if e["side"] == "fp" or e["category"] != "speaker")
    lines.append("by rule (suggestions and misses): " + "; ".join(
        f"{cat}/{r} {n}" for (cat, r), n in sorted(by_rule.items(), key=lambda kv: -kv[1])[:30]))
    shapes = Counter(e["shape"] for e in errors if "shape" in e and e["side"] == "fp")
    if shapes:
        lines.append("boundary shapes (suggestions): " + "; ".join(f"{s} {n}" for s, n in shapes.most_common()))
    rng = random.Random(seed)
    for cat in CATEGORIES:
        if category and cat != category:
            continue
        pool = [e for e in errors if e["category"] == cat and (not rule or e["rule"] == rule)]
        if not pool or not examples:
            continue
        lines.append(f"== {cat}: {min(examples, len(pool))} of {len(pool)}")
        for e in rng.sample(pool, min(examples, len(pool))):
            lines.append(f"  - [{e['side']} {inert(e['rule'])}{' ' + e['shape'] if 'shape' in e else ''}] "
                         f"{inert(e['document'])}")
            if "pred_content" in e:
                mention = f" <- {inert(e['pred_mention'])}" if e["pred_mention"] else ""
                lines.append(f"      ours: “{inert(e['pred_content'])[:200]}”  [{inert(e['pred_speaker'])}{mention}; "
                             f"{inert(e['pred_cue'])}]")
            if "gold_content" in e:
                lines.append(f"      gold: “{inert(e['gold_content'])[:200]}”  [{inert(e['gold_speaker'])}; "
                             f"{inert(e['gold_cue'])}]")
            lines.append(f"      in: {inert(e['sentence'])}")
    return "\n".join(lines)


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
    parser.add_argument("--breakdown", action="store_true",
                        help="claim+speaker errors by category and rule, --errors examples per category")
    parser.add_argument("--category", choices=list(CATEGORIES), default=None, help="--breakdown: examples of one only")
    parser.add_argument("--rule", default=None, help="--breakdown: examples of one rule only")
    parser.add_argument("--seed", type=int, default=0, help="--breakdown: which random examples")
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
    if args.breakdown:
        pairs = polnear_pairs(nlp, schema, model_id, args.what, args.limit)
        if pairs is None:
            sys.exit(f"{POLNEAR / args.what} is absent")
        if args.what == "dev":
            sys.exit("tune on train: dev's errors are not to be read")
        k = evaluate_documents(pairs)["kinds"]
        for kind in ("claim", "claim+speaker"):
            r = k[kind]
            print(f"{kind:<14} P {r['precision']:.3f}  R {r['recall']:.3f}  F1 {r['f1']:.3f}  "
                  f"(tp {r['tp']}, fp {r['fp']}, fn {r['fn']})")
        print(format_breakdown(claim_errors(pairs), args.errors, args.category, args.rule, args.seed))
        return
    rep = polnear(nlp, schema, model_id, args.what, args.errors, args.limit)
    if rep is None:
        sys.exit(f"{POLNEAR / args.what} is absent")
    print(format_report(rep))


if __name__ == "__main__":
    main()
