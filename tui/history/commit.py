"""Committing the plan: validate, stage only the plan's files, and run ``git commit``.

What gets committed is what was validated: before committing, the bytes git will
store for each plan file are computed with git's own filters (``.gitattributes`` eol
rules, ``core.autocrlf``, clean filters); when they differ from the bytes on disk,
the stored version is parsed and validated too, and must hold the same data.  After
the commit, the blobs in the new commit are compared with those; a hook that changed a
file is reported with a semantic diff and the changed plan is validated again.

The commit is made by ``git commit -- <plan files>`` (only those paths), so anything
else the user had staged stays staged and out of the commit; hooks, signing
(``commit.gpgsign``) and identity are git's own.  When the commit fails (a refusing
hook, signing), the index is put back as it was: plan files the user had not staged are
unstaged again.  The plan's first commit also takes the files ``quarterdeck init``
wrote that git does not track yet (``support_files``: the plan folder's
``.gitattributes``, ``.gitignore`` and ``schemas/``, and the CI workflow).  With
``quarter``, a quarter tag that already marks another revision stops the commit before
anything is committed (unless ``force_tag``).  Nothing is ever forced: a merge or
rebase in progress, unresolved conflicts, a detached HEAD, a held ``index.lock`` or a
missing identity stop the commit with a message saying what to do.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.model import load_plan
from tui.plan.problems import ERROR, Problem
from tui.plan.registry import PLAN_FILES

from .errors import HistoryError
from .quarters import is_quarter
from .repo import LITERAL, PlanRepo, git_error
from .semdiff import PlanDiff, diff_snapshots, short_summary, summary_lines
from .snapshot import Snapshot, empty, snapshot_of_commit

IN_PROGRESS = (
    ("MERGE_HEAD", "a merge", "finish it (`git commit`) or abort it (`git merge --abort`)"),
    ("rebase-merge", "a rebase", "finish it (`git rebase --continue`) or abort it (`git rebase --abort`)"),
    ("rebase-apply", "a rebase or `git am`", "finish it (`--continue`) or abort it (`--abort`)"),
    ("CHERRY_PICK_HEAD", "a cherry-pick", "finish it (`git cherry-pick --continue`) or abort it (`git cherry-pick --abort`)"),
    ("REVERT_HEAD", "a revert", "finish it (`git revert --continue`) or abort it (`git revert --abort`)"),
    ("BISECT_LOG", "a bisect", "end it with `git bisect reset`"),
)


@dataclass
class CommitResult:
    commit: str | None  # None: nothing to commit
    branch: str | None
    subject: str = ""
    message: str = ""
    diff: PlanDiff | None = None
    tag: str | None = None
    notices: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # of the plan as committed
    hook_changed: bool = False  # a hook changed what was committed
    parents: list[str] = field(default_factory=list)  # of the new commit

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]


# -- checks before committing --------------------------------------------------------------


def check_state(prepo: PlanRepo) -> None:
    """Refuse states in which a commit would be wrong or would fail halfway."""
    gd = prepo.location.git_dir
    for name, what, how in IN_PROGRESS:
        if (gd / name).exists():
            raise HistoryError(f"{what} is in progress in this repository; {how}, then commit the plan",
                               code="git.in-progress")
    if (gd / "index.lock").exists():
        raise HistoryError(
            f"another git process is using this repository ({gd / 'index.lock'} exists). Wait for it to finish; "
            "if no git command is running, a crashed one left the lock behind: remove that file yourself, then "
            "try again (Quarterdeck never removes it)", code="git.locked")
    out = prepo.git("ls-files", "-u", "-z")
    conflicted = sorted({rec.split("\t", 1)[1] for rec in out.split("\0") if "\t" in rec})
    if conflicted:
        listing = ", ".join(conflicted[:8]) + (f" and {len(conflicted) - 8} more" if len(conflicted) > 8 else "")
        raise HistoryError(f"the index has unresolved conflicts ({listing}); resolve them and `git add` the files, "
                           "then commit the plan", code="git.conflicts")
    if prepo.head() is not None and prepo.branch() is None:
        raise HistoryError("HEAD is detached (not on a branch), so a commit would belong to no branch; switch to a "
                           "branch first (`git switch BRANCH`, or `git switch -c NEW-BRANCH` to keep this state)",
                           code="git.detached")


def check_identity(prepo: PlanRepo) -> None:
    """git must know the author's and committer's name and email (GitPython would guess root@host)."""

    status, out, _ = prepo.run("config", "-z", "--get-regexp", r"^(user|author|committer)\.(name|email)$")
    values: dict[str, str] = {}
    for record in out.split("\0") if status == 0 else []:
        key, _, value = record.partition("\n")
        if key and value.strip():
            values[key.lower()] = value.strip()

    def config(key: str) -> str:
        return values.get(key, "")

    missing = []
    user_name, user_email = config("user.name"), config("user.email")
    for role in ("author", "committer"):
        name = os.environ.get(f"GIT_{role.upper()}_NAME") or config(f"{role}.name") or user_name
        email = (os.environ.get(f"GIT_{role.upper()}_EMAIL") or config(f"{role}.email") or user_email
                 or os.environ.get("EMAIL"))
        if not name and "user.name" not in missing:
            missing.append("user.name")
        if not email and "user.email" not in missing:
            missing.append("user.email")
    if missing:
        raise HistoryError(
            "git does not know who you are (" + " and ".join(missing) + " not set), so nothing was committed. Set "
            "them, for this repository or with --global for all:\n"
            '  git config user.name "Your Name"\n'
            "  git config user.email you@example.com", code="git.identity")


def _blob_id(raw: bytes, algo: str) -> str:
    h = hashlib.new(algo)
    h.update(b"blob %d\0" % len(raw))
    h.update(raw)
    return h.hexdigest()


def _object_format(prepo: PlanRepo) -> str:
    status, out, _ = prepo.run("rev-parse", "--show-object-format")
    return out.strip() if status == 0 and out.strip() in ("sha1", "sha256") else "sha1"


def plan_file_paths(prepo: PlanRepo) -> tuple[list[str], list[str]]:
    """(plan files present, tracked plan files deleted from the folder) as file names."""
    present, missing = [], []
    for name in _plan_file_names(prepo):
        path = prepo.plan_dir / name
        if os.path.islink(path):
            raise HistoryError(f"{path} is a symbolic link; git would store the link, not the plan. Replace the "
                               "link with the file itself, then commit", code="git.symlink")
        if path.exists():
            present.append(name)
        else:
            missing.append(name)
    deleted = []
    if missing:
        out = prepo.git("ls-files", "-z", "--", *[prepo.repo_path(n) for n in missing], env=LITERAL)
        tracked = set(out.split("\0"))
        deleted = [n for n in missing if prepo.repo_path(n) in tracked]
    return present, deleted


def _plan_file_names(prepo: PlanRepo) -> list[str]:
    """The plan's file names, with the entity files of kinds kept one file per entity:
    those in the folder now and those git tracks there (removed or renamed since)."""
    from tui.plan.layout import SUFFIX, folder_names, folder_of, split_kinds

    names = list(PLAN_FILES)
    prefixes = {}
    for file in split_kinds():
        names += folder_names(prepo.plan_dir, file)
        prefixes[prepo.repo_path(folder_of(file)) + "/"] = folder_of(file)
    out = prepo.git("ls-files", "-z", "--", *prefixes, env=LITERAL)
    for path in out.split("\0"):
        head, _, entry = path.rpartition("/")
        folder = prefixes.get(head + "/")
        if folder and entry.endswith(SUFFIX) and not entry.startswith(".") and f"{folder}/{entry}" not in names:
            names.append(f"{folder}/{entry}")
    return names


# -- the commit ------------------------------------------------------------------------------


def commit_plan(prepo: PlanRepo, message: str | None = None, *, quarter: str | None = None,
                allow_invalid: bool = False, env: dict | None = None, force_tag: bool = False) -> CommitResult:
    """Validate the plan and commit its files.  ``quarter``: also tag the commit as that
    quarter's final revision.  ``env``: extra environment for git (e.g. commit dates)."""
    from tui.plan.validation import validate

    if quarter is not None and not is_quarter(quarter):
        raise HistoryError(f"{quarter!r} is not a quarter; write it as YYYY-QN, e.g. 2026-Q4", code="usage.quarter")
    recovered = recover_interrupted(prepo)
    check_state(prepo)
    check_identity(prepo)
    plan = load_plan(prepo.plan_dir)
    problems = validate(plan)
    errors = [p for p in problems if p.severity == ERROR]
    if errors and not allow_invalid:
        raise HistoryError(_problem_text(errors, "the plan has {n} error(s); fix them (see `quarterdeck check`) "
                                                 "or pass --allow-invalid to commit anyway") ,
                           code="commit.invalid")

    present, deleted = plan_file_paths(prepo)
    algo = _object_format(prepo)
    validated = {name: _blob_id(plan.files[name].raw, algo) for name in present if name in plan.files}
    for name in present:
        if name not in plan.files:  # does not parse: its bytes as they are (only with --allow-invalid)
            validated[name] = _blob_id((prepo.plan_dir / name).read_bytes(), algo)
    paths = [prepo.repo_path(n) for n in present]
    stored = {}
    if paths:
        out = prepo.git("hash-object", "-w", "--", *paths, env=LITERAL, what="git hash-object")
        stored = dict(zip(present, out.split()))
    notices: list[str] = list(recovered)
    converted = [n for n in present if stored.get(n) != validated.get(n)]
    stored_snap = Snapshot.from_blobs("as git stores it", None, prepo.plan_dir,
                                      {n: stored[n] for n in converted if n in stored}, prepo.read_blob)
    for name in present:  # unconverted files: the very bytes validated
        if name not in converted and name in plan.files:
            stored_snap.files[name] = plan.files[name]
        elif name not in converted:
            stored_snap.errors[name] = next(
                (HistoryError(p.message, file=p.file, line=p.line, col=p.col, code=p.code)
                 for p in plan.syntax_errors if p.file == name), HistoryError("cannot be read", file=name))
    stored_snap.blobs = dict(stored)
    if converted:
        _check_converted(plan, stored_snap, converted, allow_invalid, notices)

    head = prepo.head()
    base = snapshot_of_commit(prepo, head, "HEAD") if head else empty("(no commits yet)", prepo.plan_dir)
    unchanged = head is not None and not deleted and base.blobs == {n: stored[n] for n in present} and \
        set(base.blobs) == set(present)
    if quarter:
        _check_tag_free(prepo, quarter, head if unchanged else None, force_tag)
    if unchanged:
        result = CommitResult(None, prepo.branch(), notices=notices, problems=problems)
        if quarter:
            result.tag = tag_quarter(prepo, quarter, head, force=force_tag, env=env)
        return result
    changes = diff_snapshots(base, stored_snap, plan=prepo.rel or ".")
    subject, full = compose_message(message, changes, plan.quarter, errors if allow_invalid else [])

    support = support_files(prepo) if not base.blobs else []
    if support:
        notices.append("the plan's first commit also takes " + ", ".join(support) + " (written by `quarterdeck "
                       "init` and not tracked yet)")
    commit_paths = paths + support + [prepo.repo_path(n) for n in deleted]
    saved_index = _index_entries(prepo, paths + support)
    # `git commit -- PATHS` takes the working tree's version of tracked files itself and
    # leaves the rest of the index alone; files git does not know yet are only marked
    # as intended (`git add -N`), which a plain `git commit` never takes.  So a commit
    # killed half-way leaves nothing staged that the next commit would sweep in; the
    # journal lets the next commit take the marks back (``recover_interrupted``).
    untracked = [p for p in paths if p not in saved_index] + support
    _write_journal(prepo, untracked, head)
    _step("commit-journal")
    if untracked:
        prepo.git("add", "--intent-to-add", "--", *untracked, env=LITERAL, what="git add")
    _step("commit-marked")
    fd, msg_path = tempfile.mkstemp(prefix="quarterdeck-msg-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(full)
        # ":(literal)" rather than GIT_LITERAL_PATHSPECS, which hooks would inherit
        status, out, err = prepo.run("commit", f"--file={msg_path}", "--",
                                     *[f":(literal){p}" for p in commit_paths], env=env, user_env=True)
    finally:
        os.unlink(msg_path)
    _step("commit-ran")
    if status != 0:
        _restore_index(prepo, paths + support, saved_index)
        _drop_journal(prepo)
        raise _commit_failure(prepo, (err + "\n" + out).strip(), plan, validated)
    _drop_journal(prepo)
    new_head = prepo.head()
    result = CommitResult(new_head, prepo.branch(), subject, full, changes, notices=notices, problems=problems,
                          parents=[head] if head else [])
    _after_commit(prepo, new_head, stored_snap, stored, result)
    _worktree_changed(prepo, plan, validated, algo, result)
    _step("commit-done")
    if quarter:
        result.tag = tag_quarter(prepo, quarter, new_head, force=force_tag, env=env)
    return result


SUPPORT = (".gitattributes", ".gitignore", "schemas")


def support_files(prepo: PlanRepo) -> list[str]:
    """Files ``quarterdeck init`` writes that git does not track yet (repository paths):
    the plan folder's .gitattributes, .gitignore and schemas/, and the CI workflow."""
    from .scaffold import WORKFLOW_FILE

    candidates = [prepo.repo_path(n) for n in SUPPORT if os.path.lexists(prepo.plan_dir / n)]
    if (prepo.toplevel / WORKFLOW_FILE).is_file():
        candidates.append(WORKFLOW_FILE)
    if not candidates:
        return []
    out = prepo.git("ls-files", "-z", "--others", "--exclude-standard", "--", *candidates, env=LITERAL)
    untracked = [p for p in out.split("\0") if p]
    return [c for c in candidates if any(u == c or u.startswith(c + "/") for u in untracked)]


def _index_entries(prepo: PlanRepo, paths: list[str]) -> dict[str, str]:
    """{path: "mode sha"} of the index entries of ``paths`` (absent: not in the index)."""
    if not paths:
        return {}
    out = prepo.git("ls-files", "-z", "--stage", "--", *paths, env=LITERAL)
    entries = {}
    for record in out.split("\0"):
        meta, _, path = record.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[2] == "0":
            entries[path] = f"{parts[0]} {parts[1]}"
    return entries


def _restore_index(prepo: PlanRepo, paths: list[str], saved: dict[str, str]) -> None:
    """Put the index entries of ``paths`` back as they were before ``git add`` (a failed commit)."""
    now = _index_entries(prepo, paths)
    gone = [p for p in now if p not in saved]
    if gone:  # not staged before: unstaged again
        prepo.run("update-index", "--force-remove", "--", *gone, env=LITERAL)
    for path, entry in saved.items():
        if now.get(path) != entry:
            mode, sha = entry.split()
            prepo.run("update-index", "--add", "--cacheinfo", f"{mode},{sha},{path}", env=LITERAL)


# -- a commit killed half-way -----------------------------------------------------------------

JOURNAL = "quarterdeck-commit.json"  # in the git folder, while a commit runs
# ``QUARTERDECK_CRASH_AT=<point>`` kills the process there (SIGKILL): the crash tests stop
# a commit at each of these points.
COMMIT_STEPS = ("commit-journal", "commit-marked", "commit-ran", "commit-done")


def _step(point: str) -> None:
    if os.environ.get("QUARTERDECK_CRASH_AT", "") == point:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


def _journal_path(prepo: PlanRepo) -> Path:
    return prepo.location.git_dir / JOURNAL


def _write_journal(prepo: PlanRepo, marked: list[str], head: str | None) -> None:
    import json
    import socket
    import time

    from tui.plan.save import atomic_write

    doc = {"format": "quarterdeck-commit/1", "pid": os.getpid(), "host": socket.gethostname(),
           "started": time.strftime("%Y-%m-%d %H:%M:%S"), "head": head, "marked": marked}
    try:
        atomic_write(_journal_path(prepo), json.dumps(doc).encode(), name=JOURNAL)
    except Exception:  # noqa: BLE001 - the journal only helps explain a crash; the commit is safe without it
        pass


def _drop_journal(prepo: PlanRepo) -> None:
    try:
        os.unlink(_journal_path(prepo))
    except OSError:
        pass


def _alive(pid: int, host: str) -> bool:
    import socket

    if host != socket.gethostname():
        return True  # cannot tell: take it as running
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def recover_interrupted(prepo: PlanRepo) -> list[str]:
    """Clean up after a plan commit that was killed half-way (its journal is still there):
    files it marked as to be added (``git add -N``) and that no commit took are unmarked
    again.  A lock file git left behind is explained, never removed.  Returns notes."""
    import json

    path = _journal_path(prepo)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        pid, host = int(doc["pid"]), str(doc["host"])
        marked = [str(p) for p in doc.get("marked") or []]
        started = str(doc.get("started", ""))
    except FileNotFoundError:
        return []
    except (OSError, ValueError, KeyError, TypeError):
        _drop_journal(prepo)  # unreadable: nothing to act on
        return []
    if pid != os.getpid() and _alive(pid, host):
        raise HistoryError(f"another Quarterdeck commit of this plan is running (process {pid}"
                           + (f" on {host}" if host else "") + f", started {started}); wait for it to finish, "
                           "then commit again", code="git.busy")
    lock = prepo.location.git_dir / "index.lock"
    if lock.exists():
        raise HistoryError(f"a plan commit (process {pid}, started {started}) was stopped while git was committing "
                           f"and git's lock file {lock} was left behind. That process is gone; if no other git "
                           "command is running, remove the lock file yourself (Quarterdeck never removes it), then "
                           "commit again. Nothing of the plan is staged or lost", code="git.locked")
    notes = []
    if marked:
        empty_blob = _blob_id(b"", _object_format(prepo))
        staged = _index_entries(prepo, marked)
        out = prepo.git("ls-tree", "-r", "-z", "--name-only", "HEAD", "--", *marked, env=LITERAL) \
            if prepo.head() else ""
        committed = set(out.split("\0"))
        stale = sorted(p for p, entry in staged.items() if entry.split()[1] == empty_blob and p not in committed)
        if stale:
            prepo.run("update-index", "--force-remove", "--", *stale, env=LITERAL)
            notes.append(f"a plan commit stopped half-way (process {pid}, started {started}) had marked "
                         f"{', '.join(stale)} as to be added; that mark was taken back")
    _drop_journal(prepo)
    return notes


def _check_tag_free(prepo: PlanRepo, quarter: str, commit: str | None, force: bool) -> None:
    """Before committing: a quarter tag that marks another revision stops the commit."""
    if force:
        return
    name = prepo.tag_name(quarter)
    status, out, _ = prepo.run("rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}")
    if status == 0 and out.strip() and out.strip() != commit:
        raise HistoryError(f"{name} already marks another revision ({out.strip()[:10]}) as the end of {quarter}, so "
                           f"nothing was committed. Commit without --quarter, or move the tag with "
                           f"`quarterdeck commit --quarter {quarter} --force-tag`", code="git.tag-exists")


def _problem_text(problems: list[Problem], head: str, limit: int = 8) -> str:
    lines = [head.format(n=len(problems)) + ":"]
    for p in problems[:limit]:
        where = p.file + (f":{p.line}:{p.col}" if p.line else "")
        lines.append(f"  {where}: [{p.code}] {p.message}")
    if len(problems) > limit:
        lines.append(f"  ... and {len(problems) - limit} more")
    return "\n".join(lines)


def _check_converted(plan, stored_snap: Snapshot, names: list[str], allow_invalid: bool, notices: list[str]) -> None:
    """git will store other bytes than those on disk (eol rules, filters): check what it stores."""
    from tui.plan.validation import validate

    for name in names:
        if name in stored_snap.errors:
            raise HistoryError(f"{name}: git would store this file converted (.gitattributes or core.autocrlf), and "
                               f"the converted file is not valid TOML ({stored_snap.errors[name].message}); nothing "
                               "was committed. Check the file's eol/filter attributes", code="commit.converted")
        tf = plan.files.get(name)
        if tf is not None and _newlines(tf.data) != _newlines(stored_snap.files[name].data):
            raise HistoryError(f"{name}: git would store this file converted (.gitattributes or core.autocrlf) and the "
                               "converted file holds different data than the one on disk; nothing was committed. "
                               "Check the file's eol/filter attributes", code="commit.converted")
    stored_problems = [p for p in validate(stored_snap.plan()) if p.severity == ERROR]
    if stored_problems and not allow_invalid:
        raise HistoryError(_problem_text(stored_problems, "the plan as git would store it has {n} error(s)"),
                           code="commit.invalid")
    notices.append(f"git stores {', '.join(names)} converted (line endings or a filter from .gitattributes / "
                   "core.autocrlf); the stored version was checked and holds the same plan")


def _newlines(value):
    """Data with CRLF inside multi-line strings read as LF (TOML lets parsers normalise them)."""
    if isinstance(value, dict):
        return {k: _newlines(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_newlines(v) for v in value]
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value


def compose_message(message: str | None, changes: PlanDiff, quarter: str, errors: list[Problem]) -> tuple[str, str]:
    """(subject, full message): the user's words first, then a summary of the semantic changes."""
    message = (message or "").strip()
    if message:
        subject, _, rest = message.partition("\n")
        body = rest.strip()
    else:
        subject = f"Plan {quarter}: {short_summary(changes)}" if quarter else f"Plan: {short_summary(changes)}"
        body = ""
    lines = summary_lines(changes)
    parts = [subject]
    if body:
        parts += ["", body]
    if lines:
        parts += ["", f"Plan changes ({changes.summary_line()}):"] + [f"- {line}" for line in lines]
    if errors:
        parts += ["", _problem_text(errors, "Committed with --allow-invalid; the plan has {n} error(s)", limit=5)]
    return subject, "\n".join(parts) + "\n"


def _commit_failure(prepo: PlanRepo, output: str, plan, validated: dict) -> HistoryError:
    saved = "nothing was committed; the plan files are saved as they are"
    if "failed to sign" in output or "gpg failed" in output or "signing failed" in output.lower():
        return HistoryError(f"git could not sign the commit (commit.gpgsign is on); {saved}. Fix signing (gpg key, "
                            f"agent) and commit again. git said:\n{output}", code="git.sign")
    if "index.lock" in output:
        return git_error(output, "git commit")
    hooks = _hooks(prepo)
    if hooks:
        err = HistoryError(f"the {' or '.join(hooks)} hook refused the commit; {saved}. Hook output:\n{output}",
                           code="git.hook")
    else:
        err = HistoryError(f"git commit failed; {saved}. git said:\n{output}", code="git.commit")
    changed = _changed_on_disk(prepo, plan, validated)
    if changed:
        err.message += "\n" + changed
        err.args = (err.message,)
    return err


def _hooks(prepo: PlanRepo) -> list[str]:
    status, out, _ = prepo.run("rev-parse", "--git-path", "hooks")
    if status != 0:
        return []
    folder = Path(out.strip())
    if not folder.is_absolute():
        folder = prepo.toplevel / folder
    return [h for h in ("pre-commit", "prepare-commit-msg", "commit-msg")
            if os.access(folder / h, os.X_OK) and (folder / h).is_file()]


def _changed_on_disk(prepo: PlanRepo, plan, validated: dict, algo: str = "sha1") -> str:
    """A note when plan files on disk are no longer the ones validated (a hook edited them)."""
    now = Snapshot.from_folder(prepo.plan_dir, "on disk now")
    changed = [n for n in now.files if n in plan.files and now.files[n].raw != plan.files[n].raw]
    changed += [n for n in now.errors if n in plan.files]
    if not changed:
        return ""
    from tui.plan.validation import validate

    before = Snapshot.from_plan(plan, "validated")
    d = diff_snapshots(before, now)
    lines = [f"The plan files changed on disk while committing (a hook edited {', '.join(sorted(set(changed)))}):"]
    lines += ["  " + line for line in summary_lines(d)] or ["  (layout only)"]
    errs = [p for p in validate(now.plan()) if p.severity == ERROR]
    lines.append(f"  the plan on disk now has {len(errs)} error(s)" if errs else "  the plan on disk is still valid")
    return "\n".join(lines)


def _after_commit(prepo: PlanRepo, head: str, stored_snap: Snapshot, stored: dict, result: CommitResult) -> None:
    """Compare what was committed with what was validated (a hook may have changed it)."""
    from tui.plan.validation import validate

    committed = snapshot_of_commit(prepo, head, "committed")
    differs = {n for n in set(committed.blobs) | set(stored) if committed.blobs.get(n) != stored.get(n)}
    if not differs:
        return
    result.hook_changed = True
    d = diff_snapshots(stored_snap, committed)
    lines = summary_lines(d) or ["(layout or comments only)"]
    result.notices.append("a hook changed " + ", ".join(sorted(differs)) + " after validation; what was committed "
                          "differs from what was checked:\n" + "\n".join("  " + line for line in lines))
    result.problems = validate(committed.plan())
    if result.errors:
        result.notices.append(_problem_text(result.errors, "the committed plan has {n} error(s); fix them and commit "
                                                           "again"))


def _worktree_changed(prepo: PlanRepo, plan, validated: dict, algo: str, result: CommitResult) -> None:
    note = _changed_on_disk(prepo, plan, validated, algo)
    if note and not result.hook_changed:
        result.notices.append(note + "\n  these changes are not in the commit")


# -- quarter tags ----------------------------------------------------------------------------------


def tag_quarter(prepo: PlanRepo, quarter: str, commit: str | None = None, *, force: bool = False,
                env: dict | None = None, message: str | None = None) -> str:
    """Tag ``commit`` (default HEAD) as the final revision of ``quarter``: an annotated tag."""
    if not is_quarter(quarter):
        raise HistoryError(f"{quarter!r} is not a quarter; write it as YYYY-QN, e.g. 2026-Q4", code="usage.quarter")
    commit = commit or prepo.head()
    if commit is None:
        raise HistoryError("the repository has no commits yet; commit the plan first", code="git.no-commits")
    name = prepo.tag_name(quarter)
    status, out, _ = prepo.run("rev-parse", "--verify", "--quiet", f"refs/tags/{name}^{{commit}}")
    if status == 0 and out.strip():
        if out.strip() == commit:
            return name
        if not force:
            raise HistoryError(f"{name} already marks another revision ({out.strip()[:10]}) as the end of {quarter}; "
                               f"to move it: `quarterdeck tag {quarter} --force`", code="git.tag-exists")
    check_identity(prepo)
    text = message or f"Final revision of the {quarter} plan"
    args = ["tag", "-a", f"--message={text}"] + (["--force"] if force else []) + ["--", name, commit]
    prepo.git(*args, env=env, what="git tag", user_env=True)
    return name
