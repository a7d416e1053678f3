"""What a commit of the plan would take, for a dialog to show before it commits.

``preview_commit`` gathers, without changing anything: the semantic diff of the working
tree against HEAD (the one ``quarterdeck diff`` shows), the message ``commit_plan``
would write when given none, the plan's problems (errors block a commit unless it is
made with ``allow_invalid``), who git will record as author and whether it will sign,
the quarter tag and where it points now, and any state that stops a commit (a merge in
progress, a held lock, no identity).  ``run_commit`` and ``run_rollover`` open the
repository and call the same core functions as the command line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.problems import ERROR, WARNING, PlanError, Problem

from .errors import HistoryError

# the message of a check-in commit: "Check-in 2026-11-30"
CHECKIN_SUBJECT = "Check-in {date}"


@dataclass
class CommitPreview:
    plan_dir: Path
    in_repo: bool = True
    not_repo_reason: str = ""
    blocked: str = ""  # why no commit can be made now ("" when one can)
    diff: object = None  # PlanDiff of HEAD -> working tree
    diff_text: str = ""  # as `quarterdeck diff` prints it
    subject: str = ""  # what the commit's first line would be without a message of one's own
    changed: bool = False  # the plan differs from HEAD
    quarter: str = ""
    problems: list[Problem] = field(default_factory=list)
    identity: str = ""  # "Name <email>" as git will record it ("" when unknown)
    signing: bool = False  # commit.gpgsign is on
    branch: str | None = None
    head: str | None = None
    tag: str = ""  # the quarter's tag name
    tag_at: str | None = None  # the commit it marks now, when it exists
    unreadable: list[str] = field(default_factory=list)  # plan files that do not parse

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == ERROR]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]


def _config_bool(prepo, key: str) -> bool:
    status, out, _ = prepo.run("config", "--bool", "--get", key)
    return status == 0 and out.strip() == "true"


def _identity(prepo) -> str:
    status, out, _ = prepo.run("var", "GIT_AUTHOR_IDENT")
    if status != 0 or not out.strip():
        return ""
    text = out.strip()
    cut = text.rfind(">")
    return text[: cut + 1] if cut >= 0 else text


def preview_commit(plan_dir: Path | str) -> CommitPreview:
    """Everything a commit dialog shows (call from a worker thread: it reads git and the plan)."""
    from tui.plan.model import load_plan
    from tui.plan.validation import validate

    from .commit import check_identity, check_state, compose_message
    from .repo import PlanRepo
    from .revisions import diff
    from .semdiff import render_text

    preview = CommitPreview(Path(plan_dir))
    try:
        prepo = PlanRepo(plan_dir)
    except HistoryError as exc:
        preview.in_repo = False
        preview.not_repo_reason = exc.message
        return preview
    with prepo:
        plan = load_plan(prepo.plan_dir)
        preview.quarter = plan.quarter or ""
        preview.unreadable = sorted({p.file for p in plan.syntax_errors})
        preview.problems = validate(plan)
        preview.branch = prepo.branch()
        preview.head = prepo.head()
        preview.signing = _config_bool(prepo, "commit.gpgsign")
        preview.identity = _identity(prepo)
        try:
            check_state(prepo)
            check_identity(prepo)
        except HistoryError as exc:
            preview.blocked = exc.message
        try:
            changes = diff(prepo, None, None)
        except PlanError as exc:
            preview.diff_text = f"the diff cannot be computed: {exc.message}"
        else:
            preview.diff = changes
            preview.changed = bool(changes.changes or changes.folded)
            preview.diff_text = render_text(changes)
            preview.subject = compose_message(None, changes, preview.quarter, [])[0]
        if preview.quarter:
            preview.tag = prepo.tag_name(preview.quarter)
            status, out, _ = prepo.run("rev-parse", "--verify", "--quiet", f"refs/tags/{preview.tag}^{{commit}}")
            preview.tag_at = out.strip() if status == 0 and out.strip() else None
    return preview


def checkin_subject(date) -> str:
    return CHECKIN_SUBJECT.format(date=str(date))


def uncommitted_files(plan_dir: Path | str) -> list[str] | None:
    """The plan files that differ from HEAD (saved but not committed), or None when the
    plan is not in a git repository (or git cannot say)."""
    from .repo import LITERAL, PlanRepo

    try:
        with PlanRepo(plan_dir) as prepo:
            status, out, _ = prepo.run("status", "--porcelain", "-z", "--untracked-files=all", "--",
                                       *prepo.plan_paths(), env=LITERAL)
            if status != 0:
                return None
            names = []
            prefix = f"{prepo.rel}/" if prepo.rel else ""
            for record in out.split("\0"):
                if len(record) > 3 and record[2] == " ":
                    path = record[3:]
                    names.append(path[len(prefix):] if path.startswith(prefix) else path)
            return sorted(set(names))
    except (PlanError, OSError):
        return None


def run_commit(plan_dir: Path | str, message: str | None, *, quarter: str | None = None,
               allow_invalid: bool = False, force_tag: bool = False):
    """``commit_plan`` on the plan's repository (the CLI's ``commit``); returns its CommitResult."""
    from .commit import commit_plan
    from .repo import PlanRepo

    with PlanRepo(plan_dir) as prepo:
        return commit_plan(prepo, message, quarter=quarter, allow_invalid=allow_invalid, force_tag=force_tag)


def preview_rollover(plan_dir: Path | str, to: str | None = None, move_dates: str = "keep"):
    """(result, lines, diff summary lines) of the rollover ``rollover`` would make; nothing written."""
    from .repo import PlanRepo
    from .rollover import plan_rollover, preview_lines
    from .semdiff import diff_snapshots, summary_lines
    from .snapshot import Snapshot

    from tui.plan.model import load_plan

    with PlanRepo(plan_dir) as prepo:
        staged, result = plan_rollover(prepo, to, move_dates=move_dates)
        before = Snapshot.from_plan(load_plan(prepo.plan_dir), "now")
        changes = diff_snapshots(before, Snapshot.from_plan(staged, "after the rollover"), plan=prepo.rel or ".")
    return result, preview_lines(result), summary_lines(changes, limit=12)


def run_rollover(plan_dir: Path | str, to: str | None = None, move_dates: str = "keep"):
    from .repo import PlanRepo
    from .rollover import rollover

    with PlanRepo(plan_dir) as prepo:
        return rollover(prepo, to, move_dates=move_dates)


__all__ = ["CHECKIN_SUBJECT", "CommitPreview", "checkin_subject", "preview_commit", "preview_rollover",
           "run_commit", "run_rollover", "uncommitted_files"]
