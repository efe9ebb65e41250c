"""What the new-span text cursor selects, and how it moves by word (pure)."""

from __future__ import annotations

from annotator.annotate.decisions import Words


def selected(words: Words, cursor: int, mark: int | None) -> tuple[int, int] | None:
    """The word under the cursor without a mark, else the marked range without surrounding
    whitespace; None when nothing is selected."""
    if mark is None:
        return words.word_at(cursor)
    s, e = min(mark, cursor), max(mark, cursor)
    if s == e:
        return words.word_at(s)
    text = words.text
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return (s, e) if e > s else None


def cursor_word(words: Words, cursor: int, mark: int | None, step: int) -> int | None:
    """The cursor one word on: to a word's end while marking, else to the next word's start."""
    if step > 0:
        return words.next_end(cursor) if mark is not None else words.next_start(cursor)
    new = words.prev_end(cursor) if mark is not None and cursor > mark else words.prev_start(cursor)
    if mark is not None and new is not None and new <= mark < cursor:
        new = words.prev_start(cursor)
    return new
