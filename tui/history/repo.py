"""A plan folder inside a git repository.

History is read by running ``git`` itself: blobs through one ``git cat-file --batch``
process kept open, everything else one command at a time, so that hooks, signing and
identity behave as the user configured them.  GitPython (``PlanRepo.repo``) is loaded
only by what walks commits as objects (blame): importing it costs a diff or the app's
title note about a tenth of a second.  Paths go after ``--`` and are read literally (no
pathspec magic); revisions from users are checked before git sees them.  A
``PlanRepo`` is a context manager: closing it ends the git processes it keeps open.

Quarter tags.  The final revision of a quarter is the annotated tag ``plan/2026-Q4``
when the plan folder is the repository's root or its top-level ``plans/`` folder (the
default places), and ``plan/<folder>/2026-Q4`` for a plan anywhere else, ``<folder>``
being the plan folder's path inside the repository (``plan/teams/emea/2026-Q4``).
The rule depends only on where the plan sits, so the tag name never changes when
other plans are added to the repository later.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tui.plan.offload import end_process
from tui.plan.problems import UnreadableError
from tui.plan.registry import PLAN_FILES

from .errors import GitFailed, HistoryError, NotARepositoryError, RevisionError
from .quarters import is_quarter, quarter_index

# git's messages are matched in English
GIT_ENV = {"LC_ALL": "C", "LANGUAGE": "C", "GIT_TERMINAL_PROMPT": "0"}
LITERAL = {"GIT_LITERAL_PATHSPECS": "1"}
TAG_PREFIX = "plan/"
DEFAULT_FOLDERS = ("", "plans")


_SHA = re.compile(r"[0-9a-f]{40}|[0-9a-f]{64}")


class _Missing(Exception):
    """git cat-file has no blob of that id."""


def _text(out: bytes) -> str:
    """git's output as text, as GitPython gave it: undecodable bytes kept (surrogate
    escapes), one trailing newline dropped."""
    text = out.decode(sys.getfilesystemencoding(), "surrogateescape")
    return text[:-1] if text.endswith("\n") else text


def _git_missing() -> HistoryError:
    return HistoryError("git is not installed (or not on PATH); install git to use history, commits and diffs",
                        code="git.missing")


def dubious_ownership(path, output: str) -> HistoryError:
    m = re.search(r"dubious ownership in repository at '([^']*)'", output)
    where = m.group(1) if m else str(path)
    return HistoryError(
        f"git refuses to work in {where}: the repository belongs to another user (\"dubious ownership\"). "
        "Work in a clone you own, or ask its owner; if you trust it, you may add it to git's "
        "safe.directory list yourself (Quarterdeck never changes that setting)",
        code="git.dubious-ownership",
    )


def git_error(output: str, what: str) -> HistoryError:
    """A HistoryError worded from what git printed."""
    text = output.strip()
    if "dubious ownership" in text:
        return dubious_ownership("", text)
    if "index.lock" in text and "File exists" in text:
        return HistoryError("another git process is running in this repository (.git/index.lock exists). "
                            "Wait for it to finish; if none is running, a crashed git left the lock behind: "
                            "remove .git/index.lock yourself, then try again", code="git.locked")
    return GitFailed(f"{what} failed:\n{text}" if text else f"{what} failed", output=text)


@dataclass(frozen=True)
class RepoLocation:
    toplevel: Path
    git_dir: Path  # this work tree's git folder (index, HEAD, MERGE_HEAD live here)
    common_dir: Path  # shared folder (refs, objects, shallow)


def locate(path: Path) -> RepoLocation:
    """Find the work tree holding ``path`` (git's own answer, so its safety checks apply)."""
    env = dict(os.environ, **GIT_ENV)
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--show-toplevel", "--git-dir", "--git-common-dir"],
            cwd=path, env=env, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        if not Path(path).is_dir():
            raise UnreadableError(f"{path}: no such folder", code="io.missing") from None
        raise _git_missing() from None
    except NotADirectoryError:
        raise UnreadableError(f"{path} is not a folder", code="io.unreadable") from None
    if out.returncode != 0:
        err = out.stderr.strip()
        if "dubious ownership" in err:
            raise dubious_ownership(path, err)
        if "not a git repository" in err:
            raise NotARepositoryError(
                f"{path} is not inside a git repository. Quarterdeck keeps the plan's history in git: "
                "run `git init` there (or create a plan with `quarterdeck init`), then try again",
                code="git.not-a-repository",
            )
        if "must be run in a work tree" in err:
            raise NotARepositoryError(f"{path} is inside a bare git repository (no work tree); use a clone",
                                      code="git.bare")
        raise git_error(err, "git rev-parse")
    lines = out.stdout.splitlines()
    if len(lines) < 3:
        raise HistoryError(f"unexpected answer from git rev-parse in {path}: {out.stdout!r}")
    return RepoLocation(Path(lines[0]), Path(lines[1]), Path(lines[2]))


def tag_name_for(rel: str, quarter: str) -> str:
    """The tag of a quarter's final revision for a plan folder at ``rel`` in the repository."""
    if rel in DEFAULT_FOLDERS:
        return f"{TAG_PREFIX}{quarter}"
    parts = []
    for part in PurePosixPath(rel).parts:
        part = re.sub(r"[^A-Za-z0-9._-]+", "-", part).strip(".-") or "plan"
        if part.endswith(".lock"):
            part = part[:-5] + "-lock"
        parts.append(part.replace("..", "."))
    return f"{TAG_PREFIX}{'/'.join(parts)}/{quarter}"


class PlanRepo:
    """The git repository of one plan folder.  Use as a context manager."""

    def __init__(self, plan_dir):
        self.plan_dir = Path(plan_dir)
        if not self.plan_dir.exists():
            raise UnreadableError(f"{plan_dir}: no such folder", code="io.missing")
        real = Path(os.path.realpath(self.plan_dir))
        self.location = locate(real)
        rel = os.path.relpath(real, os.path.realpath(self.location.toplevel))
        if rel == os.pardir or rel.startswith(os.pardir + os.sep):
            raise HistoryError(f"{plan_dir} is outside the git work tree {self.location.toplevel}",
                               code="git.outside")
        self.rel = "" if rel == "." else PurePosixPath(Path(rel).as_posix()).as_posix()
        self._repo = None
        self._blobs: subprocess.Popen | None = None  # git cat-file --batch, once a blob is read
        self._blob_lock = threading.Lock()
        self._closed = False

    @property
    def repo(self):
        """The repository as GitPython's ``git.Repo`` (imported on first use)."""
        if self._repo is None:
            import git

            try:
                self._repo = git.Repo(self.location.toplevel)
            except git.exc.GitError as exc:  # pragma: no cover - locate() has checked already
                raise HistoryError(f"cannot open the git repository at {self.location.toplevel}: {exc}") from None
        return self._repo

    # -- life cycle -----------------------------------------------------------------
    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with self._blob_lock:
                proc, self._blobs = self._blobs, None
            if proc is not None:
                end_process(proc)
            if self._repo is not None:
                self._repo.close()

    def __enter__(self) -> "PlanRepo":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __del__(self):  # a forgotten close must not leave git processes behind
        try:
            self.close()
        except Exception:  # noqa: BLE001
            pass

    # -- running git ----------------------------------------------------------------
    @property
    def toplevel(self) -> Path:
        return self.location.toplevel

    def git(self, *args: str, env: dict | None = None, istream=None, what: str | None = None,
            check: bool = True, user_env: bool = False) -> str:
        """Run ``git ARGS`` in the work tree; a failure becomes a HistoryError with git's output."""
        status, out, err = self.run(*args, env=env, istream=istream, user_env=user_env)
        if status != 0 and check:
            raise git_error((err + "\n" + out).strip(), what or f"git {args[0]}")
        return out

    def run(self, *args: str, env: dict | None = None, istream=None, user_env: bool = False) -> tuple[int, str, str]:
        """Run ``git ARGS``; return (status, stdout, stderr) without raising.

        Messages are asked for in English (they are matched), except with ``user_env``:
        commands that run the user's hooks or signing program get the environment as it is."""
        full_env = dict(os.environ) if user_env else dict(os.environ, **GIT_ENV)
        full_env.update(env or {})
        try:
            done = subprocess.run(["git", *args], cwd=self.location.toplevel, env=full_env, capture_output=True,
                                  stdin=istream if istream is not None else subprocess.DEVNULL)
        except FileNotFoundError:
            raise _git_missing() from None
        return done.returncode, _text(done.stdout), _text(done.stderr)

    # -- paths ----------------------------------------------------------------------
    def repo_path(self, name: str) -> str:
        """The path of a file of the plan folder, relative to the repository root (posix)."""
        return f"{self.rel}/{name}" if self.rel else name

    def plan_paths(self) -> list[str]:
        """The plan's files, and the folders of kinds that may be kept one file per entity."""
        from tui.plan.layout import folder_of, split_kinds

        return [self.repo_path(name) for name in PLAN_FILES] + [self.repo_path(folder_of(f)) for f in split_kinds()]

    # -- state ----------------------------------------------------------------------
    def head(self) -> str | None:
        """The commit HEAD points at, or None in a repository with no commits yet."""
        status, out, _ = self.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}")
        return out.strip() if status == 0 and out.strip() else None

    def branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        status, out, _ = self.run("symbolic-ref", "--quiet", "--short", "HEAD")
        return out.strip() if status == 0 else None

    def shallow_boundaries(self) -> set[str]:
        """Commits whose parents a shallow clone does not have."""
        path = self.location.common_dir / "shallow"
        try:
            return {line.strip() for line in path.read_text().splitlines() if line.strip()}
        except OSError:
            return set()

    # -- revisions ------------------------------------------------------------------
    def tag_name(self, quarter: str) -> str:
        return tag_name_for(self.rel, quarter)

    def quarter_of_tag(self, tag: str) -> str | None:
        """The quarter a tag name stands for, if it is this plan's quarter tag."""
        prefix = self.tag_name("0000-Q1")[: -len("0000-Q1")]
        if tag.startswith(prefix):
            rest = tag[len(prefix):]
            if is_quarter(rest):
                return rest
        return None

    def quarter_tags(self) -> dict[str, str]:
        """{quarter: commit} for this plan's quarter tags, oldest quarter first."""
        prefix = self.tag_name("0000-Q1")[: -len("0000-Q1")]
        out = self.git("for-each-ref", "--format=%(refname)%00%(objectname)%00%(*objectname)",
                       "refs/tags/" + prefix)
        found = {}
        for line in out.splitlines():
            ref, obj, peeled = (line.split("\0") + ["", ""])[:3]
            quarter = self.quarter_of_tag(ref[len("refs/tags/"):])
            if quarter:
                found[quarter] = peeled or obj
        return dict(sorted(found.items(), key=lambda kv: quarter_index(kv[0])))

    def resolve(self, rev: str) -> str:
        """The commit a revision names: a quarter (2026-Q3), a tag, a branch or a commit."""
        rev = (rev or "").strip()
        if not rev:
            raise RevisionError("empty revision: give a quarter (2026-Q3), a tag, a branch or a commit",
                                code="usage.revision")
        if rev.startswith("-"):
            raise RevisionError(f"{rev!r} is not a revision (revisions cannot start with '-')", code="usage.revision")
        if "\0" in rev or "\n" in rev:
            raise RevisionError(f"{rev!r} is not a revision", code="usage.revision")
        if is_quarter(rev):
            tag = self.tag_name(rev)
            status, out, _ = self.run("rev-parse", "--verify", "--quiet", "--end-of-options",
                                      f"refs/tags/{tag}^{{commit}}")
            if status == 0 and out.strip():
                return out.strip()
            known = ", ".join(self.quarter_tags()) or "none yet"
            if self.shallow_boundaries():
                raise RevisionError(f"no revision is tagged for {rev} here (tag {tag}), and this is a shallow clone: "
                                    "its history is cut off, so the quarter's tag may mark a revision that was not "
                                    f"fetched (tagged quarters here: {known}). `git fetch --unshallow --tags` fetches "
                                    "the rest", code="usage.revision")
            raise RevisionError(f"no revision is tagged for {rev} (tag {tag}); tagged quarters: {known}. "
                                f"Tag a quarter's final revision with `quarterdeck tag {rev} [REVISION]`",
                                code="usage.revision")
        status, out, _ = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}")
        if status == 0 and out.strip():
            return out.strip()
        hint = ""
        if self.head() is None:
            hint = " (this repository has no commits yet)"
        elif self.shallow_boundaries():
            hint = " (this is a shallow clone: older history is not here; `git fetch --unshallow` fetches it)"
        raise RevisionError(f"unknown revision {rev!r}{hint}: give a quarter (2026-Q3), a tag, a branch or a commit",
                            code="usage.revision")

    def merge_base(self, a: str, b: str) -> str:
        status, out, err = self.run("merge-base", "--end-of-options", a, b)
        if status != 0 or not out.strip():
            raise RevisionError(f"{a} and {b} have no common ancestor", code="usage.revision")
        return out.strip().splitlines()[0]

    def read_blob(self, sha: str) -> bytes:
        """The bytes of the blob ``sha`` (any thread)."""
        if not _SHA.fullmatch(sha or ""):
            raise HistoryError(f"{sha!r} is not an object id", code="git.object")
        with self._blob_lock:
            try:
                return self._read_blob(sha)
            except (OSError, ValueError, _Missing) as exc:
                if not isinstance(exc, _Missing) and self._blobs is not None:  # the process is gone: not reused
                    end_process(self._blobs)
                    self._blobs = None
                what = "missing" if isinstance(exc, _Missing) else type(exc).__name__
                raise HistoryError(f"git cannot read object {sha[:10]} ({what}); the repository may be "
                                   "incomplete (a partial or shallow clone): fetch the missing history",
                                   code="git.object") from None

    def _read_blob(self, sha: str) -> bytes:
        if self._closed:
            raise ValueError("closed")
        if self._blobs is None:
            try:
                # no lazy fetch of a blob a partial clone lacks: that would reach the network
                # (the error says what to fetch instead)
                self._blobs = subprocess.Popen(
                    ["git", "cat-file", "--batch"], cwd=self.location.toplevel, stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    env=dict(os.environ, **GIT_ENV, GIT_NO_LAZY_FETCH="1"))
            except FileNotFoundError:
                raise _git_missing() from None
        proc = self._blobs
        proc.stdin.write(sha.encode("ascii") + b"\n")
        proc.stdin.flush()
        head = proc.stdout.readline()
        parts = head.split()
        if len(parts) == 2 and parts[1] == b"missing":
            raise _Missing
        if len(parts) != 3:
            raise ValueError(f"unexpected answer from git cat-file: {head[:80]!r}")
        size = int(parts[2])
        body = proc.stdout.read(size)
        if len(body) != size or proc.stdout.read(1) != b"\n":
            raise ValueError("short read from git cat-file")
        if parts[1] != b"blob":
            raise _Missing
        return body

    def tree_blobs(self, commit: str) -> dict[str, str]:
        """{plan file name: blob id} of the plan folder at ``commit``."""
        from tui.plan.layout import SUFFIX, folder_of, split_kinds

        names = {self.repo_path(name): name for name in PLAN_FILES}
        # a kind kept as one file per entity: the .toml files right inside its folder
        folders = {self.repo_path(folder_of(f)) + "/": folder_of(f) for f in split_kinds()}
        out = self.git("ls-tree", "-r", "-z", "--full-tree", commit, "--", *names, *folders, env=LITERAL)
        found = {}
        for record in out.split("\0"):
            if not record:
                continue
            meta, _, path = record.partition("\t")
            parts = meta.split()
            if len(parts) != 3 or parts[1] != "blob":
                continue
            if path in names:
                found[names[path]] = parts[2]
                continue
            head, _, entry = path.rpartition("/")
            if head + "/" in folders and entry.endswith(SUFFIX) and not entry.startswith("."):
                found[f"{folders[head + '/']}/{entry}"] = parts[2]
        return found
