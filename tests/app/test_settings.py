"""User settings: the theme and key overrides from the config file, the theme chosen remembered."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from tests.app.helpers import make_app, ready, settle
from tui.app.config import config_path, load_settings
from tui.app.dialogs.help import HelpScreen


def _write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_settings_live_in_the_platform_config_folder():
    assert config_path() == Path(os.environ["XDG_CONFIG_HOME"]) / "quarterdeck" / "config.toml"
    assert load_settings().theme is None and load_settings().problem is None  # no file: defaults


async def test_theme_and_keys_from_the_config_file_and_the_new_theme_remembered(plan_dir):
    path = _write('# my settings\ntheme = "textual-light"\n\n[keys]\n"app.help" = "f5"\n')
    app = make_app(plan_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        assert app.theme == "textual-light"
        await pilot.press("f5")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        app.theme = "nord"
        await settle(pilot)
    text = path.read_text(encoding="utf-8")
    assert tomllib.loads(text) == {"theme": "nord", "keys": {"app.help": "f5"}}
    assert text.startswith("# my settings\n"), "the user's lines are kept"


async def test_a_broken_config_file_is_reported_and_the_app_starts(plan_dir):
    path = _write('theme = "nord\n')
    app = make_app(plan_dir)
    async with app.run_test(size=(100, 30)) as pilot:
        await ready(pilot)
        notes = " ".join(n.message for n in app._notifications)
        assert str(path) in notes and "not valid TOML" in notes
        app.theme = "nord"
        await settle(pilot)
    assert path.read_text(encoding="utf-8") == 'theme = "nord\n', "a broken file is left as the user wrote it"
