"""Insights drawn from a plan: journey coverage, alignment stage, glossary lint, SLA
arithmetic, sales-ready content, the quarterly review brief, and import/export.

Pure core: nothing here imports Textual or reads git.  The CLI (``tui.cli_insights``)
and the TUI call these functions and render their results.
"""

from .coverage import Cell, Coverage, coverage
from .glossary import glossary_problems
from .sales import SalesReadiness, sales_problems, sales_readiness
from .sla import SlaMath, sla_math
from .stage import STAGES, Criterion, StageAssessment, assess_stage

__all__ = [
    "Cell", "Coverage", "coverage",
    "glossary_problems",
    "SalesReadiness", "sales_readiness", "sales_problems",
    "SlaMath", "sla_math",
    "STAGES", "Criterion", "StageAssessment", "assess_stage",
]
