"""Editing through the app: forms for every kind, add, duplicate, rename, delete,
undo/redo, and what reaches the disk on save."""

from __future__ import annotations

import datetime as dt

import pytest
from textual.widgets import Input, Select, SelectionList, Switch, TextArea

from tests.app.helpers import TODAY, changed_old_lines, idle, ready, settle, snapshot_files, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.form import FormScreen
from tui.app.dialogs.choice import ChoiceScreen
from tui.app.dialogs.new_id import NewIdScreen
from tui.app.widgets import Picker, RowsEditor
from tui.plan.model import load_plan
from tui.plan.registry import KINDS

SIZE = (120, 40)


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


def fill(form: FormScreen, field: str, value) -> None:
    spec = form._spec_for(field)
    assert spec is not None, f"the form has no field {field}"
    widget = form.query_one(f"#{spec.dom_id}")
    if isinstance(widget, (Select, Picker)):
        widget.value = value
    elif isinstance(widget, Switch):
        widget.value = value
    elif isinstance(widget, TextArea):
        widget.text = value
    elif isinstance(widget, SelectionList):
        widget.deselect_all()
        for v in value:
            widget.select(v)
    else:
        assert isinstance(widget, Input)
        widget.value = value


async def open_form(pilot, kind: str, entity_id: str) -> FormScreen:
    pilot.app.main.edit_entity(kind, entity_id)
    await settle(pilot)
    assert isinstance(pilot.app.screen, FormScreen)
    await wait_for(pilot, lambda: pilot.app.screen.loaded, what="every field of the form")
    return pilot.app.screen


def first_pain(plan_dir) -> str:
    return load_plan(plan_dir).get("persona", "ops-director").data["pains"][0]


# (kind, id, field, text or value put in the control, value expected in the plan)
EDITS = [
    ("plan", "plan", "team", "Joint revenue team", "Joint revenue team"),
    ("member", "luis-romero", "role", "Senior Account Executive", "Senior Account Executive"),
    ("sla", "sla", "follow_up_hours", "12", 12),
    ("lead_scoring", "lead_scoring", "threshold", "65", 65),
    ("rule", "fit-icp-industry", "points", "18", 18),
    ("meeting", "pipeline-sync", "cadence", "biweekly", "biweekly"),
    ("responsibility", "mql-delivery", "owner", "rita-alvarez", "rita-alvarez"),
    ("goal", "win-enterprise", "status", "on_track", "on_track"),
    ("key_result", "grow-pipeline/sourced-pipeline", "actual", "2200000", 2200000),
    ("account", "harbor-hvac", "tier", 2, 2),
    ("content", "benchmark-launch-email", "publish_date", "2026-10-05", dt.date(2026, 10, 5)),
    ("term", "lead", "aliases", "prospect\nraw lead\nnew name", ["prospect", "raw lead", "new name"]),
]


GROUPS = {
    "plan-toml": [e for e in EDITS if KINDS[e[0]].file == "plan.toml"],
    "other-files": [e for e in EDITS if KINDS[e[0]].file != "plan.toml"],
}


@pytest.mark.parametrize("group", GROUPS)
async def test_edit_a_field_of_each_kind_then_save(plan_dir, group):
    """One form edit per kind of entity; the save changes only the edited values' lines."""
    EDITS = GROUPS[group]  # noqa: N806 - the group's share of the edits
    before_plan = load_plan(plan_dir)
    old = {name: (plan_dir / name).read_text() for name in before_plan.files}
    allowed: dict[str, set[int]] = {}
    for kind, entity_id, field, _typed, _expected in EDITS:
        entity = before_plan.get(kind, entity_id)
        loc = before_plan.files[entity.file].index.keys[entity.path + (field,)]
        allowed.setdefault(entity.file, set()).update(range(loc.line, loc.end_line + 1))
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for kind, entity_id, field, typed, expected in EDITS:
            form = await open_form(pilot, kind, entity_id)
            fill(form, field, typed)
            await pilot.press("ctrl+j")
            await idle(pilot)
            assert not isinstance(app.screen, FormScreen), f"{kind}: the form stayed open"
            assert app.plan.get(kind, entity_id).data[field] == expected, kind
            assert KINDS[kind].file in app.session.dirty_files
        assert "unsaved" in app.sub_title
        for name, text in old.items():
            assert (plan_dir / name).read_text() == text, "staged edits must not touch the disk"
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert app.session.dirty_files == []
        assert "unsaved" not in app.sub_title
    after = load_plan(plan_dir)
    for kind, entity_id, field, _typed, expected in EDITS:
        assert after.get(kind, entity_id).data[field] == expected, kind
    for name, text in old.items():
        touched = changed_old_lines(text, (plan_dir / name).read_text())
        assert touched <= allowed.get(name, set()), \
            f"{name}: the save changed lines {sorted(touched - allowed.get(name, set()))} outside the edited values"
        assert bool(touched) == (name in allowed)
    assert not (plan_dir / ".quarterdeck-recovery.json").exists()


async def test_persona_list_field_edit_changes_only_that_line(plan_dir):
    old = (plan_dir / "personas.toml").read_text()
    pains = load_plan(plan_dir).get("persona", "ops-director").data["pains"]
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "persona", "ops-director")
        area = form.query_one("#f-pains", TextArea)
        area.text = "\n".join(["Overtime eats the margin"] + pains[1:])
        await pilot.press("ctrl+s")  # apply and save at once
        await idle(pilot)
        assert app.session.dirty_files == []
    new = (plan_dir / "personas.toml").read_text()
    assert len(changed_old_lines(old, new)) == 1
    assert '  "Overtime eats the margin",' in new


async def test_typing_into_a_field_marks_invalid_input_at_once(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "content", "benchmark-launch-email")
        date_input = form.query_one("#f-publish_date", Input)
        date_input.focus()
        date_input.value = ""
        await pilot.press(*"2026-13-01")
        await settle(pilot)
        box = form.query_one("#box-f-publish_date")
        assert box.has_class("-invalid")
        assert "not a day of the calendar" in str(box.query_one(".field-error").render())
        domain = None
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen), "an invalid form is not applied"
        assert "Fix the 1 marked field" in str(form.query_one("#form-error").render())
        date_input.value = "2026-10-03"
        await settle(pilot)
        assert not box.has_class("-invalid")
        # a bad URL is refused with the reason, a required field cannot be emptied
        fill(form, "url", "not a url")
        fill(form, "title", "")
        await settle(pilot)
        assert form.query_one("#box-f-url").has_class("-invalid")
        assert "required" in str(form.query_one("#box-f-title .field-error").render())
        await pilot.press("escape")
        await settle(pilot)
        assert domain is None and not app.session.dirty


async def test_form_is_driven_by_the_schema(plan_dir):
    """Every property of the schema has a field, in schema order; no kind-specific code."""
    from tui.plan.schema import load_schemas

    schemas = load_schemas()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "account", "harbor-hvac")
        node, _ = schemas.subschema("accounts.schema.json", ("account", 0))
        expected = [k for k in node["properties"] if k != "id"]
        assert [s.key for s in form.specs] == expected
        controls = {s.key: type(form.query_one(f"#{s.dom_id}")).__name__ for s in form.specs}
        assert controls["tier"] == "Picker" and controls["stage"] == "Picker"
        assert controls["sales_owner"] == "Picker"  # a picker of members by name
        assert controls["plays"] == "TextArea" and controls["next_step_due"] == "Input"
        assert controls["committee"] == "RowsEditor"
        owner = form.query_one("#f-sales_owner", Picker)
        prompts = [str(p) for p, _v in owner.options]
        assert any("Tom Becker (tom-becker)" in p for p in prompts)
        help_text = str(form.query_one("#box-f-icp_fit .field-help").render())
        assert "ideal customer profile" in help_text
        await pilot.press("escape")


async def test_add_an_account_through_the_small_form(plan_dir):
    old = (plan_dir / "accounts.toml").read_text()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen) and form.adding
        assert {s.key for s in form.specs} == {"name", "domain", "tier", "stage", "sales_owner", "marketing_owner",
                                               "committee"}
        form.query_one("#new-id", Input).value = "Bad Id"
        await settle(pilot)
        assert form.query_one("#box-new-id").has_class("-invalid")
        form.query_one("#new-id", Input).value = "harbor-hvac"
        await settle(pilot)
        assert "already exists" in str(form.query_one("#box-new-id .field-error").render())
        form.query_one("#new-id", Input).value = "gulf-coast-hvac"
        fill(form, "name", "Gulf Coast HVAC")
        fill(form, "domain", "gulfcoasthvac.example")
        fill(form, "tier", 2)
        fill(form, "stage", "target")
        fill(form, "sales_owner", "luis-romero")
        fill(form, "marketing_owner", "aisha-khan")
        await pilot.press("ctrl+j")
        await idle(pilot)
        added = app.plan.find("account", "gulf-coast-hvac")
        assert added is not None and added.data["tier"] == 2
        table = app.query_one("#table-account")
        assert table.current_id == "gulf-coast-hvac"
        await pilot.press("ctrl+s")
        await idle(pilot)
    new = (plan_dir / "accounts.toml").read_text()
    assert len(changed_old_lines(old, new)) == 1  # one insertion point, no old line touched
    assert new.startswith(old.rstrip("\n"))
    assert 'id = "gulf-coast-hvac"' in new


async def test_add_a_key_result_asks_for_its_goal(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("2")
        await settle(pilot)
        app.main.add_entity_flow("key_result")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#parent", Picker).value = "win-enterprise"
        form.query_one("#new-id", Input).value = "pilot-wins"
        fill(form, "title", "Pilots that convert")
        fill(form, "metric", "Pilots signed")
        fill(form, "unit", "count")
        fill(form, "target", "4")
        fill(form, "direction", "increase")
        await pilot.press("ctrl+j")
        await idle(pilot)
        kr = app.plan.find("key_result", "win-enterprise/pilot-wins")
        assert kr is not None and kr.data["target"] == 4


async def test_duplicate_gives_a_fresh_id(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert app.query_one("#table-account").current_id == "harbor-hvac"
        await pilot.press("c")
        await idle(pilot)
        copy = app.plan.find("account", "harbor-hvac-copy")
        original = app.plan.find("account", "harbor-hvac")
        assert copy is not None
        assert {k: v for k, v in copy.data.items() if k != "id"} == {k: v for k, v in original.data.items() if k != "id"}
        app.main.duplicate_entity("account", "harbor-hvac")
        await idle(pilot)
        assert app.plan.find("account", "harbor-hvac-copy-2") is not None


async def test_rename_an_id_and_references_follow(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        before = load_plan(plan_dir)
        owned = [a.id for a in before.all("account") if a.data.get("sales_owner") == "tom-becker"]
        assert owned
        await app.main.goto_entity("member", "tom-becker")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, NewIdScreen)
        field = app.screen.query_one(Input)
        field.value = ""
        await pilot.press(*"thomas-becker", "enter")
        await idle(pilot)
        plan = app.plan
        assert plan.find("member", "tom-becker") is None and plan.find("member", "thomas-becker") is not None
        for account_id in owned:
            assert plan.get("account", account_id).data["sales_owner"] == "thomas-becker"
        assert set(app.session.dirty_files) >= {"plan.toml", "accounts.toml", "personas.toml"}
        await pilot.press("ctrl+s")
        await idle(pilot)
    after = load_plan(plan_dir)
    assert after.find("member", "thomas-becker") is not None
    assert all(after.get("account", a).data["sales_owner"] == "thomas-becker" for a in owned)
    assert "tom-becker" not in (plan_dir / "accounts.toml").read_text()


async def test_delete_asks_first_and_names_the_referrers(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await app.main.goto_entity("persona", "it-lead")
        await settle(pilot)
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the confirmation")
        dialog = app.screen
        assert isinstance(dialog, ChoiceScreen)
        body = str(dialog.body)
        assert "references to it will point nowhere" in body
        assert "harbor-hvac" in body  # the buying committee of harbor-hvac names it
        await pilot.press("n")
        await settle(pilot)
        assert app.plan.find("persona", "it-lead") is not None and not app.session.dirty
        await pilot.press("delete")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen), what="the confirmation")
        await pilot.press("d")
        await idle(pilot)
        assert app.plan.find("persona", "it-lead") is None
        await wait_for(pilot, lambda: any(p.code == "ref.unknown" for p in app.problems), what="revalidation")


async def test_undo_and_redo(plan_dir):
    original = (plan_dir / "accounts.toml").read_text()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        app.request_set_fields("account", "harbor-hvac", {("tier",): 3})
        await idle(pilot)
        app.request_set_fields("account", "harbor-hvac", {("icp_fit",): 50})
        await idle(pilot)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 3
        await pilot.press("ctrl+z")
        await idle(pilot)
        data = app.plan.get("account", "harbor-hvac").data
        assert data["tier"] == 3 and data["icp_fit"] == 94
        await pilot.press("ctrl+z")
        await idle(pilot)
        assert app.plan.files["accounts.toml"].text == original
        assert not app.session.dirty and "unsaved" not in app.sub_title
        await pilot.press("ctrl+y")
        await idle(pilot)
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 3
        assert app.session.dirty
        # a new edit clears what could be redone
        app.request_set_fields("account", "harbor-hvac", {("region",): "US East"})
        await idle(pilot)
        assert app.session.redo_stack == []


async def test_open_and_quit_changes_no_file(plan_dir):
    before = snapshot_files(plan_dir)
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        for key in "12345678":
            await pilot.press(key)
            await settle(pilot, 1)
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0
    assert snapshot_files(plan_dir) == before


async def test_buying_committee_member_is_edited_in_its_own_form(plan_dir):
    old = (plan_dir / "accounts.toml").read_text()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form = await open_form(pilot, "account", "harbor-hvac")
        editor = form.query_one("#f-committee", RowsEditor)
        assert len(editor.rows) == 3 and editor.rows[2]["name"] == "Peter Lindqvist"
        editor.focus()
        editor.table.move_cursor(row=2)
        await pilot.press("e")
        await settle(pilot)
        row_form = app.screen
        assert row_form is not form
        title = row_form.query_one("#f-title", Input)
        title.value = "Head of IT"
        await pilot.press("enter")  # Enter in a one-line field: OK
        await settle(pilot)
        assert app.screen is form
        assert editor.rows[2]["title"] == "Head of IT"
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.session.dirty
    new = (plan_dir / "accounts.toml").read_text()
    touched = changed_old_lines(old, new)
    assert len(touched) == 1
    assert old.split("\n")[min(touched)] == 'title = "IT Systems Manager"'
