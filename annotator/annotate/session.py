"""One annotator's session over a database: documents, focus and decisions (no Textual).

The annotation screen is drawing and key dispatch over an :class:`AnnotationSession`.
The session decides which document opens first and next, where the focus goes after a
decision, an undo or a redo, what a text selection becomes, which actors and targets the
speaker and stance pickers offer, and it writes every decision through the store (event
and state in one transaction) before the screen shows it.

A request that cannot be carried out raises :class:`Refused` with a message for the
annotator; nothing has been written then.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.annotate import decisions as D
from annotator.annotate.queue import annotator_queue
from annotator.model import AUTHOR, STANCE, UNNAMED, SpanRef, Stance
from annotator.schema import Schema


class Refused(Exception):
    """A request the session cannot carry out, with what to tell the annotator."""

    def __init__(self, message: str = "", *, warning: bool = False, bell: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.warning = warning
        self.bell = bell


@dataclass(frozen=True)
class Candidate:
    """A span a picker offers (a speaker, a stance source or target): one per name and label."""

    ref: SpanRef
    text: str  # the mention's words, as in the article (show them through textsafe)

    @property
    def label(self) -> str:
        return self.ref.label


@dataclass
class StanceDraft:
    """The stance wizard's answers so far: source, then target, then polarity."""

    editing: str | None = None  # the key of the stance being edited, None for a new one
    source: SpanRef | None = None
    target: SpanRef | None = None


class AnnotationSession:
    """The documents of one layer (an annotator) and the item in focus."""

    def __init__(self, store, schema: Schema, layer: str, *, start_doc: str | None = None) -> None:
        self.store = store
        self.schema = schema
        self.layer = layer
        self.start_doc = start_doc
        self.doc_ids: list[str] = []
        self.doc_index = 0
        self.doc = None
        self.words: D.Words | None = None
        self.items: list[D.Item] = []
        self.focus_index: int | None = None
        self.statuses: dict[str, str] = {}
        self._suggestions: list = []

    # --- state --------------------------------------------------------------------

    @property
    def focused(self) -> D.Item | None:
        if self.focus_index is None or not (0 <= self.focus_index < len(self.items)):
            return None
        return self.items[self.focus_index]

    @property
    def done_count(self) -> int:
        return sum(1 for d in self.doc_ids if self.statuses.get(d) == "done")

    @property
    def status(self) -> str:
        return self.statuses.get(self.doc.id, "todo") if self.doc is not None else "todo"

    @property
    def awaiting_suggestions(self) -> bool:
        """True while the open document has no suggestions yet (they may be on their way)."""
        return self.doc is not None and not self._suggestions

    def need_focus(self) -> D.Item:
        item = self.focused
        if item is None:
            raise Refused("Nothing is focused: press n to create a span.", warning=True)
        return item

    # --- documents ----------------------------------------------------------------

    def open_first(self) -> bool:
        """Open where the annotator stopped, else the first document not done; False when there is none.

        Documents come in the annotator's queue order: their own unfinished assignments
        (`annotator assign`), then other unfinished documents, then finished ones."""
        self.doc_ids = annotator_queue(self.store, self.layer)
        self.statuses = self.store.statuses(self.layer)
        start, cursor = self.start_doc, {}
        if start is None:
            last, cursor = self.store.resume_point(self.layer)
            if last in self.doc_ids:
                start = last
            else:
                start = next((d for d in self.doc_ids if self.statuses.get(d) != "done"),
                             self.doc_ids[0] if self.doc_ids else None)
        if start is None:
            return False
        self.open(start, cursor)
        return self.doc is not None

    def open(self, doc_id: str, cursor: dict | None = None) -> None:
        """Open a document, focusing the saved cursor's item (else the first undecided one)."""
        if self.doc is not None and self.doc.id != doc_id:
            self.save_cursor()
        doc = self.store.document(doc_id)
        if doc is None:
            return
        if doc_id not in self.doc_ids:
            self.doc_ids = annotator_queue(self.store, self.layer)
        self.doc = doc
        self.doc_index = self.doc_ids.index(doc_id)
        self.words = D.Words(doc.text)
        self.items = self._load_items(suggestions=True)
        self.focus_index = self._index_for_cursor(cursor or {})
        self.save_cursor()  # also marks the document in progress for this annotator
        self.statuses.setdefault(doc_id, "in_progress")

    def saved_cursor(self, doc_id: str) -> dict:
        return self.store.cursor(self.layer, doc_id)

    def relative(self, step: int) -> str:
        """The id of the document ``step`` places away in the queue."""
        i = self.doc_index + step
        if not 0 <= i < len(self.doc_ids):
            raise Refused("That was the " + ("last" if step > 0 else "first") + " document.")
        return self.doc_ids[i]

    def mark_done(self) -> str | None:
        """Mark the open document done; the next one not done (None when every one is)."""
        self.store.set_status(self.layer, self.doc.id, "done")
        self.statuses = self.store.statuses(self.layer)
        n = len(self.doc_ids)
        return next((self.doc_ids[(self.doc_index + k) % n] for k in range(1, n + 1)
                     if self.statuses.get(self.doc_ids[(self.doc_index + k) % n]) != "done"), None)

    def save_cursor(self) -> None:
        """Remember the document and the focused item, to resume there."""
        if self.doc is None:
            return
        item = self.focused
        cursor = {"key": item.key, "start": item.start, "end": item.end,
                  "suggestion_id": item.suggestion_id} if item else {}
        self.store.save_cursor(self.layer, self.doc.id, cursor)

    def document_rows(self) -> list[dict]:
        """Every document with its status, counts and title, in import order (the document list)."""
        statuses = self.store.statuses(self.layer)
        layer = self.store.layer_items(self.layer)
        by_doc: dict[str, list] = {}
        for s in self.store.suggestions():
            by_doc.setdefault(s.doc_id, []).append(s)
        rows = []
        for n, doc in enumerate(self.store.documents(), 1):
            counts = D.counts(D.visible_items(by_doc.get(doc.id, []), layer.get(doc.id, [])))
            rows.append({"doc_id": doc.id, "number": n, "status": statuses.get(doc.id, "todo"),
                         "counts": counts, "title": str(doc.meta.get("title") or doc.text)})
        return rows

    # --- items and focus ----------------------------------------------------------

    def _load_items(self, *, suggestions: bool = False) -> list[D.Item]:
        """The visible items: the document's suggestions (re-read when asked) plus the layer."""
        if suggestions:
            self._suggestions = self.store.suggestions(self.doc.id)
        return D.visible_items(self._suggestions, self.store.items(self.doc.id, self.layer))

    def _index_for_cursor(self, cursor: dict) -> int | None:
        if not self.items:
            return None
        i = D.find_item(self.items, cursor.get("key"))
        if i is None and cursor.get("suggestion_id"):
            i = self._index_of_suggestion(cursor["suggestion_id"])
        if i is None and "start" in cursor:
            i = D.nearest_index(self.items, int(cursor["start"]))
        if i is None:
            i = D.next_undecided(self.items)
        return 0 if i is None else i

    def _index_of_suggestion(self, suggestion_id: str) -> int | None:
        return next((n for n, it in enumerate(self.items) if it.suggestion_id == suggestion_id), None)

    def reload(self) -> bool:
        """Re-read the document's items (suggestions arrived), keeping the focus; True when it had none."""
        old = self.focused
        self.items = self._load_items(suggestions=True)
        i = D.find_item(self.items, old.key if old else None)
        if i is None:
            i = D.next_undecided(self.items) if old is None else self._index_for_cursor(
                {"start": old.start, "suggestion_id": old.suggestion_id})
        self.focus_index = i if self.items else None
        return old is None

    def move_to(self, index: int | None) -> bool:
        if index is None or not self.items:
            return False
        self.focus_index = max(0, min(index, len(self.items) - 1))
        return True

    def step(self, by: int) -> bool:
        """Focus the next (+1) or previous (-1) item."""
        if not self.items:
            return False
        if self.focus_index is None:
            return self.move_to(0)
        return self.move_to(self.focus_index + by)

    def next_undecided(self) -> None:
        i = D.next_undecided(self.items, self.focus_index)
        if i is None:
            raise Refused("No undecided suggestions left in this document.")
        self.move_to(i)

    def item_at(self, offset: int) -> int | None:
        """The smallest span (not a stance) under a character offset."""
        hits = [i for i, it in enumerate(self.items) if it.start <= offset < it.end and it.kind != STANCE]
        return min(hits, key=lambda i: self.items[i].end - self.items[i].start) if hits else None

    # --- deciding -----------------------------------------------------------------

    def decide(self, action: str, changes: list, *, advance: bool, focus_key: str | None = None, **extra) -> None:
        """Write one decision (event + state in one transaction), then move the focus."""
        if not changes:
            raise Refused(bell=True)
        old = self.focused
        self.store.apply(self.layer, self.doc.id, action, changes, **extra)  # committed before it is shown
        self.statuses.setdefault(self.doc.id, "in_progress")
        self.items = self._load_items()
        target = None
        if focus_key is None:
            after = [a for _, a in changes if a is not None]
            focus_key = "a:" + after[0].id if after else None
        if advance:
            pos = old.sort_key if old else None
            nxt = [i for i, it in enumerate(self.items) if it.undecided and (pos is None or it.sort_key > pos)]
            target = nxt[0] if nxt else D.next_undecided(self.items)
        if target is None:
            target = D.find_item(self.items, focus_key)
        if target is None and old is not None:
            target = D.nearest_index(self.items, old.start)
        self.focus_index = target if self.items else None

    def accept(self) -> None:
        item = self.need_focus()
        changes = D.accept(item, self.doc.id, self.layer)
        if not changes:  # already accepted: nothing to write, just move on
            return self.next_undecided()
        self.decide("accept", changes, advance=True)

    def reject(self) -> None:
        item = self.need_focus()
        changes = D.reject(item, self.doc.id, self.layer)
        if not changes:  # already rejected
            return self.next_undecided()
        self.decide("reject", changes, advance=True)

    def delete(self) -> None:
        item = self.need_focus()
        if item.annotation is None:
            raise Refused("An undecided suggestion is not in your layer: x rejects it.")
        self.decide("delete", D.delete(item), advance=False)

    def accept_all(self) -> None:
        changes = D.accept_all(self.items, self.doc.id, self.layer)
        if not changes:
            raise Refused("No undecided suggestions left in this document.")
        item = self.focused
        self.decide("accept_all", changes, advance=False, focus_key=item.key if item else None, count=len(changes))

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
        self.decide("relabel", D.relabel(item, label, self.doc.id, self.layer, kind=kind), advance=True, label=label)

    def relabel_number(self, number: int) -> None:
        """Digit keys: the n-th entity label, or the n-th polarity for a stance."""
        item = self.need_focus()
        names = [p.name for p in self.schema.polarities] if isinstance(item.value, Stance) else self.span_labels()
        if number <= len(names):
            self.relabel(names[number - 1])

    def resize(self, how: str) -> None:
        item = self.need_focus()
        if isinstance(item.value, Stance):
            raise Refused("A stance has no boundaries to move.")
        self.decide("resize", D.resize(item, self.words, how, self.doc.id, self.layer), advance=False, how=how)

    def create(self, start: int, end: int, label: str) -> None:
        self.decide("create", D.create(self.doc.id, self.layer, start, end, label, self.kind_for(label)),
                    advance=False)

    def _item(self, key: str) -> D.Item | None:
        i = D.find_item(self.items, key)
        return self.items[i] if i is not None else None

    # --- selection (new spans) ----------------------------------------------------

    def selection(self, cursor: int | None, mark: int | None) -> tuple[int, int] | None:
        """What a text cursor and mark select: the word under the cursor without a mark, else the
        marked range without surrounding whitespace; None when nothing is selected."""
        if cursor is None or self.doc is None or self.words is None:
            return None
        if mark is None:
            return self.words.word_at(cursor)
        s, e = min(mark, cursor), max(mark, cursor)
        if s == e:
            return self.words.word_at(s)
        text = self.doc.text
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        return (s, e) if e > s else None

    def move_cursor_word(self, cursor: int, mark: int | None, step: int) -> int | None:
        """The text cursor one word on: to a word's end while marking, else to the next word's start."""
        words = self.words
        if step > 0:
            return words.next_end(cursor) if mark is not None else words.next_start(cursor)
        new = words.prev_end(cursor) if mark is not None and cursor > mark else words.prev_start(cursor)
        if mark is not None and new is not None and new <= mark < cursor:
            new = words.prev_start(cursor)
        return new

    # --- undo / redo --------------------------------------------------------------

    def history(self, which: str):
        """Undo or redo the last decision on this document and focus the item it touched; the event."""
        ev = (self.store.undo if which == "undo" else self.store.redo)(self.layer, self.doc.id)
        if ev is None:
            raise Refused(f"Nothing to {which} in this document.")
        self.items = self._load_items()
        records = [r for pair in ev.payload.get("changes", []) for r in pair]
        i = self._index_for_records(records)
        if i is None and records and records[0]:
            i = D.nearest_index(self.items, int(records[0]["start"]))
        self.focus_index = i if self.items else None
        return ev

    def _index_for_records(self, records: list[dict | None]) -> int | None:
        for rec in records:
            if rec is None:
                continue
            i = D.find_item(self.items, "a:" + rec["id"])
            if i is None and rec.get("suggestion_id"):
                i = self._index_of_suggestion(rec["suggestion_id"])
            if i is not None:
                return i
        return None

    # --- claims and stances -------------------------------------------------------

    def _one_per_name(self, items, near: int) -> list[Candidate]:
        """One candidate per (words, label): the mention nearest ``near``, in order of first mention."""
        text = self.doc.text
        best: dict[tuple, D.Item] = {}
        order: list[tuple] = []
        for it in items:
            name = (" ".join(text[it.start:it.end].split()).lower(), it.label)
            if name not in best:
                order.append(name)
                best[name] = it
            elif abs(it.start - near) < abs(best[name].start - near):
                best[name] = it
        return [Candidate(SpanRef(best[n].start, best[n].end, best[n].label), text[best[n].start:best[n].end])
                for n in order]

    def actor_candidates(self, near: int = 0) -> list[Candidate]:
        """The document's actors (entities that can speak or hold a stance), one per name."""
        return self._one_per_name(D.actors(self.items), near)

    def target_candidates(self, source: SpanRef) -> list[Candidate]:
        """Every span that can be a stance target except the source, one per name."""
        spans = [it for it in self.items if it.kind != STANCE and it.state != "rejected"
                 and (it.start, it.end) != (source.start, source.end)]
        return self._one_per_name(spans, source.start)

    def claim_in_focus(self) -> D.Item:
        item = self.need_focus()
        if item.kind != self.kind_for(self.schema.claim.name):
            raise Refused("Focus a claim to set its speaker (j/k moves).", warning=True)
        return item

    def set_speaker(self, key: str, speaker: str | SpanRef) -> None:
        """Set the speaker (AUTHOR, UNNAMED or an actor span) of the claim with ``key``."""
        item = self._item(key)
        if item is None:
            return
        sp = speaker if isinstance(speaker, str) else speaker.to_dict()
        self.decide("set_speaker", D.set_speaker(item, speaker, self.doc.id, self.layer, self.doc.text),
                    advance=False, speaker=sp)

    def stance_draft(self) -> tuple[StanceDraft, list[Candidate], SpanRef | None]:
        """Start the stance wizard: the draft, the source candidates and the source to preselect."""
        item = self.focused
        editing = item if item is not None and isinstance(item.value, Stance) else None
        sources = self.actor_candidates(near=item.start if item is not None else 0)
        if not sources:
            raise Refused("No actors (PERSON, ORG, GPE, NORP) in this document to hold a stance.", warning=True)
        if editing is not None:
            current = editing.value.source
        else:
            current = SpanRef(item.start, item.end, item.label) if item is not None else None
        return StanceDraft(editing.key if editing else None), sources, current

    def stance_targets(self, draft: StanceDraft) -> tuple[list[Candidate], SpanRef | None]:
        """The target candidates for the draft's source, and the target to preselect."""
        targets = self.target_candidates(draft.source)
        if not targets:
            raise Refused("No target spans: create one first (n).", warning=True)
        editing = self._item(draft.editing) if draft.editing else None
        item = self.focused
        if editing is not None:
            current = editing.value.target
        else:
            current = SpanRef(item.start, item.end) if item is not None and item.kind != STANCE else None
        return targets, current

    def stance_polarity(self, draft: StanceDraft) -> str | None:
        """The polarity to preselect: the edited stance's own."""
        editing = self._item(draft.editing) if draft.editing else None
        return editing.value.polarity if editing is not None else None

    def finish_stance(self, draft: StanceDraft, polarity: str) -> None:
        """Write the drafted stance: a new one, or the edit of an existing one."""
        if draft.editing is not None:
            item = self._item(draft.editing)
            if item is None:
                return
            changes = D.edit_stance(item, self.doc.id, self.layer, source=draft.source, target=draft.target,
                                    polarity=polarity)
            self.decide("edit_stance", changes, advance=False)
        else:
            changes = D.add_stance(self.doc.id, self.layer, self.doc.text, draft.source, draft.target, polarity)
            self.decide("add_stance", changes, advance=False)

