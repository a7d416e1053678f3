"""Entities kept inside another (a goal's key results, the lead-scoring rules) are rows
of their parent's form: added, edited, removed and reordered there, each row in a
sub-form generated from its own kind's schema (with that kind's help and checks).
Applying stages it all as one edit through the core's operations (set / add / rm /
rename / reorder): the saved diff touches only what changed, and one undo takes it back."""

from __future__ import annotations

import pytest
from textual.widgets import Input, TextArea

from tests.app.helpers import TODAY, changed_old_lines, idle, ready, settle, wait_for
from tui.app import QuarterdeckApp
from tui.app.dialogs.form import FormScreen, RowFormScreen
from tui.app.formspec import child_steps
from tui.app.widgets import Picker, RowsEditor
from tui.plan import ops
from tui.plan.edit import EditError
from tui.plan.model import load_plan
from tui.plan.registry import KINDS

SIZE = (80, 24)
GOAL = "grow-pipeline"


def make_app(plan_dir) -> QuarterdeckApp:
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    app.animation_level = "none"
    return app


async def rows_of(pilot, kind: str, entity_id: str, field: str) -> tuple[FormScreen, RowsEditor]:
    app = pilot.app
    app.main.edit_entity(kind, entity_id, field)
    await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded, what="the form")
    await settle(pilot)
    form = app.screen
    editor = form.query_one(f"#f-{field}", RowsEditor)
    assert form.focused is editor.table, "opening at the rows focuses their table"
    return form, editor


async def open_row(pilot, key: str) -> RowFormScreen:
    await pilot.press(key)
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, RowFormScreen) and pilot.app.screen.loaded,
                   what="the row's form")
    return pilot.app.screen


def block(text: str, header: str, own_id: str) -> range:
    """Lines (0-based) of the ``[[header]]`` block whose id is ``own_id``, with its sub-tables."""
    lines = text.split("\n")
    at = lines.index(f'id = "{own_id}"')
    start = max(n for n in range(at) if lines[n].strip() == f"[[{header}]]")
    end = next((n for n in range(at + 1, len(lines))
                if lines[n].startswith("[[") and not lines[n].startswith(f"[[{header}.")), len(lines))
    return range(start, end)


async def test_a_goals_key_results_are_rows_added_edited_removed_and_reordered_in_its_form(plan_dir):
    old = (plan_dir / "goals.toml").read_text()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await rows_of(pilot, "goal", GOAL, "key_result")
        ids = [r["id"] for r in editor.rows]
        assert ids == ["sourced-pipeline", "new-opportunities", "pipeline-coverage"]
        help_text = str(form.query_one("#box-f-key_result .field-help").render())
        assert "measurable results" in help_text and "a adds" in help_text  # the schema's help, the keys

        # edit the second: its own kind's form (fields, checks) with its check-ins as rows too
        editor.table.move_cursor(row=1)
        sub = await open_row(pilot, "enter")
        assert [s.key for s in sub.specs][:3] == ["id", "title", "metric"]
        assert isinstance(sub.query_one("#f-checkin"), RowsEditor)
        target = sub.query_one("#f-target", Input)
        target.value = "many"
        await settle(pilot)
        assert sub.query_one("#box-f-target").has_class("-invalid"), "the row's own check, as you type"
        target.value = "175"
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the goal's form")
        assert editor.rows[1]["target"] == 175 and editor.rows[1]["checkin"], "fields not shown are kept"

        # add one: refused until its required fields are there
        sub = await open_row(pilot, "a")
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert app.screen is sub and sub.query_one("#box-f-id").has_class("-invalid")
        sub.query_one("#f-id", Input).value = "win-rate"
        sub.query_one("#f-title", Input).value = "Win rate of sourced opportunities"
        sub.query_one("#f-metric", Input).value = "Won / closed opportunities with a marketing source"
        sub.query_one("#f-unit", Picker).value = "percent"
        sub.query_one("#f-target", Input).value = "30"
        sub.query_one("#f-direction", Picker).value = "increase"
        await settle(pilot)
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the goal's form")
        assert [r["id"] for r in editor.rows] == ids + ["win-rate"]

        # remove the third, move the new one up to first
        editor.table.move_cursor(row=2)
        await pilot.press("x")
        editor.table.move_cursor(row=2)
        await pilot.press("shift+up", "shift+up")
        await settle(pilot)
        assert [r["id"] for r in editor.rows] == ["win-rate", "sourced-pipeline", "new-opportunities"]

        await pilot.press("ctrl+j")
        await idle(pilot)
        assert not isinstance(app.screen, FormScreen)
        assert app.session.undo_stack[-1].summary == (
            f"goal {GOAL}; key results: 1 added, 1 changed, 1 removed, reordered")
        staged = app.plan.files["goals.toml"].text
        assert [k.own_id for k in app.plan.all("key_result") if k.parent_id == GOAL] == [
            "win-rate", "sourced-pipeline", "new-opportunities"]
        assert app.plan.get("key_result", f"{GOAL}/new-opportunities").data["target"] == 175

        # surgical: only this goal's lines changed, and the moved blocks kept their text
        touched = changed_old_lines(old, staged)
        goal_lines = range(block(old, "goal", GOAL).start,
                           block(old, "goal.key_result", "pipeline-coverage").stop)
        assert touched and all(n in goal_lines for n in touched)
        kept = old.split("\n")[block(old, "goal.key_result", "sourced-pipeline").start:
                               block(old, "goal.key_result", "sourced-pipeline").stop]
        assert "\n".join(kept) in staged
        assert "pipeline-coverage" not in staged.split("[[goal]]")[1]

        # one undo takes the whole form's edit back
        await pilot.press("ctrl+z")
        await idle(pilot)
        assert app.plan.files["goals.toml"].text == old
        await pilot.press("ctrl+y")
        await idle(pilot)
        await pilot.press("ctrl+s")
        await idle(pilot)
    assert (plan_dir / "goals.toml").read_text() == staged
    assert [k.own_id for k in load_plan(plan_dir).all("key_result") if k.parent_id == GOAL] == [
        "win-rate", "sourced-pipeline", "new-opportunities"]


async def test_two_key_results_with_one_id_are_refused_in_the_goals_form(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await rows_of(pilot, "goal", GOAL, "key_result")
        editor.table.move_cursor(row=1)
        sub = await open_row(pilot, "enter")
        sub.query_one("#f-id", Input).value = "sourced-pipeline"
        await settle(pilot)
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the goal's form")
        assert form.query_one("#box-f-key_result").has_class("-invalid")
        assert "two key results have the id 'sourced-pipeline'" in str(
            form.query_one("#box-f-key_result .field-error").render())
        await pilot.press("ctrl+j")
        await settle(pilot)
        assert app.screen is form and not app.session.undo_stack, "nothing staged"


async def test_renaming_a_key_result_in_the_goals_form_is_a_rename(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await rows_of(pilot, "goal", GOAL, "key_result")
        sub = await open_row(pilot, "enter")
        sub.query_one("#f-id", Input).value = "marketing-pipeline"
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the goal's form")
        await pilot.press("ctrl+j")
        await idle(pilot)
        kr = app.plan.get("key_result", f"{GOAL}/marketing-pipeline")
        assert kr.data["checkin"], "the renamed key result keeps its check-ins"
        assert app.plan.find("key_result", f"{GOAL}/sourced-pipeline") is None


async def test_lead_scoring_rules_are_rows_of_the_lead_scoring_form(plan_dir):
    old = (plan_dir / "plan.toml").read_text()
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await rows_of(pilot, "lead_scoring", "lead_scoring", "rule")
        ids = [r["id"] for r in editor.rows]
        assert ids[:2] == ["fit-icp-industry", "fit-fleet-size"]
        assert [c.key for c in editor.columns] == ["id", "category", "points", "description"]

        # change one rule's points
        editor.table.move_cursor(row=1)
        sub = await open_row(pilot, "enter")
        assert isinstance(sub.query_one("#f-category"), Picker)
        sub.query_one("#f-points", Input).value = "25"
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        # remove the first
        editor.table.move_cursor(row=0)
        await pilot.press("x")
        # add one
        sub = await open_row(pilot, "a")
        sub.query_one("#f-id", Input).value = "eng-trial-signup"
        sub.query_one("#f-category", Picker).value = "engagement"
        sub.query_one("#f-description", TextArea).text = "Signed up for the free trial"
        sub.query_one("#f-points", Input).value = "30"
        await settle(pilot)
        await pilot.press("ctrl+j")
        await wait_for(pilot, lambda: app.screen is form, what="back to the form")
        await pilot.press("ctrl+s")
        await idle(pilot)
        assert not app.session.dirty
    new = (plan_dir / "plan.toml").read_text()
    rules = {r.id: r.data for r in load_plan(plan_dir).all("rule")}
    assert "fit-icp-industry" not in rules and rules["fit-fleet-size"]["points"] == 25
    assert rules["eng-trial-signup"] == {"id": "eng-trial-signup", "category": "engagement",
                                         "description": "Signed up for the free trial", "points": 30}
    assert [r for r in rules][-1] == "eng-trial-signup"
    # surgical: the removed rule's lines, the changed points, the new block; nothing else
    touched = changed_old_lines(old, new)
    removed = block(old, "lead_scoring.rule", "fit-icp-industry")
    points = [n for n in block(old, "lead_scoring.rule", "fit-fleet-size")
              if old.split("\n")[n].startswith("points")]
    last = block(old, "lead_scoring.rule", ids[-1])
    allowed = set(removed) | set(points) | {removed.stop} | set(range(last.start, last.stop + 1))  # + the new block
    assert touched and touched <= allowed, sorted(touched - allowed)


def test_child_steps_name_each_core_operation():
    kr = KINDS["key_result"]
    before = [{"id": "a", "x": 1}, {"id": "b", "x": 2}, {"id": "c", "x": 3}]
    rows = [{"id": "c", "x": 3}, {"id": "a2", "x": 1, "y": 5}, {"id": "n", "x": 9}]
    steps = child_steps(kr, "g", before, rows, [2, 0, None])
    assert steps == [("remove", "g/b"), ("rename", "g/a", "a2"), ("set", "g/a2", {("y",): 5}),
                     ("add", "g/n", {"x": 9}), ("order", ["g/c", "g/a2", "g/n"])]
    # nothing moved: no order step; a key left out is removed (None)
    assert child_steps(kr, "g", before, [{"id": "a"}, before[1], before[2]], [0, 1, 2]) == [
        ("set", "g/a", {("x",): None})]
    assert child_steps(kr, "g", before, [dict(r) for r in before], [0, 1, 2]) == []
    # rules are addressed by their own id
    assert child_steps(KINDS["rule"], None, [], [{"id": "r1", "points": 1}], [None]) == [
        ("add", "r1", {"points": 1})]


def test_reorder_moves_blocks_as_they_are_and_back_is_byte_identical(plan_dir):
    plan = load_plan(plan_dir)
    before = plan.files["goals.toml"].text
    ids = [k.id for k in plan.all("key_result") if k.parent_id == GOAL]
    ops.reorder(plan, "key_result", [ids[2], ids[0], ids[1]])
    assert [k.id for k in plan.all("key_result") if k.parent_id == GOAL] == [ids[2], ids[0], ids[1]]
    assert plan.get("key_result", ids[0]).data == load_plan(plan_dir).get("key_result", ids[0]).data
    ops.reorder(plan, "key_result", ids)
    assert plan.files["goals.toml"].text == before
    with pytest.raises(EditError, match="once"):
        ops.reorder(plan, "key_result", ids[:2])


async def test_e_on_the_lead_scoring_tab_and_on_the_overview_opens_their_forms(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("e")  # the Overview: the plan's own form
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen), what="the plan's form")
        assert app.screen.kind.name == "plan"
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, FormScreen), what="the form to close")
        await pilot.press("7", "]", "]")
        await settle(pilot)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, FormScreen) and app.screen.loaded,
                       what="the lead scoring form")
        assert app.screen.kind.name == "lead_scoring"
        assert app.screen.query_one("#f-rule", RowsEditor).rows


async def test_a_letter_on_a_choice_picks_what_starts_with_it_first(plan_dir):
    app = make_app(plan_dir)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        form, editor = await rows_of(pilot, "lead_scoring", "lead_scoring", "rule")
        sub = await open_row(pilot, "a")
        sub.query_one("#f-category", Picker).focus()
        await settle(pilot)
        await pilot.press("e")  # "(none)" and "negative" hold an e too; "engagement" starts with it
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert sub.query_one("#f-category", Picker).value == "engagement"
