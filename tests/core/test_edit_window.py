"""An edit made on the text of one top-level table must be the edit of the whole file."""

from __future__ import annotations

import datetime as dt

import pytest

from tui.plan import edit as E
from tui.plan.model import collect_entities, load_plan
from tui.plan.problems import PlanError
from tui.plan.tomlindex import index_toml

FIELDS = [("name", "Renamed Co"), ("tier", 2), ("tags", ["a", "b"]), ("custom.crm_id", "zz"),
          ("notes_new", "a new key"), ("committee", [{"name": "A B", "title": "CFO", "persona": "it-lead"}]),
          ("committee", []), ("plays", ["one play"]), ("next_step_due", dt.date(2026, 12, 1)),
          ("pipeline", 5), ("stage", "bogus")]


def _set(plan_dir, kind, id, field, value, whole: bool):
    plan = load_plan(plan_dir)
    if whole:  # the whole index built first: the edit takes the whole-file path
        plan.files[plan.get(kind, id).file].index
    spy = []
    original = E._set_in_window

    def watch(*args, **kwargs):
        result = original(*args, **kwargs)
        spy.append(result is not None)
        return result

    E._set_in_window = watch
    try:
        change = E.set_field(plan, kind, id, field, value, force=True)
        return (change.text, change.data), spy
    except PlanError as exc:
        return ("refused", exc.message), spy
    finally:
        E._set_in_window = original


@pytest.mark.parametrize("field,value", FIELDS)
def test_a_windowed_set_gives_the_text_and_data_of_the_whole_file_path(plan_dir, field, value):
    plan = load_plan(plan_dir)
    targets = [("account", e.id) for e in plan.all("account")[:4]] + [("content", plan.all("content")[0].id)]
    used = []
    for kind, id in targets:
        windowed, spy = _set(plan_dir, kind, id, field, value, whole=False)
        whole, _ = _set(plan_dir, kind, id, field, value, whole=True)
        assert windowed == whole, (kind, id, field)
        used += spy
    assert any(used), "the windowed path was never taken"


def test_after_windowed_edits_entities_and_positions_are_those_of_the_file_read_again(plan_dir):
    plan = load_plan(plan_dir)
    ids = [e.id for e in plan.all("account")]
    for n, id in enumerate([ids[0], ids[-1], ids[len(ids) // 2], ids[0]]):
        E.apply_change(plan, E.set_field(plan, "account", id, "next_step", f"call them {'back ' * n}soon"))
        E.apply_change(plan, E.set_field(plan, "account", id, "committee",
                                         [{"name": f"P{n}", "title": "CTO", "persona": "it-lead"}] * (n % 3)))
        assert plan.entities == collect_entities(plan.files)
        assert list(plan.entities) == list(collect_entities(plan.files))
    again = load_plan(plan_dir)
    tf = plan.files["accounts.toml"]
    assert tf.text == again.files["accounts.toml"].text and tf.data == again.files["accounts.toml"].data
    full = index_toml(tf.text)
    for path in full.keys:
        assert tf.locate(path) == full.locate(path), path
