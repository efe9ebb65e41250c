"""Writing output files and folders without ever destroying what annotator did not write.

* :func:`check_target` refuses, even with ``--force``, an output that is the database (or its
  ``-wal``/``-shm``/``-journal`` file), a folder holding the database, the current folder, the
  home folder or any folder above them (``/`` included), a symbolic link (annotator neither
  replaces a link nor writes through it), and anything that is not a regular file (a FIFO, a
  device, a socket) or, for folder outputs, not a folder.
* An existing file is replaced only with ``--force``, and never when it is an SQLite database.
* An existing folder is replaced only with ``--force``, and only when it is a previous
  annotator export whose files are all exactly as annotator wrote them: the export writes a
  marker (:data:`MARKER`) listing every file with its SHA-256. A non-empty folder without
  the marker, or one with an added or edited file, is refused.
* :func:`atomic_file` and :func:`atomic_folder` write to a hidden temporary name beside the
  target and move it into place only when complete; on any error, Ctrl+C, SIGTERM or SIGHUP the
  temporary output is removed. Files get the normal mode for the user's umask (0644 under 022).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import stat
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator

from annotator.errors import AnnotatorError
from annotator.formats.files import file_kind

MARKER = "annotator-export.json"
IGNORED_IN_EXPORT = {".stats_cache"}  # brat's own cache, written when brat shows the folder
SQLITE_MAGIC = b"SQLite format 3\x00"
DB_SIDE_FILES = ("", "-wal", "-shm", "-journal")
CAUGHT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP, raised like Ctrl+C so that ``finally`` blocks clean up."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


def _real(path: Path) -> Path:
    return Path(os.path.realpath(path))


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return _real(a) == _real(b)


def _places() -> list[tuple[str, Path]]:
    """The current and the home folder, where they can be found."""
    places = []
    for name, where in (("the current folder", Path.cwd), ("your home folder", Path.home)):
        try:
            places.append((name, where()))
        except (OSError, RuntimeError, KeyError):  # a deleted current folder; no $HOME and no passwd entry
            pass
    return places


def check_target(path: Path, *, folder: bool, protect: Iterable[str | Path] = ()) -> None:
    """Refuse an output path that annotator must never replace (see the module docstring)."""
    path = Path(path)
    if os.path.islink(path):
        raise AnnotatorError("is a symbolic link; give the real path (annotator does not replace a link or "
                             "write through it)", path)
    real = _real(path)
    for db in protect:
        for suffix in DB_SIDE_FILES:
            side = Path(str(db) + suffix)
            if os.path.lexists(path) and os.path.lexists(side) and _same_file(path, side) or real == _real(side):
                raise AnnotatorError(f"is the database{' ' + suffix + ' file' if suffix else ''}; "
                                     "choose another output", path)
    if not folder and os.path.isdir(path):
        raise AnnotatorError("is a folder; this format writes one file: give a file name", path)
    for db in protect:
        if real in _real(Path(db)).parents:
            raise AnnotatorError(f"holds the database {db}; choose a new folder for the output", path)
    for name, place in _places():
        if real == _real(place):
            raise AnnotatorError(f"is {name}; choose a new folder for the output", path)
        if real in _real(place).parents:
            raise AnnotatorError(f"holds {name}; choose a new folder for the output", path)
    if not os.path.lexists(path):
        return
    mode = os.stat(path).st_mode
    if folder and not stat.S_ISDIR(mode):
        raise AnnotatorError(f"is {file_kind(mode)}, not a folder; choose a new folder for the output", path)
    if not folder and not stat.S_ISREG(mode):
        raise AnnotatorError(f"is {file_kind(mode)}, not a regular file; write to a file, or leave out -o to "
                             "write to standard output where the format allows it", path)


def check_parent(path: Path) -> None:
    """Refuse an output whose parent folder is missing: a mistyped parent is an error, not a new tree of folders."""
    if not Path(path).parent.is_dir():
        raise AnnotatorError("folder does not exist", Path(path).parent)


def check_replace_file(path: Path, force: bool) -> None:
    """An existing regular file is replaced only with ``force``, and never when it is an SQLite database."""
    if not path.exists():
        return
    if not force:
        raise AnnotatorError("already exists (use --force to overwrite)", path)
    with open(path, "rb") as fh:
        if fh.read(16) == SQLITE_MAGIC:
            raise AnnotatorError("is an SQLite database; an export never overwrites one, even with --force", path)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_replace_folder(path: Path, force: bool, fmt: str) -> None:
    """An existing folder is replaced only when empty, or with ``force`` when it is an untouched export."""
    if not path.is_dir() or not any(path.iterdir()):
        return
    marker = path / MARKER
    try:
        manifest = json.loads(marker.read_text(encoding="utf-8"))
        files = manifest["files"]
        if not isinstance(files, dict):
            raise ValueError
    except (OSError, ValueError, KeyError, TypeError):
        raise AnnotatorError(f"is not empty and is not a previous annotator {fmt} export; not replacing it, even "
                             "with --force (choose a new folder)", path) from None
    if not force:
        raise AnnotatorError(f"already holds an annotator {fmt} export (use --force to replace it)", path)
    for entry in os.scandir(path):
        if entry.name == MARKER or entry.name in IGNORED_IN_EXPORT:
            continue
        if entry.name not in files or not entry.is_file(follow_symlinks=False):
            raise AnnotatorError(f"{entry.name} was not written by annotator; not replacing the folder (move it "
                                 "away or choose a new folder)", path)
        if sha256_file(Path(entry.path)) != files[entry.name]:
            raise AnnotatorError(f"{entry.name} was changed since annotator exported it; not replacing the folder "
                                 "(move your changes away or choose a new folder)", path)


def write_marker(folder: Path, fmt: str, extra: dict | None = None) -> None:
    """Mark a folder as an annotator export: every file in it with its SHA-256."""
    files = {p.name: sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file() and p.name != MARKER}
    (folder / MARKER).write_text(json.dumps({"annotator_export": 1, "format": fmt, **(extra or {}), "files": files},
                                            ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refused unless it stays directly inside ``folder``."""
    target = folder / name
    if os.sep in name or (os.altsep and os.altsep in name) or name in ("", ".", "..") or \
            _real(target).parent != _real(folder):
        raise AnnotatorError(f"file name {name!r} would leave the output folder", folder)
    return target


@contextmanager
def interrupt_on_signals() -> Iterator[None]:
    """While this is open, SIGTERM and SIGHUP raise :class:`Terminated` (like Ctrl+C) in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, frame):
        raise Terminated(signum)

    previous = {sig: signal.signal(sig, handler) for sig in CAUGHT_SIGNALS}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


@contextmanager
def _no_signals() -> Iterator[None]:
    """Cleanup must finish: Ctrl+C, SIGTERM and SIGHUP wait until it has."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, *CAUGHT_SIGNALS)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _temp_name(parent: Path, name: str, kind: str) -> Path:
    return parent / f".{name}.{secrets.token_hex(4)}.{kind}"


def _write_error(exc: OSError, path: Path) -> AnnotatorError:
    return AnnotatorError(f"cannot write: {exc.strerror or exc}", exc.filename or path)


@contextmanager
def atomic_file(path: Path, *, force: bool, protect: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Yield a temporary file beside ``path``; it becomes ``path`` only if the block succeeds.

    ``path`` is checked (:func:`check_target`, :func:`check_replace_file`) before and again just
    before the temporary file takes its place.
    """
    path = Path(path)
    protect = list(protect)

    def check() -> None:
        check_target(path, folder=False, protect=protect)
        check_replace_file(path, force)

    check()
    check_parent(path)
    tmp = _temp_name(path.parent, path.name, "tmp")
    ours = True  # from before the file exists: a signal may arrive just as it is made
    with interrupt_on_signals():
        try:
            try:
                os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666))
            except OSError as exc:
                ours = False  # nothing made (or a name clash: not ours to remove)
                raise _write_error(exc, path.parent) from None
            yield tmp
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            check()
            os.replace(tmp, path)
        except BaseException as exc:
            if ours:
                with _no_signals():
                    tmp.unlink(missing_ok=True)
            if isinstance(exc, OSError):
                raise _write_error(exc, path) from None
            raise


@contextmanager
def atomic_folder(path: Path, *, force: bool, fmt: str, protect: Iterable[str | Path] = ()) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; it replaces ``path`` only if the block succeeds.

    What is at ``path`` is replaced only as :func:`check_target` and :func:`check_replace_folder`
    allow: it is checked before the work and again just before the swap, which no signal can
    interrupt half way.
    """
    path = Path(path)
    protect = list(protect)

    def check() -> None:
        check_target(path, folder=True, protect=protect)
        check_replace_folder(path, force, fmt)

    check()
    check_parent(path)
    tmp = _temp_name(path.parent, path.name, "tmp")
    ours = True
    with interrupt_on_signals():
        try:
            try:
                os.mkdir(tmp, 0o777)
            except OSError as exc:
                ours = False
                raise _write_error(exc, path.parent) from None
            yield tmp
            check()  # nobody put a file of their own there meanwhile
            with _no_signals():
                _swap_in(tmp, path)
        except BaseException as exc:
            if ours:
                with _no_signals():
                    shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, OSError):
                raise _write_error(exc, path) from None
            raise


def _swap_in(new: Path, path: Path) -> None:
    """Put the folder ``new`` at ``path``; a previous (checked) export there is removed, or restored on failure."""
    if not (path.is_dir() and any(path.iterdir())):
        os.replace(new, path)  # onto an empty folder, or a new name
        return
    old = _temp_name(path.parent, path.name, "old")
    os.rename(path, old)
    try:
        os.rename(new, path)
    except OSError:
        os.rename(old, path)
        raise
    shutil.rmtree(old, ignore_errors=True)
