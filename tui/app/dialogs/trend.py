"""A key result's trend across quarters and check-ins."""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from tui.plan.insights import numbers
from tui.plan.problems import PlanError

from ..guard import WorkerResult, result_handler
from ..palette import DEFAULT, Palette, palette_of
from ..present import finite_number, visible

# -- key-result trend ---------------------------------------------------------------------------------
from ..views.history import NOT_A_REPO
from .info import InfoDialog


class TrendLoaded(WorkerResult):
    def __init__(self, points: list | None, error: str | None) -> None:
        super().__init__()
        self.points = points
        self.error = error


BAR_WIDTH = 24


def _bar(value, top: float, width: int) -> str:
    number = finite_number(value)
    if number is None or top <= 0:
        return ""
    eighths = int(round(min(max(0.0, number) / top, 1.0) * width * 8))
    full, rest = divmod(eighths, 8)
    return "█" * full + ("" if rest == 0 else " ▏▎▍▌▋▊▉"[rest])


def _num(value, unit: str = "", currency: str = "") -> str:
    if value is None:
        return "—"
    if numbers.is_finite_number(value):
        return numbers.amount(value, unit or None, currency, short=False)
    if isinstance(value, (int, float)):
        return numbers.full(value)
    return visible(str(value))


def _same(a, b) -> bool:
    return (a.present, a.target, a.actual) == (b.present, b.target, b.actual)


def trend_rows(points: list) -> list[tuple[str, object]]:
    """(label, point) per row.  A quarter held twice (its tag and the working tree) is one
    row when both say the same ("2026-Q4 (tagged = now)"), else two that say which is which
    ("2026-Q4 tagged", "2026-Q4 now") — never two rows that read alike."""
    rows: list[tuple[str, object]] = []
    i = 0
    while i < len(points):
        p = points[i]
        now = p.label == "working tree" or getattr(p, "current", False)
        nxt = points[i + 1] if i + 1 < len(points) else None
        if nxt is not None and nxt.quarter == p.quarter and not now:
            if _same(p, nxt):
                rows.append((f"{p.quarter} (tagged = now)", nxt))
            else:
                rows.append((f"{p.quarter} tagged", p))
                rows.append((f"{p.quarter} now", nxt))
            i += 2
            continue
        if getattr(p, "current", False) and p.label != "working tree":
            rows.append((f"{p.quarter} (tagged = now)", p))
        else:
            rows.append((f"{p.quarter} (now)" if now else p.quarter, p))
        i += 1
    return rows


def _undrawable(value) -> bool:
    return value is not None and finite_number(value) is None


def render_trend(points: list, width: int = BAR_WIDTH, currency: str = "", pal: Palette = DEFAULT) -> Text:
    """One block per quarter: a target bar and an actual bar, values printed.  A value
    that cannot be drawn (not a number, inf, nan) is printed with a note, never drawn."""
    out = Text()
    label_width = max([16] + [len(label) + 2 for label, _p in trend_rows(points)])
    values = [v for p in points for v in (finite_number(p.target), finite_number(p.actual)) if v is not None]
    top = max(values) if values else 0
    unit = next((p.unit for p in reversed(points) if p.present and p.unit), "")
    if unit:
        out.append(f"unit: {visible(str(unit))}\n", style="dim")
    for label, p in trend_rows(points):
        out.append(f"{visible(str(label)):<{label_width}}", style="bold")
        if not p.present:
            out.append("not in the plan then\n", style="dim")
            continue
        target, actual = finite_number(p.target), finite_number(p.actual)
        out.append("target ", style="dim")
        out.append(f"{_bar(p.target, top, width):<{width}}", style=pal.bar_info)
        out.append(f" {_num(p.target, p.unit, currency)}")
        if _undrawable(p.target):
            out.append("  (cannot be drawn: not a finite number)", style=pal.warn)
        out.append("\n")
        out.append(" " * label_width + "actual ", style="dim")
        reached = actual is not None and target is not None and (
            actual <= target if p.direction == "decrease" else actual >= target)
        out.append(f"{_bar(p.actual, top, width):<{width}}", style=pal.bar_good if reached else pal.bar_warn)
        out.append(f" {_num(p.actual, p.unit, currency)}")
        if _undrawable(p.actual):
            out.append("  (cannot be drawn: not a finite number)", style=pal.warn)
        out.append("\n")
    if not points:
        out.append("No quarters to show.", style="dim")
    return out


class TrendScreen(InfoDialog):
    """Target and actual of one key result at each tagged quarter and now."""

    BINDINGS = [Binding("escape,q,t", "close", "Close", id="trend.close", tooltip="Close the trend")]

    def __init__(self, plan_dir: Path, kr_id: str, title: str = "") -> None:
        super().__init__(classes="dialog-screen", id="trend-screen")
        self.plan_dir = plan_dir
        self.kr_id = kr_id
        self.title_text = title
        self.points: list | None = None

    dialog_classes = "dialog trend-dialog"

    def heading(self) -> Content:
        return Content(visible(f"Trend of {self.kr_id}" + (f" — {self.title_text}" if self.title_text else "")))

    def body(self) -> ComposeResult:
        yield Static(Text("Reading the quarters…", style="dim"), id="trend-body")

    def on_mount(self) -> None:
        self.query_one("#trend-body").loading = True
        self._load(self.plan_dir, self.kr_id)

    @work(thread=True, exclusive=True, group="trend", description="_load")  # no repr of a huge Plan
    def _load(self, plan_dir: Path, kr_id: str) -> None:
        from tui.history import key_result_trend
        from tui.history.errors import NotARepositoryError

        try:
            points = key_result_trend(plan_dir, kr_id)
        except NotARepositoryError:
            self.post_message(TrendLoaded(None, "The trend needs the plan's history: " + NOT_A_REPO))
            return
        except PlanError as exc:
            self.post_message(TrendLoaded(None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001
            self.post_message(TrendLoaded(None, f"{type(exc).__name__}: {exc}"))
            return
        self.post_message(TrendLoaded(points, None))

    @on(TrendLoaded)
    @result_handler
    def _loaded(self, message: TrendLoaded) -> None:
        message.stop()
        self.points = message.points
        body = self.query_one("#trend-body", Static)
        body.loading = False
        if message.points is None:
            body.update(Text(message.error or "", style=palette_of(self.app).warn))
        else:
            from ..present import plan_currency

            body.update(render_trend(message.points, currency=plan_currency(getattr(self.app, "plan", None)),
                                     pal=palette_of(self.app)))
