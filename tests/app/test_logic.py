"""The app's plain-Python parts: the session (undo, save, recovery, disk watch), table
rows and filters, key-result progress, and form fields from the schema."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys

import pytest

from tui.app.formspec import (FieldError, check_entity, check_value, form_fields, fresh_id, parse_text,
                              to_text)
from tui.app.dialogs.form import external_edit
from tui.app.present import (build_rows, fmt, kr_progress, parse_filter, quarter_clock, view_of, visible)
from tui.app.session import RECOVERY_NAME, RecoveryError, Session
from tests.app.helpers import recovery_file
from tui.plan.edit import set_field, stage_change
from tui.plan.registry import KINDS
from tui.plan.schema import load_schemas


@pytest.fixture
def session(plan_dir):
    s = Session(plan_dir)
    s.adopt(s.load())
    return s


def set_op(kind, entity_id, field, value):
    return lambda plan: stage_change(plan, set_field(plan, kind, entity_id, field, value))


def test_edits_are_computed_on_a_fork_and_undone_by_text(session):
    plan = session.plan
    original = plan.files["accounts.toml"].text
    outcome = session.compute(set_op("account", "harbor-hvac", "tier", 2), "tier")
    assert session.plan.get("account", "harbor-hvac").data["tier"] == 1, "the session's plan is untouched"
    assert outcome.step.before == {"accounts.toml": original}
    session.commit(outcome)
    assert session.dirty_files == ["accounts.toml"]
    session.commit_undo(session.compute_undo())
    assert session.plan.files["accounts.toml"].text == original and not session.dirty
    session.commit_redo(session.compute_redo())
    assert session.plan.get("account", "harbor-hvac").data["tier"] == 2


def test_save_writes_dirty_files_and_refuses_changed_ones(session, plan_dir):
    session.commit(session.compute(set_op("account", "harbor-hvac", "tier", 2), "a"))
    session.commit(session.compute(set_op("member", "luis-romero", "role", "AE"), "b"))
    path = plan_dir / "plan.toml"
    path.write_text(path.read_text() + "\n# someone else\n")
    files = {n: session.plan.files[n] for n in session.dirty_files}
    report = session.save_files(files)
    session.adopt_saved(report, files)
    assert list(report.saved) == ["accounts.toml"]
    assert "changed on disk" in report.failed["plan.toml"]
    assert session.dirty_files == ["plan.toml"]
    assert "# someone else" in path.read_text()


def test_recovery_file_round_trip(session, plan_dir):
    session.write_recovery()
    assert not (plan_dir / RECOVERY_NAME).exists(), "no unsaved edits, no recovery file"
    session.commit(session.compute(set_op("account", "harbor-hvac", "tier", 3), "a"))
    session.write_recovery()
    rec = session.read_recovery()
    assert set(rec.files) == {"accounts.toml"}
    assert rec.pid == os.getpid()
    assert not session.owner_alive(rec), "our own recovery file is not another live session's"
    fresh = Session(plan_dir)
    fresh.adopt(fresh.load())
    assert fresh.recovery_conflicts(rec) == []
    outcome = fresh.compute(Session.recover_op(rec), "recovered")
    assert outcome.plan.get("account", "harbor-hvac").data["tier"] == 3
    fresh.clear_recovery()  # the session that wrote it is not running (it is this one, here)
    assert not (plan_dir / RECOVERY_NAME).exists()
    recovery_file(plan_dir).write_text(json.dumps({"format": "something else"}))
    with pytest.raises(RecoveryError):
        fresh.read_recovery()
    fresh.clear_recovery()
    assert (plan_dir / RECOVERY_NAME).exists(), "a damaged file is left for the user to look at"


def test_poll_sees_changes_by_content(session, plan_dir):
    known = session.known_disk_hashes()
    assert session.poll_disk(known) == []
    path = plan_dir / "goals.toml"
    path.write_text(path.read_text().replace("on_track", "at_risk", 1))
    events = session.poll_disk(known)
    assert [e.name for e in events] == ["goals.toml"] and events[0].tomlfile is not None
    path.write_text("[[goal]\n")
    events = session.poll_disk(known)
    assert events[0].error is not None and events[0].tomlfile is None
    path.unlink()
    assert session.poll_disk(known)[0].sha256 is None


def test_keep_mine_lets_the_save_replace_the_disk_version(session, plan_dir):
    session.commit(session.compute(set_op("account", "harbor-hvac", "tier", 2), "a"))
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text() + "\n")
    files = {"accounts.toml": session.plan.files["accounts.toml"]}
    assert session.save_files(files).failed
    event = session.poll_disk(session.known_disk_hashes())[0]
    session.keep_mine("accounts.toml", event.sha256)
    report = session.save_files({"accounts.toml": session.plan.files["accounts.toml"]})
    assert list(report.saved) == ["accounts.toml"]


def test_rows_filters_and_sorting(session):
    kind = KINDS["account"]
    rows = build_rows(session.plan.all("account"))
    everything = view_of(rows, parse_filter("", kind), kind, None, False)
    assert len(everything) == len(rows)
    fuzzy = view_of(rows, parse_filter("nrthgate", kind), kind, None, False)
    assert [rows[i].id for i in fuzzy] == ["northgate-utilities"]
    tier1 = view_of(rows, parse_filter("tier:=1", kind), kind, None, False)
    assert tier1 and all(rows[i].data["tier"] == 1 for i in tier1)
    plays = view_of(rows, parse_filter('plays:"renewal review"', kind), kind, None, False)
    assert "harbor-hvac" in [rows[i].id for i in plays]
    assert view_of(rows, parse_filter("nosuchfield:x", kind), kind, None, False) == []
    fit = kind.columns.index("icp_fit")
    ordered = view_of(rows, parse_filter("", kind), kind, fit, True)
    values = [rows[i].data.get("icp_fit") for i in ordered]
    present = [v for v in values if v is not None]
    assert present == sorted(present, reverse=True) and values[len(present):] == [None] * (len(values) - len(present))


def test_cells_are_single_safe_lines():
    assert visible("a\nb") == "a ⏎ b"
    assert visible("x\x1b[31my") == "x\\x1b[31my"
    assert visible("\u202eevil") == "\\u202eevil"  # shown as an escape, never obeyed
    assert fmt(dt.date(2026, 11, 2)) == "2026-11-02"
    assert fmt(2.50) == "2.5" and fmt(2400000.0) == "2,400,000" and fmt(["a", "b"]) == "a, b"


@pytest.mark.parametrize("data,fraction", [
    ({"baseline": 100, "target": 200, "actual": 150, "direction": "increase"}, 0.5),
    ({"baseline": 41, "target": 12, "actual": 19, "direction": "decrease"}, 22 / 29),
    ({"baseline": 10, "target": 20, "actual": 5, "direction": "increase"}, -0.5),
    ({"target": 10, "actual": 10, "direction": "maintain"}, 1.0),
    ({"target": 10, "direction": "increase"}, None),
])
def test_key_result_progress_respects_direction(data, fraction):
    got, _note = kr_progress(data)
    if fraction is None:
        assert got is None
    else:
        assert got == pytest.approx(fraction)


def test_quarter_clock_uses_the_given_today(session):
    assert quarter_clock(session.plan, dt.date(2026, 11, 20))[0] == "41 days left (day 51 of 92)"
    assert quarter_clock(session.plan, dt.date(2026, 9, 30))[0].startswith("starts in 1 day")
    assert quarter_clock(session.plan, dt.date(2027, 1, 2))[0] == "ended 2 days ago"


def test_form_fields_follow_the_schema_and_parse_values(session):
    schemas = load_schemas()
    specs = {s.key: s for s in form_fields(schemas, KINDS["content"], session.plan, {})}
    assert specs["format"].control == "enum" and "webinar" in specs["format"].enum
    assert specs["stage"].control == "ref" and specs["stage"].ref_kind == "stage"
    assert specs["personas"].control == "refs" and specs["publish_date"].control == "date"
    assert specs["summary"].control in ("text", "long_text")
    assert parse_text(specs["publish_date"], "2026-11-02") == dt.date(2026, 11, 2)
    with pytest.raises(FieldError):
        parse_text(specs["publish_date"], "02/11/2026")
    assert check_value(specs["url"], "ftp is not a url").startswith("not a full web address")
    assert check_value(specs["title"], None).startswith("required")
    journey = [s.key for s in form_fields(schemas, KINDS["persona"], session.plan, {})
               if s.key.startswith("journey.")]
    assert "journey.decision.questions" in journey  # one section per stage of the plan
    number = next(s for s in form_fields(schemas, KINDS["account"], session.plan, {}) if s.key == "icp_fit")
    assert check_value(number, 101) == "must be at most 100"
    with pytest.raises(FieldError):
        parse_text(number, "1.5")
    money = next(s for s in form_fields(schemas, KINDS["plan"], session.plan, {}) if s.key == "revenue_target")
    with pytest.raises(FieldError):
        parse_text(money, "nan")
    assert to_text(money, 2400000) == "2400000"


def test_a_new_schema_property_gets_a_field(session, monkeypatch):
    schemas = load_schemas()
    node, _ = schemas.subschema("glossary.schema.json", ("term", 0))
    monkeypatch.setitem(node["properties"], "pronunciation",
                        {"type": "string", "title": "Pronunciation", "description": "How to say it."})
    monkeypatch.setitem(node["properties"], "approved", {"type": "boolean", "title": "Approved"})
    specs = {s.key: s for s in form_fields(schemas, KINDS["term"], session.plan, {})}
    assert specs["pronunciation"].control == "text"
    assert specs["approved"].control == "bool"  # shown as a Switch
    assert specs["pronunciation"].description == "How to say it."


def test_entity_check_reports_only_new_errors(session):
    schemas = load_schemas()
    data = session.plan.get("account", "harbor-hvac").data
    assert check_entity(schemas, KINDS["account"], data, {**data, "tier": 2}) == []
    problems = check_entity(schemas, KINDS["account"], data, {**data, "tier": 7, "domain": "https://x/"})
    assert any(p.startswith("tier:") for p in problems) and any(p.startswith("domain:") for p in problems)


def test_fresh_ids(session):
    assert fresh_id(session.plan, KINDS["account"], "harbor-hvac") == "harbor-hvac-copy"
    assert len(fresh_id(session.plan, KINDS["account"], "x" * 64)) <= 64


def test_external_editor_round_trip(tmp_path):
    script = tmp_path / "fake-editor"
    script.write_text(f"#!{sys.executable}\nimport sys\np = sys.argv[1]\n"
                      "t = open(p).read()\nopen(p, 'w').write(t.upper() + '\\n')\n")
    script.chmod(0o755)
    assert external_edit("hello\nworld", str(script)) == "HELLO\nWORLD"
    failing = tmp_path / "failing-editor"
    failing.write_text("#!/bin/sh\nexit 3\n")
    failing.chmod(0o755)
    assert external_edit("keep", str(failing)) is None


def test_a_live_sessions_recovery_file_is_never_overwritten(session, plan_dir):
    import socket

    theirs = json.dumps({"format": "quarterdeck-recovery", "version": 1, "pid": 1, "host": socket.gethostname(),
                         "written": "", "files": {}})
    recovery_file(plan_dir).write_text(theirs)
    assert session.owner_alive(session.read_recovery())
    session.commit(session.compute(set_op("account", "harbor-hvac", "tier", 3), "a"))
    with pytest.raises(RecoveryError):
        session.write_recovery()
    session.write_recovery()  # from now on it keeps quiet, and still writes nothing
    assert (plan_dir / RECOVERY_NAME).read_text() == theirs
    session.recovery_enabled = True
    session.clear_recovery()
    assert (plan_dir / RECOVERY_NAME).read_text() == theirs, "a live session's file is never removed"


def test_a_crash_copy_written_late_never_replaces_a_newer_one_nor_undoes_a_clear(session, plan_dir):
    """The crash copy after an edit is written in a thread, after the edit is shown: each
    write holds a ticket taken when the session reached the state it keeps, and a write
    that arrives after a newer one (or after the copy was cleared) leaves the file alone."""
    session.commit(session.compute(set_op("account", "harbor-hvac", "tier", 3), "a"))
    first = session.recovery_ticket(), session.plan
    session.commit(session.compute(set_op("account", "harbor-hvac", "tier", 2), "b"))
    second = session.recovery_ticket(), session.plan
    session.write_recovery(second[1], ticket=second[0])
    session.write_recovery(first[1], ticket=first[0])  # the older write, arriving last
    rec = session.read_recovery()
    assert "tier = 2" in rec.files["accounts.toml"][1]
    # after a clear (the edits discarded at quit), an older write does not bring the copy back
    late = session.recovery_ticket(), session.plan
    session.clear_recovery()
    session.write_recovery(late[1], ticket=late[0])
    assert session.read_recovery() is None
    # a write with no ticket is the newest there is
    session.write_recovery()
    assert session.read_recovery() is not None


async def test_a_crash_copy_that_fails_unexpectedly_is_said_not_a_traceback(plan_dir, monkeypatch):
    """The crash copy is written in its own thread after an edit: whatever goes wrong there
    is a warning in the app, and the edit stays."""
    from tests.app.helpers import TODAY, idle, ready, wait_for
    from tui.app import QuarterdeckApp

    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)

    def broken(self, plan=None):
        raise ValueError("disk gremlin")

    monkeypatch.setattr(Session, "_write_recovery", broken)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot)
        app.editing.request_set_fields("account", "harbor-hvac", {("tier",): 2})
        await idle(pilot)
        await wait_for(pilot, lambda: any("disk gremlin" in str(n.message) for n in app._notifications),
                       what="the warning")
        assert app.plan.get("account", "harbor-hvac").data["tier"] == 2
        assert app.return_code is None and app._exception is None
