"""Key bindings of the annotation screen, each with an id, remappable from a config file.

The config file is YAML mapping a binding id to keys (a comma-separated string or a
list), e.g.::

    accept: y
    reject: [x, "r"]
    undo: "u,ctrl+z,backspace"

It is read from ``$ANNOTATOR_KEYS`` or else ``~/.config/annotator/keys.yaml``
(``$XDG_CONFIG_HOME/annotator/keys.yaml`` when that is set). Keys use Textual's names:
``a``, ``A``, ``ctrl+z``, ``shift+left``, ``enter``, ``escape``, ``question_mark``,
``comma``, ``full_stop``, ``less_than_sign``, ``left_square_bracket``...
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from textual.binding import Binding

from annotator.errors import AnnotatorError
from annotator.yamlfile import load_yaml

NORMAL, CREATE = "normal", "create"


@dataclass(frozen=True)
class Key:
    id: str
    keys: str
    action: str
    description: str
    mode: str = NORMAL
    group: str = "Decide"


KEYS: tuple[Key, ...] = (
    Key("accept", "a", "accept", "Accept the focused span"),
    Key("reject", "x", "reject", "Reject the focused span (deletes a hand-made one)"),
    Key("accept_all", "A", "accept_all", "Accept every remaining suggestion of the kinds walked (asks first)"),
    Key("label_picker", "l", "label_picker", "Relabel with the label picker (accepts)"),
    *(Key(f"relabel_{i}", str(i), f"relabel({i})", f"Relabel with label {i} (accepts)") for i in range(1, 10)),
    Key("delete", "D,delete", "delete", "Delete the focused item from your layer"),
    Key("next_span", "j,down,right", "next_span", "Next span", group="Move"),
    Key("prev_span", "k,up,left", "prev_span", "Previous span", group="Move"),
    Key("next_undecided", "tab", "next_undecided", "Next undecided suggestion (of the current pass)", group="Move"),
    Key("choose_kinds", "p", "choose_kinds", "Choose the kinds walked: every kind in passes, or only entities, "
        "claims, topics or stances", group="Move"),
    Key("page_down", "pagedown,space", "page(1)", "Scroll the article down a page", group="Move"),
    Key("page_up", "pageup", "page(-1)", "Scroll the article up a page", group="Move"),
    Key("start_left", "ctrl+left,<", "resize('start_left')", "Move the span's start one word left (punctuation alone is skipped)", group="Resize"),
    Key("start_right", "ctrl+right,>", "resize('start_right')", "Move the span's start one word right (punctuation alone is skipped)", group="Resize"),
    Key("end_left", "shift+left,comma", "resize('end_left')", "Move the span's end one word left (punctuation alone is skipped)", group="Resize"),
    Key("end_right", "shift+right,full_stop", "resize('end_right')", "Move the span's end one word right (punctuation alone is skipped)", group="Resize"),
    Key("start_left_token", "{", "resize('start_left',True)", "Move the start one token left, punctuation too",
        group="Resize"),
    Key("start_right_token", "}", "resize('start_right',True)", "Move the start one token right, punctuation too",
        group="Resize"),
    Key("end_left_token", "(", "resize('end_left',True)", "Move the end one token left, punctuation too",
        group="Resize"),
    Key("end_right_token", ")", "resize('end_right',True)", "Move the end one token right, punctuation too",
        group="Resize"),
    Key("new_span", "n", "new_span", "New span: show a text cursor at the focus", group="Create"),
    Key("cursor_left", "left,h", "cursor(-1)", "(new span) cursor one character left", mode=CREATE, group="Create"),
    Key("cursor_right", "right,l", "cursor(1)", "(new span) cursor one character right", mode=CREATE, group="Create"),
    Key("cursor_word_left", "b,k,up,ctrl+left", "cursor_word(-1)", "(new span) cursor one word left", mode=CREATE, group="Create"),
    Key("cursor_word_right", "w,j,down,ctrl+right", "cursor_word(1)", "(new span) cursor one word right", mode=CREATE, group="Create"),
    Key("mark", "m", "mark", "(new span) mark the start here", mode=CREATE, group="Create"),
    Key("confirm", "enter", "confirm", "(new span) confirm, then choose the label", mode=CREATE, group="Create"),
    Key("cancel", "escape", "cancel", "(new span) cancel", mode=CREATE, group="Create"),
    Key("undo", "u,ctrl+z", "undo", "Undo (many steps)", group="History"),
    Key("redo", "U,ctrl+y", "redo", "Redo", group="History"),
    Key("speaker", "s", "speaker", "Set the focused claim's speaker", group="Claims and stances"),
    Key("stance", "t", "stance", "Add a stance (or edit the focused one)", group="Claims and stances"),
    Key("attributes", "c", "attributes", "Set the focused claim's other attributes (type, cue, check-worthy, "
        "hedged...: the schema's)", group="Claims and stances"),
    Key("done", "d", "done", "Mark the document done and open the next (asks when suggestions are undecided)",
        group="Documents"),
    Key("next_doc", "]", "next_doc", "Next document", group="Documents"),
    Key("prev_doc", "[", "prev_doc", "Previous document", group="Documents"),
    Key("doc_list", "g", "doc_list", "Document list", group="Documents"),
    Key("help", "?", "help", "What the styles mean, and every key", group="App"),
    Key("quit", "q", "quit", "Quit (everything is already saved)", group="App"),
)

KEY_IDS = {k.id for k in KEYS}


def _normalize(keys: str) -> str:
    """Keys as Textual names them ("<" is "less_than_sign"), so the help shows what is really bound."""
    parts = ",".join(k.strip() for k in keys.split(",") if k.strip())
    return ",".join(b.key for b in Binding.make_bindings([Binding(parts, "")])) if parts else ""


MODIFIERS = ("ctrl", "alt", "shift", "meta", "super", "hyper")


@lru_cache(1)
def _named_keys() -> frozenset[str]:
    """The keys Textual names by a word (``enter``, ``pageup``, ``f1``...), without modifiers."""
    from textual.keys import KEY_ALIASES, KEY_NAME_REPLACEMENTS, Keys

    names = {k.value.split("+")[-1] for k in Keys if not k.value.startswith("<")}
    names |= {alias for aliases in KEY_ALIASES.values() for alias in aliases if "+" not in alias}
    return frozenset(names | set(KEY_NAME_REPLACEMENTS.values()))  # slash, minus, plus...


def key_problem(key: str) -> str | None:
    """Why ``key`` (one Textual key name, normalized) can never be pressed, or None when it can.

    A binding to such a key would simply never fire: ``F1`` (Textual says ``f1``), ``Ctrl+Y``, ``ctrl+``,
    ``help``, a stray escape sequence."""
    from textual.keys import _get_unicode_name_from_key

    *mods, base = key.split("+")
    if not base:
        return f"{key!r} names no key after {'+'.join(mods)!r}"
    for mod in mods:
        if mod not in MODIFIERS:
            hint = f" (did you mean {mod.lower()!r}?)" if mod.lower() in MODIFIERS else ""
            return f"{key!r}: {mod!r} is not a modifier{hint}; modifiers are {', '.join(MODIFIERS)}"
    if len(base) == 1:
        return None if base.isprintable() and not base.isspace() else f"{key!r} is not a key one can type"
    if base in _named_keys():
        return None
    try:
        char = unicodedata.lookup(_get_unicode_name_from_key(base))  # question_mark, full_stop, comma...
    except KeyError:
        char = ""
    if len(char) == 1 and char.isprintable():
        return None
    lower = "+".join([*mods, base.lower()])
    hint = f" (did you mean {lower!r}?)" if lower != key and key_problem(lower) is None else ""
    return f"{key!r} is not a key name{hint}; names are Textual's: y, Y, ctrl+y, f1, enter, pageup, comma..."


def bindings(mode: str | None = None) -> list[Binding]:
    """Textual bindings for the annotation screen (a key bound in both modes is told apart by
    the screen's check_action, which enables only the current mode's actions)."""
    ordered = KEYS
    return [Binding(_normalize(k.keys), k.action, short_description(k), show=False, id=k.id,
                    tooltip=k.description)
            for k in ordered if mode is None or k.mode == mode]


# The key bar (the screen's last line): these keys in this order, as many as fit, then help and quit.
BAR = {NORMAL: ("accept", "reject", "next_undecided", "new_span", "undo", "label_picker", "done", "doc_list",
                "choose_kinds", "accept_all", "stance", "speaker"),
       CREATE: ("cursor_right", "cursor_word_right", "mark", "confirm", "cancel")}
ALWAYS_SHOWN = ("help", "quit")
SHORT = {"accept": "accept", "reject": "reject", "accept_all": "all", "label_picker": "label", "new_span": "new",
         "next_undecided": "next", "choose_kinds": "kinds", "mark": "mark", "confirm": "confirm",
         "cancel": "cancel", "undo": "undo", "done": "done", "doc_list": "docs", "help": "help", "quit": "quit",
         "stance": "stance", "speaker": "speaker", "attributes": "attrs", "cursor_word_right": "word", "cursor_right": "char"}


def short_description(key: Key) -> str:
    """A key's name in the key bar (one word)."""
    return SHORT.get(key.id, key.id)


def config_path() -> Path:
    """Where the key config is read from ($ANNOTATOR_KEYS, else the XDG config dir)."""
    env = os.environ.get("ANNOTATOR_KEYS")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or "~/.config"
    return Path(base).expanduser() / "annotator" / "keys.yaml"


def load_keymap(path: str | Path | None = None, *, required: bool = False) -> dict[str, str]:
    """Read a keymap file: {binding id: "key,key"}. A missing default file is no keymap."""
    path = Path(path).expanduser() if path else config_path()
    if not path.exists():
        if required or os.environ.get("ANNOTATOR_KEYS"):
            raise AnnotatorError("no such key config file", path)
        return {}
    doc = load_yaml(path)
    data = doc.data
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise AnnotatorError("a key config must map binding ids to keys, e.g. 'accept: y'", path, 1)
    keymap: dict[str, str] = {}
    for binding_id, keys in data.items():
        line = doc.line(binding_id)
        if binding_id not in KEY_IDS:
            raise AnnotatorError(f"unknown binding id {binding_id!r} (see `?` in the app or docs/annotate.md)",
                                 path, line)
        if isinstance(keys, list) and keys and all(isinstance(k, str) and k for k in keys):
            keys = ",".join(keys)
        if not isinstance(keys, str) or not _normalize(keys):
            raise AnnotatorError(f"{binding_id}: keys must be a string such as 'y' or 'ctrl+y,Y', or a list",
                                 path, line)
        keymap[binding_id] = _normalize(keys)
        for key in keymap[binding_id].split(","):
            if problem := key_problem(key):
                raise AnnotatorError(f"{binding_id}: {problem}", path, line)
    _refuse_clashes(keymap, path, doc.line)
    return keymap


def _refuse_clashes(keymap: dict[str, str], path: Path, line_of) -> None:
    """Refuse a key that would do two things in one mode of one screen (only one of them would ever run)."""
    for keys in ([k for k in KEYS if k.mode == NORMAL], [k for k in KEYS if k.mode == CREATE], list(REVIEW_KEYS)):
        owner: dict[str, Key] = {}
        for key, bound in effective_keys(keymap, tuple(keys)):
            for name in bound.split(","):
                other = owner.setdefault(name, key)
                if other is key:
                    continue
                if other.id in keymap and key.id in keymap:
                    raise AnnotatorError(f"key {name!r} is bound twice ({other.id} and {key.id})",
                                         path, line_of(key.id))
                mine, default = (key, other) if key.id in keymap else (other, key)
                raise AnnotatorError(f"{mine.id}: key {name!r} is already {default.id}'s by default; "
                                     f"give {default.id} another key too, or {mine.id} a different one",
                                     path, line_of(mine.id))


def effective_keys(keymap: dict[str, str] | None = None, keys: tuple[Key, ...] = KEYS) -> list[tuple[Key, str]]:
    """Every key definition with the keys in force (defaults overridden by the keymap)."""
    keymap = keymap or {}
    return [(k, keymap.get(k.id) or _normalize(k.keys)) for k in keys]


def key_name(keys: str) -> str:
    """The first key of a binding as a person types it: ``a``, ``tab``, ``⏎``, ``ctrl+z``."""
    from textual.keys import format_key

    first = keys.split(",")[0]
    *mods, key = first.split("+")
    return "+".join(mods + [format_key(key)])


def key_names(keymap: dict[str, str] | None, keys: tuple[Key, ...] = KEYS) -> dict[str, str]:
    """Each binding id's key as it is mapped now, for hints that name keys: ``"{mark} marks it"
    .format_map(key_names(keymap))`` says ``m``, or the key a key file gave ``mark``. Only the
    program's own wordings are templates: text from data is never formatted."""
    return {k.id: key_name(bound) for k, bound in effective_keys(keymap, keys)}


def textual_keymap(keymap: dict[str, str], keys: tuple[Key, ...] = KEYS) -> dict[str, str]:
    """The keymap to give Textual's ``set_keymap``: every binding of the screen with its keys in force.

    Textual takes a remapped key away from every other binding that has it, the other mode's
    too, and a remapped binding's old keys from every binding (``accept: w`` left the new-span
    cursor without `w`, ``label_picker: L`` without `l`). Naming every binding keeps each one
    exactly as :func:`effective_keys` (the help, the key bar) says.
    """
    return {**keymap, **{k.id: bound for k, bound in effective_keys(keymap, keys)}}


# --- the review screen (`annotator review`): its own ids, in the same key config file ----------

REVIEW_KEYS: tuple[Key, ...] = (
    Key("review_accept_unanimous", "A", "accept_unanimous", "Accept every unanimous row into the review layer"),
    *(Key(f"review_choose_{i}", str(i), f"choose({i})", f"Take annotator {i}'s version of the focused row")
      for i in range(1, 10)),
    Key("review_none", "0,x", "choose(0)", "Settle the focused row as 'nothing here'"),
    Key("review_edit", "e", "edit", "Edit: an entity's label, a stance's polarity, a claim's speaker"),
    Key("review_next", "j,down", "move(1)", "Next row", group="Move"),
    Key("review_prev", "k,up", "move(-1)", "Previous row", group="Move"),
    Key("review_next_open", "tab", "next_open", "Next open row", group="Move"),
    Key("review_undo", "u,ctrl+z", "undo", "Undo your last decision on this document", group="History"),
    Key("review_done", "d", "done", "Mark the document reviewed and open the next one left", group="Documents"),
    Key("review_next_left", "n", "left(1)", "Next document left to review", group="Documents"),
    Key("review_prev_left", "p", "left(-1)", "Previous document left to review", group="Documents"),
    Key("review_next_doc", "]", "doc(1)", "Next document in the queue (reviewed ones too)", group="Documents"),
    Key("review_prev_doc", "[", "doc(-1)", "Previous document in the queue", group="Documents"),
    Key("review_help", "?", "help", "Show every key", group="App"),
    Key("review_quit", "q", "quit", "Quit (everything is already saved)", group="App"),
)
KEY_IDS.update(k.id for k in REVIEW_KEYS)  # one key file holds both screens' ids


def review_bindings() -> list[Binding]:
    """Textual bindings for the review screen (remapped by id like the annotation screen's); those with
    a short name show in its footer."""
    short = {"review_accept_unanimous": "accept agreed", "review_edit": "edit", "review_undo": "undo",
             "review_done": "reviewed", "review_next_left": "next left", "review_help": "help", "review_quit": "quit"}
    return [Binding(_normalize(k.keys), k.action, short.get(k.id, k.id), show=k.id in short, id=k.id,
                    tooltip=k.description) for k in REVIEW_KEYS]
