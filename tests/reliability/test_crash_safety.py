"""Crash safety: a save killed (SIGKILL) at random moments, many times over.

After every kill the file is exactly the old or the new version and parses; the temp
file a kill leaves is removed by the next load.  The same holds for a file written
without a lock (the app's recovery copy goes through the same ``atomic_write``).
Killing at each named step of a save: tests/reliability/test_saving.py (case 13).

``QUARTERDECK_CRASH_RUNS`` sets the number of kills (default 40 per test).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan.document import parse_toml
from tui.plan.model import clean_temp_files, load_plan
from tui.plan.save import TEMP_SUFFIX

RUNS = int(os.environ.get("QUARTERDECK_CRASH_RUNS", "40"))

LOOP_CHILD = r"""
import sys
from pathlib import Path
from tui.plan.document import digest
from tui.plan.save import atomic_write
path, mode = Path(sys.argv[1]), sys.argv[2]
versions = [Path(p).read_bytes() for p in sys.argv[3:5]]
print("ready", flush=True)
i = 0
while True:
    data = versions[i % 2]
    if mode == "locked":
        atomic_write(path, data, digest(path.read_bytes()), name=path.name)
    else:
        atomic_write(path, data, name=path.name)
    i += 1
"""


def _kill_randomly(path: Path, mode: str, versions: list[bytes], tmp_path: Path, seed: int) -> None:
    sources = []
    for n, data in enumerate(versions):
        src = tmp_path / f"version{n}"
        src.write_bytes(data)
        sources.append(str(src))
    rng = random.Random(seed)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("QUARTERDECK_CRASH_AT", None)
    seen = set()
    for run in range(RUNS):
        proc = subprocess.Popen([sys.executable, "-c", LOOP_CHILD, str(path), mode, *sources],
                                stdout=subprocess.PIPE, env=env, text=True)
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0, 0.15))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = path.read_bytes()
        assert now in versions, f"run {run}: the file is neither version"
        seen.add(now)
    assert len(seen) == 2  # the kills landed while saves were under way, not only before the first


@pytest.mark.parametrize("seed", [13])
def test_plan_file_saves_killed_at_random_moments(plan_dir, tmp_path, seed):
    path = plan_dir / "accounts.toml"
    old = path.read_bytes()
    new = old.replace(b"tier = 1", b"tier = 2", 1) + b"\n# a longer version\n" * 2000
    _kill_randomly(path, "locked", [old, new], tmp_path, seed)
    for version in (old, new):
        parse_toml(version.decode())
    plan = load_plan(plan_dir)  # the next load: leftovers of the kills are gone
    assert not plan.syntax_errors
    assert not list(plan_dir.glob(".*" + TEMP_SUFFIX))


@pytest.mark.parametrize("seed", [31])
def test_recovery_style_writes_killed_at_random_moments(plan_dir, tmp_path, seed):
    path = plan_dir / ".quarterdeck-recovery.json"
    old = json.dumps({"files": {"accounts.toml": "a" * 10}}).encode()
    new = json.dumps({"files": {"accounts.toml": "b" * 200_000}}).encode()
    path.write_bytes(old)
    _kill_randomly(path, "unlocked", [old, new], tmp_path, seed)
    json.loads(path.read_bytes())
    # a write that takes no lock may still be under way in another process: its temp
    # files go once they are old enough
    leftovers = list(plan_dir.glob(".*" + TEMP_SUFFIX))
    for leftover in leftovers:
        os.utime(leftover, (time.time() - 3600,) * 2)
    load_plan(plan_dir)
    assert not list(plan_dir.glob(".*" + TEMP_SUFFIX))
    assert clean_temp_files(plan_dir) == []
