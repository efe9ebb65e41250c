"""Label schemas: YAML files validated into frozen objects.

A schema names the entity labels (each with a picker key and a colour), which of them
are actors (who can speak or hold a stance), the claim label and its attributes, the
topic label, the stance polarities, the spaCy pipelines to suggest with, and how model
labels map to schema labels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from rich.color import Color, ColorParseError

from annotator.errors import AnnotatorError
from annotator.model import POLARITIES
from annotator.yamlfile import Located, load_yaml

DEFAULT_SCHEMA = "news"
LABEL_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_\-]*$")
ATTRIBUTE_TYPES = ("speaker", "text", "choice", "score", "bool")
DEFAULT_ACTORS = ("PERSON", "ORG", "GPE", "NORP")


@dataclass(frozen=True)
class Label:
    name: str
    key: str
    color: str
    description: str = ""


@dataclass(frozen=True)
class Attribute:
    name: str
    type: str
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Schema:
    name: str
    path: str
    entities: tuple[Label, ...]
    claim: Label
    claim_attributes: tuple[Attribute, ...]
    topic: Label
    polarities: tuple[Label, ...]
    models: tuple[str, ...] = ()
    model_labels: dict = field(default_factory=dict)
    lexicons: dict = field(default_factory=dict)
    description: str = ""
    actors: tuple[str, ...] = DEFAULT_ACTORS  # entity labels that can speak or hold a stance

    @property
    def entity_names(self) -> tuple[str, ...]:
        return tuple(label.name for label in self.entities)

    def label(self, name: str) -> Label | None:
        for label in self.entities + (self.claim, self.topic) + self.polarities:
            if label.name == name:
                return label
        return None

    def color(self, name: str) -> str:
        label = self.label(name)
        return label.color if label else "#d0d0d0"

    def map_model_label(self, model_label: str) -> str | None:
        """The schema label for a model label (unmapped labels keep their own name; null drops)."""
        if model_label in self.model_labels:
            return self.model_labels[model_label]
        return model_label

    def known(self, label: str, kind: str) -> bool:
        if kind == "entity":
            return label in self.entity_names
        if kind == "claim":
            return label == self.claim.name
        if kind == "topic":
            return label == self.topic.name
        if kind == "stance":
            return label in {p.name for p in self.polarities}
        return False


def builtin_schema_path(name: str = DEFAULT_SCHEMA) -> Path:
    """Find a bundled schema, from a checkout or from an installed wheel."""
    checkout = Path(__file__).resolve().parent.parent / "schemas" / f"{name}.yaml"
    if checkout.is_file():
        return checkout
    installed = resources.files("annotator") / "_schemas" / f"{name}.yaml"
    if installed.is_file():
        return Path(str(installed))
    raise AnnotatorError(f"no bundled schema named {name!r}")


def load_schema(path: str | Path | None = None) -> Schema:
    """Load and validate a schema file (the bundled ``news`` schema by default)."""
    path = Path(path) if path else builtin_schema_path()
    if not path.exists():
        raise AnnotatorError("no such schema file", path)
    return _validate(load_yaml(path), path)


SECTIONS = {"name", "description", "models", "model_labels", "entities", "claim", "topic", "stance", "lexicons",
            "actors"}


def _validate(doc: Located, path: Path) -> Schema:
    """The schema a parsed YAML file describes, or a one-line error naming its line."""
    data = doc.data
    check = _Checker(doc, path)
    if not isinstance(data, dict):
        raise check.fail("a schema must be a mapping with an 'entities' section")
    for key in data:
        if key not in SECTIONS:
            raise check.fail(f"unknown section {key!r} (expected one of {', '.join(sorted(SECTIONS))})", key)
    for key in ("name", "description"):
        check.text(data.get(key), key)
    entities = check.entities(data.get("entities"))
    claim, attributes = check.claim(data.get("claim") or {})
    topic = check.topic(data.get("topic") or {})
    for label, kind in ((claim, "claim"), (topic, "topic")):
        if label.name in {e.name for e in entities}:  # a span so labelled would be read back as a claim (topic)
            raise check.fail(f"entity label {label.name} is also the {kind} label; name one of them otherwise",
                             "entities", label.name)
    lexicons = data.get("lexicons") or {}
    if not isinstance(lexicons, dict):
        raise check.fail("'lexicons' must be a mapping", "lexicons")
    return Schema(
        name=str(data.get("name") or path.stem),
        path=str(path),
        entities=entities,
        claim=claim,
        claim_attributes=attributes,
        topic=topic,
        polarities=check.polarities(data.get("stance") or {}),
        models=check.models(data.get("models") or []),
        model_labels=check.model_labels(data.get("model_labels") or {}, entities),
        lexicons=dict(lexicons),
        description=str(data.get("description") or ""),
        actors=check.actors(data.get("actors", None), entities),
    )


class _Checker:
    """Each section of a schema file checked on its own; errors name the file and line."""

    def __init__(self, doc: Located, path: Path) -> None:
        self.doc, self.path = doc, path
        self.keys_seen: dict[str, str] = {}

    def fail(self, problem: str, *where: Any) -> AnnotatorError:
        return AnnotatorError(problem, self.path, self.doc.line(*where))

    def text(self, value: Any, key: str) -> None:
        """A top-level text (name, description): absent or a string (shown made inert, see annotator.textsafe)."""
        if value is not None and not isinstance(value, str):
            raise self.fail(f"'{key}' must be text, not {type(value).__name__}", key)

    def label(self, name: Any, spec: Any, where: tuple) -> Label:
        fail = self.fail
        if not isinstance(name, str) or not LABEL_RE.match(name):
            raise fail(f"label name {name!r} must be letters, digits, _ or -", *where)
        if not isinstance(spec, dict):
            raise fail(f"label {name} needs a mapping with 'key' and 'color'", *where)
        for k in spec:
            if k not in ("key", "color", "description"):
                raise fail(f"label {name}: unknown field {k!r}", *where, k)
        key = spec.get("key")
        if not isinstance(key, str) or len(key) != 1 or key.isspace():
            raise fail(f"label {name}: 'key' must be one character", *where, "key")
        if key in self.keys_seen:
            raise fail(f"key {key!r} is bound twice ({self.keys_seen[key]} and {name})", *where, "key")
        self.keys_seen[key] = name
        color = spec.get("color")
        try:
            if not isinstance(color, str):
                raise ColorParseError(color)
            Color.parse(color)
        except ColorParseError:
            raise fail(f"label {name}: {color!r} is not a colour", *where, "color") from None
        return Label(name, key, color, str(spec.get("description") or ""))

    def entities(self, spec: Any) -> tuple[Label, ...]:
        if not isinstance(spec, dict) or not spec:
            raise self.fail("'entities' must map each entity label to its key and colour", "entities")
        return tuple(self.label(n, s, ("entities", n)) for n, s in spec.items())

    def claim(self, spec: Any) -> tuple[Label, tuple[Attribute, ...]]:
        if not isinstance(spec, dict):
            raise self.fail("'claim' must be a mapping", "claim")
        spec = {"key": "C", "color": "yellow", **spec}
        claim = self.label(spec.get("label", "CLAIM"),
                           {k: v for k, v in spec.items() if k in ("key", "color", "description")}, ("claim",))
        attr_spec = spec.get("attributes") or {}
        if not isinstance(attr_spec, dict):
            raise self.fail("'claim.attributes' must be a mapping", "claim", "attributes")
        attributes = tuple(self.attribute(name, a) for name, a in attr_spec.items())
        for extra in spec:
            if extra not in ("label", "key", "color", "description", "attributes"):
                raise self.fail(f"claim: unknown field {extra!r}", "claim", extra)
        return claim, attributes

    def attribute(self, name: Any, spec: Any) -> Attribute:
        where = ("claim", "attributes", name)
        if not isinstance(spec, dict) or spec.get("type") not in ATTRIBUTE_TYPES:
            raise self.fail(f"claim attribute {name!r} needs a type, one of {', '.join(ATTRIBUTE_TYPES)}", *where)
        choices = spec.get("choices") or []
        if spec["type"] == "choice" and (not isinstance(choices, list) or not choices):
            raise self.fail(f"claim attribute {name!r} of type choice needs a list of choices", *where)
        return Attribute(name, spec["type"], tuple(str(c) for c in choices), str(spec.get("description") or ""))

    def topic(self, spec: Any) -> Label:
        if not isinstance(spec, dict):
            raise self.fail("'topic' must be a mapping", "topic")
        spec = {"key": "T", "color": "cyan", **spec}
        return self.label(spec.get("label", "TOPIC"), {k: v for k, v in spec.items() if k != "label"}, ("topic",))

    def polarities(self, stance_spec: Any) -> tuple[Label, ...]:
        spec = stance_spec.get("polarities") if isinstance(stance_spec, dict) else None
        if spec is None:
            spec = {"FAVOR": {"key": "+", "color": "green"}, "AGAINST": {"key": "-", "color": "red"},
                    "NEUTRAL": {"key": "=", "color": "grey70"}}
        if not isinstance(spec, dict):
            raise self.fail("'stance.polarities' must be a mapping", "stance")
        polarities = tuple(self.label(n, s, ("stance", "polarities", n)) for n, s in spec.items())
        for name in POLARITIES:
            if name not in {p.name for p in polarities}:
                raise self.fail(f"stance polarities must include {name}", "stance", "polarities")
        return polarities

    def models(self, models: Any) -> tuple[str, ...]:
        if isinstance(models, str):
            models = [models]
        if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
            raise self.fail("'models' must be a list of spaCy pipeline names", "models")
        return tuple(models)

    def model_labels(self, model_labels: Any, entities: tuple[Label, ...]) -> dict:
        if not isinstance(model_labels, dict):
            raise self.fail("'model_labels' must map model labels to schema labels", "model_labels")
        names = {e.name for e in entities}
        for model_label, target in model_labels.items():
            if target is not None and not isinstance(target, str):
                raise self.fail(f"model label {model_label} must map to one entity label (or null), not a "
                                f"{type(target).__name__}", "model_labels", model_label)
            if target is not None and target not in names:
                raise self.fail(f"model label {model_label} maps to {target!r}, which is not an entity label",
                                "model_labels", model_label)
        return dict(model_labels)

    def actors(self, actors: Any, entities: tuple[Label, ...]) -> tuple[str, ...]:
        names = {e.name for e in entities}
        if actors is None:
            actors = [a for a in DEFAULT_ACTORS if a in names]
        if not isinstance(actors, list) or not all(isinstance(a, str) for a in actors):
            raise self.fail("'actors' must be a list of entity labels", "actors")
        for i, actor in enumerate(actors):
            if actor not in names:
                raise self.fail(f"actor label {actor!r} is not an entity label", "actors", i)
        return tuple(actors)
