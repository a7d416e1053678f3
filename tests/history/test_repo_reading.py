"""How a PlanRepo reads git: blobs through one `git cat-file --batch` process, commands one
at a time, and GitPython only for what walks commits as objects (blame).  A diff, a log
or the app's "not committed" note must not pay GitPython's import (about 0.1 s)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading

import pytest

from tests.history.helpers import ROOT, edit, git
from tui.history.errors import HistoryError
from tui.history.repo import PlanRepo

_IMPORT = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|\s*(\S+)\s*$", re.M)


def _modules(*args: str, cwd) -> tuple[int, set[str], str]:
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui", *args], capture_output=True, text=True,
                       cwd=cwd, timeout=120, env={**os.environ, "PYTHONPATH": str(ROOT)})
    return r.returncode, set(_IMPORT.findall(r.stderr)), r.stdout


def test_blobs_read_back_byte_for_byte(committed):
    with PlanRepo(committed / "plans") as prepo:
        blobs = prepo.tree_blobs(prepo.head())
        assert "accounts.toml" in blobs
        for name, sha in blobs.items():
            assert prepo.read_blob(sha) == git(committed, "show", f"HEAD:plans/{name}").encode("utf-8")
        # the same process answers again, and a blob of zero bytes too
        empty = git(committed, "hash-object", "-w", "--stdin", input="").strip()
        assert prepo.read_blob(empty) == b""
        assert prepo.read_blob(blobs["plan.toml"]) == (committed / "plans" / "plan.toml").read_bytes()


def test_a_missing_or_malformed_object_is_a_clear_error_and_the_reader_goes_on(committed):
    with PlanRepo(committed / "plans") as prepo:
        sha = prepo.tree_blobs(prepo.head())["plan.toml"]
        with pytest.raises(HistoryError) as missing:
            prepo.read_blob("0" * 40)
        assert missing.value.code == "git.object" and "fetch the missing history" in missing.value.message
        for bad in ("HEAD", "--help", sha[:10], sha + "\n" + sha, ""):
            with pytest.raises(HistoryError) as refused:
                prepo.read_blob(bad)
            assert refused.value.code == "git.object"
        with pytest.raises(HistoryError):  # a commit is not a blob
            prepo.read_blob(prepo.head())
        assert prepo.read_blob(sha) == (committed / "plans" / "plan.toml").read_bytes()


def test_blobs_read_from_several_threads_at_once_are_each_whole(committed):
    with PlanRepo(committed / "plans") as prepo:
        blobs = prepo.tree_blobs(prepo.head())
        want = {sha: prepo.read_blob(sha) for sha in blobs.values()}
        wrong = []

        def reader():
            for _ in range(20):
                for sha, raw in want.items():
                    if prepo.read_blob(sha) != raw:
                        wrong.append(sha)

        threads = [threading.Thread(target=reader) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert wrong == []


def test_closing_ends_the_blob_process(committed):
    prepo = PlanRepo(committed / "plans")
    prepo.read_blob(prepo.tree_blobs(prepo.head())["plan.toml"])
    proc = prepo._blobs
    assert proc is not None and proc.poll() is None
    prepo.close()
    assert proc.poll() is not None
    with pytest.raises(HistoryError):
        prepo.read_blob("0" * 40)


def test_command_output_is_text_with_its_last_newline_dropped(committed):
    with PlanRepo(committed / "plans") as prepo:
        out = prepo.git("rev-parse", "HEAD")
        assert re.fullmatch(r"[0-9a-f]{40}", out)
        status, out, err = prepo.run("rev-parse", "--verify", "--quiet", "no-such-rev")
        assert status != 0 and out == ""


def test_diff_and_log_do_not_import_gitpython(committed):
    plan = committed / "plans"
    edit(plan, "account", "harbor-hvac", "tier", 3)
    code, modules, out = _modules("diff", "-C", str(plan), cwd=committed)
    assert code == 0, out
    assert "tier" in out
    assert "tui.history.semdiff" in modules
    assert not {m for m in modules if m == "git" or m.startswith("git.")}, "diff imported GitPython"
    code, modules, out = _modules("log", "-C", str(plan), cwd=committed)
    assert code == 0, out
    assert "Start the plan" in out
    assert not {m for m in modules if m == "git" or m.startswith("git.")}, "log imported GitPython"


def test_blame_still_walks_commits_with_gitpython(committed, capsys):
    from tests.history.helpers import run_cli

    plan = committed / "plans"
    edit(plan, "account", "harbor-hvac", "tier", 3)
    git(committed, "commit", "--quiet", "-am", "Harbor HVAC to tier 3")
    code, out, err = run_cli(capsys, "blame", "account", "harbor-hvac", "tier", "-C", str(plan))
    assert code == 0, err
    assert "Harbor HVAC to tier 3" in out
