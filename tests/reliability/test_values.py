"""RELIABILITY.md cases 45 and 51: values the core must carry, field paths it must refuse."""

from __future__ import annotations

import datetime as dt
import math
import subprocess
import sys

import pytest

from tests.conftest import ROOT
from tui.plan.edit import EditError, add_entity, apply_change, field_value, remove_entity, set_field, unset_field
from tui.plan.model import load_plan
from tui.plan.refs import rename_entity
from tui.plan.validation import validate

UNUSUAL = ('custom = { crm_id = "0015g00000XyZ12", renewal_date = 2027-01-15, seen = 2026-11-02T09:30:00+05:45, '
           "z = 2026-11-02T09:30:00Z, lz = 1979-05-27T00:32:00.999999-07:00, t = 07:32:00, ldt = 2026-11-02T09:30:00, "
           "big = 123456789012345678901234567890, hex = 0xDEAD_beef, e = 1e3, i = inf, ni = -inf, n = nan, "
           "lit = 'C:\\x' }")
UNUSUAL_TEXT = UNUSUAL.split("{", 1)[1].rsplit("}", 1)[0]  # the inline table's contents


@pytest.fixture
def unusual(plan_dir):
    path = plan_dir / "accounts.toml"
    text = path.read_text()
    original = 'custom = { crm_id = "0015g00000XyZ12", renewal_date = 2027-01-15 }'
    assert original in text
    path.write_text(text.replace(original, UNUSUAL, 1) + "\n[[account]]\nid = \"zz-last\"\nname = \"Last\"\n"
                    "domain = \"last.example\"\ntier = 3\nstage = \"target\"\nsales_owner = \"tom-becker\"\n"
                    "marketing_owner = \"sam-oduya\"\nextra = { when = 2026-11-02T09:30:00Z, n = nan }\n"
                    .replace("extra =", "custom ="))
    return plan_dir


def _run(plan_dir, *args):
    return subprocess.run([sys.executable, "-m", "tui", *args, "-C", str(plan_dir)], capture_output=True, text=True,
                          cwd=ROOT, timeout=120)


# 45 — offset datetimes, local times, huge integers, inf/nan where the schema has no
# bounds: every edit of that file still works and keeps those values byte for byte
def test_case_45_unusual_values_survive_every_edit_byte_for_byte(unusual):
    path = unusual / "accounts.toml"
    plan = load_plan(unusual)
    assert not plan.syntax_errors
    assert not [p for p in validate(plan) if p.severity == "error"]  # no bounds in `custom`: allowed
    edits = [
        lambda p: set_field(p, "account", "harbor-hvac", "tier", 2),
        lambda p: set_field(p, "account", "harbor-hvac", "custom.added", "x"),  # rewrites the inline table
        lambda p: set_field(p, "account", "zz-last", "custom.more", 1),
        lambda p: unset_field(p, "account", "harbor-hvac", "custom.crm_id"),
        lambda p: add_entity(p, "account", "new-one", {"name": "New", "domain": "new.example", "tier": 3,
                                                      "stage": "target", "sales_owner": "tom-becker",
                                                      "marketing_owner": "sam-oduya"}),
        lambda p: rename_entity(p, "account", "harbor-hvac", "harbor-two"),
        lambda p: remove_entity(p, "account", "new-one"),
        lambda p: set_field(p, "account", "harbor-two", "custom.i", 5),
    ]
    for make in edits:
        plan = load_plan(unusual)
        changes = make(plan)
        for change in changes if isinstance(changes, list) else [changes]:
            apply_change(plan, change)
        text = path.read_text()
        for piece in ("seen = 2026-11-02T09:30:00+05:45", "z = 2026-11-02T09:30:00Z", "t = 07:32:00",
                      "lz = 1979-05-27T00:32:00.999999-07:00", "ldt = 2026-11-02T09:30:00",
                      "big = 123456789012345678901234567890", "hex = 0xDEAD_beef", "e = 1e3", "ni = -inf",
                      "n = nan", "lit = 'C:\\x'", "custom = { when = 2026-11-02T09:30:00Z, n = nan"):
            assert piece in text, (piece, make)
    data = load_plan(unusual).get("account", "harbor-two").data["custom"]
    assert data["seen"].utcoffset() == dt.timedelta(hours=5, minutes=45) and data["z"].utcoffset() == dt.timedelta(0)
    assert data["t"] == dt.time(7, 32) and data["big"] == 123456789012345678901234567890
    assert math.isnan(data["n"]) and data["i"] == 5 and data["added"] == "x" and "crm_id" not in data


def test_case_45_the_cli_edits_a_file_holding_unusual_values(unusual):
    for args in (("set", "account", "harbor-hvac", "tier", "2"), ("set", "account", "harbor-hvac", "custom.x", "1"),
                 ("rename", "account", "harbor-hvac", "harbor-b"), ("rm", "account", "zz-last"),
                 ("add", "account", "added-one", 'name="A"', 'domain="a.example"', "tier=3", 'stage="target"',
                  'sales_owner="tom-becker"', 'marketing_owner="sam-oduya"')):
        proc = _run(unusual, *args)
        assert proc.returncode == 0 and "unexpected" not in proc.stderr, (args, proc.stderr)
    text = (unusual / "accounts.toml").read_text()
    kept = UNUSUAL_TEXT.strip().removeprefix('crm_id = "0015g00000XyZ12", ')
    assert kept in text and "id = \"harbor-b\"" in text and "zz-last" not in text


def test_case_45_nan_and_inf_are_refused_for_key_result_numbers_at_edit_and_check_time(plan_dir):
    plan = load_plan(plan_dir)
    kr = plan.all("key_result")[0]
    for field in ("baseline", "target", "actual"):
        for value in (math.inf, -math.inf, math.nan):
            with pytest.raises(EditError) as info:
                set_field(plan, "key_result", kr.id, field, value)
            assert "not-finite" not in str(info.value) and "real number" in str(info.value)
    goals = plan_dir / "goals.toml"
    text = goals.read_text()
    target = text[text.index("target = "):].split("\n", 1)[0]
    goals.write_text(text.replace(target, "target = nan", 1))
    (p,) = [p for p in validate(load_plan(plan_dir)) if p.severity == "error"]
    assert (p.code, p.kind, p.field) == ("value.not-finite", "key_result", "target")
    proc = _run(plan_dir, "set", "key_result", kr.id, "actual", "inf")
    assert proc.returncode == 1 and "real number" in proc.stderr and "Traceback" not in proc.stderr



def test_case_09_nan_where_the_schema_says_nothing_is_kept_by_edit_and_check_alike(plan_dir):
    """One rule for check and edit: nan/inf are refused where a number is wanted and kept
    where the schema says nothing (``custom``), by ``set`` as by ``check``."""
    plan = load_plan(plan_dir)
    account = plan.all("account")[0]
    apply_change(plan, set_field(plan, "account", account.id, "custom.score", math.nan))
    apply_change(plan, set_field(plan, "account", account.id, "custom.ceiling", math.inf))
    reloaded = load_plan(plan_dir)
    assert math.isnan(reloaded.get("account", account.id).data["custom"]["score"])
    assert not [p for p in validate(reloaded) if p.severity == "error"]
    with pytest.raises(EditError) as info:
        set_field(reloaded, "account", account.id, "tier", math.nan)
    assert "real number" in str(info.value)
    # and an edit elsewhere in the entity is not refused for the nan it already holds
    apply_change(reloaded, set_field(reloaded, "account", account.id, "name", "Renamed"))

# item 3 of the issue: a quoted date is refused when set, like at check time
def test_quoted_date_is_refused_by_an_edit(plan_dir):
    plan = load_plan(plan_dir)
    kr = plan.all("key_result")[0]
    with pytest.raises(EditError) as info:
        set_field(plan, "key_result", kr.id, "due", "2026-11-02")
    assert "drop the quotes" in str(info.value)
    apply_change(plan, set_field(plan, "key_result", kr.id, "due", dt.date(2026, 11, 2)))


# 51 — a field path with an index out of range or negative: a clear error naming the range
@pytest.mark.parametrize("field,words", [
    ("committee.99.name", "`committee` has 3 entries, use an index from 0 to 2"),
    ("committee.-1.name", "never negative"),
    ("committee.3.name", "use an index from 0 to 2"),
    ("plays.-1", "never negative"),
    ("plays.7", "use an index from 0 to 3 (3 adds an entry at the end)"),
    ("committee.name", "`committee` is a list: address its entries by number"),
    ("tier.0", "`tier` is not a list"),
    ("custom.nothing.2", "does not exist"),
])
def test_case_51_out_of_range_and_negative_indices_are_clear_errors(plan_dir, field, words):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    plan = load_plan(plan_dir)
    with pytest.raises(EditError) as info:
        set_field(plan, "account", "harbor-hvac", field, "x", force=True)
    assert words in info.value.message
    if "name" in field and "." in field[10:]:
        with pytest.raises(EditError):
            unset_field(plan, "account", "harbor-hvac", field)
    entity = plan.get("account", "harbor-hvac")
    with pytest.raises(EditError):
        field_value(entity, field)
    for command in (("get", "account", "harbor-hvac", field), ("set", "account", "harbor-hvac", field, '"x"')):
        proc = _run(plan_dir, *command)
        assert proc.returncode == 2 and "unexpected" not in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
    assert path.read_bytes() == before


def test_case_51_the_index_just_past_the_end_appends_to_a_plain_list(plan_dir):
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "plays.3", "new play"))
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["plays"][-1] == "new play"
    assert field_value(load_plan(plan_dir).get("account", "harbor-hvac"), "committee.2.name") == "Peter Lindqvist"
