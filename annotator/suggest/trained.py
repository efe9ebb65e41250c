"""Suggesting with a pipeline made by `annotator train` (imports spaCy).

The rules need a dependency parse, which a trained pipeline does not have, so its
components are sourced into the base pipeline (the one it was trained on top of, else
the schema's): the trained ``ner`` runs before the base one, which keeps its own
entities only where the trained model predicts none; ``span_finder`` + ``spancat`` add
claim spans; the ``stance/`` classifier re-scores (and may drop) the rules' stance
candidates. The rules remain the candidate generators for claims and stances.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.model import CLAIM, UNNAMED, Span, SpanRef, Stance

META_KEY = "annotator"
NO_STANCE = "NONE"
STANCE_LABELS = ("FAVOR", "AGAINST", "NEUTRAL", NO_STANCE)  # what the stance classifier decides
KEEP, DROP = "KEEP", "DROP"
CLAIM_LABELS = (KEEP, DROP)  # what the claim rescorer decides
RESCORER_DIR = "claims_rescorer"
# The rescorer keeps a broad candidate (one the rules alone never suggest) from KEEP_AT, and drops a
# rule's own claim only below DROP_RULE_AT: dropping more cost recall than it won in precision when
# it was trained on 400 PolNeAR articles and checked on the other 440 (docs/suggest.md).
KEEP_AT = 0.5
DROP_RULE_AT = 0.2
MAX_CONTENT = 240  # characters of a claim's content shown to the rescorer (its start and end)
# The classifier overrules the rules only when it is sure: it drops a candidate it calls NONE
# with at least DROP_AT, and changes a polarity only to one it gives at least FLIP_AT.
DROP_AT = 0.8
FLIP_AT = 0.7
CLAIM_AT = 0.7  # spancat claims below this score are not suggested


def marked_sentence(text: str, stance: Stance) -> str:
    """The evidence sentence (or a window around both ends) with source and target marked."""
    lo, hi = min(stance.source.start, stance.target.start), max(stance.source.end, stance.target.end)
    if stance.evidence:
        lo, hi = min(lo, stance.evidence.start), max(hi, stance.evidence.end)
    else:
        lo = max(text.rfind("\n", 0, lo), text.rfind(". ", 0, lo) + 1, 0)
        ends = [p for p in (text.find("\n", hi), text.find(". ", hi)) if p != -1]
        hi = min(ends) + 1 if ends else len(text)
    marks = sorted([(stance.source.start, " [SRC] "), (stance.source.end, " [/SRC] "),
                    (stance.target.start, " [TGT] "), (stance.target.end, " [/TGT] ")], key=lambda m: m[0])
    out, pos = [], lo
    for at, mark in marks:
        out.append(text[pos:at])
        out.append(mark)
        pos = at
    out.append(text[pos:hi])
    return "".join(out).strip()


def marked_claim(text: str, claim: Span, rule: str) -> str:
    """A claim as the rescorer reads it: its rule and cue, the speaker marked where it is near, and
    the content marked (a long content by its start and end)."""
    a, b = claim.start, claim.end
    content = text[a:b]
    if len(content) > MAX_CONTENT:
        content = content[:MAX_CONTENT * 2 // 3] + " … " + content[-MAX_CONTENT // 3:]
    lo = max(text.rfind("\n", 0, a) + 1, a - 120)
    hi = min(len(text), b + 120)
    nl = text.find("\n", b)
    hi = min(hi, nl) if nl != -1 else hi
    before, after = text[lo:a], text[b:hi]
    speaker = claim.attrs.get("speaker")
    who = speaker if isinstance(speaker, str) else "NAMED"
    if isinstance(speaker, dict):
        s, e = int(speaker["start"]), int(speaker["end"])
        if lo <= s and e <= a:
            before = text[lo:s] + " [SPK] " + text[s:e] + " [/SPK] " + text[e:a]
        elif b <= s and e <= hi:
            after = text[b:s] + " [SPK] " + text[s:e] + " [/SPK] " + text[e:hi]
    cue = " ".join(str(claim.attrs.get("cue") or "").split())
    return f"RULE_{rule} SPEAKER_{who} CUE {cue} | {before} [CLM] {content} [/CLM] {after}".strip()


def trained_meta(path: str | Path) -> dict | None:
    """The `annotator train` record in a pipeline folder's meta.json, or None for other pipelines."""
    meta = Path(path) / "meta.json"
    if not meta.is_file():
        return None
    return json.loads(meta.read_text(encoding="utf-8")).get(META_KEY)


def combine(trained_path: str | Path, base):
    """Source the trained components into `base` (a loaded pipeline with a parser)."""
    import spacy

    trained = spacy.load(trained_path)
    if "ner" in trained.pipe_names:
        if "ner" in base.pipe_names:
            base.rename_pipe("ner", "base_ner")
            base.add_pipe("ner", source=trained, before="base_ner")
        else:
            base.add_pipe("ner", source=trained)
    for name in ("span_finder", "spancat"):
        if name in trained.pipe_names:
            base.add_pipe(name, source=trained)
    base.meta["annotator_trained"] = {"path": str(trained_path), "version": trained.meta.get("version")}
    return base


class ModelClaimSuggester:
    """Claims the trained span categorizer finds where no rule made one (speaker left UNNAMED)."""

    name = "model_claims"
    produces = ("claim",)

    def __init__(self, schema, model_id: str):
        self.schema = schema
        self.version = f"1:{model_id}"

    def suggest(self, ctx, claims: list[Span]) -> list:
        """Claims of the span categorizer in a parsed piece that overlap none of the rules' ``claims``."""
        spans = ctx.doc.spans.get("claims", [])
        scores = getattr(spans, "attrs", {}).get("scores")
        taken = [(c.start, c.end) for c in claims]
        out = []
        for i, span in enumerate(spans):
            start, end = ctx.char_span(span.start, span.end)
            if any(a < end and start < b for a, b in taken):
                continue
            score = float(scores[i]) if scores is not None else 0.5
            if score < CLAIM_AT:
                continue
            out.append((Span(start, end, self.schema.claim.name if self.schema else CLAIM, "claim",
                             {"speaker": UNNAMED, "cue": "", "checkworthy": round(score, 3)}), "model:spancat", score))
        return out


def _shift(stance: Stance, by: int) -> Stance:
    def move(ref):
        return SpanRef(ref.start + by, ref.end + by, ref.label) if ref else None

    return Stance(move(stance.source), move(stance.target), stance.polarity, move(stance.evidence), stance.attrs)


def trained_components(path: str | Path) -> tuple[bool, Path | None, Path | None]:
    """(has a claim span categorizer, the stance classifier's folder, the claim rescorer's folder)."""
    path = Path(path)
    config = (path / "config.cfg").read_text(encoding="utf-8") if (path / "config.cfg").exists() else ""
    stance, rescorer = path / "stance", path / RESCORER_DIR
    return ("spancat" in config, stance if (stance / "config.cfg").exists() else None,
            rescorer if (rescorer / "config.cfg").exists() else None)


class RescoredClaims:
    """The claim rules, each claim kept or dropped by the trained rescorer (scores are its KEEP)."""

    def __init__(self, inner, rescorer_dir: Path, model_id: str):
        import spacy

        self.inner = inner
        self.name = inner.name
        self.produces = inner.produces
        self.version = f"{inner.version}+{model_id}"
        self.nlp = spacy.load(rescorer_dir)

    def suggest(self, ctx) -> list:
        proposals = self.inner.suggest(ctx)
        text, offset = ctx.doc.text, ctx.piece.offset
        out = []
        for (value, rule, _), doc in zip(proposals, self.nlp.pipe(
                marked_claim(text, _shift_span(v, -offset), r) for v, r, _ in proposals)):
            keep = float(doc.cats.get(KEEP, 0.0))
            if keep >= (KEEP_AT if rule == "broad" else DROP_RULE_AT):
                out.append((value, f"{rule}+model", round(keep, 3)))
        return out


def _shift_span(span: Span, by: int) -> Span:
    attrs = dict(span.attrs)
    sp = attrs.get("speaker")
    if isinstance(sp, dict):
        attrs["speaker"] = {**sp, "start": int(sp["start"]) + by, "end": int(sp["end"]) + by}
    return Span(span.start + by, span.end + by, span.label, span.kind, attrs)


class RescoredStances:
    """The stance rules, their candidates re-scored (or dropped) by the trained classifier."""

    def __init__(self, inner, stance_dir: Path, model_id: str):
        self.inner = inner
        self.name = inner.name
        self.produces = inner.produces
        self.version = f"{inner.version}+{model_id}"
        self.classifier = StanceClassifier(stance_dir)

    def suggest(self, ctx) -> list:
        return self.classifier.rescore(ctx.doc.text, self.inner.suggest(ctx), offset=ctx.piece.offset)


class StanceClassifier:
    """The trained stance classifier: decides FAVOR / AGAINST / NEUTRAL / NONE for a candidate."""

    def __init__(self, path: str | Path):
        import spacy

        self.nlp = spacy.load(path)

    def rescore(self, text: str, proposals: list, offset: int = 0) -> list:
        """`text` is the parsed piece, which starts at `offset` of the stored text."""
        out = []
        stances = [(v, r, s) for v, r, s in proposals if isinstance(v, Stance)]
        docs = self.nlp.pipe(marked_sentence(text, _shift(v, -offset)) for v, _, _ in stances)
        for (value, rule, _), doc in zip(stances, docs):
            cats = doc.cats
            if cats.get(NO_STANCE, 0.0) >= DROP_AT:
                continue
            polarity = max((p for p in cats if p != NO_STANCE), key=lambda p: cats[p])
            if cats[polarity] < FLIP_AT:
                polarity = value.polarity
            relabelled = Stance(value.source, value.target, polarity, value.evidence, value.attrs)
            out.append((relabelled, f"{rule}+model" if polarity == value.polarity else f"{rule}>model",
                        round(float(cats.get(polarity, 0.0)), 3)))
        return [p for p in proposals if not isinstance(p[0], Stance)] + out



