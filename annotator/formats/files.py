"""Reading source files safely: UTF-8 text, JSONL lines with line numbers, clear errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from annotator.errors import AnnotatorError
from annotator.textsafe import json_text

BINARY_SNIFF = 8192


def read_text(path: Path) -> str:
    """A file's text, exactly as stored (CRLF kept); a BOM is dropped."""
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise AnnotatorError("is a directory", path) from None
    except OSError as exc:
        raise AnnotatorError(exc.strerror or str(exc), path) from None
    if b"\x00" in data[:BINARY_SNIFF]:
        raise AnnotatorError("looks like a binary file, not text", path)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise AnnotatorError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start})", path, line) from None
    return text[1:] if text.startswith("\ufeff") else text


class DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        seen = set()
        for key, _ in pairs:
            if key in seen:
                raise DuplicateKey(key)
            seen.add(key)
    return out


def iter_jsonl(path: Path, text: str | None = None) -> Iterator[tuple[int, dict | AnnotatorError]]:
    """Yield (line number, object) for each non-blank line; a bad line yields an AnnotatorError instead."""
    text = read_text(path) if text is None else text
    # Split on "\n" only: str.splitlines() would also break at U+2028, U+0085 and friends,
    # which JSON writers leave unescaped inside strings.
    for number, line in enumerate(text.split("\n"), 1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            obj = json.loads(line, object_pairs_hook=_no_duplicates)
        except DuplicateKey as exc:
            yield number, AnnotatorError(f"duplicate key {exc.args[0]!r} in a JSON object", path, number)
            continue
        except json.JSONDecodeError as exc:
            yield number, AnnotatorError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, number)
            continue
        except RecursionError:
            yield number, AnnotatorError("JSON nested too deeply", path, number)
            continue
        if not isinstance(obj, dict):
            yield number, AnnotatorError(f"expected a JSON object, got {type(obj).__name__}", path, number)
            continue
        if "\\ud" in line.lower():  # a \uXXXX escape may have made a lone surrogate SQLite cannot store
            try:
                json.dumps(obj, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                yield number, AnnotatorError("invalid Unicode: a lone surrogate escape such as \\ud800", path, number)
                continue
        yield number, obj


def dump_json(obj: object) -> str:
    """One JSONL line: valid JSON, control characters escaped (see annotator.textsafe.json_text)."""
    return json_text(obj)
