"""Cross-file rules as you type: pickers offer only what the plan's rules allow (an
owner of the sales team, existing ids, the plan's journey stages), and the form shows a
rule's problem (checked on a fork of the plan holding the form's values) before Apply."""

from __future__ import annotations

from textual.widgets import SelectionList, Static

from tests.app.helpers import TODAY, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.form import FormScreen
from tui.app.widgets import Picker, PickerScreen

SIZE = (120, 40)


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def open_form(pilot, kind, entity_id, field=None) -> FormScreen:
    app = pilot.app
    app.main.edit_entity(kind, entity_id, field)
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
    await settle(pilot)
    return app.screen


def teams(app) -> dict[str, str]:
    return {m.id: m.data.get("team") for m in app.plan.all("member")}


async def test_sales_owner_picker_offers_no_marketing_member(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "account", "harbor-hvac", "sales_owner")
        team = teams(app)
        for field, wanted in (("sales_owner", "sales"), ("marketing_owner", "marketing")):
            picker = form.query_one(f"#f-{field}", Picker)
            offered = [v for _label, v in picker.options]
            assert offered, f"{field}: nothing offered"
            assert all(team[v] == wanted for v in offered), f"{field} offers {[team[v] for v in offered]}"
            assert any(t == "marketing" for t in team.values()) and any(t == "sales" for t in team.values())
        # what the user sees: the value on the line, and the list when it opens
        assert "Tom Becker (tom-becker)" in form.query_one("#f-sales_owner", Picker).render_line(0).text
        assert form.focused is form.query_one("#f-sales_owner", Picker)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, PickerScreen), what="the list of choices")
        shown = app.screen.labels
        marketing_names = [m.data["name"] for m in app.plan.all("member") if m.data.get("team") == "marketing"]
        assert not any(name in label for label in shown for name in marketing_names)
        assert any("Tom Becker" in label for label in shown)
        await pilot.press(*"luis", "enter")  # type to narrow, Enter picks
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        assert form.query_one("#f-sales_owner", Picker).value == "luis-romero"


async def test_reference_pickers_offer_existing_ids_and_the_plans_stages(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "content", app.plan.all("content")[0].id)
        stage = form.query_one("#f-stage", Picker)
        assert [v for _l, v in stage.options] == app.plan.stages
        personas = form.query_one("#f-personas", SelectionList)
        offered = {personas.get_option_at_index(n).value for n in range(personas.option_count)}
        assert offered == {p.id for p in app.plan.all("persona")}


async def test_a_rule_problem_shows_before_apply(plan_dir):
    """A shared goal left with sales owners only: the rule goal.shared-owners shows on
    the field and in the form's list of rule problems, with nothing applied yet."""
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "goal", "grow-pipeline", "owners")
        rules = form.query_one("#form-rules", Static)
        owners = form.query_one("#f-owners", SelectionList)
        owners.deselect("mei-lin")  # the one marketing owner
        await wait_for(pilot, lambda: "no marketing owner" in str(rules.render()), what="the rule's problem")
        assert rules.display
        box = form.query_one("#box-f-owners")
        assert box.has_class("-invalid") and "no marketing owner" in str(box.query_one(".field-error").render())
        assert app.screen is form and not app.session.dirty, "shown before Apply"
        owners.select("mei-lin")
        await wait_for(pilot, lambda: "no marketing owner" not in str(rules.render()), what="the problem to go")
        assert not box.has_class("-invalid")


async def test_a_wrong_team_owner_already_in_the_file_is_marked(plan_dir):
    text = (plan_dir / "accounts.toml").read_text()
    (plan_dir / "accounts.toml").write_text(text.replace('sales_owner = "tom-becker"\nmarketing_owner = "sam-oduya"',
                                                         'sales_owner = "mei-lin"\nmarketing_owner = "sam-oduya"', 1))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "account", "harbor-hvac")
        picker = form.query_one("#f-sales_owner", Picker)
        assert picker.value == "mei-lin" and "not allowed here" in picker._label()
        box = form.query_one("#box-f-sales_owner")
        await wait_for(pilot, lambda: "sales team" in str(box.query_one(".field-error").render()), what="the rule")
        assert box.has_class("-invalid") and box.has_class("-rule")
        # a rule's problem is shown, not a lock: another field can still be applied
        form.query_one("#f-name").value = "Harbor HVAC"
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen) and not app.busy, what="the edit")
        assert app.plan.get("account", "harbor-hvac").data["name"] == "Harbor HVAC"
