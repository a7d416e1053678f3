"""Check-ins through the command line: surgical in git terms, refused when wrong, many from a CSV."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from tests.history.helpers import git, run_cli
from tui.plan.checkins import latest_checkin
from tui.plan.model import load_plan

pytestmark = pytest.mark.git

KR = "grow-pipeline/sourced-pipeline"


@pytest.fixture(autouse=True)
def today(monkeypatch):
    monkeypatch.setenv("QUARTERDECK_TODAY", "2026-12-01")


def _diff(repo) -> tuple[list[str], list[str]]:
    text = git(repo, "diff", "--no-color", "--no-ext-diff", "-U0", "--", "plans/goals.toml")
    lines = [ln for ln in text.splitlines() if ln[:1] in "+-" and not ln.startswith(("+++", "---"))]
    return [ln[1:] for ln in lines if ln.startswith("+")], [ln[1:] for ln in lines if ln.startswith("-")]


def test_checkin_diff_is_the_new_block_and_the_actual_line(committed, capsys):
    plans = committed / "plans"
    code, out, err = run_cli(capsys, "checkin", KR, "2,310,000", "--confidence", "7", "--note",
                             "Two webinar cohorts converted", "--by", "rita-alvarez", "-C", str(plans))
    assert code == 0, err
    assert out.strip() == "sourced-pipeline: 2,150,000 → 2,310,000 (confidence 7, Rita: Two webinar cohorts converted)"
    added, removed = _diff(committed)
    assert removed == ["actual = 2150000"]
    expected = ["actual = 2310000", "[[goal.key_result.checkin]]", "date = 2026-12-01", "value = 2310000",
                "confidence = 7", 'note = "Two webinar cohorts converted"', 'by = "rita-alvarez"']
    assert [a for a in added if a.strip()] == expected
    assert len(added) <= len(expected) + 2  # at most the blank lines that set the block off
    # placed after the key result's last check-in, before the next key result
    text = (plans / "goals.toml").read_text()
    block = text.index('note = "Two webinar cohorts converted"')
    assert text.rindex("date = 2026-11-30", 0, block) < block < text.index('id = "new-opportunities"')
    kr = load_plan(plans).get("key_result", KR)
    assert kr.data["actual"] == 2310000 and latest_checkin(kr)["date"] == dt.date(2026, 12, 1)
    code, out, err = run_cli(capsys, "check", str(plans), "--format", "json")
    assert code == 0 and '"checkin.' not in out


def test_first_checkin_goes_at_the_end_of_the_key_result(repo, capsys):
    plans = repo / "plans"
    goals = plans / "goals.toml"
    text = goals.read_text()
    # drop every check-in: the example without them
    goals.write_text(re.sub(r"\n\[\[goal\.key_result\.checkin\]\]\n(?:[a-z]+ = .*\n)+", "", text))
    git(repo, "add", "plans")
    git(repo, "commit", "--quiet", "-m", "plan without check-ins")
    assert "checkin" not in goals.read_text()
    code, _, err = run_cli(capsys, "checkin", "win-enterprise/enterprise-wins", "3", "--date", "2026-11-30",
                           "-C", str(plans))
    assert code == 0, err
    added, removed = _diff(repo)
    assert removed == ["actual = 2"]
    assert [a for a in added if a.strip()] == ["actual = 3", "[[goal.key_result.checkin]]", "date = 2026-11-30",
                                               "value = 3", 'by = "tom-becker"']
    kr = load_plan(plans).get("key_result", "win-enterprise/enterprise-wins")
    assert kr.data["checkin"] == [{"date": dt.date(2026, 11, 30), "value": 3, "by": "tom-becker"}]


@pytest.mark.parametrize("args, says", [
    (["5", "--date", "2026-11-02"], "already has a check-in on 2026-11-02"),
    (["5", "--date", "2026-11-20"], "before grow-pipeline/sourced-pipeline's latest check-in (2026-11-30)"),
    (["5", "--date", "2026-12-02"], "in the future"),
    (["5", "--date", "2027-01-04"], "outside the quarter"),
    (["5", "--by", "nobody"], "no member has the id 'nobody'"),
    (["5", "--confidence", "11"], "not a whole number from 0 to 10"),
])
def test_bad_checkins_are_refused_and_nothing_is_written(committed, capsys, args, says):
    plans = committed / "plans"
    before = (plans / "goals.toml").read_bytes()
    code, _, err = run_cli(capsys, "checkin", KR, *args, "-C", str(plans))
    assert code == 1 and says in err, err
    assert (plans / "goals.toml").read_bytes() == before


def test_usage_errors(committed, capsys):
    plans = committed / "plans"
    assert run_cli(capsys, "checkin", "grow-pipeline", "5", "-C", str(plans))[0] == 2
    assert run_cli(capsys, "checkin", KR, "lots", "-C", str(plans))[0] == 2
    assert run_cli(capsys, "checkin", KR, "5", "--date", "30/11/2026", "-C", str(plans))[0] == 2
    assert run_cli(capsys, "checkin", "-C", str(plans))[0] == 2


def test_checkin_all_from_csv_no_partial_write(committed, tmp_path, capsys):
    plans = committed / "plans"
    src = tmp_path / "week.csv"
    src.write_text("goal,key_result,value,confidence,note,date,by\n"
                   "grow-pipeline,new-opportunities,112,4,Outbound restarted,2026-12-01,Dana Okafor\n"
                   "grow-pipeline,pipeline-coverage,3.1,,,2026-12-01,\n"
                   "grow-pipeline,sourced-pipeline,2200000,5,,2026-11-02,\n")
    before = (plans / "goals.toml").read_bytes()
    code, out, _ = run_cli(capsys, "checkin", "--all", str(src), "-C", str(plans))
    assert code == 1 and "already has a check-in on 2026-11-02" in out
    assert "nothing written: 1 row(s) refused" in out
    assert (plans / "goals.toml").read_bytes() == before
    src.write_text(src.read_text().replace("2026-11-02", "2026-12-01"))
    code, out, err = run_cli(capsys, "checkin", "--all", str(src), "-C", str(plans))
    assert code == 0, out + err
    assert "= same    line 3" in out  # same value, no confidence or note: no check-in
    plan = load_plan(plans)
    opp = plan.get("key_result", "grow-pipeline/new-opportunities")
    assert opp.data["actual"] == 112
    assert latest_checkin(opp) == {"date": dt.date(2026, 12, 1), "value": 112, "confidence": 4,
                                   "note": "Outbound restarted", "by": "dana-okafor"}
    assert plan.get("key_result", KR).data["actual"] == 2200000
    added, removed = _diff(committed)
    assert sorted(removed) == ["actual = 109", "actual = 2150000"]
    assert sum(1 for a in added if a.startswith("[[goal.key_result.checkin]]")) == 2


def test_import_actuals_writes_dated_checkins(committed, tmp_path, capsys):
    plans = committed / "plans"
    src = tmp_path / "actuals.csv"
    src.write_text("key_result,actual\ngrow-pipeline/new-opportunities,121\n")
    code, out, err = run_cli(capsys, "import", "actuals", str(src), "--plan", str(plans), "--date", "2026-11-30")
    assert code == 1 and "already has a check-in on 2026-11-30" in out  # the example checked in that day
    code, out, err = run_cli(capsys, "import", "actuals", str(src), "--plan", str(plans))
    assert code == 0, out + err
    kr = load_plan(plans).get("key_result", "grow-pipeline/new-opportunities")
    assert kr.data["actual"] == 121
    assert latest_checkin(kr) == {"date": dt.date(2026, 12, 1), "value": 121, "by": "dana-okafor"}
