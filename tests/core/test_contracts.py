"""The layer contracts in pyproject.toml ([tool.importlinter]), checked by lint-imports."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tomllib

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(importlib.util.find_spec("importlinter") is None,
                                reason="import-linter is not installed (pip install -e '.[test]' brings it)")


def _lint(contract: str) -> subprocess.CompletedProcess:
    exe = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which("lint-imports")
    if exe is None:
        pytest.skip("the lint-imports command is not on the PATH")
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([exe, "--no-cache", "--contract", contract, str(ROOT / "pyproject.toml")],
                          capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)


def test_contracts_are_declared():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    contracts = {c["id"]: c for c in config["contracts"]}
    assert contracts["layers"]["layers"] == ["tui.app | tui.cli", "tui.history", "tui.plan"]
    assert set(contracts["core-without-textual"]["source_modules"]) == {"tui.plan", "tui.history"}
    assert contracts["core-without-textual"]["forbidden_modules"] == ["textual"]


def test_layers_contract_is_kept():
    r = _lint("layers")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "KEPT" in r.stdout and "BROKEN" not in r.stdout


def test_core_never_imports_textual_contract_is_kept():
    r = _lint("core-without-textual")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "KEPT" in r.stdout and "BROKEN" not in r.stdout
