"""A large synthetic news corpus for the scale benchmarks, built from PolNeAR paragraphs.

Document ``i`` is six consecutive paragraphs of a PolNeAR training article (about 1,600
characters, 270 words) headed by a line naming ``i``, so every text is distinct. Each record
is a Prodigy task with up to four entity spans (capitalised multi-word names, labelled
PERSON/ORG/GPE by a hash) and one CLAIM span over its first sentence (speaker AUTHOR), and
``answer: accept``. Nothing is random: the same ``n`` always gives the same file.
The texts are read from ``../shared`` and written only to a temporary folder (PolNeAR's
texts are never copied into the repository).
"""

from __future__ import annotations

import hashlib
import json
import re
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POLNEAR = ROOT.parent / "shared" / "corpora" / "polnear" / "train"
PARAGRAPHS_PER_DOC = 6
NAME = re.compile(r"\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b")
SENTENCE = re.compile(r"[^.!?]+[.!?]")
LABELS = ("PERSON", "ORG", "GPE")


def available() -> bool:
    return POLNEAR.is_dir()


@lru_cache(maxsize=1)
def paragraphs() -> tuple[str, ...]:
    out = []
    for path in sorted(POLNEAR.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        out += [p.strip() for p in re.split(r"\n\s*\n", text) if len(p.strip()) >= 80]
    return tuple(out)


def label(name: str) -> str:
    return LABELS[hashlib.md5(name.encode()).digest()[0] % len(LABELS)]


def record(i: int, annotator: str = "alice", relabel: bool = False) -> dict:
    """Prodigy task number ``i``; ``relabel`` changes its first entity's label (a conflicting version)."""
    ps = paragraphs()
    k = (i * 7) % (len(ps) - PARAGRAPHS_PER_DOC)
    text = f"Report {i}\n\n" + "\n\n".join(ps[k:k + PARAGRAPHS_PER_DOC])
    spans = []
    for m in NAME.finditer(text):
        if len(spans) == 4:
            break
        spans.append({"start": m.start(), "end": m.end(), "label": label(m.group()), "text": m.group()})
    if relabel and spans:
        spans[0]["label"] = LABELS[(LABELS.index(spans[0]["label"]) + 1) % len(LABELS)]
    first = SENTENCE.search(text, len(f"Report {i}\n\n"))
    if first:
        start = first.start() + (len(first.group()) - len(first.group().lstrip()))
        spans.append({"start": start, "end": first.end(), "label": "CLAIM", "kind": "claim",
                      "attrs": {"speaker": "AUTHOR", "claim_type": "other"}})
    return {"text": text, "meta": {"source": "polnear-bench", "n": i}, "spans": spans, "answer": "accept",
            "_annotator_id": annotator}


def write_jsonl(path: Path, n: int, *, start: int = 0, annotator: str = "alice",
                relabel_every: int = 0) -> Path:
    """Records start..start+n-1 as JSONL; with ``relabel_every`` k, every k-th one is a conflicting version."""
    with open(path, "w", encoding="utf-8") as fh:
        for i in range(start, start + n):
            relabel = bool(relabel_every) and i % relabel_every == 0
            fh.write(json.dumps(record(i, annotator, relabel), ensure_ascii=False) + "\n")
    return path
