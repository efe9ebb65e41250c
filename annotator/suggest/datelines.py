"""Datelines: "KHARTOUM, Sudan (Reuters) — " at the start of a line is where, not who.

The sentence component makes a dateline a sentence of its own (so the parser never makes it
the subject of the story's first sentence), and the rules never take it as a speaker or as
a pronoun's antecedent.
"""

from __future__ import annotations

import re

# "KHARTOUM, Sudan (Reuters) — ", "NEW YORK (AP) -- ", "Washington (CNN) — " at the start of a line:
# a place in capitals, or any place followed by a news agency in parentheses, then a dash
_PLACE = r"[A-Z][\w.'’-]*(?: [A-Z][\w.'’-]*){0,3}"
DATELINE = re.compile(
    rf"(?P<place>{_PLACE})(?:, {_PLACE})?(?P<agency> \([A-Z][\w.&/ -]{{0,30}}\))?,? ?(?:—|–|--|―) ?")


def dateline_end(text: str, start: int) -> int | None:
    """Where the body starts after a dateline at `start` (None when there is no dateline)."""
    m = DATELINE.match(text, start)
    if m is None or m.end() >= len(text) or "\n" in m.group():
        return None
    place = m.group("place")
    if not (m.group("agency") or (place.upper() == place and sum(c.isalpha() for c in place) >= 2)):
        return None
    return m.end()
