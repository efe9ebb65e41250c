"""Cue lexicons and aliases: bundled YAML data files, extendable by the user.

Three places add entries, in this order:
1. the bundled files in ``annotator/suggest/lexicons/`` (claims.yaml, stances.yaml, aliases.yaml);
2. the schema's ``lexicons:`` section (same keys; lists add words, ``aliases`` adds pairs,
   ``files:`` names further lexicon files, relative to the schema file);
3. files named in ``$ANNOTATOR_LEXICONS`` (separated by ``os.pathsep``).

A problem in a file raises AnnotatorError naming the file, the line and the problem.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.yamlfile import Located, load_yaml

LEXICON_DIR = Path(__file__).resolve().parent / "lexicons"
BUILTIN_FILES = ("claims.yaml", "stances.yaml", "aliases.yaml")
ENV_VAR = "ANNOTATOR_LEXICONS"

LIST_KEYS = (
    # claims
    "speech_verbs", "speech_act_verbs", "describe_verbs", "nominal_cues", "actor_nouns", "person_nouns",
    "group_nouns", "source_nouns", "hedges", "hedge_phrases", "gloss_nouns", "rule_words", "causal_words",
    "event_verbs", "opinion_words", "broad_verbs",
    # stances
    "support_verbs", "oppose_verbs", "support_nouns", "oppose_nouns", "reaction_nouns",
    "reaction_verbs", "favour_reaction_nouns", "favor_phrases", "against_phrases", "vote_verbs",
    "control_verbs", "negating_verbs", "topic_nouns", "positive_evaluations", "negative_evaluations",
    "prep_stance_verbs", "denial_verbs", "directive_verbs", "cessation_verbs", "withdraw_verbs",
)
MAP_KEYS = ("aliases",)


@dataclass
class Lexicons:
    """Every lexicon as a frozenset of lower-case entries, plus aliases (lower-case -> canonical)."""

    lists: dict[str, frozenset] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        for name, words in self.lists.items():
            self.__dict__[name] = words  # plain attributes: looked up per token

    def __getattr__(self, name: str) -> frozenset:
        lists = self.__dict__.get("lists", {})
        if name in lists:
            return lists[name]
        raise AttributeError(name)

    def canonical(self, text: str) -> str:
        """The actor a mention stands for: aliases applied, 'the' and possessive 's dropped."""
        key = normalize_name(text)
        return self.aliases.get(key, key)

    @property
    def digest(self) -> str:
        """A short hash of the content (part of the suggester versions)."""
        blob = json.dumps({"lists": {k: sorted(v) for k, v in sorted(self.lists.items())},
                           "aliases": sorted(self.aliases.items())}, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:8]


_POSSESSIVE = re.compile(r"(?:['’]s|['’])$")


def normalize_name(text: str) -> str:
    t = " ".join(text.split()).strip(" ,.;:\"“”'‘’").lower()
    t = _POSSESSIVE.sub("", t)
    if t.startswith("the "):
        t = t[4:]
    return t


def _merge(acc: dict[str, set], aliases: dict[str, str], data: Any, loc: Located | None, where: Path | str,
           base_dir: Path | None, seen_files: set) -> None:
    def fail(problem: str, *path: Any) -> AnnotatorError:
        return AnnotatorError(problem, where, loc.line(*path) if loc else None)

    if data is None:
        return
    if not isinstance(data, dict):
        raise fail("a lexicon file must be a mapping of lexicon names to lists of words")
    for key, value in data.items():
        if key == "files":
            files = [value] if isinstance(value, str) else value
            if not isinstance(files, list) or not all(isinstance(f, str) for f in files):
                raise fail("'files' must be a list of lexicon file paths", key)
            for f in files:
                p = Path(f).expanduser()
                if not p.is_absolute() and base_dir is not None:
                    p = base_dir / p
                _load_file(p, acc, aliases, seen_files)
            continue
        if key in MAP_KEYS:
            if not isinstance(value, dict):
                raise fail(f"{key!r} must map a name to the actor it stands for", key)
            for alias, target in value.items():
                if not isinstance(alias, str) or not isinstance(target, str) or not alias.strip() or not target.strip():
                    raise fail(f"alias {alias!r}: both the alias and its actor must be non-empty text", key, alias)
                aliases[normalize_name(alias)] = normalize_name(target)
            continue
        if key not in LIST_KEYS:
            raise fail(f"unknown lexicon {key!r} (expected one of {', '.join(LIST_KEYS + MAP_KEYS + ('files',))})", key)
        if not isinstance(value, list):
            raise fail(f"lexicon {key!r} must be a list of words", key)
        for i, word in enumerate(value):
            if not isinstance(word, str) or not word.strip():
                raise fail(f"lexicon {key!r}: entry {i + 1} ({word!r}) must be a non-empty word", key, i)
            acc.setdefault(key, set()).add(word.lower() if key.endswith("phrases") else word.strip().lower())


def _load_file(path: Path, acc: dict, aliases: dict, seen_files: set) -> None:
    resolved = path.resolve()
    if resolved in seen_files:
        return
    seen_files.add(resolved)
    if not path.exists():
        raise AnnotatorError("no such lexicon file", path)
    loc = load_yaml(path)
    _merge(acc, aliases, loc.data, loc, path, path.parent, seen_files)


def load_lexicons(schema=None, extra_files: list[str | Path] | None = None) -> Lexicons:
    """Bundled lexicons, extended by the schema's ``lexicons`` section, $ANNOTATOR_LEXICONS and extra_files."""
    acc: dict[str, set] = {k: set() for k in LIST_KEYS}
    aliases: dict[str, str] = {}
    seen: set = set()
    sources = []
    for name in BUILTIN_FILES:
        _load_file(LEXICON_DIR / name, acc, aliases, seen)
        sources.append(name)
    if schema is not None and getattr(schema, "lexicons", None):
        schema_path = Path(schema.path) if getattr(schema, "path", None) else None
        loc = None
        if schema_path is not None and schema_path.exists():
            full = load_yaml(schema_path)
            loc = Located(full.data, {k[1:]: v for k, v in full.lines.items() if k[:1] == ("lexicons",)})
        _merge(acc, aliases, schema.lexicons, loc, schema_path or "schema", schema_path.parent if schema_path else None, seen)
        sources.append(f"schema {schema.name}")
    env = os.environ.get(ENV_VAR, "")
    files = [f for f in env.split(os.pathsep) if f.strip()] + [str(f) for f in (extra_files or [])]
    for f in files:
        _load_file(Path(f).expanduser(), acc, aliases, seen)
        sources.append(str(f))
    return Lexicons({k: frozenset(v) for k, v in acc.items()}, aliases, sources)
