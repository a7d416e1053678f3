"""A plan checked in a process of its own.

Checking a large plan is a second or more of pure Python.  Run in a thread of the app,
it holds the interpreter lock the screen needs to answer keys, and the two halves of the
work (the screen's and the check's) take turns on one core although the machine has
more.  ``CheckProcess`` runs ``validate`` in a child process instead: the app's thread
only waits on a pipe, which leaves the lock free.

What crosses the pipe is small.  A file whose text is as on disk is named with its
path and hash; the child reads it itself, and keeps every file it has parsed, so a
file unchanged since the last check is neither sent nor parsed again.  Only text not
saved yet travels.  The child can also start reading and checking the folder before
the app has loaded it (``preload``): the app's own check of the same bytes is then
answered from that work.

The child is this module run as ``python -m tui.plan.offload``; requests and answers are
pickles, each preceded by its length.  Both ends are this program, so nothing read
from the pipe comes from anyone else.  The child ends when the pipe closes (the app
quit, or died).  Any failure of the child makes ``check`` raise ``OffloadError``; the
caller then checks in its own process (``app.main`` does), so a broken child costs
time, never a result.
"""

from __future__ import annotations

import gc
import os
import pickle
import struct
import subprocess
import sys
import threading
from pathlib import Path

from .problems import Problem

_LENGTH = struct.Struct(">Q")

# Plans smaller than this (bytes of all plan files) are checked as quickly in a thread
# as a child process starts: the example plan takes ~0.1 s, a process ~0.2 s to start.
MIN_BYTES = 1_000_000
MODE_ENV = "QUARTERDECK_CHECK_PROCESS"  # "always", "never", or unset (by size)
COLLECT_EVERY = 10  # requests between two collections of garbage in the child


class OffloadError(Exception):
    """The child process could not answer (it is gone, or it failed)."""


def wanted(root: Path | str, total_bytes: int | None = None) -> bool:
    """Whether a plan is worth checking in a child process: its files make ``MIN_BYTES``
    or more (``QUARTERDECK_CHECK_PROCESS`` = always / never decides instead)."""
    mode = os.environ.get(MODE_ENV, "").strip().lower()
    if mode in ("always", "1", "yes"):
        return True
    if mode in ("never", "0", "no"):
        return False
    if total_bytes is None:
        total_bytes = plan_bytes(Path(root))
    return total_bytes >= MIN_BYTES


def plan_bytes(root: Path) -> int:
    """The size of the plan files in ``root`` (entity folders included), from the
    directory alone: nothing is read."""
    from . import layout
    from .registry import PLAN_FILES

    total = 0
    for name in PLAN_FILES:
        try:
            total += os.stat(root / name).st_size
        except OSError:
            pass
    for file in layout.split_kinds():
        folder = root / layout.folder_of(file)
        try:
            with os.scandir(folder) as entries:
                total += sum(e.stat().st_size for e in entries if e.is_file())
        except OSError:
            pass
    return total


def child_process(module: str) -> tuple[list[str], dict]:
    """The command and environment that run ``python -m module`` of this very copy of the
    package: ``-P`` keeps the current folder off the module path (a folder holding some
    other ``tui`` must not be imported instead), and the folder this package was
    imported from goes first on ``PYTHONPATH``."""
    import tui

    home = str(Path(tui.__file__).resolve().parent.parent)
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join([home, *([env["PYTHONPATH"]] if env.get("PYTHONPATH") else [])])
    return [sys.executable, "-P", "-m", module], env


def end_process(proc: subprocess.Popen, timeout: float = 5) -> None:
    """End a child that serves requests on its stdin: close its pipes (it ends when its
    input does), wait for it, and kill it if it has not ended within ``timeout``."""
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _send(stream, obj) -> None:
    body = pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
    stream.write(_LENGTH.pack(len(body)))
    stream.write(body)
    stream.flush()


def _receive(stream):
    head = stream.read(_LENGTH.size)
    if len(head) < _LENGTH.size:
        raise EOFError
    (n,) = _LENGTH.unpack(head)
    body = stream.read(n)
    if len(body) < n:
        raise EOFError
    return pickle.loads(body)


def _problem_tuple(p: Problem) -> tuple:
    return (p.severity, p.code, p.message, p.file, p.line, p.col, p.kind, p.entity, p.field)


def _today() -> str:
    from .checkins import today

    return today().isoformat()


class CheckProcess:
    """One child process checking one plan folder's states, one at a time."""

    def __init__(self, schemas_folder: Path | str | None = None):
        self.schemas_folder = str(schemas_folder) if schemas_folder is not None else None
        self._proc: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._broken = False
        self.closed = False
        self.answered = 0  # checks the child answered (for tests and the benchmark)

    @property
    def broken(self) -> bool:
        return self._broken

    def _start(self) -> subprocess.Popen:
        if self.closed:
            raise ValueError("closed")
        if self._proc is None:
            command, env = child_process("tui.plan.offload")
            self._proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                          stderr=subprocess.DEVNULL, env=env, close_fds=True)
        return self._proc

    def _ask(self, request: dict):
        """Send one request and wait for its answer (any thread; one at a time)."""
        with self._lock:
            if self._broken:
                raise OffloadError("the check process failed before")
            try:
                proc = self._start()
                _send(proc.stdin, request)
                answer = _receive(proc.stdout)
            except (OSError, EOFError, pickle.PickleError, ValueError) as exc:
                self._fail()
                raise OffloadError(f"the check process stopped ({type(exc).__name__})") from None
            if not isinstance(answer, dict) or "error" in answer:
                self._fail()
                raise OffloadError(f"the check process failed: {answer.get('error') if isinstance(answer, dict) else answer!r}")
            return answer

    def _fail(self) -> None:
        self._broken = True
        self._stop()

    def preload(self, root: Path | str) -> None:
        """Have the child read and check the folder as it is on disk now, while the
        caller loads it too; a ``check`` of the same bytes is then answered from that
        work.  Returns at once: the child does not answer a preload."""
        with self._lock:
            if self._broken:
                return
            try:
                _send(self._start().stdin, {"op": "preload", "root": str(root), "schemas": self.schemas_folder,
                                            "today": _today()})
            except (OSError, ValueError):
                self._fail()

    def check(self, plan) -> list[Problem]:
        """``validate(plan)``, computed by the child (blocks; call from a thread)."""
        # (path, hash, bytes): no bytes for a file as on disk, which the child reads itself
        files = {name: (str(tf.path), tf.sha256, tf.raw if tf.dirty else None) for name, tf in plan.files.items()}
        request = {
            "op": "check", "root": str(plan.root), "schemas": self.schemas_folder, "today": _today(),
            "files": files,
            "syntax_errors": [_problem_tuple(p) for p in plan.syntax_errors],
            "unreadable_text": dict(plan.unreadable_text),
        }
        answer = self._ask(request)
        if "need" in answer:  # files the child could not take from disk: send their bytes
            for name in answer["need"]:
                path, sha, _ = files[name]
                files[name] = (path, sha, plan.files[name].raw)
            answer = self._ask(request)
        self.answered += 1
        return [Problem(*t) for t in answer["problems"]]

    def _stop(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            end_process(proc, timeout=2)

    def close(self) -> None:
        """End the child (it also ends by itself when this process does).  Not under the
        lock: a check under way ends with the child (``check_with`` then answers nothing)
        instead of holding up the app's exit until it is done."""
        self.closed = True
        proc, self._proc = self._proc, None
        if proc is not None:
            try:
                proc.kill()  # first: a thread reading its answer holds the pipe until it ends
            except OSError:
                pass
            end_process(proc, timeout=2)

    def __del__(self):
        try:
            self.close()
        except Exception:  # noqa: BLE001 - at exit, nothing to tell
            pass


def started_for(root: Path | str, schemas_folder: Path | str | None = None) -> CheckProcess | None:
    """A check process for the plan in ``root``, already reading it (``preload``), when
    the plan is large enough to be worth one (``wanted``); else None."""
    if not wanted(root):
        return None
    checker = CheckProcess(schemas_folder)
    checker.preload(root)
    return checker


def stop(checker: CheckProcess | None) -> None:
    """End ``checker``'s process, if there is one."""
    if checker is not None:
        checker.close()


def check_with(checker: CheckProcess | None, plan, here) -> list[Problem]:
    """The plan's problems from ``checker`` where there is one, else ``here()``; a checker
    that fails is not asked again (``broken``), and ``here()`` answers instead."""
    if checker is not None and not checker.broken:
        try:
            return checker.check(plan)
        except OffloadError:
            if checker.closed:
                return []  # closed because the app ends: a check here would only delay that
    return here()


# -- the child ---------------------------------------------------------------------------


class _Child:
    def __init__(self):
        self.files: dict[str, object] = {}  # name -> the TomlFile last parsed
        self.result: tuple | None = None  # (key, problems) of the last check
        self.schemas: dict[str | None, object] = {}

    def _schemas(self, folder):
        if folder not in self.schemas:
            from .schema import load_schemas

            self.schemas[folder] = load_schemas(Path(folder) if folder else None)
        return self.schemas[folder]

    def _validate(self, plan, schemas, today: str, key: tuple) -> list[tuple]:
        from .validation import validate

        os.environ["QUARTERDECK_TODAY"] = today  # the asking process's date, to the day
        problems = [_problem_tuple(p) for p in validate(plan, schemas)]
        self.result = (key, problems)
        return problems

    def preload(self, req: dict) -> None:
        from .model import load_plan

        plan = load_plan(req["root"])
        self.files.update(plan.files)
        self._validate(plan, self._schemas(req["schemas"]), req["today"], self._key(req["root"], plan, req))

    @staticmethod
    def _key(root, plan, req) -> tuple:
        files = tuple(sorted((name, str(tf.path), tf.sha256) for name, tf in plan.files.items()))
        errors = tuple(sorted(_problem_tuple(p) for p in plan.syntax_errors))
        return (str(root), req["schemas"], req["today"], files, errors)

    def check(self, req: dict) -> dict:
        from .document import TomlFile, digest, read_plan_bytes
        from .model import Plan, collect_entities

        need = []
        files = {}
        for name, (path, sha, raw) in req["files"].items():
            have = self.files.get(name)
            if have is not None and have.sha256 == sha and str(have.path) == path:
                files[name] = have
                continue
            if raw is None:  # as on disk, the asker says: read it here
                try:
                    raw = read_plan_bytes(Path(path), name)
                except Exception:  # noqa: BLE001 - refused or unreadable now: ask for the bytes
                    raw = None
                if raw is None or digest(raw) != sha:
                    need.append(name)
                    continue
            files[name] = TomlFile.from_bytes(Path(path), raw, name, like=have)
        if need:
            return {"need": need}
        self.files.update(files)
        plan = Plan(root=Path(req["root"]), files=files, syntax_errors=[Problem(*t) for t in req["syntax_errors"]],
                    unreadable_text=dict(req["unreadable_text"]))
        key = self._key(req["root"], plan, req)
        if self.result is not None and self.result[0] == key:
            return {"problems": self.result[1]}
        plan.entities = collect_entities(plan.files)
        return {"problems": self._validate(plan, self._schemas(req["schemas"]), req["today"], key)}


def _serve(stdin, stdout) -> None:
    # No automatic collection of garbage: a check makes and drops a great many objects
    # but few cycles, and every collection would walk the plans held here (a fifth of a
    # check's time).  Cycles are collected every few requests, between two of them.
    gc.disable()
    child = _Child()
    served = 0
    while True:
        served += 1
        if served % COLLECT_EVERY == 0:
            gc.collect()
        try:
            req = _receive(stdin)
        except EOFError:
            return
        try:
            if req.get("op") == "preload":  # not answered: the asker goes on with its own load
                try:
                    child.preload(req)
                except Exception:  # noqa: BLE001 - the next check loads what it is given instead
                    child.result = None
                continue
            answer = child.check(req)
        except Exception as exc:  # noqa: BLE001 - said to the asker, which checks by itself instead
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        _send(stdout, answer)


def main() -> None:
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing printed by accident may corrupt the answers
    try:
        _serve(stdin, stdout)
    except (BrokenPipeError, KeyboardInterrupt):
        pass


if __name__ == "__main__":
    main()
