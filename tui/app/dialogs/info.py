"""A dialog that shows text and closes on Esc."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static


class InfoDialog(ModalScreen[None]):
    """A read-only dialog: a title, a scrolling body and a Close button.  Subclasses
    give ``heading`` and ``body`` (and may set ``dialog_classes``)."""

    dialog_classes = "dialog"

    def heading(self) -> Content:
        raise NotImplementedError

    def body(self) -> ComposeResult:
        raise NotImplementedError

    def compose(self) -> ComposeResult:
        with Vertical(classes=self.dialog_classes):
            yield Static(self.heading(), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield from self.body()
            with Horizontal(classes="dialog-buttons"):
                yield Button(Content("Close (esc)"), id="close", variant="primary", compact=True)

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(None)
