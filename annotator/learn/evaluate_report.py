"""The evaluation report as text: tables per kind, rule and cue, and the errors with their sentences.

Every string from the data (document titles, spans, sentences) is made inert before it is
shown: control and format characters are escaped, line breaks shown as ⏎.
"""

from __future__ import annotations

import re
import unicodedata

from annotator.model import Span, Stance

SENTENCE_END = re.compile(r"[.!?][\"”’')]*\s+|\n")
MAX_SENTENCE = 320
TOP_CUES = 25


def inert(text: str) -> str:
    """Text safe to print in a terminal: line breaks as ⏎, other control/format characters escaped."""
    out = []
    for ch in text:
        if ch in "\r\n":
            out.append("⏎" if ch == "\n" else "")
        elif ch == "\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or sentences) holding text[start:end], cut to MAX_SENTENCE characters."""
    lo = 0
    for m in SENTENCE_END.finditer(text, 0, start):
        lo = m.end()
    m = SENTENCE_END.search(text, end)
    hi = m.end() if m else len(text)
    sent = text[lo:hi].strip()
    if len(sent) > MAX_SENTENCE:
        sent = sent[:MAX_SENTENCE - 1] + "…"
    return sent


def describe_error(o) -> dict:
    """A miss or a false positive as a JSON-ready dict (document, item text, speaker, cue, rule, sentence)."""
    text = o.doc.text
    value = o.value
    title = str(o.doc.meta.get("title") or o.doc.meta.get("source") or "")[:80]
    if isinstance(value, Stance):
        start, end = min(value.source.start, value.target.start), max(value.source.end, value.target.end)
        item = f"{text[value.source.start:value.source.end]} {value.polarity} {text[value.target.start:value.target.end]}"
        return {"document": title, "item": item, "rule": o.rule, "sentence": sentence_around(text, start, end)}
    assert isinstance(value, Span)
    entry = {"document": title, "item": text[value.start:value.end], "label": value.label, "rule": o.rule,
             "sentence": sentence_around(text, value.start, value.end)}
    if value.kind == "claim":
        sp = value.attrs.get("speaker")
        entry["speaker"] = text[sp["start"]:sp["end"]] if isinstance(sp, dict) else str(sp or "")
        entry["cue"] = str(value.attrs.get("cue") or "")
    return entry


def format_report(report: dict) -> str:
    lines = [f"documents: {report['documents']}" + (f" (layer {report['layer']})" if report.get("layer") else "")]
    if report.get("missing"):
        names = ", ".join(inert(str(m)) for m in report["missing"][:5])
        lines.append(f"not in the database: {len(report['missing'])} gold documents ({names})")
    if report.get("not_scored"):
        lines.append(f"not scored (none in the gold): {', '.join(report['not_scored'])}")
    lines.append(_row("kind", "P", "R", "F1", "tp", "fp", "fn"))
    for kind, r in report["kinds"].items():
        lines.append(_scores(kind, r))
        lines += [_scores(f"  {label}", lr) for label, lr in r["labels"].items()]
    if report.get("rules"):
        lines.append(f"{'rule':<34}{'suggested':>10}{'right':>7}{'P':>7}{'R':>7}{'F1':>7}")
        for rule, r in report["rules"].items():
            lines.append(f"{inert(rule)[:33]:<34}{r['suggested']:>10}{r['right']:>7}{r['precision']:>7.3f}"
                         f"{r['recall']:>7.3f}{r['f1']:>7.3f}")
    if report.get("cues"):
        cues = sorted(report["cues"].items(), key=lambda kv: -(kv[1]["tp"] + kv[1]["fn"]))
        lines.append(f"claim+speaker by cue (the {min(TOP_CUES, len(cues))} most frequent in the gold of {len(cues)})")
        lines.append(_row("cue", "P", "R", "F1", "tp", "fp", "fn"))
        lines += [_scores(f"  {inert(cue)[:20]}", r) for cue, r in cues[:TOP_CUES]]
    for kind, errs in (report.get("errors") or {}).items():
        for key, what in (("missed", "missed"), ("false", "false positives")):
            if errs[key]:
                lines.append(f"{kind} {what} ({len(errs[key])} of {errs[key + '_total']}):")
                lines += [_error_line(e) for e in errs[key]]
    return "\n".join(lines)


def _row(*cells) -> str:
    name, rest = cells[0], cells[1:]
    return f"{name:<24}" + "".join(f"{c:>7}" if i < 3 else f"{c:>6}" for i, c in enumerate(rest))


def _scores(name: str, r: dict) -> str:
    return f"{name:<24}{r['precision']:>7.3f}{r['recall']:>7.3f}{r['f1']:>7.3f}{r['tp']:>6}{r['fp']:>6}{r['fn']:>6}"


def _error_line(e: dict) -> str:
    who = ""
    if "speaker" in e:
        who = f"  [speaker: {inert(e['speaker'])}; cue: {inert(e['cue'])}]"
    rule = f"  ({inert(e['rule'])})" if e.get("rule") else ""
    return (f"  - {inert(e['document'])}: “{inert(e['item'])[:160]}”{who}{rule}\n"
            f"      in: {inert(e['sentence'])}")
