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


async def wait_for(pilot, condition, timeout: float = 15.0, what: str = "condition") -> None:
    """Wait until ``condition()`` holds (the app works in threads; it may take a moment)."""
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not condition():
        if loop.time() > end:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
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
