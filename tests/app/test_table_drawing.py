"""The row table draws what changed and nothing else: moving the cursor draws the two rows
it left and reached (a full redraw of a tall table was most of a key press), and lines
kept from before never show old styles or old rows."""

from __future__ import annotations

from textual import events
from textual.app import App, ComposeResult

from tests.app.helpers import make_app, ready, settle
from tui.app.present import Row
from tui.app.table import RowTable


def _rows(n: int, name: str = "Account") -> list[Row]:
    return [Row(key=i, id=f"acct-{i:03d}", cells=(f"acct-{i:03d}", f"{name} {i}"),
                sort=((1, f"acct-{i:03d}"), (1, f"{name} {i}")), haystack=f"{name} {i}", data={})
            for i in range(n)]


class _OneTable(App):
    def compose(self) -> ComposeResult:
        yield RowTable([("id", "Id"), ("name", "Name")], id="t")


def _line(table: RowTable, y: int) -> str:
    return "".join(seg.text for seg in table.render_line(y))


async def test_moving_the_cursor_redraws_only_the_rows_it_left_and_reached():
    app = _OneTable()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(_rows(50))
        table.focus()
        await pilot.pause()
        await pilot.pause()
        made = []
        real = table._row

        def counted(pos, look):
            made.append(pos)
            return real(pos, look)

        table._row = counted
        await pilot.press("down")
        await pilot.pause()
        assert table.cursor == 1
        assert sorted(set(made)) == [0, 1], made  # not the 18 rows on screen
        # what is drawn is right: the cursor's style on row 1 now, not on row 0
        look = table._styles()
        styles = {y: {seg.style for seg in table.render_line(y)} for y in (1, 2)}
        assert look["cursor"] in styles[2] and look["cursor"] not in styles[1]


async def test_kept_lines_follow_new_rows_the_focus_and_the_theme():
    app = _OneTable()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RowTable)
        table.set_rows(_rows(30))
        await pilot.pause()
        assert "Account 0" in _line(table, 1)
        # new rows: the kept lines go
        table.set_rows(_rows(30, "Renamed"))
        await pilot.pause()
        assert "Renamed 0" in _line(table, 1)
        # the focus changes the cursor's colours: the kept cursor line is drawn again
        app.set_focus(None)
        await pilot.pause()
        assert not table.has_focus
        unfocused = {seg.style for seg in table.render_line(1)}
        table.focus()
        await pilot.pause()
        focused = {seg.style for seg in table.render_line(1)}
        assert focused != unfocused
        # so does another theme
        app.theme = "textual-light" if app.theme != "textual-light" else "textual-dark"
        await pilot.pause()
        await pilot.pause()
        assert {seg.style for seg in table.render_line(1)} != focused


async def _accounts(pilot) -> RowTable:
    """The example's Accounts view shown, its table focused."""
    await ready(pilot)
    await pilot.press("4")
    await settle(pilot, 2)
    table = pilot.app.query_one("#table-account", RowTable)
    table.focus()
    await settle(pilot)
    return table


async def test_moving_through_accounts_does_not_lay_out_the_screen_for_each_entry(plan_dir):
    """The detail pane's text changes height from one entry to the next; drawn as a text of
    its own height it made most moves lay out (and draw) the whole screen again.  Now only a
    change between fitting the pane and scrolling in it may (its scroll bar shows or goes)."""
    from textual.screen import Screen

    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        table = await _accounts(pilot)
        layouts = []
        real = Screen._refresh_layout

        def counted(screen, *args, **kwargs):
            layouts.append(1)
            return real(screen, *args, **kwargs)

        Screen._refresh_layout = counted
        try:
            bodies = set()
            for _ in range(20):
                await pilot.press("down")
                await pilot.pause()
                bodies.add(len(str(app.query_one("#accounts-view .detail-body").render()).splitlines()))
        finally:
            Screen._refresh_layout = real
        assert table.cursor == 20
        assert len(bodies) > 5  # entries of many heights were shown
        assert len(layouts) <= 6, len(layouts)


async def test_a_long_entry_scrolls_in_the_detail_pane_and_the_next_starts_at_its_top(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await _accounts(pilot)
        body = app.query_one("#accounts-view .detail-body")
        assert body.virtual_size.height > body.scrollable_content_region.height, "a long entry"
        last = "".join(seg.text for seg in body._lines[-1]).strip()
        for _ in range(40):  # the wheel over the text
            body.post_message(events.MouseScrollDown(body, 2, 2, 0, 1, 0, False, False, False))
        await settle(pilot)
        assert body.scroll_y > 0
        shown = ["".join(seg.text for seg in body.render_line(y)) for y in range(body.scrollable_content_region.height)]
        assert any(last in line for line in shown), "the end of the entry can be read"
        await pilot.press("down")
        await settle(pilot)
        assert body.scroll_y == 0
