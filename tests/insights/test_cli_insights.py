"""The insight commands as a user runs them: output, formats and exit codes."""

from __future__ import annotations

import json

from tui.cli import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_coverage_text(plan_dir, capsys):
    code, out, err = run(capsys, "coverage", str(plan_dir))
    assert code == 0 and err == ""
    assert "it-lead           2 + 0      10 + 4         0 + 0 EMPTY" in out
    assert "  it-lead at decision: empty (no content at all)" in out
    assert "    asks: How do we get our data out if we leave?" in out
    assert "  brightside-solar (Brightside Solar)" in out
    assert "Personas with no sales-ready item at the decision stage: it-lead" in out


def test_coverage_json_and_markdown(plan_dir, capsys):
    code, out, _ = run(capsys, "coverage", str(plan_dir), "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["format"] == "quarterdeck.coverage/1"
    assert doc["gaps"] == [{"persona": "it-lead", "stage": "decision", "status": "empty"}]
    assert doc["sales"]["personas_without_sales_ready_decision_content"] == [{"id": "it-lead", "name": "Ingrid, IT Lead"}]
    code, out, _ = run(capsys, "coverage", str(plan_dir), "--format", "markdown")
    assert "| Ingrid, IT Lead (`it-lead`) | 2 + 0 | 10 + 4 | **0 + 0 empty** |" in out


def test_coverage_strict_fails_on_gaps(plan_dir, capsys):
    assert run(capsys, "coverage", str(plan_dir), "--strict")[0] == 1


def test_stage_text_and_json(plan_dir, capsys):
    code, out, _ = run(capsys, "stage", str(plan_dir), "--quarters", "3")
    assert code == 0
    assert out.startswith("Alignment stage: aligned\n  undefined → defined → [aligned] → integrated\n")
    assert "Missing for integrated:\n  - The MQL commitment adds up to the revenue target" in out
    code, out, _ = run(capsys, "stage", str(plan_dir), "--format", "json")
    doc = json.loads(out)
    assert doc["stage"] == "aligned" and doc["next_stage"] == "integrated"
    # the copy is not in a git repository: history is unknown, not zero
    assert doc["quarter_tags"] is None


def test_stage_counts_quarter_tags_in_git(plan_dir, capsys):
    import git

    repo = git.Repo.init(plan_dir)
    with repo:
        repo.git.add("--", ".")
        repo.git.commit("-m", "plan", "--no-verify", "--no-gpg-sign",
                        env={"GIT_AUTHOR_NAME": "T", "GIT_AUTHOR_EMAIL": "t@example.com",
                             "GIT_COMMITTER_NAME": "T", "GIT_COMMITTER_EMAIL": "t@example.com"})
        for name in ("plan/2026-Q2", "plan/2026-Q3", "release-1"):
            repo.create_tag(name)
    code, out, _ = run(capsys, "stage", str(plan_dir), "--format", "json")
    doc = json.loads(out)
    assert doc["quarter_tags"] == 2
    assert "history.quarters" not in [c["code"] for c in doc["missing"]]


def test_sla_text_and_strict(plan_dir, capsys):
    code, out, _ = run(capsys, "sla", str(plan_dir))
    assert code == 0
    assert "  MQLs needed              667   at 30% MQL-to-SQL (223 per month)" in out
    assert "127 short" in out
    assert run(capsys, "sla", str(plan_dir), "--strict")[0] == 1
    doc = json.loads(run(capsys, "sla", str(plan_dir), "--format", "json")[1])
    assert (doc["mqls"], doc["committed"], doc["shortfall"]) == (667, 540, 127)


def test_unreadable_plans_fail_cleanly(tmp_path, plan_dir, capsys):
    code, out, err = run(capsys, "coverage", str(tmp_path / "nowhere"))
    assert code == 2 and "no such plan folder" in err and "Traceback" not in err
    (plan_dir / "content.toml").write_text("[[content]\nid = 1\n", encoding="utf-8")
    code, out, err = run(capsys, "coverage", str(plan_dir))
    assert code == 1 and "content.toml:1:" in err and out == ""
