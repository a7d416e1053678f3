"""Atomic, careful saving.

A save writes a temp file in the target's own folder, fsyncs it, gives it the
original's mode, and renames it over the original, so a crash leaves either the old
or the new file.  A symlink is followed (the target is written, the link stays a
link).  Before replacing, the bytes on disk are compared with the bytes that were
read (a content hash, not a timestamp): a file that changed or vanished meanwhile is
not overwritten.  That check and the rename happen under the file's write lock
(``locking``), so two writers take turns instead of losing one's edit.
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import stat
import tempfile
from pathlib import Path

from .document import digest, read_plan_bytes
from .locking import LockTimeout, locked  # noqa: F401 - LockTimeout is part of what a save may raise
from .problems import FileChangedError, PlanError

TEMP_SUFFIX = ".qdtmp"


class SaveError(PlanError):
    """The disk refused the write; the original file is intact."""


def current_digest(path: Path) -> str | None:
    """Hash of the file now on disk; None when it is gone.  Never blocks or reads
    without bound: something that is no longer a regular file (or grew past the
    size limit) gets a marker that matches no hash, so it counts as changed."""
    real = Path(os.path.realpath(path))
    try:
        return digest(read_plan_bytes(real, str(path), boundary=real.parent))
    except PlanError as exc:
        if exc.code == "io.missing":
            return None
        return f"unreadable:{exc.code}"


# Points of a save, in order.  ``QUARTERDECK_CRASH_AT=<point>`` kills the process
# there with SIGKILL: the crash-safety tests use it to stop a save at every step.
STEPS = ("locked", "checked", "temp-open", "temp-written", "temp-synced", "replaced", "backup-written",
         "in-place-written", "done")
_CRASH_AT = os.environ.get("QUARTERDECK_CRASH_AT", "")


def _step(point: str) -> None:
    if _CRASH_AT and _CRASH_AT == point:
        os.kill(os.getpid(), signal.SIGKILL)


def crash_point(point: str) -> None:
    """A named point of a multi-file step (a layout conversion) where the crash tests
    may kill the process, as they do at each of ``STEPS`` of a save."""
    _step(point)


def sync_folder(folder: Path) -> None:
    """Make a folder's entries (files added, renamed or removed in it) durable."""
    _sync_folder(folder)


def _reason(exc: OSError) -> str:
    return {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied",
            errno.EPERM: "permission denied", errno.EROFS: "the file system is read-only",
            errno.EDQUOT: "the disk quota is exceeded", errno.EIO: "an I/O error"}.get(exc.errno, exc.strerror)


def atomic_write(path: Path, data: bytes, expected_sha256: str | None = None, *, name: str | None = None,
                 lock: bool | None = None, timeout: float | None = None, create: bool = False) -> None:
    """Replace ``path`` with ``data``.  With ``expected_sha256``, refuse if the file on
    disk is not the one that was read (changed or deleted since).

    A write with ``expected_sha256`` (or ``lock=True``) holds the file's write lock
    (see ``locking``) from that check to the rename, so no other writer can slip in
    between; ``timeout`` bounds the wait for it.  With ``create``, a file read as empty
    (the hash of no bytes) may also be missing: it is created (a new per-entity file,
    see ``layout``); one that appeared meanwhile with other bytes is still refused.
    A file with several hard links is
    written in place instead of replaced, so every link keeps seeing it (see
    ``_write_in_place`` for the price)."""
    name = name or str(path)
    real = Path(os.path.realpath(path))
    if lock is None:
        lock = expected_sha256 is not None
    guard = locked([real], names=[name], timeout=timeout) if lock else contextlib.nullcontext()
    with guard:
        _step("locked")
        if expected_sha256 is not None:
            now = current_digest(real)
            if now is None and create and expected_sha256 == digest(b""):
                now = expected_sha256  # a new file: nothing there yet, as expected
            if now is None:
                raise FileChangedError(f"{name} was deleted since it was read; nothing saved. Reload the plan, "
                                       "or restore the file, then save again", file=name, code="save.deleted")
            if now != expected_sha256:
                raise FileChangedError(f"{name} changed on disk since it was read; nothing saved. Reload it "
                                       "(your edit can be made again) or compare the versions first",
                                       file=name, code="save.changed")
        _step("checked")
        try:
            st = os.stat(real)
        except FileNotFoundError:
            st = None
        except OSError as exc:
            raise SaveError(f"cannot save {name}: {_reason(exc)}; the file on disk is unchanged and your edit is kept",
                            file=name, code="save.io") from None
        if st is not None and stat.S_ISREG(st.st_mode) and st.st_nlink > 1:
            _write_in_place(real, data, name)
        else:
            _replace(real, data, name, st)
        _step("done")


def write_new_files(files: dict[Path, bytes], names: dict[Path, str] | None = None) -> None:
    """Write many files that do not exist yet, for one step (a layout conversion; the
    caller holds their locks): each through a temp file and a rename, so none is ever
    seen half-written, then one ``os.sync()`` makes all of them durable together (an
    fsync each costs a disk flush each: minutes for ten thousand files)."""
    names = names or {}
    mode = 0o666 & ~_umask()
    folders = set()
    for path, data in files.items():
        name = names.get(path, str(path))
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{Path(path).name}.", suffix=TEMP_SUFFIX, dir=Path(path).parent)
            try:
                _write_all(fd, data)
                os.fchmod(fd, mode)
            finally:
                os.close(fd)
            os.replace(tmp, path)
            tmp = None
        except OSError as exc:
            raise SaveError(f"cannot write {name}: {_reason(exc)}", file=name, code="save.io") from None
        finally:
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
        folders.add(Path(path).parent)
    os.sync()
    for folder in folders:
        _sync_folder(folder)


def remove_file(path: Path, expected_sha256: str | None = None, *, name: str | None = None,
                timeout: float | None = None, sync: bool = True) -> None:
    """Remove a plan file (an entity file of a kind kept as one file per entity, or a
    file that a layout conversion replaced) under its write lock, refusing one whose
    bytes are not ``expected_sha256`` any more.  A file already gone is not an error.
    A symlink is removed as a link (what it points at stays)."""
    name = name or str(path)
    real = Path(os.path.realpath(path))
    with locked([real], names=[name], timeout=timeout):
        now = current_digest(real)
        if now is None:
            return
        if expected_sha256 is not None and now != expected_sha256:
            raise FileChangedError(f"{name} changed on disk since it was read; it was not removed. Reload the plan "
                                   "(your edit can be made again) or compare the versions first",
                                   file=name, code="save.changed")
        try:
            os.unlink(path)
        except FileNotFoundError:
            return
        except OSError as exc:
            raise SaveError(f"cannot remove {name}: {_reason(exc)}; the file is unchanged and your edit is kept",
                            file=name, code="save.io") from None
    if sync:  # (``sync=False``: the caller syncs the folder once, after removing many)
        _sync_folder(Path(path).parent)


def _replace(real: Path, data: bytes, name: str, st) -> None:
    mode = st.st_mode & 0o7777 if st is not None else 0o666 & ~_umask()
    folder = real.parent
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=TEMP_SUFFIX, dir=folder)
        _step("temp-open")
        try:
            _write_all(fd, data)
            _step("temp-written")
            os.fchmod(fd, mode)
            if st is not None:
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass
            os.fsync(fd)
            _step("temp-synced")
        finally:
            os.close(fd)
        os.replace(tmp, real)
        tmp = None
        _step("replaced")
    except OSError as exc:
        raise SaveError(f"cannot save {name}: {_reason(exc)}; the file on disk is unchanged and your edit is kept",
                        file=name, code="save.io") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _sync_folder(folder)


def _write_in_place(real: Path, data: bytes, name: str) -> None:
    """Write a file that has other hard links through its own inode, so the links stay
    one file.  The price: this write is not atomic.  The old bytes are first copied
    (and synced) to ``.quarterdeck/<name>.before-save`` beside the plan; a crash while the
    file itself is written can leave it cut short, and that copy is then kept for the
    user to restore.  After a complete write the copy is removed."""
    from .statedir import state_dir

    try:
        old = real.read_bytes()
        backup = state_dir(real.parent) / f"{real.name}.before-save"
        bfd = os.open(backup, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            _write_all(bfd, old)
            os.fsync(bfd)
        finally:
            os.close(bfd)
        _step("backup-written")
    except OSError as exc:
        raise SaveError(f"cannot save {name}: {_reason(exc)} (while keeping a copy of it before writing it in place, "
                        "which a file with hard links needs); the file on disk is unchanged and your edit is kept",
                        file=name, code="save.io") from None
    try:
        fd = os.open(real, os.O_WRONLY)
        try:
            _write_all(fd, data)
            os.ftruncate(fd, len(data))
            os.fsync(fd)
        finally:
            os.close(fd)
        _step("in-place-written")
    except OSError as exc:
        try:
            fd = os.open(real, os.O_WRONLY)
            try:
                _write_all(fd, old)
                os.ftruncate(fd, len(old))
                os.fsync(fd)
            finally:
                os.close(fd)
            restored = "the file was put back as it was"
        except OSError:
            restored = f"its previous version is kept in {backup}"
        raise SaveError(f"cannot save {name}: {_reason(exc)}; {restored}, and your edit is kept",
                        file=name, code="save.io") from None
    try:
        os.unlink(backup)
    except OSError:
        pass


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _sync_folder(folder: Path) -> None:
    try:
        dir_fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError:
        pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
