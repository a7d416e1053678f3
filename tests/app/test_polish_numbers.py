"""Numbers people read: never cut in a table, grouped, in the plan's currency, a
decrease in plain words and no negative percentage."""

from __future__ import annotations

import pytest
from textual.widgets import Static

from tests.app.helpers import TODAY, ready, settle
from tui.app import QuarterdeckApp
from tui.app.detail import progress_line
from tui.app.present import build_rows, fmt
from tui.app.table import RowTable
from tui.plan.model import load_plan

KR = "grow-pipeline/sourced-pipeline"
DECREASE = "tighten-handoff/first-touch-time"


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


def screen_text(table: RowTable) -> list[str]:
    """The table's lines as drawn on screen (what fits the width, nothing scrolled)."""
    return [table.render_line(y).text for y in range(min(table.size.height, len(table.view) + 1))]


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_key_result_numbers_are_never_cut_and_every_column_shows(plan_dir, size):
    app = make_app(plan_dir)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot, 2)
        table = app.query_one("#table-key_result", RowTable)
        lines = screen_text(table)
        header = lines[0]
        # every column is on screen without scrolling sideways: the text columns gave up
        # room (Direction may read "Dire…"), the numbers and the date none
        for title in ("ID", "Title", "Baseline", "Target", "Actual", "Dire", "Due"):
            assert title in header, (title, header)
        assert "2026-12-31" in "\n".join(lines[1:])
        body = "\n".join(lines[1:])
        assert "$3,000,000" in body and "$2,150,000" in body and "$2,100,000" in body
        # a number column holds whole numbers only: no cell of it ends in an ellipsis
        numeric = [c for c, n in enumerate(table.numeric) if n]
        assert {2, 3, 4} <= set(numeric)
        for row in table.rows:
            for c in numeric:
                assert len(row.cells[c]) <= table.widths[c]


def test_cells_are_grouped_and_in_the_key_results_unit(plan_dir):
    plan = load_plan(plan_dir)
    rows = {r.id: r for r in build_rows(plan.all("key_result"), currency="USD")}
    assert rows[KR].cells[2:5] == ("$2,100,000", "$3,000,000", "$2,150,000")
    assert rows[DECREASE].cells[2:5] == ("41 hours", "12 hours", "19 hours")
    assert fmt(3000000) == "3,000,000" and fmt(0.125) == "0.125" and fmt(True) == "yes"


def test_a_decrease_reads_in_words_and_never_below_zero_percent():
    line = progress_line({"unit": "days", "baseline": 34, "target": 9, "actual": 12, "direction": "decrease"}).plain
    assert "12 days, down from 34 days, aiming for 9 days or less" in line
    worse = progress_line({"unit": "days", "baseline": 34, "target": 9, "actual": 40, "direction": "decrease"}).plain
    assert "up from 34 days" in worse and "-" not in worse.split("%")[0]
    assert " 0%" in worse


async def test_overview_and_detail_speak_the_plans_currency(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        body = str(app.query_one("#overview-body", Static).render())
        assert "$2,400,000" in body and "deals of $48,000" in body
        rest = str(app.query_one("#overview-rest", Static).render())
        assert "$2.15M of $3M" in rest
        assert "aiming for 12 hours or less" in rest
        await pilot.press("2")
        await settle(pilot, 2)
        goals = app.query_one("#table-goal", RowTable)
        assert goals.select_id(DECREASE.split("/")[0])
        await settle(pilot)
        table = app.query_one("#table-key_result", RowTable)
        table.focus()
        assert table.select_id(DECREASE)
        await settle(pilot)
        detail = str(app.query_one("#goals-view .detail-body").render())
        assert "19 hours, down from 41 hours, aiming for 12 hours or less" in detail
