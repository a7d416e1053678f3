"""The plan's history as data: revisions, quarter tags, diffs between revisions, and a
key result's trend across quarters.  These are the functions a History screen calls
(each opens the repository and closes it again, so they are safe to call from a worker
thread).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.registry import KINDS

from .errors import HistoryError
from .repo import LITERAL, PlanRepo
from .semdiff import PlanDiff, diff_snapshots
from .snapshot import Snapshot, commit_pair, empty, folder_pair, snapshot_at, snapshot_of_commit

_FIELDS = "%H%x1f%P%x1f%an%x1f%ae%x1f%aI%x1f%s%x1e"


@dataclass
class Revision:
    """One commit that changed the plan folder."""

    commit: str
    parents: list[str]
    author: str
    email: str
    date: dt.datetime
    subject: str
    tags: list[str] = field(default_factory=list)  # this plan's quarter tags on this revision
    quarters: list[str] = field(default_factory=list)  # the quarters those tags close
    boundary: bool = False  # shallow clone: history before this revision was not fetched

    @property
    def short(self) -> str:
        return self.commit[:10]

    def to_json(self) -> dict:
        return {"commit": self.commit, "parents": self.parents, "author": self.author, "email": self.email,
                "date": self.date.isoformat(), "subject": self.subject, "tags": self.tags,
                "quarters": self.quarters, "boundary": self.boundary}


def revisions(prepo: PlanRepo, limit: int | None = None, start: str = "HEAD") -> list[Revision]:
    """Commits that touched the plan's files, newest first, with quarter tags marked."""
    if prepo.head() is None:
        return []
    commit = prepo.resolve(start)
    args = ["log", f"--format={_FIELDS}"]
    if limit:
        args.append(f"--max-count={int(limit)}")
    out = prepo.git(*args, commit, "--", *prepo.plan_paths(), env=LITERAL)
    boundaries = prepo.shallow_boundaries()
    revs: list[Revision] = []
    for record in out.split("\x1e"):
        record = record.strip("\n")
        if not record:
            continue
        sha, parents, name, email, date, subject = (record.split("\x1f") + [""] * 6)[:6]
        revs.append(Revision(sha, parents.split(), name, email, dt.datetime.fromisoformat(date), subject,
                             boundary=sha in boundaries))
    by_sha = {r.commit: r for r in revs}
    for quarter, tagged in prepo.quarter_tags().items():
        target = by_sha.get(tagged)
        if target is None:  # the tag sits on a commit that did not touch the plan: mark the plan revision it holds
            status, found, _ = prepo.run("log", "-1", "--format=%H", tagged, "--", *prepo.plan_paths(), env=LITERAL)
            target = by_sha.get(found.strip()) if status == 0 else None
        if target is not None:
            target.tags.append(prepo.tag_name(quarter))
            target.quarters.append(quarter)
    if revs and boundaries and (not limit or len(revs) < limit):
        # a shallow clone: whatever came before the oldest revision listed was not fetched
        revs[-1].boundary = True
    return revs


@dataclass(frozen=True)
class RevisionSpec:
    """What to compare: ``old`` and ``new`` revisions (None = working tree)."""

    old: str | None
    new: str | None
    merge_base: bool = False  # "A...B": compare B with the common ancestor of A and B


def parse_spec(a: str | None = None, b: str | None = None) -> RevisionSpec:
    """`diff`, `diff A`, `diff A B`, `diff A..B`, `diff A...B` (as in git diff)."""
    if a and b is None:
        if "..." in a:
            left, right = a.split("...", 1)
            return RevisionSpec(left or "HEAD", right or "HEAD", merge_base=True)
        if ".." in a:
            left, right = a.split("..", 1)
            return RevisionSpec(left or "HEAD", right or "HEAD")
    return RevisionSpec(a or "HEAD", b)


def diff(prepo: PlanRepo, a: str | None = None, b: str | None = None, *, all_fields: bool = False) -> PlanDiff:
    """The semantic diff between two revisions of the plan (provenance folded away
    unless ``all_fields``).

    With no revision: HEAD against the working tree.  With one: that revision against
    the working tree.  ``A..B`` or two revisions: A against B.  ``A...B``: B against the
    common ancestor of A and B (what a pull request from B into A changes)."""
    spec = parse_spec(a, b)
    if spec.merge_base:
        left, right = prepo.resolve(spec.old), prepo.resolve(spec.new)
        base = prepo.merge_base(left, right)
        old, new = commit_pair(prepo, base, right, f"{spec.old}...{spec.new} (merge base {base[:10]})", spec.new)
    elif spec.old is not None and spec.new is not None:  # two revisions: read as a pair
        old, new = commit_pair(prepo, prepo.resolve(spec.old), prepo.resolve(spec.new), spec.old, spec.new)
    elif spec.old == "HEAD" and prepo.head() is None:
        old, new = empty("(no commits yet)", prepo.plan_dir), snapshot_at(prepo, None)
    else:  # a revision against the working tree
        old, new = folder_pair(prepo, prepo.resolve(spec.old), spec.old)
    result = diff_snapshots(old, new, plan=prepo.rel or ".", all_fields=all_fields)
    if prepo.shallow_boundaries():
        result.notes.append("this is a shallow clone: history before its oldest fetched commits is not here")
    return result


def snapshot(prepo: PlanRepo, rev: str | None) -> Snapshot:
    return snapshot_at(prepo, rev)


@dataclass
class TrendPoint:
    """A key result in one quarter (its tagged final revision) or in the current plan,
    with the check-ins it held then (oldest first)."""

    quarter: str
    label: str  # the tag, or "working tree"; "plan/2026-Q4 = working tree" when both agree
    commit: str | None
    present: bool  # False when the key result did not exist then
    title: str = ""
    unit: str = ""
    direction: str = ""
    baseline: float | None = None
    target: float | None = None
    actual: float | None = None
    checkins: list[dict] = field(default_factory=list)  # {"date", "value", "confidence", "note", "by"}
    current: bool = False  # this is (also) the working tree
    data: dict | None = field(default=None, repr=False, compare=False)

    def to_json(self) -> dict:
        """Plain JSON: non-finite numbers (inf, nan) as text."""
        from .semdiff import jsonable

        return jsonable({k: v for k, v in self.__dict__.items() if k != "data"})


def kr_trend(prepo: PlanRepo, kr_id: str, include_current: bool = True) -> list[TrendPoint]:
    """Target, actual and check-ins of key result ``GOAL/KR`` at every quarter tag
    (oldest first), then in the working tree.  The working tree is not a point of its own
    when its key result is the one of the last tag of its quarter (nothing changed since
    the tag): that point is marked ``current`` instead."""
    if "/" not in kr_id:
        raise HistoryError(f"address a key result as GOAL_ID/KR_ID, not {kr_id!r}", code="usage.id")
    points = []
    # a key result's history is in its goal's file (and the quarter in plan.toml): the
    # rest of the plan (10,000 accounts, say) is not read, in any of the revisions
    only = {KINDS["key_result"].file, "plan.toml"}
    for quarter, commit in prepo.quarter_tags().items():
        snap = snapshot_of_commit(prepo, commit, prepo.tag_name(quarter), only=only)
        points.append(_point(snap, kr_id, quarter))
    if include_current:
        snap = Snapshot.from_folder(prepo.plan_dir, only=only)
        now = _point(snap, kr_id, snap.quarter)
        now.current = True
        same_quarter = [p for p in points if p.quarter == now.quarter]
        last = same_quarter[-1] if same_quarter else None
        if last is not None and last.present == now.present and _same_kr(last.data, now.data):
            last.current = True
            last.label = f"{last.label} = {now.label}"
        else:
            points.append(now)
    return points


def _same_kr(a, b) -> bool:
    from .semdiff import same

    return same(a, b)


def _point(snap: Snapshot, kr_id: str, quarter: str) -> TrendPoint:
    from tui.plan.insights.pace import checkins_in

    for e in snap.entities.get("key_result", []):
        if e.id == kr_id:
            d = e.data
            num = (lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
            return TrendPoint(quarter, snap.label, snap.commit, True, str(d.get("title", "")), str(d.get("unit", "")),
                              str(d.get("direction", "")), num(d.get("baseline")), num(d.get("target")),
                              num(d.get("actual")), checkins_in(d), data=d)
    return TrendPoint(quarter, snap.label, snap.commit, False)


# -- one-call helpers (open, work, close) ------------------------------------------------------


def list_revisions(plan_dir: Path, limit: int | None = None) -> list[Revision]:
    with PlanRepo(plan_dir) as prepo:
        return revisions(prepo, limit)


def diff_revisions(plan_dir: Path, a: str | None = None, b: str | None = None, *,
                   all_fields: bool = False) -> PlanDiff:
    with PlanRepo(plan_dir) as prepo:
        return diff(prepo, a, b, all_fields=all_fields)


def diff_plan(plan, rev: str = "HEAD") -> PlanDiff:
    """A revision against a plan in memory (with edits not saved yet), e.g. for an app."""
    with PlanRepo(plan.root) as prepo:
        if rev == "HEAD" and prepo.head() is None:
            old = empty("(no commits yet)", prepo.plan_dir)
        else:
            old = snapshot_at(prepo, rev)
        return diff_snapshots(old, Snapshot.from_plan(plan, "this session"), plan=prepo.rel or ".")


def quarter_tags(plan_dir: Path) -> dict[str, str]:
    with PlanRepo(plan_dir) as prepo:
        return prepo.quarter_tags()


def key_result_trend(plan_dir: Path, kr_id: str, include_current: bool = True) -> list[TrendPoint]:
    with PlanRepo(plan_dir) as prepo:
        return kr_trend(prepo, kr_id, include_current)


__all__ = ["Revision", "RevisionSpec", "TrendPoint", "diff", "diff_plan", "diff_revisions", "key_result_trend", "kr_trend",
           "list_revisions", "parse_spec", "quarter_tags", "revisions", "snapshot"]
