"""Content: the list and the month calendar."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import TabbedContent, TabPane

from ..messages import (
    CurrentChanged,
)
from .calendar import CalendarView
from .lists import DetailPane, EntityList, ListDetail


class ContentView(Vertical):
    BINDINGS = [
        Binding("v", "toggle", "List/Calendar", id="content.toggle",
                tooltip="Switch between the content list and the month calendar"),
    ]

    def compose(self) -> ComposeResult:
        with TabbedContent(id="content-tabs"):
            with TabPane("List", id="content-list"):
                yield ListDetail(EntityList("content"), id="content-main")
            with TabPane("Calendar", id="content-calendar"):
                with Horizontal(classes="list-detail", id="calendar-pane"):
                    yield CalendarView(id="calendar")
                    yield DetailPane(id="calendar-detail")

    def action_toggle(self) -> None:
        tabs = self.query_one("#content-tabs", TabbedContent)
        tabs.active = "content-calendar" if tabs.active == "content-list" else "content-list"
        target = "#calendar" if tabs.active == "content-calendar" else "#table-content"
        self.call_after_refresh(self.query_one(target).focus)

    @on(CalendarView.Picked)
    def _picked(self, event: CalendarView.Picked) -> None:
        self.query_one("#calendar-detail", DetailPane).show("content", event.entity_id)
        shown = self.query_one("#content-tabs", TabbedContent).active == "content-calendar"
        if event.entity_id and shown:  # what the user looks at, not a calendar still hidden
            self.post_message(CurrentChanged("content", event.entity_id))
