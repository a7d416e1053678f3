"""A question with a few answers, each on its own key."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Static

from tui.plan.safetext import visible_line as visible


@dataclass
class Choice:
    value: str
    label: str
    key: str  # a single key that picks it
    variant: str = "default"  # Button variant: default primary success warning error


class ChoiceScreen(ModalScreen[str]):
    """Ask a question; dismiss with the value of the answer picked (escape: ``cancel``)."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without choosing"),
        Binding("left", "app.focus_previous", "Previous", show=False, id="dialog.left"),
        Binding("right", "app.focus_next", "Next", show=False, id="dialog.right"),
    ]

    def __init__(self, title: str, body: Text | str, choices: list[Choice], cancel: str = "cancel",
                 focus: str | None = None, id: str | None = None) -> None:
        super().__init__(id=id, classes="dialog-screen")
        self.title_text = title
        self.body = body if isinstance(body, Text) else Text(body)
        self.choices = choices
        self.cancel_value = cancel
        self.focus_value = focus or choices[0].value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(visible(self.title_text)), classes="dialog-title")
            with VerticalScroll(classes="dialog-body"):
                yield Static(self.body)
            with Horizontal(classes="dialog-buttons"):
                for c in self.choices:
                    yield Button(Content(f"{c.label} ({c.key})"), id=f"choice-{c.value}", variant=c.variant, compact=True)

    def on_mount(self) -> None:
        self.query_one(f"#choice-{self.focus_value}", Button).focus()

    @on(Button.Pressed)
    def _pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.dismiss(event.button.id.removeprefix("choice-"))

    def on_key(self, event) -> None:
        for c in self.choices:
            if event.key == c.key:
                event.stop()
                self.dismiss(c.value)
                return

    def action_cancel(self) -> None:
        self.dismiss(self.cancel_value)
