"""The quarterly review brief: goals and key results, journey coverage, alignment stage,
SLA arithmetic, problems, and what changed since the last quarter.

The numbers are computed once (``brief.build_brief``: progress, expected by today,
computed status, trends, coverage counts, ladder, funnel, grouped changes, all worded
by ``numbers``).  The brief is then laid out as a list of simple blocks (headings,
paragraphs, lists, tables, and ``Visual`` blocks for the pictures) and rendered to plain
text (a terminal), Markdown (readable in a pull request: text bars render on GitHub) or
a self-contained, printable HTML page with inline SVG charts (``charts``).  Every piece
of text from the plan is escaped by the renderer: nothing a user wrote is interpreted as
Markdown or HTML.

The change section and the previous quarters' finals take plain data (``History``
holding a ``HistoryDiff`` and ``QuarterFinal`` lists) that the caller gathered from git,
or a note that says why history is not available: this module never reads git and
never imports ``tui.history`` (the layers run one way).
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass, field

from ..model import Plan
from ..problems import Problem
from ..safetext import visible
from . import charts, numbers
from ._common import plan_data
from .brief import Brief, GoalView, QuarterFinal, build_brief, sparkline  # noqa: F401 - sparkline: also from here
from .glossary import glossary_problems
from .markdown import md_code, md_text  # noqa: F401 - md_text: the one escaper, also from here
from .progress import kr_progress, kr_progress_note  # noqa: F401 - kr_progress: the one formula, also from here
from .stage import STAGES

# -- blocks -----------------------------------------------------------------------------------
# Inline text is a list of pieces: a str (plain), or (style, str) with style "b" or "code".


@dataclass
class Heading:
    level: int
    text: list
    page: bool = False  # printed on a new page


@dataclass
class Para:
    text: list
    style: str = ""  # "" | "note" | "warn"


@dataclass
class Bullets:
    items: list  # each: inline text, or (inline text, [sub items as inline text])


@dataclass
class Table:
    header: list[str]
    rows: list[list]  # cells are inline text
    align: list[str] = field(default_factory=list)  # "l" or "r" per column
    cls: str = ""  # the HTML table's class


@dataclass
class Visual:
    """A picture: the HTML page draws ``kind`` from ``data`` (charts); Markdown and plain
    text show ``blocks`` instead (text bars, tables)."""

    kind: str  # goal | heatmap | ladder | funnel | changes
    data: object
    blocks: list = field(default_factory=list)


def _inline(x) -> list:
    return x if isinstance(x, list) else [x]


def _split_item(item):
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], list) and isinstance(item[0], list):
        return item
    return item, []


# -- Markdown ----------------------------------------------------------------------------------


def _md_inline(pieces) -> str:
    out = []
    for p in _inline(pieces):
        if isinstance(p, tuple):
            style, text = p
            out.append(md_code(text) if style == "code" else f"**{md_text(text)}**")
        else:
            out.append(md_text(p))
    return "".join(out)


def to_markdown(blocks: list) -> str:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Visual):
            out.append(to_markdown(b.blocks).rstrip("\n") + "\n" if b.blocks else "")
        elif isinstance(b, Heading):
            out += ["#" * b.level + " " + _md_inline(b.text), ""]
        elif isinstance(b, Para):
            prefix = {"note": "> ", "warn": "> ⚠️ "}.get(b.style, "")
            out += [prefix + _md_inline(b.text), ""]
        elif isinstance(b, Bullets):
            for item in b.items:
                text, subs = _split_item(item)
                out.append("- " + _md_inline(text))
                out += ["  - " + _md_inline(s) for s in subs]
            out.append("")
        elif isinstance(b, Table):
            align = b.align or ["l"] * len(b.header)
            out.append("| " + " | ".join(md_text(h) for h in b.header) + " |")
            out.append("|" + "|".join("---:" if a == "r" else "---" for a in align) + "|")
            for row in b.rows:
                out.append("| " + " | ".join(_md_inline(c) for c in row) + " |")
            out.append("")
    return "\n".join(x for x in out if x is not None).rstrip() + "\n"


# -- plain text ----------------------------------------------------------------------------------


def _plain(pieces) -> str:
    return "".join(p[1] if isinstance(p, tuple) else str(p) for p in _inline(pieces))


def to_text(blocks: list) -> str:
    """The brief for a terminal: headings underlined, tables in columns, text bars.
    Plan text is returned as written; the CLI makes it safe on its way out."""
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Visual):
            out.append(to_text(b.blocks).rstrip("\n"))
            out.append("")
        elif isinstance(b, Heading):
            text = _plain(b.text)
            out += [text, ("=" if b.level == 1 else "-" if b.level == 2 else "·") * min(78, len(text)), ""]
        elif isinstance(b, Para):
            prefix = {"warn": "! "}.get(b.style, "")
            out += [prefix + _plain(b.text), ""]
        elif isinstance(b, Bullets):
            for item in b.items:
                text, subs = _split_item(item)
                out.append("  - " + _plain(text))
                out += ["      " + _plain(s) for s in subs]
            out.append("")
        elif isinstance(b, Table):
            rows = [list(b.header)] + [[_plain(c) for c in r] for r in b.rows]
            widths = [max(len(r[i]) for r in rows) for i in range(len(b.header))]
            align = b.align or ["l"] * len(b.header)
            for r in rows:
                out.append("  " + "  ".join(v.rjust(w) if a == "r" else v.ljust(w)
                                             for v, w, a in zip(r, widths, align)).rstrip())
            out.append("")
    return "\n".join(out).rstrip() + "\n"


# -- HTML --------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); background: var(--bg);
       max-width: 60rem; margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 1px solid var(--line); padding-bottom: .2rem; } h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top;
         overflow-wrap: break-word; }
th { background: var(--panel); } td.r, th.r { text-align: right; white-space: nowrap; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; background: var(--panel); padding: 0 .2em;
       overflow-wrap: anywhere; }
p.note { color: var(--muted); } p.warn { border-left: 4px solid var(--at_risk); padding-left: .6rem; }
ul { padding-left: 1.4rem; } li { margin: .15rem 0; overflow-wrap: break-word; }
svg.chart { display: block; height: auto; max-width: 100%; }
svg.bar-chart { max-width: 34rem; } svg.trend-chart { max-width: 34rem; } svg.ladder-chart { max-width: 36rem; }
.kr { border: 1px solid var(--line); border-radius: 6px; padding: .5rem .75rem; margin: .6rem 0; }
.kr-head { display: flex; flex-wrap: wrap; gap: .2rem .6rem; align-items: baseline; }
.kr-head .status { font-weight: 600; margin-left: auto; }
.kr-charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(15rem, 1fr)); gap: .25rem 1rem;
             margin: .35rem 0; }
.kr p { margin: .15rem 0; overflow-wrap: break-word; }
.legend { color: var(--muted); font-size: .9em; }
.changes h3 { font-size: 1rem; margin: .9rem 0 .2rem; }
table.problems td:nth-child(2) { width: 12em; } table.problems td:nth-child(2) code { display: inline-block; }
@page { margin: 14mm 12mm; }
@media print {
  body { margin: 0; max-width: none; font-size: 10.5pt; padding: 0; }
  h2 { break-after: avoid; } h2.page { break-before: page; } h3 { break-after: avoid; }
  .kr, svg.chart, table, tr, li { break-inside: avoid; }
  .kr-charts { grid-template-columns: 1fr 1fr; }
}
"""


def _html(text) -> str:
    """Plan text in HTML: control characters made visible, then escaped (quotes too)."""
    return html.escape(visible(str(text)))


def _html_inline(pieces) -> str:
    out = []
    for p in _inline(pieces):
        if isinstance(p, tuple):
            style, text = p
            tag = "code" if style == "code" else "strong"
            out.append(f"<{tag}>{_html(text)}</{tag}>")
        else:
            out.append(_html(p))
    return "".join(out)


def _html_blocks(blocks: list, brief: Brief | None) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Visual):
            out += _html_visual(b, brief)
        elif isinstance(b, Heading):
            cls = ' class="page"' if b.page else ""
            out.append(f"<h{b.level}{cls}>{_html_inline(b.text)}</h{b.level}>")
        elif isinstance(b, Para):
            cls = f' class="{b.style}"' if b.style else ""
            out.append(f"<p{cls}>{_html_inline(b.text)}</p>")
        elif isinstance(b, Bullets):
            out.append("<ul>")
            for item in b.items:
                text, subs = _split_item(item)
                inner = "".join(f"<li>{_html_inline(s)}</li>" for s in subs)
                out.append(f"<li>{_html_inline(text)}" + (f"<ul>{inner}</ul>" if subs else "") + "</li>")
            out.append("</ul>")
        elif isinstance(b, Table):
            align = b.align or ["l"] * len(b.header)
            cls = lambda i: ' class="r"' if align[i] == "r" else ""  # noqa: E731
            tcls = f' class="{b.cls}"' if b.cls else ""
            out.append(f"<table{tcls}><thead><tr>" + "".join(f"<th{cls(i)}>{_html(h)}</th>"
                                                      for i, h in enumerate(b.header)) + "</tr></thead><tbody>")
            for row in b.rows:
                out.append("<tr>" + "".join(f"<td{cls(i)}>{_html_inline(c)}</td>" for i, c in enumerate(row)) + "</tr>")
            out.append("</tbody></table>")
    return out


def _html_visual(v: Visual, brief: Brief | None) -> list[str]:
    if v.kind == "goal":
        g: GoalView = v.data
        if not g.key_results:
            return _html_blocks(v.blocks, brief)
        out = []
        for k in g.key_results:
            meta = [k.words, k.expected_text + (f" ({k.expected_value})" if k.expected_value and
                                                k.direction != "maintain" else ""),
                    f"due {k.due}" if k.due else "", f"owner {k.owner}" if k.owner else ""]
            past = "; ".join(f"{f.quarter} ended at {numbers.amount(f.value, k.unit, k.currency)}"
                             for f in k.finals if f.value is not None)
            out.append(f'<div class="kr" data-kr="{_html(k.id)}">'
                       f'<div class="kr-head"><strong>{_html(k.title)}</strong> <code>{_html(k.own_id)}</code>'
                       f'<span class="status s-{_html(k.status)}">{_html(k.glyph)} {_html(k.status_text)}</span></div>'
                       f'<div class="kr-charts">{charts.progress_bar(k)}'
                       f'{charts.trend(k, brief.start if brief else "", brief.end if brief else "")}</div>'
                       f'<p>{_html(" · ".join(x for x in meta if x))}</p>'
                       + (f'<p class="legend">{_html(past)}</p>' if past else "") + "</div>")
        return out
    if v.kind == "legend":
        return ['<p class="legend">Bars: the share of the way from baseline to target, in the colour of the computed '
                "status (✓ done, ● on track, ▲ at risk, ✗ off track); the dark mark is where the key result should be "
                "by today. Trend: previous quarters' finals (dots), then this quarter's check-ins against the dashed "
                "target.</p>"]
    if v.kind == "heatmap":
        return [charts.heatmap(v.data)]
    if v.kind == "ladder":
        return [charts.ladder(v.data)] + _html_blocks(v.blocks[1:], brief)
    if v.kind == "funnel":
        f = v.data
        return ([charts.funnel(f)] if f.steps else []) + _html_blocks(v.blocks, brief)
    if v.kind == "changes":
        return _html_changes(v.data)
    return _html_blocks(v.blocks, brief)


SHORT_ITEMS = 8
SHORT_FIELDS = 3


def _html_changes(groups) -> list[str]:
    """The changes as a short grouped list: one heading per what happened and kind, a few
    entities each with a few field lines, the rest counted."""
    out = ['<div class="changes">']
    for g in groups:
        n = len(g.items)
        noun = g.noun if n != 1 else g.kind.replace("_", " ")
        out.append(f"<h3>{_html(g.op.capitalize())}: {n} {_html(noun)}</h3><ul>")
        for c in g.items[:SHORT_ITEMS]:
            head = f"<code>{_html(c.id)}</code>"
            if c.op == "renamed" and c.old_id:
                head += f" (was <code>{_html(c.old_id)}</code>)"
            if c.label and c.label != c.id:
                head += f" — {_html(c.label)}"
            fields = list(c.fields[:SHORT_FIELDS])
            if len(c.fields) > SHORT_FIELDS:
                fields.append(f"and {len(c.fields) - SHORT_FIELDS} more")
            out.append(f"<li>{head}" + (f": {_html('; '.join(map(str, fields)))}" if fields else "") + "</li>")
        if n > SHORT_ITEMS:
            out.append(f"<li>and {n - SHORT_ITEMS} more {_html(g.noun)}</li>")
        out.append("</ul>")
    out.append("</div>")
    return out


def to_html(blocks: list, title: str, brief: Brief | None = None) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           '<meta name="color-scheme" content="light dark">',
           f"<title>{_html(title)}</title>", f"<style>{charts.palette_css()}{_CSS}</style>", "</head>", "<body>"]
    out += _html_blocks(blocks, brief)
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# -- history, as plain data --------------------------------------------------------------------

PROVENANCE_FIELDS = ("custom.carried_from",)


@dataclass
class HistoryChange:
    """One entity that changed, as plain data: its op (added, removed, changed,
    renamed), kind, id, label, former id, and one line per changed field."""

    op: str
    kind: str
    id: str
    label: str = ""
    old_id: str | None = None
    fields: list[str] = field(default_factory=list)


@dataclass
class HistoryDiff:
    """What changed between two revisions, as plain data (the caller reads git)."""

    old_label: str
    new_label: str
    changes: list[HistoryChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    folded: list[str] = field(default_factory=list)  # provenance folded away: "34 entities carried from 2026-Q4"


@dataclass
class History:
    """What history tells the brief: the changes since a quarter (a ``HistoryDiff``, or
    why there is none) and each key result's finals in the previous quarters."""

    since: str
    diff: HistoryDiff | None = None
    unavailable: str = ""  # the reason, when there is no diff
    all_fields: bool = False  # list provenance (custom.carried_from) too, entity by entity
    finals: dict[str, list[QuarterFinal]] = field(default_factory=dict)  # GOAL/KR -> oldest first


# -- content ----------------------------------------------------------------------------------


def text_bar(kr, width: int = 12) -> str:
    """A key result's bar in text: filled to its progress, ┃ where it should be by today."""
    filled = round(kr.bar_share * width)
    cells = ["█"] * filled + ["░"] * (width - filled)
    if kr.expected_share is not None:
        cells[min(width - 1, max(0, int(kr.expected_share * width)))] = "┃"
    return "".join(cells)


def _goal_blocks(brief: Brief) -> list:
    from .pace import LABELS

    out: list = [Heading(2, ["Goals and key results"])]
    if not brief.goals:
        return out + [Para(["No goals in the plan."], "note")]
    counts = brief.status_counts()
    if counts:
        gone = f" ({numbers.percent(brief.elapsed)} of the quarter gone)" if brief.elapsed is not None else ""
        out.append(Para([", ".join(f"{n} {charts_word(s)}" for s, n in counts.items()) + gone], "note"))
    if brief.key_results:
        out.append(Visual("legend", None, [Para(["Progress: █ the share of the way from baseline to target, ┃ where it "
                                                 "should be by today; ✓ done, ● on track, ▲ at risk, ✗ off track."],
                                                "note")]))
    for g in brief.goals:
        owners = ", ".join(g.owners) or "no owners"
        out.append(Heading(3, [g.title, " ", ("code", g.id)]))
        says = (f" (pace says {LABELS.get(g.status, g.status)})" if g.disagrees else "")
        typed = g.typed.replace("_", " ") if g.typed else "not set"
        meta = [f"{g.team or '?'} goal · status {typed}{says} · owners {owners}"]
        if g.parent:
            meta += [" · part of ", ("code", g.parent)]
        out.append(Para(meta, "note"))
        rows = []
        for k in g.key_results:
            past = " · ".join(f"{f.quarter} {numbers.amount(f.value, k.unit, k.currency)}"
                              for f in k.finals if f.value is not None) or "—"
            rows.append([[k.title, " ", ("code", k.own_id)], [k.words],
                         [("code", text_bar(k)), f" {k.glyph} {k.progress_text}"],
                         [k.expected_text or "—"], [past], k.status_text, k.spark])
        fallback = ([Table(["Key result", "Where it stands", "Progress", "Expected by today", "Past quarters", "Pace",
                            "Check-ins"], rows, ["l", "l", "l", "l", "l", "l", "l"])] if rows
                    else [Para(["No key results yet."], "note")])
        out.append(Visual("goal", g, fallback))
    return out


def charts_word(status: str) -> str:
    from .brief import STATUS_WORDS

    return STATUS_WORDS.get(status, status)


def _coverage_blocks(plan: Plan, brief: Brief) -> list:
    from .coverage import coverage

    cov = coverage(plan)
    hm = brief.heatmap
    out: list = [Heading(2, ["Journey coverage"], page=True),
                 Para([f"Published + in progress for each persona and stage; a gap has fewer than {hm.min_items} "
                       "items or none published."], "note")]
    if not hm.rows:
        return out + [Para(["No personas in the plan."], "note")]
    rows = []
    for pid, name, cells in hm.rows:
        row = [[name, " ", ("code", pid)]]
        for c in cells:
            row.append([("b", c.label)] if c.status != "ok" else [c.label])
        rows.append(row)
    out.append(Visual("heatmap", hm, [Table(["Persona", *hm.stages], rows, ["l"] + ["r"] * len(hm.stages))]))
    items = []
    for c in cov.gaps:
        subs = [[f"asks: {q}"] for q in c.questions] + [[f"needs: {n}"] for n in c.content_needs]
        items.append(([("b", f"{c.persona} at {c.stage}"), f": {c.status} ({c.reason})"], subs))
    for aid, name in cov.tier1_without_play:
        items.append(([("b", "Tier 1 account without a content play"), ": ", name, " ", ("code", aid)], []))
    from .sales import sales_readiness

    sales = sales_readiness(plan)
    if sales.without_sales_use:
        items.append(([("b", "Published without a word on how sales uses it"), ": "]
                      + _codes([i for i, _ in sales.without_sales_use]), []))
    if sales.personas_without_ready:
        items.append(([("b", f"No sales-ready {sales.decision_stage} content for"), ": "]
                      + _codes([i for i, _ in sales.personas_without_ready]), []))
    if items:
        out.append(Bullets(items))
    return out


def _messaging_blocks(plan: Plan) -> list:
    from .messaging import message_coverage, report_lines

    mc = message_coverage(plan)
    if not mc.present:
        return []
    covered = len(mc.cells) - len(mc.gaps)
    out: list = [Heading(2, ["Messaging"]),
                 Para([f"{covered} of {len(mc.cells)} persona-stage cells have an approved message "
                       f"({mc.counts.get('approved', 0)} approved in all)."], "note")]
    found = report_lines(mc)
    return out + ([Bullets([[("b", label), ": "] + _codes(ids) for label, ids in found])] if found else [])


def _overdue_blocks(plan: Plan, today: _dt.date | None) -> list:
    from ..rules_checkins import overdue_content

    items = overdue_content(plan, today)
    if not items:
        return []
    rows = [[[str(c.data.get("title") or c.id), " ", ("code", c.id)], str(c.data.get("publish_date")),
             str(c.data.get("status", "—")), str(c.data.get("owner", "—"))] for c in items]
    return [Heading(2, ["Content past its publish date"]),
            Para([f"{len(items)} item(s) were due to be published and are not: publish them or give them new dates."],
                 "warn"),
            Table(["Content", "Publish date", "Status", "Owner"], rows, ["l", "l", "l", "l"])]


def _codes(ids: list[str]) -> list:
    out: list = []
    for i, x in enumerate(ids):
        if i:
            out.append(", ")
        out.append(("code", x))
    return out


def _stage_blocks(brief: Brief) -> list:
    nxt = next((s for s in brief.ladder if not s.reached), None)
    steps = Para([" → ".join(s.upper() if s == brief.stage else s for s in STAGES)], "note")
    body: list = [steps]
    if nxt is not None:
        body.append(Para([f"Missing for {nxt.name}:"]))
        body.append(Bullets([[("b", title), f": {detail}"] for title, detail in nxt.missing]))
    else:
        body.append(Para(["The plan's evidence supports the last stage."]))
    return [Heading(2, ["Alignment stage: ", ("b", brief.stage)]), Visual("ladder", brief.ladder, body)]


def _sla_blocks(brief: Brief) -> list:
    f = brief.funnel
    out: list = [Heading(2, ["SLA arithmetic"])]
    if f.missing:
        return out + [Para(list(f.missing) or ["SLA numbers not set."], "note")]
    rows = []
    for s in f.steps:
        rows.append([[("b", s.name)], s.needed_text, s.note, s.committed_text or "—",
                     ("✗ " + s.short_text) if s.short_text else ("✓ covered" if s.committed is not None else "—")])
    body = [Table(["", "Needed", "How", "Committed", "Gap"], rows, ["l", "r", "l", "l", "l"])]
    body += [Para([w], "warn") for w in f.warnings]
    out.append(Visual("funnel", f, body))
    return out


def _problem_blocks(problems: list[Problem]) -> list:
    errors = sum(p.severity == "error" for p in problems)
    out: list = [Heading(2, [f"Problems: {errors} error(s), {len(problems) - errors} warning(s)"], page=bool(problems))]
    if not problems:
        return out + [Para(["The plan is valid, with no warnings."], "note")]
    rows = []
    for p in problems:
        where = p.file + (f":{p.line}:{p.col}" if p.line else "")
        rows.append([p.severity, [("code", where), " ", ("code", p.code)], p.message])
    return out + [Table(["Severity", "Where", "Message"], rows, cls="problems")]


def _kept_changes(history: History | None):
    """The diff with provenance folded away (unless ``all_fields``): (diff, entities that
    changed only their provenance mark), or (None, 0) without history."""
    if history is None or history.diff is None:
        return None, 0
    diff = history.diff
    changes, marked_only = [], 0
    for c in diff.changes:
        kept = [f for f in c.fields if history.all_fields or not str(f).startswith(PROVENANCE_FIELDS)]
        if c.op == "changed" and c.fields and not kept:
            marked_only += 1
            continue
        changes.append(HistoryChange(c.op, c.kind, c.id, c.label, getattr(c, "old_id", None), kept)
                       if len(kept) != len(c.fields) else c)
    return (HistoryDiff(diff.old_label, diff.new_label, changes, list(getattr(diff, "notes", None) or []),
                        list(getattr(diff, "folded", None) or [])), marked_only)


def _history_blocks(history: History | None, brief: Brief) -> list:
    since = history.since if history else ""
    out: list = [Heading(2, [f"Changes since {since}" if since else "Changes since last quarter"])]
    diff, marked_only = _kept_changes(history)
    if diff is None:
        reason = history.unavailable if history and history.unavailable else "history unavailable"
        return out + [Para([reason], "note")]
    counts: dict[str, int] = {}
    for c in diff.changes:
        counts[c.op] = counts.get(c.op, 0) + 1
    out.append(Para([f"{diff.old_label} → {diff.new_label}: "
                     + (", ".join(f"{n} {op}" for op, n in counts.items()) or "no changes")], "note"))
    for note in diff.notes:
        out.append(Para([note], "warn"))
    for line in diff.folded:
        out.append(Para([line, " (", ("code", "custom.carried_from"), "; not listed one by one)"], "note"))
    if marked_only:
        out.append(Para([f"{marked_only} entities changed only their provenance mark (",
                         ("code", "custom.carried_from"), "); not listed"], "note"))
    groups = brief.changes or []
    if not groups:
        return out
    full: list = []
    for g in groups:
        n = len(g.items)
        full.append(Para([("b", f"{g.op.capitalize()}: {n} {g.noun if n != 1 else g.kind.replace('_', ' ')}")]))
        items = []
        for c in g.items:
            head = [("b", c.op), " ", c.kind.replace("_", " "), " ", ("code", c.id)]
            if getattr(c, "old_id", None) and c.op == "renamed":
                head += [" (was ", ("code", c.old_id), ")"]
            if c.label and c.label != c.id:
                head.append(f" — {c.label}")
            subs = [[str(f)] for f in c.fields[:12]]
            if len(c.fields) > 12:
                subs.append([f"and {len(c.fields) - 12} more fields"])
            items.append((head, subs))
        full.append(Bullets(items))
    out.append(Visual("changes", groups, full))
    return out


def brief_of(plan: Plan, *, quarter_tags: int | None = None, history: History | None = None,
             today: _dt.date | None = None) -> Brief:
    """The brief's numbers (``brief.build_brief``) with what ``history`` brings."""
    diff, _ = _kept_changes(history)
    return build_brief(plan, quarter_tags=quarter_tags, today=today, finals=history.finals if history else None,
                       changes=diff.changes if diff is not None else None,
                       changes_note=(history.unavailable if history else "history unavailable"))


def report_blocks(plan: Plan, *, problems: list[Problem] | None = None, quarter_tags: int | None = None,
                  history: History | None = None, today: _dt.date | None = None,
                  brief: Brief | None = None) -> list:
    """The brief as blocks.  ``problems``: the validator's findings (computed here when
    None); ``history``: the diff since the last quarter and the previous quarters'
    finals, or why they are not available; ``brief``: the numbers, when already built."""
    from ..validation import validate

    if today is None:
        from ..checkins import today as _today

        today = _today()
    if brief is None:
        brief = brief_of(plan, quarter_tags=quarter_tags, history=history, today=today)
    if problems is None:
        problems = validate(plan)
    problems = sorted(dict.fromkeys([*problems, *glossary_problems(plan)]), key=Problem.sort_key)
    p = plan_data(plan)
    lines = [x for x in (p.get("team"), f"{p.get('start')} to {p.get('end')}" if p.get("start") else None,
                         f"prepared {today.isoformat()}") if x]
    nxt = next((s for s in brief.ladder if not s.reached), None)
    f = brief.funnel
    short = next((s.short_text for s in f.steps if s.name == "MQLs" and s.short_text), "")
    errors = sum(x.severity == "error" for x in problems)
    counts = brief.status_counts()
    hm = brief.heatmap
    cells = sum(len(c) for _, _, c in hm.rows)
    from .coverage import coverage

    tier1 = len(coverage(plan).tier1_without_play)
    summary = [
        [("b", "Alignment stage"), f": {brief.stage}"
         + (f" ({len(nxt.missing)} thing(s) missing for {nxt.name})" if nxt is not None else "")],
        [("b", "Goals"), f": {len(brief.goals)}, with {len(brief.key_results)} key results"
         + (": " + ", ".join(f"{n} {charts_word(s)}" for s, n in counts.items()) if counts else "")],
        [("b", "Coverage"), f": {hm.gaps} gap(s) in {cells} persona-stage cells, "
                            f"{tier1} tier 1 account(s) without a content play"],
        [("b", "SLA"), ": " + (f"{short.replace(' short', '')} MQLs short of what the revenue target needs" if short
                               else "numbers not all set" if f.missing else "the MQL commitment covers the target")],
        [("b", "Problems"), f": {errors} error(s), {len(problems) - errors} warning(s)"],
    ]
    blocks: list = [Heading(1, [brief.title]), Para([" · ".join(map(str, lines))], "note"), Bullets(summary)]
    blocks += _goal_blocks(brief)
    blocks += _coverage_blocks(plan, brief)
    blocks += _messaging_blocks(plan)
    blocks += _overdue_blocks(plan, today)
    blocks += _stage_blocks(brief)
    blocks += _sla_blocks(brief)
    blocks += _problem_blocks(problems)
    blocks += _history_blocks(history, brief)
    return blocks


FORMATS = ("text", "markdown", "html")


def quarterly_report(plan: Plan, fmt: str = "markdown", **kwargs) -> str:
    """The brief as plain text (``fmt`` "text"), Markdown, or a self-contained HTML page
    with inline SVG charts (``fmt`` "html")."""
    today = kwargs.pop("today", None)
    if today is None:
        from ..checkins import today as _today

        today = _today()
    brief = brief_of(plan, quarter_tags=kwargs.get("quarter_tags"), history=kwargs.get("history"), today=today)
    blocks = report_blocks(plan, today=today, brief=brief, **kwargs)
    if fmt == "html":
        return to_html(blocks, brief.title, brief)
    if fmt == "text":
        return to_text(blocks)
    return to_markdown(blocks)
