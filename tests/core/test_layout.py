"""One file per kind or one file per entity (``tui.plan.layout``): the same plan either way.

Every scenario runs on both layouts and must give the same answers: ``check`` (the same
problems, each pointing at the line in the file that holds it), edits (``set``, ``add``,
``rm``, ``rename`` leave the same data), import and export.  Then what only the split
layout has: the round trip split -> join -> split, file names made only from ids, a kind
present both ways, and a conversion killed half-way.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.history.helpers import EXAMPLE, run_cli
from tui.plan import layout
from tui.plan.document import TomlFile, parse_toml
from tui.plan.edit import EditError, add_entity, apply_change, apply_changes, remove_entity, set_field
from tui.plan.model import load_plan
from tui.plan.problems import FileChangedError
from tui.plan.refs import rename_entity
from tui.plan.validation import validate

LAYOUTS = ("file", "split")
SPLIT_KINDS = ("goal", "persona", "account", "content", "message", "term")


def make_plan(tmp_path: Path, how: str, kinds=SPLIT_KINDS) -> Path:
    root = tmp_path / f"plan-{how}"
    shutil.copytree(EXAMPLE, root)
    if how == "split":
        for k in kinds:
            layout.convert(root, k, "split")
    return root


def data_of(root: Path) -> dict:
    """Every entity's data, by (kind, id): what the plan says, whatever its layout."""
    plan = load_plan(root)
    return {(k, e.id): e.data for k, es in plan.entities.items() for e in es}


def problems_of(root: Path) -> list[tuple]:
    """The problems ``check`` finds, without where they are (files differ by layout)."""
    return sorted((p.severity, p.code, p.kind, p.entity, p.field, p.message) for p in validate(load_plan(root)))


def line_of(root: Path, file: str, line: int) -> str:
    return (root / file).read_text(encoding="utf-8").split("\n")[line - 1]


# -- the registry decides ---------------------------------------------------------------------


def test_the_registry_decides_which_kinds_split():
    assert {k.name for k in layout.split_kinds().values()} == set(SPLIT_KINDS)
    for name in ("plan", "member", "sla", "rule", "meeting", "key_result"):
        with pytest.raises(layout.LayoutError) as err:
            layout.kind_of(name)
        assert err.value.code == "usage.kind"
    assert layout.kind_of("accounts").name == layout.kind_of("accounts.toml").name == "account"


def test_layout_of_a_kind_that_cannot_split_is_a_usage_error(tmp_path, capsys):
    root = make_plan(tmp_path, "file")
    code, _, err = run_cli(capsys, "layout", "member", "split", "-C", str(root))
    assert code == 2 and "plan.toml" in err
    with pytest.raises(SystemExit) as exit_:  # argparse: not split or join
        run_cli(capsys, "layout", "account", "sideways", "-C", str(root))
    assert exit_.value.code == 2


# -- the same plan on both layouts --------------------------------------------------------------


def test_split_keeps_every_entity_and_every_problem(tmp_path):
    single, split = make_plan(tmp_path, "file"), make_plan(tmp_path, "split")
    assert not (split / "accounts.toml").exists() and (split / "accounts" / "harbor-hvac.toml").is_file()
    assert data_of(split) == data_of(single)
    assert problems_of(split) == problems_of(single)
    plan = load_plan(split)
    assert plan.get("account", "harbor-hvac").file == "accounts/harbor-hvac.toml"
    assert plan.get("key_result", "grow-pipeline/sourced-pipeline").file == "goals/grow-pipeline.toml"
    assert layout.current_layout(split, "plan.toml") == "file"


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_problem_points_at_its_line_in_the_right_file(tmp_path, how, capsys):
    root = make_plan(tmp_path, how)
    edit = ("account", "harbor-hvac", "tier", 9)
    plan = load_plan(root)
    apply_change(plan, set_field(plan, *edit, force=True))
    found = [p for p in validate(load_plan(root)) if p.entity == "harbor-hvac" and p.field == "tier"]
    assert len(found) == 1
    p = found[0]
    assert p.file == ("accounts.toml" if how == "file" else "accounts/harbor-hvac.toml")
    assert line_of(root, p.file, p.line).startswith("tier = 9")
    code, out, _ = run_cli(capsys, "check", str(root))
    assert code == 1 and f"{os.path.normpath(root / p.file)}:{p.line}:" in out


@pytest.mark.parametrize("how", LAYOUTS)
def test_a_syntax_error_in_one_entity_file_names_that_file(tmp_path, how, capsys):
    root = make_plan(tmp_path, how)
    name = "accounts.toml" if how == "file" else "accounts/harbor-hvac.toml"
    text = (root / name).read_text().replace('tier = 1\n', 'tier = = 1\n', 1)
    (root / name).write_text(text)
    code, out, _ = run_cli(capsys, "check", str(root))
    assert code == 1
    problem = next(p for p in load_plan(root).syntax_errors)
    assert problem.file == name and line_of(root, name, problem.line).startswith("tier = = 1")


# (what the edit does, the CLI arguments)
EDITS = {
    "set": [("set", "account", "harbor-hvac", "tier", "2")],
    "set-nested": [("set", "key_result", "grow-pipeline/sourced-pipeline", "target", "3000000")],
    "add": [("add", "account", "gulf-coast-hvac", 'name="Gulf Coast HVAC"', 'domain="gulfcoast.example"', "tier=2",
             'stage="target"', 'sales_owner="tom-becker"', 'marketing_owner="sam-oduya"')],
    "rm": [("rm", "content", "benchmark-launch-email", "--force")],
    "rename": [("rename", "account", "harbor-hvac", "harbor-heating")],
    "rename-member": [("rename", "member", "tom-becker", "thomas-becker")],
    "add-then-rm": [("add", "term", "pql", 'term="PQL"', 'definition="A product-qualified lead"',
                     'owner_team="marketing"'), ("rm", "term", "pql")],
}


@pytest.mark.parametrize("edit", EDITS)
def test_edits_give_the_same_plan_on_both_layouts(tmp_path, capsys, edit):
    results = {}
    for how in LAYOUTS:
        root = make_plan(tmp_path, how)
        for args in EDITS[edit]:
            code, _, err = run_cli(capsys, *args, "-C", str(root))
            assert code == 0, (how, args, err)
        results[how] = (data_of(root), problems_of(root))
    assert results["split"] == results["file"]


def test_split_edits_touch_the_entity_file_alone(tmp_path, capsys):
    root = make_plan(tmp_path, "split")
    before = {p: p.read_bytes() for p in root.rglob("*.toml")}
    run_cli(capsys, "set", "account", "harbor-hvac", "tier", "2", "-C", str(root))
    changed = [p for p in root.rglob("*.toml") if p.read_bytes() != before.get(p)]
    assert changed == [root / "accounts" / "harbor-hvac.toml"]
    old, new = before[changed[0]].decode().split("\n"), changed[0].read_text().split("\n")
    assert [i for i, (a, b) in enumerate(zip(old, new)) if a != b] == [old.index("tier = 1")]

    edited = changed[0].read_text()
    run_cli(capsys, "rename", "account", "harbor-hvac", "harbor-heating", "-C", str(root))
    assert not (root / "accounts" / "harbor-hvac.toml").exists()
    moved = (root / "accounts" / "harbor-heating.toml").read_text()
    assert moved == new_text(edited, "harbor-hvac", "harbor-heating")  # the file moved, only its id changed
    run_cli(capsys, "add", "account", "gulf-coast-hvac", 'name="Gulf"', 'domain="gulf.example"', "tier=2",
            'stage="target"', 'sales_owner="tom-becker"', 'marketing_owner="sam-oduya"', "-C", str(root))
    assert parse_toml((root / "accounts" / "gulf-coast-hvac.toml").read_text())["account"][0]["name"] == "Gulf"
    run_cli(capsys, "rm", "account", "gulf-coast-hvac", "-C", str(root))
    assert not (root / "accounts" / "gulf-coast-hvac.toml").exists()


def new_text(text: str, old: str, new: str) -> str:
    lines = text.split("\n")
    return "\n".join(ln.replace(f'"{old}"', f'"{new}"', 1) if ln.startswith("id = ") else ln for ln in lines)


def test_add_and_rename_refuse_ids_that_would_leave_the_folder(tmp_path):
    root = make_plan(tmp_path, "split")
    plan = load_plan(root)
    for bad in ("../evil", "a/b", "/tmp/evil", "Harbor-HVAC", "..", ".hidden", "a.b", "x" * 65, ""):
        with pytest.raises(EditError):
            add_entity(plan, "account", bad, {"name": "X"}, force=True)
        if "/" not in bad:  # (a rename takes the part after the last "/" as the new id)
            with pytest.raises(EditError):
                rename_entity(plan, "account", "harbor-hvac", bad)
    for bad in ("../evil", "a/b", "Harbor-HVAC", "..", ".hidden", "a.b"):
        with pytest.raises(layout.LayoutError):
            layout.entity_file("accounts.toml", bad)
    assert not (root / "evil.toml").exists() and not (tmp_path / "evil.toml").exists()


def test_ids_that_differ_only_in_case_never_share_a_file(tmp_path):
    """Ids are lower-case slugs; a hand-made file in another case is a problem, not a
    second name for the same entity (a case-insensitive file system could not tell)."""
    root = make_plan(tmp_path, "split", kinds=("account",))
    src = (root / "accounts" / "harbor-hvac.toml").read_text()
    (root / "accounts" / "Harbor-HVAC.toml").write_text(src.replace('id = "harbor-hvac"', 'id = "Harbor-HVAC"'))
    codes = {(p.code, p.file) for p in validate(load_plan(root))}
    assert ("layout.file-name", "accounts/Harbor-HVAC.toml") in codes
    single = make_plan(tmp_path, "file")
    text = (single / "accounts.toml").read_text().replace('id = "harbor-hvac"', 'id = "Harbor-HVAC"', 1)
    (single / "accounts.toml").write_text(text)
    with pytest.raises(layout.LayoutError) as err:
        layout.convert(single, "account", "split")
    assert "not a valid id" in err.value.message and (single / "accounts.toml").read_text() == text
    assert not (single / "accounts").exists()


def test_entity_files_must_be_named_after_the_one_entity_they_hold(tmp_path):
    root = make_plan(tmp_path, "split", kinds=("account",))
    folder = root / "accounts"
    harbor = (folder / "harbor-hvac.toml").read_text()
    (folder / "harbor-hvac.toml").rename(folder / "harbour.toml")  # named after another id
    (folder / "twice.toml").write_text(harbor.replace("harbor-hvac", "twice-a") + "\n"
                                       + harbor.replace("harbor-hvac", "twice-b"))
    (folder / "_header.toml").write_text("# accounts\nstray = 1\n")
    (folder / "notes.toml").write_text("# nothing yet\n")
    (folder / "README.md").write_text("not a plan file\n")
    found = {(p.code, p.file): p for p in validate(load_plan(root))}
    assert ("layout.file-name", "accounts/harbour.toml") in found
    assert "accounts/harbor-hvac.toml" in found["layout.file-name", "accounts/harbour.toml"].message
    assert found["layout.entity-file", "accounts/twice.toml"].line > 1  # at the second entity
    assert ("layout.header", "accounts/_header.toml") in found
    assert found["layout.empty", "accounts/notes.toml"].severity == "warning"
    assert not any(p.file == "accounts/README.md" for p in found.values())
    with pytest.raises(layout.LayoutError):  # join refuses while the folder is not in order
        layout.convert(root, "account", "join")
    assert not (root / "accounts.toml").exists()


def test_both_a_file_and_a_folder_is_a_clear_error(tmp_path, capsys):
    root = make_plan(tmp_path, "split", kinds=("account",))
    shutil.copy(EXAMPLE / "accounts.toml", root / "accounts.toml")
    (root / "accounts" / "harbor-hvac.toml").write_text(
        (root / "accounts" / "harbor-hvac.toml").read_text().replace("tier = 1", "tier = 2"))
    plan = load_plan(root)
    assert plan.all("account") == [] and "accounts.toml" in plan.unreadable
    code, out, _ = run_cli(capsys, "check", str(root))
    assert code == 1 and "layout.both" in out and "quarterdeck layout account split" in out
    code, _, err = run_cli(capsys, "get", "account", "harbor-hvac", "-C", str(root))
    assert code == 1 and "both exist" in err
    for how in ("split", "join"):  # they disagree (harbor-hvac's tier): refused, nothing touched
        code, _, err = run_cli(capsys, "layout", "account", how, "-C", str(root))
        assert code == 1 and "do not agree" in err and "accounts/harbor-hvac.toml" in err
    assert (root / "accounts.toml").exists() and (root / "accounts" / "harbor-hvac.toml").exists()


# -- the round trip ------------------------------------------------------------------------------


def split_files(root: Path, folder: str) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / folder).iterdir())}


@pytest.mark.parametrize("kind", SPLIT_KINDS)
def test_split_join_split_is_the_identity(tmp_path, kind):
    root = make_plan(tmp_path, "file")
    k = layout.kind_of(kind)
    original = (root / k.file).read_text()
    layout.convert(root, kind, "split")
    first = split_files(root, layout.folder_of(k.file))
    layout.convert(root, kind, "join")
    joined = (root / k.file).read_text()
    assert not (root / layout.folder_of(k.file)).exists()
    layout.convert(root, kind, "split")
    assert split_files(root, layout.folder_of(k.file)) == first
    # join gave the same data and the same comments, only in id order
    key = k.path[0]
    by_id = lambda text: {e["id"]: e for e in parse_toml(text)[key]}  # noqa: E731
    assert by_id(joined) == by_id(original)
    comments = lambda text: sorted(ln for ln in text.split("\n") if ln.lstrip().startswith("#"))  # noqa: E731
    assert comments(joined) == comments(original)
    assert [e["id"] for e in parse_toml(joined)[key]] == sorted(by_id(original))


SORTED = '''#:schema ../schemas/bundled/accounts.schema.json
# The header: what this file is.

# Banner above the first account
[[account]]
id = "alpha"  # trailing comment
name = "Alpha"

[[account.committee]]
name = "Ann"

# A comment above beta
# (two lines)
[[account]]
id = "beta"
notes = """
two lines
# not a comment: inside a string
"""
'''


def test_join_of_split_gives_a_sorted_file_back_byte_for_byte(tmp_path):
    for nl in ("\n", "\r\n"):
        tf = TomlFile.from_bytes(tmp_path / "accounts.toml", SORTED.replace("\n", nl).encode())
        texts = layout.split_text(tf, layout.kind_of("account"))
        assert texts.header == "#:schema ../schemas/bundled/accounts.schema.json\n# The header: what this file is.\n" \
            .replace("\n", nl)
        assert texts.entities["alpha"].startswith("# Banner above the first account" + nl + "[[account]]")
        assert texts.entities["beta"].startswith("# A comment above beta" + nl)
        assert "# not a comment: inside a string" in texts.entities["beta"]
        assert layout.join_text(texts.header, list(texts.entities.values()), nl) == SORTED.replace("\n", nl)


def test_comments_below_the_last_entity_stay_in_the_header(tmp_path):
    tf = TomlFile.from_bytes(tmp_path / "accounts.toml", (SORTED + "\n# the end\n").encode())
    texts = layout.split_text(tf, layout.kind_of("account"))
    assert texts.header.endswith("# the end\n")
    again = layout.split_text(TomlFile.from_bytes(tmp_path / "accounts.toml", layout.join_text(
        texts.header, list(texts.entities.values())).encode()), layout.kind_of("account"))
    assert again == texts


@pytest.mark.parametrize("kind", SPLIT_KINDS)
def test_the_one_pass_spans_are_the_edit_modules_spans(kind):
    """split finds every entity's lines in one pass; they are the lines edits work on."""
    from tui.plan.edit import entity_span

    k = layout.kind_of(kind)
    tf = load_plan(EXAMPLE).files[k.file]
    lines = tf.text.split("\n")
    count = len(tf.data[k.path[0]])
    assert layout._entity_spans(tf, k.path[0], count, lines) == [entity_span(tf, (k.path[0], i)) for i in range(count)]


def test_split_refuses_what_it_cannot_keep(tmp_path):
    k = layout.kind_of("account")
    for text, why in (('[[account]]\nid = "a"\n\n[other]\nx = 1\n', "more than"),
                      ('account = [{ id = "a" }]\n', "inline"),
                      ('[[account]]\nid = "a"\n[[account]]\nid = "a"\n', "two accounts")):
        tf = TomlFile.from_bytes(tmp_path / "accounts.toml", text.encode())
        with pytest.raises(layout.LayoutError) as err:
            layout.split_text(tf, k)
        assert why in err.value.message


# -- a conversion killed half-way ----------------------------------------------------------------------


def _layout_killed(root: Path, how: str, at: str) -> int:
    env = dict(os.environ, PYTHONPATH=str(ROOT), QUARTERDECK_CRASH_AT=at)
    code = "import sys; from tui.cli import main; sys.exit(main(sys.argv[1:]))"
    return subprocess.run([sys.executable, "-c", code, "layout", "account", how, "-C", str(root)],
                          env=env, capture_output=True).returncode


@pytest.mark.parametrize("how,at", [("split", "layout-written"), ("join", "layout-written"),
                                    ("join", "layout-removing")])
def test_a_conversion_killed_half_way_is_explained_then_finished(tmp_path, capsys, how, at):
    root = make_plan(tmp_path, "file" if how == "split" else "split", kinds=("account",))
    want = data_of(root)
    assert _layout_killed(root, how, at) == -9  # SIGKILL between writing the new files and removing the old
    assert layout.current_layout(root, "accounts.toml") == "both"
    code, out, _ = run_cli(capsys, "check", str(root))
    assert code == 1 and "layout.both" in out and f"quarterdeck layout account {how}" in out
    code, out, err = run_cli(capsys, "layout", "account", how, "-C", str(root))
    assert code == 0 and "finished an interrupted conversion" in out, err
    assert layout.current_layout(root, "accounts.toml") == how.replace("join", "file")
    assert data_of(root) == want
    assert run_cli(capsys, "check", str(root))[0] == 0


# -- saving: atomic and locked per file -----------------------------------------------------------------


def test_each_entity_file_has_its_own_lock_in_the_plans_state_folder(tmp_path):
    from tui.plan.locking import lock_path

    root = make_plan(tmp_path, "split", kinds=("account",))
    a, b = lock_path(root / "accounts" / "harbor-hvac.toml"), lock_path(root / "accounts" / "sunward-energy.toml")
    assert a != b and a.parent == b.parent == lock_path(root / "plan.toml").parent
    assert not (root / "accounts" / ".quarterdeck").exists()


def test_an_entity_file_changed_on_disk_is_not_overwritten_or_removed(tmp_path):
    root = make_plan(tmp_path, "split", kinds=("account",))
    plan = load_plan(root)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    removal = remove_entity(plan, "account", "sunward-energy")
    path = root / "accounts" / "harbor-hvac.toml"
    path.write_text(path.read_text() + "# someone else\n")
    gone = root / "accounts" / "sunward-energy.toml"
    gone.write_text(gone.read_text() + "# someone else\n")
    with pytest.raises(FileChangedError):
        apply_changes(plan, [change])
    with pytest.raises(FileChangedError):
        apply_change(plan, removal)
    assert gone.exists() and path.read_text().endswith("# someone else\n")
    # a new account's file that someone else wrote meanwhile is not replaced either
    plan = load_plan(root)
    add = add_entity(plan, "account", "gulf-coast-hvac", {"name": "Gulf"}, force=True)
    (root / "accounts" / "gulf-coast-hvac.toml").write_text('[[account]]\nid = "gulf-coast-hvac"\nname = "Theirs"\n')
    with pytest.raises(FileChangedError):
        apply_change(plan, add)
    assert "Theirs" in (root / "accounts" / "gulf-coast-hvac.toml").read_text()


# -- import and export ----------------------------------------------------------------------------------


CSV = b"Company name,Website,Tier\nAcme Widgets,acmewidgets.example,2\nHarbor HVAC Services,harborhvac.example,1\n"


def test_import_and_export_are_the_same_on_both_layouts(tmp_path, capsys):
    (tmp_path / "crm.csv").write_bytes(CSV)
    results = {}
    for how in LAYOUTS:
        root = make_plan(tmp_path, how)
        code, out, err = run_cli(capsys, "import", "accounts", str(tmp_path / "crm.csv"), "-C", str(root),
                                 "--set", "sales_owner=tom-becker", "--set", "marketing_owner=sam-oduya")
        assert code == 0, err
        code, csv_out, _ = run_cli(capsys, "export", "csv", "account", "-C", str(root))
        assert code == 0
        lines = csv_out.splitlines()
        results[how] = (data_of(root), lines[0], sorted(lines[1:]))
    assert results["split"] == results["file"]
    assert (tmp_path / "plan-split" / "accounts" / "acme-widgets.toml").is_file()


# -- the app ----------------------------------------------------------------------------------------------


def test_the_app_loads_edits_adds_and_saves_a_split_kind(tmp_path, monkeypatch):
    """Headless (Pilot): the app reads accounts/<id>.toml, saves an edit into that file
    alone, writes a new account's own file, and undo of an add removes it again."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    from tests.app.helpers import TODAY, idle, ready
    from tui.app import QuarterdeckApp
    from tui.plan import ops

    root = make_plan(tmp_path, "split", kinds=("account",))
    harbor = root / "accounts" / "harbor-hvac.toml"
    others = {p: p.read_bytes() for p in root.rglob("*.toml") if p != harbor}

    async def run():
        app = QuarterdeckApp(root, today=TODAY, watch=None)
        app.animation_level = "none"
        async with app.run_test(size=(120, 40)) as pilot:
            await ready(pilot)
            assert len(app.plan.all("account")) == 42
            app.editing.run_edit(lambda p: ops.set_fields(p, "account", "harbor-hvac", {"tier": 2}), "tier")
            await idle(pilot)
            assert app.session.dirty_files == ["accounts/harbor-hvac.toml"]
            app.editing.run_edit(lambda p: ops.add(p, "account", "gulf-coast-hvac", {
                "name": "Gulf", "domain": "gulf.example", "tier": 2, "stage": "target",
                "sales_owner": "tom-becker", "marketing_owner": "sam-oduya"}), "add")
            await idle(pilot)
            await pilot.press("ctrl+s")
            await idle(pilot)
            assert app.session.dirty_files == []
            assert (root / "accounts" / "gulf-coast-hvac.toml").is_file()
            await pilot.press("ctrl+z")  # undo the add: the new file goes on the next save
            await idle(pilot)
            assert app.plan.find("account", "gulf-coast-hvac") is None
            await pilot.press("ctrl+s")
            await idle(pilot)

    asyncio.run(run())
    assert load_plan(root).get("account", "harbor-hvac").data["tier"] == 2
    assert not (root / "accounts" / "gulf-coast-hvac.toml").exists()
    assert {p: p.read_bytes() for p in root.rglob("*.toml") if p != harbor} == others


def test_the_apps_disk_watch_sees_entity_files_changed_added_and_removed(tmp_path):
    """Another writer's change to accounts/<id>.toml, a new account file and a removed
    one all reach the app's session, as a change to accounts.toml would."""
    from tui.app.session import Session

    root = make_plan(tmp_path, "split", kinds=("account",))
    session = Session(root)
    session.plan = session.load()
    known = session.known_disk_hashes()
    assert "accounts/harbor-hvac.toml" in known
    harbor = root / "accounts" / "harbor-hvac.toml"
    harbor.write_text(harbor.read_text(encoding="utf-8").replace("tier = 1", "tier = 2", 1), encoding="utf-8")
    (root / "accounts" / "zz-new.toml").write_text(
        (root / "accounts" / "sunward-energy.toml").read_text(encoding="utf-8").replace("sunward-energy", "zz-new"),
        encoding="utf-8")
    gone = sorted((root / "accounts").glob("*.toml"))[1]
    gone.unlink()
    events = {ev.name: ev for ev in session.poll_disk(known)}
    assert events["accounts/harbor-hvac.toml"].tomlfile is not None
    assert events["accounts/zz-new.toml"].tomlfile is not None
    assert events[f"accounts/{gone.name}"].sha256 is None
    session.reload_file(events["accounts/zz-new.toml"].tomlfile)
    assert session.plan.find("account", "zz-new") is not None
