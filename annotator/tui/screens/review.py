"""The review screen: a queue of documents that need a decision, each annotator's version side by side.

One row per thing on the document: versions of one place are grouped even when their
boundaries differ, and each row shows its position (line and offsets), every annotator's
version, and why they differ. ``=`` marks a unanimous row, ``≠`` a disagreement (also in
words, not by colour alone), ``✓`` a settled one. After every decision (``A``, ``1``-``9``,
``0``/``x``, ``e``) the focus goes to the first open row at or after the focused one.
Only the ``review`` layer is written; each decision is saved at once (an event by the
reviewer), and the reviewer's document and row are remembered, so reviewing resumes there.
Keys come from the same key config as ``annotate`` (ids ``review_*``, see ``?``).
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from annotator.model import CLAIM, DONE, ENTITY, REVIEW_LAYER, STANCE, Action, Span
from annotator.store import annotation_from_record
from annotator.teams import review as rv
from annotator.teams.review_queue import SINGLE, ReviewQueue
from annotator.tui.keymap import REVIEW_KEYS, key_names, review_bindings
from annotator.tui.screens.help import HelpScreen
from annotator.tui.screens.keyed import UI_LOCK_WAIT_S, WaitsForDatabase, keyed
from annotator.tui.screens.picker import Choice, PickerScreen
from annotator.tui.textsafe import one_line
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.review_rows import focus_text, row_items, rows_text


class ConfirmScreen(ModalScreen[bool]):
    """Ask before marking a document reviewed while rows are open."""

    DEFAULT_CSS = """
    ConfirmScreen { align: center middle; }
    ConfirmScreen > Vertical { width: 72; max-width: 95%; height: auto; border: heavy $warning;
                               background: $surface; padding: 1 2; }
    ConfirmScreen .hint { color: $text-muted; padding-top: 1; }
    """
    BINDINGS = [Binding("y", "answer(True)", "Yes", id="review_confirm_yes"),
                Binding("n,escape", "answer(False)", "No", id="review_confirm_no")]

    def __init__(self, open_rows: int) -> None:
        super().__init__()
        self.open_rows = open_rows

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text(f"{self.open_rows} row(s) on this document are still open.", style="bold"))
            yield Static(Text("Mark it reviewed anyway? The open rows are then settled as “nothing here”: "
                              "they stay out of the review layer and its export."))
            yield Static(Text("y  settle them and mark reviewed    n / escape  go back to the rows"), classes="hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


class ReviewScreen(WaitsForDatabase, Screen[None]):
    BINDINGS = review_bindings()
    DEFAULT_CSS = """
    ReviewScreen #status { height: auto; max-height: 2; background: $primary-background; padding: 0 1; }
    ReviewScreen #article { height: 2fr; border: round $accent; }
    ReviewScreen #rows-box { height: 3fr; border: round $secondary; }
    ReviewScreen #rows { text-wrap: nowrap; text-overflow: ellipsis; }
    ReviewScreen #detail { height: auto; max-height: 3; padding: 0 1; }
    ReviewScreen #message { height: auto; max-height: 2; padding: 0 1; color: $warning; }
    """

    def __init__(self, store, reviewer: str, queue: ReviewQueue, schema, *, keymap: dict[str, str] | None = None,
                 keys_path: str | Path = "", start: int = 0, cursor: dict | None = None) -> None:
        super().__init__()
        self.store, self.reviewer, self.queue, self.schema = store, reviewer, queue, schema
        self.annotators = queue.annotators
        self.keymap = dict(keymap or {})
        self.quit_key = key_names(self.keymap, REVIEW_KEYS)["review_quit"]
        self.keys_path = str(keys_path)
        self.index = start
        self.start_cursor = cursor or {}
        self.focus_row = 0
        self.al: rv.Alignment | None = None
        self.text = ""
        self._layer_labels: dict[str, list[str]] = {}

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield ArticleView(self.schema, id="article")
        with VerticalScroll(id="rows-box"):
            yield Static(id="rows")
        yield Static(id="detail")  # the focused row in full: the rows are cut at the right edge when narrow
        yield Static(id="message")
        yield Footer()

    @keyed
    def on_mount(self) -> None:
        self.store.give_up_after(UI_LOCK_WAIT_S)  # then a decision waits, the screen does not
        self.open_entry(self.index, self.start_cursor)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if not self.allowed_while_waiting(action):
            return False
        return action in ("help", "quit") or self.al is not None

    def show_wait_note(self, note: tuple[str, ...]) -> None:
        self.query_one("#message", Static).update(Text(note[0]))  # the message line has the full width

    # --- documents ----------------------------------------------------------------

    @property
    def entry(self):
        return self.queue.entries[self.index]

    def open_entry(self, index: int, cursor: dict | None = None) -> None:
        self.index = max(0, min(index, len(self.queue.entries) - 1))
        doc = self.store.document(self.entry.doc_id)
        if doc is None:  # its row breaks an invariant (edited by hand): say so, never crash
            self.query_one("#message", Static).update(Text(one_line(
                f"document {self.entry.doc_id} cannot be shown: " + "; ".join(self.store.bad_rows), 200)))
            return
        self.text = doc.text
        self.al = self._load()
        place = tuple(cursor.get("place") or ()) if cursor else ()
        at = next((i for i, r in enumerate(self.al.rows) if place and place in r.places), None)
        opened = [i for i, r in enumerate(self.al.rows) if not r.settled]
        self.focus_row = at if at is not None else (opened[0] if opened else 0)
        self.query_one(ArticleView).set_document(self.text, row_items(self.al), self._focus_ranges())
        self.redraw(reload=False)
        self.save_place()

    def _load(self) -> rv.Alignment:
        al = rv.load(self.store, self.entry.doc_id, self.annotators, single=self.entry.reason == SINGLE)
        self.entry.update(al, self.store.statuses(REVIEW_LAYER).get(self.entry.doc_id))
        return al

    def reload(self) -> None:
        self.al = self._load()
        self.focus_row = max(0, min(self.focus_row, len(self.al.rows) - 1))
        self.query_one(ArticleView).set_items(row_items(self.al))

    def write_place(self) -> None:
        row = self._row()
        self.store.save_review_position(self.reviewer, self.entry.doc_id,
                                        {"place": list(row.place)} if row is not None else {})

    # --- drawing ------------------------------------------------------------------

    def _focus_ranges(self) -> list[tuple[int, int]]:
        row = self._row()
        if row is None:
            return []
        return sorted({r for v in row.given for r in rv._ranges(v)})

    def redraw(self, reload: bool = True, message: str = "") -> None:
        if reload:
            self.reload()
        al, entry = self.al, self.entry
        s = rv.summary(al)
        status = ("reviewed" if entry.reviewed else f"marked reviewed, but {entry.open} row(s) reopened"
                  if entry.status == DONE else "not reviewed" if entry.status is None else "in progress")
        kind = "single annotator" if entry.reason == SINGLE else "disagreements"
        self.query_one("#status", Static).update(Text(
            f"Review · {self.index + 1} of {len(self.queue)} in the queue ({kind}) · {self.queue.left} left · "
            f"reviewer {one_line(self.reviewer, 20)} · here: {s['unanimous']} agree, {s['disagreements']} differ, "
            f"{s['open']} open · {status}"))
        self.query_one("#rows", Static).update(rows_text(al, self.text, self.focus_row, entry.unfinished))
        self.query_one("#detail", Static).update(focus_text(al, self.text, self.focus_row))
        box = self.query_one("#rows-box", VerticalScroll)
        line = self.focus_row + 1  # one line per row, after the header
        if not box.scroll_y <= line < box.scroll_y + box.scrollable_content_region.height - 1:
            box.scroll_to(y=max(0, line - 3), animate=False)
        self.query_one(ArticleView).set_focus(self._focus_ranges())
        self.query_one("#message", Static).update(Text(one_line(message, 200)))

    # --- moving -------------------------------------------------------------------

    def _row(self) -> rv.Row | None:
        if not self.al or not self.al.rows:
            return None
        return self.al.rows[self.focus_row]

    def action_move(self, step: int) -> None:
        if self.al and self.al.rows:
            self.focus_row = max(0, min(self.focus_row + step, len(self.al.rows) - 1))
            self.redraw(reload=False)
            self.save_place_soon()

    def _open_from(self, start: int, inclusive: bool) -> int | None:
        n = len(self.al.rows)
        for k in range(0 if inclusive else 1, n + (0 if inclusive else 1)):
            i = (start + k) % n
            if not self.al.rows[i].settled:
                return i
        return None

    def action_next_open(self) -> None:
        if self.al and self.al.rows:
            nxt = self._open_from(self.focus_row, inclusive=False)
            if nxt is not None:
                self.focus_row = nxt
            self.redraw(reload=False, message="" if nxt is not None else "every row is settled")
            self.save_place_soon()

    def _decided(self, message: str) -> None:
        """After every decision: the first open row at or after the focused one (the one rule)."""
        self.reload()
        if self.al.rows:
            nxt = self._open_from(self.focus_row, inclusive=True)
            if nxt is not None:
                self.focus_row = nxt
        self.redraw(reload=False, message=message)
        self.save_place_soon()

    # --- deciding -----------------------------------------------------------------

    @keyed
    def action_accept_unanimous(self) -> None:
        changes = rv.accept_unanimous(self.al)
        rv.save(self.store, self.reviewer, self.al.doc_id, Action.REVIEW_ACCEPT_UNANIMOUS, changes)
        self._decided(f"accepted {len(changes)} unanimous item(s) into the review layer")

    @keyed
    def action_choose(self, k: int) -> None:
        row = self._row()
        if row is None:
            return
        if k == 0:
            value, who = None, "nothing here"
        elif k <= len(self.al.annotators):
            name = self.al.annotators[k - 1]
            value, who = row.versions[name], f"{one_line(name, 20)}'s version"
        else:
            self.app.bell()
            self.redraw(reload=False, message=f"there is no annotator {k} on this document")
            return
        rv.save(self.store, self.reviewer, self.al.doc_id, Action.REVIEW_CHOOSE, rv.choose(self.al, row, value))
        self._decided(f"took {who}")

    def _labels(self, kind: str, row: rv.Row) -> list[Choice[str]]:
        """Schema labels first (with their keys), then every other label the layers use for this kind
        (e.g. FASHION_BRAND kept at import), so any label an annotator gave can be chosen."""
        if kind == STANCE:
            schema = [(p.name, p.key) for p in self.schema.polarities]
        elif kind == "entity":
            schema = [(lab.name, lab.key) for lab in self.schema.entities]
        else:
            schema = [(self.schema.topic.name, None)] if kind == "topic" else []
        if kind not in self._layer_labels:
            self._layer_labels[kind] = self.store.labels_in_layers(self.annotators + [REVIEW_LAYER], kind)
        names = {n for n, _ in schema}
        extra = sorted({*self._layer_labels[kind], *(v.label for v in row.given)} - names)
        return ([Choice(name, Text(name), key) for name, key in schema]
                + [Choice(name, Text(f"{one_line(name, 30)}  (not in the schema)")) for name in extra])

    @keyed
    def action_edit(self) -> None:
        row = self._row()
        if row is None:
            return
        base = row.decision or row.first
        if row.kind == CLAIM:
            self._edit_speaker(row, base)
            return
        choices = self._labels(row.kind, row)
        selected = next((i for i, c in enumerate(choices) if c.value == base.label), 0)
        self.app.push_screen(PickerScreen(f"Label for the review layer ({row.kind})", choices, selected=selected),
                             lambda label: self._edited(row, rv.relabel(base, label) if label else None,
                                                        f"set {label}"))

    @keyed
    def _edited(self, row: rv.Row, value, message: str) -> None:
        if value is not None:
            rv.save(self.store, self.reviewer, self.al.doc_id, Action.REVIEW_EDIT, rv.choose(self.al, row, value))
            self._decided(message)

    def _edit_speaker(self, row: rv.Row, base) -> None:
        """A claim's speaker: AUTHOR, UNNAMED, or an actor (an entity of one of the schema's ``actors``
        labels) any annotator marked in the document -- nearest the claim first (a speaker is mostly
        in or next to its claim; in a long article the picker's keys then reach it), each with its
        line, so two mentions of one name can be told apart."""
        options: list[tuple[str, object]] = [("AUTHOR (the article's own voice)", "AUTHOR"), ("UNNAMED", "UNNAMED")]
        actors: dict[tuple[int, int], str] = {}
        for other in self.al.rows:
            for v in other.given:
                if v.kind == ENTITY and v.label in self.schema.actors:
                    actors.setdefault((v.start, v.end), v.label)

        def distance(span: tuple[int, int]) -> tuple[int, int]:
            return max(0, base.start - span[1], span[0] - base.end), span[0]

        for (start, end) in sorted(actors, key=distance):
            label = actors[start, end]
            options.append((f"{one_line(self.text[start:end], 40)} ({one_line(label, 24)}) · line "
                            f"{rv.position(self.text, start)}", {"start": start, "end": end, "label": label}))
        keys = "123456789abcdfghijklmnoprstvwyz"
        choices = [Choice(value, Text(prompt), keys[i] if i < len(keys) else None)
                   for i, (prompt, value) in enumerate(options)]

        def chosen(speaker) -> None:
            if speaker:
                edited = Span(base.start, base.end, base.label, base.kind, {**base.attrs, "speaker": speaker})
                who = rv.describe(edited, self.text).split(" by ", 1)[-1]
                self._edited(row, edited, f"speaker set to {one_line(who, 40)}")

        self.app.push_screen(PickerScreen("Speaker of the claim (review layer)", choices), chosen)

    @keyed
    def action_undo(self) -> None:
        ev = self.store.undo(self.reviewer, self.al.doc_id)
        if ev is None:
            self.redraw(reload=False, message="nothing to undo")
            return
        self.reload()
        places = set()
        for before, after in ev.payload.get("changes", []):
            for rec in (before, after):
                if rec:
                    places.add(rv.place_of(annotation_from_record(rec).value))
        at = next((i for i, r in enumerate(self.al.rows) if r.places & places), None)
        if at is not None:
            self.focus_row = at  # back on the row whose decision was undone
        self.redraw(reload=False, message=f"undone: {ev.action}")
        self.save_place_soon()

    # --- documents ----------------------------------------------------------------

    @keyed
    def action_done(self) -> None:
        if self.al.open:
            self.app.push_screen(ConfirmScreen(len(self.al.open)), self._confirmed)
            return
        self._mark_reviewed(settle=False)

    @keyed
    def _confirmed(self, yes: bool | None) -> None:
        if yes:
            self._mark_reviewed(settle=True)
        else:
            self.redraw(reload=False, message="not marked reviewed: tab goes to the next open row")

    def _mark_reviewed(self, settle: bool) -> None:
        settled = rv.mark_reviewed(self.store, self.reviewer, self.al, settle=settle)
        self.reload()
        note = "marked reviewed" + (f" ({settled} open row(s) settled as nothing here)" if settled else "")
        nxt = self.queue.next_left(self.index)
        if nxt is None:
            self.redraw(reload=False, message=f"{note}; every document in the queue is reviewed")
            return
        self.open_entry(nxt)
        self.redraw(reload=False, message=f"previous document {note}")

    @keyed
    def action_left(self, step: int) -> None:
        nxt = self.queue.next_left(self.index, step)
        if nxt is None:
            self.redraw(reload=False, message="no document is left to review")
        else:
            self.open_entry(nxt)

    @keyed
    def action_doc(self, step: int) -> None:
        self.open_entry(self.index + step)

    # --- app ----------------------------------------------------------------------

    def action_help(self) -> None:
        self.app.push_screen(HelpScreen(self.keymap, None, self.keys_path, keys=REVIEW_KEYS))

    def action_quit(self) -> None:
        if self.al is not None:
            self.save_place()
        self.app.exit()
