"""An entry's blame, field by field: the commit, date, author and subject that last
changed each one (``tui.history.blame``, through renames of the id), read in a worker."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from tui.plan.problems import PlanError
from tui.plan.safetext import visible_line

from ..guard import WorkerResult, result_handler
from ..palette import DEFAULT, Palette, palette_of
from .info import InfoDialog


class BlameLoaded(WorkerResult):
    def __init__(self, blame, error: str = "") -> None:
        super().__init__()
        self.blame = blame
        self.error = error


def _value(value, width: int = 40) -> str:
    from tui.plan.edit import render_value

    try:
        text = render_value(value)
    except Exception:  # noqa: BLE001 - a value TOML cannot write inline
        text = str(value)
    text = visible_line(" ".join(text.split()))
    return text if len(text) <= width else text[: width - 1] + "…"


def blame_table(blame, pal: Palette = DEFAULT) -> Table:
    table = Table(box=None, expand=True, pad_edge=False, show_edge=False)
    table.add_column("Field", style="bold", no_wrap=True)
    table.add_column("Commit", no_wrap=True)
    table.add_column("Date", no_wrap=True)
    table.add_column("Author", no_wrap=True, max_width=18)
    table.add_column("Subject", ratio=2, no_wrap=True, overflow="ellipsis")
    table.add_column("Value", ratio=1, no_wrap=True, overflow="ellipsis")
    for f in blame.fields:
        if f.commit is None:
            table.add_row(Text(visible_line(f.field)), Text("—", style=pal.warn), Text(""), Text(""),
                          Text("not committed yet", style=pal.warn), Text(_value(f.value)))
            continue
        subject = visible_line(f.subject)
        if f.id_then and f.id_then != blame.id:
            subject += f"  [as {visible_line(f.id_then)}]"
        table.add_row(Text(visible_line(f.field)), Text(f.commit[:8]), Text(f.date[:10]),
                      Text(visible_line(f.author)), Text(subject), Text(_value(f.value)))
    return table


class BlameDialog(InfoDialog):
    BINDINGS = [Binding("escape,q,b", "close", "Close", id="blame.close", tooltip="Close the blame")]
    dialog_classes = "blame-dialog"
    DEFAULT_CSS = """
    .blame-dialog {
        width: 96%;
        max-width: 140;
        height: auto;
        max-height: 90%;
        border: thick $primary;
        background: $surface;
        padding: 0 1;
    }
    .blame-dialog .dialog-body { max-height: 30; }
    """

    def __init__(self, plan_dir: Path | str, kind: str, entity_id: str, label: str = "") -> None:
        super().__init__(classes="dialog-screen", id="blame-dialog")
        self.plan_dir = Path(plan_dir)
        self.kind = kind
        self.entity_id = entity_id
        self.label = label

    def heading(self) -> Content:
        title = f"Blame: {self.kind} {self.entity_id}"
        if self.label and self.label != self.entity_id:
            title += f" — {self.label}"
        return Content(visible_line(title))

    def body(self) -> ComposeResult:
        yield Static(Text("Reading the history…", style="dim"), id="blame-body")

    def on_mount(self) -> None:
        # (InfoDialog's own on_mount focuses the Close button: Textual calls both)
        self._load(self.plan_dir, self.kind, self.entity_id)

    @work(thread=True, group="blame")
    def _load(self, plan_dir: Path, kind: str, entity_id: str) -> None:
        from tui.history.blame import entity_blame

        try:
            blame = entity_blame(plan_dir, kind, entity_id)
        except PlanError as exc:
            self.post_message(BlameLoaded(None, exc.message))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user
            self.post_message(BlameLoaded(None, f"the history cannot be read ({type(exc).__name__}: {exc})"))
            return
        self.post_message(BlameLoaded(blame))

    @on(BlameLoaded)
    @result_handler
    def _loaded(self, message: BlameLoaded) -> None:
        body = self.query_one("#blame-body", Static)
        if message.error:
            body.update(Text("✖ " + visible_line(message.error), style=palette_of(self).bad))
            return
        blame = message.blame
        from rich.console import Group

        notes = Text()
        for old, new, commit in blame.renames:
            notes.append(f"renamed from {visible_line(old)} to {visible_line(new)} in {commit[:8]}\n", style="dim")
        for note in blame.notes:
            notes.append(f"note: {visible_line(note)}\n", style="dim")
        table = blame_table(blame, palette_of(self))
        body.update(Group(table, notes) if notes.plain else table)


__all__ = ["BlameDialog", "blame_table"]
