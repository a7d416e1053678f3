"""`trend GOAL/KR`: every tagged quarter with the check-ins it held, the working tree
merged into its quarter's tag when nothing changed since, plan text made safe, and
numbers that cannot be computed said so."""

from __future__ import annotations

import json
import os
import re

import pytest

from tests.history.helpers import git, run_cli
from tui.history.revisions import key_result_trend

pytestmark = pytest.mark.git

KR = "grow-pipeline/sourced-pipeline"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo repository, built once for this module (the build takes a while), with
    git's configuration isolated as for every history test."""
    from tui.history.demo import build_demo

    home = tmp_path_factory.mktemp("demo-home")
    (home / ".gitconfig").write_text("")
    with pytest.MonkeyPatch.context() as mp:
        for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
            mp.delenv(name, raising=False)
        mp.setenv("HOME", str(home))
        mp.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
        mp.setenv("GIT_CONFIG_NOSYSTEM", "1")
        mp.setenv("QUARTERDECK_TODAY", "2026-12-01")
        plans = build_demo(tmp_path_factory.mktemp("demo") / "demo")
    return plans


def _quarter_rows(out: str) -> list[str]:
    return [line for line in out.splitlines() if re.match(r"  \d{4}-Q\d ", line)]


def test_trend_shows_the_checkins_of_every_quarter(demo, capsys):
    points = key_result_trend(demo, KR)
    assert [p.quarter for p in points] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    for p in points:
        assert len(p.checkins) >= 8, (p.quarter, len(p.checkins))  # weekly check-ins, not just the quarter end
        dates = [c["date"] for c in p.checkins]
        assert dates == sorted(dates) and all(d.startswith(p.quarter[:4]) for d in dates)
        assert p.checkins[-1]["value"] == p.actual
    code, out, _ = run_cli(capsys, "trend", KR, "-C", str(demo))
    assert code == 0
    checkin_rows = [line for line in out.splitlines() if "check-in 20" in line]
    assert len(checkin_rows) == sum(len(p.checkins) for p in points)
    assert any("check-in 2026-11-30" in line and "2150000" in line and "confidence 3" in line
               for line in checkin_rows)


def test_the_working_tree_equal_to_the_tag_is_one_row(demo, capsys):
    points = key_result_trend(demo, KR)
    assert points[-1].quarter == "2026-Q4" and points[-1].current
    assert points[-1].label == "plan/2026-Q4 = working tree"
    code, out, _ = run_cli(capsys, "trend", KR, "-C", str(demo))
    quarters = [line.split()[0] for line in _quarter_rows(out)]
    assert quarters == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]  # no quarter twice
    _, js, _ = run_cli(capsys, "trend", KR, "--format", "json", "-C", str(demo))
    doc = json.loads(js)
    assert [p["quarter"] for p in doc["points"]] == ["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]
    assert doc["points"][-1]["current"] is True and len(doc["points"][-1]["checkins"]) == len(points[-1].checkins)


@pytest.fixture
def working_copy(demo, tmp_path):
    """A clone of the demo (its tags too) to change without touching the shared one."""
    root = tmp_path / "clone"
    git(tmp_path, "clone", "--quiet", str(demo.parent), str(root))
    git(root, "config", "user.name", "Test Person")
    git(root, "config", "user.email", "test@example.com")
    return root / "plans"


def test_a_working_tree_that_moved_on_is_its_own_row(working_copy, capsys):
    code, _, err = run_cli(capsys, "checkin", KR, "2160000", "--date", "2026-12-01", "--by", "mei-lin",
                           "-C", str(working_copy))
    assert code == 0, err
    points = key_result_trend(working_copy, KR)
    assert [(p.quarter, p.label) for p in points][-2:] == [("2026-Q4", "plan/2026-Q4"), ("2026-Q4", "working tree")]
    assert len(points[-1].checkins) == len(points[-2].checkins) + 1


def test_plan_text_is_shown_safe_and_numbers_that_cannot_be_computed_say_so(working_copy, capsys):
    goals = working_copy / "goals.toml"
    text = goals.read_text(encoding="utf-8")
    start = text.index('id = "sourced-pipeline"')
    head, tail = text[:start], text[start:]
    tail = re.sub(r"\ntarget = [^\n]+", "\ntarget = inf", tail, count=1)
    tail = re.sub(r"\nactual = [^\n]+", "\nactual = nan", tail, count=1)
    tail = tail.replace('Webinar pipeline slipped to January', 'Webinar\\u001b[31m pipeline\\u202e slipped', 1)
    goals.write_text(head + tail, encoding="utf-8")
    code, out, err = run_cli(capsys, "trend", KR, "-C", str(working_copy))
    assert code == 0, err
    assert "\x1b" not in out and "\u202e" not in out
    assert "mei-lin: Webinar\\x1b[31m pipeline\\u202e slipped" in out  # made visible, one line
    last = _quarter_rows(out)[-1]
    assert "working tree" in last and "infinite" in last and "not a number" in last
    assert "progress cannot be computed" in last
    _, js, _ = run_cli(capsys, "trend", KR, "--format", "json", "-C", str(working_copy))
    doc = json.loads(js)  # valid JSON: no bare NaN or Infinity
    assert doc["points"][-1]["target"] == "inf" and doc["points"][-1]["actual"] == "nan"
    assert "NaN" not in js and "Infinity" not in js
