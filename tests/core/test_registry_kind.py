"""The registry is the one place that knows the kinds.

A synthetic kind, added the way the design promises (a schema and one registry entry,
here in a temporary copy of the schemas), is loaded, validated (file:line), referred
to (and `rm` says so), diffed, merged and edited by the CLI without any other change.
The rest checks that what the registry derives agrees with the schemas.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan import registry
from tui.plan.registry import (CHILD_KEYS, KINDS, PLAN_FILES, REFERENCE_DEFS, Kind, identity_keys, list_kinds,
                               register_kind, unregister_kind, views)
from tui.plan.slug import ID_MAX_LENGTH, ID_PATTERN, is_slug

SCHEMAS = ROOT / "schemas"


# -- what the registry derives ------------------------------------------------------------


def _defs(folder: Path = SCHEMAS) -> dict[str, dict]:
    out = {}
    for path in folder.glob("*.schema.json"):
        for name, node in json.loads(path.read_text(encoding="utf-8")).get("$defs", {}).items():
            out[name] = node
    return out


def test_plan_files_come_from_the_kinds():
    assert PLAN_FILES == {k.file: k.schema for k in KINDS.values()}
    assert list(PLAN_FILES) == list(dict.fromkeys(k.file for k in KINDS.values()))


def test_reference_markers_in_the_schemas_are_exactly_the_referable_kinds():
    """A `<kind>_ref` in a schema with no referable kind behind it (or the reverse)
    would make `rm` say that nothing refers to an entity that is referred to."""
    markers = {name for name in _defs() if re.fullmatch(r"\w+_refs?", name)}
    assert markers <= set(REFERENCE_DEFS), "a reference marker names no referable kind"
    marked = {REFERENCE_DEFS[name] for name in markers}
    referable = {k.name for k in KINDS.values() if k.referable}
    assert referable == {"member", "persona", "account", "goal", "content", "message", "term"}
    assert marked == referable | {"stage"}, "a referable kind has no reference marker in the schemas"


def test_child_keys_and_identity_keys():
    assert CHILD_KEYS["goal"] == ("key_result",) and CHILD_KEYS["lead_scoring"] == ("rule",)
    assert identity_keys("goal", "key_result") == ("id",)
    assert identity_keys("account", "committee") == ("email", "name")
    assert identity_keys("term", "retired") == ("name",)
    assert identity_keys("account", "plays") == ()


def test_identity_keys_name_fields_of_arrays_of_tables():
    from tui.plan.schema import load_schemas
    from tui.plan.registry import entity_schema_path

    schemas = load_schemas()
    for k in KINDS.values():
        for key, fields in k.identities.items():
            node, _ = schemas.subschema(k.schema, entity_schema_path(k) + (key, 0))
            assert node.get("type") == "object", (k.name, key)
            assert set(fields) <= set(node.get("properties", {})), (k.name, key, fields)


def test_how_the_app_shows_each_kind():
    assert list(views()) == ["overview", "goals", "personas", "accounts", "content", "glossary", "team",
                             "messaging"]
    assert list_kinds() == ("goal", "key_result", "persona", "account", "content", "term", "member", "rule",
                            "meeting", "responsibility", "message")
    for k in KINDS.values():
        assert k.view in views(), k.name
    assert KINDS["account"].column_title("icp_fit") == "ICP"
    assert KINDS["account"].column_title("id") == "ID"
    assert KINDS["account"].column_title("sales_owner") == "Sales owner"
    assert KINDS["sla"].column_title("mql_commitment") == "MQLs"
    assert KINDS["member"].tab == "team-roster" and KINDS["content"].tab == "content-list"


def test_a_file_has_one_schema():
    with pytest.raises(ValueError, match="plan.schema.json"):
        register_kind(Kind("odd", "Odd", "Odds", "plan.toml", "odd.schema.json", ("odd",)))
    assert "odd" not in KINDS and PLAN_FILES["plan.toml"] == "plan.schema.json"


# -- one slug pattern ---------------------------------------------------------------------


def test_the_schema_id_pattern_is_the_slug_pattern():
    defs = _defs()
    assert defs["id"]["pattern"] == ID_PATTERN and defs["id"]["maxLength"] == ID_MAX_LENGTH
    for name, node in defs.items():
        if name.endswith("_ref"):
            assert node["pattern"] == ID_PATTERN and node["maxLength"] == ID_MAX_LENGTH, name
    assert is_slug("harbor-hvac") and not is_slug("Harbor") and not is_slug("a--b") and not is_slug("a" * 65)


_SLUG_SOURCE = re.compile(r"\[a-z0-9\]\+\(-\[a-z0-9\]\+\)\*")
# copies in modules that are being changed on their own (the forms, the CSV import)
_KNOWN_COPIES = {"tui/app/formspec.py", "tui/plan/insights/imports.py"}


def _slug_copies() -> set[str]:
    return {str(p.relative_to(ROOT)) for p in (ROOT / "tui").rglob("*.py")
            if _SLUG_SOURCE.search(p.read_text(encoding="utf-8")) and p.name != "slug.py"}


def test_the_slug_pattern_is_written_once():
    assert _slug_copies() - _KNOWN_COPIES == set()


def test_no_copy_of_the_slug_pattern_is_left():
    assert _slug_copies() == set()


# -- a synthetic kind -----------------------------------------------------------------------

VENDOR_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "Quarterdeck vendors.toml",
    "type": "object",
    "additionalProperties": False,
    "properties": {"vendor": {"type": "array", "items": {"$ref": "#/$defs/vendor"}}},
    "$defs": {
        "vendor": {
            "type": "object",
            "properties": {
                "id": {"$ref": "common.schema.json#/$defs/id"},
                "name": {"type": "string", "minLength": 1, "description": "The vendor's name."},
                "tier": {"type": "integer", "enum": [1, 2, 3]},
                "owner": {"$ref": "common.schema.json#/$defs/member_ref"},
                "contacts": {"type": "array", "items": {"$ref": "#/$defs/contact"}},
                "custom": {"$ref": "common.schema.json#/$defs/custom"},
            },
            "required": ["id", "name"],
            "additionalProperties": False,
        },
        "contact": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "email": {"type": "string"}, "role": {"type": "string"}},
            "required": ["name"],
            "additionalProperties": False,
        },
        "vendor_ref": {"type": "string", "pattern": ID_PATTERN, "maxLength": ID_MAX_LENGTH,
                       "description": "The ID of a vendor listed in vendors.toml under [[vendor]]."},
        "vendor_refs": {"type": "array", "items": {"$ref": "#/$defs/vendor_ref"}, "uniqueItems": True},
    },
}

VENDOR = Kind("vendor", "Vendor", "Vendors", "vendors.toml", "vendors.schema.json", ("vendor",),
              columns=("id", "name", "tier", "owner"), referable=True, identities={"contacts": ("email", "name")},
              view="vendors", view_title="Vendors")

VENDORS_TOML = '''# Suppliers we co-market with.

[[vendor]]
id = "acme-supplies"
name = "Acme Supplies"  # the old name is still on the contract
tier = 1
owner = "luis-romero"

[[vendor.contacts]]
name = "Ada Park"
email = "ada@acme.example"
role = "partner manager"

[[vendor]]
id = "bolt-parts"
name = "Bolt Parts"
tier = 2
'''


@pytest.fixture
def vendor_kind(tmp_path, monkeypatch, plan_dir):
    """The vendor kind: a schema (and a reference to it from accounts) in a copy of the
    schemas, one registry entry, and a vendors.toml in a copy of the example plan."""
    from tui.plan import schema as schema_module

    folder = tmp_path / "schemas"
    shutil.copytree(SCHEMAS, folder)
    (folder / "vendors.schema.json").write_text(json.dumps(VENDOR_SCHEMA, indent=2), encoding="utf-8")
    accounts = json.loads((folder / "accounts.schema.json").read_text(encoding="utf-8"))
    accounts["$defs"]["account"]["properties"]["vendors"] = {"$ref": "vendors.schema.json#/$defs/vendor_refs",
                                                             "description": "Vendors in the joint play."}
    (folder / "accounts.schema.json").write_text(json.dumps(accounts, indent=2), encoding="utf-8")
    monkeypatch.setattr(schema_module, "schema_dir", lambda: folder)
    (plan_dir / "vendors.toml").write_text(VENDORS_TOML, encoding="utf-8")
    register_kind(VENDOR)
    try:
        yield plan_dir
    finally:
        unregister_kind("vendor")


def _refer(plan_dir: Path, vendors: str) -> None:
    path = plan_dir / "accounts.toml"
    text = re.sub(r"\nvendors = .*\n", "\n", path.read_text(encoding="utf-8"))
    path.write_text(text.replace('id = "harbor-hvac"\n', f'id = "harbor-hvac"\nvendors = {vendors}\n', 1),
                    encoding="utf-8")


def test_registering_a_kind_updates_what_is_derived(vendor_kind):
    assert PLAN_FILES["vendors.toml"] == "vendors.schema.json"
    assert REFERENCE_DEFS["vendor_refs"] == "vendor"
    assert identity_keys("vendor", "contacts") == ("email", "name")
    assert list(views())[-1] == "vendors" and list_kinds()[-1] == "vendor"


def test_the_registry_is_back_to_normal_without_the_kind():
    assert "vendor" not in KINDS and "vendors.toml" not in PLAN_FILES and "vendor_ref" not in REFERENCE_DEFS
    assert "vendors" not in registry.views()


def test_synthetic_kind_is_loaded_and_validated_with_file_and_line(vendor_kind, capsys):
    from tui.cli import main
    from tui.plan.model import load_plan
    from tui.plan.validation import validate

    plan = load_plan(vendor_kind)
    assert [e.id for e in plan.all("vendor")] == ["acme-supplies", "bolt-parts"]
    assert plan.get("vendor", "acme-supplies").label == "Acme Supplies"
    assert not [p for p in validate(plan) if p.file == "vendors.toml"]

    path = vendor_kind / "vendors.toml"
    path.write_text(VENDORS_TOML.replace("tier = 2", "tier = 9").replace('role = "partner', 'rol = "partner'),
                    encoding="utf-8")
    problems = [p for p in validate(load_plan(vendor_kind)) if p.file == "vendors.toml"]
    by_code = {p.code: p for p in problems}
    enum = by_code["schema.enum"]
    line = VENDORS_TOML.splitlines().index("tier = 2") + 1
    assert (enum.line, enum.col, enum.kind, enum.entity, enum.field) == (line, 1, "vendor", "bolt-parts", "tier")
    assert "use one of: 1, 2, 3" in enum.message
    unknown = by_code["schema.unknown-key"]
    assert unknown.entity == "acme-supplies" and "did you mean `role`?" in unknown.message
    assert unknown.line == VENDORS_TOML.splitlines().index('role = "partner manager"') + 1

    capsys.readouterr()
    assert main(["check", str(vendor_kind), "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert f"vendors.toml:{line}:1" in out and "error[schema.enum] vendor bolt-parts › tier" in out


def test_synthetic_kind_is_referred_to_and_rm_says_so(vendor_kind, capsys):
    from tui.cli import main
    from tui.plan.model import load_plan
    from tui.plan.refs import referrers
    from tui.plan.validation import validate

    _refer(vendor_kind, '["acme-supplies"]')
    plan = load_plan(vendor_kind)
    assert not [p for p in validate(plan) if p.code == "ref.unknown"]
    users = referrers(plan, plan.get("vendor", "acme-supplies"))
    assert [(r.entity.kind.name, r.entity.id, r.field) for r in users] == [("account", "harbor-hvac", "vendors.0")]

    capsys.readouterr()
    assert main(["rm", "vendor", "acme-supplies", "-C", str(vendor_kind)]) == 1
    err = capsys.readouterr().err
    assert "referred to by" in err and "account harbor-hvac › vendors.0" in err
    assert "acme-supplies" in (vendor_kind / "vendors.toml").read_text(encoding="utf-8")

    # a reference to a vendor that does not exist is a problem that names the kind
    _refer(vendor_kind, '["acme-suplies"]')
    (bad,) = [p for p in validate(load_plan(vendor_kind)) if p.code == "ref.unknown"]
    assert "no vendor has the id 'acme-suplies'" in bad.message and "Did you mean 'acme-supplies'?" in bad.message
    assert bad.file == "accounts.toml" and bad.entity == "harbor-hvac"

    # renaming the vendor follows the reference into accounts.toml
    assert main(["rename", "vendor", "bolt-parts", "bolt-inc", "-C", str(vendor_kind), "-q"]) == 0
    _refer(vendor_kind, '["bolt-inc"]')
    assert not [p for p in validate(load_plan(vendor_kind)) if p.code == "ref.unknown"]


def test_synthetic_kind_is_edited_by_the_cli(vendor_kind, capsys):
    from tui.cli import main

    def run(*args):
        capsys.readouterr()
        code = main([*args, "-C", str(vendor_kind)])
        out = capsys.readouterr()
        return code, out.out, out.err

    path = vendor_kind / "vendors.toml"
    code, out, _ = run("get", "vendor", "acme-supplies", "name", "--raw")
    assert code == 0 and out.strip() == "Acme Supplies"

    code, _, _ = run("set", "vendor", "acme-supplies", "tier", "2")
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert text == VENDORS_TOML.replace("tier = 1", "tier = 2")  # only that value changed, comments kept

    code, _, err = run("set", "vendor", "acme-supplies", "tier", "7")
    assert code == 1 and "use one of: 1, 2, 3" in err and path.read_text(encoding="utf-8") == text

    code, _, _ = run("add", "vendor", "cobalt-co", 'name="Cobalt Co"', "tier=3")
    assert code == 0
    code, out, _ = run("get", "vendor", "cobalt-co", "--json")
    assert code == 0 and json.loads(out) == {"id": "cobalt-co", "name": "Cobalt Co", "tier": 3}

    code, _, _ = run("rm", "vendor", "bolt-parts")
    assert code == 0
    text = path.read_text(encoding="utf-8")
    assert "bolt-parts" not in text and "acme-supplies" in text and "cobalt-co" in text

    capsys.readouterr()
    assert main(["kinds"]) == 0
    assert re.search(r"^vendor +vendors.toml +ID +Vendors$", capsys.readouterr().out, re.M)


def test_synthetic_kind_is_diffed(vendor_kind):
    from tui.history.semdiff import diff_snapshots
    from tui.history.snapshot import Snapshot

    old = Snapshot.from_folder(vendor_kind, label="before")
    path = vendor_kind / "vendors.toml"
    path.write_text(VENDORS_TOML.replace("tier = 2", "tier = 3").replace('"partner manager"', '"alliances"')
                    + '\n[[vendor]]\nid = "cobalt-co"\nname = "Cobalt Co"\n', encoding="utf-8")
    diff = diff_snapshots(old, Snapshot.from_folder(vendor_kind, label="after"))
    got = {(c.op, c.kind, c.id) for c in diff.changes}
    assert got == {("changed", "vendor", "bolt-parts"), ("changed", "vendor", "acme-supplies"),
                   ("added", "vendor", "cobalt-co")}
    bolt = next(c for c in diff.changes if c.id == "bolt-parts")
    assert [(f.field, f.old, f.new) for f in bolt.fields] == [("tier", 2, 3)]
    acme = next(c for c in diff.changes if c.id == "acme-supplies")
    assert [(f.field, f.old, f.new) for f in acme.fields] == [("contacts[Ada Park].role", "partner manager",
                                                               "alliances")]


def test_synthetic_kind_is_merged_entity_by_entity(vendor_kind):
    from tui.history.merge import merge_bytes

    base = VENDORS_TOML.encode()
    ours = VENDORS_TOML.replace('name = "Acme Supplies"', 'name = "Acme Supply Co"').encode()
    theirs = VENDORS_TOML.replace("tier = 2", "tier = 3").encode()
    outcome = merge_bytes(base, ours, theirs, "plans/vendors.toml")
    assert not outcome.conflicts and not outcome.fallback
    assert outcome.text == VENDORS_TOML.replace('name = "Acme Supplies"', 'name = "Acme Supply Co"').replace(
        "tier = 2", "tier = 3")

    both = VENDORS_TOML.replace("tier = 2", "tier = 1").encode()
    outcome = merge_bytes(base, both, theirs, "plans/vendors.toml")
    assert outcome.conflicts == ["vendor bolt-parts: tier (both changed it)"]
    assert "<<<<<<< ours (vendor bolt-parts: tier)" in outcome.text and outcome.text.count("<<<<<<<") == 1
