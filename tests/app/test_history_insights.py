"""The History view, the key-result trend and the Overview's coverage map and stage,
driven through the app as a user would."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from textual.screen import ModalScreen
from textual.widgets import OptionList

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.views.history import NOT_A_REPO, HistoryView
from tui.app.dialogs.trend import TrendScreen
from tui.app.dialogs.cell import CellScreen
from tui.app.views.insights import CoverageMap
from tui.plan.edit import apply_change, set_field
from tui.plan.insights.coverage import coverage
from tui.plan.model import load_plan

KR = "grow-pipeline/sourced-pipeline"


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def set_actual(plan_dir: Path, value) -> None:
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "key_result", KR, "actual", value))


@pytest.fixture
def repo_plan(tmp_path, monkeypatch, plan_dir) -> Path:
    """A git repository holding the example plan: Q3 tagged with actual 1000000, then a
    commit with 2000000, then an unsaved (uncommitted) 2500000 in the working tree."""
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
    set_actual(plans, 1000000)
    git(repo, "add", "plans")
    git(repo, "commit", "-q", "-m", "Q3 plan")
    git(repo, "tag", "-a", "plan/2026-Q3", "-m", "Q3 closed")
    set_actual(plans, 2000000)
    git(repo, "commit", "-q", "-am", "Weekly actuals")
    set_actual(plans, 2500000)
    return plans


def diff_text(app) -> str:
    return str(app.query_one("#history-diff").render())


async def open_history(pilot) -> HistoryView:
    await ready(pilot)
    await pilot.press("9")
    await settle(pilot, 2)
    view = pilot.app.query_one(HistoryView)
    await wait_for(pilot, lambda: view.in_repo is not None, what="the history")
    return view


async def test_history_lists_revisions_and_diffs_the_marked_pair(repo_plan):
    app = make_app(repo_plan)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_history(pilot)
        assert view.in_repo
        options = app.query_one("#history-revisions", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(prompts) == 3  # working tree + two commits
        assert "working tree" in prompts[0] and prompts[0].startswith(" B")
        assert "Weekly actuals" in prompts[1] and prompts[1].startswith("A ")
        assert "Q3 plan" in prompts[2] and "◆ 2026-Q3" in prompts[2]
        # default: HEAD against the working tree
        await wait_for(pilot, lambda: "2000000 → 2500000" in diff_text(app), what="the default diff")
        assert "~ key_result " + KR in diff_text(app)
        # A = the Q3 revision, B = HEAD
        options.focus()
        options.highlighted = 2
        await pilot.press("a")
        options.highlighted = 1
        await pilot.press("b")
        await settle(pilot, 2)
        await wait_for(pilot, lambda: "1000000 → 2000000" in diff_text(app), what="the Q3 → HEAD diff")
        assert "plan diff plan/2026-Q3 →" in diff_text(app)
        assert "1 changed" in diff_text(app)
        assert view.a == "plan/2026-Q3" and view.b == view.revisions[0].short
        assert "A: plan/2026-Q3" in str(app.query_one("#history-marks").render())


async def test_compare_quarters_picks_tags(repo_plan):
    app = make_app(repo_plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_history(pilot)
        app.query_one("#history-revisions").focus()
        await pilot.press("q")
        await settle(pilot, 2)
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PickScreen", what="the quarter picker")
        await pilot.press("enter")  # 2026-Q3 (the only tag, the quarter before the plan's 2026-Q4)
        await settle(pilot)
        # B starts on HEAD (no later tag), not on the working tree; down stops at the last
        await pilot.press("enter")
        await settle(pilot, 2)
        await wait_for(pilot, lambda: "1000000 → 2000000" in diff_text(app), what="the quarter diff")
        await pilot.press("q")
        await wait_for(pilot, lambda: type(app.screen).__name__ == "PickScreen", what="the quarter picker")
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("down", "down", "down")  # stops on the working tree, does not wrap to HEAD
        await pilot.press("enter")
        await settle(pilot, 2)
        await wait_for(pilot, lambda: "1000000 → 2500000" in diff_text(app), what="the diff to the working tree")


async def test_history_outside_a_repository_says_so(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_history(pilot)
        assert view.in_repo is False
        assert diff_text(app) == NOT_A_REPO
        assert not app.query_one("#history-left").display


async def test_trend_modal_has_one_row_per_quarter(repo_plan):
    app = make_app(repo_plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot, 2)
        table = app.query_one("#table-key_result")
        table.focus()
        assert table.select_id(KR)
        await pilot.press("t")
        await settle(pilot, 2)
        screen = app.screen
        assert isinstance(screen, TrendScreen)
        await wait_for(pilot, lambda: screen.points is not None, what="the trend")
        assert [p.quarter for p in screen.points] == ["2026-Q3", "2026-Q4"]
        body = str(screen.query_one("#trend-body").render())
        quarter_rows = [line for line in body.splitlines() if line.startswith("2026-")]
        assert len(quarter_rows) == 2
        assert quarter_rows[0].startswith("2026-Q3") and quarter_rows[1].startswith("2026-Q4 (now)")
        assert body.count("actual") == 2 and "1,000,000" in body and "2,500,000" in body and "█" in body


async def test_coverage_map_and_stage(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        grid = app.query_one(CoverageMap)
        await wait_for(pilot, lambda: grid.insights is not None, what="the coverage")
        ins = grid.insights
        assert ins.cells[("it-lead", "decision")].status == "empty"
        row = ins.personas.index(("it-lead", "Ingrid, IT Lead")) + 1
        line = grid.render_line(row)
        col = ins.stages.index("decision")
        cw = grid.cell_width()
        start = 20 + col * (cw + 1)
        assert line.text[start:start + cw].strip() == "0"
        # an empty cell has the theme's error tint behind it (not a fixed colour name)
        tint = app.get_css_variables()["error-muted"].lower()
        assert any(seg.style.bgcolor is not None and seg.style.bgcolor.triplet is not None
                   and seg.style.bgcolor.triplet.hex == tint for seg in line if seg.text.strip() == "0")
        stage = str(app.query_one("#stage-line").render())
        assert stage.startswith("Alignment stage: aligned")
        assert "next: integrated" in stage and "no content for it-lead at decision" in stage

        # keyboard: go to it-lead × decision and open it: nothing listed
        grid.focus()
        for _ in range(5):
            await pilot.press("down", "right")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CellScreen)
        assert app.screen.titles == []
        empty_body = str(app.screen.query_one("#cell-body").render())
        assert "No content for this persona" in empty_body
        assert "Pre-filled security questionnaire and data processing agreement" in empty_body  # what to make
        await pilot.press("escape")
        await settle(pilot)
        # one row up (dispatch-manager × decision) lists its items by title
        await pilot.press("up", "enter")
        await settle(pilot)
        assert isinstance(app.screen, CellScreen)
        plan = load_plan(plan_dir)
        core = coverage(plan).cell("dispatch-manager", "decision")
        expected = [plan.get("content", i).data["title"] for i in core.published + core.planned]
        assert len(expected) == 10
        assert app.screen.titles == expected
        assert "How Lakeshore Plumbing & Drain cut overtime 18% in one season" in app.screen.titles
        body = str(app.screen.query_one("#cell-body").render())
        assert all(t in body for t in app.screen.titles)


async def test_coverage_cell_opens_on_click(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        grid = app.query_one(CoverageMap)
        await wait_for(pilot, lambda: grid.insights is not None, what="the coverage")
        await pilot.click(CoverageMap, offset=(20 + 1, 1))  # first persona, first stage
        await settle(pilot)
        assert isinstance(app.screen, CellScreen)
        assert app.screen.cell.persona == grid.insights.personas[0][0]
        assert app.screen.cell.stage == grid.insights.stages[0]
        assert app.screen.titles


async def test_history_of_a_repository_without_commits_shows_everything_added(tmp_path, monkeypatch, plan_dir):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    git(plan_dir, "init", "-q")
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        view = await open_history(pilot)
        assert view.in_repo and view.revisions == []
        options = app.query_one("#history-revisions", OptionList)
        assert options.option_count == 1  # the working tree only
        await wait_for(pilot, lambda: "+ goal grow-pipeline" in diff_text(app), what="everything added")
        assert "(no commits yet)" in diff_text(app)


async def test_palette_offers_history_and_quarter_compare(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        names = [name for name, _help, _cb in app.palette_actions()]
        assert "Go to History" in names and "Compare two quarters" in names
        callback = dict((n, cb) for n, _h, cb in app.palette_actions())["Compare two quarters"]
        await callback()
        await settle(pilot, 2)
        assert app.query_one("#views").active == "history"
        # outside a repository there are no quarters to pick: it says so instead
        view = app.query_one(HistoryView)
        await wait_for(pilot, lambda: view.in_repo is not None, what="the history")
        assert not isinstance(app.screen, ModalScreen)


async def test_saving_an_edit_shows_up_in_the_working_tree_diff(repo_plan):
    app = make_app(repo_plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_history(pilot)
        await wait_for(pilot, lambda: "2000000 → 2500000" in diff_text(app), what="the default diff")
        app.request_set_fields("key_result", KR, {("actual",): 2600000})
        await wait_for(pilot, lambda: not app.busy, what="the edit")
        options = app.query_one("#history-revisions", OptionList)
        app.query_one(HistoryView).action_reload()
        await settle(pilot, 2)
        assert "unsaved edits are not in it" in str(options.get_option_at_index(0).prompt)
        assert "2000000 → 2500000" in diff_text(app)  # the disk has not changed yet
        app.action_save()
        await wait_for(pilot, lambda: "2000000 → 2600000" in diff_text(app), what="the saved edit in the diff")
        assert "unsaved" not in str(options.get_option_at_index(0).prompt)
