"""Pace on a key result's bar: the expected-by-today mark and the computed status.

The bar shows progress from baseline to target (``present.kr_progress``); the mark ``┃``
(in the theme's info colour, like the quarter's own clock on the Overview) sits where the key result should be by today (``tui.plan.insights.pace``), and the
computed status (on track, at risk, off track, done) is written after it.  A goal's
computed status stands beside its typed one, flagged when they disagree.
"""

from __future__ import annotations

import datetime as dt

from rich.text import Text

from tui.plan.insights.numbers import percent
from tui.plan.insights.pace import LABELS, kr_pace, plan_pace
from tui.plan.model import Plan

from .palette import DEFAULT, Palette, role_style
from .present import bar

MARK = "┃"
# a computed status and the palette role it is drawn in
STATUS_ROLES = {"on_track": "good", "done": "good", "at_risk": "warn", "off_track": "bad",
                "not_started": "muted", "unknown": "muted"}


def marked_bar(fraction: float | None, expected: float | None, width: int, style: str,
               pal: Palette = DEFAULT) -> Text:
    """The progress bar with the expected share marked on it."""
    filled, track = bar(fraction, width)
    cells = list(filled + track)
    styles = [style] * len(filled) + ["dim"] * len(track)
    out = Text()
    at = None
    if expected is not None and width > 0:
        at = min(width - 1, max(0, int(round(min(max(expected, 0.0), 1.0) * width)) - (1 if expected >= 1 else 0)))
    for i, (ch, st) in enumerate(zip(cells, styles)):
        if i == at:
            out.append(MARK, style=f"bold {pal.info}")
        else:
            out.append(ch, style=st)
    return out


def status_style(status: str, pal: Palette = DEFAULT) -> str:
    """The style of a computed status in the running theme's colours."""
    return role_style(pal, STATUS_ROLES.get(status, ""))


def status_text(status: str, pal: Palette = DEFAULT) -> Text:
    return Text(LABELS.get(status, status), style=status_style(status, pal))


def kr_pace_text(plan: Plan, kr, today: dt.date) -> tuple[float | None, str, str]:
    """(expected share, computed status, "expected 64%" words) of a key result."""
    pace = kr_pace(plan, kr, today)
    words = f"expected {percent(pace.expected_share)}" if pace.expected_share is not None else ""
    return pace.expected_share, pace.status, words


def goal_statuses(plan: Plan, today: dt.date) -> dict[str, tuple[str, str, bool]]:
    """{goal id: (typed status, computed status, disagree)}."""
    return {g.id: (g.typed, g.status, g.disagrees) for g in plan_pace(plan, today).goals}


def goal_pace_text(typed: str, computed: str, disagrees: bool, pal: Palette = DEFAULT) -> Text:
    """"on_track · pace: off track ⚠"."""
    out = Text()
    out.append("pace: ", style="dim")
    out.append_text(status_text(computed, pal))
    if disagrees:
        out.append(f" ⚠ typed {LABELS.get(typed, typed)}", style=pal.warn)
    return out


__all__ = ["MARK", "STATUS_ROLES", "goal_pace_text", "goal_statuses", "kr_pace_text", "marked_bar", "status_style",
           "status_text"]
