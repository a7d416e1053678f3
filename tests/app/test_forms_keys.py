"""The keys of a form, as a user at a terminal (tmux, ssh) presses them: a key after
opening adds to the first field, Esc on a changed form asks, Enter in a one-line field
applies, the apply key the buttons and footer name is one that reaches the app
(ctrl+j; ctrl+enter arrives as a plain Enter through tmux), and work that takes a while
shows a loading indicator without blocking the keys."""

from __future__ import annotations

from textual.widgets import Button, Footer, Input

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs import form as form_module
from tui.app.dialogs.choice import ChoiceScreen
from tui.app.dialogs.form import FormScreen
from tui.plan.model import load_plan

SIZE = (120, 40)


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def open_account_form(pilot) -> FormScreen:
    """Accounts view, first row, e: the form as a user opens it."""
    app = pilot.app
    await pilot.press("4")
    await settle(pilot)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the form")
    return app.screen


async def test_second_key_after_opening_adds_to_the_first_field(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        first = form.focused
        assert isinstance(first, Input) and first.id == "f-name"
        before = first.value
        assert before, "the first field holds the account's name"
        await pilot.press("X", "y")  # typed at once, while the form may still be mounting fields
        await settle(pilot)
        assert first.value == before + "Xy", "the keys replaced the value instead of adding to it"
        assert first.selection.is_empty


async def test_escape_on_a_changed_form_asks_before_discarding(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        await wait_for(pilot, lambda: form.loaded, what="every field")
        name = form.query_one("#f-name", Input)
        await pilot.press("Z")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen), "Esc closed a changed form without asking"
        await pilot.press("k")  # keep editing
        await settle(pilot)
        assert app.screen is form and name.value.endswith("Z")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ChoiceScreen)
        await pilot.press("d")  # discard
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ChoiceScreen))
        assert not app.session.dirty
        entity_id = form.entity.id
        assert app.plan.get("account", entity_id).data["name"] == load_plan(plan_dir).get("account", entity_id).data["name"]


async def test_escape_on_an_unchanged_form_closes_at_once(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        await wait_for(pilot, lambda: form.loaded, what="every field")
        await pilot.press("escape")
        await settle(pilot)
        assert not isinstance(app.screen, (FormScreen, ChoiceScreen))


async def test_enter_in_a_one_line_field_applies_the_form(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        await wait_for(pilot, lambda: form.loaded, what="every field")
        entity_id = form.entity.id
        before = form.query_one("#f-name", Input).value
        await pilot.press(*" Inc")
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen) and not app.busy, what="the edit")
        assert app.plan.get("account", entity_id).data["name"] == before + " Inc"
        assert app.session.dirty


async def test_the_apply_key_shown_is_one_that_reaches_the_app(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        await wait_for(pilot, lambda: form.loaded, what="every field")
        labels = [str(b.label) for b in form.query(Button)]
        assert "Apply (ctrl+j)" in labels and not any("ctrl+enter" in label for label in labels)
        def footer_text() -> str:
            return " ".join(str(w.render()) for w in form.query_one(Footer).query("FooterKey") if w.display)

        await wait_for(pilot, lambda: "^j" in footer_text(), what="the footer's apply key")
        footer_text = footer_text()
        assert "Apply" in footer_text
        assert "enter" not in footer_text.replace("^j", "")
        # ctrl+j itself applies
        await pilot.press(*"!")
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen) and not app.busy, what="the edit")
        assert app.plan.get("account", form.entity.id).data["name"].endswith("!")


async def test_form_shows_life_while_fields_are_still_mounting(plan_dir, monkeypatch):
    """The first frame holds the first fields and a loading line; Apply waits for the rest."""

    async def never(self):  # hold the form at its first frame
        return None

    monkeypatch.setattr(form_module.FieldsForm, "_mount_more", never)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        await settle(pilot)
        assert not form.loaded
        assert form.query("#form-loading"), "no sign of life while fields are missing"
        assert len(form.query(".field")) == form_module.FIRST_FIELDS
        await pilot.press("ctrl+j")  # not applied half-built
        await settle(pilot)
        assert app.screen is form and not app.session.dirty


async def test_a_slow_apply_shows_a_loading_indicator_and_keys_still_work(plan_dir, monkeypatch):
    app = make_app(plan_dir)
    held = []
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        monkeypatch.setattr(app, "request_set_fields", lambda kind, eid, changes, done, save=False: held.append(done))
        form = await open_account_form(pilot)
        await wait_for(pilot, lambda: form.loaded, what="every field")
        busy = form.query_one("#form-busy")
        await pilot.press("Q", "ctrl+j")
        await pilot.pause(form_module.BUSY_AFTER + 0.2)
        assert held and form.busy
        assert busy.has_class("-shown") and busy.display, "no loading indicator for a slow apply"
        await pilot.press("tab")  # the app still takes keys while it works
        await settle(pilot)
        assert form.focused is not form.query_one("#f-name", Input)
        held[0](None)  # the edit is staged
        await settle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert not busy.has_class("-shown")


async def test_the_form_footer_sets_its_keys_again_and_never_composes_them_again(plan_dir, monkeypatch):
    """Textual's footer composes its keys again when they change, removing the old ones
    from a callback the screen runs after a refresh (that removal once hung a screen for
    good).  Every footer of the app reuses its key widgets instead: the form's too."""
    from tui.app.footer import SteadyFooter

    composed = []
    real = SteadyFooter.recompose

    async def counted(self):
        composed.append(self)
        await real(self)

    monkeypatch.setattr(SteadyFooter, "recompose", counted)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_account_form(pilot)
        await wait_for(pilot, lambda: form.loaded, what="every field")
        footer = form.query_one(Footer)
        assert isinstance(footer, SteadyFooter)
        for _ in range(6):  # through fields of other kinds: their keys differ
            await pilot.press("tab")
            await settle(pilot)
        assert any(k.display for k in footer.query("FooterKey"))
        assert not composed


async def test_a_form_is_styled_once_before_its_first_frame_and_only_a_field_takes_the_focus(plan_dir, monkeypatch):
    """Mounting styles each widget of a form; the whole form was styled again when it first
    showed, and once more for its fields' container taking the focus before the first
    field did (30 ms of a 100 ms first frame).  A later resume restyles as Textual does."""
    from textual import events
    from textual.containers import VerticalScroll
    from textual.dom import DOMNode

    restyled = []
    real = DOMNode.update_node_styles

    def spy(self, animate: bool = True) -> None:
        if isinstance(self, (FormScreen, VerticalScroll)):
            restyled.append(type(self).__name__)
        real(self, animate)

    monkeypatch.setattr(DOMNode, "update_node_styles", spy)
    focused = []
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        restyled.clear()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
        await settle(pilot)
        form = app.screen
        focused.append(form.focused)
        assert restyled == [], f"restyled before the first frame: {restyled}"
        assert isinstance(form.focused, Input) and form.focused.id == "f-name"
        form.query_one("#f-name", Input).value += " changed"
        await pilot.press("escape")  # asks first: a dialog over the form
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the question")
        await pilot.press("escape")  # keep editing: the form shows again
        await wait_for(pilot, lambda: app.screen is form, what="the form again")
        await settle(pilot)
        assert form.focused is not None and form.focused.id == "f-name"
        restyled.clear()
        form.post_message(events.ScreenResume())  # a resume that asks for styles gets them
        await settle(pilot)
        assert "FormScreen" in restyled


async def test_the_first_form_finds_its_styles_parsed(plan_dir, monkeypatch):
    """Textual parses the stylesheet again when the first widget of a class is mounted;
    the app has the forms' classes parsed after its first check, while the user reads,
    so the first form's first frame does not (10 to 20 ms of it)."""
    from textual.css.stylesheet import Stylesheet

    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await wait_for(pilot, lambda: not any(w.group == "warm-up" for w in app.workers), what="the warm-up")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        parsed = []
        sources = set(app.stylesheet.source)
        real = Stylesheet.parse
        monkeypatch.setattr(Stylesheet, "parse", lambda self: parsed.append(1) or real(self))
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
        await settle(pilot)
        assert parsed == [], sorted(k[1] for k in set(app.stylesheet.source) - sources)
