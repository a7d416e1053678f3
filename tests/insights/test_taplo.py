"""Editors: taplo validates the plan with the project's schemas and agrees with `check`.

The taplo tests run the `taplo` command (PyPI package `taplo`); without it they are
skipped with the reason.  taplo cannot follow the shipped schemas' relative references
to common.schema.json, so they run against self-contained copies (bundle_schema), and
one test records whether the shipped schemas work as they are.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT
from tui.plan.insights.taplo import (
    bundle_schema, foreign_refs, needs_bundling, write_bundled_schemas, write_taplo_config)
from tui.plan.model import load_plan
from tui.plan.registry import PLAN_FILES
from tui.plan.schema import load_schemas
from tui.plan.validation import validate

SCHEMAS = ROOT / "schemas"
TAPLO = shutil.which("taplo")
needs_taplo = pytest.mark.skipif(TAPLO is None, reason="taplo is not installed (pip install taplo)")
_LOC = re.compile(r"┌─ (.+?):(\d+):(\d+)")


def _layout(tmp_path: Path) -> Path:
    """tmp/plans (a copy of the example) beside tmp/schemas, as in the repository."""
    shutil.copytree(EXAMPLE, tmp_path / "plans")
    shutil.copytree(SCHEMAS, tmp_path / "schemas")
    return tmp_path / "plans"


def _break(plan_dir: Path) -> None:
    def rep(name, old, new):
        path = plan_dir / name
        text = path.read_text(encoding="utf-8")
        assert old in text, old
        path.write_text(text.replace(old, new, 1), encoding="utf-8")

    rep("accounts.toml", "tier = 1", "tier = 9")
    rep("accounts.toml", "icp_fit = 91", "icp_fitt = 91")
    rep("content.toml", 'status = "published"', 'status = "done"')
    rep("plan.toml", 'email = "dana.okafor@tidewater.example"', 'email = "not an email"')
    rep("goals.toml", 'unit = "currency"\n', "")
    rep("personas.toml", 'buying_role = "champion"', 'buying_role = "fan"')


def _taplo(plan_dir: Path) -> tuple[int, dict[str, set[tuple[str, int]]], str]:
    """taplo's verdict: exit code, and for each error message the (file, line)s it names."""
    r = subprocess.run([TAPLO, "check", "--colors", "never", *PLAN_FILES], cwd=plan_dir, capture_output=True,
                       text=True, timeout=120)
    errors: dict[str, set] = {}
    message = None
    for line in (r.stdout + r.stderr).splitlines():
        if line.startswith("error: "):
            message = line[len("error: "):]
        m = _LOC.search(line)
        if m and message is not None:
            errors.setdefault(message, set()).add((Path(m.group(1)).name, int(m.group(2))))
            message = None
    return r.returncode, errors, r.stdout + r.stderr


def test_bundled_schemas_are_self_contained_and_validate_the_same(tmp_path):
    plan_dir = _layout(tmp_path)
    bundled_dir = tmp_path / "schemas" / "bundled"
    for name in set(PLAN_FILES.values()):
        assert foreign_refs(json.loads((bundled_dir / name).read_text())) == []
    assert needs_bundling(bundled_dir) == []
    _break(plan_dir)
    plan = load_plan(plan_dir)
    shipped = validate(plan, load_schemas(SCHEMAS))
    bundled = validate(plan, load_schemas(bundled_dir))
    assert bundled == shipped
    assert sum(p.code.startswith("schema.") for p in shipped) == 6


def test_bundling_refuses_a_name_clash():
    schema = {"$defs": {"id": {"type": "integer"}}, "properties": {"x": {"$ref": "common.schema.json#/$defs/id"}}}
    with pytest.raises(ValueError, match="define \\$defs/id"):
        bundle_schema(schema, {"$defs": {"id": {"type": "string"}}})


@needs_taplo
def test_taplo_accepts_the_example_plan(tmp_path):
    plan_dir = _layout(tmp_path)
    code, errors, output = _taplo(plan_dir)
    assert code == 0 and errors == {}, output


@needs_taplo
def test_taplo_and_check_flag_the_same_schema_errors(tmp_path):
    plan_dir = _layout(tmp_path)
    _break(plan_dir)
    code, errors, output = _taplo(plan_dir)
    assert code != 0
    ours = {(p.file, p.line) for p in validate(load_plan(plan_dir)) if p.code.startswith("schema.")}
    theirs = set().union(*errors.values())
    assert {f for f, _ in ours} == {f for f, _ in theirs} == {"accounts.toml", "content.toml", "plan.toml",
                                                               "goals.toml", "personas.toml"}
    # taplo names every line of a table for a table-level error (unknown or missing key);
    # each line `check` flags is among taplo's, and each taplo error covers one of ours
    assert ours <= theirs
    for message, places in errors.items():
        assert places & ours, message
    assert len(errors) == 6


@needs_taplo
def test_shipped_schemas_need_bundling_for_taplo(tmp_path):
    """Why schemas/bundled exists: taplo cannot follow the relative reference to
    common.schema.json that the source schemas use."""
    plan_dir = _layout(tmp_path)
    for name, schema in PLAN_FILES.items():
        path = plan_dir / name
        path.write_text(path.read_text().replace("../schemas/bundled/", "../schemas/", 1))
    code, _, output = _taplo(plan_dir)
    assert needs_bundling(SCHEMAS)
    assert code != 0 and "json-schema" in output


def test_committed_bundled_schemas_are_in_sync(tmp_path):
    write_bundled_schemas(SCHEMAS, tmp_path / "bundled")
    for path in sorted((tmp_path / "bundled").iterdir()):
        committed = SCHEMAS / "bundled" / path.name
        assert committed.read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), (
            f"schemas/bundled/{path.name} is stale: regenerate it with "
            "python -c 'from pathlib import Path; from tui.plan.insights.taplo import write_bundled_schemas; "
            "write_bundled_schemas(Path(\"schemas\"), Path(\"schemas/bundled\"))'")


def test_taplo_config_maps_every_plan_file(tmp_path):
    from tui.plan.layout import split_kinds

    plan_dir = _layout(tmp_path)
    path = write_taplo_config(plan_dir)
    assert path == plan_dir / ".taplo.toml"
    config = tomllib.loads(path.read_text(encoding="utf-8"))
    split = {name: f"{name.removesuffix('.toml')}/*.toml" for name in split_kinds()}
    assert config["include"] == list(PLAN_FILES) + list(split.values())
    mapping = {rule["include"][0]: rule["schema"]["path"] for rule in config["rule"]}
    assert mapping == {name: f"../schemas/bundled/{schema}" for name, schema in PLAN_FILES.items()}
    # the entity files of a kind kept one file per entity (accounts/<id>.toml) get its schema
    for rule in config["rule"]:
        name = rule["include"][0]
        assert rule["include"][1:] == ([split[name]] if name in split else [])
    for schema_path in mapping.values():
        assert (plan_dir / schema_path).is_file()
    # a plan elsewhere points at the given schema folder
    other = tmp_path / "deep" / "plan"
    other.mkdir(parents=True)
    config = tomllib.loads(write_taplo_config(other, tmp_path / "schemas" / "bundled").read_text())
    assert config["rule"][0]["schema"]["path"] == "../../schemas/bundled/plan.schema.json"


@needs_taplo
def test_taplo_follows_the_config_without_schema_lines(tmp_path):
    plan_dir = _layout(tmp_path)
    for name in PLAN_FILES:
        path = plan_dir / name
        lines = path.read_text(encoding="utf-8").split("\n")
        assert lines[0].startswith("#:schema ")
        path.write_text("\n".join(lines[1:]), encoding="utf-8")
    write_taplo_config(plan_dir)
    assert _taplo(plan_dir)[0] == 0
    _break(plan_dir)
    code, errors, _ = _taplo(plan_dir)
    assert code != 0 and "9 is not one of [1,2,3]" in errors
