"""The command line: thin shells over the core.  Each command imports what it needs.

Exit codes: 0 success (a plan with warnings only is valid), 1 the plan has errors or
an edit was refused, 2 a file or folder cannot be read or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

CORE_COMMANDS = ("check", "get", "set", "add", "rm", "rename", "kinds")
# Modules that add commands: each has COMMANDS (names) and register(subparsers, helpers).
# They import their heavy dependencies inside the command functions, not at import.
EXTENSIONS = ("tui.cli_history", "tui.cli_insights")


def _extensions():
    import importlib

    mods = []
    for name in EXTENSIONS:
        try:
            mods.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return mods


def all_commands() -> set[str]:
    names = set(CORE_COMMANDS)
    for mod in _extensions():
        names.update(mod.COMMANDS)
    return names


class UsageError(Exception):
    pass


def _out(text: str = "", *, err: bool = False) -> None:
    stream = sys.stderr if err else sys.stdout
    stream.write(text + "\n")


def _use_color(stream, mode: str) -> bool:
    if mode == "always":
        return True
    if mode == "never" or os.environ.get("NO_COLOR"):
        return False
    return hasattr(stream, "isatty") and stream.isatty() and os.environ.get("TERM") != "dumb"


class _Paint:
    CODES = {"red": "31", "yellow": "33", "green": "32", "bold": "1", "dim": "2", "cyan": "36"}

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, *styles: str) -> str:
        if not self.on or not styles:
            return text
        codes = ";".join(self.CODES[s] for s in styles)
        return f"\x1b[{codes}m{text}\x1b[0m"


def _plan_dir(value: str | None) -> Path:
    from tui.plan.model import find_plan_dir

    if value:
        return Path(value)
    found = find_plan_dir()
    if found is None:
        raise UsageError("no plan folder here or above (a plan folder holds plan.toml); pass one, e.g. `quarterdeck check plans`")
    return found


def _display_path(plan_dir: Path, file: str) -> str:
    return os.path.normpath(os.path.join(str(plan_dir), file)) if file else str(plan_dir)


# -- check --------------------------------------------------------------------------


def _escape_gh(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def cmd_check(args) -> int:
    from tui.plan.model import load_plan
    from tui.plan.validation import validate

    plan_dir = _plan_dir(args.plan_dir)
    plan = load_plan(plan_dir)
    problems = validate(plan)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    entities = sum(len(v) for v in plan.entities.values())
    if args.format == "json":
        doc = {
            "format": "quarterdeck.check/1",
            "plan": str(plan_dir),
            "valid": errors == 0,
            "summary": {"errors": errors, "warnings": warnings, "files": len(plan.files) + len(plan.syntax_errors),
                        "entities": entities},
            "problems": [dict(p.to_dict(), path=_display_path(plan_dir, p.file)) for p in problems],
        }
        _out(json.dumps(doc, indent=2, ensure_ascii=False, default=str))
    elif args.format == "github":
        for p in problems:
            props = [f"file={_escape_gh(_display_path(plan_dir, p.file), True)}"]
            if p.line:
                props.append(f"line={p.line}")
            if p.col:
                props.append(f"col={p.col}")
            props.append(f"title={_escape_gh(p.code, True)}")
            level = "error" if p.severity == "error" else "warning"
            where = f"{p.kind} {p.entity}: " if p.entity else ""
            _out(f"::{level} {','.join(props)}::{_escape_gh(where + p.message)}")
        _out(f"quarterdeck: {errors} error(s), {warnings} warning(s) in {plan_dir}")
    else:
        paint = _Paint(_use_color(sys.stdout, args.color))
        for p in problems:
            where = _display_path(plan_dir, p.file)
            if p.line:
                where += f":{p.line}:{p.col}"
            sev = paint(p.severity, "red" if p.severity == "error" else "yellow", "bold")
            subject = ""
            if p.entity:
                subject = f" {p.kind} {p.entity}" + (f" › {p.field}" if p.field else "")
            _out(f"{paint(where, 'bold')}: {sev}[{p.code}]{subject}")
            _out(f"  {p.message}")
            tf = plan.files.get(p.file)
            if tf is not None and p.line:
                lines = tf.text.split("\n")
                if p.line <= len(lines):
                    src = lines[p.line - 1].rstrip("\r")
                    num = str(p.line)
                    shown = src if len(src) <= 200 else src[:200] + "…"
                    _out(paint(f"  {num} | ", "dim") + shown)
                    _out(paint(f"  {' ' * len(num)} | ", "dim") + " " * max(0, min(p.col, 200) - 1) + paint("^", "cyan"))
        if errors:
            _out(paint(f"✗ {plan_dir}: {errors} error(s), {warnings} warning(s)", "red", "bold"))
        else:
            _out(paint(f"✓ {plan_dir}: valid", "green", "bold")
                 + f" — {warnings} warning(s), {entities} entities in {len(plan.files)} files")
    return 1 if errors else 0


# -- get / set / add / rm -------------------------------------------------------------


def _field_value(entity, field: str):
    from tui.plan.edit import _split_field

    value = entity.data
    for part in _split_field(field):
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            raise UsageError(f"{entity.kind.name} {entity.id} has no field {field!r}") from None
    return value


def cmd_get(args) -> int:
    from tui.plan.edit import entity_span, render_value
    from tui.plan.model import load_plan
    from tui.plan.validation import to_json

    plan = load_plan(_plan_dir(args.plan))
    _require_readable(plan, args.kind)
    entity = plan.get(args.kind, args.id)
    if args.field:
        value = _field_value(entity, args.field)
        if args.json:
            _out(json.dumps(to_json(value, []), ensure_ascii=False, indent=2))
        elif args.raw and isinstance(value, str):
            _out(value)
        else:
            _out(render_value(value))
        return 0
    if args.json:
        _out(json.dumps(to_json(entity.data, []), ensure_ascii=False, indent=2))
        return 0
    tf = plan.files[entity.file]
    start, end = entity_span(tf, entity.path)
    _out("\n".join(line.rstrip("\r") for line in tf.text.split("\n")[start:end]))
    return 0


def _require_readable(plan, kind: str) -> None:
    from tui.plan.registry import KINDS

    k = KINDS.get(kind)
    if k is None:
        raise UsageError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
    for p in plan.syntax_errors:
        if p.file == k.file:
            raise Failed(f"{_display_path(plan.root, p.file)}:{p.line}:{p.col}: {p.message}", 1)


class Failed(Exception):
    """A command failed with a message for the user and an exit code."""

    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def cmd_set(args) -> int:
    from tui.plan.edit import apply_change, parse_value, set_field
    from tui.plan.model import load_plan

    plan = load_plan(_plan_dir(args.plan))
    _require_readable(plan, args.kind)
    change = set_field(plan, args.kind, args.id, args.field, parse_value(args.value), force=args.force)
    apply_change(plan, change)
    if not args.quiet:
        _out(f"{_display_path(plan.root, change.file)}: {change.summary}" if change.changed else "no change")
    return 0


def cmd_add(args) -> int:
    from tui.plan.edit import add_entity, apply_change, parse_value
    from tui.plan.model import load_plan

    fields = {}
    for pair in args.fields:
        key, sep, literal = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{pair!r}: write fields as FIELD=VALUE, e.g. tier=2 or 'name=\"Acme\"'")
        fields[key.strip()] = parse_value(literal)
    plan = load_plan(_plan_dir(args.plan))
    _require_readable(plan, args.kind)
    change = add_entity(plan, args.kind, args.id, fields, force=args.force)
    apply_change(plan, change)
    if not args.quiet:
        _out(f"{_display_path(plan.root, change.file)}: {change.summary}")
    return 0


def cmd_rm(args) -> int:
    from tui.plan.edit import apply_change, remove_entity
    from tui.plan.model import load_plan
    from tui.plan.refs import referrers

    plan = load_plan(_plan_dir(args.plan))
    _require_readable(plan, args.kind)
    entity = plan.get(args.kind, args.id)
    users = referrers(plan, entity)
    if users and not args.force:
        listing = "\n".join(f"  {r.entity.kind.name} {r.entity.id} › {r.field}" for r in users[:20])
        more = f"\n  ... and {len(users) - 20} more" if len(users) > 20 else ""
        raise Failed(f"{entity.kind.name} {entity.id} is referred to by:\n{listing}{more}\n"
                      "Remove those references first, or pass --force to remove it anyway", 1)
    change = remove_entity(plan, args.kind, args.id)
    apply_change(plan, change)
    if not args.quiet:
        _out(f"{_display_path(plan.root, change.file)}: {change.summary}")
    return 0


def cmd_rename(args) -> int:
    from tui.plan.edit import apply_change
    from tui.plan.model import load_plan
    from tui.plan.refs import rename_entity

    plan = load_plan(_plan_dir(args.plan))
    _require_readable(plan, args.kind)
    changes = rename_entity(plan, args.kind, args.id, args.new_id)
    for change in changes:
        apply_change(plan, change)
        if not args.quiet:
            _out(f"{_display_path(plan.root, change.file)}: {change.summary}")
    return 0


def cmd_kinds(args) -> int:
    from tui.plan.registry import KINDS

    for k in KINDS.values():
        address = "GOAL_ID/ID" if k.addressed_by_parent else ("(one table)" if k.singleton else "ID")
        _out(f"{k.name:<15} {k.file:<15} {address:<12} {k.plural}")
    return 0


# -- parser ---------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    from tui import __version__

    parser = argparse.ArgumentParser(
        prog="quarterdeck",
        description="One shared quarterly plan for sales and marketing, kept as TOML files in git. "
                    "Run `quarterdeck [PLAN_DIR]` for the app, or one of the commands below.",
    )
    parser.add_argument("--version", action="version", version=f"quarterdeck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("check", help="validate a plan folder (exit 0 valid, 1 errors, 2 unreadable)")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.set_defaults(func=cmd_check)

    def entity_cmd(name, help_text, func):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("kind", metavar="KIND")
        p.add_argument("id", metavar="ID")
        p.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
        p.add_argument("--quiet", "-q", action="store_true")
        p.set_defaults(func=func)
        return p

    p = entity_cmd("get", "print an entity (its TOML text) or one field", cmd_get)
    p.add_argument("field", nargs="?", metavar="FIELD")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--raw", action="store_true", help="print a text field without quotes")
    p = entity_cmd("set", "change one field; VALUE is a TOML literal (3, '\"text\"', 2026-11-02, '[\"a\"]')", cmd_set)
    p.add_argument("field", metavar="FIELD")
    p.add_argument("value", metavar="VALUE")
    p.add_argument("--force", action="store_true", help="write a value the schema rejects")
    p = entity_cmd("add", "add an entity: quarterdeck add account acme 'name=\"Acme\"' tier=2 ...", cmd_add)
    p.add_argument("fields", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--force", action="store_true", help="write it even if the schema rejects it")
    p = entity_cmd("rm", "remove an entity (refused while others refer to it, unless --force)", cmd_rm)
    p.add_argument("--force", action="store_true")
    p = entity_cmd("rename", "change an entity's id; references to it follow", cmd_rename)
    p.add_argument("new_id", metavar="NEW_ID")
    p = sub.add_parser("kinds", help="list the kinds of entity")
    p.set_defaults(func=cmd_kinds)
    for mod in _extensions():
        mod.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in all_commands() and not argv[0].startswith("-")):
        return _run_app(argv)
    from tui.plan.problems import PlanError

    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return args.func(args)
    except UsageError as exc:
        _out(f"quarterdeck {args.command}: {exc}", err=True)
        return 2
    except Failed as exc:
        _out(f"quarterdeck {args.command}: {exc}", err=True)
        return exc.code
    except PlanError as exc:
        _out(f"quarterdeck {args.command}: {exc}", err=True)
        return 2 if exc.code.startswith("usage.") else exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the command itself reads or writes (an export target, say)
        where = f"{exc.filename}: " if exc.filename else ""
        _out(f"quarterdeck {args.command}: {where}{exc.strerror or exc}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("QUARTERDECK_DEBUG"):
            raise
        _out(f"quarterdeck {args.command}: unexpected error ({type(exc).__name__}: {exc}); nothing more was "
             "changed. Run again with QUARTERDECK_DEBUG=1 to see where it happened, and please report it", err=True)
        return 1


def _run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="quarterdeck", add_help=False)
    parser.add_argument("plan_dir", nargs="?")
    args, rest = parser.parse_known_args(argv)
    if rest:
        build_parser().print_usage(sys.stderr)
        _out(f"quarterdeck: unknown command or option: {' '.join(rest)}", err=True)
        return 2
    try:
        plan_dir = _plan_dir(args.plan_dir)
    except UsageError as exc:
        _out(f"quarterdeck: {exc}", err=True)
        return 2
    if not (plan_dir / "plan.toml").exists():
        _out(f"quarterdeck: {plan_dir} is not a plan folder (plan.toml is missing)", err=True)
        return 2
    from tui.app import run

    return run(plan_dir)


if __name__ == "__main__":
    sys.exit(main())
