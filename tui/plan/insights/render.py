"""Plain-text and Markdown renderings of the insights (pure functions returning str).

Markdown escapes plan text with the one escaper (``markdown.md_text``); plain text is
returned as it is and made safe on its way to a terminal by the caller
(``tui.safetext.visible``, as the CLI's ``emit`` does)."""

from __future__ import annotations

from .coverage import Cell, Coverage
from .sales import SalesReadiness
from .sla import SlaMath
from .stage import STAGES, StageAssessment
from .numbers import full as fmt_number  # every number in words people read: one formatter
from .numbers import amount, money
from .markdown import md_code, md_text


def cell_text(cell: Cell) -> str:
    """'10 + 7' (published + in progress); gaps marked: '0 + 0 EMPTY', '1 + 0 THIN'."""
    text = f"{len(cell.published)} + {len(cell.planned)}"
    return f"{text} {cell.status.upper()}" if cell.is_gap else text


def _table(rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return ["  ".join(v.ljust(w) for v, w in zip(r, widths)).rstrip() for r in rows]


# -- coverage ------------------------------------------------------------------------


def coverage_text(cov: Coverage, sales: SalesReadiness | None = None) -> str:
    lines = [f"Journey coverage: published + in progress per persona and stage "
             f"(a gap has fewer than {cov.min_items} items, or none published)", ""]
    if not cov.personas:
        lines.append("No personas in the plan: add personas to personas.toml to see coverage.")
    else:
        rows = [["persona", *cov.stages]]
        for pid, _ in cov.personas:
            rows.append([pid, *(cell_text(cov.cell(pid, s)) for s in cov.stages)])
        lines += _table(rows)
    lines.append("")
    if cov.gaps:
        lines.append(f"Gaps ({len(cov.gaps)}):")
        for c in cov.gaps:
            lines.append(f"  {c.persona} at {c.stage}: {c.status} ({c.reason})")
            if c.items:
                lines.append(f"    content: {', '.join(c.items)}")
            for q in c.questions:
                lines.append(f"    asks: {q}")
            for n in c.content_needs:
                lines.append(f"    needs: {n}")
    elif cov.personas:
        lines.append("No gaps: every persona has content at every stage.")
    if cov.tier1_without_play:
        lines += ["", f"Tier 1 accounts with no content play ({len(cov.tier1_without_play)}):"]
        lines += [f"  {i} ({n})" for i, n in cov.tier1_without_play]
    if cov.off_journey:
        lines += ["", f"Content at a stage the plan does not use: {', '.join(cov.off_journey)}"]
    if cov.no_persona:
        lines += ["", f"Content for no persona: {', '.join(cov.no_persona)}"]
    if sales is not None:
        lines += ["", *sales_text(sales)]
    return "\n".join(lines)


def sales_text(sales: SalesReadiness) -> list[str]:
    lines = []
    if sales.without_sales_use:
        lines.append(f"Published, but no word on how sales uses it ({len(sales.without_sales_use)}):")
        lines += [f"  {i}" for i, _ in sales.without_sales_use]
    else:
        lines.append("Every published item says how sales uses it.")
    if sales.personas_without_ready:
        lines.append(f"Personas with no sales-ready item at the {sales.decision_stage} stage: "
                     + ", ".join(i for i, _ in sales.personas_without_ready))
    return lines


def coverage_markdown(cov: Coverage, sales: SalesReadiness | None = None, heading: str = "##") -> str:
    lines = [f"{heading} Journey coverage", "",
             f"Published + in progress for each persona and stage. A gap has fewer than {cov.min_items} items "
             "or none published.", ""]
    if cov.personas:
        lines.append("| Persona | " + " | ".join(md_text(s) for s in cov.stages) + " |")
        lines.append("|---|" + "---|" * len(cov.stages))
        for pid, name in cov.personas:
            cells = []
            for s in cov.stages:
                c = cov.cell(pid, s)
                text = f"{len(c.published)} + {len(c.planned)}"
                cells.append(f"**{text} {c.status}**" if c.is_gap else text)
            lines.append(f"| {md_text(name)} ({md_code(pid)}) | " + " | ".join(cells) + " |")
    else:
        lines.append("No personas in the plan.")
    lines.append("")
    for c in cov.gaps:
        lines.append(f"- **{md_text(c.persona)} at {md_text(c.stage)}**: {c.status} ({md_text(c.reason)})"
                     + (f"; content: {', '.join(md_code(i) for i in c.items)}" if c.items else ""))
        for q in c.questions:
            lines.append(f"  - asks: {md_text(q)}")
        for n in c.content_needs:
            lines.append(f"  - needs: {md_text(n)}")
    if cov.tier1_without_play:
        lines.append("- **Tier 1 accounts with no content play:** "
                     + ", ".join(f"{md_text(n)} ({md_code(i)})" for i, n in cov.tier1_without_play))
    if sales is not None:
        if sales.without_sales_use:
            lines.append("- **Published without `sales_use`:** "
                         + ", ".join(md_code(i) for i, _ in sales.without_sales_use))
        if sales.personas_without_ready:
            lines.append(f"- **No sales-ready {sales.decision_stage} content for:** "
                         + ", ".join(md_code(i) for i, _ in sales.personas_without_ready))
    return "\n".join(lines).rstrip() + "\n"


# -- stage ---------------------------------------------------------------------------


def stage_text(a: StageAssessment) -> str:
    steps = " → ".join(f"[{s}]" if s == a.stage else s for s in STAGES)
    lines = [f"Alignment stage: {a.stage}", f"  {steps}", ""]
    for stage in STAGES[1:]:
        lines.append(f"{stage}:")
        for c in a.criteria:
            if c.stage == stage:
                lines.append(f"  {'✓' if c.met else '✗'} {c.title}" + (f": {c.detail}" if c.detail else ""))
    lines.append("")
    if a.next_stage:
        lines.append(f"Missing for {a.next_stage}:")
        lines += [f"  - {c.title}: {c.detail}" for c in a.missing]
    else:
        lines.append("The plan's evidence supports the last stage; keep it that way every quarter.")
    return "\n".join(lines)


# -- SLA -----------------------------------------------------------------------------


def sla_text(m: SlaMath) -> str:
    lines = ["SLA arithmetic"]
    if m.missing:
        lines += ["", *[f"  {f.message}" for f in m.findings if f.code == "sla.inputs"]]
    else:
        per = m.period
        n = fmt_number(m.periods, 2)
        lines += [
            "",
            f"  revenue target        {money(m.revenue_target, m.currency, short=False)}",
            f"  average deal size     {money(m.average_deal_size, m.currency, short=False)}",
            f"  deals needed          {m.deals:>6}   ({m.deals_per_period} per {per})",
            f"  SQLs needed           {m.sqls:>6}   at {fmt_number(m.sql_to_win_rate, 2)}% SQL-to-win "
            f"({m.sqls_per_period} per {per})",
            f"  MQLs needed           {m.mqls:>6}   at {fmt_number(m.mql_to_sql_rate, 2)}% MQL-to-SQL "
            f"({m.mqls_per_period} per {per})",
        ]
        if m.committed is not None:
            lines.append(f"  MQLs committed        {m.committed:>6}   ({m.commitment} per {per} × {n} {per}s)")
    if m.key_results:
        lines += ["", "Key results about MQLs and SQLs:"]
        for k in m.key_results:
            state = "" if k.ok is None else (" ✓" if k.ok else " ✗")
            tgt = "—" if k.target is None else amount(k.target, k.unit, m.currency, short=False)
            act = "—" if k.actual is None else amount(k.actual, k.unit, m.currency, short=False)
            exp = "" if k.expected is None else f" (plan needs {amount(k.expected, k.unit, m.currency, short=False)})"
            note = f" — {k.note}" if k.note else ""
            lines.append(f"  {k.id}: target {tgt}, actual {act}{exp}{state}{note}")
    warnings = [f for f in m.findings if f.severity == "warning"]
    lines.append("")
    if warnings:
        lines.append(f"Findings ({len(warnings)}):")
        lines += [f"  ! {f.message}" for f in warnings]
    elif not m.missing:
        lines.append("The MQL commitment and the key results add up to the revenue target.")
    return "\n".join(lines)
