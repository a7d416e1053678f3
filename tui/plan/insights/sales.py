"""Content sales can use.

An item is sales-ready when it is published and says how sales uses it (`sales_use`).
Flagged:
  content.no-sales-use      a published item that does not say how sales uses it
  persona.no-sales-ready    a persona with no sales-ready item at the decision stage
                            (the stage named "decision", else the plan's last stage)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Plan
from ..problems import WARNING, Problem, sort_problems
from ._common import PUBLISHED, as_str_list


@dataclass
class SalesReadiness:
    decision_stage: str
    without_sales_use: list[tuple[str, str]] = field(default_factory=list)  # (content id, title)
    ready_at_decision: dict[str, list[str]] = field(default_factory=dict)  # persona id -> content ids
    personas_without_ready: list[tuple[str, str]] = field(default_factory=list)  # (persona id, name)

    def to_dict(self) -> dict:
        return {
            "decision_stage": self.decision_stage,
            "published_without_sales_use": [{"id": i, "title": t} for i, t in self.without_sales_use],
            "sales_ready_at_decision": {k: list(v) for k, v in self.ready_at_decision.items()},
            "personas_without_sales_ready_decision_content": [{"id": i, "name": n}
                                                              for i, n in self.personas_without_ready],
        }


def decision_stage(plan: Plan) -> str:
    stages = list(plan.stages)
    return "decision" if "decision" in stages else (stages[-1] if stages else "decision")


def _has_use(data: dict) -> bool:
    return isinstance(data.get("sales_use"), str) and bool(data["sales_use"].strip())


def sales_readiness(plan: Plan) -> SalesReadiness:
    stage = decision_stage(plan)
    out = SalesReadiness(stage)
    published = [c for c in plan.all("content") if c.data.get("status") == PUBLISHED]
    out.without_sales_use = [(c.id, str(c.data.get("title") or c.id)) for c in published if not _has_use(c.data)]
    for p in plan.all("persona"):
        ready = [c.id for c in published if _has_use(c.data) and c.data.get("stage") == stage
                 and p.id in as_str_list(c.data.get("personas"))]
        out.ready_at_decision[p.id] = ready
        if not ready:
            out.personas_without_ready.append((p.id, str(p.data.get("name") or p.id)))
    return out


def sales_problems(plan: Plan) -> list[Problem]:
    """The findings above as warnings with file, line and column."""
    r = sales_readiness(plan)
    out = []
    for cid, _ in r.without_sales_use:
        e = plan.find("content", cid)
        tf = plan.files.get(e.file)
        loc = tf.index.locate(e.path) if tf else None
        out.append(Problem(WARNING, "content.no-sales-use",
                           f"content {cid!r} is published but does not say how sales uses it; add `sales_use`",
                           e.file, loc.line + 1 if loc else 0, loc.col + 1 if loc else 0, "content", cid, "sales_use"))
    for pid, _ in r.personas_without_ready:
        e = plan.find("persona", pid)
        tf = plan.files.get(e.file)
        loc = tf.index.locate(e.path + ("journey", r.decision_stage)) if tf else None
        out.append(Problem(WARNING, "persona.no-sales-ready",
                           f"persona {pid!r} has no published item with `sales_use` at the {r.decision_stage} stage, "
                           "so sales has nothing to send when the buyer decides",
                           e.file, loc.line + 1 if loc else 0, loc.col + 1 if loc else 0, "persona", pid,
                           f"journey.{r.decision_stage}"))
    return sort_problems(out)
