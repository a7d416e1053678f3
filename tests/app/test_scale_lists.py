"""A large plan in the app (the example plus 2,000 generated accounts): every row is
reachable, filters keep exactly the matching rows, keys are handled while the plan is
being checked, and an edit shows in its row before the check of it is done.  (How fast
is the benchmark's business, tests/bench; nothing here is timed.)"""

from __future__ import annotations

import shutil
import threading

import pytest
from textual.widgets import Input, Static

from tests.app.helpers import idle, make_app, ready, settle, wait_for
from tests.bigplan import make_big_plan

ACCOUNTS = 2_000
SIZE = (120, 40)


@pytest.fixture(scope="module")
def big_plan_source(tmp_path_factory):
    return make_big_plan(tmp_path_factory.mktemp("big") / "plans", ACCOUNTS)


@pytest.fixture
def big_plan(big_plan_source, tmp_path):
    # a copy per test: the app keeps its crash copy of unsaved edits beside the files
    return shutil.copytree(big_plan_source, tmp_path / "plans")


async def _accounts(pilot):
    """The Accounts view shown, its table holding every account, focused."""
    app = pilot.app
    await ready(pilot)
    await pilot.press("4")
    total = len(app.plan.all("account"))
    await wait_for(pilot, lambda: app.query("#table-account") and len(app.query_one("#table-account").view) == total,
                   what="every account in the table")
    table = app.query_one("#table-account")
    table.focus()
    await settle(pilot)
    return table


def _screen_text(table) -> str:
    """The lines the table draws now (header and the rows on screen)."""
    height = table.scrollable_content_region.height
    return "\n".join("".join(seg.text for seg in table.render_line(y)) for y in range(height))


class _HeldValidation:
    """Validation that waits until released: the app is known to be checking meanwhile.
    (The app's check step is held, whether it checks in a thread or, as this plan's size
    makes it, in a child process.)"""

    def __init__(self, monkeypatch) -> None:
        from tui.app.main import QuarterdeckApp

        self.release = threading.Event()
        self.started = threading.Event()
        real = QuarterdeckApp._check

        def held(app, *args, **kw):
            self.started.set()
            self.release.wait(60)
            return real(app, *args, **kw)

        monkeypatch.setattr(QuarterdeckApp, "_check", held)


async def test_end_and_home_reach_the_last_and_first_of_thousands_of_rows(big_plan):
    app = make_app(big_plan)
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(pilot)
        ids = [e.id for e in app.plan.all("account")]
        assert len(ids) > ACCOUNTS and len(table.rows) == len(ids)
        await pilot.press("end")
        await settle(pilot)
        assert table.cursor == len(ids) - 1 and table.current_id == ids[-1]
        assert ids[-1] in _screen_text(table)  # drawn, not only selected
        # the detail pane follows the cursor to the last row
        detail = app.screen.query_one("#accounts-view .detail-body")
        assert ids[-1] in str(detail.render())
        await pilot.press("pageup", "home")
        await settle(pilot)
        assert table.cursor == 0 and table.current_id == ids[0] and ids[0] in _screen_text(table)
        await pilot.press("down", "down")
        await settle(pilot)
        assert table.current_id == ids[2] and app.current == ("account", ids[2])


async def test_a_field_filter_keeps_exactly_the_matching_rows_of_a_large_list(big_plan):
    app = make_app(big_plan)
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(pilot)
        total = len(table.rows)
        want = {e.id for e in app.plan.all("account") if "customer" in str(e.data.get("stage", "")).casefold()}
        assert 0 < len(want) < total
        await pilot.press("slash", *"stage:customer")
        await wait_for(pilot, lambda: {table.rows[i].id for i in table.view} == want, what="the filtered rows")
        count = app.screen.query_one("#count-account")
        assert str(count.render()) == f"{len(want)} of {total}"
        # a word matches names fuzzily: one generated account by (part of) its name
        target = app.plan.all("account")[-1]
        flt = app.screen.query_one("#filter-account", Input)
        flt.value = ""
        await pilot.press(*str(target.data["name"]))
        await wait_for(pilot, lambda: table.view and table.rows[table.view[0]].id == target.id,
                       what="the named account first")
        # nothing matches: the table says so
        flt.value = "stage:zzzz-no-such-stage"
        await wait_for(pilot, lambda: not table.view, what="no rows")
        assert "No accounts match" in _screen_text(table)
        await pilot.press("escape")  # clears the filter: every row again
        await wait_for(pilot, lambda: len(table.view) == total, what="every row again")


async def test_keys_are_handled_while_the_plan_is_being_checked(big_plan, monkeypatch):
    app = make_app(big_plan)
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(pilot)
        held = _HeldValidation(monkeypatch)
        generation = app._validation_generation
        app.start_validation(0)
        await wait_for(pilot, held.started.is_set, 30, "the check to start", workers=False)
        # the check is under way (and stays so until released): the keys still work
        await pilot.press("end")
        await wait_for(pilot, lambda: table.current_id == table.rows[table.view[-1]].id, 30,
                       "the cursor on the last row", workers=False)
        await pilot.press("slash", *"stage:customer")
        flt = app.screen.query_one("#filter-account", Input)
        assert flt.value == "stage:customer"
        want = {e.id for e in app.plan.all("account") if "customer" in str(e.data.get("stage", "")).casefold()}
        await wait_for(pilot, lambda: {table.rows[i].id for i in table.view} == want, 30, "the filtered rows",
                       workers=False)
        assert not held.release.is_set() and app._validation_generation == generation + 1
        held.release.set()
        await settle(pilot)
        assert app.validated


async def test_an_edit_shows_in_its_row_before_the_plan_is_checked_again(big_plan, monkeypatch):
    app = make_app(big_plan)
    async with app.run_test(size=SIZE) as pilot:
        table = await _accounts(pilot)
        await pilot.press("end")
        await settle(pilot)
        entity_id = table.current_id
        column = [key for key, _title in table.columns].index("icp_fit")
        old = app.plan.get("account", entity_id).data.get("icp_fit")
        new = 17 if old != 17 else 18
        held = _HeldValidation(monkeypatch)
        app.request_set_fields("account", entity_id, {("icp_fit",): new})
        await wait_for(pilot, lambda: not app.busy, 30, "the edit applied", workers=False)
        await pilot.pause()
        # applied to the plan in memory and drawn in its row; the check of it has not finished
        assert app.plan.get("account", entity_id).data["icp_fit"] == new
        row = table.rows[table.view[table.cursor]]
        assert row.id == entity_id and row.cells[column] == str(new)
        line = next(text for text in _screen_text(table).splitlines() if entity_id in text)
        assert f" {new} " in line
        assert "accounts.toml" in app.session.dirty_files
        assert not held.release.is_set()
        held.release.set()
        await wait_for(pilot, held.started.is_set, 30, "the check after the edit", workers=False)
        await settle(pilot)


async def test_an_edit_seen_from_another_view_is_drawn_when_that_view_is_shown(big_plan):
    """Views not on screen are drawn again when shown (not at every edit): the overview
    shows the plan's company as edited from the Accounts view, and e there opens the form."""
    from tui.app.dialogs.form import FormScreen

    app = make_app(big_plan)
    async with app.run_test(size=SIZE) as pilot:
        await _accounts(pilot)
        app.request_set_fields("plan", "plan", {("company",): "Zephyr Harbour Testing"})
        await idle(pilot)
        await pilot.press("1")
        await settle(pilot)
        body = app.screen.query_one("#overview-body", Static)
        assert "Zephyr Harbour Testing" in str(body.render())
        app.screen.query_one("#overview-view").focus()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the plan's form")
        assert app.screen.kind.name == "plan"


async def test_a_large_plan_is_checked_in_a_child_process_with_the_same_problems(big_plan):
    from tui.plan.validation import validate

    app = make_app(big_plan)
    assert app.checker is not None  # 2,000 accounts make more than a megabyte
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.checker.answered >= 1 and not app.checker.broken
        assert app.problems == validate(app.plan)
        # an edit is checked there too, with the text not saved yet
        entity_id = app.plan.all("account")[-1].id
        app.request_set_fields("account", entity_id, {("next_step",): "Send the RouteDesk FAQ"})  # a retired name
        await idle(pilot)
        await wait_for(pilot, lambda: any(p.entity == entity_id and p.code == "glossary.retired-name"
                                          for p in app.problems), 30, "the edit's warning")
        await wait_for(pilot, lambda: app.checker.answered >= 2, 30, "the child's check of the edit")
        await settle(pilot)
        assert app.problems == validate(app.plan)
        child = app.checker._proc
        assert child is not None and child.poll() is None
    assert child.poll() is not None  # quitting ends it


async def test_a_check_process_that_died_leaves_the_check_to_the_app(big_plan):
    from tui.plan.validation import validate

    app = make_app(big_plan)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.checker._proc.kill()
        app.checker._proc.wait()
        entity_id = app.plan.all("account")[0].id
        app.request_set_fields("account", entity_id, {("next_step",): "Send the RouteDesk FAQ"})
        await idle(pilot)
        await wait_for(pilot, lambda: any(p.entity == entity_id and p.code == "glossary.retired-name"
                                          for p in app.problems), 30, "the edit's warning, found by the app itself")
        await wait_for(pilot, lambda: app.checker.broken, 30, "the dead child noticed")
        await settle(pilot)
        assert app.checker.answered == 1
        assert app.problems == validate(app.plan)
