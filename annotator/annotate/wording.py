"""Decisions in the annotator's words, for the status line (never internal ids)."""

from __future__ import annotations

from typing import Callable

from annotator.annotate.attributes import shown
from annotator.annotate.refs import stances_and_claims
from annotator.model import STANCE, Action

ACTION_WORDS = {Action.ACCEPT: "accepting", Action.REJECT: "rejecting", Action.ACCEPT_ALL: "accepting",
                Action.RELABEL: "relabelling", Action.RESIZE: "resizing", Action.CREATE: "creating",
                Action.DELETE: "deleting", Action.SET_SPEAKER: "setting the speaker of",
                Action.ADD_STANCE: "adding the stance", Action.EDIT_STANCE: "editing the stance",
                Action.SET_ATTRIBUTE: "setting an attribute of"}


def describe(action: str, changes: list, text: str, followers: int = 0,
             suggested: Callable[[str], dict | None] | None = None, attribute: str | None = None) -> str:
    """'accepting “North Korea” (GPE)', 'accepting 12 suggestions', 'adding the stance A → B (FAVOR)',
    'resizing “Pyongyang a” → “Pyongyang” (GPE)', 'relabelling “June” (DATE → EVENT)',
    'relabelling “Kim Jong Un” (PERSON → ORG) and the 2 stances that followed'.

    ``changes`` are an event's [before, after] record pairs, its last ``followers`` the stances and
    claims that followed the span it changed; the words come from ``text``. ``suggested`` gives a
    suggestion's ``start, end, label`` by its id: a decision on an undecided suggestion has no
    record before it, and is then told against the suggestion ('resizing “The Post” → “Post”'). A claim
    attribute set (``attribute``: its name) is 'claim_type event → opinion on “Prices rose”'."""
    followers = followers if isinstance(followers, int) and 0 < followers < len(changes) else 0
    if followers:
        stances = [(a or b)["kind"] for b, a in changes[-followers:]].count(STANCE)
        what = (("stance" if stances else "claim") if followers == 1 else
                stances_and_claims(stances, followers - stances))
        return f"{describe(action, changes[:-followers], text, suggested=suggested)} and the {what} that followed"
    verb = ACTION_WORDS.get(action, action.replace("_", " "))
    if action == Action.SET_ATTRIBUTE and len(changes) == 1 and changes[0][1] is not None:
        return _attribute_change(changes[0], text, attribute, suggested)
    if len(changes) != 1:
        return f"{verb} {len(changes)} suggestions"
    before, after = changes[0]
    if action == Action.REJECT and after is None:  # x on a span made by hand deletes it
        verb = ACTION_WORDS[Action.DELETE]
    if before is None and after and after.get("suggestion_id") and suggested is not None:
        was = suggested(after["suggestion_id"])
        before = {**after, **was} if was else None
    rec = after or before
    if before and after and rec["kind"] != STANCE and (before["start"], before["end"], before["label"]) != (
            after["start"], after["end"], after["label"]):
        was, now = (" ".join(text[r["start"]:r["end"]].split()) for r in (before, after))
        words = f"“{was}”" if was == now else f"“{was}” → “{now}”"
        labels = before["label"] if before["label"] == after["label"] else f"{before['label']} → {after['label']}"
        return f"{verb} {words} ({labels})"
    if rec["kind"] == STANCE:
        src, tgt = rec["attrs"]["source"], rec["attrs"]["target"]
        label = (f"{before['label']} → {after['label']}" if before and after and before["label"] != after["label"]
                 else rec["label"])
        what = f"{text[src['start']:src['end']]} → {text[tgt['start']:tgt['end']]} ({label})"
    else:
        what = f"“{text[rec['start']:rec['end']]}” ({rec['label']})"
    return f"{verb} {' '.join(what.split())}"


def _attribute_change(change, text: str, attribute: str | None, suggested) -> str:
    """'claim_type event → opinion on “Prices rose”': a claim attribute's value before and after."""
    before, after = change
    if before is None and after.get("suggestion_id") and suggested is not None:
        before = suggested(after["suggestion_id"])
    old, new = (before or {}).get("attrs") or {}, after.get("attrs") or {}
    if attribute is None:
        attribute = next((k for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)), "an attribute")
    words = " ".join(text[after["start"]:after["end"]].split())
    return f"{attribute} {shown(old.get(attribute))} → {shown(new.get(attribute))} on “{words}”"
