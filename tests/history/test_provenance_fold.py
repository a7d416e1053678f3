"""Provenance (`custom.carried_from`, set by rollover on every carried entity) is folded
into one summary line by `quarterdeck diff` (all formats), the commit message and the
report; `--all-fields` lists it entity by entity."""

from __future__ import annotations

import json

import pytest

from tests.history.helpers import git, run_cli
from tui.plan.model import load_plan

pytestmark = pytest.mark.git


@pytest.fixture
def rolled(committed, capsys):
    code, _, err = run_cli(capsys, "rollover", "-C", str(committed / "plans"))
    assert code == 0, err
    return committed


def _carried(plans) -> int:
    plan = load_plan(plans)
    return sum(1 for kind in list(plan.entities) for e in plan.all(kind)
               if isinstance(e.data.get("custom"), dict) and e.data["custom"].get("carried_from") == "2026-Q4")


def test_text_diff_folds_provenance_into_one_line(rolled, capsys):
    plans = rolled / "plans"
    n = _carried(plans)
    assert n > 100
    _, out, _ = run_cli(capsys, "diff", "2026-Q4", "HEAD", "-C", str(plans))
    assert "carried_from" not in out
    assert [line for line in out.splitlines() if "carried" in line] == [
        f"= {n} entities carried from 2026-Q4 (folded; --all-fields lists each)"]
    # an entity whose only change is the mark is not listed at all
    assert "~ account harbor-hvac" not in out and "~ persona " not in out
    assert "~ key_result grow-pipeline/sourced-pipeline" in out  # real changes still are


def test_all_fields_lists_provenance_per_entity(rolled, capsys):
    plans = rolled / "plans"
    n = _carried(plans)
    _, out, _ = run_cli(capsys, "diff", "2026-Q4", "HEAD", "--all-fields", "-C", str(plans))
    assert out.count("custom.carried_from: + \"2026-Q4\"") + out.count("custom: + {carried_from") >= n - 5
    assert "entities carried from" not in out
    assert "~ account harbor-hvac" in out


def test_json_and_markdown_fold_provenance(rolled, capsys):
    plans = rolled / "plans"
    n = _carried(plans)
    _, out, _ = run_cli(capsys, "diff", "2026-Q4", "HEAD", "--format", "json", "-C", str(plans))
    doc = json.loads(out)
    assert doc["folded"] == [{"field": "custom.carried_from", "value": "2026-Q4", "entities": n}]
    assert not any(f["field"].startswith("custom.carried_from") for c in doc["changes"] for f in c["fields"])
    _, full, _ = run_cli(capsys, "diff", "2026-Q4", "HEAD", "--format", "json", "--all-fields", "-C", str(plans))
    full = json.loads(full)
    assert full["folded"] == []
    assert sum(1 for c in full["changes"] for f in c["fields"] if f["field"] == "custom.carried_from") == n
    _, md, _ = run_cli(capsys, "diff", "2026-Q4", "HEAD", "--format", "markdown", "-C", str(plans))
    assert f"_{n} entities carried from 2026-Q4 (provenance, folded)_" in md
    assert "carried\\_from" not in md and "carried_from" not in md


def test_commit_message_of_the_rollover_folds_provenance(rolled):
    body = git(rolled, "log", "-1", "--format=%B")
    n = _carried(rolled / "plans")
    assert f"- {n} entities carried from 2026-Q4" in body
    assert "carried_from" not in body


def test_report_folds_provenance_and_all_fields_lists_it(rolled, capsys):
    plans = rolled / "plans"
    n = _carried(plans)
    _, out, _ = run_cli(capsys, "report", str(plans))
    assert f"{n} entities carried from 2026-Q4" in out
    assert out.count("carried\\_from set to") == 0
    _, full, _ = run_cli(capsys, "report", str(plans), "--all-fields")
    assert full.count("custom.carried\\_from set to") == n


def test_diff_help_documents_all_fields(capsys):
    with pytest.raises(SystemExit):
        run_cli(capsys, "diff", "--help")
    out = capsys.readouterr().out
    assert "--all-fields" in out and "custom.carried_from" in out


def test_checkins_cleared_by_rollover_read_as_a_count_and_span(rolled, capsys):
    _, out, _ = run_cli(capsys, "diff", "2026-Q4", "HEAD", "-C", str(rolled / "plans"))
    lines = out.splitlines()
    start = lines.index(next(line for line in lines if line.startswith("~ key_result grow-pipeline/sourced-pipeline")))
    block = []
    for line in lines[start + 1:]:
        if not line.startswith("    "):
            break
        block.append(line)
    assert "    checkin: - 9 check-ins, 2026-10-05 … 2026-11-30" in block
    assert not any("{date = " in line for line in block)
