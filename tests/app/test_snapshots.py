"""What every view and dialog looks like, at 120x40 and at 80x24, in a dark and a light
theme, on the example plan with a fixed "today".  Regenerate with
``pytest tests/app/test_snapshots.py --snapshot-update`` and look at the SVGs before
committing them."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tests.app.helpers import TODAY, ready, settle
from tui.app import QuarterdeckApp

SIZES = {"wide": (120, 40), "small": (80, 24)}
THEMES = {"dark": "textual-dark", "light": "textual-light"}

# screen name -> keys pressed once the plan is loaded and checked
SCREENS = {
    "overview": [],
    "goals": ["2"],
    "personas": ["3"],
    "accounts": ["4"],
    "content": ["5"],
    "calendar": ["5", "v"],
    "glossary": ["6"],
    "team": ["7"],
    "problems": ["8"],
    "history": ["9"],  # the example plan is not in a repository: the view says so
    "messaging": ["0"],
    "help": ["question_mark"],
    "form": ["4", "e"],
    "rename": ["4", "n"],
    "delete": ["4", "x"],
    "cell": ["focus:#coverage-map", "enter"],
}


@pytest.mark.parametrize("theme", THEMES)
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("screen", SCREENS)
def test_screen(snap_compare, plan_dir, screen, size, theme):
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"

    async def before(pilot):
        await ready(pilot)
        pilot.app.theme = THEMES[theme]
        await settle(pilot, 1)
        for key in SCREENS[screen]:
            if key.startswith("focus:"):
                pilot.app.query_one(key[len("focus:"):]).focus()
            else:
                await pilot.press(key)
            await settle(pilot, 1)
        for widget in pilot.app.screen.query("Input, TextArea"):
            if isinstance(widget, (Input, TextArea)):
                widget.cursor_blink = False
        # views are built when first shown; let their tab underlines settle too
        await settle(pilot, 2)
        await pilot.wait_for_scheduled_animations()
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)
