"""Teach git about plan files: a diff driver and a merge driver.

``git-setup`` writes a ``.gitattributes`` in the plan folder (commit it: it travels
with the plan) that gives the plan's six files ``diff=quarterdeck merge=quarterdeck``,
and sets, in the repository's own config (``.git/config``, which is not versioned:
every clone runs ``quarterdeck git-setup`` once):

- ``diff.quarterdeck.xfuncname``: git's diffs stay diffs of the file's real lines (so
  ``git blame`` shows the file's lines, a patch from ``git diff`` applies, a comment
  change shows, and ``git log -p`` costs what it costs without Quarterdeck), and each
  hunk header names the entity the change is in: the ``id = "..."`` line of the entity
  (or the ``[plan]``-style header of a one-table section) above the change.
- ``merge.quarterdeck.driver``: ``quarterdeck merge-file %O %A %B %P``, the three-way
  merge by entity (see ``tui.history.merge``).
- with ``--semantic`` only: ``diff.quarterdeck.textconv`` (``quarterdeck textconv``, the
  per-entity rendering of ``tui.history.textconv``) with ``cachetextconv = true``, so
  ``git diff``/``log -p``/``show`` print plan changes field by field; the rendering of
  each blob is computed once and cached in ``refs/notes/textconv/quarterdeck``.  It
  makes ``git blame`` show the rendering's lines and hides comment-only changes, which
  is why it is not the default; ``quarterdeck diff`` gives the same view on demand.

The commands run ``quarterdeck`` as found on PATH when git runs them (never an absolute
interpreter path, which breaks when a virtual environment moves).  When ``quarterdeck``
is not on PATH at setup, they run this interpreter's ``-m tui`` instead, and setup says
so.  A driver that cannot start says so on stderr and falls back to git's own line
merge (and, for the textconv, to the raw file), instead of leaving a half-merged file.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from tui.plan.registry import PLAN_FILES
from tui.plan.save import atomic_write

from .repo import PlanRepo

ATTRIBUTES_HEADER = "# Quarterdeck plan files: entity-aware diff and merge (run `quarterdeck git-setup` once in each clone)"
ATTRIBUTES = "diff=quarterdeck merge=quarterdeck"
# Hunk headers: the entity's id line, or the header of a one-table section ([plan], [sla]).
XFUNCNAME = r"^(id[ \t]*=.*|\[[A-Za-z_]+\][ \t]*(#.*)?)$"
MISSING = ("quarterdeck merge driver: cannot start {what} (not on PATH); merged line by line instead. "
           "Install Quarterdeck where git can find it and run `quarterdeck git-setup` again")


def command_prefix() -> tuple[str, str | None]:
    """(the shell words that start Quarterdeck's command line, a note for people or None)."""
    if shutil.which("quarterdeck"):
        return "quarterdeck", None
    exe = shlex.quote(sys.executable)
    return (f"{exe} -m tui", f"`quarterdeck` is not on PATH, so the drivers run {sys.executable} -m tui; if that "
                             "environment moves or goes, run `quarterdeck git-setup` again")


def _guarded(prefix: str, command: str, fallback: str) -> str:
    """A shell command that runs ``prefix command`` when it can start, else says so and runs ``fallback``."""
    first = shlex.split(prefix)[0]
    probe = f"command -v {shlex.quote(first)} >/dev/null 2>&1"
    what = shlex.quote(MISSING.format(what=first))
    return f"if {probe}; then {prefix} {command}; else echo {what} >&2; {fallback}; fi"


def config_entries(prefix: str | None = None, semantic: bool = False) -> dict[str, str]:
    prefix = prefix or command_prefix()[0]
    entries = {
        "diff.quarterdeck.xfuncname": XFUNCNAME,
        "merge.quarterdeck.name": "Quarterdeck plan files, merged entity by entity",
        "merge.quarterdeck.driver": _guarded(
            prefix, "merge-file %O %A %B %P --marker-size=%L",
            "git merge-file --marker-size=%L -L ours -L base -L theirs -- %A %O %B"),
    }
    if semantic:
        # git appends the file's name: a shell function takes it as $1
        first = shlex.split(prefix)[0]
        missing = shlex.quote(f"quarterdeck textconv: cannot start {first} (not on PATH); showing the raw file")
        entries["diff.quarterdeck.textconv"] = (
            f'qd() {{ if command -v {shlex.quote(first)} >/dev/null 2>&1; then {prefix} textconv "$1"; '
            f'else echo {missing} >&2; cat "$1"; fi; }}; qd')
        entries["diff.quarterdeck.cachetextconv"] = "true"
        from .textconv import XFUNCNAME as RENDERED

        entries["diff.quarterdeck.xfuncname"] = RENDERED  # hunk headers: the rendering's entity lines
    return entries


def attribute_lines() -> list[str]:
    """One line per plan file, and one per folder a kind may be kept in one file per
    entity (``/accounts/*.toml``), so a later ``quarterdeck layout`` needs no new setup."""
    from tui.plan.layout import folder_of, split_kinds

    return [f"/{name} {ATTRIBUTES}" for name in PLAN_FILES] + [
        f"/{folder_of(file)}/*.toml {ATTRIBUTES}" for file in split_kinds()]


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


def git_setup(prepo: PlanRepo, semantic: bool = False) -> list[str]:
    """Configure the repository for the plan; returns what was done, for people."""
    done = []
    if write_attributes(prepo.plan_dir):
        where = prepo.repo_path(".gitattributes")
        done.append(f"wrote {where} (commit it: the attributes travel with the plan)")
    prefix, note = command_prefix()
    entries = config_entries(prefix, semantic=semantic)
    for key, value in entries.items():
        prepo.git("config", "--local", "--replace-all", key, value, what="git config")
    if not semantic:
        for key in ("diff.quarterdeck.textconv", "diff.quarterdeck.cachetextconv"):
            prepo.run("config", "--local", "--unset-all", key)
    done.append("set merge.quarterdeck.* in this repository's config: merges of plan files go entity by entity")
    if semantic:
        done.append("set diff.quarterdeck.textconv (cached): `git diff`, `git log -p` and `git show` print plan "
                    "files field by field; `git blame` then shows that rendering too, and comment-only changes "
                    "do not show (`--no-textconv` shows the file's lines)")
    else:
        done.append("set diff.quarterdeck.xfuncname: `git diff`, `log -p`, `show` and `blame` show the files' real "
                    "lines, each hunk headed by the id of the entity it changes; `quarterdeck diff` shows the "
                    "changes entity by entity (`git-setup --semantic` makes git diffs do that too)")
    if note:
        done.append("note: " + note)
    done.append("each clone runs `quarterdeck git-setup` once: the drivers live in .git/config, which git does not "
                "version or share (.gitattributes is versioned)")
    return done
