"""How plan data is shown: cell text, table rows, filtering, sorting, key-result
progress, the quarter's clock and the calendar grid.  Plain Python, no Textual, so it
can run in worker threads and be tested directly."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
import math
import re
import shlex
from dataclasses import dataclass
from dataclasses import field as _field
from typing import Iterable

from rich.cells import cell_len

from tui.plan.insights import numbers
from tui.plan.model import Entity, Plan, as_date  # noqa: F401 - calendar and main take it from here
from tui.plan.problems import ERROR, Problem
from tui.plan.registry import KINDS, Kind
from tui.plan.safetext import visible_line as visible  # noqa: F401 - one line of plan text, made safe

# -- cell text -----------------------------------------------------------------------

def fmt(value) -> str:
    """A value as one line of text."""
    if type(value) is str:  # most cells: first, and without a call where nothing needs escaping
        return value if value.isprintable() else visible(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, float)):
        # every digit, grouped (3,000,000): the one number formatter decides
        return numbers.full(value, decimals=4)
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            return f"{len(value)} item{'s' if len(value) != 1 else ''}"
        return ", ".join(fmt(v) for v in value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {fmt(v)}" for k, v in value.items()) + "}"
    return visible(str(value))


def plan_currency(plan: Plan | None) -> str:
    """The plan's currency code (``plan.toml`` ``currency``), or "" when it has none."""
    if plan is None or "plan.toml" not in plan.files:
        return ""
    value = plan.files["plan.toml"].data.get("plan", {}).get("currency")
    return value.strip() if isinstance(value, str) else ""


# Key-result columns that hold a value in the key result's unit (money, percent, days).
_KR_AMOUNTS = ("baseline", "target", "actual")


def cell_text(entity: Entity, column: str, value, currency: str = "") -> str:
    """A list cell: a key result's numbers in its unit (``$3,000,000``, ``64%``, ``12 hours``),
    anything else as ``fmt`` shows it."""
    if entity.kind.name == "key_result" and column in _KR_AMOUNTS and numbers.is_finite_number(value):
        return numbers.amount(value, entity.data.get("unit"), currency, short=False)
    return fmt(value)


def references_phrase(count: int, files) -> str:
    """How many references, in how many files: "25 references in 3 files (a.toml, b.toml, c.toml)"."""
    files = sorted(set(files))
    if count == 0:
        return "no references"
    refs = f"{numbers.full(count)} reference{'s' if count != 1 else ''}"
    where = f"{len(files)} file{'s' if len(files) != 1 else ''}"
    return f"{refs} in {where} ({', '.join(files)})" if files else refs


def rename_preview(referrers) -> str:
    """What a rename will change besides the id, from the entity's referrers: per file,
    how many references and in which entries (the first few)."""
    if not referrers:
        return "Nothing else refers to it: only its id changes."
    by_file: dict[str, list] = {}
    for r in referrers:
        by_file.setdefault(r.file, []).append(r)
    lines = [f"{references_phrase(len(referrers), by_file).capitalize()} will follow:"]
    for file, refs in sorted(by_file.items()):
        names = []
        for r in refs:
            label = visible(f"{r.entity.id}.{r.field}" if r.field else r.entity.id)
            if label not in names:
                names.append(label)
        shown = ", ".join(names[:4]) + (f" and {len(names) - 4} more" if len(names) > 4 else "")
        lines.append(f"  {file}: {len(refs)} — {shown}")
    return "\n".join(lines)


def title_of(key: str) -> str:
    return key.replace("_", " ").capitalize()


def column_value(entity: Entity, column: str):
    if column == "id":
        return entity.own_id if entity.kind.addressed_by_parent else entity.id
    return entity.data.get(column)


def sort_key(value):
    """Numbers before text, in their natural order; missing values sort last."""
    if type(value) is str:
        return (1, 0, value.casefold()) if value else (2, 0, "")
    if value is None or value == []:
        return (2, 0, "")
    if isinstance(value, bool):
        return (0, int(value), "")
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return (0, 0, "")
        return (0, value, "")
    if isinstance(value, (dt.date, dt.time)):
        return (1, 0, value.isoformat())
    if isinstance(value, list):
        return (1, 0, fmt(value).casefold())
    return (1, 0, str(value).casefold())


# -- rows ------------------------------------------------------------------------------


@dataclass
class Row:
    """One table row: an entity's cells and what filtering and sorting need."""

    key: int  # position in the kind's entity list
    id: str  # entity id
    cells: tuple[str, ...]
    sort: tuple  # sort keys, one per column
    haystack: str  # lower-cased label and id, for fuzzy filtering
    data: dict  # the entity's data, for column:value filters on any field
    mark: str = ""  # "error", "warning" or ""
    # what a table needs to size its columns, made once with the row (None: measured then):
    # each cell's width on screen, and per column the flags of ``cell_flags``
    lens: tuple[int, ...] | None = None
    flags: tuple[int, ...] | None = None


# cell_flags: the sort kind of the value (number, text, missing) and whether it is a date
SORT_NUMBER, SORT_TEXT, SORT_MISSING, VALUE_DATE, VALUE_NONE, VALUE_OTHER = 1, 2, 4, 8, 16, 32


def cell_flags(sort: tuple, value, is_id: bool) -> int:
    flags = (SORT_NUMBER, SORT_TEXT, SORT_MISSING)[sort[0]]
    if is_id:
        return flags
    if value is None:
        return flags | VALUE_NONE
    return flags | (VALUE_DATE if isinstance(value, (dt.date, dt.time)) else VALUE_OTHER)


def cell_width(text: str) -> int:
    return len(text) if text.isascii() else cell_len(text)


def columns_for(kind: Kind) -> tuple[str, ...]:
    return kind.columns or ("id", kind.label)


def problem_marks(problems: Iterable[Problem]) -> dict[tuple[str, str], str]:
    marks: dict[tuple[str, str], str] = {}
    for p in problems:
        if not p.kind:
            continue
        key = (p.kind, p.entity or p.kind)
        if p.severity == ERROR or key not in marks:
            marks[key] = p.severity
    return marks


# The rows of the last build per kind, by entity: an edit keeps the entities it did not
# touch (model.refresh_entities), so their rows need not be made again.  A row depends on
# the entity (never changed in place), its place in the list, its problem mark and the
# plan's currency only.
_LAST_ROWS: dict[str, dict[int, tuple[Entity, int, tuple[str, str], Row]]] = {}
_LAST_LISTS: dict[str, list[Row]] = {}  # the list the last build returned (never changed after)


def build_rows(entities: list[Entity], marks: dict[tuple[str, str], str] | None = None,
               currency: str = "") -> list[Row]:
    rows = []
    marks = marks or {}
    kind = entities[0].kind.name if entities else ""
    last = _LAST_ROWS.get(kind, {})
    made: dict[int, tuple[Entity, int, tuple[str, str], Row]] = {}
    all_hits = bool(entities) and len(entities) == len(last)
    for i, e in enumerate(entities):
        mark = marks.get((e.kind.name, e.id), "")
        hit = last.get(id(e))
        if hit is not None and hit[0] is e and hit[1] == i and hit[2] == (mark, currency):
            row = hit[3]
        else:
            all_hits = False
            cols = columns_for(e.kind)
            values = [column_value(e, c) for c in cols]
            label = e.label
            cells = tuple(cell_text(e, c, v, currency) for c, v in zip(cols, values))
            sorts = tuple(sort_key(v) for v in values)
            row = Row(i, e.id, cells, sorts, f"{label} {e.id}".casefold(), e.data, mark,
                      tuple(cell_width(t) for t in cells),
                      tuple(cell_flags(k, v, c == "id") for c, k, v in zip(cols, sorts, values)))
        made[id(e)] = (e, i, (mark, currency), row)
        rows.append(row)
    if kind:
        if all_hits and _LAST_LISTS.get(kind) is not None and len(_LAST_LISTS[kind]) == len(rows):
            return _LAST_LISTS[kind]  # the very rows of the last build: a table need not measure them again
        _LAST_ROWS[kind] = made  # only this build's: the cache never outgrows the lists
        _LAST_LISTS[kind] = rows
    return rows


# -- filtering ---------------------------------------------------------------------------


@dataclass
class Filter:
    fuzzy: list[re.Pattern]
    fields: list[tuple[str, str, str]]  # (field, operator, value)
    words: list[str] = _field(default_factory=list)  # the fuzzy terms as typed (lower case)

    @property
    def empty(self) -> bool:
        return not self.fuzzy and not self.fields


_FIELD_TERM = re.compile(r"([A-Za-z_][\w.]*):(>=|<=|>|<|=)?(.*)\Z", re.S)


def parse_filter(text: str, kind: Kind) -> Filter:
    """``harbor`` (fuzzy on names and ids), ``stage:engaged`` (substring of a field),
    ``tier:=1`` (exact), ``icp_fit:>80`` (numeric); terms are combined with AND."""
    try:
        tokens = shlex.split(text)
    except ValueError:
        tokens = text.split()
    fuzzy, fields, words = [], [], []
    for token in tokens:
        m = _FIELD_TERM.match(token)
        if m and m.group(3) != "":
            fields.append((m.group(1).casefold(), m.group(2) or "", m.group(3).casefold()))
            continue
        letters = [re.escape(ch) for ch in token.casefold() if not ch.isspace()]
        if letters:
            fuzzy.append(re.compile(".*?".join(letters), re.S))
            words.append(token.casefold())
    return Filter(fuzzy, fields, words)


def _field_value(row: Row, kind: Kind, field: str):
    if field == "id":
        return row.id
    data = row.data
    for part in field.split("."):
        if isinstance(data, dict):
            if part in data:  # the usual case, a key written in lower case: no search
                data = data[part]
                continue
            match = next((k for k in data if k.casefold() == part), None)
            data = data.get(match) if match is not None else None
        else:
            return None
    return data


def _filter_text(value) -> str:
    """A value as a filter compares it: numbers without their thousands separators, so
    ``target:3000`` finds 3,000,000 as it is written in the file."""
    if isinstance(value, str) and value.isascii() and value.isprintable():
        return value.lower()  # what fmt would show (nothing to make safe), without its work
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return fmt(value).replace(",", "").casefold()
    return fmt(value).casefold()


def _compare(value, op: str, wanted: str) -> bool:
    if op in (">", "<", ">=", "<="):
        try:
            target = float(wanted)
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            text = _filter_text(value)
            return {">": text > wanted, "<": text < wanted, ">=": text >= wanted, "<=": text <= wanted}[op]
        return {">": number > target, "<": number < target, ">=": number >= target, "<=": number <= target}[op]
    if isinstance(value, list):
        items = [_filter_text(v) for v in value]
        return wanted in items if op == "=" else any(wanted in item for item in items)
    text = _filter_text(value)
    return text == wanted if op == "=" else wanted in text


def matches(row: Row, flt: Filter, kind: Kind) -> bool:
    for pattern in flt.fuzzy:
        if not pattern.search(row.haystack):
            return False
    for field, op, wanted in flt.fields:
        value = _field_value(row, kind, field)
        if value is None or not _compare(value, op, wanted):
            return False
    return True


def view_of(rows: list[Row], flt: Filter, kind: Kind, sort_column: int | None, reverse: bool) -> list[int]:
    """Positions (in ``rows``) of the rows to show, filtered and sorted."""
    picked = [i for i, r in enumerate(rows) if flt.empty or matches(r, flt, kind)]
    if sort_column is None:
        if flt.words:
            # best matches first: words found as they were typed, and early in the name
            def relevance(i):
                hay = rows[i].haystack
                return tuple((0, hay.find(w)) if w in hay else (1, 0) for w in flt.words)

            picked.sort(key=relevance)
        return picked[::-1] if reverse else picked
    present = [i for i in picked if rows[i].sort[sort_column][0] != 2]
    missing = [i for i in picked if rows[i].sort[sort_column][0] == 2]
    present.sort(key=lambda i: rows[i].sort[sort_column], reverse=reverse)
    return present + missing


# -- key results and the quarter ----------------------------------------------------------


def finite_number(value) -> float | None:
    """``value`` as a number that can be drawn or computed with, or None (missing, not a
    number, inf, nan, an integer too large for a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:  # an integer too large for a float
        return None
    return number if math.isfinite(number) else None


def kr_progress(data: dict) -> tuple[float | None, str]:
    """How far a key result has come from its baseline towards its target, respecting
    its direction (0.0 = at baseline, 1.0 = target reached), and a short explanation."""
    target, actual, baseline = finite_number(data.get("target")), finite_number(data.get("actual")), finite_number(data.get("baseline"))
    direction = data.get("direction", "increase")
    if target is None:
        return None, "no target"
    if actual is None:
        return None, "no actual yet"
    if direction == "maintain":
        if target == 0:
            return (1.0 if actual == 0 else 0.0), "hold"
        off = abs(actual - target) / abs(target)
        if not math.isfinite(off):
            return None, "cannot compute progress with these values"
        return max(0.0, 1.0 - off), "hold"
    if baseline is None:
        if direction == "decrease":
            fraction = target / actual if actual > 0 else 1.0
            if not math.isfinite(fraction):
                return None, "cannot compute progress with these values"
            return fraction, "no baseline"
        baseline = 0.0
    span = target - baseline
    if span == 0:
        reached = actual >= target if direction == "increase" else actual <= target
        return (1.0 if reached else 0.0), ""
    fraction = (actual - baseline) / span
    if not math.isfinite(fraction):  # values so large that the arithmetic overflows
        return None, "cannot compute progress with these values"
    if (direction == "increase" and span < 0) or (direction == "decrease" and span > 0):
        return fraction, "target points the other way"
    return fraction, ""


def bar(fraction: float | None, width: int) -> tuple[str, str]:
    """A progress bar ``width`` cells wide: (filled part, empty track)."""
    if fraction is None or not math.isfinite(fraction):
        return "", "·" * width
    f = min(max(fraction, 0.0), 1.0)
    eighths = round(f * width * 8)
    full, rest = divmod(eighths, 8)
    partial = " ▏▎▍▌▋▊▉"[rest] if rest else ""
    text = "█" * full + partial
    return text, "·" * (width - len(text))


def quarter_clock(plan: Plan, today: dt.date) -> tuple[str, float | None]:
    """('34 days left (day 58 of 92)', fraction of the quarter gone)."""
    data = plan.files["plan.toml"].data.get("plan", {}) if "plan.toml" in plan.files else {}
    start, end = as_date(data.get("start")), as_date(data.get("end"))
    if start is None or end is None or end < start:
        return "the quarter's start and end dates are not set", None
    total = (end - start).days + 1
    if today < start:
        n = (start - today).days
        return f"starts in {n} day{'s' if n != 1 else ''} ({total} days long)", 0.0
    if today > end:
        n = (today - end).days
        return f"ended {n} day{'s' if n != 1 else ''} ago", 1.0
    left = (end - today).days
    day = (today - start).days + 1
    return f"{left} day{'s' if left != 1 else ''} left (day {day} of {total})", day / total


# -- calendar ---------------------------------------------------------------------------------


def month_weeks(year: int, month: int) -> list[list[dt.date]]:
    """The weeks (Monday first) that show ``month``, as full weeks of dates."""
    return _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month)


def add_months(day: dt.date, months: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, 1)


def counts(plan: Plan) -> list[tuple[str, int]]:
    return [(k.plural, len(plan.all(k.name))) for k in KINDS.values() if not k.singleton]
