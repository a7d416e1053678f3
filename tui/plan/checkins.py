"""Check-ins: the dated values of a key result, its weekly heartbeat.

A key result holds its check-ins as an array of tables, oldest first::

    [[goal.key_result.checkin]]
    date = 2026-11-30
    value = 2310000
    confidence = 7
    note = "Two webinar cohorts converted"
    by = "rita-alvarez"

``actual`` stays on the key result and equals the latest check-in's value (readers
that only want the number keep working; ``quarterdeck check`` warns when they differ).

Confidence is an integer from 0 (no chance of reaching the target) to 10 (certain), as
in common OKR tools: 7-10 reads as on track, 4-6 as at risk, 0-3 as off track.

``add_checkin`` is a surgical edit like ``set``: one new ``[[...checkin]]`` block after
the key result's last check-in (or at the end of its section) and the ``actual`` value
replaced in place; the text is parsed again and must give exactly the intended data.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import types
from typing import TYPE_CHECKING

from .document import parse_toml
from .model import Entity, Plan, as_date, collect_entities
from .problems import PlanError
from .registry import KINDS
from .schema import SchemaSet, load_schemas
from .schema_errors import entity_errors

if TYPE_CHECKING:  # (edit and tomlkit are imported by the functions that write: a check needs neither)
    from .edit import Change
from .tomlindex import value_span

CHECKIN_KEY = "checkin"
CONFIDENCE_MIN, CONFIDENCE_MAX = 0, 10
NOTE_MAX = 280
# Confidence bands: (lowest confidence, reading), highest first.
CONFIDENCE_BANDS = ((7, "on_track"), (4, "at_risk"), (0, "off_track"))


def today() -> dt.date:
    """Today's date; ``QUARTERDECK_TODAY`` (YYYY-MM-DD) sets it for reproducible runs and tests."""
    value = os.environ.get("QUARTERDECK_TODAY", "").strip()
    if value:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    return dt.date.today()


def confidence_reading(confidence) -> str | None:
    """on_track / at_risk / off_track for a confidence on the 0-10 scale (None when not one)."""
    if not isinstance(confidence, int) or isinstance(confidence, bool):
        return None
    for lowest, reading in CONFIDENCE_BANDS:
        if confidence >= lowest:
            return reading
    return None


def _is_number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def checkins_of(kr) -> list[dict]:
    """The key result's check-ins (tables only), in file order."""
    data = getattr(kr, "data", kr)
    items = data.get(CHECKIN_KEY) if isinstance(data, dict) else None
    return [c for c in items if isinstance(c, dict)] if isinstance(items, list) else []


def latest_checkin(kr) -> dict | None:
    """The check-in with the latest date (the last one written when dates tie or are missing)."""
    best, best_date = None, None
    for c in checkins_of(kr):
        d = as_date(c.get("date"))
        if best is None or (d is not None and (best_date is None or d >= best_date)):
            best, best_date = c, d
    return best


def quarter_bounds_of(plan: Plan) -> tuple[dt.date | None, dt.date | None]:
    p = plan.find("plan", "plan")
    if p is None:
        return None, None
    return as_date(p.data.get("start")), as_date(p.data.get("end"))


def _members(plan: Plan) -> set[str]:
    return {m.id for m in plan.all("member")}


def check_new_checkin(plan: Plan, kr: Entity, entry: dict, *, on: dt.date | None = None) -> list[str]:
    """Why ``entry`` cannot be added to ``kr`` (empty when it can)."""

    now = on or today()
    reasons = []
    value = entry.get("value")
    if not _is_number(value):
        reasons.append(f"the value {value!r} is not a number")
    d = entry.get("date")
    if not isinstance(d, dt.date) or isinstance(d, dt.datetime):
        reasons.append(f"the date {d!r} is not a date (write YYYY-MM-DD)")
        d = None
    start, end = quarter_bounds_of(plan)
    if d is not None:
        if d > now:
            reasons.append(f"the date {d} is in the future (today is {now}); check in what was measured")
        if start and end and not (start <= d <= end):
            reasons.append(f"the date {d} is outside the quarter {plan.quarter} ({start} to {end}); give a date "
                           "inside it (--date, or a date column)")
        dates = [as_date(c.get("date")) for c in checkins_of(kr)]
        dates = [x for x in dates if x is not None]
        if d in dates:
            reasons.append(f"{kr.id} already has a check-in on {d}; change that one (quarterdeck set) or pick "
                           "another date")
        elif dates and d < max(dates):
            reasons.append(f"the date {d} is before {kr.id}'s latest check-in ({max(dates)}); check-ins are "
                           "added in date order")
    c = entry.get("confidence")
    if c is not None and (not isinstance(c, int) or isinstance(c, bool) or not CONFIDENCE_MIN <= c <= CONFIDENCE_MAX):
        reasons.append(f"the confidence {c!r} is not a whole number from {CONFIDENCE_MIN} to {CONFIDENCE_MAX}")
    note = entry.get("note")
    if note is not None:
        if not isinstance(note, str):
            reasons.append("the note must be text")
        elif len(note) > NOTE_MAX:
            reasons.append(f"the note is {len(note)} characters long; keep it to {NOTE_MAX}")
        elif any(ch in note for ch in "\r\n"):
            reasons.append("the note must be one line")
    by = entry.get("by")
    if by is not None:
        members = _members(plan)
        if by not in members:
            import difflib

            close = difflib.get_close_matches(str(by), sorted(members), n=1)
            reasons.append(f"no member has the id {by!r}" + (f"; did you mean {close[0]!r}?" if close else ""))
    return reasons


def new_checkin(plan: Plan, kr: Entity, value, *, date: dt.date | None = None, confidence: int | None = None,
                note: str | None = None, by: str | None = None, on: dt.date | None = None) -> dict:
    """The check-in table to add, in schema order; ``by`` defaults to the key result's owner."""

    entry: dict = {"date": date or on or today(), "value": value}
    if confidence is not None:
        entry["confidence"] = confidence
    if note is not None and note.strip():
        entry["note"] = note.strip()
    who = by if by is not None else kr.data.get("owner")
    if isinstance(who, str) and who:
        entry["by"] = who
    return entry


def _header_text(tf, path: tuple) -> str | None:
    """The key text in the header of the table at ``path`` (``goal.key_result``)."""
    i = tf.index.header_numbers.get(path)
    if i is None:
        return None
    line = tf.text.split("\n")[tf.index.headers[i].line]
    m = re.match(r"\s*\[\[?\s*(.*?)\s*\]\]?\s*(#.*)?\r?$", line)
    return m.group(1) if m else None


def _work_copy(plan: Plan) -> Plan:
    work = Plan(root=plan.root, files=dict(plan.files), syntax_errors=list(plan.syntax_errors))
    work.entities = collect_entities(work.files)
    return work


def add_checkin(plan: Plan, kr_id: str, entry: dict, *, schemas: SchemaSet | None = None,
                on: dt.date | None = None) -> Change:
    """A Change that appends ``entry`` (see ``new_checkin``) to the key result ``kr_id``'s
    check-ins and sets its ``actual`` to the entry's value.  Nothing is written."""
    return add_checkins(plan, [(kr_id, entry)], schemas=schemas, on=on)


def add_checkins(plan: Plan, entries: list[tuple[str, dict]], *, schemas: SchemaSet | None = None,
                 on: dt.date | None = None, check_schema: bool = True) -> Change:
    """One Change that adds many check-ins (``(GOAL/KR, entry)`` pairs, several per key
    result allowed, added in date order) in a single splice: each ``actual`` value is
    replaced in place and each new block inserted after its key result's last check-in;
    the text is parsed once and must give exactly the intended data.  Refused as a whole
    (``EditError``) when any entry breaks a rule."""
    from .edit import (
        Change,
        EditError,
        entity_span,
        insert_block,
        open_along,
        render_key,
        render_value,
    )

    schemas = schemas or load_schemas()
    if not entries:
        raise EditError("no check-ins to add", code="checkin.none")
    by_kr: dict[str, list[dict]] = {}
    krs: dict[str, Entity] = {}
    for kr_id, entry in entries:
        kr = plan.get("key_result", kr_id)
        krs[kr.id] = kr
        by_kr.setdefault(kr.id, []).append(entry)
    files = {kr.file for kr in krs.values()}
    if len(files) != 1:
        raise EditError("check-ins of key results in different files are separate edits", code="checkin.files")
    file = files.pop()
    tf = plan.files[file]
    reasons = []
    for kr_id, items in by_kr.items():
        items.sort(key=lambda x: (as_date(x.get("date")) or dt.date.min))
        kr = krs[kr_id]
        probe = Entity(kr.kind, kr.id, dict(kr.data), kr.file, kr.path)
        for entry in items:
            why = check_new_checkin(plan, probe, entry, on=on)
            if why:
                reasons.append(f"{kr.id} on {entry.get('date')}: " + "; ".join(why) if len(entries) > 1
                               else f"check-in for {kr.id} refused: " + "; ".join(why))
            probe.data[CHECKIN_KEY] = checkins_of(probe) + [entry]
    if reasons:
        raise EditError("; ".join(reasons) if len(entries) == 1 else "check-ins refused: " + " | ".join(reasons),
                        file=file, code="checkin.refused")
    simple = all(_splices_simply(tf, kr) for kr in krs.values())
    if not simple:
        return _add_slowly(plan, file, [(kr_id, e) for kr_id, items in by_kr.items() for e in items], schemas)
    # the intended data: containers copied along each key result's path only
    expected = dict(tf.data)
    copied = {id(expected)}
    text = tf.text
    replacements, insertions = [], []
    for kr_id, items in by_kr.items():
        kr = krs[kr_id]
        node = open_along(expected, kr.path, copied)
        old_items = checkins_of(kr.data) if isinstance(kr.data.get(CHECKIN_KEY), list) else []
        node[CHECKIN_KEY] = list(kr.data.get(CHECKIN_KEY) or []) + items
        value = items[-1]["value"]
        if kr.data.get("actual") != value or type(kr.data.get("actual")) is not type(value):
            node["actual"] = value
            start, end = value_span(tf.index, tf.text, kr.path + ("actual",))
            replacements.append((start, end, render_value(value)))
        if old_items:
            at = entity_span(tf, kr.path + (CHECKIN_KEY, len(old_items) - 1))[1]
        else:
            at = entity_span(tf, kr.path)[1]
        header = f"[[{_header_text(tf, kr.path)}.{render_key(CHECKIN_KEY)}]]"
        blocks = []
        for entry in items:
            blocks += ([""] if blocks else []) + [header] + [f"{render_key(k)} = {render_value(v)}"
                                                             for k, v in entry.items()]
        insertions.append((at, blocks))
    for start, end, rendered in sorted(replacements, reverse=True):
        text = text[:start] + rendered + text[end:]  # one line each: line numbers stay
    for at, block in sorted(insertions, key=lambda x: x[0], reverse=True):
        text = insert_block(types.SimpleNamespace(text=text, newline=tf.newline), at, block)
    try:
        data = parse_toml(text, tf.name)
    except PlanError as exc:
        raise EditError(f"the check-in would make {tf.name} invalid TOML ({exc.message}); nothing was saved",
                        file=tf.name, code="edit.verify") from None
    if data != expected:
        raise EditError(f"the check-in would change more of {tf.name} than intended; nothing was saved. "
                        "Add it in a text editor", file=tf.name, code="edit.verify")
    if check_schema:
        _check_krs(schemas, data, krs.values())
    summary = (f"key_result {entries[0][0]}: check-in {entries[0][1]['date']} = {entries[0][1]['value']}"
               if len(entries) == 1 else f"{len(entries)} check-ins added")
    return Change(file, tf, text, data, summary)


def _splices_simply(tf, kr: Entity) -> bool:
    """The fast splice applies: the key result has a header of its own and an ``actual``
    written as a plain key, and its check-ins (if any) are blocks."""

    if _header_text(tf, kr.path) is None:
        return False
    if "actual" not in kr.data or value_span(tf.index, tf.text, kr.path + ("actual",)) is None:
        return False
    if tf.index.header_numbers.get(kr.path + ("actual",)) is not None:
        return False
    items = kr.data.get(CHECKIN_KEY)
    if items is None:
        return True
    return isinstance(items, list) and bool(items) and all(
        tf.index.header_numbers.get(kr.path + (CHECKIN_KEY, i)) is not None for i in range(len(items)))


def _check_krs(schemas: SchemaSet, data: dict, krs) -> None:
    from .edit import EditError

    for kr in krs:
        node = data
        for part in kr.path:
            node = node[part]
        new_errors = entity_errors(schemas, KINDS["key_result"], node, kr.data, name=f"key result {kr.id!r}")
        if new_errors:
            raise EditError("the schema rejects this check-in: " + "; ".join(m.message for m in new_errors)
                            + " (nothing saved)", file=kr.file, code="edit.schema")


def _add_slowly(plan: Plan, file: str, entries: list[tuple[str, dict]], schemas: SchemaSet) -> Change:
    """Check-ins one by one through ``set_field``: for key results written unusually
    (no ``actual`` yet, check-ins inline, no header of their own)."""
    from .edit import Change, EditError, set_field, stage_change

    original = plan.files[file]
    work = _work_copy(plan)
    krs = {}
    for kr_id, entry in entries:
        kr = work.get("key_result", kr_id)
        krs[kr.id] = plan.get("key_result", kr_id)
        if kr.data.get("actual") != entry["value"] or type(kr.data.get("actual")) is not type(entry["value"]):
            stage_change(work, set_field(work, "key_result", kr.id, ("actual",), entry["value"], schemas=schemas,
                                         force=True))
            kr = work.get("key_result", kr_id)
        items = kr.data.get(CHECKIN_KEY)
        if items is not None and not isinstance(items, list):
            raise EditError(f"{kr.id}: `checkin` is not a list; fix it in a text editor", file=file,
                            code="checkin.shape")
        stage_change(work, set_field(work, "key_result", kr.id, (CHECKIN_KEY,), list(items or []) + [entry],
                                     schemas=schemas, force=True))
    tf = work.files[file]
    _check_krs(schemas, tf.data, krs.values())
    return Change(file, original, tf.text, tf.data, f"{len(entries)} check-in(s) added")


def checkin_summary(kr_id: str, old, entry: dict, members: dict[str, str] | None = None) -> str:
    """One line for a check-in: "sourced-pipeline: 2,150,000 → 2,310,000 (confidence 7, Rita: ...)"."""
    def num(v):
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return "—" if v is None else str(v)
        if isinstance(v, float) and not v.is_integer():
            return f"{v:,.2f}".rstrip("0").rstrip(".")
        return f"{int(v):,}"

    extra = []
    if entry.get("confidence") is not None:
        extra.append(f"confidence {entry['confidence']}")
    who = entry.get("by")
    name = (members or {}).get(who, who) if who else ""
    if name or entry.get("note"):
        first = str(name).split()[0] if name else ""
        extra.append(f"{first}: {entry['note']}" if first and entry.get("note") else first or str(entry.get("note")))
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"{kr_id.rsplit('/', 1)[-1]}: {num(old)} → {num(entry.get('value'))}{tail}"


def remove_all_checkins(plan: Plan, kr_id: str) -> Change | None:
    """A Change that removes every check-in of a key result (rollover: the new quarter
    starts with none), or None when it has none."""
    from .edit import set_field

    kr = plan.get("key_result", kr_id)
    if CHECKIN_KEY not in kr.data:
        return None
    if isinstance(kr.data[CHECKIN_KEY], list) and plan.files[kr.file].index.header_numbers.get(
            kr.path + (CHECKIN_KEY, 0)) is not None:
        return set_field(plan, "key_result", kr_id, (CHECKIN_KEY,), [], force=True)  # the blocks go
    from .edit import unset_field

    return unset_field(plan, "key_result", kr_id, (CHECKIN_KEY,), force=True)


__all__ = ["CHECKIN_KEY", "CONFIDENCE_BANDS", "CONFIDENCE_MAX", "CONFIDENCE_MIN", "add_checkin", "add_checkins",
           "check_new_checkin",
           "checkin_summary", "checkins_of", "confidence_reading", "latest_checkin", "new_checkin",
           "quarter_bounds_of", "remove_all_checkins", "today"]
