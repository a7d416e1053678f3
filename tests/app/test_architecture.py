"""The app's modules depend one way: widgets post messages and never import the app."""

from __future__ import annotations

import ast
from pathlib import Path

import tui.app

APP = Path(tui.app.__file__).parent


def _imports() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for path in APP.rglob("*.py"):
        name = ".".join(path.relative_to(APP).with_suffix("").parts)
        package = name.rsplit(".", 1)[0] if "." in name else ""
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level >= 1:
                base = package.split(".")[: max(0, len(package.split(".")) - (node.level - 1))] if package else []
                target = ".".join([*base, *(node.module.split(".") if node.module else [])])
                deps.add(target)
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tui.app."):
                deps.add(node.module[len("tui.app."):])
        graph[name] = {d for d in deps if d}
    return graph


def test_no_import_cycles_in_the_app():
    graph = _imports()
    done: set[str] = set()

    def visit(node: str, trail: list[str]) -> None:
        if node in trail:
            raise AssertionError("import cycle: " + " -> ".join(trail[trail.index(node):] + [node]))
        if node in done:
            return
        for dep in graph.get(node, ()):
            visit(dep, trail + [node])
        done.add(node)

    for name in graph:
        visit(name, [])
    assert len(graph) > 10


def test_only_the_package_imports_the_app_class():
    importers = {name for name, deps in _imports().items() if "main" in deps}
    assert importers <= {"__init__"}, importers


def test_every_import_in_the_app_resolves_also_inside_functions():
    """An import run only when a key is pressed (``from .present import ...`` inside a
    handler) fails only then: a module moved into a package must take its imports along."""
    import importlib.util

    missing = []
    for path in APP.rglob("*.py"):
        module = "tui.app." + ".".join(path.relative_to(APP).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                target = ".".join([*base, *([node.module] if node.module else [])])
            else:
                target = node.module
            try:
                found = importlib.util.find_spec(target) is not None
            except ModuleNotFoundError:
                found = False
            if not found:
                missing.append(f"{path.relative_to(APP)}:{node.lineno}: {target}")
    assert not missing, missing


def test_the_app_class_is_wiring_workers_and_lifecycle():
    """The App stays small: flows go to the main screen, machinery to editing.py."""
    import tui.app.main as app_main

    tree = ast.parse(Path(app_main.__file__).read_text(encoding="utf-8"))
    (cls,) = [n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "QuarterdeckApp"]
    assert cls.end_lineno - cls.lineno < 300
