"""The annotator TUI application and its factory (used by the CLI and the tests).

Memory: once the first document is painted, every object made so far (Textual, the schema,
the document and its items) is moved out of the garbage collector's sight (``gc.freeze``),
so the collections that come every few dozen keys walk only what was made since, instead of
pausing the screen for 100-400 ms on a long article. Collections also come less often than
Python's default (``GC_THRESHOLDS``): a key allocates thousands of short-lived objects (Rich text,
segments, strips), and at the default every key ran several young collections and every few
dozen keys an older one, each landing in some key's time; measured, the keys over one frame
halved (benchmarks/README.md, fifth round). The background suggester imports spaCy
only when a cheap query says some document lacks current suggestions.
"""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Callable

from textual import work
from textual.message import Message
from textual.screen import Screen
from textual.worker import get_current_worker

from annotator.annotate.session import AnnotationSession
from annotator.schema import Schema, load_schema
from annotator.startup import resume_gc
from annotator.tui.keymap import config_path, load_keymap, textual_keymap
from annotator.tui.screens.annotate import AnnotateScreen
from annotator.tui.screens.keyed import STORE_ERRORS
from annotator.tui.store_app import StoreApp
from annotator.yamlfile import save_cache

# young collections after 50,000 allocations (Python: 700), the older generations as rarely
GC_THRESHOLDS = (50_000, 20, 100)


SUGGEST_AFTER_S = 0.3  # the background suggester starts this long after the first frame


class SuggestionsUpdated(Message):
    """Posted from the suggestion worker when stored suggestions changed.

    A queued progress report is replaced by a newer one, so a busy UI never falls behind."""

    def __init__(self, note: str, finished: bool = False, changed: bool = True) -> None:
        self.note = note
        self.finished = finished
        self.changed = changed  # False: the suggester wrote nothing (every document had suggestions)
        super().__init__()

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, SuggestionsUpdated) and not self.finished


class SuggestCancelled(Exception):
    """Raised inside the suggestion worker when the worker was cancelled (the app is closing)."""


class AnnotatorApp(StoreApp):
    CSS_PATH = "app.tcss"
    TITLE = "annotator"
    ENABLE_COMMAND_PALETTE = False

    def __init__(self, db_path: str | Path, annotator: str, schema: Schema, *, suggest: bool = True,
                 keymap: dict[str, str] | None = None, keys_path: str | Path | None = None,
                 model: str | None = None, start_doc: str | None = None,
                 suggest_fn: Callable[..., Any] | None = None, store=None) -> None:
        super().__init__(db_path)
        self.store = store  # an open Store of db_path (the CLI's, which checked it) or None: opened here
        self.annotator = annotator
        self.schema = schema
        self.suggest_enabled = suggest
        self.keymap = dict(keymap or {})
        self.keys_path = keys_path or config_path()
        self.model = model
        self.start_doc = start_doc
        self.suggest_fn = suggest_fn
        self.suggest_note = ""
        self.suggest_finished = False
        self._open_error: BaseException | None = None
        self._gc_before: tuple[int, ...] | None = None  # the collector's thresholds before the app's

    # --- lifecycle ----------------------------------------------------------------

    def get_default_screen(self) -> Screen:
        """The annotation screen itself (it opens its document as it mounts, so the first frame
        painted shows the article); a plain screen when the database cannot be opened."""
        try:
            from annotator.store import Store

            if self.store is None:
                self.store = Store(self.db_path, create=False)
        except STORE_ERRORS as exc:
            self._open_error = exc
            return super().get_default_screen()
        session = AnnotationSession(self.store, self.schema, self.annotator, start_doc=self.start_doc)
        return AnnotateScreen(session, keymap=self.keymap, keys_path=self.keys_path)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(textual_keymap(self.keymap))
        self.call_after_refresh(self._after_first_paint)
        if self._open_error is not None:
            self.show_error(self._open_error)

    def _after_first_paint(self) -> None:
        """What can wait until the article is on screen: freezing what was made so far out of the
        garbage collector's sight (see the module docstring) and turning it back on if the CLI
        paused it for start-up (``annotator.startup``); caching the YAML files read at start
        (``annotator.yamlfile``); and the background suggester — a moment later, so its thread
        does not hold up the first frame on its way to the terminal."""
        gc.freeze()
        self._gc_before = gc.get_threshold()
        gc.set_threshold(*GC_THRESHOLDS)
        resume_gc()
        if self.failed is None:
            save_cache()
        if self.suggest_enabled and self.failed is None:
            self.set_timer(SUGGEST_AFTER_S, self.suggest_in_background)
        screen = self.annotate_screen
        if screen is not None and screen.session.queue_is_large:
            self.warm_queue(screen.session)

    @work(thread=True, group="warm", name="warm queue")
    def warm_queue(self, session: AnnotationSession) -> None:
        """Read what the document list of a large corpus needs, off the UI thread (own connection)."""
        from annotator.store import Store

        try:
            with Store(self.db_path, create=False, readonly=True) as store:
                session.doc_ids.warm(store)
        except STORE_ERRORS:
            pass  # the list reads it itself when it opens

    def on_unmount(self) -> None:  # Textual also runs StoreApp's (it closes the store)
        if self._gc_before is not None:  # a program that goes on after the app (a test run) gets its own back
            gc.set_threshold(*self._gc_before)

    def exit(self, *args, **kwargs) -> None:  # type: ignore[override]
        self.workers.cancel_group(self, "suggest")  # the worker thread stops at its next progress report
        super().exit(*args, **kwargs)

    @property
    def annotate_screen(self) -> AnnotateScreen | None:
        for screen in self.screen_stack:
            if isinstance(screen, AnnotateScreen):
                return screen
        return None

    # --- suggestions off the UI thread --------------------------------------------

    @work(thread=True, exclusive=True, group="suggest", name="suggest")
    def suggest_in_background(self) -> None:
        """Compute missing suggestions with a Store connection of the worker's own (sqlite is per thread)."""
        worker = get_current_worker()
        try:
            fn = self.suggest_fn
            if fn is None:
                from annotator.suggest.runner import suggest_documents as fn  # type: ignore
        except ImportError as exc:
            self.post_message(SuggestionsUpdated(f"suggestions unavailable ({exc.name} missing)", True))
            return
        from annotator.store import Store, load_sqlite_utils

        load_sqlite_utils()  # before anything this thread does imports numpy (see its docstring)
        warnings: list[str] = []

        def progress(done: int = 0, total: int = 0, *args, **kwargs) -> None:
            if worker.is_cancelled:
                raise SuggestCancelled()
            self.post_message(SuggestionsUpdated(f"suggesting {done}/{total}…" if done < total else ""))

        try:
            store = Store(self.db_path, create=False)
            try:
                if self.suggest_fn is None and not self._work_for_suggester(store):
                    self.post_message(SuggestionsUpdated("", True, changed=False))
                    return
                self.post_message(SuggestionsUpdated("suggestions: loading the model…"))
                kwargs: dict = {"progress": progress}
                if self.model:
                    kwargs["model"] = self.model
                if self.suggest_fn is None:
                    kwargs["on_warning"] = warnings.append
                report = fn(store, self.schema, **kwargs)
            finally:
                store.close()
        except SuggestCancelled:
            return
        except Exception as exc:  # the model is optional: never take the UI down
            self.post_message(SuggestionsUpdated(f"suggestions failed: {one_line_error(exc)}", True))
            return
        skipped = getattr(report, "skipped", None) or []
        note = f"{len(skipped)} document(s) too long to suggest for" if skipped else ""
        if warnings:
            note = (note + "; " if note else "") + one_line_error(Exception(warnings[0]))
        self.post_message(SuggestionsUpdated(note, True))

    def _work_for_suggester(self, store) -> bool:
        """Whether any document lacks current suggestions (asked without importing spaCy)."""
        from annotator.suggest.runner import suggester_versions

        return store.has_documents_lacking(suggester_versions(self.schema, self.model))

    def on_suggestions_updated(self, message: SuggestionsUpdated) -> None:
        self.suggest_note = message.note
        self.suggest_finished = message.finished
        screen = self.annotate_screen
        if screen is not None and self.failed is None:
            screen.suggestions_changed(message.note, message.finished and message.changed)


def one_line_error(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:80]


def create_app(db_path: str | Path, annotator: str, *, schema: Schema | str | Path | None = None,
               suggest: bool = True, keys: str | Path | None = None, keymap: dict[str, str] | None = None,
               model: str | None = None, start_doc: str | None = None,
               suggest_fn: Callable[..., Any] | None = None, store=None) -> AnnotatorApp:
    """Build the app: load the schema and key config (errors are AnnotatorError, one line).

    ``store``: the database already open (the CLI checked it by opening it): the app uses and
    closes that connection instead of opening another, so starting neither opens the file twice
    nor checkpoints its write-ahead log in between."""
    if not isinstance(schema, Schema):
        schema = load_schema(schema)
    keys_path = Path(keys).expanduser() if keys else config_path()
    loaded = load_keymap(keys_path, required=bool(keys)) if keymap is None else {}
    if keymap:
        loaded.update(keymap)
    return AnnotatorApp(db_path, annotator, schema, suggest=suggest, keymap=loaded, keys_path=keys_path,
                        model=model, start_doc=start_doc, suggest_fn=suggest_fn, store=store)
