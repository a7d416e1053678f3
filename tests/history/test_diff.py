"""The semantic diff between revisions: exact entries, formats, revision forms, log."""

from __future__ import annotations

import json

import pytest

from tests.history.helpers import edit, git, head, run_cli
from tui.history.repo import PlanRepo
from tui.history.revisions import diff, diff_revisions, list_revisions
from tui.history.semdiff import diff_fields, word_diff
from tui.plan.edit import add_entity, apply_change, remove_entity
from tui.plan.model import load_plan
from tui.plan.refs import rename_entity

pytestmark = pytest.mark.git

NEW_ACCOUNT = {"name": "Acme Fleet Services", "domain": "acmefleet.example", "tier": 3, "stage": "target",
               "sales_owner": "luis-romero", "marketing_owner": "aisha-khan"}


def _next_quarter_edits(plans):
    edit(plans, "account", "harbor-hvac", "tier", 2)
    edit(plans, "goal", "grow-pipeline", "owners", ["dana-okafor", "mei-lin", "tom-becker"])
    description = load_plan(plans).get("goal", "grow-pipeline").data["description"]
    edit(plans, "goal", "grow-pipeline", "description", description.replace("roughly 2.6x", "about 2.9x"))
    edit(plans, "key_result", "grow-pipeline/sourced-pipeline", "target", 3200000)
    pains = load_plan(plans).get("persona", "ops-director").data["pains"]
    edit(plans, "persona", "ops-director", "pains", pains[:-1])
    plan = load_plan(plans)
    apply_change(plan, add_entity(plan, "account", "acme-fleet", NEW_ACCOUNT))
    apply_change(plan, remove_entity(plan, "content", "old-overview-deck"))
    for change in rename_entity(plan, "term", "churn", "revenue-churn"):
        apply_change(plan, change)


@pytest.fixture
def two_quarters(committed, capsys):
    plans = committed / "plans"
    assert run_cli(capsys, "tag", "2026-Q3", "-C", str(plans))[0] == 0
    _next_quarter_edits(plans)
    code, _, err = run_cli(capsys, "commit", "-C", str(plans), "-m", "Next quarter", "--quarter", "2026-Q4")
    assert code == 0, err
    return committed


def test_diff_between_two_quarters_has_exactly_the_expected_entries(two_quarters):
    d = diff_revisions(two_quarters / "plans", "2026-Q3", "2026-Q4")
    got = [(c.op, c.kind, c.id, c.old_id) for c in d.changes]
    assert got == [
        ("changed", "goal", "grow-pipeline", None),
        ("changed", "key_result", "grow-pipeline/sourced-pipeline", None),
        ("changed", "persona", "ops-director", None),
        ("added", "account", "acme-fleet", None),
        ("changed", "account", "harbor-hvac", None),
        ("removed", "content", "old-overview-deck", None),
        ("renamed", "term", "revenue-churn", "churn"),
        ("changed", "term", "tidewater-dispatch", None),  # its `related` followed the rename
    ]
    goal = d.find("goal", "grow-pipeline")
    assert [f.field for f in goal.fields] == ["description", "owners"]
    owners = goal.field("owners")
    assert owners.op == "items" and owners.added == ["tom-becker"] and owners.removed == []
    text = goal.field("description")
    assert text.op == "text" and ("-", "roughly 2.6x") in text.words and ("+", "about 2.9x") in text.words
    kr = d.find("key_result", "grow-pipeline/sourced-pipeline").fields
    assert [(f.field, f.op, f.old, f.new) for f in kr] == [("target", "changed", 3000000, 3200000)]
    pains = d.find("persona", "ops-director").field("pains")
    assert pains.removed == ["Growth means hiring more dispatchers, not scheduling smarter"] and not pains.added
    assert d.find("account", "acme-fleet").data["domain"] == "acmefleet.example"
    related = d.find("term", "tidewater-dispatch").field("related")
    assert related.added == ["revenue-churn"] and related.removed == ["churn"]
    assert d.counts == {"added": 1, "changed": 5, "removed": 1, "renamed": 1}


def test_text_output_markers_and_summary(two_quarters, capsys):
    code, out, _ = run_cli(capsys, "diff", "2026-Q3", "2026-Q4", "-C", str(two_quarters / "plans"))
    assert code == 0
    lines = out.splitlines()
    assert "+ account acme-fleet  \"Acme Fleet Services\"" in lines
    assert "- content old-overview-deck" in out
    assert "> term churn → revenue-churn" in out
    assert "    tier: 1 → 2" in lines
    assert '    owners: +"tom-becker"' in lines
    assert "[-roughly 2.6x-] {+about 2.9x+}" in out
    assert lines[-1] == "1 added, 5 changed, 1 removed, 1 renamed"
    assert "\x1b[" not in out  # not a terminal: no colour
    code, out, _ = run_cli(capsys, "diff", "2026-Q3", "2026-Q4", "-C", str(two_quarters / "plans"), "--color",
                           "always")
    assert "\x1b[32m+ account acme-fleet" in out


def test_json_output_is_versioned_and_complete(two_quarters, capsys):
    code, out, _ = run_cli(capsys, "diff", "2026-Q3..2026-Q4", "-C", str(two_quarters / "plans"), "--format", "json")
    assert code == 0
    doc = json.loads(out)
    assert doc["format"] == "quarterdeck.diff/1" and doc["version"] == 1
    assert doc["old"]["label"] == "2026-Q3" and len(doc["old"]["commit"]) == 40
    assert doc["summary"] == {"added": 1, "changed": 5, "removed": 1, "renamed": 1}
    assert set(doc["changes"][0]) == {"op", "kind", "id", "old_id", "label", "file", "data", "fields"}
    kr = next(c for c in doc["changes"] if c["kind"] == "key_result")
    assert kr["fields"][0] == {"field": "target", "op": "changed", "old": 3000000, "new": 3200000, "added": [],
                               "removed": [], "words": []}
    added = next(c for c in doc["changes"] if c["op"] == "added")
    assert added["data"]["tier"] == 3


def test_markdown_output_for_a_pull_request(two_quarters, capsys):
    code, out, _ = run_cli(capsys, "diff", "2026-Q3", "2026-Q4", "-C", str(two_quarters / "plans"), "--format",
                           "markdown")
    assert code == 0
    assert out.startswith("### Plan changes: 2026-Q3 → 2026-Q4")
    assert "**1 added, 5 changed, 1 removed, 1 renamed**" in out
    assert "#### Accounts (2)" in out
    assert "- **added** `acme-fleet` — Acme Fleet Services" in out
    assert "  - `tier`: 1 → **2**" in out
    assert "~~roughly 2.6x~~ **about 2.9x**" in out


def test_default_is_head_against_the_working_tree_and_exit_code(committed, capsys):
    plans = committed / "plans"
    code, out, _ = run_cli(capsys, "diff", "-C", str(plans), "--exit-code")
    assert code == 0 and "no changes to the plan" in out
    edit(plans, "account", "harbor-hvac", "stage", "opportunity")
    code, out, _ = run_cli(capsys, "diff", "-C", str(plans), "--exit-code")
    assert code == 1
    assert out.splitlines()[0] == "plan diff HEAD → working tree (plans/)"
    assert '    stage: "customer" → "opportunity"' in out
    code, _, _ = run_cli(capsys, "diff", "-C", str(plans))
    assert code == 0  # differences are no failure without --exit-code


def test_merge_base_form_shows_what_a_branch_changes(committed):
    plans = committed / "plans"
    git(committed, "checkout", "--quiet", "-b", "feature")
    edit(plans, "account", "harbor-hvac", "tier", 2)
    git(committed, "commit", "--quiet", "-am", "feature change")
    git(committed, "checkout", "--quiet", "main")
    edit(plans, "account", "anchor-pest", "tier", 2)
    git(committed, "commit", "--quiet", "-am", "main change")
    with PlanRepo(plans) as prepo:
        three = diff(prepo, "main...feature")
        two = diff(prepo, "main", "feature")
    assert [c.id for c in three.changes] == ["harbor-hvac"]
    assert sorted(c.id for c in two.changes) == ["anchor-pest", "harbor-hvac"]
    assert "merge base" in three.old_label


def test_unknown_revision_and_missing_quarter_tag(committed, capsys):
    plans = committed / "plans"
    code, _, err = run_cli(capsys, "diff", "no-such-branch", "-C", str(plans))
    assert code == 2 and "unknown revision 'no-such-branch'" in err
    code, _, err = run_cli(capsys, "diff", "2025-Q1", "-C", str(plans))
    assert code == 2 and "no revision is tagged for 2025-Q1" in err


def test_a_revision_whose_file_does_not_parse_is_noted(committed, capsys):
    plans = committed / "plans"
    (plans / "content.toml").write_text("[[content]\nbroken")
    edit(plans, "account", "harbor-hvac", "tier", 2)
    code, out, _ = run_cli(capsys, "diff", "-C", str(plans))
    assert code == 0
    assert "content.toml in working tree cannot be read" in out
    assert "- content" not in out  # its entities are not reported as removed
    assert "~ account harbor-hvac" in out


def test_log_lists_plan_revisions_with_quarter_tags(two_quarters, capsys):
    (two_quarters / "README.md").write_text("not the plan\n")
    git(two_quarters, "add", "README.md")
    git(two_quarters, "commit", "--quiet", "-m", "Unrelated")
    revs = list_revisions(two_quarters / "plans")
    assert [r.subject for r in revs] == ["Next quarter", "Start the plan"]
    assert revs[0].tags == ["plan/2026-Q4"] and revs[0].quarters == ["2026-Q4"]
    assert revs[1].tags == ["plan/2026-Q3"]
    code, out, _ = run_cli(capsys, "log", "-C", str(two_quarters / "plans"), "--changes")
    assert code == 0
    first = out.splitlines()[0]
    assert "Next quarter" in first and first.endswith("[plan/2026-Q4]")
    assert "1 account added" in out or "accounts" in out


def test_quarter_tags_for_a_plan_elsewhere_in_the_repository(committed, capsys):
    (committed / "teams").mkdir()
    git(committed, "mv", "plans", "teams/emea")
    git(committed, "commit", "--quiet", "-m", "move")
    plans = committed / "teams" / "emea"
    code, out, _ = run_cli(capsys, "tag", "2026-Q4", "-C", str(plans))
    assert code == 0 and "plan/teams/emea/2026-Q4" in out
    with PlanRepo(plans) as prepo:
        assert prepo.quarter_tags() == {"2026-Q4": head(committed)}
        assert prepo.resolve("2026-Q4") == head(committed)


# -- the diff of values, without git ------------------------------------------------------------


def test_lists_of_tables_match_by_name_and_text_ignores_rewrapping():
    old = {"committee": [{"name": "Ann", "title": "CFO"}, {"name": "Bo", "title": "CTO"}],
           "summary": "One two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen.",
           "plays": ["a", "b"]}
    new = {"committee": [{"name": "Bo", "title": "CIO"}, {"name": "Cy", "title": "VP"}],
           "summary": "One two three four five six seven eight\nnine ten eleven twelve thirteen fourteen fifteen.",
           "plays": ["b", "a"]}
    changes = {(f.field, f.op) for f in diff_fields(old, new)}
    assert changes == {("committee[Ann]", "removed"), ("committee[Bo].title", "changed"),
                       ("committee[Cy]", "added"), ("plays", "reordered")}


def test_word_diff():
    assert word_diff("the quick brown fox", "the slow brown fox") == [
        ("=", "the"), ("-", "quick"), ("+", "slow"), ("=", "brown fox")]


def test_diff_of_a_plan_in_memory_against_head(committed):
    from tui.history import diff_plan
    from tui.plan.edit import set_field, stage_change

    plan = load_plan(committed / "plans")
    stage_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    d = diff_plan(plan)
    assert [(c.kind, c.id, [f.field for f in c.fields]) for c in d.changes] == [("account", "harbor-hvac", ["tier"])]
    assert d.new_label == "this session"
    assert "tier = 1" in (committed / "plans" / "accounts.toml").read_text()  # nothing written
