"""The schemas are checked against the meta-schema once per content: later runs trust the
digests of files that passed, and any other bytes are checked again."""

from __future__ import annotations

import json
import shutil

import pytest

from tests.conftest import ROOT
from tui.plan import schema as S


@pytest.fixture
def state(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    S._load.cache_clear()
    yield tmp_path / "state"
    S._load.cache_clear()


def _copy(tmp_path):
    target = tmp_path / "schemas"
    shutil.copytree(ROOT / "schemas", target)
    return target


def test_a_schema_that_passed_is_not_checked_again_and_changed_bytes_are(state, tmp_path, monkeypatch):
    folder = _copy(tmp_path)
    S.load_schemas(folder)
    where = S._checks_file()
    assert where is not None and where.is_file() and str(where).startswith(str(state))
    assert len(json.loads(where.read_text())) >= len(S.PLAN_FILES)

    import jsonschema

    calls = []
    real = jsonschema.Draft202012Validator.check_schema
    monkeypatch.setattr(jsonschema.Draft202012Validator, "check_schema",
                        classmethod(lambda cls, s, *a, **k: (calls.append(s), real(s))))
    S._load.cache_clear()
    S.load_schemas(folder)
    assert calls == []  # every file's digest was known
    doc = json.loads((folder / "content.schema.json").read_text())
    doc["properties"]["content"]["type"] = "sequence"
    (folder / "content.schema.json").write_text(json.dumps(doc))
    S._load.cache_clear()
    with pytest.raises(S.SchemaLoadError) as info:
        S.load_schemas(folder)
    assert len(calls) == 1 and "broken schema" in str(info.value) and "content.schema.json" in str(info.value)


def test_an_unreadable_or_garbled_record_only_means_checking_again(state, tmp_path):
    folder = _copy(tmp_path)
    where = S._checks_file()
    where.parent.mkdir(parents=True)
    where.write_text("{ not json")
    assert S.load_schemas(folder).schemas
    assert isinstance(json.loads(where.read_text()), list)


def test_a_valid_check_does_not_import_jsonschema(tmp_path, monkeypatch):
    import subprocess
    import sys

    env = {"XDG_STATE_HOME": str(tmp_path / "state"), "PATH": "/usr/bin:/bin"}
    for _ in range(2):  # the first run checks the schemas (and imports jsonschema), the second trusts them
        r = subprocess.run([sys.executable, "-X", "importtime", "-m", "tui", "check", "plans"], cwd=ROOT,
                           capture_output=True, text=True, env=env, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert "jsonschema" not in imported and "referencing" not in imported
