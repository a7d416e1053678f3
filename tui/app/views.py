"""The parts of the app's screen: entity lists with a filter, the detail pane, the
overview, the problems list."""

from __future__ import annotations

import datetime as dt

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Input, Label, Static

from tui.plan.model import Plan
from tui.plan.problems import ERROR, WARNING, Problem
from tui.plan.registry import KINDS

from .messages import (AddRequested, DeleteRequested, DuplicateRequested, EditRequested, ProblemJumpRequested,
                       RenameRequested)
from .detail import progress_line, render_entity
from .present import Row, bar, columns_for, counts, fmt, parse_filter, quarter_clock, title_of, view_of, visible
from .table import RowTable


def column_title(kind_name: str, key: str) -> str:
    return {"id": "ID", "icp_fit": "ICP", "sales_owner": "Sales owner", "marketing_owner": "Mkt owner",
            "publish_date": "Publish", "buying_role": "Buying role", "owner_team": "Team",
            "mql_commitment": "MQLs"}.get(key, title_of(key))


class EntityList(Vertical):
    """A filter box, a row count and the table of one kind of entity."""

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
        yield RowTable(cols, id=f"table-{self.kind.name}", empty_text="Loading…")

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
        self.rows = rows
        table.empty_text = "Nothing matches the filter" if self.filter_input.value else (
            f"No {self.kind.plural.lower()} yet — press a to add one")
        table.rows = rows
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
        table.set_view(view, keep_id, top)
        total = len(self.rows) if not self.scoped else sum(1 for r in self.rows if r.id.startswith(f"{self.scope}/"))
        count = self.query_one(f"#count-{self.kind.name}", Label)
        count.update(f"{len(view)} of {total}" if len(view) != total else f"{total}")

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


class DetailPane(VerticalScroll):
    """The selected entity, all its fields, its children and its problems."""

    def __init__(self, id: str | None = None) -> None:
        super().__init__(id=id, classes="detail")
        self.shown: tuple[str, str] | None = None
        self.can_focus = False

    def compose(self) -> ComposeResult:
        yield Static(Text("Nothing selected", style="dim"), classes="detail-body")

    def show(self, kind: str | None, entity_id: str | None) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        plan = app.plan
        self.shown = (kind, entity_id) if kind and entity_id else None
        entity = plan.find(kind, entity_id) if plan is not None and kind and entity_id else None
        if plan is None:
            body = Text("Loading…", style="dim")
        else:
            body = render_entity(plan, app.session.schemas, entity, app.problems, app.today)
        self.query_one(".detail-body", Static).update(body)

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


class SingletonPanel(VerticalScroll, can_focus=True):
    """A one-of table ([sla], [lead_scoring]) shown in full, edited with e."""

    BINDINGS = [
        Binding("e,enter", "edit", "Edit", id="singleton.edit", tooltip="Edit these settings"),
    ]

    def __init__(self, kind: str, id: str | None = None) -> None:
        super().__init__(id=id or f"single-{kind}", classes="singleton")
        self.kind = KINDS[kind]

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…", style="dim"), classes="detail-body")

    def on_mount(self) -> None:
        self.redraw()

    def redraw(self) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        plan = app.plan
        if plan is None:
            return
        entity = plan.find(self.kind.name, self.kind.name)
        if entity is None:
            body = Text(f"The plan has no [{self.kind.name}] table yet.", style="dim")
        else:
            body = render_entity(plan, app.session.schemas, entity, app.problems, app.today)
            if self.kind.name == "lead_scoring":
                body = Text.assemble(body)
        self.query_one(".detail-body", Static).update(body)

    def action_edit(self) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        app.edit_entity(self.kind.name, self.kind.name)


# -- overview ---------------------------------------------------------------------------------


def render_overview(plan: Plan, problems: list[Problem], today: dt.date, width: int, validated: bool = True) -> Text:
    text = Text(no_wrap=True, overflow="ellipsis")
    data = plan.files["plan.toml"].data.get("plan", {}) if "plan.toml" in plan.files else {}
    company = visible(str(data.get("company", "")) or "(no company set)")
    team = visible(str(data.get("team", "")))
    text.append(company, style="bold")
    if team:
        text.append(f" · {team}")
    text.append("\n")
    clock, gone = quarter_clock(plan, today)
    text.append(f"Quarter {plan.quarter or '?'}", style="bold")
    text.append(f"   {fmt(data.get('start'))} → {fmt(data.get('end'))}\n")
    text.append(clock, style="bold")
    text.append(f"   today is {today.isoformat()}\n", style="dim")
    if gone is not None:
        filled, track = bar(gone, max(10, min(40, width - 20)))
        text.append(filled, style="blue")
        text.append(track, style="dim")
        text.append(f" {gone * 100:3.0f}% of the quarter gone\n")
    errors = sum(1 for p in problems if p.severity == ERROR)
    warnings = sum(1 for p in problems if p.severity == WARNING)
    text.append("\nProblems  ", style="bold")
    if not validated:
        text.append("checking the plan…\n", style="dim")
    else:
        text.append(f"{errors} error{'s' if errors != 1 else ''}", style="red" if errors else "green")
        text.append(", ")
        text.append(f"{warnings} warning{'s' if warnings != 1 else ''}", style="yellow" if warnings else "green")
        if errors or warnings:
            text.append("   (8 lists them)", style="dim")
        text.append("\n")
    target = data.get("revenue_target")
    if target is not None:
        text.append("Revenue target  ", style="bold")
        text.append(f"{fmt(target)} {fmt(data.get('currency', ''))}")
        deal = data.get("average_deal_size")
        if isinstance(deal, (int, float)) and deal and isinstance(target, (int, float)):
            text.append(f"  ≈ {target / deal:.0f} deals of {fmt(deal)}", style="dim")
        text.append("\n")
    text.append("\nKey results\n", style="bold underline")
    wide = width >= 100
    title_width = max(20, width - 62) if wide else width - 4
    for goal in plan.all("goal"):
        krs = [k for k in plan.all("key_result") if k.parent_id == goal.id]
        text.append(f"{visible(goal.label)}", style="bold")
        text.append(f"  {fmt(goal.data.get('team'))} · {fmt(goal.data.get('status')) or 'no status'}\n", style="dim")
        for kr in krs:
            title = visible(kr.label)
            if len(title) > title_width:
                title = title[: title_width - 1] + "…"
            if wide:
                text.append(f"  {title:<{title_width}} ")
            else:
                text.append(f"  {title}\n    ")
            text.append_text(progress_line(kr.data, 16))
            text.append("\n")
        if not krs:
            text.append("  no key results yet\n", style="dim")
    text.append("\nIn this plan\n", style="bold underline")
    parts = [f"{name} {n}" for name, n in counts(plan)]
    line = ""
    for part in parts:
        if line and len(line) + len(part) + 3 > width - 2:
            text.append(line + "\n")
            line = ""
        line = f"{line} · {part}" if line else part
    if line:
        text.append(line + "\n")
    return text


class OverviewView(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("e", "edit_plan", "Edit plan", id="overview.edit", tooltip="Edit the plan's settings "
                "(company, quarter, dates, stages, targets)"),
    ]

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._insights_for = None

    def compose(self) -> ComposeResult:
        from .insights_view import InsightsPanel

        yield Static(Text("Loading the plan…", style="dim"), id="overview-body")
        yield InsightsPanel()
        yield Static(Text(""), id="overview-rest")

    def redraw(self, resized: bool = False) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        if app.plan is None:
            return
        width = self.scrollable_content_region.width or 80
        text = render_overview(app.plan, app.problems, app.today, width, app.validated)
        # the coverage map and the alignment stage sit between the quarter's summary and the key results
        cut = text.plain.find("\nKey results\n")
        head, rest = (text[:cut], text[cut:]) if cut >= 0 else (text, Text(""))
        self.query_one("#overview-body", Static).update(head)
        self.query_one("#overview-rest", Static).update(rest)
        if not resized and self._insights_for is not app.plan:
            # coverage and stage depend on the plan only: work them out again when it changed
            from .insights_view import InsightsPanel

            self._insights_for = app.plan
            self.query_one(InsightsPanel).recompute()

    def on_resize(self) -> None:
        self.redraw(resized=True)

    def action_edit_plan(self) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        app.edit_entity("plan", "plan")


# -- problems ---------------------------------------------------------------------------------


class ProblemsView(Horizontal):
    BINDINGS = [
        Binding("enter", "jump", "Go to", id="problems.jump", tooltip="Open the entity and field this problem is about"),
    ]

    def __init__(self) -> None:
        super().__init__(id="problems-view", classes="list-detail")
        self.problems: list[Problem] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="lists"):
            with Horizontal(classes="list-toolbar"):
                yield Label(Content("Problems"), classes="list-title")
                yield Label("", id="problems-count", classes="list-count", markup=False)
            yield RowTable([("message", "Message"), ("where", "Where"), ("entity", "Entry"), ("field", "Field")],
                           id="table-problems", empty_text="Validating…")
        with VerticalScroll(classes="detail"):
            yield Static(Text(""), id="problem-detail")

    def on_mount(self) -> None:
        app = self.app  # read only: the plan, its problems, the schemas
        if app.plan is not None:
            self.set_problems(app.problems, app.validated)

    def set_problems(self, problems: list[Problem], done: bool = True) -> None:
        # a file that does not parse explains many other problems: those come first
        problems = sorted(problems, key=lambda p: not p.code.startswith("toml."))
        self.problems = problems
        rows = []
        for i, p in enumerate(problems):
            where = f"{p.file}:{p.line}" if p.line else p.file
            entity = f"{p.kind} {p.entity}".strip() if p.kind else ""
            cells = (visible(p.message), where, visible(entity), visible(p.field))
            rows.append(Row(i, str(i), cells, tuple((1, 0, c.casefold()) for c in cells), "", {}, p.severity))
        table = self.query_one(RowTable)
        table.empty_text = "No problems: the plan is valid" if done else "Validating…"
        table.set_rows(rows)
        errors = sum(1 for p in problems if p.severity == ERROR)
        self.query_one("#problems-count", Label).update(f"{errors} errors, {len(problems) - errors} warnings")

    @on(RowTable.SortChanged)
    def _sorted(self, event: RowTable.SortChanged) -> None:
        event.stop()
        table = event.table
        from .present import Filter

        table.set_view(view_of(table.rows, Filter([], []), KINDS["plan"], table.sort_column, table.reverse))

    @on(RowTable.Highlighted)
    def _highlighted(self, event: RowTable.Highlighted) -> None:
        event.stop()
        body = Text()
        if event.row is not None:
            p = self.problems[event.row.key]
            body.append(f"{p.severity.upper()}  {p.code}\n", style="bold red" if p.severity == ERROR else "bold yellow")
            body.append(f"{p.file}" + (f", line {p.line}, column {p.col}" if p.line else "") + "\n", style="dim")
            if p.kind:
                body.append(f"{p.kind} {p.entity}" + (f" · field {p.field}" if p.field else "") + "\n", style="dim")
            body.append("\n" + visible(p.message) + "\n")
            if p.kind:
                body.append("\nenter opens it", style="dim")
        self.query_one("#problem-detail", Static).update(body)

    @on(RowTable.Activated)
    def _activated(self, event: RowTable.Activated) -> None:
        event.stop()
        self.action_jump()

    def action_jump(self) -> None:
        row = self.query_one(RowTable).current_row
        if row is None:
            return
        self.post_message(ProblemJumpRequested(self.problems[row.key]))
