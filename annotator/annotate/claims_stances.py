"""Claims' speakers and other attributes, and the stance wizard, as part of :class:`~annotator.annotate.session.AnnotationSession`.

The speaker and stance pickers offer one candidate per name (see
:mod:`annotator.annotate.mentions`); the wizard asks for a stance's source, then its
target, then its polarity. A stance's ends follow each other: the source becomes its
name's mention nearest the picked target, and the evidence the sentence(s) holding both.
"""

from __future__ import annotations

from dataclasses import dataclass

from annotator.annotate import decisions as D
from annotator.annotate.attributes import editable, shown
from annotator.annotate.mentions import (
    Candidate,
    index_of_name,
    nearest_mention,
    one_per_name,
    target_candidates,
    with_current,
)
from annotator.annotate.refused import Refused
from annotator.model import STANCE, Action, SpanRef, Stance
from annotator.schema import Attribute
from annotator.validate import claim_attribute_problem


@dataclass
class StanceDraft:
    """The stance wizard's answers so far: source, then target, then polarity."""

    editing: str | None = None  # the key of the stance being edited, None for a new one
    source: SpanRef | None = None
    target: SpanRef | None = None


class ClaimsAndStances:
    """Speaker and stance decisions; mixed into the session (uses its items, document and ``decide``)."""

    def actor_candidates(self, near: int = 0) -> list[Candidate]:
        """The document's actors (entities whose label is one of the schema's ``actors``: they can speak
        or hold a stance), one per name."""
        return one_per_name(D.actors(self.items, self.schema.actors), self.doc.text, near)

    def target_candidates(self, source: SpanRef) -> list[Candidate]:
        """Every span that can be a stance target except the source's name, one per name."""
        return target_candidates(self.items, self.doc.text, source)

    def index_of_name(self, candidates: list[Candidate], ref: SpanRef | None) -> int:
        """Which candidate to preselect for ``ref``: the one of its name (whichever mention), else the first."""
        i = index_of_name(candidates, self.doc.text, ref)
        return 0 if i is None else i

    def claim_in_focus(self, what: str = "set its speaker") -> D.Item:
        item = self.need_focus()
        if item.kind != self.kind_for(self.schema.claim.name):
            raise Refused(f"Focus a claim to {what} ({self.keys['next_span']}/{self.keys['prev_span']} moves).",
                          warning=True)
        return item

    def claim_attributes(self) -> tuple[D.Item, tuple[Attribute, ...]]:
        """The focused claim and the schema's attributes that the attribute dialog sets (all but the
        speaker); refused when the focus is no claim or the schema declares none."""
        attributes = editable(self.schema)
        if not attributes:
            raise Refused(f"The schema {self.schema.name!r} declares no claim attributes besides the speaker "
                          f"({self.keys['speaker']} sets that).", warning=True)
        return self.claim_in_focus("set its attributes"), attributes

    def set_attribute(self, key: str, name: str, value: object) -> None:
        """Set attribute ``name`` of the claim with ``key`` to ``value`` (None clears it), accepting the
        claim: one decision. A text is stripped, and an empty one clears it; a value its type does not
        allow (a control character in a text, a choice the schema lacks) is refused."""
        item = self._item(key)
        if item is None:
            return
        attribute = next((a for a in editable(self.schema) if a.name == name), None)
        if attribute is None:
            raise Refused(f"The schema declares no claim attribute {name!r} to set this way.", warning=True)
        if isinstance(value, str) and attribute.type == "text":
            value = value.strip() or None
        problem = claim_attribute_problem(name, attribute.type, attribute.choices, value)
        if problem:
            raise Refused(problem[:1].upper() + problem[1:] + ".", warning=True)
        changes = D.set_attribute(item, name, value, self.doc.id, self.layer)
        if not changes:
            raise Refused(f"{name} is already {shown(value)}.")
        self.decide(Action.SET_ATTRIBUTE, changes, advance=False, attribute=name, value=value)

    def set_speaker(self, key: str, speaker: str | SpanRef) -> None:
        """Set the speaker (AUTHOR, UNNAMED or an actor span) of the claim with ``key``."""
        item = self._item(key)
        if item is None:
            return
        sp = speaker if isinstance(speaker, str) else speaker.to_dict()
        self.decide(Action.SET_SPEAKER, D.set_speaker(item, speaker, self.doc.id, self.layer, self.doc.text),
                    advance=False, speaker=sp)

    def stance_draft(self) -> tuple[StanceDraft, list[Candidate], SpanRef | None]:
        """Start the stance wizard: the draft, the source candidates and the source to preselect.

        Editing a stance, its current source (as :meth:`ItemIndex.current_ref` maps a suggested one)
        is always offered, first when it is no actor span (any more), noted so."""
        item = self.focused
        editing = item if item is not None and isinstance(item.value, Stance) else None
        sources = self.actor_candidates(near=item.start if item is not None else 0)
        if editing is not None:
            current = self.index.current_ref(editing.value.source)
            sources = with_current(sources, self.items, self.doc.text, current, "source")
        else:
            current = SpanRef(item.start, item.end, item.label) if item is not None else None
        if not sources:
            raise Refused(f"No actors ({', '.join(self.schema.actors) or 'the schema names none'}) in this document "
                          "to hold a stance.", warning=True)
        return StanceDraft(editing.key if editing else None), sources, current

    def stance_targets(self, draft: StanceDraft) -> tuple[list[Candidate], SpanRef | None]:
        """The target candidates for the draft's source, and the target to preselect (editing a stance,
        its current target, offered even when it is no span any more, as in :meth:`stance_draft`)."""
        targets = self.target_candidates(draft.source)
        editing = self._item(draft.editing) if draft.editing else None
        item = self.focused
        if editing is not None:
            current = self.index.current_ref(editing.value.target)
            if (current.start, current.end) != (draft.source.start, draft.source.end):
                targets = with_current(targets, self.items, self.doc.text, current, "target")
        else:
            current = SpanRef(item.start, item.end, item.label) if item is not None and item.kind != STANCE else None
        if not targets:
            raise Refused(f"No target spans: create one first ({self.keys['new_span']}).", warning=True)
        return targets, current

    def stance_polarity(self, draft: StanceDraft) -> str | None:
        """The polarity to preselect: the edited stance's own."""
        editing = self._item(draft.editing) if draft.editing else None
        return editing.value.polarity if editing is not None else None

    def finish_stance(self, draft: StanceDraft, polarity: str) -> None:
        """Write the drafted stance (new, or the edit of one). The target is the mention picked; the
        source becomes its name's mention nearest that target, and the evidence their sentence(s)."""
        text = self.doc.text
        source = nearest_mention(self.items, text, draft.source, draft.target.start)
        if draft.editing is not None:
            item = self._item(draft.editing)
            if item is None:
                return
            changes = D.edit_stance(item, self.doc.id, self.layer, source=source, target=draft.target,
                                    polarity=polarity, text=text)
            self.decide(Action.EDIT_STANCE, changes, advance=False)
        else:
            changes = D.add_stance(self.doc.id, self.layer, text, source, draft.target, polarity)
            self.decide(Action.ADD_STANCE, changes, advance=False)
