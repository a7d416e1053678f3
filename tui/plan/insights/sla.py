"""SLA arithmetic: does marketing's MQL commitment add up to the revenue target?

Working back from the quarter's revenue target, each step rounds up (there are no
fractions of a deal or of a lead):

  deals = ceil(revenue_target / average_deal_size)
  SQLs  = ceil(deals / (sql_to_win_rate / 100))
  MQLs  = ceil(SQLs / (mql_to_sql_rate / 100))

Per period (sla.period): the quarter holds as many months as it spans (start to end),
as many weeks as its days / 7, or one quarter.  Needed per period = ceil(need / periods);
committed in the quarter = floor(mql_commitment × periods).

Key results whose title or metric mentions MQLs or SQLs are compared too: an MQL or SQL
count target with the number needed; an MQL-to-SQL or SQL-to-win percentage with the
SLA's rate (and, when its actual is lower, what the quarter yields at that rate).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from ..model import Plan
from ._common import as_date, fmt_number, is_number, is_numeric, plan_data, show_number, sla_data

_MQL = re.compile(r"\bmqls?\b|marketing[ -]qualified", re.I)
_SQL = re.compile(r"\bsqls?\b|sales[ -]qualified", re.I)
_WIN = re.compile(r"\bwin", re.I)
_EPS = 1e-9


@dataclass
class Finding:
    severity: str  # "warning" or "info"
    code: str
    message: str
    key_result: str = ""

    def to_dict(self) -> dict:
        return {"severity": self.severity, "code": self.code, "message": self.message, "key_result": self.key_result}


@dataclass
class KrCheck:
    id: str  # GOAL/KR
    title: str
    unit: str
    measures: str  # "mqls", "sqls", "mql_to_sql", "sql_to_win" or "related"
    target: float | None
    actual: float | None
    expected: float | None  # what the SLA arithmetic says it should be
    ok: bool | None  # None when there is nothing to compare
    note: str = ""  # e.g. "actual inf is not a number": a value no arithmetic can use

    def to_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SlaMath:
    missing: list[str] = field(default_factory=list)  # inputs not set (then no numbers)
    revenue_target: float | None = None
    average_deal_size: float | None = None
    mql_to_sql_rate: float | None = None
    sql_to_win_rate: float | None = None
    currency: str = ""
    period: str = "month"
    periods: float = 3.0  # periods in the quarter
    deals: int = 0
    sqls: int = 0
    mqls: int = 0
    deals_per_period: int = 0
    sqls_per_period: int = 0
    mqls_per_period: int = 0
    commitment: int | None = None  # MQLs per period the SLA promises
    committed: int | None = None  # in the quarter
    shortfall: int = 0  # MQLs the quarter needs beyond the commitment
    key_results: list[KrCheck] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and not any(f.severity == "warning" for f in self.findings)

    def to_dict(self) -> dict:
        d = {k: v for k, v in self.__dict__.items() if k not in ("key_results", "findings")}
        d["format"] = "quarterdeck.sla/1"
        d["key_results"] = [k.to_dict() for k in self.key_results]
        d["findings"] = [f.to_dict() for f in self.findings]
        return d


def _ceil(x: float) -> int:
    return math.ceil(x - _EPS)


def _periods(plan: Plan, period: str) -> float:
    p = plan_data(plan)
    start, end = as_date(p.get("start")), as_date(p.get("end"))
    if period == "quarter":
        return 1.0
    if start is None or end is None or end < start:
        return 3.0 if period == "month" else 13.0
    if period == "month":
        return float((end.year * 12 + end.month) - (start.year * 12 + start.month) + 1)
    return ((end - start).days + 1) / 7


def sla_math(plan: Plan) -> SlaMath:
    """The funnel arithmetic of ``plan`` and where it does not add up.  Values no
    arithmetic can use (``inf``, ``nan``, huge integers) or numbers whose results
    overflow are told as a finding, never raised."""
    try:
        return _sla_math(plan)
    except (OverflowError, ValueError, ZeroDivisionError):
        p = plan_data(plan)
        sla = sla_data(plan) or {}
        m = SlaMath(currency=str(p.get("currency") or ""), period=str(sla.get("period") or "month"),
                    missing=["computable numbers"])
        m.findings.append(Finding("info", "sla.inputs",
                                  "cannot work the funnel back from revenue: the numbers are too large to compute "
                                  "with (not a number); check [plan] revenue_target, average_deal_size and the "
                                  "[sla] rates"))
        return m


def _sla_math(plan: Plan) -> SlaMath:
    p = plan_data(plan)
    sla = sla_data(plan) or {}
    m = SlaMath(currency=str(p.get("currency") or ""), period=str(sla.get("period") or "month"))
    m.periods = _periods(plan, m.period)
    for key, source in (("revenue_target", p), ("average_deal_size", p), ("mql_to_sql_rate", sla),
                        ("sql_to_win_rate", sla)):
        value = source.get(key)
        if is_number(value) and value > 0:
            setattr(m, key, float(value))
        else:
            m.missing.append(key)
    odd = [k for k, source in (("revenue_target", p), ("average_deal_size", p), ("mql_to_sql_rate", sla),
                                ("sql_to_win_rate", sla), ("mql_commitment", sla))
           if is_numeric(source.get(k)) and not is_number(source.get(k))]
    if is_number(sla.get("mql_commitment")):
        m.commitment = int(sla["mql_commitment"])
        m.committed = math.floor(m.commitment * m.periods + _EPS)
    if m.missing:
        where = {"revenue_target": "[plan]", "average_deal_size": "[plan]", "mql_to_sql_rate": "[sla]",
                 "sql_to_win_rate": "[sla]"}
        m.findings.append(Finding("info", "sla.inputs",
                                  "cannot work the funnel back from revenue: set "
                                  + ", ".join(f"{where[k]} {k}" for k in m.missing)
                                  + "".join(f"; {k} is {show_number(sla.get(k, p.get(k)))}, not a number it can "
                                            "compute with" for k in odd)))
        _key_results(plan, m)
        return m
    if "mql_commitment" in odd:
        m.findings.append(Finding("warning", "sla.not-a-number",
                                  f"[sla] mql_commitment is {show_number(sla.get('mql_commitment'))}, not a number "
                                  "the SLA arithmetic can compare with; write the MQLs per period as a whole number"))
    m.deals = _ceil(m.revenue_target / m.average_deal_size)
    m.sqls = _ceil(m.deals / (m.sql_to_win_rate / 100))
    m.mqls = _ceil(m.sqls / (m.mql_to_sql_rate / 100))
    m.deals_per_period = _ceil(m.deals / m.periods)
    m.sqls_per_period = _ceil(m.sqls / m.periods)
    m.mqls_per_period = _ceil(m.mqls / m.periods)
    chain = (f"{fmt_number(m.revenue_target)} / {fmt_number(m.average_deal_size)} = {m.deals} deals; "
             f"{m.deals} / {fmt_number(m.sql_to_win_rate, 2)}% = {m.sqls} SQLs; "
             f"{m.sqls} / {fmt_number(m.mql_to_sql_rate, 2)}% = {m.mqls} MQLs")
    if m.committed is not None and m.committed < m.mqls:
        m.shortfall = m.mqls - m.committed
        m.findings.append(Finding(
            "warning", "sla.mql-shortfall",
            f"marketing commits {m.commitment} MQLs per {m.period}, {m.committed} in the quarter, but the revenue "
            f"target needs {m.mqls} ({chain}): {m.shortfall} short. Raise the commitment to "
            f"{m.mqls_per_period} per {m.period}, or revisit the target, deal size or conversion rates"))
    _key_results(plan, m)
    return m


def _key_results(plan: Plan, m: SlaMath) -> None:
    for kr in plan.all("key_result"):
        text = f"{kr.data.get('title', '')} {kr.data.get('metric', '')}"
        has_mql, has_sql = bool(_MQL.search(text)), bool(_SQL.search(text))
        if not (has_mql or has_sql):
            continue
        unit = str(kr.data.get("unit", ""))
        target = kr.data.get("target") if is_number(kr.data.get("target")) else None
        actual = kr.data.get("actual") if is_number(kr.data.get("actual")) else None
        measures, expected = "related", None
        if unit == "count" and has_sql != has_mql:
            measures = "sqls" if has_sql else "mqls"
            expected = (m.sqls if has_sql else m.mqls) if not m.missing else None
        elif unit == "percent" and has_mql and has_sql:
            measures, expected = "mql_to_sql", m.mql_to_sql_rate
        elif unit == "percent" and has_sql and _WIN.search(text):
            measures, expected = "sql_to_win", m.sql_to_win_rate
        odd = [f"{k} {show_number(kr.data.get(k))}" for k in ("target", "actual")
               if is_numeric(kr.data.get(k)) and not is_number(kr.data.get(k))]
        check = KrCheck(kr.id, str(kr.data.get("title", "")), unit, measures, target, actual, expected, None,
                        f"{' and '.join(odd)}: not a number" if odd else "")
        m.key_results.append(check)
        if expected is None or target is None:
            continue
        if measures in ("mqls", "sqls"):
            label = measures[:-1].upper() + "s"
            check.ok = target >= expected
            if not check.ok:
                m.findings.append(Finding(
                    "warning", "kr.target-short",
                    f"key result {kr.id!r} aims for {fmt_number(target)} {label}, but the revenue target needs "
                    f"{expected}: raise the target by {fmt_number(expected - target)}", kr.id))
            continue
        rate_name = "MQL-to-SQL" if measures == "mql_to_sql" else "SQL-to-win"
        sla_key = "mql_to_sql_rate" if measures == "mql_to_sql" else "sql_to_win_rate"
        check.ok = abs(target - expected) < _EPS
        if not check.ok:
            m.findings.append(Finding(
                "warning", "kr.rate-mismatch",
                f"key result {kr.id!r} targets a {rate_name} rate of {fmt_number(target, 2)}%, but the SLA plans "
                f"with {fmt_number(expected, 2)}% ([sla] {sla_key}); make them agree", kr.id))
        if actual is not None and actual + _EPS < expected and m.committed is not None and not m.missing:
            if measures == "mql_to_sql":
                sqls = math.floor(m.committed * actual / 100 + _EPS)
                deals = math.floor(sqls * m.sql_to_win_rate / 100 + _EPS)
                basis = f"the committed {m.committed} MQLs give {sqls} SQLs and {deals} deals"
            else:
                deals = math.floor(m.sqls * actual / 100 + _EPS)
                basis = f"{m.sqls} SQLs give {deals} deals"
            revenue = deals * m.average_deal_size
            m.findings.append(Finding(
                "warning", "kr.actual-behind",
                f"key result {kr.id!r}: at the actual {rate_name} rate of {fmt_number(actual, 2)}% (plan "
                f"{fmt_number(expected, 2)}%), {basis}, about {fmt_number(revenue)} {m.currency} of the "
                f"{fmt_number(m.revenue_target)} target".replace("  ", " "), kr.id))
