"""Case 13 for commits (with 29 and 33): a plan commit killed half-way.

A process running ``commit_plan`` is killed (SIGKILL) at each step of the commit
(``QUARTERDECK_CRASH_AT``), and while git itself runs the pre-commit hook (the whole
process group killed, git included).  Afterwards the repository is consistent: nothing
is staged that a plain ``git commit`` would sweep in (the index's tree is HEAD's), a
lock file git left behind is explained and never removed, and ``quarterdeck commit``
works again (once that lock is gone) and takes back what the killed one had marked.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE, ROOT
from tests.history.conftest import isolated_git  # noqa: F401 - fixture (autouse): git's configuration is the test's
from tests.history.helpers import git, init_repo
from tui.history.commit import COMMIT_STEPS, JOURNAL

pytestmark = pytest.mark.git

CHILD = r"""
import sys
from tui.history.repo import PlanRepo
from tui.history.commit import commit_plan
with PlanRepo(sys.argv[1]) as prepo:
    commit_plan(prepo, "Killed or not")
print("committed", flush=True)
"""


@pytest.fixture
def repo(tmp_path) -> Path:
    """The example plan committed without messaging.toml (so a commit must add a file git
    does not know yet), then goals.toml changed: a commit has a tracked and a new file."""
    root = init_repo(tmp_path / "repo")
    shutil.copytree(EXAMPLE, root / "plans")
    git(root, "add", "plans")
    git(root, "reset", "--quiet", "--", "plans/messaging.toml")
    git(root, "commit", "--quiet", "-m", "Start the plan")
    goals = root / "plans" / "goals.toml"
    goals.write_text(goals.read_text().replace("actual = 2150000", "actual = 2200000", 1))
    return root


def env_for(**extra) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **extra)
    env.pop("QUARTERDECK_CRASH_AT", None)
    env.update(extra)
    return env


def run_child(root: Path, crash_at: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", CHILD, str(root / "plans")], cwd=root, capture_output=True,
                          text=True, env=env_for(QUARTERDECK_CRASH_AT=crash_at), timeout=120)


def quarterdeck(root: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "tui", *args], cwd=root, capture_output=True, text=True,
                          env=env_for(), timeout=120)


def index_is_head(root: Path) -> bool:
    """What a plain `git commit` would commit now is exactly HEAD (nothing swept in)."""
    return git(root, "write-tree").strip() == git(root, "rev-parse", "HEAD^{tree}").strip()


def marked_files(root: Path) -> list[str]:
    """Index entries that are only an intent to add (`git add -N`)."""
    out = git(root, "ls-files", "--debug", "--", "plans")
    names, current = [], None
    for line in out.splitlines():
        if not line.startswith(" "):
            current = line
        elif "flags:" in line and current and int(line.split("flags:")[1].split()[0], 16) & 0x20000000:
            names.append(current)
    return names


def plan_is_committed(root: Path) -> None:
    assert git(root, "status", "--porcelain", "--", "plans").strip() == ""
    assert not (root / ".git" / JOURNAL).exists()
    assert marked_files(root) == []
    tree = git(root, "ls-tree", "--name-only", "HEAD", "plans/").split()
    assert "plans/messaging.toml" in tree and "plans/goals.toml" in tree
    assert "actual = 2200000" in git(root, "show", "HEAD:plans/goals.toml")


@pytest.mark.parametrize("point", COMMIT_STEPS)
def test_case_13_commit_killed_at_each_step_leaves_a_consistent_repository(repo, point):
    head = git(repo, "rev-parse", "HEAD").strip()
    child = run_child(repo, point)
    assert child.returncode == -signal.SIGKILL, child.stderr
    committed = git(repo, "rev-parse", "HEAD").strip() != head
    assert committed == (point in ("commit-ran", "commit-done"))
    # nothing half-staged: a plain `git commit` now would commit HEAD's tree again
    assert index_is_head(repo)
    assert not (repo / ".git" / "index.lock").exists()
    if point == "commit-marked":
        assert marked_files(repo) == ["plans/messaging.toml"]  # a mark only, which `git commit` never takes
    # a plain `git commit` takes nothing of the plan
    plain = subprocess.run(["git", "commit", "-m", "unrelated"], cwd=repo, capture_output=True, text=True)
    assert plain.returncode != 0 and git(repo, "rev-parse", "HEAD").strip() == (
        head if not committed else git(repo, "rev-parse", "HEAD").strip())
    # and the next plan commit works, taking back the killed one's marks first
    again = quarterdeck(repo, "commit", "-C", "plans", "-m", "Commit again")
    assert again.returncode == 0, again.stderr
    if not committed:
        assert "Commit again" in git(repo, "log", "-1", "--format=%s")
        if point == "commit-marked":
            assert "mark was taken back" in again.stderr
    plan_is_committed(repo)


def test_case_29_commit_killed_while_git_runs_the_hook_leaves_the_lock_explained(repo):
    hook = repo / ".git" / "hooks" / "pre-commit"
    started = repo / "hook-started"
    hook.write_text(f"#!/bin/sh\ntouch '{started}'\nsleep 30\n")
    hook.chmod(0o755)
    head = git(repo, "rev-parse", "HEAD").strip()
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(repo / "plans")], cwd=repo, env=env_for(),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not started.exists():
            assert time.monotonic() < deadline, "the hook never ran"
            assert child.poll() is None, child.communicate()
            time.sleep(0.05)
        os.killpg(child.pid, signal.SIGKILL)  # the whole group: Python, git and the hook
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            os.killpg(child.pid, signal.SIGKILL)
            child.wait()
        child.stdout.close()
        child.stderr.close()
    lock = repo / ".git" / "index.lock"
    assert lock.exists()  # git died holding it
    assert git(repo, "rev-parse", "HEAD").strip() == head
    hook.unlink()
    refused = quarterdeck(repo, "commit", "-C", "plans", "-m", "Commit again")
    assert refused.returncode != 0
    assert "index.lock" in refused.stderr and "stopped while git was committing" in refused.stderr
    assert "remove the lock file yourself" in refused.stderr and "Traceback" not in refused.stderr
    assert lock.exists()  # never removed by Quarterdeck
    assert git(repo, "rev-parse", "HEAD").strip() == head
    lock.unlink()  # what the message asks the user to do
    assert index_is_head(repo)
    again = quarterdeck(repo, "commit", "-C", "plans", "-m", "Commit again")
    assert again.returncode == 0, again.stderr
    plan_is_committed(repo)


def test_case_33_killed_commit_never_sweeps_the_users_staged_files_in(repo):
    """The user's own staged file stays staged, and out of the plan commits."""
    (repo / "README.md").write_text("mine\n")
    git(repo, "add", "README.md")
    child = run_child(repo, "commit-marked")
    assert child.returncode == -signal.SIGKILL
    again = quarterdeck(repo, "commit", "-C", "plans", "-m", "Commit again")
    assert again.returncode == 0, again.stderr
    assert "README.md" not in git(repo, "show", "--name-only", "--format=", "HEAD")
    assert git(repo, "diff", "--cached", "--name-only").split() == ["README.md"]
    plan_is_committed(repo)


def test_case_18_a_running_commit_is_not_cleaned_up_by_another(repo, monkeypatch):
    """A journal whose process is alive means a commit is under way: the second is told."""
    import json
    import socket

    from tui.history.commit import recover_interrupted
    from tui.history.repo import PlanRepo
    from tui.plan.problems import PlanError

    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        (repo / ".git" / JOURNAL).write_text(json.dumps({"pid": sleeper.pid, "host": socket.gethostname(),
                                                         "started": "now", "marked": []}))
        with PlanRepo(repo / "plans") as prepo, pytest.raises(PlanError, match="another Quarterdeck commit"):
            recover_interrupted(prepo)
        assert (repo / ".git" / JOURNAL).exists()
    finally:
        sleeper.kill()
        sleeper.wait()
