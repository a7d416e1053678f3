"""Positions found one top-level table at a time must be the positions of the whole index."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tui.plan.document import TomlFile, parse_toml
from tui.plan.model import load_plan
from tui.plan.tomlindex import UNKNOWN, PartialIndex, index_toml


def _all_paths(text: str):
    full = index_toml(text)
    return full, list(full.keys) + [path + ("absent",) for path in full.keys]


@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLE.glob("*.toml")))
def test_every_position_of_the_example_plan_agrees(name):
    tf = TomlFile.read(EXAMPLE / name)
    full, paths = _all_paths(tf.text)
    for path in paths:
        assert tf.locate(path) == full.locate(path), path
    assert tf._index is None or '"""' in tf.text or "'''" in tf.text  # no whole index where none was needed


ACCOUNTS = """# comment

[[account]]
id = "a"
tags = [
  "x",
  "y",
]

[[account.committee]]
name = "N"

[[account]]
id = "b"
custom = { crm = 1, when = 2026-01-02 }
dotted.key = "v"

[settings]
mode = "fast"
"""


def test_positions_of_arrays_of_tables_and_dotted_keys_agree():
    data = parse_toml(ACCOUNTS)
    part = PartialIndex(ACCOUNTS, data)
    full, paths = _all_paths(ACCOUNTS)
    for path in reversed(paths):  # out of order: each table is scanned when first asked for
        assert part.locate(path) == full.locate(path), path
    assert not part.broken
    assert part.regions()[("account", 1)][0] == ACCOUNTS.index("[[account]]\nid = \"b\"")


@pytest.mark.parametrize("text", [
    # a line inside a multi-line string that looks like a header
    'a = 1\nnote = """\n[[account]]\n"""\n[[account]]\nid = "x"\n',
    # a nested header away from its table: not laid out one table after another
    '[[goal]]\nid = "g"\n[plan]\nq = 1\n[goal.extra]\nx = 1\n',
    # an array value whose last element sits alone on a line like a header
    'm = [\n  [1]\n]\n[t]\nx = 1\n',
])
def test_layouts_it_cannot_be_sure_of_fall_back_to_the_whole_index(text, tmp_path: Path):
    data = parse_toml(text)
    full, paths = _all_paths(text)
    answers = {PartialIndex(text, data).locate(path) is UNKNOWN for path in paths}
    assert answers == {True} or all(PartialIndex(text, data).locate(p) == full.locate(p) for p in paths)
    (tmp_path / "f.toml").write_text(text)
    tf = TomlFile.read(tmp_path / "f.toml", boundary=tmp_path)
    for path in paths:  # TomlFile.locate always answers, from the whole index when it must
        assert tf.locate(path) == full.locate(path), path


def test_a_check_of_a_plan_builds_no_whole_index_of_a_file_without_multiline_strings(plan_dir):
    from tui.plan.validation import validate

    plan = load_plan(plan_dir)
    validate(plan)
    accounts = plan.files["accounts.toml"]
    assert '"""' not in accounts.text and accounts._index is None
