"""The content calendar as a month: weeks by days, items on their publish dates,
coloured by status.  Arrows move the day, n/p pick an item of the day, shift+arrows
move the picked item by a day or a week (through the core's set_field)."""

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
from ..present import add_months, as_date, month_weeks, visible

STATUS_STYLES = {
    "idea": "grey62",
    "planned": "cyan",
    "drafting": "yellow",
    "review": "magenta",
    "scheduled": "dodger_blue1",
    "published": "green",
    "retired": "grey42 strike",
}
DAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


class CalendarView(Widget, can_focus=True):
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
        Binding("t", "today", "Today", id="calendar.today", show=False, tooltip="Go to today"),
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

    @property
    def app_(self):
        return self.app  # reads the plan and today; asks for changes by messages

    def on_mount(self) -> None:
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
        month = self.cursor.replace(day=1)
        weeks = month_weeks(month.year, month.month)
        col = max(6, (width - 7) // 7)
        title = month.strftime("%B %Y")
        text.append(f"◀ {title} ▶", style="bold")
        legend = Text("  ")
        for status, style in STATUS_STYLES.items():
            legend.append("■", style=style)
            legend.append(f"{status} ")
        if cell_len(title) + 4 + legend.cell_len <= width:
            text.append_text(legend)
        text.append("\n")
        for name in DAY_NAMES:
            text.append(set_cell_size(f" {name}", col) + " ", style="bold")
        text.append("\n")
        footer_lines = 1
        per_week = max(2, (height - 2 - footer_lines) // len(weeks))
        y = 2
        for week in weeks:
            lines = [Text() for _ in range(per_week)]
            for c, day in enumerate(week):
                x0 = c * (col + 1)
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
                for r in range(1, per_week):
                    line = lines[r]
                    k = r - 1
                    if k < len(shown):
                        item = shown[k]
                        style = STATUS_STYLES.get(str(item.data.get("status")), "")
                        if item.id == self.picked and is_cursor:
                            style = f"{style} reverse".strip()
                        if not in_month:
                            style = f"{style} dim".strip()
                        label = visible(item.label)
                        line.append(set_cell_size(label, col), style=style or None)
                        self._cells.append((y + r, x0, x0 + col, day, item.id))
                    elif k == len(shown) and len(items) > len(shown):
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
            text.append(visible(picked.label), style=STATUS_STYLES.get(str(picked.data.get("status")), ""))
            text.append(f"  {picked.data.get('status', '')} · {self.cursor.isoformat()}", style="dim")
        else:
            text.append(f"{self.cursor.isoformat()}: nothing planned", style="dim")
        text.append(f"   ({self.unscheduled} without a date)", style="dim")
        return text

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
