"""The content calendar as a month: weeks by days, items on their publish dates,
coloured by status and marked by it (a circle that fills from idea to published, so
the status reads without colour too; the legend under the title says which is which).
Arrows move the day, n/p pick an item of the day, shift+arrows move the picked item by
a day or a week (through the core's set_field); ◀ ▶ (or < >) change the month.  An
item's title wraps over two lines of its day when the week has room."""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from tui.plan.model import Entity, Plan

from ..messages import EditRequested, MoveRequested
from ..palette import DEFAULT, Palette, follow_theme, palette_of
from ..present import add_months, as_date, month_weeks, visible

# status -> (mark, palette role); the marks fill up as an item gets nearer to published
STATUSES = {
    "idea": ("·", "muted"),
    "planned": ("○", "accent"),
    "drafting": ("◔", "warn"),
    "review": ("◑", "info"),
    "scheduled": ("◕", "bar_info"),
    "published": ("●", "good"),
    "retired": ("×", "retired"),
}


def status_style(status: str, pal: Palette = DEFAULT) -> str:
    role = STATUSES.get(status, ("", ""))[1]
    if role == "retired":
        return "dim strike"
    if role == "muted":
        return "dim"
    return getattr(pal, role, "") if role else ""


def status_mark(status: str) -> str:
    return STATUSES.get(status, ("▪", ""))[0]


# kept for callers that want the style of a status without an app (plain colours)
STATUS_STYLES = {status: status_style(status) for status in STATUSES}
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class CalendarView(Widget, can_focus=True):
    ALLOW_MAXIMIZE = True
    MAXIMIZE_PANE = True
    BINDINGS = [
        Binding("left", "day(-1)", "Previous day", show=False, id="calendar.left", tooltip="Go to the day before"),
        Binding("right", "day(1)", "Next day", show=False, id="calendar.right", tooltip="Go to the day after"),
        Binding("up", "day(-7)", "Week before", show=False, id="calendar.up", tooltip="Go a week back"),
        Binding("down", "day(7)", "Week after", show=False, id="calendar.down", tooltip="Go a week ahead"),
        Binding("shift+left", "move(-1)", "−1 day", id="calendar.earlier", key_display="⇧←",
                tooltip="Move the picked item one day earlier"),
        Binding("shift+right", "move(1)", "+1 day", id="calendar.later", key_display="⇧→",
                tooltip="Move the picked item one day later"),
        Binding("shift+up", "move(-7)", "−1 week", id="calendar.week-earlier", show=False, key_display="⇧↑",
                tooltip="Move the picked item one week earlier"),
        Binding("shift+down", "move(7)", "+1 week", id="calendar.week-later", show=False, key_display="⇧↓",
                tooltip="Move the picked item one week later"),
        Binding("n", "item(1)", "Next item", id="calendar.next", tooltip="Pick the next item of the day"),
        Binding("p", "item(-1)", "Prev item", id="calendar.prev", show=False, tooltip="Pick the previous item"),
        Binding("pageup,less_than_sign", "month(-1)", "Prev month", id="calendar.prev-month", show=False,
                tooltip="Show the previous month"),
        Binding("pagedown,greater_than_sign", "month(1)", "Next month", id="calendar.next-month", show=False,
                tooltip="Show the next month"),
        Binding("t", "today", "Today", id="calendar.today", tooltip="Go to today"),
        Binding("e,enter", "edit", "Edit", id="calendar.edit", show=False, tooltip="Edit the picked item"),
    ]

    DEFAULT_CSS = """
    CalendarView { height: 1fr; padding: 0 1; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    class Picked(Message):
        def __init__(self, calendar: "CalendarView", entity_id: str | None) -> None:
            super().__init__()
            self.calendar = calendar
            self.entity_id = entity_id

        @property
        def control(self) -> "CalendarView":
            return self.calendar

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id)
        self.cursor: dt.date | None = None
        self.picked: str | None = None
        self.by_date: dict[dt.date, list[Entity]] = {}
        self.unscheduled = 0
        self._cells: list[tuple[int, int, int, dt.date, str | None]] = []  # (y, x0, x1, date, item id)
        self._arrows: tuple[tuple[int, int], tuple[int, int]] = ((0, 0), (0, 0))  # x ranges of ◀ and ▶ on line 0

    @property
    def app_(self):
        return self.app  # reads the plan and today; asks for changes by messages

    def on_mount(self) -> None:
        follow_theme(self, self.refresh)
        if self.app_.plan is not None:
            self.set_plan(self.app_.plan, self.app_.today)
            self.post_message(self.Picked(self, self.picked))

    def set_plan(self, plan: Plan, today: dt.date) -> None:
        by_date: dict[dt.date, list[Entity]] = {}
        unscheduled = 0
        for item in plan.all("content"):
            day = as_date(item.data.get("publish_date"))
            if day is None:
                unscheduled += 1
                continue
            by_date.setdefault(day, []).append(item)
        self.by_date = by_date
        self.unscheduled = unscheduled
        if self.picked is not None:
            for day, items in by_date.items():
                if any(i.id == self.picked for i in items):
                    self.cursor = day
                    break
            else:
                self.picked = None
        if self.cursor is None:
            data = plan.files["plan.toml"].data.get("plan", {}) if "plan.toml" in plan.files else {}
            start, end = as_date(data.get("start")), as_date(data.get("end"))
            self.cursor = today if (start is None or end is None or start <= today <= end) else (start or today)
        if self.picked is None:
            items = self.by_date.get(self.cursor, [])
            self.picked = items[0].id if items else None
        self.refresh()

    # -- navigation -----------------------------------------------------------------------

    def _goto(self, day: dt.date) -> None:
        self.cursor = day
        items = self.by_date.get(day, [])
        self.picked = items[0].id if items else None
        self.post_message(self.Picked(self, self.picked))
        self.refresh()

    def action_day(self, delta: int) -> None:
        if self.cursor is not None:
            self._goto(self.cursor + dt.timedelta(days=delta))

    def action_month(self, delta: int) -> None:
        if self.cursor is not None:
            self._goto(add_months(self.cursor, delta))

    def action_today(self) -> None:
        self._goto(self.app_.today)

    def action_item(self, delta: int) -> None:
        items = self.by_date.get(self.cursor, []) if self.cursor else []
        if not items:
            return
        ids = [i.id for i in items]
        pos = ids.index(self.picked) if self.picked in ids else -1
        self.picked = ids[(pos + delta) % len(ids)]
        self.post_message(self.Picked(self, self.picked))
        self.refresh()

    def action_move(self, days: int) -> None:
        if self.picked is None:
            self.notify("No item picked: go to a day with items (n picks the next one).", severity="warning",
                        markup=False)
            return
        self.post_message(MoveRequested("content", self.picked, days))

    def action_edit(self) -> None:
        if self.picked is not None:
            self.post_message(EditRequested("content", self.picked))

    # -- mouse -------------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            (p0, p1), (n0, n1) = self._arrows
            if p0 <= offset.x < p1:
                self.action_month(-1)
            elif n0 <= offset.x < n1:
                self.action_month(1)
            return
        for y, x0, x1, day, item_id in self._cells:
            if y == offset.y and x0 <= offset.x < x1:
                self.cursor = day
                if item_id is not None:
                    self.picked = item_id
                else:
                    items = self.by_date.get(day, [])
                    if self.picked not in [i.id for i in items]:
                        self.picked = items[0].id if items else None
                self.post_message(self.Picked(self, self.picked))
                self.refresh()
                if event.chain >= 2 and item_id is not None:
                    self.action_edit()
                return

    # -- drawing ------------------------------------------------------------------------------

    def render(self) -> Text:
        width = self.content_region.width or 80
        height = self.content_region.height or 20
        text = Text(no_wrap=True, overflow="crop")
        self._cells = []
        if self.cursor is None:
            text.append("Loading…", style="dim")
            return text
        pal = palette_of(self.app)
        month = self.cursor.replace(day=1)
        weeks = month_weeks(month.year, month.month)
        # a weekend with nothing on it gets a narrow column, its room goes to the weekdays
        quiet = not any(self.by_date.get(day) for week in weeks for day in week[5:])
        widths = _column_widths(width, quiet)
        col = widths[0]
        title = month.strftime("%B %Y")
        text.append(" ◀ ", style="bold reverse")
        text.append(f" {title} ", style="bold")
        text.append(" ▶ ", style="bold reverse")
        self._arrows = ((0, 3), (3 + cell_len(title) + 2, 3 + cell_len(title) + 5))
        legend = Text()
        for status in STATUSES:
            legend.append(f"{status_mark(status)} {status}", style=status_style(status, pal))
            legend.append("  ")
        legend.rstrip()
        head = 3 + cell_len(title) + 2 + 3 + 2
        legend_lines = 0
        if head + legend.cell_len <= width:
            text.append("  ")
            text.append_text(legend)
        else:  # the legend on a line of its own, cut if it must be
            legend.truncate(width, overflow="ellipsis")
            text.append("\n")
            text.append_text(legend)
            legend_lines = 1
        text.append("\n")
        for name, w in zip(DAY_NAMES, widths):
            text.append(set_cell_size(f" {name}", w) + " ", style="bold")
        text.append("\n")
        footer_lines = 1
        room_lines = height - 2 - legend_lines - footer_lines
        base = max(2, room_lines // len(weeks))
        # the lines left over go to the busiest weeks (one more item each), not to the bottom
        week_lines = [base] * len(weeks)
        spare = room_lines - base * len(weeks)
        busiest = sorted(range(len(weeks)), key=lambda w: -max(len(self.by_date.get(d, [])) for d in weeks[w]))
        for w in busiest:
            if spare <= 0:
                break
            if max(len(self.by_date.get(d, [])) for d in weeks[w]) >= base:
                week_lines[w] += 1
                spare -= 1
        y = 2 + legend_lines
        for w_index, week in enumerate(weeks):
            per_week = week_lines[w_index]
            lines = [Text() for _ in range(per_week)]
            for c, day in enumerate(week):
                x0 = sum(w + 1 for w in widths[:c])
                col = widths[c]
                items = self.by_date.get(day, [])
                in_month = day.month == month.month
                is_cursor = day == self.cursor
                is_today = day == self.app_.today
                head_style = "reverse bold" if is_cursor and self.has_focus else ("bold underline" if is_cursor else "")
                if not in_month:
                    head_style += " dim"
                head = f"{day.day:>2}" + (" today" if is_today and col >= 9 else ("•" if is_today else ""))
                if items:
                    count = f" ({len(items)})"
                    if cell_len(head) + cell_len(count) <= col:
                        head += count
                lines[0].append(set_cell_size(head, col), style=head_style.strip() or None)
                lines[0].append("│" if c < 6 else "")
                self._cells.append((y, x0, x0 + col, day, None))
                room = per_week - 1
                shown = items
                if len(items) > room:
                    # room for room-1 items and a "+N more" line (or for one item alone)
                    shown = items[: max(1, room - 1)]
                    picked = [i for i in items if i.id == self.picked]
                    if picked and picked[0] not in shown:
                        shown = shown[:-1] + picked
                # the lines of each shown item: two when the day has room for them all
                two = len(items) == len(shown) and 2 * len(shown) <= room
                chips: list[tuple[Entity | None, str, str]] = []  # (item, text, style)
                for item in shown:
                    status = str(item.data.get("status"))
                    style = status_style(status, pal)
                    if item.id == self.picked and is_cursor:
                        style = f"{style} reverse".strip()
                    if not in_month:
                        style = f"{style} dim".strip()
                    label = f"{status_mark(status)} {visible(item.label)}"
                    if two and cell_len(label) > col:
                        first, rest = _split(label, col)
                        chips.append((item, first, style))
                        chips.append((item, "  " + rest, style))
                    else:
                        chips.append((item, label, style))
                for r in range(1, per_week):
                    line = lines[r]
                    k = r - 1
                    if k < len(chips):
                        item, label, style = chips[k]
                        if cell_len(label) > col:
                            label = set_cell_size(label, col - 1) + "…"
                        line.append(set_cell_size(label, col), style=style or None)
                        self._cells.append((y + r, x0, x0 + col, day, item.id if item else None))
                    elif k == len(chips) and len(items) > len(shown):
                        line.append(set_cell_size(f" +{len(items) - len(shown)} more", col), style="dim")
                        self._cells.append((y + r, x0, x0 + col, day, None))
                    else:
                        line.append(" " * col)
                        self._cells.append((y + r, x0, x0 + col, day, None))
                    line.append("│" if c < 6 else "")
            for line in lines:
                text.append_text(line)
                text.append("\n")
            y += per_week
        picked = next((i for i in self.by_date.get(self.cursor, []) if i.id == self.picked), None)
        if picked is not None:
            text.append("▸ ", style="bold")
            status = str(picked.data.get("status"))
            text.append(f"{status_mark(status)} {visible(picked.label)}", style=status_style(status, pal))
            text.append(f"  {picked.data.get('status', '')} · {self.cursor.isoformat()}", style="dim")
        else:
            text.append(f"{self.cursor.isoformat()}: nothing planned", style="dim")
        text.append(f"   ({self.unscheduled} without a date)", style="dim")
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_resize(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


def _column_widths(width: int, quiet_weekend: bool) -> list[int]:
    """The widths of the seven day columns (a separator after each but the last)."""
    if quiet_weekend:
        weekday = max(6, (width - 6 - 2 * 4) // 5)
        return [weekday] * 5 + [4, 4]
    return [max(6, (width - 7) // 7)] * 7


def _split(label: str, width: int) -> tuple[str, str]:
    """A chip's text in two: the first line up to ``width`` cells, broken at a space when
    one is near the end, and the rest (cut by the caller if it is still too long)."""
    cut = set_cell_size(label, width)
    space = cut.rfind(" ", 2)
    if space > width // 2:
        return label[:space], label[space + 1:]
    return cut, label[len(cut):]
