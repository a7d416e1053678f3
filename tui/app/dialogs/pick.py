"""A list to pick one revision from."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option


class PickScreen(ModalScreen[str | None]):
    """Pick one of a few names (escape: none)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without choosing")]

    def __init__(self, title: str, names: list[str], initial: int = 0) -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.names = names
        self.initial = initial

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            yield OptionList(*[Option(Text(n)) for n in self.names], id="pick-list")

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        if self.names:
            options.highlighted = min(self.initial, len(self.names) - 1)
        options.focus()

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.names[event.option_index])

    def action_cancel(self) -> None:
        self.dismiss(None)
