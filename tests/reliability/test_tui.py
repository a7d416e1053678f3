"""RELIABILITY.md cases as the TUI meets them: terminals, jumps, late worker results,
sessions, recovery, read-only folders and hostile text."""

from __future__ import annotations

import asyncio
import errno
import functools
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest
from textual.widgets import Input, TabbedContent

from tests.app.helpers import (idle, make_app, problem_plan, ready, screen_output, settle, tour,
                               wait_for)
from tui.app import main as app_main
from tui.app.dialogs.form import FormScreen
from tui.app.guard import WorkerResult
from tui.app.dialogs.trend import TrendScreen, render_trend
from tui.app.dialogs.choice import ChoiceScreen
from tui.app.present import bar, kr_progress
from tui.app.session import LEGACY_RECOVERY_NAME, RECOVERY_NAME, Session
from tui.app.table import RowTable
from tui.history.revisions import TrendPoint
from tui.plan.edit import save_file, set_field, stage_change
from tui.plan.model import load_plan

SIZE = (120, 40)


@pytest.fixture(autouse=True)
def _private_state(tmp_path, monkeypatch):
    # the per-user fallback folder of these tests is their own
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


def _edit_on_disk(plan_dir: Path, kind: str, entity_id: str, field: str, value) -> None:
    """Another writer (a CLI process, another session) saves one change."""
    plan = load_plan(plan_dir)
    change = set_field(plan, kind, entity_id, field, value)
    stage_change(plan, change)
    save_file(plan.files[change.file])


async def _stage(pilot, kind: str, entity_id: str, field: str, value) -> None:
    app = pilot.app
    app.request_set_fields(kind, entity_id, {(field,): value})
    await idle(pilot)


# -- 41: every terminal -------------------------------------------------------------------------------

TERMINALS = [
    pytest.param({"NO_COLOR": "1"}, "auto", "textual-dark", (80, 24), id="no-color"),
    pytest.param({"TERM": "dumb"}, "auto", "textual-light", (60, 20), id="term-dumb-light-60x20"),
    pytest.param({}, "256", "textual-dark", (200, 60), id="256-colours-dark-200x60"),
    pytest.param({"NO_COLOR": "1", "TERM": "xterm-256color"}, "standard", "textual-light", (60, 20),
                 id="no-color-light-60x20"),
    pytest.param({"NO_COLOR": "1"}, "truecolor", "textual-dark", (200, 60), id="no-color-200x60"),
]


@pytest.mark.parametrize("env,colours,theme,size", TERMINALS)
async def test_case_41_starts_draws_and_works_in_every_terminal(plan_dir, monkeypatch, env, colours, theme, size):
    import textual.constants

    for key, value in env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setattr(textual.constants, "COLOR_SYSTEM", colours)
    app = make_app(plan_dir)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        app.theme = theme
        await settle(pilot)
        assert app.no_color == ("NO_COLOR" in env)
        await tour(pilot)
        assert app.crash_report is None
        raw, text = screen_output(app)
        assert "Quarterdeck" in text or "Overview" in text
        # an edit still works and reaches the disk
        await _stage(pilot, "account", "harbor-hvac", "tier", 2)
        await pilot.press("ctrl+s")
        await idle(pilot)
    assert app.crash_report is None
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 2


async def test_case_41_dialog_over_the_dimmed_screen_under_no_color(plan_dir, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(plan_dir)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot)
        for node in app.query("#coverage-map"):
            node.focus()
        await pilot.press("question_mark")
        await settle(pilot)
        screen_output(app)
        app.save_screenshot(str(plan_dir.parent / "shot.svg"))
    assert app.crash_report is None


# -- 42: jumping to any entry from a fresh start -----------------------------------------------------

PROBLEM_KINDS = ["plan", "member", "sla", "lead_scoring", "rule", "meeting", "responsibility", "goal", "key_result",
                 "persona", "account", "content", "term"]


@pytest.fixture
def broken_plan(tmp_path) -> Path:
    return problem_plan(tmp_path / "broken")


@pytest.mark.parametrize("kind", PROBLEM_KINDS)
async def test_case_42_enter_on_a_problem_opens_its_entry_from_a_fresh_start(broken_plan, kind):
    app = make_app(broken_plan)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        problem = next(p for p in app.problems if p.kind == kind)
        await pilot.press("8")
        await settle(pilot)
        table = app.query_one("#table-problems", RowTable)
        pos = next(pos for pos, i in enumerate(table.view) if app.problems[table.rows[i].key] is problem)
        table._move(pos)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        assert app.screen.kind.name == kind
        if not app.screen.kind.singleton:
            assert app.screen.entity.id == problem.entity
            table = app.query_one(f"#table-{kind}", RowTable)
            assert table.current_id == problem.entity, "selected in its list"
    assert app.crash_report is None


async def test_case_42_every_problem_in_sequence_whatever_was_shown_before(broken_plan):
    """Every problem's entry is shown and selected, in one session, with other views shown
    in between; the form opens for the first problem of each kind (forms of every kind
    from a fresh start are the test above)."""
    rng = random.Random(42)
    app = make_app(broken_plan)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot)
        problems = [p for p in app.problems if p.kind]
        assert len({p.file for p in problems}) >= 6 and len(problems) > 150
        formed = set()
        for n, problem in enumerate(problems):
            if n % 30 == 0:  # now and then, some other view first
                await pilot.press(rng.choice("123456789"))
                await settle(pilot)
            entity_id = problem.entity or problem.kind
            if problem.kind not in formed:
                formed.add(problem.kind)
                await app.main.jump_to_problem(problem)
                await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what=f"the form for {problem}")
                assert app.screen.kind.name == problem.kind
                await pilot.press("escape")
                await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen), what="the form to close")
                await settle(pilot)
            assert await app.main.goto_entity(problem.kind, entity_id)
            if n % 10 == 0:
                await pilot.pause()
            view = app_main.KIND_VIEW[problem.kind]
            assert app.query_one("#views", TabbedContent).active == view
            if not app.plan.get(problem.kind, entity_id).kind.singleton:
                assert app.query_one(f"#table-{problem.kind}", RowTable).current_id == entity_id
        assert formed >= set(PROBLEM_KINDS)
    assert app.crash_report is None


@pytest.mark.parametrize("query,kind,entity_id,view", [
    ("Dana Okafor", "member", "dana-okafor", "team"),
    ("Dispatch benchmark", "content", "dispatch-benchmark-2026", "content"),
    ("pipeline sync", "meeting", "pipeline-sync", "team"),
])
async def test_case_42_palette_jump_from_a_fresh_start(plan_dir, query, kind, entity_id, view):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        assert app.plan.find(kind, entity_id) is not None
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*query)
        # the palette searches as it is typed, in its own time: Enter once the entry leads
        await wait_for(pilot, lambda: _palette_leads_with(app, entity_id, query), what="the palette's hit")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.current == (kind, entity_id), what="the jump")
        await settle(pilot)
        assert app.query_one("#views", TabbedContent).active == view
        assert app.query_one(f"#table-{kind}", RowTable).current_id == entity_id
    assert app.crash_report is None


def _palette_leads_with(app, entity_id: str, query: str) -> bool:
    """The command palette is open and its first (highlighted) hit is the one sought."""
    from textual.command import CommandPalette
    from textual.widgets import OptionList

    screen = app.screen
    if not isinstance(screen, CommandPalette):
        return False
    options = screen.query_one(OptionList)
    if not options.option_count or options.highlighted not in (0, None):
        return False
    first = str(options.get_option_at_index(0).prompt).casefold()
    return query.casefold() in first or entity_id in first


# -- 43: late worker results --------------------------------------------------------------------------


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_case_43_every_worker_result_handler_drops_late_results():
    import importlib
    import inspect
    import pkgutil

    import tui.app

    # every module of the app, so a view or dialog added later is covered too
    modules = [importlib.import_module(m.name) for m in pkgutil.walk_packages(tui.app.__path__, "tui.app.")]
    results = set(_all_subclasses(WorkerResult))
    assert len(results) >= 12
    handled = set()
    for module in modules:
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            for attr_name, attr in vars(cls).items():
                # handlers by decorator (@on) and by name (on_commit_dialog_committed)
                types = [t for t, _selectors in getattr(attr, "_textual_on", [])]
                types += [t for t in results if t.handler_name == attr_name]
                for message_type in types:
                    if message_type in results:
                        handled.add(message_type)
                        assert getattr(attr, "drops_late_results", False), f"{cls.__name__}.{attr_name}"
    assert handled == results, f"results nobody handles: {results - handled}"


async def test_case_43_validation_result_arriving_during_shutdown_is_dropped(plan_dir, monkeypatch):
    gate, started = threading.Event(), threading.Event()
    real = app_main.validate

    def slow_validate(plan, schemas=None):
        started.set()
        gate.wait(10)
        return real(plan, schemas)

    monkeypatch.setattr(app_main, "validate", slow_validate)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.plan is not None and started.is_set(), what="validation to start")
        app.exit(0)
        await asyncio.sleep(0)
        gate.set()  # the result arrives while the app closes
    assert app.crash_report is None
    assert app.return_code == 0


async def test_case_43_results_after_the_widgets_are_gone_are_dropped(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        rows = dict(app.rows)
        app.exit(0)
        await app.query_one("#views").remove()
        # every kind of result the app handles, delivered after its widgets are gone
        app._problems_ready(app_main.ProblemsReady(app._validation_generation, [], {}, rows))
        app._plan_loaded(app_main.PlanLoaded(app.plan, rows))
        app._disk_changed(app_main.DiskChanged([]))
        app._edit_failed(app_main.EditFailed("late", None))
    assert app.crash_report is None


async def test_case_43_trend_result_after_its_dialog_closed_is_dropped(plan_dir, monkeypatch):
    import tui.history

    gate = threading.Event()

    def slow_trend(plan_dir, kr_id, include_current=True):
        gate.wait(10)
        return [TrendPoint("2026-Q4", "working tree", None, True, target=10, actual=5)]

    monkeypatch.setattr(tui.history, "key_result_trend", slow_trend)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        screen = TrendScreen(plan_dir, "grow-pipeline/sourced-pipeline")
        app.push_screen(screen)
        await pilot.pause(0.2)
        screen.dismiss(None)
        await pilot.pause(0.1)
        gate.set()
        await settle(pilot)
        assert app.crash_report is None


# -- 45 (TUI side): values a bar cannot draw ---------------------------------------------------------


@pytest.mark.parametrize("actual", [float("inf"), float("-inf"), float("nan"), 10 ** 400, 1e308, "12"])
def test_case_45_trend_and_bars_say_when_they_cannot_draw(actual):
    points = [TrendPoint("2026-Q3", "q3", "abc", True, target=100, actual=actual),
              TrendPoint("2026-Q4", "working tree", None, True, target=1e308, actual=-1e308)]
    text = render_trend(points).plain
    assert "2026-Q3" in text and "2026-Q4" in text
    if not (isinstance(actual, float) and actual == 1e308):
        assert "cannot be drawn" in text
    fraction, note = kr_progress({"baseline": -1e308, "target": 1e308, "actual": actual, "direction": "increase"})
    assert fraction is None or fraction == fraction  # never nan
    assert bar(fraction, 10)[0] is not None
    assert bar(float("nan"), 10) == ("", "·" * 10)


async def test_case_45_key_result_with_an_infinite_actual_in_the_app(plan_dir):
    path = plan_dir / "goals.toml"
    text = path.read_text()
    import re

    text = re.sub(r"(?m)^actual = .*$", "actual = inf", text, count=1)
    path.write_text(text)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("tab", "t")
        await settle(pilot)
        await pilot.press("escape")
        await pilot.press("1")
        await settle(pilot)
        screen_output(app)
    assert app.crash_report is None


def test_case_45_crash_message_tells_the_truth(plan_dir, monkeypatch, capsys):
    def crashing_run(self, *args, **kwargs):
        self.crash_report = "Traceback: boom"
        return None

    monkeypatch.setattr(app_main.QuarterdeckApp, "run", crashing_run)
    assert app_main.run(plan_dir) == 1
    err = capsys.readouterr().err
    assert "There were no unsaved edits" in err
    assert "recovery" not in err
    assert not (plan_dir / RECOVERY_NAME).exists()


async def test_crash_with_unsaved_edits_names_the_recovery_file_that_exists(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _stage(pilot, "account", "harbor-hvac", "tier", 3)
        note = app.crash_note()
        where = app.session.recovery_written
        assert where is not None and where.exists() and str(where) in note
        app.session.recovery_enabled = True
        app.session._remove(where)
        assert "could not be kept" in app.crash_note()


# -- 18 / 44 (TUI side): two sessions ---------------------------------------------------------------


async def test_case_18_a_second_session_is_told_at_start(plan_dir):
    code = ("import sys, time\nfrom tui.app.session import Session\ns = Session(sys.argv[1])\n"
            "s.announce()\nprint('ready', flush=True)\ntime.sleep(60)\n")
    other = subprocess.Popen([sys.executable, "-c", code, str(plan_dir)], stdout=subprocess.PIPE, text=True,
                             cwd=Path(__file__).resolve().parents[2])
    try:
        assert other.stdout.readline().strip() == "ready"
        app = make_app(plan_dir)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            notes = [n.message for n in app._notifications]
            assert any("Another Quarterdeck session" in n and str(other.pid) in n for n in notes), notes
            # and this one is visible to the next
            assert app.session.marker is not None and app.session.marker.exists()
            marker = app.session.marker
        assert not marker.exists(), "the mark goes when the session ends"
    finally:
        other.kill()
        other.wait()


async def test_case_18_keep_mine_merges_and_keeps_the_other_sessions_edit(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _stage(pilot, "account", "harbor-hvac", "tier", 3)
        _edit_on_disk(plan_dir, "account", "liftwell-elevator", "tier", 2)  # another entity, saved meanwhile
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the disk dialog")
        await pilot.press("k")
        await settle(pilot)
        assert app.session.dirty
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.session.dirty
    plan = load_plan(plan_dir)
    assert plan.get("account", "harbor-hvac").data["tier"] == 3
    assert plan.get("account", "liftwell-elevator").data["tier"] == 2, "the other side's saved edit is kept"


@pytest.mark.parametrize("choice,expected", [("m", 3), ("t", 2)])
async def test_case_44_a_real_conflict_names_the_field_and_lets_the_user_choose(plan_dir, choice, expected):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _stage(pilot, "account", "harbor-hvac", "tier", 3)
        _edit_on_disk(plan_dir, "account", "harbor-hvac", "tier", 2)
        _edit_on_disk(plan_dir, "account", "liftwell-elevator", "tier", 2)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the disk dialog")
        assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 2, "nothing overwritten yet"
        await pilot.press("k")
        await wait_for(pilot, lambda: getattr(app.screen, "id", "") == "merge-dialog", what="the merge dialog")
        body = app.screen.body.plain
        assert "harbor-hvac" in body and "tier" in body
        await pilot.press(choice)
        await settle(pilot)
        await pilot.press("ctrl+s")
        await idle(pilot)
    plan = load_plan(plan_dir)
    assert plan.get("account", "harbor-hvac").data["tier"] == expected
    assert plan.get("account", "liftwell-elevator").data["tier"] == 2


# -- 19 / 52: recovery and read-only folders ---------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.com"}
    return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout


async def test_case_19_recovery_file_is_kept_out_of_git_and_offered_next_start(plan_dir):
    _git(plan_dir, "init", "-q")
    _git(plan_dir, "add", "-A")
    _git(plan_dir, "commit", "-qm", "plan")
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _stage(pilot, "account", "harbor-hvac", "tier", 2)
        kept = app.session.recovery_written
        assert kept == plan_dir / RECOVERY_NAME and kept.exists()
        assert _git(plan_dir, "status", "--porcelain", "--untracked-files=all") == "", "nothing new for git"
        app.exit()  # like a kill: no quit guard
    payload = json.loads(kept.read_text())
    payload["pid"] = 0
    kept.write_text(json.dumps(payload))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "id", "") == "recovery-dialog", what="the offer")
        await pilot.press("r")
        await idle(pilot)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 2


async def test_case_19_a_recovery_file_in_the_old_place_is_still_offered(plan_dir):
    session = Session(plan_dir)
    session.adopt(session.load())
    outcome = session.compute(lambda p: stage_change(p, set_field(p, "account", "harbor-hvac", "tier", 3)), "t")
    payload = json.loads(session.recovery_payload(outcome.plan))
    payload["pid"] = 0
    (plan_dir / LEGACY_RECOVERY_NAME).write_text(json.dumps(payload))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: getattr(app.screen, "id", "") == "recovery-dialog", what="the offer")
        await pilot.press("r")
        await idle(pilot)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 3
        await pilot.press("ctrl+s")
        await idle(pilot)
    assert not (plan_dir / LEGACY_RECOVERY_NAME).exists()


@pytest.fixture
def unwritable(monkeypatch):
    """Make folders unwritable (tests run as root, where chmod does not stop writes):
    temporary files and folders there cannot be made, os.access says no."""
    blocked: list[Path] = []
    real_mkstemp, real_access, real_mkdir = tempfile.mkstemp, os.access, Path.mkdir
    error = {"errno": errno.EACCES}

    def inside(path) -> bool:
        path = Path(os.path.realpath(path))
        return any(path == b or b in path.parents for b in blocked)

    def mkstemp(*args, dir=None, **kwargs):
        if dir is not None and inside(dir):
            raise OSError(error["errno"], os.strerror(error["errno"]))
        return real_mkstemp(*args, dir=dir, **kwargs)

    def access(path, mode, *args, **kwargs):
        if mode & os.W_OK and inside(path):
            return False
        return real_access(path, mode, *args, **kwargs)

    def mkdir(self, *args, **kwargs):
        if inside(self) and not self.exists():
            raise OSError(error["errno"], os.strerror(error["errno"]))
        return real_mkdir(self, *args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    monkeypatch.setattr(os, "access", access)
    monkeypatch.setattr(Path, "mkdir", mkdir)

    class Control:
        def block(self, path: Path, code: int = errno.EACCES) -> None:
            blocked.append(Path(os.path.realpath(path)))
            error["errno"] = code

        def unblock(self) -> None:
            blocked.clear()

    return Control()


async def test_case_52_edit_in_a_read_only_folder_stays_and_saves_later(plan_dir, tmp_path, unwritable):
    unwritable.block(plan_dir)
    before = (plan_dir / "accounts.toml").read_bytes()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _stage(pilot, "account", "harbor-hvac", "tier", 2)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 2
        kept = app.session.recovery_written
        assert kept is not None and kept.exists() and plan_dir not in kept.parents, "kept in the per-user place"
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert (plan_dir / "accounts.toml").read_bytes() == before
        assert app.session.dirty_files == ["accounts.toml"], "the edit stays in the session"
        notes = " ".join(n.message for n in app._notifications)
        assert "not saved" in notes and str(kept) in notes and "ctrl+s tries again" in notes
        # a copy elsewhere
        app.editing.save_copy_flow()
        await settle(pilot)
        app.screen.query_one(Input).value = str(tmp_path / "elsewhere")
        await pilot.press("enter")
        await settle(pilot)
        assert load_plan_file(tmp_path / "elsewhere" / "accounts.toml")["account"][0]["tier"] == 2
        # later, the folder can be written again: ctrl+s saves
        unwritable.unblock()
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.session.dirty
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 2
    assert app.crash_report is None


async def test_case_52_disk_full_everywhere_keeps_the_edit_and_says_no_copy(plan_dir, tmp_path, unwritable):
    unwritable.block(plan_dir, errno.ENOSPC)
    unwritable.block(tmp_path / "state", errno.ENOSPC)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _stage(pilot, "account", "harbor-hvac", "tier", 2)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 2
        assert app.session.recovery_written is None
        await pilot.press("ctrl+s")
        await idle(pilot)
        notes = " ".join(n.message for n in app._notifications)
        assert "disk is full" in notes and "no crash copy could be written" in notes
        assert app.session.dirty_files == ["accounts.toml"]
        assert "could not be kept" in app.crash_note()
        unwritable.unblock()
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.session.dirty
    assert app.crash_report is None


def load_plan_file(path: Path) -> dict:
    import tomllib

    return tomllib.loads(path.read_text(encoding="utf-8"))


# -- 39 / 47 (TUI side): text that looks like markup, control characters -----------------------------

EVIL = "Evil \x1b]0;PWNED\x07 \x1b[2J\x1b[38;5;99mRED \x9b31m \x07bell \u202eright [bold]B[/bold]"
PAYLOADS = ["\x07", "\x9b", "\x1b]0;PWNED", "\x1b[2J", "\x1b[38;5;99mRED", "\u202e"]


@pytest.fixture
def evil_plan(plan_dir) -> Path:
    plan = load_plan(plan_dir)
    for kind, entity_id, field in [("content", "dispatch-benchmark-2026", "title"),
                                   ("content", "dispatch-benchmark-2026", "summary"),
                                   ("account", "harbor-hvac", "name"), ("member", "dana-okafor", "name"),
                                   ("plan", "plan", "company")]:
        stage_change(plan, set_field(plan, kind, entity_id, field, EVIL + f" {field}"))
    for tf in plan.files.values():
        if tf.dirty:
            save_file(tf)
    return plan_dir


def _assert_safe(app, where: str) -> str:
    raw, text = screen_output(app)
    for payload in PAYLOADS:
        assert payload not in raw, f"{payload!r} reached the terminal raw ({where})"
    return text


async def test_case_47_control_characters_never_reach_the_terminal(evil_plan):
    before = {p.name: p.read_bytes() for p in evil_plan.glob("*.toml")}
    app = make_app(evil_plan)
    async with app.run_test(size=(160, 50)) as pilot:
        await ready(pilot)
        assert "\\x1b" in app.sub_title and "\x1b" not in app.sub_title
        _assert_safe(app, "overview")
        await pilot.press("5")
        await settle(pilot)
        app.query_one("#table-content", RowTable).select_id("dispatch-benchmark-2026")
        await settle(pilot)
        text = _assert_safe(app, "content list and detail")
        assert "\\x1b]0;PWNED\\x07" in text, "shown as escapes"
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        _assert_safe(app, "form")
        form = app.screen
        assert form.query_one("#f-title", Input).value.startswith("Evil \\x1b]0;PWNED\\x07")
        assert form.changes() == {}, "shown escaped, not edited: nothing changes"
        await pilot.press("ctrl+j")  # apply without edits
        await idle(pilot)
        await pilot.press("4")
        await settle(pilot)
        _assert_safe(app, "account list")
        await pilot.press("x")  # the delete question quotes the name
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the delete question")
        _assert_safe(app, "delete dialog")
        await pilot.press("n")
        await pilot.press("7")
        await settle(pilot)
        _assert_safe(app, "team")
        app.notify(EVIL, title=EVIL)
        await settle(pilot)
        _assert_safe(app, "notification")
        await pilot.press("ctrl+p")
        await settle(pilot)
        await pilot.press(*"Evil")
        await asyncio.sleep(0.6)
        await settle(pilot)
        _assert_safe(app, "palette")
        await pilot.press("escape")
        await settle(pilot)
    assert app.crash_report is None
    assert {p.name: p.read_bytes() for p in evil_plan.glob("*.toml")} == before, "stored exactly, untouched"


async def test_case_47_editing_another_field_keeps_the_control_characters(evil_plan):
    app = make_app(evil_plan)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("5")
        await settle(pilot)
        app.query_one("#table-content", RowTable).select_id("dispatch-benchmark-2026")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        form = app.screen
        form.query_one("#f-url", Input).value = "https://example.com/dispatch"
        await pilot.press("ctrl+s")  # apply and save
        await idle(pilot)
    data = load_plan(evil_plan).get("content", "dispatch-benchmark-2026").data
    assert data["url"] == "https://example.com/dispatch"
    assert data["title"] == EVIL + " title", "stored exactly"


async def test_case_39_markup_like_text_is_shown_literally(plan_dir):
    plan = load_plan(plan_dir)
    name = "[bold red]Harbor[/] [link=https://x.example]HVAC[/link] $1 \\[x]"
    stage_change(plan, set_field(plan, "account", "harbor-hvac", "name", name))
    save_file(plan.files["accounts.toml"])
    app = make_app(plan_dir)
    async with app.run_test(size=(200, 50)) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        app.query_one("#table-account", RowTable).select_id("harbor-hvac")
        await settle(pilot)
        _raw, text = screen_output(app)
        assert "[bold red]Harbor[/]" in text
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
        assert app.screen.query_one("#f-name", Input).value == name
        await pilot.press("escape")
        await settle(pilot)
        app.notify(name)
        await settle(pilot)
        _raw, text = screen_output(app)
        assert "[link=https://x.example]HVAC[/link]" in text
    assert app.crash_report is None


# -- Pilot tests are coroutines: run each in its own event loop ---------------------------------------


def _in_own_loop(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


for _name, _test in list(globals().items()):
    if _name.startswith("test_") and asyncio.iscoroutinefunction(_test):
        globals()[_name] = _in_own_loop(_test)
