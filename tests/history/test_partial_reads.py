"""Questions about one kind read only that kind's files, in every revision they visit:
a key result's trend over twelve quarters once parsed every file of every quarter (ten
seconds on a 10,000-account plan) to look at one key result."""

from __future__ import annotations

import pytest

from tests.history.helpers import git
from tui.plan.document import TomlFile

pytestmark = pytest.mark.git

KR = "grow-pipeline/sourced-pipeline"


@pytest.fixture
def tagged(committed):
    """The example plan in two tagged quarters."""
    git(committed, "tag", "-a", "plan/2026-Q3", "-m", "2026-Q3")
    plan = committed / "plans" / "goals.toml"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n# next quarter\n", encoding="utf-8")
    git(committed, "commit", "--quiet", "-am", "Next")
    git(committed, "tag", "-a", "plan/2026-Q4", "-m", "2026-Q4")
    return committed / "plans"


@pytest.fixture
def parsed(monkeypatch):
    """The names of the plan files parsed (from a revision or from disk)."""
    names: list[str] = []
    from_bytes = TomlFile.from_bytes.__func__

    def spy(cls, path, raw, name, **kw):
        names.append(name)
        return from_bytes(cls, path, raw, name, **kw)

    monkeypatch.setattr(TomlFile, "from_bytes", classmethod(spy))
    from tui.history import snapshot

    snapshot.clear_cache()
    return names


def test_a_trend_reads_the_goals_and_the_quarter_only(tagged, parsed):
    from tui.history.revisions import key_result_trend

    points = key_result_trend(tagged, KR)
    assert [p.quarter for p in points][:2] == ["2026-Q3", "2026-Q4"] and all(p.present for p in points)
    assert parsed and set(parsed) <= {"goals.toml", "plan.toml"}, parsed


def test_check_ins_by_quarter_read_the_goals_and_the_quarter_only(tagged, parsed):
    from tui.history.blame import key_result_checkins

    assert key_result_checkins(tagged, KR)
    assert parsed and set(parsed) <= {"goals.toml", "plan.toml"}, parsed


def test_the_reports_quarter_finals_read_the_goals_only(tagged, parsed):
    from tui.cli.insights import quarter_finals

    finals = quarter_finals(tagged)
    assert KR in finals and len(finals[KR]) == 2
    assert parsed and set(parsed) == {"goals.toml"}, parsed


def test_an_entitys_blame_reads_its_own_file_only(tagged, parsed):
    from tui.history.blame import entity_blame

    blame = entity_blame(tagged, "account", _first_account(tagged))
    assert blame.fields
    assert set(parsed) <= {"accounts.toml"}, parsed


def test_an_entitys_blame_parses_its_own_table_not_its_whole_file(tagged, parsed):
    from tui.history.blame import entity_blame

    blame = entity_blame(tagged, "account", _first_account(tagged))
    assert blame.fields and all(f.commit for f in blame.fields)
    assert parsed == [], parsed  # neither the working tree's accounts.toml nor any revision's, whole


def _first_account(plans) -> str:
    import tomllib

    return tomllib.loads((plans / "accounts.toml").read_text(encoding="utf-8"))["account"][0]["id"]


def test_blame_through_found_tables_is_the_blame_through_whole_parses(tmp_path, monkeypatch):
    """Over a generated history (accounts changed, added and dropped each quarter), every
    field's blame is the same whether the account's table is found in the text or the
    whole file is parsed at each revision."""
    import random

    from tests.bench.generate import make_history
    from tui.history import blame as blame_mod
    from tui.plan import document

    repo = tmp_path / "hist"
    make_history(repo, "medium", count=5, share=0.2)
    plans = repo / "plans"
    import tomllib

    ids = [a["id"] for a in tomllib.loads((plans / "accounts.toml").read_text(encoding="utf-8"))["account"]]
    chosen = random.Random(3).sample(ids, 12)
    quick = {eid: blame_mod.entity_blame(plans, "account", eid).to_dict() for eid in chosen}
    # the walk went back more than one step: fields last changed in different quarters
    assert len({f["subject"] for d in quick.values() for f in d["fields"]}) >= 3
    blame_mod._BLOBS.clear()
    monkeypatch.setattr(blame_mod, "tables_with_id", lambda *a, **k: document.UNKNOWN)
    whole = {eid: blame_mod.entity_blame(plans, "account", eid).to_dict() for eid in chosen}
    assert quick == whole
