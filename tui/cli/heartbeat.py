"""The weekly heartbeat of the plan: checkin, pace, blame.

Thin shells over ``tui.plan.checkins``, ``tui.plan.insights.pace`` and
``tui.history.blame``; heavy modules are imported inside each command.
"""

from __future__ import annotations

COMMANDS = ("checkin", "pace", "blame")


def _date(value: str | None, option: str):
    import datetime as dt

    from .common import UsageError

    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"{option} {value!r}: write a date as YYYY-MM-DD, e.g. 2026-11-30") from None


def _load(plan_arg):
    from .common import Failed, display_path, plan_dir as find_plan_folder
    from tui.plan.model import load_plan

    plan = load_plan(find_plan_folder(plan_arg))
    for p in plan.syntax_errors:
        if p.file in ("plan.toml", "goals.toml"):
            raise Failed(f"{display_path(plan.root, p.file)}:{p.line}:{p.col}: {p.message}", 1)
    return plan


# -- checkin ---------------------------------------------------------------------------------


def cmd_checkin(args) -> int:
    from .common import UsageError

    if args.all:
        if args.kr or args.value or any(v is not None for v in (args.confidence, args.note, args.by)):
            raise UsageError("--all FILE.csv reads every check-in from the file; give no GOAL/KR, VALUE, "
                             "--confidence, --note or --by with it (a date column, or --date, sets the date)")
        return _checkin_all(args)
    if not args.kr or args.value is None:
        raise UsageError("give GOAL_ID/KR_ID and VALUE (e.g. quarterdeck checkin grow-pipeline/sourced-pipeline "
                         "2310000 --confidence 7), or --all FILE.csv")
    return _checkin_one(args)


def _checkin_one(args) -> int:
    from .common import UsageError, display_path, emit, out
    from tui.plan.checkins import add_checkin, checkin_summary, new_checkin, today
    from tui.plan.edit import apply_change
    from tui.plan.insights.imports import parse_number

    value = parse_number(args.value)
    if value is None:
        raise UsageError(f"VALUE {args.value!r} is not a number (write 2310000, 2,310,000, 27.5 or 27.5%)")
    on = today()
    when = _date(args.date, "--date")
    plan = _load(args.plan)
    if "/" not in args.kr:
        raise UsageError(f"address a key result as GOAL_ID/KR_ID, not {args.kr!r}")
    kr = plan.get("key_result", args.kr)
    old = kr.data.get("actual")
    entry = new_checkin(plan, kr, value, date=when, confidence=args.confidence, note=args.note, by=args.by, on=on)
    change = add_checkin(plan, kr.id, entry, on=on)
    if args.dry_run:
        emit(f"{checkin_summary(kr.id, old, entry, _names(plan))}  (dry run: nothing written)")
        return 0
    apply_change(plan, change)
    if not args.quiet:
        emit(checkin_summary(kr.id, old, entry, _names(plan)))
        out(f"{display_path(plan.root, change.file)}: check-in {entry['date']} added to {kr.id}", err=True)
    return 0


def _names(plan) -> dict[str, str]:
    return {m.id: str(m.data.get("name") or m.id) for m in plan.all("member")}


def _checkin_all(args) -> int:
    from .common import finish_import, read_import_input
    from tui.plan.checkins import today
    from tui.plan.insights import imports

    plan = _load(args.plan)
    data, source = read_import_input(args.all)
    on = today()
    report = imports.plan_checkin_import(plan, data, source=source, default_date=_date(args.date, "--date") or on,
                                         on=on, delimiter=args.delimiter, encoding=args.encoding)
    return finish_import(plan, report, args.format, dry_run=args.dry_run, skip_refused=None)


# -- pace --------------------------------------------------------------------------------------


def cmd_pace(args) -> int:
    from .common import emit, json_text
    from tui.plan.checkins import today
    from tui.plan.insights.pace import pace_text, plan_pace

    plan = _load(args.plan_dir)
    report = plan_pace(plan, _date(args.today, "--today") or today())
    emit(json_text(report.to_dict()) if args.format == "json" else pace_text(report))
    return 0


# -- blame -------------------------------------------------------------------------------------


def _short(value, width: int = 40) -> str:
    from tui.plan.edit import render_value

    try:
        text = render_value(value)
    except Exception:  # noqa: BLE001 - a value TOML cannot write inline
        text = str(value)
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_blame(args) -> int:
    from .common import emit, json_text, plan_dir as find_plan_folder
    from tui.history.blame import entity_blame

    result = entity_blame(find_plan_folder(args.plan), args.kind, args.id, args.field)
    if args.format == "json":
        emit(json_text(result.to_dict()))
        return 0
    lines = [f"{result.kind} {result.id}  ({result.file})"]
    width = max((len(f.field) for f in result.fields), default=5)
    for f in result.fields:
        if f.commit is None:
            lines.append(f"  {f.field:<{width}}  {'(working tree)':<10}  {'':<10}  {'':<18}  not committed yet  "
                         f"= {_short(f.value)}")
            continue
        renamed = f"  [as {f.id_then}]" if f.id_then and f.id_then != result.id else ""
        lines.append(f"  {f.field:<{width}}  {f.commit[:10]}  {f.date[:10]}  {f.author[:18]:<18}  {f.subject}"
                     f"{renamed}  = {_short(f.value)}")
    for old, new, commit in result.renames:
        lines.append(f"renamed from {old} to {new} in {commit[:10]}")
    lines += [f"note: {n}" for n in result.notes]
    emit("\n".join(lines))
    return 0


# -- parser ------------------------------------------------------------------------------------


def register(sub) -> None:
    p = sub.add_parser("checkin", help="record a key result's value on a date (a check-in); updates actual",
                       description="Append one check-in ([[goal.key_result.checkin]]: date, value, confidence "
                                   "0-10, note, by) to a key result and set its actual to the value, changing only "
                                   "those lines. --all FILE.csv reads many (columns goal, key_result, value, "
                                   "confidence, note, date, by); nothing is written unless every row is good.")
    p.add_argument("kr", nargs="?", metavar="GOAL_ID/KR_ID")
    p.add_argument("value", nargs="?", metavar="VALUE")
    p.add_argument("--confidence", type=int, metavar="N", help="0 (no chance) to 10 (certain) of reaching the target")
    p.add_argument("--note", metavar="TEXT", help="a short note: what moved the number")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day it was measured (default: today)")
    p.add_argument("--by", metavar="MEMBER", help="who checks in (a member id; default: the key result's owner)")
    p.add_argument("--all", metavar="FILE.csv", help="read many check-ins from a CSV file ('-' for standard input)")
    p.add_argument("--delimiter", metavar="X", help="with --all: field separator (default: sniffed)")
    p.add_argument("--encoding", metavar="E", help="with --all: the file's encoding (default: UTF-8)")
    p.add_argument("--format", choices=("text", "json"), default="text", help="with --all: the report's format")
    p.add_argument("--dry-run", "-n", action="store_true", help="show what would happen; write nothing")
    p.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_checkin)

    p = sub.add_parser("pace", help="each key result against where it should be by today; computed status")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--today", metavar="YYYY-MM-DD", help="compute as of this day (default: today)")
    p.set_defaults(func=cmd_pace)

    p = sub.add_parser("blame", help="the commit, author and date that last changed each field of an entity")
    p.add_argument("kind", metavar="KIND")
    p.add_argument("id", metavar="ID")
    p.add_argument("field", nargs="?", metavar="FIELD")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
    p.set_defaults(func=_guarded_blame)


def _guarded_blame(args) -> int:
    from .common import Failed
    from tui.plan.problems import PlanError

    try:
        return cmd_blame(args)
    except (PlanError, KeyboardInterrupt, BrokenPipeError):
        raise
    except Exception as exc:  # noqa: BLE001 - git trouble is told, not raised
        if (type(exc).__module__ or "").startswith("git"):
            raise Failed(f"git failed: {exc}", 1) from None
        raise
