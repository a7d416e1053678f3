"""Pace: where each key result should be by today, where it is, and what that says.

**Expected by today.**  The time elapsed is the share ``t`` of the key result's span,
from the quarter's start to its ``due`` date (the quarter's end when it has none),
clamped to 0..1.  The expected share of the way from baseline to target follows the
key result's ``pace`` curve:

* ``linear`` (the default): ``t`` — an even share every day;
* ``back_loaded``: ``t²`` — slow at first, most of it late (deals that close at the
  end of the quarter, a campaign that launches in its second month);
* ``front_loaded``: ``1 - (1 - t)²`` — most of it early (a migration done up front).

The expected value is ``baseline + expected share × (target - baseline)``.  A
``maintain`` key result is expected on its target all quarter.

**Computed status.**  Progress is ``tui.plan.insights.progress.kr_progress`` (the share
of the way from baseline to target, direction respected).  Compared with the expected
share:

* ``on_track``  — progress is at least 90 % of the expected share (``ON_TRACK``);
* ``at_risk``   — at least 70 % (``AT_RISK``);
* ``off_track`` — less than that, or the metric moved the wrong way;
* ``done``      — the target is reached (progress ≥ 1; for ``maintain``, on target);
* ``not_started`` — nothing is expected yet (the quarter has not begun) and nothing moved;
* ``unknown``   — no actual, or numbers that cannot be compared.

Near the start of the quarter the expected share is tiny, so until ``GRACE`` (10 %) of
the way is expected a key result that has not gone backwards counts as on track.
``maintain``: progress itself is compared with the thresholds (1.0 = on target).

A goal's computed status is the worst of its key results' (done only when all are
done).  Where a goal's typed ``status`` (on_track, at_risk, off_track, done) differs,
the goal is flagged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from ..checkins import checkins_of, latest_checkin, quarter_bounds_of, today
from ..model import Plan, as_date
from ._common import is_number
from .progress import kr_progress

ON_TRACK = 0.9
AT_RISK = 0.7
GRACE = 0.1
CURVES = ("linear", "back_loaded", "front_loaded")
# worst first
ORDER = ("off_track", "at_risk", "unknown", "not_started", "on_track", "done")
TYPED = ("on_track", "at_risk", "off_track", "done")


def curve_share(curve: str, t: float) -> float:
    """The expected share of the way at elapsed share ``t`` (0..1) of the time."""
    t = min(1.0, max(0.0, t))
    if curve == "back_loaded":
        return t * t
    if curve == "front_loaded":
        return 1.0 - (1.0 - t) ** 2
    return t


def elapsed_share(start: dt.date | None, due: dt.date | None, on: dt.date) -> float | None:
    if start is None or due is None:
        return None
    span = (due - start).days
    if span <= 0:
        return 1.0 if on >= due else 0.0
    return min(1.0, max(0.0, (on - start).days / span))


@dataclass
class KrPace:
    id: str
    title: str
    owner: str
    curve: str
    baseline: float | None
    target: float | None
    actual: float | None
    expected: float | None  # expected value by today
    expected_share: float | None  # of the way from baseline to target
    progress: float | None  # kr_progress
    gap: float | None  # actual - expected (in the metric's unit; negative is behind for an increase)
    status: str  # computed
    direction: str = "increase"
    unit: str = ""
    due: str = ""
    last_checkin: str = ""  # date of the latest check-in
    confidence: int | None = None
    checkins: int = 0

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GoalPace:
    id: str
    title: str
    typed: str  # the goal's status as written ("" when none)
    status: str  # computed: the worst of its key results
    disagrees: bool
    key_results: list[KrPace] = field(default_factory=list)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["key_results"] = [k.to_dict() for k in self.key_results]
        return d


@dataclass
class PaceReport:
    quarter: str
    today: str
    start: str
    end: str
    elapsed: float | None  # share of the quarter gone
    goals: list[GoalPace] = field(default_factory=list)

    @property
    def key_results(self) -> list[KrPace]:
        return [k for g in self.goals for k in g.key_results]

    @property
    def disagreements(self) -> list[GoalPace]:
        return [g for g in self.goals if g.disagrees]

    def to_dict(self) -> dict:
        return {"format": "quarterdeck.pace/1", "quarter": self.quarter, "today": self.today, "start": self.start,
                "end": self.end, "elapsed": self.elapsed,
                "thresholds": {"on_track": ON_TRACK, "at_risk": AT_RISK, "grace": GRACE},
                "goals": [g.to_dict() for g in self.goals],
                "summary": {s: sum(1 for k in self.key_results if k.status == s) for s in ORDER},
                "disagreements": [g.id for g in self.disagreements]}


def _f(v) -> float | None:
    return float(v) if is_number(v) else None


def status_of(progress: float | None, expected_share: float | None, direction: str) -> str:
    if progress is None:
        return "unknown"
    if direction == "maintain":
        if progress >= 1.0:
            return "done"
        ratio = progress
    else:
        if progress >= 1.0:
            return "done"
        if expected_share is None:
            return "unknown"
        if expected_share <= 0 and progress == 0:
            return "not_started"
        if progress < 0:
            return "off_track"
        if expected_share < GRACE:
            return "on_track"
        ratio = progress / expected_share
    if ratio >= ON_TRACK:
        return "on_track"
    if ratio >= AT_RISK:
        return "at_risk"
    return "off_track"


def kr_pace(plan: Plan, kr, on: dt.date | None = None) -> KrPace:
    on = on or today()
    start, end = quarter_bounds_of(plan)
    d = kr.data
    due = as_date(d.get("due")) or end
    curve = d.get("pace") if d.get("pace") in CURVES else "linear"
    direction = d.get("direction") or "increase"
    b, t, a = _f(d.get("baseline")), _f(d.get("target")), _f(d.get("actual"))
    share = elapsed_share(start, due, on)
    expected_share = curve_share(curve, share) if share is not None else None
    if direction == "maintain":
        expected = t
        expected_share = 1.0 if t is not None else None
    elif t is not None and expected_share is not None:
        base = b if b is not None else (0.0 if direction != "decrease" else None)
        expected = None if base is None else base + expected_share * (t - base)
    else:
        expected = None
    progress = kr_progress(kr)
    gap = a - expected if a is not None and expected is not None else None
    last = latest_checkin(kr)
    conf = last.get("confidence") if last else None
    return KrPace(kr.id, str(d.get("title", "")), str(d.get("owner", "")), curve, b, t, a,
                  expected, expected_share, progress, gap, status_of(progress, expected_share, direction),
                  direction, str(d.get("unit", "")), str(due or ""),
                  str(as_date(last.get("date")) or "") if last else "",
                  conf if isinstance(conf, int) and not isinstance(conf, bool) else None, len(checkins_of(kr)))


def goal_status(statuses: list[str]) -> str:
    if not statuses:
        return "unknown"
    if all(s == "done" for s in statuses):
        return "done"
    return min(statuses, key=ORDER.index)


def plan_pace(plan: Plan, on: dt.date | None = None) -> PaceReport:
    """Pace of every key result, grouped by goal, as of ``on`` (default: today)."""
    on = on or today()
    start, end = quarter_bounds_of(plan)
    report = PaceReport(plan.quarter, str(on), str(start or ""), str(end or ""), elapsed_share(start, end, on))
    for g in plan.all("goal"):
        krs = [kr_pace(plan, kr, on) for kr in plan.all("key_result") if kr.parent_id == g.id]
        computed = goal_status([k.status for k in krs])
        typed = g.data.get("status") if isinstance(g.data.get("status"), str) else ""
        disagrees = typed in TYPED and computed not in ("unknown",) and typed != computed and bool(krs)
        report.goals.append(GoalPace(g.id, str(g.data.get("title", "")), typed, computed, disagrees, krs))
    return report


def _num(v, unit: str = "") -> str:
    if v is None:
        return "—"
    if abs(v) >= 1000:
        text = f"{v:,.0f}"
    elif float(v).is_integer():
        text = f"{v:.0f}"
    else:
        text = f"{v:.2f}".rstrip("0").rstrip(".")
    return text + ("%" if unit == "percent" else "")


LABELS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track", "done": "done",
          "not_started": "not started", "unknown": "unknown"}


def pace_text(report: PaceReport) -> str:
    elapsed = f"{report.elapsed:.0%} of the quarter gone" if report.elapsed is not None else "quarter dates unknown"
    lines = [f"Pace of {report.quarter or 'the plan'} on {report.today} ({elapsed})",
             f"status: on track ≥ {ON_TRACK:.0%} of the expected progress, at risk ≥ {AT_RISK:.0%}, else off track", ""]
    for g in report.goals:
        flag = ""
        if g.disagrees:
            flag = f"  ⚠ typed {LABELS.get(g.typed, g.typed)}, computed {LABELS.get(g.status, g.status)}"
        lines.append(f"{g.id}  [{LABELS.get(g.status, g.status)}]{flag}")
        for k in g.key_results:
            own = k.id.rsplit("/", 1)[-1]
            prog = f"{k.progress:.0%}" if k.progress is not None else "—"
            exp = f"{k.expected_share:.0%}" if k.expected_share is not None else "—"
            gap = ("+" if (k.gap or 0) > 0 else "") + _num(k.gap, k.unit) if k.gap is not None else "—"
            conf = f"  confidence {k.confidence}" if k.confidence is not None else ""
            curve = f" ({k.curve.replace('_', '-')})" if k.curve != "linear" else ""
            lines.append(f"  {own:<24} expected {_num(k.expected, k.unit):>10}  actual {_num(k.actual, k.unit):>10}  "
                         f"gap {gap:>10}  progress {prog:>5} of {exp:>4} expected{curve}  "
                         f"{LABELS.get(k.status, k.status)}{conf}")
        lines.append("")
    counts = {s: sum(1 for k in report.key_results if k.status == s) for s in ORDER}
    lines.append(", ".join(f"{n} {LABELS[s]}" for s, n in counts.items() if n) or "no key results")
    if report.disagreements:
        lines.append(f"{len(report.disagreements)} goal(s) whose typed status disagrees with the pace: "
                     + ", ".join(g.id for g in report.disagreements))
    return "\n".join(lines).rstrip("\n")


# -- check-ins per quarter (for `trend`) -----------------------------------------------------


@dataclass
class QuarterCheckins:
    quarter: str
    label: str  # the tag, or "working tree"
    baseline: float | None
    target: float | None
    checkins: list[dict]  # {"date": "YYYY-MM-DD", "value", "confidence", "note", "by"}

    def to_dict(self) -> dict:
        return asdict(self)


def checkins_in(kr_data: dict | None) -> list[dict]:
    """A key result's check-ins as plain data (dates as ISO text), oldest first."""
    if not isinstance(kr_data, dict):
        return []
    out = []
    for c in checkins_of(kr_data):
        d = as_date(c.get("date"))
        out.append({"date": str(d) if d else "", "value": c.get("value"), "confidence": c.get("confidence"),
                    "note": c.get("note", ""), "by": c.get("by", "")})
    return sorted(out, key=lambda c: c["date"])


__all__ = ["AT_RISK", "CURVES", "GRACE", "ON_TRACK", "GoalPace", "KrPace", "PaceReport", "QuarterCheckins",
           "checkins_in", "curve_share", "elapsed_share", "goal_status", "kr_pace", "pace_text", "plan_pace",
           "status_of"]
