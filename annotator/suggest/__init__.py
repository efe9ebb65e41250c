"""Model suggestions: entities, claims (with speakers) and stances — the middle pipeline stage.

This package stays light to import (no spaCy): the suggesters live in submodules
(``entities``; ``claims`` with ``speakers``, ``boundaries``, ``claim_facts`` and ``author``;
``stances``), the spaCy loading in ``pipeline``, a trained pipeline's components in
``trained``, the rule feedback from people's decisions in ``feedback`` and the batch
driver in ``runner``.

Every suggester has a ``name``, a ``version`` (which changes when its rules or lexicons
change, so stored suggestions are recomputed) and the kinds it ``produces``. A proposal is
``(value, rule, score)``: the value is an ``annotator.model.Span`` or ``Stance``, the rule
names what made it. What each suggester reads is explicit (``runner.propose``): the entity
suggester a parsed ``common.Piece``; the claim and stance suggesters a ``common.DocContext``
that carries the entity index.
"""
