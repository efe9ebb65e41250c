"""Drawing review rows: the article's highlights and the rows panel (every string from data made safe)."""

from __future__ import annotations

from rich.text import Text

from annotator.annotate.decisions import Item
from annotator.model import ACCEPTED, REJECTED, REVIEW_LAYER, STANCE, SUGGESTED, Annotation
from annotator.teams import review as rv
from annotator.tui.textsafe import one_line



def row_items(al: rv.Alignment) -> list[Item]:
    """What the article pane draws: settled rows as accepted (or rejected), open ones as suggestions."""
    items = []
    for i, row in enumerate(al.rows):
        value = row.decision or row.first
        state = ACCEPTED if row.decision is not None else (REJECTED if row.settled else SUGGESTED)
        items.append(Item(value, state, None, Annotation(f"row{i}", al.doc_id, REVIEW_LAYER, value)))
    return items


def version_text(row: rv.Row, value, text: str) -> str:
    """One annotator's version as a row shows it: the label (a stance's polarity, a claim's
    speaker), and the span's own text when its boundaries differ from the row's."""
    if value is None:
        return "(nothing)"
    out = value.polarity if value.kind == STANCE else rv.describe(value, text)
    if rv.place_of(value) != row.place:
        if value.kind == STANCE:
            out += f" “{one_line(text[value.source.start:value.source.end], 16)} → " \
                   f"{one_line(text[value.target.start:value.target.end], 16)}”"
        else:
            out += f" “{one_line(text[value.start:value.end], 24)}”"
    return one_line(out, 60)


def focus_text(al: rv.Alignment, text: str, focus: int) -> Text:
    """The focused row in full, wrapped: its words, why the versions differ, and every annotator's
    version by name -- the rows panel cuts them at the right edge on a narrow terminal (80 columns)."""
    if not al.rows:
        return Text("")
    row = al.rows[max(0, min(focus, len(al.rows) - 1))]
    first = row.first
    if row.kind == STANCE:
        words = f"{text[first.source.start:first.source.end]} → {text[first.target.start:first.target.end]}"
    else:
        words = text[first.start:first.end]
    out = Text(f"{row.kind} “{one_line(words, 60)}”", style="bold")
    why = row.why()
    out.append(f" · {one_line(why, 80)}" if why else (" · agree" if not row.settled else ""), style="italic")
    out.append(" — " + " · ".join(f"{k + 1}:{one_line(n, 20)} {version_text(row, row.versions[n], text)}"
                                 for k, n in enumerate(al.annotators)))
    if row.settled:
        out.append(f"  → {version_text(row, row.decision, text) if row.decision else '(nothing)'}", style="bold")
    return out


def rows_text(al: rv.Alignment, text: str, focus: int, unfinished=()) -> Text:
    """The rows panel: a header naming each annotator's number (``(not done)`` after those who have not
    marked the document done: their "nothing" may be work not reached yet), then one line per row."""
    out = Text(no_wrap=True, overflow="ellipsis")
    names = al.annotators
    out.append("    " + "  ".join(f"{i + 1}:{one_line(n, 20)}" + (" (not done)" if n in unfinished else "")
                                  for i, n in enumerate(names))
               + ("   (one annotator: confirm or correct)" if al.single else "") + "\n", style="bold")
    for i, row in enumerate(al.rows):
        if row.settled:
            mark, word = "✓", "settled"
        elif row.unanimous:
            mark, word = "=", "single" if al.single else "agree"
        else:
            mark, word = "≠", "differ"
        style = "reverse bold" if i == focus else ("dim" if row.settled else "")
        first = row.first
        if row.kind == STANCE:
            source, target = first.source, first.target
            span = one_line(f"{text[source.start:source.end]} → {text[target.start:target.end]}", 30)
        else:
            span = one_line(text[first.start:first.end], 30)
        where = f"L{rv.position(text, first.start)} {first.start}–{first.end}"
        line = Text(f"{'▶' if i == focus else ' '}{mark} {where:<15} {row.kind:<6} {span!r:<32} {word:<7} ",
                    style=style)
        why = row.why()
        if why:
            line.append(f"{one_line(why, 30):<24} ", style=style + " italic")
        colour = " green" if row.unanimous else (" yellow" if not row.settled else "")
        for k, n in enumerate(names):
            line.append(f"{k + 1}:{version_text(row, row.versions[n], text)}  ", style=style + colour)
        if row.settled:
            line.append(f"→ {version_text(row, row.decision, text) if row.decision else '(nothing)'}",
                        style=style + " bold")
        out.append_text(line)
        out.append("\n")
    if not al.rows:
        out.append("No accepted items on this document from these annotators.\n", style="italic")
    return out
