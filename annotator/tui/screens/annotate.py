"""The annotation screen: drawing and key dispatch over an :class:`AnnotationSession`.

Every rule (which document, where the focus goes, what a decision writes) lives in the
session; this screen turns keys into session calls and shows the result. It talks to the
app only by messages: a store failure posts :class:`AnnotateScreen.Failed`.
"""

from __future__ import annotations

import sqlite3
from functools import partial, wraps
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from annotator.annotate import decisions as D
from annotator.annotate.session import AnnotationSession, Candidate, Refused, StanceDraft
from annotator.errors import AnnotatorError
from annotator.model import AUTHOR, UNNAMED, SpanRef, Stance
from annotator.tui.keymap import CREATE, KEYS, NORMAL, bindings
from annotator.tui.screens.documents import DocRow, DocumentListScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.picker import Choice, PickerScreen
from annotator.tui.textsafe import one_line
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.lines import LinesView
from annotator.tui.widgets.panels import bad_rows_note, detail, side_panel, status_line

MIN_WIDTH, MIN_HEIGHT = 60, 12
CREATE_ACTIONS = {k.action.split("(")[0] for k in KEYS if k.mode == CREATE}
ALWAYS = {"quit", "help"}
STORE_ERRORS = (sqlite3.Error, AnnotatorError, OSError)


def keyed(method):
    """Run a key's action: a refusal becomes a notification, a store failure the error screen."""

    @wraps(method)
    def wrapper(self: "AnnotateScreen", *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except Refused as refused:
            self.refused(refused)
        except STORE_ERRORS as exc:
            self.post_message(self.Failed(exc))
        return None

    return wrapper


class AnnotateScreen(Screen):
    BINDINGS = bindings()

    class Failed(Message):
        """The store failed (locked, damaged, disk full): the app shows its error screen."""

        def __init__(self, error: BaseException) -> None:
            self.error = error
            super().__init__()

    def __init__(self, session: AnnotationSession, *, keymap: dict[str, str] | None = None,
                 keys_path: str | Path = "") -> None:
        super().__init__()
        self.session = session
        self.schema = session.schema
        self.keymap = dict(keymap or {})
        self.keys_path = str(keys_path)
        self.mode = NORMAL
        self.cursor: int | None = None
        self.mark: int | None = None
        self.too_small = False
        self.note = ""
        self.suggest_note = ""
        self._save_timer: Timer | None = None
        self._item_lines: dict[str, int] = {}

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

    # --- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ArticleView(self.schema, id="article")
            with Vertical(id="side"):
                yield Static(id="detail")
                yield LinesView(id="items")
        yield Static(id="status")
        yield Static(Text(""), id="too-small")
        yield Footer()

    def on_mount(self) -> None:
        self._check_size()

    def on_resize(self) -> None:
        self._check_size()

    def _check_size(self) -> None:
        w, h = self.app.size
        small = w < MIN_WIDTH or h < MIN_HEIGHT
        if small:
            self.query_one("#too-small", Static).update(Text(
                f"The terminal is too small ({w}×{h}).\nannotator needs at least {MIN_WIDTH}×{MIN_HEIGHT}: "
                f"enlarge the window, or press q to quit.\nNothing is lost: every decision is already saved.",
                justify="center"))
        if small != self.too_small:
            self.too_small = small
            self.set_class(small, "-too-small")
            self.refresh_bindings()

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    def refused(self, refused: Refused) -> None:
        if refused.bell:
            self.app.bell()
        if refused.message:
            self.notify(refused.message, severity="warning" if refused.warning else "information")

    # --- documents ----------------------------------------------------------------

    @keyed
    def open_first(self) -> None:
        """Open where the annotator stopped, else the first document not done."""
        if not self.session.open_first():
            self.query_one("#detail", Static).update(Text("No documents in this database."))
            return
        self._show_document()

    @keyed
    def open_document(self, doc_id: str, cursor: dict | None = None) -> None:
        self.session.open(doc_id, cursor)
        self._show_document()

    def _show_document(self) -> None:
        self.mode, self.cursor, self.mark = NORMAL, None, None
        self.note = ""
        self.article.set_document(self.doc.text, self.items)
        self.article.set_cursor(None, None)
        self._show_focus()
        self._update_panels()
        self.refresh_bindings()

    @keyed
    def suggestions_changed(self, note: str, finished: bool) -> None:
        """The background suggester reports: show its note, and new highlights when they concern us."""
        self.suggest_note = note
        if self.doc is not None and (finished or self.session.awaiting_suggestions):
            scroll = self.session.reload()
            self.article.set_items(self.items)
            self._show_focus(scroll=scroll)
            self._update_panels()
        else:
            self._update_status()

    def save_cursor(self) -> None:
        try:
            self.session.save_cursor()
        except STORE_ERRORS as exc:
            self.post_message(self.Failed(exc))

    def _save_soon(self) -> None:
        if self._save_timer is not None:
            self._save_timer.stop()
        self._save_timer = self.set_timer(0.8, self.save_cursor)

    # --- drawing ------------------------------------------------------------------

    def _focus_ranges(self, item: D.Item | None) -> list[tuple[int, int]]:
        if item is None:
            return []
        if isinstance(item.value, Stance):
            return [(item.value.source.start, item.value.source.end), (item.value.target.start, item.value.target.end)]
        return [(item.start, item.end)]

    def _show_focus(self, scroll: bool = True) -> None:
        item = self.focused_item
        self.article.set_focus(self._focus_ranges(item), scroll=scroll)
        text = self.doc.text if self.doc else ""
        self.query_one("#detail", Static).update(
            detail(item, text, self.schema, self.session.focus_index or 0, len(self.items)), layout=False)
        self._update_status()

    def _update_panels(self) -> None:
        text = self.doc.text if self.doc else ""
        lines, self._item_lines = side_panel(self.items, text, self.schema)
        item = self.focused_item
        self.query_one("#items", LinesView).set_lines(lines, self._item_lines.get(item.key) if item else None)
        self._update_status()

    def _update_status(self) -> None:
        if self.doc is None:
            return
        mode = "NEW SPAN: ←→ w b move · m mark" if self.mode == CREATE else ""
        s = self.session
        self.query_one("#status", Static).update(status_line(
            s.doc_index + 1, len(s.doc_ids), s.layer, s.done_count, D.counts(self.items), s.status,
            self.note or self.suggest_note or bad_rows_note(s.store), mode), layout=False)

    def set_note(self, note: str) -> None:
        self.note = note
        self._update_status()

    def _after_decision(self) -> None:
        self.article.set_items(self.items)
        self._show_focus()
        self._update_panels()
        self._save_soon()

    # --- bindings -----------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ALWAYS:
            return True
        if self.too_small or self.doc is None:
            return False
        if self.mode == CREATE:
            return action in CREATE_ACTIONS
        return action not in CREATE_ACTIONS

    # --- moving -------------------------------------------------------------------

    def _show_moved(self) -> None:
        self._show_focus()
        item = self.focused_item
        self.query_one("#items", LinesView).highlight(self._item_lines.get(item.key) if item else None)
        self._save_soon()

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

    def action_page(self, direction: int) -> None:
        view = self.article
        view.scroll_to(y=view.scroll_y + direction * max(1, view.text_height - 2), animate=False)

    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        if self.mode == CREATE:
            self.cursor = message.offset
            self.article.set_cursor(self.cursor, self.mark)
            return
        if self.session.move_to(self.session.item_at(message.offset)):
            self._show_moved()

    # --- deciding -----------------------------------------------------------------

    @keyed
    def _decided(self, decide: Callable, *args) -> None:
        """Run a session decision, then show it (it is committed already)."""
        decide(*args)
        self._after_decision()

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

    def action_accept_all(self) -> None:
        self._decided(self.session.accept_all)

    def action_relabel(self, number: int) -> None:
        self._decided(self.session.relabel_number, number)

    def _label_choices(self, stance: bool) -> list[Choice[str]]:
        schema = self.schema
        labels = list(schema.polarities) if stance else list(schema.entities) + [schema.claim, schema.topic]
        out = []
        for n, label in enumerate(labels, 1):
            prompt = Text()
            prompt.append(f" {label.name} ", style=f"black on {label.color} bold")
            prompt.append(" " * max(1, 13 - len(label.name)))
            prompt.append(f"{n} " if n <= 9 and not stance else "  ", style="dim")
            if label.description:
                prompt.append(" " + one_line(label.description, 36), style="dim")
            out.append(Choice(label.name, prompt, label.key))
        return out

    @keyed
    def action_label_picker(self) -> None:
        item = self.session.need_focus()
        stance = isinstance(item.value, Stance)
        choices = self._label_choices(stance)
        selected = next((n for n, c in enumerate(choices) if c.value == item.label), 0)
        title = "Polarity of the stance" if stance else f"Label for “{one_line(self.doc.text[item.start:item.end], 40)}”"
        self.app.push_screen(PickerScreen(title, choices, selected=selected),
                             self._when_picked(lambda label: self.session.relabel(label, item.key)))

    def action_resize(self, how: str) -> None:
        self._decided(self.session.resize, how)

    # --- creating -----------------------------------------------------------------

    def action_new_span(self) -> None:
        item = self.focused_item
        start = item.start if item is not None else self._first_visible_offset()
        self.mode, self.cursor, self.mark = CREATE, start, None
        self.article.set_focus([], scroll=False)  # only the text cursor shows while creating
        self.article.set_cursor(self.cursor, self.mark)
        self.refresh_bindings()
        self._update_status()

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
        self.set_note("start marked: move to the end, enter confirms")

    def action_cancel(self) -> None:
        self.mode, self.cursor, self.mark = NORMAL, None, None
        self.article.set_cursor(None, None)
        self.article.set_focus(self._focus_ranges(self.focused_item), scroll=False)
        self.note = ""
        self.refresh_bindings()
        self._update_status()

    def action_confirm(self) -> None:
        sel = self.session.selection(self.cursor, self.mark)
        if sel is None:
            self.app.bell()
            self.set_note("nothing selected: m marks the start, move, then enter")
            return
        s, e = sel
        self.action_cancel()
        title = f"Label for the new span “{one_line(self.doc.text[s:e], 40)}”"
        self.app.push_screen(PickerScreen(title, self._label_choices(False)),
                             self._when_picked(partial(self.session.create, s, e)))

    # --- undo / redo --------------------------------------------------------------

    @keyed
    def _history(self, which: str) -> None:
        ev = self.session.history(which)
        self._after_decision()
        self.set_note(f"{which}: {ev.action}")

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    # --- claims and stances -------------------------------------------------------

    def _span_choices(self, candidates: list[Candidate], width: int, digits: bool = False) -> list[Choice]:
        out = []
        for n, c in enumerate(candidates):
            prompt = Text()
            prompt.append(f" {c.label} ", style=f"black on {self.schema.color(c.label)}")
            prompt.append(" " + one_line(c.text, width))
            out.append(Choice(c.ref, prompt, str(n + 1) if digits and n < 9 else None))
        return out

    @staticmethod
    def _index_of(choices: list[Choice], ref: SpanRef | None) -> int:
        return next((n for n, c in enumerate(choices) if ref is not None and isinstance(c.value, SpanRef)
                     and (c.value.start, c.value.end) == (ref.start, ref.end)), 0)

    @keyed
    def action_speaker(self) -> None:
        item = self.session.claim_in_focus()
        choices = [Choice(AUTHOR, Text("AUTHOR  (the article's own voice)"), "a"),
                   Choice(UNNAMED, Text("UNNAMED  (an unnamed source)"), "u")]
        choices += self._span_choices(self.session.actor_candidates(near=item.start), 40, digits=True)
        current = D.speaker_of(item.value)
        if isinstance(current, SpanRef) and all(
                not isinstance(c.value, SpanRef) or (c.value.start, c.value.end) != (current.start, current.end)
                for c in choices):
            prompt = Text(one_line(self.doc.text[current.start:current.end], 40) + "  (current speaker)")
            choices.insert(2, Choice(current, prompt, "c"))
        selected = next((n for n, c in enumerate(choices) if c.value == current or (
            isinstance(c.value, SpanRef) and isinstance(current, SpanRef)
            and (c.value.start, c.value.end) == (current.start, current.end))), 0)
        self.app.push_screen(PickerScreen("Who makes this claim?", choices, selected=selected),
                             self._when_picked(partial(self.session.set_speaker, item.key)))

    @keyed
    def action_stance(self) -> None:
        if self.doc is None:
            return
        draft, sources, current = self.session.stance_draft()
        choices = self._span_choices(sources, 40, digits=True)
        title = "Edit stance: who holds it? (1/3)" if draft.editing else "New stance: who holds it? (1/3)"
        self.app.push_screen(PickerScreen(title, choices, selected=self._index_of(choices, current)),
                             lambda source: self._stance_source(draft, source))

    @keyed
    def _stance_source(self, draft: StanceDraft, source: SpanRef | None) -> None:
        if source is None:
            return
        draft.source = source
        targets, current = self.session.stance_targets(draft)
        choices = self._span_choices(targets, 48)
        title = f"Stance of {one_line(self.doc.text[source.start:source.end], 30)} towards… (2/3)"
        self.app.push_screen(PickerScreen(title, choices, selected=self._index_of(choices, current)),
                             lambda target: self._stance_target(draft, target))

    def _stance_target(self, draft: StanceDraft, target: SpanRef | None) -> None:
        if target is None:
            return
        draft.target = target
        pols = self._label_choices(True)
        current = self.session.stance_polarity(draft)
        psel = next((n for n, c in enumerate(pols) if c.value == current), 0)
        self.app.push_screen(PickerScreen("Stance polarity (3/3)", pols, selected=psel),
                             self._when_picked(partial(self.session.finish_stance, draft)))


    # --- documents ----------------------------------------------------------------

    @keyed
    def action_done(self) -> None:
        if self.doc is None:
            return
        nxt = self.session.mark_done()
        if nxt is None:
            self.notify("Every document is done. Well done!", title="All done")
            self._update_status()
            return
        self.open_document(nxt)

    @keyed
    def _open_relative(self, step: int) -> None:
        if self.doc is None or not self.doc_ids:
            return
        doc_id = self.session.relative(step)
        self.open_document(doc_id, self._saved_cursor(doc_id))

    def _saved_cursor(self, doc_id: str) -> dict:
        try:
            return self.session.saved_cursor(doc_id)
        except STORE_ERRORS:
            return {}

    def action_next_doc(self) -> None:
        self._open_relative(1)

    def action_prev_doc(self) -> None:
        self._open_relative(-1)

    @keyed
    def action_doc_list(self) -> None:
        self.session.save_cursor()
        rows = [DocRow(r["doc_id"], r["number"], r["status"], r["counts"][D.SUGGESTED], r["counts"]["accepted"],
                       r["counts"]["rejected"], one_line(r["title"], 70)) for r in self.session.document_rows()]

        def chosen(doc_id: str | None) -> None:
            if doc_id:
                self.open_document(doc_id)

        self.app.push_screen(DocumentListScreen(rows, self.doc.id if self.doc else None), chosen)

    # --- app ----------------------------------------------------------------------

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.keymap, self.session.span_labels(), self.keys_path))

    def action_quit(self) -> None:
        self.save_cursor()
        self.app.exit()
