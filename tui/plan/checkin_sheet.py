"""The weekly check-in as a sheet: every key result with its last value and where it
should be by today, and many new check-ins saved in one locked, surgical write.

``sheet_rows`` gives the rows (filterable to one owner); ``sheet_entries`` turns what
was typed (value, confidence and note as text) into check-in tables, or says, row by
row, why not; ``save_checkins`` writes them through ``add_checkins`` — the function
``quarterdeck checkin`` uses — under the files' locks (``edit_locked``: read, change and
rename with no other writer in between), one Change per plan file.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from .checkins import CONFIDENCE_MAX, CONFIDENCE_MIN, add_checkins, latest_checkin, new_checkin
from .edit import EditError
from .model import Plan, as_date


@dataclass
class SheetRow:
    kr_id: str  # GOAL/KR
    title: str
    owner: str
    unit: str
    last_value: object  # the latest check-in's value, else actual
    last_date: dt.date | None
    expected: float | None  # expected by today (pace)
    status: str  # computed pace status
    target: object = None
    confidence: int | None = None  # of the latest check-in


def sheet_rows(plan: Plan, on: dt.date, owner: str | None = None) -> list[SheetRow]:
    """Every key result (of ``owner`` when given), in plan order."""
    from .insights.pace import kr_pace

    rows = []
    for kr in plan.all("key_result"):
        if owner and kr.data.get("owner") != owner:
            continue
        last = latest_checkin(kr)
        pace = kr_pace(plan, kr, on)
        value = last.get("value") if last else kr.data.get("actual")
        rows.append(SheetRow(kr.id, str(kr.data.get("title", "")), str(kr.data.get("owner", "")),
                             str(kr.data.get("unit", "")), value, as_date(last.get("date")) if last else None,
                             pace.expected, pace.status, kr.data.get("target"), pace.confidence))
    return rows


def owners(plan: Plan) -> list[str]:
    """The member ids that own at least one key result, in plan order."""
    seen: list[str] = []
    for kr in plan.all("key_result"):
        who = kr.data.get("owner")
        if isinstance(who, str) and who and who not in seen:
            seen.append(who)
    return seen


def sheet_entries(plan: Plan, typed: dict[str, tuple[str, str, str]], on: dt.date,
                  by: str | None = None) -> tuple[list[tuple[str, dict]], dict[str, str]]:
    """``typed``: {GOAL/KR: (value, confidence, note) as typed}.  Rows with no value are
    skipped.  Returns (entries for ``add_checkins``, {GOAL/KR: why a row is refused})."""
    from .insights.imports import parse_number

    entries, refused = [], {}
    for kr_id, (value_text, conf_text, note) in typed.items():
        value_text, conf_text, note = value_text.strip(), conf_text.strip(), note.strip()
        if not value_text:
            if conf_text or note:
                refused[kr_id] = "give a value (confidence and note go with one)"
            continue
        value = parse_number(value_text)
        if value is None:
            refused[kr_id] = f"{value_text!r} is not a number (write 2310000, 2,310,000, 27.5 or 27.5%)"
            continue
        confidence = None
        if conf_text:
            try:
                confidence = int(conf_text)
            except ValueError:
                confidence = -1
            if not CONFIDENCE_MIN <= confidence <= CONFIDENCE_MAX:
                refused[kr_id] = f"confidence {conf_text!r}: a whole number from {CONFIDENCE_MIN} to {CONFIDENCE_MAX}"
                continue
        kr = plan.find("key_result", kr_id)
        if kr is None:
            refused[kr_id] = "this key result is not in the plan any more"
            continue
        entries.append((kr.id, new_checkin(plan, kr, value, date=on, confidence=confidence, note=note or None,
                                           by=by, on=on)))
    return entries, refused


def checkin_changes(plan: Plan, entries: list[tuple[str, dict]], on: dt.date) -> list:
    """One Change per plan file holding the key results (a split layout keeps them apart)."""
    by_file: dict[str, list[tuple[str, dict]]] = {}
    for kr_id, entry in entries:
        by_file.setdefault(plan.get("key_result", kr_id).file, []).append((kr_id, entry))
    return [add_checkins(plan, items, on=on) for items in by_file.values()]


def save_checkins(root: Path | str, entries: list[tuple[str, dict]], on: dt.date,
                  timeout: float | None = None):
    """Write ``entries`` as check-ins into the plan at ``root``, under the files' locks;
    the plan is read again inside the lock (what another writer saved is kept).
    Returns (the plan as written, the Changes written).  Raises EditError (a rule
    refuses an entry), LockTimeout or FileChangedError; nothing is written then."""
    from .edit import edit_locked

    if not entries:
        raise EditError("no check-ins to save: type a value in at least one row", code="checkin.none")
    return edit_locked(root, lambda plan: checkin_changes(plan, entries, on), timeout=timeout)


__all__ = ["SheetRow", "checkin_changes", "owners", "save_checkins", "sheet_entries", "sheet_rows"]
