"""The quarterly review brief: goals and key results, journey coverage, alignment stage,
SLA arithmetic, problems, and what changed since the last quarter.

The brief is built once as a list of simple blocks (headings, paragraphs, lists,
tables) and rendered to Markdown (readable in a pull request) or to a self-contained,
printable HTML page.  Every piece of text from the plan is escaped by the renderer:
nothing a user wrote is interpreted as Markdown or HTML.

The change section takes plain data (``History`` holding a ``HistoryDiff``) that the
caller gathered from git, or a note that says why history is not available: this
module never reads git and never imports ``tui.history`` (the layers run one way).
"""

from __future__ import annotations

import datetime as _dt
import html
from dataclasses import dataclass, field

from ..model import Plan
from ..problems import Problem
from ..safetext import visible
from ._common import NOT_A_NUMBER, fmt_number, is_numeric, plan_data, show_number
from .markdown import md_code, md_text  # noqa: F401 - md_text: the one escaper, also from here
from .progress import kr_progress, kr_progress_note  # noqa: F401 - kr_progress: the one formula, also from here
from .coverage import coverage
from .glossary import glossary_problems
from .sla import sla_math
from .stage import STAGES, assess_stage

# -- blocks -----------------------------------------------------------------------------------
# Inline text is a list of pieces: a str (plain), or (style, str) with style "b" or "code".


@dataclass
class Heading:
    level: int
    text: list


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


def _inline(x) -> list:
    return x if isinstance(x, list) else [x]


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
        if isinstance(b, Heading):
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
    return "\n".join(out).rstrip() + "\n"


# -- HTML --------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1b1f24; max-width: 60rem;
       margin: 2rem auto; padding: 0 1.25rem; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem;
     border-bottom: 1px solid #d0d7de; padding-bottom: .2rem; } h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: .6rem 0 1rem; width: 100%; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; } td.r, th.r { text-align: right; white-space: nowrap; }
code { font: .9em ui-monospace, SFMono-Regular, Menlo, monospace; background: #f6f8fa; padding: 0 .2em; }
p.note { color: #57606a; } p.warn { border-left: 4px solid #d4a72c; padding-left: .6rem; }
ul { padding-left: 1.4rem; } li { margin: .15rem 0; }
@media print { body { margin: 0; max-width: none; font-size: 11pt; } h2 { break-after: avoid; }
               table, li { break-inside: avoid; } }
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


def _split_item(item):
    if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], list) and isinstance(item[0], list):
        return item
    return item, []


def to_html(blocks: list, title: str) -> str:
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{_html(title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>"]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{_html_inline(b.text)}</h{b.level}>")
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
            out.append("<table><thead><tr>" + "".join(f"<th{cls(i)}>{_html(h)}</th>"
                                                      for i, h in enumerate(b.header)) + "</tr></thead><tbody>")
            for row in b.rows:
                out.append("<tr>" + "".join(f"<td{cls(i)}>{_html_inline(c)}</td>" for i, c in enumerate(row)) + "</tr>")
            out.append("</tbody></table>")
    out += ["</body>", "</html>"]
    return "\n".join(out) + "\n"


# -- content ----------------------------------------------------------------------------------


def _percent(kr: dict) -> str:
    """The key result's progress as a percentage; "not a number" when a value cannot be
    computed with, "—" when one is missing."""
    x, note = kr_progress_note(kr)
    if x is None:
        return NOT_A_NUMBER if note == NOT_A_NUMBER else "—"
    try:
        return f"{round(x * 100)}%"
    except (OverflowError, ValueError):
        return NOT_A_NUMBER


def _num(v) -> str:
    return show_number(v) if is_numeric(v) else "—" if v is None else NOT_A_NUMBER


PROVENANCE_FIELDS = ("custom.carried_from",)


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
    """What changed since a quarter: a ``HistoryDiff``, or why there is none."""

    since: str
    diff: HistoryDiff | None = None
    unavailable: str = ""  # the reason, when there is no diff
    all_fields: bool = False  # list provenance (custom.carried_from) too, entity by entity


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list) -> str:
    """A small chart of a key result's check-in values, oldest first ("▁▃▅█"); "—" without any."""
    nums = [float(v) for v in values if is_numeric(v) and not isinstance(v, bool)]
    nums = [v for v in nums if v == v and abs(v) != float("inf")]
    if not nums:
        return "—"
    low, high = min(nums), max(nums)
    if high == low:
        return SPARKS[3] * len(nums)
    return "".join(SPARKS[min(7, int((v - low) / (high - low) * 7 + 0.5))] for v in nums)


def _goal_blocks(plan: Plan, today: _dt.date | None = None) -> list:
    from .pace import LABELS, TYPED, checkins_in, goal_status, kr_pace

    out: list = [Heading(2, ["Goals and key results"])]
    goals = plan.all("goal")
    if not goals:
        return out + [Para(["No goals in the plan."], "note")]
    krs = plan.all("key_result")
    for g in goals:
        d = g.data
        owners = ", ".join(map(str, d.get("owners") or [])) or "no owners"
        out.append(Heading(3, [str(d.get("title") or g.id), " ", ("code", g.id)]))
        paces = [kr_pace(plan, kr, today) for kr in krs if kr.parent_id == g.id]
        computed = goal_status([x.status for x in paces]) if paces else ""
        says = (f" (pace says {LABELS.get(computed, computed)})" if computed and computed != "unknown"
                and d.get("status") in TYPED and computed != d.get("status") else "")
        meta = [f"{d.get('team', '?')} goal · status {str(d.get('status', 'not set')).replace('_', ' ')}{says} · "
                f"owners {owners}"]
        if d.get("parent"):
            meta += [" · part of ", ("code", str(d["parent"]))]
        out.append(Para(meta, "note"))
        rows = []
        for kr in (k for k in krs if k.parent_id == g.id):
            k = kr.data
            unit = str(k.get("unit", ""))
            pace = kr_pace(plan, kr, today)
            rows.append([[str(k.get("title") or kr.own_id), " ", ("code", kr.own_id)], _num(k.get("baseline")),
                         _num(k.get("target")), _num(k.get("actual")), unit,
                         str(k.get("direction", "")), _percent(k), str(k.get("due", "") or "—"),
                         LABELS.get(pace.status, pace.status),
                         sparkline([c["value"] for c in checkins_in(k)])])
        if rows:
            out.append(Table(["Key result", "Baseline", "Target", "Actual", "Unit", "Direction", "Progress", "Due",
                              "Pace", "Check-ins"], rows, ["l", "r", "r", "r", "l", "l", "r", "l", "l", "l"]))
        else:
            out.append(Para(["No key results yet."], "note"))
    return out


def _coverage_blocks(plan: Plan) -> list:
    cov = coverage(plan)
    out: list = [Heading(2, ["Journey coverage"]),
                 Para([f"Published + in progress for each persona and stage; a gap has fewer than {cov.min_items} "
                       "items or none published."], "note")]
    if not cov.personas:
        return out + [Para(["No personas in the plan."], "note")]
    rows = []
    for pid, name in cov.personas:
        row = [[name, " ", ("code", pid)]]
        for s in cov.stages:
            c = cov.cell(pid, s)
            text = f"{len(c.published)} + {len(c.planned)}"
            row.append([("b", f"{text} {c.status}")] if c.is_gap else [text])
        rows.append(row)
    out.append(Table(["Persona", *cov.stages], rows, ["l"] + ["r"] * len(cov.stages)))
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


def _codes(ids: list[str]) -> list:
    out: list = []
    for i, x in enumerate(ids):
        if i:
            out.append(", ")
        out.append(("code", x))
    return out


def _stage_blocks(plan: Plan, quarter_tags: int | None) -> list:
    a = assess_stage(plan, quarter_tags)
    out: list = [Heading(2, ["Alignment stage: ", ("b", a.stage)]),
                 Para([" → ".join(s.upper() if s == a.stage else s for s in STAGES)], "note")]
    if a.next_stage:
        out.append(Para([f"Missing for {a.next_stage}:"]))
        out.append(Bullets([[("b", c.title), f": {c.detail}"] for c in a.missing]))
    else:
        out.append(Para(["The plan's evidence supports the last stage."]))
    return out


def _sla_blocks(plan: Plan) -> list:
    m = sla_math(plan)
    out: list = [Heading(2, ["SLA arithmetic"])]
    if m.missing:
        return out + [Para([f.message for f in m.findings if f.code == "sla.inputs"], "note")]
    rows = [["Deals needed", str(m.deals), str(m.deals_per_period)],
            [f"SQLs needed (at {fmt_number(m.sql_to_win_rate, 2)}% SQL-to-win)", str(m.sqls), str(m.sqls_per_period)],
            [f"MQLs needed (at {fmt_number(m.mql_to_sql_rate, 2)}% MQL-to-SQL)", str(m.mqls), str(m.mqls_per_period)]]
    if m.committed is not None:
        rows.append(["MQLs committed in the SLA", str(m.committed), str(m.commitment)])
    out.append(Table(["", "Quarter", f"Per {m.period}"], rows, ["l", "r", "r"]))
    out += [Para([f.message], "warn") for f in m.findings if f.severity == "warning"]
    return out


def _problem_blocks(problems: list[Problem]) -> list:
    errors = sum(p.severity == "error" for p in problems)
    out: list = [Heading(2, [f"Problems: {errors} error(s), {len(problems) - errors} warning(s)"])]
    if not problems:
        return out + [Para(["The plan is valid, with no warnings."], "note")]
    rows = []
    for p in problems:
        where = p.file + (f":{p.line}:{p.col}" if p.line else "")
        rows.append([p.severity, [("code", where)], [("code", p.code)], p.message])
    return out + [Table(["Severity", "Where", "Code", "Message"], rows)]


def _history_blocks(history: History | None, quarter: str) -> list:
    since = history.since if history else ""
    out: list = [Heading(2, [f"Changes since {since}" if since else "Changes since last quarter"])]
    if history is None or history.diff is None:
        reason = history.unavailable if history and history.unavailable else "history unavailable"
        return out + [Para([reason], "note")]
    diff = history.diff
    # provenance (custom.carried_from, set by a rollover) is metadata: folded away
    changes, marked_only = [], 0
    for c in diff.changes:
        kept = [f for f in c.fields if history.all_fields or not str(f).startswith(PROVENANCE_FIELDS)]
        if c.op == "changed" and c.fields and not kept:
            marked_only += 1
            continue
        changes.append(HistoryChange(c.op, c.kind, c.id, c.label, getattr(c, "old_id", None), kept)
                       if len(kept) != len(c.fields) else c)
    folded = list(getattr(diff, "folded", None) or [])
    diff = HistoryDiff(diff.old_label, diff.new_label, changes, list(getattr(diff, "notes", [])), folded)
    counts: dict[str, int] = {}
    for c in diff.changes:
        counts[c.op] = counts.get(c.op, 0) + 1
    out.append(Para([f"{diff.old_label} → {diff.new_label}: "
                     + (", ".join(f"{n} {op}" for op, n in counts.items()) or "no changes")], "note"))
    for note in getattr(diff, "notes", []):
        out.append(Para([note], "warn"))
    for line in folded:
        out.append(Para([line, " (", ("code", "custom.carried_from"), "; not listed one by one)"], "note"))
    if marked_only:
        out.append(Para([f"{marked_only} entities changed only their provenance mark (",
                         ("code", "custom.carried_from"), "); not listed"], "note"))
    items = []
    for c in diff.changes:
        head = [("b", c.op), " ", c.kind.replace("_", " "), " ", ("code", c.id)]
        if getattr(c, "old_id", None) and c.op == "renamed":
            head += [" (was ", ("code", c.old_id), ")"]
        if c.label and c.label != c.id:
            head.append(f" — {c.label}")
        subs = [[str(f)] for f in c.fields[:12]]
        if len(c.fields) > 12:
            subs.append([f"and {len(c.fields) - 12} more fields"])
        items.append((head, subs))
    if items:
        out.append(Bullets(items))
    return out


def report_blocks(plan: Plan, *, problems: list[Problem] | None = None, quarter_tags: int | None = None,
                  history: History | None = None, today: _dt.date | None = None) -> list:
    """The brief as blocks.  ``problems``: the validator's findings (computed here when
    None); ``history``: the diff since the last quarter, or why it is not available."""
    from ..validation import validate

    p = plan_data(plan)
    company = str(p.get("company") or "Plan")
    quarter = str(p.get("quarter") or "")
    if problems is None:
        problems = validate(plan)
    problems = sorted(dict.fromkeys([*problems, *glossary_problems(plan)]), key=Problem.sort_key)
    if today is None:
        from ..checkins import today as _today

        today = _today()
    lines = [x for x in (p.get("team"), f"{p.get('start')} to {p.get('end')}" if p.get("start") else None,
                         f"prepared {today.isoformat()}") if x]
    a = assess_stage(plan, quarter_tags)
    cov = coverage(plan)
    m = sla_math(plan)
    errors = sum(x.severity == "error" for x in problems)
    summary = [
        [("b", "Alignment stage"), f": {a.stage}"
         + (f" ({len(a.missing)} thing(s) missing for {a.next_stage})" if a.next_stage else "")],
        [("b", "Goals"), f": {len(plan.all('goal'))}, with {len(plan.all('key_result'))} key results"],
        [("b", "Coverage"), f": {len(cov.gaps)} gap(s) in {len(cov.cells)} persona-stage cells, "
                            f"{len(cov.tier1_without_play)} tier 1 account(s) without a content play"],
        [("b", "SLA"), ": " + (f"{m.shortfall} MQLs short of what the revenue target needs" if m.shortfall
                               else "numbers not all set" if m.missing else "the MQL commitment covers the target")],
        [("b", "Problems"), f": {errors} error(s), {len(problems) - errors} warning(s)"],
    ]
    blocks: list = [Heading(1, [f"Quarterly review: {company}" + (f", {quarter}" if quarter else "")]),
                    Para([" · ".join(map(str, lines))], "note"), Bullets(summary)]
    blocks += _goal_blocks(plan, today)
    blocks += _coverage_blocks(plan)
    blocks += _messaging_blocks(plan)
    blocks += _overdue_blocks(plan, today)
    blocks += _stage_blocks(plan, quarter_tags)
    blocks += _sla_blocks(plan)
    blocks += _problem_blocks(problems)
    blocks += _history_blocks(history, quarter)
    return blocks


def quarterly_report(plan: Plan, fmt: str = "markdown", **kwargs) -> str:
    """The brief as Markdown or as a self-contained HTML page (``fmt`` "html")."""
    blocks = report_blocks(plan, **kwargs)
    if fmt == "html":
        p = plan_data(plan)
        title = f"Quarterly review: {p.get('company') or 'Plan'} {p.get('quarter') or ''}".strip()
        return to_html(blocks, title)
    return to_markdown(blocks)
