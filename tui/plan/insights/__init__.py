"""Insights drawn from a plan: journey coverage, alignment stage, glossary lint, SLA
arithmetic, sales-ready content, the quarterly review brief, and import/export.

Pure core: nothing here imports Textual or reads git.  The CLI (``tui.cli_insights``)
and the TUI call these functions and render their results.
"""

from .coverage import Cell, Coverage, coverage
from .export import calendar_ics, content_uid, export_csv
from .glossary import glossary_problems
from .imports import ImportReport, apply_import, plan_account_import, plan_actuals_import
from .report import quarterly_report
from .sales import SalesReadiness, sales_problems, sales_readiness
from .sla import SlaMath, sla_math
from .stage import STAGES, Criterion, StageAssessment, assess_stage
from .taplo import bundle_schema, write_taplo_config

__all__ = [
    "Cell", "Coverage", "coverage",
    "glossary_problems",
    "SalesReadiness", "sales_readiness", "sales_problems",
    "SlaMath", "sla_math",
    "STAGES", "Criterion", "StageAssessment", "assess_stage",
    "calendar_ics", "content_uid", "export_csv",
    "ImportReport", "plan_account_import", "plan_actuals_import", "apply_import",
    "quarterly_report", "bundle_schema", "write_taplo_config",
]
