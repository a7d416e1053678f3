"""Roll the plan over to the next quarter, after a preview of what that will do.

The preview is ``tui.history.pending.preview_rollover``: every check the rollover makes
(committed plan, no errors, a clean repository) and the new quarter's plan staged in
memory, worded as what will happen, with a summary of the changes; nothing is written.
The dates to plan again follow the rule picked here (keep, shift, quarter start), and
the preview follows the choice.  "Roll over" runs ``tui.history.rollover.rollover`` (the
CLI's ``rollover``) in a worker.  Dismissed with the RolloverResult, or None.
"""

from __future__ import annotations

from pathlib import Path

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

from tui.plan.problems import PlanError
from tui.plan.safetext import visible

from ..guard import WorkerResult, result_handler
from ..palette import palette_of

MOVE_CHOICES = [("keep", "Leave them; list them as the new quarter's to-do"),
                ("shift", "Move them to the same place in the new quarter"),
                ("quarter-start", "Move them to the new quarter's first day")]


class RolloverPreviewed(WorkerResult):
    def __init__(self, generation: int, result, lines: list[str], changes: list[str], error: str = "") -> None:
        super().__init__()
        self.generation = generation
        self.result = result
        self.lines = lines
        self.changes = changes
        self.error = error


class RolloverFinished(WorkerResult):
    def __init__(self, result, error: str = "") -> None:
        super().__init__()
        self.result = result
        self.error = error


def preview_text(lines: list[str], changes: list[str]) -> Text:
    out = Text()
    out.append("The rollover will:\n", style="bold")
    for line in lines:
        out.append("  • " + visible(line) + "\n")
    if changes:
        out.append("\nChanges to the plan's files\n", style="bold")
        for line in changes:
            out.append("  " + visible(line) + "\n", style="dim")
    return out


class RolloverDialog(ModalScreen):
    """Preview, then roll over (see the module's text)."""

    DEFAULT_CSS = """
    .rollover-dialog {
        width: 96%;
        max-width: 110;
        height: auto;
        max-height: 100%;
        border: thick $warning;
        background: $surface;
        padding: 0 1;
    }
    #rollover-preview-scroll { height: auto; max-height: 65vh; }
    #rollover-move { width: 1fr; }
    .rollover-options { height: auto; }
    #rollover-output { height: auto; }
    """

    BINDINGS = [
        Binding("ctrl+s", "roll", "Roll over", id="rollover.go", priority=True,
                tooltip="Tag this quarter's final revision, move the plan to the next quarter and commit"),
        Binding("escape", "cancel", "Cancel", id="rollover.cancel", tooltip="Close; nothing is changed"),
    ]

    def __init__(self, plan_dir: Path | str, to: str | None = None) -> None:
        super().__init__(classes="dialog-screen", id="rollover-dialog")
        self.plan_dir = Path(plan_dir)
        self.to = to
        self.move_dates = "keep"
        self.previewed = None
        self.running = False
        self._generation = 0

    def compose(self) -> ComposeResult:
        with Vertical(classes="rollover-dialog"):
            yield Static(Content("Roll the plan over to the next quarter"), classes="dialog-title")
            with Horizontal(classes="rollover-options"):
                yield Label("Dates still in the closing quarter: ")
                yield Select([(Content(label), value) for value, label in MOVE_CHOICES], value="keep",
                             allow_blank=False, id="rollover-move", compact=True)
            with VerticalScroll(id="rollover-preview-scroll"):
                yield Static(Text("Working out what the rollover would do…", style="dim"), id="rollover-preview")
            yield Static(Text(""), id="rollover-output")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Roll over (ctrl+s)"), id="rollover-go", variant="warning", compact=True,
                             disabled=True)
                yield Button(Content("Cancel (esc)"), id="rollover-cancel", compact=True)

    def on_mount(self) -> None:
        self._start_preview()

    def _start_preview(self) -> None:
        self._generation += 1
        self.previewed = None
        self.query_one("#rollover-go", Button).disabled = True
        self._preview(self._generation, self.plan_dir, self.to, self.move_dates)

    @work(thread=True, group="rollover-preview")
    def _preview(self, generation: int, plan_dir: Path, to: str | None, move_dates: str) -> None:
        from tui.history.pending import preview_rollover

        try:
            result, lines, changes = preview_rollover(plan_dir, to, move_dates)
        except PlanError as exc:
            self.post_message(RolloverPreviewed(generation, None, [], [], exc.message))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user
            self.post_message(RolloverPreviewed(generation, None, [], [], f"the rollover cannot be worked out "
                                                f"({type(exc).__name__}: {exc})"))
            return
        self.post_message(RolloverPreviewed(generation, result, lines, changes))

    @on(RolloverPreviewed)
    @result_handler
    def _previewed(self, message: RolloverPreviewed) -> None:
        if message.generation != self._generation:
            return
        body = self.query_one("#rollover-preview", Static)
        if message.error:
            body.update(Text("✖ " + visible(message.error) + "\n\nNothing was changed.", style=f"bold {palette_of(self).bad}"))
            return
        self.previewed = message.result
        title = f"Roll the plan over from {message.result.closing} to {message.result.opening}"
        self.query_one(".dialog-title", Static).update(Content(title))
        body.update(preview_text(message.lines, message.changes))
        self.query_one("#rollover-go", Button).disabled = self.running

    @on(Select.Changed, "#rollover-move")
    def _move_changed(self, event: Select.Changed) -> None:
        event.stop()
        if event.value != self.move_dates and event.value is not Select.BLANK:
            self.move_dates = str(event.value)
            self._start_preview()

    @on(Button.Pressed, "#rollover-go")
    def _go(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_roll()

    @on(Button.Pressed, "#rollover-cancel")
    def _cancel(self, event: Button.Pressed) -> None:
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        if self.running:
            self.notify("The rollover is running; it cannot be stopped half-way.", severity="warning", markup=False)
            return
        self.dismiss(None)

    def action_roll(self) -> None:
        if self.running or self.previewed is None:
            return
        self.running = True
        self.query_one("#rollover-go", Button).disabled = True
        self.query_one("#rollover-output", Static).update(Text("Rolling over…", style="dim"))
        self._roll(self.plan_dir, self.to, self.move_dates)

    @work(thread=True, group="rollover")
    def _roll(self, plan_dir: Path, to: str | None, move_dates: str) -> None:
        from tui.history.pending import run_rollover

        try:
            result = run_rollover(plan_dir, to, move_dates)
        except PlanError as exc:
            self.post_message(RolloverFinished(None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user
            self.post_message(RolloverFinished(None, f"the rollover failed ({type(exc).__name__}: {exc})"))
            return
        self.post_message(RolloverFinished(result))

    @on(RolloverFinished)
    @result_handler
    def _finished(self, message: RolloverFinished) -> None:
        self.running = False
        if message.error:
            self.query_one("#rollover-output", Static).update(Text("✖ " + visible(message.error), style=f"bold {palette_of(self).bad}"))
            self.query_one("#rollover-go", Button).disabled = self.previewed is None
            return
        self.dismiss(message.result)


__all__ = ["MOVE_CHOICES", "RolloverDialog", "preview_text"]
