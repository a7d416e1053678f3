"""RELIABILITY.md cases 20-23: the schemas, and what the validator makes of values."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan.model import load_plan
from tui.plan.registry import PLAN_FILES
from tui.plan.schema import SchemaLoadError, format_checker, is_valid_fast, load_schemas
from tui.plan.validation import to_json, validate


def _schemas_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", target)
    return target


def _replace(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, count))


# 20 — remote and file: $refs are never fetched or read
@pytest.mark.parametrize("ref", ["https://example.com/evil.json#/x", "file:///etc/passwd", "../../outside.json"])
def test_case_20_foreign_refs_are_unresolvable(tmp_path, plan_dir, ref, monkeypatch):
    import urllib.request

    def no_network(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    folder = _schemas_copy(tmp_path)
    doc = json.loads((folder / "accounts.schema.json").read_text())
    doc["$defs"]["account"]["properties"]["region"] = {"$ref": ref, "description": "x"}
    (folder / "accounts.schema.json").write_text(json.dumps(doc))
    problems = validate(load_plan(plan_dir), load_schemas(folder))
    bad = [p for p in problems if p.code == "schema.unresolvable"]
    assert bad and bad[0].file == "accounts.toml" and "cannot be resolved" in bad[0].message


# 21 — a broken schema is rejected when loaded, naming its path
def test_case_21_broken_schema_is_rejected_with_its_path(tmp_path):
    folder = _schemas_copy(tmp_path)
    doc = json.loads((folder / "content.schema.json").read_text())
    doc["properties"]["content"]["type"] = "sequence"
    (folder / "content.schema.json").write_text(json.dumps(doc))
    with pytest.raises(SchemaLoadError) as info:
        load_schemas(folder)
    assert "content.schema.json" in str(info.value) and "broken schema" in str(info.value)
    (folder / "content.schema.json").write_text("{ not json")
    with pytest.raises(SchemaLoadError) as info:
        load_schemas(folder)
    assert "not JSON" in str(info.value)


# 22 — bad date, date-time, uri, email values are rejected, by both validators alike
BAD_EMAILS = ["a@@b", "@", "x@y z", "nobody", "a.@b.example", "a..b@c.example", "a@b..example", " a@b.example",
              "a@-b.example", "a@b.example\n"]
GOOD_EMAILS = ["kenji.moriyama@harborhvac.example", "a+tag@b.io", "jürgen@bücher.example", "o'neil@x.example"]


def test_case_22_format_checkers_are_active():
    checker = format_checker()
    for fmt, bad in [("date", "2026-02-30"), ("uri", "no scheme"), ("hostname", "a b"),
                     ("date-time", "2026-11-02 25:00")] + [("email", e) for e in BAD_EMAILS]:
        assert not checker.conforms(bad, fmt), (fmt, bad)
    for good in GOOD_EMAILS:
        assert checker.conforms(good, "email"), good


@pytest.mark.parametrize("email", BAD_EMAILS)
def test_case_22_bad_emails_fail_check_and_the_fast_gate_agrees(plan_dir, email):
    plan_toml = plan_dir / "plan.toml"
    text = plan_toml.read_text()
    first = text[text.index("email = "):].split("\n", 1)[0]
    plan_toml.write_text(text.replace(first, "email = " + json.dumps(email), 1))
    plan = load_plan(plan_dir)
    schemas = load_schemas()
    (p,) = [p for p in validate(plan, schemas) if p.severity == "error"]
    assert p.code == "schema.format" and "email" in p.message and p.file == "plan.toml"
    assert not is_valid_fast(schemas, PLAN_FILES["plan.toml"], to_json(plan.files["plan.toml"].data, []))


def test_case_22_a_quoted_date_in_a_date_field_is_an_error(plan_dir):
    goals = plan_dir / "goals.toml"
    text = goals.read_text()
    due = text[text.index("due = "):].split("\n", 1)[0]
    value = due.split("=", 1)[1].strip()
    goals.write_text(text.replace(due, f'due = "{value}"', 1))
    (p,) = [p for p in validate(load_plan(plan_dir)) if p.severity == "error"]
    assert p.code == "value.quoted-date" and p.kind == "key_result" and p.field == "due"
    assert "drop the quotes" in p.message and f"due = {value}" in p.message
    assert p.line == text[: text.index(due)].count("\n") + 1


# 23 — many errors at once: all listed, sorted by file and line, each with its line;
# oneOf/anyOf explained in words (more in tests/core/test_validation.py)
def test_case_23_many_errors_are_listed_sorted_with_lines_and_oneof_in_words(tmp_path, plan_dir):
    content = plan_dir / "content.toml"
    n = content.read_text().count('status = "published"')
    _replace(content, 'status = "published"', 'status = "live"', -1)
    _replace(plan_dir / "accounts.toml", "tier = 1", "tier = 9")
    _replace(plan_dir / "plan.toml", "@tidewater.example", "@@tidewater.example")
    problems = validate(load_plan(plan_dir))
    errors = [p for p in problems if p.severity == "error"]
    assert len([p for p in errors if p.code == "schema.enum"]) == n + 1 and n > 10
    assert all(p.line > 0 and p.col > 0 for p in errors)
    assert problems == sorted(problems, key=lambda p: (p.file, p.line, p.col, p.code, p.message))
    folder = _schemas_copy(tmp_path)
    doc = json.loads((folder / "accounts.schema.json").read_text())
    doc["$defs"]["account"]["properties"]["region"] = {
        "description": "Region", "oneOf": [{"type": "string", "enum": ["east", "west"]}, {"type": "integer"}]}
    (folder / "accounts.schema.json").write_text(json.dumps(doc))
    (p, *_) = [p for p in validate(load_plan(plan_dir), load_schemas(folder)) if p.code == "schema.oneOf"]
    assert "matches none of the 2 accepted forms" in p.message and "'east'" in p.message and "{" not in p.message
