"""Every validation rule, each triggered by a broken copy of the example plan."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.plan.model import load_plan
from tui.plan.validation import has_errors, validate


def _line_of(path: Path, needle: str, nth: int = 0) -> int:
    lines = path.read_text(encoding="utf-8").split("\n")
    hits = [i + 1 for i, line in enumerate(lines) if needle in line]
    assert hits, f"{needle!r} not in {path.name}"
    return hits[nth]


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def _problems(plan_dir: Path, code: str):
    return [p for p in validate(load_plan(plan_dir)) if p.code == code]


def test_example_plan_is_valid_with_honest_warnings(plan_dir):
    problems = validate(load_plan(plan_dir))
    assert not has_errors(problems), [str(p) for p in problems if p.severity == "error"]
    codes = sorted(p.code for p in problems)
    # six content items are past their publish date on 2026-12-01 and not published
    assert codes == ["content.overdue"] * 6 + ["coverage.gap", "glossary.retired-name"]


def test_problems_are_sorted_by_file_and_line(plan_dir):
    _replace(plan_dir / "accounts.toml", 'tier = 1', 'tier = 9')
    _replace(plan_dir / "plan.toml", 'team = "sales"', 'team = "sails"')
    _replace(plan_dir / "content.toml", 'status = "published"', 'status = "done"')
    problems = validate(load_plan(plan_dir))
    keys = [(p.file, p.line, p.col) for p in problems]
    assert keys == sorted(keys)
    assert {p.file for p in problems} >= {"accounts.toml", "plan.toml", "content.toml"}


def test_enum_error_names_the_choices_at_its_line(plan_dir):
    line = _line_of(plan_dir / "accounts.toml", 'tier = 1')
    _replace(plan_dir / "accounts.toml", 'tier = 1', 'tier = 9')
    (p,) = _problems(plan_dir, "schema.enum")
    assert (p.file, p.line, p.col) == ("accounts.toml", line, 1)
    assert (p.kind, p.entity, p.field) == ("account", "harbor-hvac", "tier")
    assert "use one of: 1, 2, 3" in p.message


def test_unknown_key_suggests_the_right_one_and_custom(plan_dir):
    line = _line_of(plan_dir / "accounts.toml", 'icp_fit = 94')
    _replace(plan_dir / "accounts.toml", 'icp_fit = 94', 'icp_fitt = 94')
    (p,) = _problems(plan_dir, "schema.unknown-key")
    assert (p.line, p.field) == (line, "icp_fitt")
    assert "did you mean `icp_fit`" in p.message and "`custom` table" in p.message


def test_missing_required_key_points_at_the_entity(plan_dir):
    header = _line_of(plan_dir / "accounts.toml", "[[account]]")
    _replace(plan_dir / "accounts.toml", 'domain = "harborhvac.example"\n', "")
    (p,) = _problems(plan_dir, "schema.required")
    assert (p.line, p.entity) == (header, "harbor-hvac")
    assert "`domain`" in p.message and "add `domain = ...`" in p.message


def test_type_error_in_words(plan_dir):
    _replace(plan_dir / "accounts.toml", "employees = 1850", 'employees = "many"')
    (p,) = _problems(plan_dir, "schema.type")
    assert "must be a whole number" in p.message


@pytest.mark.parametrize("old,new,fmt", [
    ("next_step_due = 2026-11-30", 'next_step_due = "2026-13-45"', "date"),
    ('domain = "harborhvac.example"', 'domain = "https://harborhvac.example/"', "domain name"),
])
def test_formats_are_checked(plan_dir, old, new, fmt):
    _replace(plan_dir / "accounts.toml", old, new)
    (p,) = _problems(plan_dir, "schema.format")
    assert fmt in p.message


def test_bad_email_and_url_are_rejected(plan_dir):
    _replace(plan_dir / "plan.toml", "@tidewater.example", "-at-tidewater")
    _replace(plan_dir / "content.toml", 'url = "https://', 'url = "not a url ')
    codes = [p for p in _problems(plan_dir, "schema.format")]
    assert {p.file for p in codes} == {"plan.toml", "content.toml"}


def test_nan_is_an_error_even_within_bounds(plan_dir):
    _replace(plan_dir / "accounts.toml", "icp_fit = 94", "icp_fit = nan")
    assert _problems(plan_dir, "value.not-finite") or _problems(plan_dir, "schema.type")
    plan = load_plan(plan_dir)
    assert has_errors(validate(plan))


def test_inf_target_is_an_error(plan_dir):
    _replace(plan_dir / "goals.toml", "target = ", "target = inf\n_was = ", 1)
    problems = validate(load_plan(plan_dir))
    assert any(p.code == "value.not-finite" for p in problems)


def test_duplicate_id(plan_dir):
    text = (plan_dir / "accounts.toml").read_text()
    second = text.split("[[account]]")[2].split("\n", 2)[1]  # `id = "..."` of the 2nd account
    _replace(plan_dir / "accounts.toml", second, 'id = "harbor-hvac"')
    (p,) = _problems(plan_dir, "id.duplicate")
    assert p.line == _line_of(plan_dir / "accounts.toml", 'id = "harbor-hvac"', 1)
    assert "line " in p.message


def test_unknown_reference_with_suggestion(plan_dir):
    line = _line_of(plan_dir / "accounts.toml", 'sales_owner = "tom-becker"')
    _replace(plan_dir / "accounts.toml", 'sales_owner = "tom-becker"', 'sales_owner = "tom-beker"')
    (p,) = _problems(plan_dir, "ref.unknown")
    assert (p.line, p.field) == (line, "sales_owner")
    assert "'tom-becker'" in p.message


def test_unknown_reference_inside_a_list(plan_dir):
    _replace(plan_dir / "content.toml", 'personas = ["', 'personas = ["nobody", "')
    (p, *_) = _problems(plan_dir, "ref.unknown")
    assert p.file == "content.toml" and p.field == "personas.0"


def test_unknown_stage(plan_dir):
    _replace(plan_dir / "content.toml", 'stage = "awareness"', 'stage = "awarness"')
    (p,) = _problems(plan_dir, "ref.unknown")
    assert "journey stage" in p.message and "'awareness'" in p.message


def test_owner_from_the_wrong_team(plan_dir):
    _replace(plan_dir / "accounts.toml", 'sales_owner = "tom-becker"', 'sales_owner = "mei-lin"')
    (p,) = _problems(plan_dir, "owner.team")
    assert "marketing team" in p.message and p.field == "sales_owner"


def test_shared_goal_needs_both_teams(plan_dir):
    line = _line_of(plan_dir / "goals.toml", 'owners = ["dana-okafor", "mei-lin"]')
    _replace(plan_dir / "goals.toml", 'owners = ["dana-okafor", "mei-lin"]', 'owners = ["dana-okafor"]')
    (p,) = _problems(plan_dir, "goal.shared-owners")
    assert (p.line, p.entity) == (line, "grow-pipeline") and "no marketing owner" in p.message


def test_goal_parent_cycle(plan_dir):
    _replace(plan_dir / "goals.toml", 'id = "grow-pipeline"', 'id = "grow-pipeline"\nparent = "tighten-handoff"')
    assert len(_problems(plan_dir, "goal.parent-cycle")) == 2


def test_date_outside_quarter_is_a_warning(plan_dir):
    line = _line_of(plan_dir / "accounts.toml", "next_step_due = 2026-11-30")
    _replace(plan_dir / "accounts.toml", "next_step_due = 2026-11-30", "next_step_due = 2027-02-01")
    (p,) = _problems(plan_dir, "date.outside-quarter")
    assert (p.severity, p.line) == ("warning", line)


def test_quarter_that_ends_before_it_starts(plan_dir):
    _replace(plan_dir / "plan.toml", "end = 2026-12-31", "end = 2026-09-01")
    assert len(_problems(plan_dir, "plan.dates")) == 1


def test_retired_name_anywhere_whole_words_any_case(plan_dir):
    line = _line_of(plan_dir / "content.toml", "title = ", 0)
    text = (plan_dir / "content.toml").read_text().split("\n")[line - 1]
    col = len('title = "') + 1
    _replace(plan_dir / "content.toml", text, 'title = "routedesk tips"')
    _replace(plan_dir / "goals.toml", 'title = ', 'title = "RouteDesks are not flagged" #', 1)
    found = [(p.file, p.line, p.col) for p in _problems(plan_dir, "glossary.retired-name")]
    assert ("content.toml", line, col) in found
    assert not any(f == "goals.toml" for f, _, _ in found)


def test_journey_gap_names_the_questions(plan_dir):
    (p,) = _problems(plan_dir, "coverage.gap")
    assert p.entity == "it-lead" and "decision" in p.message and "They ask:" in p.message


def test_key_result_pointing_the_wrong_way(plan_dir):
    plan = load_plan(plan_dir)
    kr = next(k for k in plan.all("key_result") if k.data.get("direction") == "increase")
    text = (plan_dir / "goals.toml").read_text()
    # swap this key result's target below its baseline
    old = f'target = {kr.data["target"]}'
    assert old in text
    _replace(plan_dir / "goals.toml", old, f"target = {kr.data['baseline'] - 1}")
    assert any(p.entity == kr.id for p in _problems(plan_dir, "kr.direction"))


def test_syntax_error_is_a_problem_with_position_and_other_files_still_checked(plan_dir):
    (plan_dir / "content.toml").write_text('[[content]]\nid = "x"\ntitle = \n')
    _replace(plan_dir / "accounts.toml", "tier = 1", "tier = 9")
    problems = validate(load_plan(plan_dir))
    syntax = [p for p in problems if p.code == "toml.syntax"]
    assert [(p.file, p.line) for p in syntax] == [("content.toml", 3)]
    assert any(p.code == "schema.enum" for p in problems)


def test_many_errors_are_all_listed(plan_dir):
    text = (plan_dir / "content.toml").read_text()
    (plan_dir / "content.toml").write_text(text.replace('status = "published"', 'status = "live"'))
    n = text.count('status = "published"')
    assert len(_problems(plan_dir, "schema.enum")) == n > 10


def test_oneof_failures_are_explained_in_words(tmp_path, plan_dir):
    import json
    import shutil

    from tests.conftest import ROOT
    from tui.plan.schema import load_schemas

    schemas = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", schemas)
    doc = json.loads((schemas / "accounts.schema.json").read_text())
    doc["$defs"]["account"]["properties"]["region"] = {
        "description": "Region", "oneOf": [{"type": "string", "enum": ["east", "west"]}, {"type": "integer"}]}
    (schemas / "accounts.schema.json").write_text(json.dumps(doc))
    problems = validate(load_plan(plan_dir), load_schemas(schemas))
    (p, *_) = [p for p in problems if p.code == "schema.oneOf"]
    assert "matches none of the 2 accepted forms" in p.message and "'east'" in p.message


def test_the_references_of_each_entity_together_are_those_of_the_whole_plan(plan_dir):
    """``entity_references`` walks one entity's data the way ``iter_references`` walks
    every file: every reference of the plan is in the entity that holds it, and no other."""
    from tui.plan.refs import entity_references, iter_references
    from tui.plan.schema import load_schemas

    plan = load_plan(plan_dir)
    schemas = load_schemas()
    whole = sorted(map(repr, iter_references(plan, schemas)))
    each = set()
    for entities in plan.entities.values():
        for e in entities:
            found = entity_references(schemas, e)
            assert all(path[: len(e.path)] == e.path and file == e.file for file, path, _, _ in found)
            each.update(map(repr, found))
    assert len(whole) > 100 and sorted(each) == whole
