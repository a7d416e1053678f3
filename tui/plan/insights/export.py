"""Exports: the content calendar as iCalendar, any kind of entity as CSV.

Calendar events have stable UIDs, ``content-<id>@<company-slug>.quarterdeck``: the
content id does not change from quarter to quarter and no other field goes into it,
so a calendar app that imports the file again updates its events instead of adding
copies.  Each dated content item (``publish_date``) is one all-day event.

Each meeting (``[[meeting]]`` in plan.toml) is one recurring event over the quarter,
``meeting-<id>@<company-slug>.quarterdeck``: its cadence becomes the recurrence rule
(RFC 5545 RRULE, ending on the quarter's last day) on its ``day``:

  weekly     FREQ=WEEKLY;BYDAY=MO
  biweekly   FREQ=WEEKLY;INTERVAL=2;BYDAY=MO
  monthly    FREQ=MONTHLY;BYDAY=1MO            (the first such weekday of each month)
  quarterly  FREQ=MONTHLY;INTERVAL=3;BYDAY=1MO (the first such weekday of the quarter)

The plan holds no time of day: a meeting starts at 09:00 floating local time, or at
``custom.time`` ("14:30") when given, and lasts ``duration_minutes`` (default 60).  Its
owner is the organizer and its attendees are attendees (by their members' email).
"""

from __future__ import annotations

import datetime as _dt
import json

from ..model import Entity, Plan
from ..registry import KINDS, Kind
from ..schema import SchemaSet, load_schemas
from ._common import as_date, plan_data, slugify

ICS_PRODID = "-//Quarterdeck//content calendar//EN"
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CADENCE_RULES = {"weekly": {"freq": "weekly"}, "biweekly": {"freq": "weekly", "interval": 2},
                 "monthly": {"freq": "monthly"}, "quarterly": {"freq": "monthly", "interval": 3}}
_ICS_STATUS = {"published": "CONFIRMED", "scheduled": "CONFIRMED", "retired": "CANCELLED"}


def company_slug(plan: Plan) -> str:
    return slugify(str(plan_data(plan).get("company") or "")) or "plan"


def content_uid(plan: Plan, content_id: str) -> str:
    """The iCalendar UID of a content item: stable across edits and quarters."""
    return f"content-{content_id}@{company_slug(plan)}.quarterdeck"


def _describe(c: Entity) -> str:
    d = c.data
    parts = []
    for label, key in (("Format", "format"), ("Stage", "stage"), ("Status", "status"), ("Owner", "owner"),
                       ("Channel", "channel"), ("Goal", "goal")):
        if d.get(key) not in (None, ""):
            parts.append(f"{label}: {d[key]}")
    for label, key in (("Personas", "personas"), ("Accounts", "accounts")):
        if d.get(key):
            parts.append(f"{label}: {', '.join(map(str, d[key]))}")
    for label, key in (("Summary", "summary"), ("How sales uses it", "sales_use")):
        if isinstance(d.get(key), str) and d[key].strip():
            parts.append(f"{label}: {d[key].strip()}")
    parts.append(f"Quarterdeck content id: {c.id}")
    return "\n".join(parts)


def calendar_ics(plan: Plan, now: _dt.datetime | None = None) -> bytes:
    """The content calendar as an iCalendar file (bytes)."""
    from icalendar import Calendar, Event

    now = now or _dt.datetime.now(_dt.timezone.utc)
    p = plan_data(plan)
    cal = Calendar()
    cal.add("prodid", ICS_PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    name = " ".join(str(x) for x in (p.get("company"), "content calendar", p.get("quarter")) if x)
    cal.add("x-wr-calname", name)
    for c in plan.all("content"):
        day = as_date(c.data.get("publish_date"))
        if day is None:
            continue
        ev = Event()
        ev.add("uid", content_uid(plan, c.id))
        ev.add("dtstamp", now)
        ev.add("dtstart", day)
        ev.add("dtend", day + _dt.timedelta(days=1))
        ev.add("summary", str(c.data.get("title") or c.id))
        ev.add("description", _describe(c))
        ev.add("transp", "TRANSPARENT")
        ev.add("status", _ICS_STATUS.get(str(c.data.get("status")), "TENTATIVE"))
        cats = [str(x) for x in (c.data.get("format"), c.data.get("stage")) if x]
        if cats:
            ev.add("categories", cats)
        url = c.data.get("url")
        if isinstance(url, str) and url:
            ev.add("url", url)
        cal.add_component(ev)
    for ev in meeting_events(plan, now):
        cal.add_component(ev)
    return cal.to_ical()


def meeting_uid(plan: Plan, meeting_id: str) -> str:
    return f"meeting-{meeting_id}@{company_slug(plan)}.quarterdeck"


def _start_time(m: Entity) -> _dt.time:
    custom = m.data.get("custom")
    text = custom.get("time") if isinstance(custom, dict) else None
    if isinstance(text, str):
        try:
            return _dt.time.fromisoformat(text.strip())
        except ValueError:
            pass
    return _dt.time(9, 0)


def _first(start: _dt.date, weekday: int, monthly: bool) -> _dt.date:
    """The first meeting day on or after ``start``: the weekday itself; for a monthly
    cadence, the first such weekday of a month (this one, or the next)."""
    day = start + _dt.timedelta(days=(weekday - start.weekday()) % 7)
    if monthly and day.day > 7:
        nxt = (start.replace(day=1) + _dt.timedelta(days=32)).replace(day=1)
        day = nxt + _dt.timedelta(days=(weekday - nxt.weekday()) % 7)
    return day


def meeting_events(plan: Plan, now: _dt.datetime | None = None) -> list:
    """The plan's meetings as recurring iCalendar events over the quarter."""
    from icalendar import Event, vCalAddress, vRecur

    now = now or _dt.datetime.now(_dt.timezone.utc)
    p = plan_data(plan)
    start, end = as_date(p.get("start")), as_date(p.get("end"))
    if start is None or end is None or end < start:
        return []
    emails = {e.id: e.data.get("email") for e in plan.all("member")}
    names = {e.id: str(e.data.get("name") or e.id) for e in plan.all("member")}
    out = []
    for m in plan.all("meeting"):
        rule = CADENCE_RULES.get(str(m.data.get("cadence")))
        if rule is None:
            continue
        day_name = str(m.data.get("day") or "")
        weekday = WEEKDAYS.index(day_name) if day_name in WEEKDAYS else start.weekday()
        monthly = rule["freq"] == "monthly"
        first = _first(start, weekday, monthly)
        if first > end:
            continue
        begin = _dt.datetime.combine(first, _start_time(m))
        minutes = m.data.get("duration_minutes")
        minutes = minutes if isinstance(minutes, int) and not isinstance(minutes, bool) and minutes > 0 else 60
        byday = WEEKDAYS[weekday][:2].upper()
        recur = {"freq": rule["freq"], "byday": [("1" if monthly else "") + byday],
                 "until": _dt.datetime.combine(end, _dt.time(23, 59, 59))}
        if rule.get("interval"):
            recur["interval"] = rule["interval"]
        ev = Event()
        ev.add("uid", meeting_uid(plan, m.id))
        ev.add("dtstamp", now)
        ev.add("dtstart", begin)
        ev.add("duration", _dt.timedelta(minutes=minutes))
        ev.add("rrule", vRecur(recur))
        ev.add("summary", str(m.data.get("name") or m.id))
        purpose = m.data.get("purpose")
        ev.add("description", (purpose.strip() + "\n" if isinstance(purpose, str) and purpose.strip() else "")
               + f"Cadence: {m.data.get('cadence')}\nQuarterdeck meeting id: {m.id}")
        ev.add("categories", ["meeting"])
        owner = m.data.get("owner")
        if isinstance(emails.get(owner), str):
            org = vCalAddress(f"mailto:{emails[owner]}")
            org.params["cn"] = names[owner]
            ev.add("organizer", org)
        for who in m.data.get("attendees") or []:
            if isinstance(emails.get(who), str):
                att = vCalAddress(f"mailto:{emails[who]}")
                att.params["cn"] = names[who]
                ev.add("attendee", att, encode=0)
        out.append(ev)
    return out


# -- CSV ---------------------------------------------------------------------------------


def schema_path(k: Kind) -> tuple:
    """The data path of one entity of kind ``k`` (indices as 0), for schema lookups."""
    if k.singleton:
        return k.path
    if k.parent is None:
        return k.path + (0,)
    parent = KINDS[k.parent]
    return schema_path(parent) + k.path + (0,)


def columns(kind: str, plan: Plan, schemas: SchemaSet | None = None) -> list[str]:
    """Columns for a kind: its schema's properties in order, then any other keys found."""
    schemas = schemas or load_schemas()
    k = KINDS[kind]
    node, _ = schemas.subschema(k.schema, schema_path(k))
    cols = list(node.get("properties", {})) if isinstance(node, dict) else []
    for e in plan.all(kind):
        for key in e.data:
            if key not in cols:
                cols.append(key)
    if k.addressed_by_parent:
        cols = [c for c in cols if c != "id"]
        cols.insert(0, "id")  # written as PARENT/ID
    return cols


def csv_cell(value) -> str:
    """One value as CSV text: lists of plain values joined with '; ', tables as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "; ".join(csv_cell(v) for v in value)
    if isinstance(value, (dict, list)):
        from ..validation import to_json

        try:
            return json.dumps(to_json(value, []), ensure_ascii=False, sort_keys=False)
        except (TypeError, ValueError):
            return str(value)
    try:
        return str(value)
    except ValueError:  # an integer with more digits than Python converts to text
        from ._common import show_number

        return show_number(value)


# A spreadsheet runs a cell that begins with one of these as a formula (OWASP, "CSV
# Injection"; ASVS 1.2.10 adds NUL): such text cells get a leading single quote, which
# spreadsheets show as text, and are always quoted.  Numbers stored as numbers (a
# negative actual) stay numbers.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\x00")


def is_plain_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def neutralise(text: str) -> tuple[str, bool]:
    """(cell text, forced quoting): text a spreadsheet would run as a formula gets a
    leading ``'`` and must be quoted."""
    if text.startswith(FORMULA_START):
        return "'" + text, True
    return text, False


def _csv_line(cells: list[tuple[str, bool]]) -> str:
    out = []
    for text, force in cells:
        if force or any(ch in text for ch in ',"\r\n') or text != text.strip(" "):
            text = '"' + text.replace('"', '""') + '"'
        out.append(text)
    return ",".join(out) + "\r\n"


def export_csv(plan: Plan, kind: str, schemas: SchemaSet | None = None) -> str:
    """Every entity of ``kind`` as CSV text (header row first).  Text cells that a
    spreadsheet would run as a formula (beginning with ``=``, ``+``, ``-``, ``@``, a tab
    or a carriage return) are neutralised: prefixed with ``'`` and quoted."""
    if kind not in KINDS:
        raise KeyError(kind)
    cols = columns(kind, plan, schemas)
    lines = [_csv_line([neutralise(str(c)) for c in cols])]
    for e in plan.all(kind):
        cells = []
        for c in cols:
            value = e.id if c == "id" and KINDS[kind].addressed_by_parent else e.data.get(c)
            text = csv_cell(value)
            cells.append((text, False) if is_plain_number(value) else neutralise(text))
        lines.append(_csv_line(cells))
    return "".join(lines)
