"""One file per entity in git: real merges with and without the driver, diffs between
revisions (in one layout and across them), commits of added, removed and renamed entity
files, attributes, textconv.

The point of the split layout is the hosted pull-request server, which merges with
git's own line merge: there, two people who change different accounts must merge
cleanly with no driver at all.  And whichever layout, the merge driver must give the
same plan.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.history.helpers import EXAMPLE, git, init_repo, run_cli
from tui.history.gitsetup import config_entries, write_attributes
from tui.plan import layout
from tui.plan.model import load_plan

LAYOUTS = ("file", "split")
SPLIT_KINDS = ("goal", "persona", "account", "content", "message", "term")
NEW = ('name="{name}"', 'domain="{id}.example"', "tier=3", 'stage="target"', 'sales_owner="tom-becker"',
       'marketing_owner="sam-oduya"')


def data_of(root: Path) -> dict:
    plan = load_plan(root)
    assert not plan.syntax_errors, plan.syntax_errors
    return {(k, e.id): e.data for k, es in plan.entities.items() for e in es}


def cli(capsys, plans: Path, *args) -> str:
    code, out, err = run_cli(capsys, *args, "-C", str(plans))
    assert code == 0, (args, err)
    return out


def add(id_: str) -> tuple:
    return ("add", "account", id_, *(f.format(id=id_, name=id_.title()) for f in NEW))


def make_repo(tmp: Path, how: str, name: str = "repo") -> Path:
    root = init_repo(tmp / f"{name}-{how}")
    plans = root / "plans"
    shutil.copytree(EXAMPLE, plans)
    if how == "split":
        for k in SPLIT_KINDS:
            layout.convert(plans, k, "split")
    write_attributes(plans)  # as git-setup writes them (the driver itself: only where a test asks)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


# -- merges ---------------------------------------------------------------------------------------

# name: (our edits, their edits); each edit is a command line
SCENARIOS = {
    "different accounts": ([("set", "account", "harbor-hvac", "tier", "2")],
                           [("set", "account", "sunward-energy", "tier", "1")]),
    "different fields of one account": ([("set", "account", "harbor-hvac", "tier", "2")],
                                        [("set", "account", "harbor-hvac", "next_step", '"Call Kenji"')]),
    "both add": ([add("alpha-new")], [add("omega-new")]),
    "rename vs edit of another": ([("rename", "account", "pioneer-propane", "pioneer-gas")],
                                  [("set", "account", "harbor-hvac", "tier", "2")]),
    "rename vs edit of it": ([("rename", "account", "harbor-hvac", "harbor-heating")],
                             [("set", "account", "harbor-hvac", "tier", "2")]),
    "remove vs edit of another": ([("rm", "content", "old-overview-deck", "--force")],
                                  [("set", "content", "benchmark-launch-email", "status", '"retired"')]),
    "goals and accounts": ([("set", "key_result", "grow-pipeline/sourced-pipeline", "target", "3500000")],
                           [("set", "goal", "win-enterprise", "status", '"on_track"'),
                            ("set", "account", "harbor-hvac", "tier", "2")]),
    "true conflict": ([("set", "account", "harbor-hvac", "tier", "2")],
                      [("set", "account", "harbor-hvac", "tier", "3")]),
}


def expected_data(tmp: Path, ours, theirs, capsys) -> dict:
    """Both sides' edits made one after the other (what a correct merge holds)."""
    folder = tmp / "expected"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(EXAMPLE, folder)
    for args in ours + theirs:
        if args[0] == "set" and args[2] == "harbor-hvac" and ours and ours[0][0] == "rename" and \
                ours[0][2] == "harbor-hvac":
            args = (*args[:2], ours[0][3], *args[3:])  # their edit lands on the renamed account
        cli(capsys, folder, *args)
    return data_of(folder)


def merge(tmp: Path, how: str, ours, theirs, driver: bool, capsys) -> tuple[bool, dict | None]:
    """A real `git merge` of their branch into ours: (conflicted, the merged plan's data)."""
    root = make_repo(tmp, how, name="driver" if driver else "plain")
    plans = root / "plans"
    git(root, "checkout", "-qb", "theirs")
    for args in theirs:
        cli(capsys, plans, *args)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "theirs")
    git(root, "checkout", "-q", "main")
    for args in ours:
        cli(capsys, plans, *args)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "ours")
    extra = ["-c", f"merge.quarterdeck.driver={config_entries()['merge.quarterdeck.driver']}"] if driver else []
    out = git(root, *extra, "merge", "--no-edit", "theirs", check=False)
    unmerged = git(root, "ls-files", "--unmerged")
    if "CONFLICT" in out or unmerged.strip():
        return True, None
    assert git(root, "status", "--porcelain") == ""
    return False, data_of(plans)


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_merges_give_the_same_plan_on_both_layouts(tmp_path, capsys, scenario):
    ours, theirs = SCENARIOS[scenario]
    results = {(how, driver): merge(tmp_path / f"{how}-{driver}", how, ours, theirs, driver, capsys)
               for how in LAYOUTS for driver in (False, True)}
    if scenario == "true conflict":
        assert all(conflicted for conflicted, _ in results.values()), results.keys()
        return
    want = expected_data(tmp_path, ours, theirs, capsys)
    # the hosted server's case: one file per entity, git's own merge, no driver
    assert results["split", False] == (False, want), scenario
    # with the driver, both layouts merge cleanly to the same plan
    assert results["split", True] == results["file", True] == (False, want), scenario
    # and plain git on one file per kind is never better than plain git split
    if results["file", False][0] is False:
        assert results["file", False][1] == want
    if scenario == "both add":  # two accounts appended at one place: one file conflicts, the driver did run
        assert results["file", False][0] is True


def test_plain_git_merges_two_branches_of_different_accounts(tmp_path, capsys):
    """Two people, two branches, different accounts, no drivers installed at all."""
    root = make_repo(tmp_path, "split")
    plans = root / "plans"
    assert git(root, "config", "--get-regexp", "merge", check=False) == ""
    git(root, "checkout", "-qb", "alice")
    cli(capsys, plans, "set", "account", "harbor-hvac", "tier", "2")
    cli(capsys, plans, "set", "account", "harbor-hvac", "next_step", '"Send the renewal quote"')
    git(root, "commit", "-qam", "alice: harbor")
    git(root, "checkout", "-q", "main")
    git(root, "checkout", "-qb", "bob")
    cli(capsys, plans, "set", "account", "sunward-energy", "tier", "1")
    cli(capsys, plans, *add("zeta-co"))
    git(root, "add", "-A")
    git(root, "commit", "-qm", "bob: sunward and zeta")
    git(root, "checkout", "-q", "alice")
    out = git(root, "merge", "--no-edit", "bob")
    assert "CONFLICT" not in out
    plan = load_plan(plans)
    assert plan.get("account", "harbor-hvac").data["tier"] == 2
    assert plan.get("account", "harbor-hvac").data["next_step"] == "Send the renewal quote"
    assert plan.get("account", "sunward-energy").data["tier"] == 1
    assert plan.find("account", "zeta-co") is not None
    assert run_cli(capsys, "check", str(plans))[0] == 0


# -- diffs --------------------------------------------------------------------------------------------


def diff_json(capsys, plans: Path, *revs) -> dict:
    code, out, err = run_cli(capsys, "diff", *revs, "--format", "json", "--plan", str(plans))
    assert code == 0, err
    return json.loads(out)


def changes(doc: dict) -> list:
    """The changes, without where they are stored (files differ by layout)."""
    def strip(c):
        return {k: v for k, v in c.items() if k != "file"}
    return sorted((strip(c) for c in doc["changes"]), key=lambda c: json.dumps(c, sort_keys=True))


def test_a_layout_change_alone_is_no_data_change(tmp_path, capsys):
    root = make_repo(tmp_path, "file")
    plans = root / "plans"
    for k in SPLIT_KINDS:
        cli(capsys, plans, "layout", k, "split")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one file per entity")
    assert diff_json(capsys, plans, "HEAD~1", "HEAD")["changes"] == []
    assert diff_json(capsys, plans, "HEAD~1")["changes"] == []  # that revision against the working tree
    for k in ("account", "goal"):
        cli(capsys, plans, "layout", k, "join")
    assert diff_json(capsys, plans, "HEAD")["changes"] == []  # split revision vs joined working tree


EDITS = [("set", "account", "harbor-hvac", "tier", "2"), add("gulf-coast-hvac"),
         ("rename", "account", "pioneer-propane", "pioneer-gas"), ("rm", "content", "old-overview-deck", "--force"),
         ("set", "key_result", "grow-pipeline/sourced-pipeline", "target", "3500000")]


def test_diffs_are_the_same_on_both_layouts_and_across_them(tmp_path, capsys):
    docs = {}
    for how in LAYOUTS:
        root = make_repo(tmp_path, how)
        plans = root / "plans"
        for args in EDITS:
            cli(capsys, plans, *args)
        docs[how, "worktree"] = changes(diff_json(capsys, plans))
        git(root, "add", "-A")
        git(root, "commit", "-qm", "edits")
        docs[how, "commits"] = changes(diff_json(capsys, plans, "HEAD~1", "HEAD"))
    assert docs["split", "worktree"] == docs["file", "worktree"] == docs["file", "commits"] \
        == docs["split", "commits"]
    kinds = {(c["kind"], c["op"]) for c in docs["file", "commits"]}
    assert {("account", "changed"), ("account", "added"), ("account", "renamed"), ("content", "removed")} <= kinds
    # across layouts: the base in one file per kind, the edits made after a split
    root = make_repo(tmp_path, "file", name="across")
    plans = root / "plans"
    for k in SPLIT_KINDS:
        cli(capsys, plans, "layout", k, "split")
    for args in EDITS:
        cli(capsys, plans, *args)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "split and edit")
    assert changes(diff_json(capsys, plans, "HEAD~1", "HEAD")) == docs["file", "commits"]


def test_a_revision_holding_both_layouts_is_said_not_guessed(tmp_path, capsys):
    root = make_repo(tmp_path, "split")
    plans = root / "plans"
    shutil.copy(EXAMPLE / "accounts.toml", plans / "accounts.toml")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "both")
    doc = diff_json(capsys, plans, "HEAD~1", "HEAD")
    assert any("both exist" in note for note in doc["notes"])
    assert not [c for c in doc["changes"] if c["kind"] == "account"]


# -- commits, attributes, textconv -----------------------------------------------------------------------


def test_commit_takes_added_removed_and_renamed_entity_files(tmp_path, capsys):
    root = make_repo(tmp_path, "split")
    plans = root / "plans"
    cli(capsys, plans, *add("gulf-coast-hvac"))
    cli(capsys, plans, "rm", "content", "old-overview-deck", "--force")
    cli(capsys, plans, "rename", "account", "pioneer-propane", "pioneer-gas")
    code, out, err = run_cli(capsys, "commit", "-m", "accounts", "--plan", str(plans))
    assert code == 0, err
    assert git(root, "status", "--porcelain") == ""
    files = set(git(root, "ls-files", "plans").split())
    assert "plans/accounts/gulf-coast-hvac.toml" in files and "plans/accounts/pioneer-gas.toml" in files
    assert "plans/accounts/pioneer-propane.toml" not in files and "plans/content/old-overview-deck.toml" not in files
    stat = git(root, "show", "--stat", "-M", "--format=", "HEAD")
    assert "pioneer-propane.toml => pioneer-gas.toml" in stat.replace("{", "").replace("}", "")


def test_attributes_cover_the_entity_folders(tmp_path):
    root = make_repo(tmp_path, "split")
    text = (root / "plans" / ".gitattributes").read_text()
    assert "/accounts/*.toml diff=quarterdeck merge=quarterdeck" in text
    for path in ("plans/accounts/harbor-hvac.toml", "plans/goals/grow-pipeline.toml", "plans/accounts.toml"):
        assert git(root, "check-attr", "merge", "--", path).strip().endswith("merge: quarterdeck"), path
    assert git(root, "check-attr", "merge", "--", "plans/accounts/sub/x.toml").strip().endswith("unspecified")


def test_textconv_and_the_driver_know_a_file_by_its_folder():
    """An account whose id is `content` lives in accounts/content.toml: it is an account."""
    from tui.history.merge import merge_bytes
    from tui.history.textconv import render_file, textconv_bytes

    base = ('[[account]]\nid = "content"\nname = "Content Co"\ntier = 1\n\n[[account.committee]]\n'
            'name = "Ann"\ntitle = "CEO"\n').encode()
    ours = base.replace(b"tier = 1", b"tier = 2")
    theirs = base.replace(b'title = "CEO"', b'title = "Chief Executive"')
    path = "plans/accounts/content.toml"
    assert layout.file_of_path(path) == "accounts.toml"
    rendered = textconv_bytes(base, path)
    assert rendered == render_file("accounts.toml", {"account": [{"id": "content", "name": "Content Co", "tier": 1,
                                                                  "committee": [{"name": "Ann", "title": "CEO"}]}]})
    assert "Content Co" in rendered
    merged = merge_bytes(base, ours, theirs, path)
    assert merged.text is not None and "tier = 2" in merged.text and 'title = "Chief Executive"' in merged.text


def test_blame_follows_an_entity_across_a_layout_change(tmp_path, capsys):
    root = make_repo(tmp_path, "file")
    plans = root / "plans"
    cli(capsys, plans, "set", "account", "harbor-hvac", "tier", "2")
    git(root, "commit", "-qam", "tier two")
    cli(capsys, plans, "layout", "account", "split")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "one file per account")
    cli(capsys, plans, "set", "account", "harbor-hvac", "stage", '"opportunity"')
    git(root, "commit", "-qam", "an opportunity now")
    code, out, err = run_cli(capsys, "blame", "account", "harbor-hvac", "--format", "json", "--plan", str(plans))
    assert code == 0, err
    subjects = {f["field"]: f["subject"] for f in json.loads(out)["fields"]}
    assert subjects["tier"] == "tier two" and subjects["stage"] == "an opportunity now"
    assert subjects["name"] == "base"  # the layout change itself changed no field


def test_the_ci_workflow_of_a_plan_at_the_root_runs_for_entity_files():
    from tests.history.test_init_demo import _matches
    from tui.history.scaffold import workflow_paths

    for rel, prefix in (("", ""), ("plans", "plans/")):
        patterns = workflow_paths(rel)
        for path in ("accounts.toml", "accounts/harbor-hvac.toml", "goals/grow-pipeline.toml"):
            assert _matches(patterns, prefix + path), (rel, path, patterns)
        assert not _matches(patterns, "README.md")
