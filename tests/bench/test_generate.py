"""The benchmark's generators: same seed, same bytes; the plans pass `check`; the history
has 12 annotated quarter tags with a few percent changed between them."""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from tests.bench import generate as gen
from tui.plan.model import load_plan
from tui.plan.problems import ERROR
from tui.plan.validation import validate


def _digest(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.iterdir()):
        h.update(p.name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def test_same_seed_same_plan_other_seed_other_plan(tmp_path):
    a = gen.make_plan(tmp_path / "a", "medium")
    b = gen.make_plan(tmp_path / "b", "medium")
    c = gen.make_plan(tmp_path / "c", "medium", seed=8)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)


def test_medium_plan_has_its_shape_and_no_errors(tmp_path):
    folder = gen.make_plan(tmp_path / "plans", "medium")
    shape = gen.SIZES["medium"]
    example = {n: tomllib.loads((gen.EXAMPLE / n).read_text(encoding="utf-8")) for n in gen._FILES}
    data = {n: tomllib.loads((folder / n).read_text(encoding="utf-8")) for n in gen._FILES}
    assert len(data["accounts.toml"]["account"]) == len(example["accounts.toml"]["account"]) + shape.accounts
    assert len(data["content.toml"]["content"]) == len(example["content.toml"]["content"]) + shape.content
    assert len(data["goals.toml"]["goal"]) == len(example["goals.toml"]["goal"]) + shape.goals
    generated = [g for g in data["goals.toml"]["goal"] if g["id"].startswith("gen-")]
    assert all(len(g["key_result"]) == shape.krs_per_goal for g in generated)
    assert len(data["personas.toml"]["persona"]) == len(example["personas.toml"]["persona"]) + shape.personas
    terms = [t for t in data["glossary.toml"]["term"] if t["id"].startswith("gen-")]
    assert len(terms) == shape.terms and all(t["retired"] for t in terms)
    assert len(data["plan.toml"]["member"]) == len(example["plan.toml"]["member"]) + shape.members
    accounts = [a for a in data["accounts.toml"]["account"] if a["id"].startswith("gen-")]
    assert sum(len(a.get("committee", [])) for a in accounts) > shape.accounts  # buying committees
    problems = validate(load_plan(folder))
    errors = [p for p in problems if p.severity == ERROR]
    assert errors == [], errors[:5]
    assert any(p.code == "glossary.retired-name" for p in problems)  # retired names are mentioned, as in life


def test_checkins_are_refused_while_the_schema_has_none(tmp_path):
    if gen._checkin_field(gen.SCHEMAS) is not None:
        folder = gen.make_plan(tmp_path / "plans", "medium", checkins=True)
        assert not [p for p in validate(load_plan(folder)) if p.severity == ERROR]
    else:
        with pytest.raises(ValueError, match="check-in"):
            gen.generate(gen.SIZES["medium"], checkins=True)


@pytest.mark.git
@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_history_has_twelve_annotated_quarter_tags_with_small_changes(tmp_path):
    repo = tmp_path / "repo"
    quarters = gen.make_history(repo, "medium")
    assert quarters == [f"{y}-Q{q}" for y in (2024, 2025, 2026) for q in (1, 2, 3, 4)]

    def git(*args):
        return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout

    tags = git("tag", "--list", "plan/*").split()
    assert tags == [f"plan/{q}" for q in quarters]
    assert {git("cat-file", "-t", t).strip() for t in tags} == {"tag"}  # annotated
    assert len(git("rev-list", "HEAD").split()) == 12
    old = tomllib.loads(git("show", "plan/2026-Q3:plans/accounts.toml"))["account"]
    new = tomllib.loads(git("show", "plan/2026-Q4:plans/accounts.toml"))["account"]
    before = {a["id"]: a for a in old}
    changed = sum(1 for a in new if a["id"] in before and before[a["id"]] != a)
    assert 0.01 * len(old) <= changed <= 0.06 * len(old)
    assert tomllib.loads(git("show", "plan/2025-Q2:plans/plan.toml"))["plan"]["quarter"] == "2025-Q2"
    assert not [p for p in validate(load_plan(repo / "plans")) if p.severity == ERROR]
