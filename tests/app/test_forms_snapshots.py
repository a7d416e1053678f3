"""What a form, its committee editor and a committee member's sub-form look like, at
120x40 and 80x24, on the example plan.  Regenerate with
``pytest tests/app/test_forms_snapshots.py --snapshot-update`` and look at the SVGs
before committing them."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.form import FieldsForm

SIZES = {"wide": (120, 40), "small": (80, 24)}
SCREENS = ["form", "committee", "member"]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_form_screen(snap_compare, plan_dir, screen, size):
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"

    async def before(pilot):
        await ready(pilot)
        app.main.edit_entity("account", "harbor-hvac", "committee" if screen != "form" else None)
        await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm) and app.screen.loaded, what="the form")
        await settle(pilot, 2)
        if screen == "member":
            await pilot.press("down", "e")
            await wait_for(pilot, lambda: isinstance(app.screen, FieldsForm) and app.screen.loaded
                           and "row-form" in app.screen.classes, what="the member's form")
        for widget in app.screen.query("Input, TextArea"):
            if isinstance(widget, (Input, TextArea)):
                widget.cursor_blink = False
        await settle(pilot, 2)
        await pilot.pause(0.3)  # the rules' check runs a moment after the form is complete
        await settle(pilot)
        if screen == "committee":  # the last field: shown at the end, wherever the rules' line left the scroll
            app.screen.query_one("#form-fields").scroll_end(animate=False)
            await settle(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)
