"""The small screen and getting around: every tab and the keys list on an 80×24 screen,
the detail pane out of the way, a pane maximised, a view's own tabs by key, back after
a jump, the rename dialog's preview and notice, key settings that name no key."""

from __future__ import annotations

import pytest
from textual.widgets import TabbedContent
from textual.widgets._footer import FooterKey

from tests.app.helpers import TODAY, idle, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.config import config_path
from tui.app.dialogs.form import FormScreen
from tui.app.dialogs.new_id import NewIdScreen
from tui.app.footer import footer_plan
from tui.app.table import RowTable
from tui.app.views.lists import DetailPane, EntityList

SMALL = (80, 24)


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


@pytest.mark.parametrize("view", ["1", "2", "4", "5", "7", "8", "9"])
async def test_at_80x24_every_tab_and_the_keys_list_are_on_screen(plan_dir, view):
    app = make_app(plan_dir)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await pilot.press(view)
        await settle(pilot, 2)
        tabs = app.query_one("#views", TabbedContent)
        for pane in tabs.query("TabPane"):
            if pane.parent is not None and pane.parent.parent is tabs:
                tab = tabs.get_tab(pane.id)
                assert tab.region.right <= SMALL[0], (pane.id, str(tab.label), tab.region)
        keys = [k for k in app.screen.query(FooterKey) if k.display]
        assert any(k.description == "Keys" for k in keys)
        for key in keys:
            assert key.region.right <= SMALL[0], (key.description, key.region)


def test_the_footer_drops_low_priorities_first_and_keeps_the_keys_list_last():
    entries = [("list.add", "a", "Add", False), ("list.edit", "e", "Edit", False),
               ("view.overview", "1‥9", "Views", True), ("app.save", "^s", "Save", True),
               ("app.help", "?", "Keys", True)]
    assert footer_plan(entries, 200) == [0, 1, 2, 3, 4]
    shown = footer_plan(entries, 12 + 20)
    assert shown[-1] == 4 and 2 not in shown and 0 in shown
    assert footer_plan(entries, 14) == [4]


async def test_d_hides_the_detail_and_the_lists_show_more(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot, 2)
        goals = app.query_one("#table-goal", RowTable)
        before = goals.size.height
        detail = app.query_one("#goals-view DetailPane", DetailPane)
        assert detail.display and detail.size.height > 0
        await pilot.press("d")
        await settle(pilot)
        assert detail.size.height == 0 or not detail.region.height
        assert goals.size.height > before
        assert goals.page_height >= len(app.plan.all("goal")), "every goal of the example shows"
        await pilot.press("d")
        await settle(pilot)
        assert detail.region.height > 0


async def test_m_maximises_the_focused_list_and_esc_restores(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SMALL) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot, 2)
        assert isinstance(app.focused, RowTable)
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen.maximized, EntityList)
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen.maximized is None


async def test_square_brackets_walk_a_views_own_tabs_without_wrapping(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("7")
        await settle(pilot, 2)
        team = app.query_one("#team-tabs", TabbedContent)
        first = team.active
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert team.active != first
        await pilot.press("left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert team.active == first  # stops at the first
        await pilot.press("5")
        await settle(pilot, 2)
        content = app.query_one("#content-tabs", TabbedContent)
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert content.active == "content-calendar"


async def test_back_returns_after_a_jump_from_problems_and_after_a_change_of_view(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace('domain = "liftwell.example"', 'domain = "https://liftwell.example/"', 1))
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("8")
        await settle(pilot, 2)
        table = app.query_one("#table-problems", RowTable)
        pos = next(p for p, i in enumerate(table.view) if "liftwell-elevator" in table.rows[i].cells[2])
        table._move(pos)
        chosen = table.current_id
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        await pilot.press("escape")
        await settle(pilot, 2)
        views = app.query_one("#views", TabbedContent)
        # a form opened by the jump, closed: back where the jump started (RELIABILITY 42)
        assert views.active == "problems"
        assert app.query_one("#table-problems", RowTable).current_id == chosen
        # a jump that stays (the palette's, a reference's), then the back key
        await app.main.goto_entity("account", "liftwell-elevator")
        await settle(pilot, 2)
        assert views.active == "accounts"
        await pilot.press("backspace")
        await settle(pilot, 2)
        assert views.active == "problems"
        assert app.query_one("#table-problems", RowTable).current_id == chosen, "on the same problem"
        assert app.focused is app.query_one("#table-problems", RowTable), "with the focus where it was"
        # a change of view by key, then back (alt+left too)
        await pilot.press("2")
        await settle(pilot, 2)
        await pilot.press("6")
        await settle(pilot, 2)
        await pilot.press("alt+left")
        await settle(pilot, 2)
        assert views.active == "goals"


async def test_rename_previews_its_references_and_says_how_many_followed(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("7")
        await settle(pilot, 2)
        table = app.query_one("#table-member", RowTable)
        table.focus()
        assert table.select_id("dana-okafor")
        await pilot.press("n")
        await wait_for(pilot, lambda: isinstance(app.screen, NewIdScreen), what="the rename dialog")
        dialog = app.screen
        preview = dialog.query_one("#new-id-preview")
        await wait_for(pilot, lambda: "will follow" in str(preview.render()), what="the preview")
        text = str(preview.render())
        assert "references in" in text and "goals.toml" in text
        dialog.query_one("#new-id").value = "dana-okafor-2"
        await pilot.press("enter")
        # the rename runs in a worker that may not have begun yet: wait for its word, then idle
        await wait_for(pilot, lambda: any("Renamed to" in n.message for n in app._notifications), what="the rename")
        await idle(pilot)
        notes = " ".join(n.message for n in app._notifications)
        assert "Renamed to dana-okafor-2;" in notes and " references in " in notes and " files (" in notes


async def test_a_key_setting_that_names_no_key_is_reported(plan_dir):
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('[keys]\n"app.sav" = "f10"\n"list.delete" = "d,delete"\n', encoding="utf-8")
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        notes = " ".join(n.message for n in app._notifications)
        assert "app.sav" in notes and "list.delete" not in notes


async def test_the_footer_makes_its_keys_again_once_a_focus_change_and_only_when_they_change(plan_dir):
    """Textual says "the bindings changed" twice for one move of the focus, and on moves
    that leave the keys as they were: the footer's keys are set again once, and only when
    what it shows changes; the key widgets are reused, never removed (a removal, awaited
    by the screen after a refresh, could hang the screen for good)."""
    from tui.app.footer import PriorityFooter

    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot, 2)
        table = app.screen.query_one("#table-account", RowTable)
        table.focus()
        await settle(pilot, 2)
        footer = app.screen.query_one(PriorityFooter)
        made = []
        removed = []
        original = footer._update_keys

        def counted():
            before = footer._shown
            original()
            if footer._shown is not before:
                made.append(1)

        footer._update_keys = counted
        footer.recompose = lambda: removed.append(1)
        keys_before = set(footer.query(FooterKey))

        def shown_keys():
            return [k.description for k in footer.query(FooterKey) if k.display]

        on_table = shown_keys()
        await pilot.press("slash")  # to the filter: other keys
        await settle(pilot, 2)
        assert app.focused is not table
        on_filter = shown_keys()
        assert on_filter != on_table and len(made) == 1
        await pilot.press("escape")  # back to the table: its keys again
        await settle(pilot, 2)
        assert app.focused is table and len(made) == 2
        assert shown_keys() == on_table, (on_table, shown_keys(), [a[2] for a in footer._shown])
        # the bindings said to have changed, the keys the same: nothing is set again
        app.screen.refresh_bindings()
        await settle(pilot, 2)
        assert len(made) == 2
        assert not removed and keys_before <= set(footer.query(FooterKey))
