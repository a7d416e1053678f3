"""Alignment stage: each rule, broken one at a time, moves the plan down a stage."""

from __future__ import annotations

from pathlib import Path

import pytest

from tui.plan.insights.render import stage_text
from tui.plan.insights.stage import STAGES, assess_stage
from tui.plan.model import load_plan

from .conftest import block, content, persona, term

IT_DECISION = """
[[content]]
id = "it-security-pack"
title = "Security questionnaire, pre-filled"
format = "guide"
stage = "decision"
personas = ["it-lead"]
owner = "sam-oduya"
status = "published"
publish_date = 2026-11-20
sales_use = "Send with the proposal to the IT lead."
"""


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


@pytest.fixture
def integrated(plan_dir):
    """The example plan with what it lacks for the last stage filled in."""
    _edit(plan_dir / "plan.toml", "mql_commitment = 180", "mql_commitment = 223")
    with open(plan_dir / "content.toml", "a", encoding="utf-8") as fh:
        fh.write(IT_DECISION)
    return plan_dir


def test_example_plan_is_aligned_and_says_what_integration_needs(plan_dir):
    a = assess_stage(load_plan(plan_dir), quarter_tags=None)
    assert a.stage == "aligned" and a.next_stage == "integrated"
    assert [c.code for c in a.missing] == ["funnel.commitment", "content.covered", "history.quarters"]
    details = {c.code: c.detail for c in a.missing}
    assert details["funnel.commitment"] == "540 MQLs committed in the quarter, 667 needed; commit 223 per month"
    assert details["content.covered"] == "no content for it-lead at decision"
    assert "not available" in details["history.quarters"]


def test_filled_in_example_is_integrated(integrated):
    a = assess_stage(load_plan(integrated), quarter_tags=2)
    assert a.stage == "integrated" and a.next_stage is None and a.missing == []
    assert all(c.met for c in a.criteria)
    assert "supports the last stage" in stage_text(a)


def _drop_responsibilities(root: Path) -> None:
    text = (root / "plan.toml").read_text(encoding="utf-8")
    (root / "plan.toml").write_text(text[: text.index("# --- Who owns what")], encoding="utf-8")


def _rename_sql(root: Path) -> None:
    g = root / "glossary.toml"
    _edit(g, 'id = "sql"\nterm = "SQL"', 'id = "qualified-deal"\nterm = "Qualified deal"')
    _edit(g, 'aliases = ["sales qualified lead", "sales-qualified lead"]', 'aliases = []')


BREAKS = {
    "glossary.funnel-terms": (_rename_sql, "undefined", {"glossary.funnel-terms", "sla.terms"}),
    "sla.agreed": (lambda r: _edit(r / "plan.toml", "mql_commitment = 223", "mql_commitment = 0"),
                   "undefined", {"sla.agreed", "funnel.commitment"}),
    "responsibility.teams": (_drop_responsibilities, "undefined", {"responsibility.teams"}),
    "sla.terms": (lambda r: _edit(r / "plan.toml", 'terms = ["lead", "mql", "sql", "sal"]', 'terms = ["lead", "mql", "sal"]'),
                  "defined", {"sla.terms"}),
    "sla.co-owned": (lambda r: _edit(r / "plan.toml", 'marketing_owner = "aisha-khan"\nreview_date',
                                     'marketing_owner = "rita-alvarez"\nreview_date'), "defined", {"sla.co-owned"}),
    "meeting.joint": (lambda r: [_edit(r / "plan.toml", f'cadence = "{c}"', 'cadence = "quarterly"', 2)
                                 for c in ("weekly", "biweekly", "monthly")], "defined", {"meeting.joint"}),
    "persona.co-owned": (lambda r: _edit(r / "personas.toml", 'marketing_owner = "aisha-khan"',
                                         'marketing_owner = "rita-alvarez"'), "defined", {"persona.co-owned"}),
    "account.co-owned": (lambda r: _edit(r / "accounts.toml", 'sales_owner = "tom-becker"', 'sales_owner = "mei-lin"'),
                         "defined", {"account.co-owned"}),
    "goal.shared": (lambda r: _edit(r / "goals.toml", 'team = "shared"', 'team = "sales"', 4),
                    "aligned", {"goal.shared", "kr.actuals"}),
    "kr.actuals": (lambda r: _edit(r / "goals.toml", "actual = 2150000\n", ""), "aligned", {"kr.actuals"}),
    "funnel.numbers": (lambda r: _edit(r / "plan.toml", "sql_to_win_rate = 25\n", ""), "aligned",
                       {"funnel.numbers", "funnel.commitment"}),
    "funnel.commitment": (lambda r: _edit(r / "plan.toml", "mql_commitment = 223", "mql_commitment = 222"),
                          "aligned", {"funnel.commitment"}),
    "content.covered": (lambda r: _edit(r / "content.toml", IT_DECISION, IT_DECISION.replace('"it-lead"', '"ops-director"')),
                        "aligned", {"content.covered"}),
    "meeting.quarterly": (lambda r: _edit(r / "plan.toml", 'cadence = "quarterly"', 'cadence = "monthly"'),
                          "aligned", {"meeting.quarterly"}),
}


@pytest.mark.parametrize("code", list(BREAKS))
def test_each_rule_breaks_its_stage(integrated, code):
    edit, expected_stage, failing = BREAKS[code]
    edit(integrated)
    a = assess_stage(load_plan(integrated), quarter_tags=2)
    assert {c.code for c in a.criteria if not c.met} == failing
    assert a.stage == expected_stage
    # the first broken rule is reported as missing for the next stage
    assert code in {c.code for c in a.missing}


def test_quarter_tags_count(integrated):
    plan = load_plan(integrated)
    one = assess_stage(plan, quarter_tags=1)
    assert one.stage == "aligned"
    assert [(c.code, c.detail) for c in one.missing] == [
        ("history.quarters", "1 quarter tag (plan/*); tag each reviewed quarter (`quarterdeck tag QUARTER`)")]
    assert assess_stage(plan, quarter_tags=None).stage == "aligned"
    assert assess_stage(plan, quarter_tags=5).stage == "integrated"


def test_bare_plan_is_undefined_and_lists_the_first_steps(make_plan):
    a = assess_stage(load_plan(make_plan()))
    assert a.stage == "undefined" and a.next_stage == "defined"
    assert [(c.code, c.detail) for c in a.missing] == [
        ("glossary.funnel-terms", "not defined: lead, MQL and SQL; add glossary terms for them"),
        ("sla.agreed", "plan.toml has no [sla] table"),
        ("responsibility.teams", "no responsibility is owned by a sales or marketing member"),
    ]


SLA = """
[sla]
mql_commitment = 10
period = "month"
follow_up_hours = 24
follow_up_attempts = 3
mql_criteria = "Score of 50."
sql_criteria = "A discovery call happened."
"""


def test_small_plan_defined_and_aliases_count_as_definitions(make_plan):
    glossary = term("lead", "Lead") + term("m", "Marketing lead", aliases=["MQL"]) + term("s", "Sales-qualified lead")
    plan = SLA + block("responsibility", id="r1", area="Leads", owner="sam") + block(
        "responsibility", id="r2", area="Content", owner="mia")
    a = assess_stage(load_plan(make_plan(plan=plan, glossary=glossary)))
    assert a.stage == "defined"
    assert [c.code for c in a.missing] == ["sla.terms", "sla.co-owned", "meeting.joint", "persona.co-owned",
                                          "account.co-owned", "content.journey", "message.framework"]
    assert a.missing[0].detail == "`terms` does not list the MQL and SQL terms"


def test_content_journey_rule_names_bare_personas_and_stages(make_plan):
    root = make_plan(personas=persona("alex") + persona("bo"), content=content("x", "awareness", ["alex"]))
    a = assess_stage(load_plan(root))
    (rule,) = [c for c in a.criteria if c.code == "content.journey"]
    assert not rule.met
    assert rule.detail == "no content for persona bo; no content at stage consideration and decision"


def test_stage_names_are_the_four_of_the_brief():
    assert STAGES == ("undefined", "defined", "aligned", "integrated")
