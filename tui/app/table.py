"""A table that draws only the rows on screen.

Textual's DataTable measures every cell of every row when rows are added (about two
seconds for 10,000 accounts, again after each filter), so lists use this lighter
table instead: rows are plain text (never markup), column widths come from the text
lengths, and ``render_line`` builds just the visible lines.  The header stays put,
a click on it sorts by that column (again to reverse), a click on a row selects it,
a double click opens it.

Columns of numbers are right-aligned and never cut (nor are dates): when the columns
do not fit the width, the text columns give up room (widest first, down to a few characters, with an
ellipsis) before anything scrolls sideways.
"""

from __future__ import annotations

import datetime as dt

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from .present import Row

MAX_COLUMN = 30
MIN_TEXT_COLUMN = 8  # a text column is not squeezed below this (or its natural width)
GUTTER = 2
_MARKS = {"error": "✖", "warning": "▲"}


class RowTable(ScrollView, can_focus=True):
    """Rows of text with a fixed header, a row cursor and sortable columns."""

    COMPONENT_CLASSES = {
        "rowtable--header",
        "rowtable--sorted",
        "rowtable--cursor",
        "rowtable--even",
        "rowtable--error",
        "rowtable--warning",
        "rowtable--empty",
    }

    DEFAULT_CSS = """
    RowTable {
        height: 1fr;
        background: $surface;
        scrollbar-gutter: stable;
        & > .rowtable--header { background: $panel; color: $text; text-style: bold; }
        & > .rowtable--sorted { background: $panel; color: $text-primary; text-style: bold; }
        & > .rowtable--cursor { background: $surface-lighten-2; color: $text; }
        &:focus > .rowtable--cursor { background: $block-cursor-background; color: $block-cursor-foreground;
                                      text-style: $block-cursor-text-style; }
        & > .rowtable--even { background: $surface-lighten-1; }
        & > .rowtable--error { color: $text-error; text-style: bold; }
        & > .rowtable--warning { color: $text-warning; text-style: bold; }
        & > .rowtable--empty { color: $text-muted; text-style: italic; }
    }
    """

    BINDINGS = [
        Binding("up,k", "cursor(-1)", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor(1)", "Down", show=False, id="table.down"),
        Binding("pageup", "page(-1)", "Page up", show=False, id="table.page-up"),
        Binding("pagedown", "page(1)", "Page down", show=False, id="table.page-down"),
        Binding("left,h", "scroll_columns(-1)", "Scroll left", show=False, id="table.left"),
        Binding("right,l", "scroll_columns(1)", "Scroll right", show=False, id="table.right"),
        Binding("home,g", "first", "First row", show=False, id="table.first"),
        Binding("end,G", "last", "Last row", show=False, id="table.last"),
        Binding("s", "sort_next", "Sort", id="table.sort", show=False,
                tooltip="Sort by the next column (or click a column header)"),
        Binding("r", "reverse", "Reverse", show=False, id="table.reverse",
                tooltip="Reverse the sort order"),
    ]

    cursor = reactive(0, always_update=True, repaint=False)

    class Highlighted(Message):
        """The cursor moved to another row (``row`` is None when the table is empty)."""

        def __init__(self, table: "RowTable", row: Row | None) -> None:
            super().__init__()
            self.table = table
            self.row = row

        @property
        def control(self) -> "RowTable":
            return self.table

    class Activated(Message):
        """Enter or a double click on a row (``mouse``: the double click)."""

        def __init__(self, table: "RowTable", row: Row, mouse: bool = False) -> None:
            super().__init__()
            self.table = table
            self.row = row
            self.mouse = mouse

        @property
        def control(self) -> "RowTable":
            return self.table

    def __init__(self, columns: list[tuple[str, str]] | None = None, *, empty_text: str = "Nothing here yet",
                 name: str | None = None, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.columns: list[tuple[str, str]] = list(columns or [])  # (key, title)
        self.rows: list[Row] = []
        self.view: list[int] = []
        self.widths: list[int] = [cell_len(t) + 2 for _, t in self.columns]
        self.natural: list[int] = list(self.widths)  # widths before fitting to the screen
        self.numeric: list[bool] = [False] * len(self.columns)  # columns that hold only numbers
        self.fixed: list[bool] = [False] * len(self.columns)  # numbers and dates: never cut
        self.min_widths: dict[str, int] = {}  # column key -> the least room it keeps (its name: more)
        self._fitted_for = -1
        self.sort_column: int | None = None
        self.reverse = False
        self.empty_text = empty_text
        self._last_highlight: object = ()
        # what drawing a line needs, made once: the styles (until the CSS, the theme or the
        # focus changes) and the lines drawn (until the rows, the view, the widths or the
        # styles change).  Moving the cursor draws two lines, not the whole table again.
        self._look: dict | None = None
        self._lines: dict = {}

    # -- data ------------------------------------------------------------------------

    def set_rows(self, rows: list[Row], view: list[int] | None = None, keep_id: str | None = None) -> None:
        """Replace the rows; the cursor stays on ``keep_id`` (or the current row) if it is still shown."""
        current = keep_id if keep_id is not None else self.current_id
        self.rows = rows
        self._lines.clear()
        self._measure()
        self.set_view(view if view is not None else list(range(len(rows))), current)

    def set_view(self, view: list[int], keep_id: str | None = None, top: bool = False) -> None:
        """Show ``view``; the cursor stays on its row, or (when that row is gone) at the same
        place, or at the top when ``top``."""
        current = keep_id if keep_id is not None else self.current_id
        old_pos = 0 if top else self.cursor
        self.view = view
        self._lines.clear()
        self._fit()
        target = old_pos  # the row went away (deleted, filtered out): stay where it was
        if current is not None:
            for pos, i in enumerate(view):
                if self.rows[i].id == current:
                    target = pos
                    break
        self.cursor = min(target, max(0, len(view) - 1))
        self._scroll_to_cursor()
        self.refresh()
        self._post_highlight()

    def _measure(self) -> None:
        """Natural column widths, and which columns hold numbers or dates, from every row."""
        rows = self.rows
        ncols = len(self.columns)
        if rows and all(r.lens is not None and r.flags is not None and len(r.lens) == ncols for r in rows):
            self._measure_made(rows)
            return
        widths = [cell_len(t) + 2 for _, t in self.columns]
        for row in self.rows:
            for c, text in enumerate(row.cells):
                n = len(text)
                if n > widths[c]:
                    widths[c] = min(MAX_COLUMN, cell_len(text) if not text.isascii() else n)
        numeric, fixed = [], []
        for c, (key, _title) in enumerate(self.columns):
            kinds = {row.sort[c][0] for row in self.rows if c < len(row.sort)}
            numeric.append(0 in kinds and kinds <= {0, 2})
            # dates are cut no more than numbers are: "2026-12…" says nothing
            values = [row.data.get(key) for row in self.rows] if key != "id" else []
            dated = any(isinstance(v, (dt.date, dt.time)) for v in values) and all(
                v is None or isinstance(v, (dt.date, dt.time)) for v in values)
            fixed.append(numeric[-1] or dated)
            if fixed[-1]:  # shown whole, however long
                widths[c] = max([widths[c], *(cell_len(row.cells[c]) for row in self.rows)])
        self.natural = widths
        self.numeric = numeric
        self.fixed = fixed
        self._fitted_for = -1
        self._fit()

    def _measure_made(self, rows: list[Row]) -> None:
        """``_measure`` from what each row measured when it was made (a column at a time, in C)."""
        from functools import reduce
        from operator import or_

        from .present import SORT_NUMBER, SORT_TEXT, VALUE_DATE, VALUE_OTHER

        lens = list(zip(*(r.lens for r in rows)))
        flags = list(zip(*(r.flags for r in rows)))
        widths, numeric, fixed = [], [], []
        for c, (_key, title) in enumerate(self.columns):
            longest = max(lens[c]) if lens else 0
            seen = reduce(or_, flags[c], 0) if flags else 0
            numeric.append(bool(seen & SORT_NUMBER) and not seen & SORT_TEXT)
            dated = bool(seen & VALUE_DATE) and not seen & VALUE_OTHER
            fixed.append(numeric[-1] or dated)
            # numbers and dates are shown whole, however long; text up to MAX_COLUMN
            widths.append(max(cell_len(title) + 2, longest if fixed[-1] else min(MAX_COLUMN, longest)))
        self.natural = widths
        self.numeric = numeric
        self.fixed = fixed
        self._fitted_for = -1
        self._fit()

    def _fit(self, force: bool = False) -> None:
        """Column widths for the width on screen: text columns give up room, numbers never."""
        room = self.scrollable_content_region.width - GUTTER
        if room == self._fitted_for and not force:
            self.virtual_size = Size(GUTTER + sum(w + 1 for w in self.widths), len(self.view) + 1)
            return
        self._fitted_for = room
        widths = list(self.natural)
        excess = sum(w + 1 for w in widths) - room if room > 0 else 0
        floors = [w if self.fixed[c] else min(w, max(MIN_TEXT_COLUMN, cell_len(self.columns[c][1]) + 1,
                                                     self.min_widths.get(self.columns[c][0], 0)))
                  for c, w in enumerate(widths)]
        # first down to the floors that keep text readable; then, if a number or a date is
        # still off the right edge (a small screen), the columns before it further
        last_resort = [w if self.fixed[c] else min(w, MIN_TEXT_COLUMN if self.columns[c][0] in self.min_widths else 5)
                       for c, w in enumerate(widths)]
        for floor in (floors, last_resort):
            if floor is last_resort:
                fixed_at = [c for c in range(len(widths)) if self.fixed[c]]
                if not fixed_at or room <= 0:
                    break
                upto = fixed_at[-1]
                excess = sum(w + 1 for w in widths[: upto + 1]) - room
                floor = [f if c < upto else widths[c] for c, f in enumerate(floor)]
            while excess > 0:
                squeezable = [c for c in range(len(widths)) if widths[c] > floor[c]]
                if not squeezable:
                    break
                widest = max(squeezable, key=lambda c: widths[c])
                others = [widths[c] for c in squeezable if c != widest]
                step = min(excess, widths[widest] - floor[widest], max(1, widths[widest] - max(others, default=0)))
                widths[widest] -= step
                excess -= step
        self.widths = widths
        self._lines.clear()
        self.virtual_size = Size(GUTTER + sum(w + 1 for w in widths), len(self.view) + 1)
        self.refresh()

    def on_resize(self) -> None:
        self._fit()

    @property
    def current_row(self) -> Row | None:
        if 0 <= self.cursor < len(self.view):
            return self.rows[self.view[self.cursor]]
        return None

    @property
    def current_id(self) -> str | None:
        row = self.current_row
        return row.id if row is not None else None

    def select_id(self, entity_id: str) -> bool:
        for pos, i in enumerate(self.view):
            if self.rows[i].id == entity_id:
                self.cursor = pos
                self._scroll_to_cursor()
                self._post_highlight()
                return True
        return False

    # -- cursor ------------------------------------------------------------------------

    @property
    def page_height(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        if not self.view:
            return
        top = int(self.scroll_y)
        height = self.page_height
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + height:
            self.scroll_to(y=self.cursor - height + 1, animate=False, immediate=True)

    def _move(self, pos: int) -> None:
        if not self.view:
            return
        self.cursor = max(0, min(len(self.view) - 1, pos))
        self._scroll_to_cursor()
        self._post_highlight()

    def _post_highlight(self) -> None:
        row = self.current_row
        marker = (id(self.rows), row.id if row else None, row.key if row else None)
        if marker != self._last_highlight:
            self._last_highlight = marker
            self.post_message(self.Highlighted(self, row))

    def action_cursor(self, delta: int) -> None:
        self._move(self.cursor + delta)

    def action_page(self, direction: int) -> None:
        self._move(self.cursor + direction * self.page_height)

    def action_scroll_columns(self, direction: int) -> None:
        self.scroll_to(x=max(0, int(self.scroll_x) + direction * 8), animate=False)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.view) - 1)

    def action_sort_next(self) -> None:
        if not self.columns:
            return
        nxt = 0 if self.sort_column is None else self.sort_column + 1
        self.sort_by(None if nxt >= len(self.columns) else nxt, False)

    def action_reverse(self) -> None:
        self.sort_by(self.sort_column, not self.reverse)

    def sort_by(self, column: int | None, reverse: bool) -> None:
        self.sort_column = column
        self.reverse = reverse
        self.post_message(self.SortChanged(self))

    class SortChanged(Message):
        def __init__(self, table: "RowTable") -> None:
            super().__init__()
            self.table = table

        @property
        def control(self) -> "RowTable":
            return self.table

    def key_enter(self) -> None:
        row = self.current_row
        if row is not None:
            self.post_message(self.Activated(self, row))

    # -- mouse ---------------------------------------------------------------------------

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        x, y = offset
        if y == 0:
            column = self._column_at(x + int(self.scroll_x))
            if column is not None:
                if column == self.sort_column:
                    self.sort_by(column, not self.reverse)
                else:
                    self.sort_by(column, False)
            return
        pos = int(self.scroll_y) + y - 1
        if 0 <= pos < len(self.view):
            self._move(pos)
            if event.chain >= 2:
                row = self.current_row
                if row is not None:
                    self.post_message(self.Activated(self, row, mouse=True))

    def _column_at(self, x: int) -> int | None:
        edge = GUTTER
        for c, w in enumerate(self.widths):
            if edge <= x < edge + w + 1:
                return c
            edge += w + 1
        return None

    def on_focus(self) -> None:
        self.notify_style_update()
        self.refresh()

    def on_blur(self) -> None:
        self.notify_style_update()
        self.refresh()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._look = None
        self._lines.clear()

    def _styles(self) -> dict:
        look = self._look
        if look is None:
            base = self.rich_style
            part = self.get_component_rich_style
            look = self._look = {
                "base": base, "cursor": base + part("rowtable--cursor"), "even": base + part("rowtable--even"),
                "header": part("rowtable--header"), "sorted": part("rowtable--sorted"),
                "empty": base + part("rowtable--empty"),
                **{mark: part(f"rowtable--{mark}") for mark in _MARKS},
            }
        return look

    # -- drawing ---------------------------------------------------------------------------

    def _cell(self, text: str, width: int, right: bool = False) -> str:
        if cell_len(text) > width:
            return set_cell_size(text, width - 1) + "…"
        if right:
            return " " * (width - cell_len(text)) + text
        return set_cell_size(text, width)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x, scroll_y = int(self.scroll_x), int(self.scroll_y)
        look = self._styles()
        base = look["base"]
        if y == 0:
            strip = self._header(look)
        else:
            pos = scroll_y + y - 1
            if not self.view and y == 1:
                strip = Strip([Segment("  " + self.empty_text, look["empty"])])
                return strip.crop_extend(0, width, base)
            if pos >= len(self.view):
                return Strip.blank(width, base)
            key = (self.view[pos], pos == self.cursor, pos % 2, scroll_x, width)
            line = self._lines.get(key)
            if line is None:
                if len(self._lines) > 4 * max(40, self.size.height):  # rows scrolled past: let them go
                    self._lines.clear()
                line = self._lines[key] = self._row(pos, look).crop_extend(scroll_x, scroll_x + width, base)
            return line
        return strip.crop_extend(scroll_x, scroll_x + width, base)

    def _header(self, look: dict) -> Strip:
        header, sorted_style = look["header"], look["sorted"]
        segments = [Segment(" " * GUTTER, header)]
        for c, ((_key, title), w) in enumerate(zip(self.columns, self.widths)):
            if c == self.sort_column:
                label = f"{title} {'▼' if self.reverse else '▲'}"
                segments.append(Segment(self._cell(label, w, self._right(c)) + " ", sorted_style))
            else:
                segments.append(Segment(self._cell(title, w, self._right(c)) + " ", header))
        return Strip(segments)

    def _row(self, pos: int, look: dict) -> Strip:
        row = self.rows[self.view[pos]]
        style = look["cursor"] if pos == self.cursor else look["even"] if pos % 2 else look["base"]
        mark = _MARKS.get(row.mark, " ")
        mark_style = style + look[row.mark] if row.mark in look else style
        segments = [Segment(mark, mark_style), Segment(" ", style)]
        text = " ".join(self._cell(cell, w, self._right(c))
                        for c, (cell, w) in enumerate(zip(row.cells, self.widths))) + " "
        segments.append(Segment(text, style))
        return Strip(segments)

    def _right(self, column: int) -> bool:
        return column < len(self.numeric) and self.numeric[column]

    def watch_cursor(self, old: int, new: int) -> None:
        # the rows the cursor left and reached (a scroll, if any, draws everything anyway)
        for pos in {old, new}:
            self.refresh_line(pos + 1)
