"""The TOML 1.0 conformance suite: reading, errors, no-op saves, position index."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from tests.conftest import CORPUS, require_corpus
from tui.plan.document import TomlFile, parse_toml
from tui.plan.problems import TomlSyntaxError
from tui.plan.save import atomic_write
from tui.plan.tomlindex import index_toml


def _listed(prefix: str) -> list[str]:
    listing = CORPUS / "files-toml-1.0.0"
    if not listing.is_file():
        return []
    return [line.strip() for line in listing.read_text().splitlines()
            if line.strip().startswith(prefix) and line.strip().endswith(".toml")]


VALID = _listed("valid/")
INVALID = _listed("invalid/")


def _parse_dt(text: str):
    text = text.replace("z", "Z").replace("Z", "+00:00")
    if " " in text and len(text) > 10:
        text = text.replace(" ", "T", 1)
    return text


def _equal(tagged, value) -> bool:
    """Compare toml-test's tagged JSON with parsed data."""
    if isinstance(tagged, dict) and set(tagged) == {"type", "value"} and isinstance(tagged["type"], str):
        kind, raw = tagged["type"], tagged["value"]
        if kind == "string":
            return isinstance(value, str) and value == raw
        if kind == "integer":
            return isinstance(value, int) and not isinstance(value, bool) and value == int(raw)
        if kind == "float":
            if not isinstance(value, float):
                return False
            if raw.lstrip("+-") == "nan":
                return math.isnan(value)
            return value == float(raw)
        if kind == "bool":
            return value is (raw == "true")
        if kind == "datetime":
            return isinstance(value, dt.datetime) and value == dt.datetime.fromisoformat(_parse_dt(raw))
        if kind == "datetime-local":
            return isinstance(value, dt.datetime) and value.tzinfo is None and value == dt.datetime.fromisoformat(_parse_dt(raw))
        if kind == "date-local":
            return type(value) is dt.date and value == dt.date.fromisoformat(raw)
        if kind == "time-local":
            return isinstance(value, dt.time) and value == dt.time.fromisoformat(raw)
        return False
    if isinstance(tagged, dict):
        return isinstance(value, dict) and set(tagged) == set(value) and all(_equal(tagged[k], value[k]) for k in tagged)
    if isinstance(tagged, list):
        return isinstance(value, list) and len(tagged) == len(value) and all(map(_equal, tagged, value))
    return False


def test_corpus_listing_present():
    require_corpus()
    assert len(VALID) > 150 and len(INVALID) > 300


@pytest.mark.parametrize("name", VALID or ["<corpus absent>"])
def test_valid_file_reads_to_its_json_twin(name):
    root = require_corpus()
    path = root / name
    tf = TomlFile.read(path, name)
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert _equal(expected, tf.data), name


@pytest.mark.parametrize("name", VALID or ["<corpus absent>"])
def test_valid_file_survives_a_noop_save_byte_for_byte(name, tmp_path):
    root = require_corpus()
    original = (root / name).read_bytes()
    copy = tmp_path / "file.toml"
    copy.write_bytes(original)
    tf = TomlFile.read(copy)
    atomic_write(copy, tf.encode(tf.text), tf.sha256)
    assert copy.read_bytes() == original


@pytest.mark.parametrize("name", VALID or ["<corpus absent>"])
def test_position_index_names_only_real_paths(name):
    root = require_corpus()
    tf = TomlFile.read(root / name, name)
    index = index_toml(tf.text)
    for path in index.keys:
        value = tf.data
        for part in path:
            value = value[part]  # raises if the index invented a path


@pytest.mark.parametrize("name", INVALID or ["<corpus absent>"])
def test_invalid_file_is_a_clear_error_with_a_line(name):
    root = require_corpus()
    raw = (root / name).read_bytes()
    with pytest.raises(TomlSyntaxError) as info:
        TomlFile.from_bytes(Path(name), raw, name)
    err = info.value
    assert err.line >= 1, f"{name}: {err}"
    assert err.file == name
    assert "Traceback" not in str(err) and str(err).startswith(f"{name}:{err.line}")


def test_newer_toml_syntax_is_refused_consistently():
    # rtoml accepts these TOML 1.1 forms; Quarterdeck holds every file to TOML 1.0
    for text in ('t = { a = 1, }\n', 't = {\n a = 1 }\n', 's = "\\x41"\n', 'x = 07:32\n'):
        with pytest.raises(TomlSyntaxError):
            parse_toml(text)
    # and a look-alike inside a string is not a false error
    assert parse_toml('s = "meet at 10:30, { bring notes,}"\n')["s"].startswith("meet")
