"""A singleton kind (the plan, the SLA, lead scoring) shown as one panel."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from tui.plan.registry import KINDS

from ..detail import render_entity
from ..messages import EditRequested
from ..palette import follow_theme, palette_of


class SingletonPanel(VerticalScroll, can_focus=True):
    """A one-of table ([sla], [lead_scoring]) shown in full, edited with e."""

    ALLOW_MAXIMIZE = True
    MAXIMIZE_PANE = True

    BINDINGS = [
        Binding("e,enter", "edit", "Edit", id="singleton.edit", tooltip="Edit these settings"),
    ]

    def __init__(self, kind: str, id: str | None = None) -> None:
        super().__init__(id=id or f"single-{kind}", classes="singleton")
        self.kind = KINDS[kind]

    def compose(self) -> ComposeResult:
        yield Static(Text("Loading…", style="dim"), classes="detail-body")

    def on_mount(self) -> None:
        follow_theme(self, self.redraw)
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
            body = render_entity(plan, app.session.schemas, entity, app.problems, app.today,
                                 width=self.scrollable_content_region.width or None, pal=palette_of(app))
            if self.kind.name == "lead_scoring":
                body = Text.assemble(body)
        self.query_one(".detail-body", Static).update(body)

    def on_resize(self) -> None:
        self.redraw()

    def action_edit(self) -> None:
        self.post_message(EditRequested(self.kind.name, self.kind.name))  # the main screen opens the form
