"""CLI start-up stays lean: `quarterdeck --help` and `quarterdeck check` never import
Textual, checked on whole processes started the way a user starts them (`python -m tui`),
through every path of `check` (valid, with errors, each output format)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

# -X importtime lists every module the interpreter imports, one line each, on stderr
_IMPORT = re.compile(r"^import time:\s+\d+ \|\s+\d+ \|(\s*)(\S+)\s*$", re.M)


def _imports(*args: str, cwd: Path = ROOT) -> tuple[int, set[str], str]:
    r = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui", *args], capture_output=True, text=True,
                       cwd=cwd, timeout=120)
    modules = {m.group(2) for m in _IMPORT.finditer(r.stderr)}
    return r.returncode, modules, r.stdout


def _textual(modules: set[str]) -> list[str]:
    return sorted(m for m in modules if m == "textual" or m.startswith("textual."))


def test_importtime_output_is_understood():
    # the check below is only as good as the parsing of -X importtime
    code, modules, _ = _imports("--version")
    assert code == 0
    assert {"tui", "tui.cli", "argparse"} <= modules


@pytest.mark.parametrize("args", [["--help"], ["check", "--help"], ["set", "--help"], ["--version"]])
def test_help_does_not_import_textual(args):
    code, modules, out = _imports(*args)
    assert code == 0
    assert out.strip()
    assert _textual(modules) == [], f"`quarterdeck {' '.join(args)}` imported {_textual(modules)[:5]}"


@pytest.mark.parametrize("fmt", ["text", "json", "github"])
def test_check_of_a_valid_plan_does_not_import_textual(fmt):
    code, modules, out = _imports("check", "plans", "--format", fmt)
    assert code == 0, out
    assert "tui.plan.validation" in modules or any(m.startswith("tui.plan") for m in modules)
    assert _textual(modules) == [], f"`check --format {fmt}` imported {_textual(modules)[:5]}"


def test_check_of_a_plan_with_errors_does_not_import_textual(plan_dir):
    path = plan_dir / "accounts.toml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("tier = 1", "tier = 9", 1).replace('sales_owner = "tom-becker"', 'sales_owner = "nobody"', 1)
    path.write_text(text, encoding="utf-8")
    (plan_dir / "content.toml").write_text((plan_dir / "content.toml").read_text(encoding="utf-8") + "\n[[content\n",
                                           encoding="utf-8")
    code, modules, out = _imports("check", str(plan_dir))
    assert code == 1, out
    assert "tier" in out and "content.toml" in out
    assert _textual(modules) == [], f"`check` of a broken plan imported {_textual(modules)[:5]}"


def test_check_of_a_missing_folder_does_not_import_textual(tmp_path):
    code, modules, _ = _imports("check", str(tmp_path / "nowhere"))
    assert code == 2
    assert _textual(modules) == []
