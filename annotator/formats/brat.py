"""brat standoff, both directions: one ``NAME.txt`` and ``NAME.ann`` per document.

Export: T lines for spans (split into fragments at line breaks), R lines for stances
(``FAVOR Arg1:T1 Arg2:T2``) and claim speakers (``Speaker``), A lines for claim
attributes (``Hedged``, ``ClaimType``), plus ``annotation.conf``. What brat has no
place for travels in ``AnnotatorNotes`` lines whose text starts with ``annotator:``
and holds JSON: a value's other attributes, a stance's evidence and exact ends, and
T lines that are only a stance end or a speaker (not an annotated span). So an
exported folder imports back to the same values.

Import: :func:`parse_ann` reads every brat line type — ``T`` (text-bound, also
discontinuous ``a b;c d``), ``R``, ``E``, ``A``/``M``, ``N``, ``#`` notes and ``*``
equivalences — checking ids, references, offsets and that each T line's text is the
text at its offsets; a bad line raises AnnotatorError with the file and line.
``annotator.formats.brat_mapping`` turns the parsed standoff into our values.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import AnnotatorError
from annotator.model import Span, SpanRef, Stance, Value

NOTE_PREFIX = "annotator: "  # AnnotatorNotes written (and read back) by annotator
UNSAFE_IN_NAME = re.compile(r"[^A-Za-z0-9_.-]+")
UNSAFE_IN_TYPE = re.compile(r"[\s:;,|<>!=#]+")  # what brat's .ann lines and annotation.conf give a meaning to
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


def brat_type(label: str) -> str:
    """A label as a brat type: whitespace and the characters brat's lines and configuration give a meaning to
    (``:`` ``;`` ``,`` ``|`` ``<`` ``>`` ``!`` ``=`` ``#``) become ``_``; the export's notes keep the real label."""
    return UNSAFE_IN_TYPE.sub("_", label) if UNSAFE_IN_TYPE.search(label) else label


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
    notes: list[tuple[str, dict]] = []  # (id, what brat has no place for)

    def t_line(start: int, end: int, label: str) -> str:
        key = (start, end, label)
        if key not in ids:
            ids[key] = f"T{len(ids) + 1}"
            frags = _fragments(text, start, end)
            where = ";".join(f"{a} {b}" for a, b in frags)
            surface = " ".join(text[a:b] for a, b in frags).replace("\t", " ")
            lines.append(f"{ids[key]}\t{brat_type(label)} {where}\t{surface}")
        return ids[key]

    def ref_id(ref: SpanRef) -> str:
        for (s, e, label), tid in ids.items():
            if (s, e) == (ref.start, ref.end) and (not ref.label or label == ref.label):
                return tid
        tid = t_line(ref.start, ref.end, ref.label or "TOPIC")
        notes.append((tid, {"reference": True, "label": ref.label}))  # a stance end or speaker, not a span
        return tid

    spans = sorted((v for v in values if isinstance(v, Span)), key=lambda s: (s.start, s.end, s.label))
    for span in spans:
        t_line(span.start, span.end, span.label)
    n_rel = n_attr = 0
    for span in spans:
        if span.attrs or span.kind != "entity" or brat_type(span.label) != span.label:
            note = {"kind": span.kind, "attrs": span.attrs}
            notes.append((ids[(span.start, span.end, span.label)],
                          note if brat_type(span.label) == span.label else {**note, "label": span.label}))
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
        lines.append(f"R{n_rel}\t{brat_type(v.polarity)} Arg1:{ref_id(v.source)} Arg2:{ref_id(v.target)}")
        note = {"source": v.source.to_dict(), "target": v.target.to_dict(),
                "evidence": v.evidence.to_dict() if v.evidence else None, "attrs": v.attrs}
        notes.append((f"R{n_rel}", note if brat_type(v.polarity) == v.polarity else {**note, "label": v.polarity}))
    for n, (target, data) in enumerate(notes, 1):
        lines.append(f"#{n}\tAnnotatorNotes {target}\t{NOTE_PREFIX}{json.dumps(data, ensure_ascii=False)}")
    return "\n".join(lines) + ("\n" if lines else "")


def annotation_conf(entity_labels: set[str], relation_labels: set[str]) -> str:
    """brat's annotation.conf for these labels; TOPIC is always declared (an unlabelled stance end is one)."""
    entity_labels = {brat_type(label) for label in entity_labels} | {"TOPIC"}
    relation_labels = {brat_type(label) for label in relation_labels}
    rels = "\n".join(f"{r}\tArg1:<ENTITY>, Arg2:<ENTITY>" for r in sorted(relation_labels | {"Speaker"}))
    return ("[entities]\n" + "\n".join(sorted(entity_labels)) + "\n\n[relations]\n" + rels +
            "\n\n[events]\n\n[attributes]\nHedged\tArg:CLAIM\nClaimType\tArg:CLAIM, "
            "Value:event|quantity|rule|causal|prediction|opinion|other\nSpeaker\tArg:CLAIM, Value:AUTHOR|UNNAMED\n")


# --- import: reading standoff ------------------------------------------------------------------

ID_RE = re.compile(r"^(?:[TREAMN#]\d+|\*)$")
OFFSETS_RE = re.compile(r"^\d+ \d+(?:;\d+ \d+)*$")
TYPE_RE = re.compile(r"^[^\s:]+$")


@dataclass(frozen=True)
class TextBound:
    """A T line: a typed span, perhaps in several fragments (character offsets, end-exclusive)."""

    id: str
    type: str
    fragments: tuple[tuple[int, int], ...]
    line: int

    @property
    def start(self) -> int:
        return self.fragments[0][0]

    @property
    def end(self) -> int:
        return self.fragments[-1][1]


@dataclass(frozen=True)
class Relation:
    """An R line: ``Type Arg1:T1 Arg2:T2``."""

    id: str
    type: str
    args: tuple[tuple[str, str], ...]  # (role, id)
    line: int


@dataclass(frozen=True)
class Event:
    """An E line: ``Type:Trigger Role:Id ...``."""

    id: str
    type: str
    trigger: str
    args: tuple[tuple[str, str], ...]
    line: int

    def role(self, name: str) -> list[str]:
        """Ids of the arguments in a role ("Theme" also matches "Theme2")."""
        return [ref for role, ref in self.args if role == name or (role.startswith(name) and role[len(name):].isdigit())]


@dataclass(frozen=True)
class Attribute:
    """An A (or old-style M) line: ``Type Target [Value]``; a binary attribute has value None."""

    id: str
    type: str
    target: str
    value: str | None
    line: int


@dataclass
class Standoff:
    """Everything in one .ann file, by id."""

    textbounds: dict[str, TextBound] = field(default_factory=dict)
    relations: dict[str, Relation] = field(default_factory=dict)
    events: dict[str, Event] = field(default_factory=dict)
    attributes: list[Attribute] = field(default_factory=list)
    notes: dict[str, list[str]] = field(default_factory=dict)  # target id -> note texts
    equivs: list[tuple[str, ...]] = field(default_factory=list)

    def attributes_of(self, target: str) -> list[Attribute]:
        return [a for a in self.attributes if a.target == target]

    def annotator_note(self, target: str) -> dict | None:
        """The JSON an annotator export wrote for an id, if any."""
        for note in self.notes.get(target, []):
            if note.startswith(NOTE_PREFIX):
                try:
                    data = json.loads(note[len(NOTE_PREFIX):])
                except ValueError:
                    return None
                return data if isinstance(data, dict) else None
        return None

    def other_notes(self, target: str) -> list[str]:
        return [n for n in self.notes.get(target, []) if not n.startswith(NOTE_PREFIX)]


def parse_ann(ann: str, text: str, path: str | Path) -> Standoff:
    """Parse and check a .ann file against its text; a bad line raises AnnotatorError (file, line)."""
    out = Standoff()
    lines = ann.split("\n")
    n = 0
    while n < len(lines):
        raw = lines[n].rstrip("\r")
        n += 1
        if not raw.strip():
            continue
        fields = raw.split("\t")
        ident = fields[0]
        if not ID_RE.match(ident):
            raise AnnotatorError(f"not a brat annotation line (it should start with an id such as T1, R1, E1, "
                                 f"A1 or #1 and a tab): {raw[:60]!r}", path, n)
        if len(fields) < 2:
            raise AnnotatorError(f"{ident}: no tab after the id", path, n)
        kind = ident[0]
        if kind == "T":
            extra = _textbound(out, fields, text, path, n, lines)
            n += extra
        elif kind == "R":
            _relation(out, fields, path, n)
        elif kind == "E":
            _event(out, fields, path, n)
        elif kind in "AM":
            _attribute(out, fields, path, n)
        elif kind == "#":
            _note(out, fields, path, n)
        elif kind == "*":
            out.equivs.append(tuple(fields[1].split()[1:]))
        # N lines (normalisations to external databases) are valid and not imported
    _check_references(out, path)
    return out


def _textbound(out: Standoff, fields: list[str], text: str, path, n: int, lines: list[str]) -> int:
    """Read a T line (and the lines its text runs on to); returns how many extra lines it used."""
    ident = fields[0]
    type_, _, offsets = fields[1].partition(" ")
    if not TYPE_RE.match(type_) or not OFFSETS_RE.match(offsets.strip()):
        raise AnnotatorError(f"{ident}: expected 'TYPE START END' (fragments separated by ';'), "
                             f"got {fields[1][:60]!r}", path, n)
    frags = tuple(tuple(int(x) for x in frag.split()) for frag in offsets.strip().split(";"))
    for a, b in frags:
        if b > len(text):
            raise AnnotatorError(f"{ident}: offsets {a}-{b} lie outside the text (length {len(text)})", path, n)
        if b <= a:
            raise AnnotatorError(f"{ident}: offsets {a}-{b} have end <= start", path, n)
    if ident in out.textbounds:
        raise AnnotatorError(f"{ident} is defined twice (first on line {out.textbounds[ident].line})", path, n)
    expected = " ".join(text[a:b] for a, b in frags)
    written = "\t".join(fields[2:])
    extra = 0
    # the text of a span over a line break runs on over the next lines of the .ann
    while _norm(written) != _norm(expected) and expected.count("\n") > written.count("\n") \
            and n + extra < len(lines) and not ID_RE.match(lines[n + extra].split("\t")[0]):
        written += "\n" + lines[n + extra].rstrip("\r")
        extra += 1
    if len(fields) > 2 and _norm(written) != _norm(expected):
        raise AnnotatorError(f"{ident}: its text {written[:40]!r} is not the text at {offsets.strip()} "
                             f"({expected[:40]!r}); is the .txt the one this .ann belongs to?", path, n)
    out.textbounds[ident] = TextBound(ident, type_, tuple(sorted(frags)), n)  # brat allows any order
    return extra


def _norm(s: str) -> str:
    return " ".join(s.split())


def _args(ident: str, parts: list[str], path, n: int) -> tuple[tuple[str, str], ...]:
    args = []
    for part in parts:
        role, sep, ref = part.partition(":")
        if not sep or not role or not ID_RE.match(ref or "-") or ref[0] not in "TE":
            raise AnnotatorError(f"{ident}: argument {part!r} should be ROLE:ID (for example Arg1:T3)", path, n)
        args.append((role, ref))
    return tuple(args)


def _relation(out: Standoff, fields: list[str], path, n: int) -> None:
    ident = fields[0]
    parts = fields[1].split()
    if len(parts) != 3 or not TYPE_RE.match(parts[0]):
        raise AnnotatorError(f"{ident}: expected 'TYPE Arg1:ID Arg2:ID', got {fields[1][:60]!r}", path, n)
    if ident in out.relations:
        raise AnnotatorError(f"{ident} is defined twice", path, n)
    out.relations[ident] = Relation(ident, parts[0], _args(ident, parts[1:], path, n), n)


def _event(out: Standoff, fields: list[str], path, n: int) -> None:
    ident = fields[0]
    parts = fields[1].split()
    type_, sep, trigger = parts[0].partition(":") if parts else ("", "", "")
    if not sep or not type_ or not trigger.startswith("T"):
        raise AnnotatorError(f"{ident}: expected 'TYPE:TRIGGER ROLE:ID ...', got {fields[1][:60]!r}", path, n)
    if ident in out.events:
        raise AnnotatorError(f"{ident} is defined twice", path, n)
    out.events[ident] = Event(ident, type_, trigger, _args(ident, parts[1:], path, n), n)


def _attribute(out: Standoff, fields: list[str], path, n: int) -> None:
    ident = fields[0]
    parts = fields[1].split(" ", 2)
    if len(parts) < 2 or not TYPE_RE.match(parts[0]) or not ID_RE.match(parts[1]) or parts[1][0] not in "TRE":
        raise AnnotatorError(f"{ident}: expected 'TYPE TARGET [VALUE]', got {fields[1][:60]!r}", path, n)
    value = parts[2].strip() if len(parts) > 2 and parts[2].strip() else None
    out.attributes.append(Attribute(ident, parts[0], parts[1], value, n))


def _note(out: Standoff, fields: list[str], path, n: int) -> None:
    ident = fields[0]
    parts = fields[1].split()
    if len(parts) != 2 or not ID_RE.match(parts[1]):
        raise AnnotatorError(f"{ident}: expected 'AnnotatorNotes TARGET' before the note text", path, n)
    out.notes.setdefault(parts[1], []).append("\t".join(fields[2:]))


def _check_references(out: Standoff, path) -> None:
    known = set(out.textbounds) | set(out.events) | set(out.relations)
    for item in list(out.relations.values()) + list(out.events.values()):
        refs = [ref for _, ref in item.args] + ([item.trigger] if isinstance(item, Event) else [])
        for ref in refs:
            if ref not in known:
                raise AnnotatorError(f"{item.id} refers to {ref}, which is not defined in the file", path, item.line)
    for attr in out.attributes:
        if attr.target not in known:
            raise AnnotatorError(f"{attr.id} refers to {attr.target}, which is not defined in the file", path, attr.line)
