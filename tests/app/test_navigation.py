"""Finding things: views, filters and sorting, problems that jump to their field, the
calendar, the command palette, the key list, and text shown literally."""

from __future__ import annotations

import datetime as dt

from textual.widgets import Input, Static, TabbedContent

from tests.app.helpers import TODAY, idle, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.views.calendar import CalendarView
from tui.app.commands import PlanCommands
from tui.app.dialogs.form import FormScreen
from tui.app.dialogs.help import HelpScreen
from tui.app.table import RowTable
from tui.app.views.lists import DetailPane

SIZE = (120, 40)


def make_app(plan_dir, today=TODAY) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=today, watch=None)
    app.animation_level = "none"
    return app


async def test_views_by_key_and_by_clicking_tabs(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        tabs = app.query_one("#views", TabbedContent)
        await pilot.press("4")
        await settle(pilot)
        assert tabs.active == "accounts"
        assert isinstance(app.focused, RowTable) and app.focused.id == "table-account"
        await pilot.click("#--content-tab-glossary")
        await settle(pilot)
        assert tabs.active == "glossary"
        # keys shown in the footer: the views and saving, with their tooltips
        footer_keys = {b.binding.id for b in app.screen.active_bindings.values() if b.binding.show}
        assert {"view.overview", "app.save", "app.help", "list.add", "list.edit"} <= footer_keys


async def test_filter_sort_and_row_counts(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        lst = app.query_one("#list-account")
        table = lst.table
        total = len(app.plan.all("account"))
        count = app.query_one("#count-account")
        assert str(count.render()) == str(total)
        await pilot.press("slash")
        await pilot.press(*"hrbr hvac")
        # the filter runs shortly after typing stops (on a busy machine also between keys)
        await wait_for(pilot, lambda: len(table.view) == 1, what="the fuzzy filter")
        assert [table.rows[i].id for i in table.view] == ["harbor-hvac"]
        assert str(count.render()) == f"1 of {total}"
        filt = lst.filter_input
        filt.value = "tier:=1 stage:opp"
        await wait_for(pilot, lambda: len(table.view) > 1 and all(
            table.rows[i].data["tier"] == 1 and table.rows[i].data["stage"] == "opportunity" for i in table.view),
            what="the field filter")
        filt.value = "icp_fit:>90"
        await wait_for(pilot, lambda: table.view and all(table.rows[i].data["icp_fit"] > 90 for i in table.view),
                       what="the numeric filter")
        await pilot.press("escape")  # clears the filter, back to the table
        await wait_for(pilot, lambda: len(table.view) == total, what="the cleared filter")
        assert app.focused is table
        # sort by clicking the Name header, again to reverse
        name_x = 2 + table.widths[0] + 1 + 1
        await pilot.click("#table-account", offset=(name_x, 0))
        await settle(pilot)
        names = [table.rows[i].data["name"] for i in table.view]
        assert names == sorted(names, key=str.casefold)
        await pilot.click("#table-account", offset=(name_x, 0))
        await settle(pilot)
        names = [table.rows[i].data["name"] for i in table.view]
        assert names == sorted(names, key=str.casefold, reverse=True)
        # and by key: s picks the next column
        await pilot.press("s")
        await settle(pilot)
        assert table.sort_column == 2 and not table.reverse


async def test_problem_jumps_to_entity_and_field(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace('domain = "liftwell.example"', 'domain = "https://liftwell.example/"', 1))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        problem = next(p for p in app.problems if p.entity == "liftwell-elevator")
        assert problem.field == "domain"
        await pilot.press("8")
        await settle(pilot)
        table = app.query_one("#table-problems", RowTable)
        assert any("liftwell-elevator" in row.cells[2] for row in table.rows)
        pos = next(p for p, i in enumerate(table.view) if "liftwell-elevator" in table.rows[i].cells[2])
        table._move(pos)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#views", TabbedContent).active == "accounts"
        assert app.query_one("#table-account", RowTable).current_id == "liftwell-elevator"
        form = app.screen
        assert isinstance(form, FormScreen) and form.entity.id == "liftwell-elevator"
        assert form.focused is form.query_one("#f-domain", Input)
        assert form.query_one("#box-f-domain").has_class("-invalid")
        form.query_one("#f-domain", Input).value = "liftwell.example"
        await pilot.press("ctrl+j")
        await idle(pilot)
        await wait_for(pilot, lambda: not any(p.entity == "liftwell-elevator" for p in app.problems),
                       what="the problem to go away")


async def test_calendar_moves_an_item_by_days_and_weeks(plan_dir):
    app = make_app(plan_dir, today=dt.date(2026, 10, 1))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("5", "v")
        await settle(pilot)
        cal = app.query_one(CalendarView)
        assert app.focused is cal
        assert cal.cursor == dt.date(2026, 10, 1)
        assert cal.picked == "dispatch-benchmark-2026"
        await pilot.press("shift+right")
        await idle(pilot)
        assert app.plan.get("content", "dispatch-benchmark-2026").data["publish_date"] == dt.date(2026, 10, 2)
        assert cal.cursor == dt.date(2026, 10, 2) and cal.picked == "dispatch-benchmark-2026"
        await pilot.press("shift+down")
        await idle(pilot)
        assert app.plan.get("content", "dispatch-benchmark-2026").data["publish_date"] == dt.date(2026, 10, 9)
        await pilot.press("shift+left", "shift+up")
        await idle(pilot)
        await idle(pilot)
        assert app.plan.get("content", "dispatch-benchmark-2026").data["publish_date"] == dt.date(2026, 10, 1)
        # arrows move the day; n picks the next item of the day
        await pilot.press("right")
        await settle(pilot)
        day_items = [i.id for i in cal.by_date[dt.date(2026, 10, 2)]]
        assert cal.picked == day_items[0]
        detail = app.query_one("#calendar-detail", DetailPane)
        assert detail.shown == ("content", day_items[0])
        await pilot.press("pagedown")
        await settle(pilot)
        assert cal.cursor.month == 11


async def test_command_palette_finds_actions_and_entities(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        provider = PlanCommands(app.screen)
        hits = [hit async for hit in provider.search("northgate")]
        texts = [h.text for h in hits]
        assert any("Northgate Utilities Cooperative (northgate-utilities)" in t for t in texts)
        actions = [h.text async for h in _texts(provider.search("save"))]
        assert "Save" in actions
        discovered = [h.text async for h in _texts(provider.discover())]
        assert "Go to Accounts" in discovered and "Undo" in discovered
        hit = next(h for h in hits if "(northgate-utilities)" in h.text)
        await hit.command()
        await settle(pilot)
        assert app.query_one("#views", TabbedContent).active == "accounts"
        assert app.query_one("#table-account", RowTable).current_id == "northgate-utilities"
        # through the real palette too
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"go to glossary")
        await wait_for(pilot, lambda: app.screen.query("CommandList Option") or True, what="hits")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert app.query_one("#views", TabbedContent).active == "glossary"


async def _texts(hits):
    async for hit in hits:
        yield hit


async def test_help_lists_every_key(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = " ".join(f"{key} {what} {tip}" for _title, rows in app.screen.sections for key, what, tip in rows)
        for words in ("Save", "Undo", "Redo", "Duplicate", "Rename", "Delete", "Filter", "Sort", "−1 day",
                      "Apply", "List/Calendar", "Command palette"):
            assert words in text, words
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_text_that_looks_like_markup_is_shown_literally(plan_dir):
    tricky = "[bold]Harbor[/] [/x] [link=y]"
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace('name = "Harbor HVAC Services"', f'name = "{tricky}"', 1))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        table = app.query_one("#table-account", RowTable)
        row = table.rows[table.view[0]]
        assert row.cells[1] == tricky
        line = "".join(seg.text for seg in table.render_line(1))
        assert table._cell(tricky, table.widths[1]).rstrip() in line  # as written (cut to fit, never read as markup)
        assert line.count("[") >= 2
        detail = app.query_one("#accounts-view DetailPane .detail-body")
        assert tricky in str(detail.render())
        app.main.edit_entity("account", "harbor-hvac")
        await settle(pilot)
        assert app.screen.query_one("#f-name", Input).value == tricky
        await pilot.press("escape")
        app.notify(tricky, markup=False)
        provider = PlanCommands(app.screen)
        hits = [hit async for hit in provider.search("harbor")]
        assert any(tricky in h.text for h in hits)
        assert any(tricky in str(h.match_display) for h in hits)
        await settle(pilot)
        assert app.is_running
