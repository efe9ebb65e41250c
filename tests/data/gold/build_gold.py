"""Build gold JSONL (our export shape) from the hand-written *.spec files beside the articles.

Spec lines (one item a line, '#' starts a comment):
  ENT LABEL: text | text ...          every whole-word occurrence of each text gets LABEL
                                      (longest texts first, no overlaps)
  ENTAT LABEL: text @ anchor          only the occurrence of text inside the (unique) anchor
  NOENT: text @ anchor                no entity at that occurrence (e.g. a headline word)
  CLAIM speaker | type | content      speaker: AUTHOR, UNNAMED or the speaker's text (located
                                      nearest to the content); content must occur once
  CLAIM speaker | type | content @ anchor
                                      the content's occurrence inside the (unique) anchor
  STANCE source > POLARITY > target @ anchor
                                      source and target are looked up in the sentence that
                                      holds the (unique) anchor, else nearest to it
Run: python tests/data/gold/build_gold.py   (writes gold.jsonl)
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
# Held out while writing the rules (see README.md). v1: the first pair was measured once and
# then used for fixes, so a fresh pair was written before any further change. v2 (issue 12):
# four more articles written and annotated before the v2 rule changes, never tuned on.
HELD_OUT = {"labour-port-strike", "energy-pipeline-deal",
            "trade-ev-duties", "health-insulin-recall", "diplomacy-treaty-withdrawal", "courts-mining-appeal"}
BURNED = {"elections-runoff", "courts-data-ruling"}
TUNING_V2 = {"conflict-sudan-camp", "un-vote-arms-embargo", "election-runoff-concession", "corporate-data-lawsuit"}


def occurrences(text: str, needle: str) -> list[int]:
    out = []
    for m in re.finditer(re.escape(needle), text):
        s, e = m.start(), m.end()
        if (s > 0 and text[s - 1].isalnum()) or (e < len(text) and text[e].isalnum()):
            continue
        out.append(s)
    return out


def unique(text: str, needle: str, where: str) -> int:
    occ = [m.start() for m in re.finditer(re.escape(needle), text)]
    if len(occ) != 1:
        sys.exit(f"{where}: {needle!r} occurs {len(occ)} times")
    return occ[0]


def sentences(text: str) -> list[tuple[int, int]]:
    out = []
    pos = 0
    for line in text.split("\n"):
        start = pos
        for m in re.finditer(r"[^.!?]*(?:[.!?]+[”\"’]?|$)", line):
            if m.group().strip():
                out.append((start + m.start(), start + m.end()))
        pos += len(line) + 1
    return out


def near(text: str, needle: str, lo: int, hi: int, where: str, anchor: int | None = None) -> tuple[int, int]:
    """The occurrence of needle inside [lo, hi) (the one nearest to anchor, else the first), else
    the nearest one outside."""
    occ = occurrences(text, needle)
    if not occ:
        sys.exit(f"{where}: {needle!r} not found")
    inside = [o for o in occ if lo <= o and o + len(needle) <= hi]
    if inside:
        pick = inside[0] if anchor is None else min(inside, key=lambda o: (abs(o - anchor), -o))
    else:
        pick = min(occ, key=lambda o: min(abs(o - lo), abs(o - hi)))
    return pick, pick + len(needle)


def build(name: str) -> dict:
    text = (HERE / f"{name}.txt").read_text(encoding="utf-8")
    spec = (HERE / f"{name}.spec").read_text(encoding="utf-8")
    sents = sentences(text)
    ents: dict[tuple[int, int], str] = {}
    blocked: set[int] = set()
    all_ents: list[tuple[str, str]] = []
    claims, stances = [], []
    for n, raw in enumerate(spec.splitlines(), 1):
        line = raw.split(" #")[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        where = f"{name}.spec:{n}"
        kind, _, rest = line.partition(" ")
        if kind == "ENT":
            label, _, items = rest.partition(":")
            all_ents.extend((i.strip(), label.strip()) for i in items.split("|") if i.strip())
        elif kind == "ENTAT":
            label, _, item = rest.partition(":")
            t, _, anchor = item.partition("@")
            a = unique(text, anchor.strip(), where)
            s = text.index(t.strip(), a)
            ents[(s, s + len(t.strip()))] = label.strip()
        elif kind == "NOENT:":
            t, _, anchor = rest.partition("@")
            a = unique(text, anchor.strip(), where)
            blocked.add(text.index(t.strip(), a))
        elif kind == "CLAIM":
            speaker, ctype, content = [p.strip() for p in rest.split("|", 2)]
            content, _, anchor = (p.strip() for p in content.partition(" @ "))
            s = text.index(content, unique(text, anchor, where)) if anchor else unique(text, content, where)
            claims.append((s, s + len(content), speaker, ctype, where))
        elif kind == "STANCE":
            body, _, anchor = rest.partition("@")
            src, pol, tgt = [p.strip() for p in body.split(">")]
            stances.append((src, pol, tgt, anchor.strip(), where))
        else:
            sys.exit(f"{where}: unknown line {line!r}")
    taken = [False] * len(text)
    for (s, e) in ents:
        for k in range(s, e):
            taken[k] = True
    for t, label in sorted(all_ents, key=lambda x: -len(x[0])):
        for s in occurrences(text, t):
            e = s + len(t)
            if s in blocked or any(taken[s:e]):
                continue
            ents[(s, e)] = label
            for k in range(s, e):
                taken[k] = True
    spans = [{"start": s, "end": e, "label": l, "text": text[s:e], "kind": "entity", "attrs": {}}
             for (s, e), l in sorted(ents.items())]
    for s, e, speaker, ctype, where in claims:
        attrs = {"claim_type": ctype}
        if speaker in ("AUTHOR", "UNNAMED"):
            attrs["speaker"] = speaker
        else:
            ss, se = near(text, speaker, s, e, where)
            sent = next(((a, b) for a, b in sents if a <= s < b), (0, len(text)))
            if not (sent[0] <= ss < sent[1]):  # the speaker named before: its nearest mention before the claim
                ss, se = near(text, speaker, max(0, sent[0] - 400), sent[1], where, anchor=s)
            attrs["speaker"] = speaker
            attrs["speaker_span"] = {"start": ss, "end": se}
        spans.append({"start": s, "end": e, "label": "CLAIM", "text": text[s:e], "kind": "claim", "attrs": attrs})
    relations = []
    topics = {}
    for src, pol, tgt, anchor, where in stances:
        a = unique(text, anchor, where)
        sent = next(((x, y) for x, y in sents if x <= a < y), (0, len(text)))
        ss, se = near(text, src, sent[0], sent[1], where)
        ts, te = near(text, tgt, sent[0], sent[1], where)
        src_label = ents.get((ss, se), "")
        tgt_label = ents.get((ts, te))
        if tgt_label is None:
            tgt_label = "TOPIC"
            topics[(ts, te)] = True
        relations.append({"head_span": {"start": ss, "end": se, "label": src_label},
                          "child_span": {"start": ts, "end": te, "label": tgt_label},
                          "label": pol, "kind": "stance", "evidence": {"start": sent[0], "end": sent[1]},
                          "head_text": text[ss:se], "child_text": text[ts:te]})
    for (s, e) in topics:
        spans.append({"start": s, "end": e, "label": "TOPIC", "text": text[s:e], "kind": "topic", "attrs": {}})
    spans.sort(key=lambda x: (x["start"], x["end"]))
    return {"text": text, "meta": {"source": f"{name}.txt", "held_out": name in HELD_OUT,
                     "split": "held_out" if name in HELD_OUT else ("held_out_v1" if name in BURNED else
                                                                   "tuning_v2" if name in TUNING_V2 else "tuning")},
            "spans": spans, "relations": relations, "answer": "accept"}


def main() -> None:
    names = sorted(p.stem for p in HERE.glob("*.spec"))
    with open(HERE / "gold.jsonl", "w", encoding="utf-8") as out:
        for name in names:
            rec = build(name)
            out.write(json.dumps(rec, ensure_ascii=False) + "\n")
            kinds = {}
            for s in rec["spans"]:
                kinds[s["kind"]] = kinds.get(s["kind"], 0) + 1
            print(f"{name}: {kinds}, stances {len(rec['relations'])}")


if __name__ == "__main__":
    main()
