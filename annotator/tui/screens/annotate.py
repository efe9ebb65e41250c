"""The annotation screen: article, side panel, status line; every decision saved first."""

from __future__ import annotations

import sqlite3
from functools import wraps
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static

from annotator import decisions as D
from annotator.assign import annotator_queue
from annotator.errors import AnnotatorError
from annotator.model import AUTHOR, CLAIM, STANCE, UNNAMED, SpanRef, Stance
from annotator.tui.keymap import CREATE, KEYS, NORMAL, bindings
from annotator.tui.screens.documents import DocRow, DocumentListScreen
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.picker import Choice, PickerScreen
from annotator.tui.textsafe import one_line
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.lines import LinesView
from annotator.tui.widgets.panels import bad_rows_note, detail, side_panel, status_line

if TYPE_CHECKING:
    from annotator.tui.app import AnnotatorApp

MIN_WIDTH, MIN_HEIGHT = 60, 12
CREATE_ACTIONS = {k.action.split("(")[0] for k in KEYS if k.mode == CREATE}
ALWAYS = {"quit", "help"}
STORE_ERRORS = (sqlite3.Error, AnnotatorError, OSError)


def guarded(method):
    """Turn a store failure (locked, damaged, disk full) into the error screen."""

    @wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except STORE_ERRORS as exc:
            self.app.show_error(exc)
            return None

    return wrapper


class AnnotateScreen(Screen):
    BINDINGS = bindings()

    def __init__(self) -> None:
        super().__init__()
        self.doc_ids: list[str] = []
        self.doc_index = 0
        self.doc = None
        self.items: list[D.Item] = []
        self.focus_index: int | None = None
        self.words: D.Words | None = None
        self.mode = NORMAL
        self.cursor: int | None = None
        self.mark: int | None = None
        self.statuses: dict[str, str] = {}
        self.too_small = False
        self.note = ""
        self._save_timer: Timer | None = None
        self._item_lines: dict[str, int] = {}
        self._suggestions: list = []
        self._suggestions_for: str | None = None

    @property
    def app(self) -> "AnnotatorApp":  # type: ignore[override]
        return super().app  # type: ignore[return-value]

    @property
    def store(self):
        return self.app.store

    @property
    def layer(self) -> str:
        return self.app.annotator

    @property
    def focused_item(self) -> D.Item | None:
        if self.focus_index is None or not (0 <= self.focus_index < len(self.items)):
            return None
        return self.items[self.focus_index]

    # --- layout -------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            yield ArticleView(self.app.schema, id="article")
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

    # --- loading ------------------------------------------------------------------

    @guarded
    def open_first(self) -> None:
        """Open where the annotator stopped, else the first document not done.

        Documents come in the annotator's queue order: their own unfinished assignments
        (`annotator assign`), then other unfinished documents, then finished ones."""
        self.doc_ids = annotator_queue(self.store, self.layer)
        self.statuses = self.store.statuses(self.layer)
        start = self.app.start_doc
        cursor: dict = {}
        if start is None:
            last, cursor = self.store.resume_point(self.layer)
            if last in self.doc_ids:
                start = last
            else:
                start = next((d for d in self.doc_ids if self.statuses.get(d) != "done"),
                             self.doc_ids[0] if self.doc_ids else None)
        if start is None:
            self.query_one("#detail", Static).update(Text("No documents in this database."))
            return
        self.open_document(start, cursor)

    @guarded
    def open_document(self, doc_id: str, cursor: dict | None = None) -> None:
        if self.doc is not None and self.doc.id != doc_id:
            self.save_cursor()
        self.mode, self.cursor, self.mark = NORMAL, None, None
        self.note = ""
        doc = self.store.document(doc_id)
        if doc is None:
            return
        if doc_id not in self.doc_ids:
            self.doc_ids = annotator_queue(self.store, self.layer)
        self.doc = doc
        self.doc_index = self.doc_ids.index(doc_id)
        self.words = D.Words(doc.text)
        self.items = self._load_items(suggestions=True)
        self.focus_index = self._index_for_cursor(cursor or {})
        self.article.set_document(doc.text, self.items)
        self.article.set_cursor(None, None)
        self._show_focus()
        self._update_panels()
        self.refresh_bindings()
        self.save_cursor()  # also marks the document in progress for this annotator
        if self.statuses.get(doc_id) is None:
            self.statuses[doc_id] = "in_progress"
            self._update_status()

    def _load_items(self, *, suggestions: bool = False) -> list[D.Item]:
        """The visible items: cached suggestions (re-read when they change) plus the layer."""
        assert self.doc is not None
        if suggestions or self._suggestions_for != self.doc.id:
            self._suggestions = self.store.suggestions(self.doc.id)
            self._suggestions_for = self.doc.id
        return D.visible_items(self._suggestions, self.store.items(self.doc.id, self.layer))

    def _index_for_cursor(self, cursor: dict) -> int | None:
        if not self.items:
            return None
        i = D.find_item(self.items, cursor.get("key"))
        if i is None and cursor.get("suggestion_id"):
            i = next((n for n, it in enumerate(self.items) if it.suggestion_id == cursor["suggestion_id"]), None)
        if i is None and "start" in cursor:
            i = D.nearest_index(self.items, int(cursor["start"]))
        if i is None:
            i = D.next_undecided(self.items)
        return 0 if i is None else i

    @guarded
    def reload_items(self, *, keep: str | None = None) -> None:
        """Re-read the document's items (after suggestions arrive), keeping the focus."""
        if self.doc is None:
            return
        old = self.focused_item
        self.items = self._load_items(suggestions=True)
        i = D.find_item(self.items, keep or (old.key if old else None))
        if i is None:
            i = D.next_undecided(self.items) if old is None else self._index_for_cursor(
                {"start": old.start, "suggestion_id": old.suggestion_id})
        self.focus_index = i if self.items else None
        self.article.set_items(self.items)
        self._show_focus(scroll=old is None)
        self._update_panels()

    def save_cursor(self) -> None:
        if self.doc is None:
            return
        item = self.focused_item
        cursor = {"key": item.key, "start": item.start, "end": item.end,
                  "suggestion_id": item.suggestion_id} if item else {}
        try:
            self.store.save_cursor(self.layer, self.doc.id, cursor)
        except STORE_ERRORS as exc:
            self.app.show_error(exc)

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
            detail(item, text, self.app.schema, self.focus_index or 0, len(self.items)), layout=False)
        self._update_status()

    def _update_panels(self) -> None:
        text = self.doc.text if self.doc else ""
        lines, self._item_lines = side_panel(self.items, text, self.app.schema)
        item = self.focused_item
        self.query_one("#items", LinesView).set_lines(lines, self._item_lines.get(item.key) if item else None)
        self._update_status()

    def _update_status(self) -> None:
        if self.doc is None:
            return
        done = sum(1 for d in self.doc_ids if self.statuses.get(d) == "done")
        mode = ""
        if self.mode == CREATE:
            mode = "NEW SPAN: ←→ w b move · m mark"
        note = self.note or self.app.suggest_note or bad_rows_note(self.store)
        self.query_one("#status", Static).update(status_line(
            self.doc_index + 1, len(self.doc_ids), self.layer, done, D.counts(self.items),
            self.statuses.get(self.doc.id, "todo"), note, mode), layout=False)

    def set_note(self, note: str) -> None:
        self.note = note
        self._update_status()

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

    def _move_to(self, index: int | None) -> None:
        if index is None or not self.items:
            return
        self.focus_index = max(0, min(index, len(self.items) - 1))
        self._show_focus()
        item = self.focused_item
        self.query_one("#items", LinesView).highlight(self._item_lines.get(item.key) if item else None)
        self._save_soon()

    def action_next_span(self) -> None:
        if self.items:
            self._move_to(0 if self.focus_index is None else min(self.focus_index + 1, len(self.items) - 1))

    def action_prev_span(self) -> None:
        if self.items:
            self._move_to(0 if self.focus_index is None else max(self.focus_index - 1, 0))

    def action_next_undecided(self) -> None:
        i = D.next_undecided(self.items, self.focus_index)
        if i is None:
            self.app.notify("No undecided suggestions left in this document.")
        self._move_to(i)

    def action_page(self, direction: int) -> None:
        view = self.article
        view.scroll_to(y=view.scroll_y + direction * max(1, view.text_height - 2), animate=False)

    def on_article_view_clicked(self, message: ArticleView.Clicked) -> None:
        if self.mode == CREATE:
            self.cursor = message.offset
            self.article.set_cursor(self.cursor, self.mark)
            return
        hits = [i for i, it in enumerate(self.items) if it.start <= message.offset < it.end and it.kind != STANCE]
        if hits:
            self._move_to(min(hits, key=lambda i: self.items[i].end - self.items[i].start))

    # --- deciding -----------------------------------------------------------------

    @guarded
    def decide(self, action: str, changes: list, *, advance: bool, focus_key: str | None = None, **extra) -> bool:
        """Write one decision (event + state in one transaction), then show it."""
        if self.doc is None:
            return False
        if not changes:
            self.app.bell()
            return False
        old = self.focused_item
        self.store.apply(self.layer, self.doc.id, action, changes, **extra)  # committed before we show it
        if self.statuses.get(self.doc.id) is None:
            self.statuses[self.doc.id] = "in_progress"
        self.items = self._load_items()
        self.article.set_items(self.items)
        target = None
        if focus_key is None:
            after = [a for _, a in changes if a is not None]
            focus_key = "a:" + after[0].id if after else None
        if advance:
            pos = old.sort_key if old else None
            nxt = [i for i, it in enumerate(self.items) if it.undecided and (pos is None or it.sort_key > pos)]
            target = nxt[0] if nxt else D.next_undecided(self.items)
        if target is None:
            target = D.find_item(self.items, focus_key)
        if target is None and old is not None:
            target = D.nearest_index(self.items, old.start)
        self.focus_index = target if self.items else None
        self._show_focus()
        self._update_panels()
        self._save_soon()
        return True

    def _need_item(self) -> D.Item | None:
        item = self.focused_item
        if item is None:
            self.app.notify("Nothing is focused: press n to create a span.", severity="warning")
        return item

    def action_accept(self) -> None:
        if item := self._need_item():
            changes = D.accept(item, self.doc.id, self.layer)
            if not changes:  # already accepted: nothing to write, just move on
                self.action_next_undecided()
                return
            self.decide("accept", changes, advance=True)

    def action_reject(self) -> None:
        if item := self._need_item():
            changes = D.reject(item, self.doc.id, self.layer)
            if not changes:  # already rejected
                self.action_next_undecided()
                return
            self.decide("reject", changes, advance=True)

    def action_delete(self) -> None:
        if item := self._need_item():
            if item.annotation is None:
                self.app.notify("An undecided suggestion is not in your layer: x rejects it.")
                return
            self.decide("delete", D.delete(item), advance=False)

    def action_accept_all(self) -> None:
        changes = D.accept_all(self.items, self.doc.id, self.layer)
        if not changes:
            self.app.notify("No undecided suggestions left in this document.")
            return
        item = self.focused_item
        self.decide("accept_all", changes, advance=False, focus_key=item.key if item else None, count=len(changes))

    def _labels(self) -> list[str]:
        return [label.name for label in self.app.schema.entities]

    def _kind_for(self, label: str) -> str:
        schema = self.app.schema
        return D.kind_of_label(label, schema.claim.name, schema.topic.name)

    def _relabel(self, item: D.Item, label: str) -> None:
        kind = None if isinstance(item.value, Stance) else self._kind_for(label)
        self.decide("relabel", D.relabel(item, label, self.doc.id, self.layer, kind=kind), advance=True,
                    label=label)

    def action_relabel(self, number: int) -> None:
        item = self._need_item()
        if item is None:
            return
        if isinstance(item.value, Stance):
            pols = [p.name for p in self.app.schema.polarities]
            if number <= len(pols):
                self._relabel(item, pols[number - 1])
            return
        labels = self._labels()
        if number <= len(labels):
            self._relabel(item, labels[number - 1])

    def _label_choices(self, stance: bool) -> list[Choice[str]]:
        schema = self.app.schema
        if stance:
            labels = list(schema.polarities)
        else:
            labels = list(schema.entities) + [schema.claim, schema.topic]
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

    def action_label_picker(self) -> None:
        item = self._need_item()
        if item is None:
            return
        stance = isinstance(item.value, Stance)
        choices = self._label_choices(stance)
        selected = next((n for n, c in enumerate(choices) if c.value == item.label), 0)
        title = "Polarity of the stance" if stance else f"Label for “{one_line(self.doc.text[item.start:item.end], 40)}”"

        def chosen(label: str | None) -> None:
            if label:
                current = D.find_item(self.items, item.key)
                if current is not None:
                    self._relabel(self.items[current], label)

        self.app.push_screen(PickerScreen(title, choices, selected=selected), chosen)

    def action_resize(self, how: str) -> None:
        item = self._need_item()
        if item is None or self.words is None:
            return
        if isinstance(item.value, Stance):
            self.app.notify("A stance has no boundaries to move.")
            return
        self.decide("resize", D.resize(item, self.words, how, self.doc.id, self.layer), advance=False, how=how)

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
        if self.cursor is None or self.words is None:
            return
        if step > 0:
            # to the end of this word when marking, else to the start of the next word
            new = self.words.next_end(self.cursor) if self.mark is not None else self.words.next_start(self.cursor)
        else:
            new = self.words.prev_end(self.cursor) if self.mark is not None and self.cursor > self.mark \
                else self.words.prev_start(self.cursor)
            if self.mark is not None and new is not None and new <= self.mark < self.cursor:
                new = self.words.prev_start(self.cursor)
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

    def _selection(self) -> tuple[int, int] | None:
        if self.cursor is None or self.doc is None or self.words is None:
            return None
        if self.mark is None:
            word = self.words.word_at(self.cursor)
            return word
        s, e = min(self.mark, self.cursor), max(self.mark, self.cursor)
        if s == e:
            return self.words.word_at(s)
        # trim whitespace at either end
        text = self.doc.text
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        return (s, e) if e > s else None

    def action_confirm(self) -> None:
        sel = self._selection()
        if sel is None:
            self.app.bell()
            self.set_note("nothing selected: m marks the start, move, then enter")
            return
        s, e = sel
        self.action_cancel()
        choices = self._label_choices(False)
        title = f"Label for the new span “{one_line(self.doc.text[s:e], 40)}”"

        def chosen(label: str | None) -> None:
            if label:
                self.decide("create", D.create(self.doc.id, self.layer, s, e, label, self._kind_for(label)),
                            advance=False)

        self.app.push_screen(PickerScreen(title, choices), chosen)

    # --- undo / redo --------------------------------------------------------------

    def _focus_for_records(self, records: list[dict | None]) -> str | None:
        for rec in records:
            if rec is None:
                continue
            key = "a:" + rec["id"]
            if D.find_item(self.items, key) is not None:
                return key
            if rec.get("suggestion_id"):
                i = next((n for n, it in enumerate(self.items) if it.suggestion_id == rec["suggestion_id"]), None)
                if i is not None:
                    return self.items[i].key
        return None

    @guarded
    def _history(self, which: str) -> None:
        if self.doc is None:
            return
        ev = (self.store.undo if which == "undo" else self.store.redo)(self.layer, self.doc.id)
        if ev is None:
            self.app.notify(f"Nothing to {which} in this document.")
            return
        self.items = self._load_items()
        self.article.set_items(self.items)
        records = [r for pair in ev.payload.get("changes", []) for r in pair]
        key = self._focus_for_records(records)
        i = D.find_item(self.items, key)
        if i is None and records and records[0]:
            i = D.nearest_index(self.items, int(records[0]["start"]))
        self.focus_index = i if self.items else None
        self._show_focus()
        self._update_panels()
        self.set_note(f"{which}: {ev.action}")
        self._save_soon()

    def action_undo(self) -> None:
        self._history("undo")

    def action_redo(self) -> None:
        self._history("redo")

    # --- claims and stances -------------------------------------------------------

    def _actor_choices(self, extra_author: bool, near: int = 0) -> list[Choice]:
        """AUTHOR, UNNAMED and the document's actors, one per name (the mention nearest ``near``)."""
        text = self.doc.text
        choices: list[Choice] = []
        if extra_author:
            choices.append(Choice(AUTHOR, Text("AUTHOR  (the article's own voice)"), "a"))
            choices.append(Choice(UNNAMED, Text("UNNAMED  (an unnamed source)"), "u"))
        best: dict[tuple, D.Item] = {}
        order: list[tuple] = []
        for it in D.actors(self.items):
            name = (one_line(text[it.start:it.end], 200).lower(), it.label)
            if name not in best:
                order.append(name)
                best[name] = it
            elif abs(it.start - near) < abs(best[name].start - near):
                best[name] = it
        for n, name in enumerate(order):
            it = best[name]
            prompt = Text()
            prompt.append(f" {it.label} ", style=f"black on {self.app.schema.color(it.label)}")
            prompt.append(" " + one_line(text[it.start:it.end], 40))
            choices.append(Choice(SpanRef(it.start, it.end, it.label), prompt, str(n + 1) if n < 9 else None))
        return choices

    def action_speaker(self) -> None:
        item = self._need_item()
        if item is None:
            return
        if item.kind != CLAIM:
            self.app.notify("Focus a claim to set its speaker (j/k moves).", severity="warning")
            return
        choices = self._actor_choices(True, near=item.start)
        current = D.speaker_of(item.value)
        if isinstance(current, SpanRef) and all(
                not isinstance(c.value, SpanRef) or (c.value.start, c.value.end) != (current.start, current.end)
                for c in choices):
            prompt = Text(one_line(self.doc.text[current.start:current.end], 40) + "  (current speaker)")
            choices.insert(2, Choice(current, prompt, "c"))
        selected = next((n for n, c in enumerate(choices) if c.value == current or (
            isinstance(c.value, SpanRef) and isinstance(current, SpanRef)
            and (c.value.start, c.value.end) == (current.start, current.end))), 0)

        def chosen(speaker) -> None:
            if speaker is None:
                return
            i = D.find_item(self.items, item.key)
            if i is not None:
                sp = speaker if isinstance(speaker, str) else speaker.to_dict()
                self.decide("set_speaker", D.set_speaker(self.items[i], speaker, self.doc.id, self.layer, self.doc.text),
                            advance=False, speaker=sp)

        self.app.push_screen(PickerScreen("Who makes this claim?", choices, selected=selected), chosen)

    def _target_choices(self, source: SpanRef) -> list[Choice]:
        """Every span that can be a stance target, one per (words, label): the mention nearest the source."""
        text = self.doc.text
        best: dict[tuple, D.Item] = {}
        order: list[tuple] = []
        for it in self.items:
            if it.kind == STANCE or it.state == "rejected" or (it.start, it.end) == (source.start, source.end):
                continue
            name = (one_line(text[it.start:it.end], 200).lower(), it.label)
            if name not in best:
                order.append(name)
                best[name] = it
            elif abs(it.start - source.start) < abs(best[name].start - source.start):
                best[name] = it
        out: list[Choice] = []
        for name in order:
            it = best[name]
            prompt = Text()
            prompt.append(f" {it.label} ", style=f"black on {self.app.schema.color(it.label)}")
            prompt.append(" " + one_line(text[it.start:it.end], 48))
            out.append(Choice(SpanRef(it.start, it.end, it.label), prompt))
        return out

    def action_stance(self) -> None:
        if self.doc is None:
            return
        item = self.focused_item
        editing = item if item is not None and isinstance(item.value, Stance) else None
        sources = self._actor_choices(False, near=item.start if item is not None else 0)
        if not sources:
            self.app.notify("No actors (PERSON, ORG, GPE, NORP) in this document to hold a stance.",
                            severity="warning")
            return
        if editing is not None:
            cur_src = editing.value.source
        else:
            cur_src = SpanRef(item.start, item.end, item.label) if item is not None else None
        sel = next((n for n, c in enumerate(sources) if cur_src and (c.value.start, c.value.end) ==
                    (cur_src.start, cur_src.end)), 0)
        state: dict = {}

        def got_polarity(polarity: str | None) -> None:
            if polarity is None:
                return
            if editing is not None:
                i = D.find_item(self.items, editing.key)
                if i is None:
                    return
                changes = D.edit_stance(self.items[i], self.doc.id, self.layer, source=state["source"],
                                        target=state["target"], polarity=polarity)
                self.decide("edit_stance", changes, advance=False)
            else:
                changes = D.add_stance(self.doc.id, self.layer, self.doc.text, state["source"], state["target"],
                                       polarity)
                self.decide("add_stance", changes, advance=False)

        def got_target(target: SpanRef | None) -> None:
            if target is None:
                return
            state["target"] = target
            pols = self._label_choices(True)
            cur = editing.value.polarity if editing is not None else None
            psel = next((n for n, c in enumerate(pols) if c.value == cur), 0)
            self.app.push_screen(PickerScreen("Stance polarity (3/3)", pols, selected=psel), got_polarity)

        def got_source(source: SpanRef | None) -> None:
            if source is None:
                return
            state["source"] = source
            targets = self._target_choices(source)
            if not targets:
                self.app.notify("No target spans: create one first (n).", severity="warning")
                return
            cur_t = editing.value.target if editing is not None else (
                SpanRef(item.start, item.end) if item is not None and item.kind != STANCE else None)
            tsel = next((n for n, c in enumerate(targets) if cur_t and (c.value.start, c.value.end) ==
                         (cur_t.start, cur_t.end)), 0)
            src_text = one_line(self.doc.text[source.start:source.end], 30)
            self.app.push_screen(PickerScreen(f"Stance of {src_text} towards… (2/3)", targets, selected=tsel),
                                 got_target)

        title = "Edit stance: who holds it? (1/3)" if editing else "New stance: who holds it? (1/3)"
        self.app.push_screen(PickerScreen(title, sources, selected=sel), got_source)

    # --- documents ----------------------------------------------------------------

    @guarded
    def action_done(self) -> None:
        if self.doc is None:
            return
        self.store.set_status(self.layer, self.doc.id, "done")
        self.statuses = self.store.statuses(self.layer)
        n = len(self.doc_ids)
        nxt = next((self.doc_ids[(self.doc_index + k) % n] for k in range(1, n + 1)
                    if self.statuses.get(self.doc_ids[(self.doc_index + k) % n]) != "done"), None)
        if nxt is None:
            self.app.notify("Every document is done. Well done!", title="All done")
            self._update_status()
            return
        self.open_document(nxt)

    def _open_relative(self, step: int) -> None:
        if self.doc is None or not self.doc_ids:
            return
        i = self.doc_index + step
        if not 0 <= i < len(self.doc_ids):
            self.app.notify("That was the " + ("last" if step > 0 else "first") + " document.")
            return
        self.open_document(self.doc_ids[i], self._saved_cursor(self.doc_ids[i]))

    def _saved_cursor(self, doc_id: str) -> dict:
        try:
            return self.store.cursor(self.layer, doc_id)
        except STORE_ERRORS:
            return {}

    def action_next_doc(self) -> None:
        self._open_relative(1)

    def action_prev_doc(self) -> None:
        self._open_relative(-1)

    @guarded
    def action_doc_list(self) -> None:
        self.save_cursor()
        statuses = self.store.statuses(self.layer)
        layer = self.store.layer_items(self.layer)
        by_doc: dict[str, list] = {}
        for s in self.store.suggestions():
            by_doc.setdefault(s.doc_id, []).append(s)
        rows = []
        for n, doc in enumerate(self.store.documents(), 1):
            items = D.visible_items(by_doc.get(doc.id, []), layer.get(doc.id, []))
            c = D.counts(items)
            title = doc.meta.get("title") or doc.text
            rows.append(DocRow(doc.id, n, statuses.get(doc.id, "todo"), c[D.SUGGESTED], c["accepted"],
                               c["rejected"], one_line(str(title), 70)))

        def chosen(doc_id: str | None) -> None:
            if doc_id:
                self.open_document(doc_id)

        self.app.push_screen(DocumentListScreen(rows, self.doc.id if self.doc else None), chosen)

    # --- app ----------------------------------------------------------------------

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.app.keymap, self._labels(), str(self.app.keys_path)))

    def action_quit(self) -> None:
        self.save_cursor()
        self.app.exit()
