"""The insights panel: persona × journey coverage and the alignment stage."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import Static

from ..dialogs.cell import CellScreen, CellView
from ..guard import WorkerResult, result_handler
from ..palette import DEFAULT, STATUS_ROLE, Palette, follow_theme, palette_of
from ..present import visible
from ..strips import text_strip

LABEL_WIDTH = 20
CELL_WIDTH = 13


@dataclass
class Insights:
    stages: list[str]
    personas: list[tuple[str, str]]
    cells: dict[tuple[str, str], CellView]
    assessment: object  # the alignment stage (tui.plan.insights.stage)
    error: str | None = None


def compute_insights(plan, plan_dir: Path) -> Insights:
    """Coverage cells with item titles, and the alignment stage (quarter tags from git
    when the plan is in a repository)."""
    from tui.plan.insights.coverage import coverage
    from tui.plan.insights.stage import assess_stage

    cov = coverage(plan)
    titles = {e.id: str(e.data.get("title", e.id)) for e in plan.all("content")}
    names = dict(cov.personas)
    cells = {}
    for (persona, stage), cell in cov.cells.items():
        cells[(persona, stage)] = CellView(
            persona, names.get(persona, persona), stage, cell.status, cell.reason,
            [(i, titles.get(i, i)) for i in cell.published], [(i, titles.get(i, i)) for i in cell.planned],
            [str(n) for n in cell.content_needs])
    tags = None
    try:
        from tui.history import quarter_tags

        tags = len(quarter_tags(plan_dir))
    except Exception:  # noqa: BLE001 - no repository (or no git): the stage says history is unknown
        tags = None
    return Insights(cov.stages, cov.personas, cells, assess_stage(plan, quarter_tags=tags))


def stage_lines(assessment, limit: int = 4, pal: Palette = DEFAULT) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    out.append("Alignment stage: ", style="bold")
    out.append(assessment.stage, style=f"bold {pal.accent}")
    nxt = assessment.next_stage
    if nxt is None:
        out.append("  (the last stage: sales and marketing share metrics and rewards)", style="dim")
        return out
    missing = assessment.missing
    out.append(f"  · next: {nxt}", style="dim")
    if missing:
        out.append(f" — {len(missing)} to do:", style="dim")
    for c in missing[:limit]:
        out.append("\n  ✗ ", style=pal.bad)
        out.append(visible(c.title))
        if c.detail:
            out.append(f" — {visible(c.detail)}", style="dim")
    if len(missing) > limit:
        out.append(f"\n  … and {len(missing) - limit} more", style="dim")
    return out


class InsightsReady(WorkerResult):
    def __init__(self, generation: int, insights: Insights | None, error: str | None) -> None:
        super().__init__()
        self.generation = generation
        self.insights = insights
        self.error = error


class CoverageMap(Widget, can_focus=True):
    """A grid of personas (rows) × journey stages (columns): item counts coloured by status."""

    BINDINGS = [
        Binding("up", "move(-1, 0)", "Up", show=False, id="coverage.up"),
        Binding("down", "move(1, 0)", "Down", show=False, id="coverage.down"),
        Binding("left", "move(0, -1)", "Left", show=False, id="coverage.left"),
        Binding("right", "move(0, 1)", "Right", show=False, id="coverage.right"),
        Binding("enter", "open", "Items", id="coverage.open", tooltip="List the content of the selected cell"),
    ]

    DEFAULT_CSS = """
    CoverageMap { height: auto; width: 1fr; }
    """

    def __init__(self, id: str | None = "coverage-map") -> None:
        super().__init__(id=id)
        self.insights: Insights | None = None
        self.row = 0
        self.col = 0

    def set_insights(self, insights: Insights) -> None:
        self.insights = insights
        self.row = min(self.row, max(0, len(insights.personas) - 1))
        self.col = min(self.col, max(0, len(insights.stages) - 1))
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        if self.insights is None:
            return 1
        return 1 + max(1, len(self.insights.personas))

    def cell_width(self) -> int:
        if self.insights is None or not self.insights.stages:
            return CELL_WIDTH
        room = (self.size.width or 80) - LABEL_WIDTH
        return max(5, min(CELL_WIDTH, room // len(self.insights.stages) - 1))

    @property
    def selected(self) -> CellView | None:
        ins = self.insights
        if ins is None or not ins.personas or not ins.stages:
            return None
        return ins.cells.get((ins.personas[self.row][0], ins.stages[self.col]))

    def render_line(self, y: int) -> Strip:
        ins = self.insights
        width = self.size.width
        if ins is None:
            return (Strip.blank(width, self.rich_style) if y else
                    text_strip(Text("Working out content coverage…", style="dim"), self.app.console, width,
                               self.rich_style))
        cw = self.cell_width()
        line = Text(no_wrap=True, overflow="crop")
        if y == 0:
            line.append(" " * LABEL_WIDTH)
            for stage in ins.stages:
                line.append(visible(stage)[:cw].center(cw), style="bold")
                line.append(" ")
        elif y - 1 < len(ins.personas):
            pid, name = ins.personas[y - 1]
            label = visible(name or pid)
            label = label if len(label) < LABEL_WIDTH else label[: LABEL_WIDTH - 2] + "…"
            line.append(f"{label:<{LABEL_WIDTH}}", style="bold" if y - 1 == self.row and self.has_focus else "")
            for j, stage in enumerate(ins.stages):
                cell = ins.cells.get((pid, stage))
                if cell is None:
                    line.append(" " * cw + " ")
                    continue
                count = f"{len(cell.published)}"
                if cell.planned:
                    count += f"+{len(cell.planned)}"
                style = palette_of(self.app).chip(STATUS_ROLE.get(cell.status, ""))
                if y - 1 == self.row and j == self.col:
                    style += " reverse" if self.has_focus else " underline"
                line.append(count.center(cw)[:cw], style=style)
                line.append(" ")
        else:
            return Strip.blank(width, self.rich_style)
        line.truncate(width, pad=True)
        return text_strip(line, self.app.console, width, self.rich_style)

    def action_move(self, dr: int, dc: int) -> None:
        ins = self.insights
        if ins is None or not ins.personas:
            return
        self.row = max(0, min(len(ins.personas) - 1, self.row + dr))
        self.col = max(0, min(len(ins.stages) - 1, self.col + dc))
        self.refresh()

    def action_open(self) -> None:
        cell = self.selected
        if cell is not None:
            self.app.push_screen(CellScreen(cell))

    def on_click(self, event: events.Click) -> None:
        ins = self.insights
        if ins is None:
            return
        row = event.y - 1
        col = (event.x - LABEL_WIDTH) // (self.cell_width() + 1) if event.x >= LABEL_WIDTH else -1
        if 0 <= row < len(ins.personas) and 0 <= col < len(ins.stages):
            self.row, self.col = row, col
            self.focus()
            self.refresh()
            self.action_open()

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()


class InsightsPanel(Vertical):
    """The heat map with a legend, and the alignment stage."""

    DEFAULT_CSS = """
    InsightsPanel { height: auto; }
    InsightsPanel > Static { height: auto; text-wrap: nowrap; text-overflow: ellipsis; }
    """

    def __init__(self, id: str | None = "insights-panel") -> None:
        super().__init__(id=id)
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="stage-line")
        yield Static(self._legend(DEFAULT), id="coverage-title")
        yield CoverageMap()

    @staticmethod
    def _legend(pal: Palette) -> Text:
        title = Text(no_wrap=True, overflow="ellipsis")
        title.append("Content coverage", style="bold underline")
        for status in ("empty", "thin", "ok"):
            title.append(" ")
            title.append(f" {status} ", style=pal.chip(STATUS_ROLE[status]))
        title.append("  published+planned items per persona × stage · enter or click: the items", style="dim")
        return title

    def on_mount(self) -> None:
        follow_theme(self, self._restyle)
        self._restyle()

    def _restyle(self) -> None:
        pal = palette_of(self.app)
        self.query_one("#coverage-title", Static).update(self._legend(pal))
        coverage = self.query_one(CoverageMap)
        if coverage.insights is not None:
            self.query_one("#stage-line", Static).update(stage_lines(coverage.insights.assessment, pal=pal))
        coverage.refresh()

    def recompute(self) -> None:
        from ..session import fork

        app = self.app  # read only: the plan
        if app.plan is None:
            return
        self._generation += 1
        self._worker(self._generation, fork(app.plan), app.plan_dir)

    @work(thread=True, exclusive=True, group="insights", description="_worker")  # no repr of a huge Plan
    def _worker(self, generation: int, plan, plan_dir: Path) -> None:
        try:
            insights = compute_insights(plan, plan_dir)
        except Exception as exc:  # noqa: BLE001 - a broken plan must not take the overview down
            self.post_message(InsightsReady(generation, None, f"coverage could not be worked out: {exc}"))
            return
        self.post_message(InsightsReady(generation, insights, None))

    @on(InsightsReady)
    @result_handler
    def _ready(self, message: InsightsReady) -> None:
        message.stop()
        if message.generation != self._generation:
            return
        if message.insights is None:
            self.query_one("#stage-line", Static).update(Text(message.error or "", style=palette_of(self.app).bad))
            return
        self.query_one("#stage-line", Static).update(stage_lines(message.insights.assessment, pal=palette_of(self.app)))
        self.query_one(CoverageMap).set_insights(message.insights)
