"""init, demo, the pre-commit hook definition, and the core's independence from Textual."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.history.helpers import ROOT, git, init_repo, run_cli
from tui.history.repo import PlanRepo
from tui.history.revisions import list_revisions
from tui.history.scaffold import check_template
from tui.plan.model import load_plan
from tui.plan.registry import PLAN_FILES
from tui.plan.validation import validate

pytestmark = pytest.mark.git


def test_template_plan_is_valid():
    assert [p for p in check_template("2027-Q2") if p.severity == "error"] == []


def test_init_outside_a_repository(tmp_path, capsys):
    folder = tmp_path / "acme-plan"
    code, out, err = run_cli(capsys, "init", str(folder), "--company", "Acme \"Fleet\" Co", "--quarter", "2027-Q1")
    assert code == 0, err
    plan = load_plan(folder)
    assert [p for p in validate(plan) if p.severity == "error"] == []
    data = plan.get("plan", "plan").data
    assert data["company"] == 'Acme "Fleet" Co' and data["start"] == dt.date(2027, 1, 1)
    for name in PLAN_FILES:
        first = (folder / name).read_text().splitlines()[0]
        m = re.fullmatch(r"#:schema (\S+)", first)
        assert m and (folder / m.group(1)).is_file(), first
    assert (folder / ".git").is_dir()
    assert ".quarterdeck-recovery.json" in (folder / ".gitignore").read_text()
    assert "/plan.toml diff=quarterdeck merge=quarterdeck" in (folder / ".gitattributes").read_text()
    workflow = (folder / ".github" / "workflows" / "quarterdeck.yml").read_text()
    assert 'quarterdeck check "." --format github' in workflow
    assert _matches(workflow_filter(workflow), "plan.toml")
    assert '--format markdown "origin/$BASE_REF...HEAD" >> "$GITHUB_STEP_SUMMARY"' in workflow
    assert "fetch-depth: 0" in workflow
    git(folder, "config", "user.name", "A")
    git(folder, "config", "user.email", "a@example.com")
    code, _, err = run_cli(capsys, "commit", "-C", str(folder), "-m", "Start the plan")
    assert code == 0, err
    code, _, err = run_cli(capsys, "init", str(folder))
    assert code == 1 and "already holds a plan" in err


def test_init_inside_a_repository_uses_its_root(tmp_path, capsys):
    root = init_repo(tmp_path / "company")
    (root / "schemas" / "bundled").mkdir(parents=True)
    (root / "schemas" / "bundled" / "plan.schema.json").write_text("{}")
    code, _, err = run_cli(capsys, "init", str(root / "revenue" / "plan"), "--quarter", "2026-Q4")
    assert code == 0, err
    assert (root / "revenue" / "plan" / "goals.toml").read_text().startswith("#:schema ../../schemas/bundled/goals")
    assert not (root / "revenue" / "plan" / ".git").exists()
    workflow = (root / ".github" / "workflows" / "quarterdeck.yml").read_text()
    assert '"revenue/plan/**"' in workflow and 'quarterdeck check "revenue/plan"' in workflow
    assert "merge-file %O %A %B %P" in git(root, "config", "--local", "--get", "merge.quarterdeck.driver")
    assert _matches(workflow_filter(workflow), "revenue/plan/accounts.toml")
    assert not _matches(workflow_filter(workflow), "revenue/other.toml")


def _glob_regex(pattern: str) -> re.Pattern:
    """A glob as GitHub's paths filters read it: `*` matches within one folder, `**` across
    folders, `?` one character, `[...]` a class; a leading `!` negates (handled by the caller)."""
    out, i = "", 0
    while i < len(pattern):
        c = pattern[i]
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            j = pattern.index("]", i)
            out += pattern[i:j + 1]
            i = j + 1
            continue
        else:
            out += re.escape(c)
        i += 1
    return re.compile(out + r"\Z")


def _matches(patterns: list[str], path: str) -> bool:
    """GitHub's rule: the last matching pattern decides; `!pattern` excludes."""
    hit = False
    for p in patterns:
        neg = p.startswith("!")
        if _glob_regex(p[1:] if neg else p).match(path):
            hit = not neg
    return hit


def workflow_filter(workflow: str, event: str = "pull_request") -> list[str]:
    block = workflow.split(f"  {event}:", 1)[1]
    paths = block.split("paths:", 1)[1]
    out = []
    for line in paths.splitlines()[1:]:
        m = re.match(r'\s+- "(.*)"$', line)
        if not m:
            break
        out.append(m.group(1))
    return out


def test_glob_matcher_follows_githubs_rules():
    assert _matches(["*.toml"], "plan.toml") and not _matches(["*.toml"], "a/plan.toml")
    assert _matches(["**.toml"], "a/b/plan.toml") and _matches(["docs/**"], "docs/a/b.md")
    assert not _matches(["./**"], "plan.toml")  # the filter init once wrote: it never matches
    assert not _matches(["*.toml", "!plan.toml"], "plan.toml")


def test_init_at_the_repository_root_writes_a_workflow_that_runs(tmp_path, capsys):
    root = init_repo(tmp_path / "plan")
    git(root, "checkout", "-q", "-b", "master")
    code, out, err = run_cli(capsys, "init", str(root), "--quarter", "2026-Q4")
    assert code == 0, err
    workflow = (root / ".github" / "workflows" / "quarterdeck.yml").read_text()
    for event in ("pull_request", "push"):
        patterns = workflow_filter(workflow, event)
        for path in ("plan.toml", "accounts.toml", "schemas/bundled/plan.schema.json", ".gitattributes",
                     ".github/workflows/quarterdeck.yml"):
            assert _matches(patterns, path), (event, path, patterns)
        assert not _matches(patterns, "README.md")
    assert 'branches: ["master"]' in workflow
    assert "pip install quarterdeck" not in workflow
    assert "QUARTERDECK_INSTALL" in workflow and 'pip install "$QUARTERDECK_INSTALL"' in workflow
    assert "set QUARTERDECK_INSTALL" in out
    # in Quarterdeck's own repository CI installs it from there
    from tui.history.scaffold import workflow_text

    assert "pip install ." in workflow_text("plans", ["main"], install_here=True)


def test_pre_commit_hook_definition():
    text = (ROOT / ".pre-commit-hooks.yaml").read_text()
    assert "- id: quarterdeck-check" in text
    assert "entry: quarterdeck check" in text and "language: python" in text
    assert "pass_filenames: false" in text


def test_demo_builds_four_quarters_of_history(tmp_path, capsys):
    code, out, err = run_cli(capsys, "demo", "--dir", str(tmp_path / "demo"), "--no-open")
    assert code == 0, err
    plans = Path(out.strip())
    assert plans == tmp_path / "demo" / "plans"
    with PlanRepo(plans) as prepo:
        tags = prepo.quarter_tags()
    assert list(tags) == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    revs = list_revisions(plans)
    assert len(revs) >= 20
    dates = {r.date.date() for r in revs}
    assert min(dates) == dt.date(2026, 1, 5) and max(dates) <= dt.date(2026, 12, 31)
    assert {r.author for r in revs} >= {"Dana Okafor", "Mei Lin", "Rita Alvarez"}
    quarters = {dt.date(2026, 3, 27): "2026-Q1", dt.date(2026, 6, 26): "2026-Q2", dt.date(2026, 9, 28): "2026-Q3"}
    for r in revs:
        for q in r.quarters:
            if q != "2026-Q4":
                assert quarters[r.date.date()] == q
    assert [p for p in validate(load_plan(plans)) if p.severity == "error"] == []
    assert git(plans.parent, "status", "--porcelain").strip() == ""
    code, out, _ = run_cli(capsys, "diff", "2026-Q1", "2026-Q4", "-C", str(plans))
    assert code == 0 and "~ key_result grow-pipeline/sourced-pipeline" in out
    code, _, err = run_cli(capsys, "demo", "--dir", str(tmp_path / "demo"), "--no-open")
    assert code == 1 and "not empty" in err


def test_history_core_never_imports_textual():
    modules = ["tui.history", "tui.history.repo", "tui.history.snapshot", "tui.history.semdiff",
               "tui.history.revisions", "tui.history.commit", "tui.history.textconv", "tui.history.merge",
               "tui.history.gitsetup", "tui.history.rollover", "tui.history.scaffold", "tui.history.demo",
               "tui.cli.history"]
    code = "import importlib, sys\n" + "".join(f"importlib.import_module({m!r})\n" for m in modules) + \
        "bad = [m for m in sys.modules if m == 'textual' or m.startswith('textual.')]\n" \
        "assert not bad, bad\n"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr


def test_init_writes_no_raw_terminal_or_bidi_control(tmp_path):
    from tui.history.scaffold import init_plan
    from tui.plan.model import load_plan

    company = "Acme\u202e\x85\x9b31m Co\x7f\u2066"
    init_plan(tmp_path / "plans", company=company, quarter="2026-Q4")
    for path in (tmp_path / "plans").glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        assert not any(c in text for c in "\u202e\x85\x9b\x7f\u2066"), path.name
    assert load_plan(tmp_path / "plans").get("plan", "plan").data["company"] == company
