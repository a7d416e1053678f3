"""git-setup: plain git diff / log -p / show print plan files entity by entity, and
merges go through the id-aware merge driver (run by git as `python -m tui`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.history.helpers import EXAMPLE, edit, git, run_cli
from tui.history.gitsetup import config_entries
from tui.history.merge import _Fallback, merge_bytes
from tui.history.textconv import textconv_bytes
from tui.plan.edit import add_entity, apply_change, remove_entity, set_field, stage_change
from tui.plan.model import load_plan

pytestmark = pytest.mark.git

NEW = {"name": "{name}", "domain": "{id}.example", "tier": 3, "stage": "target", "sales_owner": "luis-romero",
       "marketing_owner": "aisha-khan"}


def account(plans: Path, id: str, name: str) -> None:
    plan = load_plan(plans)
    fields = {k: (v.format(id=id, name=name) if isinstance(v, str) else v) for k, v in NEW.items()}
    apply_change(plan, add_entity(plan, "account", id, fields))


@pytest.fixture
def setup_repo(committed, capsys):
    plans = committed / "plans"
    code, out, err = run_cli(capsys, "git-setup", "-C", str(plans))
    assert code == 0, err
    git(committed, "add", "plans/.gitattributes")
    git(committed, "commit", "--quiet", "-m", "attributes")
    return committed


def accounts(repo: Path) -> dict:
    return {a["id"]: a for a in tomllib.loads((repo / "plans" / "accounts.toml").read_text())["account"]}


def test_setup_writes_attributes_and_config_without_an_interpreter_path(setup_repo, monkeypatch, capsys):
    attributes = (setup_repo / "plans" / ".gitattributes").read_text().splitlines()
    assert "/accounts.toml diff=quarterdeck merge=quarterdeck" in attributes
    assert git(setup_repo, "check-attr", "diff", "--", "plans/goals.toml").strip().endswith("quarterdeck")
    # with `quarterdeck` on PATH the config names it, never this interpreter's absolute path
    monkeypatch.setenv("PATH", str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"])
    code, out, err = run_cli(capsys, "git-setup", "-C", str(setup_repo / "plans"))
    assert code == 0, err
    config = git(setup_repo, "config", "--local", "--get", "merge.quarterdeck.driver")
    assert "quarterdeck merge-file %O %A %B %P" in config and sys.executable not in config
    assert git(setup_repo, "config", "--local", "--get", "diff.quarterdeck.textconv", check=False) == ""
    assert "each clone runs `quarterdeck git-setup` once" in out and "not version" in out
    # running it twice changes nothing
    before = (setup_repo / "plans" / ".gitattributes").read_bytes()
    from tui.history.gitsetup import write_attributes

    assert write_attributes(setup_repo / "plans") is False
    assert (setup_repo / "plans" / ".gitattributes").read_bytes() == before


def test_setup_without_quarterdeck_on_path_runs_python_and_says_so(committed, monkeypatch, capsys):
    import tui.history.gitsetup as gitsetup

    monkeypatch.setattr(gitsetup.shutil, "which", lambda *a, **k: None)
    code, out, err = run_cli(capsys, "git-setup", "-C", str(committed / "plans"))
    assert code == 0, err
    assert "`quarterdeck` is not on PATH" in out and "-m tui" in out
    config = git(committed, "config", "--local", "--get", "merge.quarterdeck.driver")
    assert f"{sys.executable} -m tui merge-file" in config


def test_default_git_shows_the_files_real_lines_with_entity_hunk_headers(setup_repo):
    plans = setup_repo / "plans"
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    out = git(setup_repo, "diff")
    assert '-stage = "customer"\n+stage = "opportunity"' in out
    assert re.search(r'^@@ .* @@ id = "harbor-hvac"$', out, re.M), out  # the hunk names the entity
    # a patch from git diff applies
    patch = git(setup_repo, "diff", "--binary")
    git(setup_repo, "checkout", "--", "plans/accounts.toml")
    git(setup_repo, "apply", "--check", "-", input=patch)
    git(setup_repo, "apply", "-", input=patch)
    assert 'stage = "opportunity"' in (plans / "accounts.toml").read_text()
    git(setup_repo, "commit", "--quiet", "-am", "stage")
    # blame shows the file's lines
    blame = git(setup_repo, "blame", "--porcelain", "--", "plans/accounts.toml")
    lines = [ln[1:] for ln in blame.splitlines() if ln.startswith("\t")]
    assert lines == (plans / "accounts.toml").read_text().splitlines()
    # a comment-only change shows in git diff and git show
    text = (plans / "accounts.toml").read_text()
    (plans / "accounts.toml").write_text(text.replace("# ABM target list", "# The ABM target list", 1))
    assert "+# The ABM target list" in git(setup_repo, "diff")
    git(setup_repo, "commit", "--quiet", "-am", "comment")
    assert "+# The ABM target list" in git(setup_repo, "show", "HEAD")
    assert "+# The ABM target list" in git(setup_repo, "log", "-p", "-1")


def test_semantic_setup_prints_entities_and_caches_the_rendering(setup_repo, capsys):
    plans = setup_repo / "plans"
    code, out, err = run_cli(capsys, "git-setup", "--semantic", "-C", str(plans))
    assert code == 0, err
    assert git(setup_repo, "config", "--local", "--get", "diff.quarterdeck.cachetextconv").strip() == "true"
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    edit(plans, "goal", "grow-pipeline", "owners", ["dana-okafor", "mei-lin", "tom-becker"])
    out = git(setup_repo, "diff")
    assert "account harbor-hvac" in out
    assert "-  stage: customer\n+  stage: opportunity" in out
    assert "+    - tom-becker" in out
    git(setup_repo, "commit", "--quiet", "-am", "stage and owners")
    for command in (["log", "-p", "-1"], ["show", "HEAD"]):
        assert "-  stage: customer\n+  stage: opportunity" in git(setup_repo, *command)
    assert git(setup_repo, "notes", "--ref=textconv/quarterdeck", "list", check=False).strip()  # cached
    assert '-stage = "customer"' in git(setup_repo, "diff", "--no-textconv", "HEAD~1", "HEAD")
    # back to the default: the textconv goes
    code, out, err = run_cli(capsys, "git-setup", "-C", str(plans))
    assert git(setup_repo, "config", "--local", "--get", "diff.quarterdeck.textconv", check=False) == ""


def test_a_merge_driver_that_cannot_start_says_so_and_merges_line_by_line(setup_repo):
    from tui.history.gitsetup import config_entries

    plans = setup_repo / "plans"
    git(setup_repo, "config", "--local", "merge.quarterdeck.driver",
        config_entries("quarterdeck-missing-here")["merge.quarterdeck.driver"])
    git(setup_repo, "checkout", "--quiet", "-b", "other")
    edit(plans, "account", "harbor-hvac", "tier", 2)
    git(setup_repo, "commit", "--quiet", "-am", "tier 2")
    git(setup_repo, "checkout", "--quiet", "main")
    edit(plans, "account", "harbor-hvac", "tier", 3)
    git(setup_repo, "commit", "--quiet", "-am", "tier 3")
    done = subprocess.run(["git", "merge", "--no-edit", "other"], cwd=setup_repo, capture_output=True, text=True)
    assert done.returncode != 0
    assert "cannot start quarterdeck-missing-here (not on PATH)" in done.stderr + done.stdout
    text = (plans / "accounts.toml").read_text()
    assert "<<<<<<< ours" in text and "tier = 2" in text and "tier = 3" in text  # nothing silently lost
    assert "plans/accounts.toml" in git(setup_repo, "diff", "--name-only", "--diff-filter=U")


def test_merge_of_edits_to_adjacent_fields_of_one_entity(setup_repo):
    plans = setup_repo / "plans"
    git(setup_repo, "checkout", "--quiet", "-b", "sales")
    edit(plans, "account", "harbor-hvac", "icp_fit", 90)  # the line right above `stage`
    git(setup_repo, "commit", "--quiet", "-am", "icp fit")
    git(setup_repo, "checkout", "--quiet", "main")
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    git(setup_repo, "commit", "--quiet", "-am", "stage")
    git(setup_repo, "merge", "--quiet", "--no-edit", "sales")
    got = accounts(setup_repo)["harbor-hvac"]
    assert got["icp_fit"] == 90 and got["stage"] == "opportunity"
    assert git(setup_repo, "status", "--porcelain").strip() == ""


def test_merge_where_both_branches_append_accounts(setup_repo):
    plans = setup_repo / "plans"
    git(setup_repo, "checkout", "--quiet", "-b", "marketing")
    account(plans, "acme-b", "Acme B")
    git(setup_repo, "commit", "--quiet", "-am", "acme b")
    git(setup_repo, "checkout", "--quiet", "main")
    account(plans, "acme-a", "Acme A")
    edit(plans, "account", "anchor-pest", "tier", 2)
    git(setup_repo, "commit", "--quiet", "-am", "acme a")
    git(setup_repo, "merge", "--quiet", "--no-edit", "marketing")
    ids = list(accounts(setup_repo))
    assert ids[-2:] == ["acme-a", "acme-b"]
    assert accounts(setup_repo)["anchor-pest"]["tier"] == 2
    code = run_cli_check(setup_repo)
    assert code == 0


def run_cli_check(repo: Path) -> int:
    from tui.cli import main

    return main(["check", str(repo / "plans"), "--format", "json"])


def test_a_true_conflict_is_marked_around_that_entity_only(setup_repo, capsys):
    plans = setup_repo / "plans"
    git(setup_repo, "checkout", "--quiet", "-b", "other")
    edit(plans, "account", "harbor-hvac", "tier", 2)
    edit(plans, "account", "anchor-pest", "icp_fit", 61)
    git(setup_repo, "commit", "--quiet", "-am", "tier 2")
    git(setup_repo, "checkout", "--quiet", "main")
    edit(plans, "account", "harbor-hvac", "tier", 3)
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    git(setup_repo, "commit", "--quiet", "-am", "tier 3")
    out = git(setup_repo, "merge", "--no-edit", "other", check=False)
    assert "CONFLICT" in out
    text = (plans / "accounts.toml").read_text()
    assert text.count("<<<<<<< ours (account harbor-hvac: tier)") == 1
    assert text.count("=======\n") == 1 and text.count(">>>>>>> theirs (account harbor-hvac: tier)") == 1
    ours = text.split("<<<<<<< ours (account harbor-hvac: tier)\n")[1].split("=======")[0]
    theirs = text.split("=======\n")[1].split(">>>>>>>")[0]
    assert ours == "tier = 3\n" and theirs == "tier = 2\n"  # only the field is inside the markers
    assert 'stage = "opportunity"' in text  # our other edit of that entity is outside them
    assert "icp_fit = 61" in text  # the non-conflicting edit elsewhere is merged
    code, out, err = run_cli(capsys, "check", str(plans))
    assert code == 1 and "conflict" in out


# -- the merge itself, in memory ------------------------------------------------------------------


def _variant(edits) -> dict:
    plan = load_plan(EXAMPLE)
    for fn, *args in edits:
        stage_change(plan, fn(plan, *args))
    return plan.files


def _merge(name: str, a_edits, b_edits):
    base = (EXAMPLE / name).read_bytes()
    a, b = _variant(a_edits)[name], _variant(b_edits)[name]
    return merge_bytes(base, a.encode(a.text), b.encode(b.text), f"plans/{name}")


def test_both_sides_change_a_list_as_a_set_and_key_results_merge():
    out = _merge("goals.toml",
                 [(set_field, "goal", "grow-pipeline", "owners", ["dana-okafor", "mei-lin", "tom-becker"]),
                  (set_field, "key_result", "grow-pipeline/sourced-pipeline", "actual", 2200000)],
                 [(set_field, "goal", "grow-pipeline", "owners", ["mei-lin", "rita-alvarez"]),
                  (set_field, "key_result", "grow-pipeline/sourced-pipeline", "target", 3100000),
                  (add_entity, "key_result", "grow-pipeline/new-kr",
                   {"title": "New", "metric": "m", "unit": "count", "target": 3, "direction": "increase"})])
    assert out.conflicts == []
    goal = tomllib.loads(out.text)["goal"][0]
    assert sorted(goal["owners"]) == ["mei-lin", "rita-alvarez", "tom-becker"]
    krs = {k["id"]: k for k in goal["key_result"]}
    assert krs["sourced-pipeline"]["target"] == 3100000 and krs["sourced-pipeline"]["actual"] == 2200000
    assert list(krs)[-1] == "new-kr"


def test_removed_on_one_side_changed_on_the_other_is_a_conflict():
    out = _merge("accounts.toml", [(remove_entity, "account", "anchor-pest")],
                 [(set_field, "account", "anchor-pest", "tier", 2)])
    assert out.conflicts == ["account anchor-pest (ours removed it, theirs changed it)"]
    assert "<<<<<<< ours (account anchor-pest)\n=======\n" in out.text
    theirs = out.text.split("=======\n")[1].split(">>>>>>>")[0]
    assert theirs.lstrip("\n").startswith("[[account]]") and "tier = 2" in theirs


def test_removal_of_an_untouched_entity_merges():
    out = _merge("accounts.toml", [(set_field, "account", "harbor-hvac", "tier", 2)],
                 [(remove_entity, "account", "anchor-pest")])
    assert out.conflicts == []
    ids = [a["id"] for a in tomllib.loads(out.text)["account"]]
    assert "anchor-pest" not in ids and tomllib.loads(out.text)["account"][0]["tier"] == 2


def test_comments_changed_by_theirs_survive():
    base = (EXAMPLE / "accounts.toml").read_text()
    theirs = base.replace("# ABM target list for 2026-Q4", "# ABM target list for 2026-Q4 (reviewed)")
    ours = _variant([(set_field, "account", "harbor-hvac", "tier", 2)])["accounts.toml"].text
    out = merge_bytes(base.encode(), ours.encode(), theirs.encode(), "plans/accounts.toml")
    assert "(reviewed)" in out.text and tomllib.loads(out.text)["account"][0]["tier"] == 2


def test_files_that_do_not_parse_fall_back_to_the_line_merge():
    base = (EXAMPLE / "accounts.toml").read_bytes()
    with pytest.raises(_Fallback):
        merge_bytes(base, base + b"\n[[account]\n", base.replace(b"tier = 1", b"tier = 2", 1), "accounts.toml")


def test_formatting_of_our_side_is_kept():
    base = (EXAMPLE / "accounts.toml").read_text()
    ours = base.replace('stage = "customer"', 'stage = "customer"   # since 2024', 1)
    theirs = _variant([(set_field, "account", "harbor-hvac", "icp_fit", 90)])["accounts.toml"].text
    out = merge_bytes(base.encode(), ours.encode(), theirs.encode(), "accounts.toml")
    assert 'stage = "customer"   # since 2024' in out.text and "icp_fit = 90" in out.text
    changed = [ln for ln in out.text.splitlines() if ln not in base.splitlines()]
    assert changed == ["icp_fit = 90", 'stage = "customer"   # since 2024']


def test_textconv_renders_entities_sorted_and_one_sentence_per_line():
    text = textconv_bytes((EXAMPLE / "goals.toml").read_bytes(), "goals.toml")
    lines = text.splitlines()
    goals = [ln for ln in lines if ln.startswith("goal ")]
    assert goals == sorted(goals)
    i = lines.index("key_result grow-pipeline/sourced-pipeline  (Marketing-sourced pipeline created this quarter)")
    assert lines[i + 5] == "  target: 3000000"
    assert "      We start the quarter with roughly 2.6x coverage and need at least 3.5x to land the target, given " \
           "our 25% SQL-to-win rate." in lines
    assert textconv_bytes(b"not = [toml", "x.toml") == "not = [toml"


def test_config_entries_run_the_given_command_and_fall_back_when_it_is_missing():
    entries = config_entries("PY -m tui")
    assert "PY -m tui merge-file %O %A %B %P --marker-size=%L" in entries["merge.quarterdeck.driver"]
    assert "git merge-file" in entries["merge.quarterdeck.driver"]  # when PY cannot start
    assert "diff.quarterdeck.textconv" not in entries
    semantic = config_entries("PY -m tui", semantic=True)
    assert 'PY -m tui textconv "$1"' in semantic["diff.quarterdeck.textconv"]
    assert semantic["diff.quarterdeck.cachetextconv"] == "true"


@pytest.mark.parametrize("seed", range(12))
def test_edits_to_different_entities_always_merge_with_both_kept(seed):
    import random

    rng = random.Random(seed)
    name = rng.choice(["accounts.toml", "goals.toml", "plan.toml"])
    kind = {"accounts.toml": "account", "goals.toml": "key_result", "plan.toml": "member"}[name]
    ids = [e.id for e in load_plan(EXAMPLE).all(kind)]
    rng.shuffle(ids)
    mine, theirs = ids[:3], ids[3:6]

    def edits(targets):
        out = []
        for id in targets:
            data = load_plan(EXAMPLE).get(kind, id).data
            field = rng.choice([k for k in ("name", "title", "role", "next_step", "metric") if k in data])
            out.append((set_field, kind, id, field, data[field] + f" ({seed})"))
        if kind == "account" and rng.random() < 0.5:
            out.append((remove_entity, kind, targets[-1]))
        return out

    a_edits, b_edits = edits(mine), edits(theirs)
    out = _merge(name, a_edits, b_edits)
    assert out.conflicts == []
    expected = _variant(a_edits + b_edits)[name]
    from tui.plan.model import collect_entities
    from tui.plan.document import TomlFile

    merged = collect_entities({name: TomlFile.from_bytes(Path(name), out.raw, name)})
    want = collect_entities({name: expected})
    assert {(e.id): e.data for e in merged[kind]} == {(e.id): e.data for e in want[kind]}


def test_textconv_never_hides_data_that_is_not_where_the_plan_expects_it():
    text = textconv_bytes(b'account = "x"\ngoal = 3\n', "accounts.toml")
    assert "account: x" in text and "goal: 3" in text
