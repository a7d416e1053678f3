"""Shared fixtures: a private copy of the example plan, and the shared corpus when present."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "plans"
SHARED = ROOT.parent / "shared"
CORPUS = SHARED / "corpus" / "toml-test"


# The day the example plan was last checked in on: rules that depend on today (content
# past its publish date, check-ins in the future) and pace give the same answers on any
# machine, any year.  A test about another day sets QUARTERDECK_TODAY itself.
TODAY = "2026-12-01"


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch):
    monkeypatch.setenv("QUARTERDECK_TODAY", TODAY)


@pytest.fixture
def plan_dir(tmp_path: Path) -> Path:
    """A copy of the example plan that a test may change freely."""
    target = tmp_path / "plans"
    shutil.copytree(EXAMPLE, target)
    return target


def require_corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the TOML conformance corpus is not here ({CORPUS} is absent; it sits beside the repository in CI)")
    return CORPUS


def gc_seen(monkeypatch, owner, name: str) -> list[bool]:
    """Replace ``owner.name`` (a function or method) by one that records whether garbage
    collection was on when it was called, then calls the original; returns the record."""
    import gc

    seen: list[bool] = []
    real = getattr(owner, name)

    def spy(*args, **kwargs):
        seen.append(gc.isenabled())
        return real(*args, **kwargs)

    monkeypatch.setattr(owner, name, spy)
    return seen
