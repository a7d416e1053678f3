"""Glossary lint: funnel terms in the SLA and scoring rules must be defined (file:line:col)."""

from __future__ import annotations

from tui.plan.insights.glossary import funnel_terms_in, glossary_problems
from tui.plan.model import load_plan

from .conftest import term

SLA = '''
[sla]
mql_commitment = 10
period = "month"
follow_up_hours = 24
follow_up_attempts = 3
mql_criteria = "A lead with 50 points becomes an MQL."
sql_criteria = """
An MQL becomes a SAL when an SDR accepts it.
Then a SAL becomes an SQL, or a sales accepted lead is recycled."""
terms = ["mql", "sql"]

[lead_scoring]
threshold = 50

[[lead_scoring.rule]]
id = "pql-signal"
category = "engagement"
description = "Became a PQL in the product trial (see the URL in the CRM)"
points = 20
'''

GLOSSARY = term("lead", "Lead") + term("mql", "MQL", aliases=["marketing qualified lead"]) + term("sql", "SQL")


def _where(problems):
    return [(p.code, p.file, p.line, p.col, p.kind, p.entity, p.field) for p in problems]


def test_undefined_terms_are_warned_at_the_word(make_plan):
    root = make_plan(plan=SLA, glossary=GLOSSARY)
    problems = glossary_problems(load_plan(root))
    # plan.toml: PLAN_HEAD and MEMBERS take 23 lines, so [sla] sits on line 24
    assert _where(problems) == [
        ("glossary.undefined-term", "plan.toml", 31, 18, "sla", "sla", "sql_criteria"),  # SAL
        ("glossary.undefined-term", "plan.toml", 32, 33, "sla", "sla", "sql_criteria"),  # sales accepted lead
        ("glossary.undefined-term", "plan.toml", 41, 25, "rule", "pql-signal", "description"),  # PQL
    ]
    text = (root / "plan.toml").read_text().split("\n")
    assert text[23] == "[sla]"
    assert text[30][17:20] == "SAL" and text[40][24:27] == "PQL"
    assert text[31][32:51] == "sales accepted lead"
    assert all(p.severity == "warning" for p in problems)
    assert "'SAL'" in problems[0].message and "glossary.toml" in problems[0].message


def test_defined_by_alias_or_id_is_fine_and_unlisted_terms_are_named(make_plan):
    glossary = GLOSSARY + term("sal", "Sales accepted lead", aliases=["SAL"]) + term("pql", "Product qualified lead")
    problems = glossary_problems(load_plan(make_plan(plan=SLA, glossary=glossary)))
    assert _where(problems) == [
        ("glossary.unlisted-term", "plan.toml", 31, 18, "sla", "sla", "sql_criteria"),
    ]
    assert "add 'sal' to [sla] terms" in problems[0].message
    fixed = SLA.replace('terms = ["mql", "sql"]', 'terms = ["mql", "sql", "sal"]')
    assert glossary_problems(load_plan(make_plan(plan=fixed, glossary=glossary))) == []


def test_retired_names_still_accepted_as_aliases_or_names(make_plan):
    retired = '\n[[term.retired]]\nname = "RouteDesk"\nsince = 2026-07-01\n'
    glossary = (term("dispatch", "Tidewater Dispatch", raw=retired)
                + term("legacy", "Legacy app", aliases=["old app", "routedesk"])
                + term("routedesk", "RouteDesk"))
    root = make_plan(glossary=glossary)
    problems = glossary_problems(load_plan(root))
    lines = (root / "glossary.toml").read_text().split("\n")
    alias_line = next(i for i, l in enumerate(lines) if '"routedesk"' in l)
    name_line = next(i for i, l in enumerate(lines) if l == 'term = "RouteDesk"')
    assert _where(problems) == [
        ("glossary.retired-alias", "glossary.toml", alias_line + 1, lines[alias_line].index('"routedesk"') + 1,
         "term", "legacy", "aliases.1"),
        ("glossary.retired-alias", "glossary.toml", name_line + 1, 1, "term", "routedesk", "term"),
    ]


def test_funnel_terms_in_text():
    assert funnel_terms_in("MQLs and SQLs, a SAL, an MQA, SQO; URL, HTML and CRM are not; sales-qualified account") == [
        ("MQL", 0), ("SQL", 9), ("SAL", 17), ("MQA", 25), ("SQO", 30), ("sales-qualified account", 62)]


def test_example_plan_is_clean(plan_dir):
    assert glossary_problems(load_plan(plan_dir)) == []


def test_example_plan_with_an_undefined_term(plan_dir):
    path = plan_dir / "plan.toml"
    lines = path.read_text(encoding="utf-8").split("\n")
    n = next(i for i, l in enumerate(lines) if l.startswith("An MQL becomes a SAL"))
    lines[n] = lines[n].replace("An MQL becomes a SAL", "An MQL becomes a TQL")
    path.write_text("\n".join(lines), encoding="utf-8")
    (p,) = glossary_problems(load_plan(plan_dir))
    assert (p.code, p.file, p.line, p.col, p.field) == ("glossary.undefined-term", "plan.toml", n + 1, 18, "sql_criteria")
