"""Values the insights cannot compute with (inf, nan, the largest integers, offset
date-times in custom) are shown and called "not a number", never a failure; one
key-result progress formula; one Markdown escaper; the insights never read git."""

from __future__ import annotations

import ast
import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.cli import main
from tui.plan.insights.markdown import md_code, md_text
from tui.plan.insights.progress import kr_progress, kr_progress_note

BIG = 9223372036854775807  # the largest TOML integer


def _odd_values(plan_dir: Path) -> Path:
    goals = plan_dir / "goals.toml"
    text = goals.read_text(encoding="utf-8")
    for old, new in (("actual = 109", "actual = inf"), ("target = 106\n", "target = nan\n"),
                     ("baseline = 41", f"baseline = {BIG}"), ("actual = 2150000", "actual = -inf")):
        assert old in text
        text = text.replace(old, new, 1)
    text = text.replace('due = 2026-12-31\n', 'due = 2026-12-31\ncustom = { at = 2026-11-02T10:00:00+05:45, '
                        f'z = 2026-11-02T10:00:00Z, t = 10:30:00, big = {BIG}, x = nan }}\n', 1)
    goals.write_text(text, encoding="utf-8")
    plan = plan_dir / "plan.toml"
    text = plan.read_text(encoding="utf-8")
    plan.write_text(text.replace("revenue_target = 2400000", "revenue_target = inf", 1), encoding="utf-8")
    return plan_dir


@pytest.mark.parametrize("argv", [["report"], ["report", "--format", "html"], ["coverage"],
                                  ["coverage", "--format", "json"], ["coverage", "--format", "markdown"],
                                  ["stage"], ["stage", "--format", "json"], ["sla"], ["sla", "--format", "json"]])
def test_reports_say_not_a_number_instead_of_failing(argv, plan_dir, capsys):
    _odd_values(plan_dir)
    code = main([*argv, str(plan_dir)])
    out, err = capsys.readouterr()
    assert code in (0, 1) and "unexpected error" not in err and "Traceback" not in err, err
    if "--format" in argv and "json" in argv:
        json.loads(out)  # valid JSON: no bare Infinity or NaN
        assert "Infinity" not in out and "NaN" not in out
    if argv[0] == "report":
        assert "not a number" in out  # the progress that cannot be computed
        assert "inf" in out and "nan" in out  # the values themselves, as written
    if argv == ["sla"]:
        assert "revenue_target is inf, not a number" in out


def test_export_keeps_the_odd_values(plan_dir, capsys):
    _odd_values(plan_dir)
    assert main(["export", "csv", "key_result", "-C", str(plan_dir)]) == 0
    out = capsys.readouterr().out
    assert ",inf," in out and ",-inf," in out and f",{BIG}," in out
    assert "2026-11-02T10:00:00+05:45" in out


def test_huge_results_of_arithmetic_are_told_not_raised(plan_dir, capsys):
    plan = plan_dir / "plan.toml"
    text = plan.read_text(encoding="utf-8")
    text = text.replace("revenue_target = 2400000", "revenue_target = 1e308", 1)
    text = text.replace("average_deal_size = ", "average_deal_size = 1e-300 # ", 1)
    plan.write_text(text, encoding="utf-8")
    assert main(["sla", str(plan_dir)]) in (0, 1)
    out, err = capsys.readouterr()
    assert "unexpected error" not in err and "not a number" in out


# -- one progress formula ------------------------------------------------------------------------

@pytest.mark.parametrize("data,expected", [
    ({"baseline": 10, "target": 20, "actual": 15, "direction": "increase"}, 0.5),
    ({"baseline": 100, "target": 200, "actual": 150, "direction": "increase"}, 0.5),
    ({"baseline": 10, "target": 20, "actual": 5, "direction": "increase"}, -0.5),
    ({"baseline": 10, "target": 20, "actual": 25, "direction": "increase"}, 1.5),
    ({"baseline": 41, "target": 12, "actual": 19, "direction": "decrease"}, 22 / 29),
    ({"baseline": 40, "target": 10, "actual": 30, "direction": "decrease"}, 1 / 3),
    ({"target": 20, "actual": 5, "direction": "increase"}, 0.25),  # no baseline: from 0
    ({"target": 20, "actual": 5}, 0.25),  # direction defaults to increase
    ({"target": 10, "actual": 10, "direction": "maintain"}, 1.0),
    ({"baseline": 100, "target": 100, "actual": 90, "direction": "maintain"}, 0.9),
    ({"baseline": 100, "target": 100, "actual": 110, "direction": "maintain"}, 0.9),
    ({"target": 0, "actual": 0, "direction": "maintain"}, 1.0),
    ({"target": 0, "actual": 3, "direction": "maintain"}, 0.0),
    ({"baseline": 20, "target": 20, "actual": 21, "direction": "increase"}, 1.0),
    ({"baseline": 20, "target": 20, "actual": 19, "direction": "increase"}, 0.0),
    ({"baseline": 20, "target": 20, "actual": 19, "direction": "decrease"}, 1.0),
])
def test_kr_progress(data, expected):
    assert kr_progress(data) == pytest.approx(expected)


@pytest.mark.parametrize("data,note", [
    ({"target": 20, "direction": "increase"}, "no actual yet"),
    ({"actual": 3, "direction": "increase"}, "no target"),
    ({"target": 20, "actual": math.inf}, "not a number"),
    ({"target": math.nan, "actual": 3}, "not a number"),
    ({"baseline": math.inf, "target": 20, "actual": 3}, "not a number"),
    ({"baseline": 10, "target": 10 ** 400, "actual": 3}, "not a number"),
    ({"target": True, "actual": 3}, "not a number"),
    ({"target": "20", "actual": 3}, "not a number"),
    ({"target": 10, "actual": 30, "direction": "decrease"}, "no baseline"),
    ({"baseline": 1e308, "target": -1e308, "actual": 0, "direction": "decrease"}, "not a number"),
])
def test_kr_progress_not_computable(data, note):
    assert kr_progress(data) is None
    assert kr_progress_note(data) == (None, note)


def test_kr_progress_takes_an_entity_and_the_report_uses_it(plan_dir):
    from tui.plan.insights import report
    from tui.plan.model import load_plan

    kr = load_plan(plan_dir).get("key_result", "grow-pipeline/new-opportunities")
    assert kr_progress(kr) == kr_progress(kr.data) == pytest.approx((109 - 118) / (160 - 118))
    assert report.kr_progress is kr_progress  # one formula


# -- one Markdown escaper -------------------------------------------------------------------------

def test_md_text_and_md_code():
    assert md_text("1. not a list") == "1\\. not a list"
    assert md_text("- nor this") == "\\- nor this" and md_text("> nor a quote") == "\\> nor a quote"
    assert md_text("a\nb|c *d* _e_ [f](g) <h> # & !") == "a b\\|c \\*d\\* \\_e\\_ \\[f\\](g) \\<h\\> \\# \\& \\!"
    assert md_text("esc \x1b[2J bel \x07 bidi \u202e") == "esc \\\\x1b\\[2J bel \\\\x07 bidi \\\\u202e"
    assert md_code("a `tick`") == "`` a `tick` ``" and md_code("x\x1by") == "`x\\x1by`"


def test_insights_have_one_markdown_escaper():
    """No other module of the insights defines its own Markdown escaping."""
    folder = ROOT / "tui" / "plan" / "insights"
    own = []
    for path in folder.glob("*.py"):
        if path.name == "markdown.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef) and ("md" in node.name.lower() and "escape" in node.name.lower()
                                                       or node.name in ("md_text", "md_code", "_md", "_md_code")):
                own.append(f"{path.name}:{node.name}")
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "_MD_SPECIAL" for t in node.targets):
                own.append(f"{path.name}:_MD_SPECIAL")
    assert own == []


# -- the insights never read git ------------------------------------------------------------------

def test_plan_insights_never_import_history():
    """The report takes history as plain data: no module under tui/plan imports
    tui.history, statically or when loaded."""
    bad = []
    for path in (ROOT / "tui" / "plan").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [("." * node.level) + (node.module or "")]
            for name in names:
                if name.startswith(("tui.history", "git")) or name.startswith("...history") or \
                        (path.parent.name == "insights" and name.startswith("...history")):
                    bad.append(f"{path.relative_to(ROOT)}: {name}")
    assert bad == []
    code = ("import sys\nimport tui.plan.insights.report, tui.plan.insights.render, tui.plan.insights.imports\n"
            "print(sorted(m for m in sys.modules if m.startswith('tui.history') or m == 'git'))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "[]"


def test_an_sla_commitment_that_is_no_number_is_a_finding(plan_dir, capsys):
    plan = plan_dir / "plan.toml"
    plan.write_text(plan.read_text(encoding="utf-8").replace("mql_commitment = 180", "mql_commitment = inf", 1),
                    encoding="utf-8")
    assert main(["sla", str(plan_dir)]) == 0
    assert "mql_commitment is inf, not a number" in capsys.readouterr().out
    assert main(["sla", str(plan_dir), "--strict"]) == 1
