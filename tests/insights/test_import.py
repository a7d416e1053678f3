"""CSV imports: CRM exports as they come (HubSpot, Salesforce), dry runs, refusals, no partial write."""

from __future__ import annotations

import json

import pytest

from tui.cli import main
from tui.plan.insights.imports import (
    normalize_domain, parse_number, plan_account_import, plan_actuals_import, read_csv, ImportFileError)
from tui.plan.model import load_plan
from tui.plan.validation import has_errors, validate

# A HubSpot company export: semicolon-separated (a European locale), a UTF-8 BOM, extra
# columns, no tier or marketing owner column, a duplicate domain, a row without a name,
# an invalid employee count and a lifecycle stage that is no account stage.
HUBSPOT = (
    "\ufeffRecord ID;Company name;Company Domain Name;Industry;Number of Employees;Company owner;"
    "Lifecycle Stage;Phone Number;City;Create Date\r\n"
    "9001;Harbor HVAC Services;https://www.HarborHVAC.example/about;HVAC;1,900;Tom Becker;Customer;"
    "+1 555 0100;Boston;2024-01-02\r\n"
    "9002;Polar Mechanical;polarmech.example;Mechanical contracting;240;luis.romero@tidewater.example;"
    "Marketing Qualified Lead;+1 555 0101;Albany;2026-09-30\r\n"
    "9003;Polar Mechanical East;www.polarmech.example;Mechanical contracting;80;Luis Romero;Lead;;;\r\n"
    "9004;;nameless.example;HVAC;50;Luis Romero;Lead;;;\r\n"
    "9005;Bad Count Ltd;badcount.example;HVAC;about fifty;Luis Romero;Lead;;;\r\n"
    "9006;Partner Co;partner.example;Telecom;300;Luis Romero;Other;;;\r\n"
    ";Northgate Utilities Cooperative;northgateutilities.example;Utilities (electric);3200;Tom Becker;"
    "Opportunity;;;\r\n"
).encode("utf-8")

# A Salesforce account report: comma-separated, quoted, its own column names and types.
SALESFORCE = (
    '"Account ID","Account Name","Website","Type","Industry","Employees","Account Owner","Billing Country",'
    '"Annual Revenue"\n'
    '"001A000001","Liftwell Elevator Services","http://liftwell.example","Customer - Direct","Facilities",'
    '"2,400","Tom Becker","United States","120000000"\n'
    '"001A000002","Harbor HVAC","harbor-new.example","Prospect","HVAC","65","Luis Romero","Canada",""\n'
    '"001A000003","Quayside Networks, Inc.","https://quayside.example/en-us/","Channel Partner / Reseller",'
    '"Telecommunications","900","Luis Romero","United Kingdom",""\n'
    '"001A000004","Mystery Owner Corp","mystery.example","Prospect","HVAC","120","Jane Nobody","",""\n'
).encode("utf-8")


def _accounts_bytes(plan_dir):
    return (plan_dir / "accounts.toml").read_bytes()


def test_domains_are_normalised():
    assert normalize_domain("https://www.Harbor.example:8443/about?x=1") == "harbor.example"
    assert normalize_domain("WWW.harbor.example.") == "harbor.example"
    assert normalize_domain("ops@harbor.example") == "harbor.example"
    assert normalize_domain("bücher.example") == "xn--bcher-kva.example"
    for bad in ("", "localhost", "not a domain", "-bad-.example", "a..example"):
        assert normalize_domain(bad) is None


def test_numbers():
    assert parse_number("1,900") == 1900 and parse_number("26%") == 26 and parse_number("3.5") == 3.5
    assert parse_number("$2,150,000") == 2150000 and parse_number("nan") is None and parse_number("2.1M") is None


def test_hubspot_export_report(plan_dir):
    plan = load_plan(plan_dir)
    r = plan_account_import(plan, HUBSPOT, source="hubspot.csv", defaults={"marketing_owner": "aisha-khan"})
    assert (r.delimiter, r.encoding, r.bom) == (";", "utf-8", True)
    assert r.columns == {"Record ID": "custom.crm_id", "Company name": "name", "Company Domain Name": "domain",
                         "Industry": "industry", "Number of Employees": "employees", "Company owner": "sales_owner",
                         "Lifecycle Stage": "stage"}
    assert r.ignored == ["Phone Number", "City", "Create Date"]
    got = [(x.line, x.action, x.id, x.reasons) for x in r.rows]
    assert got == [
        (2, "change", "harbor-hvac", []),
        (3, "add", "polar-mechanical", []),
        (4, "refused", "", ["duplicate domain polarmech.example: line 3 has it already"]),
        (5, "refused", "", ["no name"]),
        (6, "refused", "", ["employees 'about fifty' is not a whole number"]),
        (7, "refused", "", ["stage 'Other' is not an account stage (target, engaged, opportunity, customer, lost); "
                            "fix the value, or ignore the column with --map"]),
        (8, "unchanged", "northgate-utilities", []),
    ]
    assert r.rows[0].fields == {"custom.crm_id": ("0015g00000XyZ12", "9001"), "employees": (1850, 1900)}
    assert r.rows[1].fields == {"name": "Polar Mechanical", "domain": "polarmech.example",
                                "industry": "Mechanical contracting", "employees": 240, "sales_owner": "luis-romero",
                                "stage": "target", "tier": 3, "marketing_owner": "aisha-khan",
                                "custom": {"crm_id": "9002"}}
    assert not r.ok and r.errors == []
    text = r.text()
    assert text.splitlines()[0] == "hubspot.csv: 7 row(s), semicolon-separated, utf-8 with byte-order mark"
    assert "      employees: 1850 → 1900" in text
    assert text.splitlines()[-1] == "1 to add, 1 to change, 1 unchanged, 4 refused"


def test_hubspot_dry_run_writes_nothing_and_refusals_block_the_write(plan_dir, tmp_path, capsys):
    src = tmp_path / "hubspot.csv"
    src.write_bytes(HUBSPOT)
    before = _accounts_bytes(plan_dir)
    args = ["import", "accounts", str(src), "--plan", str(plan_dir), "--set", "marketing_owner=aisha-khan"]
    assert main(args + ["--dry-run"]) == 1
    out = capsys.readouterr().out
    assert "  + add     line 3    polar-mechanical (Polar Mechanical)" in out
    assert out.rstrip().endswith("dry run: nothing written")
    assert _accounts_bytes(plan_dir) == before
    assert main(args) == 1
    assert "nothing written: 4 row(s) refused" in capsys.readouterr().out
    assert _accounts_bytes(plan_dir) == before


def test_hubspot_skip_refused_imports_the_rest_surgically(plan_dir, tmp_path, capsys):
    src = tmp_path / "hubspot.csv"
    src.write_bytes(HUBSPOT)
    before = (plan_dir / "accounts.toml").read_text(encoding="utf-8").split("\n")
    code = main(["import", "accounts", str(src), "--plan", str(plan_dir), "--set", "marketing_owner=aisha-khan",
                 "--skip-refused"])
    assert code == 0, capsys.readouterr()
    after = (plan_dir / "accounts.toml").read_text(encoding="utf-8").split("\n")
    changed = [(i, a, b) for i, (a, b) in enumerate(zip(before, after)) if a != b]
    assert [c[2] for c in changed] == ["employees = 1900", 'custom = { crm_id = "9001", renewal_date = 2027-01-15 }']
    assert after[len(before) - 1:] == [
        "", "[[account]]", 'id = "polar-mechanical"', 'name = "Polar Mechanical"', 'domain = "polarmech.example"',
        "tier = 3", 'stage = "target"', 'industry = "Mechanical contracting"', "employees = 240",
        'sales_owner = "luis-romero"', 'marketing_owner = "aisha-khan"', 'custom = { crm_id = "9002" }', ""]
    plan = load_plan(plan_dir)
    assert not has_errors(validate(plan))
    assert plan.get("account", "polar-mechanical").data["tier"] == 3


def test_salesforce_export(plan_dir):
    plan = load_plan(plan_dir)
    r = plan_account_import(plan, SALESFORCE, source="sf.csv", defaults={"marketing_owner": "jonas-weber", "tier": 2})
    assert r.delimiter == ","
    assert r.columns == {"Account ID": "custom.crm_id", "Account Name": "name", "Website": "domain", "Type": "stage",
                         "Industry": "industry", "Employees": "employees", "Account Owner": "sales_owner",
                         "Billing Country": "region"}
    assert r.ignored == ["Annual Revenue"]
    got = [(x.line, x.action, x.id) for x in r.rows]
    assert got == [(2, "change", "liftwell-elevator"), (3, "add", "harbor-hvac-2"), (4, "refused", ""),
                   (5, "refused", "")]
    liftwell = plan.get("account", "liftwell-elevator").data
    assert r.rows[0].fields["employees"] == (liftwell["employees"], 2400)
    assert r.rows[0].fields["region"] == (liftwell["region"], "United States")
    assert r.rows[0].fields["custom.crm_id"] == (None, "001A000001")
    assert "name" not in r.rows[0].fields and "domain" not in r.rows[0].fields  # same name, same domain
    assert r.rows[1].fields["stage"] == "target" and r.rows[1].fields["tier"] == 2
    assert r.rows[1].fields["sales_owner"] == "luis-romero"
    assert r.rows[2].reasons[0].startswith("stage 'Channel Partner / Reseller' is not an account stage")
    assert r.rows[3].reasons == ["sales_owner 'Jane Nobody' is no member of plan.toml (give a member's id, name or "
                                 "email, or add the member first)"]


def test_new_accounts_need_owners(plan_dir):
    r = plan_account_import(load_plan(plan_dir), SALESFORCE, source="sf.csv")
    assert r.rows[1].action == "refused"
    assert r.rows[1].reasons == ["a new account needs marketing_owner: add a column for it, or pass "
                                 "--set marketing_owner=..."]


def test_owner_on_the_wrong_team_is_refused(plan_dir):
    data = b"Account Name,Website,Account Owner\nAcme,acme.example,Mei Lin\n"
    r = plan_account_import(load_plan(plan_dir), data, defaults={"marketing_owner": "mei-lin"})
    assert r.rows[0].reasons == ["sales_owner 'Mei Lin' is on the marketing team; the sales owner must be on the "
                                 "sales team"]


def test_map_columns_tab_delimiter_and_encoding(plan_dir, tmp_path, capsys):
    text = "Org\tWeb\tSegment\tOwner\tMarketer\nCafé Réparation\tcafe-rep.example\t1\tLuis Romero\tAisha Khan\n"
    src = tmp_path / "latin.tsv"
    src.write_bytes(text.encode("cp1252"))
    args = ["import", "accounts", str(src), "--plan", str(plan_dir), "--map", "Org=name", "--map", "Web=domain",
            "--map", "Segment=tier", "--map", "Marketer=marketing_owner"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "latin.tsv:2: the file is not UTF-8 text" in err and "--encoding" in err
    assert main(args + ["--encoding", "cp1252"]) == 0
    capsys.readouterr()
    acct = load_plan(plan_dir).get("account", "cafe-reparation").data
    assert (acct["name"], acct["domain"], acct["tier"], acct["marketing_owner"]) == (
        "Café Réparation", "cafe-rep.example", 1, "aisha-khan")


def test_whole_file_problems_are_usage_errors(plan_dir, tmp_path, capsys):
    src = tmp_path / "x.csv"
    src.write_bytes(b"Company name,Phone\nAcme,123\n")
    assert main(["import", "accounts", str(src), "--plan", str(plan_dir)]) == 2
    assert "no column gives the account's domain" in capsys.readouterr().err
    assert main(["import", "accounts", str(tmp_path / "missing.csv"), "--plan", str(plan_dir)]) == 2
    assert "no such file" in capsys.readouterr().err
    src.write_bytes(b"Company name,Website\nAcme,acme.example\n")
    assert main(["import", "accounts", str(src), "--plan", str(plan_dir), "--map", "Nope=name"]) == 2
    assert "does not have: nope" in capsys.readouterr().err
    assert main(["import", "accounts", str(src), "--plan", str(plan_dir), "--map", "Website=homepage"]) == 2
    assert "'homepage' is not an account field" in capsys.readouterr().err
    src.write_bytes(b"")
    with pytest.raises(ImportFileError, match="empty"):
        read_csv(b"   \n", "x.csv")


def test_json_report(plan_dir, tmp_path, capsys):
    src = tmp_path / "hubspot.csv"
    src.write_bytes(HUBSPOT)
    assert main(["import", "accounts", str(src), "--plan", str(plan_dir), "--dry-run", "--format", "json"]) == 1
    out, err = capsys.readouterr()
    doc = json.loads(out)
    assert doc["summary"] == {"add": 0, "change": 1, "unchanged": 1, "refused": 5}
    assert "dry run: nothing written" in err


# -- actuals ---------------------------------------------------------------------------------


def test_actuals_import(plan_dir, tmp_path, capsys):
    data = ("key_result,actual,comment\n"
            "grow-pipeline/new-opportunities,121,from the CRM\n"
            "tighten-handoff/mql-to-sql,27.5%,\n"
            "grow-pipeline/pipeline-coverage,3.1,unchanged\n"
            "grow-pipeline/new-opportunities,122,again\n"
            "grow-pipeline/new-opportunity,5,typo\n"
            "win-enterprise/enterprise-wins,three,\n").encode()
    plan = load_plan(plan_dir)
    r = plan_actuals_import(plan, data, source="actuals.csv")
    assert [(x.line, x.action, x.id) for x in r.rows] == [
        (2, "change", "grow-pipeline/new-opportunities"), (3, "change", "tighten-handoff/mql-to-sql"),
        (4, "unchanged", "grow-pipeline/pipeline-coverage"), (5, "refused", "grow-pipeline/new-opportunities"),
        (6, "refused", "grow-pipeline/new-opportunity"), (7, "refused", "win-enterprise/enterprise-wins")]
    # each value is a check-in dated today (2026-12-01), by the key result's owner; actual follows
    assert r.rows[0].fields == {"checkin": (None, "2026-12-01, by dana-okafor"), "actual": (109, 121)}
    assert r.rows[1].fields["actual"] == (26, 27.5)
    assert r.rows[3].reasons == ["duplicate: line 2 sets this key result already"]
    assert r.rows[4].reasons == ["no key result 'grow-pipeline/new-opportunity'; did you mean "
                                 "'grow-pipeline/new-opportunities'?"]
    assert r.rows[5].reasons == ["actual 'three' is not a number"]
    src = tmp_path / "actuals.csv"
    src.write_bytes(data)
    before = (plan_dir / "goals.toml").read_bytes()
    assert main(["import", "actuals", str(src), "--plan", str(plan_dir)]) == 1
    assert (plan_dir / "goals.toml").read_bytes() == before
    src.write_bytes(b"goal;key_result;actual\ngrow-pipeline;new-opportunities;121\n")
    assert main(["import", "actuals", str(src), "--plan", str(plan_dir)]) == 0
    import difflib

    after = (plan_dir / "goals.toml").read_text().split("\n")
    changed = [ln for ln in difflib.unified_diff(before.decode().split("\n"), after, lineterm="", n=0)
               if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    assert sorted(ln for ln in changed if ln.strip("+-")) == sorted([
        "-actual = 109", "+actual = 121", "+[[goal.key_result.checkin]]", "+date = 2026-12-01", "+value = 121",
        '+by = "dana-okafor"'])


def test_duplicate_ids_in_the_file(plan_dir):
    data = (b"id,Account Name,Website,Account Owner,Marketing Owner\n"
            b"acme,Acme,acme.example,Luis Romero,Aisha Khan\n"
            b"acme,Acme Two,acme2.example,Luis Romero,Aisha Khan\n"
            b"harbor-hvac,Harbor Copy,harbor-copy.example,Luis Romero,Aisha Khan\n"
            b",Acme,acme3.example,Luis Romero,Aisha Khan\n")
    r = plan_account_import(load_plan(plan_dir), data)
    assert [(x.action, x.id, x.reasons) for x in r.rows] == [
        ("add", "acme", []),
        ("refused", "", ["id 'acme' is taken by another account"]),
        ("refused", "", ["id 'harbor-hvac' is taken by another account"]),
        ("add", "acme-2", []),  # a name alone gives a fresh id
    ]


def test_a_file_changed_on_disk_meanwhile_is_not_overwritten(plan_dir):
    from tui.plan.insights.imports import apply_import
    from tui.plan.problems import FileChangedError

    plan = load_plan(plan_dir)
    r = plan_account_import(plan, b"Account Name,Website,Account Owner,Marketing Owner\n"
                                  b"Acme,acme.example,Luis Romero,Aisha Khan\n")
    assert r.ok and len(r.changes) == 1
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text(encoding="utf-8") + "# someone else's edit\n", encoding="utf-8")
    with pytest.raises(FileChangedError):
        apply_import(plan, r)
    assert path.read_text(encoding="utf-8").endswith("# someone else's edit\n")
