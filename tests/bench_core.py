"""Benchmark of the core: prints numbers, asserts nothing (not collected by pytest).

    python -m tests.bench_core [--accounts 10000] [--repeat 5]

Measures, on the example plan and on a generated plan with many accounts: reading
(rtoml against tomllib and tomlkit for reference), indexing positions, the whole
`check`, and one `set` (edit, verify, atomic save).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from pathlib import Path

import rtoml
import tomlkit

from tests.bigplan import EXAMPLE, make_big_plan
from tui.plan.edit import apply_change, set_field
from tui.plan.model import load_plan
from tui.plan.tomlindex import index_toml
from tui.plan.validation import validate


def timed(fn, repeat: int) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def report(label: str, seconds: float) -> None:
    print(f"  {label:<44} {seconds * 1000:9.1f} ms")


def bench_plan(folder: Path, repeat: int, with_tomlkit: bool) -> None:
    text = (folder / "accounts.toml").read_text()
    print(f"{folder.name}: accounts.toml {len(text) / 1e6:.2f} MB")
    report("parse accounts.toml with rtoml", timed(lambda: rtoml.loads(text), repeat))
    report("parse accounts.toml with tomllib", timed(lambda: tomllib.loads(text), repeat))
    if with_tomlkit:
        report("parse accounts.toml with tomlkit", timed(lambda: tomlkit.parse(text), 1))
    report("index positions of accounts.toml", timed(lambda: index_toml(text), repeat))
    report("load plan (all files)", timed(lambda: load_plan(folder), repeat))
    report("load + validate (check, in process)", timed(lambda: validate(load_plan(folder)), repeat))
    cmd = [sys.executable, "-m", "tui", "check", str(folder), "--format", "json"]
    report("`quarterdeck check` (new process)", timed(lambda: subprocess.run(cmd, capture_output=True), repeat))

    def one_set():
        plan = load_plan(folder)
        account = plan.all("account")[-1]
        apply_change(plan, set_field(plan, "account", account.id, "icp_fit", 50 + int(time.time()) % 40))

    report("one `set` (load, edit, verify, save)", timed(one_set, repeat))
    plan = load_plan(folder)
    account = plan.all("account")[-1]
    report("one `set` on a loaded plan (edit, verify, save)",
           timed(lambda: apply_change(plan, set_field(plan, "account", account.id, "icp_fit", 51)), 1))
    cmd = [sys.executable, "-m", "tui", "set", "account", account.id, "icp_fit", "52", "-C", str(folder)]
    report("`quarterdeck set` (new process)", timed(lambda: subprocess.run(cmd, capture_output=True), repeat))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--tomlkit", action="store_true", help="also time tomlkit on the big file (slow)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        example = Path(tmp) / "example"
        shutil.copytree(EXAMPLE, example)
        bench_plan(example, args.repeat, True)
        big = make_big_plan(Path(tmp) / f"big-{args.accounts}", args.accounts)
        bench_plan(big, args.repeat, args.tomlkit)


if __name__ == "__main__":
    main()
