"""Which alignment stage the plan's own evidence supports.

Sales and marketing teams move through four stages: undefined (each team on its own),
defined (clear expectations), aligned (shared terms, shared meetings, flexible
boundaries) and integrated (shared metrics and rewards).  Each stage above the first
has a list of rules, each checked against the plan.  The plan is at the highest stage
whose rules, and every rule of the stages below it, all hold.

defined
  glossary.funnel-terms   the glossary defines lead, MQL and SQL (by id, name or alias)
  sla.agreed              an SLA with an MQL commitment above 0, a follow-up time, and
                          written MQL and SQL criteria
  responsibility.teams    responsibilities are owned by a sales and a marketing member
aligned
  sla.terms               the SLA's `terms` list the MQL and SQL glossary terms, and every
                          term it lists exists
  sla.co-owned            the SLA has a sales owner and a marketing owner
  meeting.joint           a weekly, biweekly or monthly meeting that sales and marketing
                          members both attend
  persona.co-owned        there are personas, each with a sales and a marketing owner
  account.co-owned        there are accounts, each with a sales and a marketing owner
  content.journey         every persona has content at some stage, and every stage has
                          content for some persona
  message.framework       a shared messaging framework: approved messages, each owned by
                          a sales and a marketing member, and every persona has an
                          approved message at every journey stage (see insights.messaging)
integrated
  goal.shared             a shared goal with owners from both teams
  kr.actuals              every shared goal has key results, and each has an actual
  funnel.numbers          revenue target, average deal size and both conversion rates are
                          set, so the MQL commitment can be checked against revenue
  funnel.commitment       the MQL commitment over the quarter covers the MQLs the revenue
                          target needs (see insights.sla)
  content.covered         every persona has content at every journey stage
  meeting.quarterly       a quarterly review attended by both teams
  history.quarters        at least two quarters of the plan are tagged in git (the count
                          is an input: this module never reads git)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..model import Plan
from ._common import as_str_list, glossary_names, is_number, member_teams, sla_data
from .coverage import EMPTY, coverage
from .messaging import framework_rule

STAGES = ("undefined", "defined", "aligned", "integrated")
MIN_QUARTERS = 2
_RECURRING = ("weekly", "biweekly", "monthly")
_FUNNEL = {"lead": ("lead",), "MQL": ("mql", "marketing qualified lead", "marketing-qualified lead"),
           "SQL": ("sql", "sales qualified lead", "sales-qualified lead")}


@dataclass
class Criterion:
    stage: str  # the stage this rule belongs to
    code: str  # stable, e.g. "sla.terms"
    title: str  # what the rule asks for
    met: bool
    detail: str = ""  # the evidence, or what is missing

    def to_dict(self) -> dict:
        return {"stage": self.stage, "code": self.code, "title": self.title, "met": self.met, "detail": self.detail}


@dataclass
class StageAssessment:
    stage: str
    criteria: list[Criterion] = field(default_factory=list)
    quarter_tags: int | None = None

    @property
    def next_stage(self) -> str | None:
        i = STAGES.index(self.stage)
        return STAGES[i + 1] if i + 1 < len(STAGES) else None

    @property
    def missing(self) -> list[Criterion]:
        """The rules of the next stage that the plan does not meet yet."""
        return [c for c in self.criteria if c.stage == self.next_stage and not c.met]

    def to_dict(self) -> dict:
        return {
            "format": "quarterdeck.stage/1",
            "stage": self.stage,
            "next_stage": self.next_stage,
            "quarter_tags": self.quarter_tags,
            "missing": [c.to_dict() for c in self.missing],
            "criteria": [c.to_dict() for c in self.criteria],
        }


def _names(values) -> str:
    values = list(values)
    if len(values) <= 1:
        return "".join(values)
    return ", ".join(values[:-1]) + " and " + values[-1]


def _both_teams(ids, teams: dict[str, str]) -> set[str]:
    return {teams.get(i) for i in ids} & {"sales", "marketing"}


def assess_stage(plan: Plan, quarter_tags: int | None = None) -> StageAssessment:
    """The alignment stage the plan supports.  ``quarter_tags``: how many quarters of the
    plan are tagged in git (None when unknown, e.g. outside a repository)."""
    teams = member_teams(plan)
    names = glossary_names(plan)
    sla = sla_data(plan)
    out: list[Criterion] = []

    def rule(stage, code, title, met, detail=""):
        out.append(Criterion(stage, code, title, bool(met), detail))

    # -- defined -----------------------------------------------------------------
    funnel_ids = {}
    for label, spellings in _FUNNEL.items():
        funnel_ids[label] = next((names[s] for s in spellings if s in names), None)
    undefined = [label for label, tid in funnel_ids.items() if tid is None]
    rule("defined", "glossary.funnel-terms", "The glossary defines lead, MQL and SQL", not undefined,
         f"not defined: {_names(undefined)}; add glossary terms for them" if undefined
         else "terms " + ", ".join(funnel_ids.values()))
    if sla is None:
        rule("defined", "sla.agreed", "A lead hand-off SLA is written down", False, "plan.toml has no [sla] table")
    else:
        lacking = []
        if not (is_number(sla.get("mql_commitment")) and sla["mql_commitment"] > 0):
            lacking.append("an MQL commitment above 0")
        if not is_number(sla.get("follow_up_hours")):
            lacking.append("a follow-up time")
        for key in ("mql_criteria", "sql_criteria"):
            if not str(sla.get(key) or "").strip():
                lacking.append(f"`{key}`")
        rule("defined", "sla.agreed", "A lead hand-off SLA is written down", not lacking,
             f"the SLA lacks {_names(lacking)}" if lacking
             else f"{sla.get('mql_commitment')} MQLs per {sla.get('period')}, first touch within {sla.get('follow_up_hours')} h")
    owners = [str(r.data.get("owner")) for r in plan.all("responsibility")]
    missing_teams = [t for t in ("sales", "marketing") if t not in _both_teams(owners, teams)]
    rule("defined", "responsibility.teams", "Responsibilities are owned on both teams", not missing_teams,
         f"no responsibility is owned by a {' or '.join(missing_teams)} member" if missing_teams
         else f"{len(owners)} responsibilities")

    # -- aligned -----------------------------------------------------------------
    if sla is None:
        rule("aligned", "sla.terms", "The SLA's criteria rely on glossary terms", False, "there is no SLA")
        rule("aligned", "sla.co-owned", "The SLA has a sales and a marketing owner", False, "there is no SLA")
    else:
        listed = as_str_list(sla.get("terms"))
        known = {t.id for t in plan.all("term")}
        unknown = [t for t in listed if t not in known]
        lacking = [label for label in ("MQL", "SQL") if funnel_ids[label] is None or funnel_ids[label] not in listed]
        problems = []
        if unknown:
            problems.append(f"`terms` names {_names(repr(t) for t in unknown)}, not in the glossary")
        if lacking:
            problems.append(f"`terms` does not list the {' and '.join(lacking)} term{'s' if len(lacking) > 1 else ''}")
        rule("aligned", "sla.terms", "The SLA's criteria rely on glossary terms", not problems,
             "; ".join(problems) if problems else "terms " + ", ".join(listed))
        sides = [t for t, key in (("sales", "sales_owner"), ("marketing", "marketing_owner"))
                 if teams.get(str(sla.get(key))) != t]
        rule("aligned", "sla.co-owned", "The SLA has a sales and a marketing owner", not sides,
             f"no {' and no '.join(sides)} owner on the SLA" if sides
             else f"{sla.get('sales_owner')} and {sla.get('marketing_owner')}")
    joint = [m.id for m in plan.all("meeting") if m.data.get("cadence") in _RECURRING
             and len(_both_teams(as_str_list(m.data.get("attendees")), teams)) == 2]
    rule("aligned", "meeting.joint", "Sales and marketing meet at least monthly", joint,
         "meetings " + ", ".join(joint) if joint
         else "no weekly, biweekly or monthly meeting has both sales and marketing attendees")

    def co_owned(kind, plural):
        entities = plan.all(kind)
        if not entities:
            return False, f"there are no {plural}"
        bad = [e.id for e in entities if teams.get(str(e.data.get("sales_owner"))) != "sales"
               or teams.get(str(e.data.get("marketing_owner"))) != "marketing"]
        if bad:
            more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
            return False, f"without a sales and a marketing owner: {', '.join(bad[:5])}{more}"
        return True, f"{len(entities)} {plural}, all co-owned"

    met, detail = co_owned("persona", "personas")
    rule("aligned", "persona.co-owned", "Personas are owned by both teams", met, detail)
    met, detail = co_owned("account", "accounts")
    rule("aligned", "account.co-owned", "Target accounts are owned by both teams", met, detail)

    cov = coverage(plan)
    bare_personas = [p for p, _ in cov.personas if not any(cov.cell(p, s).items for s in cov.stages)]
    bare_stages = [s for s in cov.stages if not any(cov.cell(p, s).items for p, _ in cov.personas)]
    problems = []
    if not cov.personas:
        problems.append("there are no personas")
    if bare_personas:
        problems.append(f"no content for persona {_names(bare_personas)}")
    if bare_stages and cov.personas:
        problems.append(f"no content at stage {_names(bare_stages)}")
    rule("aligned", "content.journey", "Content is mapped to personas and journey stages", not problems,
         "; ".join(problems) if problems else f"{sum(len(c.items) for c in cov.cells.values())} persona-stage placements")
    met, detail = framework_rule(plan)
    rule("aligned", "message.framework", "Sales and marketing share an approved messaging framework", met, detail)

    # -- integrated --------------------------------------------------------------
    shared = [g for g in plan.all("goal") if g.data.get("team") == "shared"
              and len(_both_teams(as_str_list(g.data.get("owners")), teams)) == 2]
    rule("integrated", "goal.shared", "A shared goal with owners on both teams", shared,
         "goals " + ", ".join(g.id for g in shared) if shared else "no goal is shared by a sales and a marketing owner")
    krs = plan.all("key_result")
    lacking = []
    for g in shared:
        mine = [k for k in krs if k.parent_id == g.id]
        if not mine:
            lacking.append(f"goal {g.id} has no key results")
        lacking += [f"{k.id} has no actual" for k in mine if not is_number(k.data.get("actual"))]
    rule("integrated", "kr.actuals", "Shared key results track actuals", shared and not lacking,
         "; ".join(lacking[:5]) + (f"; and {len(lacking) - 5} more" if len(lacking) > 5 else "") if lacking
         else ("every key result of a shared goal has an actual" if shared else "there is no shared goal"))
    p = plan.find("plan", "plan")
    pdata = p.data if p else {}
    lacking = [k for k in ("revenue_target", "average_deal_size") if not is_number(pdata.get(k))]
    lacking += [k for k in ("mql_to_sql_rate", "sql_to_win_rate") if not (sla and is_number(sla.get(k)))]
    rule("integrated", "funnel.numbers", "Revenue target and funnel rates are shared numbers", not lacking,
         f"not set: {', '.join('`' + k + '`' for k in lacking)}" if lacking
         else "the MQL commitment can be checked against the revenue target (`quarterdeck sla`)")
    if not lacking:
        from .sla import sla_math

        math_ = sla_math(plan)
        covers = math_.committed is not None and math_.shortfall == 0
        rule("integrated", "funnel.commitment", "The MQL commitment adds up to the revenue target", covers,
             (f"{math_.committed} MQLs committed in the quarter, {math_.mqls} needed" if math_.committed is not None
              else "the SLA has no MQL commitment")
             + ("" if covers else f"; commit {math_.mqls_per_period} per {math_.period}"))
    else:
        rule("integrated", "funnel.commitment", "The MQL commitment adds up to the revenue target", False,
             "the funnel numbers are not all set")
    empty = [c for c in cov.cells.values() if c.status == EMPTY]
    rule("integrated", "content.covered", "Every persona has content at every journey stage",
         cov.personas and not empty,
         "no content for " + "; ".join(f"{c.persona} at {c.stage}" for c in empty) if empty
         else ("every persona × stage cell has content" if cov.personas else "there are no personas"))
    quarterly = [m.id for m in plan.all("meeting") if m.data.get("cadence") == "quarterly"
                 and len(_both_teams(as_str_list(m.data.get("attendees")), teams)) == 2]
    rule("integrated", "meeting.quarterly", "Both teams review the plan every quarter", quarterly,
         "meetings " + ", ".join(quarterly) if quarterly else "no quarterly meeting with both teams")
    if quarter_tags is None:
        rule("integrated", "history.quarters", f"At least {MIN_QUARTERS} quarters of the plan reviewed and tagged",
             False, "plan history is not available (not in a git repository)")
    else:
        rule("integrated", "history.quarters", f"At least {MIN_QUARTERS} quarters of the plan reviewed and tagged",
             quarter_tags >= MIN_QUARTERS,
             f"{quarter_tags} quarter tag{'s' if quarter_tags != 1 else ''} (plan/*)"
             + ("" if quarter_tags >= MIN_QUARTERS else "; tag each reviewed quarter (`quarterdeck tag QUARTER`)"))

    stage = STAGES[0]
    for s in STAGES[1:]:
        if all(c.met for c in out if c.stage == s):
            stage = s
        else:
            break
    return StageAssessment(stage, out, quarter_tags)
