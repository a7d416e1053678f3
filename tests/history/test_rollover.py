"""Rollover: tag the closing quarter, move the plan on, carry every entity by id."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.history.helpers import edit, git, head, run_cli
from tui.history.revisions import diff_revisions, key_result_trend
from tui.plan.model import load_plan

pytestmark = pytest.mark.git

CARRIED = {"custom.carried_from"}
INTENDED = {
    "plan": {"quarter", "start", "end"},
    "sla": {"review_date"},
    "key_result": {"custom.carried_from", "baseline", "actual", "due", "checkin"},
}


def test_rollover_then_diff_lines_up_by_id(committed, capsys):
    plans = committed / "plans"
    closing = head(committed)
    before = load_plan(plans)
    code, out, err = run_cli(capsys, "rollover", "-C", str(plans))
    assert code == 0, err
    assert "tagged plan/2026-Q4" in out and "2027-Q1" in out
    assert git(committed, "rev-parse", "plan/2026-Q4^{commit}").strip() == closing
    assert git(committed, "log", "-1", "--format=%s").strip() == "Roll the plan over from 2026-Q4 to 2027-Q1"
    assert git(committed, "status", "--porcelain").strip() == ""

    d = diff_revisions(plans, "2026-Q4", "HEAD")
    assert {c.op for c in d.changes} == {"changed"}  # nothing added, removed or renamed: ids line up
    for c in d.changes:
        assert {f.field for f in c.fields} <= INTENDED.get(c.kind, CARRIED), (c.kind, c.id, [f.field for f in c.fields])

    after = load_plan(plans)
    plan = after.get("plan", "plan").data
    assert (plan["quarter"], plan["start"], plan["end"]) == ("2027-Q1", dt.date(2027, 1, 1), dt.date(2027, 3, 31))
    def unmarked(data):
        data = dict(data)
        custom = dict(data.pop("custom", {}))
        assert custom.pop("carried_from") == "2026-Q4"  # every carried entity is marked the same way
        return dict(data, custom=custom) if custom else data

    for kind in ("member", "persona", "account", "term", "meeting", "rule"):
        assert [e.id for e in after.all(kind)] == [e.id for e in before.all(kind)]
        assert all(unmarked(e.data) == before.get(kind, e.id).data for e in after.all(kind))
    kr_old = before.get("key_result", "grow-pipeline/sourced-pipeline").data
    kr_new = after.get("key_result", "grow-pipeline/sourced-pipeline").data
    assert kr_new["baseline"] == kr_old["actual"] == 2150000 and "actual" not in kr_new
    assert kr_new["target"] == kr_old["target"] and kr_new["due"] == dt.date(2027, 3, 31)
    assert len(kr_old["checkin"]) == 9 and "checkin" not in kr_new  # the new quarter starts with none
    coverage = after.get("key_result", "grow-pipeline/pipeline-coverage").data
    assert coverage["due"] == dt.date(2027, 3, 18)  # same place in the next quarter
    assert after.get("goal", "grow-pipeline").data["custom"] == {"carried_from": "2026-Q4"}
    published = [e for e in after.all("content") if e.data["status"] == "published"]
    assert published and all(unmarked(e.data) == before.get("content", e.id).data for e in published)
    planned = [e for e in after.all("content") if e.data["status"] == "planned"]
    assert planned and all(e.data["custom"]["carried_from"] == "2026-Q4" for e in planned)


def test_rollover_edits_only_the_lines_it_means_to(committed, capsys):
    plans = committed / "plans"
    assert run_cli(capsys, "rollover", "-C", str(plans))[0] == 0
    diff = git(committed, "diff", "--no-textconv", "-U0", "HEAD~1", "HEAD", "--", "plans/accounts.toml",
               "plans/personas.toml", "plans/glossary.toml")
    changed = [ln for ln in diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    # standing data only gains its provenance mark: one line each (or its inline custom table)
    assert changed and all(ln.startswith("+custom = { carried_from = \"2026-Q4\"") or
                           ("carried_from = \"2026-Q4\"" in ln and ln.startswith("+")) or
                           (ln.startswith("-custom = {") and "carried_from" not in ln) for ln in changed), changed
    plan_diff = git(committed, "diff", "--no-textconv", "-U0", "HEAD~1", "HEAD", "--", "plans/plan.toml")
    changed = [ln for ln in plan_diff.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert sorted(changed) == sorted(['-quarter = "2026-Q4"', '+quarter = "2027-Q1"', "-start = 2026-10-01",
                                      "+start = 2027-01-01", "-end = 2026-12-31", "+end = 2027-03-31",
                                      "-review_date = 2026-12-08", "+review_date = 2027-03-08"]
                                     + [ln for ln in changed if "carried_from" in ln])


def test_rollover_refuses_uncommitted_changes_and_earlier_quarters(committed, capsys):
    plans = committed / "plans"
    edit(plans, "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "rollover", "-C", str(plans))
    assert code == 1 and "not committed" in err
    assert git(committed, "tag", "--list").strip() == ""
    git(committed, "checkout", "--", ".")
    code, _, err = run_cli(capsys, "rollover", "-C", str(plans), "--to", "2026-Q2")
    assert code == 2 and "not after" in err


def test_key_result_trend_across_quarters(committed, capsys):
    plans = committed / "plans"
    assert run_cli(capsys, "rollover", "-C", str(plans))[0] == 0
    edit(plans, "key_result", "grow-pipeline/sourced-pipeline", "actual", 2600000)
    assert run_cli(capsys, "commit", "-C", str(plans), "-m", "actuals")[0] == 0
    assert run_cli(capsys, "rollover", "-C", str(plans))[0] == 0
    points = key_result_trend(plans, "grow-pipeline/sourced-pipeline")
    assert [(p.quarter, p.baseline, p.target, p.actual) for p in points] == [
        ("2026-Q4", 2100000, 3000000, 2150000),
        ("2027-Q1", 2150000, 3000000, 2600000),
        ("2027-Q2", 2600000, 3000000, None),  # the working tree
    ]
    assert points[-1].label == "working tree" and points[0].label == "plan/2026-Q4"
    code, out, _ = run_cli(capsys, "trend", "grow-pipeline/sourced-pipeline", "-C", str(plans))
    assert code == 0 and "plan/2027-Q1" in out and "2600000" in out


def test_rollover_on_the_demos_last_quarter_leaves_no_stale_date_storm(tmp_path, capsys, monkeypatch):
    from collections import Counter

    from tui.history.blame import key_result_checkins
    from tui.history.demo import build_demo
    from tui.history.rollover import RolloverResult, roll_plan
    from tui.plan.validation import validate

    monkeypatch.setenv("QUARTERDECK_TODAY", "2026-12-01")
    plans = build_demo(tmp_path / "demo")
    before = Counter(p.code for p in validate(load_plan(plans)))
    assert before["checkin.actual"] == 0 and before["checkin.order"] == 0

    # in memory first: --move-dates shift leaves nothing dated in the closed quarter
    plan = load_plan(plans)
    shifted = RolloverResult("2026-Q4", "2027-Q1", "")
    roll_plan(plan, "2026-Q4", "2027-Q1", shifted, "shift")
    codes = Counter(p.code for p in validate(plan))
    assert codes["date.outside-quarter"] == 0 and codes["rollover.stale-dates"] == 0
    assert shifted.todo and all(old != new for _, _, _, old, new in shifted.todo)
    harbor = plan.get("account", "harbor-hvac").data
    assert harbor["next_step_due"] == dt.date(2027, 2, 28)  # Nov 30, the last day, stays the last day

    # the command, keeping the dates: one summary per kind, and a to-do in the output
    code, out, err = run_cli(capsys, "rollover", "-C", str(plans))
    assert code == 0, err
    assert "start 2027-Q1 with no check-ins" in out
    assert "to do: 42 account next_step_due date(s) still in 2026-Q4" in out
    after = load_plan(plans)
    problems = validate(after)
    codes = Counter(p.code for p in problems)
    stale = [p for p in problems if p.code == "rollover.stale-dates"]
    assert [(p.kind, p.field) for p in stale] == [("account", "next_step_due"), ("content", "publish_date")]
    assert codes["date.outside-quarter"] == 0 and codes["content.overdue"] == 0
    assert not [c for c in codes if c.startswith("checkin.")]
    assert len(problems) < 12, codes  # was 66-69 warnings before
    assert all("checkin" not in kr.data for kr in after.all("key_result"))
    kinds = {k for k, entities in after.entities.items() for e in entities
             if not e.kind.singleton and (e.data.get("custom") or {}).get("carried_from") == "2026-Q4"}
    assert {"goal", "key_result", "account", "persona", "term", "content", "member"} <= kinds
    # the closed quarter keeps its check-ins in its tag
    quarters = {q.label: q for q in key_result_checkins(plans, "grow-pipeline/sourced-pipeline")}
    assert len(quarters["plan/2026-Q4"].checkins) == 9 and quarters["working tree"].checkins == []
    assert len(quarters["plan/2026-Q1"].checkins) >= 10  # weekly in every quarter of the demo
