"""Dialogs: a question with a few answers, a new id, and the list of keys."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

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
