"""`g`: the document list — the annotator's queue, numbered as the status bar counts it, with
their assignments marked, status, counts; a filter; enter opens.

A virtual list: only the rows on screen are read from the store (a page at a time, through
the session), so it opens, scrolls and filters as fast with 100,000 documents as with ten.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Vertical
from textual.geometry import Size
from textual.message import Message
from textual.screen import ModalScreen
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Static

from annotator.annotate.queue import ALL, FILTERS, StatusView
from annotator.model import ACCEPTED, DONE, IN_PROGRESS, REJECTED, REJECTED_DOC, SKIPPED, SUGGESTED, TODO
from annotator.tui.textsafe import display_text, one_line

STATUS_STYLE = {DONE: "green", IN_PROGRESS: "yellow", TODO: "", SKIPPED: "dim", REJECTED_DOC: "dim"}
PAGE = 64  # rows read from the store at a time
CURSOR = Style(reverse=True)


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    position: int  # the number in the queue (from 1), as the status bar counts
    status: str
    undecided: int
    accepted: int
    rejected: int
    title: str
    assigned: bool = False

    @classmethod
    def from_row(cls, row: dict) -> "DocRow":
        counts = row["counts"]
        return cls(row["doc_id"], row["number"], row["status"], counts[SUGGESTED], counts[ACCEPTED],
                   counts[REJECTED], one_line(row["title"], 200), row["assigned"])


class DocumentList(ScrollView, can_focus=True):
    """The rows of one view of the queue, drawn with the Line API from pages read on demand."""

    DEFAULT_CSS = "DocumentList { height: 1fr; scrollbar-gutter: stable; scrollbar-size-vertical: 1; }"
    BINDINGS = [
        Binding("up,k", "move(-1)", show=False),
        Binding("down,j", "move(1)", show=False),
        Binding("pageup", "page(-1)", show=False),
        Binding("pagedown,space", "page(1)", show=False),
        Binding("home", "edge(-1)", show=False),
        Binding("end", "edge(1)", show=False),
        Binding("enter", "choose", show=False),
    ]

    class Chosen(Message):
        def __init__(self, doc_id: str) -> None:
            self.doc_id = doc_id
            super().__init__()

    def __init__(self, session, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.session = session
        self.view: StatusView | None = None
        self.cursor = 0
        self._pages: LRUCache[int, list[DocRow]] = LRUCache(32)
        self._number_width = max(1, len(str(len(session.doc_ids))))

    # --- content ----------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return len(self.view) if self.view is not None else 0

    def show(self, view: StatusView, cursor: int = 0) -> None:
        self.view = view
        self._pages.clear()
        self.cursor = max(0, min(cursor, self.row_count - 1))
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count)
        self.refresh()
        self.call_after_refresh(self._keep_in_view)

    def row(self, index: int) -> DocRow:
        """Row ``index`` of the view (read with its page when needed)."""
        if not 0 <= index < self.row_count:
            raise IndexError(index)
        page = self._pages.get(index // PAGE)
        if page is None:
            start = index // PAGE * PAGE
            rows = self.session.document_rows(self.view, start, PAGE)
            page = [DocRow.from_row(r) for r in rows]
            self._pages.set(index // PAGE, page)
        return page[index % PAGE]

    def cells(self, index: int) -> list[Text]:
        """What row ``index`` shows, column by column."""
        r = self.row(index)
        return [Text(str(r.position).rjust(self._number_width)), Text("to you" if r.assigned else "", style="bold"),
                Text(one_line(r.status.replace("_", " "), 16), style=STATUS_STYLE.get(r.status, "")),
                Text(str(r.undecided)), Text(str(r.accepted)), Text(str(r.rejected)), Text(one_line(r.title, 200))]

    def header(self, width: int) -> Text:
        if self._narrow(width):  # the counts as the status line shows them: ? to decide, ✓ accepted, ✗ rejected
            names = ["#".rjust(self._number_width), "", "status", "?", "✓", "✗", "document"]
        else:
            names = ["#".rjust(self._number_width), "assigned", "status", "to decide", "accepted", "rejected",
                     "document"]
        return self._line([Text(n) for n in names], width)

    def _line(self, cells: list[Text], width: int) -> Text:
        """One row fitted into the columns: numbers to the right, words to the left, the title last, cut
        with an ellipsis at ``width``."""
        out = Text(no_wrap=True, end="")
        for cell, (cells_wide, justify) in zip(cells, self._columns(width)):
            cell.truncate(cells_wide, pad=False)
            pad = " " * (cells_wide - cell.cell_len)
            out.append_text(Text(pad) + cell if justify == "right" else cell + Text(pad))
            out.append("  ")
        title = cells[-1]
        title.truncate(max(1, width - out.cell_len), overflow="ellipsis")
        out.append_text(title)
        return out

    def _narrow(self, width: int) -> bool:
        """Whether the full column names would leave the title fewer than 40 cells (at 80 columns, 14)."""
        return width - sum(w + 2 for w, _ in self._columns(width, narrow=False)) < 40

    def _columns(self, width: int, narrow: bool | None = None) -> tuple[tuple[int, str], ...]:
        if narrow if narrow is not None else self._narrow(width):
            return ((self._number_width, "right"), (6, "left"), (11, "left"), (4, "right"), (4, "right"),
                    (4, "right"))
        return ((self._number_width, "right"), (8, "left"), (11, "left"), (9, "right"), (8, "right"), (8, "right"))

    # --- drawing ----------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        base = self.rich_style
        if index >= self.row_count:
            return Strip.blank(width, base)
        text = self._line(self.cells(index), width)
        segments = [Segment(display_text(s.text), s.style) for s in text.render(self.app.console) if s.text != "\n"]
        segments = list(Segment.apply_style(segments, base, CURSOR if index == self.cursor else None))
        return Strip(segments).crop_extend(0, width, base)

    # --- moving -----------------------------------------------------------------------

    def _move_to(self, row: int) -> None:
        old, self.cursor = self.cursor, max(0, min(row, self.row_count - 1))
        top = round(self.scroll_y)
        for r in (old, self.cursor):
            if top <= r < top + self.scrollable_content_region.height:
                self.refresh_lines(r, 1)
        self._keep_in_view()

    def _keep_in_view(self) -> None:
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if height > 0 and not top <= self.cursor < top + height:
            self.scroll_to(y=max(0, self.cursor - height // 3), animate=False, immediate=True)

    def action_move(self, step: int) -> None:
        self._move_to(self.cursor + step)

    def action_page(self, step: int) -> None:
        self._move_to(self.cursor + step * max(1, self.scrollable_content_region.height - 1))

    def action_edge(self, step: int) -> None:
        self._move_to(0 if step < 0 else self.row_count - 1)

    def action_choose(self) -> None:
        if self.row_count:
            self.post_message(self.Chosen(self.row(self.cursor).doc_id))

    def on_resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count)
        self._keep_in_view()
        self.post_message(self.Resized())

    class Resized(Message):
        """The list's width changed: the header above it is fitted again."""


class DocumentListScreen(ModalScreen["str | None"]):
    DEFAULT_CSS = """
    DocumentListScreen { align: center middle; }
    DocumentListScreen > Vertical {
        width: 95%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    DocumentListScreen .title { text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
    DocumentListScreen #doclist-header { color: $text-muted; text-style: bold; text-wrap: nowrap; }
    DocumentListScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q,g", "cancel", "Close", id="doclist_close"),
        Binding("f", "cycle_filter", "Filter by status", id="doclist_filter"),
    ]

    def __init__(self, session, current: str | None = None, status_filter: str = ALL) -> None:
        super().__init__()
        self.session = session
        self.current = current
        self.status_filter = status_filter
        self._statuses: dict[int, str] | None = None  # read when a filter is first chosen

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="doclist-title", classes="title")
            yield Static(id="doclist-header")
            yield DocumentList(self.session, id="doclist")
            yield Static(Text("In the order you are served them: assigned to you first, finished last.\n"
                              "enter open · f filter by status (all, todo, in progress, done, skipped) · escape close"),
                         classes="hint")

    @property
    def table(self) -> DocumentList:
        return self.query_one(DocumentList)

    @property
    def row_count(self) -> int:
        return self.table.row_count

    def row(self, index: int) -> DocRow:
        return self.table.row(index)

    def on_mount(self) -> None:
        table = self.table
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.table
        if self.status_filter != ALL and self._statuses is None:
            self._statuses = self.session.statuses_now()
        view = self.session.document_view(self.status_filter, self._statuses)
        total = len(self.session.doc_ids)
        done = self.session.done_count
        self.query_one("#doclist-title", Static).update(Text(
            f"Your queue: {total} document{'s' if total != 1 else ''} · {done} done · "
            f"showing {self.status_filter.replace('_', ' ')} ({len(view)})"))
        table.show(view, self._current_row(view))

    def _current_row(self, view: StatusView) -> int:
        """The row of the open document in the view (0 when it is not shown)."""
        if self.current is None:
            return 0
        position = self.session.store.document_position(self.current)
        row = view.index_of(position) if position is not None else None
        return row if row is not None else 0

    def on_document_list_resized(self, message: DocumentList.Resized) -> None:
        message.stop()
        table = self.table
        self.query_one("#doclist-header", Static).update(table.header(table.scrollable_content_region.width))

    def action_cycle_filter(self) -> None:
        self.status_filter = FILTERS[(FILTERS.index(self.status_filter) + 1) % len(FILTERS)]
        self._fill()

    def on_document_list_chosen(self, message: DocumentList.Chosen) -> None:
        message.stop()
        self.dismiss(message.doc_id)

    def action_cancel(self) -> None:
        self.dismiss(None)
