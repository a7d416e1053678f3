"""The app's garbage collection around the plan: none while a plan is being built, the
shown plan frozen out of the way afterwards, and the caller's setting always restored."""

from __future__ import annotations

import gc
import threading

import pytest

from tests.app.helpers import make_app, ready
from tests.conftest import EXAMPLE
from tui.app import heap


def test_no_collection_while_building_and_back_after_the_last_builder():
    assert gc.isenabled()
    with heap.building():
        assert not gc.isenabled()
        with heap.building():  # two loads at once: the first to finish does not turn it back on
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_failed_build_gives_collection_back_and_a_caller_without_it_keeps_it_off():
    with pytest.raises(ValueError), heap.building():
        raise ValueError("a file that does not parse")
    assert gc.isenabled()
    gc.disable()
    try:
        with heap.building():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_builders_in_threads_share_the_switch():
    inside = threading.Barrier(3)
    seen = []

    def build():
        with heap.building():
            inside.wait(5)
            seen.append(gc.isenabled())
            inside.wait(5)

    threads = [threading.Thread(target=build) for _ in range(2)]
    for t in threads:
        t.start()
    inside.wait(5)
    inside.wait(5)
    for t in threads:
        t.join()
    assert seen == [False, False] and gc.isenabled()


async def test_the_app_loads_its_plan_without_collections(tmp_path, monkeypatch):
    import shutil

    from tests.conftest import gc_seen
    from tui.app.session import Session

    plan = shutil.copytree(EXAMPLE, tmp_path / "plans")
    during = gc_seen(monkeypatch, Session, "load")
    app = make_app(plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        assert during == [False]
        assert gc.isenabled()


def test_an_idle_collection_collects_what_is_not_frozen_then_freezes_it(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    monkeypatch.setattr(heap, "_settled", 1)  # not a turn for the full collection
    assert heap.collect_idle() is True
    assert calls == ["collect", "freeze"]


def test_no_idle_collection_while_a_plan_is_being_built(monkeypatch):
    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append("collect") or 0)
    with heap.building():
        assert heap.collect_idle() is False
    assert calls == []


class _Clock:
    """A clock for ``heap`` that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


async def test_the_app_collects_once_the_user_stops_and_not_while_they_type(tmp_path, monkeypatch):
    import shutil

    plan = shutil.copytree(EXAMPLE, tmp_path / "plans")
    clock = _Clock()
    monkeypatch.setattr(heap, "time", clock)
    monkeypatch.setattr(heap, "TICK", 0.02)
    idle = []
    real = heap.collect_idle
    monkeypatch.setattr(heap, "collect_idle", lambda: idle.append(clock.now) or real())
    app = make_app(plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        clock.now += 10
        await pilot.pause(0.2)
        idle.clear()
        for _ in range(6):  # keys closer together than IDLE_SECONDS: no collection among them
            await pilot.press("down")
            clock.now += heap.IDLE_SECONDS / 2
            await pilot.pause(0.1)
        assert idle == []
        clock.now += heap.IDLE_SECONDS  # then the user stops: one collection, not one per tick
        await pilot.pause(0.3)
        assert len(idle) == 1
        clock.now += 10
        await pilot.pause(0.3)
        assert len(idle) == 1
        await pilot.press("up")  # and again after the next key
        clock.now += heap.IDLE_SECONDS * 2
        await pilot.pause(0.3)
        assert len(idle) == 2


async def test_the_app_makes_full_collections_rarer_while_it_runs_and_gives_the_setting_back(tmp_path):
    import shutil

    plan = shutil.copytree(EXAMPLE, tmp_path / "plans")
    before = gc.get_threshold()
    app = make_app(plan)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        during = gc.get_threshold()
    assert during[:2] == before[:2] and during[2] >= heap.OLDEST_THRESHOLD > before[2]
    assert gc.get_threshold() == before
