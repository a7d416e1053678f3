"""Helpers for the history tests: git in a folder, the CLI in-process, core edits."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "plans"


def git(cwd, *args, env=None, check=True, input=None) -> str:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, input=input,
                         env=dict(os.environ, **(env or {})))
    if check and out.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed ({out.returncode}):\n{out.stdout}\n{out.stderr}")
    return out.stdout


def init_repo(path: Path, identity: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "--quiet", "--initial-branch=main")
    if identity:
        git(path, "config", "user.name", "Test Person")
        git(path, "config", "user.email", "test@example.com")
    return path


def run_cli(capsys, *args) -> tuple[int, str, str]:
    """Run the command line in-process: (exit code, stdout, stderr)."""
    from tui.cli import main

    capsys.readouterr()
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def edit(plan_dir: Path, kind: str, id: str, field: str, value) -> None:
    """Change one field through the core edit API."""
    from tui.plan.edit import apply_change, set_field
    from tui.plan.model import load_plan

    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, kind, id, field, value))


def head(repo: Path) -> str:
    return git(repo, "rev-parse", "HEAD").strip()
