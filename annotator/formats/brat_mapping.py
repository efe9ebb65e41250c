"""What brat types mean: which are claims (with speaker and cue), stances, speakers, or ignored.

A mapping is YAML (``annotator import --brat-map FILE``); every key is optional and
extends the defaults:

```yaml
claims:                          # brat types that are claims
  - {type: Attribution, content: Content, speaker: Source, cue: Cue}   # an event: roles name the parts
  - {type: Quote}                # a text-bound type: the span is the claim's content
stances: {Supports: FAVOR, Attacks: AGAINST}   # relation types that are stances -> polarity
speaker_relations: [Speaker]     # relation claim -> speaker span
ignore: [Discard, Discuss]       # types not imported (spans no claim uses, relations, other events)
```

Defaults: text-bound spans with the schema's claim label are claims; any event with a
``Content`` argument is an attribution (PARC/PolNeAR style) — its Content is the claim
(first to last character when it is discontinuous), ``Source`` the speaker (none:
UNNAMED), ``Cue`` the cue; relations named like a polarity (FAVOR, AGAINST, NEUTRAL) are
stances; ``Speaker`` relations give a claim its speaker. Every other text-bound span
becomes an entity (TOPIC spans a topic), every other relation a relation, and an event
nobody mapped becomes its trigger span plus one relation per argument (labelled with the
role). Attributes on spans become span attributes; notes become ``attrs.note``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.formats.brat import Event, Standoff, TextBound
from annotator.model import POLARITIES, TOPIC, UNNAMED, Span, SpanRef, Stance, Value
from annotator.yamlfile import load_yaml

CLAIM_ATTRIBUTES = {"Hedged": "hedged", "ClaimType": "claim_type", "Checkworthy": "checkworthy"}


@dataclass(frozen=True)
class ClaimType:
    """A brat type that is a claim; for an event type, the roles of its content, speaker and cue."""

    type: str
    content: str = "Content"
    speaker: str | None = "Source"
    cue: str | None = "Cue"


@dataclass(frozen=True)
class BratMapping:
    claims: tuple[ClaimType, ...] = ()
    stances: dict = field(default_factory=lambda: {p: p for p in POLARITIES})
    speaker_relations: tuple[str, ...] = ("Speaker",)
    ignore: frozenset = frozenset()

    def claim_type(self, type_: str) -> ClaimType | None:
        return next((c for c in self.claims if c.type == type_), None)


def load_mapping(path: str | Path | None) -> BratMapping:
    """The default mapping, extended by a YAML file; a bad file raises AnnotatorError (file, line)."""
    if path is None:
        return BratMapping()
    path = Path(path)
    if not path.is_file():
        raise AnnotatorError("no such brat mapping file", path)
    doc = load_yaml(path)
    data = doc.data or {}

    def fail(problem: str, *where) -> AnnotatorError:
        return AnnotatorError(problem, path, doc.line(*where))

    if not isinstance(data, dict):
        raise fail("a brat mapping must be a mapping with claims, stances, speaker_relations or ignore")
    for key in data:
        if key not in ("claims", "stances", "speaker_relations", "ignore"):
            raise fail(f"unknown key {key!r} (expected claims, stances, speaker_relations or ignore)", key)
    claims = []
    for i, spec in enumerate(data.get("claims") or []):
        if not isinstance(spec, dict) or not isinstance(spec.get("type"), str) or \
                any(k not in ("type", "content", "speaker", "cue") or not isinstance(v, str) for k, v in spec.items()):
            raise fail("each claim needs 'type' and may name the 'content', 'speaker' and 'cue' roles", "claims", i)
        claims.append(ClaimType(spec["type"], spec.get("content", "Content"), spec.get("speaker"), spec.get("cue")))
    stances = dict(BratMapping().stances)
    for rel, polarity in (data.get("stances") or {}).items():
        if polarity not in POLARITIES:
            raise fail(f"stance {rel!r} maps to {polarity!r}, not one of {', '.join(POLARITIES)}", "stances", rel)
        stances[str(rel)] = polarity
    lists = {}
    for key in ("speaker_relations", "ignore"):
        value = data.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise fail(f"'{key}' must be a list of brat types", key)
        lists[key] = value
    return BratMapping(tuple(claims), stances, ("Speaker", *lists["speaker_relations"]), frozenset(lists["ignore"]))


class _Converter:
    """Turns one parsed .ann into values; ``claim_label`` and ``topic_label`` come from the schema."""

    def __init__(self, standoff: Standoff, text: str, mapping: BratMapping, claim_label: str, topic_label: str):
        self.so = standoff
        self.text = text
        self.mapping = mapping
        self.claim_label = claim_label
        self.topic_label = topic_label
        self.used: set[str] = set()  # T ids that are parts of a claim, not spans of their own
        self.values: list[Value] = []

    def convert(self) -> list[Value]:
        for event in self.so.events.values():
            self._event(event)
        speakers = self._speakers()
        for tb in self.so.textbounds.values():
            if tb.id not in self.used and tb.type not in self.mapping.ignore and not self._reference_only(tb.id):
                self.values.append(self._span(tb, speakers.get(tb.id)))
        for rel in self.so.relations.values():
            if rel.type not in self.mapping.speaker_relations and rel.type not in self.mapping.ignore:
                self.values.append(self._relation(rel.id, rel.type, rel.args))
        return self.values

    # --- claims from events ---------------------------------------------------------------

    def _event(self, event: Event) -> None:
        mapped = self.mapping.claim_type(event.type)
        if mapped is None and event.role("Content"):
            mapped = ClaimType(event.type)
        if mapped is None or not event.role(mapped.content):
            if event.type in self.mapping.ignore:
                self.used.add(event.trigger)
            else:
                self._generic_event(event)
            return
        self.used.add(event.trigger)
        contents = [self._tb(ref) for ref in event.role(mapped.content)]
        speakers = [self._tb(ref) for ref in (event.role(mapped.speaker) if mapped.speaker else [])]
        cues = [self._tb(ref) for ref in (event.role(mapped.cue) if mapped.cue else [])]
        self.used.update(tb.id for tb in contents + speakers + cues)
        frags = sorted(f for tb in contents for f in tb.fragments)
        attrs: dict = {"speaker": UNNAMED, "speaker_text": ""}
        if speakers:
            first = speakers[0]
            attrs = {"speaker": SpanRef(first.start, first.end, "").to_dict(), "speaker_text": self._text(first)}
        if cues:
            attrs["cue"] = " ".join(self._text(c) for c in cues)
            attrs["cue_span"] = {"start": cues[0].start, "end": cues[-1].end}
        if len(frags) > 1 and any(self.text[a:b].strip() for (_, a), (b, _) in zip(frags, frags[1:])):
            attrs["fragments"] = [list(f) for f in frags]
        attrs["brat_type"] = event.type
        self.values.append(Span(frags[0][0], frags[-1][1], self.claim_label, "claim", attrs))

    def _generic_event(self, event: Event) -> None:
        """An event nobody mapped: its trigger stays a span; each argument a relation from the trigger."""
        for role, ref in event.args:
            self.values.append(self._relation(event.id, role, (("Arg1", event.trigger), ("Arg2", ref))))

    # --- spans ---------------------------------------------------------------------------

    def _speakers(self) -> dict[str, dict]:
        """Claim T id -> speaker attrs, from Speaker relations and Speaker attributes."""
        out = {}
        for rel in self.so.relations.values():
            if rel.type in self.mapping.speaker_relations:
                claim, spk = self._tb(rel.args[0][1]), self._tb(rel.args[1][1])
                out[claim.id] = {"speaker": SpanRef(spk.start, spk.end, self._label(spk)).to_dict()}
        for attr in self.so.attributes:
            if attr.type == "Speaker" and attr.value:
                out[attr.target] = {"speaker": attr.value}
        return out

    def _span(self, tb: TextBound, speaker: dict | None) -> Span:
        note = self.so.annotator_note(tb.id)
        is_claim = tb.type == self.claim_label or self.mapping.claim_type(tb.type) is not None
        kind = "claim" if is_claim else TOPIC if tb.type == self.topic_label else "entity"
        attrs: dict = {}
        if note is not None and isinstance(note.get("attrs"), dict):
            kind = note.get("kind", kind)
            attrs = dict(note["attrs"])
        else:
            for attr in self.so.attributes_of(tb.id):
                key = CLAIM_ATTRIBUTES.get(attr.type, attr.type) if is_claim else attr.type
                if attr.type != "Speaker":
                    attrs[key] = attr.value if attr.value is not None else True
            if len(tb.fragments) > 1 and any(self.text[a:b].strip() for (_, a), (b, _) in zip(tb.fragments, tb.fragments[1:])):
                attrs["fragments"] = [list(f) for f in tb.fragments]
            others = self.so.other_notes(tb.id)
            if others:
                attrs["note"] = "\n".join(others)
        if speaker and kind == "claim":
            attrs = {**speaker, **attrs}
        label = self.claim_label if is_claim else self._label(tb)
        return Span(tb.start, tb.end, label, kind, attrs)

    def _relation(self, rid: str, type_: str, args) -> Stance:
        note = self.so.annotator_note(rid)
        source, target = (self._ref(ref) for _, ref in args[:2])
        if note is not None and isinstance(note.get("source"), dict) and isinstance(note.get("target"), dict):
            ev = note.get("evidence")
            label = note["label"] if isinstance(note.get("label"), str) and note["label"] else type_
            return Stance(SpanRef.from_dict(note["source"]), SpanRef.from_dict(note["target"]), label,
                          SpanRef.from_dict(ev) if isinstance(ev, dict) else None, dict(note.get("attrs") or {}))
        polarity = self.mapping.stances.get(type_)
        attrs = {} if polarity else {"relation": "relation"}
        return Stance(source, target, polarity or type_, None, attrs)

    # --- helpers -------------------------------------------------------------------------

    def _tb(self, ref: str) -> TextBound:
        """The text-bound annotation an id stands for (an event stands for its trigger)."""
        if ref in self.so.events:
            ref = self.so.events[ref].trigger
        if ref in self.so.relations:
            ref = self.so.relations[ref].args[0][1]
        return self.so.textbounds[ref]

    def _ref(self, ref: str) -> SpanRef:
        tb = self._tb(ref)
        return SpanRef(tb.start, tb.end, self._label(tb))

    def _label(self, tb: TextBound) -> str:
        """A T line's label: its type, unless an annotator export's note says what the label really is (a
        stance end's or speaker's own label, or a label brat's types cannot hold, such as one with a space)."""
        note = self.so.annotator_note(tb.id) or {}
        if note.get("reference") or (isinstance(note.get("label"), str) and note["label"]):
            return note["label"]
        return tb.type

    def _reference_only(self, tid: str) -> bool:
        return bool((self.so.annotator_note(tid) or {}).get("reference"))

    def _text(self, tb: TextBound) -> str:
        return " ".join(self.text[a:b] for a, b in tb.fragments)


def to_values(standoff: Standoff, text: str, mapping: BratMapping | None = None, *, claim_label: str = "CLAIM",
              topic_label: str = "TOPIC") -> list[Value]:
    """Our values (spans, claims, stances, relations) for a parsed .ann file."""
    return _Converter(standoff, text, mapping or BratMapping(), claim_label, topic_label).convert()


CONFIG_FILES = ("annotation.conf", "visual.conf", "tools.conf", "kb_shortcuts.conf")  # brat's, not documents


def is_brat(path: Path) -> bool:
    """A .txt with a .ann of the same name beside it (or that .ann itself) is a brat document."""
    suffix = path.suffix.lower()
    return (suffix == ".txt" and path.with_suffix(".ann").is_file()) or suffix == ".ann"


def read_pair(path: Path, mapping: BratMapping, claim_label: str = "CLAIM") -> tuple[str, dict, list[Value]]:
    """(text, meta, values) of the brat document NAME.txt + NAME.ann that `path` names (either file)."""
    from annotator.formats.brat import parse_ann
    from annotator.formats.files import read_text

    txt, ann = path.with_suffix(".txt"), path.with_suffix(".ann")
    if not txt.is_file():
        raise AnnotatorError(f"a brat .ann file needs its text beside it ({txt.name} is missing)", ann)
    text = read_text(txt)
    bom = txt.read_bytes()[:3] == b"\xef\xbb\xbf"  # brat counts a byte-order mark as a character
    standoff = parse_ann(read_text(ann), "\ufeff" + text if bom else text, ann)
    values = to_values(standoff, "\ufeff" + text if bom else text, mapping, claim_label=claim_label)
    if bom:  # back to offsets into the text without it; a span that starts on the mark starts after it
        values = [_without_bom(v, ann) for v in values]
    title = next((line.strip() for line in text.splitlines() if line.strip()), "")
    return text, {"source": str(txt), "title": title[:200]}, values


def _without_bom(value: Value, ann: Path) -> Value:
    """A value read against text with a byte-order mark first, moved to offsets into the text without it:
    its own bounds, its ends and evidence, and the offsets in a claim's attributes (speaker, cue, fragments)."""
    def pos(n: int) -> int:
        return max(n - 1, 0)

    def ref(r):
        if r is None:
            return None
        if r.end <= 1:
            raise AnnotatorError(f"a span at {r.start}-{r.end} holds nothing but the byte-order mark", ann)
        return SpanRef(pos(r.start), pos(r.end), r.label)

    def bounds(d):
        if not isinstance(d, dict) or type(d.get("start")) is not int or type(d.get("end")) is not int:
            return d  # AUTHOR, UNNAMED or a name
        return {**d, "start": pos(d["start"]), "end": pos(d["end"])}

    if isinstance(value, Stance):
        return Stance(ref(value.source), ref(value.target), value.polarity, ref(value.evidence), value.attrs)
    ref(SpanRef(value.start, value.end, value.label))
    attrs = dict(value.attrs)
    for key in ("speaker", "cue_span"):
        if key in attrs:
            attrs[key] = bounds(attrs[key])
    if isinstance(attrs.get("fragments"), list):
        attrs["fragments"] = [[pos(n) if type(n) is int else n for n in f] if isinstance(f, list) else f
                              for f in attrs["fragments"]]
    return Span(pos(value.start), pos(value.end), value.label, value.kind, attrs)
