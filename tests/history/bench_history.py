"""Benchmark of the history layer: prints numbers, asserts nothing (not collected by pytest).

    python -m tests.history.bench_history [--accounts 10000] [--repeat 3]
    python -m tests.history.bench_history --git-log     # only `git log -p` over the demo

`--git-log` builds the demo repository (`quarterdeck demo`) and times `git log -p` over
it: with no drivers, with the default `git-setup` (real lines, entity hunk headers), and
with `git-setup --semantic` (the cached textconv) first run (empty cache) and repeated.

Builds a plan with many generated accounts in a throwaway repository, commits it, rolls
over to the next quarter (which tags the first), changes some accounts (and adds and
removes a few), commits and tags the second quarter, then times: the semantic diff between the two
quarter tags (cold: files read from git blobs and parsed; warm: parsed files cached by
blob id), rendering it as JSON, HEAD against the working tree, textconv of the
accounts file (what `git diff` runs per version), one `quarterdeck commit`, and the log.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from tests.bigplan import make_big_plan
from tui.history.commit import commit_plan, tag_quarter
from tui.history.repo import PlanRepo
from tui.history.revisions import diff, revisions
from tui.history.rollover import rollover, save_staged
from tui.history.semdiff import render_json
from tui.history.snapshot import clear_cache
from tui.history.textconv import textconv_file
from tui.plan.edit import add_entity, remove_entity, set_field, stage_change
from tui.plan.model import load_plan

ISOLATED = {"GIT_CONFIG_NOSYSTEM": "1"}


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True)


def _time(fn, repeat: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def _edit_accounts(plan_dir: Path, count: int) -> None:
    plan = load_plan(plan_dir)
    ids = [e.id for e in plan.all("account") if e.id.startswith("gen-")]
    step = max(1, len(ids) // count)
    for n, id in enumerate(ids[::step][:count]):
        stage_change(plan, set_field(plan, "account", id, "icp_fit", 10 + n % 80, force=True))
    for id in ids[-3:]:
        stage_change(plan, remove_entity(plan, "account", id))
    for i in range(3):
        stage_change(plan, add_entity(plan, "account", f"bench-new-{i}", {
            "name": f"Bench New {i}", "domain": f"bench-new-{i}.example", "tier": 3, "stage": "target",
            "sales_owner": "luis-romero", "marketing_owner": "aisha-khan"}, force=True))
    save_staged(plan)


def bench_git_log(repeat: int) -> None:
    """`git log -p` over the demo repository with and without the drivers."""
    from tui.history.demo import build_demo
    from tui.history.gitsetup import git_setup

    with tempfile.TemporaryDirectory(prefix="qd-bench-log-") as tmp:
        plan_dir = build_demo(Path(tmp) / "demo")
        root = plan_dir.parent
        count = subprocess.run(["git", "rev-list", "--count", "HEAD"], cwd=root, capture_output=True, text=True)
        print(f"demo: {count.stdout.strip()} commits")

        def log_p() -> int:
            done = subprocess.run(["git", "log", "-p"], cwd=root, capture_output=True, check=True)
            return len(done.stdout)

        def config(*args: str) -> None:
            subprocess.run(["git", "config", "--local", *args], cwd=root, capture_output=True)

        def no_drivers() -> None:
            for key in ("diff.quarterdeck.textconv", "diff.quarterdeck.cachetextconv", "diff.quarterdeck.xfuncname",
                        "merge.quarterdeck.driver"):
                config("--unset-all", key)

        def drop_cache() -> None:
            subprocess.run(["git", "update-ref", "-d", "refs/notes/textconv/quarterdeck"], cwd=root,
                           capture_output=True)

        rows = []
        no_drivers()
        rows.append(("no drivers", *_first_and_repeat(log_p, repeat)))
        with PlanRepo(plan_dir) as prepo:
            git_setup(prepo)
        rows.append(("git-setup (default: real lines, entity hunk headers)", *_first_and_repeat(log_p, repeat)))
        with PlanRepo(plan_dir) as prepo:
            git_setup(prepo, semantic=True)
        drop_cache()
        rows.append(("git-setup --semantic (cached textconv)", *_first_and_repeat(log_p, repeat)))
        config("--unset-all", "diff.quarterdeck.cachetextconv")
        rows.append(("textconv without the cache (the old default)", *_first_and_repeat(log_p, 1)))
        print(f"{'git log -p over the demo':<56} {'first':>8} {'repeated':>9}  output")
        for name, first, again, size in rows:
            print(f"{name:<56} {first:7.2f}s {again:8.2f}s  {size / 1e3:.0f} kB")


def _first_and_repeat(fn, repeat: int) -> tuple[float, float, int]:
    start = time.perf_counter()
    size = fn()
    first = time.perf_counter() - start
    again, _ = _time(fn, repeat)
    return first, again, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--git-log", action="store_true", help="only time `git log -p` over the demo")
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--changes", type=int, default=20, help="accounts changed between the quarters")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    os.environ.update(ISOLATED)
    if args.git_log:
        bench_git_log(args.repeat)
        return

    with tempfile.TemporaryDirectory(prefix="qd-bench-history-") as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        plan_dir = make_big_plan(root / "plans", args.accounts)
        _git(root, "init", "--quiet")
        _git(root, "config", "user.name", "Bench")
        _git(root, "config", "user.email", "bench@example.com")
        size = (plan_dir / "accounts.toml").stat().st_size
        print(f"plan: {args.accounts} accounts, accounts.toml {size / 1e6:.1f} MB")

        with PlanRepo(plan_dir) as prepo:
            start = time.perf_counter()
            commit_plan(prepo, "The quarter's plan", allow_invalid=True)
            print(f"first commit (validate, hash, git commit):   {time.perf_counter() - start:8.3f} s")
            start = time.perf_counter()
            result = rollover(prepo, allow_invalid=True)
            print(f"rollover (tag, edits, commit):               {time.perf_counter() - start:8.3f} s")
            _edit_accounts(plan_dir, args.changes)
            start = time.perf_counter()
            commit_plan(prepo, "Changes during the quarter", allow_invalid=True)
            print(f"commit of {args.changes + 6} account changes:          {time.perf_counter() - start:8.3f} s")
            tag_quarter(prepo, result.opening)
            old, new = result.closing, result.opening

            def cold():
                clear_cache()
                return diff(prepo, old, new)

            t_cold, d = _time(cold, args.repeat)
            t_warm, d = _time(lambda: diff(prepo, old, new), args.repeat)
            print(f"diff {old} {new}, cold (blobs parsed):  {t_cold:8.3f} s   -> {d.summary_line()}")
            print(f"diff {old} {new}, warm (blob cache):    {t_warm:8.3f} s")
            t_json, text = _time(lambda: render_json(d), args.repeat)
            print(f"render as JSON ({len(text) / 1e3:.0f} kB):                    {t_json:8.3f} s")
            t_wt, _ = _time(lambda: diff(prepo, None, None), args.repeat)
            print(f"diff HEAD vs working tree:                   {t_wt:8.3f} s")
            t_tc, rendered = _time(lambda: textconv_file(str(plan_dir / "accounts.toml")), args.repeat)
            print(f"textconv accounts.toml ({len(rendered) / 1e6:.1f} MB out):        {t_tc:8.3f} s")
            t_log, revs = _time(lambda: revisions(prepo), args.repeat)
            print(f"log ({len(revs)} revisions):                           {t_log:8.3f} s")


if __name__ == "__main__":
    main()
