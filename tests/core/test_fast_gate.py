"""The compiled validator is only a gate: whenever it calls a file valid, jsonschema
(which explains errors) must find nothing either."""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tui.plan.model import load_plan
from tui.plan.registry import PLAN_FILES
from tui.plan.schema import is_valid_fast, load_schemas
from tui.plan.validation import to_json

pytest.importorskip("jsonschema_rs")

SCHEMAS = load_schemas()
PLAN = load_plan(EXAMPLE)
VALUES = st.one_of(
    st.text(max_size=12), st.integers(-5, 200), st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(), st.lists(st.text(max_size=5), max_size=3), st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
    st.sampled_from(["2026-02-30", "2026-11-02", "a@b", "no at", "https://x.example/p", "not a uri", "acme.example",
                     "-bad-.host", "sales", "Marketing", "", "x" * 70, "1", "2026-Q5", "weekly"]),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fast_valid_implies_jsonschema_valid(data):
    name = data.draw(st.sampled_from(list(PLAN_FILES)))
    schema_name = PLAN_FILES[name]
    instance = to_json(copy.deepcopy(PLAN.files[name].data), [])
    entities = [e for kind in PLAN.entities.values() for e in kind if e.file == name]
    entity = data.draw(st.sampled_from(entities))
    node = instance
    for part in entity.path:
        node = node[part]
    key = data.draw(st.sampled_from(sorted(node) + ["unknown_key", "custom"]))
    node[key] = data.draw(VALUES)
    errors = list(SCHEMAS.validator(schema_name).iter_errors(instance))
    if is_valid_fast(SCHEMAS, schema_name, instance):
        assert errors == [], [e.message for e in errors]


def test_the_gate_passes_the_example_and_stops_a_bad_value():
    for name, schema_name in PLAN_FILES.items():
        assert is_valid_fast(SCHEMAS, schema_name, to_json(PLAN.files[name].data, []))
    data = to_json(copy.deepcopy(PLAN.files["accounts.toml"].data), [])
    data["account"][0]["tier"] = 9
    assert not is_valid_fast(SCHEMAS, "accounts.schema.json", data)
