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


class StopAtEndsOptionList(OptionList):
    """An option list whose cursor stops at the first and the last option instead of
    wrapping round (down on the last quarter does not jump back to the oldest)."""

    def action_cursor_down(self) -> None:
        if self.highlighted is None or self.highlighted < self.option_count - 1:
            super().action_cursor_down()

    def action_cursor_up(self) -> None:
        if self.highlighted is None or self.highlighted > 0:
            super().action_cursor_up()


class PickScreen(ModalScreen[str | None]):
    """Pick one of a few names (escape: none); ``labels`` (when given) are what the list
    shows for each name, ``hint`` a line under the title."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="dialog.cancel", tooltip="Close without choosing")]

    def __init__(self, title: str, names: list[str], initial: int = 0, labels: list[str] | None = None,
                 hint: str = "") -> None:
        super().__init__(classes="dialog-screen")
        self.title_text = title
        self.names = names
        self.initial = initial
        self.labels = labels if labels is not None and len(labels) == len(names) else names
        self.hint = hint

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.title_text), classes="dialog-title")
            if self.hint:
                yield Static(Content(self.hint), classes="dialog-help")
            yield StopAtEndsOptionList(*[Option(Text(n)) for n in self.labels], id="pick-list")

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
