"""A seeded monkey: random keys and clicks over every view and dialog, on the example
plan and on a plan with a problem in every entity.  No exception, and after a final
save the files on disk are exactly the session's texts.

``QUARTERDECK_MONKEY_STEPS`` sets the steps per run (default 120: each step draws a frame, a few
tenths of a second on a busy machine; a long run may ask for thousands).
"""

from __future__ import annotations

import os
import random

import pytest

from tests.app.helpers import idle, make_app, problem_plan, ready, settle, wait_for

STEPS = int(os.environ.get("QUARTERDECK_MONKEY_STEPS", "120"))
SIZE = (80, 24)

KEYS = (
    list("123456789") * 3
    + ["a", "e", "c", "n", "x", "s", "v", "t", "slash", "question_mark", "escape", "escape", "enter", "enter",
       "tab", "shift+tab", "up", "down", "down", "left", "right", "pageup", "pagedown", "home", "end", "space",
       "ctrl+z", "ctrl+y", "ctrl+p", "ctrl+j", "ctrl+s", "backspace", "delete", "f2", "d", "k", "r", "m", "y"]
    + list("abcxyz019-. ")
)


async def _monkey(pilot, seed: int, steps: int) -> None:
    app = pilot.app
    rng = random.Random(seed)
    width, height = app.size
    for step in range(steps):
        roll = rng.random()
        if roll < 0.12:
            await pilot.click(offset=(rng.randrange(width), rng.randrange(height)))
        elif roll < 0.14 and app.session.dirty and not app.busy:
            await pilot.press("ctrl+q")  # asks when there are edits: cancel it
            await pilot.pause()
            if app.screen.id == "quit-dialog":
                await pilot.press("c")
        else:
            await pilot.press(rng.choice(KEYS))
        if step % 25 == 0:
            await settle(pilot)
        assert app.crash_report is None, f"step {step} (seed {seed}):\n{app.crash_report}"
        assert app.is_running, f"the app stopped at step {step} (seed {seed})"


async def _save_and_compare(pilot, plan_dir) -> None:
    app = pilot.app
    for _ in range(6):
        if len(app.screen_stack) <= 1:
            break
        await pilot.press("escape")
        await settle(pilot)
    await wait_for(pilot, lambda: not app.busy, what="the last edit")
    if app.session.dirty:
        await pilot.press("ctrl+s")
        await idle(pilot)
    assert not app.session.dirty, f"not saved: {app.session.dirty_files}"
    for name, tf in app.plan.files.items():
        assert (plan_dir / name).read_bytes() == tf.encode(tf.text), f"{name}: the disk is not the session's text"


@pytest.mark.parametrize("seed", [1, 2])
async def test_monkey_on_the_example_plan(plan_dir, seed):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _monkey(pilot, seed, STEPS)
        await _save_and_compare(pilot, plan_dir)
    assert app.crash_report is None


async def test_monkey_on_a_plan_with_problems_everywhere(tmp_path):
    plan_dir = problem_plan(tmp_path / "broken")
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await _monkey(pilot, 3, STEPS)
        await _save_and_compare(pilot, plan_dir)
    assert app.crash_report is None


async def test_monkey_under_no_color(plan_dir, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(plan_dir)
    async with app.run_test(size=(60, 20)) as pilot:
        await ready(pilot)
        assert app.no_color
        await _monkey(pilot, 4, max(STEPS // 2, 50))
        await _save_and_compare(pilot, plan_dir)
    assert app.crash_report is None
