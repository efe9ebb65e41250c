"""brat standoff export: one ``NAME.txt`` and ``NAME.ann`` per document plus ``annotation.conf``.

T lines for spans (split into fragments at line breaks), R lines for stances
(``FAVOR Arg1:T1 Arg2:T2``) and claim speakers (``Speaker``), A lines for claim
attributes (``Hedged``, ``ClaimType``, ``Checkworthy``).
"""

from __future__ import annotations

import hashlib
import re

from annotator.model import Span, SpanRef, Stance, Value

UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
MAX_STEM = 80


def file_stem(doc_id: str, used: set[str]) -> str:
    """A safe, unique file name stem for a document: its id when that is plain ASCII letters, digits,
    ``_ . -`` (not starting with a dot), else the cleaned id plus a hash of the real one.

    Ids come from data (a merged database may hold ``../../x`` or ``/tmp/x``): the stem never
    contains a path separator, never starts with a dot, and differs from every stem in ``used``
    (compared case-insensitively, for case-insensitive file systems); it is added to ``used``.
    """
    stem = UNSAFE_IN_NAME.sub("_", doc_id).strip("._-")[:MAX_STEM] or "document"
    if stem != doc_id or stem.lower() in used:
        digest = hashlib.sha256(doc_id.encode("utf-8", "surrogatepass")).hexdigest()
        stem, n = f"{stem}-{digest[:12]}", 12
        while stem.lower() in used and n < len(digest):
            n += 4
            stem = f"{stem.rsplit('-', 1)[0]}-{digest[:n]}"
    used.add(stem.lower())
    return stem


def _fragments(text: str, start: int, end: int) -> list[tuple[int, int]]:
    frags, s = [], start
    for i in range(start, end):
        if text[i] in "\r\n":
            if i > s:
                frags.append((s, i))
            s = i + 1
    if end > s:
        frags.append((s, end))
    return frags or [(start, end)]


def to_ann(text: str, values: list[Value]) -> str:
    lines: list[str] = []
    ids: dict[tuple[int, int, str], str] = {}

    def t_line(start: int, end: int, label: str) -> str:
        key = (start, end, label)
        if key not in ids:
            ids[key] = f"T{len(ids) + 1}"
            frags = _fragments(text, start, end)
            where = ";".join(f"{a} {b}" for a, b in frags)
            surface = " ".join(text[a:b] for a, b in frags).replace("\t", " ")
            lines.append(f"{ids[key]}\t{label} {where}\t{surface}")
        return ids[key]

    def ref_id(ref: SpanRef) -> str:
        for (s, e, label), tid in ids.items():
            if (s, e) == (ref.start, ref.end) and (not ref.label or label == ref.label):
                return tid
        return t_line(ref.start, ref.end, ref.label or "TOPIC")

    spans = sorted((v for v in values if isinstance(v, Span)), key=lambda s: (s.start, s.end, s.label))
    for span in spans:
        t_line(span.start, span.end, span.label)
    n_rel = n_attr = 0
    for span in spans:
        if span.kind != "claim":
            continue
        tid = ids[(span.start, span.end, span.label)]
        speaker = span.attrs.get("speaker")
        if isinstance(speaker, dict):
            n_rel += 1
            lines.append(f"R{n_rel}\tSpeaker Arg1:{tid} Arg2:{ref_id(SpanRef.from_dict(speaker))}")
        elif speaker:
            n_attr += 1
            lines.append(f"A{n_attr}\tSpeaker {tid} {speaker}")
        if span.attrs.get("hedged") in (True, "yes"):
            n_attr += 1
            lines.append(f"A{n_attr}\tHedged {tid}")
        if span.attrs.get("claim_type"):
            n_attr += 1
            lines.append(f"A{n_attr}\tClaimType {tid} {span.attrs['claim_type']}")
    for v in (v for v in values if isinstance(v, Stance)):
        n_rel += 1
        lines.append(f"R{n_rel}\t{v.polarity} Arg1:{ref_id(v.source)} Arg2:{ref_id(v.target)}")
    return "\n".join(lines) + ("\n" if lines else "")


def annotation_conf(entity_labels: set[str], relation_labels: set[str]) -> str:
    """brat's annotation.conf for these labels; TOPIC is always declared (an unlabelled stance end is one)."""
    entity_labels = set(entity_labels) | {"TOPIC"}
    rels = "\n".join(f"{r}\tArg1:<ENTITY>, Arg2:<ENTITY>" for r in sorted(relation_labels | {"Speaker"}))
    return ("[entities]\n" + "\n".join(sorted(entity_labels)) + "\n\n[relations]\n" + rels +
            "\n\n[events]\n\n[attributes]\nHedged\tArg:CLAIM\nClaimType\tArg:CLAIM, "
            "Value:event|quantity|rule|causal|prediction|opinion|other\nSpeaker\tArg:CLAIM, Value:AUTHOR|UNNAMED\n")
