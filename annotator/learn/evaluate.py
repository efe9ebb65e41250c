"""Compare suggestions (or an annotator's layer) with gold annotations: P/R/F1 per kind, label, rule.

Matching (documented in docs/suggest.md):
- entities: exact start, end and label;
- claims: character overlap IoU >= 0.5 (one-to-one, best overlap first); ``claim+speaker``
  also needs the right speaker: AUTHOR/UNNAMED equal, or the predicted speaker span (or the
  pronoun it was resolved from) overlapping the gold speaker span, or the same name;
- stances: same polarity, and source and target each either overlapping the gold span or
  naming the same actor after aliases (Pyongyang = North Korea, "the treaty" = "The treaty").

Gold files are JSONL in our export shape (Prodigy's task shape works too), read with
``annotator.formats.prodigy.parse_task``; documents are matched by their text.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from annotator.errors import AnnotatorError
from annotator.model import AUTHOR, ENTITY, UNNAMED, Span, Stance, Value

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


def load_gold(path: str | Path) -> list[GoldDoc]:
    """Read gold JSONL; a bad line raises AnnotatorError naming the file and line."""
    from annotator.formats.files import iter_jsonl
    from annotator.formats.prodigy import parse_task

    path = Path(path)
    if not path.exists():
        raise AnnotatorError("no such gold file", path)
    out = []
    for n, rec in iter_jsonl(path):
        if isinstance(rec, AnnotatorError):
            raise rec
        try:
            imp = parse_task(rec, "gold")
        except AnnotatorError as exc:
            raise AnnotatorError(exc.problem, path, n) from None
        out.append(GoldDoc(imp.document.text, list(imp.values), dict(imp.document.meta)))
    if not out:
        raise AnnotatorError("no gold documents in the file", path)
    return out


# --- matching ----------------------------------------------------------------------------

def _iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def _overlap(a, b) -> bool:
    return a is not None and b is not None and min(a[1], b[1]) > max(a[0], b[0])


def _norm(text: str, aliases: dict) -> str:
    from annotator.suggest.lexicon import normalize_name

    key = normalize_name(text)
    return aliases.get(key, key)


def _speaker(attrs: dict, text: str):
    """(kind, span or None, name) of a claim's speaker."""
    sp = attrs.get("speaker")
    if sp in (AUTHOR, UNNAMED) or sp is None or sp == "":
        return (sp or UNNAMED, None, "")
    if isinstance(sp, dict):
        span = (int(sp["start"]), int(sp["end"]))
        return ("span", span, text[span[0]:span[1]])
    return ("name", None, str(sp))


def speaker_right(pred: dict, gold: dict, text: str, aliases: dict) -> bool:
    pk, pspan, pname = _speaker(pred, text)
    gk, gspan, gname = _speaker(gold, text)
    if pk in (AUTHOR, UNNAMED) or gk in (AUTHOR, UNNAMED):
        return pk == gk
    mention = pred.get("speaker_mention")
    mspan = (int(mention["start"]), int(mention["end"])) if isinstance(mention, dict) else None
    if _overlap(pspan, gspan) or _overlap(mspan, gspan):
        return True
    pn, gn = _norm(pname, aliases), _norm(gname, aliases)
    return bool(pn) and (pn == gn or pn in gn or gn in pn)


def _greedy(preds: list, golds: list, score) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index), best score first; score <= 0 means no match."""
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            s = score(p, g)
            if s > 0:
                cands.append((s, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p, used_g, pairs = set(), set(), []
    for s, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


class _Tally:
    def __init__(self):
        self.tp = Counter()
        self.fp = Counter()
        self.fn = Counter()

    def add(self, label, tp=0, fp=0, fn=0):
        self.tp[label] += tp
        self.fp[label] += fp
        self.fn[label] += fn

    @staticmethod
    def prf(tp, fp, fn) -> dict:
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}

    def report(self) -> dict:
        tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        out = self.prf(tp, fp, fn)
        labels = sorted(set(self.tp) | set(self.fp) | set(self.fn))
        out["labels"] = {l: self.prf(self.tp[l], self.fp[l], self.fn[l]) for l in labels}
        return out


def _speaker_kind(attrs: dict) -> str:
    sp = attrs.get("speaker")
    return sp if sp in (AUTHOR, UNNAMED) else "named"


def evaluate_documents(pairs: Iterable[tuple[GoldDoc, list[Predicted]]], aliases: dict | None = None) -> dict:
    """P/R/F1 per kind and label, and per rule, over (gold document, predictions) pairs."""
    if aliases is None:
        from annotator.suggest.lexicon import load_lexicons

        aliases = load_lexicons().aliases
    tallies = {k: _Tally() for k in KINDS_REPORTED}
    rules: dict[str, Counter] = defaultdict(Counter)
    ndocs = 0
    for gold, preds in pairs:
        ndocs += 1
        text = gold.text
        g_ent = [v for v in gold.values if isinstance(v, Span) and v.kind == ENTITY]
        g_claim = [v for v in gold.values if isinstance(v, Span) and v.kind == "claim"]
        g_stance = [v for v in gold.values if isinstance(v, Stance)]
        p_ent = [p for p in preds if isinstance(p.value, Span) and p.value.kind == ENTITY]
        p_claim = [p for p in preds if isinstance(p.value, Span) and p.value.kind == "claim"]
        p_stance = [p for p in preds if isinstance(p.value, Stance)]

        # entities: exact
        gkeys = Counter((v.start, v.end, v.label) for v in g_ent)
        for p in p_ent:
            key = (p.value.start, p.value.end, p.value.label)
            rules[f"entity:{p.rule}"]["suggested"] += 1
            if gkeys[key] > 0:
                gkeys[key] -= 1
                tallies["entity"].add(p.value.label, tp=1)
                rules[f"entity:{p.rule}"]["right"] += 1
            else:
                tallies["entity"].add(p.value.label, fp=1)
        for (s, e, label), n in gkeys.items():
            if n > 0:
                tallies["entity"].add(label, fn=n)

        # claims
        for kind, need_speaker in (("claim", False), ("claim+speaker", True)):
            def score(p, g):
                iou = _iou((p.value.start, p.value.end), (g.start, g.end))
                if iou < 0.5:
                    return 0
                if need_speaker and not speaker_right(p.value.attrs, g.attrs, text, aliases):
                    return 0
                return iou
            pairs_ = _greedy(p_claim, g_claim, score)
            matched_p = {i for i, _ in pairs_}
            matched_g = {j for _, j in pairs_}
            for i, p in enumerate(p_claim):
                label = _speaker_kind(p.value.attrs)
                tallies[kind].add(label, tp=1 if i in matched_p else 0, fp=0 if i in matched_p else 1)
                r = rules[f"{kind}:{p.rule}"]
                r["suggested"] += 1
                r["right"] += 1 if i in matched_p else 0
            for j, g in enumerate(g_claim):
                if j not in matched_g:
                    tallies[kind].add(_speaker_kind(g.attrs), fn=1)

        # stances
        def end_match(a, b) -> bool:
            if _overlap((a.start, a.end), (b.start, b.end)):
                return True
            return _norm(text[a.start:a.end], aliases) == _norm(text[b.start:b.end], aliases)

        def sscore(p, g):
            v = p.value
            if v.polarity != g.polarity or not end_match(v.source, g.source) or not end_match(v.target, g.target):
                return 0
            near = 1.0 if (v.evidence and g.evidence and _overlap((v.evidence.start, v.evidence.end),
                                                                   (g.evidence.start, g.evidence.end))) else 0.5
            return near
        spairs = _greedy(p_stance, g_stance, sscore)
        mp = {i for i, _ in spairs}
        mg = {j for _, j in spairs}
        for i, p in enumerate(p_stance):
            tallies["stance"].add(p.value.polarity, tp=1 if i in mp else 0, fp=0 if i in mp else 1)
            r = rules[f"stance:{p.rule}"]
            r["suggested"] += 1
            r["right"] += 1 if i in mp else 0
        for j, g in enumerate(g_stance):
            if j not in mg:
                tallies["stance"].add(g.polarity, fn=1)
    return {"documents": ndocs, "kinds": {k: t.report() for k, t in tallies.items()},
            "rules": {k: {"suggested": v["suggested"], "right": v["right"],
                          "precision": round(v["right"] / v["suggested"], 4) if v["suggested"] else 0.0}
                      for k, v in sorted(rules.items())}}


def evaluate_store(store, gold: list[GoldDoc], layer: str = "suggestions") -> dict:
    """Evaluate a store's suggestions (or an annotator's accepted items) against gold, matched by text."""
    from annotator.model import text_hash

    pairs = []
    missing = []
    for g in gold:
        doc_id = text_hash(g.text)
        if store.document(doc_id) is None:
            missing.append(g.meta.get("source") or g.text[:40])
            continue
        if layer == "suggestions":
            preds = [Predicted(s.value, s.rule, s.suggester) for s in store.suggestions(doc_id)]
        else:
            preds = [Predicted(a.value, a.origin, layer) for a in store.items(doc_id, layer) if a.accepted]
        pairs.append((g, preds))
    if not pairs:
        raise AnnotatorError("none of the gold documents is in the database (import them first: matched by text)")
    report = evaluate_documents(pairs)
    report["layer"] = layer
    report["missing"] = missing
    return report


def format_report(report: dict) -> str:
    lines = [f"documents: {report['documents']}" + (f" (layer {report['layer']})" if report.get("layer") else "")]
    if report.get("missing"):
        lines.append(f"not in the database: {len(report['missing'])} gold documents ({', '.join(report['missing'][:5])})")
    lines.append(f"{'kind':<16}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}")
    for kind, r in report["kinds"].items():
        lines.append(f"{kind:<16}{r['precision']:>7.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}")
        for label, lr in r["labels"].items():
            lines.append(f"  {label:<14}{lr['precision']:>7.3f}{lr['recall']:>7.3f}{lr['f1']:>7.3f}"
                         f"{lr['tp']:>6}{lr['fp']:>6}{lr['fn']:>6}")
    if report.get("rules"):
        lines.append(f"{'rule':<32}{'suggested':>10}{'right':>7}{'P':>7}")
        for rule, r in report["rules"].items():
            lines.append(f"{rule:<32}{r['suggested']:>10}{r['right']:>7}{r['precision']:>7.3f}")
    return "\n".join(lines)
