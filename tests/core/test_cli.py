"""The command line contract: exit codes, formats, scriptable edits."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.conftest import EXAMPLE, ROOT
from tui.cli import main


def run(*args, cwd=None):
    env = dict(os.environ, NO_COLOR="1", PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=cwd or ROOT,
                          env=env, timeout=60)


def test_check_example_plan_exits_0():
    r = run("check", "plans")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "valid" in r.stdout and "Traceback" not in r.stderr


def test_check_errors_exit_1_with_file_line_col(plan_dir, capsys):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace("tier = 1", "tier = 9", 1))
    assert main(["check", str(plan_dir), "--color", "never"]) == 1
    out = capsys.readouterr().out
    assert f"{plan_dir / 'accounts.toml'}:" in out and "error[schema.enum] account harbor-hvac › tier" in out
    assert "| tier = 9" in out and "✗" in out


def test_check_json_is_stable(plan_dir, capsys):
    assert main(["check", str(plan_dir), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["format"] == "quarterdeck.check/1" and doc["valid"] is True
    assert doc["summary"]["errors"] == 0 and doc["summary"]["warnings"] == 8  # 6 of them content.overdue
    assert set(doc["problems"][0]) == {"severity", "code", "message", "file", "path", "line", "col", "kind",
                                       "entity", "field"}


def test_check_github_annotations(plan_dir, capsys):
    path = plan_dir / "goals.toml"
    path.write_text(path.read_text().replace('unit = "count"', 'unit = "widgets"', 1))
    assert main(["check", str(plan_dir), "--format", "github"]) == 1
    lines = capsys.readouterr().out.splitlines()
    err = [line for line in lines if line.startswith("::error ")]
    assert len(err) == 1
    assert f"file={plan_dir / 'goals.toml'},line=" in err[0] and ",col=" in err[0] and "title=schema.enum::" in err[0]


def test_syntax_error_is_reported_not_a_traceback(plan_dir):
    (plan_dir / "content.toml").write_text("[[content]]\nid = \n")
    r = run("check", str(plan_dir))
    assert r.returncode == 1 and "Traceback" not in r.stderr + r.stdout
    assert "content.toml:2:" in r.stdout and "toml.syntax" in r.stdout


def test_unreadable_and_usage_exit_2(tmp_path):
    assert run("check", str(tmp_path / "missing")).returncode == 2
    assert run("check", str(tmp_path)).returncode == 2  # no plan.toml
    r = run("check", "plans", "--format", "yaml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    r = run("set", "account", "harbor-hvac", "tier", "not toml", "-C", "plans")
    assert r.returncode == 2 and "not a TOML value" in r.stderr


def test_get_entity_field_and_json(plan_dir, capsys):
    assert main(["get", "account", "harbor-hvac", "-C", str(plan_dir)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("[[account]]\nid = \"harbor-hvac\"") and "[[account.committee]]" in out
    assert main(["get", "account", "harbor-hvac", "tier", "-C", str(plan_dir)]) == 0
    assert capsys.readouterr().out == "1\n"
    assert main(["get", "account", "harbor-hvac", "name", "--raw", "-C", str(plan_dir)]) == 0
    assert capsys.readouterr().out == "Harbor HVAC Services\n"
    assert main(["get", "key_result", "grow-pipeline/sourced-pipeline", "--json", "-C", str(plan_dir)]) == 0
    assert json.loads(capsys.readouterr().out)["id"] == "sourced-pipeline"


def test_set_add_rm_round_trip(plan_dir, capsys):
    assert main(["set", "account", "harbor-hvac", "next_step_due", "2026-12-04", "-C", str(plan_dir)]) == 0
    assert "next_step_due = 2026-12-04\n" in (plan_dir / "accounts.toml").read_text()
    assert main(["add", "account", "acme", 'name="Acme"', 'domain="acme.example"', "tier=2", 'stage="target"',
                 'sales_owner="luis-romero"', 'marketing_owner="aisha-khan"', "-C", str(plan_dir)]) == 0
    assert main(["get", "account", "acme", "tier", "-C", str(plan_dir)]) == 0
    assert capsys.readouterr().out.endswith("2\n")
    assert main(["rm", "account", "acme", "-C", str(plan_dir)]) == 0
    assert 'id = "acme"' not in (plan_dir / "accounts.toml").read_text()
    assert main(["check", str(plan_dir)]) == 0


def test_set_refused_by_schema_exits_1_and_leaves_file(plan_dir, capsys):
    before = (plan_dir / "accounts.toml").read_bytes()
    assert main(["set", "account", "harbor-hvac", "tier", "7", "-C", str(plan_dir)]) == 1
    assert "schema rejects" in capsys.readouterr().err
    assert (plan_dir / "accounts.toml").read_bytes() == before
    assert main(["set", "account", "harbor-hvac", "tier", "7", "--force", "-C", str(plan_dir)]) == 0


def test_rm_refuses_while_referenced(plan_dir, capsys):
    assert main(["rm", "persona", "it-lead", "-C", str(plan_dir)]) == 1
    err = capsys.readouterr().err
    assert "referred to by" in err and "content " in err


def test_rename_follows_references(plan_dir, capsys):
    assert main(["rename", "member", "tom-becker", "thomas-becker", "-C", str(plan_dir)]) == 0
    assert main(["check", str(plan_dir)]) == 0
    text = "".join(p.read_text() for p in plan_dir.glob("*.toml"))
    assert "tom-becker" not in text and "thomas-becker" in text


def test_unknown_id_is_a_usage_error_with_suggestion(plan_dir, capsys):
    assert main(["get", "account", "harbor", "-C", str(plan_dir)]) == 2
    assert "harbor-hvac" in capsys.readouterr().err


def test_plan_folder_found_upward(plan_dir, capsys):
    sub = plan_dir.parent / "deep" / "er"
    sub.mkdir(parents=True)
    r = run("get", "plan", "plan", "quarter", cwd=plan_dir)
    assert r.returncode == 0 and r.stdout.strip() == '"2026-Q4"'
    r = run("get", "plan", "plan", "quarter", cwd=sub)
    assert r.returncode == 0, r.stderr


@pytest.mark.parametrize("kind", ["account", "content", "goal", "persona", "term", "member"])
def test_kinds_are_addressable(kind, plan_dir, capsys):
    from tui.plan.model import load_plan

    first = load_plan(plan_dir).all(kind)[0]
    assert main(["get", kind, first.id, "id", "-C", str(plan_dir)]) == 0
    assert capsys.readouterr().out.strip() == f'"{first.id}"'


def test_unexpected_failures_are_messages_not_tracebacks(plan_dir, capsys, monkeypatch):
    import tui.plan.validation as validation

    def broken(*a, **k):
        raise RuntimeError("boom")

    monkeypatch.setattr(validation, "validate", broken)
    assert main(["check", str(plan_dir)]) == 1
    err = capsys.readouterr().err
    assert "unexpected error (RuntimeError: boom)" in err and "Traceback" not in err
    monkeypatch.setenv("QUARTERDECK_DEBUG", "1")
    with pytest.raises(RuntimeError):
        main(["check", str(plan_dir)])


def test_an_os_error_names_its_file(plan_dir, capsys, monkeypatch):
    import tui.plan.validation as validation

    def denied(*a, **k):
        raise PermissionError(13, "Permission denied", "/somewhere/locked.toml")

    monkeypatch.setattr(validation, "validate", denied)
    assert main(["check", str(plan_dir)]) == 2
    err = capsys.readouterr().err
    assert "/somewhere/locked.toml: Permission denied" in err and "Traceback" not in err


def test_a_command_runs_without_automatic_garbage_collection_and_gives_it_back(monkeypatch, tmp_path):
    """Short-lived commands leave collection off (their objects live until they end); the
    caller's setting is restored after, a failing command included."""
    import gc

    from tests.conftest import gc_seen
    from tui.cli import main
    from tui.cli import plan as plan_cli

    seen = gc_seen(monkeypatch, plan_cli, "cmd_check")
    assert gc.isenabled()
    assert main(["check", str(EXAMPLE), "--format", "json"]) == 0
    assert seen == [False] and gc.isenabled()
    assert main(["check", str(tmp_path / "nowhere")]) == 2  # an error on the way out
    assert seen == [False, False] and gc.isenabled()
    gc.disable()
    try:
        main(["check", str(EXAMPLE), "--format", "json"])
        assert not gc.isenabled()  # left as the caller had it
    finally:
        gc.enable()


def test_a_run_of_one_command_makes_its_parser_alone_and_it_reads_as_the_full_one(capsys):
    from tui.cli import all_commands, build_parser

    full = build_parser()
    for name in sorted(all_commands()):
        one = build_parser(only=name)
        helps = []
        for parser in (full, one):
            with pytest.raises(SystemExit):
                parser.parse_args([name, "--help"])
            helps.append(capsys.readouterr().out)
        assert helps[0] == helps[1] and name in helps[0], name
        # the other commands are not made: naming one is an error of that parser
        other = next(c for c in sorted(all_commands()) if c != name)
        with pytest.raises(SystemExit):
            one.parse_args([other])
        capsys.readouterr()
    args = build_parser(only="set").parse_args(["set", "account", "acme", "tier", "2", "-C", "plans"])
    assert (args.command, args.kind, args.id, args.field, args.value, args.plan) == \
        ("set", "account", "acme", "tier", "2", "plans")
