"""Team: roster, hand-off SLA, lead scoring, meetings, responsibilities."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import TabbedContent, TabPane

from .lists import EntityList, ListDetail
from .singleton import SingletonPanel


class TeamView(Vertical):
    def compose(self) -> ComposeResult:
        with TabbedContent(id="team-tabs"):
            with TabPane("Roster", id="team-roster"):
                yield ListDetail(EntityList("member"))
            with TabPane("Hand-off SLA", id="team-sla"):
                yield SingletonPanel("sla")
            with TabPane("Lead scoring", id="team-scoring"):
                yield ListDetail(EntityList("rule"), extra=[SingletonPanel("lead_scoring")])
            with TabPane("Meetings", id="team-meetings"):
                yield ListDetail(EntityList("meeting"))
            with TabPane("Responsibilities", id="team-resp"):
                yield ListDetail(EntityList("responsibility"))
