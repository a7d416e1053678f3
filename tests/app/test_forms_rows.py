"""Arrays of tables get a real editor: the buying committee is a small table of rows,
each row added and edited in a sub-form generated from the schema of the array's items,
removed and reordered by key; the saved file changes only that account's lines."""

from __future__ import annotations

from textual.widgets import Input

from tests.app.helpers import TODAY, changed_old_lines, idle, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.form import FormScreen, RowFormScreen
from tui.app.widgets import Picker, RowsEditor
from tui.plan.model import load_plan

SIZE = (120, 40)
ACCOUNT = "harbor-hvac"


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def committee_editor(pilot) -> tuple[FormScreen, RowsEditor]:
    app = pilot.app
    app.main.edit_entity("account", ACCOUNT, "committee")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
    await settle(pilot)
    form = app.screen
    editor = form.query_one("#f-committee", RowsEditor)
    assert form.focused is editor.table, "opening at the committee focuses its table"
    return form, editor


def account_span(text: str, account_id: str) -> range:
    """Line numbers (0-based) from the account's [[account]] header to the next one."""
    lines = text.split("\n")
    start = next(n for n, line in enumerate(lines) if line == f'id = "{account_id}"') - 1
    end = next((n for n in range(start + 1, len(lines)) if lines[n] == "[[account]]"), len(lines))
    return range(start, end)


async def test_committee_add_edit_remove_reorder_touches_only_that_account(plan_dir):
    old = (plan_dir / "accounts.toml").read_text()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await committee_editor(pilot)
        names = [r["name"] for r in editor.rows]
        assert names == ["Kenji Moriyama", "Rosa Delgado", "Peter Lindqvist"]

        # add: its own form, with the item schema's fields
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, RowFormScreen) and app.screen.loaded, what="the row form")
        row_form = app.screen
        assert [s.key for s in row_form.specs][:4] == ["name", "title", "persona", "email"]
        assert isinstance(row_form.query_one("#f-persona"), Picker)
        await pilot.press("ctrl+j")  # empty: refused, the required fields marked
        await settle(pilot)
        assert app.screen is row_form and row_form.query_one("#box-f-name").has_class("-invalid")
        row_form.query_one("#f-name", Input).value = "Ana Costa"
        row_form.query_one("#f-title", Input).value = "CFO"
        row_form.query_one("#f-persona", Picker).value = "economic-buyer" if app.plan.find(
            "persona", "economic-buyer") else app.plan.all("persona")[0].id
        await settle(pilot)
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert [r["name"] for r in editor.rows] == names + ["Ana Costa"]

        # edit the first row
        editor.table.move_cursor(row=0)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, RowFormScreen) and app.screen.loaded, what="the row form")
        title = app.screen.query_one("#f-title", Input)
        assert title.value == "VP Field Operations"
        title.value = "SVP Field Operations"
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert editor.rows[0]["title"] == "SVP Field Operations"
        assert editor.rows[0]["email"] == "kenji.moriyama@harborhvac.example", "fields not shown are kept"

        # remove the second row
        editor.table.move_cursor(row=1)
        await pilot.press("x")
        await settle(pilot)
        assert [r["name"] for r in editor.rows] == ["Kenji Moriyama", "Peter Lindqvist", "Ana Costa"]

        # move the last row up to first
        editor.table.move_cursor(row=2)
        await pilot.press("shift+up", "shift+up")
        await settle(pilot)
        assert [r["name"] for r in editor.rows] == ["Ana Costa", "Kenji Moriyama", "Peter Lindqvist"]
        assert editor.cursor == 0, "the cursor follows the row moved"
        await pilot.press("shift+down")
        await settle(pilot)
        assert [r["name"] for r in editor.rows] == ["Kenji Moriyama", "Ana Costa", "Peter Lindqvist"]

        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert not app.session.dirty
    new = (plan_dir / "accounts.toml").read_text()
    saved = load_plan(plan_dir).get("account", ACCOUNT).data["committee"]
    assert [m["name"] for m in saved] == ["Kenji Moriyama", "Ana Costa", "Peter Lindqvist"]
    assert saved[0]["title"] == "SVP Field Operations" and saved[1]["title"] == "CFO"
    span = account_span(old, ACCOUNT)
    touched = changed_old_lines(old, new)
    assert touched and all(n in span for n in touched), "the save changed lines outside the account"


async def test_row_form_escape_asks_when_changed_and_keeps_the_row(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await committee_editor(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RowFormScreen) and app.screen.loaded, what="the row form")
        row_form = app.screen
        await pilot.press(*"zz")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is not row_form and app.screen is not form  # the question
        await pilot.press("d")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert editor.rows[0]["name"] == "Kenji Moriyama"
        assert not form.dirty()


async def test_the_add_form_has_the_committee_too(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the add form")
        form = app.screen
        editor = form.query_one("#f-committee", RowsEditor)
        assert editor.rows == []
        form.query_one("#new-id", Input).value = "gulf-coast-hvac"
        form.query_one("#f-name", Input).value = "Gulf Coast HVAC"
        form.query_one("#f-domain", Input).value = "gulfcoasthvac.example"
        form.query_one("#f-tier", Picker).value = 2
        form.query_one("#f-stage", Picker).value = "target"
        form.query_one("#f-sales_owner", Picker).value = "tom-becker"
        form.query_one("#f-marketing_owner", Picker).value = "sam-oduya"
        editor.set_row(None, {"name": "Lena Park", "title": "COO"})
        await settle(pilot)
        await pilot.press("ctrl+s")
        await idle(pilot)
    added = load_plan(plan_dir).get("account", "gulf-coast-hvac").data
    assert added["committee"] == [{"name": "Lena Park", "title": "COO"}]
