"""Checks on values that JSON Schema cannot express about TOML data.

TOML has types JSON lacks, so two rules are checked here, beside the schema, by
walking only the places the schema gives a number or a date:

* ``nan`` and ``inf`` are refused wherever the schema expects a number (``type``
  number or integer): nothing can be computed from them, and jsonschema lets ``nan``
  pass ``minimum``/``maximum``.  Where the schema says nothing (a ``custom`` field),
  they are kept as written.
* A date field (``format: date`` or ``date-time``) must hold a TOML date, not text in
  quotes: ``due = 2026-11-02``, never ``due = "2026-11-02"``.  The validator sees TOML
  dates as ISO text, so without this rule the quoted form would pass; other tools
  reading the file (and TOML-aware editors) would see a string.

The same rules run for ``check`` and for every edit, so a value refused by one is
refused by the other.  An email address is checked by ``strict_email`` (registered
for ``format: email`` in both validators; see ``schema``).
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from typing import Iterator

ANY_INDEX = "*"  # a pattern step matching every element of a list
ANY_KEY = "?"  # a pattern step matching every key of a table

_EMAIL = re.compile(
    r"(?!\.)(?!.*\.\.)[\w.!#$%&'*+/=?^`{|}~-]{1,64}(?<!\.)"  # local part: no leading, trailing or double dot
    r"@(?=[^@]{1,253}\Z)(?:(?!-)[\w-]{1,63}(?<!-)\.)*(?!-)[\w-]{1,63}(?<!-)\Z"  # domain: dot-separated labels
)
_DATE_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_DATETIME_TEXT = re.compile(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:\d{2})?\Z")


def strict_email(value) -> bool:
    """An address with exactly one ``@``, a local part and a domain of dot-separated
    labels, and no spaces: ``a@@b``, ``@``, ``x@y z`` and ``a.@b`` are refused (the
    default check only looks for an ``@``).  Non-strings pass (``type`` judges them)."""
    if not isinstance(value, str):
        return True
    return _EMAIL.match(value) is not None


def _walk(schemas, node, base, path, out, seen, depth) -> None:
    if depth > 24 or not isinstance(node, dict):
        return
    node, base = schemas.resolve(node, base)
    key = (id(node), path)
    if key in seen:
        return
    seen.add(key)
    types = node.get("type")
    types = set(types) if isinstance(types, list) else {types}
    if types & {"number", "integer"}:
        out.add((path, "number"))
    if node.get("format") in ("date", "date-time"):
        out.add((path, node["format"]))
    for word in ("allOf", "anyOf", "oneOf"):
        for sub in node.get(word) or ():
            _walk(schemas, sub, base, path, out, seen, depth + 1)
    for name, sub in (node.get("properties") or {}).items():
        _walk(schemas, sub, base, path + (name,), out, seen, depth + 1)
    extra = node.get("additionalProperties")
    if isinstance(extra, dict):
        _walk(schemas, extra, base, path + (ANY_KEY,), out, seen, depth + 1)
    items = node.get("items")
    if isinstance(items, dict):
        _walk(schemas, items, base, path + (ANY_INDEX,), out, seen, depth + 1)


_PATTERNS: dict[tuple[str, str], tuple[tuple[tuple, str], ...]] = {}
_NODE_PATTERNS: dict[int, tuple[dict, frozenset]] = {}


class _Inlined:
    """``resolve`` for a schema node whose references are already inlined."""

    @staticmethod
    def resolve(node, base):
        return node, base


def number_patterns(node: dict) -> frozenset:
    """The path patterns at which an inlined schema node (an entity's or a field's, as
    the edit checks use) wants a number: where ``nan``/``inf`` are refused."""
    hit = _NODE_PATTERNS.get(id(node))
    if hit is None or hit[0] is not node:
        out: set = set()
        _walk(_Inlined, node, "", (), out, set(), 0)
        hit = _NODE_PATTERNS[id(node)] = (node, frozenset(p for p, what in out if what == "number"))
    return hit[1]


def wants_number(patterns, path: tuple) -> bool:
    """True when ``path`` (keys and indices) matches one of ``number_patterns``."""
    for pattern in patterns:
        if len(pattern) == len(path) and all(
                step == part or (step == ANY_INDEX and isinstance(part, int))
                or (step == ANY_KEY and isinstance(part, str)) for step, part in zip(pattern, path)):
            return True
    return False


def typed_paths(schemas, schema_name: str) -> tuple[tuple[tuple, str], ...]:
    """(pattern, what) for every place the schema wants a number or a date (computed
    once per schema folder and file)."""
    key = (str(schemas.folder), schema_name)
    found = _PATTERNS.get(key)
    if found is None:
        out: set = set()
        _walk(schemas, schemas.schemas[schema_name], schema_name, (), out, set(), 0)
        found = _PATTERNS[key] = tuple(sorted(out, key=repr))
    return found


def _match(data, pattern: tuple, path: tuple = ()) -> Iterator[tuple[tuple, object]]:
    if not pattern:
        yield path, data
        return
    step, rest = pattern[0], pattern[1:]
    if step == ANY_INDEX:
        if isinstance(data, list):
            for i, v in enumerate(data):
                yield from _match(v, rest, path + (i,))
    elif step == ANY_KEY:
        if isinstance(data, dict):
            for k, v in data.items():
                yield from _match(v, rest, path + (k,))
    elif isinstance(data, dict) and step in data:
        yield from _match(data[step], rest, path + (step,))


def _quoted_date(value, what: str) -> bool:
    if not isinstance(value, str):
        return False
    if what == "date":
        if not _DATE_TEXT.match(value):
            return False
        try:
            _dt.date.fromisoformat(value)
        except ValueError:
            return False
        return True
    if not _DATETIME_TEXT.match(value):
        return False
    try:
        _dt.datetime.fromisoformat(value.replace("z", "Z").replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def value_findings(schemas, schema_name: str, data, within: tuple = ()) -> list[tuple[str, tuple, str]]:
    """(code, path, message) for each value the rules above refuse in a file's data;
    with ``within``, only values at or under that data path."""
    out = []
    seen = set()
    for pattern, what in typed_paths(schemas, schema_name):
        for path, value in _match(data, pattern):
            if path[: len(within)] != within or (path, what) in seen:
                continue
            seen.add((path, what))
            field = next((str(p) for p in reversed(path) if not isinstance(p, int)), "value")
            if what == "number" and isinstance(value, float) and not math.isfinite(value):
                out.append(("value.not-finite", path,
                            f"`{field}` is {value}; write a real number (nan and inf cannot be counted or compared)"))
            elif what in ("date", "date-time") and _quoted_date(value, what):
                out.append(("value.quoted-date", path,
                            f"`{field}` is the text \"{value}\" in quotes, but a {'date' if what == 'date' else 'date and time'} "
                            f"is written without them: drop the quotes (`{field} = {value}`)"))
    return out
