"""Concurrency: many CLI writers at the same instant, on one plan file and on several.

Each round starts several ``quarterdeck set``/``add``/``rename`` processes that wait at a
common start time (imports done) and then run the real command line.  Afterwards every
process has exited 0 (or with a clear lock timeout, never a silent loss) and every edit
reported saved is on disk.  ``QUARTERDECK_CONCURRENCY_ROUNDS`` sets the number of rounds
(default 8, to stay near 30 s; 20 or more on demand).  Also: a `git checkout` racing a save never leaves a mix of the two.
"""

from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import time

import pytest

from tests.conftest import ROOT
from tui.plan.document import parse_toml
from tui.plan.model import load_plan
from tui.plan.validation import validate

ROUNDS = int(os.environ.get("QUARTERDECK_CONCURRENCY_ROUNDS", "8"))

# The real command line, started by all writers of a round at one instant: each one
# imports, says "ready" on stderr, and waits for a line on stdin.
AT_START = r"""
import sys
from tui.cli import main
import tui.cli.plan, tui.plan.edit, tui.plan.model, tui.plan.refs, tui.plan.validation  # noqa: F401
print("ready", file=sys.stderr, flush=True)
sys.stdin.readline()
sys.exit(main(sys.argv[1:]))
"""


def _start(commands: list[list[str]], plan_dir, **env_extra) -> list[subprocess.Popen]:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUARTERDECK_LOCK_TIMEOUT="20", **env_extra)
    env.pop("QUARTERDECK_CRASH_AT", None)
    procs = [subprocess.Popen([sys.executable, "-c", AT_START, *cmd, "-C", str(plan_dir)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for cmd in commands]
    for proc in procs:
        assert proc.stderr.readline().strip() == "ready"
    for proc in procs:
        proc.stdin.write("go\n")
        proc.stdin.flush()
    return procs


def _launch(commands: list[list[str]], plan_dir) -> list[subprocess.CompletedProcess]:
    procs = _start(commands, plan_dir)
    results = []
    for cmd, proc in zip(commands, procs):
        out, err = proc.communicate(timeout=180)
        results.append(subprocess.CompletedProcess(cmd, proc.returncode, out, err))
    return results


def _check(results) -> list:
    """The commands that reported success; a failure must be a clear lock timeout."""
    done = []
    for r in results:
        assert "Traceback" not in r.stderr and "unexpected" not in r.stderr, r.stderr
        if r.returncode == 0:
            done.append(r.args)
        else:
            assert r.returncode == 1 and "is being saved by" in r.stderr, (r.args, r.returncode, r.stderr)
    return done


def test_concurrent_cli_writers_never_lose_an_edit(plan_dir):
    rng = random.Random(44)
    accounts = [e.id for e in load_plan(plan_dir).all("account")]
    goals = [e.id for e in load_plan(plan_dir).all("goal")]
    personas = [e.id for e in load_plan(plan_dir).all("persona")]
    content = [e.id for e in load_plan(plan_dir).all("content")]
    total = 0
    for round_no in range(ROUNDS):
        n = rng.randint(4, 6)
        if round_no % 2 == 0:  # different entities of one file
            targets = [("account", a, "next_step") for a in rng.sample(accounts, n)]
        else:  # one file each, several files
            pool = ([("account", a, "next_step") for a in accounts] + [("goal", g, "title") for g in goals]
                    + [("persona", p, "role") for p in personas] + [("content", c, "title") for c in content])
            targets = rng.sample(pool, n)
        commands = [["set", kind, id_, field, f'"round {round_no} {kind} {id_}"'] for kind, id_, field in targets]
        if round_no % 5 == 4:  # an add to the same file as well
            commands.append(["add", "account", f"added-{round_no}", 'name="Added"', 'domain="added.example"',
                             "tier=3", 'stage="target"', 'sales_owner="tom-becker"', 'marketing_owner="sam-oduya"'])
        done = _check(_launch(commands, plan_dir))
        plan = load_plan(plan_dir)
        assert not plan.syntax_errors
        for cmd in done:
            if cmd[0] == "set":
                _, kind, id_, field, value = cmd
                assert plan.get(kind, id_).data[field] == value.strip('"'), f"round {round_no}: lost {cmd}"
            else:
                assert plan.find("account", cmd[2]) is not None, f"round {round_no}: lost {cmd}"
        total += len(done)
    assert total >= ROUNDS * 4 * 0.9  # nearly all finished within the generous wait
    assert not [p for p in validate(load_plan(plan_dir)) if p.severity == "error"]


def test_concurrent_renames_and_sets_across_files_keep_every_edit(plan_dir):
    for round_no in range(max(2, ROUNDS // 7)):
        members = [m.id for m in load_plan(plan_dir).all("member")]
        member = members[round_no % len(members)]
        accounts = [e.id for e in load_plan(plan_dir).all("account")][:4]
        commands = [["rename", "member", member, f"{member}-r{round_no}"]]
        commands += [["set", "account", a, "next_step", f'"r{round_no} {a}"'] for a in accounts]
        done = _check(_launch(commands, plan_dir))
        plan = load_plan(plan_dir)
        for cmd in done:
            if cmd[0] == "rename":
                assert plan.find("member", cmd[3]) is not None and plan.find("member", cmd[2]) is None
            else:
                assert plan.get("account", cmd[2]).data["next_step"] == cmd[4].strip('"')
        assert not [p for p in validate(plan) if p.code == "ref.unknown"]


def test_git_checkout_racing_a_save_leaves_one_whole_version(plan_dir, tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git = ["git", "-C", str(plan_dir), "-c", "user.name=T", "-c", "user.email=t@example.com"]
    subprocess.run(git[:3] + ["init", "-q"], check=True)
    subprocess.run(git + ["add", "-A"], check=True)
    subprocess.run(git + ["commit", "-qm", "base"], check=True)
    base = (plan_dir / "accounts.toml").read_bytes()
    for run in range(max(3, ROUNDS // 5)):
        (plan_dir / "accounts.toml").write_bytes(base)
        (setter,) = _start([["set", "account", "harbor-hvac", "next_step", f'"race {run}"']], plan_dir)
        time.sleep(random.Random(run).uniform(0, 0.4))
        subprocess.run(git + ["checkout", "-q", "--", "accounts.toml"], check=True)
        out, err = setter.communicate(timeout=120)
        assert "Traceback" not in err
        text = (plan_dir / "accounts.toml").read_bytes()
        data = parse_toml(text.decode())  # always one whole version
        if setter.returncode == 0 and text != base:
            assert data["account"][0]["next_step"] == f"race {run}"
        else:
            assert text == base or data["account"][0]["next_step"] == f"race {run}"
