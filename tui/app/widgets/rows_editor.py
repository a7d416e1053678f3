"""An editor for an array of tables (a buying committee, a message's proof points, a
key result's check-ins): a small table of the rows with keys and buttons to add, edit,
remove and reorder them.

The widget keeps the rows and shows them; it does not edit a row itself.  It posts
``RowsEditor.EditRow`` (index None: a new row) and the form that holds it opens a
sub-form generated from the schema of the array's items, then hands the row back with
``set_row``.  Every change posts ``RowsEditor.Changed``.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.message import Message
from textual.widgets import Button, DataTable

from tui.plan.safetext import visible_line

from ..present import fmt
from .compact import compact

MAX_CELL = 28  # characters of a cell before an ellipsis


@dataclass
class Column:
    key: str
    title: str


def cell_text(value) -> str:
    """What a cell shows for a value: plain, one line, control characters escaped."""
    if value is None:
        return ""
    if isinstance(value, list):
        text = ", ".join(fmt(v) for v in value)
    elif isinstance(value, dict):
        text = "{…}"
    else:
        text = fmt(value)
    text = visible_line(text)
    return text if len(text) <= MAX_CELL else text[: MAX_CELL - 1] + "…"


class RowsEditor(Vertical, can_focus=False):
    """A table of rows (dicts) with add / edit / remove / move up / move down."""

    DEFAULT_CSS = """
    RowsEditor {
        height: auto;
        background: $boost;
    }
    RowsEditor > DataTable {
        height: auto;
        max-height: 10;
        background: $boost;
    }
    RowsEditor > .rows-buttons {
        height: auto;
        padding: 0 0 0 0;
    }
    RowsEditor > .rows-buttons Button {
        margin-right: 1;
        min-width: 6;
    }
    """

    BINDINGS = [
        Binding("a,insert", "add_row", "Add row", id="rows.add", tooltip="Add a row (its own form opens)"),
        Binding("e", "edit_row", "Edit row", id="rows.edit", tooltip="Edit the row under the cursor"),
        Binding("x,delete", "remove_row", "Remove row", id="rows.remove", tooltip="Remove the row under the cursor"),
        Binding("shift+up,minus", "move(-1)", "Move up", id="rows.up", tooltip="Move the row up"),
        Binding("shift+down,plus", "move(1)", "Move down", id="rows.down", tooltip="Move the row down"),
    ]

    @dataclass
    class Changed(Message):
        editor: "RowsEditor"

        @property
        def control(self) -> "RowsEditor":
            return self.editor

    @dataclass
    class EditRow(Message):
        """Open the sub-form of row ``index`` (None: a new row)."""

        editor: "RowsEditor"
        index: int | None

        @property
        def control(self) -> "RowsEditor":
            return self.editor

    def __init__(self, rows: list | None, columns: list[Column], *, noun: str = "row", id: str | None = None,
                 movable: bool = True) -> None:
        super().__init__(id=id)
        self.rows: list = [copy.deepcopy(r) for r in rows] if isinstance(rows, list) else []
        # where each row came from: its index in the rows given, None for a row added here
        self.origins: list[int | None] = list(range(len(self.rows)))
        self.columns = columns
        self.noun = noun
        self.movable = movable

    @property
    def value(self) -> list | None:
        """The rows (None when there are none: the key is then left out)."""
        return [copy.deepcopy(r) for r in self.rows] or None

    def compose(self) -> ComposeResult:
        table = DataTable(cursor_type="row", zebra_stripes=True, show_cursor=True, id=f"{self.id}-table")
        yield table
        with Horizontal(classes="rows-buttons"):
            yield compact(Button(f"Add {self.noun} (a)", id=f"{self.id}-add"))
            yield compact(Button("Edit (e)", id=f"{self.id}-edit"))
            yield compact(Button("Remove (x)", id=f"{self.id}-remove"))
            if self.movable:
                yield compact(Button("▲ (-)", id=f"{self.id}-up", tooltip="Move the row up (shift+up)"))
                yield compact(Button("▼ (+)", id=f"{self.id}-down", tooltip="Move the row down (shift+down)"))

    def on_mount(self) -> None:
        table = self.table
        table.add_column("#", key="#")
        for c in self.columns:
            table.add_column(c.title, key=c.key)
        self._fill()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def focus(self, scroll_visible: bool = True):
        self.table.focus(scroll_visible)
        return self

    def _fill(self, cursor: int | None = None) -> None:
        table = self.table
        keep = table.cursor_row if cursor is None else cursor
        table.clear()
        for n, row in enumerate(self.rows):
            data = row if isinstance(row, dict) else {}
            table.add_row(Text(str(n + 1), style="dim"), *[Text(cell_text(data.get(c.key))) for c in self.columns])
        if not self.rows:
            table.add_row(Text("—", style="dim"), Text(f"no {self.noun}s yet: a adds one", style="dim italic"),
                          *[Text("") for _ in self.columns[1:]])
        if self.rows:
            table.move_cursor(row=max(0, min(keep, len(self.rows) - 1)), animate=False)

    @property
    def cursor(self) -> int | None:
        if not self.rows:
            return None
        return max(0, min(self.table.cursor_row, len(self.rows) - 1))

    def _changed(self, cursor: int | None = None) -> None:
        self._fill(cursor)
        self.post_message(self.Changed(self))

    # -- what the form calls ---------------------------------------------------------------

    def set_row(self, index: int | None, row: dict) -> None:
        """Put an edited row back (index None: add it at the end)."""
        if index is None or not 0 <= index < len(self.rows):
            self.rows.append(row)
            self.origins.append(None)
            index = len(self.rows) - 1
        else:
            self.rows[index] = row
        self._changed(index)

    # -- actions ---------------------------------------------------------------------------------

    def action_add_row(self) -> None:
        self.post_message(self.EditRow(self, None))

    def action_edit_row(self) -> None:
        index = self.cursor
        if index is None:
            self.action_add_row()
            return
        self.post_message(self.EditRow(self, index))

    def action_remove_row(self) -> None:
        index = self.cursor
        if index is None:
            return
        del self.rows[index]
        del self.origins[index]
        self._changed(min(index, len(self.rows) - 1) if self.rows else 0)

    def action_move(self, step: int) -> None:
        index = self.cursor
        if index is None or not self.movable:
            return
        other = index + step
        if not 0 <= other < len(self.rows):
            return
        self.rows[index], self.rows[other] = self.rows[other], self.rows[index]
        self.origins[index], self.origins[other] = self.origins[other], self.origins[index]
        self._changed(other)

    def check_action(self, action: str, parameters) -> bool | None:
        if action == "move" and not self.movable:
            return False  # not offered: the order of these rows means nothing (check-ins go by date)
        return True

    @on(DataTable.RowSelected)
    def _selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_edit_row()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        what = (event.button.id or "").removeprefix(f"{self.id}-")
        {"add": self.action_add_row, "edit": self.action_edit_row, "remove": self.action_remove_row,
         "up": lambda: self.action_move(-1), "down": lambda: self.action_move(1)}.get(what, lambda: None)()
        self.table.focus()
