"""Ask for a new id (duplicate, rename) with the id rules checked as you type."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.plan.safetext import visible_line as visible


class NewIdScreen(ModalScreen[str | None]):
    """Ask for an id (rename): checked as it is typed."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without renaming")]

    def __init__(self, title: str, help_text: str, value: str, check, ok_label: str = "Rename") -> None:
        super().__init__(classes="dialog-screen")
        self.ok_label = ok_label
        self.title_text = title
        self.help_text = help_text
        self.value = visible(value)  # an id from a damaged plan may hold anything
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(visible(self.title_text)), classes="dialog-title")
            yield Static(Content(visible(self.help_text)), classes="dialog-help")
            yield Input(self.value, id="new-id", select_on_focus=True)
            yield Label("", id="new-id-error", classes="field-error", markup=False)
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"{self.ok_label} (enter)"), id="ok", variant="primary", compact=True)
                yield Button(Content("Cancel (esc)"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        self.query_one("#new-id-error", Label).update(self.check(event.value.strip()) if event.value.strip() != self.value else "")

    @on(Input.Submitted)
    @on(Button.Pressed, "#ok")
    def _ok(self) -> None:
        value = self.query_one(Input).value.strip()
        if value == self.value:
            self.dismiss(None)
            return
        problem = self.check(value)
        if problem:
            self.query_one("#new-id-error", Label).update(problem)
            return
        self.dismiss(value)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)
