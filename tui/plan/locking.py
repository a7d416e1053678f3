"""Writers of one plan file take turns.

Every save of a plan file holds an exclusive lock from the moment it re-reads the file
(to check it is still the version that was read) until the new file has been renamed
into place, so two writers can never both pass the check and one silently replace the
other's work.  The lock is ``fcntl.flock`` on a small sidecar file in the plan's own
state folder (``.quarterdeck/``, ignored by git; see ``statedir``), named after the
file it guards, with the holder's process id and command written inside so that a
writer that waits too long is told who holds it.  The kernel drops the lock when its
holder exits, even on a crash or a kill; lock files are never deleted (deleting one
that another process is about to lock would let two writers in).

Waiting is bounded: ``QUARTERDECK_LOCK_TIMEOUT`` seconds (default 5), then
``LockTimeout``.  Locks are re-entrant within a process: a thread that holds a file's
lock may save that file again without waiting for itself.  Several files are always
locked in one fixed order (their resolved paths, sorted), so two writers that each
need several files cannot deadlock.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
from pathlib import Path

from .problems import PlanError

DEFAULT_TIMEOUT = 5.0
_POLL = 0.02

try:
    import fcntl
except ImportError:  # pragma: no cover - not POSIX: writers are not serialised
    fcntl = None


class LockTimeout(PlanError):
    """Another writer held a plan file's lock longer than the wait allowed."""

    exit_code = 1


def lock_timeout() -> float:
    try:
        value = float(os.environ.get("QUARTERDECK_LOCK_TIMEOUT", DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value >= 0 else DEFAULT_TIMEOUT


def lock_path(path: Path | str) -> Path:
    """The sidecar lock file for the plan file ``path`` (symlinks resolved: a link and
    its target share one lock)."""
    from .registry import SPLIT_FILES
    from .statedir import state_dir

    real = Path(os.path.realpath(path))
    folder, name = real.parent, real.name
    if f"{folder.name}.toml" in SPLIT_FILES and (folder.parent / "plan.toml").exists():
        # an entity file of a kind kept as one file per entity (accounts/<id>.toml):
        # its lock sits in the plan's own state folder, named after its folder too
        folder, name = folder.parent, f"{folder.name}.{name}"
    return state_dir(folder) / f"{name}.lock"


class _Held:
    def __init__(self):
        self.guard = threading.RLock()  # threads of this process
        self.count = 0
        self.fd: int | None = None


_registry: dict[str, _Held] = {}
_registry_guard = threading.Lock()


def _held(key: str) -> _Held:
    with _registry_guard:
        return _registry.setdefault(key, _Held())


def _holder_text(lock: Path) -> str:
    try:
        text = lock.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return " ".join(text.split())[:300]


def _describe() -> str:
    command = " ".join(os.path.basename(a) if i == 0 else a for i, a in enumerate(sys.argv))[:200]
    return f"pid {os.getpid()}: {command or 'python'}\n"


def _acquire(key: str, lock: Path, name: str, deadline: float) -> int:
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError as exc:
        raise LockTimeout(f"cannot create the lock file for {name} ({lock.parent}: {exc.strerror}); nothing was "
                          "saved", file=name, code="save.lock-failed") from None
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder_text(lock)
                    who = f" by {holder}" if holder else " by another Quarterdeck process"
                    raise LockTimeout(
                        f"{name} is being saved{who}; waited {lock_timeout():g} s and gave up, nothing was saved. "
                        "Try again when that process is done (QUARTERDECK_LOCK_TIMEOUT sets the wait)",
                        file=name, code="save.locked") from None
                time.sleep(_POLL)
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, _describe().encode("utf-8", "replace"), 0)
        except OSError:
            pass  # the lock holds without the note
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextlib.contextmanager
def locked(paths, *, names=None, timeout: float | None = None):
    """Hold the write lock of every file in ``paths`` (in a fixed order) for the block.
    ``names`` (same order as ``paths``) are the names used in messages."""
    paths = [Path(p) for p in paths]
    names = list(names) if names is not None else [p.name for p in paths]
    if fcntl is None:
        yield
        return
    by_key: dict[str, tuple[Path, str]] = {}
    for p, n in zip(paths, names):
        by_key.setdefault(os.path.realpath(p), (p, n))
    wait = lock_timeout() if timeout is None else timeout
    deadline = time.monotonic() + wait
    taken: list[_Held] = []
    try:
        for key in sorted(by_key):
            path, name = by_key[key]
            held = _held(key)
            remaining = max(0.001, deadline - time.monotonic())
            if not held.guard.acquire(timeout=remaining):
                raise LockTimeout(f"{name} is being saved by another part of this program; nothing was saved. "
                                  "Try again", file=name, code="save.locked")
            try:
                if held.count == 0:
                    held.fd = _acquire(key, lock_path(path), name, deadline)
                held.count += 1
            except BaseException:
                held.guard.release()
                raise
            taken.append(held)
        yield
    finally:
        for held in reversed(taken):
            held.count -= 1
            if held.count == 0 and held.fd is not None:
                try:
                    os.ftruncate(held.fd, 0)
                except OSError:
                    pass
                os.close(held.fd)  # closing the descriptor releases the flock
                held.fd = None
            held.guard.release()
