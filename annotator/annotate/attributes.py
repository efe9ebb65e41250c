"""A claim's attributes other than its speaker (the schema's ``claim.attributes``): which can be
edited, what a value of each type may be, and how a value reads on screen (no Textual).

Types and what a decision stores: ``choice`` one of its choices; ``bool`` true or false;
``score`` a number from 0 to 1 — suggesters give a confidence, a person decides yes (1.0) or
no (0.0); ``text`` one line of text (stripped; empty clears it). Clearing removes the attribute.
"""

from __future__ import annotations

from annotator.schema import Attribute, Schema

YES, NO = 1.0, 0.0  # a score decided by a person


def editable(schema: Schema) -> tuple[Attribute, ...]:
    """The claim attributes set through the attribute dialog: every one but the speaker (``s`` sets that)."""
    return tuple(a for a in schema.claim_attributes if a.type != "speaker")


def shown(value: object) -> str:
    """A value in words: ``–`` when unset, yes/no for a bool or a decided score (1.0 / 0.0), ``0.73``
    for a suggested score, a text or choice as it is (whoever draws it makes it inert)."""
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        return "yes" if value == YES else "no" if value == NO else f"{value:.2f}"
    return str(value)
