"""Start-up without the garbage collector: the CLI pauses it while it imports and builds.

Starting ``annotator annotate`` creates a few hundred thousand long-lived objects (modules,
classes, Textual's styles, the article), which would trigger a dozen collections, one of
them a full one, before the first frame; none can free anything. The CLI calls
:func:`pause_gc` first; a command resumes it before it does its work (``AnnotatorGroup``),
except ``annotate``, whose app resumes it once the article is painted (after freezing what
start-up made, see ``annotator.tui.app``). Only a pause made here is resumed: code that turned
the collector off itself keeps it off.
"""

from __future__ import annotations

import gc

_paused = False


def pause_gc() -> None:
    """Turn the garbage collector off until :func:`resume_gc` (a no-op when it is already off)."""
    global _paused
    if gc.isenabled():
        gc.disable()
        _paused = True


def resume_gc() -> None:
    """Turn the garbage collector back on if :func:`pause_gc` turned it off."""
    global _paused
    if _paused:
        _paused = False
        gc.enable()
