"""The quarterly brief as numbers: one computation that every rendering shares.

``build_brief(plan, ...)`` gathers what the quarterly review shows — each key result's
progress, expected-by-today and computed status, its check-ins and the previous
quarters' finals, the persona × stage coverage counts, the alignment ladder, the SLA
funnel and the changes since the last quarter — into small dataclasses of plain values,
with every number already worded for people by ``tui.plan.insights.numbers``.

The text, Markdown and HTML briefs (``report.py``) draw from one ``Brief``; the TUI's
Overview can draw from the same one.  Nothing here renders, reads git or imports
``tui.history``: what comes from history (the previous quarters' finals, the diff) is
passed in as plain data by the caller.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

from ..model import Plan, as_date
from . import numbers
from ._common import plan_data

# The statuses a key result can have, worst first, with the word and the glyph that say
# it without colour.
STATUS_WORDS = {"off_track": "off track", "at_risk": "at risk", "unknown": "unknown", "not_started": "not started",
                "on_track": "on track", "done": "done"}
STATUS_GLYPHS = {"off_track": "✗", "at_risk": "▲", "unknown": "?", "not_started": "○", "on_track": "●", "done": "✓"}


@dataclass
class QuarterFinal:
    """Where a key result ended a previous quarter (from that quarter's tag)."""

    quarter: str
    value: float | None
    target: float | None = None
    baseline: float | None = None
    direction: str = "increase"

    @property
    def progress(self) -> float | None:
        from .progress import kr_progress

        return kr_progress({"baseline": self.baseline, "target": self.target, "actual": self.value,
                            "direction": self.direction})


@dataclass
class KrView:
    id: str  # GOAL/KR
    own_id: str
    title: str
    owner: str
    unit: str
    direction: str
    words: str  # where it stands, direction respected ("$2.15M of $3M")
    progress: float | None  # kr_progress: share of the way from baseline to target
    progress_text: str  # "64%", "target reached", "moved the wrong way", "not a number", "—"
    expected_share: float | None  # expected share of the way by today
    expected_text: str  # "expected 70% by today" ("" when unknown)
    expected_value: str  # the expected value in the unit ("$2.73M")
    status: str  # computed: on_track, at_risk, ...
    status_text: str  # "on track"
    glyph: str
    due: str
    checkins: list[tuple[str, float]] = field(default_factory=list)  # (date, value), oldest first, finite only
    finals: list[QuarterFinal] = field(default_factory=list)  # previous quarters, oldest first
    baseline: float | None = None
    target: float | None = None
    actual: float | None = None
    spark: str = "—"  # a text sparkline of the check-ins
    currency: str = ""  # the plan's, for wording its values

    @property
    def bar_share(self) -> float:
        """The bar's filled share, 0..1 (past the target is a full bar)."""
        p = self.progress
        return 0.0 if p is None or p < 0 else min(1.0, p)


@dataclass
class GoalView:
    id: str
    title: str
    team: str
    owners: list[str]
    typed: str  # the goal's status as written
    status: str  # computed: the worst of its key results
    parent: str = ""
    key_results: list[KrView] = field(default_factory=list)

    @property
    def disagrees(self) -> bool:
        from .pace import TYPED

        return bool(self.key_results) and self.typed in TYPED and self.status not in ("unknown",) \
            and self.typed != self.status


@dataclass
class HeatCell:
    persona: str
    stage: str
    published: int
    planned: int
    status: str  # ok | thin | empty
    label: str  # "3 + 1", "0 + 0 empty"


@dataclass
class Heatmap:
    stages: list[str]
    rows: list[tuple[str, str, list[HeatCell]]]  # (persona id, name, cells in stage order)
    min_items: int
    gaps: int


@dataclass
class LadderStep:
    name: str
    reached: bool
    current: bool
    missing: list[tuple[str, str]] = field(default_factory=list)  # (title, detail) still missing for this step


@dataclass
class FunnelStep:
    name: str  # Revenue, Deals, SQLs, MQLs
    needed: float
    needed_text: str
    committed: float | None = None
    committed_text: str = ""
    note: str = ""  # "at 25% SQL-to-win"
    short_text: str = ""  # "127 short" when the commitment is below what is needed


@dataclass
class Funnel:
    steps: list[FunnelStep]
    period: str = "month"
    missing: list[str] = field(default_factory=list)  # why there are no numbers
    warnings: list[str] = field(default_factory=list)


@dataclass
class ChangeGroup:
    op: str  # added, changed, removed, renamed
    kind: str
    noun: str  # "key results"
    items: list = field(default_factory=list)  # HistoryChange


@dataclass
class Brief:
    company: str
    quarter: str
    team: str
    start: str
    end: str
    today: str
    currency: str
    elapsed: float | None  # share of the quarter gone
    goals: list[GoalView]
    heatmap: Heatmap
    ladder: list[LadderStep]
    stage: str
    funnel: Funnel
    changes: list[ChangeGroup] | None = None  # None: history unavailable
    changes_note: str = ""  # why unavailable, or "2026-Q3 → working tree: 3 changed"

    @property
    def title(self) -> str:
        return f"Quarterly review: {self.company}" + (f", {self.quarter}" if self.quarter else "")

    @property
    def key_results(self) -> list[KrView]:
        return [k for g in self.goals for k in g.key_results]

    def status_counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for k in self.key_results:
            out[k.status] = out.get(k.status, 0) + 1
        return {s: out[s] for s in STATUS_WORDS if s in out}


SPARKS = "▁▂▃▄▅▆▇█"


def sparkline(values: list) -> str:
    """A small chart of a key result's check-in values, oldest first ("▁▃▅█"); "—" without any."""
    nums = [float(v) for v in values if numbers.is_finite_number(v)]
    if not nums:
        return "—"
    low, high = min(nums), max(nums)
    if high == low:
        return SPARKS[3] * len(nums)
    return "".join(SPARKS[min(7, int((v - low) / (high - low) * 7 + 0.5))] for v in nums)


def readable(v: float | None) -> float | None:
    """A computed value rounded as people read it: whole from 100 on, one decimal from 10,
    two below (146.15 -> 146, 21.56 -> 21.6, 2.264 -> 2.26)."""
    if v is None or not numbers.is_finite_number(v):
        return v
    digits = 0 if abs(v) >= 100 else 1 if abs(v) >= 10 else 2
    r = round(float(v), digits)
    return int(r) if digits == 0 else r


def _finite(v) -> float | None:
    return float(v) if numbers.is_finite_number(v) else None


def kr_view(plan: Plan, kr, today: _dt.date, currency: str = "", finals: list[QuarterFinal] | None = None) -> KrView:
    from .pace import checkins_in, kr_pace
    from .progress import kr_progress_note
    d = kr.data
    pace = kr_pace(plan, kr, today)
    progress, note = kr_progress_note(kr)
    unit = str(d.get("unit") or "")
    direction = str(d.get("direction") or "increase")
    text = numbers.NOT_A_NUMBER if note == numbers.NOT_A_NUMBER else numbers.progress_words(progress)
    share = pace.expected_share
    if direction == "maintain":
        expected_text = f"expected on target ({numbers.amount(pace.target, unit, currency)})" \
            if pace.target is not None else ""
    elif share is not None and pace.expected is not None:
        expected_text = f"expected {numbers.percent(share)} by today"
    else:
        expected_text = ""
    cis = checkins_in(d)
    points = [(c["date"], float(c["value"])) for c in cis if c["date"] and numbers.is_finite_number(c["value"])]
    return KrView(kr.id, kr.own_id, str(d.get("title") or kr.own_id), str(d.get("owner") or ""), unit, direction,
                  numbers.kr_words(d, currency), progress, text, share, expected_text,
                  numbers.amount(readable(pace.expected), unit, currency) if pace.expected is not None else "",
                  pace.status, STATUS_WORDS.get(pace.status, pace.status), STATUS_GLYPHS.get(pace.status, "?"),
                  str(as_date(d.get("due")) or d.get("due") or ""), points, list(finals or []),
                  _finite(d.get("baseline")), _finite(d.get("target")), _finite(d.get("actual")),
                  sparkline([c["value"] for c in cis]), currency)


def _heatmap(plan: Plan) -> Heatmap:
    from .coverage import coverage

    cov = coverage(plan)
    rows = []
    for pid, name in cov.personas:
        cells = []
        for s in cov.stages:
            c = cov.cell(pid, s)
            label = f"{len(c.published)} + {len(c.planned)}" + (f" {c.status}" if c.is_gap else "")
            cells.append(HeatCell(pid, s, len(c.published), len(c.planned), c.status, label))
        rows.append((pid, str(name), cells))
    return Heatmap(list(cov.stages), rows, cov.min_items, len(cov.gaps))


def _ladder(plan: Plan, quarter_tags: int | None) -> tuple[str, list[LadderStep]]:
    from .stage import STAGES, assess_stage

    a = assess_stage(plan, quarter_tags)
    at = STAGES.index(a.stage) if a.stage in STAGES else 0
    steps = []
    for i, name in enumerate(STAGES):
        missing = [(c.title, c.detail) for c in a.criteria if c.stage == name and not c.met]
        steps.append(LadderStep(name, i <= at, i == at, missing))
    return a.stage, steps


def _funnel(plan: Plan, currency: str) -> Funnel:
    from .sla import sla_math

    m = sla_math(plan)
    warnings = [f.message for f in m.findings if f.severity == "warning"]
    if m.missing:
        return Funnel([], m.period, [f.message for f in m.findings if f.code == "sla.inputs"], warnings)
    committed = {k.measures: k.target for k in m.key_results if k.measures in ("mqls", "sqls") and k.target is not None}
    steps = [FunnelStep("Revenue", float(m.revenue_target), numbers.money(m.revenue_target, currency),
                        note=f"deals of {numbers.money(m.average_deal_size, currency)} on average"),
             FunnelStep("Deals", m.deals, numbers.full(m.deals), note=f"{numbers.full(m.deals_per_period)} per {m.period}"),
             FunnelStep("SQLs", m.sqls, numbers.full(m.sqls),
                        note=f"at {numbers.full(m.sql_to_win_rate)}% SQL-to-win"),
             FunnelStep("MQLs", m.mqls, numbers.full(m.mqls),
                        note=f"at {numbers.full(m.mql_to_sql_rate)}% MQL-to-SQL")]
    if committed.get("sqls") is not None:
        steps[2].committed = float(committed["sqls"])
        steps[2].committed_text = f"{numbers.full(committed['sqls'])} in a key result"
    if m.committed is not None:
        steps[3].committed = float(m.committed)
        steps[3].committed_text = (f"{numbers.full(m.committed)} committed "
                                   f"({numbers.full(m.commitment)} per {m.period})")
    for s in steps:
        if s.committed is not None and s.committed < s.needed:
            s.short_text = f"{numbers.full(s.needed - s.committed)} short"
    return Funnel(steps, m.period, [], warnings)


def _plural(kind: str) -> str:
    from ..registry import KINDS

    k = KINDS.get(kind)
    if k is None:
        return kind.replace("_", " ")
    if k.singleton:
        return k.title.lower()
    plural = k.plural.lower()
    return plural if plural.endswith("s") else k.title.lower() + "s"


OPS = ("added", "changed", "renamed", "removed")


def group_changes(changes: list) -> list[ChangeGroup]:
    """Changes grouped by what happened, then by kind (added key results, changed accounts...)."""
    groups: dict[tuple[str, str], ChangeGroup] = {}
    order = {op: i for i, op in enumerate(OPS)}
    for c in changes:
        g = groups.setdefault((c.op, c.kind), ChangeGroup(c.op, c.kind, _plural(c.kind)))
        g.items.append(c)
    return sorted(groups.values(), key=lambda g: (order.get(g.op, len(OPS)), g.kind))


def build_brief(plan: Plan, *, quarter_tags: int | None = None, today: _dt.date | None = None,
                finals: dict[str, list[QuarterFinal]] | None = None, changes: list | None = None,
                changes_note: str = "") -> Brief:
    """The brief's numbers.  ``finals``: previous quarters' finals by key result id
    (GOAL/KR); ``changes``: ``HistoryChange`` items since the last quarter (None when
    history is unavailable, ``changes_note`` saying why)."""
    from ..checkins import quarter_bounds_of
    from ..checkins import today as _today
    from .pace import elapsed_share, goal_status

    today = today or _today()
    p = plan_data(plan)
    currency = str(p.get("currency") or "") if isinstance(p.get("currency"), str) else ""
    start, end = quarter_bounds_of(plan)
    finals = finals or {}
    krs = plan.all("key_result")
    goals = []
    for g in plan.all("goal"):
        d = g.data
        views = [kr_view(plan, kr, today, currency, finals.get(kr.id)) for kr in krs if kr.parent_id == g.id]
        typed = d.get("status") if isinstance(d.get("status"), str) else ""
        goals.append(GoalView(g.id, str(d.get("title") or g.id), str(d.get("team") or ""),
                              [str(o) for o in (d.get("owners") or []) if isinstance(d.get("owners"), list)],
                              typed, goal_status([k.status for k in views]) if views else "unknown",
                              str(d.get("parent") or ""), views))
    stage, ladder = _ladder(plan, quarter_tags)
    return Brief(str(p.get("company") or "Plan"), str(p.get("quarter") or ""), str(p.get("team") or ""),
                 str(start or ""), str(end or ""), today.isoformat(), currency, elapsed_share(start, end, today),
                 goals, _heatmap(plan), ladder, stage, _funnel(plan, currency),
                 group_changes(changes) if changes is not None else None, changes_note)


__all__ = ["Brief", "ChangeGroup", "Funnel", "FunnelStep", "GoalView", "Heatmap", "HeatCell", "KrView",
           "LadderStep", "QuarterFinal", "STATUS_GLYPHS", "STATUS_WORDS", "build_brief", "group_changes", "kr_view",
           "sparkline"]
