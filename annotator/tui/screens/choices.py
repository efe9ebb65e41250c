"""The rows of the annotation screen's pickers: labels, polarities, speakers, stance ends and claim
attributes.

A speaker or stance entry names the mention it stands for: the name, how often it occurs,
and the words around that mention in its sentence — all on one line of the picker's width.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text

from annotator.annotate.attributes import NO, YES, shown
from annotator.annotate.mentions import Candidate
from annotator.model import AUTHOR, UNNAMED, SpanRef
from annotator.schema import Schema
from annotator.tui.screens.picker import Choice
from annotator.tui.textsafe import one_line
from annotator.tui.widgets.panels import fit


def label_choices(schema: Schema, stance: bool, width: int) -> list[Choice[str]]:
    """Every entity label plus CLAIM and TOPIC (or the polarities, for a stance), with key and description."""
    labels = list(schema.polarities) if stance else list(schema.entities) + [schema.claim, schema.topic]
    out = []
    for n, label in enumerate(labels, 1):
        prompt = Text()
        prompt.append(f" {label.name} ", style=f"black on {label.color} bold")
        prompt.append(" " * max(1, 13 - len(label.name)))
        prompt.append(f"{n} " if n <= 9 and not stance else "  ", style="dim")
        if label.description:
            prompt.append(" " + fit(one_line(label.description, 200), max(0, width - prompt.cell_len - 1)),
                          style="dim")
        out.append(Choice(label.name, prompt, label.key))
    return out


def mention_prompt(c: Candidate, schema: Schema, width: int) -> Text:
    """``PERSON  Putin ×3  “…ratified by Putin. In North…”``, fitted to ``width`` cells."""
    prompt = Text(no_wrap=True, overflow="ellipsis", end="")
    prompt.append(f" {c.label} ", style=f"black on {schema.color(c.label)}")
    name = one_line(c.text, 200)  # a long one (a claim, a topic) is cut at the end, with no context
    prompt.append(" " + name, style="bold")
    if c.mentions > 1:
        prompt.append(f" ×{c.mentions}", style="dim")
    if c.note:
        prompt.append(f" ({c.note})", style="dim italic")
    room = width - prompt.cell_len - 4  # two spaces and the quotes
    if cell_len(name) <= 30 and room >= cell_len(name) + 8:
        side = (room - cell_len(name)) // 2
        before, after = (one_line("x" + part + "x", 400)[1:-1] for part in (c.before, c.after))  # spaces kept
        before = ("…" + before[-(side - 1):].lstrip()) if cell_len(before) > side else before
        after = fit(after, room - cell_len(name) - cell_len(before))
        prompt.append("  “", style="dim")
        prompt.append(before, style="dim")
        prompt.append(name, style="underline")
        prompt.append(after + "”", style="dim")
    prompt.truncate(width, overflow="ellipsis")
    return prompt


def mention_choices(candidates: list[Candidate], schema: Schema, width: int, digits: bool = False) -> list[Choice]:
    return [Choice(c.ref, mention_prompt(c, schema, width), str(n + 1) if digits and n < 9 else None)
            for n, c in enumerate(candidates)]


def speaker_choices(candidates: list[Candidate], current, text: str, schema: Schema, width: int) -> list[Choice]:
    """AUTHOR, UNNAMED, the current speaker when it is no candidate, then the actors (digits pick them)."""
    choices = [Choice(AUTHOR, Text("AUTHOR  (the article's own voice)"), "a"),
               Choice(UNNAMED, Text("UNNAMED  (an unnamed source)"), "u")]
    if isinstance(current, SpanRef) and all((c.ref.start, c.ref.end) != (current.start, current.end)
                                            for c in candidates):
        prompt = Text(fit(one_line(text[current.start:current.end], 40) + "  (current speaker)", width))
        choices.append(Choice(current, prompt, "c"))
    return choices + mention_choices(candidates, schema, width, digits=True)


def index_of_value(choices: list[Choice], value) -> int:
    """The row holding ``value`` (a label, AUTHOR/UNNAMED or a span at the same offsets), else 0."""
    for n, c in enumerate(choices):
        if c.value == value or (isinstance(c.value, SpanRef) and isinstance(value, SpanRef)
                                and (c.value.start, c.value.end) == (value.start, value.end)):
            return n
    return 0


CLEAR = "\x00clear"  # the row that clears an attribute (no choice of a schema can hold a control character)


def attribute_choices(attributes, attrs: dict, width: int) -> list[Choice[str]]:
    """One row per claim attribute with its value now (digits pick them): ``claim_type   event``."""
    out = []
    for n, attribute in enumerate(attributes, 1):
        prompt = Text(no_wrap=True, overflow="ellipsis", end="")
        prompt.append(f"{one_line(attribute.name, 20):<14}", style="bold")
        prompt.append(" " + one_line(shown(attrs.get(attribute.name)), 200))
        prompt.append(f"  ({attribute.type})", style="dim")
        prompt.truncate(width, overflow="ellipsis")
        out.append(Choice(attribute.name, prompt, str(n) if n <= 9 else None))
    return out


def attribute_value_choices(attribute) -> list[Choice]:
    """What a choice, bool or score attribute can be set to: its choices (digits), yes (y) / no (n) —
    a decided score is 1.0 or 0.0 — and a last row that clears it (c)."""
    if attribute.type == "choice":
        rows = [Choice(c, Text(one_line(c, 200)), str(n) if n <= 9 else None)
                for n, c in enumerate(attribute.choices, 1)]
    else:
        yes, no = (True, False) if attribute.type == "bool" else (YES, NO)
        rows = [Choice(yes, Text("yes"), "y"), Choice(no, Text("no"), "n")]
    return rows + [Choice(CLEAR, Text("clear (no value)", style="dim"), "c")]
