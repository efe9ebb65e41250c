"""`g`: the document list — the annotator's queue, numbered as the status bar counts it, with
their assignments marked, status, counts; a filter; enter opens."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from annotator.tui.textsafe import one_line

FILTERS = ("all", "todo", "in_progress", "done", "skipped")
STATUS_STYLE = {"done": "green", "in_progress": "yellow", "todo": "", "skipped": "dim", "rejected": "dim"}


@dataclass(frozen=True)
class DocRow:
    doc_id: str
    position: int
    status: str
    undecided: int
    accepted: int
    rejected: int
    title: str
    assigned: bool = False


class DocumentListScreen(ModalScreen["str | None"]):
    DEFAULT_CSS = """
    DocumentListScreen { align: center middle; }
    DocumentListScreen > Vertical {
        width: 95%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    DocumentListScreen .title { text-style: bold; text-wrap: nowrap; text-overflow: ellipsis; }
    DocumentListScreen DataTable { height: 1fr; }
    DocumentListScreen .hint { color: $text-muted; }
    """
    BINDINGS = [
        Binding("escape,q,g", "cancel", "Close", id="doclist_close"),
        Binding("f", "cycle_filter", "Filter by status", id="doclist_filter"),
    ]

    def __init__(self, rows: list[DocRow], current: str | None = None, status_filter: str = "all") -> None:
        super().__init__()
        self.rows = rows
        self.current = current
        self.status_filter = status_filter

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(id="doclist-title", classes="title")
            yield DataTable(id="doclist", cursor_type="row", zebra_stripes=True)
            yield Static(Text("In the order you are served them: assigned to you first, finished last.\n"
                              "enter open · f filter by status (all, todo, in progress, done, skipped) · escape close"),
                         classes="hint")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("#", "assigned", "status", "to decide", "accepted", "rejected", "document")
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one(DataTable)
        table.clear()
        shown = [r for r in self.rows if self.status_filter == "all" or r.status == self.status_filter
                 or (self.status_filter == "skipped" and r.status == "rejected")]
        done = sum(1 for r in self.rows if r.status == "done")
        self.query_one("#doclist-title", Static).update(Text(
            f"Your queue: {len(self.rows)} document{'s' if len(self.rows) != 1 else ''} · {done} done · "
            f"showing {self.status_filter.replace('_', ' ')} ({len(shown)})"))
        cursor = 0
        for i, r in enumerate(shown):
            table.add_row(Text(str(r.position)), Text("to you" if r.assigned else "", style="bold"),
                          Text(one_line(r.status.replace("_", " "), 16), style=STATUS_STYLE.get(r.status, "")),
                          Text(str(r.undecided)), Text(str(r.accepted)), Text(str(r.rejected)),
                          Text(one_line(r.title, 200)), key=r.doc_id)
            if r.doc_id == self.current:
                cursor = i
        if shown:
            table.move_cursor(row=cursor)

    def action_cycle_filter(self) -> None:
        self.status_filter = FILTERS[(FILTERS.index(self.status_filter) + 1) % len(FILTERS)]
        self._fill()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.dismiss(event.row_key.value)

    def action_cancel(self) -> None:
        self.dismiss(None)
