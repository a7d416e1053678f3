"""Faults and bad input the core must survive (RELIABILITY.md cases 1-17 and 20-23).

Cases 1 and 3 (corpus round trips, line endings) also live in test_corpus.py and
test_edit.py; each case here names its number.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan import save as save_mod
from tui.plan.document import TomlFile, parse_toml
from tui.plan.edit import apply_change, set_field, stage_change
from tui.plan.model import clean_temp_files, load_plan
from tui.plan.problems import FileChangedError, TomlSyntaxError, UnreadableError
from tui.plan.save import SaveError, atomic_write
from tui.plan.schema import SchemaLoadError, load_schemas
from tui.plan.validation import validate


def _schemas_copy(tmp_path: Path) -> Path:
    target = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", target)
    return target


# 2 — byte-order mark
def test_02_bom_is_read_and_kept(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    plan = load_plan(plan_dir)
    assert not plan.syntax_errors and plan.get("account", "harbor-hvac")
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf[") or path.read_bytes().startswith(b"\xef\xbb\xbf#")


# 3 — line endings (CRLF, mixed, no final newline): see test_edit.py; a plain no-op here
def test_03_noop_save_of_crlf_without_final_newline(tmp_path):
    path = tmp_path / "x.toml"
    raw = b'a = 1\r\nb = "two"\nc = [\r\n  1,\r\n]'
    path.write_bytes(raw)
    tf = TomlFile.read(path)
    atomic_write(path, tf.encode(tf.text), tf.sha256)
    assert path.read_bytes() == raw


# 4 — tables out of order are not reordered: see test_edit.py::test_tables_out_of_order_are_not_reordered


# 5 — dotted keys followed by other keys, then a new sub-table: the re-parse check guards
def test_05_dotted_keys_then_new_subtable_keeps_data(tmp_path):
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


# 6 — datetimes with unusual offsets survive (the re-parse check would refuse a bad write)
def test_06_unusual_utc_offset_round_trips(tmp_path):
    import datetime as dt

    from tui.plan.edit import render_value

    value = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45)))
    assert parse_toml(f"v = {render_value(value)}")["v"] == value
    odd = dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=-3, minutes=-30)))
    assert parse_toml(f"v = {render_value(odd)}")["v"] == odd


# 7 — TOML dates reach the validator as strings, so format: date behaves
def test_07_dates_validate_as_dates(plan_dir):
    problems = validate(load_plan(plan_dir))
    assert not [p for p in problems if p.code in ("schema.type", "schema.format")]


# 8 — newer TOML syntax: one answer, from the same function the CLI and the TUI use
def test_08_toml11_only_syntax_is_one_consistent_error(plan_dir):
    path = plan_dir / "accounts.toml"
    path.write_text(path.read_text().replace('custom = { crm_id', 'custom = {\n crm_id', 1))
    plan = load_plan(plan_dir)
    (p,) = plan.syntax_errors
    assert p.file == "accounts.toml" and p.line > 1 and "TOML 1.0" in p.message


# 9 — nan/inf are errors: see test_validation.py::test_nan_is_an_error_even_within_bounds


# 10 — duplicate keys, bare CR, deep nesting
@pytest.mark.parametrize("text,line", [
    ('a = 1\nb = 2\na = 3\n', 3),
    ('a = 1\rb = 2\n', 1),
    ('a = ' + '[' * 300 + ']' * 300 + '\n', 1),
])
def test_10_bad_structure_is_a_clear_error_and_file_untouched(tmp_path, text, line):
    path = tmp_path / "x.toml"
    path.write_text(text, newline="")
    before = path.read_bytes()
    with pytest.raises(TomlSyntaxError) as info:
        TomlFile.read(path)
    assert info.value.line == line and info.value.file == "x.toml"
    assert path.read_bytes() == before


# 11 — a large file parses quickly enough to run off the UI thread: see the benchmark script


# 12 — conflict markers, also inside a multi-line string
@pytest.mark.parametrize("text", [
    'a = 1\n<<<<<<< HEAD\nb = 2\n=======\nb = 3\n>>>>>>> branch\n',
    'a = """\n<<<<<<< HEAD\none\n=======\ntwo\n>>>>>>> branch\n"""\n',
])
def test_12_conflict_markers_are_named(text):
    with pytest.raises(TomlSyntaxError) as info:
        parse_toml(text, "goals.toml")
    assert info.value.code == "toml.conflict" and info.value.line == 2
    assert "conflict" in info.value.message


# 13 — a kill mid-save leaves the old file; its temp file is cleaned next time
def test_13_leftover_temp_files_are_cleaned(plan_dir):
    stale = plan_dir / ".accounts.toml.abc123.qdtmp"
    stale.write_text("half a file")
    old = time.time() - 3600
    os.utime(stale, (old, old))
    fresh = plan_dir / ".goals.toml.def456.qdtmp"
    fresh.write_text("another save in progress")
    load_plan(plan_dir)
    assert not stale.exists() and fresh.exists()
    assert clean_temp_files(plan_dir, older_than=-1) == [fresh]


def test_13_interrupted_save_keeps_the_old_file(plan_dir, monkeypatch):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)

    def killed(*_a, **_k):
        raise KeyboardInterrupt  # stands for a signal arriving between write and rename

    monkeypatch.setattr(save_mod.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        apply_change(plan, change)
    assert path.read_bytes() == before
    assert not list(plan_dir.glob(".*.qdtmp"))


# 14 — disk full / I/O error / permission denied
@pytest.mark.parametrize("code,words", [(errno.ENOSPC, "disk is full"), (errno.EIO, "I/O error"),
                                        (errno.EACCES, "permission denied")])
def test_14_disk_errors_keep_the_original_and_the_edit(plan_dir, monkeypatch, code, words):
    path = plan_dir / "accounts.toml"
    before = path.read_bytes()
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)

    def failing_write(fd, data):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(save_mod.os, "write", failing_write)
    with pytest.raises(SaveError) as info:
        apply_change(plan, change)
    assert words in str(info.value) and "unchanged" in str(info.value)
    assert path.read_bytes() == before
    assert not list(plan_dir.glob(".*.qdtmp"))
    monkeypatch.undo()
    apply_change(plan, change)  # the edit was kept: saving again works
    assert b"tier = 2" in path.read_bytes()


# 15 — symlinked plan file: the target is written, the link stays
def test_15_symlink_target_is_written(plan_dir, tmp_path):
    real = tmp_path / "elsewhere" / "accounts.toml"
    real.parent.mkdir()
    shutil.move(plan_dir / "accounts.toml", real)
    (plan_dir / "accounts.toml").symlink_to(real)
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert (plan_dir / "accounts.toml").is_symlink()
    assert b"tier = 2" in real.read_bytes()


# 16 — mode survives; temp files are not left 0600
def test_16_mode_is_kept(plan_dir):
    path = plan_dir / "accounts.toml"
    os.chmod(path, 0o664)
    plan = load_plan(plan_dir)
    apply_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert (path.stat().st_mode & 0o777) == 0o664


# 17 — changed on disk since read (same size, same mtime) or deleted: save blocked
def test_17_same_size_same_mtime_change_is_detected(plan_dir):
    path = plan_dir / "accounts.toml"
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    st = path.stat()
    text = path.read_bytes()
    path.write_bytes(text.replace(b"icp_fit = 94", b"icp_fit = 95", 1))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same timestamp
    with pytest.raises(FileChangedError):
        apply_change(plan, change)
    assert b"icp_fit = 95" in path.read_bytes()
    assert load_plan(plan_dir).get("account", "harbor-hvac").data["tier"] == 1


def test_17_deleted_file_blocks_the_save(plan_dir):
    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    (plan_dir / "accounts.toml").unlink()
    with pytest.raises(FileChangedError) as info:
        apply_change(plan, change)
    assert "deleted" in str(info.value)
    assert not (plan_dir / "accounts.toml").exists()


def test_17_staged_edits_save_against_the_original_hash(plan_dir):
    plan = load_plan(plan_dir)
    stage_change(plan, set_field(plan, "account", "harbor-hvac", "tier", 2))
    assert plan.files["accounts.toml"].dirty
    change = set_field(plan, "account", "harbor-hvac", "icp_fit", 90)
    apply_change(plan, change)
    text = (plan_dir / "accounts.toml").read_text()
    assert "tier = 2" in text and "icp_fit = 90" in text


# 20 — remote and file: $refs are never fetched or read
@pytest.mark.parametrize("ref", ["https://example.com/evil.json#/x", "file:///etc/passwd", "../../outside.json"])
def test_20_foreign_refs_are_unresolvable(tmp_path, plan_dir, ref, monkeypatch):
    import urllib.request

    def no_network(*a, **k):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    folder = _schemas_copy(tmp_path)
    doc = json.loads((folder / "accounts.schema.json").read_text())
    doc["$defs"]["account"]["properties"]["region"] = {"$ref": ref, "description": "x"}
    (folder / "accounts.schema.json").write_text(json.dumps(doc))
    problems = validate(load_plan(plan_dir), load_schemas(folder))
    bad = [p for p in problems if p.code == "schema.unresolvable"]
    assert bad and bad[0].file == "accounts.toml" and "cannot be resolved" in bad[0].message


# 21 — a broken schema is rejected when loaded, naming its path
def test_21_broken_schema_is_rejected_with_its_path(tmp_path):
    folder = _schemas_copy(tmp_path)
    doc = json.loads((folder / "content.schema.json").read_text())
    doc["properties"]["content"]["type"] = "sequence"
    (folder / "content.schema.json").write_text(json.dumps(doc))
    with pytest.raises(SchemaLoadError) as info:
        load_schemas(folder)
    assert "content.schema.json" in str(info.value) and "broken schema" in str(info.value)
    (folder / "content.schema.json").write_text("{ not json")
    with pytest.raises(SchemaLoadError) as info:
        load_schemas(folder)
    assert "not JSON" in str(info.value)


# 22 — bad date, date-time, uri, email values are rejected: see test_validation.py::test_formats_are_checked
def test_22_format_checkers_are_active():
    from jsonschema import Draft202012Validator

    checker = Draft202012Validator.FORMAT_CHECKER
    for fmt, bad in [("date", "2026-02-30"), ("email", "nobody"), ("uri", "no scheme"), ("hostname", "a b")]:
        assert not checker.conforms(bad, fmt), fmt


# 23 — many errors at once, sorted, each with its line: see test_validation.py


def test_missing_plan_folder_and_file_are_unreadable(tmp_path):
    with pytest.raises(UnreadableError):
        load_plan(tmp_path / "nope")
    with pytest.raises(UnreadableError) as info:
        load_plan(tmp_path)
    assert "plan.toml is missing" in str(info.value)


def test_non_utf8_file_is_a_positioned_error(plan_dir):
    (plan_dir / "glossary.toml").write_bytes(b'[[term]]\nid = "x"\nterm = "caf\xe9"\n')
    (p,) = load_plan(plan_dir).syntax_errors
    assert (p.code, p.line) == ("toml.encoding", 3)
