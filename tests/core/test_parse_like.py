"""Reading a revision of a file by taking its unchanged tables from another version
(``document.parse_toml_like``) gives exactly what a whole parse gives, or steps aside
(None) so the whole parse runs: never other data, never data for a broken file."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLE
from tui.plan.document import TomlFile, parse_toml, parse_toml_like
from tui.plan.edit import same_data
from tui.plan.problems import TomlSyntaxError
from tui.plan.tomlindex import top_level_split

BASE = {name: (EXAMPLE / name).read_text(encoding="utf-8") for name in ("accounts.toml", "content.toml")}
LIKE = {name: TomlFile.from_bytes(EXAMPLE / name, text.encode(), name) for name, text in BASE.items()}


def _pieces(text: str) -> tuple[str, list[str]]:
    first, tables = top_level_split(text)
    return text[:first], [text[a:b] for _, a, b in tables]


EDITS = st.lists(st.tuples(st.sampled_from(["change", "drop", "copy", "swap", "break", "root-clash", "retype",
                                            "nested-away", "twice"]),
                           st.integers(0, 10_000)), max_size=6)


def _edited(text: str, edits) -> str:
    root, tables = _pieces(text)
    for op, n in edits:
        if not tables:
            break
        i = n % len(tables)
        if op == "change":
            tables[i] = tables[i].replace("tier = ", "tier = 1", 1).replace("title = \"", "title = \"New ", 1)
        elif op == "drop":
            del tables[i]
        elif op == "copy":
            tables.insert(i, tables[i])
        elif op == "swap":
            j = (n // 7) % len(tables)
            tables[i], tables[j] = tables[j], tables[i]
        elif op == "break":
            tables[i] = tables[i] + "oops = = 1\n"
        elif op == "root-clash":
            root = root + tables[i].split("\n", 1)[0].strip("[]") + " = 1\n"
        elif op == "retype":
            tables[i] = tables[i].replace("[[", "[", 1).replace("]]", "]", 1)
        elif op == "nested-away":
            tables.append(f"[{tables[i].split(chr(10), 1)[0].strip('[]')}.extra]\nx = 1\n")
        elif op == "twice":
            tables.append(tables[i].replace("id = ", "id2 = ", 1))
    return root + "".join(tables)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.sampled_from(sorted(BASE)), edits=EDITS)
def test_a_revision_read_like_another_is_what_a_whole_parse_reads(name, edits):
    text = _edited(BASE[name], edits)
    try:
        whole = parse_toml(text, name)
    except TomlSyntaxError:
        whole = None
    like = parse_toml_like(text, name, LIKE[name])
    if whole is None:
        assert like is None, "a file that does not parse must not get data"
    elif like is not None:
        assert same_data(like, whole)


def test_unchanged_tables_are_the_very_objects_of_the_other_version():
    text = _edited(BASE["accounts.toml"], [("change", 0)])
    data = parse_toml_like(text, "accounts.toml", LIKE["accounts.toml"])
    assert data is not None and same_data(data, parse_toml(text))
    old = LIKE["accounts.toml"].data["account"]
    assert data["account"][0] is not old[0] and all(a is b for a, b in zip(data["account"][1:], old[1:]))


@pytest.mark.parametrize("text", ['x = """\n[[account]]\n"""\n', "<<<<<<< HEAD\n[[account]]\n", "a = {b = 1,}\n"])
def test_what_is_unusual_takes_the_whole_parse(text):
    assert parse_toml_like(BASE["accounts.toml"] + text, "accounts.toml", LIKE["accounts.toml"]) is None
