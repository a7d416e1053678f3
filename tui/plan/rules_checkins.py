"""Rules on the plan's heartbeat: key-result check-ins and content past its date.

Codes:

  checkin.order (error)              check-in dates do not strictly increase (two on one day, or out of order)
  checkin.future (warning)           a check-in is dated after today
  checkin.outside-quarter (warning)  a check-in is dated outside the plan's quarter
  checkin.actual (warning)           `actual` differs from the latest check-in's value
  content.overdue (warning)          an item's publish date has passed and it is not published

Today's date is ``tui.plan.checkins.today()`` (``QUARTERDECK_TODAY`` sets it), or the
``on`` argument.  That a check-in's ``by`` names a member is checked with every other
reference (``ref.unknown``): the schema marks it as a member reference.
"""

from __future__ import annotations

import datetime as dt

from .checkins import CHECKIN_KEY, latest_checkin, quarter_bounds_of, today
from .model import Plan, as_date
from .problems import ERROR, WARNING, Problem

UNPUBLISHED_DONE = ("published", "retired")


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _show(v) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v)) if abs(v) < 1e15 else f"{v:g}"
    return str(v)


def checkin_problems(plan: Plan, locators: dict, on: dt.date | None = None) -> list[Problem]:
    """The problems of every key result's check-ins (``locators``: file -> the
    validator's locator, which turns a data path into a line and an entity)."""
    now = on or today()
    start, end = quarter_bounds_of(plan)
    out: list[Problem] = []
    for kr in plan.all("key_result"):
        loc = locators.get(kr.file)
        if loc is None:
            continue
        items = kr.data.get(CHECKIN_KEY)
        if not isinstance(items, list):
            continue
        previous = None
        for i, c in enumerate(items):
            if not isinstance(c, dict):
                continue
            path = kr.path + (CHECKIN_KEY, i, "date")
            d = as_date(c.get("date"))
            if d is None:
                continue  # the schema says what is wrong with it
            if previous is not None and d <= previous:
                same = "is on the same day as" if d == previous else "comes before"
                out.append(loc.problem(ERROR, "checkin.order",
                                       f"check-in {i + 1} of {kr.id} ({d}) {same} the one above it ({previous}); "
                                       "check-ins are kept oldest first with one per day: merge or reorder them",
                                       path))
            previous = d if previous is None else max(previous, d)
            if d > now:
                out.append(loc.problem(WARNING, "checkin.future",
                                       f"the check-in of {kr.id} dated {d} is in the future (today is {now}); "
                                       "date it the day the value was measured", path))
            if start and end and start <= end and not (start <= d <= end):
                out.append(loc.problem(WARNING, "checkin.outside-quarter",
                                       f"the check-in of {kr.id} dated {d} is outside the quarter {plan.quarter} "
                                       f"({start} to {end}); a new quarter starts with no check-ins (the old ones "
                                       "are in git history): remove it", path))
        last = latest_checkin(kr)
        if last is None or not _num(last.get("value")):
            continue
        actual = kr.data.get("actual")
        value = last["value"]
        if actual is None or not _num(actual) or float(actual) != float(value):
            when = as_date(last.get("date"))
            if actual is None:
                msg = (f"{kr.id} has check-ins but no `actual`; set `actual = {_show(value)}`, the value of its "
                       f"latest check-in ({when})")
            else:
                msg = (f"`actual` is {_show(actual)} but the latest check-in ({when}) says {_show(value)}; set "
                       f"`actual` to {_show(value)} if the check-in is right, or check in {_show(actual)} "
                       f"(quarterdeck checkin {kr.id} {_show(actual)}) if the actual is newer")
            field = ("actual",) if "actual" in kr.data else ()
            out.append(loc.problem(WARNING, "checkin.actual", msg, kr.path + field))
    return out


def overdue_content(plan: Plan, on: dt.date | None = None) -> list:
    """Content items whose publish date has passed and that are not published (or retired)."""
    now = on or today()
    items = []
    for c in plan.all("content"):
        d = as_date(c.data.get("publish_date"))
        if d is not None and d < now and c.data.get("status") not in UNPUBLISHED_DONE:
            items.append(c)
    return items


def content_problems(plan: Plan, locators: dict, on: dt.date | None = None) -> list[Problem]:
    from .rules_rollover import is_stale_carried

    now = on or today()
    start, _ = quarter_bounds_of(plan)
    out = []
    for c in overdue_content(plan, now):
        if is_stale_carried(c, c.data.get("publish_date"), start):
            continue  # carried by a rollover: in the one rollover.stale-dates summary
        loc = locators.get(c.file)
        if loc is None:
            continue
        d = as_date(c.data.get("publish_date"))
        days = (now - d).days
        out.append(loc.problem(WARNING, "content.overdue",
                               f"{c.id!r} was due to be published on {d} ({days} day{'s' if days != 1 else ''} ago) "
                               f"and is still {c.data.get('status', 'without a status')}; publish it (status = "
                               "\"published\") or give it a new publish_date", c.path + ("publish_date",)))
    return out


def heartbeat_problems(plan: Plan, locators: dict, on: dt.date | None = None) -> list[Problem]:
    """Every rule of this module (what ``validate`` calls)."""
    return checkin_problems(plan, locators, on) + content_problems(plan, locators, on)


__all__ = ["checkin_problems", "content_problems", "heartbeat_problems", "overdue_content"]
