"""Quarters: names like ``2026-Q4``, their dates, and moving dates between quarters."""

from __future__ import annotations

import calendar
import datetime as dt
import re

QUARTER_RE = re.compile(r"^(\d{4})-Q([1-4])$")


def is_quarter(name: str) -> bool:
    return bool(QUARTER_RE.match(name or ""))


def parse_quarter(name: str) -> tuple[int, int]:
    m = QUARTER_RE.match(name or "")
    if not m:
        raise ValueError(f"{name!r} is not a quarter; write it as YYYY-QN, e.g. 2026-Q4")
    return int(m.group(1)), int(m.group(2))


def quarter_name(year: int, q: int) -> str:
    return f"{year:04d}-Q{q}"


def quarter_bounds(name: str) -> tuple[dt.date, dt.date]:
    """First and last day of a quarter."""
    year, q = parse_quarter(name)
    first_month = 3 * (q - 1) + 1
    last_month = first_month + 2
    return dt.date(year, first_month, 1), dt.date(year, last_month, calendar.monthrange(year, last_month)[1])


def next_quarter(name: str, steps: int = 1) -> str:
    year, q = parse_quarter(name)
    index = year * 4 + (q - 1) + steps
    return quarter_name(index // 4, index % 4 + 1)


def quarter_index(name: str) -> int:
    year, q = parse_quarter(name)
    return year * 4 + q - 1


def quarter_of(day: dt.date) -> str:
    return quarter_name(day.year, (day.month - 1) // 3 + 1)


def shift_date(day: dt.date, from_quarter: str, to_quarter: str) -> dt.date:
    """The same place in another quarter: 2026-12-18 in Q4 becomes 2027-03-18 in 2027-Q1.

    The last day of a month stays the last day of its month (Nov 30 -> Feb 28)."""
    months = 3 * (quarter_index(to_quarter) - quarter_index(from_quarter))
    total = day.year * 12 + (day.month - 1) + months
    year, month = total // 12, total % 12 + 1
    last = calendar.monthrange(year, month)[1]
    month_end = day.day == calendar.monthrange(day.year, day.month)[1]
    return dt.date(year, month, last if month_end else min(day.day, last))
