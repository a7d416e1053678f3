"""Pace: expected-by-today along the key result's curve, computed status, typed status flagged."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from tests.insights.conftest import block
from tui.cli import main
from tui.plan.insights.pace import curve_share, plan_pace, status_of
from tui.plan.model import load_plan

# 2026-11-15 is 45 of the quarter's 91 days: 49.45 % of the way through
MID = dt.date(2026, 11, 15)
SHARE = 45 / 91


def goals(status: str = "on_track", **krs: dict) -> str:
    text = block("goal", id="g", title="Goal", team="sales", owners=["sam"], status=status)
    for kr_id, fields in krs.items():
        fields = {"title": kr_id, "metric": "m", "unit": "count", "direction": "increase", **fields}
        text += block("goal.key_result", id=kr_id, **fields)
    return text


def _pace(make_plan, on=MID, **kw):
    return plan_pace(load_plan(make_plan(goals=goals(**kw))), on)


def test_ahead_on_pace_and_behind_linear(make_plan):
    # expected by mid-November: 100 + 0.4945 * 100 = 149.45
    report = _pace(make_plan, ahead=dict(baseline=100, target=200, actual=170),
                   on_pace=dict(baseline=100, target=200, actual=146),  # 46/49.45 = 93 % of expected
                   slipping=dict(baseline=100, target=200, actual=138),  # 77 %
                   behind=dict(baseline=100, target=200, actual=120),  # 40 %
                   done=dict(baseline=100, target=200, actual=200))
    by = {k.id.split("/")[1]: k for k in report.key_results}
    assert by["ahead"].expected == pytest.approx(100 + SHARE * 100)
    assert by["ahead"].gap == pytest.approx(170 - (100 + SHARE * 100))
    assert {k: v.status for k, v in by.items()} == {"ahead": "on_track", "on_pace": "on_track",
                                                  "slipping": "at_risk", "behind": "off_track", "done": "done"}
    g = report.goals[0]
    assert g.status == "off_track" and g.typed == "on_track" and g.disagrees


def test_back_loaded_expects_less_early(make_plan):
    report = _pace(make_plan, linear=dict(baseline=0, target=100, actual=30),
                   late=dict(baseline=0, target=100, actual=30, pace="back_loaded"),
                   early=dict(baseline=0, target=100, actual=30, pace="front_loaded"))
    by = {k.id.split("/")[1]: k for k in report.key_results}
    assert by["late"].expected == pytest.approx(100 * SHARE ** 2)  # 24.5
    assert by["early"].expected == pytest.approx(100 * (1 - (1 - SHARE) ** 2))
    assert by["linear"].status == "off_track"  # 30 of 49.5: 61 %
    assert by["late"].status == "on_track"  # 30 of 24.5: ahead
    assert by["early"].status == "off_track"
    assert by["late"].curve == "back_loaded"


def test_decrease_and_maintain_and_due_date(make_plan):
    report = _pace(make_plan, down=dict(baseline=40, target=10, actual=26, direction="decrease"),
                   hold=dict(baseline=100, target=100, actual=95, direction="maintain"),
                   early_due=dict(baseline=0, target=10, actual=9, due=dt.date(2026, 11, 15)))
    by = {k.id.split("/")[1]: k for k in report.key_results}
    assert by["down"].expected == pytest.approx(40 - SHARE * 30)
    assert by["down"].status == "on_track"  # 14/30 = 47 % of 49 % expected: 94 %
    assert by["hold"].expected == 100 and by["hold"].status == "on_track"  # 95 % on target
    assert by["early_due"].expected_share == 1.0 and by["early_due"].status == "on_track"  # 90 % at due


def test_start_of_quarter_and_unknown(make_plan):
    report = _pace(make_plan, on=dt.date(2026, 10, 3), fresh=dict(baseline=0, target=100, actual=0),
                   blank=dict(baseline=0, target=100))
    by = {k.id.split("/")[1]: k.status for k in report.key_results}
    assert by == {"fresh": "on_track", "blank": "unknown"}
    assert status_of(0.0, 0.0, "increase") == "not_started"
    assert curve_share("back_loaded", 2.0) == 1.0 and curve_share("linear", -1) == 0.0


def test_typed_status_agreeing_is_not_flagged(make_plan):
    report = _pace(make_plan, status="at_risk", a=dict(baseline=100, target=200, actual=138))
    assert report.goals[0].status == "at_risk" and not report.goals[0].disagrees


def test_pace_cli_text_and_json(make_plan, capsys):
    plan_dir = make_plan(goals=goals(behind=dict(baseline=100, target=200, actual=120,
                                                 raw="\n[[goal.key_result.checkin]]\ndate = 2026-11-09\n"
                                                     "value = 120\nconfidence = 3\n")))
    assert main(["pace", str(plan_dir), "--today", "2026-11-15"]) == 0
    out = capsys.readouterr().out
    assert "⚠ typed on track, computed off track" in out and "confidence 3" in out
    assert main(["pace", str(plan_dir), "--today", "2026-11-15", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    [kr] = doc["goals"][0]["key_results"]
    assert doc["disagreements"] == ["g"] and kr["status"] == "off_track" and kr["last_checkin"] == "2026-11-09"
    assert doc["thresholds"] == {"on_track": 0.9, "at_risk": 0.7, "grace": 0.1}
    assert main(["pace", str(plan_dir), "--today", "15.11.2026"]) == 2


def test_example_plan_flags_the_hand_typed_status(capsys):
    from pathlib import Path

    plans = Path(__file__).resolve().parent.parent.parent / "plans"
    report = plan_pace(load_plan(plans), dt.date(2026, 11, 30))
    sourced = next(k for k in report.key_results if k.id == "grow-pipeline/sourced-pipeline")
    assert sourced.progress == pytest.approx(50000 / 900000) and sourced.status == "off_track"
    assert "grow-pipeline" in [g.id for g in report.disagreements]


def test_report_shows_pace_sparkline_overdue_and_folds_provenance():
    from pathlib import Path

    from tui.plan.insights.report import History, HistoryChange, HistoryDiff, quarterly_report, sparkline

    assert sparkline([1, 2, 3, 8]) == "▁▂▃█" and sparkline([5, 5]) == "▄▄" and sparkline([]) == "—"
    plans = Path(__file__).resolve().parent.parent.parent / "plans"
    diff = HistoryDiff("plan/2026-Q3", "working tree", [
        HistoryChange("changed", "account", "harbor-hvac", "Harbor", None, ['custom.carried_from set to "2026-Q3"']),
        HistoryChange("changed", "goal", "grow-pipeline", "Grow", None,
                      ['custom.carried_from set to "2026-Q3"', "status \"at_risk\" → \"on_track\""])])
    md = quarterly_report(load_plan(plans), history=History("2026-Q3", diff=diff), today=dt.date(2026, 12, 1))
    row = next(line for line in md.splitlines() if "`sourced-pipeline`" in line)
    assert row.endswith("| off track | ▁▂▃▅▆▆▆▇█ |")
    assert "status on track (pace says off track)" in md
    assert "## Content past its publish date" in md and "`northgate-pilot-plan`" in md
    assert "harbor-hvac" not in md.split("## Changes since")[1]
    changes = md.split("## Changes since")[1]
    assert "1 entities changed only their provenance mark" in changes
    assert "2026-Q3\"" not in changes and "status" in changes  # the goal's own change stays, its mark goes
