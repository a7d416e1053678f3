"""What the Check-in screen and the Commit dialog look like, at 120x40 and at 80x24, on
the example plan with a fixed day (and, for the dialog, a real repository holding one
change).  Regenerate with ``pytest tests/app/test_heartbeat_snapshots.py
--snapshot-update`` and look at the SVGs before committing them."""

from __future__ import annotations

import pytest
from textual.widgets import Input

from tests.app.helpers import settle, wait_for
from tests.app.test_heartbeat import DAY, Host, _isolated_git, change_actual, repo  # noqa: F401 - fixtures
from tui.plan.model import load_plan

SIZES = {"wide": (120, 40), "small": (80, 24)}


class Shown(Host):
    TITLE = "Quarterdeck"


async def _still(pilot) -> None:
    for widget in pilot.app.screen.query(Input):
        widget.cursor_blink = False
    await settle(pilot, 2)
    await pilot.wait_for_scheduled_animations()
    await pilot.pause(0.2)


@pytest.mark.parametrize("size", SIZES)
def test_checkin_screen(snap_compare, repo, size):
    from tui.app.screens.checkin import CheckinScreen

    app = Shown(lambda: CheckinScreen(load_plan(repo), repo, DAY))
    app.animation_level = "none"

    async def before(pilot):
        await settle(pilot)
        await pilot.press(*"2310000", "tab", "7", "tab", *"Two webinar cohorts converted", "down")
        await pilot.press("shift+tab", "shift+tab", *"121", "tab", "6")
        await _still(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)


@pytest.mark.parametrize("size", SIZES)
def test_commit_dialog(snap_compare, repo, size):
    from tui.app.dialogs.commit import CommitDialog

    change_actual(repo, 2310000)
    app = Shown(lambda: CommitDialog(repo, "Check-in 2026-12-01", unsaved=["accounts.toml"]))
    app.animation_level = "none"

    async def before(pilot):
        await wait_for(pilot, lambda: pilot.app.screen.preview is not None, what="the preview")
        await _still(pilot)

    assert snap_compare(app, terminal_size=SIZES[size], run_before=before)
