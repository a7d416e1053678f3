"""What every command shares: output, colour, finding the plan folder, the errors a
command raises for the user, and writing an output file (``-o FILE``).

Plan text is data written by people and pull requests.  On its way to a terminal it
passes through ``tui.plan.safetext``: ``emit`` (standard output) and ``out(err=True)``
(every message on standard error) make control characters visible, ``json_text``
writes them as JSON escapes.  ``out`` to standard output is left alone because
commands paint it with colour codes of their own; they pass plan text through
``visible`` themselves.
"""

from __future__ import annotations

import json
import os
import re
import stat
import sys
from pathlib import Path

from tui.plan.safetext import visible


class UsageError(Exception):
    pass


def out(text: str = "", *, err: bool = False) -> None:
    """A line on standard output, or (``err``) on standard error with every control
    character made visible: error messages quote plan text and are never painted."""
    stream = sys.stderr if err else sys.stdout
    stream.write((visible(text) if err else text) + "\n")


def emit(text: str, *, end: str = "\n") -> None:
    """Text that holds plan text, on standard output: control characters made visible
    (line breaks, CR LF pairs included, and tabs kept)."""
    sys.stdout.write("\r\n".join(visible(part) for part in str(text).split("\r\n")) + end)
    sys.stdout.flush()


# What a JSON string may hold raw but a terminal would obey: JSON escapes C0 controls
# already; C1 controls, DEL and the bidi controls are escaped here (the value is the same).
_JSON_UNSAFE = re.compile(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _finite(value):
    if isinstance(value, float) and value != value:
        return "nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return "inf" if value > 0 else "-inf"
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def json_text(doc, **kwargs) -> str:
    """``doc`` as indented JSON (non-ASCII text kept) with nothing in it a terminal would obey."""
    kwargs.setdefault("indent", 2)
    try:
        text = json.dumps(doc, ensure_ascii=False, allow_nan=False, **kwargs)
    except ValueError:  # inf or nan somewhere: JSON has no such numbers; written as text
        text = json.dumps(_finite(doc), ensure_ascii=False, allow_nan=False, **kwargs)
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def use_color(stream, mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class Paint:
    CODES = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2", "cyan": "36"}

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, *styles: str) -> str:
        if not self.on or not styles:
            return text
        codes = ";".join(self.CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def plan_dir(value: str | None) -> Path:
    from tui.plan.model import find_plan_dir

    if value:
        return Path(value)
    found = find_plan_dir()
    if found is None:
        raise UsageError("no plan folder here or above (a plan folder holds plan.toml); pass one, e.g. `quarterdeck check plans`")
    return found


def display_path(plan_dir: Path, file: str) -> str:
    return os.path.normpath(os.path.join(str(plan_dir), file)) if file else str(plan_dir)


class Failed(Exception):
    """A command failed with a message for the user and an exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


# -- output files ----------------------------------------------------------------------------


def plan_file_paths(plan) -> list[Path]:
    """Every file that is part of ``plan`` (loaded or not), as paths in its folder."""
    from tui.plan.registry import PLAN_FILES

    root = Path(plan.root)
    names = set(PLAN_FILES) | set(getattr(plan, "files", {}) or {})
    paths = [root / name for name in sorted(names)]
    # a kind kept as a folder of one file per entity (accounts/<id>.toml)
    for folder in sorted({Path(name).stem for name in PLAN_FILES}):
        try:
            paths += sorted((root / folder).glob("*.toml"))
        except OSError:
            pass
    return paths


def _is_plan_file(target: Path, plan) -> str | None:
    """The plan file ``target`` names (through symlinks, ``..`` or a hard link), or None."""
    real = os.path.realpath(target)
    for path in plan_file_paths(plan):
        try:
            if os.path.realpath(path) == real or (path.exists() and target.exists() and os.path.samefile(path, target)):
                return str(path)
        except OSError:
            continue
    return None


def write_output(output: str, data: bytes | str, plan=None) -> None:
    """Write a command's output file (``-o FILE``) safely.

    * a plan file (by any name: a symlink, ``..``, a hard link) is refused;
    * a FIFO or a character device (``/dev/null``, a terminal) is opened and written in
      place, never replaced by a regular file (a FIFO once a process reads from it,
      waiting at most ``FIFO_WAIT`` seconds);
    * a block device, a socket or a folder is refused;
    * a regular file that is read-only (no write bit in its mode, or not writable for
      this user) is refused and left untouched — also for root, who could write it;
    * any other regular file (or a new one) is replaced atomically: a temp file in the
      same folder, fsync, rename, mode kept.

    Raises ``Failed`` (exit 2) with a message that names the file and what to do."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    target = Path(output)
    shown = visible(output)
    if plan is not None:
        hit = _is_plan_file(target, plan)
        if hit is not None:
            raise Failed(f"{shown} is a file of the plan ({visible(hit)}); refusing to overwrite it. "
                         "Write the output somewhere else", 2)
    try:
        st = os.stat(target)  # follows symlinks: the file a link names is what gets written
    except FileNotFoundError:
        st = None
    except OSError as exc:
        raise Failed(f"cannot write {shown}: {exc.strerror or exc}", 2) from None
    if st is not None and not stat.S_ISREG(st.st_mode):
        if stat.S_ISFIFO(st.st_mode) or stat.S_ISCHR(st.st_mode):
            _write_in_place(target, data, shown)
            return
        what = ("a folder" if stat.S_ISDIR(st.st_mode) else "a block device" if stat.S_ISBLK(st.st_mode)
                else "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
        raise Failed(f"{shown} is {what}; nothing written. Name a file to write", 2)
    if st is not None and (not st.st_mode & 0o222 or not os.access(target, os.W_OK)):
        raise Failed(f"{shown} is read-only (mode {stat.S_IMODE(st.st_mode):04o}); nothing written. Make it "
                     f"writable (chmod u+w) or choose another file", 2)
    folder = Path(os.path.realpath(target)).parent
    if not folder.is_dir():
        raise Failed(f"cannot write {shown}: the folder {visible(str(folder))} does not exist", 2)
    from tui.plan.problems import PlanError
    from tui.plan.save import atomic_write

    try:
        atomic_write(target, data, name=shown)
    except PlanError as exc:
        reason = str(getattr(exc, "message", exc)).split("; the file on disk is unchanged")[0]
        raise Failed(f"{reason.replace('cannot save', 'cannot write', 1)}; nothing written", 2) from None
    except OSError as exc:
        raise Failed(f"cannot write {shown}: {exc.strerror or exc}; nothing written", 2) from None


# How long a FIFO may go without a reader before the write gives up (seconds).
FIFO_WAIT = 60.0


def _open_fifo(target: Path, shown: str) -> int:
    """Open a FIFO for writing once a process reads from it, waiting at most FIFO_WAIT."""
    import errno
    import fcntl
    import time

    deadline = time.monotonic() + FIFO_WAIT
    while True:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_NONBLOCK)
        except OSError as exc:
            if exc.errno != errno.ENXIO:  # ENXIO: nobody reads yet
                raise
            if time.monotonic() >= deadline:
                raise Failed(f"{shown} is a FIFO and no process read from it for {FIFO_WAIT:g} s; nothing "
                             "written. Start the reader first", 2) from None
            time.sleep(0.05)
            continue
        flags = fcntl.fcntl(fd, fcntl.F_GETFL)
        fcntl.fcntl(fd, fcntl.F_SETFL, flags & ~os.O_NONBLOCK)
        return fd


def _write_in_place(target: Path, data: bytes, shown: str) -> None:
    """A FIFO or a character device: opened for writing (no create, no truncate games)."""
    try:
        if stat.S_ISFIFO(os.stat(target).st_mode):
            fd = _open_fifo(target, shown)
        else:
            fd = os.open(target, os.O_WRONLY | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise Failed(f"cannot write {shown}: {exc.strerror or exc}; nothing written", 2) from None
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    except OSError as exc:
        raise Failed(f"cannot write {shown}: {exc.strerror or exc}", 2) from None
    finally:
        os.close(fd)


def finish_import(plan, report, fmt: str, *, dry_run: bool, skip_refused: bool | None = None) -> int:
    """Show an import's report (text, or JSON with the verdict on stderr) and write it
    only when nothing blocks it: not on a dry run, not when the result would be invalid,
    not while rows are refused (unless ``skip_refused``; None when the command offers no
    such option).  Returns the exit code."""
    from tui.plan.insights import imports

    if fmt == "json":
        out(json_text(report.to_dict()))
    else:
        emit(report.text())
    say = (lambda text: out(text, err=True)) if fmt == "json" else emit
    if report.errors:
        say("nothing written: the imported result would not be valid (see above)")
        return 1
    blocked = bool(report.refused) and not skip_refused
    if dry_run:
        say("dry run: nothing written")
        return 1 if blocked or not report.ok else 0
    if blocked:
        how = ", or pass --skip-refused to import the rest" if skip_refused is not None else " and run again"
        say(f"nothing written: {len(report.refused)} row(s) refused; fix them{how}")
        return 1
    if not report.changes:
        say("nothing to change")
        return 0
    imports.apply_import(plan, report)
    for change in report.changes:
        say(f"wrote {display_path(plan.root, change.file)}")
    return 0


def read_import_input(path: str) -> tuple[bytes, str]:
    """The bytes of an import's input (``-`` for standard input) and the name to report it
    by; at most one byte more than an import accepts, so a FIFO or /dev/zero cannot
    exhaust memory."""
    from pathlib import Path

    from tui.plan.insights.imports import MAX_IMPORT_BYTES

    try:
        if path == "-":
            data = sys.stdin.buffer.read(MAX_IMPORT_BYTES + 1)
        else:
            with open(path, "rb") as fh:
                data = fh.read(MAX_IMPORT_BYTES + 1)
    except FileNotFoundError:
        raise Failed(f"{path}: no such file", 2) from None
    except OSError as exc:
        raise Failed(f"cannot read {path}: {exc.strerror or exc}", 2) from None
    return data, ("standard input" if path == "-" else Path(path).name)
