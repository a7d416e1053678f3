"""Schema errors, checked and worded in one place.

Every caller that asks "does the schema accept this?" comes here: the Problems view
and ``quarterdeck check`` (a whole file), an edit before it is written (one entity),
a form (one entity, or one field's value).  Each finding has a stable code
(``schema.enum``, ``schema.unknown-key``, ...) and two wordings built together:

- ``message``: a sentence that names the field and says how to fix it, for a list of
  problems ("`tier` is 9; use one of: 1, 2, 3");
- ``reason``: the same finding for a form, shown beside the field it concerns
  ("pick one of: 1, 2, 3").

Public API::

    to_json(value, bad_numbers)                TOML data as the validator expects it
    schema_messages(err, what)                 (code, message, path) for one jsonschema error
    field_reason(err)                          the form wording of one jsonschema error
    entity_errors(schemas, kind, data, before) SchemaMessage list for one entity's data
    value_errors(node, value)                  SchemaMessage list for one field's value
"""

from __future__ import annotations

import datetime as _dt
import json
import math
from collections import Counter
from dataclasses import dataclass
from typing import Callable, Iterator

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported when a validator is first made (a check of a valid plan needs none)
    from jsonschema import Draft202012Validator

from .registry import Kind, entity_schema_path
from .schema import SchemaSet, compiled_validator, inline_refs
from .slug import ID_PATTERN
from .values import number_patterns, wants_number

NOT_FINITE = "value.not-finite"

_TYPE_WORDS = {
    "string": "text in quotes", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "array": "a list [ ... ]", "object": "a table", "null": "empty",
}
_FORMAT_WORDS = {
    "date": "date (write it unquoted as YYYY-MM-DD, e.g. 2026-11-02)",
    "date-time": "date and time (e.g. 2026-11-02T09:30:00Z)",
    "email": "email address (name@example.com)",
    "uri": "URL (with its scheme, e.g. https://example.com/page)",
    "hostname": "domain name (e.g. example.com, without https://)",
}
# The same words, shorter, for a form field.
_FIELD_TYPE_WORDS = {"string": "text", "integer": "a whole number", "number": "a number", "array": "a list",
                     "object": "a table", "boolean": "true or false"}
_FIELD_FORMAT_WORDS = {
    "date": "a date written YYYY-MM-DD, e.g. 2026-11-02",
    "email": "an email address (name@example.com)",
    "uri": "a full web address with its scheme (https://...)",
    "hostname": "a domain name such as example.com (no https://, no path)",
    "date-time": "a date and time such as 2026-11-02T09:30:00Z",
}
SLUG_REASON = "use lower-case letters, digits and single hyphens (e.g. harbor-hvac)"
NOT_FINITE_REASON = "a finite number is needed (not nan or inf)"


@dataclass(frozen=True)
class SchemaMessage:
    code: str  # "schema.enum"
    message: str  # a sentence naming the field, for a list of problems
    path: tuple  # data path it concerns (relative to what was checked)
    reason: str  # the form wording, shown beside that field

    @property
    def field(self) -> str:
        """The dotted path inside what was checked ("" for the whole of it)."""
        return ".".join(str(p) for p in self.path)


def to_json(value, bad_numbers: list, path: tuple = ()):
    """TOML data as the validator expects it: dates as ISO strings, and note nan/inf."""
    if isinstance(value, dict):
        return {k: to_json(v, bad_numbers, path + (k,)) for k, v in value.items()}
    if isinstance(value, list):
        return [to_json(v, bad_numbers, path + (i,)) for i, v in enumerate(value)]
    if isinstance(value, (_dt.date, _dt.time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        bad_numbers.append((path, value))
    return value


def toml_repr(value) -> str:
    """A value as it would be written in TOML, shortened for a message."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, ensure_ascii=False, default=str)
        return text if len(text) <= 60 else text[:57] + "..."
    return str(value)


def field_name(path: tuple) -> str:
    parts = [str(p) for p in path if not isinstance(p, int)]
    return parts[-1] if parts else "value"


def not_finite_message(path: tuple, value) -> str:
    return f"`{field_name(path)}` is {value}; write a real number"


def _description(err, key: str) -> str:
    props = err.schema.get("properties", {}) if isinstance(err.schema, dict) else {}
    node = props.get(key)
    if node is None and isinstance(err.schema, dict) and isinstance(err.schema.get("additionalProperties"), dict):
        node = err.schema["additionalProperties"]
    return node.get("description", "") if isinstance(node, dict) else ""


def schema_messages(err, what: Callable[[tuple], str] | None = None) -> Iterator[tuple[str, str, tuple]]:
    """(code, message, path) for one jsonschema error, in words.  ``what(path)`` names
    the entity that holds ``path`` ("account 'acme'"), for unknown and missing keys.
    The validator must be built on a schema with its references inlined (as
    ``SchemaSet.validator`` and ``entity_errors`` do), so descriptions are at hand."""
    path = tuple(err.absolute_path)
    name = what or (lambda _path: "this entry")
    v = err.validator
    field = field_name(path)
    inst = err.instance
    if v == "additionalProperties":
        allowed = list(err.schema.get("properties", {}))
        for key in sorted(set(inst) - set(allowed)) if isinstance(inst, dict) else []:
            import difflib  # (only when a name is unknown)

            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean `{close[0]}`?" if close else ""
            custom = " or move it into the `custom` table for a field of your own" if "custom" in allowed else ""
            yield ("schema.unknown-key",
                   f"unknown key `{key}` in {name(path)}{hint} Remove it, correct its spelling{custom}",
                   path + (key,))
        return
    if v == "required":
        missing = [key for key in err.validator_value if isinstance(inst, dict) and key not in inst]
        # jsonschema gives one error per missing key, each with the whole list: say each once
        own = [key for key in missing if err.message.startswith(f"{key!r} ")]
        for key in own or missing:
            desc = _description(err, key)
            desc = f" ({desc.rstrip('.')})" if desc else ""
            yield ("schema.required", f"{name(path)} has no `{key}`, which is required: add `{key} = ...`{desc}",
                   path)
        return
    if v == "enum":
        choices = ", ".join(toml_repr(c) for c in err.validator_value)
        yield "schema.enum", f"`{field}` is {toml_repr(inst)}; use one of: {choices}", path
    elif v == "type":
        want = err.validator_value if isinstance(err.validator_value, list) else [err.validator_value]
        words = " or ".join(_TYPE_WORDS.get(t, t) for t in want)
        yield "schema.type", f"`{field}` must be {words}, not {toml_repr(inst)}", path
    elif v == "format":
        word = _FORMAT_WORDS.get(err.validator_value, err.validator_value)
        yield "schema.format", f"`{field}` is {toml_repr(inst)}, which is not a valid {word}", path
    elif v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                 "exclusiveMaximum": "less than"}[v]
        yield f"schema.{v}", f"`{field}` is {toml_repr(inst)}; it must be {bound} {err.validator_value}", path
    elif v == "minLength":
        yield "schema.minLength", f"`{field}` is empty; write something or remove the key", path
    elif v == "maxLength":
        yield "schema.maxLength", f"`{field}` is too long; keep it to {err.validator_value} characters", path
    elif v == "pattern":
        if err.validator_value == ID_PATTERN:
            yield ("schema.pattern", f"`{field}` is {toml_repr(inst)}; ids are slugs: lower-case letters, "
                   "digits and single hyphens (e.g. \"harbor-hvac\")", path)
        elif "Q[1-4]" in err.validator_value:
            yield "schema.pattern", f"`{field}` is {toml_repr(inst)}; write a quarter as YYYY-QN, e.g. \"2026-Q4\"", path
        else:
            yield ("schema.pattern", f"`{field}` is {toml_repr(inst)}, which does not have the expected form "
                   f"({err.validator_value})", path)
    elif v == "uniqueItems":
        dupes = [x for x, n in Counter(json.dumps(i, sort_keys=True) for i in inst).items() if n > 1]
        yield "schema.uniqueItems", f"`{field}` lists {', '.join(dupes)} more than once; keep each once", path
    elif v == "minItems":
        yield "schema.minItems", f"`{field}` needs at least {err.validator_value} item(s)", path
    elif v == "maxItems":
        yield "schema.maxItems", f"`{field}` may hold at most {err.validator_value} item(s)", path
    elif v == "const":
        yield "schema.const", f"`{field}` must be {toml_repr(err.validator_value)}, not {toml_repr(inst)}", path
    elif v in ("oneOf", "anyOf"):
        n = len(err.validator_value)
        reasons = [sub.message for sub in err.context or ()]
        detail = "; ".join(dict.fromkeys(reasons[:3]))
        yield (f"schema.{v}",
               f"`{field}` matches none of the {n} accepted forms" + (f" ({detail})" if detail else ""), path)
    elif v == "propertyNames":
        yield ("schema.propertyNames",
               f"`{field}` has a key {toml_repr(inst)} that is not allowed here: {err.message}", path)
    else:
        yield f"schema.{v}", f"`{field}`: {err.message}", path


def field_reason(err) -> str:
    """One jsonschema error in the words a form shows beside the field."""
    v = err.validator
    if v == "format":
        return f"not {_FIELD_FORMAT_WORDS.get(err.validator_value, err.validator_value)}"
    if v == "enum":
        return "pick one of: " + ", ".join(str(x) for x in err.validator_value)
    if v == "const":
        return f"must be {err.validator_value!r}"
    if v in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound = {"minimum": "at least", "maximum": "at most", "exclusiveMinimum": "more than",
                 "exclusiveMaximum": "less than"}[v]
        return f"must be {bound} {err.validator_value}"
    if v == "minLength":
        return "cannot be empty" if err.validator_value == 1 else f"needs at least {err.validator_value} characters"
    if v == "maxLength":
        return f"at most {err.validator_value} characters"
    if v == "pattern":
        if err.validator_value == ID_PATTERN:
            return SLUG_REASON
        return f"does not match the expected form ({err.validator_value})"
    if v == "uniqueItems":
        return "an entry is listed twice"
    if v == "minItems":
        return f"needs at least {err.validator_value} entr{'y' if err.validator_value == 1 else 'ies'}"
    if v == "type":
        want = err.validator_value if isinstance(err.validator_value, str) else err.validator_value[0]
        return f"must be {_FIELD_TYPE_WORDS.get(want, want)}"
    if v == "additionalProperties":
        return err.message.replace("Additional properties are not allowed", "unknown key")
    if v == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        return "required: fill in " + ", ".join(missing) if missing else err.message
    return err.message


def _findings(err, what) -> list[SchemaMessage]:
    reason = field_reason(err)
    return [SchemaMessage(code, message, path, reason) for code, message, path in schema_messages(err, what)]


# -- checking -------------------------------------------------------------------------


def _validator_for(node: dict) -> "Draft202012Validator":
    from jsonschema import Draft202012Validator

    return Draft202012Validator(node, format_checker=Draft202012Validator.FORMAT_CHECKER)


_ENTITY_VALIDATORS: dict[tuple[int, Kind], tuple[SchemaSet, "Draft202012Validator"]] = {}


def _entity_validator(schemas: SchemaSet, kind: Kind) -> "Draft202012Validator":
    """A validator for one entity of ``kind`` (its subschema, references inlined)."""
    from jsonschema import Draft202012Validator

    key = (id(schemas), kind)
    hit = _ENTITY_VALIDATORS.get(key)
    if hit is None or hit[0] is not schemas:
        node, base = schemas.subschema(kind.schema, entity_schema_path(kind))
        validator = Draft202012Validator(inline_refs(schemas, node, base), registry=schemas.registry,
                                         format_checker=Draft202012Validator.FORMAT_CHECKER)
        hit = _ENTITY_VALIDATORS[key] = (schemas, validator)  # the set is kept, so its id stays unique
    return hit[1]


_FAST_ENTITY: dict[tuple[int, str], tuple[SchemaSet, object]] = {}


def _entity_valid_fast(schemas: SchemaSet, kind: Kind, instance) -> bool:
    """True when a compiled validator of ``kind``'s subschema finds ``instance`` (JSON
    data) valid.  A gate as for whole files (``schema.is_valid_fast``): False only
    means "ask the Python validator", which explains."""
    key = (id(schemas), kind.name)
    hit = _FAST_ENTITY.get(key)
    if hit is None or hit[0] is not schemas:
        try:
            validator = compiled_validator(schemas, *schemas.subschema(kind.schema, entity_schema_path(kind)))
        except (KeyError, TypeError, ValueError):  # an odd schema: the careful path explains
            validator = None
        hit = _FAST_ENTITY[key] = (schemas, validator)  # the set is kept, so its id stays unique
    try:
        return hit[1] is not None and bool(hit[1].is_valid(instance))
    except Exception:  # noqa: BLE001
        return False


def _check(validator: "Draft202012Validator", data, what) -> dict[tuple, list[SchemaMessage]]:
    """Findings keyed by what identifies an error across two versions of the data."""
    bad: list = []
    found: dict[tuple, list[SchemaMessage]] = {}
    for err in validator.iter_errors(to_json(data, bad)):
        found.setdefault((tuple(err.absolute_path), err.validator, err.message), []).extend(_findings(err, what))
    numbers = number_patterns(validator.schema)
    for path, value in bad:
        if not wants_number(numbers, path):
            continue  # where the schema says nothing (``custom``), nan and inf are kept as written
        found[(path, "finite", str(value))] = [SchemaMessage(NOT_FINITE, not_finite_message(path, value), path,
                                                             NOT_FINITE_REASON)]
    return found


def entity_errors(schemas: SchemaSet, kind: Kind, data: dict, before: dict | None = None, *,
                  name: str | None = None) -> list[SchemaMessage]:
    """What the schema rejects in one entity's ``data`` (its table, as parsed), with
    paths inside the entity.  With ``before`` (the entity's data before an edit), only
    what the edit brings: errors ``before`` already had are left out, so an edit is
    never refused for a problem it did not make.  ``name`` names the entity in
    messages ("account 'acme'")."""
    bad: list = []
    if _entity_valid_fast(schemas, kind, to_json(data, bad)) and not bad:
        return []  # nothing to explain: the Python validator is not even imported
    validator = _entity_validator(schemas, kind)
    label = name or f"this {kind.title.lower()}"
    after = _check(validator, data, lambda _path: label)
    if before is not None:
        old = _check(validator, before, lambda _path: label)
        after = {key: found for key, found in after.items() if key not in old}
    return [m for found in after.values() for m in found]


def value_errors(node: dict, value) -> list[SchemaMessage]:
    """What the schema node ``node`` (references inlined) rejects in one field's value,
    first error first."""
    found = _check(_validator_for(node), value, lambda _path: "this value")
    ordered = sorted(found.items(), key=lambda item: [str(p) for p in item[0][0]])
    return [m for _key, ms in ordered for m in ms]
