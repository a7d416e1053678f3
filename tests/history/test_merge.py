"""The merge in memory, class by class: renames, arrays of tables, long text, silent
loss, conflict regions, comments and the opening line of multi-line strings."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.history.helpers import EXAMPLE
from tui.history.merge import DataMerge, MergeOutcome, match_elements, merge_bytes, merge_lines
from tui.plan.edit import set_field, stage_change
from tui.plan.model import load_plan


def _text(name: str, edits) -> str:
    plan = load_plan(EXAMPLE)
    for fn, *args in edits:
        stage_change(plan, fn(plan, *args))
    return plan.files[name].text


def _merge(name: str, ours: str, theirs: str) -> MergeOutcome:
    base = (EXAMPLE / name).read_bytes()
    return merge_bytes(base, ours.encode(), theirs.encode(), f"plans/{name}")


def _resolve(text: str, side: str) -> str:
    out, state = [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            state = "ours"
        elif line.startswith("=======") and state:
            state = "theirs"
        elif line.startswith(">>>>>>>") and state:
            state = None
        elif state is None or state == side:
            out.append(line)
    return "".join(out)


def _accounts(text: str) -> dict:
    return {a["id"]: a for a in tomllib.loads(text)["account"]}


def test_keep_mine_api_signature_and_fields():
    base = (EXAMPLE / "accounts.toml").read_bytes()
    out = merge_bytes(base, base, base, "/anywhere/plans/accounts.toml")
    assert isinstance(out, MergeOutcome)
    assert (out.text, out.conflicts, out.messages, out.fallback, out.raw) == (base.decode(), [], [], False, base)


def test_an_edit_is_carried_onto_the_entity_the_other_side_renamed():
    for rename_side in ("ours", "theirs"):
        base = (EXAMPLE / "accounts.toml").read_text()
        renamed = base.replace('id = "harbor-hvac"', 'id = "harbor-services"', 1)
        edited = _text("accounts.toml", [(set_field, "account", "harbor-hvac", "next_step", "Call Kenji")])
        ours, theirs = (renamed, edited) if rename_side == "ours" else (edited, renamed)
        out = _merge("accounts.toml", ours, theirs)
        assert out.conflicts == []
        got = _accounts(out.text)
        assert "harbor-hvac" not in got and got["harbor-services"]["next_step"] == "Call Kenji"


def test_two_different_renames_are_a_conflict_on_the_id_line_only():
    base = (EXAMPLE / "accounts.toml").read_text()
    ours = base.replace('id = "harbor-hvac"', 'id = "harbor-a"', 1)
    theirs = base.replace('id = "harbor-hvac"', 'id = "harbor-b"', 1)
    theirs = theirs.replace("tier = 1", "tier = 2", 1)  # and an edit next to it, which merges
    out = _merge("accounts.toml", ours, theirs)
    assert len(out.conflicts) == 1 and "id" in out.conflicts[0]
    block = out.text.split("<<<<<<<")[1].split(">>>>>>>")[0]
    assert block.count("\n") == 4  # label, ours' id line, =======, theirs' id line
    for side, id in (("ours", "harbor-a"), ("theirs", "harbor-b")):
        got = _accounts(_resolve(out.text, side))
        assert id in got and got[id]["tier"] == 2 and len(got) == len(_accounts(base))


def test_dropping_an_item_the_other_side_reworded_is_a_conflict():
    plan = load_plan(EXAMPLE)
    pains = plan.get("persona", "ops-director").data["pains"]
    drop = _text("personas.toml", [(set_field, "persona", "ops-director", "pains", pains[1:])])
    reword = _text("personas.toml", [(set_field, "persona", "ops-director", "pains",
                                      [pains[0] + " (reworded)"] + pains[1:])])
    for ours, theirs in ((drop, reword), (reword, drop)):
        out = _merge("personas.toml", ours, theirs)
        assert out.conflicts and "pains" in out.conflicts[0]
        for side in ("ours", "theirs"):
            tomllib.loads(_resolve(out.text, side))


def test_lists_merge_as_sets_when_both_sides_add_and_remove():
    dm = DataMerge()
    merged = dm.merge({"x": ["a", "b", "c"]}, {"x": ["a", "c", "d"]}, {"x": ["b", "c", "e"]})["x"]
    assert sorted(merged) == ["c", "d", "e"] and merged[0] == "c"  # B's addition goes after what precedes it in B
    assert dm.conflicts == []


def test_committee_members_are_matched_by_email_then_name():
    o = [{"name": "A", "email": "a@x"}, {"name": "B", "email": "b@x"}]
    a = [{"name": "B", "email": "b@x", "title": "new"}, {"name": "A", "email": "a@x"}]  # reordered + edited
    b = [{"name": "A", "email": "a@x", "title": "lead"}, {"name": "B", "email": "b@x"}, {"name": "C", "email": "c@x"}]
    groups = match_elements(o, a, b, "committee")
    assert groups == [(1, 0, 1), (None, None, 2), (0, 1, 0)]  # C after B, as in theirs
    dm = DataMerge()
    merged = dm.merge({"committee": o}, {"committee": a}, {"committee": b})
    assert dm.conflicts == []
    assert merged["committee"] == [{"name": "B", "email": "b@x", "title": "new"}, {"name": "C", "email": "c@x"},
                                   {"name": "A", "email": "a@x", "title": "lead"}]


def test_edits_to_two_committee_members_of_one_account_merge():
    plan = load_plan(EXAMPLE)
    committee = plan.get("account", "harbor-hvac").data["committee"]
    ours = _text("accounts.toml", [(set_field, "account", "harbor-hvac", ("committee", 0, "title"), "COO")])
    theirs = _text("accounts.toml", [(set_field, "account", "harbor-hvac", ("committee", 1, "title"), "Head")])
    out = _merge("accounts.toml", ours, theirs)
    assert out.conflicts == []
    got = _accounts(out.text)["harbor-hvac"]["committee"]
    assert [m["title"] for m in got][:2] == ["COO", "Head"] and len(got) == len(committee)


def test_long_text_merges_line_by_line_and_keeps_the_opening_line():
    base = (EXAMPLE / "glossary.toml").read_text()
    ours = base.replace("form, an event scan,", "form, a trade show, an event scan,", 1)
    theirs = base.replace("outreach, and is not yet an MQL.", "outreach, and is not an MQL yet.", 1)  # next line
    out = _merge("glossary.toml", ours, theirs)
    assert out.conflicts == []
    changed = [ln for ln in out.text.splitlines() if ln not in base.splitlines()]
    assert changed == ["form, a trade show, an event scan, a webinar registration, a purchased list or SDR",
                       "outreach, and is not an MQL yet. Every lead carries a lead score; leads"]
    assert 'definition = """' in out.text.splitlines()


def test_merge_lines_conflicts_only_on_the_same_lines():
    o = ["a", "b", "c"]
    assert merge_lines(o, ["A", "b", "c"], ["a", "B", "c"]) == ["A", "B", "c"]
    assert merge_lines(o, ["A", "b", "c"], ["X", "b", "c"]) is None
    assert merge_lines(o, ["a", "x", "b", "c"], ["a", "y", "b", "c"]) is None  # order unknown


def test_comments_inside_a_multi_line_list_survive_the_other_sides_append():
    base = (EXAMPLE / "personas.toml").read_text()
    first = '  "Overtime and drive time eat the margin on service contracts",\n'
    base = base.replace(first, first.rstrip("\n") + "  # the top complaint\n", 1)
    ours = base.replace('name = "Olivia, Operations Director"', 'name = "Olivia, Ops Director"', 1)
    last = '  "Growth means hiring more dispatchers, not scheduling smarter",\n]'
    theirs = base.replace(last, last[:-1] + '  "Too many tools",\n]', 1)
    out = merge_bytes(base.encode(), ours.encode(), theirs.encode(), "plans/personas.toml")
    assert out.conflicts == []
    assert "# the top complaint" in out.text and '"Too many tools"' in out.text and "Olivia, Ops Director" in out.text


def test_a_true_conflict_marks_the_field_and_each_side_is_whole():
    ours = _text("plan.toml", [(set_field, "member", "mei-lin", "role", "CMO")])
    theirs = _text("plan.toml", [(set_field, "member", "mei-lin", "role", "VP Marketing"),
                                 (set_field, "member", "mei-lin", "name", "Mei Lin-Park")])
    out = _merge("plan.toml", ours, theirs)
    assert out.conflicts == ["member mei-lin: role (both changed it)"]
    block = out.text.split("<<<<<<<", 1)[1].split(">>>>>>>", 1)[0]
    assert block.splitlines()[1:] == ['role = "CMO"', "=======", 'role = "VP Marketing"']
    for side, role in (("ours", "CMO"), ("theirs", "VP Marketing")):
        members = {m["id"]: m for m in tomllib.loads(_resolve(out.text, side))["member"]}
        assert members["mei-lin"]["role"] == role and members["mei-lin"]["name"] == "Mei Lin-Park"


def test_unparseable_sides_fall_back(tmp_path):
    from tui.history.merge import merge_files

    base = (EXAMPLE / "accounts.toml").read_bytes()
    paths = []
    theirs = base.replace(b'name = "Harbor HVAC Services"', b'name = "Harbor HVAC"', 1)
    for name, raw in (("o", base), ("a", base + b"\n[[account]\n"), ("b", theirs)):
        p = tmp_path / name
        p.write_bytes(raw)
        paths.append(str(p))
    out = merge_files(*paths, "plans/accounts.toml")
    assert out.fallback and "merged line by line instead" in out.messages[0]
    merged = Path(paths[1]).read_bytes()
    assert b'name = "Harbor HVAC"\n' in merged and merged.endswith(b"\n[[account]\n")  # both sides kept


def test_comments_the_other_side_added_to_entities_are_kept():
    base = (EXAMPLE / "accounts.toml").read_text()
    ours = base.replace("icp_fit = 94", "icp_fit = 95", 1)
    theirs = base.replace('stage = "customer"', 'stage = "lost"', 1)  # the line next to ours: git conflicts
    header = '[[account]]\nid = "northgate-utilities"'
    theirs = theirs.replace(header, "# northgate: renewal at risk\n" + header, 1)
    theirs = theirs.replace('region = "US Midwest"', 'region = "US Midwest"  # HQ in Des Moines', 1)
    out = _merge("accounts.toml", ours, theirs)
    assert out.conflicts == []
    import difflib

    diff = difflib.unified_diff(base.splitlines(), out.text.splitlines(), lineterm="", n=0)
    added = [ln[1:] for ln in diff if ln.startswith("+") and not ln.startswith("+++")]
    assert added == ["icp_fit = 95", 'stage = "lost"', "# northgate: renewal at risk",
                     'region = "US Midwest"  # HQ in Des Moines']
