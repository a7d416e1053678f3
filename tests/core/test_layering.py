"""Layering: the core never imports Textual (checked in a fresh interpreter); no import
cycles and no private names imported across modules (read from the source)."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

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


# -- the import graph, read from the source (function-level imports included) --------------

PACKAGE = ROOT / "tui"


@dataclass(frozen=True)
class Import:
    importer: str  # module that imports
    target: str  # module imported (a module of tui), or "" for an outside one
    name: str  # name imported from it ("" for `import x`)
    line: int
    in_function: bool


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _imports() -> list[Import]:
    """Every import in tui/, those inside functions and under ``if TYPE_CHECKING`` too:
    a module that needs another only for its types still depends on it."""
    modules = _modules()
    out: list[Import] = []
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]

        def visit(node, in_function: bool) -> None:
            for child in ast.iter_child_nodes(node):
                inner = in_function or isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
                if isinstance(child, ast.ImportFrom):
                    if child.level:
                        base = package.split(".")[: len(package.split(".")) - (child.level - 1)]
                        source = ".".join(base + ([child.module] if child.module else []))
                    else:
                        source = child.module or ""
                    for alias in child.names:
                        sub = f"{source}.{alias.name}"
                        target = sub if sub in modules else (source if source in modules else "")
                        out.append(Import(name, target, "" if target == sub else alias.name, child.lineno, inner))
                elif isinstance(child, ast.Import):
                    for alias in child.names:
                        target = alias.name if alias.name in modules else ""
                        out.append(Import(name, target, "", child.lineno, inner))
                visit(child, inner)

        visit(ast.parse(path.read_text(encoding="utf-8"), str(path)), False)
    return out


def _cycles(imports: list[Import], within: str) -> list[list[str]]:
    """Strongly connected groups (of more than one module) among modules under ``within``."""
    graph: dict[str, set[str]] = {}
    for imp in imports:
        if imp.target and imp.target != imp.importer and imp.importer.startswith(within) \
                and imp.target.startswith(within):
            graph.setdefault(imp.importer, set()).add(imp.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def strong(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            strong(v)
    return groups


def test_the_import_reader_sees_imports():
    imports = _imports()
    # a relative import, a lazy one, and one of a name from a module
    assert any(i.importer == "tui.plan.validation" and i.target == "tui.plan.refs" for i in imports)
    assert any(i.importer == "tui.cli" and i.target == "tui.app" and i.in_function for i in imports)
    assert any(i.importer == "tui.plan.edit" and i.target == "tui.plan.registry" and i.name == "KINDS"
               for i in imports)
    # and the cycle finder finds a cycle
    fake = [Import("a.x", "a.y", "", 1, False), Import("a.y", "a.z", "", 1, True), Import("a.z", "a.x", "", 1, False)]
    assert _cycles(fake, "a") == [["a.x", "a.y", "a.z"]]


def test_no_module_imports_a_private_name_of_another():
    bad = [f"{i.importer} (line {i.line}) imports {i.name} from {i.target}" for i in _imports()
           if i.target and i.target != i.importer and i.name.startswith("_") and not i.name.startswith("__")]
    assert bad == [], "private names imported across modules:\n" + "\n".join(bad)


@pytest.mark.parametrize("package", ["tui.plan", "tui.history", "tui.cli"])
def test_no_import_cycles(package):
    assert _cycles(_imports(), package) == []


def test_no_import_cycles_in_the_app():
    assert _cycles(_imports(), "tui.app") == []


def test_no_import_cycles_across_packages():
    assert _cycles(_imports(), "tui") == _cycles(_imports(), "tui.app")


def test_cli_imports_the_app_only_inside_functions():
    eager = [f"{i.importer} (line {i.line})" for i in _imports()
             if i.importer.startswith("tui.cli") and i.target.startswith("tui.app") and not i.in_function]
    assert eager == [], "the CLI would load Textual for every command: " + ", ".join(eager)
