"""The user's settings: a TOML file in the platform's config folder
(``$XDG_CONFIG_HOME/quarterdeck/config.toml``, ``~/.config/quarterdeck/config.toml``
when unset), read once at start::

    theme = "textual-light"      # any Textual theme; the one last chosen is remembered

    [keys]                       # keymap overrides: binding id = keys (comma-separated)
    "app.save" = "ctrl+s,f10"
    "list.delete" = "delete"

A missing file means the defaults; a broken one is reported once and ignored (the app
never refuses to start over its settings).  Writing it back (the theme) keeps every
other line as the user wrote it.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.save import atomic_write


def config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "quarterdeck" / "config.toml"


@dataclass
class Settings:
    theme: str | None = None
    keys: dict[str, str] = field(default_factory=dict)  # binding id -> keys
    problem: str | None = None  # why the file was not (fully) used
    path: Path = field(default_factory=config_path)


def load_settings(path: Path | None = None) -> Settings:
    path = path or config_path()
    out = Settings(path=path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return out
    except OSError as exc:
        out.problem = f"cannot read {path}: {exc.strerror}; the default settings are used"
        return out
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        out.problem = f"{path} is not valid TOML ({exc}); the default settings are used"
        return out
    theme = data.get("theme")
    if isinstance(theme, str) and theme:
        out.theme = theme
    keys = data.get("keys", {})
    bad = []
    if isinstance(keys, dict):
        for binding_id, value in keys.items():
            if isinstance(value, str) and value.strip():
                out.keys[str(binding_id)] = value
            else:
                bad.append(str(binding_id))
    else:
        bad.append("keys")
    if bad:
        out.problem = f"{path}: ignored key settings {', '.join(bad)} (give keys as a string, e.g. \"ctrl+s\")"
    return out


_THEME_LINE = re.compile(r"(?m)^[ \t]*theme[ \t]*=.*$")


def remember_theme(theme: str, path: Path | None = None) -> None:
    """Write ``theme`` into the settings file (made when missing), keeping the rest."""
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # broken: left as the user wrote it (reported at start)
    from tui.plan.edit import render_value

    line = f"theme = {render_value(theme)}"
    if _THEME_LINE.search(text.split("\n[", 1)[0]):
        head, sep, rest = text.partition("\n[")
        text = _THEME_LINE.sub(line, head, count=1) + sep + rest
    else:
        text = line + "\n" + text
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return  # our line would not fit this file: leave it alone
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"), name=str(path))


def known_binding_ids() -> set[str]:
    """The ids of every binding the app's screens, views and dialogs declare (what the
    ``[keys]`` table may name)."""
    import importlib
    import pkgutil

    from textual.dom import DOMNode

    # the app's own folder, walked by path: importing the package here would be a cycle
    folder = str(Path(__file__).parent)
    for info in pkgutil.walk_packages([folder], __name__.rpartition(".")[0] + "."):
        try:  # views and dialogs are imported when first shown: all of them, to know their keys
            importlib.import_module(info.name)
        except Exception:  # noqa: BLE001 - a module that cannot load has no keys to offer
            continue
    found: set[str] = set()
    todo = [DOMNode]
    seen = set()
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            if sub in seen:
                continue
            seen.add(sub)
            todo.append(sub)
            if not sub.__module__.startswith("tui."):
                continue
            for binding in sub.__dict__.get("BINDINGS", ()):
                binding_id = getattr(binding, "id", None)
                if binding_id:
                    found.add(binding_id)
    return found


def unknown_keys(settings: Settings, known: set[str] | None = None) -> str | None:
    """A note naming the ``[keys]`` entries no binding has (a typo would otherwise do
    nothing, silently), or None when every entry names a binding."""
    known = known_binding_ids() if known is None else known
    unknown = sorted(k for k in settings.keys if k not in known)
    if not unknown:
        return None
    return (f"{settings.path}: no key has the id {', '.join(unknown)}; "
            "the keys screen (?) lists what can be changed, e.g. \"app.save\"")
