"""Checking the names people type (--annotator, --as, --reviewer, --annotators) at the door.

The rules are :func:`annotator.validate.new_name_problem`'s: not empty, no control or invisible characters,
not ``suggestions`` or ``suggester:...`` (annotator's own bookkeeping), and ``review`` (the
adjudication layer) only where it is asked for explicitly: ``import --as review``, and the
read-only ``stats``/``export`` that may name it.
"""

from __future__ import annotations

import click

from annotator.errors import AnnotatorError
from annotator.validate import new_name_problem

READS_REVIEW = {"stats", "export", "import"}  # commands where naming the review layer is explicit and fine


def _check(value: str | None, param: click.Parameter, allow_review: bool, what: str = "name") -> str | None:
    """The value, or one line (an AnnotatorError, not click's usage screen) saying why not."""
    if value is None:
        return None
    problem = new_name_problem(value, what, allow_review=allow_review)
    if problem:
        raise AnnotatorError(f"{param.opts[0]}: {problem}")
    return value


def annotator_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback for --annotator (and --reviewer): a usable annotator name."""
    return _check(value, param, ctx.command.name in READS_REVIEW)


def layer_name(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback for import --as: any usable layer name, including an explicit ``review``."""
    return _check(value, param, True, "layer name")


def annotator_list(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Callback for assign --annotators A,B,C: every name usable (``review`` is not a person)."""
    if value is None:
        return None
    for name in value.split(","):
        if name.strip():
            _check(name.strip(), param, False)
    return value
