"""Safe YAML loading that remembers line numbers and refuses duplicate keys.

A file read once is remembered in the user's cache folder (``$XDG_CACHE_HOME/annotator/yaml``,
else ``~/.cache/annotator/yaml``): one small JSON file per distinct content, named by its
CRC-32 and length, holding the text it was loaded from (compared in full before it is used),
the loaded data and the line of every key. The next load of the same bytes
reads that instead of importing and running PyYAML (a third of the work ``annotate`` did
before its first frame). Only :func:`save_cache` writes the cache, and only ``annotate``
calls it, once its first frame is painted: other commands, and a start that fails, read it
but leave nothing behind. Only data JSON keeps exactly (string keys; strings, numbers,
booleans, null) is cached; a file that fails to load is never cached, so its error comes
from the parser every time. The folder keeps the ``CACHE_ENTRIES`` newest files; one that
cannot be written is not used; ``ANNOTATOR_NO_CACHE=1`` turns the cache off.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from pathlib import Path
from typing import Any

from annotator.errors import AnnotatorError
from annotator.formats.files import read_bytes

CACHE_FORMAT = 1
CACHE_ENTRIES = 64  # the oldest files beyond this many are removed when one is added
_unsaved: dict[Path, tuple[str, "Located"]] = {}  # parsed by this process, not yet in the cache


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


def _build(node, path: tuple, lines: dict, source: object) -> Any:
    import yaml

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


def _scalar(node) -> Any:
    import yaml

    try:
        # a bare constructor: building a whole SafeLoader per scalar cost more than the parse
        return yaml.constructor.SafeConstructor().construct_object(node, deep=True)
    except ValueError:  # an integer longer than Python converts (sys.get_int_max_str_digits())
        raise yaml.constructor.ConstructorError(None, None, "a number too long to read", node.start_mark) from None


def load_yaml(path: Path) -> Located:
    """Load a YAML file safely; errors name the file and line. Loaded once, read from the cache after."""
    raw = read_bytes(path)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise AnnotatorError("not UTF-8 text", path) from None
    cache = _cache_file(raw)
    located = _cached(cache, text) if cache else None
    if located is None:
        located = _parse(text, path)
        if cache:
            _unsaved[cache] = (text, located)
    return located


def save_cache() -> None:
    """Write what this process parsed to the cache. ``annotate`` calls it once its first frame is
    painted: a command that fails (or any other command) leaves nothing behind."""
    while _unsaved:
        cache, (text, located) = _unsaved.popitem()
        _remember(cache, text, located)


def _parse(text: str, path: Path) -> Located:
    import yaml

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


def cache_dir() -> Path | None:
    """Where loaded YAML files are remembered, or None when caching is off."""
    if os.environ.get("ANNOTATOR_NO_CACHE"):
        return None
    try:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path("~/.cache").expanduser())
    except RuntimeError:  # no home folder to expand ~ to
        return None
    return base / "annotator" / "yaml"


def _cache_file(raw: bytes) -> Path | None:
    """The cache file for these bytes (crc32, not a cryptographic hash: loading OpenSSL would cost
    more than the parse it saves; the stored text is compared, so a clash is only a miss)."""
    folder = cache_dir()
    return folder / f"{zlib.crc32(raw):08x}-{len(raw)}.json" if folder else None


def _cached(cache: Path, text: str) -> Located | None:
    """The Located a cache file holds for ``text``, or None when it is missing, for another text,
    or not one of ours."""
    try:
        entry = json.loads(cache.read_bytes())
        if entry.get("format") != CACHE_FORMAT or entry.get("text") != text:
            return None
        lines = {tuple(key): line for key, line in entry["lines"]}
        if not all(isinstance(line, int) for line in lines.values()):
            return None
        return Located(entry["data"], lines)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return None


def _json_exact(value: Any) -> bool:
    """Whether JSON gives ``value`` back unchanged (mapping keys are strings, no dates or bytes)."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return True
    if isinstance(value, list):
        return all(_json_exact(v) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _json_exact(v) for k, v in value.items())
    return False


def _remember(cache: Path, text: str, located: Located) -> None:
    """Write the cache file atomically; any failure only means the next load parses again."""
    try:
        if not _json_exact(located.data):
            return
        entry = {"format": CACHE_FORMAT, "text": text, "data": located.data,
                 "lines": [[list(key), line] for key, line in located.lines.items()]}
        cache.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(entry, fh, ensure_ascii=False)
            os.replace(tmp, cache)
        except BaseException:
            os.unlink(tmp)
            raise
        _prune(cache.parent)
    except (OSError, ValueError, TypeError, RecursionError):
        pass


def _prune(folder: Path) -> None:
    entries = []
    for entry in os.scandir(folder):
        if entry.name.endswith(".json") and not entry.name.startswith("."):
            try:
                entries.append((entry.stat().st_mtime_ns, entry.path))
            except OSError:
                pass
    for _, path in sorted(entries)[:-CACHE_ENTRIES]:
        try:
            os.unlink(path)
        except OSError:
            pass
