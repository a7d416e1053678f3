"""Insight and exchange commands: coverage, stage, sla, report, export, import.

Thin shells over ``tui.plan.insights``; heavy modules are imported inside each command.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COMMANDS = ("coverage", "stage", "sla", "report", "export", "import")


def _load(plan_dir_arg):
    from tui.cli import _plan_dir
    from tui.plan.model import load_plan

    plan_dir = _plan_dir(plan_dir_arg)
    return plan_dir, load_plan(plan_dir)


def _require_files(plan, *files) -> None:
    """Refuse to compute insights from a file that does not parse."""
    from tui.cli import Failed, _display_path

    for p in plan.syntax_errors:
        if not files or p.file in files:
            raise Failed(f"{_display_path(plan.root, p.file)}:{p.line}:{p.col}: {p.message}", 1)


def count_quarter_tags(plan_dir: Path) -> int | None:
    """How many `plan/*` tags the plan's git repository holds; None outside a repository
    or when git cannot be read."""
    try:
        import git
    except ImportError:
        return None
    try:
        with git.Repo(plan_dir, search_parent_directories=True) as repo:
            return sum(1 for t in repo.tags if t.name.startswith("plan/"))
    except Exception:  # noqa: BLE001 - any git trouble means "history unknown"
        return None


def _write(text: str, output: str | None, plan_dir: Path | None = None) -> None:
    from tui.cli import Failed, _out

    if not output or output == "-":
        _out(text.rstrip("\n"))
        return
    from tui.plan.save import atomic_write

    try:
        atomic_write(Path(output), text.encode("utf-8"))
    except OSError as exc:
        raise Failed(f"cannot write {output}: {exc.strerror or exc}", 1) from None


# -- coverage / stage / sla -------------------------------------------------------------


def cmd_coverage(args) -> int:
    from tui.plan.insights.coverage import coverage
    from tui.plan.insights.render import coverage_markdown, coverage_text
    from tui.plan.insights.sales import sales_readiness

    plan_dir, plan = _load(args.plan_dir)
    _require_files(plan, "plan.toml", "personas.toml", "content.toml", "accounts.toml")
    cov = coverage(plan, min_items=args.min)
    sales = sales_readiness(plan)
    if args.format == "json":
        doc = cov.to_dict()
        doc["sales"] = sales.to_dict()
        _write(json.dumps(doc, indent=2, ensure_ascii=False), None)
    elif args.format == "markdown":
        _write(coverage_markdown(cov, sales), None)
    else:
        _write(coverage_text(cov, sales), None)
    return 1 if args.strict and (cov.gaps or cov.tier1_without_play) else 0


def cmd_stage(args) -> int:
    from tui.plan.insights.render import stage_text
    from tui.plan.insights.stage import assess_stage

    plan_dir, plan = _load(args.plan_dir)
    _require_files(plan)
    tags = args.quarters if args.quarters is not None else count_quarter_tags(plan_dir)
    a = assess_stage(plan, tags)
    if args.format == "json":
        _write(json.dumps(a.to_dict(), indent=2, ensure_ascii=False), None)
    else:
        _write(stage_text(a), None)
    return 0


def cmd_sla(args) -> int:
    from tui.plan.insights.render import sla_text
    from tui.plan.insights.sla import sla_math

    plan_dir, plan = _load(args.plan_dir)
    _require_files(plan, "plan.toml", "goals.toml")
    m = sla_math(plan)
    if args.format == "json":
        _write(json.dumps(m.to_dict(), indent=2, ensure_ascii=False), None)
    else:
        _write(sla_text(m), None)
    return 1 if args.strict and not m.ok else 0


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
