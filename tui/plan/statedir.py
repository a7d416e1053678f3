"""Where Quarterdeck keeps its own files for a plan folder (recovery copies, locks).

They live in ``<plan>/.quarterdeck/``, a folder whose own ``.gitignore`` ignores all of
it, so nothing Quarterdeck writes for itself ever shows in ``git status`` or is swept
into a commit, and the user's own ignore files are never touched.  When the plan folder
cannot be written (read-only checkout, another user's files), the folder is one per plan
under the user's state directory instead (``$XDG_STATE_HOME/quarterdeck/<hash>``), so an
edit can still be kept safe while the plan itself cannot be saved.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

STATE_DIR_NAME = ".quarterdeck"
_IGNORE = "# Quarterdeck's own files (recovery copies, locks): never part of the plan\n*\n"


def _prepare(folder: Path) -> bool:
    try:
        folder.mkdir(mode=0o755, exist_ok=True)
        ignore = folder / ".gitignore"
        if not ignore.exists():
            ignore.write_text(_IGNORE, encoding="utf-8")
        return os.access(folder, os.W_OK | os.X_OK)
    except OSError:
        return False


def user_state_root() -> Path:
    base = os.environ.get("XDG_STATE_HOME") or os.path.join(os.path.expanduser("~"), ".local", "state")
    return Path(base) / "quarterdeck"


def fallback_state_dir(root: Path) -> Path:
    key = hashlib.sha256(os.path.realpath(root).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return user_state_root() / key


def state_dir(root: Path | str, *, create: bool = True) -> Path:
    """The folder for Quarterdeck's own files of the plan at ``root``: inside the plan
    when it can be written there, else under the user's state directory.  With
    ``create=False`` nothing is made; the in-plan folder is returned when it exists."""
    root = Path(root)
    local = root / STATE_DIR_NAME
    if not create:
        return local if local.is_dir() else fallback_state_dir(root)
    if _prepare(local):
        return local
    other = fallback_state_dir(root)
    other.parent.mkdir(parents=True, exist_ok=True)
    _prepare(other)
    return other


def candidate_state_dirs(root: Path | str) -> list[Path]:
    """Every place a file for this plan may have been kept (to look for recovery copies)."""
    root = Path(root)
    return [root / STATE_DIR_NAME, fallback_state_dir(root)]
