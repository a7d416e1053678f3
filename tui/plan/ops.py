"""Plan operations, as people ask for them: set several fields at once, add, duplicate,
rename (references follow), delete (naming what refers to the entity), move a date by
days.  Each stages its changes on the plan it is given (in memory; saving is the
caller's) and raises ``EditError`` with a sentence for people when it cannot be done,
leaving that plan as it was.

The app runs them on a fork of its plan in a worker thread; the command line runs them
on the plan it loaded.  No Textual here.
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field

from .edit import EditError, add_entity, remove_entity, reorder_entities, set_field, stage_change, unset_field
from .model import Entity, Plan, as_date
from .refs import Referrer, referrers, rename_entity
from .registry import KINDS
from .schema import SchemaSet, load_schemas
from .validation import to_json


@dataclass
class RenameReport:
    """What a rename did: the new id, the references that followed, the files touched."""

    new_id: str
    references: int
    files: list[str] = field(default_factory=list)


@dataclass
class DeleteReport:
    """What a deletion leaves behind: the references that now point nowhere."""

    entity_id: str
    referrers: list[Referrer] = field(default_factory=list)


def _path(key) -> tuple:
    if isinstance(key, tuple):
        return key
    return tuple(int(p) if p.isdigit() else p for p in str(key).split("."))


def _entity_errors(schemas: SchemaSet, plan: Plan, entity: Entity) -> set[tuple[tuple, str]]:
    """The schema errors inside one entity (paths relative to the file), checked on a
    document holding that entity alone."""
    data = plan.files[entity.file].data
    top, rest = entity.path[0], entity.path[1:]
    value = data.get(top)
    if rest and isinstance(rest[0], int):
        doc, path = {top: [value[rest[0]]]}, (top, 0) + rest[1:]
    else:
        doc, path = {top: value}, entity.path
    bad: list = []
    out = set()
    for err in schemas.validator(entity.kind.schema).iter_errors(to_json(doc, bad)):
        where = tuple(err.absolute_path)
        if where[: len(path)] == path:
            out.add((where[len(path):], err.message))
    for where, _value in bad:
        if where[: len(path)] == path:
            out.add((where[len(path):], "a finite number is needed (not nan or inf)"))
    return out


def _words(errors) -> str:
    parts = []
    for where, message in sorted(errors, key=lambda e: (str(e[0]), e[1])):
        name = ".".join(str(p) for p in where)
        parts.append(f"{name}: {message}" if name else message)
    return "; ".join(parts)


def set_fields(plan: Plan, kind: str, entity_id: str, changes: dict, schemas: SchemaSet | None = None) -> str:
    """Set (value) or remove (None) several fields of one entity, checked once against the
    schema when all are made: fields that are only valid together (a start and an end)
    can be changed together.  Only new schema errors refuse the edit.  Returns a summary."""
    schemas = schemas or load_schemas()
    entity = plan.get(kind, entity_id)
    if not changes:
        return f"{kind} {entity_id}: nothing changed"
    before = _entity_errors(schemas, plan, entity)
    files = dict(plan.files)
    entities = plan.entities
    try:
        for key, value in changes.items():
            path = _path(key)
            if value is None:
                change = unset_field(plan, kind, entity_id, path, schemas=schemas, force=True)
            else:
                change = set_field(plan, kind, entity_id, path, value, schemas=schemas, force=True)
            stage_change(plan, change)
        new = _entity_errors(schemas, plan, plan.get(kind, entity_id)) - before
        if new:
            raise EditError(f"the schema rejects these values: {_words(new)} (nothing changed)",
                            file=entity.file, code="edit.schema")
    except BaseException:
        plan.files.clear()
        plan.files.update(files)
        plan.entities = entities
        raise
    names = ", ".join(".".join(str(p) for p in _path(k)) for k in changes)
    return f"{kind} {entity_id}: {names}"


def add(plan: Plan, kind: str, full_id: str, fields: dict, schemas: SchemaSet | None = None) -> str:
    """Add an entity with ``fields`` (checked against the schema); returns its id."""
    schemas = schemas or load_schemas()
    k = KINDS[kind]
    if k.singleton:
        raise EditError(f"the plan has exactly one {k.title}; edit it instead", code="usage.kind")
    stage_change(plan, add_entity(plan, kind, full_id, fields, schemas=schemas))
    return full_id


def fresh_copy_id(plan: Plan, kind: str, own_id: str, parent_id: str | None = None) -> str:
    """``x-copy``, ``x-copy-2``, ...: an own id not used yet (at most 64 characters)."""
    for n in range(1, 10_000):
        suffix = "-copy" if n == 1 else f"-copy-{n}"
        candidate = own_id[: 64 - len(suffix)].rstrip("-") + suffix
        full = f"{parent_id}/{candidate}" if parent_id else candidate
        if plan.find(kind, full) is None:
            return candidate
    raise EditError("no free id found for the copy", code="edit.duplicate")


def duplicate(plan: Plan, kind: str, entity_id: str, schemas: SchemaSet | None = None,
              new_own_id: str | None = None) -> str:
    """Copy an entity under a new id (``x-copy`` unless given); returns the new full id."""
    schemas = schemas or load_schemas()
    entity = plan.get(kind, entity_id)
    if entity.kind.singleton:
        raise EditError(f"the plan has exactly one {entity.kind.title}; it cannot be copied", code="usage.kind")
    own = new_own_id or fresh_copy_id(plan, kind, entity.own_id, entity.parent_id)
    full = f"{entity.parent_id}/{own}" if entity.parent_id else own
    fields = {key: copy.deepcopy(v) for key, v in entity.data.items() if key != "id"}
    stage_change(plan, add_entity(plan, kind, full, fields, schemas=schemas))
    return full


def rename(plan: Plan, kind: str, entity_id: str, new_own_id: str, schemas: SchemaSet | None = None) -> RenameReport:
    """Change an entity's id; every reference to it follows."""
    schemas = schemas or load_schemas()
    entity = plan.get(kind, entity_id)
    users = referrers(plan, entity, schemas)
    changes = rename_entity(plan, kind, entity_id, new_own_id, schemas)
    for change in changes:
        stage_change(plan, change)
    full = f"{entity.parent_id}/{new_own_id}" if entity.parent_id else new_own_id
    return RenameReport(full, len(users), sorted({c.file for c in changes}))


def find_referrers(plan: Plan, kind: str, entity_id: str, schemas: SchemaSet | None = None) -> list[Referrer]:
    """What refers to an entity (what a deletion would leave pointing nowhere)."""
    return referrers(plan, plan.get(kind, entity_id), schemas or load_schemas())


def delete(plan: Plan, kind: str, entity_id: str, schemas: SchemaSet | None = None) -> DeleteReport:
    """Remove an entity; the report names the references left pointing nowhere."""
    entity = plan.get(kind, entity_id)
    if entity.kind.singleton:
        raise EditError(f"the {entity.kind.title} cannot be deleted; edit its fields instead", code="usage.kind")
    users = find_referrers(plan, kind, entity_id, schemas)
    stage_change(plan, remove_entity(plan, kind, entity_id))
    return DeleteReport(entity_id, users)


def reorder(plan: Plan, kind: str, ids: list[str]) -> None:
    """Put sibling entities (a goal's key results, the scoring rules) in the order ``ids``."""
    stage_change(plan, reorder_entities(plan, kind, ids))


def move_by_days(plan: Plan, kind: str, entity_id: str, field_name: str, days: int,
                 schemas: SchemaSet | None = None) -> dt.date:
    """Move a date field by ``days`` (negative: earlier); returns the new date."""
    entity = plan.get(kind, entity_id)
    day = as_date(entity.data.get(field_name))
    if day is None:
        raise EditError(f"{kind} {entity_id} has no {field_name} to move", code="edit.no-date")
    try:
        new_day = day + dt.timedelta(days=days)
    except OverflowError:
        raise EditError(f"{field_name} cannot move {days} days from {day.isoformat()}", code="edit.range") from None
    set_fields(plan, kind, entity_id, {(field_name,): new_day}, schemas)
    return new_day
