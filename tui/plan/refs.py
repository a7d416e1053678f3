"""References between entities: who refers to what, and renaming an id everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from .model import Entity, Plan
from .problems import PlanError
from .layout import entity_file, is_entity_file, new_file, schema_of
from .schema import SchemaSet, load_schemas
from .slug import ID_RULE, is_slug


def iter_references(plan: Plan, schemas: SchemaSet) -> Iterator[tuple[str, tuple, str, object]]:
    """(file, path, target kind, value) for every reference in the plan's data."""
    out: list = []
    walk_file, _walk_at = _walker(schemas, out.append)
    for name, tf in plan.files.items():  # entity files of a split kind too (see layout)
        walk_file(name, tf.data)
    return iter(out)


def entity_references(schemas: SchemaSet, entity: Entity, data: dict | None = None) -> list[tuple[str, tuple, str, object]]:
    """(file, path, target kind, value) for every reference in one entity, as its data is or
    as ``data`` would make it (a form's values), found by the walk ``iter_references`` does
    for the whole plan: only this entity's data is read."""
    out: list = []
    _walk_file, walk_at = _walker(schemas, out.append)
    walk_at(entity.file, entity.path, entity.data if data is None else data)
    return out


def _walker(schemas: SchemaSet, add):
    """The schema-guided walk that finds references, ``add``-ing each: (walk of a whole
    file, walk of data standing at a path in a file)."""
    memo: dict = {}

    def child(node, base, key):
        cache_key = (id(node), key)
        hit = memo.get(cache_key)
        if hit is None:
            if key == "items":
                raw = node.get("items")
            else:
                raw = node.get("properties", {}).get(key)
                if raw is None and isinstance(node.get("additionalProperties"), dict):
                    raw = node["additionalProperties"]
            if raw is None:
                hit = (None, None, None)
            else:
                target = schemas.ref_target(raw, base)
                resolved, rbase = schemas.resolve(raw, base)
                hit = (target, resolved, rbase)
            memo[cache_key] = hit
            memo[("keep", id(node), key)] = node  # keep node alive so its id stays unique
        return hit

    # Which schema nodes can have a reference at or below them: most of a plan's data
    # (names, numbers, dates, notes) cannot, and is not walked at all.
    reach: dict = {}

    def may_refer(node, base) -> bool:
        key = id(node)
        found = reach.get(key)
        if found is None:
            reach[key] = True  # a schema that refers to itself: assume it may
            memo[("keep", key)] = node
            found = False
            if isinstance(node, dict):
                entries = [child(node, base, k) for k in node.get("properties", {})]
                if isinstance(node.get("additionalProperties"), dict):
                    entries.append(child(node, base, _OTHER))
                if node.get("items") is not None:
                    entries.append(child(node, base, "items"))
                found = any(t or (sub is not None and may_refer(sub, sb)) for t, sub, sb in entries)
            else:
                found = True  # not a schema this walk understands: look inside
            reach[key] = found
        return found

    compiled: dict = {}

    def table(node, base):
        """(key -> (target, schema, base, worth a look), the entry of any other key)."""
        c = compiled.get(id(node))
        if c is None:
            def entry(hit):
                t, sub, sb = hit
                if sub is None:
                    return None
                return t, sub, sb, bool(t) or may_refer(sub, sb)

            props = {k: entry(child(node, base, k)) for k in node.get("properties", {})}
            extra = entry(child(node, base, _OTHER)) if isinstance(node.get("additionalProperties"), dict) else None
            c = compiled[id(node)] = (props, extra)
            memo[("keep", id(node), "table")] = node
        return c

    def emit(target, value, path, file):
        kind, is_list = target
        if is_list and isinstance(value, list):
            for i, v in enumerate(value):
                add((file, path + (i,), kind, v))
        elif not is_list:
            add((file, path, kind, value))

    def walk(node, base, data, path, file):
        if isinstance(data, dict):
            if not isinstance(node, dict):
                return
            props, extra = table(node, base)
            for k, v in data.items():
                e = props[k] if k in props else extra
                if e is None or not e[3]:
                    continue
                target, sub, sbase, _ = e
                if target:
                    emit(target, v, path + (k,), file)
                elif isinstance(v, (dict, list)):
                    walk(sub, sbase, v, path + (k,), file)
        elif isinstance(data, list):
            target, sub, sbase = child(node, base, "items")
            if sub is None:
                return
            if target:
                for i, v in enumerate(data):
                    emit(target, v, path + (i,), file)
            elif may_refer(sub, sbase):
                for i, v in enumerate(data):
                    if isinstance(v, (dict, list)):
                        walk(sub, sbase, v, path + (i,), file)

    def walk_file(name: str, data) -> None:
        schema_name = schema_of(name)
        root, base = schemas.resolve(schemas.schemas[schema_name], schema_name)
        walk(root, base, data, (), name)

    def walk_at(name: str, path: tuple, data) -> None:
        """The walk of ``data`` as if it stood at ``path`` in file ``name``."""
        schema_name = schema_of(name)
        node, base = schemas.resolve(schemas.schemas[schema_name], schema_name)
        for step in path:  # down the schema the way the data goes
            if not isinstance(node, dict):
                return
            if isinstance(step, int):
                target, node, base = child(node, base, "items")
            else:
                props, extra = table(node, base)
                entry = props[step] if step in props else extra
                target, node, base = entry[:3] if entry is not None else (None, None, None)
            if node is None:
                return
            if target:  # the entity itself is a reference (never, for a table)
                return
        walk(node, base, data, tuple(path), name)

    return walk_file, walk_at


_OTHER = object()  # a key no schema names: what additionalProperties says


@dataclass
class Referrer:
    entity: Entity  # the entity holding the reference
    file: str
    path: tuple  # full data path of the reference in its file
    field: str  # dotted path inside the referring entity


def _owners(plan: Plan) -> dict[tuple, Entity]:
    return {(e.file, e.path): e for entities in plan.entities.values() for e in entities}


def _owner(owners: dict[tuple, Entity], file: str, path: tuple) -> tuple[Entity | None, tuple]:
    """The innermost entity holding ``path`` (a key result rather than its goal)."""
    for n in range(len(path), 0, -1):
        e = owners.get((file, path[:n]))
        if e is not None:
            return e, path[n:]
    return None, path


def referrers(plan: Plan, target: Entity, schemas: SchemaSet | None = None) -> list[Referrer]:
    """Every place in the plan that names ``target`` by id."""
    schemas = schemas or load_schemas()
    if not target.kind.referable:
        return []  # the schemas hold no reference to this kind
    out = []
    owners = _owners(plan)
    for file, path, kind, value in iter_references(plan, schemas):
        if kind == target.kind.name and value == target.id:
            owner, rest = _owner(owners, file, path)
            if owner is not None and owner is not target:
                out.append(Referrer(owner, file, path, ".".join(str(p) for p in rest)))
    return out


def rename_entity(plan: Plan, kind: str, old_id: str, new_id: str, schemas: SchemaSet | None = None) -> list:
    """Changes (one per file) that rename an entity and every reference to it."""
    from .edit import Change, EditError, set_field, set_values, stage_change

    schemas = schemas or load_schemas()
    entity = plan.get(kind, old_id)
    if entity.kind.singleton:
        raise EditError(f"[{kind}] has no id", code="usage.kind")
    if plan.unreadable:
        names = ", ".join(sorted(plan.unreadable))
        raise EditError(f"cannot rename while {names} cannot be read: references to {old_id!r} in it would be "
                        "left behind. Fix that file first", code="edit.unreadable")
    own_new = new_id.rsplit("/", 1)[-1]
    if not is_slug(own_new):
        raise EditError(f"{own_new!r} is not a valid id: use {ID_RULE}",
                        code="usage.id")
    full_new = f"{entity.parent_id}/{own_new}" if entity.parent_id else own_new
    if full_new == entity.id:
        return []
    if plan.find(kind, full_new) is not None:
        raise EditError(f"a {entity.kind.title.lower()} with id {full_new!r} already exists", code="edit.duplicate")
    users = referrers(plan, entity, schemas)
    originals = dict(plan.files)
    touched: list[str] = []
    by_file: dict[str, list] = {}
    for r in users:
        by_file.setdefault(r.file, []).append((r.path, own_new))
    try:
        for file, edits in by_file.items():  # one splice per file, however many references
            stage_change(plan, set_values(plan, file, edits, f"{kind} {old_id} renamed to {full_new}"))
            touched.append(file)
        change = set_field(plan, kind, entity.id, ("id",), own_new, schemas=schemas, force=True, allow_id=True)
        stage_change(plan, change)
        touched.append(change.file)
    except PlanError:
        plan.files.update(originals)
        from .model import collect_entities

        plan.entities = collect_entities(plan.files)
        raise
    changes = []
    for file in dict.fromkeys(touched):
        tf = plan.files[file]
        summary = f"{kind} {old_id} renamed to {full_new}"
        if file == entity.file and is_entity_file(file) and entity.kind.parent is None:
            # kept as one file per entity: the file is named after the id, so it moves
            # (the new file is written before the old one is removed)
            new_name = entity_file(entity.kind.file, own_new)
            target = plan.files.get(new_name)
            if target is not None and target.text != "":
                plan.files.update(originals)
                from .model import collect_entities

                plan.entities = collect_entities(plan.files)
                raise EditError(f"{new_name} exists already and holds something else; rename or remove it first",
                                file=new_name, code="edit.duplicate")
            changes.append(Change(new_name, target or new_file(plan.root, new_name), tf.text, tf.data, summary))
            changes.append(Change(file, originals[file], "", {}, summary))
            continue
        changes.append(Change(file, originals[file], tf.text, tf.data, summary))
    # the plan in memory keeps the edits; the caller applies the changes to disk
    plan.files.update(originals)
    from .model import collect_entities

    plan.entities = collect_entities(plan.files)
    return changes
