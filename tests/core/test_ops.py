"""Plan operations (tui.plan.ops): what the app's flows and the command line call."""

from __future__ import annotations

import datetime as dt

import pytest

from tui.plan import ops
from tui.plan.edit import EditError, save_file
from tui.plan.model import load_plan


@pytest.fixture
def plan(plan_dir):
    return load_plan(plan_dir)


def test_set_fields_checks_once_when_all_are_made(plan):
    start, end = plan.get("plan", "plan").data["start"], plan.get("plan", "plan").data["end"]
    later = end + dt.timedelta(days=400)
    # a whole new quarter a year later: valid together
    summary = ops.set_fields(plan, "plan", "plan", {("start",): start + dt.timedelta(days=400), ("end",): later})
    assert "start" in summary and "end" in summary
    data = plan.get("plan", "plan").data
    assert data["start"] == start + dt.timedelta(days=400) and data["end"] == later
    assert plan.files["plan.toml"].dirty


def test_set_fields_refuses_new_schema_errors_and_leaves_the_plan_alone(plan):
    before = dict(plan.files)
    with pytest.raises(EditError) as err:
        ops.set_fields(plan, "account", "harbor-hvac", {("name",): "Harbor Two", ("tier",): 7})
    assert "tier" in str(err.value)
    assert plan.files == before
    assert plan.get("account", "harbor-hvac").data["tier"] == 1


def test_set_fields_removes_with_none(plan):
    assert "next_step_due" in plan.get("account", "harbor-hvac").data
    ops.set_fields(plan, "account", "harbor-hvac", {"next_step_due": None})
    assert "next_step_due" not in plan.get("account", "harbor-hvac").data


def test_add_duplicate_rename_delete(plan, plan_dir):
    ops.add(plan, "term", "dispatch-window", {"term": "Dispatch window", "definition": "When a job may start.",
                                              "owner_team": "sales"})
    assert plan.get("term", "dispatch-window").data["term"] == "Dispatch window"
    copy_id = ops.duplicate(plan, "account", "harbor-hvac")
    assert copy_id == "harbor-hvac-copy"
    assert ops.duplicate(plan, "account", "harbor-hvac") == "harbor-hvac-copy-2"
    users = ops.find_referrers(plan, "member", "dana-okafor")
    assert users
    report = ops.rename(plan, "member", "dana-okafor", "dana-o")
    assert report.new_id == "dana-o" and report.references == len(users)
    assert "plan.toml" in report.files and len(report.files) >= 2
    assert plan.find("member", "dana-okafor") is None
    assert len(ops.find_referrers(plan, "member", "dana-o")) == len(users), "every reference followed"
    gone = ops.delete(plan, "member", "dana-o")
    assert len(gone.referrers) == len(users)
    assert plan.find("member", "dana-o") is None
    for tf in plan.files.values():
        if tf.dirty:
            save_file(tf)
    fresh = load_plan(plan_dir)
    assert fresh.find("account", "harbor-hvac-copy-2") is not None and fresh.find("member", "dana-o") is None


def test_move_by_days(plan):
    day = plan.get("content", "dispatch-benchmark-2026").data["publish_date"]
    assert ops.move_by_days(plan, "content", "dispatch-benchmark-2026", "publish_date", 7) == day + dt.timedelta(7)
    assert plan.get("content", "dispatch-benchmark-2026").data["publish_date"] == day + dt.timedelta(7)
    with pytest.raises(EditError):
        ops.move_by_days(plan, "account", "harbor-hvac", "no_such_date", 1)


def test_singletons_are_refused_where_they_make_no_sense(plan):
    with pytest.raises(EditError):
        ops.delete(plan, "sla", "sla")
    with pytest.raises(EditError):
        ops.duplicate(plan, "plan", "plan")
    with pytest.raises(EditError):
        ops.add(plan, "lead_scoring", "x", {})
