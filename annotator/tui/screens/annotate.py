"""The annotation screen: drawing and key dispatch over an :class:`AnnotationSession`.

Every rule (which document, where the focus goes, what a decision writes) lives in the
session; this screen turns keys into session calls and shows the result. It talks to the
app only by messages: a store failure posts :class:`~annotator.tui.screens.keyed.StoreFailed`.
Keys that open a dialog are in :mod:`.dialogs`; how the width is shared is
:mod:`annotator.tui.layout`.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Static

from annotator.annotate import decisions as D
from annotator.annotate.session import AnnotationSession, Refused
from annotator.annotate.walk import kind_name
from annotator.model import CLAIM, Action, SpanRef, Stance
from annotator.tui.keymap import CREATE, KEYS, NORMAL, bindings, key_names
from annotator.tui.layout import panes
from annotator.tui.screens.dialogs import AnnotateDialogs
from annotator.tui.screens.keyed import UI_LOCK_WAIT_S, WaitsForDatabase, keyed
from annotator.tui.textsafe import one_line
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.keybar import KeyBar
from annotator.tui.widgets.lines import LinesView
from annotator.tui.widgets.panels import Note, SidePanelRows, bad_rows_note, detail, status_line, wordings
from annotator.tui.widgets.rows import TextRows

MIN_WIDTH, MIN_HEIGHT = 60, 12
CREATE_ACTIONS = {k.action.split("(")[0] for k in KEYS if k.mode == CREATE}
ALWAYS = {"quit", "help"}

# The notes a key leaves on the status line, each in its wordings, the fullest first: the status
# line shows the fullest that fits whole, so every one is read whole from 60 columns on (tested).
# Keys are named by binding id ({mark}) and shown as mapped (keymap.key_names).
NEW_SPAN_NOTE = ("move the cursor to the first word, {mark} marks it", "go to the first word, {mark} marks it")
MARKED_NOTE = ("start marked: move to the end, {confirm} confirms", "marked; go to the end, then {confirm}")
NOTHING_SELECTED_NOTE = ("nothing selected: {mark} marks the start, move, then {confirm}",
                         "nothing selected: {mark}, move, {confirm}")
ALL_DECIDED_NOTE = ("Every suggestion is decided: {done} marks the document done",
                    "all decided: {done} marks the document done")
WALKERS = "{next_undecided}, {accept}, {reject}, {next_span}, {prev_span} and {accept_all}"


def with_keys(note: tuple[str, ...], keys: dict[str, str]) -> tuple[str, ...]:
    """One of the notes above, its keys named as they are mapped (``keys``: :func:`key_names`)."""
    return tuple(w.format_map(keys) for w in note)


def walk_note(only: str | None, walked: str, keys: dict[str, str]) -> Note:
    """After p: what tab, a, x, j, k and A walk now (``walked``: the session's words for it; ``keys``:
    :func:`key_names`)."""
    walkers = WALKERS.format_map(keys)
    changes = "{choose_kinds} changes it".format_map(keys)
    full = f"{walkers} walk {walked}; {changes}"
    if only is None:
        return full, f"{walkers} walk every kind, in passes; {changes}", f"walking every kind; {changes}"
    return full, f"walking {walked}; {changes}"


def none_here_note(only: str, keys: dict[str, str]) -> Note:
    """After p chose a kind the open document has none of: say so, or the focus left on another kind
    looks walked (and ``a`` decides it)."""
    return (f"no {kind_name(only)} in this document to walk; {keys['choose_kinds']} changes it",
            f"no {kind_name(only)} here to walk; {keys['choose_kinds']} changes it")


def pass_done_note(before: str, after: str | None, left: int, keys: dict[str, str]) -> Note:
    """After the decision that finished a pass: the next pass, or that everything is decided."""
    if after is None:
        return with_keys(ALL_DECIDED_NOTE, keys)
    return (f"{kind_name(before).capitalize()} done: now {kind_name(after)}, {left} to decide",
            f"now {kind_name(after)}: {left} to decide")


class AnnotateScreen(WaitsForDatabase, AnnotateDialogs, Screen):
    BINDINGS = bindings()

    def __init__(self, session: AnnotationSession, *, keymap: dict[str, str] | None = None,
                 keys_path: str | Path = "") -> None:
        super().__init__()
        self.session = session
        self.schema = session.schema
        self.keymap = dict(keymap or {})
        self.key_names = key_names(self.keymap)  # for notes that name keys
        self.quit_key = self.key_names["quit"]
        session.keys = self.key_names  # the session's messages name keys too
        self.keys_path = str(keys_path)
        self.mode = NORMAL
        self.cursor: int | None = None
        self.mark: int | None = None
        self.too_small = False
        self.note: Note = ""  # said once, after the key that caused it; the next key clears it
        self.suggest_note = ""
        self.panes = panes(80)
        self._rows: SidePanelRows | None = None  # the side panel's rows (also: which row shows an item)

    # the session's state, read by drawing code and tests
    @property
    def doc(self):
        return self.session.doc

    @property
    def items(self) -> list[D.Item]:
        return self.session.items

    @property
    def focused_item(self) -> D.Item | None:
        return self.session.focused

    @property
    def doc_ids(self) -> list[str]:
        return self.session.doc_ids

    @property
    def _item_lines(self):
        """Which side-panel row shows an item: ``.get(key)``."""
        return self._rows if self._rows is not None else {}

    # --- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        # the widgets a key redraws, held here: a query walks the DOM on every key
        self.article = ArticleView(self.schema, id="article")
        self._detail, self._list = TextRows(id="detail"), LinesView(id="items")
        self._status, self._keybar = TextRows(id="status"), KeyBar(self.keymap, id="keys")
        with Horizontal(id="main"):
            yield self.article
            with Vertical(id="side"):
                yield self._detail
                yield self._list
        yield self._status
        yield Static(Text(""), id="too-small")
        yield self._keybar

    def on_mount(self) -> None:
        self.session.store.give_up_after(UI_LOCK_WAIT_S)  # then the decision waits, the screen does not
        self.on_resize()
        self.open_first()  # before the first frame: it shows the article

    def on_resize(self) -> None:
        w, h = self.app.size
        self.panes = p = panes(w)
        self.article.styles.width = p.article
        self.query_one("#side").styles.width = p.side
        self.set_class(p.compact, "-compact")
        small = w < MIN_WIDTH or h < MIN_HEIGHT
        if small:
            self.query_one("#too-small", Static).update(Text(
                f"The terminal is too small ({w}×{h}).\nannotator needs at least {MIN_WIDTH}×{MIN_HEIGHT}: "
                f"enlarge the window, or press {self.quit_key} to quit.\nNothing is lost: every decision is already saved.",
                justify="center"))
        if small != self.too_small:
            self.too_small = small
            self.set_class(small, "-too-small")
            self.refresh_bindings()
        if self.doc is not None:
            self._show_focus(scroll=False, note=self.note)  # refitted to the new width

    @property
    def side_width(self) -> int:
        return self.panes.side - 3  # its left rule and padding

    def refused(self, refused: Refused) -> None:
        """Say why a key did nothing (an earlier note no longer holds)."""
        if self.note:
            self.set_note("")
        if refused.bell:
            self.app.bell()
        if refused.message:
            # one at a time: refused keys in a row stacked toasts over the article, the side panel and the
            # status line. Plain text: a message names keys as mapped, and "[/]" of a key file ends a tag
            self.app.clear_notifications()
            self.notify(refused.message, severity="warning" if refused.warning else "information", markup=False)

    # --- documents ----------------------------------------------------------------

    @keyed
    def open_first(self) -> None:
        """Open where the annotator stopped, else the first document not done (saving where the
        annotator is once the article is on screen: a write waits for the disk)."""
        if not self.session.open_first(save=False):
            self._detail.update(Text("No documents in this database."))
            return
        self._show_document()
        self.call_after_refresh(self.save_place)

    @keyed
    def open_document(self, doc_id: str) -> None:
        """Open a document where the annotator left it."""
        self.session.open(doc_id)
        self._show_document()

    def _show_document(self) -> None:
        self.mode, self.cursor, self.mark = NORMAL, None, None
        self.session.take_changes()
        self.article.set_document(self.doc.text, self.items, width=self.panes.text)
        self.article.set_cursor(None, None)
        self._show_focus(status=False)
        self._update_panels(None)
        self.refresh_bindings()

    @keyed
    def suggestions_changed(self, note: str, finished: bool) -> None:
        """The background suggester reports: show its note, and new highlights when they concern us."""
        self.suggest_note = note
        if self.doc is not None and (finished or self.session.awaiting_suggestions):
            scroll = self.session.reload()
            self.session.take_changes()
            self.article.set_items(self.items)
            self._show_focus(scroll=scroll, note=self.note, status=False)
            self._update_panels(None)
        else:
            self._update_status()

    def write_place(self) -> None:
        self.session.save_cursor()

    # --- drawing ------------------------------------------------------------------

    def _show_focus(self, scroll: bool = True, note: Note = "", *, status: bool = True) -> None:
        """Draw the focus (and a focused claim's speaker), its detail and (unless the caller draws it
        next) the status line."""
        self.note = note
        item = self.focused_item
        ranges: list[tuple[int, int]] = []
        related: list[tuple[int, int]] = []
        if item is not None and isinstance(item.value, Stance):
            ranges = [(r.start, r.end) for r in (item.value.source, item.value.target)]
        elif item is not None:
            ranges = [(item.start, item.end)]
            speaker = D.speaker_of(item.value) if item.kind == CLAIM else None
            related = [(speaker.start, speaker.end)] if isinstance(speaker, SpanRef) else []
        if self.mode == NORMAL:
            self.article.set_focus(ranges, related=related, scroll=scroll)
        text = self.doc.text if self.doc else ""
        self._detail.update(
            detail(item, text, self.schema, self.session.focus_index or 0, len(self.items), self.side_width,
                   self.key_names["new_span"], self.session.loose_ends(item)),
            layout=False)
        if status:
            self._update_status()

    def _update_panels(self, changes: list | None) -> None:
        """Draw the side panel: anew (``changes`` None), else only the rows the changes moved."""
        view = self._list
        item = self.focused_item
        rows = self._rows
        if changes is None or rows is None or rows.index is not self.session.index:
            text = self.doc.text if self.doc else ""
            self._rows = rows = SidePanelRows(self.session.index, text, self.schema, self.side_width)
            view.set_lines(rows, rows.get(item.key) if item else None)
        else:
            view.refresh_rows(rows.changed(changes))
            view.highlight(rows.get(item.key) if item else None)
        self._update_status()

    def _update_status(self) -> None:
        if self.doc is None:
            return
        s = self.session
        walking = f"{kind_name(s.only)} only" if s.only else (f"{kind_name(s.current_pass)} pass"
                                                             if s.current_pass else "")
        self._status.update(status_line(
            self.app.size.width, s.doc_index + 1, len(s.doc_ids), s.layer, s.done_count, s.counts(),
            s.status, self.note or self.suggest_note or bad_rows_note(s.store), "NEW SPAN" if self.mode == CREATE
            else "", walking), layout=False)
        self._keybar.show(self.mode)

    def set_note(self, note: Note) -> None:
        self.note = note
        self._update_status()

    def show_wait_note(self, note: Note) -> None:
        self.set_note(note)

    def _after_decision(self, note: Note = "") -> None:
        """Show a decision (committed already): redraw only what it changed."""
        changes = self.session.take_changes()
        if changes is None:
            self.article.set_items(self.items)
        else:
            self.article.update_items(changes)
        self._show_focus(note=note, status=False)
        self._update_panels(changes)

    # --- bindings -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALWAYS:
            return True
        if not self.allowed_while_waiting(action):
            return False
        if self.too_small or self.doc is None:
            return False
        if self.mode == CREATE:
            return action in CREATE_ACTIONS
        return action not in CREATE_ACTIONS

    # --- moving -------------------------------------------------------------------

    def _show_moved(self, note: Note = "") -> None:
        self._show_focus(note=note)
        item = self.focused_item
        self._list.highlight(self._item_lines.get(item.key) if item else None)
        self.save_place_soon()

    def action_next_span(self) -> None:
        if self.session.step(+1):
            self._show_moved()

    def action_prev_span(self) -> None:
        if self.session.step(-1):
            self._show_moved()

    @keyed
    def action_next_undecided(self) -> None:
        self.session.next_undecided()
        self._show_moved()

    def action_choose_kinds(self) -> None:
        walked = self.session.choose_kinds()
        only = self.session.only
        none_here = only is not None and self.items and not self.session.index.by_kind.get(only)
        self._show_moved(note=none_here_note(only, self.key_names) if none_here else
                         walk_note(only, walked, self.key_names))

    def action_page(self, direction: int) -> None:
        view = self.article
        view.scroll_to(y=view.scroll_y + direction * max(1, view.text_height - 2), animate=False)

    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        if self.waiting:
            return
        if self.mode == CREATE:
            self.cursor = message.offset
            self.article.set_cursor(self.cursor, self.mark)
            return
        if self.session.move_to(self.session.item_at(message.offset)):
            self._show_moved()

    # --- deciding -----------------------------------------------------------------

    @keyed
    def _decided(self, decide: Callable, *args) -> None:
        """Run a session decision, then show it (it is committed already, with the new focus)."""
        before = self.session.current_pass
        decide(*args)
        after = self.session.current_pass
        note: Note = self.session.take_note()  # the stances and claims the decision brought along, or left
        if self.session.only is None and before is not None and after != before:
            passed = pass_done_note(before, after, self.session.undecided().get(after, 0) if after else 0,
                                    self.key_names)
            # both when they fit, else the instruction of the pass alone
            note = (*(f"{n}; {w}" for n in wordings(note) for w in wordings(passed)), *wordings(passed)) if note \
                else passed
        self._after_decision(note)

    def _when_picked(self, decide: Callable[[object], None]) -> Callable[[object], None]:
        """A picker's callback: decide with the picked value, nothing when the picker was dismissed."""

        def picked(value) -> None:
            if value is not None and value != "":
                self._decided(decide, value)

        return picked

    def action_accept(self) -> None:
        self._decided(self.session.accept)

    def action_reject(self) -> None:
        self._decided(self.session.reject)

    def action_delete(self) -> None:
        self._decided(self.session.delete)

    def action_relabel(self, number: int) -> None:
        self._decided(self.session.relabel_number, number)

    def action_resize(self, how: str, fine: bool = False) -> None:
        self._decided(self.session.resize, how, fine)

    # --- creating -----------------------------------------------------------------

    def action_new_span(self) -> None:
        item = self.focused_item
        start = item.start if item is not None else self._first_visible_offset()
        self.mode, self.cursor, self.mark = CREATE, start, None
        self.article.set_focus([], scroll=False)  # only the text cursor shows while creating
        self.article.set_cursor(self.cursor, self.mark)
        self.refresh_bindings()
        self.set_note(with_keys(NEW_SPAN_NOTE, self.key_names))

    def _first_visible_offset(self) -> int:
        view = self.article
        line = min(round(view.scroll_y), len(view._lines) - 1)
        return view._lines[line][0] if view._lines else 0

    def action_cursor(self, step: int) -> None:
        if self.cursor is None or self.doc is None:
            return
        self.cursor = max(0, min(len(self.doc.text), self.cursor + step))
        self.article.set_cursor(self.cursor, self.mark)

    def action_cursor_word(self, step: int) -> None:
        if self.cursor is None:
            return
        new = self.session.move_cursor_word(self.cursor, self.mark, step)
        if new is not None:
            self.cursor = new
            self.article.set_cursor(self.cursor, self.mark)

    def action_mark(self) -> None:
        self.mark = self.cursor
        self.article.set_cursor(self.cursor, self.mark)
        self.set_note(with_keys(MARKED_NOTE, self.key_names))

    def action_cancel(self) -> None:
        self.mode, self.cursor, self.mark = NORMAL, None, None
        self.article.set_cursor(None, None)
        self.refresh_bindings()
        self._show_focus(scroll=False)

    def action_confirm(self) -> None:
        sel = self.session.selection(self.cursor, self.mark)
        if sel is None:
            self.app.bell()
            self.set_note(with_keys(NOTHING_SELECTED_NOTE, self.key_names))
            return
        from annotator.tui.screens.choices import label_choices
        from annotator.tui.screens.picker import PickerScreen

        s, e = sel
        self.action_cancel()
        title = f"Label for the new span “{one_line(self.doc.text[s:e], 40)}”"
        self.app.push_screen(PickerScreen(title, label_choices(self.schema, False, self._picker_width())),
                             self._when_picked(partial(self.session.create, s, e)))

    # --- undo / redo --------------------------------------------------------------

    @keyed
    def _history(self, which: str) -> None:
        said = self.session.history(which)
        self._after_decision(one_line(said, 200))

    def action_undo(self) -> None:
        self._history(Action.UNDO)

    def action_redo(self) -> None:
        self._history(Action.REDO)

    # --- documents ----------------------------------------------------------------

    @keyed
    def _open_relative(self, step: int) -> None:
        if self.doc is None or not self.doc_ids:
            return
        self.open_document(self.session.relative(step))

    def action_next_doc(self) -> None:
        self._open_relative(1)

    def action_prev_doc(self) -> None:
        self._open_relative(-1)

    # --- app ----------------------------------------------------------------------

    def action_quit(self) -> None:
        self.save_place()
        self.app.exit()
