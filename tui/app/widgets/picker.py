"""A one-line choice: shows the value picked; Enter, space or a click opens the list of
choices (type to narrow it, Enter picks, Esc leaves it as it was).

One widget instead of a Select's five (and no overlay mounted for every field), so a
form full of choices opens fast.  The choices are given as (label, value) pairs; the
form gives only those the plan's rules allow.  ``value`` is ``Picker.NULL`` when
nothing is picked.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.widgets import Select
from textual.widgets.select import NoSelection

BLANK_LABEL = "(none)"


class PickerScreen(ModalScreen):
    """The list of a Picker's choices with a filter line; dismissed with the index of
    the choice picked, or None."""

    DEFAULT_CSS = """
    PickerScreen {
        align: center middle;
        background: $background 40%;
    }
    PickerScreen > Vertical {
        width: 60;
        max-width: 96%;
        height: auto;
        max-height: 80%;
        border: round $primary;
        background: $surface;
        padding: 0 1;
    }
    PickerScreen .picker-title { text-style: bold; color: $accent; }
    PickerScreen Input { margin: 0 0 1 0; }
    PickerScreen OptionList { height: auto; max-height: 16; background: $surface; }
    """

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel", tooltip="Close, keeping the value"),
        Binding("down", "move(1)", "Down", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Up", show=False, id="picker.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="picker.pagedown"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="picker.pageup"),
    ]

    def __init__(self, title: str, labels: list[str], current: int | None, initial: str = "") -> None:
        super().__init__()
        self.title_text = title
        self.labels = labels
        self.current = current
        self.initial = initial
        self.shown: list[int] = list(range(len(labels)))

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Content(self.title_text), classes="picker-title")
            yield Input(self.initial, placeholder="type to narrow the list", id="picker-filter", compact=True,
                        select_on_focus=False)
            yield OptionList(id="picker-list", compact=True)

    def on_mount(self) -> None:
        self._fill(self.initial)
        self.query_one(Input).focus()

    def _fill(self, text: str) -> None:
        words = text.lower().split()
        shown = [n for n, label in enumerate(self.labels) if all(w in label.lower() for w in words)]
        if words:  # what starts with the text typed comes first ("e": engagement before "(none)")
            def starts(n: int) -> bool:
                return any(part.startswith(words[0]) for part in self.labels[n].lower().replace("(", " ").split())

            shown.sort(key=lambda n: not starts(n))
        self.shown = shown
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([Option(Text(self.labels[n])) for n in self.shown])
        if self.shown:
            at = self.shown.index(self.current) if self.current in self.shown and not words else 0
            options.highlighted = at

    @on(Input.Changed, "#picker-filter")
    def _filter(self, event: Input.Changed) -> None:
        event.stop()
        self._fill(event.value)

    @on(Input.Submitted, "#picker-filter")
    def _submit(self, event: Input.Submitted) -> None:
        event.stop()
        options = self.query_one(OptionList)
        if options.highlighted is not None and self.shown:
            self.dismiss(self.shown[options.highlighted])

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index])

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        at = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, at + step))

    def action_cancel(self) -> None:
        self.dismiss(None)


class Picker(Widget, can_focus=True):
    """Pick one of ``options`` ((label, value) pairs)."""

    NULL = Select.NULL  # nothing picked (the same marker as a Select's)

    DEFAULT_CSS = """
    Picker {
        height: 1;
        width: 1fr;
        background: $boost;
        padding: 0 0;
    }
    Picker:focus {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
    }
    Picker.-blank {
        color: $text-muted;
    }
    """

    BINDINGS = [
        Binding("enter,space", "open", "Choose", id="picker.open", tooltip="Open the list of choices"),
        Binding("backspace,delete", "clear", "Clear", show=False, id="picker.clear",
                tooltip="Pick nothing (when the field may be empty)"),
    ]

    value: reactive[object] = reactive(Select.NULL, init=False)

    @dataclass
    class Changed(Message):
        picker: "Picker"
        value: object

        @property
        def control(self) -> "Picker":
            return self.picker

    def __init__(self, options: list[tuple[Text | str, object]], *, value=Select.NULL, allow_blank: bool = True,
                 title: str = "", id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = [(str(label), v) for label, v in options]
        self.allow_blank = allow_blank
        self.title = title
        self.set_reactive(Picker.value, value)
        # no restyle here: the widget is styled once, when it is mounted
        self.set_class(self.value is Select.NULL or isinstance(self.value, NoSelection), "-blank", update=False)

    def _label(self) -> str:
        if self.value is Select.NULL:
            return BLANK_LABEL
        for label, v in self.options:
            if v == self.value:
                return label
        return str(self.value)

    def render(self) -> Text:
        return Text.assemble(Text(self._label(), no_wrap=True, overflow="ellipsis"), ("  ▾", "dim"))

    def watch_value(self, value) -> None:
        self.set_class(value is Select.NULL, "-blank")
        self.refresh()
        self.post_message(self.Changed(self, value))

    def _choices(self) -> list[tuple[str, object]]:
        return ([(BLANK_LABEL, Select.NULL)] if self.allow_blank else []) + self.options

    def action_open(self, initial: str = "") -> None:
        choices = self._choices()
        current = next((n for n, (_l, v) in enumerate(choices) if v == self.value), None)

        def picked(index: int | None) -> None:
            if index is not None and 0 <= index < len(choices):
                self.value = choices[index][1]
            self.focus()

        self.app.push_screen(PickerScreen(self.title or "Choose", [label for label, _v in choices], current, initial),
                             picked)

    def action_clear(self) -> None:
        if self.allow_blank:
            self.value = Select.NULL

    def on_key(self, event) -> None:
        # a letter or digit opens the list already narrowed by it (type to search)
        if event.character and event.character.isprintable() and not event.character.isspace() \
                and len(event.key) == 1:
            event.stop()
            event.prevent_default()
            self.action_open(event.character)

    def on_click(self) -> None:
        self.action_open()
