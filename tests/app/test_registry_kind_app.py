"""A kind added the way the design promises (a schema and one registry entry) shows up
in the app with no other change: its own tab and digit key, a list of its entries, a
form for each, palette entries that jump to them, its key in help.

The app builds its tabs and keys from the registry when it is imported, as it would
with a kind written into registry.py; so the kind is registered first, in a fresh
interpreter, and the app imported after it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

from tests.conftest import ROOT

SCRIPT = textwrap.dedent('''
    import asyncio, json, shutil, sys
    from pathlib import Path

    from tests.core.test_registry_kind import SCHEMAS, VENDOR, VENDOR_SCHEMA, VENDORS_TOML
    from tui.plan import schema as schema_module
    from tui.plan.registry import register_kind

    tmp = Path(sys.argv[1])
    folder = tmp / "schemas"
    shutil.copytree(SCHEMAS, folder)
    (folder / "vendors.schema.json").write_text(json.dumps(VENDOR_SCHEMA), encoding="utf-8")
    schema_module.schema_dir = lambda: folder
    plan_dir = tmp / "plan"
    shutil.copytree(Path(sys.argv[2]), plan_dir)
    (plan_dir / "vendors.toml").write_text(VENDORS_TOML, encoding="utf-8")
    register_kind(VENDOR)

    from textual.widgets import TabbedContent
    from tests.app.helpers import TODAY, ready, settle
    from tui.app import QuarterdeckApp
    from tui.app.commands import PlanCommands
    from tui.app.dialogs.form import FormScreen
    from tui.app.views.lists import EntityList

    async def main():
        app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
        app.animation_level = "none"
        seen = {}
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            tabs = app.screen.query_one("#views", TabbedContent)
            seen["tab"] = str(tabs.get_tab("vendors").label)
            keys = {b.action: b.key for b in app.BINDINGS if b.action.startswith("show_view")}
            seen["key"] = keys.get("show_view('vendors')")
            seen["views"] = [name for name, _help, _cb in app.palette_actions()][:40]
            await app.action_show_view("vendors")
            await settle(pilot, 3)
            seen["active"] = tabs.active
            lst = app.screen.query_one("#list-vendor", EntityList)
            seen["rows"] = [r.id for r in app.rows["vendor"]]
            seen["shown"] = lst.display and len(app.rows["vendor"])
            seen["problems"] = [p.code for p in app.problems if p.kind == "vendor"]
            seen["palette"] = sorted(name for name, _help, _cb in app.palette_actions() if "endor" in name)
            hits = []
            provider = PlanCommands(app.screen)
            async for hit in provider.search("Acme Supplies"):
                hits.append(hit.text)
            seen["search"] = hits[:3]
            seen["help"] = [row for _title, rows in app.main.key_sections() for row in rows if "Vendors" in str(row)]
            app.main.edit_entity("vendor", "acme-supplies")
            await settle(pilot, 5)
            seen["form"] = isinstance(app.screen, FormScreen)
            seen["form_kind"] = app.screen.kind.name if seen["form"] else None
        print(json.dumps(seen))

    asyncio.run(main())
''')


def test_a_synthetic_kind_is_in_the_app_with_no_other_change(tmp_path):
    proc = subprocess.run([sys.executable, "-c", SCRIPT, str(tmp_path), str(ROOT / "plans")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen["tab"] == "Vendors"
    # the eleventh view: past the digit keys (1-9, 0), shown from the palette
    assert seen["active"] == "vendors"
    assert any("Vendors" in name for name in seen["palette"]), seen["views"]
    assert seen["rows"] == ["acme-supplies", "bolt-parts"]
    assert seen["problems"] == []
    assert any("Acme Supplies" in text for text in seen["search"]), seen["search"]
    assert seen["help"], "the Vendors view is not named in help"
    assert seen["form"] and seen["form_kind"] == "vendor"
