"""`quarterdeck diff` of check-ins: matched by date (the registry's identity key), a
check-in added reads as one line with its value before and after, and the `actual`
that came with it is folded into that line."""

from __future__ import annotations

import json

from tests.history.helpers import git, run_cli

KR = "grow-pipeline/sourced-pipeline"
LINE = "grow-pipeline/sourced-pipeline: 2,150,000 → 2,310,000 (confidence 7, Dana: two late deals) on 2026-12-01"


def _checkin(repo, capsys, value="2310000", date="2026-12-01", *extra):
    code, out, err = run_cli(capsys, "checkin", KR, value, "--confidence", "7", "--note", "two late deals",
                             "--by", "dana-okafor", "--date", date, *extra, "-C", str(repo / "plans"))
    assert code == 0, err


def _kr_lines(text: str) -> list[str]:
    """The lines of a text diff that belong to the key result (its entry and fields)."""
    lines = text.splitlines()
    out, inside = [], False
    for line in lines:
        if line.startswith(("~ ", "+ ", "- ", "> ")) or not line.startswith(" "):
            inside = KR in line
        if inside:
            out.append(line)
    return out


def test_a_checkin_added_is_one_line_in_text(committed, capsys):
    _checkin(committed, capsys)
    code, out, _ = run_cli(capsys, "diff", "-C", str(committed / "plans"))
    assert code == 0
    assert _kr_lines(out) == [f"~ key_result {LINE}"]
    assert "actual" not in out and "checkin[" not in out
    assert "0 added, 1 changed, 0 removed" in out


def test_a_checkin_added_is_one_bullet_in_markdown(committed, capsys):
    _checkin(committed, capsys)
    _, out, _ = run_cli(capsys, "diff", "--format", "markdown", "-C", str(committed / "plans"))
    bullets = [line for line in out.splitlines() if line.startswith(("- ", "  - "))]
    assert bullets == ["- **check-in** grow-pipeline/sourced-pipeline: 2,150,000 → 2,310,000 "
                       "\\(confidence 7, Dana: two late deals\\) on 2026-12-01"]


def test_a_checkin_added_is_one_structured_entry_in_json(committed, capsys):
    _checkin(committed, capsys)
    _, out, _ = run_cli(capsys, "diff", "--format", "json", "-C", str(committed / "plans"))
    doc = json.loads(out)
    (change,) = doc["changes"]
    assert change["id"] == KR and change["op"] == "changed"
    (f,) = change["fields"]
    assert f["op"] == "checkin" and f["field"] == "checkin[2026-12-01]"
    assert f["old"] == 2150000
    assert f["new"] == {"date": "2026-12-01", "value": 2310000, "confidence": 7, "note": "two late deals",
                        "by": "dana-okafor"}
    assert f["summary"] == "sourced-pipeline: 2,150,000 → 2,310,000 (confidence 7, Dana: two late deals)"
    assert f["folded"] == ["actual"]


def test_the_commit_message_has_the_checkin_line(committed, capsys):
    _checkin(committed, capsys)
    code, out, err = run_cli(capsys, "commit", "-C", str(committed / "plans"), "-m", "Weekly check-in")
    assert code == 0, err
    body = git(committed, "log", "-1", "--format=%B")
    assert f"key_result {LINE}" in body
    assert "actual" not in body


def test_an_edited_checkin_is_matched_by_date_not_position(committed, capsys):
    # a check-in inserted before the last one (dated earlier) does not shift the others
    from tui.plan.edit import apply_change, set_field
    from tui.plan.model import load_plan

    plan = load_plan(committed / "plans")
    entries = list(plan.get("key_result", KR).data["checkin"])
    entries[-1] = dict(entries[-1], confidence=5)
    apply_change(plan, set_field(plan, "key_result", KR, "checkin", entries, force=True))
    _, out, _ = run_cli(capsys, "diff", "-C", str(committed / "plans"))
    assert _kr_lines(out)[1:] == ["    checkin[2026-11-30].confidence: 3 → 5"]


def test_an_actual_that_disagrees_with_the_checkin_is_still_listed(committed, capsys):
    from tests.history.helpers import edit

    _checkin(committed, capsys)
    edit(committed / "plans", "key_result", KR, "actual", 2400000)
    _, out, _ = run_cli(capsys, "diff", "-C", str(committed / "plans"))
    lines = _kr_lines(out)
    assert "    actual: 2150000 → 2400000" in lines
    assert any("+ check-in sourced-pipeline: 2,150,000 → 2,310,000" in line for line in lines)


def test_a_committee_member_renamed_is_matched_by_the_declared_email(committed, capsys):
    # the registry identifies committee members by email: a new name is a change of that
    # member, not one member removed and another added
    from tui.plan.edit import apply_change, set_field
    from tui.plan.model import load_plan

    plans = committed / "plans"
    plan = load_plan(plans)
    members = [dict(m) for m in plan.get("account", "harbor-hvac").data["committee"]]
    kenji = next(m for m in members if m["name"] == "Kenji Moriyama")
    kenji["name"] = "Kenji Moriyama-Sato"
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "committee", members, force=True))
    _, out, _ = run_cli(capsys, "diff", "--format", "json", "-C", str(plans))
    (change,) = json.loads(out)["changes"]
    assert [(f["field"], f["op"], f["old"], f["new"]) for f in change["fields"]] == [
        ("committee[Kenji Moriyama-Sato].name", "changed", "Kenji Moriyama", "Kenji Moriyama-Sato")]


def test_the_first_checkin_of_a_key_result_is_one_line_too(repo, capsys):
    import re

    plans = repo / "plans"
    goals = plans / "goals.toml"
    goals.write_text(re.sub(r"\n\[\[goal\.key_result\.checkin\]\]\n(?:[a-z]+ = .*\n)+", "", goals.read_text()))
    git(repo, "add", "plans")
    git(repo, "commit", "--quiet", "-m", "plan without check-ins")
    code, _, err = run_cli(capsys, "checkin", KR, "2310000", "--confidence", "7", "--note", "two late deals",
                           "--by", "dana-okafor", "--date", "2026-12-01", "-C", str(plans))
    assert code == 0, err
    _, out, _ = run_cli(capsys, "diff", "-C", str(plans))
    assert _kr_lines(out) == [f"~ key_result {LINE}"]
