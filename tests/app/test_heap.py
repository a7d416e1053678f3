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
