"""The quarter's heartbeat in the app: the Check-in screen, the Commit dialog on a real
repository (a refusing hook, failing signing, the quarter's tag), the rollover preview,
pace on the bars, overdue content, and who last changed an entry."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Checkbox, Input, Static

import tui.app
from tests.app.helpers import settle, wait_for
from tests.conftest import EXAMPLE
from tui.plan.model import load_plan

DAY = dt.date(2026, 12, 1)  # the conftest's QUARTERDECK_TODAY
pytestmark = pytest.mark.git

SCRUB = ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_AUTHOR_DATE",
         "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "GIT_COMMITTER_DATE", "EMAIL")


@pytest.fixture(autouse=True)
def _isolated_git(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text("")
    for name in SCRUB:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(cwd, *args, check=True) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {out.stdout}{out.stderr}")
    return out.stdout


@pytest.fixture
def repo(tmp_path) -> Path:
    """The example plan committed once in a new repository; returns the plan folder."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "config", "user.name", "Test Person")
    git(root, "config", "user.email", "test@example.com")
    shutil.copytree(EXAMPLE, root / "plans")
    git(root, "add", "plans")
    git(root, "commit", "--quiet", "-m", "Start the plan")
    return root / "plans"


class Host(App):
    """An app that shows one screen of ours, styled like the real one."""

    CSS_PATH = str(Path(tui.app.__file__).parent / "app.tcss")

    def __init__(self, make) -> None:
        super().__init__()
        self.make = make
        self.results: list = []
        self.saved: list = []

    def on_mount(self) -> None:
        self.push_screen(self.make(), self.results.append)

    def on_checkin_screen_saved(self, message) -> None:
        self.saved.append(message)


def checkin_host(plan_dir: Path, **kw) -> Host:
    from tui.app.screens.checkin import CheckinScreen

    return Host(lambda: CheckinScreen(load_plan(plan_dir), plan_dir, DAY, **kw))


def text_of(app, selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render())


def kr_data(plan_dir: Path, kr_id: str) -> dict:
    return load_plan(plan_dir).get("key_result", kr_id).data


async def ready_dialog(pilot, selector: str = "#commit-status", what: str = "the preview") -> None:
    await wait_for(pilot, lambda: "Reading" not in text_of(pilot.app, selector), what=what)
    await settle(pilot)


# -- the Check-in screen --------------------------------------------------------------------------


async def test_checkin_screen_saves_typed_values_as_checkins_and_offers_the_commit(repo):
    from tui.app.dialogs.commit import CommitDialog
    from tui.app.screens.checkin import CheckinRow

    before = (repo / "goals.toml").read_text()
    app = checkin_host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        rows = list(app.screen.query(CheckinRow))
        assert [r.row.kr_id for r in rows] == [k.id for k in load_plan(repo).all("key_result")]
        first = rows[0].row.kr_id
        assert first == "grow-pipeline/sourced-pipeline"
        # the first value box has the focus: type value, confidence and note, then the next row
        await pilot.press(*"2,310,000", "tab", "7", "tab", *"Two webinar cohorts", "down")
        await pilot.press("shift+tab", "shift+tab")  # back to the value column of row 2
        await pilot.press(*"121")
        assert rows[1].typed()[0] == "121"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CommitDialog), what="the commit dialog")
        await ready_dialog(pilot)
        assert app.screen.query_one("#commit-message", Input).value == "Check-in 2026-12-01"
        assert "2,150,000 → 2,310,000" in text_of(app, "#commit-diff")
    sourced = kr_data(repo, first)
    assert sourced["actual"] == 2310000
    assert sourced["checkin"][-1] == {"date": DAY, "value": 2310000, "confidence": 7,
                                      "note": "Two webinar cohorts", "by": "mei-lin"}
    second = kr_data(repo, rows[1].row.kr_id)
    assert second["actual"] == 121 and second["checkin"][-1]["date"] == DAY
    after = (repo / "goals.toml").read_text()
    # surgical: only the two actual lines changed, the rest is inserted blocks
    removed = [line for line in before.splitlines() if line not in after.splitlines()]
    assert sorted(removed) == ["actual = 109", "actual = 2150000"]
    assert app.saved and set(app.saved[0].files) == {"goals.toml"} and app.saved[0].count == 2


async def test_checkin_screen_refuses_bad_rows_and_writes_nothing(repo):
    before = (repo / "goals.toml").read_bytes()
    app = checkin_host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"lots", "tab", "7")
        await pilot.press("ctrl+s")
        await settle(pilot)
        message = text_of(app, "#checkin-message")
        assert "not a number" in message and "Nothing saved" in message
        await pilot.press("backspace", "1", "1")  # confidence 11
        row = app.screen.query("CheckinRow").first()
        row.query_one(".ci-value", Input).value = "2200000"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "from 0 to 10" in text_of(app, "#checkin-message")
        assert row.has_class("-refused")
    assert (repo / "goals.toml").read_bytes() == before


async def test_checkin_screen_refuses_a_file_with_unsaved_session_edits(repo):
    before = (repo / "goals.toml").read_bytes()
    app = checkin_host(repo, dirty=["goals.toml"])
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"2200000", "ctrl+s")
        await settle(pilot)
        assert "not saved yet" in text_of(app, "#checkin-message")
    assert (repo / "goals.toml").read_bytes() == before


async def test_checkin_screen_filters_to_one_owner(repo):
    from tui.app.screens.checkin import CheckinRow

    app = checkin_host(repo, owner="tom-becker")
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        ids = [r.row.kr_id for r in app.screen.query(CheckinRow)]
        assert ids == [k.id for k in load_plan(repo).all("key_result") if k.data.get("owner") == "tom-becker"]
        assert len(ids) == 2
        assert "2 key results of Tom" in text_of(app, "#checkin-heading")


async def test_checkin_refused_by_the_core_rule_is_shown(repo):
    """A second check-in on the same day is refused by ``add_checkins`` itself."""
    from tui.plan.checkin_sheet import save_checkins, sheet_entries

    plan = load_plan(repo)
    entries, _ = sheet_entries(plan, {"grow-pipeline/sourced-pipeline": ("2200000", "", "")}, DAY)
    save_checkins(repo, entries, DAY)
    before = (repo / "goals.toml").read_bytes()
    app = checkin_host(repo, commit=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press(*"2300000", "ctrl+s")
        await wait_for(pilot, lambda: "already has a check-in" in text_of(app, "#checkin-message"),
                       what="the refusal")
    assert (repo / "goals.toml").read_bytes() == before


# -- the Commit dialog -------------------------------------------------------------------------------


def commit_host(plan_dir: Path, **kw) -> Host:
    from tui.app.dialogs.commit import CommitDialog

    return Host(lambda: CommitDialog(plan_dir, **kw))


def change_actual(plan_dir: Path, value: int = 2200000) -> None:
    path = plan_dir / "goals.toml"
    path.write_text(path.read_text().replace("actual = 2150000", f"actual = {value}", 1))


async def test_commit_dialog_commits_with_the_summary_message_and_tags_the_quarter(repo):
    root = repo.parent
    change_actual(repo)
    app = commit_host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_dialog(pilot)
        status = text_of(app, "#commit-status")
        assert "Test Person <test@example.com>" in status and "Signing off" in status
        assert "actual: 2,150,000 → 2,200,000" in text_of(app, "#commit-diff") or \
            "2150000 → 2200000" in text_of(app, "#commit-diff")
        assert "warning" in text_of(app, "#commit-problems")
        message = app.screen.query_one("#commit-message", Input).value
        assert message == "Plan 2026-Q4: 1 key result changed"
        app.screen.query_one("#commit-tag", Checkbox).value = True
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results, what="the commit")
    result = app.results[0]
    assert result.commit == git(root, "rev-parse", "HEAD").strip()
    assert git(root, "log", "-1", "--format=%s").strip() == message
    assert result.tag == "plan/2026-Q4"
    assert git(root, "rev-parse", "plan/2026-Q4^{commit}").strip() == result.commit
    assert git(root, "status", "--porcelain").strip() == ""


async def test_commit_dialog_shows_a_refusing_hook_and_leaves_nothing_staged(repo):
    root = repo.parent
    hook = root / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'plan review: actual needs a note from finance' >&2\nexit 1\n")
    hook.chmod(0o755)
    (repo / "goals.toml").write_text((repo / "goals.toml").read_text() + "\n")  # tracked, changed
    (repo / "notes.toml").write_text("")  # not a plan file
    change_actual(repo)
    head = git(root, "rev-parse", "HEAD")
    app = commit_host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_dialog(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "refused" in text_of(app, "#commit-output"), what="the hook's refusal")
        output = text_of(app, "#commit-output")
        assert "A git hook refused the commit" in output
        assert "plan review: actual needs a note from finance" in output
        assert not app.results  # the dialog stays open
        assert not app.screen.query_one("#commit-go").disabled  # and may try again
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "diff", "--cached", "--name-only").strip() == ""
    assert "2200000" in (repo / "goals.toml").read_text()  # the file stays saved


async def test_commit_dialog_says_clearly_when_signing_fails(repo):
    root = repo.parent
    git(root, "config", "commit.gpgsign", "true")
    git(root, "config", "gpg.program", str(root / "no-such-gpg"))
    change_actual(repo)
    head = git(root, "rev-parse", "HEAD")
    app = commit_host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_dialog(pilot)
        assert "Signing on" in text_of(app, "#commit-status")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Signing failed" in text_of(app, "#commit-output"), what="the signing error")
        assert "could not sign" in text_of(app, "#commit-output")
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "diff", "--cached", "--name-only").strip() == ""


async def test_commit_dialog_errors_block_unless_overridden(repo):
    root = repo.parent
    path = repo / "goals.toml"
    path.write_text(path.read_text().replace('owner = "mei-lin"', 'owner = "nobody-here"', 1))
    head = git(root, "rev-parse", "HEAD")
    app = commit_host(repo)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready_dialog(pilot)
        assert "error" in text_of(app, "#commit-problems")
        assert app.screen.query_one("#commit-go").disabled
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Allow errors" in text_of(app, "#commit-output")
        assert git(root, "rev-parse", "HEAD") == head
        app.screen.query_one("#commit-allow-invalid", Checkbox).value = True
        await settle(pilot)
        assert not app.screen.query_one("#commit-go").disabled
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results, what="the commit")
    assert git(root, "rev-parse", "HEAD") != head
    assert "Committed with --allow-invalid" in git(root, "log", "-1", "--format=%B")


async def test_commit_dialog_outside_a_repository_says_so(tmp_path):
    plan_dir = tmp_path / "plans"
    shutil.copytree(EXAMPLE, plan_dir)
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    try:
        app = commit_host(plan_dir)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready_dialog(pilot)
            assert "git init" in text_of(app, "#commit-status")
            assert app.screen.query_one("#commit-go").disabled
    finally:
        del os.environ["GIT_CEILING_DIRECTORIES"]


# -- rollover ------------------------------------------------------------------------------------------


async def test_rollover_dialog_previews_then_rolls_over(repo):
    from tui.app.dialogs.rollover import RolloverDialog

    root = repo.parent
    files = {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()}
    app = Host(lambda: RolloverDialog(repo))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: "will" in text_of(app, "#rollover-preview"), what="the preview")
        preview = text_of(app, "#rollover-preview")
        assert "tag the current revision plan/2026-Q4" in preview
        assert "move the plan to 2027-Q1" in preview
        assert "start 18 key result(s) with no check-ins" in preview
        assert "to do:" in preview  # dates still in the closing quarter, listed once per kind
        # nothing happened yet
        assert {p.name: p.read_bytes() for p in repo.iterdir() if p.is_file()} == files
        assert git(root, "tag", "-l").strip() == ""
        # another rule for the dates: the preview follows
        app.screen.query_one("#rollover-move").value = "quarter-start"
        await wait_for(pilot, lambda: "moved to the start of" in text_of(app, "#rollover-preview"),
                       what="the new preview")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.results, timeout=60, what="the rollover")
    result = app.results[0]
    assert result.opening == "2027-Q1" and result.move_dates == "quarter-start"
    assert git(root, "tag", "-l").split() == ["plan/2026-Q4"]
    assert load_plan(repo).quarter == "2027-Q1"
    assert git(root, "status", "--porcelain").strip() == ""


async def test_rollover_dialog_explains_why_it_cannot_run(repo):
    from tui.app.dialogs.rollover import RolloverDialog

    change_actual(repo)
    app = Host(lambda: RolloverDialog(repo))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for(pilot, lambda: "Working out" not in text_of(app, "#rollover-preview"), what="the preview")
        assert "not committed" in text_of(app, "#rollover-preview")
        assert app.screen.query_one("#rollover-go").disabled


# -- pace, overdue content, last change ------------------------------------------------------------------


def test_overview_marks_pace_on_the_bars_and_lists_overdue_content():
    from tui.app.pacemarks import MARK
    from tui.app.views.overview import render_overview

    plan = load_plan(EXAMPLE)
    text = render_overview(plan, [], DAY, 120).plain
    kr_lines = [line for line in text.splitlines() if "Marketing-sourced pipeline" in line]
    assert kr_lines and MARK in kr_lines[0] and "off track" in kr_lines[0]
    goal_line = next(line for line in text.splitlines() if line.startswith("Build enough pipeline"))
    assert "on_track" in goal_line and "pace: off track" in goal_line and "typed on track" in goal_line
    assert "Overdue content (6)" in text
    assert "Northgate Utilities: 60-day pilot plan" in text and "12 days late" in text
    # the mark moves with the day: at the quarter's start nothing is expected yet
    early = render_overview(plan, [], dt.date(2026, 10, 1), 120).plain
    early_line = next(line for line in early.splitlines() if "Marketing-sourced pipeline" in line)
    assert early_line.index(MARK) < kr_lines[0].index(MARK)


def test_overview_of_many_goals_shows_the_first_ones_and_says_how_many_more(tmp_path):
    from tests.bench.generate import make_plan
    from tui.app.views.overview import GOAL_LIMIT, render_overview

    plan = load_plan(make_plan(tmp_path / "medium", "medium"))  # 20 generated goals beside the example's
    goals = plan.all("goal")
    assert len(goals) > GOAL_LIMIT
    text = render_overview(plan, [], DAY, 120).plain
    shown = [g for g in goals if any(line.startswith(g.label + "  ") for line in text.splitlines())]
    assert shown == goals[:GOAL_LIMIT]
    rest = goals[GOAL_LIMIT:]
    n_krs = sum(1 for k in plan.all("key_result") if k.parent_id in {g.id for g in rest})
    assert f"… and {len(rest)} more goals with {n_krs} key results (2 lists every goal)" in text
    assert text.index("more goals") < text.index("In this plan")
    # the example's six goals are all shown, with no such line
    small = render_overview(load_plan(EXAMPLE), [], DAY, 120).plain
    assert "more goal" not in small


def test_marked_bar_puts_the_mark_where_the_expected_share_is():
    from tui.app.pacemarks import MARK, marked_bar

    assert marked_bar(0.0, 0.5, 10, "red").plain.index(MARK) == 5
    assert marked_bar(1.0, 1.0, 10, "green").plain.index(MARK) == 9
    assert marked_bar(0.3, 0.0, 10, "red").plain.index(MARK) == 0
    assert MARK not in marked_bar(0.3, None, 10, "red").plain
    assert len(marked_bar(None, 0.4, 12, "dim").plain) == 12


def test_detail_of_a_key_result_shows_its_pace():
    from tui.app.detail import render_entity
    from tui.app.pacemarks import MARK
    from tui.plan.schema import load_schemas

    plan = load_plan(EXAMPLE)
    goal = plan.get("goal", "grow-pipeline")
    text = render_entity(plan, load_schemas(), goal, [], DAY).plain
    assert MARK in text and "off track" in text


async def test_detail_pane_says_who_last_changed_the_entry_and_b_opens_its_blame(repo):
    from tui.app.dialogs.blame import BlameDialog
    from tui.app.lastchange import LastChanged

    root = repo.parent
    git(root, "config", "user.name", "Rita Alvarez")
    change_actual(repo)
    git(root, "commit", "--quiet", "-am", "Check-in 2026-11-30")
    from tests.app.helpers import make_app, ready

    app = make_app(repo, today=DAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot, 2)
        await app.main.goto_entity("key_result", "grow-pipeline/sourced-pipeline")
        await settle(pilot, 2)
        line = next(w for w in app.screen.query(LastChanged) if w.wanted and w.wanted[2].endswith("sourced-pipeline"))
        await wait_for(pilot, lambda: "by" in str(line.render()), what="the last change")
        shown = str(line.render())
        assert "last changed 2026-" in shown and "by Rita Alvarez" in shown and "“Check-in 2026-11-30”" in shown
        # the goal itself was last changed in the first commit
        app.push_screen(BlameDialog(repo, "key_result", "grow-pipeline/sourced-pipeline"))
        await wait_for(pilot, lambda: isinstance(app.screen, BlameDialog) and app.screen.query("#blame-body") and
                       "Reading" not in str(app.screen.query_one("#blame-body").render()), what="the blame")
        body = app.screen.query_one("#blame-body", Static)
        rendered = _render_plain(body)
        assert "actual" in rendered and "Check-in 2026-11-30" in rendered and "Rita Alvarez" in rendered
        assert "Start the plan" in rendered and "Test Person" in rendered


def _render_plain(widget) -> str:
    import io

    from rich.console import Console

    console = Console(width=160, file=io.StringIO(), record=True)
    console.print(widget.content)
    return console.export_text()


def test_last_change_is_cached_per_file_revision(repo, monkeypatch):
    from tui.app import lastchange
    from tui.history import blame

    calls = []
    real = blame.blame_entity

    def counting(*args, **kw):
        calls.append(args[1:])
        return real(*args, **kw)

    monkeypatch.setattr(blame, "blame_entity", counting)
    first = lastchange.last_change_of(repo, "goal", "grow-pipeline")
    again = lastchange.last_change_of(repo, "goal", "grow-pipeline")
    assert first == again and len(calls) == 1
    assert first[0].subject == "Start the plan" and first[1] == []
    change_actual(repo)  # the file's bytes changed: asked again, and the change is pending
    pending = lastchange.last_change_of(repo, "key_result", "grow-pipeline/sourced-pipeline")
    assert pending[1] == ["actual"] and len(calls) == 2
    assert "not committed" in lastchange.last_change_text(pending, DAY).plain


def test_a_large_files_lookup_goes_to_the_lookup_process_and_falls_back_only_when_it_failed(repo, monkeypatch):
    from tui.app import lastlookup

    monkeypatch.setattr(lastlookup, "LARGE_FILE", 0)  # every file counts as large
    here = []
    real = lastlookup.last_change_of
    monkeypatch.setattr(lastlookup, "last_change_of", lambda *a: here.append(a) or real(*a))
    try:
        answer = lastlookup.look_up(repo, "goal", "grow-pipeline")
        assert answer[0].subject == "Start the plan" and here == []  # answered by the process
        proc = lastlookup._PROCESS.proc
        proc.kill()
        proc.wait()
        # a process that died: asked again (a new one), never in this thread
        assert lastlookup.look_up(repo, "goal", "grow-pipeline")[0].subject == "Start the plan"
        assert here == []

        def cut_off(*a):  # the app ends while a question is out
            lastlookup.stop_process()
            raise OSError("the lookup process ended")

        monkeypatch.setattr(lastlookup._PROCESS, "ask", cut_off)
        assert lastlookup.look_up(repo, "goal", "grow-pipeline") is None
        assert here == []  # not looked up here as the app ends

        def broken(*a):
            raise OSError("the lookup process ended")

        monkeypatch.setattr(lastlookup._PROCESS, "ask", broken)
        assert lastlookup.look_up(repo, "goal", "grow-pipeline")[0].subject == "Start the plan"
        assert len(here) == 1  # a failure on its own: looked up here instead
    finally:
        lastlookup.stop_process()


# -- wired into the app ---------------------------------------------------------------------------------


async def test_app_keys_open_the_checkin_screen_and_the_commit_dialog_and_the_title_tells_uncommitted(repo):
    from tests.app.helpers import make_app, ready
    from tui.app.dialogs.commit import CommitDialog
    from tui.app.screens.checkin import CheckinScreen

    root = repo.parent
    app = make_app(repo, today=DAY)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: app.uncommitted is not None, what="git's answer")
        assert app.uncommitted == [] and "not committed" not in app.sub_title
        names = [name for name, _help, _cb in app.palette_actions()]
        assert {"Check-in", "Commit…", "Roll over to the next quarter…", "Tag the quarter's final revision…"} <= \
            set(names)
        await pilot.press("w")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckinScreen), what="the check-in screen")
        await settle(pilot)
        await pilot.press(*"2310000", "ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CommitDialog), what="the commit dialog")
        # the session takes the written file: its plan has the check-in, nothing is unsaved
        await wait_for(pilot, lambda: app.plan.get("key_result", "grow-pipeline/sourced-pipeline").data["actual"]
                       == 2310000, what="the session to take the check-ins")
        assert app.session.dirty_files == []
        await wait_for(pilot, lambda: app.uncommitted == ["goals.toml"], what="the title's note")
        assert "✎ not committed: goals.toml" in app.sub_title
        await ready_dialog(pilot)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, CheckinScreen), what="the commit")
        await wait_for(pilot, lambda: app.uncommitted == [], what="the title's note to go")
        assert "not committed" not in app.sub_title
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("C")
        await wait_for(pilot, lambda: isinstance(app.screen, CommitDialog), what="the commit dialog")
        await ready_dialog(pilot)
        assert "Nothing to commit" in text_of(app, "#commit-diff")
        assert app.screen.query_one("#commit-go").disabled
    assert git(root, "log", "-1", "--format=%s").strip() == "Check-in 2026-12-01"


def test_rollover_preview_refuses_when_the_quarter_tag_marks_another_revision(repo):
    from tui.history.pending import preview_rollover
    from tui.plan.problems import PlanError

    root = repo.parent
    git(root, "tag", "plan/2026-Q4")
    change_actual(repo)
    git(root, "commit", "--quiet", "-am", "Later change")
    with pytest.raises(PlanError, match="already marks another revision"):
        preview_rollover(repo)
    assert git(root, "status", "--porcelain").strip() == ""
