"""Decisions update only what they changed — and the result is what drawing everything anew gives.

Random decisions (accept, reject, relabel, resize, delete, create, speaker, stances, undo) on a
document whose suggestions include duplicates: after each, the item index equals the list
built from scratch, the walk answers as a scan of that list does, the article's per-character
styles equal a fresh drawing, and every side-panel row not marked for redrawing still shows
what a fresh panel shows."""

from __future__ import annotations

import random

import pytest
from textual.app import App

from annotator.annotate import decisions as D
from annotator.annotate import walk
from annotator.annotate.items import ItemIndex
from annotator.model import CLAIM, ENTITY, STANCE, TOPIC, Annotation, Span, SpanRef, Stance, Suggestion
from annotator.schema import load_schema
from annotator.tui.widgets.article import ArticleView
from annotator.tui.widgets.panels import SidePanelRows

pytestmark = pytest.mark.anyio

WORDS = ("Seoul Moscow Kim Putin treaty said the pact was signed in June and officials welcomed it "
         "while Tokyo condemned talks").split()
LABELS = ("GPE", "PERSON", "ORG", "DATE")


def _text(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) + ("." if rng.random() < 0.08 else "") for _ in range(160))


def _suggestions(rng: random.Random, text: str) -> list[Suggestion]:
    words = D.Words(text)
    out = []
    for n in range(70):
        i = rng.randrange(len(words))
        j = min(len(words) - 1, i + rng.choice((0, 0, 1, 6, 14)))
        start, end = words.starts[i], words.ends[j]
        kind = ENTITY if j - i < 2 else rng.choice((CLAIM, TOPIC))
        label = rng.choice(LABELS) if kind == ENTITY else ("CLAIM" if kind == CLAIM else "TOPIC")
        value = Span(start, end, label, kind)
        out.append(Suggestion(f"s{n}", "d", rng.choice(("ner", "rules")), "1", "r", 0.5, value))
        if rng.random() < 0.15:  # the same value from another suggester
            out.append(Suggestion(f"s{n}b", "d", "other", "1", "r", 0.4, value))
    ents = [s.value for s in out if s.value.kind == ENTITY]
    for n in range(8):
        a, b = rng.sample(ents, 2)
        out.append(Suggestion(f"t{n}", "d", "stances", "1", "r", 0.5,
                              Stance(SpanRef(a.start, a.end, a.label), SpanRef(b.start, b.end, ""), "AGAINST")))
    out.sort(key=lambda s: (s.value.start, s.value.end))
    return out


def _decide(rng: random.Random, items: list[D.Item], words: D.Words, text: str, history: list) -> list:
    """One random decision's changes (possibly none)."""
    roll = rng.random()
    if roll < 0.12 and history:
        return [(a, b) for b, a in reversed(history.pop())]  # undo
    if not items:
        return []
    item = rng.choice(items)
    if roll < 0.35:
        return D.accept(item, "d", "alice")
    if roll < 0.5:
        return D.reject(item, "d", "alice")
    if roll < 0.6:
        kind = None if item.kind == STANCE else (ENTITY if item.kind == ENTITY else item.kind)
        return D.relabel(item, rng.choice(LABELS) if item.kind == ENTITY else ("FOR" if item.kind == STANCE
                                                                                else item.label), "d", "alice",
                         kind=kind)
    if roll < 0.72:
        return D.resize(item, words, rng.choice(D.RESIZES), "d", "alice")
    if roll < 0.8:
        return D.delete(item)
    if roll < 0.88:
        i = rng.randrange(len(words) - 1)
        return D.create("d", "alice", words.starts[i], words.ends[i + rng.choice((0, 1))], rng.choice(LABELS))
    if roll < 0.94 and item.kind == CLAIM:
        return D.set_speaker(item, rng.choice((D.AUTHOR, D.UNNAMED)), "d", "alice", text)
    spans = [it for it in items if it.kind == ENTITY]
    if len(spans) >= 2:
        a, b = rng.sample(spans, 2)
        return D.add_stance("d", "alice", text, SpanRef(a.start, a.end, a.label), SpanRef(b.start, b.end, ""), "FOR")
    return []


def _store_apply(layer: dict[str, Annotation], changes) -> None:
    """What Store.apply does to a layer: an ``after`` replaces its id's row, a lone ``before`` is deleted."""
    for before, after in changes:
        if after is None:
            if before is not None:
                layer.pop(before.id, None)
        else:
            layer[after.id] = after


def _scan_next_undecided(items, after, only):
    """The walk as a scan of the whole list (the reference)."""
    kinds = [k for k in walk.PASS_ORDER if any(it.undecided and it.kind == k for it in items)]
    kind = only if only is not None else (kinds[0] if kinds else None)
    hits = [i for i, it in enumerate(items) if it.undecided and it.kind == kind]
    if kind is None or not hits:
        return None
    if after is not None and after.kind == kind:
        later = [i for i in hits if items[i].sort_key > after.sort_key]
        if later:
            return later[0]
    return hits[0]


def _scan_step(items, at, by, only):
    walked = [i for i, it in enumerate(items) if only is None or it.kind == only]
    if not walked:
        return None
    if at is None:
        return walked[0]
    if at in walked:
        pos = walked.index(at) + by
    else:
        pos = next((n for n, i in enumerate(walked) if i > at), len(walked)) - (1 if by < 0 else 0)
    return walked[max(0, min(pos, len(walked) - 1))]


def _histories(seed: int, steps: int = 120):
    """(text, suggestions, [(changes, layer after them)]) of a random session."""
    rng = random.Random(seed)
    text = _text(rng)
    suggestions = _suggestions(rng, text)
    words = D.Words(text)
    layer: dict[str, Annotation] = {}
    history: list = []
    out = []
    for _ in range(steps):
        items = D.visible_items(suggestions, layer.values())
        changes = _decide(rng, items, words, text, history)
        if not changes:
            continue
        if not (changes and all(isinstance(c, tuple) for c in changes)):
            continue
        _store_apply(layer, changes)
        history.append(changes)
        out.append((changes, dict(layer)))
    return text, suggestions, out


@pytest.mark.parametrize("seed", range(8))
def test_the_index_after_each_decision_is_the_list_built_anew(seed):
    text, suggestions, steps = _histories(seed)
    index = ItemIndex(suggestions, [])
    rng = random.Random(seed)
    for changes, layer in steps:
        index.apply(changes)
        fresh = D.visible_items(suggestions, layer.values())
        assert index.items == fresh
        for kind in walk.PASS_ORDER:
            assert index.by_kind[kind] == [it for it in fresh if it.kind == kind]
            assert index.undecided[kind] == sum(1 for it in fresh if it.kind == kind and it.undecided)
        assert {s: index.states[s] for s in D.STATES} == D.counts(fresh)
        for it in rng.sample(fresh, min(5, len(fresh))):
            assert index.items[index.find(it.key)] is index.get(it.key)
        for offset in rng.sample(range(len(text)), 5):
            want = min(range(len(fresh)), key=lambda i: (abs(fresh[i].start - offset), i)) if fresh else None
            assert index.nearest(offset) == want
        for only in (None, *walk.PASS_ORDER):
            after = rng.choice(fresh) if fresh else None
            assert walk.next_undecided(index, after, only) == _scan_next_undecided(fresh, after, only)
            at = rng.randrange(len(fresh)) if fresh else None
            for by in (1, -1):
                assert walk.step(index, at, by, only) == _scan_step(fresh, at, by, only)


class Host(App):
    def compose(self):
        yield ArticleView(load_schema(None), id="a")
        yield ArticleView(load_schema(None), id="b")


@pytest.mark.parametrize("seed", range(3))
async def test_the_article_redrawn_piecewise_equals_a_fresh_drawing(seed):
    text, suggestions, steps = _histories(seed, 60)
    index = ItemIndex(suggestions, [])
    async with Host().run_test(size=(100, 40)) as pilot:
        piecewise, fresh = pilot.app.query_one("#a", ArticleView), pilot.app.query_one("#b", ArticleView)
        piecewise.set_document(text, index.items)
        fresh.set_document(text, index.items)
        await pilot.pause()
        index.take()
        for changes, _ in steps:
            index.apply(changes)
            piecewise.update_items(index.take())
            fresh.set_items(index.items)
            assert piecewise._ent == fresh._ent and piecewise._span == fresh._span
        await pilot.pause()
        for y in range(0, len(fresh._lines), 3):
            assert piecewise._build_line(y, piecewise.rich_style) == fresh._build_line(y, fresh.rich_style)


@pytest.mark.parametrize("seed", range(6))
def test_side_panel_rows_not_redrawn_still_show_what_a_fresh_panel_shows(seed):
    text, suggestions, steps = _histories(seed)
    schema = load_schema(None)
    index = ItemIndex(suggestions, [])
    panel = SidePanelRows(index, text, schema, 40)
    drawn = [panel[i] for i in range(len(panel))]
    for changes, _ in steps:
        index.apply(changes)
        stale = panel.changed(index.take())
        fresh = SidePanelRows(index, text, schema, 40)
        assert len(panel) == len(fresh)
        redraw = set()
        for a, b in stale:
            redraw.update(range(a, len(fresh) if b is None else b))
        for i in range(len(fresh)):
            if i not in redraw and i < len(drawn):
                assert drawn[i] == fresh[i], (i, drawn[i], fresh[i])
        assert [panel[i] for i in range(len(panel))] == [fresh[i] for i in range(len(fresh))]
        for it in index.items:
            row = panel.get(it.key)
            assert fresh[row] == panel[row] and panel._row(row)[1] is it
        drawn = [panel[i] for i in range(len(panel))]
