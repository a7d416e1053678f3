"""The Overview: the quarter at a glance."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.plan.insights import numbers
from tui.plan.model import Plan
from tui.plan.problems import ERROR, WARNING, Problem

from ..detail import progress_line
from ..messages import EditRequested
from ..pacemarks import goal_pace_text, goal_statuses, kr_pace_text
from ..palette import DEFAULT, Palette, follow_theme, palette_of
from ..present import (
    as_date,
    bar,
    counts,
    fmt,
    plan_currency,
    quarter_clock,
    visible,
)

# -- overview ---------------------------------------------------------------------------------

SHORT_HEIGHT = 30  # below this many rows the key results come before the coverage map
# an overview, not the Goals view: a plan of 200 goals shows its first goals and says how
# many more there are (and a redraw stays a few milliseconds, not half a second)
GOAL_LIMIT = 12


def render_overview(plan: Plan, problems: list[Problem], today: dt.date, width: int, validated: bool = True,
                    pal: Palette = DEFAULT) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    data = plan.files["plan.toml"].data.get("plan", {}) if "plan.toml" in plan.files else {}
    company = visible(str(data.get("company", "")) or "(no company set)")
    team = visible(str(data.get("team", "")))
    text.append(company, style="bold")
    if team:
        text.append(f" · {team}")
    text.append("\n")
    clock, gone = quarter_clock(plan, today)
    text.append(f"Quarter {plan.quarter or '?'}", style="bold")
    text.append(f"   {fmt(data.get('start'))} → {fmt(data.get('end'))}\n")
    text.append(clock, style="bold")
    text.append(f"   today is {today.isoformat()}\n", style="dim")
    if gone is not None:
        filled, track = bar(gone, max(10, min(40, width - 20)))
        text.append(filled, style=pal.bar_info)
        text.append(track, style="dim")
        text.append(f" {gone * 100:3.0f}% of the quarter gone\n")
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = sum(1 for p in problems if p.severity == WARNING)
    text.append("\nProblems  ", style="bold")
    if not validated:
        text.append("checking the plan…\n", style="dim")
    else:
        text.append(f"{errors} error{'s' if errors != 1 else ''}", style=pal.bad if errors else pal.good)
        text.append(", ")
        text.append(f"{warnings} warning{'s' if warnings != 1 else ''}", style=pal.warn if warnings else pal.good)
        if errors or warnings:
            text.append("   (8 lists them)", style="dim")
        text.append("\n")
    target = data.get("revenue_target")
    if target is not None:
        text.append("Revenue target  ", style="bold")
        currency = plan_currency(plan)
        text.append(numbers.money(target, currency, short=False))
        deal = data.get("average_deal_size")
        if numbers.is_finite_number(deal) and deal and numbers.is_finite_number(target):
            text.append(f"  ≈ {numbers.full(round(target / deal))} deals of {numbers.money(deal, currency, short=False)}",
                        style="dim")
        text.append("\n")
    text.append("\nKey results\n", style="bold underline")
    wide = width >= 100
    title_width = max(20, width - 86) if wide else width - 4  # the words beside the bar get the room
    paces = goal_statuses(plan, today)
    by_goal: dict[str, list] = {}  # key results grouped once (not a pass over all of them per goal)
    for k in plan.all("key_result"):
        by_goal.setdefault(k.parent_id, []).append(k)
    goals = plan.all("goal")
    for goal in goals[:GOAL_LIMIT]:
        krs = by_goal.get(goal.id, [])
        text.append(f"{visible(goal.label)}", style="bold")
        text.append(f"  {fmt(goal.data.get('team'))} · {fmt(goal.data.get('status')) or 'no status'}", style="dim")
        if goal.id in paces and krs:
            text.append(" · ", style="dim")
            text.append_text(goal_pace_text(*paces[goal.id], pal=pal))
        text.append("\n")
        for kr in krs:
            title = visible(kr.label)
            if len(title) > title_width:
                title = title[: title_width - 1] + "…"
            if wide:
                text.append(f"  {title:<{title_width}} ")
            else:
                text.append(f"  {title}\n    ")
            expected, status, _words = kr_pace_text(plan, kr, today)
            text.append_text(progress_line(kr.data, 16, compact=True, currency=plan_currency(plan), pal=pal,
                                           pace=(expected, status)))
            text.append("\n")
        if not krs:
            text.append("  no key results yet\n", style="dim")
    if len(goals) > GOAL_LIMIT:
        rest = goals[GOAL_LIMIT:]
        n_krs = sum(len(by_goal.get(g.id, [])) for g in rest)
        text.append(f"  … and {len(rest)} more goal{'s' if len(rest) != 1 else ''} with {n_krs} key "
                    f"result{'s' if n_krs != 1 else ''} (2 lists every goal)\n", style="dim")
    _overdue(text, plan, today, width, pal=pal)
    text.append("\nIn this plan\n", style="bold underline")
    parts = [f"{name} {n}" for name, n in counts(plan)]
    line = ""
    for part in parts:
        if line and len(line) + len(part) + 3 > width - 2:
            text.append(line + "\n")
            line = ""
        line = f"{line} · {part}" if line else part
    if line:
        text.append(line + "\n")
    return text


def _overdue(text: Text, plan: Plan, today: dt.date, width: int, limit: int = 8,
             pal: Palette = DEFAULT) -> None:
    """Content past its publish date and not published (the core's ``content.overdue``)."""
    from tui.plan.rules_checkins import overdue_content

    items = sorted(overdue_content(plan, today), key=lambda c: as_date(c.data.get("publish_date")) or today)
    if not items:
        return
    text.append(f"\nOverdue content ({len(items)})\n", style="bold underline")
    for c in items[:limit]:
        day = as_date(c.data.get("publish_date"))
        late = (today - day).days if day else 0
        title = visible(c.label)
        room = max(12, width - 40)
        if len(title) > room:
            title = title[: room - 1] + "…"
        text.append(f"  {title}", style="")
        text.append(f"  due {fmt(day)}, {late} day{'s' if late != 1 else ''} late · {fmt(c.data.get('status'))}\n",
                    style=pal.warn)
    if len(items) > limit:
        text.append(f"  … and {len(items) - limit} more (5 lists the content)\n", style="dim")


class OverviewView(VerticalScroll, can_focus=True):
    ALLOW_MAXIMIZE = True
    MAXIMIZE_PANE = True
    BINDINGS = [
        Binding("e", "edit_plan", "Edit plan", id="overview.edit", tooltip="Edit the plan's settings "
                "(company, quarter, dates, stages, targets)"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._insights_for = None

    def compose(self) -> ComposeResult:
        from .insights import InsightsPanel

        yield Static(Text("Loading the plan…", style="dim"), id="overview-body")
        yield InsightsPanel()
        yield Static(Text(""), id="overview-rest")

    def redraw(self, resized: bool = False) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        if app.plan is None:
            return
        width = self.scrollable_content_region.width or 80
        text = render_overview(app.plan, app.problems, app.today, width, app.validated, palette_of(app))
        # the coverage map and the alignment stage sit between the quarter's summary and the key
        # results; on a short screen (80×24) after the key results, so one shows without scrolling
        short = (self.size.height or 40) < SHORT_HEIGHT
        cut = text.plain.find("\nIn this plan\n" if short else "\nKey results\n")
        head, rest = text.divide([cut]) if cut >= 0 else (text, Text(""))
        self.query_one("#overview-body", Static).update(head)
        self.query_one("#overview-rest", Static).update(rest)
        if not resized and self._insights_for is not app.plan:
            # coverage and stage depend on the plan only: work them out again when it changed
            from .insights import InsightsPanel

            self._insights_for = app.plan
            self.query_one(InsightsPanel).recompute()

    def on_mount(self) -> None:
        follow_theme(self, lambda: self.redraw(resized=True))

    def on_resize(self) -> None:
        self.redraw(resized=True)

    def action_edit_plan(self) -> None:
        self.post_message(EditRequested("plan", "plan"))  # the main screen opens the form
