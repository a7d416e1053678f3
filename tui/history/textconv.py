"""A plan file as text for git's line diff: one block per entity, one line per field.

``git diff``, ``git log -p`` and ``git show`` run this on both versions of a plan file
(``diff.quarterdeck.textconv``) and diff the results line by line, so their output reads
entity by entity: each entity starts with a header line ``KIND ID`` at the left margin
(git's hunk headers name it, through ``diff.quarterdeck.xfuncname``), then its fields
in schema order, one per line; list items one per line, sorted, so a changed list shows
``+ item`` / ``- item``; long text one sentence per line, so a reworded sentence is
one changed line.  Entities are sorted by id within their kind: moving an entity in the
file is not a change.  Comments and layout are left out (``git diff --no-textconv``
shows the raw text).  A file that is not a readable plan file is printed unchanged.
Control characters in the output are made visible (``\\x1b``): a diff is read in a
terminal, and plan text must never drive it.

This rendering is what ``quarterdeck git-setup --semantic`` plugs into git
(``diff.quarterdeck.textconv`` with ``cachetextconv``); by default git diffs the files'
real lines.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import re
from pathlib import Path

from tui.plan.document import TomlFile
from tui.plan.model import collect_entities
from tui.plan.problems import PlanError
from tui.plan.registry import KINDS, PLAN_FILES, kinds_in_file

from .semdiff import CHILD_KEYS

# A header line of the rendering (for git's hunk headers).
XFUNCNAME = r"^[a-z_]+ [^ ].*$"
_SENTENCE = re.compile(r"(?<=[.!?;:])\s+(?=\S)")
_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")


def _schema_dir() -> Path:
    """Where the schemas are (as tui.plan.schema finds them, without importing a validator:
    git starts this once per file version, so it starts lean)."""
    here = Path(__file__).resolve().parent.parent
    packaged = here / "schemas"
    return packaged if packaged.is_dir() else here.parent / "schemas"


@functools.lru_cache(maxsize=None)
def _order(kind_name: str) -> tuple[str, ...]:
    """Field order of a kind, read from its schema's JSON (no validator needed)."""
    try:
        schema = json.loads((_schema_dir() / KINDS[kind_name].schema).read_text(encoding="utf-8"))
    except (OSError, ValueError, KeyError):
        return ()

    def resolve(node):
        for _ in range(16):
            ref = node.get("$ref") if isinstance(node, dict) else None
            if not (isinstance(ref, str) and ref.startswith("#/")):
                break
            target = schema
            for part in ref[2:].split("/"):
                target = target.get(part, {}) if isinstance(target, dict) else {}
            node = target
        return node if isinstance(node, dict) else {}

    chain: list[str] = []
    k = KINDS[kind_name]
    while True:
        chain[:0] = list(k.path)
        if not k.parent:
            break
        k = KINDS[k.parent]
    node = resolve(schema)
    for key in chain:
        node = resolve(node.get("properties", {}).get(key, {}))
        if node.get("type") == "array" or "items" in node:
            node = resolve(node.get("items", {}))
    return tuple(node.get("properties", {}))


def _scalar(value) -> str:
    if isinstance(value, str):
        return value if value == value.strip() and value and "\n" not in value else json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    return str(value)


def _key(key: str) -> str:
    return key if _BARE.match(key) else json.dumps(key, ensure_ascii=False)


def _long(text: str) -> bool:
    return "\n" in text or len(text) > 80


def _sentences(text: str) -> list[str]:
    out = []
    for para in re.split(r"\n\s*\n", text.strip()):
        words = " ".join(para.split())
        if words:
            out.extend(_SENTENCE.split(words))
            out.append("")
    return out[:-1] if out else []


def _lines(key: str, value, indent: str, out: list[str]) -> None:
    if isinstance(value, dict):
        out.append(f"{indent}{key}:")
        for k in value:
            _lines(_key(k), value[k], indent + "  ", out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        out.append(f"{indent}{key}:")
        for item in value:
            first = True
            for k in item:
                sub: list[str] = []
                _lines(_key(k), item[k], indent + "    ", sub)
                if first and sub:
                    sub[0] = f"{indent}  - " + sub[0][len(indent) + 4:]
                    first = False
                out.extend(sub)
    elif isinstance(value, list):
        out.append(f"{indent}{key}:")
        for item in sorted((_scalar(v) for v in value), key=str.casefold):
            out.append(f"{indent}  - {item}")
    elif isinstance(value, str) and _long(value):
        out.append(f"{indent}{key}: |")
        for sentence in _sentences(value):
            out.append(f"{indent}    {sentence}" if sentence else "")
    else:
        out.append(f"{indent}{key}: {_scalar(value)}")


def render_entity(kind_name: str, id: str, data: dict, order=None) -> list[str]:
    k = KINDS[kind_name]
    head = kind_name if k.singleton else f"{kind_name} {id}"
    label = data.get(k.label)
    if isinstance(label, str) and label and label != id and not _long(label) and not k.singleton:
        head += f"  ({label})"
    out = [head]
    skip = set(CHILD_KEYS.get(kind_name, ())) | {"id"}
    keys = [f for f in (order or []) if f in data and f not in skip]
    keys += [f for f in data if f not in keys and f not in skip]
    for key in keys:
        _lines(_key(key), data[key], "  ", out)
    return out


def render_file(name: str, data: dict) -> str:
    """The per-entity rendering of one plan file's data."""
    files = {name: _Stub(data)}
    entities = collect_entities(files)  # type: ignore[arg-type]
    blocks: list[str] = []
    for k in kinds_in_file(name):
        items = entities.get(k.name, [])
        if not items:
            continue
        order = _order(k.name)
        if k.parent and not KINDS[k.parent].singleton:
            continue  # rendered under their parents
        for e in sorted(items, key=lambda e: e.id):
            blocks.append("\n".join(render_entity(k.name, e.id, e.data, order)))
            for child in kinds_in_file(name):
                if child.parent == k.name and not k.singleton:
                    corder = _order(child.name)
                    kids = [c for c in entities.get(child.name, []) if c.parent_id == e.id]
                    for c in sorted(kids, key=lambda c: c.id):
                        blocks.append("\n".join(render_entity(child.name, c.id, c.data, corder)))
            if k.singleton:
                for child in kinds_in_file(name):
                    if child.parent == k.name:
                        corder = _order(child.name)
                        for c in sorted(entities.get(child.name, []), key=lambda c: c.id):
                            blocks.append("\n".join(render_entity(child.name, c.id, c.data, corder)))
    other: list[str] = []
    for key, value in data.items():
        k = next((k for k in kinds_in_file(name) if not k.parent and k.path[0] == key), None)
        fits = k is not None and (isinstance(value, dict) if k.singleton else
                                  isinstance(value, list) and all(isinstance(v, dict) for v in value))
        if not fits:  # not where the plan expects it: shown as it is, so nothing is hidden
            _lines(_key(key), value, "  ", other)
    if other:
        blocks.append("\n".join(["(outside the plan's tables)"] + other))
    return "\n\n".join(blocks) + "\n" if blocks else ""


class _Stub:
    def __init__(self, data):
        self.data = data


def guess_name(path: str, data: dict) -> str | None:
    """Which plan file this is: by its top-level tables, the file name breaking ties."""
    from tui.plan.layout import file_of_path

    split = file_of_path(path)  # accounts/<id>.toml: a file of the kind kept one file per entity
    if split is not None:
        return split
    base = Path(path).name
    scores = {}
    for name in PLAN_FILES:
        tops = {KINDS[k.parent].path[0] if k.parent and not KINDS[k.parent].singleton else k.path[0]
                for k in kinds_in_file(name) if k.path}
        hits = len(tops & set(data))
        if hits:
            scores[name] = hits + (0.5 if base.endswith(name) else 0)
    if not scores:
        return next((n for n in PLAN_FILES if base.endswith(n)), None)
    return max(scores, key=scores.get)


def textconv_bytes(raw: bytes, path: str = "") -> str:
    """The rendering of a plan file's bytes, safe for a terminal."""
    from tui.plan.safetext import visible

    return visible(_textconv(raw, path))


def _textconv(raw: bytes, path: str = "") -> str:
    try:
        tf = TomlFile.from_bytes(Path(path or "plan.toml"), raw, Path(path).name or "plan.toml")
    except PlanError:
        return raw.decode("utf-8", errors="replace")
    try:
        name = guess_name(path, tf.data)
        if name is None:
            return tf.text
        return render_file(name, tf.data)
    except Exception:  # noqa: BLE001 - git must always get text back; odd data shows as it is
        return tf.text


def textconv_file(path: str) -> str:
    try:
        raw = Path(path).read_bytes()
    except OSError:
        return ""
    return textconv_bytes(raw, path)
