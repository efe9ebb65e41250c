"""One annotator's session over a database: documents, focus and decisions (no Textual).

The annotation screen is drawing and key dispatch over an :class:`AnnotationSession`.
The session decides which document opens first and next, where the focus goes after a
decision, an undo or a redo, what a text selection becomes, which actors and targets the
speaker and stance pickers offer, and it writes every decision through the store before
the screen shows it — with the focus it leads to, in the same transaction, so a restart
(even after ``kill -9``) resumes exactly there.

Only a decision starts a document: opening one, or moving the focus, saves where the
annotator is (``Store.save_cursor``) without giving the document a status.

A request that cannot be carried out raises :class:`Refused` with a message for the
annotator; nothing has been written then.
"""

from __future__ import annotations

from dataclasses import replace

from annotator.annotate import decisions as D
from annotator.annotate import refs, walk
from annotator.annotate.claims_stances import ClaimsAndStances, StanceDraft
from annotator.annotate.documents import SessionDocuments
from annotator.annotate.items import ItemIndex
from annotator.annotate.mentions import Candidate
from annotator.annotate.queue import Queue
from annotator.annotate.refused import Refused
from annotator.annotate.selection import cursor_word, selected
from annotator.annotate.wording import describe
from annotator.model import CLAIM, IN_PROGRESS, ITEM_STATES, STANCE, TODO, TOPIC, Action, SpanRef, Stance
from annotator.schema import Schema
from annotator.store import annotation_from_record

__all__ = ["AnnotationSession", "Candidate", "Refused", "StanceDraft"]

KIND_CHOICES = (None, *walk.PASS_ORDER)  # what `tab`/`a`/`x` walk: every kind in passes, or one kind


class AnnotationSession(SessionDocuments, ClaimsAndStances):
    """The documents of one layer (an annotator) and the item in focus."""

    def __init__(self, store, schema: Schema, layer: str, *, start_doc: str | None = None) -> None:
        self.store = store
        self.schema = schema
        self.layer = layer
        self.start_doc = start_doc
        self.doc_ids: Queue | list[str] = []  # the annotator's queue (a Queue once a document opens)
        self.doc_index = 0
        self.doc = None
        self.words: D.Words | None = None
        self.index = ItemIndex([], [])
        self.focus_index: int | None = None
        self._status: str | None = None  # the open document's status (None: not started)
        self._done = 0  # how many documents of the queue are done
        self.only: str | None = None  # the one kind walked, None for every kind (one pass per kind)
        self._suggestions: list = []
        self._pending: dict = {}  # a saved cursor waiting for the suggestions it points at
        self._seen_event: int | None = None  # the layer's last event on the document that `index` holds
        self._rebuilt = True  # the index was built anew since the last take_changes()
        self._note: str | tuple[str, ...] = ""  # what the last decision says besides itself (see take_note)
        # the keys its messages name, by binding id; a UI whose keys are remapped sets them as mapped
        self.keys = {"new_span": "n", "stance": "t", "speaker": "s", "attributes": "c", "reject": "x", "next_span": "j",
                     "prev_span": "k", "label_picker": "l"}

    # --- state --------------------------------------------------------------------

    @property
    def items(self) -> list[D.Item]:
        """The open document's items in reading order (see :class:`~annotator.annotate.items.ItemIndex`)."""
        return self.index.items

    def loose_ends(self, item: D.Item | None) -> list[str]:
        """Which labelled pointers of an item of the layer name no span of the layer any more:
        "source", "target" (a stance) or "speaker" (a claim). An unlabelled end names words, never a
        span, and a suggestion's ends are its suggester's: neither is listed. Exports keep such an end
        as words, not as a span (JSONL marks it ``stance_end_only``)."""
        if item is None or item.annotation is None:
            return []
        value = item.value
        ends = ([("source", value.source), ("target", value.target)] if isinstance(value, Stance)
                else [("speaker", ref)] if (ref := refs.speaker_ref(value)) is not None else [])
        return [name for name, ref in ends if ref.label and not self.index.names_layer_span(ref)]

    @property
    def focused(self) -> D.Item | None:
        if self.focus_index is None or not (0 <= self.focus_index < len(self.items)):
            return None
        return self.items[self.focus_index]

    @property
    def done_count(self) -> int:
        """How many documents of the queue are done (counted when the session began, then kept)."""
        return self._done

    @property
    def status(self) -> str:
        return (self._status or TODO) if self.doc is not None else TODO

    @property
    def awaiting_suggestions(self) -> bool:
        """True while the open document has no suggestions yet (they may be on their way)."""
        return self.doc is not None and not self._suggestions

    @property
    def current_pass(self) -> str | None:
        """The kind being decided (see :mod:`annotator.annotate.walk`)."""
        return walk.current_pass(self.index, self.only)

    def undecided(self) -> dict[str, int]:
        """Undecided suggestions per kind in the open document (every kind, whatever is walked)."""
        return walk.undecided_by_kind(self.index)

    def counts(self) -> dict[str, int]:
        """The open document's items per state: suggested (undecided), accepted, rejected."""
        return {state: self.index.states[state] for state in ITEM_STATES}

    def take_changes(self) -> list | None:
        """What changed in the items since the last call, as :class:`~annotator.annotate.items.Delta`
        records, oldest first; None when they were all read anew (draw everything again)."""
        changes = self.index.take()
        if self._rebuilt:
            self._rebuilt = False
            return None
        return changes

    def take_note(self) -> str | tuple[str, ...]:
        """What the last decision did besides itself, in words, once: the stances and claims that
        followed the span it changed, or that still point at the span it removed ('' for nothing;
        several wordings, the fullest first, when it has short ones for a narrow screen)."""
        note, self._note = self._note, ""
        return note

    def need_focus(self) -> D.Item:
        item = self.focused
        if item is None:
            raise Refused(f"Nothing is focused: press {self.keys['new_span']} to create a span.", warning=True)
        return item

    # --- items and focus ----------------------------------------------------------

    def _load_items(self, *, suggestions: bool = False) -> None:
        """Read the visible items anew: the document's suggestions (re-read when asked) plus the layer."""
        if suggestions:
            self._suggestions = self.store.suggestions(self.doc.id)
        self._seen_event = self.store.last_event_id(self.layer, self.doc.id)
        self.index = ItemIndex(self._suggestions, self.store.items(self.doc.id, self.layer))
        self._rebuilt = True

    def _index_for_cursor(self, cursor: dict) -> int | None:
        if not self.items:
            return None
        i = self.index.find(cursor.get("key"))
        if i is None and cursor.get("suggestion_id"):
            i = self._index_of_suggestion(cursor["suggestion_id"])
        if i is None and "start" in cursor:
            i = self.index.nearest(int(cursor["start"]))
        if i is None:
            i = walk.next_undecided(self.index, None, self.only)
        return 0 if i is None else i

    def _index_of_suggestion(self, suggestion_id: str) -> int | None:
        i = self.index.find("s:" + suggestion_id)  # the suggestion itself, when it is undecided
        if i is None:
            i = next((n for n, it in enumerate(self.items) if it.suggestion_id == suggestion_id), None)
        return i

    def reload(self) -> bool:
        """Re-read the document's items (suggestions arrived), keeping the focus; True when it had none."""
        old = self.focused
        self._load_items(suggestions=True)
        if self._pending and not self.awaiting_suggestions:
            i, self._pending = self._index_for_cursor(self._pending), {}
        elif old is None:
            i = walk.next_undecided(self.index, None, self.only)
        else:
            i = self.index.find(old.key)
            if i is None:
                i = self._index_for_cursor({"start": old.start, "suggestion_id": old.suggestion_id})
        self.focus_index = i if self.items else None
        return old is None

    def move_to(self, index: int | None) -> bool:
        if index is None or not self.items:
            return False
        self.focus_index = max(0, min(index, len(self.items) - 1))
        return True

    def step(self, by: int) -> bool:
        """Focus the next (+1) or previous (-1) item of those walked (every item, or one kind)."""
        return self.move_to(walk.step(self.index, self.focus_index, by, self.only))

    def next_undecided(self) -> None:
        i = walk.next_undecided(self.index, self.focused, self.only)
        if i is None:
            what = "suggestions" if self.only is None else walk.kind_name(self.only)
            raise Refused(f"No undecided {what} left in this document.")
        self.move_to(i)

    def choose_kinds(self) -> str:
        """Walk the next choice of kinds (every kind in passes → entities → claims → topics →
        stances → …); the focus moves to that kind. Returns what is walked now, in words."""
        self.only = KIND_CHOICES[(KIND_CHOICES.index(self.only) + 1) % len(KIND_CHOICES)]
        item = self.focused
        if self.only is not None and (item is None or item.kind != self.only):
            i = walk.next_undecided(self.index, None, self.only)
            self.move_to(i if i is not None else walk.step(self.index, None, 1, self.only))
        if self.only is None:
            return "every kind: entities, then claims, topics, stances"
        return walk.kind_name(self.only) + " only"

    def item_at(self, offset: int) -> int | None:
        """The smallest span (not a stance) under a character offset."""
        hits = [i for i, it in enumerate(self.items) if it.start <= offset < it.end and it.kind != STANCE]
        return min(hits, key=lambda i: self.items[i].end - self.items[i].start) if hits else None

    # --- deciding -----------------------------------------------------------------

    def _commit(self, write, focus):
        """Write a decision, bring the items up to date, focus ``focus()``'s index and save that
        focus — one transaction. ``write()`` returns (result, the (before, after) changes written).

        Only what the decision changed is updated in memory, unless something else wrote to the
        layer on this document since it was read (another program as the same annotator): then
        the items are read anew. When the transaction fails, memory goes back to what is stored."""
        before = (self.index, self.focus_index, self._seen_event, self._rebuilt)
        applied: list = []
        try:
            with self.store.transaction():
                fresh = self.store.last_event_id(self.layer, self.doc.id) == self._seen_event
                result, changes = write()
                if fresh:
                    self.index.apply(changes)
                    applied = changes
                    self._seen_event = self.store.last_event_id(self.layer, self.doc.id)
                else:
                    self._load_items()
                i = focus()
                self.focus_index = i if self.items else None
                self.save_cursor()
        except BaseException:
            if applied:  # rolled back: show what is stored
                before[0].apply([(a, b) for b, a in reversed(applied)])
            self.index, self.focus_index, self._seen_event, self._rebuilt = before
            raise
        if self._status is None:
            self._status = IN_PROGRESS  # a decision starts the document (the store says so too)
        return result

    def decide(self, action: str, changes: list, *, advance: bool, focus_key: str | None = None, **extra) -> None:
        """Write one decision (event + state + where the focus goes next, in one transaction).

        The decision brings along what points at the spans it changes (:mod:`annotator.annotate.refs`):
        a suggested stance or claim it decides gets the ends as the annotator has changed them, and
        every stance and claim of the layer pointing at a span it relabels or resizes follows it."""
        self._note = ""
        if not changes:
            raise Refused(bell=True)
        text = self.doc.text
        changes = [(b, a) if b is not None or a is None or not a.suggestion_id
                   else (b, replace(a, value=refs.retarget(a.value, self._current_ref, text))) for b, a in changes]
        followers, dangling = refs.follow(changes, self.index, text)
        changes = changes + followers
        if followers:
            extra["followers"] = len(followers)  # the last changes: undo names them apart
        old = self.focused
        if focus_key is None:
            after = [a for _, a in changes if a is not None]
            focus_key = "a:" + after[0].id if after else None

        def focus() -> int | None:
            target = walk.next_undecided(self.index, old, self.only) if advance else None
            if target is None:
                target = self.index.find(focus_key)
            if target is None and old is not None:
                target = self.index.nearest(old.start)
            return target

        self._commit(lambda: (self.store.apply(self.layer, self.doc.id, action, changes, **extra), changes), focus)
        self._note = refs.dangling_note(dangling, text, self.keys) or refs.followed_note(followers)

    def _current_ref(self, ref: SpanRef) -> SpanRef | None:
        new = self.index.current_ref(ref)
        return new if new != ref else None

    def accept(self) -> None:
        item = self.need_focus()
        changes = D.accept(item, self.doc.id, self.layer)
        if not changes:  # already accepted: nothing to write, just move on
            return self.next_undecided()
        self.decide(Action.ACCEPT, changes, advance=True)

    def reject(self) -> None:
        item = self.need_focus()
        changes = D.reject(item, self.doc.id, self.layer)
        if not changes:  # already rejected
            return self.next_undecided()
        self.decide(Action.REJECT, changes, advance=True)

    def delete(self) -> None:
        item = self.need_focus()
        if item.annotation is None:
            raise Refused(f"An undecided suggestion is not in your layer: {self.keys['reject']} rejects it.")
        self.decide(Action.DELETE, D.delete(item), advance=False)

    def accept_all_counts(self) -> dict[str, int]:
        """What ``accept_all`` would accept, per kind: the undecided suggestions of the kinds walked."""
        counts = walk.undecided_by_kind(self.index, self.only)
        if not counts:
            what = "suggestions" if self.only is None else walk.kind_name(self.only)
            raise Refused(f"No undecided {what} left in this document.")
        return counts

    def accept_all(self) -> None:
        """Accept every undecided suggestion of the kinds walked, as one decision (one undo)."""
        self.accept_all_counts()
        walked = [it for it in self.items if self.only is None or it.kind == self.only]
        changes = D.accept_all(walked, self.doc.id, self.layer)
        item = self.focused
        self.decide(Action.ACCEPT_ALL, changes, advance=False, focus_key=item.key if item else None, count=len(changes))

    def span_labels(self) -> list[str]:
        """The schema's entity labels, in picker order (digits 1-9 pick them)."""
        return [label.name for label in self.schema.entities]

    def kind_for(self, label: str) -> str:
        return D.kind_of_label(label, self.schema.claim.name, self.schema.topic.name)

    def relabel(self, label: str, key: str | None = None) -> None:
        """Give the focused item (or the item with ``key``) a new label or polarity, accepting it."""
        item = self._item(key) if key else self.need_focus()
        if item is None:
            return
        kind = None if isinstance(item.value, Stance) else self.kind_for(label)
        self.decide(Action.RELABEL, D.relabel(item, label, self.doc.id, self.layer, kind=kind), advance=True, label=label)

    def relabel_number(self, number: int) -> None:
        """Digit keys: the n-th entity label, or the n-th polarity for a stance. A claim or a topic is
        refused: one stray digit made a claim a PERSON entity, its speaker and cue gone."""
        item = self.need_focus()
        if item.kind in (CLAIM, TOPIC):
            raise Refused(f"Digits label entities and stances: {self.keys['label_picker']} changes a "
                          f"{item.kind}'s kind.", warning=True)
        names = [p.name for p in self.schema.polarities] if isinstance(item.value, Stance) else self.span_labels()
        if number <= len(names):
            self.relabel(names[number - 1])

    def resize(self, how: str, fine: bool = False) -> None:
        """Move a boundary one word (``fine``: one token, punctuation included). A step is refused
        (with the bell and a note) when it would grow the span across a line break, or a claim
        across a paragraph break (:func:`~annotator.annotate.decisions.crossed_break`)."""
        item = self.need_focus()
        if isinstance(item.value, Stance):
            raise Refused("A stance has no boundaries to move.")
        bounds = D.resized_bounds(self.words, item.start, item.end, how, fine)
        if bounds is None:  # said, or the key seems not to work
            unit = "token" if fine else "word"
            raise Refused(f"The span is one {unit}: it cannot be shorter ({self.keys['reject']} rejects it)."
                          if how in ("start_right", "end_left") else
                          f"There is no {unit} {'before' if how == 'start_left' else 'after'} it in the text.",
                          bell=True)
        crossed = D.crossed_break(self.words, item.kind, (item.start, item.end), bounds) if bounds else None
        if crossed is not None:
            rule = "A claim stays in its paragraph" if crossed == "paragraph" else "A span stays on its line"
            word = "the word before" if how.startswith("start") else "the next word"
            raise Refused(f"{rule}: {word} is past a {crossed} break ({self.keys['new_span']} selects across it).", bell=True)
        changes = D.resize(item, self.words, how, self.doc.id, self.layer, fine)
        self.decide(Action.RESIZE, changes, advance=False, how=how, **({"fine": True} if fine else {}))

    def create(self, start: int, end: int, label: str) -> None:
        self.decide(Action.CREATE, D.create(self.doc.id, self.layer, start, end, label, self.kind_for(label)),
                    advance=False)

    def _item(self, key: str) -> D.Item | None:
        return self.index.get(key)

    # --- selection (new spans) ----------------------------------------------------

    def selection(self, cursor: int | None, mark: int | None) -> tuple[int, int] | None:
        """What a text cursor and mark select (see :func:`annotator.annotate.selection.selected`)."""
        if cursor is None or self.doc is None or self.words is None:
            return None
        return selected(self.words, cursor, mark)

    def move_cursor_word(self, cursor: int, mark: int | None, step: int) -> int | None:
        return cursor_word(self.words, cursor, mark, step)

    # --- undo / redo --------------------------------------------------------------

    def history(self, which: str) -> str:
        """Undo or redo the last decision on this document; the focus lands on the item it touched
        (or, when that item is gone, the nearest one). Returns what was undone or redone, in words."""
        old = self.focused
        undo = self.store.undo if which == Action.UNDO else self.store.redo
        pairs = []

        def write():
            ev = undo(self.layer, self.doc.id)
            if ev is None:
                raise Refused(f"Nothing to {which} in this document.")
            pairs.extend(ev.payload.get("changes", []))
            changes = [(annotation_from_record(b), annotation_from_record(a)) for b, a in pairs]
            if which == Action.UNDO:
                changes = [(a, b) for b, a in reversed(changes)]
            return ev, changes

        def focus() -> int | None:
            present = [b if which == Action.UNDO else a for b, a in pairs]
            gone = [a if which == Action.UNDO else b for b, a in pairs]
            hits = [i for i in (self._index_for_record(r) for r in present + gone if r) if i is not None]
            where = old.start if old is not None else None
            if hits:
                return hits[0] if where is None else min(hits, key=lambda i: abs(self.items[i].start - where))
            first = next((r for r in present + gone if r), None)
            return self.index.nearest(int(first["start"])) if first else self.focus_index

        ev = self._commit(write, focus)
        return ("Undone: " if which == Action.UNDO else "Redone: ") + describe(
            ev.action, pairs, self.doc.text, ev.payload.get("followers", 0), self._suggested,
            ev.payload.get("attribute") if isinstance(ev.payload.get("attribute"), str) else None)

    def _suggested(self, suggestion_id: str) -> dict | None:
        """The open document's suggestion ``suggestion_id`` as ``start, end, label, attrs`` (None: not one of them)."""
        s = next((s for s in self._suggestions if s.id == suggestion_id), None)
        if s is None:
            return None
        v = s.value
        return ({"label": v.polarity} if isinstance(v, Stance) else
                {"start": v.start, "end": v.end, "label": v.label, "attrs": dict(v.attrs)})

    def _index_for_record(self, rec: dict) -> int | None:
        i = self.index.find("a:" + rec["id"])
        if i is None and rec.get("suggestion_id"):
            i = self._index_of_suggestion(rec["suggestion_id"])
        return i
