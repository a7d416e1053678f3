"""Message coverage: the persona × stage cells without an approved message, messages no
content carries, published content carrying no message; in `coverage`, the report and
the alignment stage; and the framework carried through a rollover unchanged."""

from __future__ import annotations

import json
import re

import pytest

from tests.history.conftest import committed, isolated_git, repo  # noqa: F401 - fixtures
from tests.history.helpers import run_cli
from tui.plan.insights.messaging import coverage_text, framework_rule, message_coverage
from tui.plan.insights.report import quarterly_report
from tui.plan.insights.stage import assess_stage
from tui.plan.model import load_plan

from .conftest import block, content, persona, write_plan


def message(id: str, status: str = "approved", personas=(), stages=(), owners=("sam", "mia"), **fields) -> str:
    fields.setdefault("text", f"Message {id}.")
    return block("message", id=id, text=fields.pop("text"), personas=list(personas), stages=list(stages),
                 owners=list(owners), status=status, **fields)


MESSAGES = (message("a-aw", personas=["alex"], stages=["awareness", "consideration"])
            + message("b-aw", personas=["bo"], stages=["awareness"])
            + message("a-de-draft", "draft", personas=["alex"], stages=["decision"], owners=["mia"])
            + message("b-de-retired", "retired", personas=["bo"], stages=["decision"], replaced_by="b-aw")
            + message("b-co-mkt", personas=["bo"], stages=["consideration"], owners=["mia"]))

CONTENT = (content("p1", "awareness", ["alex"], messages=["a-aw"])
           + content("p2", "awareness", ["bo"])
           + content("d1", "decision", ["bo"], status="drafting", messages=["b-aw"])
           + content("r1", "decision", ["bo"], status="retired", messages=["b-co-mkt"]))


@pytest.fixture
def small(make_plan):
    return make_plan(personas=persona("alex") + persona("bo"), content=CONTENT, messaging=MESSAGES)


def test_cells_gaps_and_what_content_carries(small):
    mc = message_coverage(load_plan(small))
    assert mc.present and mc.counts == {"approved": 3, "draft": 1, "retired": 1}
    assert {k: (c.approved, c.drafts) for k, c in mc.cells.items()} == {
        ("alex", "awareness"): (["a-aw"], []), ("alex", "consideration"): (["a-aw"], []),
        ("alex", "decision"): ([], ["a-de-draft"]),
        ("bo", "awareness"): (["b-aw"], []), ("bo", "consideration"): (["b-co-mkt"], []),
        ("bo", "decision"): ([], []),  # the retired message does not count
    }
    assert [(c.persona, c.stage) for c in mc.gaps] == [("alex", "decision"), ("bo", "decision")]
    # carried by live content only (the retired deck does not carry b-co-mkt); retired messages are left out
    assert mc.uncarried == ["a-de-draft", "b-co-mkt"]
    assert mc.unmessaged == ["p2"]  # published, no message; d1 is not published yet
    assert mc.one_sided == ["b-co-mkt"]
    doc = mc.to_dict()
    assert doc["gaps"] == [{"persona": "alex", "stage": "decision"}, {"persona": "bo", "stage": "decision"}]
    assert doc["published_without_message"] == ["p2"] and doc["uncarried"] == ["a-de-draft", "b-co-mkt"]


def test_coverage_text_names_every_finding(small):
    text = coverage_text(message_coverage(load_plan(small)))
    lines = text.splitlines()
    assert lines[0] == "Message coverage: approved messages per persona and stage (3 approved, 1 draft, 1 retired)"
    assert re.search(r"^alex +1 +1 +0 GAP$", text, re.M) and re.search(r"^bo +1 +1 +0 GAP$", text, re.M)
    assert "  alex at decision (drafts: a-de-draft)" in lines and "  bo at decision" in lines
    assert "Approved but not owned by both teams: b-co-mkt" in lines
    assert "Messages no content carries (2): a-de-draft, b-co-mkt" in lines
    assert lines[-2:] == ["Published content that carries no message (1):", "  p2"]


def test_framework_rule_and_its_evidence(small, tmp_path):
    met, detail = framework_rule(load_plan(small))
    assert not met
    assert detail == "not owned by both teams: b-co-mkt; no approved message for alex at decision; bo at decision"
    bare = write_plan(tmp_path / "bare", personas=persona("alex"))
    assert framework_rule(load_plan(bare)) == (False, "there is no messaging framework (messaging.toml)")
    drafts = write_plan(tmp_path / "drafts", personas=persona("alex"), messaging=message("x", "draft"))
    assert framework_rule(load_plan(drafts)) == (False, "no approved message in messaging.toml")
    full = write_plan(tmp_path / "full", personas=persona("alex"),
                      messaging=message("x", personas=["alex"], stages=["awareness", "consideration", "decision"]))
    assert framework_rule(load_plan(full)) == (
        True, "1 approved message, owned by both teams, for every persona at every stage")


def test_example_framework_is_evidence_for_the_aligned_stage(plan_dir):
    a = assess_stage(load_plan(plan_dir))
    (rule,) = [c for c in a.criteria if c.code == "message.framework"]
    assert rule.stage == "aligned" and rule.met
    assert rule.detail == "10 approved messages, owned by both teams, for every persona at every stage"
    assert a.stage == "aligned"


def test_a_missing_approved_message_breaks_the_aligned_stage(plan_dir):
    path = plan_dir / "messaging.toml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.split('id = "security-answers-first"', 1)
    path.write_text(head + 'id = "security-answers-first"' + tail.replace('status = "approved"', 'status = "draft"', 1),
                    encoding="utf-8")
    a = assess_stage(load_plan(plan_dir))
    assert a.stage == "defined"
    assert [(c.code, c.detail) for c in a.missing] == [
        ("message.framework", "no approved message for it-lead at decision")]


def test_stage_rule_list_documents_the_framework():
    from tui.plan.insights import stage

    assert re.search(r"^aligned\n(?:  .*\n)*  message\.framework ", stage.__doc__, re.M)


def test_example_findings(plan_dir):
    mc = message_coverage(load_plan(plan_dir))
    assert mc.gaps == [] and mc.one_sided == []
    assert mc.uncarried == ["one-view-of-utilisation"]  # the draft, on purpose
    assert "storm-season-podcast" in mc.unmessaged and "lakeshore-case-study" not in mc.unmessaged


def test_coverage_command_shows_message_coverage(plan_dir, capsys):
    code, out, _ = run_cli(capsys, "coverage", str(plan_dir))
    assert code == 0
    assert "\n\nMessage coverage: approved messages per persona and stage (10 approved, 1 draft, 1 retired)\n" in out
    assert "Messages no content carries (1): one-view-of-utilisation" in out
    code, out, _ = run_cli(capsys, "coverage", str(plan_dir), "--format", "json")
    doc = json.loads(out)
    assert doc["messaging"]["present"] is True and doc["messaging"]["gaps"] == []
    assert doc["messaging"]["uncarried"] == ["one-view-of-utilisation"]
    code, out, _ = run_cli(capsys, "coverage", str(plan_dir), "--format", "markdown")
    assert "\n## Message coverage\n" in out and "- **Messages no content carries:** `one-view-of-utilisation`" in out
    assert "| `it-lead` | 2 | 2 | 1 |" in out


def test_without_messaging_the_coverage_output_is_as_before(make_plan, capsys):
    from tui.plan.insights.coverage import coverage
    from tui.plan.insights.render import coverage_text as journey_text
    from tui.plan.insights.sales import sales_readiness

    root = make_plan(personas=persona("alex"), content=content("p1", "awareness", ["alex"]), accounts="")
    plan = load_plan(root)
    code, out, _ = run_cli(capsys, "coverage", str(root))
    assert out.rstrip("\n") == journey_text(coverage(plan), sales_readiness(plan))
    code, out, _ = run_cli(capsys, "coverage", str(root), "--format", "json")
    assert json.loads(out)["messaging"]["present"] is False
    assert "## Messaging" not in quarterly_report(plan)


def test_report_has_a_messaging_section(small, plan_dir):
    md = quarterly_report(load_plan(small))
    section = md[md.index("## Messaging"):md.index("## Alignment stage")]
    assert "4 of 6 persona-stage cells have an approved message (3 approved in all)." in section
    assert "- **No approved message for**: `alex at decision`, `bo at decision`" in section
    assert "- **Published content that carries no message**: `p2`" in section
    html = quarterly_report(load_plan(plan_dir), "html")
    assert "<h2>Messaging</h2>" in html and "one-view-of-utilisation" in html


# -- rollover --------------------------------------------------------------------------------


@pytest.mark.git
def test_rollover_carries_the_framework_unchanged(committed, capsys):  # noqa: F811 - fixture
    plans = committed / "plans"
    before = {e.id: e.data for e in load_plan(plans).all("message")}
    code, _, err = run_cli(capsys, "rollover", "-C", str(plans))
    assert code == 0, err
    plan = load_plan(plans)
    after = {}
    for e in plan.all("message"):  # the same messages, marked as carried like every other kind
        data = dict(e.data)
        custom = dict(data.pop("custom"))
        assert custom.pop("carried_from") == "2026-Q4"
        if custom:
            data["custom"] = custom
        after[e.id] = data
    assert after == before
    assert plan.quarter == "2027-Q1" and len(plan.all("message")) == 12
    assert framework_rule(plan)[0]


def test_markdown_keeps_odd_ids_from_breaking_out_of_code(make_plan):
    from tui.plan.insights.messaging import coverage_markdown
    from tui.plan.insights.markdown import md_text as md_escape

    root = make_plan(personas=persona("alex"), content=content("p`<b>x</b>", "awareness", ["alex"]),
                     messaging=message("m1", personas=["alex"], stages=["awareness"]))
    md = coverage_markdown(message_coverage(load_plan(root)), md_escape)
    assert "p\\`\\<b\\>x\\</b\\>" in md and "<b>" not in md
    assert "- **Messages no content carries:** `m1`" in md
