"""Insight and exchange commands: coverage, stage, sla, report, export, import.

Thin shells over ``tui.plan.insights``; heavy modules are imported inside each command.
"""

from __future__ import annotations

from pathlib import Path

from .common import json_text

COMMANDS = ("coverage", "stage", "sla", "report", "export", "import")


def _load(plan_dir_arg):
    from .common import plan_dir as find_plan_folder
    from tui.plan.model import load_plan

    plan_dir = find_plan_folder(plan_dir_arg)
    return plan_dir, load_plan(plan_dir)


def _require_files(plan, *files) -> None:
    """Refuse to compute insights from a file that does not parse."""
    from .common import Failed, display_path

    for p in plan.syntax_errors:
        if not files or p.file in files:
            raise Failed(f"{display_path(plan.root, p.file)}:{p.line}:{p.col}: {p.message}", 1)


def _write(text: str, output: str | None = None, plan=None) -> None:
    """A command's output: on standard output with control characters made visible, or
    into ``output`` (``-o FILE``) through the one safe writer."""
    from .common import emit, write_output

    if not output or output == "-":
        emit(text.rstrip("\n"))
        return
    write_output(output, text, plan)


# -- coverage / stage / sla -------------------------------------------------------------


def cmd_coverage(args) -> int:
    from tui.plan.insights.coverage import coverage
    from tui.plan.insights.messaging import coverage_markdown as messages_markdown
    from tui.plan.insights.messaging import coverage_text as messages_text
    from tui.plan.insights.messaging import message_coverage
    from tui.plan.insights.markdown import md_text
    from tui.plan.insights.render import coverage_markdown, coverage_text
    from tui.plan.insights.sales import sales_readiness

    plan_dir, plan = _load(args.plan_dir)
    _require_files(plan, "plan.toml", "personas.toml", "content.toml", "accounts.toml")
    cov = coverage(plan, min_items=args.min)
    sales = sales_readiness(plan)
    messages = message_coverage(plan)
    if args.format == "json":
        doc = cov.to_dict()
        doc["sales"] = sales.to_dict()
        doc["messaging"] = messages.to_dict()
        _write(json_text(doc))
    elif args.format == "markdown":
        _write("\n".join(filter(None, [coverage_markdown(cov, sales), messages_markdown(messages, md_text)])))
    else:
        _write("\n\n".join(filter(None, [coverage_text(cov, sales), messages_text(messages)])))
    return 1 if args.strict and (cov.gaps or cov.tier1_without_play) else 0


def cmd_stage(args) -> int:
    from tui.plan.insights.render import stage_text
    from tui.plan.insights.stage import assess_stage

    plan_dir, plan = _load(args.plan_dir)
    _require_files(plan)
    tags = args.quarters if args.quarters is not None else quarters_reviewed(plan_dir)
    a = assess_stage(plan, tags)
    if args.format == "json":
        _write(json_text(a.to_dict()))
    else:
        _write(stage_text(a))
    return 0


def cmd_sla(args) -> int:
    from tui.plan.insights.render import sla_text
    from tui.plan.insights.sla import sla_math

    plan_dir, plan = _load(args.plan_dir)
    _require_files(plan, "plan.toml", "goals.toml")
    m = sla_math(plan)
    if args.format == "json":
        _write(json_text(m.to_dict()))
    else:
        _write(sla_text(m))
    return 1 if args.strict and not m.ok else 0


def previous_quarter(quarter: str) -> str | None:
    import re

    m = re.fullmatch(r"(\d{4})-Q([1-4])", quarter or "")
    if not m:
        return None
    year, q = int(m.group(1)), int(m.group(2))
    return f"{year - 1}-Q4" if q == 1 else f"{year}-Q{q - 1}"


def quarters_reviewed(plan_dir: Path) -> int | None:
    """How many quarters of this plan are tagged in git; None when history is unknown
    (not a repository, git missing, ...)."""
    from tui.history.revisions import quarter_tags

    try:
        return len(quarter_tags(plan_dir))
    except Exception:  # noqa: BLE001 - not a repository, git missing, ...: history unknown
        return None


def history_since(plan_dir: Path, since: str, all_fields: bool = False):
    """What changed from the quarter ``since`` to the working tree, as the plain data
    the report takes (``tui.plan.insights`` never reads git), or why it is unknown."""
    from tui.history.revisions import diff_revisions
    from tui.history.semdiff import field_summary
    from tui.plan.insights.report import History, HistoryChange, HistoryDiff

    try:
        diff = diff_revisions(plan_dir, since, None, all_fields=all_fields)
        changes = [HistoryChange(c.op, c.kind, c.id, c.label or "", getattr(c, "old_id", None),
                                 [field_summary(f) for f in c.fields]) for c in diff.changes]
        return History(since, diff=HistoryDiff(diff.old_label, diff.new_label, changes, list(diff.notes or []),
                                               diff.folded_lines()), all_fields=all_fields)
    except Exception as exc:  # noqa: BLE001 - any git trouble is told, not raised
        message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
        return History(since, unavailable=f"history unavailable: {message}")


def quarter_finals(plan_dir: Path) -> dict:
    """Every key result's final value in each tagged quarter (oldest first), as the plain
    data the report takes: ``{GOAL/KR: [QuarterFinal, ...]}``; empty when history is
    unknown (not a repository, git missing, a tag that cannot be read)."""
    from tui.history.repo import PlanRepo
    from tui.history.snapshot import snapshot_of_commit
    from tui.plan.insights.brief import QuarterFinal
    from tui.plan.registry import KINDS

    def num(v):
        return float(v) if isinstance(v, (int, float)) and not isinstance(v, bool) else None

    out: dict = {}
    try:
        with PlanRepo(plan_dir) as prepo:
            only = {KINDS["key_result"].file}  # key results only: the rest of each revision is not read
            for quarter, commit in prepo.quarter_tags().items():
                snap = snapshot_of_commit(prepo, commit, prepo.tag_name(quarter), only=only)
                for kr in snap.entities.get("key_result", []):
                    d = kr.data
                    out.setdefault(kr.id, []).append(QuarterFinal(quarter, num(d.get("actual")), num(d.get("target")),
                                                                  num(d.get("baseline")),
                                                                  str(d.get("direction") or "increase")))
    except Exception:  # noqa: BLE001 - not a repository, git missing, ...: no trend across quarters
        return {}
    return out


def cmd_report(args) -> int:
    from .common import UsageError
    from tui.plan.insights.report import History, quarterly_report
    from tui.plan.validation import validate

    plan_dir, plan = _load(args.plan_dir)
    since = args.since or previous_quarter(plan.quarter)
    if args.since and previous_quarter(args.since) is None:
        raise UsageError(f"--since {args.since!r}: write a quarter as YYYY-QN, e.g. 2026-Q3")
    history = history_since(plan_dir, since, args.all_fields) if since else History("", unavailable="history unavailable: "
                                                                   "the plan has no quarter")
    history.finals = {kr: [f for f in finals if f.quarter != plan.quarter]
                      for kr, finals in quarter_finals(plan_dir).items()}
    text = quarterly_report(plan, args.format, problems=validate(plan), quarter_tags=quarters_reviewed(plan_dir),
                            history=history)
    _write(text, args.output, plan)
    return 0


# -- export / import -----------------------------------------------------------------------


def cmd_export(args) -> int:
    from .common import UsageError

    plan_dir, plan = _load(args.plan)
    if args.what == "ics":
        from tui.plan.insights.export import calendar_ics

        _require_files(plan, "plan.toml", "content.toml")
        data = calendar_ics(plan)
    else:
        from tui.plan.insights.export import export_csv
        from tui.plan.registry import KINDS

        if args.kind not in KINDS:
            raise UsageError(f"unknown kind {args.kind!r}; kinds are: {', '.join(KINDS)}")
        _require_files(plan, KINDS[args.kind].file)
        data = export_csv(plan, args.kind).encode("utf-8")
    if args.output and args.output != "-":
        from .common import out, write_output

        write_output(args.output, data, plan)
        if not args.quiet:
            out(f"wrote {args.output}", err=True)
    else:
        from .common import emit

        emit(data.decode("utf-8"), end="")
    return 0


def _pairs(values, option: str) -> dict[str, str]:
    from .common import UsageError

    out = {}
    for pair in values or []:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise UsageError(f"{option} {pair!r}: write it as NAME=VALUE")
        out[key.strip()] = value
    return out


def _as_of(value):
    import datetime as dt

    from .common import UsageError

    if not value:
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"--date {value!r}: write a date as YYYY-MM-DD, e.g. 2026-11-30") from None


def cmd_import(args) -> int:
    from .common import finish_import, read_import_input
    from tui.plan.insights import imports

    plan_dir, plan = _load(args.plan)
    data, source = read_import_input(args.file)
    if args.what == "accounts":
        _require_files(plan, "plan.toml", "accounts.toml")
        defaults = {}
        for key, literal in _pairs(args.set, "--set").items():
            from tui.plan.edit import EditError, parse_value

            try:
                defaults[key] = parse_value(literal)
            except EditError:
                defaults[key] = literal  # plain text without quotes
        report = imports.plan_account_import(plan, data, source=source, mapping=_pairs(args.map, "--map"),
                                             defaults=defaults, delimiter=args.delimiter, encoding=args.encoding)
    else:
        _require_files(plan, "plan.toml", "goals.toml")
        report = imports.plan_actuals_import(plan, data, source=source, delimiter=args.delimiter,
                                             encoding=args.encoding, as_of=_as_of(args.date))
    return finish_import(plan, report, args.format, dry_run=args.dry_run, skip_refused=args.skip_refused)


# -- parser -------------------------------------------------------------------------------


def register(sub) -> None:
    p = sub.add_parser("coverage", help="content per persona and journey stage, with the gaps to fill")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("text", "json", "markdown"), default="text")
    p.add_argument("--min", type=int, default=2, metavar="N",
                   help="a cell with fewer than N items is thin (default 2)")
    p.add_argument("--strict", action="store_true", help="exit 1 when there are gaps")
    p.set_defaults(func=cmd_coverage)

    p = sub.add_parser("stage", help="the alignment stage the plan supports, and what the next one needs")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--quarters", type=int, metavar="N",
                   help="quarters reviewed (default: count the plan/* tags in git)")
    p.set_defaults(func=cmd_stage)

    p = sub.add_parser("sla", help="MQLs, SQLs and deals the revenue target needs, against the SLA")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--strict", action="store_true", help="exit 1 when the numbers do not add up")
    p.set_defaults(func=cmd_sla)

    p = sub.add_parser("export", help="the content calendar as iCalendar, or any kind as CSV")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    csv_note = ("Cells a spreadsheet would run as a formula (text beginning with =, +, -, @, a tab, a carriage "
                "return or NUL) are neutralised as the OWASP advice on CSV injection describes: a single quote (') "
                "is put in front and the cell is quoted, so the spreadsheet shows the text instead of running it. "
                "Numbers stored as numbers (a negative actual) stay numbers. -o FILE writes a FIFO or a device in "
                "place and refuses a plan file or a read-only file.")
    for name, help_text in (("ics", "the content calendar: one all-day event per dated item"),
                            ("csv", "every entity of one kind as CSV (lists joined with '; '; formula cells "
                                    "neutralised)")):
        q = what.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + "."
                            + (" " + csv_note if name == "csv" else ""))
        if name == "csv":
            q.add_argument("kind", metavar="KIND")
        q.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
        q.add_argument("-o", "--output", metavar="FILE",
                       help="write to FILE (default: standard output); a FIFO or device is written in place, a "
                            "plan file or a read-only file is refused")
        q.add_argument("--quiet", "-q", action="store_true")
        q.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="accounts from a CRM export, or key-result actuals, from CSV")
    what = p.add_subparsers(dest="what", metavar="WHAT", required=True)
    for name, help_text in (("accounts", "accounts from a CRM export (HubSpot, Salesforce), matched by domain"),
                            ("actuals", "key-result actuals as check-ins: columns goal, key_result (or GOAL/KR), actual; "
                             "optional confidence, note, date, by")):
        q = what.add_parser(name, help=help_text)
        q.add_argument("file", metavar="FILE.csv", help="the CSV file ('-' for standard input)")
        q.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
        q.add_argument("--dry-run", "-n", action="store_true", help="show what would happen; write nothing")
        q.add_argument("--delimiter", metavar="X", help="field separator (default: sniffed; 'tab' for tabs)")
        q.add_argument("--encoding", metavar="E", help="the file's encoding (default: UTF-8, BOM or not)")
        q.add_argument("--skip-refused", action="store_true", help="import the good rows even if some are refused")
        q.add_argument("--format", choices=("text", "json"), default="text")
        if name == "accounts":
            q.add_argument("--map", action="append", metavar="COLUMN=FIELD",
                           help="read COLUMN as FIELD (an account field or custom.NAME; empty FIELD ignores it)")
            q.add_argument("--set", action="append", metavar="FIELD=VALUE",
                           help="value for new accounts the file does not give (e.g. marketing_owner=aisha-khan)")
        else:
            q.add_argument("--date", metavar="YYYY-MM-DD",
                           help="the as-of date of the values: each becomes a check-in on that day (default: today)")
        q.set_defaults(func=cmd_import)

    p = sub.add_parser("report", help="the quarterly review brief (Markdown for a pull request, printable HTML with "
                                      "charts, or plain text)")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("markdown", "html", "text"), default="markdown",
                   help="markdown (text bars that render on GitHub), html (a self-contained page with inline SVG "
                        "charts; print it from a browser for a PDF), or text")
    p.add_argument("--since", metavar="QUARTER", help="show changes since this quarter (default: the one before)")
    p.add_argument("--all-fields", action="store_true",
                   help="list provenance (custom.carried_from, set by rollover) on every changed entity; by default "
                        "it is one line per quarter (\"34 entities carried from 2026-Q4\")")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write to FILE (default: standard output); a FIFO or device is written in place, a plan "
                        "file or a read-only file is refused")
    p.set_defaults(func=cmd_report)
