"""A plan checked in a child process (tui.plan.offload) gives exactly the problems the
same check gives in this process: for the files as on disk, for text not saved yet, for
files changed on disk behind the plan's back, after a preload, and with a child that
died (the caller is told, and checks by itself)."""

from __future__ import annotations

import shutil

import pytest

from tests.conftest import EXAMPLE
from tui.plan import offload
from tui.plan.edit import set_field, stage_change
from tui.plan.model import load_plan
from tui.plan.validation import validate


@pytest.fixture
def plan_dir(tmp_path):
    folder = tmp_path / "plan"
    shutil.copytree(EXAMPLE, folder)
    # an error and a warning of several kinds: schema, reference, glossary
    accounts = folder / "accounts.toml"
    text = accounts.read_text(encoding="utf-8")
    text = text.replace("tier = 1", "tier = 9", 1).replace('sales_owner = "tom-becker"', 'sales_owner = "nobody"', 1)
    accounts.write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def checker():
    c = offload.CheckProcess()
    yield c
    c.close()


def test_the_child_finds_exactly_the_problems_found_here(plan_dir, checker):
    plan = load_plan(plan_dir)
    here = validate(plan)
    assert any(p.code.startswith("schema") for p in here) and any(p.code.startswith("ref") for p in here)
    assert checker.check(plan) == here
    assert checker.answered == 1


def test_the_child_checks_text_not_saved_yet(plan_dir, checker):
    plan = load_plan(plan_dir)
    checker.check(plan)  # the child now holds the files as on disk
    stage_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 7, force=True))  # not valid: tiers are 1-3
    assert plan.files["accounts.toml"].dirty
    here = validate(plan)
    assert any(p.entity == "harbor-hvac" and p.field == "tier" for p in here)
    assert checker.check(plan) == here
    # and back to the saved text: the child's answer follows
    assert checker.check(load_plan(plan_dir)) == validate(load_plan(plan_dir))


def test_a_file_changed_on_disk_behind_the_plan_is_sent_not_read(plan_dir, checker):
    plan = load_plan(plan_dir)
    here = validate(plan)
    # the plan in memory is "clean", but the disk now holds something else: the child
    # must check the plan it was asked about, not the disk
    (plan_dir / "accounts.toml").write_text("[[account]]\nid = 'x'\n", encoding="utf-8")
    assert checker.check(plan) == here


def test_a_preload_answers_the_check_of_the_same_bytes_and_not_of_others(plan_dir, checker):
    checker.preload(plan_dir)
    plan = load_plan(plan_dir)
    assert checker.check(plan) == validate(plan)
    other = load_plan(plan_dir)
    stage_change(other, set_field(other, "account", "harbor-hvac", "tier", 2))
    assert checker.check(other) == validate(other)


def test_a_preload_of_a_folder_that_changes_before_the_load_is_not_taken(plan_dir, checker):
    checker.preload(plan_dir)
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("tier = 9", "tier = 1", 1), encoding="utf-8")
    plan = load_plan(plan_dir)
    assert checker.check(plan) == validate(plan)


def test_the_date_of_the_asking_process_is_the_childs(plan_dir, checker, monkeypatch):
    plan = load_plan(plan_dir)
    monkeypatch.setenv("QUARTERDECK_TODAY", "2026-10-02")
    early = validate(plan)
    assert checker.check(plan) == early
    monkeypatch.setenv("QUARTERDECK_TODAY", "2026-12-20")
    late = validate(plan)
    assert late != early  # content overdue by then
    assert checker.check(plan) == late


def test_unreadable_files_are_checked_alike(plan_dir, checker):
    (plan_dir / "content.toml").write_text("[[content\n", encoding="utf-8")
    plan = load_plan(plan_dir)
    assert "content.toml" in plan.unreadable
    assert checker.check(plan) == validate(plan)


def test_a_child_that_died_is_an_error_and_is_not_asked_again(plan_dir, checker):
    plan = load_plan(plan_dir)
    checker.check(plan)
    checker._proc.kill()
    checker._proc.wait()
    with pytest.raises(offload.OffloadError):
        checker.check(plan)
    assert checker.broken
    with pytest.raises(offload.OffloadError):
        checker.check(plan)


def test_closing_ends_the_child(plan_dir):
    c = offload.CheckProcess()
    c.check(load_plan(plan_dir))
    proc = c._proc
    assert proc.poll() is None
    c.close()
    assert proc.poll() is not None


def test_large_plans_are_offloaded_small_ones_are_not(plan_dir, monkeypatch):
    monkeypatch.delenv(offload.MODE_ENV, raising=False)
    size = offload.plan_bytes(plan_dir)
    assert 0 < size < offload.MIN_BYTES
    assert size == sum(p.stat().st_size for p in plan_dir.glob("*.toml"))
    assert not offload.wanted(plan_dir)
    assert offload.wanted(plan_dir, total_bytes=offload.MIN_BYTES)
    monkeypatch.setenv(offload.MODE_ENV, "always")
    assert offload.wanted(plan_dir)
    monkeypatch.setenv(offload.MODE_ENV, "never")
    assert not offload.wanted(plan_dir, total_bytes=10 * offload.MIN_BYTES)


def test_a_folder_holding_some_other_tui_package_is_not_imported_by_the_child(plan_dir, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    (elsewhere / "tui" / "plan").mkdir(parents=True)
    for init in (elsewhere / "tui" / "__init__.py", elsewhere / "tui" / "plan" / "__init__.py"):
        init.write_text("raise SystemExit('the wrong package was imported')\n", encoding="utf-8")
    (elsewhere / "tui" / "plan" / "offload.py").write_text("raise SystemExit(3)\n", encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    monkeypatch.setenv("PYTHONPATH", str(elsewhere))  # even first on the caller's path
    command, env = offload.child_process("tui.plan.offload")
    assert "-P" in command and env["PYTHONPATH"].split(":")[0] != str(elsewhere)
    c = offload.CheckProcess()
    try:
        plan = load_plan(plan_dir)
        assert c.check(plan) == validate(plan)
    finally:
        c.close()


def test_a_plan_kept_one_file_per_entity_with_a_new_unsaved_entity_file(plan_dir, checker):
    from tui.cli import main
    from tui.plan.edit import add_entity

    assert main(["layout", "account", "split", "--plan", str(plan_dir), "-q"]) == 0
    plan = load_plan(plan_dir)
    assert any(name.startswith("accounts/") for name in plan.files)
    assert checker.check(plan) == validate(plan)
    stage_change(plan, add_entity(plan, "account", "zenith-new", {"name": "Zenith", "tier": 2}, force=True))
    new = [name for name in plan.files if "zenith-new" in name]
    assert new and not (plan_dir / new[0]).exists()  # in memory only: the child must be sent it
    here = validate(plan)
    assert any(p.entity == "zenith-new" for p in here)
    assert checker.check(plan) == here


def test_closing_during_a_check_ends_it_at_once_and_nothing_is_checked_here(plan_dir):
    import threading
    import time

    c = offload.CheckProcess()
    plan = load_plan(plan_dir)
    c.check(plan)
    results, here = [], []
    started = threading.Event()
    real_ask = c._ask

    def slow_ask(request):
        started.set()
        return real_ask(request)

    c._ask = slow_ask
    other = load_plan(plan_dir)
    stage_change(other, set_field(other, "account", "harbor-hvac", "tier", 2))
    worker = threading.Thread(target=lambda: results.append(
        offload.check_with(c, other, lambda: here.append(1) or validate(other))))
    worker.start()
    started.wait(5)
    time.sleep(0.05)  # the request is out (or about to be)
    t = time.perf_counter()
    c.close()
    assert time.perf_counter() - t < 2
    worker.join(10)
    assert not worker.is_alive()
    # either the child answered in time (the real problems) or nothing: never a check here
    assert here == [] and results in ([[]], [validate(other)])
    assert c.closed
    with pytest.raises(offload.OffloadError):
        c.check(plan)
