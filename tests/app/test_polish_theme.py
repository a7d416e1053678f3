"""The theme's colours everywhere: panes drawn as Rich text take the running theme's
variables (and follow a change of theme), no fixed colour names in the app's code, and
the theme chosen is the next start's theme."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from rich.color import ANSI_COLOR_NAMES
from textual.color import COLOR_NAME_TO_RGB

from textual.widgets import Static

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.views.calendar import CalendarView
from tui.app.views.insights import CoverageMap

APP_SOURCE = Path(__file__).resolve().parents[2] / "tui" / "app"

# Every colour Rich or Textual knows by name ("transparent" and "default" are not colours
# of their own: they let the theme's show through).
COLOUR_NAMES = (set(ANSI_COLOR_NAMES) | set(COLOR_NAME_TO_RGB)) - {"transparent", "default"}
STYLE_WORDS = {"bold", "dim", "italic", "underline", "underline2", "reverse", "strike", "blink", "blink2",
               "conceal", "frame", "encircle", "overline", "not", "on", "b", "i", "u", "s", "d", "r"}
FIXED_COLOUR = re.compile(r"#[0-9a-fA-F]{6}|rgb\(|color\(\d")
MARKUP_TAG = re.compile(r"\[/?([^\[\]]+)\]")
CSS_COLOUR = re.compile(r"\b(?:color|background(?:-tint)?|tint|border(?:-[a-z]+)?|outline(?:-[a-z]+)?|"
                        r"scrollbar-[a-z-]+|link-[a-z-]+|text-[a-z-]*color)\s*:\s*([^;}\n]+)")


def _is_colour(token: str) -> bool:
    token = token.lower()
    return token in COLOUR_NAMES or bool(FIXED_COLOUR.match(token))


def _fixed_style(text: str) -> bool:
    """Is ``text`` a Rich/Textual style ("red", "bold yellow on black") naming a colour?"""
    tokens = text.split()
    return bool(tokens) and all(t.lower() in STYLE_WORDS or _is_colour(t) for t in tokens) \
        and any(_is_colour(t) for t in tokens)


def _offence(text: str) -> str:
    """Why a string of the app's code names a fixed colour ('' when it does not): the
    string is a style naming one, or holds a markup tag or a CSS declaration naming one.
    Words in prose ("a red flag", "Greenfield") are not styles."""
    if _fixed_style(text):
        return f"the style {text.strip()!r}"
    for tag in MARKUP_TAG.finditer(text):
        if _fixed_style(tag.group(1)):
            return f"the markup tag {tag.group(0)!r}"
    for decl in CSS_COLOUR.finditer(text):
        if any(_is_colour(t) for t in decl.group(1).split() if not t.startswith("$")):
            return f"the CSS {decl.group(0).strip()!r}"
    return ""


def colour_offences(source: str) -> list[tuple[int, str]]:
    """(line, why) of every string literal in ``source`` that names a fixed colour, in
    whatever place it is passed as a style: a positional argument, a keyword, a dict
    value, a default, a markup tag, a CSS rule, a piece of an f-string."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            why = _offence(node.value)
            if why:
                out.append((node.lineno, why))
    return sorted(set(out))


def test_the_colour_check_catches_every_form_and_spares_words():
    caught = {
        'self._say("Saved.", "green")': 1,
        'out.append(text, "bold red")': 1,
        'STYLES = {"on_track": "green", "at_risk": "yellow"}': 2,
        'Text("x", style="" if ok else "red")': 1,
        'line.append(x, style=f"bold magenta {extra}")': 1,
        'label.update("[bold red]failed[/] and [green]ok[/green]")': 1,
        'CSS = "Foo { color: red; background: $boost; border: tall dark_orange; }"': 1,
        'def say(text, style="yellow on black"): pass': 1,
        'Style(color="#ff0000")': 1,
        'Style(color="rgb(10,20,30)")': 1,
    }
    for code, n in caught.items():
        assert len(colour_offences(code)) == n, code
    spared = [
        '"""The bar is blue, like the clock; a red flag in prose."""',
        'text.append("Greenfield accounts", style=f"bold {pal.bad}")',
        'self._say("Red team notes", "bad")',
        'STATUS_ROLES = {"on_track": "good", "off_track": "bad"}',
        'CSS = "Foo { color: $text-error; background: transparent; border: tall $primary; }"',
        'query_one("#add")',
        'Text("[plan] is missing", style="dim")',
        'Content.from_markup("[$error]failed[/]")',
    ]
    for code in spared:
        assert colour_offences(code) == [], code


def test_no_fixed_colour_names_in_the_apps_code():
    offenders = []
    for path in sorted(APP_SOURCE.rglob("*.py")):
        if path.name == "palette.py":  # the plain fallback palette for callers without an app
            continue
        for n, why in colour_offences(path.read_text(encoding="utf-8")):
            offenders.append(f"{path.relative_to(APP_SOURCE)}:{n}: {why}")
    assert not offenders, "colour names instead of the theme's palette:\n" + "\n".join(offenders)


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
