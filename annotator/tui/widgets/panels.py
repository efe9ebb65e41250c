"""Side panel (entities, claims with speaker, stances), focus detail and status line."""

from __future__ import annotations

from rich.text import Text

from annotator.annotate.decisions import SUGGESTED, Item, speaker_text
from annotator.model import ACCEPTED, CLAIM, ENTITY, STANCE, TOPIC, Stance
from annotator.schema import Schema
from annotator.tui.textsafe import one_line

MARK = {SUGGESTED: "?", ACCEPTED: "✓", "rejected": "✗"}
STATE_NAME = {SUGGESTED: "suggestion", ACCEPTED: "accepted", "rejected": "rejected"}


def _state_style(state: str) -> str:
    return {SUGGESTED: "underline", ACCEPTED: "bold", "rejected": "strike dim"}[state]


def stance_text(value: Stance, text: str) -> str:
    src = one_line(text[value.source.start:value.source.end], 24)
    tgt = one_line(text[value.target.start:value.target.end], 24)
    return f"{src} → {tgt}"


Row = list[tuple[str, str]]  # one line: (plain text, style) pieces


class SidePanelRows:
    """The lists of entities, claims (with speaker) and stances, built row by row on demand
    (only the rows on screen are ever made). Rows are (plain text, style) pieces."""

    def __init__(self, items: list[Item], text: str, schema: Schema) -> None:
        self.text = text
        self.schema = schema
        self.where: dict[str, int] = {}
        self._rows: list[tuple] = []
        groups = [("Entities", [i for i in items if i.kind == ENTITY]),
                  ("Claims", [i for i in items if i.kind == CLAIM]),
                  ("Topics", [i for i in items if i.kind == TOPIC]),
                  ("Stances", [i for i in items if i.kind == STANCE])]
        rows = self._rows
        for title, group in groups:
            if title == "Topics" and not group:
                continue
            rows.append(("title", f"{title} ({len(group)})"))
            if not group:
                rows.append(("none", None))
            for item in group:
                self.where[item.key] = len(rows)
                rows.append(("item", item))
                if item.kind == CLAIM:
                    rows.append(("speaker", item))
            rows.append(("blank", None))

    def __len__(self) -> int:
        return len(self._rows)

    def row_key(self, index: int) -> tuple:
        """What a row shows depends only on this (so a drawn row can be reused)."""
        what, payload = self._rows[index]
        if isinstance(payload, Item):
            v = payload.value
            return (what, payload.key, payload.state, payload.label, payload.start, payload.end,
                    repr(v.attrs.get("speaker")) if what == "speaker" else None,
                    (v.source, v.target) if isinstance(v, Stance) else None)
        return (what, payload)

    def __getitem__(self, index: int) -> Row:
        what, payload = self._rows[index]
        if what == "title":
            return [(payload, "bold")]  # "Entities (3)": our own words
        if what == "none":
            return [("  none", "dim")]
        if what == "blank":
            return []
        item: Item = payload
        text = self.text
        if what == "speaker":
            return [("    speaker: ", "dim"), (one_line(speaker_text(item.value, text), 30), "")]
        color = self.schema.color(item.label)
        mark = (f" {MARK[item.state]} ", "bold")
        style = f"{color} {_state_style(item.state)}"
        label = one_line(item.label, 24)
        if item.kind == STANCE:
            return [mark, (label, style), (" " + stance_text(item.value, text), "")]
        if item.kind == CLAIM:
            return [mark, (one_line(text[item.start:item.end], 40), style)]
        return [mark, (f"{label:<8} ", style), (one_line(text[item.start:item.end], 30), "")]


def side_panel(items: list[Item], text: str, schema: Schema) -> tuple[SidePanelRows, dict[str, int]]:
    rows = SidePanelRows(items, text, schema)
    return rows, rows.where


def detail(item: Item | None, text: str, schema: Schema, index: int, total: int) -> Text:
    """What the focused item is, in words (state, label, rule, score, speaker)."""
    out = Text()
    if item is None:
        out.append("No spans yet. ", style="bold")
        out.append("Press n to create one from the cursor.")
        return out
    color = schema.color(item.label)
    out.append(f" {one_line(item.label, 40)} ", style=f"black on {color} bold")
    out.append(f" {MARK[item.state]} {STATE_NAME[item.state]}", style="bold")
    out.append(f"  {index + 1}/{total}", style="dim")
    out.append("\n")
    if item.suggestion is not None:
        out.append(f"{one_line(item.suggestion.rule or item.suggestion.suggester, 24)} {item.suggestion.score:.2f}\n",
                   style="dim")
    elif item.annotation is not None:
        origin = {"suggestion": "from a suggestion", "manual": "made by hand", "import": "imported",
                  "review": "from review"}.get(item.annotation.origin, item.annotation.origin)
        out.append(f"{one_line(origin, 40)}\n", style="dim")
    else:
        out.append("\n")
    if isinstance(item.value, Stance):
        out.append(stance_text(item.value, text))
    else:
        out.append("“" + one_line(text[item.start:item.end], 70) + "”")
        if item.kind == CLAIM:
            out.append("\nspeaker: ", style="dim")
            out.append(one_line(speaker_text(item.value, text), 40))
            cue = item.value.attrs.get("cue")
            if cue:
                out.append("  cue: ", style="dim")
                out.append(one_line(str(cue), 20))
    return out


def progress_bar(done: int, total: int, width: int = 12) -> Text:
    filled = 0 if total == 0 else round(width * done / total)
    out = Text()
    out.append("█" * filled, style="green")
    out.append("░" * (width - filled), style="dim")
    return out


def status_line(k: int, n: int, annotator: str, done: int, counts: dict, doc_status: str,
                note: str = "", mode: str = "") -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append(f" doc {k}/{n} ", style="bold reverse")
    out.append(f" {one_line(doc_status.replace('_', ' '), 16)} ", style="bold" if doc_status == "done" else "")
    out.append(" ")
    out.append(one_line(annotator, 20), style="bold cyan")
    out.append("  ")
    out.append_text(progress_bar(done, n))
    out.append(f" {done}/{n} done  ")
    out.append(f"? {counts.get(SUGGESTED, 0)} to decide  ✓ {counts.get(ACCEPTED, 0)}  ✗ {counts.get('rejected', 0)}")
    if mode:
        out.append("  ")
        out.append(f" {mode} ", style="black on #ffaf00 bold")
    if note:
        out.append("  " + one_line(note, 200), style="italic")
    return out


def bad_rows_note(store) -> str:
    """A status-line note when the store skipped rows that break an invariant (empty when none)."""
    bad = store.bad_rows if store is not None else []
    if not bad:
        return ""
    more = f" (+{len(bad) - 1} more)" if len(bad) > 1 else ""
    return f"skipped a bad database row: {one_line(bad[0], 80)}{more}"
