"""Keys typed faster than the focus moves: a burst of keys, as a terminal delivers a
fast typist's (or a paste of) "2310000 Tab 7", reaches the app before the Tab has moved
the focus.  Each key must still act where the keys before it left the focus: the 7 in
the second field, never appended to the first."""

from __future__ import annotations

import asyncio
import time

import pytest
from textual import events
from textual.app import App
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.form import FormScreen, RowFormScreen
from tui.app.keyorder import KeysInOrder
from tui.app.screens.checkin import CheckinRow, CheckinScreen

SIZE = (80, 24)
CHARS = {"tab": "\t", "shift+tab": None, "enter": "\r", "space": " "}


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def burst(pilot, *keys: str) -> None:
    """Every key posted to the app at once, with no pause for it to handle one before
    the next arrives (``pilot.press`` waits after each key; a terminal does not)."""
    app = pilot.app
    for key in keys:
        event = events.Key(key, key if len(key) == 1 else CHARS.get(key))
        event.set_sender(app)
        app._driver.send_message(event)
    await settle(pilot, 3)


async def test_a_burst_in_the_checkin_screen_puts_each_value_in_its_own_field(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        # w opens the screen, whose rows are mounted after it: the values wait for them
        await burst(pilot, "w", *"2310000", "tab", "7", "tab", *"ok", "enter", *"121", "tab", "5")
        assert isinstance(app.screen, CheckinScreen)
        rows = list(app.screen.query(CheckinRow))
        assert rows[0].typed() == ("2310000", "7", "ok")
        assert rows[1].typed() == ("121", "5", "")


async def test_a_burst_in_a_form_puts_each_value_in_its_own_field(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        # e opens the form (by a message to the app, then a screen to mount): the keys
        # typed right after it wait for its first field
        await burst(pilot, "e", *"X1", "tab", *"Y2")
        form = app.screen
        assert isinstance(form, FormScreen)
        await wait_for(pilot, lambda: form.loaded, what="the form")
        assert form.query_one("#f-name", Input).value == "Harbor HVAC ServicesX1"
        assert form.query_one("#f-domain", Input).value == "harborhvac.exampleY2"
        # and once it is open: back to the name, a value, on to the domain
        await burst(pilot, "shift+tab", "end", *"Z", "tab", "end", *"W")
        assert form.query_one("#f-name", Input).value == "Harbor HVAC ServicesX1Z"
        assert form.query_one("#f-domain", Input).value == "harborhvac.exampleY2W"


async def test_a_burst_that_opens_a_rows_sub_form_types_into_its_first_field(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
        form = app.screen
        editor = form.query_one("#f-committee")
        members = list(editor.rows)
        editor.focus()
        await settle(pilot)
        # "a" opens the member's sub-form; its first field is focused once it is mounted
        await burst(pilot, "a", *"Ana", "tab", *"CTO")
        sub = app.screen
        assert isinstance(sub, RowFormScreen)
        inputs = list(sub.query(Input))
        assert inputs[0].value == "Ana"
        assert "CTO" in [i.value for i in inputs[1:]]
        assert editor.rows == members  # nothing typed went to the table behind


async def test_a_key_is_never_held_for_long_by_a_widget_that_does_not_answer(plan_dir, monkeypatch):
    from tui.app import keyorder

    monkeypatch.setattr(keyorder, "HOLD_LIMIT", 0.05)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        first = app.screen.focused
        before = first.value
        # the key in flight never comes back (as if a widget swallowed it without a word)
        app._key_in_flight = object.__new__(type("Lost", (events.Key,), {}))
        app._key_in_flight._stop_propagation = False
        app._key_arrived = False
        app._key_since = time.monotonic()
        await burst(pilot, *"Z")
        await wait_for(pilot, lambda: first.value == before + "Z", timeout=3, what="the held key")


async def test_keys_after_a_key_that_opens_a_sub_form_wait_for_its_focus_however_long_it_takes(plan_dir, monkeypatch):
    from tui.app import keyorder

    # a short hold: a screen that takes longer than it to be mounted and focused must still
    # get the keys typed meanwhile (its first field is focused by callbacks after mounting)
    monkeypatch.setattr(keyorder, "HOLD_LIMIT", 0.01)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.main.edit_entity("lead_scoring", "lead_scoring", "rule")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
        await settle(pilot)
        await burst(pilot, "a", *"eng-trial")
        sub = app.screen
        assert isinstance(sub, RowFormScreen)
        assert sub.query_one("#f-id", Input).value == "eng-trial"


class _Busy(Message):
    pass


class _SlowInput(Input):
    async def action_submit(self) -> None:
        if self.app.wait == "queue":  # 25 messages of 20 ms each ahead of its Submitted
            for _ in range(25):
                self.screen.post_message(_Busy())
        await super().action_submit()


class _TwoFieldsScreen(Screen):
    def compose(self):
        yield _SlowInput(id="one")
        yield Input(id="two")

    def on_mount(self) -> None:
        self.query_one("#one").focus()

    def on__busy(self, message: _Busy) -> None:
        time.sleep(0.02)

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        if self.app.wait == "await":
            await asyncio.sleep(0.4)
        self.query_one("#two").focus()


class _TwoFields(KeysInOrder, App):
    """Enter in the first field moves to the second, as the check-in rows do, but only after
    a handler that takes its time: awaiting (its message is then in no queue), or behind a
    queue of other messages."""

    def __init__(self, wait: str) -> None:
        super().__init__()
        self.wait = wait

    def on_mount(self) -> None:
        self.push_screen(_TwoFieldsScreen())


@pytest.mark.parametrize("wait", ["await", "queue"])
async def test_a_key_waits_for_a_slow_handler_of_the_key_before_it_to_move_the_focus(wait):
    app = _TwoFields(wait)
    async with app.run_test() as pilot:
        await pilot.pause()
        screen = app.screen
        await burst(pilot, *"ab", "enter", *"cd")
        await wait_for(pilot, lambda: screen.query_one("#two", Input).value or screen.query_one("#one", Input).value != "ab",
                       timeout=5, what="the keys after Enter")
        await settle(pilot, 2)
        assert screen.query_one("#one", Input).value == "ab"
        assert screen.query_one("#two", Input).value == "cd"
