"""RELIABILITY.md cases 1-12: TOML files as people and tools write them."""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from tests.conftest import CORPUS, require_corpus
from tui.plan.document import TomlFile, parse_toml
from tui.plan.edit import apply_change, render_value, set_field
from tui.plan.model import load_plan
from tui.plan.problems import TomlSyntaxError
from tui.plan.save import atomic_write
from tui.plan.validation import validate


def _corpus_files(prefix: str) -> list:
    listing = CORPUS / "files-toml-1.0.0"
    if not listing.is_file():
        return []
    return [line.strip() for line in listing.read_text().splitlines()
            if line.strip().startswith(prefix) and line.strip().endswith(".toml")]


# 1 — every valid corpus file survives a no-op save byte for byte; every invalid one is
# a clear error with a line and column (the per-file variants live in tests/core/test_corpus.py)
def test_case_01_corpus_noop_saves_are_byte_identical_and_invalid_files_are_positioned(tmp_path):
    root = require_corpus()
    valid, invalid = _corpus_files("valid/"), _corpus_files("invalid/")
    assert len(valid) > 150 and len(invalid) > 300
    copy = tmp_path / "file.toml"
    for name in valid:
        original = (root / name).read_bytes()
        copy.write_bytes(original)
        tf = TomlFile.read(copy)
        atomic_write(copy, tf.encode(tf.text), tf.sha256)
        assert copy.read_bytes() == original, name
    for name in invalid:
        with pytest.raises(TomlSyntaxError) as info:
            TomlFile.from_bytes(root / name, (root / name).read_bytes(), name)
        assert info.value.line >= 1 and info.value.col >= 0 and info.value.file == name, name
        assert str(info.value).startswith(f"{name}:{info.value.line}"), name


# 2 — byte-order mark
def test_case_02_bom_is_read_and_kept(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    plan = load_plan(plan_dir)
    assert not plan.syntax_errors and plan.get("account", "harbor-hvac")
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and raw.count(b"\xef\xbb\xbf") == 1 and b"tier = 2" in raw


# 3 — CRLF, mixed endings, no final newline: kept exactly (edit cases: tests/core/test_edit.py)
def test_case_03_line_endings_are_kept_by_saves_and_edits(tmp_path, plan_dir):
    path = tmp_path / "x.toml"
    raw = b'a = 1\r\nb = "two"\nc = [\r\n  1,\r\n]'
    path.write_bytes(raw)
    tf = TomlFile.read(path)
    atomic_write(path, tf.encode(tf.text), tf.sha256)
    assert path.read_bytes() == raw
    accounts = plan_dir / "accounts.toml"
    original = accounts.read_bytes().replace(b"\n", b"\r\n").rstrip(b"\r\n")
    accounts.write_bytes(original)
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    after = accounts.read_bytes()
    assert after == original.replace(b"tier = 1\r\n", b"tier = 2\r\n", 1)


# 4 — tables out of order are not reordered on save
def test_case_04_tables_out_of_order_are_not_reordered(tmp_path):
    root = tmp_path / "plans"
    root.mkdir()
    (root / "plan.toml").write_text('[plan]\nschema_version = 1\ncompany = "Co"\nquarter = "2026-Q4"\n'
                                    'start = 2026-10-01\nend = 2026-12-31\n')
    text = ('[[goal]]\nid = "a"\ntitle = "A"\n\n[extra]\nx = 1\n\n[[goal]]\nid = "b"\ntitle = "B"\n\n'
            '[[goal.key_result]]\nid = "k"\ntitle = "K"\n')
    (root / "goals.toml").write_text(text)
    plan = load_plan(root)
    apply_change(plan, set_field(plan, "goal", "a", "title", "A2", force=True))
    assert (root / "goals.toml").read_text() == text.replace('title = "A"', 'title = "A2"')


# 5 — dotted keys followed by other keys, then a new sub-table: the re-parse check guards
def test_case_05_dotted_keys_then_new_subtable_keeps_data(tmp_path):
    root = tmp_path / "plans"
    root.mkdir()
    (root / "plan.toml").write_text(
        '[plan]\nschema_version = 1\ncompany = "Co"\nquarter = "2026-Q4"\nstart = 2026-10-01\nend = 2026-12-31\n')
    (root / "accounts.toml").write_text(
        '[[account]]\nid = "a"\nname = "A"\ndomain = "a.example"\ntier = 1\nstage = "target"\n'
        'sales_owner = "s"\nmarketing_owner = "m"\ncustom.crm = "x"\nregion = "EU"\n')
    plan = load_plan(root)
    change = set_field(plan, "account", "a", "custom.extra", 3, force=True)
    apply_change(plan, change)
    data = parse_toml((root / "accounts.toml").read_text())
    assert data["account"][0]["region"] == "EU"
    assert data["account"][0]["custom"] == {"crm": "x", "extra": 3}


# 6 — datetimes with unusual offsets survive rendering and edits
def test_case_06_unusual_utc_offset_round_trips(plan_dir):
    for offset in (dt.timedelta(hours=5, minutes=45), dt.timedelta(hours=-3, minutes=-30), dt.timedelta(0)):
        value = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(offset))
        back = parse_toml(f"v = {render_value(value)}")["v"]
        assert back == value and back.utcoffset() == offset
    plan = load_plan(plan_dir)
    value = dt.datetime(2026, 11, 2, 9, 30, 15, tzinfo=dt.timezone(dt.timedelta(hours=12, minutes=45)))
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "custom.seen", value))
    seen = load_plan(plan_dir).get("account", "harbor-hvac").data["custom"]["seen"]
    assert seen == value and seen.utcoffset() == value.utcoffset()


# 7 — TOML dates reach the validator as strings, so `format: date` behaves
def test_case_07_dates_validate_as_dates(plan_dir):
    problems = validate(load_plan(plan_dir))
    assert not [p for p in problems if p.code in ("schema.type", "schema.format", "value.quoted-date")]
    path = plan_dir / "goals.toml"
    text = path.read_text()
    due = text[text.index("due = "):].split("\n", 1)[0]
    path.write_text(text.replace(due, 'due = "2026-02-30"', 1))
    (p,) = [p for p in validate(load_plan(plan_dir)) if p.severity == "error"]
    assert p.code == "schema.format" and "date" in p.message


# 8 — newer TOML syntax: one answer, from the function the CLI and the TUI both use
def test_case_08_toml11_only_syntax_is_one_consistent_error(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace('custom = { crm_id', 'custom = {\n crm_id', 1))
    plan = load_plan(plan_dir)
    (p,) = plan.syntax_errors
    assert p.file == "accounts.toml" and p.line > 1 and "TOML 1.0" in p.message
    for text in ('t = { a = 1, }\n', 's = "\\x41"\n', 'x = 07:32\n'):
        with pytest.raises(TomlSyntaxError):
            parse_toml(text)


# 9 — nan or inf where a number with bounds (or any number) is expected: an error
@pytest.mark.parametrize("old,new", [("icp_fit = 94", "icp_fit = nan"), ("icp_fit = 94", "icp_fit = -inf"),
                                     ("tier = 1", "tier = inf")])
def test_case_09_nan_and_inf_in_bounded_numbers_are_errors(plan_dir, old, new):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace(old, new, 1))
    problems = [p for p in validate(load_plan(plan_dir)) if p.severity == "error"]
    assert [p.code for p in problems] == ["value.not-finite"] or {p.code for p in problems} >= {"value.not-finite"}
    assert problems[0].entity == "harbor-hvac" and problems[0].line > 1


# 10 — duplicate keys, bare CR, nesting deeper than 100: clear error, file untouched
@pytest.mark.parametrize("text,line", [
    ('a = 1\nb = 2\na = 3\n', 3),
    ('a = 1\rb = 2\n', 1),
    ('a = ' + '[' * 300 + ']' * 300 + '\n', 1),
])
def test_case_10_bad_structure_is_a_clear_error_and_file_untouched(tmp_path, text, line):
    path = tmp_path / "x.toml"
    path.write_text(text, newline="")
    before = path.read_bytes()
    with pytest.raises(TomlSyntaxError) as info:
        TomlFile.read(path)
    assert info.value.line == line and info.value.file == "x.toml"
    assert path.read_bytes() == before


# 11 — a large file parses fast (timings live in the benchmark script; this bounds it loosely)
def test_case_11_a_several_megabyte_file_parses_without_tomlkit(tmp_path):
    import time

    block = ('[[account]]\nid = "a{n}"\nname = "Account {n}"\ndomain = "a{n}.example"\ntier = 2\n'
             'plays = ["one", "two"]\ncustom = {{ crm = "x{n}" }}\n\n')
    text = "".join(block.format(n=i) for i in range(30000))
    assert len(text) > 3_000_000
    start = time.process_time()
    data = parse_toml(text)
    assert len(data["account"]) == 30000
    assert time.process_time() - start < 20  # tomlkit needs minutes here; rtoml well under a second


# 12 — conflict markers, also inside a multi-line string; an `=======` underline is text
@pytest.mark.parametrize("text,line", [
    ('a = 1\n<<<<<<< HEAD\nb = 2\n=======\nb = 3\n>>>>>>> branch\n', 2),
    ('a = """\n<<<<<<< HEAD\none\n=======\ntwo\n>>>>>>> branch\n"""\n', 2),
    ('a = 1\n=======\nb = 3\n>>>>>>> branch\n', 2),
    ('a = 1\r\n<<<<<<< ours\r\nb = 2\r\n||||||| base\r\n=======\r\n>>>>>>> theirs\r\n', 2),
])
def test_case_12_conflict_markers_are_named(text, line):
    with pytest.raises(TomlSyntaxError) as info:
        parse_toml(text, "goals.toml")
    assert info.value.code == "toml.conflict" and info.value.line == line
    assert "conflict" in info.value.message


def test_case_12_an_underline_in_a_multiline_string_is_not_a_conflict(plan_dir):
    text = 'note = """\nHeading\n=======\nbody\n"""\n'
    assert parse_toml(text)["note"] == "Heading\n=======\nbody\n"
    path = plan_dir / "glossary.toml"
    path.write_text(path.read_text().replace('[[term]]', '[[term]]\n# x', 1))
    plan = load_plan(plan_dir)
    term = plan.all("term")[0]
    apply_change(plan, set_field(plan, "term", term.id, "definition", "Title\n=======\nText"))
    plan = load_plan(plan_dir)
    assert not plan.syntax_errors and plan.get("term", term.id).data["definition"] == "Title\n=======\nText"
