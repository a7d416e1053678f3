"""A kind's list of entries and the detail pane beside it."""

from __future__ import annotations

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.visual import Visual, visualize
from textual.widgets import Input, Label

from tui.plan.registry import KINDS

from ..detail import render_entity
from ..lastchange import LastChanged
from ..palette import follow_theme, palette_of
from ..messages import (
    AddRequested,
    DeleteRequested,
    DuplicateRequested,
    EditRequested,
    RenameRequested,
)
from ..present import (
    Row,
    columns_for,
    parse_filter,
    title_of,
    view_of,
)
from ..table import RowTable


def column_title(kind_name: str, key: str) -> str:
    return {"id": "ID", "icp_fit": "ICP", "sales_owner": "Sales owner", "marketing_owner": "Mkt owner",
            "publish_date": "Publish", "buying_role": "Buying role", "owner_team": "Team",
            "mql_commitment": "MQLs"}.get(key, title_of(key))


class EntityList(Vertical):
    """A filter box, a row count and the table of one kind of entity."""

    ALLOW_MAXIMIZE = True  # m fills the screen with the list (its filter and count too)
    MAXIMIZE_PANE = True

    BINDINGS = [
        Binding("a", "add", "Add", id="list.add", tooltip="Add a new entry (a small form asks for the id and "
                "the required fields)"),
        Binding("e", "edit", "Edit", id="list.edit", tooltip="Edit the selected entry (enter or a double click too)"),
        Binding("c", "duplicate", "Duplicate", id="list.duplicate", show=False, tooltip="Copy the selected entry under a new id"),
        Binding("n,f2", "rename", "Rename", id="list.rename", show=False,
                tooltip="Change the selected entry's id; every reference to it follows"),
        Binding("delete,x", "delete", "Delete", id="list.delete",
                tooltip="Delete the selected entry (asks first, naming what refers to it)"),
        Binding("slash", "filter", "Filter", id="list.filter",
                tooltip="Filter: words match names fuzzily, field:value matches a field"),
    ]

    class Selected(Message):
        """The highlighted entity of a list changed."""

        def __init__(self, entity_list: "EntityList", entity_id: str | None) -> None:
            super().__init__()
            self.entity_list = entity_list
            self.entity_id = entity_id

        @property
        def control(self) -> "EntityList":
            return self.entity_list

    def __init__(self, kind: str, *, scoped: bool = False, id: str | None = None) -> None:
        super().__init__(id=id or f"list-{kind}", classes="entity-list")
        self.kind = KINDS[kind]
        self.scoped = scoped
        self.scope: str | None = None
        self.rows: list[Row] = []
        self._filter_timer = None

    def compose(self) -> ComposeResult:
        with Horizontal(classes="list-toolbar"):
            yield Label(Content(self.kind.plural), classes="list-title")
            yield Input(placeholder="filter: name, or field:value", id=f"filter-{self.kind.name}",
                        classes="list-filter", compact=True)
            yield Label("", id=f"count-{self.kind.name}", classes="list-count", markup=False)
        cols = [(c, column_title(self.kind.name, c)) for c in columns_for(self.kind)]
        table = RowTable(cols, id=f"table-{self.kind.name}", empty_text="Loading…")
        # squeezed to fit the width, a list keeps enough of each entry's name and id to read
        table.min_widths = {self.kind.label: 18, "id": 12}
        yield table

    def on_mount(self) -> None:
        rows = getattr(self.app, "rows", {}).get(self.kind.name, self.rows or None)
        if rows is not None:
            self.set_rows(rows)

    @property
    def table(self) -> RowTable:
        return self.query_one(RowTable)

    @property
    def filter_input(self) -> Input:
        return self.query_one(Input)

    @property
    def current_id(self) -> str | None:
        return self.table.current_id if self.composed else None

    @property
    def composed(self) -> bool:
        """Are the filter box and the table there yet (a list is filled before them too)?"""
        return bool(self.query_children(RowTable)) and bool(self.query(Input))

    def set_rows(self, rows: list[Row], keep_id: str | None = None) -> None:
        if not self.composed:
            self.rows = rows  # shown once the table is there (on_mount)
            return
        table = self.table
        if keep_id is None:
            keep_id = table.current_id
        same = rows is table.rows  # the very rows shown (a check that changed no mark): widths stand
        self.rows = rows
        table.rows = rows
        if not same:
            table._measure()
        self._apply_view(keep_id)

    def set_scope(self, scope: str | None) -> None:
        if scope != self.scope:
            self.scope = scope
            self._apply_view(top=True)

    def _apply_view(self, keep_id: str | None = None, top: bool = False) -> None:
        if not self.composed:
            return
        table = self.table
        flt = parse_filter(self.filter_input.value, self.kind)
        view = view_of(self.rows, flt, self.kind, table.sort_column, table.reverse)
        if self.scoped:
            prefix = f"{self.scope}/" if self.scope else "\0"
            view = [i for i in view if self.rows[i].id.startswith(prefix)]
        table.empty_text = self._empty_text()
        table.set_view(view, keep_id, top)
        total = len(self.rows) if not self.scoped else sum(1 for r in self.rows if r.id.startswith(f"{self.scope}/"))
        count = self.query_one(f"#count-{self.kind.name}", Label)
        count.update(f"{len(view)} of {total}" if len(view) != total else f"{total}")

    def _empty_text(self) -> str:
        """What an empty table says: why it is empty and the key that changes that."""
        typed = self.filter_input.value.strip()
        plural = self.kind.plural.lower()
        if typed:
            shown = typed if len(typed) <= 30 else typed[:29] + "…"
            return f"No {plural} match “{shown}” — Esc clears the filter"
        if self.scoped and not self.scope:
            return f"Select a {KINDS[self.kind.parent].title.lower()} to see its {plural}" if self.kind.parent else ""
        return f"No {plural} yet — press a to add one"

    @on(Input.Changed)
    def _filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        if self._filter_timer is not None:
            self._filter_timer.stop()
        self._filter_timer = self.set_timer(0.12, lambda: self._apply_view(top=True))

    @on(Input.Submitted)
    def _filter_done(self, event: Input.Submitted) -> None:
        event.stop()
        self._apply_view()
        self.table.focus()

    def on_key(self, event: events.Key) -> None:
        if event.key == "escape" and not self.filter_input.has_focus and self.filter_input.value:
            # the empty table says "Esc clears the filter": it does, from the table too
            event.stop()
            self.filter_input.value = ""
            self._apply_view()
            return
        if self.filter_input.has_focus and event.key in ("escape", "down"):
            event.stop()
            if event.key == "escape" and self.filter_input.value:
                self.filter_input.value = ""
                self._apply_view()
            self.table.focus()

    @on(RowTable.SortChanged)
    def _sorted(self, event: RowTable.SortChanged) -> None:
        event.stop()
        self._apply_view()

    @on(RowTable.Highlighted)
    def _highlighted(self, event: RowTable.Highlighted) -> None:
        event.stop()
        self.post_message(self.Selected(self, event.row.id if event.row else None))

    @on(RowTable.Activated)
    def _activated(self, event: RowTable.Activated) -> None:
        event.stop()
        self.post_message(EditRequested(self.kind.name, event.row.id))

    def on_descendant_focus(self) -> None:
        self.post_message(self.Selected(self, self.current_id))

    # actions
    def action_filter(self) -> None:
        self.filter_input.focus()

    def action_add(self) -> None:
        parent = self.scope if self.scoped else None
        self.post_message(AddRequested(self.kind.name, parent))

    def _with_current(self, request) -> None:
        current = self.current_id
        if current is None:
            self.notify(f"No {self.kind.title.lower()} selected.", severity="warning", markup=False)
            return
        self.post_message(request(self.kind.name, current))

    def action_edit(self) -> None:
        self._with_current(EditRequested)

    def action_duplicate(self) -> None:
        self._with_current(DuplicateRequested)

    def action_rename(self) -> None:
        self._with_current(RenameRequested)

    def action_delete(self) -> None:
        self._with_current(DeleteRequested)


class DetailBody(ScrollView, can_focus=False):
    """The detail pane's text, drawn line by line.  Another entry changes the lines and the
    scroll range, never the layout of the screen: a text of its own height (a Static) made
    each move through a list lay out and draw the whole screen again (60 ms a key)."""

    DEFAULT_CSS = """
    DetailBody {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-gutter: stable;
        scrollbar-size-vertical: 1;
        background: transparent;
    }
    """

    def __init__(self, body, classes: str | None = None) -> None:
        super().__init__(classes=classes)
        self._body = body
        self._lines: list[Strip] = []
        self._made_for = -1  # the width the lines were wrapped at
        self._base = None  # the background style, until the styles change

    @property
    def text_width(self) -> int:
        return self.scrollable_content_region.width

    def render(self):
        """The text shown (drawing goes line by line: ``render_line``)."""
        return self._body

    def update(self, body, top: bool = False) -> None:
        self._body = body
        self._make()
        if top and self.scroll_y:
            self.scroll_to(y=0, animate=False, immediate=True)

    def _make(self) -> None:
        width = self.text_width
        self._made_for = width
        if width <= 0:
            self._lines = []
            return
        visual = visualize(self, self._body, markup=False)
        self._lines = Visual.to_strips(self, visual, width, None, self.visual_style)
        size = Size(width, len(self._lines))
        if size != self.virtual_size:
            # the scroll range without a layout of the screen (the reactive would ask for one)
            self.set_reactive(DetailBody.virtual_size, size)
            self._scroll_update(size)
        self.refresh()

    def on_resize(self) -> None:
        self._make()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._made_for = -1
        self._base = None

    def render_line(self, y: int) -> Strip:
        width = self.text_width
        if width != self._made_for:
            self._make()
        index = int(self.scroll_y) + y
        base = self._base
        if base is None:
            base = self._base = self.rich_style
        if 0 <= index < len(self._lines):
            return self._lines[index].crop_extend(0, width, base)
        return Strip.blank(width, base)


class DetailPane(Vertical):
    """The selected entity, all its fields, its children and its problems."""

    ALLOW_MAXIMIZE = True
    MAXIMIZE_PANE = True

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, classes="detail")
        self.shown: tuple[str, str] | None = None
        self.can_focus = False

    def compose(self) -> ComposeResult:
        yield LastChanged(classes="detail-last-change")
        yield DetailBody(Text("Nothing selected", style="dim"), classes="detail-body")

    def on_mount(self) -> None:
        follow_theme(self, self.redraw)

    def on_resize(self) -> None:
        self.redraw()  # bullets hang at the new width

    def show(self, kind: str | None, entity_id: str | None) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        plan = app.plan
        shown = (kind, entity_id) if kind and entity_id else None
        another = shown != self.shown
        self.shown = shown
        entity = plan.find(kind, entity_id) if plan is not None and kind and entity_id else None
        body_widget = self.query_one(DetailBody)
        if plan is None:
            body = Text("Loading…", style="dim")
        else:
            body = render_entity(plan, app.session.schemas, entity, app.problems, app.today,
                                 width=body_widget.text_width or None, pal=palette_of(app))
        body_widget.update(body, top=another)
        self.query_one(LastChanged).show(getattr(app, "plan_dir", None) if entity is not None else None, kind,
                                         entity_id, app.today)

    def redraw(self) -> None:
        if self.shown:
            self.show(*self.shown)


class ListDetail(Horizontal):
    """One or more entity lists beside a detail pane that follows the selection."""

    def __init__(self, *lists: EntityList, id: str | None = None, extra: list | None = None) -> None:
        super().__init__(id=id, classes="list-detail")
        self.lists = lists
        self.extra = extra or []

    def compose(self) -> ComposeResult:
        with Vertical(classes="lists"):
            yield from self.extra
            yield from self.lists
        yield DetailPane()

    @on(EntityList.Selected)
    def _selected(self, event: EntityList.Selected) -> None:
        if event.entity_id != event.entity_list.current_id:
            return  # stale: the list's selection moved on since (a jump, a newer highlight)
        self.query_one(DetailPane).show(event.entity_list.kind.name, event.entity_id)
        for lst in self.lists:
            if lst.scoped and lst is not event.entity_list and KINDS[lst.kind.name].parent == event.entity_list.kind.name:
                lst.set_scope(event.entity_id)
