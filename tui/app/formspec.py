"""Form fields generated from the JSON Schemas (no Textual here).

``form_fields`` walks an entity kind's schema in property order and returns one
FieldSpec per editable value: which control suits it (a choice, a switch, a date, a
number, a reference picker, a list of lines, long text, or a TOML value for anything
else), its title and help text, and a validator for the value alone.  A property added
to a schema therefore shows up in the forms with no change to the app.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from tui.plan.edit import EditError, parse_value, render_value
from tui.plan.model import Entity, Plan
from tui.plan.problems import Problem
from tui.plan.registry import KINDS, Kind, entity_schema_path
from tui.plan.schema import SchemaSet

# jsonschema and the plan's rules are imported when a form first checks a value (not for
# the first frame, which shows entries but checks nothing)
from tui.plan.slug import ID_MAX_LENGTH, is_slug

from .present import title_of

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator

BIG_PICK_LIST = 200  # more targets than this: ids one per line instead of a pick list


class FieldError(ValueError):
    """What is wrong with the text typed into a field."""


@dataclass
class FieldSpec:
    path: tuple[str, ...]  # inside the entity
    title: str
    description: str
    required: bool
    control: str  # enum bool date integer number ref refs text long_text text_list toml tables children
    node: dict = field(repr=False, default_factory=dict)  # the schema node, $refs inlined
    enum: list | None = None
    ref_kind: str | None = None
    section: str = ""
    # arrays of tables: the items' schema as written ($refs kept, to find references)
    item_raw: dict | None = field(repr=False, default=None)
    item_base: str = ""
    # control "children": the kind of the entities the array holds (a goal's key results)
    child_kind: str | None = None

    @property
    def key(self) -> str:
        return ".".join(self.path)

    @property
    def dom_id(self) -> str:
        return "f-" + re.sub(r"[^A-Za-z0-9_-]", "_", "--".join(self.path))


# -- walking the schema -----------------------------------------------------------------


def inline(schemas: SchemaSet, node, base: str, depth: int = 0):
    """``node`` with every ``$ref`` replaced by what it points to (the plan schemas
    are not recursive), so it can be checked on its own."""
    if depth > 40:
        return {}
    if isinstance(node, dict):
        if "$ref" in node:
            node, base = schemas.resolve(node, base)
        return {k: inline(schemas, v, base, depth + 1) for k, v in node.items() if k not in ("$defs", "$schema", "$id")}
    if isinstance(node, list):
        return [inline(schemas, v, base, depth + 1) for v in node]
    return node


_ENTITY_NODES: dict[tuple[int, str], dict] = {}


def entity_node(schemas: SchemaSet, kind: Kind) -> dict:
    key = (id(schemas), kind.name)
    hit = _ENTITY_NODES.get(key)
    if hit is None:
        node, base = schemas.subschema(kind.schema, entity_schema_path(kind))
        hit = inline(schemas, node, base)
        _ENTITY_NODES[key] = hit
    return hit


def child_kinds(kind: Kind) -> dict[str, Kind]:
    """Arrays inside an entity that hold entities of their own (a goal's key results)."""
    return {k.path[0]: k for k in KINDS.values() if k.parent == kind.name}


def form_fields(schemas: SchemaSet, kind: Kind, plan: Plan | None, data: dict | None,
                only_required: bool = False) -> list[FieldSpec]:
    node, base = schemas.subschema(kind.schema, entity_schema_path(kind))
    required = set(node.get("required", []))
    children = child_kinds(kind)
    out: list[FieldSpec] = []
    for key, raw in node.get("properties", {}).items():
        if key in children:  # entities of their own (key results): rows, each edited as that kind
            out.extend(_children_spec(schemas, raw, base, key, children[key], plan, (data or {}).get(key)))
            continue
        if key == "id" and not kind.singleton:
            continue
        if only_required and key not in required and not _is_table_array(schemas, raw, base):
            continue  # a new entity's form: what it needs, and its arrays of tables (a committee)
        value = (data or {}).get(key)
        out.extend(_specs(schemas, raw, base, (key,), key in required, plan, value, ""))
    return out


def _children_spec(schemas: SchemaSet, raw, base: str, key: str, child: Kind, plan, value) -> list[FieldSpec]:
    """The rows of a child kind's entities (a goal's key results, the scoring rules)."""
    specs = _specs(schemas, raw, base, (key,), False, plan, value, "")
    if len(specs) != 1 or specs[0].control != "tables":
        return []  # not an array of tables in this schema: edited in their own forms only
    spec = specs[0]
    spec.control = "children"
    spec.child_kind = child.name
    spec.title = spec.title if spec.title != title_of(key) else child.plural
    return [spec]


def _is_table_array(schemas: SchemaSet, raw, base: str) -> bool:
    if not isinstance(raw, dict):
        return False
    node, nbase = schemas.resolve(raw, base)
    if node.get("type") != "array":
        return False
    items, _ = schemas.resolve(node.get("items", {}), nbase)
    return items.get("type") == "object"


def item_fields(schemas: SchemaSet, spec: FieldSpec, plan: Plan | None, item: dict | None) -> list[FieldSpec]:
    """The fields of one row of an array of tables (a committee member), in schema
    order: the same controls, help and checks as an entity's own fields."""
    if spec.item_raw is None:
        return []
    node, base = schemas.resolve(spec.item_raw, spec.item_base)
    required = set(node.get("required", []))
    out: list[FieldSpec] = []
    for key, raw in node.get("properties", {}).items():
        out.extend(_specs(schemas, raw, base, (key,), key in required, plan, (item or {}).get(key), ""))
    return out


def _specs(schemas, raw, base, path, required, plan, value, section) -> list[FieldSpec]:
    target = schemas.ref_target(raw, base) if isinstance(raw, dict) else None
    node, nbase = schemas.resolve(raw, base) if isinstance(raw, dict) else ({}, base)
    title = node.get("title") or title_of(path[-1])
    desc = node.get("description", "")
    flat = inline(schemas, node, nbase)

    def spec(control, **kw):
        return [FieldSpec(path, title, desc, required, control, flat, section=section, **kw)]

    if target is not None:
        ref_kind, is_list = target
        return spec("refs" if is_list else "ref", ref_kind=ref_kind)
    if "enum" in node or "const" in node:
        return spec("enum", enum=list(node["enum"]) if "enum" in node else [node["const"]])
    t = node.get("type")
    if t == "boolean":
        return spec("bool")
    if t == "string" and node.get("format") == "date":
        return spec("date")
    if t == "integer":
        return spec("integer")
    if t == "number":
        return spec("number")
    if t == "string":
        long = isinstance(raw, dict) and str(raw.get("$ref", "")).endswith("/long_text")
        if long or (isinstance(value, str) and "\n" in value):
            return spec("long_text")
        return spec("text")
    if t == "array":
        items, ibase = schemas.resolve(node.get("items", {}), nbase)
        if items.get("type") == "object":
            return spec("tables", item_raw=node.get("items", {}), item_base=nbase)
        if items.get("type") == "string" and "enum" not in items and items.get("format") is None:
            if isinstance(value, list) and any(isinstance(v, str) and "\n" in v for v in value):
                return spec("toml")
            return spec("text_list")
        return spec("toml")
    if t == "object":
        props = node.get("properties")
        extra = node.get("additionalProperties")
        names = node.get("propertyNames")
        if isinstance(names, dict) and isinstance(extra, dict) and plan is not None \
                and schemas.ref_target(names, nbase) == ("stage", False):
            sub, sbase = schemas.resolve(extra, nbase)
            keys = list(plan.stages) + [k for k in (value or {}) if k not in plan.stages]
            out = []
            for stage in keys:
                inner = (value or {}).get(stage) if isinstance(value, dict) else None
                for k2, raw2 in sub.get("properties", {}).items():
                    out.extend(_specs(schemas, raw2, sbase, path + (stage, k2), False, plan,
                                      (inner or {}).get(k2), f"{title}: {stage}"))
            return out
        if isinstance(props, dict) and props:
            req = set(node.get("required", []))
            out = []
            for k2, raw2 in props.items():
                inner = value.get(k2) if isinstance(value, dict) else None
                out.extend(_specs(schemas, raw2, nbase, path + (k2,), required and k2 in req, plan, inner, title))
            return out
        return spec("toml")
    return spec("toml")


# -- values <-> text ---------------------------------------------------------------------


def value_at(data: dict | None, path: tuple):
    for part in path:
        if not isinstance(data, dict):
            return None
        data = data.get(part)
    return data


def to_text(spec: FieldSpec, value) -> str:
    """The text a field shows for ``value``."""
    if value is None:
        return ""
    c = spec.control
    if c == "text_list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else render_value(value)
    if c == "refs":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else render_value(value)
    if c in ("tables", "children") and isinstance(value, list):
        return "\n".join(render_value(v) for v in value)
    if c in ("text", "long_text") and isinstance(value, str):
        return value
    if c == "date" and isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if c in ("integer", "number") and isinstance(value, (int, float)) and not isinstance(value, bool):
        return repr(value) if isinstance(value, float) else str(value)
    try:
        return render_value(value)
    except EditError:
        return str(value)


def parse_text(spec: FieldSpec, text: str):
    """The value typed into a field (None when left empty); FieldError when it is not one."""
    c = spec.control
    if c in ("text_list", "refs"):
        items = [line.strip() for line in text.split("\n")]
        items = [i for i in items if i]
        return items or None
    if c == "tables":
        items = []
        for n, line in enumerate(text.split("\n"), 1):
            if not line.strip():
                continue
            try:
                item = parse_value(line.strip())
            except EditError:
                raise FieldError(f"line {n}: write one table per line, like {{ name = \"Ana\", title = \"CTO\" }}") from None
            if not isinstance(item, dict):
                raise FieldError(f"line {n}: a table {{ key = value, ... }} is needed")
            items.append(item)
        return items or None
    if c == "long_text":
        return text if text.strip() else None
    if c == "text":
        return text if text != "" else None
    stripped = text.strip()
    if not stripped:
        return None
    if c == "date":
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", stripped):
            raise FieldError("write the date as YYYY-MM-DD, e.g. 2026-11-02")
        try:
            return dt.date.fromisoformat(stripped)
        except ValueError:
            raise FieldError(f"{stripped} is not a day of the calendar") from None
    if c == "integer":
        if not re.fullmatch(r"[+-]?\d[\d_]*", stripped):
            raise FieldError("a whole number is needed, e.g. 42")
        return int(stripped.replace("_", ""))
    if c == "number":
        if re.fullmatch(r"[+-]?\d[\d_]*", stripped):
            return int(stripped.replace("_", ""))
        try:
            number = float(stripped.replace("_", ""))
        except ValueError:
            raise FieldError("a number is needed, e.g. 2.5") from None
        if not math.isfinite(number):
            raise FieldError("a finite number is needed (not nan or inf)")
        return number
    if c == "toml":
        try:
            return parse_value(stripped)
        except EditError as exc:
            raise FieldError(exc.message) from None
    return stripped


# -- checking one value ------------------------------------------------------------------------


_VALIDATORS: dict[int, Draft202012Validator] = {}


def _validator(node: dict) -> Draft202012Validator:
    from jsonschema import Draft202012Validator

    v = _VALIDATORS.get(id(node))
    if v is None or v.schema is not node:
        v = Draft202012Validator(node, format_checker=Draft202012Validator.FORMAT_CHECKER)
        _VALIDATORS[id(node)] = v
    return v


def explain(err) -> str:
    """A jsonschema error in the words a form shows beside the field (the one wording of
    ``tui.plan.schema_errors``)."""
    from tui.plan.schema_errors import field_reason

    return field_reason(err)


def check_value(spec: FieldSpec, value) -> str:
    """Why ``value`` is not acceptable for the field ('' when it is)."""
    from tui.plan.validation import to_json

    if value is None:
        return "required: fill this in" if spec.required else ""
    bad: list = []
    data = to_json(value, bad)
    if bad:
        return "a finite number is needed (not nan or inf)"
    errors = sorted(_validator(spec.node).iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return ""
    err = errors[0]
    where = ""
    if err.absolute_path:
        first = list(err.absolute_path)[0]
        if isinstance(first, int) and isinstance(value, list) and first < len(value):
            where = f"{value[first]!s}: " if spec.control in ("refs", "text_list") else f"entry {first + 1}: "
    return where + explain(err)


def check_ref(spec: FieldSpec, value, targets: list[str]) -> str:
    """References must name something that exists."""
    if value is None or spec.control not in ("ref", "refs"):
        return ""
    wanted = value if isinstance(value, list) else [value]
    known = set(targets)
    missing = [v for v in wanted if v not in known]
    if missing:
        what = "stage" if spec.ref_kind == "stage" else KINDS[spec.ref_kind].title.lower()
        return f"no {what} with id {missing[0]!r}"
    return ""


def check_entity(schemas: SchemaSet, kind: Kind, before: dict | None, after: dict) -> list[str]:
    """Schema errors that ``after`` (an entity's data) has and ``before`` did not: the
    same rule the core applies before an edit, checked on this one entity only."""
    from tui.plan.validation import to_json

    node = entity_node(schemas, kind)
    validator = _validator(node)
    skip = set(child_kinds(kind))

    def errors(data):
        bad: list = []
        trimmed = {k: v for k, v in data.items() if k not in skip}
        found = {(tuple(e.absolute_path), e.validator, e.message): e for e in validator.iter_errors(to_json(trimmed, bad))}
        for path, _value in bad:
            found[(path, "finite", "nan")] = None
        return found

    old = errors(before) if before is not None else {}
    new = errors(after)
    out = []
    for key, err in new.items():
        if key in old:
            continue
        path = ".".join(str(p) for p in key[0])
        reason = explain(err) if err is not None else "a finite number is needed (not nan or inf)"
        out.append(f"{path}: {reason}" if path else reason)
    return out


def apply_values(data: dict, values: dict[tuple, object]) -> dict:
    """A copy of ``data`` with each path set (or removed, for None)."""
    out = copy.deepcopy(data)
    for path, value in values.items():
        target = out
        for part in path[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        if value is None:
            target.pop(path[-1], None)
        else:
            target[path[-1]] = value
    return out


def ref_targets(plan: Plan, ref_kind: str) -> list[tuple[str, str]]:
    """(id, label) of what a reference field may name."""
    if ref_kind == "stage":
        return [(s, s) for s in plan.stages]
    return [(e.id, e.label) for e in plan.all(ref_kind)]


def owner_team(spec: FieldSpec) -> str | None:
    """The team a member named by this field must be on (rule owner.team), if any."""
    if spec.ref_kind == "member" and len(spec.path) == 1:
        from tui.plan.validation import OWNER_TEAMS

        return OWNER_TEAMS.get(spec.path[0])
    return None


def choices(plan: Plan, spec: FieldSpec) -> list[tuple[str, str]]:
    """(id, label) a reference field may take under the plan's rules: the targets that
    exist, and for an owner field only the members of its team."""
    targets = ref_targets(plan, spec.ref_kind)
    team = owner_team(spec)
    if team is not None:
        teams = {e.id: e.data.get("team") for e in plan.all("member")}
        targets = [(tid, label) for tid, label in targets if teams.get(tid) == team]
    return targets


def rule_findings(plan: Plan, schemas: SchemaSet, kind: Kind, entity_id: str | None, data: dict) -> list[Problem]:
    """The cross-file rules' problems (references, owners' teams, shared goals, dates in
    the quarter, retired names, ...) of one entity as the form would leave it: checked
    on a fork of the plan in which that entity holds ``data``.  The plan is not changed."""
    from tui.plan.refs import entity_references
    from tui.plan.validation import Locator, reference_problems, rule_problems

    full_id = entity_id if entity_id is not None else str(data.get("id", ""))
    entities = {k: list(v) for k, v in plan.entities.items()}
    same = entities.setdefault(kind.name, [])
    for n, e in enumerate(same):
        if e.id == full_id:
            same[n] = Entity(e.kind, e.id, data, e.file, e.path)
            target = same[n]
            break
    else:
        path = kind.path if kind.singleton else kind.path + (len(same),)
        target = Entity(kind, full_id, data, kind.file, path)
        same.append(target)
    fork = Plan(plan.root, files=plan.files, syntax_errors=[], entities=entities)
    locators = {name: Locator(fork, name) for name in set(fork.files) | {target.file}}
    skip = set(plan.unreadable)
    # the references the form's values hold (not those in the file), and only this entity's rules
    refs = entity_references(schemas, target)
    found = reference_problems(fork, schemas, locators, skip=skip, refs=refs) + \
        rule_problems(fork, locators, skip=skip, only=target)
    return [p for p in found if p.kind == kind.name and p.entity == target.id]


def fresh_id(plan: Plan, kind: Kind, own_id: str, parent_id: str | None = None) -> str:
    """``x-copy``, ``x-copy-2``, ... : an id not used yet (at most 64 characters)."""
    def full(candidate):
        return f"{parent_id}/{candidate}" if parent_id else candidate

    for n in range(1, 10_000):
        suffix = "-copy" if n == 1 else f"-copy-{n}"
        candidate = own_id[: 64 - len(suffix)].rstrip("-") + suffix
        if plan.find(kind.name, full(candidate)) is None:
            return candidate
    raise EditError("no free id found for the copy")


def check_new_id(plan: Plan, kind: Kind, own_id: str, parent_id: str | None = None) -> str:
    if not own_id:
        return "required: fill this in"
    if len(own_id) > ID_MAX_LENGTH or not is_slug(own_id):
        return "use lower-case letters, digits and single hyphens, at most 64 characters (e.g. harbor-hvac)"
    full = f"{parent_id}/{own_id}" if parent_id else own_id
    if plan.find(kind.name, full) is not None:
        return f"a {kind.title.lower()} with id {own_id!r} already exists"
    return ""


# -- the rows of a child kind (a goal's key results, the scoring rules) ------------------------


def child_full_id(child: Kind, parent_id: str | None, own_id: str) -> str:
    return f"{parent_id}/{own_id}" if child.addressed_by_parent and parent_id else own_id


def duplicate_ids(child: Kind, rows: list) -> str:
    """Why the rows' ids cannot all be kept ('' when they can): two rows with one id."""
    seen: set[str] = set()
    for row in rows:
        own = row.get("id") if isinstance(row, dict) else None
        if own is not None and own in seen:
            return f"two {child.plural.lower()} have the id {own!r}; give each its own"
        seen.add(own)
    return ""


def child_steps(child: Kind, parent_id: str | None, before: list, rows: list,
                origins: list[int | None]) -> list[tuple]:
    """The core operations that turn a parent's child entities ``before`` into ``rows``
    (``origins[i]``: the index in ``before`` that row i came from, None for a new row):
    ("remove", id), ("rename", id, new own id), ("set", id, {path: value or None}),
    ("add", id, fields) and, when the order changed, ("order", [ids])."""
    before = [b if isinstance(b, dict) else {} for b in before]
    steps: list[tuple] = []
    kept = {o for o in origins if o is not None}
    for j, old in enumerate(before):
        if j not in kept:
            steps.append(("remove", child_full_id(child, parent_id, str(old.get("id", "")))))
    survivors: list[tuple[int, str]] = []
    added: list[str] = []
    final: list[str] = []
    for row, origin in zip(rows, origins):
        own = str(row.get("id", ""))
        full = child_full_id(child, parent_id, own)
        if origin is None:
            steps.append(("add", full, {k: v for k, v in row.items() if k != "id"}))
            added.append(full)
        else:
            old = before[origin]
            old_own = str(old.get("id", ""))
            if own != old_own:
                steps.append(("rename", child_full_id(child, parent_id, old_own), own))
            keys = [k for k in row if k != "id"] + [k for k in old if k != "id" and k not in row]
            changes = {(k,): row.get(k) for k in keys if row.get(k) != old.get(k)}
            if changes:
                steps.append(("set", full, changes))
            survivors.append((origin, full))
        final.append(full)
    now = [full for _, full in sorted(survivors)] + added  # survivors keep their place, adds go last
    if now != final and len(final) > 1:
        steps.append(("order", final))
    return steps


def run_child_steps(plan: Plan, child: Kind, steps: list[tuple], schemas: SchemaSet) -> None:
    """Stage ``child_steps`` on ``plan`` through the core's operations (each surgical)."""
    from tui.plan import ops

    for step in steps:
        what = step[0]
        if what == "remove":
            ops.delete(plan, child.name, step[1], schemas)
        elif what == "rename":
            ops.rename(plan, child.name, step[1], step[2], schemas)
        elif what == "set":
            ops.set_fields(plan, child.name, step[1], step[2], schemas)
        elif what == "add":
            ops.add(plan, child.name, step[1], step[2], schemas)
        elif what == "order":
            ops.reorder(plan, child.name, step[1])


def steps_summary(child: Kind, steps: list[tuple]) -> str:
    """"key results: 1 added, 2 changed, moved" (what an undo names)."""
    count = {w: sum(1 for s in steps if s[0] == w) for w in ("add", "set", "rename", "remove")}
    parts = [f"{count['add']} added" if count["add"] else "",
             f"{count['set'] + count['rename']} changed" if count["set"] or count["rename"] else "",
             f"{count['remove']} removed" if count["remove"] else "",
             "reordered" if any(s[0] == "order" for s in steps) else ""]
    return f"{child.plural.lower()}: " + ", ".join(p for p in parts if p)
