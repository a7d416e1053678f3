"""Meetings in the .ics export: one recurring event each, the cadence as an RRULE."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import icalendar
from dateutil.rrule import rrulestr

from tests.insights.conftest import block
from tui.plan.insights.export import calendar_ics
from tui.plan.model import load_plan

EXAMPLE = Path(__file__).resolve().parent.parent.parent / "plans"


def _meetings(data: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(data)
    return {str(e["UID"]): e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("meeting-")}


def _occurrences(ev) -> list[dt.datetime]:
    start = ev.decoded("dtstart")
    rule = ev["RRULE"].to_ical().decode()
    return list(rrulestr(rule, dtstart=start))


def test_example_meetings_recur_by_cadence():
    events = _meetings(calendar_ics(load_plan(EXAMPLE), now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)))
    assert sorted(events) == sorted(f"meeting-{m}@tidewater-labs.quarterdeck" for m in
                                    ("pipeline-sync", "content-enablement", "abm-review", "sla-check-in", "plan-review"))
    sync = events["meeting-pipeline-sync@tidewater-labs.quarterdeck"]
    rule = sync["RRULE"]
    assert rule["FREQ"] == ["WEEKLY"] and rule["BYDAY"] == ["MO"] and "INTERVAL" not in rule
    days = _occurrences(sync)
    assert days[0] == dt.datetime(2026, 10, 5, 9, 0) and days[-1] == dt.datetime(2026, 12, 28, 9, 0)
    assert len(days) == 13 and all(d.weekday() == 0 for d in days)
    assert sync.decoded("duration") == dt.timedelta(minutes=45)
    assert str(sync["ORGANIZER"]) == "mailto:dana.okafor@tidewater.example"
    assert len(sync["ATTENDEE"]) == 6

    every_other = events["meeting-content-enablement@tidewater-labs.quarterdeck"]
    assert every_other["RRULE"]["INTERVAL"] == [2]
    assert [d.date() for d in _occurrences(every_other)] == [
        dt.date(2026, 10, 7), dt.date(2026, 10, 21), dt.date(2026, 11, 4), dt.date(2026, 11, 18),
        dt.date(2026, 12, 2), dt.date(2026, 12, 16), dt.date(2026, 12, 30)]
    monthly = events["meeting-abm-review@tidewater-labs.quarterdeck"]
    assert [d.date() for d in _occurrences(monthly)] == [dt.date(2026, 10, 1), dt.date(2026, 11, 5),
                                                        dt.date(2026, 12, 3)]  # first Thursdays
    quarterly = events["meeting-plan-review@tidewater-labs.quarterdeck"]
    assert [d.date() for d in _occurrences(quarterly)] == [dt.date(2026, 10, 6)]


def test_meeting_time_and_missing_day(make_plan):
    plan_dir = make_plan(plan=block("meeting", id="standup", name="Stand-up", cadence="weekly", owner="sam",
                                    attendees=["sam", "mia"], raw='custom = { time = "14:30" }\n')
                         + block("meeting", id="monthly-sync", name="Sync", cadence="monthly", owner="mia"))
    events = _meetings(calendar_ics(load_plan(plan_dir)))
    standup = events["meeting-standup@acme-rockets.quarterdeck"]
    # no day: the weekday the quarter starts on (2026-10-01 is a Thursday); custom.time sets the hour
    assert standup.decoded("dtstart") == dt.datetime(2026, 10, 1, 14, 30)
    assert standup.decoded("duration") == dt.timedelta(minutes=60) and "ORGANIZER" not in standup
    assert _occurrences(standup)[-1].date() == dt.date(2026, 12, 31)
    sync = events["meeting-monthly-sync@acme-rockets.quarterdeck"]
    assert [d.date() for d in _occurrences(sync)] == [dt.date(2026, 10, 1), dt.date(2026, 11, 5), dt.date(2026, 12, 3)]
