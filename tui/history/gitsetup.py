"""Teach git about plan files: a diff driver and a merge driver.

``git-setup`` writes a ``.gitattributes`` in the plan folder (commit it: it travels
with the plan) that gives the plan's six files ``diff=quarterdeck merge=quarterdeck``,
and sets, in the repository's own config (``.git/config``; every clone runs
``quarterdeck git-setup`` once):

- ``diff.quarterdeck.textconv``: ``quarterdeck textconv``, a per-entity rendering
  of a plan file (see ``tui.history.textconv``).  textconv, rather than an external
  diff command, because git uses it everywhere by default: ``git diff``, ``git log -p``,
  ``git show``, ``git blame``, and the ``--stat`` counts; an external diff command is
  skipped by ``git log -p`` and ``git show`` unless ``--ext-diff`` is given.  git's
  line diff of the two renderings reads entity by entity, and the hunk headers
  (``diff.quarterdeck.xfuncname``) name the entity.  ``quarterdeck diff`` gives the
  full semantic diff (renames, set changes, word diffs).
- ``merge.quarterdeck.driver``: ``quarterdeck merge-file %O %A %B %P``, the
  id-aware three-way merge (see ``tui.history.merge``).

The commands run ``<this python> -m tui`` so they work from a virtual environment
without the ``quarterdeck`` script on PATH (and, when Quarterdeck runs from a source
folder rather than an installed package, with that folder on PYTHONPATH).  Without
this config (a fresh clone), git simply ignores the attributes and diffs and merges
lines as usual.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import tempfile
from pathlib import Path

from tui.plan.registry import PLAN_FILES
from tui.plan.save import atomic_write

from .repo import PlanRepo
from .textconv import XFUNCNAME

ATTRIBUTES_HEADER = "# Quarterdeck plan files: semantic diff and id-aware merge (`quarterdeck git-setup` in each clone)"
ATTRIBUTES = "diff=quarterdeck merge=quarterdeck"


def command_prefix() -> str:
    """The shell words that run Quarterdeck's command line with this interpreter."""
    import tui

    exe = shlex.quote(sys.executable)
    source = str(Path(tui.__file__).resolve().parent.parent)
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    try:
        with tempfile.TemporaryDirectory() as neutral:
            found = subprocess.run([sys.executable, "-c", "import tui, os; print(os.path.realpath(tui.__file__))"],
                                   cwd=neutral, env=env, capture_output=True, text=True, timeout=60).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        found = ""
    if found and Path(found).parent.parent == Path(source):
        return f"{exe} -m tui"
    return f"PYTHONPATH={shlex.quote(source)} {exe} -m tui"


def config_entries(prefix: str | None = None) -> dict[str, str]:
    prefix = prefix or command_prefix()
    return {
        "diff.quarterdeck.textconv": f"{prefix} textconv",
        "diff.quarterdeck.xfuncname": XFUNCNAME,
        "merge.quarterdeck.name": "Quarterdeck plan files, merged entity by entity",
        "merge.quarterdeck.driver": f"{prefix} merge-file %O %A %B %P --marker-size=%L",
    }


def attribute_lines() -> list[str]:
    return [f"/{name} {ATTRIBUTES}" for name in PLAN_FILES]


def write_attributes(folder: Path) -> bool:
    """Add the plan's lines to ``folder/.gitattributes`` (kept as it is otherwise).  True if changed."""
    path = Path(folder) / ".gitattributes"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raw = None
    text = raw.decode("utf-8") if raw is not None else ""
    present = {line.strip() for line in text.splitlines()}
    missing = [line for line in attribute_lines() if line not in present]
    if not missing:
        return False
    nl = "\r\n" if "\r\n" in text else "\n"
    add = ([ATTRIBUTES_HEADER] if ATTRIBUTES_HEADER not in present else []) + missing
    if text and not text.endswith(("\n", "\r")):
        text += nl
    text += nl.join(add) + nl
    from tui.plan.document import digest

    atomic_write(path, text.encode("utf-8"), digest(raw) if raw is not None else None, name=".gitattributes")
    return True


def git_setup(prepo: PlanRepo) -> list[str]:
    """Configure the repository for the plan; returns what was done, for people."""
    done = []
    if write_attributes(prepo.plan_dir):
        where = prepo.repo_path(".gitattributes")
        done.append(f"wrote {where} (commit it so every clone uses the drivers)")
    for key, value in config_entries().items():
        prepo.git("config", "--local", "--replace-all", key, value, what="git config")
    done.append("set diff.quarterdeck.* and merge.quarterdeck.* in the repository's config: `git diff`, "
                "`git log -p` and `git show` print plan files entity by entity; merges go entity by entity")
    return done
