"""Small helpers the insights share: members by team, glossary matching, slugs, numbers."""

from __future__ import annotations

import math
import re
import unicodedata

from ..model import Entity, Plan, as_date  # noqa: F401 - shared with the insight modules

PLANNED_STATUSES = ("idea", "planned", "drafting", "review", "scheduled")
PUBLISHED = "published"
RETIRED = "retired"


def member_teams(plan: Plan) -> dict[str, str]:
    """Member id -> team (sales, marketing, other)."""
    return {m.id: str(m.data.get("team", "")) for m in plan.all("member")}


def plan_data(plan: Plan) -> dict:
    e = plan.find("plan", "plan")
    return e.data if e is not None else {}


def sla_data(plan: Plan) -> dict | None:
    e = plan.find("sla", "sla")
    return e.data if e is not None else None


def live_content(plan: Plan) -> list[Entity]:
    """Content items that count: everything except retired ones."""
    return [c for c in plan.all("content") if c.data.get("status") != RETIRED]


def as_list(value) -> list:
    return list(value) if isinstance(value, (list, tuple)) else []


def as_str_list(value) -> list[str]:
    return [str(v) for v in as_list(value) if isinstance(v, str)]


# Integers beyond this cannot become floats; the insights compute in floats.
_FLOAT_MAX = 2 ** 1023


def is_numeric(value) -> bool:
    """An int or a float (not a bool), computable or not (inf, nan, 10**400 count)."""
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_number(value) -> bool:
    """A number the insights can compute with: an int or float (not a bool) that is
    finite and small enough to become a float.  ``inf``, ``nan`` and integers with
    hundreds of digits are values a TOML file may hold; they are shown, not used."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return -_FLOAT_MAX < value < _FLOAT_MAX
    return isinstance(value, float) and math.isfinite(value)


NOT_A_NUMBER = "not a number"


def show_number(value, decimals: int = 2) -> str:
    """A value meant as a number, for people: formatted when it can be computed with,
    ``inf``/``nan`` as they are written, a huge integer shortened, anything else
    "not a number"."""
    if is_number(value):
        try:
            return fmt_number(value, decimals)
        except (OverflowError, ValueError):
            pass
    if isinstance(value, float):
        return "nan" if value != value else ("inf" if value > 0 else "-inf")
    if isinstance(value, int) and not isinstance(value, bool):
        try:
            digits = str(abs(value))
        except ValueError:  # more digits than Python converts to text
            return "a huge integer"
        return ("-" if value < 0 else "") + f"{digits[0]}.{digits[1:4]}e{len(digits) - 1}"
    return NOT_A_NUMBER


def slugify(text: str, max_len: int = 64) -> str:
    """A slug id (lower-case letters, digits, single hyphens) for a name."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rstrip("-")
    return slug


def fmt_number(value: float, decimals: int = 0) -> str:
    """1234567.8 -> '1,234,568' (or with decimals); whole floats print without '.0'.
    A value that cannot be computed with (``inf``, ``nan``, a huge integer) is shown as
    ``show_number`` shows it, never an error."""
    if not is_number(value):
        return show_number(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 15:
        return f"{value:,}"
    if isinstance(value, float) and abs(value) >= 1e15:
        return f"{value:.4g}"  # 1e+300, not three hundred digits
    if isinstance(value, float) and value.is_integer() and decimals == 0:
        value = int(value)
    if decimals:
        text = f"{value:,.{decimals}f}".rstrip("0").rstrip(".")
        return text
    return f"{round(value):,}"


def glossary_names(plan: Plan) -> dict[str, str]:
    """Every accepted name of every glossary term (lower case) -> term id: the id, the
    current name and the aliases."""
    out: dict[str, str] = {}
    for t in plan.all("term"):
        names = [t.id, t.id.replace("-", " ")]
        if isinstance(t.data.get("term"), str):
            names.append(t.data["term"])
        names += as_str_list(t.data.get("aliases"))
        for n in names:
            key = " ".join(n.lower().split())
            if key:
                out.setdefault(key, t.id)
    return out


def find_term(plan: Plan, name: str) -> str | None:
    """The id of the glossary term that ``name`` names (by id, term or alias), or None."""
    return glossary_names(plan).get(" ".join(name.lower().split()))
