"""The rules on check-ins and on content past its publish date (tui/plan/rules_checkins.py)."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from tui.plan.checkins import add_checkin, confidence_reading, new_checkin
from tui.plan.edit import EditError, apply_change
from tui.plan.model import load_plan
from tui.plan.validation import validate

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "plans"
TODAY = dt.date(2026, 12, 1)


@pytest.fixture
def plan_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("QUARTERDECK_TODAY", str(TODAY))
    shutil.copytree(EXAMPLE, tmp_path / "plans")
    shutil.copytree(EXAMPLE.parent / "schemas", tmp_path / "schemas")
    return tmp_path / "plans"


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


def _codes(plan_dir, code):
    return [p for p in validate(load_plan(plan_dir)) if p.code == code]


def test_example_plan_checkins_are_clean(plan_dir):
    problems = validate(load_plan(plan_dir))
    assert not [p for p in problems if p.code.startswith("checkin.")]
    assert not [p for p in problems if p.severity == "error"]


def test_actual_out_of_step_with_latest_checkin(plan_dir):
    _edit(plan_dir / "goals.toml", "actual = 2150000", "actual = 2200000")
    [p] = _codes(plan_dir, "checkin.actual")
    assert p.entity == "grow-pipeline/sourced-pipeline" and p.field == "actual" and p.severity == "warning"
    assert "`actual` is 2200000 but the latest check-in (2026-11-30) says 2150000" in p.message
    assert "quarterdeck checkin grow-pipeline/sourced-pipeline 2200000" in p.message


def test_order_future_and_outside_quarter(plan_dir):
    goals = plan_dir / "goals.toml"
    _edit(goals, "date = 2026-10-12\nvalue = 2112000", "date = 2026-10-05\nvalue = 2112000")
    [p] = _codes(plan_dir, "checkin.order")
    assert p.severity == "error" and "same day" in p.message and p.entity == "grow-pipeline/sourced-pipeline"
    _edit(goals, "date = 2026-10-05\nvalue = 2112000", "date = 2026-09-28\nvalue = 2112000")
    found = {p.code for p in validate(load_plan(plan_dir)) if p.code.startswith("checkin.")}
    assert found == {"checkin.order", "checkin.outside-quarter"}
    _edit(goals, "date = 2026-09-28\nvalue = 2112000", "date = 2026-10-12\nvalue = 2112000")
    _edit(goals, "date = 2026-11-30\nvalue = 2150000", "date = 2026-12-03\nvalue = 2150000")
    [p] = _codes(plan_dir, "checkin.future")
    assert "2026-12-03 is in the future (today is 2026-12-01)" in p.message
    assert p.line == (goals.read_text().split("\n").index("date = 2026-12-03") + 1)


def test_by_must_be_a_member(plan_dir):
    _edit(plan_dir / "goals.toml", 'by = "mei-lin"', 'by = "mei-lim"')
    [p] = [p for p in _codes(plan_dir, "ref.unknown") if "checkin" in p.field]
    assert p.field.startswith("checkin.0.by") and "Did you mean 'mei-lin'?" in p.message


def test_overdue_content_is_flagged(plan_dir):
    overdue = _codes(plan_dir, "content.overdue")
    ids = {p.entity for p in overdue}
    assert "northgate-pilot-plan" in ids and all(p.severity == "warning" for p in overdue)
    plan = load_plan(plan_dir)
    for p in overdue:
        item = plan.get("content", p.entity)
        assert item.data["publish_date"] < TODAY and item.data["status"] not in ("published", "retired")
    # published: no longer overdue
    _edit(plan_dir / "content.toml", 'status = "review"\npublish_date = 2026-11-19',
          'status = "published"\npublish_date = 2026-11-19')
    assert "northgate-pilot-plan" not in {p.entity for p in _codes(plan_dir, "content.overdue")}


def test_core_add_checkin_refuses_what_the_rules_forbid(plan_dir):
    plan = load_plan(plan_dir)
    kr = plan.get("key_result", "grow-pipeline/sourced-pipeline")
    with pytest.raises(EditError, match="in the future"):
        add_checkin(plan, kr.id, new_checkin(plan, kr, 1, date=dt.date(2026, 12, 5), on=TODAY), on=TODAY)
    entry = new_checkin(plan, kr, 2.5e6, date=TODAY, confidence=6, note="ok", on=TODAY)
    change = add_checkin(plan, kr.id, entry, on=TODAY)
    apply_change(plan, change)
    assert not [p for p in validate(load_plan(plan_dir)) if p.code.startswith("checkin.")]


def test_confidence_scale():
    assert [confidence_reading(c) for c in (0, 3, 4, 6, 7, 10)] == [
        "off_track", "off_track", "at_risk", "at_risk", "on_track", "on_track"]
    assert confidence_reading(True) is None and confidence_reading(5.5) is None


def test_checkin_keeps_crlf_line_endings(plan_dir):
    goals = plan_dir / "goals.toml"
    goals.write_bytes(goals.read_bytes().replace(b"\n", b"\r\n"))
    plan = load_plan(plan_dir)
    kr = plan.get("key_result", "grow-pipeline/new-opportunities")
    apply_change(plan, add_checkin(plan, kr.id, new_checkin(plan, kr, 111, date=TODAY, note="crlf", on=TODAY),
                                   on=TODAY))
    raw = goals.read_bytes()
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert b'[[goal.key_result.checkin]]\r\ndate = 2026-12-01\r\nvalue = 111\r\nnote = "crlf"\r\n' in raw
    assert load_plan(plan_dir).get("key_result", kr.id).data["actual"] == 111
