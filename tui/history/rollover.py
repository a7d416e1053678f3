"""Rolling the plan over to the next quarter.

1. The closing quarter's final revision (HEAD) is tagged ``plan/<quarter>``.  The plan
   must be committed first, so the tag holds exactly what the team ended the quarter with.
2. ``[plan]`` moves to the new quarter: ``quarter``, ``start``, ``end``.
3. Every entity is carried with all its fields and keeps its id, so a diff between the
   two quarters lines up entity by entity.  What was carried as work is marked
   ``custom.carried_from = "<closing quarter>"``: goals, key results, and content not yet
   published.  Standing data (members, personas, accounts, glossary, agreements) simply
   continues and is not marked.
4. Key results start from where the quarter ended: ``baseline`` becomes the last
   ``actual``, and ``actual`` is cleared.  A ``due`` date inside the closing quarter moves
   to the same place in the new quarter (the last day stays the last day); so does the
   SLA's ``review_date``.
5. Published and retired content stays in ``content.toml`` unchanged, as history: a
   published asset is still in use (sales send it, and journey coverage counts it), and
   its ``publish_date`` records when it went out.  It is not moved to an archive file,
   because an archive outside the plan would no longer be validated or cross-checked,
   and the quarter tag already keeps the closing state.  Dates the team must plan
   again (an unpublished item's publish date, an account's next step) are not invented:
   validation lists them as outside the new quarter.
6. The result is committed like any change (``quarterdeck commit``).

Every edit goes through the core edit API, so each changes only its own lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.plan.edit import set_field, stage_change, unset_field
from tui.plan.model import Plan, load_plan
from tui.plan.problems import ERROR
from tui.plan.save import atomic_write
from tui.plan.schema import load_schemas

from .commit import CommitResult, check_identity, check_state, commit_plan, tag_quarter
from .errors import HistoryError
from .quarters import is_quarter, next_quarter, quarter_bounds, quarter_index, shift_date
from .repo import LITERAL, PlanRepo

CARRIED_FIELD = ("custom", "carried_from")
HISTORY_STATUSES = ("published", "retired")


@dataclass
class RolloverResult:
    closing: str
    opening: str
    tag: str
    commit: CommitResult | None = None
    carried: dict[str, int] = field(default_factory=dict)
    baselines: list[str] = field(default_factory=list)  # key results whose baseline came from the actual
    moved_dates: list[str] = field(default_factory=list)
    kept_as_history: int = 0  # published or retired content left as it was
    files: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"tagged {self.tag} (the final revision of {self.closing})",
               f"the plan now covers {self.opening}"]
        if self.carried:
            out.append("carried with custom.carried_from = \"%s\": %s" % (
                self.closing, ", ".join(f"{n} {k}" for k, n in self.carried.items())))
        if self.baselines:
            out.append(f"{len(self.baselines)} key result baseline(s) set from the last actual; actuals cleared")
        if self.moved_dates:
            out.append(f"{len(self.moved_dates)} date(s) moved into {self.opening}")
        if self.kept_as_history:
            out.append(f"{self.kept_as_history} published or retired content item(s) kept as history")
        if self.commit is not None and self.commit.commit:
            out.append(f"committed {self.commit.commit[:10]}: {self.commit.subject}")
        for note in self.commit.notices if self.commit else []:
            out.append(f"note: {note}")
        return out


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def roll_plan(plan: Plan, closing: str, opening: str, result: RolloverResult) -> None:
    """Edit ``plan`` in memory (staged changes) from ``closing`` to ``opening``."""
    schemas = load_schemas()
    start, end = quarter_bounds(opening)
    old_start, old_end = quarter_bounds(closing)

    def edit(kind, id, path, value=None, unset=False):
        # the whole plan is validated when the result is committed
        if unset:
            change = unset_field(plan, kind, id, path, schemas=schemas, force=True)
        else:
            change = set_field(plan, kind, id, path, value, schemas=schemas, force=True)
        stage_change(plan, change)

    def in_closing(value) -> bool:
        import datetime as dt

        return isinstance(value, dt.date) and old_start <= value <= old_end

    edit("plan", "plan", ("quarter",), opening)
    edit("plan", "plan", ("start",), start)
    edit("plan", "plan", ("end",), end)
    sla = plan.find("sla", "sla")
    if sla is not None and in_closing(sla.data.get("review_date")):
        edit("sla", "sla", ("review_date",), shift_date(sla.data["review_date"], closing, opening))
        result.moved_dates.append("sla.review_date")
    for goal in list(plan.all("goal")):
        edit("goal", goal.id, CARRIED_FIELD, closing)
        result.carried["goals"] = result.carried.get("goals", 0) + 1
    for kr in list(plan.all("key_result")):
        data = dict(kr.data)
        edit("key_result", kr.id, CARRIED_FIELD, closing)
        if _num(data.get("actual")):
            edit("key_result", kr.id, ("baseline",), data["actual"])
            edit("key_result", kr.id, ("actual",), unset=True)
            result.baselines.append(kr.id)
        if in_closing(data.get("due")):
            edit("key_result", kr.id, ("due",), shift_date(data["due"], closing, opening))
            result.moved_dates.append(f"{kr.id}.due")
        result.carried["key results"] = result.carried.get("key results", 0) + 1
    for item in list(plan.all("content")):
        if item.data.get("status") in HISTORY_STATUSES:
            result.kept_as_history += 1
            continue
        edit("content", item.id, CARRIED_FIELD, closing)
        result.carried["content items"] = result.carried.get("content items", 0) + 1


def save_staged(plan: Plan) -> list[str]:
    """Write every file of ``plan`` that has staged edits (atomically, refusing files changed on disk)."""
    written = []
    for name, tf in plan.files.items():
        if tf.dirty:
            atomic_write(tf.path, tf.raw, tf.disk_sha256, name=name)
            written.append(name)
    return written


def rollover(prepo: PlanRepo, to: str | None = None, *, allow_invalid: bool = False, env: dict | None = None,
             message: str | None = None) -> RolloverResult:
    from tui.plan.validation import validate

    check_state(prepo)
    check_identity(prepo)
    head = prepo.head()
    if head is None:
        raise HistoryError("the plan has no commits yet; commit it (`quarterdeck commit`) before rolling over",
                           code="git.no-commits")
    plan = load_plan(prepo.plan_dir)
    closing = plan.quarter
    if not is_quarter(closing):
        raise HistoryError(f"the plan's quarter {closing!r} is not a quarter (YYYY-QN); fix [plan] quarter first",
                           code="rollover.quarter")
    opening = to or next_quarter(closing)
    if not is_quarter(opening):
        raise HistoryError(f"{opening!r} is not a quarter; write it as YYYY-QN, e.g. 2027-Q1", code="usage.quarter")
    if quarter_index(opening) <= quarter_index(closing):
        raise HistoryError(f"{opening} is not after the plan's quarter {closing}", code="usage.quarter")
    dirty = prepo.git("status", "--porcelain", "--untracked-files=all", "--", *prepo.plan_paths(), env=LITERAL)
    if dirty.strip():
        raise HistoryError("the plan has changes that are not committed; commit them first (`quarterdeck commit`) "
                           f"so the {closing} tag holds them", code="rollover.uncommitted")
    if plan.syntax_errors or (not allow_invalid and any(p.severity == ERROR for p in validate(plan))):
        raise HistoryError("the plan has errors (see `quarterdeck check`); fix them before rolling over, or pass "
                           "--allow-invalid", code="rollover.invalid")
    tag = tag_quarter(prepo, closing, head, env=env)
    result = RolloverResult(closing, opening, tag)
    roll_plan(plan, closing, opening, result)
    result.files = save_staged(plan)
    result.commit = commit_plan(prepo, message or f"Roll the plan over from {closing} to {opening}",
                                allow_invalid=allow_invalid, env=env)
    return result
