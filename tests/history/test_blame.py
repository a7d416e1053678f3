"""blame: the commit, author, date and subject that last changed each field, through renames."""

from __future__ import annotations

import json

import pytest

from tests.history.helpers import edit, git, run_cli
from tui.history.blame import entity_blame, kr_checkins_by_quarter, last_change
from tui.history.repo import PlanRepo

pytestmark = pytest.mark.git


def commit_as(repo, name: str, message: str, when: str) -> str:
    git(repo, "add", "plans")
    git(repo, "-c", f"user.name={name}", "-c", f"user.email={name.split()[0].lower()}@example.com", "commit",
        "--quiet", "-m", message, env={"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def story(repo, monkeypatch):
    monkeypatch.setenv("QUARTERDECK_TODAY", "2026-12-01")
    plans = repo / "plans"
    first = commit_as(repo, "Dana Okafor", "Start the plan", "2026-10-01T09:00:00+00:00")
    edit(plans, "account", "northgate-utilities", "tier", 2)
    second = commit_as(repo, "Tom Becker", "Northgate moves to tier 2", "2026-10-12T09:00:00+00:00")
    assert run_cli_ok(["rename", "account", "northgate-utilities", "northgate", "-C", str(plans)])
    third = commit_as(repo, "Aisha Khan", "Shorter id for Northgate", "2026-10-20T09:00:00+00:00")
    edit(plans, "account", "northgate", "stage", "customer")
    fourth = commit_as(repo, "Tom Becker", "Northgate is a customer", "2026-11-02T09:00:00+00:00")
    return repo, plans, (first, second, third, fourth)


def run_cli_ok(argv) -> bool:
    from tui.cli import main

    return main(argv) == 0


def test_blame_through_a_rename_and_across_authors(story):
    repo, plans, (first, second, third, fourth) = story
    b = entity_blame(plans, "account", "northgate")
    by = {f.field: f for f in b.fields}
    assert (by["tier"].commit, by["tier"].author, by["tier"].id_then) == (second, "Tom Becker", "northgate-utilities")
    assert by["tier"].subject == "Northgate moves to tier 2" and by["tier"].date.startswith("2026-10-12")
    assert (by["id"].commit, by["id"].author) == (third, "Aisha Khan")
    assert (by["stage"].commit, by["stage"].author) == (fourth, "Tom Becker")
    assert (by["name"].commit, by["name"].author, by["name"].email) == (first, "Dana Okafor", "dana@example.com")
    assert b.renames == [("northgate-utilities", "northgate", third)]
    assert set(by) == set(__import__("tui.plan.model", fromlist=["load_plan"]).load_plan(plans)
                          .get("account", "northgate").data)


def test_blame_one_field_and_uncommitted(story, capsys):
    repo, plans, (first, second, third, fourth) = story
    edit(plans, "account", "northgate", "tier", 1)
    b = entity_blame(plans, "account", "northgate", "tier")
    assert [(f.field, f.commit, f.subject) for f in b.fields] == [("tier", None, "not committed yet")]
    assert last_change(plans, "account", "northgate").commit is None
    git(repo, "checkout", "--quiet", "--", "plans")
    code, out, err = run_cli(capsys, "blame", "account", "northgate", "stage", "-C", str(plans))
    assert code == 0, err
    assert fourth[:10] in out and "Tom Becker" in out and "Northgate is a customer" in out
    code, out, err = run_cli(capsys, "blame", "account", "northgate", "--format", "json", "-C", str(plans))
    doc = json.loads(out)
    assert doc["renames"] == [{"old": "northgate-utilities", "new": "northgate", "commit": third}]
    assert {f["field"]: f["author"] for f in doc["fields"]}["tier"] == "Tom Becker"


def test_blame_refuses_unknowns_and_option_like_text(story, capsys):
    repo, plans, _ = story
    code, _, err = run_cli(capsys, "blame", "account", "northgate-utilitie", "-C", str(plans))
    assert code == 2 and "no account with id" in err
    code, _, err = run_cli(capsys, "blame", "account", "northgate", "nope", "-C", str(plans))
    assert code == 2 and "has no field 'nope'" in err
    out_file = repo / "x"
    code, _, err = run_cli(capsys, "blame", "-C", str(plans), "account", "--", f"--output={out_file}")
    assert code == 2 and "no account with id" in err and not out_file.exists()


def test_blame_key_result_checkins_by_two_authors(repo, monkeypatch, capsys):
    monkeypatch.setenv("QUARTERDECK_TODAY", "2026-12-01")
    plans = repo / "plans"
    commit_as(repo, "Dana Okafor", "Start", "2026-11-30T09:00:00+00:00")
    kr = "grow-pipeline/sourced-pipeline"
    assert run_cli(capsys, "checkin", kr, "2200000", "--confidence", "4", "-C", str(plans))[0] == 0
    c = commit_as(repo, "Mei Lin", "Check-in 2026-12-01", "2026-12-01T09:00:00+00:00")
    by = {f.field: f for f in entity_blame(plans, "key_result", kr).fields}
    assert by["actual"].author == by["checkin"].author == "Mei Lin" and by["actual"].commit == c
    assert by["target"].author == "Dana Okafor"
    with PlanRepo(plans) as prepo:
        quarters = kr_checkins_by_quarter(prepo, kr)
    assert quarters[-1].label == "working tree" and quarters[-1].checkins[-1]["value"] == 2200000
    assert [x["date"] for x in quarters[-1].checkins][-2:] == ["2026-11-30", "2026-12-01"]
