"""Nothing is lost: the quit guard, crash recovery, files changed on disk, and saves
that refuse to overwrite them."""

from __future__ import annotations

import json
import os

from tests.app.helpers import TODAY, idle, ready, recovery_file, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.choice import ChoiceScreen
from tui.app.session import RECOVERY_NAME, Session
from tui.plan.edit import set_field, stage_change
from tui.plan.model import load_plan

SIZE = (120, 40)


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def stage_tier(pilot, tier: int) -> None:
    pilot.app.request_set_fields("account", "harbor-hvac", {("tier",): tier})
    await idle(pilot)


async def test_quit_with_unsaved_edits_asks_and_cancel_keeps_running(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await stage_tier(pilot, 3)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen) and app.screen.id == "quit-dialog"
        await pilot.press("c")
        await settle(pilot)
        assert app.is_running and app.session.dirty
        # discard: the app ends, the file and the recovery copy are left as on disk
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
    assert app.return_code == 0
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 1
    assert not (plan_dir / RECOVERY_NAME).exists()


async def test_quit_with_unsaved_edits_can_save_first(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await stage_tier(pilot, 3)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("s")
        await wait_for(pilot, lambda: not app.is_running or not app.session.dirty, what="save and quit")
        await settle(pilot)
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 3


async def test_crash_leaves_a_recovery_file_that_the_next_start_offers(plan_dir):
    # session one: an edit is staged, then the process "dies" (exit without the quit guard)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await stage_tier(pilot, 2)
        assert (plan_dir / RECOVERY_NAME).exists()
        app.exit()  # no guard, no cleanup: like a kill
    payload = json.loads((plan_dir / RECOVERY_NAME).read_text())
    assert set(payload["files"]) == {"accounts.toml"}
    payload["pid"] = 0  # the session that wrote it is gone
    recovery_file(plan_dir).write_text(json.dumps(payload))
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 1

    # session two: the edits are offered, restored (staged), then saved
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the recovery dialog")
        assert app.screen.id == "recovery-dialog"
        assert "accounts.toml" in str(app.screen.body)
        await pilot.press("r")
        await idle(pilot)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 2
        assert app.session.dirty_files == ["accounts.toml"]
        await pilot.press("ctrl+s")
        await idle(pilot)
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 2
    assert not (plan_dir / RECOVERY_NAME).exists()


async def test_recovery_can_be_discarded_and_warns_about_newer_disk_versions(plan_dir):
    session = Session(plan_dir)
    session.adopt(session.load())
    outcome = session.compute(
        lambda p: stage_change(p, set_field(p, "account", "harbor-hvac", "tier", 3)), "tier")
    payload = json.loads(session.recovery_payload(outcome.plan))
    payload["pid"] = 0
    recovery_file(plan_dir).write_text(json.dumps(payload))
    # the file changed on disk after the edits were made
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace("Harbor HVAC Services", "Harbor HVAC Inc", 1))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the recovery dialog")
        assert "changed on disk since" in str(app.screen.body)
        await pilot.press("d")
        await settle(pilot)
        assert not (plan_dir / RECOVERY_NAME).exists()
        assert not app.session.dirty


async def test_external_change_without_local_edits_reloads(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        path = plan_dir / "accounts.toml"
        path.write_text(path.read_text().replace("Harbor HVAC Services", "Harbor HVAC Group", 1))
        app.poll_disk()
        await wait_for(pilot, lambda: app.plan.get("account", "harbor-hvac").data["name"] == "Harbor HVAC Group",
                       what="the reload")
        assert not app.session.dirty
        assert not isinstance(app.screen, ChoiceScreen)
        # a same-size change inside one timestamp tick is still seen (content is hashed)
        stat = path.stat()
        path.write_text(path.read_text().replace("Harbor HVAC Group", "Harbor HVAC Grupp", 1))
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
        app.poll_disk()
        await wait_for(pilot, lambda: app.plan.get("account", "harbor-hvac").data["name"] == "Harbor HVAC Grupp",
                       what="the second reload")


async def test_external_change_with_local_edits_asks_and_reload_theirs(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await stage_tier(pilot, 3)
        path = plan_dir / "accounts.toml"
        theirs = path.read_text().replace("Harbor HVAC Services", "Harbor HVAC Theirs", 1)
        path.write_text(theirs)
        app.poll_disk()
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the conflict dialog")
        assert app.screen.id == "disk-dialog"
        await pilot.press("r")
        await settle(pilot)
        data = app.plan.get("account", "harbor-hvac").data
        assert data["name"] == "Harbor HVAC Theirs" and data["tier"] == 1
        assert not app.session.dirty
        assert path.read_text() == theirs


async def test_external_change_with_local_edits_keep_mine_then_save(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await stage_tier(pilot, 3)
        path = plan_dir / "accounts.toml"
        path.write_text(path.read_text().replace("Harbor HVAC Services", "Harbor HVAC Theirs", 1))
        # saving now is refused: the file changed on disk since it was read
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the conflict dialog")
        assert "Harbor HVAC Theirs" in path.read_text(), "never overwrite silently"
        await pilot.press("k")
        await settle(pilot)
        assert app.session.dirty
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.session.dirty
    data = load_plan(plan_dir).get("account", "harbor-hvac").data
    # keep mine merges by entity: the edit saved on disk (another field) is kept too
    assert data["tier"] == 3 and data["name"] == "Harbor HVAC Theirs"


async def test_damaged_recovery_file_is_left_alone(plan_dir):
    recovery_file(plan_dir).write_text("{ not json")
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await stage_tier(pilot, 2)
        assert not isinstance(app.screen, ChoiceScreen)
    assert (plan_dir / RECOVERY_NAME).read_text() == "{ not json"


async def test_a_file_that_does_not_parse_is_reported_then_reloaded_once_fixed(plan_dir):
    path = plan_dir / "goals.toml"
    good = path.read_text()
    path.write_text(good + "\n[[goal]\n")
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        syntax = [p for p in app.problems if p.code.startswith("toml.")]
        assert syntax and syntax[0].file == "goals.toml" and syntax[0].line > 0
        assert app.plan.all("goal") == []
        app.poll_disk()
        await settle(pilot)
        assert not app._notifications, "a file that was already broken is not news"
        path.write_text(good)
        app.poll_disk()
        await wait_for(pilot, lambda: len(app.plan.all("goal")) > 0, what="goals.toml to be reloaded")
        await wait_for(pilot, lambda: app.validated and not any(p.code.startswith("toml.") for p in app.problems),
                       what="the syntax error to go away")
