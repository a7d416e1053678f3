"""Shared pieces of the app tests: a fixed day, waiting for workers, reading diffs."""

from __future__ import annotations

import asyncio
import datetime as dt
import difflib
import hashlib
from pathlib import Path

TODAY = dt.date(2026, 11, 20)


async def settle(pilot, rounds: int = 1) -> None:
    """Let the app finish what it was doing: workers, the messages they post, timers."""
    app = pilot.app
    for _ in range(rounds):
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for(pilot, condition, timeout: float = 15.0, what: str = "condition", workers: bool = True) -> None:
    """Wait until ``condition()`` holds (the app works in threads; it may take a moment).
    ``workers=False``: without waiting for the workers in between (one may be held on purpose)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05 if workers else 0.02)
        if workers:
            await pilot.app.workers.wait_for_complete()


async def ready(pilot) -> None:
    """The plan is loaded and validated."""
    app = pilot.app
    await wait_for(pilot, lambda: app.plan is not None and app.validated and not app.busy, what="the plan")
    await settle(pilot)


async def idle(pilot) -> None:
    """No edit or save is running any more."""
    await wait_for(pilot, lambda: not pilot.app.busy, what="the edit to finish")
    await settle(pilot)


def changed_old_lines(old: str, new: str) -> set[int]:
    """0-based numbers of the lines of ``old`` that were replaced or deleted (or, for a
    pure insertion, the line it was inserted before)."""
    a, b = old.split("\n"), new.split("\n")
    out: set[int] = set()
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag != "equal":
            out.update(range(i1, i2) if i2 > i1 else [i1])
    return out


def snapshot_files(folder: Path) -> dict[str, str]:
    """Every file of a folder with the hash of its bytes."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()}


def recovery_file(plan_dir: Path) -> Path:
    """The crash-recovery file of a plan folder (its state folder made, to write one by hand)."""
    from tui.app.session import RECOVERY_NAME

    path = plan_dir / RECOVERY_NAME
    path.parent.mkdir(exist_ok=True)
    return path


def screen_output(app) -> tuple[str, str]:
    """What the terminal would be sent for the current screen (escape sequences and
    all), and the same as plain text."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True, color_system="truecolor",
                      record=True, legacy_windows=False, safe_box=False)
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    console.print(update)
    return console.file.getvalue(), console.export_text(styles=False)


def problem_plan(target: Path) -> Path:
    """A copy of the example plan with a problem in every entity of every kind (an
    unknown key), hence in every file."""
    import shutil

    from tests.conftest import EXAMPLE
    from tui.plan.edit import save_file, set_field, stage_change
    from tui.plan.model import load_plan
    from tui.plan.registry import KINDS

    shutil.copytree(EXAMPLE, target)
    plan = load_plan(target)
    for kind in KINDS.values():
        for entity in plan.all(kind.name):
            stage_change(plan, set_field(plan, kind.name, entity.id, "qd_unknown_field", "x", force=True))
    for tf in plan.files.values():
        if tf.dirty:
            save_file(tf)
    return target


def make_app(plan_dir, today=TODAY, **kw):
    from tui.app import QuarterdeckApp

    app = QuarterdeckApp(plan_dir, today=today, watch=kw.pop("watch", None), **kw)
    app.animation_level = "none"
    return app


async def tour(pilot) -> None:
    """Show every view and open (and close) every kind of dialog: forms, help, the
    palette, the trend, the calendar, a coverage cell, the delete question."""
    from tui.app.dialogs.form import FormScreen

    app = pilot.app

    async def back_to_main() -> None:
        for _ in range(4):
            if len(app.screen_stack) <= 1:
                return
            await pilot.press("escape")
            await settle(pilot)

    for key in "123456789":
        await pilot.press(key)
        await settle(pilot)
        if key in "234567":  # a list: its form, then the delete question
            await pilot.press("e")
            await settle(pilot)
            if isinstance(app.screen, FormScreen):
                await pilot.press("tab", "tab")
            await back_to_main()
            await pilot.press("x")
            await wait_for(pilot, lambda: not app.busy, what="the referrers")
            await back_to_main()
        if key == "2":
            await pilot.press("tab", "t")  # the key-result list, its trend
            await settle(pilot)
            await back_to_main()
        if key == "5":
            await pilot.press("v")  # the calendar
            await settle(pilot)
            await pilot.press("right", "n", "v")
            await settle(pilot)
        if key == "1":
            for node in app.query("#coverage-map"):
                node.focus()
                await pilot.press("enter")
                await settle(pilot)
                await back_to_main()
    await pilot.press("question_mark")
    await settle(pilot)
    await back_to_main()
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"acc")
    await settle(pilot)
    await back_to_main()
