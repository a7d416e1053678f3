"""RELIABILITY.md cases 13-17 and 44: saving, and writers that take turns."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan import save as save_mod
from tui.plan.document import parse_toml
from tui.plan.edit import apply_change, edit_locked, set_field, stage_change
from tui.plan.locking import LockTimeout, lock_path, locked
from tui.plan.model import clean_temp_files, load_plan
from tui.plan.problems import FileChangedError
from tui.plan.save import STEPS, SaveError, atomic_write

SAVE_CHILD = r"""
import sys
from pathlib import Path
from tui.plan.edit import apply_change, set_field
from tui.plan.model import load_plan
plan = load_plan(Path(sys.argv[1]))
apply_change(plan, set_field(plan, "account", "harbor-hvac", "icp_fit", int(sys.argv[2])))
"""

HOLD_CHILD = r"""
import sys, time
from pathlib import Path
from tui.plan.locking import locked
with locked([Path(sys.argv[1])]):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def child_env(**extra) -> dict:
    env = dict(os.environ, PYTHONPATH=str(ROOT), **extra)
    env.pop("QUARTERDECK_CRASH_AT", None)
    env.update(extra)
    return env


def hold_lock(path: Path, seconds: float) -> subprocess.Popen:
    """Another process holding ``path``'s write lock for ``seconds``."""
    proc = subprocess.Popen([sys.executable, "-c", HOLD_CHILD, str(path), str(seconds)], stdout=subprocess.PIPE,
                            env=child_env(), text=True)
    assert proc.stdout.readline().strip() == "held"
    return proc


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*" + save_mod.TEMP_SUFFIX))


# 13 — killed at any point of a save: the old or the new file, leftovers cleaned next time
@pytest.mark.parametrize("hard_link", [False, True], ids=["replace", "in-place"])
def test_case_13_killed_at_every_step_of_a_save_leaves_old_or_new(plan_dir, hard_link):
    path = plan_dir / "accounts.toml"
    if hard_link:
        os.link(path, plan_dir.parent / "accounts-link.toml")
    old = path.read_bytes()
    for value, step in enumerate(STEPS, start=10):
        before = path.read_bytes()
        proc = subprocess.run([sys.executable, "-c", SAVE_CHILD, str(plan_dir), str(value)],
                              env=child_env(QUARTERDECK_CRASH_AT=step), capture_output=True, text=True)
        reached = proc.returncode == -9
        assert proc.returncode in (0, -9), proc.stderr
        now = path.read_bytes()
        tier = parse_toml(now.decode())["account"][0]["icp_fit"]
        assert now == before or tier == value, step  # old or new, never a mix
        if step in ("replaced", "in-place-written", "done") and reached:
            assert tier == value, step
        if step in ("locked", "checked", "temp-open", "temp-written", "temp-synced", "backup-written") and reached:
            assert now == before, step
        if not reached:  # a step this kind of save does not pass through: it completed
            assert tier == value, step
        plan = load_plan(plan_dir)  # the next load cleans what the kill left
        assert not plan.syntax_errors and not temp_files(plan_dir), step
        if hard_link:
            assert os.stat(path).st_nlink == 2
    assert path.read_bytes() != old


def test_case_13_leftover_temp_files_are_cleaned_unless_a_save_is_under_way(plan_dir):
    stale = plan_dir / ".accounts.toml.abc123.qdtmp"
    stale.write_text("half a file")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = plan_dir / ".goals.toml.def456.qdtmp"
    fresh.write_text("another save in progress")
    holder = hold_lock(plan_dir / "goals.toml", 30)
    try:
        load_plan(plan_dir)
        assert not stale.exists() and fresh.exists()  # goals.toml is being saved: its temp file stays
    finally:
        holder.kill()
        holder.wait()
    assert clean_temp_files(plan_dir) == [fresh]


def test_case_13_interrupted_save_keeps_the_old_file(plan_dir, monkeypatch):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)

    def killed(*_a, **_k):
        raise KeyboardInterrupt  # stands for a signal arriving between write and rename

    monkeypatch.setattr(save_mod.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        apply_change(plan, change)
    assert path.read_bytes() == before
    assert not temp_files(plan_dir)


# 14 — disk full / I/O error / permission denied
@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "disk is full"), (errno.EIO, "I/O error"),
                                        (errno.EACCES, "permission denied")])
def test_case_14_disk_errors_keep_the_original_and_the_edit(plan_dir, monkeypatch, code, words):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)

    def failing_write(fd, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(save_mod.os, "write", failing_write)
    with pytest.raises(SaveError) as info:
        apply_change(plan, change)
    assert words in str(info.value) and "unchanged" in str(info.value)
    assert path.read_bytes() == before
    assert not temp_files(plan_dir)
    monkeypatch.undo()
    apply_change(plan, change)  # the edit was kept: saving again works
    assert b"tier = 2" in path.read_bytes()


def test_case_14_a_failed_in_place_write_puts_the_file_back(plan_dir, monkeypatch):
    path = plan_dir / "accounts.toml"
    os.link(path, plan_dir.parent / "linked.toml")
    before = path.read_bytes()
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    real_ftruncate = os.ftruncate
    calls = []

    def failing_truncate(fd, size):
        if size:  # (the lock file is truncated to 0 too)
            calls.append(size)
        if len(calls) == 1 and size:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_ftruncate(fd, size)

    monkeypatch.setattr(save_mod.os, "ftruncate", failing_truncate)
    with pytest.raises(SaveError) as info:
        apply_change(plan, change)
    assert "disk is full" in str(info.value) and "put back" in str(info.value)
    assert path.read_bytes() == before and os.stat(path).st_nlink == 2


# 15 — a plan file that is a symlink (inside the repository): the target is written, the link stays
def test_case_15_symlink_target_is_written(plan_dir, tmp_path):
    (tmp_path / ".git").mkdir()  # the repository holds both the plan and the link's target
    real = tmp_path / "elsewhere" / "accounts.toml"
    real.parent.mkdir()
    shutil.move(plan_dir / "accounts.toml", real)
    (plan_dir / "accounts.toml").symlink_to(real)
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert (plan_dir / "accounts.toml").is_symlink()
    assert b"tier = 2" in real.read_bytes()
    assert not temp_files(real.parent) and not temp_files(plan_dir)


# 16 — mode and hard links survive; temp files are never left 0600
def test_case_16_mode_is_kept(plan_dir):
    path = plan_dir / "accounts.toml"
    for mode in (0o664, 0o640, 0o600, 0o644):
        os.chmod(path, mode)
        plan = load_plan(plan_dir)
        apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 3 if mode != 0o644 else 2))
        assert (path.stat().st_mode & 0o777) == mode
    fresh = plan_dir / "new-output.txt"
    atomic_write(fresh, b"x")
    mask = os.umask(0)
    os.umask(mask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~mask


def test_case_16_hard_links_are_kept(plan_dir):
    path = plan_dir / "accounts.toml"
    other = plan_dir.parent / "accounts-hardlink.toml"
    os.link(path, other)
    inode = os.stat(path).st_ino
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert os.stat(path).st_ino == inode and os.stat(path).st_nlink == 2
    assert other.read_bytes() == path.read_bytes() and b"tier = 2" in other.read_bytes()
    assert not list((plan_dir / ".quarterdeck").glob("*.before-save"))  # the safety copy is gone after success
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "name", "Short"))  # shorter: truncated
    assert parse_toml(other.read_text())["account"][0]["name"] == "Short"


# 17 — changed on disk since read (same size, same mtime) or deleted: save blocked
def test_case_17_same_size_same_mtime_change_is_detected(plan_dir):
    path = plan_dir / "accounts.toml"
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    st = path.stat()
    text = path.read_bytes()
    path.write_bytes(text.replace(b"icp_fit = 94", b"icp_fit = 95", 1))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same timestamp
    with pytest.raises(FileChangedError):
        apply_change(plan, change)
    assert b"icp_fit = 95" in path.read_bytes()
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 1


def test_case_17_deleted_file_blocks_the_save(plan_dir):
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    (plan_dir / "accounts.toml").unlink()
    with pytest.raises(FileChangedError) as info:
        apply_change(plan, change)
    assert "deleted" in str(info.value)
    assert not (plan_dir / "accounts.toml").exists()


def test_case_17_staged_edits_save_against_the_original_hash(plan_dir):
    plan = load_plan(plan_dir)
    stage_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert plan.files["accounts.toml"].dirty
    change = set_field(plan, "account", "harbor-hvac", "icp_fit", 90)
    apply_change(plan, change)
    text = (plan_dir / "accounts.toml").read_text()
    assert "tier = 2" in text and "icp_fit = 90" in text


# 44 — several writers: serialised by a lock from re-read to rename; a writer that waits
# too long is told who holds the lock (many concurrent processes: test_concurrency.py)
def test_case_44_the_check_and_the_rename_happen_under_the_lock(plan_dir, monkeypatch):
    path = plan_dir / "accounts.toml"
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    seen = []
    real_replace = os.replace

    def replace(src, dst):
        # while the rename happens, another process cannot take the lock
        probe = subprocess.run([sys.executable, "-c", "import sys\nfrom pathlib import Path\n"
                                "from tui.plan.locking import locked, LockTimeout\n"
                                "try:\n    with locked([Path(sys.argv[1])], timeout=0): pass\n"
                                "except LockTimeout: sys.exit(3)\n", str(path)], env=child_env())
        seen.append(probe.returncode)
        return real_replace(src, dst)

    monkeypatch.setattr(save_mod.os, "replace", replace)
    apply_change(plan, change)
    assert seen == [3]


def test_case_44_a_writer_that_cannot_get_the_lock_is_told_who_holds_it(plan_dir):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    holder = hold_lock(path, 30)
    try:
        assert f"pid {holder.pid}" in lock_path(path).read_text()
        proc = subprocess.run([sys.executable, "-m", "tui", "set", "account", "harbor-hvac", "tier", "2", "-C",
                               str(plan_dir)], env=child_env(QUARTERDECK_LOCK_TIMEOUT="0.5"), capture_output=True,
                              text=True, timeout=60)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr
        assert "accounts.toml is being saved by pid" in proc.stderr and str(holder.pid) in proc.stderr
        assert "nothing was saved" in proc.stderr and path.read_bytes() == before
        with pytest.raises(LockTimeout):
            with locked([path], timeout=0.1):
                pass
    finally:
        holder.kill()
        holder.wait()
    with locked([path], timeout=0.1):  # the kernel dropped the killed holder's lock
        pass


def test_case_44_an_overtaken_edit_is_made_again_on_the_new_version(plan_dir):
    calls = []

    def op(plan):
        calls.append(plan.get("account", "harbor-hvac").data["icp_fit"])
        if len(calls) == 1:  # another writer saves between our read and our write
            other = load_plan(plan_dir)
            apply_change(other, set_field(other, "account", "harbor-hvac", "icp_fit", 77))
        return set_field(plan, "account", "harbor-hvac", "tier", 2)

    plan, written = edit_locked(plan_dir, op)
    assert calls == [94, 77] and len(written) == 1
    data = load_plan(plan_dir).get("account", "harbor-hvac").data
    assert data["tier"] == 2 and data["icp_fit"] == 77  # both edits are on disk


def test_case_44_lock_files_stay_out_of_git_status(plan_dir):
    subprocess.run(["git", "init", "-q", str(plan_dir)], check=True)
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert lock_path(plan_dir / "accounts.toml").exists()
    status = subprocess.run(["git", "-C", str(plan_dir), "status", "--porcelain", "--untracked-files=all"],
                            capture_output=True, text=True, check=True).stdout
    assert ".quarterdeck" not in status and ".lock" not in status
