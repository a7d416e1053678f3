"""The command line: thin shells over the core.  Each command imports what it needs.

Exit codes: 0 success (a plan with warnings only is valid), 1 the plan has errors or
an edit was refused, 2 a file or folder cannot be read or the arguments are wrong.
"""

from __future__ import annotations

import argparse
import gc
import os
import sys

from .common import Failed, UsageError, out, plan_dir as find_plan_folder

# Modules that add commands: each has COMMANDS (names) and register(subparsers).
# They import their heavy dependencies inside the command functions, not at import.
EXTENSIONS = ("tui.cli.plan", "tui.cli.history", "tui.cli.insights", "tui.cli.heartbeat")
# commands that may run for long (the app, over the demo plan): garbage is collected as usual
LONG_RUNNING = frozenset({"demo"})


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
    names: set[str] = set()
    for mod in _extensions():
        names.update(mod.COMMANDS)
    return names


# -- parser ---------------------------------------------------------------------------


class _Unused:
    """Stands for the parser of a command not being run: takes any setup and drops it."""

    def __getattr__(self, name):
        return lambda *args, **kwargs: self


class _OneCommand:
    """The subcommands object, for a run of one known command: only its parser is made
    (making all of them with their help is a fifth of a small `check`)."""

    def __init__(self, sub, name: str):
        self._sub, self._name = sub, name

    def add_parser(self, name, **kwargs):
        return self._sub.add_parser(name, **kwargs) if name == self._name else _Unused()


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The command line's parser; ``only``: a command about to run, the one subcommand made."""
    from tui import __version__

    parser = argparse.ArgumentParser(
        prog="quarterdeck",
        description="One shared quarterly plan for sales and marketing, kept as TOML files in git. "
                    "Run `quarterdeck [PLAN_DIR]` for the app, or one of the commands below.",
    )
    parser.add_argument("--version", action="version", version=f"quarterdeck {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    for mod in _extensions():
        if only is None:
            mod.register(sub)
        elif only in mod.COMMANDS:
            mod.register(_OneCommand(sub, only))
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in all_commands() and not argv[0].startswith("-")):
        return _run_app(argv)
    from tui.plan.problems import PlanError

    parser = build_parser(only=argv[0] if argv[0] in all_commands() else None)
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    collecting = gc.isenabled()
    if args.command not in LONG_RUNNING:
        # a command's objects live until it ends, moments later: a collection of garbage
        # walks them all in vain (a sixth of a large plan's diff); the process ends instead
        gc.disable()
    try:
        return args.func(args)
    except UsageError as exc:
        out(f"quarterdeck {args.command}: {exc}", err=True)
        return 2
    except Failed as exc:
        out(f"quarterdeck {args.command}: {exc}", err=True)
        return exc.code
    except PlanError as exc:
        out(f"quarterdeck {args.command}: {exc}", err=True)
        return 2 if exc.code.startswith("usage.") else exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    except OSError as exc:  # a file the command itself reads or writes (an export target, say)
        where = f"{exc.filename}: " if exc.filename else ""
        out(f"quarterdeck {args.command}: {where}{exc.strerror or exc}", err=True)
        return 2
    except Exception as exc:  # noqa: BLE001 - the last line of defence: no traceback for users
        if os.environ.get("QUARTERDECK_DEBUG"):
            raise
        out(f"quarterdeck {args.command}: unexpected error ({type(exc).__name__}: {exc}); nothing more was "
             "changed. Run again with QUARTERDECK_DEBUG=1 to see where it happened, and please report it", err=True)
        return 1
    finally:
        if collecting:
            gc.enable()


def _run_app(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="quarterdeck", add_help=False)
    parser.add_argument("plan_dir", nargs="?")
    args, rest = parser.parse_known_args(argv)
    if rest:
        build_parser().print_usage(sys.stderr)
        out(f"quarterdeck: unknown command or option: {' '.join(rest)}", err=True)
        return 2
    try:
        plan_dir = find_plan_folder(args.plan_dir)
    except UsageError as exc:
        out(f"quarterdeck: {exc}", err=True)
        return 2
    if not (plan_dir / "plan.toml").exists():
        out(f"quarterdeck: {plan_dir} is not a plan folder (plan.toml is missing)", err=True)
        return 2
    from tui.app import run

    return run(plan_dir)


if __name__ == "__main__":
    sys.exit(main())
