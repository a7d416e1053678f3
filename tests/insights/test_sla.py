"""SLA arithmetic with exact numbers."""

from __future__ import annotations

from tui.plan.insights.render import sla_text
from tui.plan.insights.sla import sla_math
from tui.plan.model import load_plan

from .conftest import block


def _plan(make_plan, *, revenue=1_000_000, deal=25_000, commit=40, period="month", to_sql=20, to_win=25,
          goals="", start="2026-10-01", end="2026-12-31"):
    head = f"""
[sla]
mql_commitment = {commit}
period = "{period}"
follow_up_hours = 24
follow_up_attempts = 3
mql_criteria = "x"
sql_criteria = "y"
mql_to_sql_rate = {to_sql}
sql_to_win_rate = {to_win}
"""
    root = make_plan(plan=head, goals=goals)
    text = (root / "plan.toml").read_text()
    text = text.replace('stages = [', f"currency = \"EUR\"\nrevenue_target = {revenue}\naverage_deal_size = {deal}\nstages = [")
    text = text.replace("start = 2026-10-01", f"start = {start}").replace("end = 2026-12-31", f"end = {end}")
    (root / "plan.toml").write_text(text)
    return load_plan(root)


def _goal(*krs: str) -> str:
    return block("goal", id="g", title="Funnel", team="shared", owners=["sam", "mia"]) + "".join(krs)


def _kr(id, title, unit, target, actual=None, metric="m"):
    extra = f"actual = {actual}\n" if actual is not None else ""
    return (f'\n[[goal.key_result]]\nid = "{id}"\ntitle = "{title}"\nmetric = "{metric}"\nunit = "{unit}"\n'
            f'target = {target}\n{extra}direction = "increase"\n')


def test_funnel_worked_back_from_revenue(make_plan):
    m = sla_math(_plan(make_plan))
    # 1,000,000 / 25,000 = 40 deals; / 25% = 160 SQLs; / 20% = 800 MQLs
    assert (m.deals, m.sqls, m.mqls) == (40, 160, 800)
    assert m.periods == 3 and (m.deals_per_period, m.sqls_per_period, m.mqls_per_period) == (14, 54, 267)
    assert (m.commitment, m.committed, m.shortfall) == (40, 120, 680)
    (f,) = m.findings
    assert f.code == "sla.mql-shortfall"
    assert f.message.startswith("marketing commits 40 MQLs per month, 120 in the quarter, but the revenue target needs "
                                "800 (1,000,000 / 25,000 = 40 deals; 40 / 25% = 160 SQLs; 160 / 20% = 800 MQLs): "
                                "680 short. Raise the commitment to 267 per month")
    assert not m.ok


def test_each_step_rounds_up(make_plan):
    m = sla_math(_plan(make_plan, revenue=1_000_001, deal=25_000, to_win=30, to_sql=33, commit=1000))
    # 40.00004 -> 41 deals; 41 / 0.30 = 136.67 -> 137 SQLs; 137 / 0.33 = 415.15 -> 416 MQLs
    assert (m.deals, m.sqls, m.mqls) == (41, 137, 416)
    assert m.shortfall == 0 and m.findings == [] and m.ok


def test_weekly_and_quarterly_periods(make_plan):
    weekly = sla_math(_plan(make_plan, period="week", commit=62))
    assert weekly.periods == 92 / 7  # 1 Oct to 31 Dec: 92 days
    assert weekly.committed == 814  # floor(62 * 13.142857)
    assert weekly.mqls_per_period == 61 and weekly.shortfall == 0
    quarterly = sla_math(_plan(make_plan, period="quarter", commit=799))
    assert (quarterly.periods, quarterly.committed, quarterly.shortfall, quarterly.mqls_per_period) == (1, 799, 1, 800)


def test_months_follow_the_plan_dates(make_plan):
    m = sla_math(_plan(make_plan, start="2026-11-15", end="2027-01-14"))
    assert m.periods == 3  # November, December, January
    m = sla_math(_plan(make_plan, start="2026-10-01", end="2026-11-30"))
    assert m.periods == 2 and m.committed == 80


def test_key_results_compared_with_the_funnel(make_plan):
    goals = _goal(
        _kr("mqls", "MQLs delivered", "count", 700),
        _kr("sqls", "Sales qualified leads", "count", 160),
        _kr("conv", "MQL to SQL conversion", "percent", 25, actual=15),
        _kr("win", "SQL win rate", "percent", 25, actual=20),
        _kr("accept", "MQLs accepted", "percent", 80),
        _kr("other", "Pipeline", "currency", 5),
    )
    m = sla_math(_plan(make_plan, commit=300, goals=goals))
    checks = {k.id: (k.measures, k.expected, k.ok) for k in m.key_results}
    assert checks == {
        "g/mqls": ("mqls", 800, False),
        "g/sqls": ("sqls", 160, True),
        "g/conv": ("mql_to_sql", 20.0, False),
        "g/win": ("sql_to_win", 25.0, True),
        "g/accept": ("related", None, None),
    }
    messages = {(f.code, f.key_result): f.message for f in m.findings}
    assert messages[("kr.target-short", "g/mqls")] == (
        "key result 'g/mqls' aims for 700 MQLs, but the revenue target needs 800: raise the target by 100")
    assert messages[("kr.rate-mismatch", "g/conv")] == (
        "key result 'g/conv' targets a MQL-to-SQL rate of 25%, but the SLA plans with 20% ([sla] mql_to_sql_rate); "
        "make them agree")
    # 900 committed MQLs at 15% -> 135 SQLs -> 33 deals (at 25%) -> 825,000
    assert messages[("kr.actual-behind", "g/conv")] == (
        "key result 'g/conv': at the actual MQL-to-SQL rate of 15% (plan 20%), the committed 900 MQLs give 135 SQLs "
        "and 33 deals, about 825,000 EUR of the 1,000,000 target")
    # 160 SQLs at 20% -> 32 deals
    assert "160 SQLs give 32 deals, about 800,000 EUR" in messages[("kr.actual-behind", "g/win")]
    assert ("sla.mql-shortfall", "") not in messages  # 300 x 3 = 900 >= 800


def test_missing_inputs_are_named(make_plan):
    root = make_plan()
    m = sla_math(load_plan(root))
    assert m.missing == ["revenue_target", "average_deal_size", "mql_to_sql_rate", "sql_to_win_rate"]
    assert m.deals == 0 and not m.ok
    assert "set [plan] revenue_target, [plan] average_deal_size, [sla] mql_to_sql_rate" in sla_text(m)


def test_example_plan_numbers(plan_dir):
    m = sla_math(load_plan(plan_dir))
    assert (m.deals, m.sqls, m.mqls, m.committed, m.shortfall, m.mqls_per_period) == (50, 200, 667, 540, 127, 223)
    assert [f.code for f in m.findings] == ["sla.mql-shortfall", "kr.actual-behind"]
    text = sla_text(m)
    assert "MQLs needed              667   at 30% MQL-to-SQL (223 per month)" in text
    assert "MQLs committed           540   (180 per month × 3 months)" in text
