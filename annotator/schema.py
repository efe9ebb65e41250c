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


def _validate(doc: Located, path: Path) -> Schema:
    data = doc.data

    def fail(problem: str, *where: Any) -> AnnotatorError:
        return AnnotatorError(problem, path, doc.line(*where))

    if not isinstance(data, dict):
        raise fail("a schema must be a mapping with an 'entities' section")
    known = {"name", "description", "models", "model_labels", "entities", "claim", "topic", "stance", "lexicons", "actors"}
    for key in data:
        if key not in known:
            raise fail(f"unknown section {key!r} (expected one of {', '.join(sorted(known))})", key)
    keys_seen: dict[str, str] = {}

    def label(name: Any, spec: Any, where: tuple) -> Label:
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
        if key in keys_seen:
            raise fail(f"key {key!r} is bound twice ({keys_seen[key]} and {name})", *where, "key")
        keys_seen[key] = name
        color = spec.get("color")
        try:
            if not isinstance(color, str):
                raise ColorParseError(color)
            Color.parse(color)
        except ColorParseError:
            raise fail(f"label {name}: {color!r} is not a colour", *where, "color") from None
        return Label(name, key, color, str(spec.get("description") or ""))

    entities_spec = data.get("entities")
    if not isinstance(entities_spec, dict) or not entities_spec:
        raise fail("'entities' must map each entity label to its key and colour", "entities")
    entities = tuple(label(n, s, ("entities", n)) for n, s in entities_spec.items())

    claim_spec = data.get("claim") or {}
    if not isinstance(claim_spec, dict):
        raise fail("'claim' must be a mapping", "claim")
    claim_spec = {"key": "C", "color": "yellow", **claim_spec}
    claim_name = claim_spec.get("label", "CLAIM")
    claim = label(claim_name, {k: v for k, v in claim_spec.items() if k in ("key", "color", "description")}, ("claim",))
    attributes = []
    attr_spec = claim_spec.get("attributes") or {}
    if not isinstance(attr_spec, dict):
        raise fail("'claim.attributes' must be a mapping", "claim", "attributes")
    for name, spec in attr_spec.items():
        where = ("claim", "attributes", name)
        if not isinstance(spec, dict) or spec.get("type") not in ATTRIBUTE_TYPES:
            raise fail(f"claim attribute {name!r} needs a type, one of {', '.join(ATTRIBUTE_TYPES)}", *where)
        choices = spec.get("choices") or []
        if spec["type"] == "choice" and (not isinstance(choices, list) or not choices):
            raise fail(f"claim attribute {name!r} of type choice needs a list of choices", *where)
        attributes.append(Attribute(name, spec["type"], tuple(str(c) for c in choices), str(spec.get("description") or "")))
    for extra in claim_spec:
        if extra not in ("label", "key", "color", "description", "attributes"):
            raise fail(f"claim: unknown field {extra!r}", "claim", extra)

    topic_spec = data.get("topic") or {}
    if not isinstance(topic_spec, dict):
        raise fail("'topic' must be a mapping", "topic")
    topic_spec = {"key": "T", "color": "cyan", **topic_spec}
    topic = label(topic_spec.get("label", "TOPIC"), {k: v for k, v in topic_spec.items() if k != "label"}, ("topic",))

    stance_spec = data.get("stance") or {}
    pol_spec = stance_spec.get("polarities") if isinstance(stance_spec, dict) else None
    if pol_spec is None:
        pol_spec = {"FAVOR": {"key": "+", "color": "green"}, "AGAINST": {"key": "-", "color": "red"},
                    "NEUTRAL": {"key": "=", "color": "grey70"}}
    if not isinstance(pol_spec, dict):
        raise fail("'stance.polarities' must be a mapping", "stance")
    polarities = tuple(label(n, s, ("stance", "polarities", n)) for n, s in pol_spec.items())
    for name in POLARITIES:
        if name not in {p.name for p in polarities}:
            raise fail(f"stance polarities must include {name}", "stance", "polarities")

    models = data.get("models") or []
    if isinstance(models, str):
        models = [models]
    if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
        raise fail("'models' must be a list of spaCy pipeline names", "models")

    model_labels = data.get("model_labels") or {}
    if not isinstance(model_labels, dict):
        raise fail("'model_labels' must map model labels to schema labels", "model_labels")
    for model_label, target in model_labels.items():
        if target is not None and not isinstance(target, str):
            raise fail(f"model label {model_label} must map to one entity label (or null), not a "
                       f"{type(target).__name__}", "model_labels", model_label)
        if target is not None and target not in {l.name for l in entities}:
            raise fail(f"model label {model_label} maps to {target!r}, which is not an entity label", "model_labels", model_label)

    lexicons = data.get("lexicons") or {}
    if not isinstance(lexicons, dict):
        raise fail("'lexicons' must be a mapping", "lexicons")

    actors = data.get("actors", None)
    if actors is None:
        actors = [a for a in DEFAULT_ACTORS if a in {l.name for l in entities}]
    if not isinstance(actors, list) or not all(isinstance(a, str) for a in actors):
        raise fail("'actors' must be a list of entity labels", "actors")
    for i, actor in enumerate(actors):
        if actor not in {l.name for l in entities}:
            raise fail(f"actor label {actor!r} is not an entity label", "actors", i)

    return Schema(
        name=str(data.get("name") or path.stem),
        path=str(path),
        entities=entities,
        claim=claim,
        claim_attributes=tuple(attributes),
        topic=topic,
        polarities=polarities,
        models=tuple(models),
        model_labels=dict(model_labels),
        lexicons=dict(lexicons),
        description=str(data.get("description") or ""),
        actors=tuple(actors),
    )
