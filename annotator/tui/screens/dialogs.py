"""The annotation screen's dialogs: pickers (label, speaker, claim attributes, the stance wizard), the questions
before accept-all and done, the document list and the help — mixed into :class:`AnnotateScreen`.

Each dialog's screen is imported when it first opens: they bring Textual widgets (option
lists and the like) that the first frame of the article does not need."""

from __future__ import annotations

from functools import partial

from annotator.annotate import decisions as D
from annotator.annotate.session import StanceDraft
from annotator.annotate.walk import describe, kind_name
from annotator.model import SpanRef, Stance
from annotator.tui.screens.keyed import keyed
from annotator.tui.textsafe import one_line


class AnnotateDialogs:
    """Keys that open a dialog and decide with its answer (through the screen's ``_decided``)."""

    @keyed
    def action_accept_all(self) -> None:
        from annotator.tui.screens.confirm import ConfirmScreen

        counts = self.session.accept_all_counts()
        total = sum(counts.values())
        what = "suggestion" + ("s" if total != 1 else "")
        keys = self.key_names
        scope = ("" if self.session.only is None else
                 f" (only {kind_name(self.session.only)} are walked: {keys['choose_kinds']} changes that)")
        self.app.push_screen(
            ConfirmScreen(f"Accept {total} {what}?",
                          f"{describe(counts)} will be accepted into your layer as they are{scope}. "
                          f"It is one decision: {keys['undo']} undoes all of it.", "accept them"),
            lambda yes: self._decided(self.session.accept_all) if yes else None)

    def _picker_width(self) -> int:
        from annotator.tui.screens.picker import PickerScreen

        return PickerScreen.prompt_width(self.app.size.width)

    @keyed
    def action_label_picker(self) -> None:
        from annotator.tui.screens.choices import index_of_value, label_choices
        from annotator.tui.screens.picker import PickerScreen

        item = self.session.need_focus()
        stance = isinstance(item.value, Stance)
        choices = label_choices(self.schema, stance, self._picker_width())
        title = "Polarity of the stance" if stance else f"Label for “{one_line(self.doc.text[item.start:item.end], 40)}”"
        self.app.push_screen(PickerScreen(title, choices, selected=index_of_value(choices, item.label)),
                             self._when_picked(lambda label: self.session.relabel(label, item.key)))

    @keyed
    def action_speaker(self) -> None:
        from annotator.tui.screens.choices import index_of_value, speaker_choices
        from annotator.tui.screens.picker import PickerScreen

        item = self.session.claim_in_focus()
        current = D.speaker_of(item.value)
        choices = speaker_choices(self.session.actor_candidates(near=item.start), current, self.doc.text,
                                  self.schema, self._picker_width())
        self.app.push_screen(PickerScreen("Who makes this claim?", choices, selected=index_of_value(choices, current)),
                             self._when_picked(partial(self.session.set_speaker, item.key)))

    @keyed
    def action_attributes(self) -> None:
        """The focused claim's attributes (all but the speaker) with their values; the one picked is
        then set by its type: a picker of its choices, yes / no, or a line of text."""
        from annotator.tui.screens.choices import attribute_choices
        from annotator.tui.screens.picker import PickerScreen

        item, attributes = self.session.claim_attributes()
        choices = attribute_choices(attributes, item.value.attrs, self._picker_width())
        title = f"Attributes of “{one_line(self.doc.text[item.start:item.end], 40)}”"
        self.app.push_screen(PickerScreen(title, choices, hint="enter edit · escape cancel"),
                             lambda name: self._attribute_picked(item.key, attributes, name))

    @keyed
    def _attribute_picked(self, key: str, attributes, name: str | None) -> None:
        from annotator.tui.screens.choices import CLEAR, attribute_value_choices, index_of_value
        from annotator.tui.screens.picker import PickerScreen
        from annotator.tui.screens.text_input import TextInputScreen

        item = self.session.index.get(key)
        if name is None or item is None:
            return
        attribute = next(a for a in attributes if a.name == name)
        current = item.value.attrs.get(name)
        title = f"{one_line(name, 30)} of “{one_line(self.doc.text[item.start:item.end], 30)}”"
        if attribute.type == "text":
            def typed(line: str | None) -> None:
                if line is not None:
                    self._decided(self.session.set_attribute, key, name, line)

            self.app.push_screen(TextInputScreen(title, "" if current is None else str(current),
                                                 hint="enter saves (an empty line clears it) · escape cancels"),
                                 typed)
            return
        choices = attribute_value_choices(attribute)
        self.app.push_screen(PickerScreen(title, choices, selected=index_of_value(choices, current)),
                             self._when_picked(lambda value: self.session.set_attribute(
                                 key, name, None if value == CLEAR else value)))

    @keyed
    def action_stance(self) -> None:
        from annotator.tui.screens.choices import mention_choices
        from annotator.tui.screens.picker import PickerScreen

        draft, sources, current = self.session.stance_draft()
        choices = mention_choices(sources, self.schema, self._picker_width(), digits=True)
        title = "Edit stance: who holds it? (1/3)" if draft.editing else "New stance: who holds it? (1/3)"
        selected = self.session.index_of_name(sources, current)
        self.app.push_screen(PickerScreen(title, choices, selected=selected),
                             lambda source: self._stance_source(draft, source))

    @keyed
    def _stance_source(self, draft: StanceDraft, source: SpanRef | None) -> None:
        from annotator.tui.screens.choices import mention_choices
        from annotator.tui.screens.picker import PickerScreen

        if source is None:
            return
        draft.source = source
        targets, current = self.session.stance_targets(draft)
        choices = mention_choices(targets, self.schema, self._picker_width())
        title = f"Stance of {one_line(self.doc.text[source.start:source.end], 30)} towards… (2/3)"
        self.app.push_screen(PickerScreen(title, choices, selected=self.session.index_of_name(targets, current)),
                             lambda target: self._stance_target(draft, target))

    def _stance_target(self, draft: StanceDraft, target: SpanRef | None) -> None:
        from annotator.tui.screens.choices import index_of_value, label_choices
        from annotator.tui.screens.picker import PickerScreen

        if target is None:
            return
        draft.target = target
        pols = label_choices(self.schema, True, self._picker_width())
        self.app.push_screen(PickerScreen("Stance polarity (3/3)", pols,
                                          selected=index_of_value(pols, self.session.stance_polarity(draft))),
                             self._when_picked(partial(self.session.finish_stance, draft)))

    # --- documents ----------------------------------------------------------------

    @keyed
    def action_done(self) -> None:
        from annotator.tui.screens.confirm import ConfirmScreen

        left = self.session.undecided()
        if not left:
            return self._mark_done()
        total = sum(left.values())
        keys = self.key_names
        self.app.push_screen(ConfirmScreen(
            f"Mark this document done with {total} suggestion{'s' if total != 1 else ''} undecided?",
            f"Still undecided: {describe(left)}. Done leaves undecided suggestions as they are: they are not "
            "in your layer, so no export has them (and none counts as rejected); reopening the document "
            f"({keys['doc_list']}, {keys['prev_doc']} or {keys['next_doc']}) shows them again. To decide now, "
            f"answer no and use {keys['accept']}, {keys['reject']} or {keys['accept_all']}.", "mark it done"),
            lambda yes: self._mark_done() if yes else None)

    @keyed
    def _mark_done(self) -> None:
        """Mark the document done and open the next one not done, saying so: the article changes
        under the annotator's eyes, and the status line is where they look for what a key did."""
        done = f"doc {self.session.doc_index + 1}/{len(self.session.doc_ids)}"
        nxt = self.session.mark_done()
        if nxt is None:
            self.set_note((f"{done} marked done: every document is done", f"{done} done: all are done"))
            return
        self.open_document(nxt)
        self.set_note((f"{done} marked done; this is the next one not done", f"{done} done; the next not done"))

    @keyed
    def action_doc_list(self) -> None:
        from annotator.tui.screens.documents import DocumentListScreen

        self.save_place()  # another program's lock leaves it to the next save; the list opens at once

        def chosen(doc_id: str | None) -> None:
            if doc_id:
                self.open_document(doc_id)

        self.app.push_screen(DocumentListScreen(self.session, self.doc.id if self.doc else None), chosen)

    def action_help(self) -> None:
        from annotator.tui.screens.help import HelpScreen

        self.app.push_screen(HelpScreen(self.keymap, self.session.span_labels(), self.keys_path, schema=self.schema))
