"""Quotations: where quoted speech starts and ends, across sentences and paragraphs.

A quote that runs over several sentences (`"A. B," she said.`), that is interrupted by its
attribution (`"A," she said. "B."` or `"A," she said, "b."`) or that goes on in the next
paragraph (an unclosed quote whose next paragraph opens with a quote mark) is one claim:
:func:`quoted_content` widens a claim the parse found inside one piece of such a quote to
all of it, first to last character (the pieces are kept as ``fragments``).
"""

from __future__ import annotations

from dataclasses import dataclass

OPEN = {"“", "«", "``", "„"}
CLOSE = {"”", "»"}
TOGGLE = {'"', "''"}
MAX_GAP = 14  # tokens between a quote and its cue ("…,” said Lucia Quispe, a lawyer for the communities.)


@dataclass(frozen=True)
class Quote:
    """Quoted tokens [start, end) between an opening mark at ``start - 1`` and a closing one at ``end``
    (or the paragraph's end); ``goes_on``: left open at the paragraph's end and continued by the next
    paragraph's opening mark (the next quote)."""

    start: int
    end: int
    goes_on: bool = False


def find_quotes(doc) -> list[Quote]:
    """Every quotation of a doc, in order, one piece per paragraph. A straight mark (" or '') opens
    when it is glued to the next word only and closes when glued to the word before only (else it
    toggles), so one stray mark does not turn the rest of the article inside out. A quote left open
    at a paragraph's end goes on when the next paragraph opens with a quote mark, else it ends there."""
    out: list[Quote] = []
    open_at: int | None = None
    pending_paragraph_end: int | None = None  # an open quote reached a paragraph break here
    for t in doc:
        text = t.text
        if t.is_space and "\n" in text or "\n\n" in t.whitespace_:
            if open_at is not None and pending_paragraph_end is None:
                pending_paragraph_end = t.i if t.is_space else t.i + 1
            continue
        if t.is_space:
            continue
        if pending_paragraph_end is not None:
            goes_on = text in OPEN or text in TOGGLE
            if pending_paragraph_end > open_at + 1:
                out.append(Quote(open_at + 1, pending_paragraph_end, goes_on))
            open_at, pending_paragraph_end = (t.i if goes_on else None), None
            if goes_on:
                continue
        way = _orientation(doc, t) if text in TOGGLE else None
        if text in OPEN or way == "open" or (text in TOGGLE and way is None and open_at is None):
            open_at = t.i  # a second opening mark drops an unclosed one before it
        elif open_at is not None and (text in CLOSE or text in TOGGLE):
            if t.i > open_at + 1:
                out.append(Quote(open_at + 1, t.i))
            open_at = None
    if open_at is not None:
        end = pending_paragraph_end if pending_paragraph_end is not None else len(doc)
        if end > open_at + 1:
            out.append(Quote(open_at + 1, end))
    return out


def _orientation(doc, t) -> str | None:
    """"open" for a straight mark glued to the next word only, "close" for one glued to the word
    before only (or to both, before punctuation), None when it cannot tell."""
    prev = doc[t.i - 1] if t.i > 0 else None
    nxt = doc[t.i + 1] if t.i + 1 < len(doc) else None
    glued_before = prev is not None and prev.whitespace_ == "" and not prev.is_space
    glued_after = nxt is not None and t.whitespace_ == "" and not nxt.is_space
    if glued_after and not glued_before:
        return "open"
    if glued_before and (not glued_after or nxt.is_punct):
        return "close"
    return None


def quoted_content(ctx, start: int, end: int, cue: tuple[int, int], speaker: tuple[int, int] | None,
                   other_cues: set[int]) -> tuple[int, int, list[tuple[int, int]]] | None:
    """The token range, and its pieces, of the quotation that the content [start, end) belongs to.

    ``cue`` and ``speaker`` are the attribution's token ranges; ``other_cues`` the tokens of every
    other attribution cue in the piece (a quote with a cue of its own belongs to that one).
    Returns None when the content is not (part of) a longer quotation.
    """
    quotes = ctx.quotes
    # a quote the content starts or ends in: "X said the plan was ''dead'' and left" is no quotation
    pieces = [q for q in quotes if q.start < end and start < q.end and (q.start <= start + 1 or q.end >= end - 1)]
    sent_of = ctx.piece.sentence_index
    if speaker and sent_of(speaker[0]) != sent_of(cue[0]):
        speaker = None  # a pronoun's antecedent, sentences back, is not where the attribution stands
    attribution = [cue] + ([speaker] if speaker else [])
    lo, hi = min(a for a, _ in attribution), max(b for _, b in attribution)
    opens = any(q.start <= start + 1 for q in pieces)  # the content opens with a quote, not only ends in one
    if pieces:
        before = next((q for q in reversed(quotes) if q.end <= lo), None)
        if before is not None and before not in pieces and opens and _only_attribution(ctx, before.end + 1, lo, cue):
            pieces.append(before)
        follow = next((q for q in quotes if q.start > hi), None)
        if follow is not None and follow not in pieces and max(q.end for q in pieces) <= lo and \
                _only_attribution(ctx, hi, follow.start - 1, cue) and not _other_cue_near(ctx, follow, other_cues):
            pieces.append(follow)
    last = max(pieces, key=lambda q: q.end) if pieces else None
    last_end = max(last.end, end) if last is not None else end
    while True:  # the quote goes on in the sentences (or the paragraph) that open with a quote mark
        nxt = next((q for q in quotes if q.start > last_end), None)
        goes_on = last is not None and last.goes_on and last.end == last_end
        if nxt is None or not (goes_on or _opens_next_sentence(ctx, last_end, nxt)) or \
                _other_cue_near(ctx, nxt, other_cues):
            break
        pieces.append(nxt)
        last, last_end = nxt, nxt.end
    if not pieces or (len(pieces) == 1 and pieces[0].start <= start and pieces[0].end >= end and
                      (pieces[0].start, pieces[0].end) == (start, end)):
        return None
    spans = sorted({(q.start, q.end) for q in pieces} | ({(start, end)} if not any(
        q.start <= start and end <= q.end for q in pieces) else set()))
    return min(spans[0][0], start), max(spans[-1][1], end), spans


def quote_of_attribution(ctx, lo: int, hi: int, cue: tuple[int, int]) -> Quote | None:
    """The quote an attribution [lo, hi) (speaker and cue, no clause of its own) stands beside: the
    one closing just before it with nothing but the attribution between ('"Not even one," he said.',
    '"We won." Tanner said.'), else the one opening just after it ('Ruiz said, "Sure. We will."')."""
    if any(q.start <= cue[0] < q.end for q in ctx.quotes):
        return None  # a cue inside a quote is the quoted speaker's words
    before = next((q for q in reversed(ctx.quotes) if q.end <= lo), None)
    if before is not None and _only_attribution(ctx, before.end + 1, lo, cue):
        return before
    after = next((q for q in ctx.quotes if q.start > hi), None)
    toks = ctx.toks
    if after is not None and after.start - 1 - hi <= 2 and all(
            toks[k].is_punct and "\n" not in toks[k].text_with_ws for k in range(hi, after.start - 1)):
        return after
    return None


def _only_attribution(ctx, a: int, b: int, cue: tuple[int, int]) -> bool:
    """Between a quote and its attribution: few tokens in the same paragraph, and no verb but the cue."""
    if b - a > MAX_GAP or b < a:
        return False
    toks = ctx.toks
    if any("\n" in t.text_with_ws for t in toks[max(0, a - 1):b]):
        return False
    return all(cue[0] <= k < cue[1] or toks[k].pos_ not in ("VERB", "AUX") or toks[k].dep_ in ("acl", "relcl", "amod")
               for k in range(a, b))


def _opens_next_sentence(ctx, last_end: int, nxt: Quote) -> bool:
    """The next quote's opening mark starts the sentence right after the one the last piece ended in,
    in the same paragraph (a closed quote is not continued by the next paragraph's)."""
    piece = ctx.piece
    open_tok = nxt.start - 1
    k = piece.sentence_index(max(0, last_end - 1))
    j = piece.sentence_index(open_tok)
    if j != k + 1 or _first_word(ctx, ctx.sent_starts[j]) != open_tok:
        return False
    return not any("\n" in t.text_with_ws for t in ctx.toks[max(0, last_end - 1):open_tok])


def _first_word(ctx, i: int) -> int:
    toks = ctx.toks
    while i < len(toks) and (toks[i].is_space or toks[i].text in CLOSE):
        i += 1
    return i


def _other_cue_near(ctx, q: Quote, other_cues: set[int]) -> bool:
    """Another attribution in the quote's sentence, outside the quote ('…,' the minister said)."""
    piece = ctx.piece
    first = piece.sentence_index(max(0, q.start - 1))
    last = piece.sentence_index(max(0, q.end - 1))
    lo = ctx.sent_starts[first]
    hi = ctx.sents[last].end
    return any(lo <= c < q.start - 1 or q.end <= c < hi for c in other_cues)


def quote_paragraphs(ctx) -> list[Quote]:
    """The quotes that make up a whole paragraph: from its first token to its end, nothing but the quote."""
    toks = ctx.toks
    out = []
    for q in ctx.quotes:
        o = q.start - 1
        if o > 0 and not _line_ends(toks[o - 1]):
            continue  # not at a paragraph's start
        k = q.end
        while k < len(toks) and not _line_ends(toks[k]) and (toks[k].is_punct or toks[k].is_space):
            k += 1
        if k < len(toks) and not (toks[k].is_punct or toks[k].is_space):
            continue  # the paragraph goes on after the quote
        out.append(q)
    return out


def _line_ends(tok) -> bool:
    return "\n" in tok.text_with_ws
