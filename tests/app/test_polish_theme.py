"""The theme's colours everywhere: panes drawn as Rich text take the running theme's
variables (and follow a change of theme), no fixed colour names in the app's code, and
the theme chosen is the next start's theme."""

from __future__ import annotations

import re
from pathlib import Path

from textual.widgets import Static

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.views.calendar import CalendarView
from tui.app.views.insights import CoverageMap

APP_SOURCE = Path(__file__).resolve().parents[2] / "tui" / "app"
COLOUR_NAME = re.compile(
    r"""style\s*=\s*f?["'][^"']*\b(red|green|yellow|blue|cyan|magenta|white|black|grey\d*|gray\d*|dark_red|"""
    r"""dodger_blue\d|orange\d*)\b""")


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


def hex_colours(strip) -> set[str]:
    out = set()
    for seg in strip:
        for colour in (seg.style.color, seg.style.bgcolor) if seg.style else ():
            if colour is not None and colour.triplet is not None:
                out.add(colour.triplet.hex)
    return out


def spans_have(text, colour: str) -> bool:
    """Does some span of a rendered text use ``colour`` (#rrggbb), however it is written?"""
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    forms = (colour.lower(), f"rgb({r},{g},{b})", f"rgb({r}, {g}, {b})")
    return any(any(f in str(s.style).lower().replace(" ,", ",") for f in forms) for s in text.spans)


def test_no_fixed_colour_names_in_the_apps_code():
    offenders = []
    for path in sorted(APP_SOURCE.rglob("*.py")):
        if path.name == "palette.py":  # the plain fallback palette for callers without an app
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if COLOUR_NAME.search(line):
                offenders.append(f"{path.relative_to(APP_SOURCE)}:{n}: {line.strip()}")
    assert not offenders, "colour names instead of the theme's palette:\n" + "\n".join(offenders)


async def test_rich_drawn_panes_take_the_light_themes_colours_and_follow_a_change(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        grid = app.query_one(CoverageMap)
        await wait_for(pilot, lambda: grid.insights is not None, what="the coverage")
        for theme in ("textual-light", "textual-dark", "textual-light"):
            app.theme = theme
            await settle(pilot, 2)
            v = {k: str(x).lower() for k, x in app.get_css_variables().items()}
            row = grid.insights.personas.index(("it-lead", "Ingrid, IT Lead")) + 1
            assert v["error-muted"] in hex_colours(grid.render_line(row)), theme  # the empty cell's tint
            legend = app.query_one("#coverage-title", Static).render()
            assert spans_have(legend, v["error-muted"]), theme
            stage = app.query_one("#stage-line", Static).render()
            assert spans_have(stage, v["text-error"]), theme  # the ✗ marks
        # the calendar: a drafting item in the theme's readable warning colour
        await pilot.press("5", "v")
        await settle(pilot, 2)
        cal = app.query_one(CalendarView)
        drafting = [e for e in app.plan.all("content") if e.data.get("status") == "drafting"]
        assert drafting
        cal._goto(drafting[0].data["publish_date"])
        await settle(pilot)
        text = cal.render()
        v = {k: str(x).lower() for k, x in app.get_css_variables().items()}
        assert spans_have(text, v["text-warning"])


async def test_the_theme_chosen_is_the_next_starts_theme(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        app.theme = "textual-light"
        await settle(pilot)
    again = make_app(plan_dir)
    async with again.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert again.theme == "textual-light"
