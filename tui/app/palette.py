"""The theme's colours for text drawn as Rich ``Text`` (detail, overview, calendar, diff).

Textual's CSS reads the theme's variables (``$success``, ``$text-warning``); a Rich
``Text`` cannot, so panes that draw one take a ``Palette`` made from the running theme
(``palette_of(app)``) and draw again when the theme changes (``follow_theme``).  Roles,
not colour names: ``good``/``warn``/``bad`` text is the theme's readable variant on its
own background (dark yellow on a light theme, light yellow on a dark one), ``chip_*``
are the label-on-tint styles of status chips, ``bar_*`` the solid colours of bars.

``DEFAULT`` (plain ANSI names) is for callers without an app: tests, exports.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable


@dataclass(frozen=True)
class Palette:
    good: str = "green"
    warn: str = "yellow"
    bad: str = "red"
    accent: str = "cyan"  # headings and the selected quarter: readable on the background
    info: str = "blue"
    muted: str = "dim"
    bar_good: str = "green"
    bar_warn: str = "yellow"
    bar_bad: str = "red"
    bar_info: str = "blue"
    chip_good: str = "bold black on green"
    chip_warn: str = "bold black on yellow"
    chip_bad: str = "bold white on dark_red"
    chip_plain: str = "bold"

    def chip(self, role: str) -> str:
        return {"good": self.chip_good, "warn": self.chip_warn, "bad": self.chip_bad}.get(role, self.chip_plain)


DEFAULT = Palette()


def _colour(variables: dict[str, str], name: str, fallback: str) -> str:
    value = variables.get(name, "")
    # "auto 60%" and the like are CSS-only values: Rich cannot read them
    return value if value.startswith("#") else fallback


_CACHE: dict[tuple[int, str], Palette] = {}


def palette_of(app) -> Palette:
    """The palette of the running theme: ``app`` is the app or any widget or screen of it
    (``DEFAULT`` when there is no app, or it has no theme yet)."""
    try:
        if not hasattr(app, "current_theme"):  # a widget or a screen: its app's theme
            app = app.app
        key = (id(app.current_theme), app.theme)
    except Exception:  # noqa: BLE001 - no app running (a unit test): plain colours
        return DEFAULT
    if key not in _CACHE:
        try:
            _CACHE[key] = _make(app.get_css_variables())
        except Exception:  # noqa: BLE001 - a theme Textual cannot resolve yet: plain colours
            return DEFAULT
    return _CACHE[key]


def _make(v: dict[str, str]) -> Palette:
    fg = _colour(v, "foreground", "white")

    def chip(tint: str, fallback: str) -> str:
        return f"bold {fg} on {_colour(v, tint, fallback)}"

    return Palette(
        good=_colour(v, "text-success", "green"), warn=_colour(v, "text-warning", "yellow"),
        bad=_colour(v, "text-error", "red"), accent=_colour(v, "text-primary", "cyan"),
        info=_colour(v, "text-secondary", "blue"), muted="dim",
        bar_good=_colour(v, "success", "green"), bar_warn=_colour(v, "warning", "yellow"),
        bar_bad=_colour(v, "error", "red"), bar_info=_colour(v, "primary", "blue"),
        chip_good=chip("success-muted", "green"), chip_warn=chip("warning-muted", "yellow"),
        chip_bad=chip("error-muted", "red"), chip_plain=f"bold {fg}",
    )


def role_style(pal: Palette, role: str) -> str:
    """The style of a role ("good", "warn", "bad", "info", "accent"; "muted" is dim)."""
    if role == "muted":
        return pal.muted
    return getattr(pal, role, "") if role in ("good", "warn", "bad", "info", "accent") else ""


# A coverage cell's status and the role its chip takes.
STATUS_ROLE = {"empty": "bad", "thin": "warn", "ok": "good"}


def follow_theme(widget, redraw: Callable[[], None]) -> None:
    """Call ``redraw`` whenever the app's theme changes (while ``widget`` is mounted)."""
    try:
        widget.app.theme_changed_signal.subscribe(widget, lambda _theme: redraw())
    except Exception:  # noqa: BLE001 - no app (a unit test): nothing to follow
        pass
