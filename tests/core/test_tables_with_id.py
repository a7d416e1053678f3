"""``document.tables_with_id`` finds an entity's table in a file's bytes without parsing the
whole file; its answer must be the whole parse's, or UNKNOWN where a plain search could
be fooled."""

from __future__ import annotations

import pytest

from tests.conftest import EXAMPLE
from tui.plan.document import UNKNOWN, hides_ids, parse_toml, tables_with_id


def _whole(raw: bytes, array: str, eid: str) -> list[dict]:
    data = parse_toml(raw.decode("utf-8-sig"))
    return [t for t in data.get(array, []) if str(t.get("id", "")) == eid]


@pytest.mark.parametrize("file, array", [("accounts.toml", "account"), ("content.toml", "content"),
                                         ("personas.toml", "persona"), ("glossary.toml", "term")])
def test_every_entity_of_the_example_is_found_as_the_whole_parse_finds_it(file, array):
    if file == "accounts.toml":
        assert not hides_ids((EXAMPLE / file).read_bytes())  # so the answers below are looked at
    raw = (EXAMPLE / file).read_bytes()
    ids = [str(t["id"]) for t in parse_toml(raw.decode("utf-8"))[array]]
    assert ids
    for eid in ids + ["no-such-id", ids[0][:-1]]:
        got = tables_with_id(raw, array, eid)
        if hides_ids(raw):  # multi-line strings (personas, glossary): never guessed
            assert got is UNKNOWN
        else:
            assert got == _whole(raw, array, eid), eid


def test_a_generated_plan_is_answered_for_every_account(tmp_path):
    from tests.bench.generate import make_plan

    raw = (make_plan(tmp_path / "medium", "medium") / "accounts.toml").read_bytes()
    data = parse_toml(raw.decode("utf-8"))
    for table in data["account"][::37]:
        got = tables_with_id(raw, "account", table["id"])
        assert got == [table]
        assert any("committee" in t for t in got) or "committee" not in table


BASE = b"""title = "x"

[[account]]
id = "acme"
name = "Acme"
parent = "zeta"

[[account.committee]]
persona = "cfo"

[[account]]
id = "zeta"
name = "Zeta"

[settings]
id = "acme-not"
"""


def test_nested_tables_belong_to_their_account_and_other_tables_end_it():
    assert tables_with_id(BASE, "account", "acme") == [
        {"id": "acme", "name": "Acme", "parent": "zeta", "committee": [{"persona": "cfo"}]}]
    # "zeta" is also written as acme's parent: only the table whose id it is counts
    assert tables_with_id(BASE, "account", "zeta") == [{"id": "zeta", "name": "Zeta"}]
    assert tables_with_id(BASE, "account", "nobody") == []


def test_a_repeated_id_gives_every_table_in_file_order():
    raw = BASE + b"\n[[account]]\nid = 'acme'\nname = \"Acme again\"\n"
    assert [t["name"] for t in tables_with_id(raw, "account", "acme")] == ["Acme", "Acme again"]
    assert tables_with_id(raw, "account", "acme") == _whole(raw, "account", "acme")


def test_crlf_a_bom_comments_and_spacing_are_read_as_the_parser_reads_them():
    raw = b"\xef\xbb\xbf" + (b"  [[ account ]]  # first\r\nid   =   \"acme\"\r\nx = 1 # note \"zeta\"\r\n"
                             b"[[account]]\r\nid = \"zeta\"\r\n")
    assert tables_with_id(raw, "account", "acme") == _whole(raw, "account", "acme") == [{"id": "acme", "x": 1}]
    assert tables_with_id(raw, "account", "zeta") == _whole(raw, "account", "zeta")


@pytest.mark.parametrize("raw, eid", [
    (BASE + b'\n[[account]]\nid = "x"\nnote = """\n[[account]]\nid = "acme"\n"""\n', "acme"),  # a header in a string
    (BASE + b"\n[[account]]\nid = \"ac\\u006de\"\n", "acme"),  # an escape that spells the id
    (b'id = "acme"\n' + BASE, "acme"),  # the id outside any [[account]] table
    (BASE.replace(b"[settings]\nid = \"acme-not\"", b"[settings]\nid = \"acme\""), "acme"),  # in another table
    (BASE, "ac me"),  # not a plain word
    (BASE.replace(b'name = "Acme"', b'name = "Acme'), "acme"),  # its table does not parse
])
def test_what_a_plain_search_could_miss_is_unknown(raw, eid):
    assert tables_with_id(raw, "account", eid) is UNKNOWN
