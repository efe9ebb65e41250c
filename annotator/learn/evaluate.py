"""Compare suggestions (or a layer) with gold annotations: P/R/F1 per kind, label, rule and cue.

Gold comes from JSONL in our export shape (Prodigy's task shape works too), from a brat
folder (``NAME.txt`` + ``NAME.ann``, read with the brat mapping), or from a layer of the
database (for example one imported from brat). Documents are matched by their text.

Matching (documented in docs/suggest.md; annotator.learn.matching):
- entities: exact start, end and label;
- claims: character overlap IoU >= 0.5 (a discontinuous content counts from its first to
  its last character), one-to-one, best overlap first; ``claim+speaker`` also needs the
  right speaker: AUTHOR/UNNAMED equal, or the predicted speaker span (or the pronoun it
  was resolved from) overlapping the gold speaker span, or, where a speaker has no span,
  the same name;
- stances: same polarity, and source and target each overlapping the gold span or naming
  the same actor after aliases (Pyongyang = North Korea).
A kind the gold has none of is not scored, and AUTHOR claims are left out when the gold
has no AUTHOR claims (corpora such as PolNeAR annotate attributed claims only).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from annotator.errors import AnnotatorError
from annotator.learn.matching import Tally, greedy, iou, norm_name, overlap, prf, speaker_kind, speaker_right
from annotator.model import AUTHOR, ENTITY, REJECTED_DOC, SKIPPED, SUGGESTIONS_LAYER, Span, Stance, Value

KINDS_REPORTED = ("entity", "claim", "claim+speaker", "stance")


@dataclass
class GoldDoc:
    text: str
    values: list
    meta: dict


@dataclass
class Predicted:
    value: Value
    rule: str = ""
    suggester: str = ""


@dataclass(frozen=True)
class Outcome:
    """One scored item: a match (tp), a wrong prediction (fp) or a miss (fn)."""

    kind: str
    result: str  # tp | fp | fn
    label: str
    rule: str  # the prediction's rule ("" for a miss)
    cue: str  # the gold item's cue (the prediction's for fp)
    value: Value  # the prediction (tp, fp) or the gold item (fn)
    doc: GoldDoc


# --- gold ------------------------------------------------------------------------------------

def load_gold(path: str | Path, brat_map=None) -> list[GoldDoc]:
    """Gold from a JSONL file, or from a brat folder or .ann file; problems name the file and line."""
    path = Path(path)
    if not path.exists():
        raise AnnotatorError("no such gold file", path)
    if path.is_dir() or path.suffix.lower() == ".ann":
        out = _load_brat(path, brat_map)
    else:
        out = _load_jsonl(path)
    if not out:
        raise AnnotatorError("no gold documents in the file" if path.is_file() else "no brat documents (NAME.txt + "
                             "NAME.ann) in the folder", path)
    return out


def _load_jsonl(path: Path) -> list[GoldDoc]:
    from annotator.formats.doccano import is_doccano, parse_doccano
    from annotator.formats.files import iter_jsonl
    from annotator.formats.prodigy import parse_task

    out = []
    for n, rec in iter_jsonl(path):
        if isinstance(rec, AnnotatorError):
            raise rec
        try:  # read as import reads it: a span labelled CLAIM is a claim, a Doccano line is Doccano's
            imp = parse_doccano(rec, "gold") if is_doccano(rec) else parse_task(rec, "gold")
        except AnnotatorError as exc:
            raise AnnotatorError(exc.problem, path, n) from None
        if imp.status in (REJECTED_DOC, SKIPPED):  # Prodigy's reject and ignore: no gold, whatever spans it has
            continue
        out.append(GoldDoc(imp.document.text, list(imp.values), dict(imp.document.meta)))
    return out


def _load_brat(path: Path, brat_map) -> list[GoldDoc]:
    from annotator.formats.brat_mapping import BratMapping, read_pair

    anns = [path] if path.is_file() else sorted(path.rglob("*.ann"))
    out = []
    for ann in anns:
        text, meta, values = read_pair(ann, brat_map or BratMapping())
        out.append(GoldDoc(text, values, meta))
    return out


def gold_from_layer(store, layer: str) -> list[GoldDoc]:
    """The accepted items of a layer as gold, for every document the layer touched."""
    if layer not in store.layers():
        raise AnnotatorError(f"no annotation layer named {layer!r} (layers: {', '.join(store.layers()) or 'none yet'})")
    items = store.layer_items(layer)
    return [GoldDoc(d.text, [a.value for a in items[d.id] if a.accepted], dict(d.meta))
            for d in store.documents(list(items))]


# --- scoring ---------------------------------------------------------------------------------

def evaluate_documents(pairs: Iterable[tuple[GoldDoc, list[Predicted]]], aliases: dict | None = None, *,
                       cue_lemma: Callable[[str], str] | None = None, errors: int = 0) -> dict:
    """P/R/F1 per kind and label, per rule and per cue lemma, over (gold document, predictions) pairs.

    ``cue_lemma`` maps a cue text to the lemma it is reported under (default: lower case);
    ``errors`` > 0 lists that many misses and false positives per kind.
    """
    if aliases is None:
        from annotator.suggest.lexicon import load_lexicons

        aliases = load_lexicons().aliases
    pairs = list(pairs)
    gold_kinds = {_kind(v) for g, _ in pairs for v in g.values}
    skip_author = not any(v.kind == "claim" and v.attrs.get("speaker") == AUTHOR for g, _ in pairs for v in g.values
                          if isinstance(v, Span))
    outcomes: list[Outcome] = []
    for gold, preds in pairs:
        if skip_author:
            preds = [p for p in preds if not (_kind(p.value) == "claim" and p.value.attrs.get("speaker") == AUTHOR)]
        if "entity" in gold_kinds:
            outcomes += _entities(gold, preds)
        if "claim" in gold_kinds:
            outcomes += _claims(gold, preds, aliases, need_speaker=False)
            outcomes += _claims(gold, preds, aliases, need_speaker=True)
        if "stance" in gold_kinds:
            outcomes += _stances(gold, preds, aliases)
    scored = [k for k in KINDS_REPORTED if k.split("+")[0] in gold_kinds]
    report = {"documents": len(pairs), "kinds": _by_kind(outcomes, scored), "rules": _by_rule(outcomes),
              "cues": _by_cue(outcomes, cue_lemma or (lambda cue: cue.lower())),
              "not_scored": [k for k in KINDS_REPORTED if k not in scored] + (["AUTHOR claims"] if skip_author else [])}
    if errors:
        report["errors"] = _errors(outcomes, errors)
    return report


def _kind(value: Value) -> str:
    if isinstance(value, Stance):
        return "relation" if "relation" in value.attrs else "stance"
    return value.kind


def _entities(gold: GoldDoc, preds: list[Predicted]) -> list[Outcome]:
    golds = [v for v in gold.values if _kind(v) == ENTITY]
    ents = [p for p in preds if _kind(p.value) == ENTITY]
    matched = greedy(ents, golds, lambda p, g: 1 if (p.value.start, p.value.end, p.value.label) == (g.start, g.end, g.label) else 0)
    return _outcomes("entity", gold, ents, golds, matched, lambda v: v.label)


def _claims(gold: GoldDoc, preds: list[Predicted], aliases: dict, need_speaker: bool) -> list[Outcome]:
    golds = [v for v in gold.values if _kind(v) == "claim"]
    claims = [p for p in preds if _kind(p.value) == "claim"]

    def score(p, g):
        overlap_ = iou((p.value.start, p.value.end), (g.start, g.end))
        if overlap_ < 0.5 or (need_speaker and not speaker_right(p.value.attrs, g.attrs, gold.text, aliases)):
            return 0
        return overlap_

    kind = "claim+speaker" if need_speaker else "claim"
    return _outcomes(kind, gold, claims, golds, greedy(claims, golds, score), lambda v: speaker_kind(v.attrs))


def _stances(gold: GoldDoc, preds: list[Predicted], aliases: dict) -> list[Outcome]:
    golds = [v for v in gold.values if _kind(v) == "stance"]
    stances = [p for p in preds if _kind(p.value) == "stance"]
    text = gold.text

    def end_match(a, b) -> bool:
        return overlap((a.start, a.end), (b.start, b.end)) or \
            norm_name(text[a.start:a.end], aliases) == norm_name(text[b.start:b.end], aliases)

    def score(p, g):
        v = p.value
        if v.polarity != g.polarity or not end_match(v.source, g.source) or not end_match(v.target, g.target):
            return 0
        near = v.evidence and g.evidence and overlap((v.evidence.start, v.evidence.end), (g.evidence.start, g.evidence.end))
        return 1.0 if near else 0.5

    return _outcomes("stance", gold, stances, golds, greedy(stances, golds, score), lambda v: v.polarity)


def _outcomes(kind, gold: GoldDoc, preds: list[Predicted], golds: list, pairs, label_of) -> list[Outcome]:
    by_pred = dict(pairs)
    matched_gold = set(by_pred.values())
    out = []
    for i, p in enumerate(preds):
        g = golds[by_pred[i]] if i in by_pred else None
        cue = (g if g is not None else p.value).attrs.get("cue") or ""
        out.append(Outcome(kind, "tp" if g is not None else "fp", label_of(p.value), p.rule, str(cue), p.value, gold))
    for j, g in enumerate(golds):
        if j not in matched_gold:
            out.append(Outcome(kind, "fn", label_of(g), "", str(g.attrs.get("cue") or ""), g, gold))
    return out


def _by_kind(outcomes: list[Outcome], kinds: list[str]) -> dict:
    tallies = {k: Tally() for k in kinds}
    for o in outcomes:
        tallies[o.kind].add(o.label, **{o.result: 1})
    return {k: t.report() for k, t in tallies.items()}


def _by_rule(outcomes: list[Outcome]) -> dict:
    """Per kind:rule, how many it suggested, how many were right, and the share of the gold it found."""
    counts: dict[str, dict] = defaultdict(lambda: {"suggested": 0, "right": 0})
    gold_total: dict[str, int] = defaultdict(int)
    for o in outcomes:
        gold_total[o.kind] += o.result in ("tp", "fn")
        if o.result != "fn":
            c = counts[f"{o.kind}:{o.rule}"]
            c["suggested"] += 1
            c["right"] += o.result == "tp"
    out = {}
    for key, c in sorted(counts.items()):
        scores = prf(c["right"], c["suggested"] - c["right"], gold_total[key.split(":")[0]] - c["right"])
        out[key] = {"suggested": c["suggested"], "right": c["right"], "precision": scores["precision"],
                    "recall": scores["recall"], "f1": scores["f1"]}
    return out


def _by_cue(outcomes: list[Outcome], lemma: Callable[[str], str]) -> dict:
    """claim+speaker P/R/F1 per cue lemma (the gold item's cue for matches and misses)."""
    tally = Tally()
    for o in outcomes:
        if o.kind == "claim+speaker":
            tally.add(lemma(o.cue) if o.cue else "(no cue)", **{o.result: 1})
    return tally.report()["labels"] if tally.tp or tally.fp or tally.fn else {}


def _errors(outcomes: list[Outcome], n: int) -> dict:
    """The first n misses and false positives per kind, each with its sentence."""
    from annotator.learn.evaluate_report import describe_error

    out: dict[str, dict] = {}
    for o in outcomes:
        if o.result == "tp" or o.kind == "claim":
            continue
        entry = out.setdefault(o.kind, {"missed": [], "false": [], "missed_total": 0, "false_total": 0})
        key = "missed" if o.result == "fn" else "false"
        entry[f"{key}_total"] += 1
        if len(entry[key]) < n:
            entry[key].append(describe_error(o))
    return out


def evaluate_store(store, gold: list[GoldDoc], layer: str = SUGGESTIONS_LAYER, *, errors: int = 0,
                   cue_lemma: Callable[[str], str] | None = None) -> dict:
    """Evaluate a store's suggestions (or an annotator's accepted items) against gold, matched by text."""
    from annotator.model import text_hash

    pairs = []
    missing = []
    for g in gold:
        doc_id = text_hash(g.text)
        if store.document(doc_id) is None:
            missing.append(g.meta.get("source") or g.text[:40])
            continue
        if layer == SUGGESTIONS_LAYER:
            preds = [Predicted(s.value, s.rule, s.suggester) for s in store.suggestions(doc_id)]
        else:
            preds = [Predicted(a.value, a.origin, layer) for a in store.items(doc_id, layer) if a.accepted]
        pairs.append((g, preds))
    if not pairs:
        raise AnnotatorError("none of the gold documents is in the database (import them first: matched by text)")
    report = evaluate_documents(pairs, errors=errors, cue_lemma=cue_lemma)
    report["layer"] = layer
    report["missing"] = missing
    return report
