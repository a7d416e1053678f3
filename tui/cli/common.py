"""What every command shares: output, colour, finding the plan folder, the errors a
command raises for the user."""

from __future__ import annotations

import os
import sys
from pathlib import Path


class UsageError(Exception):
    pass


def out(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")


def use_color(stream, mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class Paint:
    CODES = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2", "cyan": "36"}

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, *styles: str) -> str:
        if not self.on or not styles:
            return text
        codes = ";".join(self.CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def plan_dir(value: str | None) -> Path:
    from tui.plan.model import find_plan_dir

    if value:
        return Path(value)
    found = find_plan_dir()
    if found is None:
        raise UsageError("no plan folder here or above (a plan folder holds plan.toml); pass one, e.g. `quarterdeck check plans`")
    return found


def display_path(plan_dir: Path, file: str) -> str:
    return os.path.normpath(os.path.join(str(plan_dir), file)) if file else str(plan_dir)


class Failed(Exception):
    """A command failed with a message for the user and an exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code
