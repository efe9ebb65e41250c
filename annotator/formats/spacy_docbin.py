"""spaCy DocBin (``.spacy``) export for ``spacy train``.

Entities go to ``doc.ents`` (overlaps resolved longest-first; every entity is also kept
in ``doc.spans["entities"]``), claims to ``doc.spans["claims"]``, topics to
``doc.spans["topics"]``, and stances plus claim attributes to ``doc.user_data``.
Spans that do not fall on token boundaries are expanded to the enclosing tokens; a span of whitespace
alone holds no token and is left out (an empty span breaks ``spacy train``).
"""

from __future__ import annotations

from pathlib import Path

from annotator.model import Span, Stance, Value


def to_doc(text: str, values: list[Value], meta: dict | None = None):
    """A spaCy Doc carrying the layer's items; returns (doc, count of spans moved to token bounds, count of
    spans left out because they hold no token: whitespace alone)."""
    from spacy.util import filter_spans

    from annotator.formats.tokens import blank_nlp

    doc = blank_nlp().make_doc(text)
    moved = dropped = 0
    groups: dict[str, list] = {"entities": [], "claims": [], "topics": []}
    claim_attrs = []
    for v in sorted((v for v in values if isinstance(v, Span)), key=lambda s: (s.start, s.end)):
        span = doc.char_span(v.start, v.end, label=v.label, alignment_mode="expand")
        if span is None or not len(span):
            dropped += 1
            continue
        if (span.start_char, span.end_char) != (v.start, v.end):
            moved += 1
        group = {"entity": "entities", "claim": "claims", "topic": "topics"}[v.kind]
        groups[group].append(span)
        if v.kind == "claim":
            claim_attrs.append({"start": v.start, "end": v.end, "attrs": v.attrs})
    doc.ents = filter_spans(groups["entities"])
    for name, spans in groups.items():
        doc.spans[name] = spans
    doc.user_data["stances"] = [
        {"source": v.source.to_dict(), "target": v.target.to_dict(), "polarity": v.polarity,
         "evidence": v.evidence.to_dict() if v.evidence else None}
        for v in values if isinstance(v, Stance)]
    doc.user_data["claims"] = claim_attrs
    doc.user_data["meta"] = dict(meta or {})
    return doc, moved, dropped


def write_docbin(path: Path, docs) -> None:
    from spacy.tokens import DocBin

    DocBin(attrs=["ORTH", "ENT_IOB", "ENT_TYPE"], store_user_data=True, docs=docs).to_disk(path)
