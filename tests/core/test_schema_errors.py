"""One module checks and words schema errors: the Problems view (validate), an edit
before it is written and a form all get the same findings in the same words."""

from __future__ import annotations

import copy

import pytest

from tui.plan.edit import EditError, set_field
from tui.plan.model import load_plan
from tui.plan.registry import KINDS
from tui.plan.schema import load_schemas
from tui.plan.schema_errors import NOT_FINITE, entity_errors, field_reason, value_errors
from tui.plan.validation import validate

SCHEMAS = load_schemas()


def _account(plan_dir, id="harbor-hvac"):
    return load_plan(plan_dir).get("account", id)


@pytest.mark.parametrize("field, value, code", [
    ("tier", 9, "schema.enum"),
    ("employees", "many", "schema.type"),
    ("domain", "https://harbor.example/x", "schema.format"),
    ("icp_fit", 140, "schema.maximum"),
    ("name", "", "schema.minLength"),
    ("sales_owner", "Luis Romero", "schema.pattern"),
    ("tierr", 1, "schema.unknown-key"),
])
def test_an_edit_and_the_problems_view_word_an_error_alike(plan_dir, field, value, code):
    entity = _account(plan_dir)
    data = copy.deepcopy(entity.data)
    data[field] = value
    (found,) = [m for m in entity_errors(SCHEMAS, entity.kind, data, entity.data, name="account 'harbor-hvac'")]
    assert found.code == code and found.reason

    # the same value written to the file: validate words it the same way
    with pytest.raises(EditError) as info:
        set_field(load_plan(plan_dir), "account", "harbor-hvac", field, value, schemas=SCHEMAS)
    assert found.message in str(info.value)
    change = set_field(load_plan(plan_dir), "account", "harbor-hvac", field, value, schemas=SCHEMAS, force=True)
    (plan_dir / "accounts.toml").write_text(change.text, encoding="utf-8")
    problems = [p for p in validate(load_plan(plan_dir)) if p.code == code and p.entity == "harbor-hvac"]
    assert [p.message for p in problems] == [found.message]
    assert problems[0].field == found.field


def test_only_what_an_edit_brings_is_reported(plan_dir):
    entity = _account(plan_dir)
    broken = dict(entity.data, tier=9)
    assert [m.code for m in entity_errors(SCHEMAS, entity.kind, broken)] == ["schema.enum"]
    # an entity that already had the error: editing another field is not refused for it
    assert entity_errors(SCHEMAS, entity.kind, dict(broken, name="Harbor"), broken) == []
    assert [m.code for m in entity_errors(SCHEMAS, entity.kind, dict(broken, icp_fit=-1), broken)] == \
        ["schema.minimum"]


def test_missing_keys_name_the_entity_and_say_what_the_key_is(plan_dir):
    entity = _account(plan_dir)
    data = {k: v for k, v in entity.data.items() if k != "domain"}
    (m,) = entity_errors(SCHEMAS, entity.kind, data, name="account 'harbor-hvac'")
    assert m.code == "schema.required" and m.message.startswith("account 'harbor-hvac' has no `domain`")
    assert "(" in m.message  # the schema's description of the key
    assert m.reason == "required: fill in domain"


def test_non_finite_numbers_are_findings(plan_dir):
    entity = _account(plan_dir)
    (m,) = entity_errors(SCHEMAS, entity.kind, dict(entity.data, pipeline=float("nan")))
    assert m.code == NOT_FINITE and m.path == ("pipeline",) and "real number" in m.message


def test_nested_kinds_and_paths_inside_the_entity(plan_dir):
    plan = load_plan(plan_dir)
    kr = plan.all("key_result")[0]
    (m,) = entity_errors(SCHEMAS, KINDS["key_result"], dict(kr.data, direction="sideways"))
    assert m.code == "schema.enum" and m.path == ("direction",) and m.field == "direction"
    account = plan.get("account", "harbor-hvac")
    committee = [dict(account.data["committee"][0], persona="Not A Slug")]
    (m,) = entity_errors(SCHEMAS, account.kind, dict(account.data, committee=committee))
    assert m.path == ("committee", 0, "persona") and m.field == "committee.0.persona"


def test_one_value_is_checked_against_its_node():
    node = {"type": "integer", "minimum": 0, "maximum": 100}
    (m,) = value_errors(node, 101)
    assert m.code == "schema.maximum" and m.reason == "must be at most 100"
    assert value_errors(node, 5) == []
    (m,) = value_errors({"type": "number"}, float("inf"))
    assert m.code == NOT_FINITE


def test_the_form_wording_is_the_one_the_forms_use():
    """formspec.explain (the forms) and field_reason give the same words, so the forms
    can take theirs from here."""
    from jsonschema import Draft202012Validator

    from tui.app.formspec import explain

    cases = [
        ({"enum": [1, 2, 3]}, 9), ({"type": "integer"}, "x"), ({"type": "string", "format": "date"}, "soon"),
        ({"minimum": 3}, 1), ({"exclusiveMaximum": 3}, 3), ({"minLength": 1}, ""), ({"maxLength": 2}, "abc"),
        ({"pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"}, "A B"), ({"uniqueItems": True}, [1, 1]), ({"minItems": 2}, [1]),
        ({"const": 1}, 2), ({"type": "object", "properties": {}, "additionalProperties": False}, {"x": 1}),
    ]
    for schema, value in cases:
        validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
        (err,) = list(validator.iter_errors(value))
        assert field_reason(err) == explain(err), schema
