"""``agreement --html``: the agreement report as one self-contained HTML page.

No scripts, no external assets: inline CSS and SVG only, so the file opens anywhere, offline,
and can be mailed around. Every string that came from data (annotator names, labels) goes
through :func:`html.escape`; numbers are formatted here. The page holds, per kind, a chart of
F1 / alpha / alpha_u per label, the figures table, and a confusion matrix of labels on matched
places for each pair of annotators; then the per-pair figures.
"""

from __future__ import annotations

from html import escape
from pathlib import Path
from typing import Iterable

from annotator.formats import outputs
from annotator.model import KINDS, STANCE
from annotator.teams.agreement import ALL, Figure, Report

SERIES = (("f1_exact", "F1 exact", "#4c72b0"), ("f1_overlap", "F1 overlap", "#8fb0de"),
          ("alpha", "alpha", "#dd8452"), ("alpha_u", "alpha_u", "#55a868"))

CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2em auto; max-width: 72em;
       color: #1d1d1f; padding: 0 1em; }
h1 { font-size: 1.5em; } h2 { font-size: 1.2em; margin-top: 2em; border-bottom: 1px solid #ccc; }
h3 { font-size: 1em; margin-top: 1.4em; }
table { border-collapse: collapse; margin: .6em 0; }
th, td { border: 1px solid #d0d0d0; padding: .2em .55em; text-align: right; }
th { background: #f2f2f2; } td.l, th.l { text-align: left; }
td.diag { font-weight: bold; outline: 2px solid #4c72b0; outline-offset: -2px; }
.legend span { display: inline-block; margin-right: 1.2em; }
.legend i { display: inline-block; width: .9em; height: .9em; margin-right: .3em; vertical-align: -.1em; }
.note { color: #555; font-size: .92em; }
svg text { font: 12px system-ui, sans-serif; fill: #1d1d1f; }
"""


def _num(x: float | None, pct: bool = False) -> str:
    if x is None:
        return "–"
    return f"{100 * x:.1f}%" if pct else f"{x:.3f}"


def chart(rows: list[Figure]) -> str:
    """A horizontal bar chart, one group of bars per label; a missing figure draws no bar."""
    values = [getattr(r, key) for r in rows for key, _, _ in SERIES if getattr(r, key) is not None]
    low = min([0.0] + values)
    low = -1.0 if low < -0.5 else (-0.5 if low < 0 else 0.0)
    label_w, plot_w, bar_h, gap = 150, 480, 9, 10
    group_h = bar_h * len(SERIES) + gap
    height = 30 + group_h * len(rows)
    x0 = label_w + (0 - low) / (1 - low) * plot_w

    def x(v: float) -> float:
        return label_w + (v - low) / (1 - low) * plot_w

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{label_w + plot_w + 60}" height="{height}" '
             f'role="img" aria-label="agreement per label">']
    for tick in [t / 4 for t in range(int(low * 4), 5)]:
        parts.append(f'<line x1="{x(tick):.1f}" y1="18" x2="{x(tick):.1f}" y2="{height}" stroke="#e3e3e3"/>'
                     f'<text x="{x(tick):.1f}" y="12" text-anchor="middle">{tick:g}</text>')
    parts.append(f'<line x1="{x0:.1f}" y1="18" x2="{x0:.1f}" y2="{height}" stroke="#888"/>')
    for n, row in enumerate(rows):
        top = 24 + n * group_h
        name = "every label" if row.label == ALL else row.label
        parts.append(f'<text x="{label_w - 8}" y="{top + group_h / 2:.1f}" text-anchor="end">'
                     f'{escape(name[:24])}</text>')
        for k, (key, title, colour) in enumerate(SERIES):
            v = getattr(row, key)
            if v is None:
                continue
            left, right = sorted((x0, x(v)))
            parts.append(f'<rect x="{left:.1f}" y="{top + k * bar_h:.1f}" width="{max(right - left, 0.5):.1f}" '
                         f'height="{bar_h - 1}" fill="{colour}"><title>{escape(name)}: {title} {v:.3f}</title></rect>')
    parts.append("</svg>")
    return "".join(parts)


def legend() -> str:
    return '<p class="legend">' + "".join(
        f'<span><i style="background:{c}"></i>{t}</span>' for _, t, c in SERIES) + "</p>"


def figures_table(rows: list[Figure]) -> str:
    head = ("<tr><th class=l>label</th><th>F1 exact</th><th>F1 overlap</th><th>observed</th><th>kappa</th>"
            "<th>alpha</th><th>alpha_u</th><th>docs</th><th>items</th><th>units</th><th>alpha_u units</th></tr>")
    body = []
    for r in rows:
        name = "* (every label)" if r.label == ALL else r.label
        body.append(f"<tr><td class=l>{escape(name)}</td><td>{_num(r.f1_exact)}</td><td>{_num(r.f1_overlap)}</td>"
                    f"<td>{_num(r.observed, True)}</td><td>{_num(r.kappa)}</td><td>{_num(r.alpha)}</td>"
                    f"<td>{_num(r.alpha_u) if r.kind != STANCE else ''}</td><td>{r.documents}</td>"
                    f"<td>{r.items or ''}</td><td>{r.units}</td>"
                    f"<td>{r.alpha_u_units if r.kind != STANCE else ''}</td></tr>")
    return f"<table>{head}{''.join(body)}</table>"


def confusion(first: str, second: str, cells: list[list]) -> str:
    """Rows: the first annotator's label; columns: the second's; on places both marked."""
    if not cells:
        return '<p class="note">No place marked by both.</p>'
    labels = sorted({c[0] for c in cells} | {c[1] for c in cells}, key=str)
    count = {(a, b): n for a, b, n in cells}
    top = max(count.values())
    head = (f"<tr><th class=l>{escape(first)} ↓ · {escape(second)} →</th>"
            + "".join(f"<th>{escape(str(b))}</th>" for b in labels) + "</tr>")
    body = []
    for a in labels:
        tds = []
        for b in labels:
            n = count.get((a, b), 0)
            shade = f' style="background: rgba(76,114,176,{0.08 + 0.6 * n / top:.2f})"' if n else ""
            cls = ' class="diag"' if a == b else ""
            tds.append(f"<td{cls}{shade}>{n or ''}</td>")
        body.append(f"<tr><th class=l>{escape(str(a))}</th>{''.join(tds)}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


def pairs_table(report: Report) -> str:
    kinds = [k for k in KINDS if any(k in p for p in report.pairs.values())]
    head = "<tr><th class=l>pair</th><th>docs</th>" + "".join(
        f"<th>{k} F1 exact</th><th>{k} observed</th><th>{k} kappa</th>" + (f"<th>{k} alpha_u</th>" if k != STANCE else "")
        for k in kinds) + "</tr>"
    body = []
    for entry in report.pairs.values():
        first, second = entry["annotators"]
        cells = [f"<td class=l>{escape(first)} · {escape(second)}</td><td>{entry['documents']}</td>"]
        for k in kinds:
            f = entry.get(k, {})
            cells.append(f"<td>{_num(f.get('f1_exact'))}</td><td>{_num(f.get('observed'), True)}</td>"
                         f"<td>{_num(f.get('kappa'))}</td>" + (f"<td>{_num(f.get('alpha_u'))}</td>" if k != STANCE else ""))
        body.append(f"<tr>{''.join(cells)}</tr>")
    return f"<table>{head}{''.join(body)}</table>"


EXPLAIN = """
<h2>What each figure answers</h2>
<ul class="note">
<li><b>F1 exact / overlap</b>: do two people mark the same things? Items with the same offsets (or overlapping
offsets) and the same label, 2·matches / (items of both), pooled over the pairs (matches and items summed, so each pair weighs by its items).</li>
<li><b>observed</b>: on the places both marked, how often the labels are the same (no chance correction).</li>
<li><b>kappa</b> (Cohen, two annotators) and <b>alpha</b> (Krippendorff, nominal, any number): the same
question corrected for the agreement expected by chance from how often each label is used. Near 0 with a high
observed agreement means one label dominates.</li>
<li><b>alpha_u</b> (Krippendorff's unitizing alpha): boundaries and presence together, over the whole text,
corrected for chance; one character off costs little, a missing unit costs its length squared.</li>
<li><b>units</b>: the matched places behind observed, kappa and alpha; <b>items</b>: the accepted items behind F1.</li>
</ul>
"""


def render(report: Report) -> str:
    """The whole page as a string."""
    names = ", ".join(report.annotators)
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>Agreement: {escape(names)}</title><style>{CSS}</style></head><body>",
           f"<h1>Agreement among {escape(names)}</h1>",
           f'<p>{report.documents} document(s) worked on by at least two of them.</p>']
    if len(report.annotators) > 2 and report.rows:
        u_docs = report.rows[0].alpha_u_documents
        out.append(f'<p class="note">With {len(report.annotators)} annotators, kappa (for two) is left out of the '
                   f'tables and alpha_u rests on the {u_docs} document(s) every one of them worked on; each '
                   'pair&#8217;s figures, on the documents it shares, are under '
                   '<a href="#pairs">Per pair of annotators</a>.</p>')
    if not report.rows:
        out.append("<p>No accepted items to compare.</p>")
    for kind in KINDS:
        rows = [r for r in report.rows if r.kind == kind]
        if not rows:
            continue
        out.append(f'<section id="kind-{kind}"><h2>{kind}</h2>')
        out.append(legend())
        out.append(chart(rows))
        extra = [r for r in (report.polarity if kind == STANCE else report.speakers if kind == "claim" else None,)
                 if r is not None]
        out.append(figures_table(rows + extra))
        for entry in report.pairs.values():
            first, second = entry["annotators"]
            cells = entry.get(kind, {}).get("confusion", [])
            title = "polarity" if kind == STANCE else "labels"
            out.append(f"<h3>Confusion matrix of {title}: {escape(first)} against {escape(second)}</h3>")
            out.append(confusion(first, second, cells))
        out.append("</section>")
    if report.pairs:
        out.append('<section id="pairs"><h2>Per pair of annotators</h2>')
        out.append(pairs_table(report))
        out.append("</section>")
    out.append(EXPLAIN)
    out.append("</body></html>")
    return "\n".join(out)


def check(path: str | Path, *, force: bool = False, protect: Iterable[str | Path] = ()) -> None:
    """Refuse an HTML target before any work, as every export does (:mod:`annotator.formats.outputs`): the
    database and its side files, a folder, a symbolic link, an SQLite file even with ``force``, an
    existing file without ``force``, a missing folder."""
    path = Path(path)
    outputs.check_target(path, folder=False, protect=protect)
    outputs.check_replace_file(path, force)
    outputs.check_parent(path)


def write(report: Report, path: str | Path, *, force: bool = False, protect: Iterable[str | Path] = ()) -> Path:
    """Write the page to ``path`` atomically (a hidden temporary file beside it first); an existing file
    is kept unless ``force``, and the database (``protect``) or any SQLite file never replaced."""
    path = Path(path)
    check(path, force=force, protect=protect)
    with outputs.atomic_file(path, force=force, protect=protect) as tmp:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(render(report))
    return path
