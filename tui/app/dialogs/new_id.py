"""Ask for a new id (duplicate, rename) with the id rules checked as you type."""

from __future__ import annotations

from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tui.plan.safetext import visible_line as visible


class PreviewReady(Message):
    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text


class NewIdScreen(ModalScreen[str | None]):
    """Ask for an id (rename): checked as it is typed; ``preview`` (run in a thread when
    given) says what else the change touches ("25 references in 3 files will follow")."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without renaming")]

    def __init__(self, title: str, help_text: str, value: str, check, ok_label: str = "Rename",
                 preview: Callable[[], str] | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.preview = preview
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
            if self.preview is not None:
                yield Static(Text("Counting the references…", style="dim"), id="new-id-preview",
                             classes="dialog-help")
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content(f"{self.ok_label} (enter)"), id="ok", variant="primary", compact=True)
                yield Button(Content("Cancel (esc)"), id="cancel", compact=True)

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.preview is not None:
            self._preview_worker(self.preview)

    @work(thread=True, exclusive=True, group="new-id-preview")
    def _preview_worker(self, preview: Callable[[], str]) -> None:
        try:
            text = preview()
        except Exception as exc:  # noqa: BLE001 - a preview that fails must not take the dialog down
            text = f"The references could not be counted ({type(exc).__name__})."
        self.post_message(PreviewReady(text))

    @on(PreviewReady)
    def _preview_ready(self, message: PreviewReady) -> None:
        message.stop()
        if self.is_attached:
            self.query_one("#new-id-preview", Static).update(Text(message.text))

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
