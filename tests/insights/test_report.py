"""The quarterly review brief: Markdown for pull requests, self-contained printable HTML."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tui.cli import main
from tui.plan.insights.report import History, HistoryChange, HistoryDiff, kr_progress, md_text, quarterly_report
from tui.plan.model import load_plan

from .conftest import block, content, persona

HOSTILE = "<script>alert(1)</script> | *bold* [link](http://x.example) `tick` [bold]markup[/bold] שלום 🚀"


def _plan(make_plan):
    goals = block("goal", id="g1", title=HOSTILE, team="shared", owners=["sam", "mia"], status="at_risk") + (
        '\n[[goal.key_result]]\nid = "kr1"\ntitle = "Deals"\nmetric = "Closed won"\nunit = "count"\n'
        'baseline = 10\ntarget = 20\nactual = 15\ndirection = "increase"\ndue = 2026-12-31\n')
    return load_plan(make_plan(goals=goals, personas=persona("alex", {"decision": ["- is it safe?"]}),
                               content=content("x", "awareness", ["alex"])))


def test_markdown_sections_and_escaping(make_plan):
    md = quarterly_report(_plan(make_plan), today=dt.date(2026, 11, 2),
                          history=History("2026-Q3", unavailable="history unavailable"))
    assert md.startswith("# Quarterly review: Acme Rockets, 2026-Q4\n\n> 2026-10-01 to 2026-12-31 · prepared 2026-11-02\n")
    for heading in ("## Goals and key results", "## Journey coverage", "## Alignment stage: **undefined**",
                    "## SLA arithmetic", "## Problems: ", "## Changes since 2026-Q3"):
        assert heading in md
    # where it stands in words, a text bar with the expected-by-today mark, the pace
    assert "| Deals `kr1` | 15 of 20 | `████┃█░░░░░░` ● 50% | expected 35% by today | — | on track | — |" in md
    assert ("### \\<script\\>alert(1)\\</script\\> \\| \\*bold\\* \\[link\\](http://x.example) \\`tick\\` "
            "\\[bold\\]markup\\[/bold\\] שלום 🚀 `g1`") in md
    assert "<script>" not in md
    assert "  - asks: - is it safe?" in md
    assert "> history unavailable" in md


def test_html_is_self_contained_and_escaped(make_plan):
    page = quarterly_report(_plan(make_plan), "html", history=History("2026-Q3", unavailable="history unavailable"),
                            today=dt.date(2026, 11, 2))
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page.replace("&lt;script&gt;", "")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | *bold* [link](http://x.example) `tick`" in page
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import", page)
    assert "@media print" in page
    assert 'data-kr="g1/kr1"' in page and "● 50%" in page and 'data-expected="' in page


def test_history_section_renders_a_diff(make_plan):
    # the report takes plain data (the CLI gathers it from git): field changes already worded
    change = HistoryChange("changed", "account", "apex", "Apex <Corp>", None, ["tier 2 → 1"])
    diff = HistoryDiff("2026-Q3", "working tree", [change], ["shallow clone"])
    md = quarterly_report(_plan(make_plan), history=History("2026-Q3", diff=diff))
    assert "> 2026-Q3 → working tree: 1 changed" in md
    assert "- **changed** account `apex` — Apex \\<Corp\\>\n  - tier 2 → 1" in md
    assert "> ⚠️ shallow clone" in md


def test_progress():
    assert kr_progress({"baseline": 10, "target": 20, "actual": 15, "direction": "increase"}) == 0.5
    assert kr_progress({"baseline": 40, "target": 10, "actual": 30, "direction": "decrease"}) == pytest.approx(1 / 3)
    assert kr_progress({"target": 20, "actual": 5, "direction": "increase"}) == 0.25
    assert kr_progress({"target": 20, "direction": "increase"}) is None
    # maintain: 1.0 on the target, less the further the actual strays either way (one formula
    # for the report and the Goals view)
    assert kr_progress({"baseline": 100, "target": 100, "actual": 100, "direction": "maintain"}) == 1.0
    assert kr_progress({"baseline": 100, "target": 100, "actual": 101, "direction": "maintain"}) == pytest.approx(0.99)


def test_md_text_neutralises_markup():
    assert md_text("1. not a list") == "1\\. not a list"
    assert md_text("+ nor this") == "\\+ nor this"
    assert md_text("a\nb|c") == "a b\\|c"


def _git(repo_dir):
    import git

    env = {"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "T",
           "GIT_COMMITTER_EMAIL": "t@example.com"}
    repo = git.Repo.init(repo_dir)
    return repo, env


def test_report_command_with_history(plan_dir, capsys):
    repo, env = _git(plan_dir)
    with repo:
        repo.git.add("--", ".")
        repo.git.commit("-m", "Q3 plan", "--no-verify", "--no-gpg-sign", env=env)
        repo.create_tag("plan/2026-Q3")
    from tui.plan.edit import apply_change, set_field

    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "brightside-solar", "tier", 2))
    assert main(["report", str(plan_dir)]) == 0
    out = capsys.readouterr().out
    assert "## Changes since 2026-Q3" in out
    assert "`brightside-solar`" in out.split("## Changes since 2026-Q3")[1]
    assert "tier 1 → 2" in out
    # one quarter tagged: not yet the two the integrated stage asks for
    assert "1 quarter tag (plan/\\*)" in out


def test_report_command_without_git(plan_dir, tmp_path, capsys):
    out_file = tmp_path / "brief.html"
    assert main(["report", str(plan_dir), "--format", "html", "-o", str(out_file)]) == 0
    page = out_file.read_text(encoding="utf-8")
    assert "<h2>Changes since 2026-Q3</h2>" in page and "history unavailable" in page
    assert main(["report", str(plan_dir), "--since", "Q3"]) == 2
    assert "write a quarter as YYYY-QN" in capsys.readouterr().err
