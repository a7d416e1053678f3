"""Glossary lint: the words the SLA and the scoring rules rely on must be defined.

Codes (all warnings):
  glossary.undefined-term   the SLA criteria or a scoring rule name a funnel term that no
                            glossary term defines (by id, name or alias)
  glossary.unlisted-term    the SLA criteria use a defined funnel term that the SLA's
                            `terms` list leaves out
  glossary.retired-alias    a retired name is still listed as an alias, or is the current
                            name of another term

What counts as a funnel term in running text: an acronym of two to five capitals that
ends in L (a kind of lead: MQL, SQL, SAL, PQL), QA (a qualified account: MQA) or QO (a
qualified opportunity: SQO), also in the plural (MQLs); and phrases like "sales accepted
lead" or "marketing-qualified account".  Everyday technical acronyms (URL, XML, HTML, ...)
are not funnel terms.
"""

from __future__ import annotations

import re

from ..model import Entity, Plan
from ..problems import WARNING, Problem, sort_problems
from ._common import as_str_list, glossary_names

_ACRONYM = re.compile(r"(?<![\w-])([A-Z]{1,4}(?:L|QA|QO))(s?)(?![\w-])")
_PHRASE = re.compile(r"(?<![\w-])([A-Za-z]+[ -](?:qualified|accepted)[ -](?:lead|account|opportunity))(s?)(?![\w-])",
                     re.I)
_NOT_FUNNEL = {"URL", "XML", "HTML", "DSL", "ETL", "TTL", "EOL", "SSL", "TSL", "DL", "ML", "YAML", "TOML", "LL"}


def _key(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").split())


def funnel_terms_in(text: str) -> list[tuple[str, int]]:
    """Funnel terms written in ``text``: (the term as written, singular; offset), first
    occurrence of each."""
    found: dict[str, int] = {}
    for m in _ACRONYM.finditer(text):
        word = m.group(1)
        if word not in _NOT_FUNNEL:
            found.setdefault(word, m.start(1))
    for m in _PHRASE.finditer(text):
        found.setdefault(m.group(1), m.start(1))
    return sorted(found.items(), key=lambda kv: kv[1])


def _position(plan: Plan, e: Entity, field: str, word: str) -> tuple[int, int]:
    """1-based line and column of ``word`` in the value of ``field``, or of the key."""
    tf = plan.files.get(e.file)
    if tf is None:
        return 0, 0
    loc = tf.locate(e.path + (field,))
    if loc is None:
        return 1, 1
    lines = tf.text.split("\n")
    pattern = re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w])")
    for n in range(loc.line, min(loc.end_line, len(lines) - 1) + 1):
        line = lines[n]
        start = 0
        if n == loc.line:
            eq = line.find("=", loc.col)
            start = eq + 1 if eq >= 0 else 0
        hit = pattern.search(line, start)
        if hit:
            return n + 1, hit.start() + 1
    return loc.line + 1, loc.col + 1


def _texts(plan: Plan):
    """(entity, field, text) for the texts whose funnel terms must be defined."""
    sla = plan.find("sla", "sla")
    if sla is not None:
        for field in ("mql_criteria", "sql_criteria"):
            if isinstance(sla.data.get(field), str):
                yield sla, field, sla.data[field]
    for r in plan.all("rule"):
        if isinstance(r.data.get("description"), str):
            yield r, "description", r.data["description"]


def glossary_problems(plan: Plan) -> list[Problem]:
    """Glossary warnings beyond the validator's own (see the module's codes), sorted."""
    names = glossary_names(plan)
    out: list[Problem] = []
    sla = plan.find("sla", "sla")
    listed = set(as_str_list(sla.data.get("terms"))) if sla is not None else set()
    for e, field, text in _texts(plan):
        seen: set[str] = set()
        for word, _ in funnel_terms_in(text):
            term = names.get(_key(word))
            if (term or _key(word)) in seen:
                continue  # one warning per term and field
            seen.add(term or _key(word))
            line, col = _position(plan, e, field, word)
            where = "the SLA" if e.kind.name == "sla" else f"scoring rule {e.id!r}"
            if term is None:
                out.append(Problem(
                    WARNING, "glossary.undefined-term",
                    f"{where} uses {word!r} in `{field}`, but no glossary term defines it; add a term "
                    f"(or an alias) for {word!r} to glossary.toml, or use a defined term",
                    e.file, line, col, e.kind.name, e.id, field))
            elif e.kind.name == "sla" and term not in listed:
                out.append(Problem(
                    WARNING, "glossary.unlisted-term",
                    f"the SLA's `{field}` relies on {word!r} (glossary term {term!r}), which its `terms` list "
                    f"leaves out; add {term!r} to [sla] terms",
                    e.file, line, col, e.kind.name, e.id, field))
    # retired names that are still accepted somewhere: the current names and aliases of
    # all terms looked up by key, in one pass, instead of every term for every retired name
    tf = plan.files.get("glossary.toml")
    terms = plan.all("term")
    current_by_key: dict[str, list[int]] = {}
    aliases_by_key: dict[str, list[tuple[int, int, str]]] = {}
    for n, other in enumerate(terms):
        current = other.data.get("term")
        if isinstance(current, str):
            current_by_key.setdefault(_key(current), []).append(n)
        for i, alias in enumerate(as_str_list(other.data.get("aliases"))):
            aliases_by_key.setdefault(_key(alias), []).append((n, i, alias))
    for t in terms:
        for r in t.data.get("retired") if isinstance(t.data.get("retired"), list) else []:
            if not isinstance(r, dict) or not isinstance(r.get("name"), str) or not r["name"].strip():
                continue
            retired = _key(r["name"])
            # in the order of the terms, as the nested loops over them gave them
            found = [(n, -1, "") for n in current_by_key.get(retired, ())] + aliases_by_key.get(retired, [])
            for n, i, alias in sorted(found, key=lambda x: (x[0], x[1])):
                other = terms[n]
                if i < 0:
                    if other.id == t.id:
                        continue
                    loc = tf.locate(other.path + ("term",)) if tf else None
                    out.append(Problem(
                        WARNING, "glossary.retired-alias",
                        f"{r['name']!r} was retired in favour of {t.data.get('term', t.id)!r}, but it is the name "
                        f"of term {other.id!r}; rename one of them",
                        other.file, loc.line + 1 if loc else 0, loc.col + 1 if loc else 0, "term", other.id, "term"))
                else:
                    loc = tf.locate(other.path + ("aliases", i)) if tf else None
                    out.append(Problem(
                        WARNING, "glossary.retired-alias",
                        f"{alias!r} is listed as an alias of {other.data.get('term', other.id)!r} but was retired "
                        f"on {r.get('since', '')} in favour of {t.data.get('term', t.id)!r}; remove the alias",
                        other.file, loc.line + 1 if loc else 0, loc.col + 1 if loc else 0, "term", other.id,
                        f"aliases.{i}"))
    return sort_problems(dict.fromkeys(out))
