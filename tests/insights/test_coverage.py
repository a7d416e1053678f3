"""Journey coverage on small plans: exact cells, gaps, questions and tier 1 plays."""

from __future__ import annotations

from tui.plan.insights.coverage import coverage
from tui.plan.insights.render import coverage_markdown, coverage_text
from tui.plan.model import load_plan
from tui.plan.validation import has_errors, validate

from .conftest import account, content, persona


def _plan(make_plan):
    personas = (
        persona("alex", {"awareness": ["Why now?"], "consideration": ["How does it compare?"],
                         "decision": ["What does it cost?", "Who else uses it?"]})
        + persona("bo", {"awareness": ["Is this a problem?"], "consideration": ["Which vendors?"],
                         "decision": ["Can IT sign off?"]})
    )
    items = (
        content("a-aw-1", "awareness", ["alex"])
        + content("a-aw-2", "awareness", ["alex", "bo"], status="scheduled")
        + content("a-co-1", "consideration", ["alex"])
        + content("a-de-1", "decision", ["alex"], status="drafting")
        + content("a-de-2", "decision", ["alex"], status="idea")
        + content("b-aw-old", "awareness", ["bo"], status="retired")
        + content("b-de-1", "decision", ["bo"], status="review", accounts=["apex"])
        + content("b-de-2", "decision", ["bo"], accounts=["ghost"])
        + content("nobody", "consideration", [])
        + content("old-play", "awareness", ["alex"], status="retired", accounts=["quiet"])
    )
    accounts = account("apex") + account("quiet") + account("second-tier", tier=2)
    return make_plan(personas=personas, content=items, accounts=accounts)


def test_cells_list_item_ids_by_status(make_plan):
    cov = coverage(load_plan(_plan(make_plan)))
    assert cov.stages == ["awareness", "consideration", "decision"]
    assert cov.personas == [("alex", "Alex"), ("bo", "Bo")]
    got = {k: (c.published, c.planned, c.status) for k, c in cov.cells.items()}
    assert got == {
        ("alex", "awareness"): (["a-aw-1"], ["a-aw-2"], "ok"),
        ("alex", "consideration"): (["a-co-1"], [], "thin"),
        ("alex", "decision"): ([], ["a-de-1", "a-de-2"], "thin"),
        ("bo", "awareness"): ([], ["a-aw-2"], "thin"),  # the retired item does not count
        ("bo", "consideration"): ([], [], "empty"),
        ("bo", "decision"): (["b-de-2"], ["b-de-1"], "ok"),
    }
    assert cov.no_persona == ["nobody"]


def test_gaps_carry_the_personas_questions_and_reasons(make_plan):
    cov = coverage(load_plan(_plan(make_plan)))
    gaps = {(c.persona, c.stage): c for c in cov.gaps}
    assert list(gaps) == [("alex", "consideration"), ("alex", "decision"), ("bo", "awareness"), ("bo", "consideration")]
    assert gaps[("alex", "decision")].questions == ["What does it cost?", "Who else uses it?"]
    assert gaps[("alex", "decision")].reason == "2 items, none published yet"
    assert gaps[("alex", "consideration")].reason == "only 1 item (fewer than 2)"
    assert gaps[("bo", "awareness")].reason == "only 1 item (fewer than 2), none published yet"
    assert gaps[("bo", "consideration")].reason == "no content at all"
    assert gaps[("bo", "consideration")].questions == ["Which vendors?"]


def test_thin_threshold_is_a_parameter(make_plan):
    cov = coverage(load_plan(_plan(make_plan)), min_items=1)
    assert {(c.persona, c.stage) for c in cov.gaps} == {("alex", "decision"), ("bo", "awareness"),
                                                         ("bo", "consideration")}
    cov3 = coverage(load_plan(_plan(make_plan)), min_items=3)
    assert cov3.cell("alex", "awareness").status == "thin"


def test_tier_1_accounts_without_a_live_content_play(make_plan):
    cov = coverage(load_plan(_plan(make_plan)))
    # apex has a play; quiet is named only by a retired item; tier 2 is not asked for
    assert cov.tier1_without_play == [("quiet", "Quiet")]


def test_to_dict_is_json_ready(make_plan):
    import json

    doc = coverage(load_plan(_plan(make_plan))).to_dict()
    json.dumps(doc)
    cell = next(c for c in doc["cells"] if (c["persona"], c["stage"]) == ("bo", "decision"))
    assert cell == {"persona": "bo", "stage": "decision", "status": "ok", "reason": "", "published": ["b-de-2"],
                    "planned": ["b-de-1"], "questions": ["Can IT sign off?"], "content_needs": []}
    assert doc["tier1_without_play"] == [{"id": "quiet", "name": "Quiet"}]


def test_plan_without_personas(make_plan):
    cov = coverage(load_plan(make_plan(content=content("x", "awareness"))))
    assert cov.cells == {} and cov.gaps == []
    assert "No personas" in coverage_text(cov)


def test_stages_follow_the_plan(make_plan):
    root = make_plan(plan='', personas=persona("alex"), content=content("x", "evaluation", ["alex"]))
    text = (root / "plan.toml").read_text().replace('["awareness", "consideration", "decision"]',
                                                    '["discovery", "evaluation"]')
    (root / "plan.toml").write_text(text)
    cov = coverage(load_plan(root))
    assert cov.stages == ["discovery", "evaluation"]
    assert cov.cell("alex", "evaluation").published == ["x"]
    assert cov.cell("alex", "discovery").status == "empty"


def test_renderings_mark_gaps_and_escape_markdown(make_plan):
    root = make_plan(personas=persona("alex", name="Alex | *the* <b>buyer</b>"), content=content("x", "awareness", ["alex"]))
    cov = coverage(load_plan(root))
    text = coverage_text(cov)
    assert "alex     1 + 0 THIN  0 + 0 EMPTY    0 + 0 EMPTY" in text
    md = coverage_markdown(cov)
    assert "| Alex \\| \\*the\\* \\<b\\>buyer\\</b\\> (`alex`) | **1 + 0 thin** | **0 + 0 empty** | **0 + 0 empty** |" in md


def test_example_plan_has_its_one_honest_gap(plan_dir):
    plan = load_plan(plan_dir)
    assert not has_errors(validate(plan))
    cov = coverage(plan)
    assert [(c.persona, c.stage, c.status) for c in cov.gaps] == [("it-lead", "decision", "empty")]
    assert cov.cell("it-lead", "decision").questions[0].startswith("Can we get the completed security questionnaire")
    assert cov.tier1_without_play == [("brightside-solar", "Brightside Solar")]
