"""Who last changed an entry, looked up in the plan's git history (no Textual here).

``last_change_of`` walks the history of the entry's file (``tui.history.blame``), so its
answer is cached per file revision: the key is the entry, the commit HEAD points at and
the hash of the file's bytes on disk.  The file is hashed again only when its stat
changed, or while it is so new that a change within the same clock tick could hide.

Walking the history of a large file reads every revision of it, seconds of work that
would take the interpreter from the app's keys: ``look_up`` asks a separate process for
large files (one, started when first needed; ``python -m tui.app.lastlookup`` serves
requests as JSON lines), and does the work in the calling thread for small ones.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

CACHE_SIZE = 512
_CACHE: dict[tuple, tuple] = {}  # key -> (latest committed FieldBlame or None, fields not committed yet)
LARGE_FILE = 512 * 1024  # a kind's file this large is looked up in the separate process
RACY_SECONDS = 2.0  # a file changed this recently is hashed again even when its stat looks the same
_DIGESTS: dict[str, tuple[tuple, str]] = {}  # path -> (its stat when hashed, the hash)


def cache_key(prepo, kind: str, entity_id: str) -> tuple:
    from tui.plan.registry import KINDS

    path = prepo.plan_dir / KINDS[kind].file
    return (os.path.realpath(prepo.plan_dir), kind, entity_id, prepo.head(), file_digest(path))


def file_digest(path: Path | str) -> str | None:
    """The hash of a file's bytes; hashed again only when its stat changed (a save replaces
    the file: a new inode; size and times are compared too) or it changed very recently."""
    try:
        st = os.stat(path)
        stamp = (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
        known = _DIGESTS.get(str(path))
        settled = time.time() - st.st_mtime_ns / 1e9 > RACY_SECONDS
        if known is not None and known[0] == stamp and settled:
            return known[1]
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None
    _DIGESTS[str(path)] = (stamp, digest)
    return digest


def last_change_of(plan_dir: Path | str, kind: str, entity_id: str) -> tuple | None:
    """(latest committed change, names of fields not committed yet), cached per file
    revision; None outside a repository or when history cannot say (worker thread)."""
    from tui.history.blame import blame_entity
    from tui.history.repo import PlanRepo
    from tui.plan.problems import PlanError

    try:
        with PlanRepo(plan_dir) as prepo:
            key = cache_key(prepo, kind, entity_id)
            if key in _CACHE:
                return _CACHE[key]
            if key[3] is None:
                answer = (None, [])
            else:
                blame = blame_entity(prepo, kind, entity_id)
                committed = [f for f in blame.fields if f.commit is not None]
                # provenance (custom.carried_from, set by every rollover) says little about who
                # last worked on an entry: the other fields speak first
                own = [f for f in committed if f.field != "custom"] or committed
                latest = _newest(prepo, own)
                answer = (latest, [f.field for f in blame.fields if f.commit is None])
    except (PlanError, OSError, ValueError):
        return None
    if len(_CACHE) >= CACHE_SIZE:
        _CACHE.pop(next(iter(_CACHE)))
    _CACHE[key] = answer
    return answer


def _newest(prepo, fields: list):
    """The field changed by the newest commit: by history, not by date (dates tie within a
    second, and clocks differ); of two unrelated commits, git's topological order picks."""
    commits = list(dict.fromkeys(f.commit for f in fields))
    if not commits:
        return None
    if len(commits) > 1:
        status, out, _ = prepo.run("rev-list", "--topo-order", "--max-count=1", *commits)
        newest = out.strip() if status == 0 else ""
        if newest in commits:
            return next(f for f in fields if f.commit == newest)
    return max(fields, key=lambda f: f.date)


# -- the lookup process ------------------------------------------------------------------------

_FIELDS = ("field", "commit", "author", "email", "date", "subject", "id_then")


def _encode(answer: tuple | None):
    if answer is None:
        return None
    latest, pending = answer
    return {"latest": None if latest is None else {k: getattr(latest, k) for k in _FIELDS}, "pending": list(pending)}


def _decode(data) -> tuple | None:
    if data is None:
        return None
    from tui.history.blame import FieldBlame

    latest = data["latest"]
    return (None if latest is None else FieldBlame(value=None, **latest), list(data["pending"]))


class _Process:
    """The lookup process: one request at a time, started again if it ended."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.proc: subprocess.Popen | None = None
        self.stops = 0  # times stopped on purpose (the app's end): a question then cut off is not asked here

    def ask(self, plan_dir: str, kind: str, entity_id: str) -> tuple | None:
        with self.lock:
            proc = self.proc
            if proc is None or proc.poll() is not None:
                from tui.plan.offload import child_process

                command, env = child_process("tui.app.lastlookup")
                proc = self.proc = subprocess.Popen(
                    command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env,
                    stderr=subprocess.DEVNULL, text=True, encoding="utf-8", close_fds=True)
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps([plan_dir, kind, entity_id]) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
            if not line:
                raise OSError("the lookup process ended")
            return _decode(json.loads(line))

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            try:
                proc.kill()
                proc.wait(timeout=5)
            except (OSError, subprocess.TimeoutExpired):
                pass


_PROCESS = _Process()


def _large(plan_dir: Path | str, kind: str) -> bool:
    from tui.plan.registry import KINDS

    try:
        return os.stat(Path(plan_dir) / KINDS[kind].file).st_size >= LARGE_FILE
    except (OSError, KeyError):
        return False


def look_up(plan_dir: Path | str, kind: str, entity_id: str) -> tuple | None:
    """``last_change_of``; for an entry of a large file, in the lookup process (worker thread)."""
    if _large(plan_dir, kind):
        stops = _PROCESS.stops
        try:
            return _PROCESS.ask(str(plan_dir), kind, entity_id)
        except (OSError, ValueError, KeyError, TypeError):  # no process could answer: here, then
            if _PROCESS.stops != stops:
                return None  # stopped because the app ends: seconds of work here would only delay it
            _PROCESS.stop()
    return last_change_of(plan_dir, kind, entity_id)


def stop_process() -> None:
    """End the lookup process, if one was started (the app's end)."""
    _PROCESS.stops += 1
    _PROCESS.stop()


def serve() -> None:
    """Answer requests (one JSON line each: plan folder, kind, id) until stdin closes."""
    for line in sys.stdin:
        try:
            plan_dir, kind, entity_id = json.loads(line)
            answer = _encode(last_change_of(plan_dir, kind, entity_id))
        except Exception:  # noqa: BLE001 - the line is a courtesy: no answer rather than an end
            answer = None
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
