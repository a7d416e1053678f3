"""The keys screen: every binding of the app, grouped."""

from __future__ import annotations

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.widgets import Static

from .info import InfoDialog


class HelpScreen(InfoDialog):
    """Every key of the app, by where it applies."""

    BINDINGS = [
        Binding("escape,q,question_mark,f1", "close", "Close", id="help.close", tooltip="Close the list of keys"),
    ]

    dialog_classes = "dialog help-dialog"

    def __init__(self, sections: list[tuple[str, list[tuple[str, str, str]]]]) -> None:
        super().__init__(classes="dialog-screen")
        self.sections = sections

    def heading(self) -> Content:
        return Content("Keys")

    def body(self) -> ComposeResult:
        parts = []
        for title, rows in self.sections:
            table = Table(box=None, show_header=False, expand=True, padding=(0, 1), title=title,
                          title_justify="left", title_style="bold underline")
            table.add_column("key", style="bold", no_wrap=True, width=14)
            table.add_column("what", ratio=1)
            for key, description, tip in rows:
                what = Text(description)
                if tip and tip != description:
                    what.append(f" — {tip}", style="dim")
                table.add_row(Text(key), what)
            parts.append(table)
            parts.append(Text(""))
        notes = Text()
        notes.append("Filters: type words to match names fuzzily; field:value matches a field "
                     "(stage:engaged), field:=value exactly, field:>80 compares numbers.\n", style="dim")
        notes.append("Mouse: click tabs, column headers (sort), rows (select; double click edits).", style="dim")
        parts.append(notes)
        yield Static(Group(*parts))

    def on_mount(self) -> None:
        # the list scrolls with the arrows (and page keys) at once: the body has the focus;
        # esc, q, ? and the Close button still close it
        # (after the dialog's own mount handler, which focuses the Close button)
        self.call_after_refresh(self.query_one(".dialog-body").focus)
