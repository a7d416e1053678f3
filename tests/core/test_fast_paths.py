"""The shortcuts a big plan takes give the answers the plain ways give.

- the schema instance from orjson's round trip is ``to_json``'s, for every valid file of
  the TOML conformance suite (dates, times, offsets, floats, nested arrays), and a nan or
  inf anywhere still sends the check down the walk that finds it;
- the automaton scan of a whole text (textscan) starts where Python's ``re`` would;
- an entity's compiled schema gate accepts only what jsonschema accepts;
- an edit of one table brings the plan's entities to what collecting them afresh gives;
- an edit that reads only its kind's file writes the same bytes as one that read all.
"""

from __future__ import annotations

import copy
import re
import shutil

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CORPUS, EXAMPLE, require_corpus
from tui.plan import textscan
from tui.plan.document import parse_toml
from tui.plan.edit import add_entity, apply_change, edit_locked, remove_entity, same_data, set_field
from tui.plan.model import collect_entities, load_plan
from tui.plan.problems import PlanError
from tui.plan.registry import KINDS
from tui.plan.schema import load_schemas
from tui.plan.schema_errors import _entity_validator, entity_errors, to_json
from tui.plan.validation import _json_instance, validate


def _valid_corpus() -> list:
    listing = CORPUS / "files-toml-1.0.0"
    if not listing.is_file():
        return []
    return [line.strip() for line in listing.read_text().splitlines()
            if line.strip().startswith("valid/") and line.strip().endswith(".toml")]


@pytest.mark.parametrize("name", _valid_corpus() or ["(no corpus)"])
def test_the_json_round_trip_gives_to_jsons_instance_for_the_whole_corpus(name):
    require_corpus()
    data = parse_toml((CORPUS / name).read_text(encoding="utf-8").removeprefix("\ufeff"))
    bad_walk: list = []
    expected = to_json(data, bad_walk)
    instance, bad = _json_instance(data)
    assert instance == expected
    assert [path for path, _ in bad] == [path for path, _ in bad_walk]  # nan and inf found where they are


@pytest.mark.parametrize("text", ["x = nan", "a = [1.0, -inf]", "t = {v = +nan}", 'k = "null"\nn = inf'])
def test_a_non_finite_number_is_found_where_it_is(text):
    instance, bad = _json_instance(parse_toml(text))
    assert bad, "nan/inf must take the walk that finds them"


def test_a_string_holding_null_is_still_a_string():
    instance, bad = _json_instance({"a": "null", "b": [":null", ",null"]})
    assert instance == {"a": "null", "b": [":null", ",null"]} and bad == []


WORDS = st.lists(st.text(alphabet="abcxyz -_.", min_size=1, max_size=6).filter(str.strip), min_size=1, max_size=8)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(words=WORDS, text=st.text(alphabet="abcxyzABCXYZ -_.\n\"'=[]", max_size=200))
def test_the_automaton_scan_starts_where_re_does(words, text):
    fallback = re.compile("|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True)), re.I)
    scan = textscan.Words(words, fallback)
    assert scan.starts(text) == [m.start() for m in fallback.finditer(text)]


def test_non_ascii_text_takes_pythons_way_with_the_same_answer():
    fallback = re.compile("lead", re.I)
    scan = textscan.Words(["lead"], fallback)
    assert scan.starts("Ärger LEAD lead") == [6, 11]


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="0123456789-\"'\n x", max_size=80))
def test_the_quoted_date_pattern_answers_as_re_does(text):
    pattern = r"[\"'](?:\r?\n)?\d{4}-\d{2}-\d{2}"
    assert textscan.Pattern(pattern).search(text) == (re.search(pattern, text) is not None)


SCHEMAS = load_schemas()
PLAN = load_plan(EXAMPLE)
VALUES = st.one_of(st.text(max_size=8), st.integers(-3, 300), st.booleans(), st.none(),
                   st.sampled_from(["a@b", "x@y.example", "2026-02-30", "https://x.example", "sales", ""]),
                   st.lists(st.text(max_size=4), max_size=2))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_an_entity_found_valid_by_the_gate_is_valid_for_jsonschema(data):
    kind = data.draw(st.sampled_from([k for k in KINDS if PLAN.all(k)]))
    entity = data.draw(st.sampled_from(PLAN.all(kind)))
    item = copy.deepcopy(entity.data)
    field = data.draw(st.sampled_from(sorted(item) + ["new_field"]))
    value = data.draw(VALUES)
    if value is None:
        item.pop(field, None)
    else:
        item[field] = value
    found = entity_errors(SCHEMAS, KINDS[kind], item)
    slow = list(_entity_validator(SCHEMAS, KINDS[kind]).iter_errors(to_json(item, [])))
    assert (found == []) == (slow == [])


def _snapshot(entities: dict) -> dict:
    return {k: [(e.id, e.file, e.path, e.data) for e in v] for k, v in entities.items()}


@pytest.mark.parametrize("kind, field, value", [("account", "tier", 3), ("content", "title", "Renamed"),
                                                ("persona", "name", "Someone"), ("goal", "title", "New title"),
                                                ("member", "name", "New Name")])
def test_entities_after_an_edit_are_those_collected_afresh(tmp_path, kind, field, value):
    shutil.copytree(EXAMPLE, tmp_path / "p")
    plan = load_plan(tmp_path / "p")
    entity = plan.all(kind)[-1]
    apply_change(plan, set_field(plan, kind, entity.id, field, value))
    assert list(plan.entities) == list(collect_entities(plan.files))
    assert _snapshot(plan.entities) == _snapshot(collect_entities(plan.files))
    assert plan.get(kind, entity.id).data[field] == value
    assert not [p for p in validate(plan) if p.code.startswith("schema")]


NEW_ACCOUNT = {"name": "New One", "domain": "new-one.example", "tier": 2, "stage": "target",
               "sales_owner": "tom-becker", "marketing_owner": "sam-oduya"}


def test_a_missing_key_is_named_once_however_many_are_missing(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "p")
    plan = load_plan(tmp_path / "p")
    with pytest.raises(PlanError) as caught:
        add_entity(plan, "account", "new-one", {"name": "New One"})
    message = str(caught.value)
    for key in ("domain", "tier", "stage"):
        assert message.count(f"has no `{key}`") == 1, message


def test_an_edit_reading_only_its_file_writes_what_a_whole_read_does(tmp_path):
    for name in ("a", "b"):
        shutil.copytree(EXAMPLE, tmp_path / name)
    account = load_plan(EXAMPLE).all("account")[0].id

    def edits(plan):
        return set_field(plan, "account", account, "tier", 3)

    plan, written = edit_locked(tmp_path / "a", edits, only={"accounts.toml"})
    assert plan.partial == frozenset({"accounts.toml"}) and set(plan.files) == {"accounts.toml"}
    edit_locked(tmp_path / "b", edits)
    assert (tmp_path / "a" / "accounts.toml").read_bytes() == (tmp_path / "b" / "accounts.toml").read_bytes()
    for kind, op in [("account", lambda p: add_entity(p, "account", "new-one", NEW_ACCOUNT)),
                     ("account", lambda p: remove_entity(p, "account", "new-one"))]:
        edit_locked(tmp_path / "a", op, only={KINDS[kind].file})
        edit_locked(tmp_path / "b", op)
        assert (tmp_path / "a" / "accounts.toml").read_bytes() == (tmp_path / "b" / "accounts.toml").read_bytes()


def _both_ways(plan_dir, make):
    """The Change ``make(plan)`` gives with the file's tables told apart one by one, and
    the one it gives once the whole file is indexed (the way every edit once went)."""
    fast = make(load_plan(plan_dir))
    whole = load_plan(plan_dir)
    for tf in whole.files.values():
        tf.index  # noqa: B018 - indexed: edits take the whole-file path
    slow = make(whole)
    return fast, slow


ADDS = {
    "account": ("new-one", NEW_ACCOUNT),
    "persona": ("new-persona", {"name": "New Persona", "role": "Buyer"}),
    "member": ("new-member", {"name": "New Member", "team": "sales"}),
    "content": ("new-content", {"title": "New piece"}),
}


@pytest.mark.parametrize("kind", sorted(ADDS))
def test_add_and_rm_of_one_table_write_what_the_whole_file_way_writes(kind):
    new_id, fields = ADDS[kind]
    plan = load_plan(EXAMPLE)
    if kind in ("account", "content"):  # the example's other files hold multi-line strings (see below)
        assert plan.files[KINDS[kind].file].top_level_lines(plan.all(kind)[-1].path) is not None
    fast, slow = _both_ways(EXAMPLE, lambda plan: add_entity(plan, kind, new_id, fields, force=True))
    assert fast.text == slow.text and same_data(fast.data, slow.data)
    for entity in [load_plan(EXAMPLE).all(kind)[i] for i in (0, -1)]:
        fast, slow = _both_ways(EXAMPLE, lambda plan: remove_entity(plan, kind, entity.id))
        assert fast.text == slow.text, entity.id
        assert same_data(fast.data, slow.data) and same_data(fast.data, parse_toml(fast.text))


def test_rm_of_every_goal_and_account_matches_the_whole_file_way():
    plan = load_plan(EXAMPLE)
    for kind in ("goal", "account"):
        for entity in plan.all(kind):
            fast, slow = _both_ways(EXAMPLE, lambda p: remove_entity(p, kind, entity.id))
            assert fast.text == slow.text and same_data(fast.data, parse_toml(fast.text)), entity.id


def test_a_file_whose_tables_cannot_be_told_apart_takes_the_whole_file_way(tmp_path):
    shutil.copytree(EXAMPLE, tmp_path / "p")
    path = tmp_path / "p" / "accounts.toml"
    text = re.sub(r'^name = "([^"\n]*)"$', r'name = """\1"""', path.read_text(encoding="utf-8"), count=1, flags=re.M)
    path.write_text(text, encoding="utf-8")  # a multi-line string: header-like lines could hide in one
    plan = load_plan(tmp_path / "p")
    assert plan.files["accounts.toml"].top_level_lines(plan.all("account")[0].path) is None
    change = remove_entity(plan, "account", plan.all("account")[-1].id)
    assert same_data(change.data, parse_toml(change.text))


def _one_line_strings(folder):
    """The example plan with its multi-line strings written on one line (same data), so
    every file's tables can be told apart one by one."""
    import json

    for path in folder.glob("*.toml"):
        text = path.read_text(encoding="utf-8")
        new = re.sub(r'"""\n?(.*?)"""', lambda m: json.dumps(m.group(1)), text, flags=re.S)
        assert parse_toml(new) == parse_toml(text), path.name  # the fixture keeps the data
        path.write_text(new, encoding="utf-8")


@pytest.mark.parametrize("kind", ["goal", "persona", "member", "meeting", "term"])
def test_every_kind_adds_and_removes_one_table_as_the_whole_file_way_does(tmp_path, kind):
    shutil.copytree(EXAMPLE, tmp_path / "p")
    _one_line_strings(tmp_path / "p")
    plan = load_plan(tmp_path / "p")
    entities = plan.all(kind)
    assert plan.files[entities[-1].file].top_level_lines(entities[-1].path) is not None  # the fast way is taken
    for entity in entities:
        fast, slow = _both_ways(tmp_path / "p", lambda p: remove_entity(p, kind, entity.id))
        assert fast.text == slow.text and same_data(fast.data, parse_toml(fast.text)), entity.id
    fields = {key: value for key, value in entities[0].data.items() if key != "id"}
    fast, slow = _both_ways(tmp_path / "p", lambda p: add_entity(p, kind, "brand-new", fields, force=True))
    assert fast.text == slow.text and same_data(fast.data, parse_toml(fast.text))


@pytest.mark.parametrize("kind", ["member", "persona", "account", "goal"])
def test_a_rename_splices_each_table_as_the_whole_file_way_does(tmp_path, kind):
    from tui.plan.refs import referrers, rename_entity

    shutil.copytree(EXAMPLE, tmp_path / "p")
    _one_line_strings(tmp_path / "p")
    plan = load_plan(tmp_path / "p")
    target = max(plan.all(kind), key=lambda e: len(referrers(plan, e)))
    assert referrers(plan, target), "a target with references"

    def rename(p):
        return rename_entity(p, kind, target.id, target.own_id + "-renamed")

    fast, slow = _both_ways(tmp_path / "p", rename)
    assert [(c.file, c.text) for c in fast] == [(c.file, c.text) for c in slow]
    for c in fast:
        assert same_data(c.data, parse_toml(c.text)) if c.text else True
