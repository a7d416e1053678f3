"""Content sales can use: published items without `sales_use`, personas with nothing to send."""

from __future__ import annotations

from tui.plan.insights.sales import sales_problems, sales_readiness
from tui.plan.model import load_plan

from .conftest import content, persona


def test_sales_readiness(make_plan):
    items = (
        content("ready", "decision", ["alex"], sales_use="Send after the demo.")
        + content("no-use", "decision", ["bo"])
        + content("blank-use", "awareness", ["bo"], sales_use="   ")
        + content("draft", "decision", ["bo"], status="drafting", sales_use="Later.")
        + content("early", "awareness", ["bo"], sales_use="Open a call with it.")
    )
    root = make_plan(personas=persona("alex") + persona("bo"), content=items)
    plan = load_plan(root)
    r = sales_readiness(plan)
    assert r.decision_stage == "decision"
    assert r.without_sales_use == [("no-use", "No Use"), ("blank-use", "Blank Use")]
    assert r.ready_at_decision == {"alex": ["ready"], "bo": []}
    assert r.personas_without_ready == [("bo", "Bo")]
    problems = sales_problems(plan)
    lines = (root / "content.toml").read_text().split("\n")
    persona_lines = (root / "personas.toml").read_text().split("\n")
    no_use_line = lines.index('id = "no-use"')  # 0-based line of the id = 1-based line of the header above
    assert [(p.code, p.file, p.line, p.col, p.entity) for p in problems] == [
        ("content.no-sales-use", "content.toml", no_use_line, 1, "no-use"),
        ("content.no-sales-use", "content.toml", lines.index('id = "blank-use"'), 1, "blank-use"),
        # bo has no journey table to point at: the persona's own header
        ("persona.no-sales-ready", "personas.toml", persona_lines.index('id = "bo"'), 1, "bo"),
    ]


def test_without_a_decision_stage_the_last_stage_is_used(make_plan):
    root = make_plan(personas=persona("alex"), content=content("x", "consideration", ["alex"], sales_use="Use it."))
    text = (root / "plan.toml").read_text().replace('["awareness", "consideration", "decision"]',
                                                    '["awareness", "consideration"]')
    (root / "plan.toml").write_text(text)
    r = sales_readiness(load_plan(root))
    assert r.decision_stage == "consideration" and r.personas_without_ready == []


def test_example_plan(plan_dir):
    r = sales_readiness(load_plan(plan_dir))
    assert [i for i, _ in r.without_sales_use] == ["linkedin-dispatch-tips-oct", "dispatcher-monday-video",
                                                   "dispatch-desk-october", "linkedin-dispatch-tips-nov"]
    assert r.personas_without_ready == [("it-lead", "Ingrid, IT Lead")]
