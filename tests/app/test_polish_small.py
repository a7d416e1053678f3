"""The small ones: the SLA detail's heading, wrapped bullets with a hanging indent, the
trend's rows, the rename dialog's preview and notice, the filter that matches nothing,
errors before warnings, the keys screen that scrolls at once."""

from __future__ import annotations

from types import SimpleNamespace

from textual.widgets import Static

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.detail import bullet
from tui.app.dialogs.help import HelpScreen
from tui.app.dialogs.trend import render_trend, trend_rows
from tui.app.present import references_phrase, rename_preview
from tui.app.table import RowTable
from tui.plan.model import load_plan
from tui.plan.ops import find_referrers
from tui.plan.problems import ERROR


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def test_the_sla_detail_says_what_it_is_not_month(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("7")
        await settle(pilot, 2)
        app.query_one("#team-tabs").active = "team-sla"
        await settle(pilot, 2)
        first = str(app.query_one("#single-sla .detail-body", Static).render()).split("\n")[0]
        assert first == "Lead hand-off SLA · 180 MQLs per month"


def test_wrapped_bullets_hang_under_their_text():
    text = bullet("dispatch-manager — Marco, Dispatch Manager of the whole northern region", "", 30)
    lines = text.rstrip("\n").split("\n")
    assert len(lines) > 1 and lines[0].startswith("  • ")
    assert all(line.startswith("    ") and not line.startswith("     ") for line in lines[1:])
    assert bullet("short", "", 30) == "  • short\n"


async def test_the_detail_pane_wraps_bullets_with_a_hanging_indent(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await settle(pilot, 2)
        body = str(app.query_one("#content-view .detail-body").render())
        lines = body.split("\n")
        bullets = [i for i, line in enumerate(lines) if line.startswith("  • ")]
        assert bullets
        wrapped = [i for i in bullets if i + 1 < len(lines) and lines[i + 1].startswith("    ")
                   and not lines[i + 1].startswith("    •")]
        assert wrapped, body  # at 80 columns some bullet wraps: its next line hangs under the text


def point(quarter, label, target, actual, current=False):
    return SimpleNamespace(quarter=quarter, label=label, commit=None, present=True, unit="count",
                           direction="increase", baseline=None, target=target, actual=actual,
                           checkins=[], current=current)


def test_trend_never_shows_two_rows_that_read_alike():
    same = [point("2026-Q3", "plan/2026-Q3", 10, 5), point("2026-Q4", "plan/2026-Q4", 10, 8),
            point("2026-Q4", "working tree", 10, 8)]
    labels = [label for label, _p in trend_rows(same)]
    assert labels == ["2026-Q3", "2026-Q4 (tagged = now)"]
    moved = same[:2] + [point("2026-Q4", "working tree", 10, 9)]
    labels = [label for label, _p in trend_rows(moved)]
    assert labels == ["2026-Q3", "2026-Q4 tagged", "2026-Q4 now"]
    assert len(set(labels)) == len(labels)
    merged = [point("2026-Q4", "plan/2026-Q4 = working tree", 10, 8, current=True)]
    assert [label for label, _p in trend_rows(merged)] == ["2026-Q4 (tagged = now)"]
    assert "2026-Q4 now" in render_trend(moved).plain


def test_rename_preview_counts_references_by_file(plan_dir):
    plan = load_plan(plan_dir)
    users = find_referrers(plan, "member", "dana-okafor")
    files = {u.file for u in users}
    assert len(users) > 3 and len(files) >= 2
    preview = rename_preview(users)
    assert preview.split("\n")[0] == f"{len(users)} references in {len(files)} files ({', '.join(sorted(files))}) will follow:"
    assert all(f"  {f}: " in preview for f in files)
    assert references_phrase(25, ["a.toml", "b.toml", "c.toml", "a.toml"]) == "25 references in 3 files (a.toml, b.toml, c.toml)"
    assert references_phrase(0, []) == "no references"


async def test_a_filter_that_matches_nothing_says_so_and_esc_clears_it(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        lst = app.query_one("#list-account")
        lst.filter_input.value = "zzzqqq"
        table = lst.table
        await wait_for(pilot, lambda: not table.view, what="the filter")
        assert table.empty_text == "No accounts match “zzzqqq” — Esc clears the filter"
        assert "No accounts match “zzzqqq”" in table.render_line(1).text
        table.focus()
        await pilot.press("escape")
        await wait_for(pilot, lambda: len(table.view) == len(app.plan.all("account")), what="the cleared filter")
        assert lst.filter_input.value == ""


async def test_problems_list_errors_before_warnings(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace('domain = "liftwell.example"', 'domain = "https://liftwell.example/"', 1))
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert {p.severity for p in app.problems} >= {ERROR, "warning"}
        await pilot.press("8")
        await settle(pilot, 2)
        table = app.query_one("#table-problems", RowTable)
        marks = [table.rows[i].mark for i in table.view]
        first_warning = marks.index("warning")
        assert "error" in marks and all(m == "error" for m in marks[:first_warning])
        assert "error" not in marks[first_warning:]


async def test_the_keys_screen_scrolls_with_the_arrows_at_once(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        body = app.screen.query_one(".dialog-body")
        assert body.max_scroll_y > 0
        await pilot.press("down", "down", "down")
        await settle(pilot)
        assert body.scroll_y > 0
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)
