"""The review screen: every annotator's items on a document, aligned, settled into the review layer.

One row per place (a span's offsets, a stance's source and target). A row shows each
annotator's version; ``=`` marks a unanimous row, ``≠`` a disagreement (also in words,
not by colour alone), ``✓`` a settled one. ``A`` accepts every unanimous row at once;
``1``-``9`` take annotator k's version of the focused row, ``0`` settles it as "nothing
here", ``e`` edits the label (for a claim: its speaker). Only the ``review`` layer is written; each decision is
saved at once (an event by the reviewer), so reviewing resumes where it stopped.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

from annotator.teams import review as rv
from annotator.annotate.decisions import Item
from annotator.model import ACCEPTED, REJECTED, REVIEW_LAYER, STANCE, Annotation
from annotator.tui.screens.picker import Choice, PickerScreen
from annotator.tui.textsafe import one_line
from annotator.tui.widgets.article import ArticleView

SUGGESTED = "suggested"

REVIEW_KEYS = [
    Binding("j,down", "move(1)", "Next row", show=False, id="review_next"),
    Binding("k,up", "move(-1)", "Previous row", show=False, id="review_prev"),
    Binding("tab", "next_open", "Next open row", show=False, id="review_next_open"),
    Binding("A", "accept_unanimous", "Accept unanimous", id="review_accept_unanimous"),
    *[Binding(str(i), f"choose({i})", f"Take annotator {i}'s version", show=False, id=f"review_choose_{i}")
      for i in range(1, 10)],
    Binding("0,x", "choose(0)", "Nothing here", show=False, id="review_none"),
    Binding("e", "edit", "Edit label", id="review_edit"),
    Binding("u,ctrl+z", "undo", "Undo", id="review_undo"),
    Binding("d", "done", "Reviewed, next", id="review_done"),
    Binding("right_square_bracket", "doc(1)", "Next document", show=False, id="review_next_doc"),
    Binding("left_square_bracket", "doc(-1)", "Previous document", show=False, id="review_prev_doc"),
    Binding("question_mark", "help", "Keys", id="review_help"),
    Binding("q", "app.quit", "Quit", id="review_quit"),
]

KEY_HELP = [
    ("A", "accept every unanimous row into the review layer"),
    ("1-9", "take annotator k's version of the focused row"),
    ("0, x", "settle the row as 'nothing here'"),
    ("e", "edit: entity label, stance polarity, claim speaker"),
    ("j/down, k/up", "next / previous row"),
    ("tab", "next open row"),
    ("u, ctrl+z", "undo your last decision on this document"),
    ("d", "mark the document reviewed, open the next"),
    ("], [", "next / previous document"),
    ("?", "this help"),
    ("q", "quit (everything is already saved)"),
]


class ReviewHelp(ModalScreen[None]):
    DEFAULT_CSS = """
    ReviewHelp { align: center middle; }
    ReviewHelp > Static { width: 72; height: auto; border: round $accent; background: $surface; padding: 1 2; }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="review_help_close")]

    def compose(self) -> ComposeResult:
        text = Text("Review keys\n\n", style="bold")
        for keys, what in KEY_HELP:
            text.append(f"{keys:<14}", style="bold")
            text.append(f"{what}\n")
        text.append("\nescape closes", style="dim")
        yield Static(text)

    def action_close(self) -> None:
        self.dismiss(None)


def row_items(al: rv.Alignment, focus: int) -> list[Item]:
    """What the article pane draws: settled rows as accepted, open ones as suggestions."""
    items = []
    for i, row in enumerate(al.rows):
        value = row.decision or next((v for v in row.versions.values() if v is not None))
        state = ACCEPTED if row.decision is not None else (REJECTED if row.settled else SUGGESTED)
        items.append(Item(value, state, None, Annotation(f"row{i}", al.doc_id, REVIEW_LAYER, value)))
    return items


def _short(value, text: str) -> str:
    """A version as shown in a row (a stance row already names its source and target)."""
    if value is not None and value.kind == STANCE:
        return value.polarity
    return rv.describe(value, text)


def rows_text(al: rv.Alignment, text: str, focus: int) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    names = al.annotators
    out.append("    " + "  ".join(f"{i + 1}:{n}" for i, n in enumerate(names)) + "\n", style="bold")
    for i, row in enumerate(al.rows):
        if row.settled:
            mark, word = "✓", "settled"
        elif row.unanimous:
            mark, word = "=", "agree"
        else:
            mark, word = "≠", "differ"
        style = "reverse bold" if i == focus else ("dim" if row.settled else "")
        if row.kind == STANCE:
            span = one_line(f"{text[row.place[1]:row.place[2]]} → {text[row.place[3]:row.place[4]]}", 40)
        else:
            span = one_line(text[row.start:row.end], 40)
        line = Text(f"{'▶' if i == focus else ' '}{mark} {row.kind:<6} {span!r:<42} {word:<7} ", style=style)
        for k, n in enumerate(names):
            line.append(f"{k + 1}:{_short(row.versions[n], text)}  ",
                        style=style + (" green" if row.unanimous else (" yellow" if not row.settled else "")))
        if row.settled:
            line.append(f"→ {_short(row.decision, text)}", style=style + " bold")
        out.append_text(line)
        out.append("\n")
    if not al.rows:
        out.append("No accepted items on this document from these annotators.\n", style="italic")
    return out


class ReviewScreen(Screen[None]):
    BINDINGS = REVIEW_KEYS
    DEFAULT_CSS = """
    ReviewScreen #status { height: 1; background: $primary-background; padding: 0 1; }
    ReviewScreen #article { height: 2fr; border: round $accent; }
    ReviewScreen #rows-box { height: 3fr; border: round $secondary; }
    ReviewScreen #rows { text-wrap: nowrap; text-overflow: ellipsis; }
    ReviewScreen #message { height: 1; padding: 0 1; color: $warning; }
    """

    def __init__(self, store, reviewer: str, annotators: list[str], docs: list[str], schema, start: int = 0) -> None:
        super().__init__()
        self.store, self.reviewer, self.annotators, self.docs, self.schema = store, reviewer, annotators, docs, schema
        self.index = start
        self.focus_row = 0
        self.al: rv.Alignment | None = None
        self.text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="status")
        yield ArticleView(self.schema, id="article")
        with VerticalScroll(id="rows-box"):
            yield Static(id="rows")
        yield Static(id="message")
        yield Footer()

    def on_mount(self) -> None:
        self.open_document(self.index)

    # --- drawing ------------------------------------------------------------------

    def open_document(self, index: int) -> None:
        self.index = max(0, min(index, len(self.docs) - 1))
        doc = self.store.document(self.docs[self.index])
        self.text = doc.text
        self.al = rv.load(self.store, doc.id, self.annotators)
        opened = [i for i, r in enumerate(self.al.rows) if not r.settled]
        self.focus_row = opened[0] if opened else 0
        self.query_one(ArticleView).set_document(self.text, row_items(self.al, self.focus_row), self._focus_ranges())
        self.redraw(reload=False)

    def reload(self) -> None:
        assert self.al is not None
        self.al = rv.load(self.store, self.al.doc_id, self.annotators)
        self.focus_row = max(0, min(self.focus_row, len(self.al.rows) - 1))
        self.query_one(ArticleView).set_items(row_items(self.al, self.focus_row))

    def _focus_ranges(self) -> list[tuple[int, int]]:
        if not self.al or not self.al.rows:
            return []
        row = self.al.rows[self.focus_row]
        if row.kind == STANCE:
            return [(row.place[1], row.place[2]), (row.place[3], row.place[4])]
        return [(row.start, row.end)]

    def redraw(self, reload: bool = True, message: str = "") -> None:
        if reload:
            self.reload()
        al = self.al
        s = rv.summary(al)
        status = self.store.statuses(REVIEW_LAYER).get(al.doc_id, "not started")
        self.query_one("#status", Static).update(Text(
            f"Review · document {self.index + 1} of {len(self.docs)} · reviewer {self.reviewer} · "
            f"{s['unanimous']} agree, {s['disagreements']} differ, {s['open']} open · {status}"))
        self.query_one("#rows", Static).update(rows_text(al, self.text, self.focus_row))
        box = self.query_one("#rows-box", VerticalScroll)
        line = self.focus_row + 1  # one line per row, after the header
        if not box.scroll_y <= line < box.scroll_y + box.scrollable_content_region.height - 1:
            box.scroll_to(y=max(0, line - 3), animate=False)
        self.query_one(ArticleView).set_focus(self._focus_ranges())
        self.query_one("#message", Static).update(Text(message))

    # --- actions ------------------------------------------------------------------

    def _row(self) -> rv.Row | None:
        if not self.al or not self.al.rows:
            return None
        return self.al.rows[self.focus_row]

    def action_move(self, step: int) -> None:
        if self.al and self.al.rows:
            self.focus_row = max(0, min(self.focus_row + step, len(self.al.rows) - 1))
            self.redraw(reload=False)

    def action_next_open(self, message: str = "") -> None:
        if not self.al:
            return
        n = len(self.al.rows)
        for k in range(1, n + 1):
            i = (self.focus_row + k) % n
            if not self.al.rows[i].settled:
                self.focus_row = i
                break
        self.redraw(reload=False, message=message)

    def action_accept_unanimous(self) -> None:
        changes = rv.accept_unanimous(self.al)
        rv.save(self.store, self.reviewer, self.al.doc_id, "review_accept_unanimous", changes)
        message = f"accepted {len(changes)} unanimous item(s) into the review layer"
        self.redraw(message=message)
        if self._row() is not None and self._row().settled and self.al.open:
            self.action_next_open(message)

    def action_choose(self, k: int) -> None:
        row = self._row()
        if row is None:
            return
        if k == 0:
            value, who = None, "nothing here"
        elif k <= len(self.al.annotators):
            name = self.al.annotators[k - 1]
            value, who = row.versions[name], f"{name}'s version"
        else:
            self.redraw(reload=False, message=f"there is no annotator {k} on this document")
            return
        rv.save(self.store, self.reviewer, self.al.doc_id, "review_choose", rv.choose(self.al, row, value))
        self.redraw()
        self.action_next_open(f"took {who}")

    def action_edit(self) -> None:
        row = self._row()
        if row is None:
            return
        base = row.decision or next(v for v in row.versions.values() if v is not None)
        if row.kind == "claim":
            self._edit_speaker(row, base)
            return
        if row.kind == STANCE:
            labels = [(p.name, p.key) for p in self.schema.polarities]
        elif row.kind == "entity":
            labels = [(lab.name, lab.key) for lab in self.schema.entities]
        else:
            labels = [(base.label, None)]
        choices = [Choice(name, Text(name), key) for name, key in labels]

        def chosen(label: str | None) -> None:
            if label:
                rv.save(self.store, self.reviewer, self.al.doc_id, "review_edit",
                        rv.choose(self.al, row, rv.relabel(base, label)))
                self.redraw(message=f"set {label}")

        self.app.push_screen(PickerScreen(f"Label for the review layer ({row.kind})", choices), chosen)

    def _edit_speaker(self, row: rv.Row, base) -> None:
        """A claim's speaker: AUTHOR, UNNAMED, or an entity any annotator marked in the document."""
        options: list[tuple[str, object]] = [("AUTHOR (the article's own voice)", "AUTHOR"), ("UNNAMED", "UNNAMED")]
        seen: set[tuple[int, int]] = set()
        for other in self.al.rows:
            if other.kind != "entity" or (other.start, other.end) in seen:
                continue
            v = next((x for x in other.versions.values() if x is not None), None)
            if v is not None and v.label in ("PERSON", "ORG", "GPE", "NORP"):
                seen.add((other.start, other.end))
                options.append((f"{one_line(self.text[v.start:v.end], 40)} ({v.label})",
                                {"start": v.start, "end": v.end, "label": v.label}))
        keys = "123456789abcdfghijklmnoprstvwyz"
        choices = [Choice(value, Text(prompt), keys[i] if i < len(keys) else None)
                   for i, (prompt, value) in enumerate(options)]

        def chosen(speaker) -> None:
            if speaker:
                from annotator.model import Span

                edited = Span(base.start, base.end, base.label, base.kind, {**base.attrs, "speaker": speaker})
                rv.save(self.store, self.reviewer, self.al.doc_id, "review_edit", rv.choose(self.al, row, edited))
                self.redraw(message=f"speaker set to {rv.describe(edited, self.text).split(' by ', 1)[-1]}")

        self.app.push_screen(PickerScreen("Speaker of the claim (review layer)", choices), chosen)

    def action_undo(self) -> None:
        ev = self.store.undo(self.reviewer, self.al.doc_id)
        self.redraw(message="undone" if ev else "nothing to undo")

    def action_done(self) -> None:
        open_rows = len(self.al.open)
        self.store.set_review_status(self.reviewer, self.al.doc_id, "done")
        if self.index + 1 < len(self.docs):
            self.open_document(self.index + 1)
            self.redraw(reload=False, message="previous document marked reviewed"
                        + (f" ({open_rows} row(s) left open)" if open_rows else ""))
        else:
            self.redraw(message="last document marked reviewed: every document is done")

    def action_help(self) -> None:
        self.app.push_screen(ReviewHelp())

    def action_doc(self, step: int) -> None:
        self.open_document(self.index + step)


class ReviewApp(App[None]):
    """``annotator review``: one screen per document, results into the review layer."""

    TITLE = "annotator review"

    def __init__(self, db_path: str, reviewer: str, annotators: list[str], docs: list[str], schema=None) -> None:
        super().__init__()
        from annotator.schema import load_schema
        from annotator.store import Store

        self.store = Store(db_path, create=False)
        self.reviewer, self.annotators, self.docs = reviewer, annotators, docs
        self.schema = schema or load_schema()

    def on_mount(self) -> None:
        statuses = self.store.statuses(REVIEW_LAYER)
        start = next((i for i, d in enumerate(self.docs) if statuses.get(d) != "done"), 0)
        self.push_screen(ReviewScreen(self.store, self.reviewer, self.annotators, self.docs, self.schema, start))

    def on_unmount(self) -> None:
        self.store.close()
