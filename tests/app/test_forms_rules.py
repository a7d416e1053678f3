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


# -- the rules of one entity, as the form would leave it (plain pytest, no app) ---------------


def _whole_plan_findings(plan, schemas):
    """The reference and rule problems of the whole plan, by entity: what `check` says."""
    from tui.plan.validation import locators_for, reference_problems, rule_problems

    locators = locators_for(plan)
    found = reference_problems(plan, schemas, locators) + rule_problems(plan, locators)
    by_entity: dict = {}
    for p in found:
        by_entity.setdefault((p.kind, p.entity), []).append(p)
    return by_entity


def _seen(problems):
    # a retired name is placed on the word by `check` and on its value by the form
    return sorted((p.severity, p.code, p.message, p.field, p.file) + ((p.line,) if p.code != "glossary.retired-name" else ())
                  for p in problems)


def test_the_rules_of_one_entity_are_those_the_whole_plan_check_finds_for_it(plan_dir):
    from tui.app.formspec import rule_findings
    from tui.plan.model import load_plan
    from tui.plan.registry import KINDS
    from tui.plan.schema import load_schemas

    accounts = plan_dir / "accounts.toml"
    text = accounts.read_text()
    # problems of several rules, in more than one entity: a wrong-team owner, an unknown
    # member, a retired name (and the coverage gaps the example has)
    text = text.replace('sales_owner = "tom-becker"', 'sales_owner = "mei-lin"', 1)
    text = text.replace('marketing_owner = "sam-oduya"', 'marketing_owner = "nobody-here"', 2)
    accounts.write_text(text)
    plan = load_plan(plan_dir)
    schemas = load_schemas()
    whole = _whole_plan_findings(plan, schemas)
    assert len(whole) >= 3 and {p.code for ps in whole.values() for p in ps} >= {
        "owner.team", "ref.unknown", "glossary.retired-name"}
    checked = 0
    for kind_name, entities in plan.entities.items():
        for e in entities:
            mine = rule_findings(plan, schemas, KINDS[kind_name], e.id, e.data)
            assert _seen(mine) == _seen(whole.get((kind_name, e.id), [])), (kind_name, e.id)
            checked += 1
    assert checked > 50


def test_the_form_checks_the_references_and_names_it_holds_not_those_of_the_file(plan_dir):
    """What is typed is what is checked: an unknown member and a retired name in the
    form's values are found before Apply, though the file holds neither."""
    from tui.app.formspec import rule_findings
    from tui.plan.model import load_plan
    from tui.plan.registry import KINDS
    from tui.plan.schema import load_schemas

    plan = load_plan(plan_dir)
    schemas = load_schemas()
    e = plan.get("account", "harbor-hvac")
    before = {(p.code, p.field) for p in rule_findings(plan, schemas, KINDS["account"], e.id, e.data)}
    typed = dict(e.data, sales_owner="nobody-at-all", notes="Still on RouteDesk until the renewal")
    after = {(p.code, p.field) for p in rule_findings(plan, schemas, KINDS["account"], e.id, typed)}
    assert after - before == {("ref.unknown", "sales_owner"), ("glossary.retired-name", "notes")}
    # and a new entity, in no file yet
    new = dict(e.data, id="fresh-account", name="Fresh", marketing_owner="tom-becker")  # a sales member
    found = {(p.code, p.field) for p in rule_findings(plan, schemas, KINDS["account"], None, new)}
    assert ("owner.team", "marketing_owner") in found


def test_the_rules_of_one_entity_do_not_walk_the_whole_plan(plan_dir, monkeypatch):
    """A form on a plan of 10,000 accounts checks its rules after every change: the walk
    of every reference and the scan of every file for retired names are not done for it."""
    from tui.app.formspec import rule_findings
    from tui.plan import refs, validation
    from tui.plan.model import load_plan
    from tui.plan.registry import KINDS
    from tui.plan.schema import load_schemas

    plan = load_plan(plan_dir)
    schemas = load_schemas()

    def whole_walk(*_a, **_k):
        raise AssertionError("the whole plan was walked")

    monkeypatch.setattr(refs, "iter_references", whole_walk)
    monkeypatch.setattr(validation, "iter_references", whole_walk)
    monkeypatch.setattr(validation, "_retired_candidates", whole_walk)
    e = plan.get("account", "harbor-hvac")
    found = rule_findings(plan, schemas, KINDS["account"], e.id, dict(e.data, notes="RouteDesk"))
    assert ("glossary.retired-name", "notes") in {(p.code, p.field) for p in found}
