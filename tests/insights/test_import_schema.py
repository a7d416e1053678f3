"""The accounts import reads the accounts schema: a schema change (another stage, a
new tier, other bounds, a new required field) changes what it accepts, with no change
to the importer."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan.insights import imports
from tui.plan.insights.imports import account_schema, plan_account_import
from tui.plan.model import load_plan
from tui.plan.schema import load_schemas

CSV = (b"Account Name,Website,Tier,Stage,ICP fit,Account Owner,Marketing Owner\n"
       b"Partner Co,partner.example,4,Partner,150,Luis Romero,Aisha Khan\n")


def _schemas(tmp_path: Path, change) -> Path:
    folder = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", folder)
    path = folder / "accounts.schema.json"
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc["$defs"]["account"])
    path.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    return folder


def _widen(account: dict) -> None:
    props = account["properties"]
    props["stage"]["enum"].append("partner")
    props["tier"]["enum"].append(4)
    props["icp_fit"]["maximum"] = 200


def test_the_shipped_schema_refuses_what_it_does_not_allow(plan_dir):
    r = plan_account_import(load_plan(plan_dir), CSV)
    assert r.rows[0].action == "refused"
    assert r.rows[0].reasons == [
        "tier '4' must be 1, 2 or 3",
        "stage 'Partner' is not an account stage (target, engaged, opportunity, customer, lost); fix the value, "
        "or ignore the column with --map",
        "icp_fit '150' must be between 0 and 100"]


def test_a_wider_schema_is_accepted_without_an_importer_change(plan_dir, tmp_path):
    schemas = load_schemas(_schemas(tmp_path, _widen))
    r = plan_account_import(load_plan(plan_dir), CSV, schemas=schemas)
    assert [(x.action, x.reasons) for x in r.rows] == [("add", [])], r.text()
    assert r.rows[0].fields["stage"] == "partner" and r.rows[0].fields["tier"] == 4
    assert r.rows[0].fields["icp_fit"] == 150 and r.errors == []


def test_the_cli_follows_the_schema_too(plan_dir, tmp_path, monkeypatch, capsys):
    from tui.cli import main

    schemas = load_schemas(_schemas(tmp_path, _widen))
    monkeypatch.setattr(imports, "load_schemas", lambda *a, **k: schemas)
    src = tmp_path / "in.csv"
    src.write_bytes(CSV)
    assert main(["import", "accounts", str(src), "--plan", str(plan_dir), "--dry-run"]) == 0
    assert "+ add" in capsys.readouterr().out


def test_required_fields_and_defaults_come_from_the_schema(plan_dir, tmp_path):
    def change(account):
        account["required"].append("region")
        account["properties"]["tier"]["default"] = 2
        account["properties"]["stage"]["enum"].remove("target")  # the import's usual default is gone

    schemas = load_schemas(_schemas(tmp_path, change))
    spec = account_schema(schemas)
    assert "region" in spec.required and spec.default("tier") == 2 and spec.default("stage") is None
    data = b"Account Name,Website,Account Owner,Marketing Owner\nAcme,acme.example,Luis Romero,Aisha Khan\n"
    r = plan_account_import(load_plan(plan_dir), data, schemas=schemas)
    assert r.rows[0].action == "refused"
    assert r.rows[0].reasons == ["a new account needs stage, region: add a column for it, or pass "
                                 "--set stage=... --set region=..."]
    data = (b"Account Name,Website,Account Owner,Marketing Owner,Stage,Region\n"
            b"Acme,acme.example,Luis Romero,Aisha Khan,engaged,EMEA\n")
    r = plan_account_import(load_plan(plan_dir), data, schemas=schemas)
    assert r.rows[0].action == "add" and r.rows[0].fields["tier"] == 2


def test_a_field_the_schema_drops_is_no_longer_imported(plan_dir, tmp_path):
    def change(account):
        del account["properties"]["industry"]

    schemas = load_schemas(_schemas(tmp_path, change))
    data = (b"Account Name,Website,Industry,Account Owner,Marketing Owner\n"
            b"Acme,acme.example,HVAC,Luis Romero,Aisha Khan\n")
    r = plan_account_import(load_plan(plan_dir), data, schemas=schemas)
    assert "Industry" in r.ignored and "industry" not in r.rows[0].fields


@pytest.mark.parametrize("value,reason", [
    ("0", "employees '0' must be at least 1"),
    ("-3", "pipeline '-3' must be at least 0"),
])
def test_bounds_are_the_schemas(plan_dir, value, reason):
    column = "Employees" if "employees" in reason else "Open pipeline"
    data = (f"Account Name,Website,{column},Account Owner,Marketing Owner\n"
            f"Acme,acme.example,{value},Luis Romero,Aisha Khan\n").encode()
    r = plan_account_import(load_plan(plan_dir), data)
    assert r.rows[0].reasons == [reason]
