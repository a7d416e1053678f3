"""The main screen's flows end where the user was, and the quit guard never ends the app
with an edit still being worked on or with a wish to quit left over from an earlier save."""

from __future__ import annotations

import threading

from textual.widgets import TabbedContent

from tests.app.helpers import idle, make_app, problem_plan, ready, settle, wait_for
from tui.app.dialogs.form import FormScreen
from tui.app.table import RowTable

SIZE = (120, 40)


async def test_escape_from_a_form_opened_by_a_problem_jump_returns_to_the_problems_view(tmp_path):
    app = make_app(problem_plan(tmp_path / "broken"))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("8")
        await settle(pilot, 2)
        table = app.query_one("#table-problems", RowTable)
        assert app.focused is table
        view = app.query_one("#problems-view")
        for _ in range(len(view.problems)):  # down to the first problem with an entry to jump to
            if view.problems[table.current_row.key].kind:
                break
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the problem's form")
        assert app.query_one("#views", TabbedContent).active != "problems"  # the jump showed its entry
        await settle(pilot)
        assert [type(s).__name__ for s in app.screen_stack] == ["MainScreen", "FormScreen"], app.focused
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen), what="the form to close")
        await settle(pilot, 2)
        assert app.query_one("#views", TabbedContent).active == "problems"
        assert app.focused is table
    assert app.crash_report is None


async def test_escape_from_a_form_after_a_palette_jump_returns_to_the_list_jumped_to(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await app.main.goto_entity("account", "harbor-hvac")  # what the palette's jump runs
        await settle(pilot, 2)
        table = app.query_one("#table-account", RowTable)
        assert app.focused is table
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen), what="the form to close")
        await settle(pilot)
        assert app.query_one("#views", TabbedContent).active == "accounts"
        assert app.focused is table and table.current_id == "harbor-hvac"
    assert app.crash_report is None


def _slow_edit(app, gate: threading.Event):
    """Stage an edit that stays in its worker until ``gate`` is set."""
    def op(plan):
        gate.wait(20)
        plan_file = plan.get("term", plan.all("term")[0].id)
        from tui.plan import ops
        ops.set_fields(plan, "term", plan_file.id, {("definition",): "Changed while quitting"}, app.session.schemas)

    app.editing.run_edit(op, "slow edit")


async def test_quit_while_an_edit_is_worked_on_waits_for_it(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        gate = threading.Event()
        _slow_edit(app, gate)
        assert app.busy and not app.session.dirty
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert app.is_running and app.editing.ended_by is None  # not ended: the edit is not staged yet
        gate.set()
        await idle(pilot)
        assert app.session.dirty_files  # the edit was kept
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: app.screen.id == "quit-dialog", what="the quit dialog")
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running
    assert app.crash_report is None


async def test_a_refused_save_from_the_quit_dialog_leaves_no_wish_to_quit_behind(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        gate = threading.Event()
        _slow_edit(app, gate)
        app.editing.save(then_quit=True)  # refused: the edit is still worked on
        gate.set()
        await idle(pilot)
        await pilot.press("ctrl+s")  # an ordinary save later must not end the app
        await idle(pilot)
        assert not app.session.dirty
        await pilot.press("ctrl+s")  # nothing to save: still no quitting
        await settle(pilot)
        assert app.is_running and app.editing.ended_by is None
        await pilot.press("ctrl+q")
        await wait_for(pilot, lambda: not app.is_running, what="the app to end")
    assert app.editing.ended_by == "quit, no unsaved edits"
    assert app.crash_report is None
