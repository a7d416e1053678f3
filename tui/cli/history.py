"""History commands of the command line: commit, log, diff, tag, trend, git-setup,
textconv, merge-file, rollover, init and demo.  Thin shells over ``tui.history``."""

from __future__ import annotations

import json
import sys

COMMANDS = ("commit", "log", "diff", "tag", "trend", "git-setup", "textconv", "merge-file", "rollover", "init",
            "demo")


def _plan_option(p) -> None:
    p.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")


def _color_option(p) -> None:
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")


def _guard(func):
    """No traceback for the user: git and OS failures outside the core's own errors
    become a message and exit code 1."""
    import functools

    @functools.wraps(func)
    def run(args) -> int:
        from .common import Failed
        from tui.plan.problems import PlanError

        try:
            return func(args)
        except (PlanError, KeyboardInterrupt, BrokenPipeError):
            raise
        except OSError as exc:
            where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
            raise Failed(f"{exc.strerror or exc}{where}", 1) from None
        except Exception as exc:  # noqa: BLE001
            module = type(exc).__module__ or ""
            if module.startswith("git"):
                raise Failed(f"git failed: {exc}", 1) from None
            raise

    return run


def register(sub) -> None:
    p = sub.add_parser("commit", help="validate the plan and commit its files (only those)")
    p.add_argument("-m", "--message", metavar="MSG", help="the commit message (a summary of the changes is added)")
    p.add_argument("--quarter", nargs="?", const="", metavar="QUARTER",
                   help="also tag the commit as the quarter's final revision (default: the plan's quarter)")
    p.add_argument("--allow-invalid", action="store_true", help="commit even if the plan has errors (noted in the message)")
    p.add_argument("--force-tag", action="store_true", help="with --quarter: move an existing quarter tag")
    _plan_option(p)
    p.set_defaults(func=_guard(cmd_commit))

    p = sub.add_parser("log", help="the plan's revisions, quarter tags marked")
    p.add_argument("-n", "--max-count", type=int, metavar="N", help="show at most N revisions")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--changes", action="store_true", help="summarise each revision's plan changes")
    _plan_option(p)
    _color_option(p)
    p.set_defaults(func=_guard(cmd_log))

    p = sub.add_parser("diff", help="what changed in the plan, entity by entity (default: HEAD vs working tree)")
    p.add_argument("revisions", nargs="*", metavar="REV",
                   help="quarter (2026-Q3), tag, branch or commit; A B, A..B, or A...B (changes since the merge base)")
    p.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    p.add_argument("--exit-code", action="store_true", help="exit 1 when there are differences, 0 when none")
    p.add_argument("--all-fields", action="store_true",
                   help="also list provenance (custom.carried_from, set by rollover) on every entity; by default "
                        "it is folded into one line per quarter (\"34 entities carried from 2026-Q4\")")
    _plan_option(p)
    _color_option(p)
    p.set_defaults(func=_guard(cmd_diff))

    p = sub.add_parser("tag", help="tag a revision (default HEAD) as the final revision of a quarter")
    p.add_argument("quarter", metavar="QUARTER")
    p.add_argument("revision", nargs="?", metavar="REV")
    p.add_argument("--force", action="store_true", help="move the tag if it already exists")
    _plan_option(p)
    p.set_defaults(func=_guard(cmd_tag))

    p = sub.add_parser("trend", help="a key result's target, actual and check-ins in every tagged quarter and now")
    p.add_argument("kr", metavar="GOAL_ID/KR_ID")
    p.add_argument("--format", choices=("text", "json"), default="text")
    _plan_option(p)
    p.set_defaults(func=_guard(cmd_trend))

    p = sub.add_parser("git-setup", help="make git merges (and hunk headers) understand plan files; once per clone")
    p.add_argument("--semantic", action="store_true",
                   help="also make git diff, log -p and show print plan files field by field (a cached textconv; "
                        "git blame then shows that rendering and comment-only changes do not show)")
    _plan_option(p)
    p.set_defaults(func=_guard(cmd_git_setup))

    p = sub.add_parser("textconv", help="(used by git) print a plan file entity by entity")
    p.add_argument("file", metavar="FILE")
    p.set_defaults(func=_guard(cmd_textconv))

    p = sub.add_parser("merge-file", help="(used by git) merge a plan file by entity id")
    p.add_argument("base", metavar="BASE")
    p.add_argument("ours", metavar="OURS")
    p.add_argument("theirs", metavar="THEIRS")
    p.add_argument("path", nargs="?", default="", metavar="PATH")
    p.add_argument("--marker-size", type=int, default=7)
    p.set_defaults(func=_guard(cmd_merge_file))

    p = sub.add_parser("rollover", help="close the quarter (tag it) and move the plan to the next one")
    p.add_argument("--to", metavar="QUARTER", help="the new quarter (default: the next one)")
    p.add_argument("--allow-invalid", action="store_true", help="roll over a plan that has errors")
    p.add_argument("--move-dates", choices=("keep", "shift", "quarter-start"), default="keep",
                   help="account next steps and unpublished content dated in the closing quarter: keep them "
                        "(listed as the new quarter's to-do), shift them to the same place in the new quarter, "
                        "or move them to its first day")
    _plan_option(p)
    p.set_defaults(func=_guard(cmd_rollover))

    p = sub.add_parser("init", help="create a new plan folder, with git drivers and a CI template")
    p.add_argument("dir", nargs="?", default="plans", metavar="DIR")
    p.add_argument("--company", default=None, help="the company's name")
    p.add_argument("--quarter", default=None, metavar="QUARTER", help="the plan's quarter (default: this quarter)")
    p.set_defaults(func=_guard(cmd_init))

    p = sub.add_parser("demo", help="a throwaway repository with the example plan and four quarters of history")
    p.add_argument("--dir", metavar="DIR", help="where to build it (default: a new temporary folder)")
    p.add_argument("--no-open", action="store_true", help="only build it and print where it is")
    p.set_defaults(func=_guard(cmd_demo))


# -- helpers -------------------------------------------------------------------------------


def _open(args):
    from .common import plan_dir as find_plan_folder
    from tui.history.repo import PlanRepo

    return PlanRepo(find_plan_folder(getattr(args, "plan", None)))


def _print(text: str = "", err: bool = False) -> None:
    from .common import out

    out(text, err=err)


def _line(text) -> str:
    """Plan or git text on one terminal line: control characters made visible."""
    from tui.plan.safetext import visible_line

    return visible_line(str(text))


def _json(doc) -> str:
    """JSON for a terminal or a pipe: C1 and bidi controls escaped too (json escapes C0 only)."""
    return _json_text(json.dumps(doc, indent=2, ensure_ascii=False))


def _json_text(text: str) -> str:
    import re

    return re.sub(r"[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]", lambda m: f"\\u{ord(m.group()):04x}", text)


# -- commands ----------------------------------------------------------------------------------


def cmd_commit(args) -> int:
    from tui.history.commit import commit_plan
    from tui.history.semdiff import summary_lines

    with _open(args) as prepo:
        quarter = args.quarter
        if quarter == "":
            from tui.plan.model import load_plan

            quarter = load_plan(prepo.plan_dir).quarter or None
            if quarter is None:
                from .common import UsageError

                raise UsageError("the plan has no quarter; give one: --quarter 2026-Q4")
        result = commit_plan(prepo, args.message, quarter=quarter, allow_invalid=args.allow_invalid,
                             force_tag=args.force_tag)
        for note in result.notices:
            from tui.plan.safetext import visible

            _print(f"note: {visible(note)}", err=True)
        if result.commit is None:
            _print(f"nothing to commit: the plan in {prepo.plan_dir} is as in HEAD")
        else:
            where = f" on {result.branch}" if result.branch else ""
            _print(f"committed {result.commit[:10]}{_line(where)}: {_line(result.subject)}")
            see = commit_diff_hint(result.commit, bool(result.parents), args.plan)
            for line in summary_lines(result.diff, limit=15, see=see) if result.diff else []:
                _print(f"  {_line(line)}")
            _print(f"  (all of this commit's plan changes: `{see}`)")
        if result.tag:
            _print(f"tagged {result.tag}")
        return 1 if result.hook_changed and result.errors and not args.allow_invalid else 0


def commit_diff_hint(commit: str, has_parent: bool, plan: str | None = None) -> str:
    """The command that shows a commit's plan changes."""
    import shlex

    short = commit[:10]
    if not has_parent:
        return f"git show {short}"
    return f"quarterdeck diff {short}~1 {short}" + (f" -C {shlex.quote(plan)}" if plan else "")


def cmd_log(args) -> int:
    from .common import Paint, use_color
    from tui.history.revisions import revisions
    from tui.history.semdiff import diff_snapshots, short_summary
    from tui.history.snapshot import empty, snapshot_of_commit

    with _open(args) as prepo:
        revs = revisions(prepo, args.max_count)
        summaries = {}
        if args.changes:
            for rev in revs:
                new = snapshot_of_commit(prepo, rev.commit, rev.short)
                if rev.parents and not rev.boundary:
                    old = snapshot_of_commit(prepo, rev.parents[0], rev.parents[0][:10])
                else:
                    old = empty("(none)", prepo.plan_dir)
                summaries[rev.commit] = short_summary(diff_snapshots(old, new))
        if args.format == "json":
            doc = {"format": "quarterdeck.log/1", "plan": prepo.rel or ".",
                   "quarters": prepo.quarter_tags(),
                   "revisions": [dict(r.to_json(), **({"changes": summaries[r.commit]} if summaries else {}))
                                 for r in revs]}
            _print(_json(doc))
            return 0
        paint = Paint(use_color(sys.stdout, args.color))
        if not revs:
            _print("no revisions of the plan yet: commit it with `quarterdeck commit`")
            return 0
        for r in revs:
            tags = "  " + paint(_line(" ".join(f"[{t}]" for t in r.tags)), "green", "bold") if r.tags else ""
            line = (f"{paint(r.short, 'yellow')}  {r.date.date().isoformat()}  {_line(r.author[:20]):<20}  "
                    f"{_line(r.subject)}{tags}")
            _print(line)
            if r.commit in summaries:
                _print(paint(f"            {_line(summaries[r.commit])}", "dim"))
            if r.boundary:
                _print(paint("— history is cut off here (shallow clone); `git fetch --unshallow` fetches the rest",
                             "dim"))
        return 0


def cmd_diff(args) -> int:
    from .common import UsageError, use_color
    from tui.history.revisions import diff
    from tui.history.semdiff import render_json, render_markdown, render_text

    if len(args.revisions) > 2:
        raise UsageError("give at most two revisions (or one A..B / A...B range)")
    a = args.revisions[0] if args.revisions else None
    b = args.revisions[1] if len(args.revisions) > 1 else None
    with _open(args) as prepo:
        result = diff(prepo, a, b, all_fields=args.all_fields)
    if args.format == "json":
        _print(_json_text(render_json(result)))
    elif args.format == "markdown":
        from tui.plan.safetext import visible

        _print(visible(render_markdown(result)))
    else:
        _print(render_text(result, color=use_color(sys.stdout, args.color)))
    return 1 if args.exit_code and (result.changes or result.folded) else 0


def cmd_tag(args) -> int:
    from tui.history.commit import tag_quarter

    with _open(args) as prepo:
        commit = prepo.resolve(args.revision) if args.revision else None
        name = tag_quarter(prepo, args.quarter, commit, force=args.force)
        _print(f"tagged {name} at {(commit or prepo.head() or '')[:10]}")
    return 0


def cmd_trend(args) -> int:
    from tui.history.revisions import kr_trend

    with _open(args) as prepo:
        points = kr_trend(prepo, args.kr)
    if args.format == "json":
        _print(_json({"format": "quarterdeck.trend/1", "key_result": args.kr,
                      "points": [p.to_json() for p in points]}))
        return 0
    title = next((p.title for p in reversed(points) if p.present), "")
    _print(_line(args.kr) + (f"  {_line(title)}" if title else ""))
    width = max([24] + [len(_line(p.label)) for p in points])
    for p in points:
        quarter, label = _line(p.quarter or "?"), _line(p.label)
        if not p.present:
            _print(f"  {quarter:<8} {label:<{width}} (not in the plan)")
            continue
        _print(f"  {quarter:<8} {label:<{width}} baseline {trend_number(p.baseline):>10}  "
               f"target {trend_number(p.target):>10}  actual {trend_number(p.actual):>10}  "
               f"{trend_progress(p.baseline, p.target, p.actual)}".rstrip())
        for c in p.checkins:
            extra = [f"confidence {_line(c['confidence'])}"] if c.get("confidence") is not None else []
            who = _line(c.get("by") or "")
            note = _line(c.get("note") or "")
            if len(note) > 60:
                note = note[:59] + "…"
            if who or note:
                extra.append(f"{who}: {note}" if who and note else who or note)
            _print(f"  {'':<8} {'  check-in ' + _line(c.get('date') or '?'):<{width}} {trend_number(c.get('value')):>10}"
                   + (f"  {', '.join(extra)}" if extra else ""))
        if not p.checkins:
            _print(f"  {'':<8}   (no check-ins)")
    return 0


def trend_number(v) -> str:
    """A number of the trend: '—' when there is none, and says so when it is not finite."""
    import math

    if v is None:
        return "—"
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return _line(v)
    if isinstance(v, float) and math.isnan(v):
        return "not a number"
    if isinstance(v, float) and math.isinf(v):
        return "infinite" if v > 0 else "-infinite"
    return f"{v:g}" if isinstance(v, float) else str(v)


def trend_progress(baseline, target, actual) -> str:
    """How far the actual has come from the baseline to the target, or why that cannot be said."""
    import math

    nums = (baseline, target, actual)
    if any(v is None or isinstance(v, bool) or not isinstance(v, (int, float)) for v in nums):
        return ""
    if not all(math.isfinite(v) for v in nums):
        return "(progress cannot be computed: a value is not finite)"
    if target == baseline:
        return "(progress cannot be computed: target equals baseline)"
    try:
        share = (actual - baseline) / (target - baseline)
    except (OverflowError, ZeroDivisionError):
        return "(progress cannot be computed)"
    if not math.isfinite(share):
        return "(progress cannot be computed)"
    return f"({share * 100:.0f}% of the way)"


def cmd_git_setup(args) -> int:
    from tui.history.gitsetup import git_setup

    with _open(args) as prepo:
        for line in git_setup(prepo, semantic=args.semantic):
            _print(line)
    return 0


def cmd_textconv(args) -> int:
    from tui.history.textconv import textconv_file

    sys.stdout.write(textconv_file(args.file))  # made safe for terminals there
    sys.stdout.flush()
    return 0


def cmd_merge_file(args) -> int:
    from tui.history.merge import merge_files

    outcome = merge_files(args.base, args.ours, args.theirs, args.path, marker_size=args.marker_size)
    for line in outcome.messages:
        _print(f"quarterdeck merge: {_line(line)}", err=True)
    return 1 if outcome.conflicts else 0


def cmd_rollover(args) -> int:
    from tui.history.rollover import rollover

    with _open(args) as prepo:
        result = rollover(prepo, args.to, allow_invalid=args.allow_invalid, move_dates=args.move_dates)
    for line in result.lines():
        _print(line)
    return 0


def cmd_init(args) -> int:
    from pathlib import Path

    from tui.history.scaffold import init_plan

    for line in init_plan(Path(args.dir), company=args.company, quarter=args.quarter):
        _print(line)
    return 0


def cmd_demo(args) -> int:
    from pathlib import Path

    from tui.history.demo import build_demo

    plan_dir = build_demo(Path(args.dir) if args.dir else None, progress=lambda m: _print(m, err=True))
    if args.no_open:
        _print(str(plan_dir))
        return 0
    try:
        from tui.app import run
    except ImportError:
        _print(f"the demo plan is in {plan_dir} (the app is not available here; open it with `quarterdeck {plan_dir}`)")
        return 0
    return run(plan_dir)
