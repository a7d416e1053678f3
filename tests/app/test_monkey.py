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


async def _monkey(pilot, seed: int, steps: int, rng: random.Random | None = None, start: int = 0) -> int | None:
    """Random steps from ``start``; the step at which the user quit cleanly (the palette's
    "Quit", say, with nothing unsaved), or None when all steps ran.  Any other end fails."""
    app = pilot.app
    rng = rng or random.Random(seed)
    width, height = app.size
    for step in range(start, steps):
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
        if step % 25 == 0 and app.is_running:
            await settle(pilot)
        assert app.crash_report is None, f"step {step} (seed {seed}):\n{app.crash_report}"
        if not app.is_running or app.editing.ended_by is not None:
            # only the quit guard may end the app, and never with edits unsaved or being made
            assert app.editing.ended_by is not None, f"the app stopped at step {step} (seed {seed}), not by quitting"
            assert not app.busy
            if app.editing.ended_by != "quit, edits discarded":
                assert not app.session.dirty, f"step {step}: quit with unsaved edits ({app.editing.ended_by})"
            return step + 1
    return None


async def _run(plan_dir, seed: int, steps: int, size=SIZE, make=None) -> None:
    """The monkey over ``steps`` steps; a clean quit starts the app again for the rest."""
    rng, start = random.Random(seed), 0
    while start is not None:
        app = make_app(plan_dir)
        async with app.run_test(size=size) as pilot:
            await ready(pilot)
            if make is not None:
                make(app)
            start = await _monkey(pilot, seed, steps, rng, start)
            if start is None:
                await _save_and_compare(pilot, plan_dir)
        assert app.crash_report is None


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
    await _run(plan_dir, seed, STEPS)


async def test_monkey_on_a_plan_with_problems_everywhere(tmp_path):
    await _run(problem_plan(tmp_path / "broken"), 3, STEPS)


async def test_monkey_under_no_color(plan_dir, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    await _run(plan_dir, 4, max(STEPS // 2, 50), size=(60, 20), make=lambda app: _assert_no_color(app))


def _assert_no_color(app) -> None:
    assert app.no_color
