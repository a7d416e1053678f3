"""The quick tests that let a check skip its slow walks must never skip a finding."""

from __future__ import annotations

import pytest

from tui.plan.model import load_plan
from tui.plan.validation import validate


@pytest.mark.parametrize("written", [
    '"2026-11-30"',            # plain
    "'2026-11-30'",            # literal string
    '"""\n2026-11-30"""',      # multi-line: the first newline is dropped
    '"\\u0032026-11-30"',      # an escape spells the first digit
])
def test_a_date_in_quotes_is_found_however_it_is_written(plan_dir, written):
    path = plan_dir / "accounts.toml"
    text = path.read_text(encoding="utf-8")
    assert "next_step_due = 2026-11-30" in text
    path.write_text(text.replace("next_step_due = 2026-11-30", f"next_step_due = {written}", 1), encoding="utf-8")
    found = [p for p in validate(load_plan(plan_dir)) if p.code == "value.quoted-date"]
    assert found and found[0].field == "next_step_due" and found[0].line == 25


@pytest.mark.parametrize("written", ["nan", "inf", "-inf"])
def test_a_number_that_is_not_finite_is_found(plan_dir, written):
    path = plan_dir / "accounts.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("icp_fit = 94", f"icp_fit = {written}", 1), encoding="utf-8")
    found = [p for p in validate(load_plan(plan_dir)) if p.code == "value.not-finite"]
    assert found and found[0].field == "icp_fit"


def test_retired_names_are_found_in_tables_spelled_with_escapes(plan_dir):
    path = plan_dir / "accounts.toml"
    text = path.read_text(encoding="utf-8")
    assert "RouteDesk migration" in text
    plain = [p for p in validate(load_plan(plan_dir)) if p.code == "glossary.retired-name"]
    path.write_text(text.replace("RouteDesk migration", "R\\u006futeDesk migration", 1), encoding="utf-8")
    escaped = [p for p in validate(load_plan(plan_dir)) if p.code == "glossary.retired-name"]
    assert len(escaped) == len(plain)
    assert {(p.entity, p.field) for p in escaped} == {(p.entity, p.field) for p in plain}
