"""One coverage cell's content and what is missing, as a dialog."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from ..palette import STATUS_ROLE, palette_of
from ..present import visible
from .info import InfoDialog


@dataclass
class CellView:
    persona: str
    persona_name: str
    stage: str
    status: str
    reason: str
    published: list[tuple[str, str]] = field(default_factory=list)  # (id, title)
    planned: list[tuple[str, str]] = field(default_factory=list)
    needs: list[str] = field(default_factory=list)  # what the persona wants to read at this stage


class CellScreen(InfoDialog):
    """The content items of one persona × stage cell."""

    BINDINGS = [Binding("escape,q,enter", "close", "Close", id="cell.close", tooltip="Close")]

    def __init__(self, cell: CellView) -> None:
        super().__init__(classes="dialog-screen", id="cell-screen")
        self.cell = cell
        self.titles = [t for _i, t in cell.published] + [t for _i, t in cell.planned]

    def heading(self) -> Content:
        return Content(visible(f"{self.cell.persona_name or self.cell.persona} × {self.cell.stage}"))

    def body(self) -> ComposeResult:
        cell = self.cell
        pal = palette_of(self.app)
        body = Text()
        body.append(f" Status: {cell.status} ", style=pal.chip(STATUS_ROLE.get(cell.status, "")))
        if cell.reason:
            body.append(f"  ({visible(cell.reason)})", style="dim")
        body.append("\n")
        for heading, items in (("Published", cell.published), ("Planned", cell.planned)):
            body.append(f"\n{heading} ({len(items)})\n", style="bold")
            for item_id, title in items:
                body.append("  • ")
                body.append(visible(title))
                body.append(f"  {visible(item_id)}\n", style="dim")
        if not self.titles:
            body.append("\nNo content for this persona at this stage yet.\n", style=pal.warn)
        if cell.needs:
            body.append("\nThe persona's content needs at this stage\n", style="bold")
            for need in cell.needs:
                body.append("  · ", style="dim")
                body.append(visible(need) + "\n", style="dim")
        yield Static(body, id="cell-body")
