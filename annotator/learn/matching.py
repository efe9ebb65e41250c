"""How a prediction matches a gold item: overlaps, speakers, one-to-one pairing, P/R/F1 tallies."""

from __future__ import annotations

from collections import Counter

from annotator.model import AUTHOR, UNNAMED


def iou(a: tuple[int, int], b: tuple[int, int]) -> float:
    inter = min(a[1], b[1]) - max(a[0], b[0])
    if inter <= 0:
        return 0.0
    return inter / (max(a[1], b[1]) - min(a[0], b[0]))


def overlap(a, b) -> bool:
    return a is not None and b is not None and min(a[1], b[1]) > max(a[0], b[0])


def norm_name(text: str, aliases: dict) -> str:
    from annotator.suggest.lexicon import normalize_name

    key = normalize_name(text)
    return aliases.get(key, key)


def speaker(attrs: dict, text: str) -> tuple[str, tuple[int, int] | None, str]:
    """(kind, span or None, name) of a claim's speaker; kind is AUTHOR, UNNAMED, span or name."""
    sp = attrs.get("speaker")
    if sp in (AUTHOR, UNNAMED) or sp is None or sp == "":
        return (sp or UNNAMED, None, "")
    if isinstance(sp, dict):
        span = (int(sp["start"]), int(sp["end"]))
        return ("span", span, text[span[0]:span[1]])
    return ("name", None, str(sp))


def speaker_kind(attrs: dict) -> str:
    sp = attrs.get("speaker")
    return sp if sp in (AUTHOR, UNNAMED) else "named"


def speaker_right(pred: dict, gold: dict, text: str, aliases: dict) -> bool:
    """AUTHOR/UNNAMED equal; or the predicted speaker span (or the pronoun it was resolved from)
    overlapping the gold speaker span; or, where a speaker has no span, the same name."""
    pk, pspan, pname = speaker(pred, text)
    gk, gspan, gname = speaker(gold, text)
    if pk in (AUTHOR, UNNAMED) or gk in (AUTHOR, UNNAMED):
        return pk == gk
    mention = pred.get("speaker_mention")
    mspan = (int(mention["start"]), int(mention["end"])) if isinstance(mention, dict) else None
    if overlap(pspan, gspan) or overlap(mspan, gspan):
        return True
    if pspan is not None and gspan is not None:
        return False
    pn, gn = norm_name(pname, aliases), norm_name(gname, aliases)
    return bool(pn) and (pn == gn or pn in gn or gn in pn)


def greedy(preds: list, golds: list, score) -> list[tuple[int, int]]:
    """One-to-one pairs (pred index, gold index), best score first; score <= 0 means no match."""
    cands = []
    for i, p in enumerate(preds):
        for j, g in enumerate(golds):
            s = score(p, g)
            if s > 0:
                cands.append((s, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    used_p, used_g, pairs = set(), set(), []
    for _, i, j in cands:
        if i in used_p or j in used_g:
            continue
        used_p.add(i)
        used_g.add(j)
        pairs.append((i, j))
    return pairs


def prf(tp: int, fp: int, fn: int) -> dict:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "tp": tp, "fp": fp, "fn": fn}


class Tally:
    """True positives, false positives and misses per label."""

    def __init__(self):
        self.tp: Counter = Counter()
        self.fp: Counter = Counter()
        self.fn: Counter = Counter()

    def add(self, label, tp=0, fp=0, fn=0) -> None:
        self.tp[label] += tp
        self.fp[label] += fp
        self.fn[label] += fn

    def report(self) -> dict:
        out = prf(sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values()))
        labels = sorted(set(self.tp) | set(self.fp) | set(self.fn))
        out["labels"] = {label: prf(self.tp[label], self.fp[label], self.fn[label]) for label in labels}
        return out
