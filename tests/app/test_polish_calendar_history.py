"""The calendar's chips, legend and month arrows; History's summary first and a quarter
picker that starts where people expect."""

from __future__ import annotations

import datetime as dt
import subprocess
import shutil
from pathlib import Path

import pytest

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.pick import PickScreen
from tui.app.views.calendar import STATUSES, CalendarView
from tui.app.views.history import HistoryView, diff_text, summary_first
from tui.plan.edit import apply_change, set_field
from tui.plan.model import load_plan

KR = "grow-pipeline/sourced-pipeline"


def make_app(plan_dir, today=TODAY) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=today, watch=None)
    app.animation_level = "none"
    return app


@pytest.mark.parametrize("size", [(120, 40), (80, 24)])
async def test_calendar_chips_are_readable_with_a_legend(plan_dir, size):
    app = make_app(plan_dir, today=dt.date(2026, 12, 1))
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        await pilot.press("5", "v")
        await settle(pilot, 2)
        cal = app.query_one(CalendarView)
        lines = cal.render().plain.split("\n")
        text = "\n".join(lines)
        # every status is named once, with its mark (the legend may be cut at the right edge)
        legend = next(line for line in lines[:2] if "idea" in line)
        for status in list(STATUSES)[:5]:
            assert f"{STATUSES[status][0]} {status}" in legend
        # a chip shows more than nine characters of its title (a weekend with nothing on it is narrow)
        titles = [visible for e in app.plan.all("content") if (visible := str(e.data.get("title", "")))
                  and e.data.get("publish_date") and e.data["publish_date"].month == 12]
        assert titles
        assert any(t[:10] in text.replace("\n", " ") or t[:10].replace(" ", "") in text for t in titles), text


async def test_calendar_month_arrows_are_clickable(plan_dir):
    app = make_app(plan_dir, today=dt.date(2026, 11, 10))
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("5", "v")
        await settle(pilot, 2)
        cal = app.query_one(CalendarView)
        assert cal.cursor.month == 11
        (p0, _p1), (n0, _n1) = cal._arrows
        # the content region starts after the widget's left padding
        await pilot.click(CalendarView, offset=(n0 + 1 + 1, 0))
        await settle(pilot)
        assert cal.cursor.month == 12
        await pilot.click(CalendarView, offset=(p0 + 1 + 1, 0))
        await pilot.click(CalendarView, offset=(p0 + 1 + 1, 0))
        await settle(pilot)
        assert cal.cursor.month == 10


def test_the_diff_summary_comes_first():
    rendered = "plan diff a → b\n+ goal x\n~ key_result y\n    actual: 1 → 2\n1 added, 1 changed"
    assert summary_first(rendered).split("\n")[:2] == ["plan diff a → b", "1 added, 1 changed"]
    text = diff_text(rendered).plain.split("\n")
    assert text[1] == "1 added, 1 changed" and text[-1] == "    actual: 1 → 2"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


@pytest.fixture
def two_quarters(tmp_path, monkeypatch, plan_dir) -> Path:
    """Tags 2026-Q2 and 2026-Q3, then a commit: the plan's quarter is 2026-Q4."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    plans = repo / "plans"
    shutil.copytree(plan_dir, plans)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test Author")
    git(repo, "config", "user.email", "test@example.com")
    for value, tag in ((500000, "plan/2026-Q2"), (1000000, "plan/2026-Q3"), (2000000, None)):
        plan = load_plan(plans)
        apply_change(plan, set_field(plan, "key_result", KR, "actual", value))
        git(repo, "add", "plans")
        git(repo, "commit", "-q", "-m", f"actual {value}")
        if tag:
            git(repo, "tag", "-a", tag, "-m", tag)
    return plans


async def test_quarter_picker_starts_on_the_previous_quarter_then_head_and_shows_the_summary_first(two_quarters):
    app = make_app(two_quarters)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("9")
        await settle(pilot, 2)
        view = app.query_one(HistoryView)
        await wait_for(pilot, lambda: view.in_repo is not None, what="the history")
        app.query_one("#history-revisions").focus()
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen), what="the quarter picker")
        picker = app.screen
        await wait_for(pilot, lambda: bool(picker.query("#pick-list")) and bool(picker.query(".dialog-help")),
                       what="the picker built")
        assert picker.names == ["2026-Q2", "2026-Q3"]
        assert picker.query_one("#pick-list").highlighted == 1  # the quarter before 2026-Q4
        assert "the quarter before 2026-Q4" in str(picker.query_one(".dialog-help").render())
        await pilot.press("down")  # already on the last: stays, does not wrap to the first
        assert picker.query_one("#pick-list").highlighted == 1
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PickScreen) and app.screen is not picker,
                       what="the second picker")
        second = app.screen
        await wait_for(pilot, lambda: bool(second.query("#pick-list")), what="the second picker built")
        await settle(pilot)
        assert second.names == ["HEAD", "working tree"]  # only what comes after A
        assert second.query_one("#pick-list").highlighted == 0
        await pilot.press("enter")
        await settle(pilot, 2)
        diff = app.query_one("#history-diff")
        await wait_for(pilot, lambda: "1,000,000" in str(diff.render()) or "1000000 → 2000000" in str(diff.render()),
                       what="the Q3 → HEAD diff")
        lines = str(diff.render()).split("\n")
        assert lines[0].startswith("plan diff 2026-Q3 →") or lines[0].startswith("plan diff plan/2026-Q3 →")
        assert "changed" in lines[1]  # the summary right under the heading
        assert not app.query_one("#history-right").loading


@pytest.fixture
def carried(tmp_path, monkeypatch, plan_dir) -> Path:
    """A commit, then every goal marked carried from 2026-Q3 in the working tree (what a
    rollover writes on each carried entry)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    repo = tmp_path / "repo"
    repo.mkdir()
    plans = repo / "plans"
    shutil.copytree(plan_dir, plans)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test Author")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "add", "plans")
    git(repo, "commit", "-q", "-m", "plan")
    plan = load_plan(plans)
    for goal in plan.all("goal"):
        custom = dict(goal.data.get("custom") or {})
        custom["carried_from"] = "2026-Q3"
        apply_change(plan, set_field(plan, "goal", goal.id, "custom", custom))
        plan = load_plan(plans)
    return plans


async def test_carried_provenance_is_folded_into_one_line_and_f_lists_it(carried):
    app = make_app(carried)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        goals = len(app.plan.all("goal"))
        await pilot.press("9")
        await settle(pilot, 2)
        view = app.query_one(HistoryView)
        await wait_for(pilot, lambda: view.in_repo is not None, what="the history")
        diff = app.query_one("#history-diff")
        await wait_for(pilot, lambda: "folded" in str(diff.render()), what="the folded diff")
        text = str(diff.render())
        assert "carried_from" not in text.replace("custom.carried_from", "", 1) or text.count("carried_from") == 1
        assert "(folded; f lists each)" in text and "--all-fields" not in text
        app.query_one("#history-revisions").focus()
        await pilot.press("f")
        await wait_for(pilot, lambda: str(diff.render()).count("carried_from") >= goals, what="every carried goal")
