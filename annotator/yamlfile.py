"""Safe YAML loading that remembers line numbers and refuses duplicate keys."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from annotator.errors import AnnotatorError
from annotator.formats.files import read_bytes


SAFE_COLLECTION_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}


class Located:
    """Loaded YAML data plus the line of every mapping key and sequence item (1-based)."""

    def __init__(self, data: Any, lines: dict[tuple, int]):
        self.data = data
        self.lines = lines

    def line(self, *path: Any) -> int | None:
        while path:
            if path in self.lines:
                return self.lines[path]
            path = path[:-1]
        return self.lines.get((), 1)


MAX_NODES = 100_000  # aliases can make a small file expand without bound ("billion laughs")


def _build(node: yaml.Node, path: tuple, lines: dict, source: object) -> Any:
    if len(lines) > MAX_NODES:
        raise AnnotatorError(f"too large once aliases are expanded (over {MAX_NODES:,} values)", source)
    lines.setdefault(path, node.start_mark.line + 1)
    if not isinstance(node, yaml.ScalarNode) and node.tag not in SAFE_COLLECTION_TAGS:
        raise AnnotatorError(f"not valid YAML: tag {node.tag} is not allowed", source, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        out: dict = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise AnnotatorError("a mapping key must be a plain value", source, key_node.start_mark.line + 1)
            key = _scalar(key_node)
            if key in out:
                raise AnnotatorError(f"duplicate key {key!r}", source, key_node.start_mark.line + 1)
            lines[path + (key,)] = key_node.start_mark.line + 1
            out[key] = _build(value_node, path + (key,), lines, source)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_build(item, path + (i,), lines, source) for i, item in enumerate(node.value)]
    return _scalar(node)


def _scalar(node: yaml.Node) -> Any:
    try:
        # a bare constructor: building a whole SafeLoader per scalar cost more than the parse
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits())
        raise yaml.constructor.ConstructorError(None, None, "a number too long to read", node.start_mark) from None


def load_yaml(path: Path) -> Located:
    """Load a YAML file safely; errors name the file and line."""
    try:
        text = read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise AnnotatorError("not UTF-8 text", path) from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:  # PyYAML composes recursively: thousands of nested [ or { exhaust the stack
        raise AnnotatorError("not valid YAML: nested too deeply", path) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise AnnotatorError(f"not valid YAML: {exc.problem or exc.context}", path, line) from None
    except yaml.YAMLError as exc:
        raise AnnotatorError(f"not valid YAML: {exc}", path) from None
    if node is None:
        return Located(None, {(): 1})
    lines: dict[tuple, int] = {}
    try:
        data = _build(node, (), lines, path)
    except RecursionError:
        raise AnnotatorError("not valid YAML: nested too deeply", path) from None
    except yaml.constructor.ConstructorError as exc:
        mark = exc.problem_mark
        raise AnnotatorError(f"not valid YAML: {exc.problem}", path, mark.line + 1 if mark else None) from None
    return Located(data, lines)
