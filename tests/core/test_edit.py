"""Surgical edits: what changes is the edited entity's lines, and only those."""

from __future__ import annotations

import datetime as dt
import difflib

import pytest

from tui.plan.edit import EditError, add_entity, apply_change, remove_entity, set_field, unset_field
from tui.plan.model import load_plan
from tui.plan.refs import referrers, rename_entity


def changed_old_lines(old: str, new: str) -> set[int]:
    """0-based line numbers of ``old`` that were replaced or deleted, plus insertion points."""
    a, b = old.split("\n"), new.split("\n")
    out: set[int] = set()
    for tag, i1, i2, _j1, _j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        out.update(range(i1, i2) if i2 > i1 else [i1])
    return out


def _set(plan_dir, kind, id, field, value, **kw):
    plan = load_plan(plan_dir)
    change = set_field(plan, kind, id, field, value, **kw)
    apply_change(plan, change)
    return change


def test_set_changes_only_the_value(plan_dir):
    path = plan_dir / "accounts.toml"
    old = path.read_text()
    _set(plan_dir, "account", "harbor-hvac", "tier", 2)
    new = path.read_text()
    lines = changed_old_lines(old, new)
    assert len(lines) == 1
    (n,) = lines
    assert old.split("\n")[n] == "tier = 1" and new.split("\n")[n] == "tier = 2"


def test_set_keeps_trailing_comment_and_spacing(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace("tier = 1\n", "tier   =  1   # agreed in October\n", 1))
    _set(plan_dir, "account", "harbor-hvac", "tier", 2)
    assert "tier   =  2   # agreed in October\n" in path.read_text()


def test_new_key_goes_in_schema_order_next_to_its_sibling(plan_dir):
    path = plan_dir / "accounts.toml"
    text = path.read_text()
    path.write_text(text.replace('industry = "HVAC"\n', "", 1))
    old = path.read_text()
    _set(plan_dir, "account", "harbor-hvac", "industry", "HVAC")
    new = path.read_text()
    assert new == text  # back exactly where the schema puts it: after `stage`
    assert len(changed_old_lines(old, new)) == 1


def test_multiline_list_keeps_one_item_per_line(plan_dir):
    plan = load_plan(plan_dir)
    persona = plan.get("persona", "it-lead")
    questions = persona.data["journey"]["decision"]["questions"]
    _set(plan_dir, "persona", "it-lead", "journey.decision.questions", questions[:2] + ["What breaks on day one?"])
    text = (plan_dir / "personas.toml").read_text()
    assert '  "What breaks on day one?",\n]' in text


def test_set_refuses_what_the_schema_rejects_and_leaves_the_file(plan_dir):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    with pytest.raises(EditError) as info:
        _set(plan_dir, "account", "harbor-hvac", "stage", "won")
    assert "use one of" in str(info.value)
    assert path.read_bytes() == before
    _set(plan_dir, "account", "harbor-hvac", "stage", "won", force=True)
    assert 'stage = "won"' in path.read_text()


def test_unset_removes_one_line(plan_dir):
    path = plan_dir / "accounts.toml"
    old = path.read_text()
    plan = load_plan(plan_dir)
    apply_change(plan, unset_field(plan, "account", "harbor-hvac", "region"))
    new = path.read_text()
    assert len(old.split("\n")) - 1 == len(new.split("\n"))
    assert "US Northeast" not in new.split("[[account]]")[1]


def test_add_writes_schema_order_after_the_last_sibling(plan_dir):
    path = plan_dir / "accounts.toml"
    old = path.read_text()
    plan = load_plan(plan_dir)
    change = add_entity(plan, "account", "acme-field", {
        "stage": "target", "tier": 3, "name": "Acme Field Services", "domain": "acme.example",
        "sales_owner": "luis-romero", "marketing_owner": "aisha-khan"})
    apply_change(plan, change)
    new = path.read_text()
    block = new[new.index('id = "acme-field"') - len("[[account]]\n"):]
    assert block.split("\n")[:8] == [
        "[[account]]", 'id = "acme-field"', 'name = "Acme Field Services"', 'domain = "acme.example"',
        "tier = 3", 'stage = "target"', 'sales_owner = "luis-romero"', 'marketing_owner = "aisha-khan"']
    assert new.startswith(old.rstrip("\n"))  # nothing before it moved
    plan = load_plan(plan_dir)
    assert plan.all("account")[-1].id == "acme-field"


def test_add_key_result_lands_inside_its_goal(plan_dir):
    plan = load_plan(plan_dir)
    goal_ids = [g.id for g in plan.all("goal")]
    apply_change(plan, add_entity(plan, "key_result", "grow-pipeline/new-logos", {
        "title": "New logos", "metric": "Closed-won new customers", "unit": "count", "target": 12,
        "direction": "increase"}))
    plan = load_plan(plan_dir)
    assert "grow-pipeline/new-logos" in [k.id for k in plan.all("key_result")]
    assert [g.id for g in plan.all("goal")] == goal_ids
    assert plan.get("key_result", "grow-pipeline/new-logos").path[:2] == plan.get("goal", "grow-pipeline").path


def test_add_refuses_duplicates_and_bad_entities(plan_dir):
    plan = load_plan(plan_dir)
    with pytest.raises(EditError):
        add_entity(plan, "account", "harbor-hvac", {})
    with pytest.raises(EditError) as info:
        add_entity(plan, "account", "bare-co", {"name": "Bare"})
    assert "required" in str(info.value)


def test_remove_takes_the_entity_and_one_blank_line(plan_dir):
    path = plan_dir / "content.toml"
    old = path.read_text()
    plan = load_plan(plan_dir)
    victim = plan.all("content")[5]
    apply_change(plan, remove_entity(plan, "content", victim.id))
    new = path.read_text()
    assert f'id = "{victim.id}"' not in new
    assert "\n\n\n" not in new.replace(old, "")
    assert len(load_plan(plan_dir).all("content")) == len(plan.all("content"))


def test_rename_follows_references(plan_dir):
    plan = load_plan(plan_dir)
    users = referrers(plan, plan.get("persona", "it-lead"))
    assert users
    for change in rename_entity(plan, "persona", "it-lead", "it-leader"):
        apply_change(plan, change)
    plan = load_plan(plan_dir)
    assert plan.find("persona", "it-lead") is None and plan.find("persona", "it-leader")
    assert len(referrers(plan, plan.get("persona", "it-leader"))) == len(users)
    from tui.plan.validation import validate

    assert not [p for p in validate(plan) if p.code == "ref.unknown"]


def test_crlf_bom_and_no_final_newline_are_kept(plan_dir):
    path = plan_dir / "accounts.toml"
    text = path.read_text().rstrip("\n")
    path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode())
    _set(plan_dir, "account", "harbor-hvac", "tier", 2)
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and not raw.endswith(b"\n")
    assert b"\r\ntier = 2\r\n" in raw and raw.count(b"\n") == raw.count(b"\r\n")
    plan = load_plan(plan_dir)
    apply_change(plan, add_entity(plan, "account", "crlf-co", {
        "name": "CRLF Co", "domain": "crlf.example", "tier": 2, "stage": "target",
        "sales_owner": "luis-romero", "marketing_owner": "aisha-khan"}))
    raw = path.read_bytes()
    assert raw.count(b"\n") == raw.count(b"\r\n") and raw.startswith(b"\xef\xbb\xbf")


def test_mixed_line_endings_outside_the_edit_stay(plan_dir):
    path = plan_dir / "accounts.toml"
    lines = path.read_text().split("\n")
    mixed = "\n".join(line + ("\r" if i % 3 == 0 and line else "") for i, line in enumerate(lines))
    path.write_bytes(mixed.encode())
    old = path.read_bytes()
    _set(plan_dir, "account", "harbor-hvac", "icp_fit", 93)
    new = path.read_bytes()
    assert old.replace(b"icp_fit = 94", b"icp_fit = 93", 1) == new


def test_tables_out_of_order_are_not_reordered(tmp_path, plan_dir):
    path = plan_dir / "plan.toml"
    text = path.read_text()
    # move [sla] above the members: still valid TOML, unusual order
    sla_start = text.index("[sla]")
    sla_end = text.index("\n[", sla_start + 1)
    sla = text[sla_start:sla_end + 1]
    text = text[:sla_start] + text[sla_end + 1:]
    first_member = text.index("[[member]]")
    text = text[:first_member] + sla + "\n" + text[first_member:]
    path.write_text(text)
    _set(plan_dir, "sla", "sla", "follow_up_hours", 12)
    new = path.read_text()
    assert new.index("[sla]") < new.index("[[member]]")
    assert len(changed_old_lines(text, new)) == 1


def test_unicode_markup_and_control_text_is_stored_exactly(plan_dir):
    values = ["", "x" * 10_000, "emoji 🚀 and עברית مرحبا", "[bold]not markup[/bold]", "tab\tbell\x07nul-free\x1f",
              'quotes " and \'\'\' and """', "line one\nline two\n", "\nleading newline"]
    for value in values:
        _set(plan_dir, "account", "harbor-hvac", "next_step", value, force=True)
        assert load_plan(plan_dir).get("account", "harbor-hvac").data["next_step"] == value


def test_dates_are_written_as_toml_dates(plan_dir):
    _set(plan_dir, "account", "harbor-hvac", "next_step_due", dt.date(2026, 12, 2))
    assert "next_step_due = 2026-12-02\n" in (plan_dir / "accounts.toml").read_text()


def test_a_new_subtable_for_a_missing_journey_stage(plan_dir):
    path = plan_dir / "personas.toml"
    text = path.read_text()
    start = text.index("[persona.journey.decision]", text.index('id = "it-lead"'))
    end = text.find("\n[", start + 1)
    cut = text[:start] + (text[end + 1:] if end != -1 else "")
    path.write_text(cut.rstrip("\n") + "\n")
    _set(plan_dir, "persona", "it-lead", "journey.decision.questions", ["Who signs?"])
    plan = load_plan(plan_dir)
    assert plan.get("persona", "it-lead").data["journey"]["decision"] == {"questions": ["Who signs?"]}
    assert "[persona.journey.decision]" in path.read_text()


def test_unknown_entity_and_bad_field_are_clear(plan_dir):
    plan = load_plan(plan_dir)
    from tui.plan.problems import PlanError

    with pytest.raises(PlanError) as info:
        set_field(plan, "account", "harbor-hvc", "tier", 2)
    assert "did you mean 'harbor-hvac'" in str(info.value)
    with pytest.raises(PlanError):
        set_field(plan, "key_result", "sourced-pipeline", "actual", 1)


def test_index_after_edits_matches_a_full_index(plan_dir):
    """The index of an edited file is derived from the previous one; it must equal a
    fresh index after edits in the middle, removals, additions and renames."""
    from tui.plan.tomlindex import index_toml

    plan = load_plan(plan_dir)
    steps = [
        lambda: set_field(plan, "content", plan.all("content")[20].id, "title", "A\nmulti-line title"),
        lambda: remove_entity(plan, "content", plan.all("content")[3].id),
        lambda: add_entity(plan, "key_result", "grow-pipeline/kr-x", {
            "title": "X", "metric": "x", "unit": "count", "target": 3, "direction": "increase"}),
        lambda: set_field(plan, "persona", "it-lead", "journey.awareness.questions", ["One?", "Two?"]),
        lambda: set_field(plan, "account", "harbor-hvac", "custom.crm_id", "Z9"),
    ]
    for make in steps:
        change = make()
        plan.files[change.file].index  # noqa: B018 - the base the next index derives from
        apply_change(plan, change)
        derived = plan.files[change.file].index
        full = index_toml(plan.files[change.file].text)
        assert derived.keys == full.keys and derived.headers == full.headers
    for change in rename_entity(plan, "member", "tom-becker", "thomas-becker"):
        apply_change(plan, change)
        derived = plan.files[change.file].index
        assert derived.keys == index_toml(plan.files[change.file].text).keys


def test_index_is_rebuilt_whole_when_tables_interleave():
    from tui.plan.tomlindex import index_toml, reindex

    old = '[[a]]\nx = 1\n[c]\ny = 2\n[[a.b]]\nz = 3\n'  # a nested table after another table
    new = old.replace("x = 1", "x = 10")
    assert reindex(index_toml(old), old, new) is None


def test_set_an_array_of_tables_keeps_unchanged_blocks(plan_dir):
    plan = load_plan(plan_dir)
    committee = plan.get("account", "harbor-hvac").data["committee"]
    path = plan_dir / "accounts.toml"
    old = path.read_text()
    changed = [dict(committee[0], title="Chief Operating Officer")] + committee[1:] + [
        {"name": "Ana Souza", "title": "IT Director", "persona": "it-lead"}]
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "committee", changed))
    new = path.read_text()
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["committee"] == changed
    removed = [line for line in old.split("\n") if line not in new.split("\n")]
    assert removed == [f'title = "{committee[0]["title"]}"']
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "committee", changed[1:2]))
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["committee"] == changed[1:2]


def test_published_content_from_before_the_quarter_is_history(plan_dir):
    from tui.plan.validation import validate

    plan = load_plan(plan_dir)
    item = next(c for c in plan.all("content") if c.data.get("status") == "published")
    apply_change(plan, set_field(plan, "content", item.id, "publish_date", dt.date(2026, 9, 15)))
    assert not [p for p in validate(load_plan(plan_dir)) if p.code == "date.outside-quarter"]
    apply_change(plan, set_field(plan, "content", item.id, "status", "scheduled"))
    assert [p.entity for p in validate(load_plan(plan_dir)) if p.code == "date.outside-quarter"] == [item.id]


# -- no raw terminal controls in written strings; multi-line strings edited line by line --

_RAW_CONTROLS = ["\x7f", "\x80", "\x85", "\x9b", "\x9f", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d",
                 "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


@pytest.mark.parametrize("multiline", [False, True], ids=["one-line", "multi-line"])
def test_c1_del_and_bidi_controls_are_written_as_escapes(plan_dir, multiline):
    value = "a" + "".join(f"{c}x" for c in _RAW_CONTROLS) + ("\nsecond line" if multiline else "")
    path = plan_dir / "accounts.toml"
    _set(plan_dir, "account", "harbor-hvac", "next_step", value, force=True)
    text = path.read_text(encoding="utf-8")
    for c in _RAW_CONTROLS:
        assert c not in text, f"U+{ord(c):04X} written raw"
    assert "\\u0085x\\u009Bx" in text and "\\u202Ex" in text and "\\u007f" in text.lower()
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["next_step"] == value


def test_a_key_with_a_bidi_control_is_written_escaped():
    from tui.plan.edit import render_key

    assert render_key("ab\u202ecd") == '"ab\\u202Ecd"'


def test_a_later_line_of_a_multiline_string_changes_alone(plan_dir):
    path = plan_dir / "glossary.toml"
    old = path.read_text(encoding="utf-8")
    value = load_plan(plan_dir).get("term", "lead").data["definition"]
    assert value.startswith("A person with a business email address")
    new_value = value.replace("below the threshold stay in nurture.", "below the threshold stay in nurture for 90 days.")
    _set(plan_dir, "term", "lead", "definition", new_value)
    new = path.read_text(encoding="utf-8")
    assert new == old.replace("below the threshold stay in nurture.\n",
                              "below the threshold stay in nurture for 90 days.\n")
    diff = [line for line in difflib.unified_diff(old.split("\n"), new.split("\n"), lineterm="", n=0)
            if line[:1] in "+-" and not line.startswith(("+++", "---"))]
    assert diff == ["-below the threshold stay in nurture.", "+below the threshold stay in nurture for 90 days."]
    assert load_plan(plan_dir).get("term", "lead").data["definition"] == new_value


def test_a_multiline_string_on_its_opening_line_keeps_that_line(tmp_path, plan_dir):
    path = plan_dir / "accounts.toml"
    _set(plan_dir, "account", "harbor-hvac", "next_step", "Call the CFO\nabout the pilot\nbefore Friday", force=True)
    old = path.read_text(encoding="utf-8")
    assert 'next_step = """Call the CFO\nabout the pilot\nbefore Friday"""' in old
    _set(plan_dir, "account", "harbor-hvac", "next_step", "Call the CFO\nabout the renewal\nbefore Friday", force=True)
    new = path.read_text(encoding="utf-8")
    assert new == old.replace("about the pilot\n", "about the renewal\n")
    assert len(changed_old_lines(old, new)) == 1


def test_a_multiline_string_in_a_crlf_file_stays_crlf(plan_dir):
    path = plan_dir / "glossary.toml"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    old = path.read_bytes()
    value = load_plan(plan_dir).get("term", "lead").data["definition"]
    _set(plan_dir, "term", "lead", "definition", value.replace("stay in nurture.", "stay in nurture for now."))
    new = path.read_bytes()
    assert new == old.replace(b"stay in nurture.\r\n", b"stay in nurture for now.\r\n")
