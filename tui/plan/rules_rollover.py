"""Dates a rollover carried over: one summary per kind and field, not one warning each.

A rollover (``quarterdeck rollover``) marks what it carries with
``custom.carried_from = "<closing quarter>"``.  An account's next step or an unpublished
item's publish date that still lies in that quarter is a date the team has to plan
again; without this rule ``date.outside-quarter`` would warn once per entity (dozens of
warnings after every rollover).  Those dates are left out of ``date.outside-quarter``
and reported here instead, once per kind and field:

  rollover.stale-dates (warning)   dates carried from the closed quarter, still to be planned again

Any other date outside the quarter is still ``date.outside-quarter``, one per entity.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re

from .model import Plan, as_date
from .problems import WARNING, Problem
from .registry import KINDS

_QUARTER = re.compile(r"(\d{4})-Q([1-4])\Z")


def _bounds(quarter: str) -> tuple[dt.date, dt.date] | None:
    m = _QUARTER.match(quarter or "")
    if not m:
        return None
    year, q = int(m.group(1)), int(m.group(2))
    last = 3 * q
    return dt.date(year, last - 2, 1), dt.date(year, last, calendar.monthrange(year, last)[1])


def carried_from(entity) -> str | None:
    custom = entity.data.get("custom")
    value = custom.get("carried_from") if isinstance(custom, dict) else None
    return value if isinstance(value, str) else None


def is_stale_carried(entity, value, plan_start: dt.date | None) -> bool:
    """True when the date ``value`` of ``entity`` lies in the quarter the entity was carried
    from (``custom.carried_from``) and before the plan's start."""
    d = as_date(value)
    if d is None or (plan_start is not None and d >= plan_start):
        return False  # (the cheap test first: most dates are not before the plan)
    bounds = _bounds(carried_from(entity) or "")
    if bounds is None:
        return False
    return bounds[0] <= d <= bounds[1] and (plan_start is None or d < plan_start)


def stale_date_problems(plan: Plan, locators: dict) -> list[Problem]:
    p = plan.find("plan", "plan")
    start = as_date(p.data.get("start")) if p else None
    end = as_date(p.data.get("end")) if p else None
    if start is None or end is None or end < start:
        return []
    out = []
    for k in KINDS.values():
        for fld in k.dated:
            hits = [e for e in plan.all(k.name) if is_stale_carried(e, e.data.get(fld), start)
                    and not (k.name == "content" and e.data.get("status") in ("published", "retired"))]
            if not hits:
                continue
            first = hits[0]
            loc = locators.get(first.file)
            if loc is None:
                continue
            quarters = sorted({carried_from(e) for e in hits})
            ids = ", ".join(e.id for e in hits[:10]) + (f" and {len(hits) - 10} more" if len(hits) > 10 else "")
            noun = k.title.lower() + ("s" if len(hits) != 1 else "")
            out.append(loc.problem(WARNING, "rollover.stale-dates",
                                   f"{len(hits)} {noun} carried from {', '.join(quarters)} still have `{fld}` in "
                                   f"that quarter: {ids}. Give them {plan.quarter} dates (quarterdeck set KIND ID "
                                   f"{fld} YYYY-MM-DD), or roll over with --move-dates shift|quarter-start",
                                   first.path + (fld,)))
    return out


__all__ = ["carried_from", "is_stale_carried", "stale_date_problems"]
