"""Insights drawn from a plan: journey coverage, alignment stage, glossary lint, SLA
arithmetic, sales-ready content, the quarterly review brief, and import/export.

Pure core: nothing here imports Textual or reads git.  The CLI (``tui.cli.insights``)
and the TUI call these functions and render their results.  Names are loaded on first
use, so importing one module (e.g. the glossary lint from the validator) does not load
the others.
"""

from __future__ import annotations

import importlib

_WHERE = {
    "Cell": "coverage", "Coverage": "coverage", "coverage": "coverage",
    "glossary_problems": "glossary",
    "SalesReadiness": "sales", "sales_readiness": "sales", "sales_problems": "sales",
    "SlaMath": "sla", "sla_math": "sla",
    "STAGES": "stage", "Criterion": "stage", "StageAssessment": "stage", "assess_stage": "stage",
    "calendar_ics": "export", "content_uid": "export", "export_csv": "export",
    "ImportReport": "imports", "plan_account_import": "imports", "plan_actuals_import": "imports",
    "apply_import": "imports",
    "quarterly_report": "report", "History": "report", "HistoryDiff": "report", "HistoryChange": "report",
    "kr_progress": "progress", "kr_progress_note": "progress",
    "Brief": "brief", "build_brief": "brief",
    "md_text": "markdown", "md_code": "markdown",
    "bundle_schema": "taplo", "write_taplo_config": "taplo",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str):
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
