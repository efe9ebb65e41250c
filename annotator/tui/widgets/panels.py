"""Side panel (entities, claims with speaker, stances), focus detail and status line."""

from __future__ import annotations

from rich.text import Text

from annotator.decisions import SUGGESTED, Item, speaker_text
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


def side_panel(items: list[Item], text: str, schema: Schema, limit: int = 400) -> Text:
    """The lists of entities, claims (with speaker) and stances, as safe Text."""
    out = Text()
    groups = [("Entities", [i for i in items if i.kind == ENTITY]),
              ("Claims", [i for i in items if i.kind == CLAIM]),
              ("Topics", [i for i in items if i.kind == TOPIC]),
              ("Stances", [i for i in items if i.kind == STANCE])]
    for title, group in groups:
        if title == "Topics" and not group:
            continue
        out.append(f"{title} ({len(group)})\n", style="bold")
        if not group:
            out.append("  none\n", style="dim")
        for item in group[:limit]:
            color = schema.color(item.label)
            out.append(f" {MARK[item.state]} ", style="bold")
            if item.kind == STANCE:
                out.append(item.label, style=f"{color} {_state_style(item.state)}")
                out.append(" " + stance_text(item.value, text) + "\n")
            elif item.kind == CLAIM:
                out.append(one_line(text[item.start:item.end], 40), style=f"{color} {_state_style(item.state)}")
                out.append("\n    speaker: ", style="dim")
                out.append(one_line(speaker_text(item.value, text), 30) + "\n")
            else:
                out.append(f"{item.label:<8} ", style=f"{color} {_state_style(item.state)}")
                out.append(one_line(text[item.start:item.end], 30) + "\n")
        if len(group) > limit:
            out.append(f"  … {len(group) - limit} more\n", style="dim")
        out.append("\n")
    out.rstrip()
    return out


def detail(item: Item | None, text: str, schema: Schema, index: int, total: int) -> Text:
    """What the focused item is, in words (state, label, rule, score, speaker)."""
    out = Text()
    if item is None:
        out.append("No spans yet. ", style="bold")
        out.append("Press n to create one from the cursor.")
        return out
    color = schema.color(item.label)
    out.append(f"{index + 1}/{total} ", style="dim")
    out.append(f" {item.label} ", style=f"black on {color} bold")
    out.append(f" {MARK[item.state]} {STATE_NAME[item.state]}", style="bold")
    if item.suggestion is not None:
        out.append(f"  {item.suggestion.rule or item.suggestion.suggester} {item.suggestion.score:.2f}", style="dim")
    elif item.annotation is not None and item.annotation.origin != "suggestion":
        out.append(f"  {item.annotation.origin}", style="dim")
    out.append("\n")
    if isinstance(item.value, Stance):
        out.append(stance_text(item.value, text))
    else:
        out.append("“" + one_line(text[item.start:item.end], 120) + "”")
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
    out.append(f" {doc_status.replace('_', ' ')} ", style="bold" if doc_status == "done" else "")
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
        out.append("  " + note, style="italic")
    return out
