"""The Quarterdeck terminal app (Textual).  ``run(plan_dir)`` starts it."""

from .main import QuarterdeckApp, run

__all__ = ["QuarterdeckApp", "run"]
