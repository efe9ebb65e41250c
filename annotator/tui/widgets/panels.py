"""Side panel (entities, claims with speaker, stances), focus detail and status line.

Everything here is drawn for a given width and never wraps: a row that is too long is cut
on its own line with an ellipsis. Text from the article goes through textsafe."""

from __future__ import annotations

import textwrap
from bisect import bisect_left
from collections import Counter
from collections.abc import Sequence

from rich.cells import cell_len
from rich.text import Text

from annotator.annotate.attributes import editable, shown
from annotator.annotate.decisions import Item, speaker_text
from annotator.annotate.items import KINDS, Delta, ItemIndex
from annotator.annotate.walk import kind_name
from annotator.model import (ACCEPTED, CLAIM, DONE, ENTITY, ORIGIN_IMPORT, ORIGIN_MANUAL, ORIGIN_REVIEW,
                             ORIGIN_SUGGESTION, REJECTED, STANCE, SUGGESTED, TOPIC, Stance)
from annotator.schema import Schema
from annotator.tui.textsafe import one_line

MARK = {SUGGESTED: "?", ACCEPTED: "✓", REJECTED: "✗"}
STATE_NAME = {SUGGESTED: "suggestion", ACCEPTED: "accepted", REJECTED: "rejected"}
SPEAKER_STYLE = "black on #5fd7ff bold underline"  # the focused claim's speaker, in the article too
ORIGIN = {ORIGIN_SUGGESTION: "from a suggestion", ORIGIN_MANUAL: "made by hand", ORIGIN_IMPORT: "imported",
          ORIGIN_REVIEW: "from review"}


def fit(text: str, cells: int) -> str:
    """``text`` cut to ``cells`` terminal cells, with an ellipsis when cut."""
    if cell_len(text) <= cells:
        return text
    out, used = [], 0
    for ch in text:
        w = cell_len(ch)
        if used + w > cells - 1:
            break
        out.append(ch)
        used += w
    return "".join(out) + "…" if cells > 0 else ""


def _state_style(state: str) -> str:
    return {SUGGESTED: "underline", ACCEPTED: "bold", REJECTED: "strike dim"}[state]


def stance_text(value: Stance, text: str, limit: int = 24) -> str:
    src = one_line(text[value.source.start:value.source.end], limit)
    tgt = one_line(text[value.target.start:value.target.end], limit)
    return f"{src} → {tgt}"


Row = list[tuple[str, str]]  # one line: (plain text, style) pieces


class SidePanelRows:
    """The lists of entities, claims (with speaker), topics and stances — in the order of the
    passes — read from a document's :class:`~annotator.annotate.items.ItemIndex` row by row on
    demand (only the rows on screen are ever made). After a decision, :meth:`changed` says
    which rows to draw again."""

    def __init__(self, index: ItemIndex, text: str, schema: Schema, width: int = 40) -> None:
        self.index = index
        self.text = text
        self.schema = schema
        self.width = max(10, width)
        self._label_lengths = Counter(_label_cells(i.label) for i in index.by_kind.get(ENTITY, ()))
        self._groups = self._layout()

    def _layout(self) -> list[tuple[str, int, int, int]]:
        """(kind, first row, rows per item, items) of each group shown."""
        out, row = [], 0
        for kind in KINDS:
            n = len(self.index.by_kind.get(kind, ()))
            if kind == TOPIC and not n:
                continue
            per = 2 if kind == CLAIM else 1
            out.append((kind, row, per, n))
            row += 2 + (n * per if n else 1)
        self._titles = {kind: (n, self.index.undecided[kind]) for kind, _, _, n in out}
        return out

    @property
    def label_width(self) -> int:
        return max((k for k, n in self._label_lengths.items() if n > 0), default=0)

    def __len__(self) -> int:
        kind, first, per, n = self._groups[-1]
        return first + 2 + (n * per if n else 1)

    def _row(self, index: int) -> tuple[str, object]:
        for kind, first, per, n in reversed(self._groups):
            if index >= first:
                break
        at = index - first
        if at == 0:
            return "title", (kind_name(kind).capitalize(), n, self.index.undecided[kind])
        if not n:
            return ("none", None) if at == 1 else ("blank", None)
        k, part = divmod(at - 1, per)
        if k >= n:
            return "blank", None
        item = self.index.by_kind[kind][k]
        return ("speaker" if part else "item"), item

    def get(self, key: str | None) -> int | None:
        """The row of the item with ``key`` (None when it is not listed)."""
        item = self.index.get(key)
        if item is None:
            return None
        for kind, first, per, n in self._groups:
            if kind == item.kind:
                group = self.index.by_kind[kind]
                k = bisect_left(group, item.sort_key, key=_sort_key)
                return first + 1 + k * per if k < n and group[k] is item else None
        return None

    def changed(self, deltas: list[Delta]) -> list[tuple[int, int | None]]:
        """Bring the rows up to date with decisions on the index; the row ranges [a, b) to draw
        again (b None: every row from a on, when rows moved)."""
        widest = self.label_width
        for delta in deltas:
            for sign, items in ((-1, delta.removed), (1, delta.added)):
                for it in items:
                    if it.kind == ENTITY:
                        self._label_lengths[_label_cells(it.label)] += sign
        old, titles = self._groups, self._titles
        self._groups = self._layout()
        if self.label_width != widest:
            return [(0, None)]
        out = [(first, first + 1) for kind, first, _, _ in self._groups if titles.get(kind) != self._titles[kind]]
        first_row, last_row = None, None
        for delta in deltas:
            for it in (*delta.removed, *delta.added):
                for kind, first, per, n in self._groups:
                    if kind == it.kind:
                        # where the item is, or was: a removed item's place among those left
                        k = bisect_left(self.index.by_kind[kind], it.sort_key, key=_sort_key)
                        row = first + 1 + k * per
                        first_row = row if first_row is None else min(first_row, row)
                        last_row = row + per if last_row is None else max(last_row, row + per)
        if first_row is None:
            return out
        if [g[:1] + g[3:] for g in old] != [g[:1] + g[3:] for g in self._groups]:
            return out + [(first_row, None)]  # rows moved: every row from the first change on
        # an item that moved: the rows between its old and new place moved by one, and a removed item's
        # place among those left is at most one row past where it was
        return out + [(first_row, last_row + 1)]

    def row_key(self, index: int) -> tuple:
        """What a row shows depends only on this (so a drawn row can be reused)."""
        what, payload = self._row(index)
        if isinstance(payload, Item):
            v = payload.value
            return (what, payload.key, payload.state, payload.label, payload.start, payload.end,
                    repr(v.attrs.get("speaker")) if what == "speaker" else None,
                    (v.source, v.target) if isinstance(v, Stance) else None, self.width, self.label_width)
        return (what, payload, self.width)

    def __getitem__(self, index: int) -> Row:
        what, payload = self._row(index)
        width = self.width
        if what == "title":
            title, n, undecided = payload
            head = f"{title} ({n})"
            full = fit(head + (f"  ? {undecided}" if undecided else ""), width)
            return [(full[:len(head)], "bold"), (full[len(head):], "dim")]
        if what == "none":
            return [("  none", "dim")]
        if what == "blank":
            return []
        item: Item = payload
        text = self.text
        if what == "speaker":
            return [("    speaker: ", "dim"), (fit(one_line(speaker_text(item.value, text), 80), width - 13), "")]
        color = self.schema.color(item.label)
        mark = (f" {MARK[item.state]} ", "bold")
        style = f"{color} {_state_style(item.state)}"
        if item.kind == STANCE:
            short = width < 36 and next((p.key for p in self.schema.polarities if p.name == item.label and p.key), "")
            label = short or one_line(item.label, 24)
            return [mark, (label, style), (" " + fit(stance_text(item.value, text, 40), width - 4 - len(label)), "")]
        if item.kind in (CLAIM, TOPIC):
            return [mark, (fit(one_line(text[item.start:item.end], 200), width - 3), style)]
        cells = min(self.label_width, 8 if width < 40 else 12)
        label = fit(one_line(item.label, 40), cells)
        return [mark, (label, style), (" " * (cells + 1 - cell_len(label)), ""),
                (fit(one_line(text[item.start:item.end], 80), width - 4 - cells), "")]


def _label_cells(label: str) -> int:
    """The cells a label takes on screen (a CJK or fullwidth label takes two a character)."""
    return cell_len(one_line(label, 40))


def _sort_key(item: Item) -> tuple:
    return item.sort_key


def _line(parts: list[tuple[str, str]], width: int) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    for piece, style in parts:
        out.append(piece, style=style)
    out.truncate(width, overflow="ellipsis")
    return out


HEIGHT = 6  # lines of the detail


def _wrapped(text: str, width: int, rows: int) -> list[str]:
    """``text`` over at most ``rows`` lines of ``width`` cells, the last one cut with an ellipsis."""
    lines = textwrap.wrap(text, max(1, width)) or [""]
    keep = max(1, rows) - 1
    if len(lines) > keep + 1:
        lines = lines[:keep] + [" ".join(lines[keep:])]
    return [fit(line, width) for line in lines]


def attribute_rows(attrs: dict, schema: Schema, width: int, rows: int = 2) -> list[list[tuple[str, str]]]:
    """A claim's attributes besides the speaker, as the schema names them, with their values (``–``
    unset): ``cue: said · claim_type: event · checkworthy: 0.73 · hedged: no`` over at most ``rows``
    lines, a whole attribute to a line where it fits, the last line cut with an ellipsis."""
    pieces = [(one_line(a.name, 20) + ": ", one_line(shown(attrs.get(a.name)), 30)) for a in editable(schema)]
    out: list[list[tuple[str, str]]] = []
    for name, val in pieces:
        row = out[-1] if out else None
        used = sum(cell_len(p) for p, _ in row) if row else 0
        if row is not None and (used + 3 + cell_len(name + val) <= width or len(out) == rows):
            row.extend([(" · ", "dim"), (name, "dim"), (val, "")])
        else:
            out.append([(name, "dim"), (val, "")])
    return out


def detail(item: Item | None, text: str, schema: Schema, index: int, total: int, width: int = 44,
           new_span_key: str = "n", loose: Sequence[str] = ()) -> Text:
    """What the focused item is, in words (state, label, rule, score, words, a claim's speaker and
    attributes), one row per line (``new_span_key``: the key that creates a span, as mapped; ``loose``: which of its ends or its
    speaker name no span of the layer, said on a row of their own)."""
    if item is None:
        hint = _wrapped(f"{new_span_key} creates a span at the cursor.", width, HEIGHT - 1)  # whole when narrow
        return Text("\n").join([_line([("Nothing focused. ", "bold")], width),
                                *(_line([(row, "")], width) for row in hint)])
    lines = [[(f" {one_line(item.label, 40)} ", f"black on {schema.color(item.label)} bold"),
              (f" {MARK[item.state]} ", "bold"), (f" {index + 1}/{total}", "dim")]]
    state = STATE_NAME[item.state]
    if item.suggestion is not None:
        rule = one_line(item.suggestion.rule or item.suggestion.suggester, 40)
        lines.append([(state, "bold"), (f" · {rule} {item.suggestion.score:.2f}", "dim")])
    elif item.annotation is not None:
        origin = ORIGIN.get(item.annotation.origin, one_line(item.annotation.origin, 20))
        lines.append([(state, "bold"), (f" · {origin}", "dim")])
    value = item.value
    if isinstance(value, Stance):
        lines.extend([(row, "")] for row in _wrapped(stance_text(value, text, 60), width, 2))
        if value.evidence is not None:
            evidence = "in “" + one_line(text[value.evidence.start:value.evidence.end], 400) + "”"
            lines.extend([(row, "italic")] for row in _wrapped(evidence, width, HEIGHT - len(lines) - bool(loose)))
    else:
        attrs = attribute_rows(value.attrs, schema, width) if item.kind == CLAIM else []
        quote = [[(row, "")] for row in _wrapped("“" + one_line(text[item.start:item.end], 400) + "”", width,
                                                 HEIGHT - len(lines) - (1 + len(attrs) if item.kind == CLAIM else 0)
                                                 - bool(loose))]
        lines.extend(quote)
        if item.kind == CLAIM:
            lines.append([("speaker: ", "dim"), (one_line(speaker_text(value, text), 40),
                                                 SPEAKER_STYLE if isinstance(value.attrs.get("speaker"), dict) else "")])
            lines.extend(attrs)
    if loose:
        lines[HEIGHT - 1:] = [[(f"{' and '.join(loose)} {'is' if len(loose) == 1 else 'are'} no span of yours",
                                "italic yellow")]]
    return Text("\n").join(_line(parts, width) for parts in lines)


def progress_bar(done: int, total: int, width: int = 12) -> Text:
    filled = 0 if total == 0 else round(width * done / total)
    out = Text()
    out.append("█" * filled, style="green")
    out.append("░" * (width - filled), style="dim")
    return out


Note = str | tuple[str, ...]  # what the status line says after a key: one wording, or several, the fullest first


def wordings(note: Note) -> tuple[str, ...]:
    return (note,) if isinstance(note, str) else tuple(note)


def status_line(width: int, k: int, n: int, annotator: str, done: int, counts: dict, doc_status: str,
                note: Note = "", mode: str = "", walking: str = "") -> Text:
    """The status bar, fitted to ``width``. When it is narrow the less important parts go first
    (the progress bar, the annotator's name, the words of the counts, the document's status and
    the pass); a note (an instruction for the next keys, shown until the next key) comes before
    the counts: they go too rather than cut it. A note given in several wordings shows in the
    fullest that fits whole; a note too long for the line in any wording is cut, after the counts."""
    for wording in wordings(note) or ("",):
        for level in range(6 if wording else 5):
            out = _status(level, k, n, annotator, done, counts, doc_status, wording, mode, walking)
            if out.cell_len <= width:
                return out
    out = _status(4, k, n, annotator, done, counts, doc_status, wording, mode, walking)
    out.truncate(width, overflow="ellipsis")
    return out


def _status(level: int, k: int, n: int, annotator: str, done: int, counts: dict, doc_status: str, note: str,
            mode: str, walking: str) -> Text:
    """The status bar without the parts ``level`` leaves out (0: none; 5: all but the document, mode and note)."""
    to_decide, accepted, rejected = counts.get(SUGGESTED, 0), counts.get(ACCEPTED, 0), counts.get(REJECTED, 0)
    out = Text(no_wrap=True, overflow="ellipsis", end="")
    out.append(f" doc {k}/{n} ", style="bold reverse")
    if level < 4:
        out.append(f" {one_line(doc_status.replace('_', ' '), 16)} ", style="bold" if doc_status == DONE else "")
    if level < 2:
        out.append(" " + one_line(annotator, 20), style="bold cyan")
    if level < 1:
        out.append("  ")
        out.append_text(progress_bar(done, n, 8))
        out.append(f" {done}/{n} done")
    if level < 5:
        words = level < 3
        out.append(f"  ? {to_decide}{' to decide' if words else ''}  ✓ {accepted}  ✗ {rejected}")
    if walking and level < 4:
        out.append("  " + walking, style="bold")
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
