"""The plan's git history: revisions, quarter tags, semantic diff, commits, merges.

No Textual here: the CLI and the app call these functions.  For a History screen
(each call opens the repository and closes it again, so it can run in a worker):

- ``list_revisions(plan_dir, limit=None) -> list[Revision]``: commits that touched the
  plan, newest first, with ``.tags`` / ``.quarters`` for quarter tags and ``.boundary``
  where a shallow clone's history stops.
- ``quarter_tags(plan_dir) -> {quarter: commit}``, oldest first.
- ``diff_revisions(plan_dir, a=None, b=None) -> PlanDiff``: the semantic diff (HEAD vs
  working tree by default; quarters, tags, branches, commits; "A...B").  ``PlanDiff``
  has ``.changes`` (``EntityChange`` with ``.fields``), ``.counts``, ``.to_json()``.
- ``key_result_trend(plan_dir, "GOAL/KR") -> list[TrendPoint]``: baseline, target and
  actual at each quarter tag, then in the working tree.
- ``diff_plan(plan, rev="HEAD") -> PlanDiff``: a revision against a Plan in memory,
  unsaved edits included; ``diff_snapshots(a, b)`` compares any two Snapshots.

Modules: ``repo`` (PlanRepo, revision resolving, tag names), ``snapshot`` (a revision's
files, cached by blob id), ``semdiff`` (the diff and its text/markdown/json forms),
``revisions`` (log, diff, trend), ``commit`` (commit and tag), ``textconv`` and
``merge`` (git drivers), ``gitsetup``, ``rollover``, ``scaffold`` (init), ``demo``.
"""

from __future__ import annotations

_EXPORTS = {
    "PlanRepo": "repo",
    "HistoryError": "errors",
    "Revision": "revisions",
    "TrendPoint": "revisions",
    "list_revisions": "revisions",
    "diff_revisions": "revisions",
    "quarter_tags": "revisions",
    "key_result_trend": "revisions",
    "diff_plan": "revisions",
    "PlanDiff": "semdiff",
    "EntityChange": "semdiff",
    "FieldChange": "semdiff",
    "diff_snapshots": "semdiff",
    "Snapshot": "snapshot",
    "commit_plan": "commit",
    "tag_quarter": "commit",
}

__all__ = list(_EXPORTS)


def __getattr__(name: str):
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'tui.history' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(f"{__name__}.{module}"), name)
