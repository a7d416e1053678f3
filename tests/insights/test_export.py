"""Exports: the content calendar as iCalendar (parsed back), any kind as CSV."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from tui.cli import main
from tui.plan.edit import apply_change, set_field
from tui.plan.insights.export import calendar_ics, content_uid, export_csv
from tui.plan.model import load_plan

icalendar = pytest.importorskip("icalendar", reason="icalendar is a dependency; install the project to run this")

from .conftest import content  # noqa: E402


def _events(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_one_all_day_event_per_dated_item(make_plan):
    items = (content("launch", "awareness", publish_date=dt.date(2026, 10, 5), url="https://acme.example/launch",
                     summary="Café ☕ [bold]not markup[/bold]")
             + content("undated", "awareness", status="idea")
             + content("old", "decision", status="retired", publish_date=dt.date(2026, 10, 9)))
    plan = load_plan(make_plan(content=items))
    events = _events(calendar_ics(plan, now=dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)))
    assert sorted(events) == ["content-launch@acme-rockets.quarterdeck", "content-old@acme-rockets.quarterdeck"]
    launch = events["content-launch@acme-rockets.quarterdeck"]
    assert launch.decoded("DTSTART") == dt.date(2026, 10, 5)
    assert launch.decoded("DTEND") == dt.date(2026, 10, 6)
    assert str(launch["SUMMARY"]) == "Launch"
    assert str(launch["URL"]) == "https://acme.example/launch"
    assert str(launch["STATUS"]) == "CONFIRMED"
    assert "Summary: Café ☕ [bold]not markup[/bold]" in str(launch["DESCRIPTION"])
    assert str(events["content-old@acme-rockets.quarterdeck"]["STATUS"]) == "CANCELLED"


def test_example_calendar_uids_survive_an_unrelated_edit(plan_dir):
    plan = load_plan(plan_dir)
    dated = [c for c in plan.all("content") if c.data.get("publish_date")]
    first = _events(calendar_ics(plan))
    assert len([uid for uid in first if uid.startswith("content-")]) == len(dated) == 60
    assert content_uid(plan, "dispatch-benchmark-2026") in first
    # an unrelated edit: a title and a date change, nothing about identity
    apply_change(plan, set_field(plan, "content", "dispatch-benchmark-2026", "title", "Benchmark 2026, revised"))
    apply_change(plan, set_field(plan, "content", "benchmark-launch-email", "publish_date", dt.date(2026, 10, 3)))
    second = _events(calendar_ics(load_plan(plan_dir)))
    assert sorted(second) == sorted(first)
    assert str(second[content_uid(plan, "dispatch-benchmark-2026")]["SUMMARY"]) == "Benchmark 2026, revised"
    assert second[content_uid(plan, "benchmark-launch-email")].decoded("DTSTART") == dt.date(2026, 10, 3)


def test_csv_of_any_kind(plan_dir):
    plan = load_plan(plan_dir)
    rows = list(csv.DictReader(io.StringIO(export_csv(plan, "account"))))
    assert len(rows) == len(plan.all("account"))
    harbor = rows[0]
    assert list(harbor)[:4] == ["id", "name", "domain", "tier"]
    assert harbor["plays"] == "renewal review; name change support; customer advisory board seat"
    assert harbor["next_step_due"] == "2026-11-30"
    assert '"crm_id": "0015g00000XyZ12"' in harbor["custom"]
    krs = list(csv.DictReader(io.StringIO(export_csv(plan, "key_result"))))
    assert krs[0]["id"] == "grow-pipeline/sourced-pipeline" and krs[0]["actual"] == "2150000"
    sla = list(csv.DictReader(io.StringIO(export_csv(plan, "sla"))))
    assert sla[0]["terms"] == "lead; mql; sql; sal" and sla[0]["mql_commitment"] == "180"


def test_export_commands(plan_dir, tmp_path, capsys):
    out = tmp_path / "calendar.ics"
    assert main(["export", "ics", "--plan", str(plan_dir), "-o", str(out)]) == 0
    assert len(_events(out.read_bytes())) == 60 + 5  # content items and meetings
    capsys.readouterr()
    assert main(["export", "csv", "term", "--plan", str(plan_dir)]) == 0
    text = capsys.readouterr().out
    assert text.startswith("id,term,definition,owner_team,aliases,related,custom,retired\r\n")
    assert main(["export", "csv", "widget", "--plan", str(plan_dir)]) == 2
    assert "unknown kind 'widget'" in capsys.readouterr().err
