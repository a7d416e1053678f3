"""What made forms slow to open, kept out (not a timed test: the benchmark measures
time).  The first frame of a form holds only its first fields and no footer; building a
control does not restyle it before it is mounted; a form gets no width/height classes
(setting them restyled all of it again); and the screen hidden under an opaque form is
not laid out again when the form opens."""

from __future__ import annotations

from textual.widgets import Footer, Input

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs import form as form_module
from tui.app.dialogs.form import FormScreen
from tui.app.screens.main import MainScreen
from tui.app.widgets.compact import COMPACT


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def test_a_forms_first_frame_is_its_first_fields_and_the_rest_follow(plan_dir, monkeypatch):
    app = make_app(plan_dir)
    first: dict = {}
    display = app._display

    def spy(screen, renderable):
        display(screen, renderable)
        if isinstance(screen, FormScreen) and renderable is not None and not first:
            first["boxes"] = len(screen.query(".field"))
            first["footer"] = bool(screen.query(Footer))
            first["errors"] = len(screen.query(".field > .field-error"))

    monkeypatch.setattr(app, "_display", spy)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        main = app.screen
        layouts = []
        monkeypatch.setattr(main, "_screen_resized", lambda size: layouts.append(size))
        app.main.edit_entity("account", "harbor-hvac")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
        await settle(pilot)
        form = app.screen
        assert first == {"boxes": form_module.first_count(form.specs), "footer": False, "errors": 0}
        assert first["boxes"] == form_module.FIRST_FIELDS  # name, domain, tier, ICP fit: none heavy
        assert len(form.query(".field")) == len(form.specs) > form_module.FIRST_FIELDS
        assert form.query(Footer), "the footer comes right after the first frame"
        assert not layouts, "the screen under the opaque form was laid out again"
        assert not ({"-narrow", "-wide", "-short", "-tall"} & set(form.classes))
        assert isinstance(main, MainScreen) and {"-wide", "-tall"} <= set(main.classes)


async def test_controls_are_not_restyled_before_they_are_mounted(plan_dir, monkeypatch):
    app = make_app(plan_dir)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        restyled = []
        update = app.stylesheet.update_nodes

        def spy(nodes, animate=False):
            nodes = list(nodes)
            restyled.extend(type(n).__name__ for n in nodes if not n.is_attached)
            update(nodes, animate)

        monkeypatch.setattr(app.stylesheet, "update_nodes", spy)
        app.main.edit_entity("account", "harbor-hvac")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
        await settle(pilot)
        assert restyled == [], f"restyled before mounting: {sorted(set(restyled))}"
        name = app.screen.query_one("#f-name", Input)
        assert name.compact and COMPACT in name.classes and name.styles.border_top[0] == ""


def test_a_text_area_or_a_table_counts_as_two_fields_in_the_first_frame():
    from tui.app.formspec import FieldSpec

    def specs(*controls):
        return [FieldSpec((f"k{n}",), "T", "", False, c) for n, c in enumerate(controls)]

    assert form_module.first_count(specs("text", "text", "enum", "integer", "text")) == 4
    assert form_module.first_count(specs("text", "long_text", "ref", "refs")) == 3
    assert form_module.first_count(specs("children", "long_text", "text")) == 2
    assert form_module.first_count(specs("long_text", "tables", "tables")) == 2
    assert form_module.first_count(specs("text", "text", "text", "tables")) == 3
    assert form_module.first_count(specs("text")) == 1
