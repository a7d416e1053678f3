"""The core never imports Textual (checked in a fresh interpreter)."""

from __future__ import annotations

import importlib
import pkgutil
import subprocess
import sys

from tests.conftest import ROOT

import tui.plan


def test_core_modules_do_not_import_textual():
    modules = ["tui.plan", "tui.cli"] + [f"tui.plan.{m.name}" for m in pkgutil.walk_packages(tui.plan.__path__)]
    try:
        history = importlib.import_module("tui.history")
    except ImportError:
        history = None
    if history is not None:
        modules += ["tui.history"] + [f"tui.history.{m.name}" for m in pkgutil.walk_packages(history.__path__)]
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))\n"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "", f"Textual was imported by the core: {r.stdout}"
    assert len(modules) > 8


def test_check_command_does_not_load_textual():
    code = ("import sys\nfrom tui.cli import main\nmain(['check', 'plans'])\n"
            "print('TEXTUAL' if 'textual' in sys.modules else 'CLEAN', file=sys.stderr)\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.stderr.strip().endswith("CLEAN")
