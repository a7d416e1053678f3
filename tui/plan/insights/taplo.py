"""Editor support through taplo, the TOML language server and linter.

The plan files start with ``#:schema ../schemas/<file>.schema.json``, which taplo (and
editors built on it) follow to validate and complete the files.  taplo 0.9 resolves a
``$ref`` into another file only against an absolute ``$id``; the plan schemas refer to
``common.schema.json`` by a relative reference and have no ``$id``, so taplo cannot load
them.  ``bundle_schema`` makes a file schema self-contained (the common definitions
copied into its own ``$defs``, references rewritten to ``#/$defs/...``); schemas in that
form validate the same in Quarterdeck and in taplo.

``write_taplo_config`` writes ``.taplo.toml`` into a plan folder, mapping each plan
file to its schema (for files without a ``#:schema`` line; the line wins when both are
there).  taplo reads schema paths relative to the folder it runs in, so run
``taplo check`` from the plan folder.
"""

from __future__ import annotations

import copy
import json
import os
import re
from pathlib import Path

from ..registry import PLAN_FILES

COMMON = "common.schema.json"
CONFIG_NAME = ".taplo.toml"


def _refs(node):
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "$ref" and isinstance(v, str):
                yield v
            else:
                yield from _refs(v)
    elif isinstance(node, list):
        for v in node:
            yield from _refs(v)


def foreign_refs(schema: dict) -> list[str]:
    """References from ``schema`` into other files (which taplo cannot follow without an
    absolute ``$id``)."""
    return sorted({r for r in _refs(schema) if not r.startswith("#")})


def needs_bundling(schema_dir: Path) -> list[str]:
    """The plan schemas in ``schema_dir`` that taplo cannot load as they are."""
    out = []
    for name in sorted(set(PLAN_FILES.values())):
        path = Path(schema_dir) / name
        try:
            schema = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if foreign_refs(schema) and not re.match(r"^[a-z][a-z0-9+.-]*:", str(schema.get("$id", ""))):
            out.append(name)
    return out


def _rewrite(node, prefix: str):
    if isinstance(node, dict):
        return {k: (("#" + v[len(prefix):]) if k == "$ref" and isinstance(v, str) and v.startswith(prefix)
                    else _rewrite(v, prefix)) for k, v in node.items()}
    if isinstance(node, list):
        return [_rewrite(v, prefix) for v in node]
    return node


def bundle_schema(schema: dict, common: dict) -> dict:
    """``schema`` with the common definitions copied in and its references to
    ``common.schema.json#/$defs/X`` rewritten to ``#/$defs/X``."""
    out = _rewrite(copy.deepcopy(schema), COMMON + "#")
    defs = out.setdefault("$defs", {})
    for name, node in (common.get("$defs") or {}).items():
        if name in defs and defs[name] != node:
            raise ValueError(f"both the schema and {COMMON} define $defs/{name}; rename one")
        defs[name] = copy.deepcopy(node)
    left = foreign_refs(out)
    if left:
        raise ValueError(f"references into other files remain: {', '.join(left)}")
    return out


def write_bundled_schemas(src_dir: Path, dst_dir: Path) -> list[Path]:
    """Self-contained copies of the plan schemas (and common.schema.json, unchanged)."""
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    dst_dir.mkdir(parents=True, exist_ok=True)
    common = json.loads((src_dir / COMMON).read_text(encoding="utf-8"))
    written = []
    for name in sorted({COMMON, *PLAN_FILES.values()}):
        schema = json.loads((src_dir / name).read_text(encoding="utf-8"))
        if name != COMMON:
            schema = bundle_schema(schema, common)
        path = dst_dir / name
        path.write_text(json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written


BUNDLED = "bundled"  # self-contained copies of the schemas, for editors (taplo)


def _default_schema_dir(plan_dir: Path) -> Path:
    beside = plan_dir.parent / "schemas" / BUNDLED
    if (beside / COMMON).is_file():
        return beside  # the repository layout: plans/ next to schemas/
    from ..schema import schema_dir

    return schema_dir() / BUNDLED


def taplo_config_text(plan_dir: Path, schema_dir: Path | None = None) -> str:
    plan_dir = Path(plan_dir)
    schema_dir = Path(schema_dir) if schema_dir is not None else _default_schema_dir(plan_dir)
    try:
        rel = os.path.relpath(schema_dir.resolve(), plan_dir.resolve())
    except ValueError:  # another drive on Windows
        rel = str(schema_dir.resolve())
    rel = rel.replace(os.sep, "/")
    lines = [
        "# taplo settings for this Quarterdeck plan: editors that use taplo (the TOML language",
        "# server) validate and complete the plan files with Quarterdeck's schemas.",
        "# Schema paths are relative to this folder: run `taplo check` from here.",
        "# A `#:schema` line at the top of a file takes precedence over these rules.",
        "",
        "include = [" + ", ".join(json.dumps(name) for name in [*PLAN_FILES, *_split_globs()]) + "]",
        "",
        "[formatting]",
        "# keep arrays as they are written (one per line stays one per line)",
        "array_auto_expand = false",
        "array_auto_collapse = false",
        "reorder_keys = false",
    ]
    for name, schema in PLAN_FILES.items():
        names = [name, *_split_globs(name)]  # a kind kept one file per entity: accounts/*.toml too
        lines += ["", "[[rule]]", f"include = [{', '.join(json.dumps(n) for n in names)}]", "", "[rule.schema]",
                  f"path = {json.dumps(rel + '/' + schema)}"]
    return "\n".join(lines) + "\n"


def _split_globs(file: str | None = None) -> list[str]:
    """``accounts/*.toml`` for each kind that may be kept one file per entity (or for ``file``)."""
    from ..layout import folder_of, split_kinds

    return [f"{folder_of(name)}/*.toml" for name in split_kinds() if file is None or name == file]


def write_taplo_config(plan_dir: Path, schema_dir: Path | None = None) -> Path:
    """Write ``.taplo.toml`` into ``plan_dir`` (atomically); return its path."""
    from ..save import atomic_write

    path = Path(plan_dir) / CONFIG_NAME
    atomic_write(path, taplo_config_text(Path(plan_dir), schema_dir).encode("utf-8"))
    return path
