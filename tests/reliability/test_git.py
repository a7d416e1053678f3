"""The git faults of RELIABILITY.md (cases 24-38) and the git-driver part of case 47,
one test (at least) per case, named after it."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from tests.history.conftest import committed, isolated_git, repo  # noqa: F401 - fixtures
from tests.history.helpers import EXAMPLE, edit, git, head, init_repo, run_cli
from tui.history.repo import PlanRepo

pytestmark = pytest.mark.git


def hook(repo: Path, name: str, body: str) -> None:
    path = repo / ".git" / "hooks" / name
    path.write_text("#!/bin/sh\n" + body)
    path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)


def _fake_gpg(tmp_path: Path, ok: bool) -> Path:
    script = tmp_path / ("gpg-ok" if ok else "gpg-broken")
    if ok:
        script.write_text("#!/bin/sh\ncat >/dev/null\necho '[GNUPG:] SIG_CREATED D 1 8 00 0 0' >&2\n"
                          "printf -- '-----BEGIN PGP SIGNATURE-----\\n\\nZmFrZQ==\\n-----END PGP SIGNATURE-----\\n'\n")
    else:
        script.write_text("#!/bin/sh\ncat >/dev/null\necho 'gpg: signing failed: No secret key' >&2\nexit 2\n")
    script.chmod(0o755)
    return script


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _children() -> int:
    me = str(os.getpid())
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                with open(f"/proc/{pid}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if fields[1] == me and fields[0] != "Z":
                count += 1
    return count


def test_case_24_not_a_repository_is_a_clear_message_and_never_git_init(tmp_path, capsys):
    plans = tmp_path / "plans"
    shutil.copytree(Path(__file__).resolve().parents[2] / "plans", plans)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 2
    assert "not inside a git repository" in err and "Traceback" not in err
    assert not (tmp_path / ".git").exists() and not (plans / ".git").exists()
    code, _, err = run_cli(capsys, "log", "-C", str(plans))
    assert code == 2 and "git init" in err


def test_case_25_first_commit_in_a_repository_with_no_commits(repo, capsys):
    code, out, err = run_cli(capsys, "commit", "-C", str(repo / "plans"), "-m", "Start")
    assert code == 0, err
    files = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    from tui.plan.registry import PLAN_FILES

    assert sorted(files) == sorted(f"plans/{n}" for n in PLAN_FILES)


def test_case_26_detached_head_is_refused(committed, capsys):
    git(committed, "checkout", "--quiet", "--detach")
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 1 and "detached" in err and "git switch" in err


@pytest.mark.parametrize("state", ["MERGE_HEAD", "CHERRY_PICK_HEAD", "REVERT_HEAD", "rebase-merge", "rebase-apply",
                                   "BISECT_LOG"])
def test_case_27_operation_in_progress_is_refused(committed, capsys, state):
    marker = committed / ".git" / state
    if state.startswith("rebase"):
        marker.mkdir()
    else:
        marker.write_text(head(committed) + "\n")
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    before = head(committed)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 1 and "in progress" in err
    assert head(committed) == before


def test_case_27_real_merge_and_bisect_in_progress_are_refused(committed, capsys):
    plans = committed / "plans"
    git(committed, "checkout", "--quiet", "-b", "other")
    (committed / "notes.txt").write_text("theirs\n")
    git(committed, "add", "notes.txt")
    git(committed, "commit", "--quiet", "-m", "theirs")
    git(committed, "checkout", "--quiet", "main")
    (committed / "notes.txt").write_text("ours\n")
    git(committed, "add", "notes.txt")
    git(committed, "commit", "--quiet", "-m", "ours")
    git(committed, "merge", "other", check=False)
    edit(plans, "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1 and "a merge is in progress" in err
    git(committed, "merge", "--abort")
    git(committed, "bisect", "start")
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1 and "bisect" in err


def test_case_28_unresolved_conflicts_in_the_index_are_refused(committed, capsys):
    (committed / "notes.txt").write_text("one\n")
    git(committed, "add", "notes.txt")
    git(committed, "commit", "--quiet", "-m", "notes")
    (committed / "notes.txt").write_text("two\n")
    git(committed, "stash", "--quiet")
    (committed / "notes.txt").write_text("three\n")
    git(committed, "commit", "--quiet", "-am", "three")
    git(committed, "stash", "pop", check=False)  # conflicts, with no operation in progress
    assert git(committed, "ls-files", "-u").strip()
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 1 and "unresolved conflicts" in err and "notes.txt" in err


def test_case_29_index_lock_is_a_clear_error_and_left_alone(committed, capsys):
    lock = committed / ".git" / "index.lock"
    lock.write_text("")
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 1 and "index.lock" in err and "another git process" in err
    assert lock.exists()


def test_case_30_failing_pre_commit_hook_keeps_the_file_restores_the_index_and_shows_its_output(committed, capsys):
    plans = committed / "plans"
    hook(committed, "pre-commit", 'echo "policy check: accounts need a review" >&2\nexit 1\n')
    edit(plans, "account", "harbor-hvac", "tier", 2)
    saved = (plans / "accounts.toml").read_bytes()
    before = head(committed)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1
    assert "pre-commit hook refused the commit" in err and "policy check: accounts need a review" in err
    assert head(committed) == before
    assert (plans / "accounts.toml").read_bytes() == saved
    # the index is as it was: the plan file is not left staged
    assert git(committed, "diff", "--cached", "--name-only").strip() == ""
    assert "plans/accounts.toml" in git(committed, "diff", "--name-only")


def test_case_30_refused_commit_keeps_the_users_staged_files_and_staged_versions(committed, capsys):
    plans = committed / "plans"
    (committed / "notes.txt").write_text("mine\n")
    git(committed, "add", "notes.txt")
    edit(plans, "account", "harbor-hvac", "tier", 2)
    git(committed, "add", "plans/accounts.toml")  # the user staged this version
    staged = git(committed, "ls-files", "--stage", "--", "plans/accounts.toml")
    edit(plans, "account", "harbor-hvac", "tier", 3)
    edit(plans, "goal", "grow-pipeline", "title", "Grow the pipeline")  # not staged
    hook(committed, "pre-commit", 'echo "no commits today" >&2\nexit 1\n')
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1 and "no commits today" in err
    assert git(committed, "ls-files", "--stage", "--", "plans/accounts.toml") == staged
    assert sorted(git(committed, "diff", "--cached", "--name-only").split()) == ["notes.txt", "plans/accounts.toml"]
    assert "plans/goals.toml" not in git(committed, "diff", "--cached", "--name-only")


def test_case_30_hook_that_modifies_files_is_revalidated_and_shown(committed, capsys):
    plans = committed / "plans"
    hook(committed, "pre-commit",
         "sed -i 's/^icp_fit = 94$/icp_fit = 95/' plans/accounts.toml\ngit add plans/accounts.toml\n")
    edit(plans, "account", "harbor-hvac", "tier", 2)
    code, out, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 0, err
    assert "a hook changed accounts.toml" in err
    assert "account harbor-hvac: icp_fit 94 → 95" in err
    assert "icp_fit = 95" in git(committed, "show", "HEAD:plans/accounts.toml")


def test_case_31_gpgsign_signs_through_git_commit(committed, tmp_path, capsys):
    git(committed, "config", "commit.gpgsign", "true")
    git(committed, "config", "gpg.program", str(_fake_gpg(tmp_path, ok=True)))
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 0, err
    assert "gpgsig -----BEGIN PGP SIGNATURE-----" in git(committed, "cat-file", "commit", "HEAD")


def test_case_31_gpg_failure_is_an_error(committed, tmp_path, capsys):
    git(committed, "config", "commit.gpgsign", "true")
    git(committed, "config", "gpg.program", str(_fake_gpg(tmp_path, ok=False)))
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    before = head(committed)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 1 and "could not sign" in err
    assert head(committed) == before


def test_case_32_missing_identity_is_a_clear_error(tmp_path, capsys):
    root = init_repo(tmp_path / "r", identity=False)
    shutil.copytree(Path(__file__).resolve().parents[2] / "plans", root / "plans")
    code, _, err = run_cli(capsys, "commit", "-C", str(root / "plans"))
    assert code == 1
    assert "git config user.name" in err and "git config user.email" in err
    assert git(root, "rev-parse", "--verify", "--quiet", "HEAD", check=False) == ""


def test_case_33_other_staged_files_stay_staged_and_out_of_the_commit(committed, capsys):
    (committed / "README.md").write_text("notes\n")
    git(committed, "add", "README.md")
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 0, err
    assert git(committed, "show", "--name-only", "--format=", "HEAD").split() == ["plans/accounts.toml"]
    assert git(committed, "diff", "--cached", "--name-only").split() == ["README.md"]


def test_case_34_plan_folder_named_like_an_option(tmp_path, capsys):
    root = init_repo(tmp_path / "r")
    shutil.copytree(Path(__file__).resolve().parents[2] / "plans", root / "-plans")
    code, _, err = run_cli(capsys, "commit", "-C", str(root / "-plans"), "-m", "dash")
    assert code == 0, err
    assert "-plans/plan.toml" in git(root, "show", "--name-only", "--format=", "HEAD").split()
    with PlanRepo(root / "-plans") as prepo:
        assert prepo.tag_name("2026-Q4") == "plan/plans/2026-Q4"


def test_case_34_symlink_and_folder_outside_the_repository_are_refused(committed, tmp_path, capsys):
    plans = committed / "plans"
    outside = tmp_path / "elsewhere.toml"
    outside.write_bytes((plans / "glossary.toml").read_bytes())
    (plans / "glossary.toml").unlink()
    (plans / "glossary.toml").symlink_to(outside)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1 and "symbolic link" in err
    other = tmp_path / "loose-plan"
    shutil.copytree(Path(__file__).resolve().parents[2] / "plans", other)
    (committed / "linked").symlink_to(other)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "linked"))
    assert code == 2 and "not inside a git repository" in err


def test_case_34_revisions_starting_with_a_dash_are_refused(committed, capsys):
    code, _, err = run_cli(capsys, "diff", "-C", str(committed / "plans"), "--", "--output=stolen.txt")
    assert code == 2 and "cannot start with '-'" in err


def test_case_35_dubious_ownership_is_a_clear_error_never_whitelisted(committed, capsys, monkeypatch, isolated_git):
    monkeypatch.setenv("GIT_TEST_ASSUME_DIFFERENT_OWNER", "1")
    edit(committed / "plans", "account", "harbor-hvac", "tier", 2)
    code, _, err = run_cli(capsys, "commit", "-C", str(committed / "plans"))
    assert code == 1 and "dubious ownership" in err and "never changes that setting" in err
    assert "safe.directory" not in isolated_git.read_text()
    assert "safe" not in (committed / ".git" / "config").read_text()


def test_case_36_shallow_clone_commits_and_says_where_history_is_cut_off(committed, tmp_path, capsys):
    for tier in (2, 3):
        edit(committed / "plans", "account", "harbor-hvac", "tier", tier)
        git(committed, "commit", "--quiet", "-am", f"tier {tier}")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth=1", f"file://{committed}", str(clone))
    git(clone, "config", "user.name", "Clone Person")
    git(clone, "config", "user.email", "clone@example.com")
    edit(clone / "plans", "account", "harbor-hvac", "tier", 1)
    code, _, err = run_cli(capsys, "commit", "-C", str(clone / "plans"))
    assert code == 0, err
    code, out, _ = run_cli(capsys, "log", "-C", str(clone / "plans"))
    assert code == 0
    lines = out.splitlines()
    assert len([ln for ln in lines if ln[:1].isalnum()]) == 2
    assert "history is cut off here (shallow clone)" in lines[-1]
    code, out, _ = run_cli(capsys, "log", "-C", str(clone / "plans"), "--format", "json")
    assert '"boundary": true' in out


def test_case_36_shallow_clone_diff_to_a_quarter_says_history_is_cut_off(committed, tmp_path, capsys):
    plans = committed / "plans"
    code, _, err = run_cli(capsys, "tag", "2026-Q1", "-C", str(plans))
    assert code == 0, err
    for tier in (2, 3):
        edit(plans, "account", "harbor-hvac", "tier", tier)
        git(committed, "commit", "--quiet", "-am", f"tier {tier}")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", "--depth=1", "--no-tags", f"file://{committed}", str(clone))
    code, out, err = run_cli(capsys, "diff", "2026-Q1", "HEAD", "-C", str(clone / "plans"))
    assert code != 0
    assert "shallow clone" in err and "cut off" in err and "git fetch --unshallow" in err
    assert "Tag a quarter" not in err


def test_case_37_eol_attributes_commit_what_was_validated(committed, capsys):
    plans = committed / "plans"
    (committed / ".gitattributes").write_text("*.toml text eol=crlf\n")
    git(committed, "add", ".gitattributes")
    git(committed, "commit", "--quiet", "-m", "attributes")
    crlf = (plans / "glossary.toml").read_bytes().replace(b"\n", b"\r\n")
    (plans / "glossary.toml").write_bytes(crlf.replace(b'term = "Lead"', b'term = "Leads"'))
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 0, err
    assert "git stores glossary.toml converted" in err
    stored = git(committed, "cat-file", "blob", "HEAD:plans/glossary.toml")
    assert "\r" not in stored and 'term = "Leads"' in stored


def test_case_37_autocrlf_commit_checks_the_stored_bytes(committed, capsys):
    plans = committed / "plans"
    git(committed, "config", "core.autocrlf", "true")
    raw = (plans / "accounts.toml").read_bytes().replace(b"\n", b"\r\n").replace(b"tier = 1", b"tier = 2", 1)
    (plans / "accounts.toml").write_bytes(raw)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 0, err
    assert "converted" in err
    stored = git(committed, "cat-file", "blob", "HEAD:plans/accounts.toml")
    assert "\r" not in stored and "tier = 2" in stored


def test_case_37_a_filter_that_changes_the_data_is_refused(committed, capsys):
    plans = committed / "plans"
    git(committed, "config", "filter.bump.clean", "sed 's/^tier = 1$/tier = 3/'")
    git(committed, "config", "filter.bump.smudge", "cat")
    (committed / ".gitattributes").write_text("plans/accounts.toml filter=bump\n")
    edit(plans, "account", "harbor-hvac", "icp_fit", 93)
    before = head(committed)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans))
    assert code == 1 and "holds different data" in err
    assert head(committed) == before


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc")
def test_case_38_opening_and_closing_a_thousand_times_leaks_nothing(committed):
    plans = committed / "plans"
    blob = git(committed, "rev-parse", "HEAD:plans/plan.toml").strip()
    with PlanRepo(plans) as prepo:  # warm up imports and caches
        prepo.read_blob(blob)
    fds, kids = _fds(), _children()
    for _ in range(1000):
        with PlanRepo(plans) as prepo:
            assert prepo.read_blob(blob)  # starts GitPython's persistent cat-file process
    assert _fds() == fds
    assert _children() == kids


def test_case_47_control_characters_never_reach_a_terminal_through_the_git_drivers(committed, tmp_path, capsys):
    import re

    from tui.history.textconv import textconv_bytes

    raw = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
    hostile = "X\x1b]0;pwned\x07 \x1b[2J \x1b[31mred \x9b1m \x07bell"
    plans = committed / "plans"
    edit(plans, "account", "harbor-hvac", "name", hostile)
    # textconv (what `git diff` runs with `git-setup --semantic`)
    out = textconv_bytes((plans / "accounts.toml").read_bytes(), "plans/accounts.toml")
    assert raw.findall(out) == [] and "\\x1b]0;pwned\\x07" in out and "\\x9b" in out
    code, _, err = run_cli(capsys, "git-setup", "--semantic", "-C", str(plans))
    assert code == 0, err
    out = git(committed, "diff")
    assert raw.findall(out) == [] and "pwned" in out
    # the merge driver's messages (a conflict on an entity whose id holds escapes)
    base = (EXAMPLE / "accounts.toml").read_text()
    base = base.replace('id = "harbor-hvac"', 'id = "harbor-\\u001b[2J-hvac"', 1)
    ours = base.replace("tier = 1", "tier = 2", 1)
    theirs = base.replace("tier = 1", "tier = 3", 1)
    files = []
    for name, text in (("base", base), ("ours", ours), ("theirs", theirs)):
        path = tmp_path / f"{name}.toml"
        path.write_text(text)
        files.append(str(path))
    code, out, err = run_cli(capsys, "merge-file", *files, "plans/accounts.toml")
    assert code == 1 and "harbor-" in err
    assert raw.findall(out + err) == []
