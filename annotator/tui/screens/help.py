"""`?`: every key, as currently mapped (defaults plus the user's key config)."""

from __future__ import annotations

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from annotator.model import ACCEPTED, CLAIM, ENTITY, REJECTED, SUGGESTED
from annotator.schema import Schema
from annotator.tui.keymap import KEYS, Key, effective_keys
from annotator.tui.textsafe import display_text, one_line


def _display(keys: str) -> str:
    from textual.keys import format_key

    parts = []
    for k in keys.split(","):
        *mods, key = k.split("+")
        parts.append("+".join(mods + [format_key(key)]))
    return "  ".join(parts)


def keys_table(keymap: dict[str, str] | None, labels: list[str] | None = None, keys: tuple[Key, ...] = KEYS) -> Table:
    table = Table(box=None, show_header=True, header_style="bold", pad_edge=False, expand=False)
    table.add_column("keys", style="bold cyan", no_wrap=True)
    table.add_column("does")
    table.add_column("id", style="dim", no_wrap=True)
    group = None
    for key, bound in effective_keys(keymap, keys):
        if key.group != group:
            group = key.group
            table.add_row(Text(""), Text(group, style="bold underline"), Text(""))
        desc = key.description
        if key.id.startswith("relabel_") and labels:
            i = int(key.id.split("_")[1])
            if i <= len(labels):
                desc = f"Relabel as {one_line(labels[i - 1], 40)} (accepts)"
        table.add_row(Text(display_text(_display(bound))), Text(display_text(desc)), Text(key.id))
    return table


def legend(schema: Schema) -> Table:
    """What the article's styles and the side panel's marks mean, each drawn as the article draws it."""
    from types import SimpleNamespace

    from annotator.tui.widgets.article import FOCUS, RELATED, item_style

    entity = schema.entities[0].name if schema.entities else "PERSON"

    def sample(kind: str, state: str) -> Style:
        return item_style(SimpleNamespace(kind=kind, state=state, label=entity if kind == ENTITY else schema.claim.name),
                          schema)

    rows = [("Jane Doe", sample(ENTITY, SUGGESTED), "?", "an entity suggested, undecided: underlined"),
            ("Jane Doe", sample(ENTITY, ACCEPTED), "✓", "accepted (or made by hand): solid background"),
            ("Jane Doe", sample(ENTITY, REJECTED), "✗", "rejected: dim, struck through"),
            ("she said", sample(CLAIM, SUGGESTED), "?", "a claim or topic suggested: italic"),
            ("she said", sample(CLAIM, ACCEPTED), "✓", "a claim or topic accepted: dark background"),
            ("Jane Doe", FOCUS, "", "the focus (both ends of a focused stance): black on white"),
            ("Jane Doe", RELATED, "", "a focused claim's speaker: black on cyan"),
            ]
    table = Table(box=None, show_header=False, pad_edge=False, expand=False)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for words, style, mark, meaning in rows:
        table.add_row(Text(words, style=style), mark, meaning)
    return table


class HelpScreen(ModalScreen[None]):
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll {
        width: 90; max-width: 95%; height: 90%; border: round $accent; background: $surface; padding: 0 1;
    }
    """
    BINDINGS = [Binding("escape,q,question_mark", "close", "Close", id="help_close")]

    def __init__(self, keymap: dict[str, str] | None, labels: list[str] | None = None, config: str = "",
                 keys: tuple[Key, ...] = KEYS, schema: Schema | None = None) -> None:
        super().__init__()
        self.schema = schema  # given: the help starts with what the article's styles mean
        self.keymap = keymap
        self.labels = labels
        self.config = config
        self.keys = keys

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            if self.schema is not None:
                yield Static(Text("What you see  (escape closes)", style="bold"))
                yield Static(legend(self.schema))
                yield Static(Text("\nKeys", style="bold"))
            else:
                yield Static(Text("Keys  (escape closes)", style="bold"))
            yield Static(keys_table(self.keymap, self.labels, self.keys))
            yield Static(Text(f"\nRemap keys by binding id in {display_text(self.config)} (YAML, e.g. `accept: y`).",
                              style="dim"))

    def action_close(self) -> None:
        self.dismiss(None)
