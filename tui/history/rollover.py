"""Rolling the plan over to the next quarter.

1. The closing quarter's final revision (HEAD) is tagged ``plan/<quarter>``.  The plan
   must be committed first, so the tag holds exactly what the team ended the quarter with.
2. ``[plan]`` moves to the new quarter: ``quarter``, ``start``, ``end``.
3. Every entity is carried with all its fields and keeps its id, so a diff between the
   two quarters lines up entity by entity.  Every entity of every kind (goals, key
   results, content, accounts, personas, glossary terms, members, meetings, ...) is
   marked the same way, ``custom.carried_from = "<closing quarter>"``: provenance,
   which diffs and the report fold away by default.
4. Key results start from where the quarter ended: ``baseline`` becomes the last
   ``actual``, ``actual`` is cleared, and the new quarter starts with no check-ins (the
   closing quarter's stay in its tag and in the history).  A ``due`` date inside the
   closing quarter moves to the same place in the new quarter (the last day stays the
   last day); so does the SLA's ``review_date``.
5. Published and retired content stays in ``content.toml`` unchanged, as history: a
   published asset is still in use (sales send it, and journey coverage counts it), and
   its ``publish_date`` records when it went out.  It is not moved to an archive file,
   because an archive outside the plan would no longer be validated or cross-checked,
   and the quarter tag already keeps the closing state.
   The dates the team must plan again — an account's ``next_step_due``, an unpublished
   item's ``publish_date`` — that still point into the closing quarter follow the rule
   the user picks (``move_dates``): ``keep`` (the default: left as they are), ``shift``
   (the same place in the new quarter, like due dates) or ``quarter-start`` (the new
   quarter's first day).  Either way the result lists them as the new quarter's to-do
   (``RolloverResult.todo``), and validation reports the kept ones as one summary per
   kind and field (``rollover.stale-dates``), not one warning per entity.
6. The result is committed like any change (``quarterdeck commit``).

Every edit goes through the core edit API, so each changes only its own lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.plan.edit import set_field, stage_change, unset_field, write_plan_file
from tui.plan.model import Plan, load_plan
from tui.plan.problems import ERROR
from tui.plan.schema import load_schemas

from .commit import CommitResult, check_identity, check_state, commit_plan, tag_quarter
from .errors import HistoryError
from .quarters import is_quarter, next_quarter, quarter_bounds, quarter_index, shift_date
from .repo import LITERAL, PlanRepo

CARRIED_FIELD = ("custom", "carried_from")
HISTORY_STATUSES = ("published", "retired")
MOVE_DATES = ("keep", "shift", "quarter-start")
# Dates the team plans again, by kind: (field, applies to the entity?)
REPLANNED = {"account": ("next_step_due", lambda e: True),
             "content": ("publish_date", lambda e: e.data.get("status") not in HISTORY_STATUSES)}


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
    checkins_cleared: int = 0  # key results whose check-ins stay in the closing quarter's history
    move_dates: str = "keep"
    # the new quarter's to-do: (kind, id, field, the date it had, the date it has now)
    todo: list[tuple[str, str, str, object, object]] = field(default_factory=list)

    def todo_lines(self) -> list[str]:
        """The to-do, one line per kind and field."""
        groups: dict[tuple[str, str], list] = {}
        for kind, id, fld, old, new in self.todo:
            groups.setdefault((kind, fld), []).append((id, old, new))
        out = []
        for (kind, fld), items in groups.items():
            moved = [i for i in items if i[1] != i[2]]
            ids = ", ".join(i[0] for i in items[:8]) + (f" and {len(items) - 8} more" if len(items) > 8 else "")
            if moved:
                how = "to the start of" if self.move_dates == "quarter-start" else "to the same place in"
                out.append(f"to do: {len(items)} {kind} {fld} date(s) from {self.closing} moved {how} "
                           f"{self.opening}; check them: {ids}")
            else:
                out.append(f"to do: {len(items)} {kind} {fld} date(s) still in {self.closing}; give them "
                           f"{self.opening} dates: {ids}")
        return out

    def lines(self) -> list[str]:
        out = [f"tagged {self.tag} (the final revision of {self.closing})",
               f"the plan now covers {self.opening}"]
        if self.carried:
            out.append("carried with custom.carried_from = \"%s\": %s" % (
                self.closing, ", ".join(f"{n} {k}" for k, n in self.carried.items())))
        if self.baselines:
            out.append(f"{len(self.baselines)} key result baseline(s) set from the last actual; actuals cleared")
        if self.checkins_cleared:
            out.append(f"{self.checkins_cleared} key result(s) start {self.opening} with no check-ins "
                       f"(the {self.closing} ones stay in its tag)")
        if self.moved_dates:
            out.append(f"{len(self.moved_dates)} date(s) moved into {self.opening}")
        if self.kept_as_history:
            out.append(f"{self.kept_as_history} published or retired content item(s) kept as history")
        out += self.todo_lines()
        if self.commit is not None and self.commit.commit:
            out.append(f"committed {self.commit.commit[:10]}: {self.commit.subject}")
        for note in self.commit.notices if self.commit else []:
            out.append(f"note: {note}")
        return out


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def roll_plan(plan: Plan, closing: str, opening: str, result: RolloverResult, move_dates: str = "keep") -> None:
    """Edit ``plan`` in memory (staged changes) from ``closing`` to ``opening``."""
    import datetime as dt

    from tui.plan.checkins import remove_all_checkins
    from tui.plan.registry import KINDS

    if move_dates not in MOVE_DATES:
        raise HistoryError(f"--move-dates {move_dates!r}: choose one of {', '.join(MOVE_DATES)}",
                           code="usage.move-dates")
    result.move_dates = move_dates
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
        return isinstance(value, dt.date) and old_start <= value <= old_end

    def stale(value) -> bool:  # a date the new quarter has left behind
        return isinstance(value, dt.date) and value < start

    edit("plan", "plan", ("quarter",), opening)
    edit("plan", "plan", ("start",), start)
    edit("plan", "plan", ("end",), end)
    sla = plan.find("sla", "sla")
    if sla is not None and in_closing(sla.data.get("review_date")):
        edit("sla", "sla", ("review_date",), shift_date(sla.data["review_date"], closing, opening))
        result.moved_dates.append("sla.review_date")
    for kr in list(plan.all("key_result")):
        data = dict(kr.data)
        if _num(data.get("actual")):
            edit("key_result", kr.id, ("baseline",), data["actual"])
            edit("key_result", kr.id, ("actual",), unset=True)
            result.baselines.append(kr.id)
        change = remove_all_checkins(plan, kr.id)
        if change is not None:
            stage_change(plan, change)
            result.checkins_cleared += 1
        if in_closing(data.get("due")):
            edit("key_result", kr.id, ("due",), shift_date(data["due"], closing, opening))
            result.moved_dates.append(f"{kr.id}.due")
    for kind, (fld, applies) in REPLANNED.items():
        for e in list(plan.all(kind)):
            old = e.data.get(fld)
            if not applies(e) or not stale(old) or isinstance(old, dt.datetime):
                continue
            new = old
            if move_dates == "shift":
                new = shift_date(old, closing, opening) if in_closing(old) else start
            elif move_dates == "quarter-start":
                new = start
            if new != old:
                edit(kind, e.id, (fld,), new)
                result.moved_dates.append(f"{e.id}.{fld}")
            result.todo.append((kind, e.id, fld, old, new))
    labels = {"goal": "goals", "key_result": "key results", "content": "content items"}
    for k in KINDS.values():
        if k.singleton:
            continue
        for e in list(plan.all(k.name)):
            if k.name == "content" and e.data.get("status") in HISTORY_STATUSES:
                result.kept_as_history += 1
            edit(k.name, e.id, CARRIED_FIELD, closing)
            label = labels.get(k.name, k.plural.lower())
            result.carried[label] = result.carried.get(label, 0) + 1


def save_staged(plan: Plan) -> list[str]:
    """Write every file of ``plan`` that has staged edits (atomically, refusing files changed on disk)."""
    written = []
    for name, tf in plan.files.items():
        if tf.dirty:
            write_plan_file(tf, tf.raw, tf.text)  # an entity file of a split kind may be new or removed
            written.append(name)
    return written


def plan_rollover(prepo: PlanRepo, to: str | None = None, *, allow_invalid: bool = False,
                  move_dates: str = "keep") -> tuple[Plan, RolloverResult]:
    """Every check of a rollover, then the new quarter's plan staged in memory: what
    ``rollover`` would write (nothing is tagged, written or committed).  Returns the
    staged plan and the result (``preview_lines`` words it as what will happen)."""
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
    if move_dates not in MOVE_DATES:
        raise HistoryError(f"--move-dates {move_dates!r}: choose one of {', '.join(MOVE_DATES)}",
                           code="usage.move-dates")
    tag = prepo.tag_name(closing)
    status, out, _ = prepo.run("rev-parse", "--verify", "--quiet", f"refs/tags/{tag}^{{commit}}")
    if status == 0 and out.strip() and out.strip() != head:
        raise HistoryError(f"{tag} already marks another revision ({out.strip()[:10]}) as the end of {closing}, so "
                           f"the rollover would not start from it; move it to the current revision first "
                           f"(`quarterdeck tag {closing} --force`), then roll over", code="git.tag-exists")
    result = RolloverResult(closing, opening, tag)
    roll_plan(plan, closing, opening, result, move_dates)
    result.files = [name for name, tf in plan.files.items() if tf.dirty]
    return plan, result


def preview_lines(result: RolloverResult) -> list[str]:
    """What a rollover planned by ``plan_rollover`` will do, in the future tense."""
    out = [f"tag the current revision {result.tag} (the final revision of {result.closing})",
           f"move the plan to {result.opening}"]
    if result.carried:
        out.append("carry every entry, marked custom.carried_from = \"%s\": %s" % (
            result.closing, ", ".join(f"{n} {k}" for k, n in result.carried.items())))
    if result.baselines:
        out.append(f"set {len(result.baselines)} key result baseline(s) from the last actual and clear the actuals")
    if result.checkins_cleared:
        out.append(f"start {result.checkins_cleared} key result(s) with no check-ins (the {result.closing} ones stay "
                   "in its tag)")
    if result.moved_dates:
        out.append(f"move {len(result.moved_dates)} date(s) into {result.opening}")
    if result.kept_as_history:
        out.append(f"keep {result.kept_as_history} published or retired content item(s) as history")
    out += result.todo_lines()
    if result.files:
        out.append(f"write {', '.join(result.files)} and commit them")
    return out


def rollover(prepo: PlanRepo, to: str | None = None, *, allow_invalid: bool = False, env: dict | None = None,
             message: str | None = None, move_dates: str = "keep") -> RolloverResult:
    plan, result = plan_rollover(prepo, to, allow_invalid=allow_invalid, move_dates=move_dates)
    result.tag = tag_quarter(prepo, result.closing, prepo.head(), env=env)
    result.files = save_staged(plan)
    result.commit = commit_plan(prepo, message or f"Roll the plan over from {result.closing} to {result.opening}",
                                allow_invalid=allow_invalid, env=env)
    return result
