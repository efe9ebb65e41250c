"""Model suggestions: entities, claims (with speakers) and stances.

This package stays light to import (no spaCy): the suggesters live in submodules
(``entities``, ``claims``, ``stances``), the spaCy loading in ``pipeline`` and the
batch driver in ``runner``.

Every suggester has the same interface: a ``name``, a ``version`` (which changes when its
rules or lexicons change, so stored suggestions are recomputed), the kinds it
``produces``, and ``suggest(ctx) -> list[Proposal]`` where ``ctx`` is a parsed document
(``annotator.suggest.common.DocContext``). A proposal is ``(value, rule, score)``: the
value is an ``annotator.model.Span`` or ``Stance``, the rule names what made it.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

SUGGESTER_NAMES = ("entities", "claims", "stances")


@runtime_checkable
class Suggester(Protocol):
    name: str
    version: str
    produces: tuple[str, ...]

    def suggest(self, ctx) -> list:  # list[tuple[Value, str, float]]
        ...
