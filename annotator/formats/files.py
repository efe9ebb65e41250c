"""Reading input files safely: regular files only, UTF-8 text, JSONL lines with line numbers, clear errors.

Every file a user names (a source, ``--db``, ``--schema``, ``--keys``, a lexicon, a merge input)
goes through :func:`regular_file` or :func:`read_bytes` first: a FIFO would block the open
forever and ``/dev/zero`` would be read until memory runs out, so anything that is not a
regular file (after following symlinks) is refused with one line, before it is opened.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Iterator

from annotator.errors import AnnotatorError
from annotator.textsafe import json_text

BINARY_SNIFF = 8192


def file_kind(mode: int) -> str:
    """What a stat mode is, in words ("a named pipe (FIFO)", "a directory", ...)."""
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISREG(mode):
        return "a regular file"
    return "a special file"


def regular_file(path: str | Path, *, missing: str = "no such file") -> Path:
    """``path`` if it names a regular file (symlinks followed), else a one-line AnnotatorError.

    Never opens the file, so a FIFO or a device is refused without blocking or side effects.
    """
    path = Path(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        raise AnnotatorError(missing, path) from None
    except OSError as exc:
        raise AnnotatorError(exc.strerror or str(exc), path) from None
    if not stat.S_ISREG(mode):
        raise AnnotatorError(f"is {file_kind(mode)}, not a regular file", path)
    return path


def _open_regular(path: Path):
    """A binary file object for a regular file; anything else is refused before it is read."""
    path = regular_file(path)
    try:
        # O_NONBLOCK: should the path have been swapped for a FIFO since the check, open returns at once
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise AnnotatorError(exc.strerror or str(exc), path) from None
    fh = os.fdopen(fd, "rb")
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        fh.close()
        raise AnnotatorError(f"is {file_kind(mode)}, not a regular file", path)
    os.set_blocking(fd, True)
    return fh


def read_bytes(path: str | Path, *, missing: str = "no such file") -> bytes:
    """The whole content of a regular file; anything else is refused before it is read."""
    path = regular_file(path, missing=missing)
    with _open_regular(path) as fh:
        try:
            return fh.read()
        except OSError as exc:
            raise AnnotatorError(exc.strerror or str(exc), path) from None


def read_text(path: Path) -> str:
    """A regular file's text, exactly as stored (CRLF kept); a BOM is dropped."""
    data = read_bytes(path)
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


_STRICT_JSON = json.JSONDecoder(object_pairs_hook=_no_duplicates)  # json.loads(hook=...) builds one per call


def _not_utf8(path: Path, data: bytes, exc: UnicodeDecodeError, offset: int, line: int) -> AnnotatorError:
    return AnnotatorError(f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {offset + exc.start})", path, line)


def iter_lines(path: Path) -> Iterator[tuple[int, str]]:
    """(line number, line) for each line of a regular UTF-8 text file, read as a stream.

    The same rules as :func:`read_text` (binary files refused, a BOM dropped, the first byte that
    is not UTF-8 named with its offset); lines are split at "\\n" only and a line's "\\r" is dropped.
    Memory holds one line at a time, whatever the file's size.
    """
    with _open_regular(path) as fh:
        try:
            if b"\x00" in fh.read(BINARY_SNIFF):
                raise AnnotatorError("looks like a binary file, not text", path)
            fh.seek(0)
            offset = 0
            for number, data in enumerate(fh, 1):
                try:
                    line = data.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise _not_utf8(path, data, exc, offset, number) from None
                offset += len(data)
                if number == 1:
                    line = line.removeprefix("\ufeff")
                yield number, line.removesuffix("\n").removesuffix("\r")
        except OSError as exc:
            raise AnnotatorError(exc.strerror or str(exc), path) from None


def iter_jsonl(path: Path, text: str | None = None) -> Iterator[tuple[int, dict | AnnotatorError]]:
    """Yield (line number, object) for each non-blank line; a bad line yields an AnnotatorError instead.

    Without ``text`` the file is read as a stream (:func:`iter_lines`), one line in memory at a time.
    """
    if text is None:
        lines: Iterator[tuple[int, str]] = iter_lines(path)
    else:
        # Split on "\n" only: str.splitlines() would also break at U+2028, U+0085 and friends,
        # which JSON writers leave unescaped inside strings.
        lines = ((number, line.removesuffix("\r")) for number, line in enumerate(text.split("\n"), 1))
    for number, line in lines:
        if not line.strip():
            continue
        try:
            obj = _STRICT_JSON.decode(line)
        except DuplicateKey as exc:
            yield number, AnnotatorError(f"duplicate key {exc.args[0]!r} in a JSON object", path, number)
            continue
        except json.JSONDecodeError as exc:
            if number == 1 and line.strip() == "[":
                yield number, AnnotatorError("a JSON array over several lines, not JSON Lines: import reads one JSON "
                                             "object per line (jq -c '.[]' turns an array into that)", path, number)
                return
            yield number, AnnotatorError(f"not valid JSON: {exc.msg} (column {exc.colno})", path, number)
            continue
        except RecursionError:
            yield number, AnnotatorError("JSON nested too deeply", path, number)
            continue
        except ValueError:  # Python refuses to convert integers longer than sys.get_int_max_str_digits()
            yield number, AnnotatorError(f"a number longer than {sys.get_int_max_str_digits():,} digits", path, number)
            continue
        if not isinstance(obj, dict):
            hint = " (one JSON object per line: jq -c '.[]' turns an array into that)" if isinstance(obj, list) else ""
            yield number, AnnotatorError(f"expected a JSON object, got {type(obj).__name__}{hint}", path, number)
            continue
        # a \uXXXX escape may have made a lone surrogate SQLite cannot store (JSON's escape is a lower-case u)
        if "\\ud" in line or "\\uD" in line:
            try:
                json.dumps(obj, ensure_ascii=False).encode("utf-8")
            except UnicodeEncodeError:
                yield number, AnnotatorError("invalid Unicode: a lone surrogate escape such as \\ud800", path, number)
                continue
        yield number, obj


def dump_json(obj: object) -> str:
    """One JSONL line: valid JSON, control characters escaped (see annotator.textsafe.json_text)."""
    return json_text(obj)
