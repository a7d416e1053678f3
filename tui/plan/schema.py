"""The plan's JSON Schemas: loading them safely and walking them.

Schemas are read from the package (``tui/schemas`` in an installed wheel) or from the
repository's ``schemas/`` folder, checked with ``check_schema``, and bound into one
``referencing`` registry that has no way to retrieve anything: a ``$ref`` to an http(s)
or ``file:`` URI is reported as unresolvable and nothing is fetched or read.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .problems import PlanError

if TYPE_CHECKING:  # jsonschema and referencing are imported when first needed (~0.2 s)
    import jsonschema
    import referencing
    from jsonschema import Draft202012Validator
from .registry import PLAN_FILES, REFERENCE_DEFS


class SchemaLoadError(PlanError):
    exit_code = 2


def schema_dir() -> Path:
    here = Path(__file__).resolve().parent.parent
    packaged = here / "schemas"
    if packaged.is_dir():
        return packaged
    return here.parent / "schemas"


@dataclass
class SchemaSet:
    folder: Path
    schemas: dict[str, dict]  # file name -> schema

    @functools.cached_property
    def registry(self) -> "referencing.Registry":
        """The schemas bound into one registry (made when a validator first needs it)."""
        import referencing
        import referencing.jsonschema

        resources = [
            (name, referencing.Resource.from_contents(s, default_specification=referencing.jsonschema.DRAFT202012))
            for name, s in self.schemas.items()
        ]
        # No `retrieve` function: unknown URIs (http, https, file, ...) cannot be loaded.
        return referencing.Registry().with_resources(resources)

    def validator(self, schema_name: str) -> "Draft202012Validator":
        return _validator(self, schema_name)

    def resolve(self, node: dict, base: str) -> tuple[dict, str]:
        """Follow ``$ref`` chains; return the target node and the document it is in.

        Keywords beside a ``$ref`` (title, description) win over the target's."""
        for _ in range(32):
            if not (isinstance(node, dict) and "$ref" in node):
                break
            ref = node["$ref"]
            doc, _, pointer = ref.partition("#")
            doc = doc or base
            target = self.schemas.get(doc)
            try:
                for part in [p for p in pointer.split("/") if p]:
                    target = target[part.replace("~1", "/").replace("~0", "~")]
            except (KeyError, IndexError, TypeError):
                target = None
            if target is None:
                # Not one of the plan's own schemas: nothing is fetched.  The validator
                # reports the reference as unresolvable; walkers see an open schema.
                return {}, base
            node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
            base = doc
        return node, base

    def ref_target(self, node: dict, base: str) -> tuple[str, bool] | None:
        """If ``node`` is a reference field: (kind it names, is it a list)."""
        seen = 0
        while isinstance(node, dict) and "$ref" in node and seen < 32:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name in REFERENCE_DEFS:
                return REFERENCE_DEFS[name], name.endswith("s")
            node, base = self.resolve({"$ref": node["$ref"]}, base)
            seen += 1
        return None

    def subschema(self, schema_name: str, path: tuple) -> tuple[dict, str]:
        """The schema node that describes the data at ``path`` of a file."""
        node, base = self.resolve(self.schemas[schema_name], schema_name)
        for part in path:
            if isinstance(part, int):
                node, base = self.resolve(node.get("items", {}), base)
            else:
                props = node.get("properties", {})
                if part in props:
                    node, base = self.resolve(props[part], base)
                else:
                    extra = node.get("additionalProperties")
                    node, base = self.resolve(extra if isinstance(extra, dict) else {}, base)
        return node, base


def _load_json(path: Path, checked: set[str] | None = None) -> dict:
    try:
        with open(path, "rb") as fh:
            raw = fh.read()
        data = json.loads(raw.decode("utf-8"))
    except json.JSONDecodeError as exc:
        raise SchemaLoadError(f"{path}:{exc.lineno}:{exc.colno}: broken schema (not JSON): {exc.msg}") from None
    except UnicodeDecodeError as exc:
        raise SchemaLoadError(f"{path}: broken schema (not JSON): not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise SchemaLoadError(f"{path}: cannot read schema: {exc.strerror}") from None
    digest = hashlib.sha256(raw).hexdigest()
    if checked is not None and digest in checked:
        return data  # these very bytes passed check_schema before (see _checked_schemas)
    import jsonschema
    from jsonschema import Draft202012Validator

    try:
        Draft202012Validator.check_schema(data)
    except jsonschema.SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path) or "(root)"
        raise SchemaLoadError(f"{path}: broken schema at {where}: {exc.message}") from None
    if checked is not None:
        checked.add(digest)
    return data


# Checking the schemas against the JSON Schema meta-schema took longer than checking a
# small plan.  The digests of schema files that passed are kept in the user's state
# folder, per version of the checker; a schema whose bytes differ is checked again.
def _checks_file() -> Path | None:
    from importlib.util import find_spec

    from .statedir import user_state_root

    spec = find_spec("jsonschema")
    origin = spec.origin if spec is not None else None
    if not origin:
        return None
    try:
        stamp = f"{os.path.realpath(origin)}:{os.stat(origin).st_mtime_ns}"
    except OSError:
        return None
    key = hashlib.sha256(stamp.encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return user_state_root() / f"schemas-checked-{key}.json"


def _checked_schemas(where: Path | None) -> set[str]:
    if where is None:
        return set()
    try:
        with open(where, encoding="utf-8") as fh:
            found = json.load(fh)
        return {d for d in found if isinstance(d, str)} if isinstance(found, list) else set()
    except (OSError, ValueError):
        return set()


def _remember_checked(where: Path | None, digests: set[str]) -> None:
    if where is None:
        return
    try:
        where.parent.mkdir(parents=True, exist_ok=True)
        temp = where.with_name(f".{where.name}.{os.getpid()}.tmp")
        temp.write_text(json.dumps(sorted(digests)), encoding="utf-8")
        os.replace(temp, where)
    except OSError:
        pass  # only a cache: the next run checks again


@functools.lru_cache(maxsize=8)
def _load(folder: str) -> SchemaSet:
    folder_path = Path(folder)
    names = sorted({"common.schema.json", *PLAN_FILES.values()})
    schemas = {}
    where = _checks_file()
    before = _checked_schemas(where)
    checked = set(before)
    for name in names:
        path = folder_path / name
        if not path.exists():
            raise SchemaLoadError(f"{path}: schema missing; reinstall Quarterdeck")
        schemas[name] = _load_json(path, checked)
    if checked != before:
        _remember_checked(where, checked)
    return SchemaSet(folder_path, schemas)


def load_schemas(folder: Path | None = None) -> SchemaSet:
    return _load(str((folder or schema_dir()).resolve()))


# Formats whose checks are our own, used by both validators so that they agree: the
# compiled gate must never call a value valid that jsonschema refuses.
def _own_formats() -> dict:
    from .values import strict_email

    return {"email": strict_email, "idn-email": strict_email}


@functools.lru_cache(maxsize=1)
def format_checker() -> "jsonschema.FormatChecker":
    """Draft 2020-12's format checks (with the extras installed for uri, hostname and
    date-time) and a strict email check in place of the default one, which accepts
    anything holding an ``@``."""
    import jsonschema
    from jsonschema import Draft202012Validator

    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = dict(Draft202012Validator.FORMAT_CHECKER.checkers)
    for name, func in _own_formats().items():
        checker.checks(name)(func)
    return checker


@functools.lru_cache(maxsize=32)
def _validator_cached(folder: str, schema_name: str) -> "Draft202012Validator":
    from jsonschema import Draft202012Validator

    s = _load(folder)
    return Draft202012Validator(
        inline_refs(s, s.schemas[schema_name], schema_name), registry=s.registry,
        format_checker=format_checker(),
    )


@functools.lru_cache(maxsize=32)
def _fast_cached(folder: str, schema_name: str):
    s = _load(folder)
    return compiled_validator(s, s.schemas[schema_name], schema_name)  # the plan's schemas are all draft 2020-12


def compiled_validator(s: SchemaSet, node: dict, base: str):
    """A compiled (jsonschema-rs) validator of the schema ``node`` of ``base``, references
    inlined, with the plan's format checks; None when there can be none (the library
    absent, a reference outside the plan's schemas, a schema it does not take)."""
    try:
        import jsonschema_rs
    except ImportError:
        return None
    inlined = inline_refs(s, node, base)
    if '"$ref"' in json.dumps(inlined):
        return None  # a reference outside the plan's schemas: only the careful path may see it
    try:
        return jsonschema_rs.Draft202012Validator(inlined, validate_formats=True, formats=_own_formats())
    except Exception:  # noqa: BLE001 - any trouble here just means "no fast path"
        return None


def is_valid_fast(s: SchemaSet, schema_name: str, instance) -> bool:
    """True when a compiled validator says ``instance`` is valid.  It is a gate, never
    a verdict of invalidity: False means "ask the Python validator", which explains
    every error.  On a plan with 10,000 accounts the gate takes about 15 ms where the
    full walk takes seconds."""
    validator = _fast_cached(str(s.folder), schema_name)
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(instance))
    except Exception:  # noqa: BLE001
        return False


def inline_refs(s: SchemaSet, node, base: str, depth: int = 0):
    """A copy of ``node`` with every reference to the plan's own schemas replaced by its
    target (keywords beside the ``$ref`` kept).  Validation then does no reference
    lookups, which made up most of its time on big plans.  References that do not
    resolve locally are left for the validator to report."""
    if isinstance(node, list):
        return [inline_refs(s, item, base, depth) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node and depth < 32:
        ref = node["$ref"]
        doc, _, pointer = ref.partition("#")
        target = s.schemas.get(doc or base)
        try:
            for part in [p for p in pointer.split("/") if p]:
                target = target[part.replace("~1", "/").replace("~0", "~")]
        except (KeyError, IndexError, TypeError):
            target = None
        if isinstance(target, dict) and not (set(target) & (set(node) - {"$ref", "title", "description"})):
            merged = {**inline_refs(s, target, doc or base, depth + 1),
                      **{k: v for k, v in node.items() if k != "$ref"}}
            return {k: inline_refs(s, v, doc or base, depth + 1) if k not in ("title", "description") else v
                    for k, v in merged.items()}
    return {k: (inline_refs(s, v, base, depth) if k not in ("enum", "const", "default", "examples") else v)
            for k, v in node.items()}


def _validator(s: SchemaSet, schema_name: str) -> "Draft202012Validator":
    return _validator_cached(str(s.folder), schema_name)


def description(s: SchemaSet, schema_name: str, path: tuple) -> str:
    node, _ = s.subschema(schema_name, path)
    return node.get("description", "") if isinstance(node, dict) else ""
