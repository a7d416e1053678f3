"""Problems: every error and warning of the plan, with a jump to its entry."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.widgets import Label, Static

from tui.plan.problems import ERROR, Problem
from tui.plan.registry import KINDS

from ..palette import follow_theme, palette_of
from ..messages import (
    ProblemJumpRequested,
)
from ..present import (
    Row,
    view_of,
    visible,
)
from ..table import RowTable

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
            table = RowTable([("message", "Message"), ("where", "Where"), ("entity", "Entry"), ("field", "Field")],
                             id="table-problems", empty_text="Validating…")
            table.min_widths = {"message": 36}  # what is wrong matters most; the rest scrolls
            yield table
        with VerticalScroll(classes="detail"):
            yield Static(Text(""), id="problem-detail")

    def on_mount(self) -> None:
        follow_theme(self, lambda: self._show(self.query_one(RowTable).current_row))
        app = self.app  # read only: the plan, its problems, the schemas
        if app.plan is not None:
            self.set_problems(app.problems, app.validated)

    def set_problems(self, problems: list[Problem], done: bool = True) -> None:
        # errors before warnings; among errors, a file that does not parse explains many
        # other problems: those come first (the sort is stable: otherwise as reported)
        # A row's key stays the problem's place in the list as reported (what others index).
        self.problems = list(problems)
        order = sorted(range(len(problems)),
                       key=lambda i: (problems[i].severity != ERROR, not problems[i].code.startswith("toml.")))
        rows = []
        for i in order:
            p = problems[i]
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
        from ..present import Filter

        table.set_view(view_of(table.rows, Filter([], []), KINDS["plan"], table.sort_column, table.reverse))

    @on(RowTable.Highlighted)
    def _highlighted(self, event: RowTable.Highlighted) -> None:
        event.stop()
        self._show(event.row)

    def _show(self, row: Row | None) -> None:
        pal = palette_of(self.app)
        body = Text()
        if row is not None and row.key < len(self.problems):
            p = self.problems[row.key]
            body.append(f"{p.severity.upper()}  {p.code}\n", style=f"bold {pal.bad if p.severity == ERROR else pal.warn}")
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
        # enter is the view's own key (problems.jump) and runs the jump already: acting
        # on the table's enter too opened the entry's form twice
        if event.mouse:
            self.action_jump()

    def action_jump(self) -> None:
        row = self.query_one(RowTable).current_row
        if row is None:
            return
        self.post_message(ProblemJumpRequested(self.problems[row.key]))
