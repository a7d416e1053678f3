"""Atomic, careful saving.

A save writes a temp file in the target's own folder, fsyncs it, gives it the
original's mode, and renames it over the original, so a crash leaves either the old
or the new file.  A symlink is followed (the target is written, the link stays a
link).  Before replacing, the bytes on disk are compared with the bytes that were
read (a content hash, not a timestamp): a file that changed or vanished meanwhile is
not overwritten.
"""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from .document import digest
from .problems import FileChangedError, PlanError

TEMP_SUFFIX = ".qdtmp"


class SaveError(PlanError):
    """The disk refused the write; the original file is intact."""


def current_digest(path: Path) -> str | None:
    try:
        return digest(Path(path).read_bytes())
    except FileNotFoundError:
        return None


def atomic_write(path: Path, data: bytes, expected_sha256: str | None = None, *, name: str | None = None) -> None:
    """Replace ``path`` with ``data``.  With ``expected_sha256``, refuse if the file on
    disk is not the one that was read (changed or deleted since)."""
    name = name or str(path)
    real = Path(os.path.realpath(path))
    if expected_sha256 is not None:
        now = current_digest(real)
        if now is None:
            raise FileChangedError(f"{name} was deleted since it was read; nothing saved. Reload the plan, "
                                   "or restore the file, then save again", file=name, code="save.deleted")
        if now != expected_sha256:
            raise FileChangedError(f"{name} changed on disk since it was read; nothing saved. Reload it "
                                   "(your edit can be made again) or compare the versions first",
                                   file=name, code="save.changed")
    try:
        st = os.stat(real)
        mode = st.st_mode & 0o7777
    except FileNotFoundError:
        st = None
        mode = 0o666 & ~_umask()
    folder = real.parent
    fd, tmp = tempfile.mkstemp(prefix=f".{real.name}.", suffix=TEMP_SUFFIX, dir=folder)
    try:
        try:
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
            os.fchmod(fd, mode)
            if st is not None:
                try:
                    os.fchown(fd, st.st_uid, st.st_gid)
                except OSError:
                    pass
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        reason = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied",
                  errno.EPERM: "permission denied", errno.EROFS: "the file system is read-only",
                  errno.EDQUOT: "the disk quota is exceeded", errno.EIO: "an I/O error"}.get(exc.errno, exc.strerror)
        raise SaveError(f"cannot save {name}: {reason}; the file on disk is unchanged and your edit is kept",
                        file=name, code="save.io") from None
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
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
