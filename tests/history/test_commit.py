"""quarterdeck commit and tag (the git faults of RELIABILITY.md, cases 24-38, are in tests/reliability/test_git.py)."""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

import pytest

from tests.history.helpers import edit, git, head, run_cli
from tui.history.commit import commit_plan
from tui.history.errors import HistoryError
from tui.history.repo import PlanRepo

pytestmark = pytest.mark.git


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def test_commit_summarises_changes_and_tags_the_quarter(committed, capsys):
    plans = committed / "plans"
    edit(plans, "key_result", "grow-pipeline/sourced-pipeline", "target", 3200000)
    edit(plans, "account", "harbor-hvac", "tier", 2)
    code, out, err = run_cli(capsys, "commit", "-C", str(plans), "-m", "Raise the pipeline target", "--quarter")
    assert code == 0, err
    assert "tagged plan/2026-Q4" in out
    message = git(committed, "log", "-1", "--format=%B")
    assert message.startswith("Raise the pipeline target\n")
    assert "key_result grow-pipeline/sourced-pipeline: target 3M → 3.2M" in message
    assert "account harbor-hvac: tier 1 → 2" in message
    assert git(committed, "cat-file", "-t", "plan/2026-Q4").strip() == "tag"  # annotated
    assert git(committed, "rev-parse", "plan/2026-Q4^{commit}").strip() == head(committed)
    # nothing left to commit
    code, out, _ = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 0 and "nothing to commit" in out


def test_default_subject_names_the_changes(committed):
    plans = committed / "plans"
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    with PlanRepo(plans) as prepo:
        result = commit_plan(prepo)
    assert result.subject == "Plan 2026-Q4: 1 account changed"
    assert git(committed, "log", "-1", "--format=%s").strip() == result.subject


def test_invalid_plan_is_refused_unless_allowed(committed, capsys):
    plans = committed / "plans"
    edit_text = (plans / "accounts.toml").read_text().replace('sales_owner = "tom-becker"', 'sales_owner = "nobody"', 1)
    (plans / "accounts.toml").write_text(edit_text)
    before = head(committed)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1 and "error" in err and "--allow-invalid" in err
    assert head(committed) == before
    code, _, err = run_cli(capsys, "commit", "-C", str(plans), "--allow-invalid")
    assert code == 0, err
    assert "Committed with --allow-invalid" in git(committed, "log", "-1", "--format=%B")


def test_tag_command_and_existing_tags(committed, capsys):
    plans = committed / "plans"
    code, out, _ = run_cli(capsys, "tag", "2026-Q3", "-C", str(plans))
    assert code == 0 and "plan/2026-Q3" in out
    edit(plans, "account", "harbor-hvac", "tier", 2)
    git(committed, "commit", "--quiet", "-am", "tier")
    code, _, err = run_cli(capsys, "tag", "2026-Q3", "-C", str(plans))
    assert code == 1 and "already marks another revision" in err
    code, _, err = run_cli(capsys, "tag", "2026-Q3", "-C", str(plans), "--force")
    assert code == 0
    assert git(committed, "rev-parse", "plan/2026-Q3^{commit}").strip() == head(committed)
    code, _, err = run_cli(capsys, "tag", "Q3-2026", "-C", str(plans))
    assert code == 2 and "YYYY-QN" in err


def test_history_errors_carry_codes():
    err = HistoryError("x", code="git.locked")
    assert err.code == "git.locked" and err.exit_code == 1


def test_hooks_see_git_as_configured(committed, capsys):
    """The commit's own path handling does not leak into hooks (their pathspecs keep their magic)."""
    plans = committed / "plans"
    hook(committed, "pre-commit", 'test -z "$GIT_LITERAL_PATHSPECS" || { echo "literal pathspecs leaked" >&2; '
                                  'exit 1; }\ngit diff --cached --name-only -- "*.toml" > ../hook-saw.txt\n')
    edit(plans, "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 0, err
    assert (committed.parent / "hook-saw.txt").read_text().split() == ["plans/accounts.toml"]


def test_quarter_tag_on_another_revision_refuses_before_committing(committed, capsys):
    plans = committed / "plans"
    code, _, err = run_cli(capsys, "tag", "2026-Q4", "-C", str(plans))
    assert code == 0, err
    edit(plans, "account", "harbor-hvac", "tier", 2)
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    before = head(committed)
    code, out, err = run_cli(capsys, "commit", "-C", str(plans), "--quarter")
    assert code == 1
    assert "already marks another revision" in err and "nothing was committed" in err
    assert head(committed) == before and "committed" not in out
    assert git(committed, "diff", "--cached", "--name-only").strip() == ""
    # with --force-tag it commits and moves the tag
    code, out, err = run_cli(capsys, "commit", "-C", str(plans), "--quarter", "--force-tag")
    assert code == 0, err
    assert git(committed, "rev-parse", "plan/2026-Q4^{commit}").strip() == head(committed) != before


def test_after_a_commit_the_diff_hint_shows_the_commits_changes(committed, capsys):
    plans = committed / "plans"
    for n, id in enumerate([e for e in ("harbor-hvac", "northgate-utilities", "liftwell-elevator",
                                        "meridian-biomed")]):
        edit(plans, "account", id, "tier", 3)
        edit(plans, "account", id, "icp_fit", 10 + n)
    for id in ("grow-pipeline", "tighten-handoff", "land-dispatch-name", "win-enterprise"):
        edit(plans, "goal", id, "title", f"New title of {id}")
    for i in range(10):
        edit(plans, "member", "dana-okafor", "role", f"Role {i}")
    code, out, err = run_cli(capsys, "commit", "-C", str(plans), "-m", "Many changes")
    assert code == 0, err
    hint = re.search(r"`(quarterdeck diff [0-9a-f]+~1 [0-9a-f]+ -C [^`]+)`", out)
    assert hint, out
    import shlex

    code, shown, err = run_cli(capsys, *shlex.split(hint.group(1))[1:])
    assert code == 0, err
    assert "~ account harbor-hvac" in shown and "~ goal win-enterprise" in shown


def test_first_commit_after_init_takes_the_files_init_wrote(tmp_path, capsys):
    folder = tmp_path / "plan"
    code, out, err = run_cli(capsys, "init", str(folder))
    assert code == 0, err
    git(folder, "config", "user.name", "A")
    git(folder, "config", "user.email", "a@example.com")
    (folder / "unrelated.txt").write_text("not the plan's\n")
    code, out, err = run_cli(capsys, "commit", "-C", str(folder), "-m", "Start the plan")
    assert code == 0, err
    tracked = set(git(folder, "ls-files").split())
    assert {".gitattributes", ".gitignore", ".github/workflows/quarterdeck.yml", "plan.toml"} <= tracked
    assert any(p.startswith("schemas/") for p in tracked)
    assert "unrelated.txt" not in tracked
    status = git(folder, "status", "--porcelain")
    assert status.strip() == "?? unrelated.txt"
