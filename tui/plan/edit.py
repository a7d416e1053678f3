"""Surgical edits: change one entity's text and nothing else.

The data is never re-serialised as a whole.  An edit works on the lines of the one
entity it touches: a changed value replaces just the value's characters (the key, its
spacing and any trailing comment stay); a new key is one new line placed after its
schema-order sibling; a new entity is a new block after the last of its kind; a removed
entity's lines go.  Values are rendered by tomlkit.  The edited text is then parsed
again and must give exactly the intended data before anything is written; saving is
atomic and refuses a file that changed on disk since it was read.
"""

from __future__ import annotations

import copy
import datetime as _dt
import math
import os
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

import tomlkit

from . import layout
from .document import TomlFile, parse_toml
from .locking import locked
from .model import Entity, Plan, refresh_entities
from .problems import FileChangedError, PlanError
from .registry import KINDS, Kind, entity_schema_path, full_path
from .save import atomic_write, current_digest, remove_file
from .schema import SchemaSet, load_schemas
from .schema_errors import entity_errors
from .tomlindex import is_blank_or_comment, value_span

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")


class EditError(PlanError):
    """An edit that cannot be made; nothing was written."""


@dataclass
class Change:
    """A pending edit of one file: the new text and the data it must parse to."""

    file: str
    before: TomlFile
    text: str
    data: dict
    summary: str
    table: tuple | None = None  # (key, start, stop) when only that top-level table's text changed

    @property
    def changed(self) -> bool:
        return self.text != self.before.text


# -- rendering values ---------------------------------------------------------------


# Characters a terminal acts on (C1 controls, DEL) or that reorder text (bidi
# controls): never written raw into a plan file, always as a \uXXXX escape (tomlkit
# escapes C0 controls and DEL itself; the rest it writes as they are).
_RAW_CONTROL = re.compile("[\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def escape_raw_controls(text: str) -> str:
    """The text of a TOML basic string (or JSON) with C1, DEL and bidi controls as
    ``\\uXXXX`` escapes."""
    return _RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04X}", text)


def _basic_string(value: str, multiline: bool = False) -> str:
    """A TOML basic string for ``value`` with no raw terminal or bidi control in it."""
    return escape_raw_controls(tomlkit.string(value, multiline=multiline).as_string())


def render_key(key: str) -> str:
    return key if _BARE_KEY.match(key) else _basic_string(key)


def render_value(value) -> str:
    """One TOML value (inline form) for ``value``."""
    if isinstance(value, str):
        if "\n" in value:
            text = _basic_string(value, multiline=True)
            try:
                if tomllib.loads(f"v = {text}")["v"] == value:
                    return text
            except tomllib.TOMLDecodeError:
                pass
        return _basic_string(value)
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{render_key(k)} = {render_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render_value(v) for v in value) + "]"
    if value is None:
        raise EditError("TOML has no empty value; remove the key instead")
    return tomlkit.item(value).as_string()


_MISSING = object()


def _render_keeping(tf: TomlFile, path: tuple, old, new) -> str:
    """Render ``new`` for the value at ``path`` (now ``old``): the parts that did not
    change keep their text exactly as written (an inline table's other keys, a list's
    other elements), so values the renderer would spell differently (``Z`` offsets,
    hex numbers, ``1e3``, literal strings) survive an edit beside them."""
    original = None
    if path in tf.index.keys and _header_index(tf, path) is None:
        try:
            start, end = _value_extent(tf, path)
            original = tf.text[start:end]
        except (EditError, KeyError, IndexError):
            original = None
    if original is not None and old is not _MISSING and same_data(old, new):
        return original
    if original is None or old is _MISSING:
        return render_value(new)
    if isinstance(new, dict) and isinstance(old, dict) and original.startswith("{"):
        if not new:
            return "{}"
        pad = " " if original.startswith("{ ") or original == "{}" else ""
        items = [f"{render_key(k)} = {_render_keeping(tf, path + (k,), old.get(k, _MISSING), v)}" for k, v in new.items()]
        return "{" + pad + ", ".join(items) + pad + "}"
    if isinstance(new, (list, tuple)) and isinstance(old, list) and original.startswith("["):
        items, at = [], 0
        for v in new:
            for k in range(at, len(old)):
                if same_data(old[k], v):
                    items.append(_render_keeping(tf, path + (k,), old[k], v))
                    at = k + 1
                    break
            else:
                items.append(render_value(v))
        if new and "\n" in original:
            m = re.search(r"\n([ \t]+)\S", original)
            indent = m.group(1) if m else "  "
            nl = tf.newline
            return f"[{nl}" + "".join(f"{indent}{item},{nl}" for item in items) + "]"
        return "[" + ", ".join(items) + "]"
    if isinstance(old, str) and isinstance(new, str) and original.startswith('"""'):
        spliced = _splice_text(original, new)
        if spliced is not None:
            return spliced
    return _render_like(original, new, tf)


def _splice_text(original: str, new: str) -> str | None:
    """A multi-line string ``original`` rewritten to hold ``new`` with only its changed
    lines replaced: the lines of the new rendering that equal lines of the old text
    keep the old text (the opening line among them), so a one-line change is a
    one-line diff.  None when the result would not read back as ``new``."""
    import difflib

    nl = "\r\n" if "\r\n" in original else "\n"
    rendered = render_value(new.replace("\r\n", "\n") if nl != "\n" else new)
    if not rendered.startswith('"""'):
        return None
    if nl != "\n":
        rendered = rendered.replace("\n", nl)
    if original.startswith('"""' + nl) and not rendered.startswith('"""' + nl):
        rendered = '"""' + nl + rendered[3:]  # a newline right after the opening quotes is not part of the value
    a, b = original.split("\n"), rendered.split("\n")
    out: list[str] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        out.extend(a[i1:i2] if tag == "equal" else b[j1:j2])
    text = "\n".join(out)
    try:
        if parse_toml(f"v = {text}")["v"] == new:
            return text
    except PlanError:
        pass
    return None


def _render_like(original: str, value, tf: TomlFile) -> str:
    """Render ``value`` in the layout of the value it replaces: a list written one
    element per line stays one element per line."""
    if isinstance(value, (list, tuple)) and value and original.startswith("[") and "\n" in original:
        m = re.search(r"\n([ \t]+)\S", original)
        indent = m.group(1) if m else "  "
        nl = tf.newline
        items = "".join(f"{indent}{render_value(v)},{nl}" for v in value)
        return f"[{nl}{items}]"
    return render_value(value)


def parse_value(literal: str):
    """A TOML literal from the command line (``3``, ``"text"``, ``2026-11-02``, ``["a","b"]``)."""
    try:
        return tomllib.loads(f"v = {literal}")["v"]
    except tomllib.TOMLDecodeError:
        pass
    raise EditError(
        f"{literal!r} is not a TOML value. Quote text (\"like this\", inside shell quotes: '\"like this\"'), "
        "write numbers as 3 or 2.5, dates as 2026-11-02, lists as [\"a\", \"b\"]",
        code="usage.value",
    )


# -- helpers ------------------------------------------------------------------------


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _nl_suffix(tf: TomlFile) -> str:
    return "\r" if tf.newline == "\r\n" else ""


def _get(data, path):
    for p in path:
        data = data[p]
    return data


def _header_index(tf: TomlFile, path: tuple) -> int | None:
    return tf.index.header_numbers.get(path)


def _is_blank(line: str) -> bool:
    return is_blank_or_comment(line) and not line.lstrip().startswith("#")


def _is_blank_or_comment(line: str) -> bool:
    return is_blank_or_comment(line)


def entity_span(tf: TomlFile, path: tuple) -> tuple[int, int]:
    """Lines [start, end) of the table at ``path`` with its sub-tables; trailing blank
    and comment lines (which introduce what follows) are left out."""
    headers = tf.index.headers
    i = _header_index(tf, path)
    lines = _lines(tf.text)
    if i is None:
        loc = tf.index.keys.get(path)
        if loc is None:
            raise EditError(f"cannot find {'.'.join(map(str, path))} in {tf.name}")
        return loc.line, loc.end_line + 1
    start = headers[i].line
    end = len(lines)
    for h in headers[i + 1:]:
        if h.path[: len(path)] != path:
            end = h.line
            break
    while end > start + 1 and _is_blank_or_comment(lines[end - 1]):
        end -= 1
    return start, end


def _section_end(tf: TomlFile, header_path: tuple) -> int:
    """Last line (exclusive) of the plain keys directly under a header (before any sub-table)."""
    headers = tf.index.headers
    i = _header_index(tf, header_path)
    lines = _lines(tf.text)
    end = headers[i + 1].line if i + 1 < len(headers) else len(lines)
    while end > headers[i].line + 1 and _is_blank_or_comment(lines[end - 1]):
        end -= 1
    return end


def _header_name(tf: TomlFile, path: tuple) -> str:
    """The key text written in the header of the table at ``path``: `goal.key_result`."""
    i = _header_index(tf, path)
    if i is not None:
        h = tf.index.headers[i]
        line = _lines(tf.text)[h.line]
        m = re.match(r"\s*\[\[?\s*(.*?)\s*\]\]?\s*(#.*)?\r?$", line)
        if m:
            return m.group(1)
    return ".".join(render_key(p) for p in path if not isinstance(p, int))


def _value_extent(tf: TomlFile, path: tuple) -> tuple[int, int]:
    """Character offsets [start, end) of the value at ``path`` (a key or an array element)."""
    span = value_span(tf.index, tf.text, path)
    if span is None:
        raise EditError(f"cannot find the value of {'.'.join(map(str, path))} in {tf.name}")
    return span


def order_keys(schemas: SchemaSet, kind: Kind, rel: tuple, keys) -> list[str]:
    node, _ = schemas.subschema(kind.schema, entity_schema_path(kind) + rel)
    order = list(node.get("properties", {})) if isinstance(node, dict) else []
    known = [k for k in order if k in keys]
    return known + [k for k in keys if k not in order]


def _cut_lines(lines: list[str], start: int, end: int) -> list[str]:
    """``lines`` without ``start:end`` and one blank line beside them (the one after, or
    else the one before), so the tables around keep one blank line between them."""
    if end < len(lines) and _is_blank(lines[end]) and end + 1 < len(lines):
        end += 1
    elif start > 0 and _is_blank(lines[start - 1]):
        start -= 1
    del lines[start:end]
    return lines


def _copy_along(data: dict, path: tuple) -> dict:
    """A copy of ``data`` that may be changed at and below ``path``: the containers on
    the way are copied shallowly and the node at ``path`` deeply, the rest is shared
    (a deep copy of a big file took longer than the edit itself)."""
    root = dict(data)
    node = root
    for i, part in enumerate(path):
        child = node[part]
        last = i == len(path) - 1
        if last:
            child = copy.deepcopy(child)
        elif isinstance(child, dict):
            child = dict(child)
        elif isinstance(child, list):
            child = list(child)
        node[part] = child
        node = child
    return root


def _verify(tf: TomlFile, text: str, expected: dict) -> dict:
    try:
        data = parse_toml(text, tf.name)
    except PlanError as exc:
        raise EditError(f"the edit would make {tf.name} invalid TOML ({exc.message}); nothing was saved",
                        file=tf.name, code="edit.verify") from None
    if data != expected and not same_data(data, expected) and not same_data(_normal(data), _normal(expected)):
        raise EditError(f"the edit would change more of {tf.name} than intended; nothing was saved. "
                        "Make this change in a text editor", file=tf.name, code="edit.verify")
    return data


def same_data(a, b) -> bool:
    """``a == b`` for TOML data, where ``nan`` equals ``nan`` (a file holding one must
    still compare equal to itself) and datetimes must agree on their UTC offset too."""
    if a is b:
        return True
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(same_data(v, b[k]) for k, v in a.items())
    if isinstance(a, list):
        return len(a) == len(b) and all(same_data(x, y) for x, y in zip(a, b))
    if isinstance(a, float):
        return a == b or (math.isnan(a) and math.isnan(b))
    if isinstance(a, _dt.datetime):
        return a == b and a.utcoffset() == b.utcoffset()
    return a == b


def _normal(value):
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items() if v != []}
    if isinstance(value, list):
        return [_normal(v) for v in value]
    return value


# -- set -------------------------------------------------------------------------------


def split_field(field: str) -> tuple:
    parts = []
    for part in field.split("."):
        if not part:
            raise EditError(f"bad field path {field!r}", code="usage.field")
        parts.append(int(part) if part.isdigit() or (part[:1] == "-" and part[1:].isdigit()) else part)
    return tuple(parts)


def check_field_path(data, rel: tuple, *, appending: bool = False, what: str = "the entity") -> None:
    """Raise a clear EditError when ``rel`` cannot address a value inside ``data``: an
    index out of range or negative (naming the valid range), a number used on a table,
    a name used on a list.  Keys that do not exist yet are fine (a set adds them); with
    ``appending``, the index one past the end of a list is too (it adds an element)."""
    node = data
    for n, part in enumerate(rel):
        shown = ".".join(map(str, rel[: n + 1]))
        parent = ".".join(map(str, rel[:n])) or what
        if isinstance(part, int):
            if not isinstance(node, list):
                if node is None:
                    raise EditError(f"`{parent}` does not exist, so `{shown}` names no entry of it; set the whole "
                                    f"list instead (`{parent} = [...]`)", code="usage.field")
                raise EditError(f"`{parent}` is not a list, so `{shown}` names nothing; a number in a field path "
                                "picks an entry of a list", code="usage.field")
            size = len(node)
            last = n == len(rel) - 1
            top = size if appending and last else size - 1
            if part < 0 or part > top:
                if top < 0:
                    valid = "it has no entries"
                elif top == 0:
                    valid = "the only index is 0" + (" (to add the first entry)" if size == 0 else "")
                else:
                    valid = f"use an index from 0 to {top}"
                    if appending and last:
                        valid += f" ({size} adds an entry at the end)"
                count = f"{size} entr{'y' if size == 1 else 'ies'}"
                sign = "; indices count from 0 and are never negative" if part < 0 else ""
                raise EditError(f"`{shown}` is out of range: `{parent}` has {count}, {valid}{sign}",
                                code="usage.field")
            node = node[part] if part < size else None
        else:
            if isinstance(node, list):
                raise EditError(f"`{parent}` is a list: address its entries by number, e.g. `{parent}.0"
                                + (f".{'.'.join(map(str, rel[n + 1:]))}`" if rel[n + 1:] else "`")
                                + f" (it has {len(node)})", code="usage.field")
            if node is None:
                return
            if not isinstance(node, dict):
                raise EditError(f"`{parent}` holds {render_value(node) if not isinstance(node, dict) else node}, "
                                f"which is not a table, so `{shown}` cannot be set inside it; set `{parent}` "
                                "as a whole instead", code="usage.field")
            node = node.get(part)


def field_value(entity: Entity, field: str | tuple):
    """The value at the dotted ``field`` of an entity; a clear EditError when there is none."""
    rel = split_field(field) if isinstance(field, str) else tuple(field)
    check_field_path(entity.data, rel, what=f"{entity.kind.name} {entity.id}")
    value = entity.data
    for part in rel:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            raise EditError(f"{entity.kind.name} {entity.id} has no field {'.'.join(map(str, rel))!r}",
                            code="usage.field") from None
    return value


def set_field(plan: Plan, kind: str, id: str, field: str | tuple, value, *, schemas: SchemaSet | None = None,
              force: bool = False, allow_id: bool = False) -> Change:
    """A Change that sets ``field`` of one entity to ``value``."""
    schemas = schemas or load_schemas()
    entity = plan.get(kind, id)
    rel = split_field(field) if isinstance(field, str) else tuple(field)
    if rel == ("id",) and not entity.kind.singleton and not allow_id:
        raise EditError("to change an id, rename the entity (references follow): quarterdeck rename", code="usage.field")
    check_field_path(entity.data, rel, appending=True, what=f"{entity.kind.name} {entity.id}")
    tf = plan.files[entity.file]
    expected = _copy_along(tf.data, entity.path)
    target = _get(expected, entity.path)
    _assign(target, rel, value)
    if not force:
        _check_schema(schemas, entity, expected, tf)
    windowed = _set_in_window(tf, entity, rel, value, schemas, expected)  # one table of a big file
    table = None
    if windowed is not None:
        text, data, table = windowed
    else:
        text = _splice_set(tf, entity, rel, value, schemas)
        data = _verify(tf, text, expected)
    return Change(entity.file, tf, text, data, f"{entity.kind.name} {entity.id}: {'.'.join(map(str, rel))} set",
                  table)


# -- an edit of one top-level table, without indexing or parsing the whole file ------------
# A `set` in a plan of 10,000 accounts indexed all of accounts.toml (seconds) and parsed it
# again to verify the result.  When the file was not indexed yet and its top-level tables
# can be told apart (tomlindex.PartialIndex), the splice works on the text of the entity's
# own table, and the verification parses that text alone: the rest of the file is the same
# text as before, and the new table may hold only headers of its own.  Anything unusual
# falls back to the whole-file path, so results and refusals are the same.


@dataclass
class _Window(TomlFile):
    """One top-level table of a file, as the splicing functions see a file."""

    whole: TomlFile | None = None

    @property
    def newline(self) -> str:  # the file's, not this table's
        return self.whole.newline


def _table_key(entity: Entity) -> tuple | None:
    path = entity.path
    if len(path) >= 2 and isinstance(path[1], int):
        return path[:2]
    return path[:1] if path else None


def _set_in_window(tf: TomlFile, entity: Entity, rel: tuple, value, schemas, expected) -> tuple[str, dict] | None:
    key = _table_key(entity)
    found = tf.top_level_table(key) if key is not None else None
    if found is None:
        return None
    start, stop, index = found
    window = _Window(path=tf.path, name=tf.name, raw=b"", text=tf.text[start:stop], data=tf.data, bom=tf.bom,
                     _index=index, whole=tf)
    try:
        piece = _splice_set(window, entity, rel, value, schemas)
    except (EditError, KeyError, IndexError, TypeError):
        return None  # the whole-file path says what is wrong
    if stop < len(tf.text) and not piece.endswith("\n"):
        return None  # the next table's header must stay on a line of its own
    text = tf.text[:start] + piece + tf.text[stop:]
    data = _verify_window(tf, key, piece, expected)
    return None if data is None else (text, data, (key, start, stop))


def _verify_window(tf: TomlFile, key: tuple, piece: str, expected: dict) -> dict | None:
    """The data of the file once its table ``key`` reads ``piece``, if that is what was
    expected (None: let the whole-file check decide, and word its refusal)."""
    name, array = key[0], len(key) == 2
    table = _window_table(tf, key, piece, _get(expected, key))
    if table is None:
        return None
    data = dict(tf.data)
    if array:
        items = list(data[name])
        items[key[1]] = table
        data[name] = items
    else:
        data[name] = table
    return data


def _window_table(tf: TomlFile, key: tuple, piece: str, want) -> dict | None:
    """The table ``piece`` (the new text of top-level table ``key``) parses to, if it
    holds only headers of its own, no multi-line string, and reads as ``want``; None
    otherwise (the whole-file way then decides, and words any refusal)."""
    from .tomlindex import HEADER_ALL, split_key

    name, array = key[0], len(key) == 2
    if '"""' in piece or "'''" in piece:
        return None
    heads = list(HEADER_ALL.finditer(piece))
    if not heads or heads[0].start() != 0 or (heads[0].group(1) == "[[") != array \
            or split_key(heads[0].group(2)) != (name,):
        return None
    for m in heads[1:]:
        parts = split_key(m.group(2))
        if len(parts) < 2 or parts[0] != name:
            return None
    try:
        parsed = parse_toml(piece, tf.name)
    except PlanError:
        return None
    if list(parsed) != [name]:
        return None
    table = parsed[name]
    if array:
        if not isinstance(table, list) or len(table) != 1:
            return None
        table = table[0]
    if table != want and not same_data(table, want) and not same_data(_normal(table), _normal(want)):
        return None
    return table


def _set_values_in_windows(tf: TomlFile, edits: list[tuple[tuple, object]], expected: dict,
                           summary: str) -> Change | None:
    """``set_values`` one top-level table at a time (see ``_set_in_window``): a rename
    with 600 references in a 10,000-account file indexed the whole file to find them.
    None when any table cannot be told apart: the whole-file way then runs."""
    groups: dict[tuple, list] = {}
    for path, value in edits:
        key = path[:2] if len(path) >= 3 and isinstance(path[1], int) else path[:1] if len(path) >= 2 else None
        if key is None:
            return None
        groups.setdefault(key, []).append((path, value))
    pieces = []
    for key, group in groups.items():
        found = tf.top_level_table(key)
        if found is None:
            return None
        start, stop, index = found
        window = _Window(path=tf.path, name=tf.name, raw=b"", text=tf.text[start:stop], data=tf.data, bom=tf.bom,
                         _index=index, whole=tf)
        extents = []
        for path, value in group:
            if path not in index.keys or index.header_numbers.get(path) is not None:
                return None
            span = value_span(index, window.text, path)
            if span is None:
                return None
            extents.append((span[0], span[1], render_value(value)))
        piece = _splice(window.text, extents)
        if stop < len(tf.text) and not piece.endswith("\n"):
            return None  # the next table's header must stay on a line of its own
        table = _window_table(tf, key, piece, _get(expected, key))
        if table is None:
            return None
        pieces.append((start, stop, piece))
    return Change(tf.name, tf, _splice(tf.text, pieces), expected, summary)


def set_values(plan: Plan, file: str, edits: list[tuple[tuple, object]], summary: str) -> Change:
    """One Change that replaces several existing values of one file (full data paths):
    a single splice and a single check, for edits such as renaming an id everywhere."""
    tf = plan.files[file]
    if not tf.indexed:  # (once the whole file is indexed, its index answers at once)
        expected = _expected_after(tf, edits)
        if expected is not None:
            change = _set_values_in_windows(tf, edits, expected, summary)
            if change is not None:
                return change
    for path, _ in edits:
        if path not in tf.index.keys or _header_index(tf, path) is not None:
            raise EditError(f"{file}: nothing to replace at {'.'.join(map(str, path))}", file=file, code="edit.unsupported")
    expected = _expected_after(tf, edits)
    if expected is None:
        raise EditError(f"{file}: nothing to replace at one of the {len(edits)} places", file=file,
                        code="edit.unsupported")
    text = _splice(tf.text, [(*_value_extent(tf, path), render_value(value)) for path, value in edits])
    data = _verify(tf, text, expected)
    return Change(file, tf, text, data, summary)


def _splice(text: str, replacements) -> str:
    """``text`` with each [start, end) of ``replacements`` ((start, end, new), not
    overlapping, in any order) replaced by its new text."""
    pieces, at = [], 0
    for start, end, new in sorted(replacements):
        pieces += [text[at:start], new]
        at = end
    pieces.append(text[at:])
    return "".join(pieces)


def open_along(root, path: tuple, copied: set):
    """The node at ``path`` in ``root``, a copy being made of a file's data: the containers
    on the way are copied shallowly, each once (``copied`` holds the ids of those that are
    copies already, ``root``'s among them); the rest stays shared."""
    node = root
    for part in path:
        child = node[part]
        if id(child) not in copied:
            child = dict(child) if isinstance(child, dict) else list(child)
            node[part] = child
            copied.add(id(child))
        node = child
    return node


def _expected_after(tf: TomlFile, edits) -> dict | None:
    """The file's data with ``edits`` made (containers on the way copied, each once)."""
    expected = dict(tf.data)
    fresh = {id(expected)}
    try:
        for path, value in edits:
            node = open_along(expected, path[:-1], fresh)
            if isinstance(node, dict) and path[-1] not in node:
                return None  # nothing to replace there: the whole-file way says so
            node[path[-1]] = value
    except (KeyError, IndexError, TypeError):
        return None
    return expected


def unset_field(plan: Plan, kind: str, id: str, field: str | tuple, *, schemas: SchemaSet | None = None,
                force: bool = False) -> Change:
    """A Change that removes one key of an entity."""
    schemas = schemas or load_schemas()
    entity = plan.get(kind, id)
    rel = split_field(field) if isinstance(field, str) else tuple(field)
    check_field_path(entity.data, rel, what=f"{entity.kind.name} {entity.id}")
    tf = plan.files[entity.file]
    full = entity.path + rel
    if full not in tf.index.keys or _header_index(tf, full) is not None:
        try:
            _get(tf.data, full)
        except (KeyError, IndexError, TypeError):
            raise EditError(f"{entity.kind.name} {entity.id} has no {'.'.join(map(str, rel))}", code="usage.field") from None
        if _header_index(tf, full) is None:
            return _replace_parent(plan, entity, rel, tf, schemas, force)
        raise EditError("that is a whole table; remove its keys one by one", code="usage.field")
    expected = _copy_along(tf.data, entity.path)
    parent = _get(expected, full[:-1])
    del parent[full[-1]]
    if not force:
        _check_schema(schemas, entity, expected, tf)
    loc = tf.index.keys[full]
    if isinstance(full[-1], int) or tf.index.keys.get(full[:-1]) and _header_index(tf, full[:-1]) is None and full[:-1] != entity.path:
        return _replace_parent(plan, entity, rel, tf, schemas, force)
    lines = _lines(tf.text)
    del lines[loc.line: loc.end_line + 1]
    text = "\n".join(lines)
    data = _verify(tf, text, expected)
    return Change(entity.file, tf, text, data, f"{entity.kind.name} {entity.id}: {'.'.join(map(str, rel))} removed")


def _replace_parent(plan, entity, rel, tf, schemas, force) -> Change:
    """Rewrite the inline value that holds ``rel`` (an array element or inline-table key)."""
    parent_rel = rel[:-1]
    value = copy.deepcopy(_get(tf.data, entity.path + parent_rel))
    del value[rel[-1]]
    return set_field(plan, entity.kind.name, entity.id, parent_rel, value, schemas=schemas, force=force)


def _assign(target: dict, rel: tuple, value) -> None:
    for part in rel[:-1]:
        if isinstance(target, list):
            target = target[part]
            continue
        if part not in target or not isinstance(target[part], (dict, list)):
            target[part] = {}
        target = target[part]
    if isinstance(target, list) and isinstance(rel[-1], int) and rel[-1] == len(target):
        target.append(value)
    else:
        target[rel[-1]] = value


def _probe(data: dict, path: tuple) -> tuple[dict, tuple]:
    """A small document shaped like the file that holds only the entity at ``path``
    (and its parents), so a check costs one entity, not the whole file."""
    top = path[0]
    value = data.get(top)
    if len(path) >= 2 and isinstance(path[1], int):
        return {top: [value[path[1]]]}, (top, 0) + path[2:]
    return {top: value}, path


def _check_schema(schemas: SchemaSet, entity: Entity, expected: dict, tf: TomlFile) -> None:
    from .values import value_findings

    try:
        before = _get(tf.data, entity.path)
    except (IndexError, KeyError, TypeError):
        before = None  # the entity is new
    name = (f"[{'.'.join(map(str, entity.path))}]" if entity.kind.singleton
            else f"{entity.kind.title.lower()} {entity.id!r}")
    new = entity_errors(schemas, entity.kind, _get(expected, entity.path), before, name=name)

    def findings(data):
        doc, path = _probe(data, entity.path)
        return {(code, message) for code, _, message in value_findings(schemas, entity.kind.schema, doc, path)}

    try:
        old_findings = findings(tf.data)
    except (IndexError, KeyError, TypeError):
        old_findings = set()
    bad_values = sorted(findings(expected) - old_findings)
    if bad_values:
        raise EditError("the schema rejects this value: " + "; ".join(m for _, m in bad_values)
                        + " (nothing saved; --force writes it anyway)", file=tf.name, code="edit.schema")
    if new:
        reasons = [m.message for m in new]
        raise EditError("the schema rejects this value: " + "; ".join(reasons) + " (nothing saved; --force writes it anyway)",
                        file=tf.name, code="edit.schema")


def _splice_set(tf: TomlFile, entity: Entity, rel: tuple, value, schemas: SchemaSet) -> str:
    full = entity.path + rel
    keys = tf.index.keys
    if full in keys and _header_index(tf, full) is None:
        start, end = _value_extent(tf, full)
        return tf.text[:start] + _render_keeping(tf, full, _get(tf.data, full), value) + tf.text[end:]
    if isinstance(value, list) and all(isinstance(v, dict) for v in value) and (
            _header_index(tf, full + (0,)) is not None or (value and full not in keys)):
        return _replace_table_array(tf, entity, full, value)
    # The key is new.  Find the nearest existing container along the path.
    for depth in range(len(rel) - 1, -1, -1):
        container = entity.path + rel[:depth]
        try:
            existing = _get(tf.data, container)
        except (KeyError, IndexError, TypeError):
            continue
        new_value = value
        for part in reversed(rel[depth + 1:]):
            new_value = {part: new_value}
        key = rel[depth]
        if _header_index(tf, container) is not None:
            return _insert_key(tf, entity, container, rel[:depth], key, new_value, schemas)
        if container in keys:  # an inline table or array: rewrite that one value
            merged = copy.deepcopy(existing)
            _assign(merged, rel[depth:], value)
            start, end = _value_extent(tf, container)
            return tf.text[:start] + _render_keeping(tf, container, existing, merged) + tf.text[end:]
        header_paths = {h.path for h in tf.index.headers}
        dotted = [loc for p, loc in keys.items()
                  if len(p) > len(container) and p[: len(container)] == container
                  and not any(p[:n] in header_paths for n in range(len(container) + 1, len(p) + 1))]
        if dotted and isinstance(existing, dict):
            # a table written as dotted keys (`custom.crm = "x"`): add one more dotted line
            return _insert_dotted(tf, entity, container, key, new_value, max(loc.end_line for loc in dotted))
        if isinstance(existing, dict) and isinstance(new_value, dict) and all(isinstance(v, dict) for v in existing.values()):
            # a table implied by its sub-tables' headers: add a sub-table of its own
            return _append_table(tf, entity, container, key, new_value)
        break
    raise EditError(f"cannot place {'.'.join(map(str, rel))} in {tf.name} without reformatting; edit it in a text editor",
                    file=tf.name, code="edit.unsupported")


def _replace_table_array(tf: TomlFile, entity: Entity, full: tuple, value: list) -> str:
    """Set an array of tables (`[[account.committee]]` blocks): elements that did not
    change keep their text, changed or new ones are written again, removed ones go."""
    lines = _lines(tf.text)
    nl = _nl_suffix(tf)
    try:
        old = _get(tf.data, full)
    except (KeyError, IndexError, TypeError):
        old = []
    spans = [entity_span(tf, full + (j,)) for j in range(len(old)) if _header_index(tf, full + (j,)) is not None]
    if spans:
        name = _header_name(tf, full + (0,))
        start, end = spans[0][0], spans[-1][1]
    else:
        name = ".".join([_header_name(tf, entity.path), *[render_key(p) for p in full[len(entity.path):]]])
        start = end = entity_span(tf, entity.path)[1]
    blocks: list[list[str]] = []
    for j, item in enumerate(value):
        if j < len(spans) and j < len(old) and old[j] == item:
            blocks.append([ln.removesuffix("\r") for ln in lines[spans[j][0]:spans[j][1]]])
        else:
            blocks.append(_table_block(name, item, array=True))
    new: list[str] = []
    for block in blocks:
        new += ([""] if new else []) + block
    if not spans and new:
        new = [""] + new
    if spans and not new and start > 0 and lines[start - 1].strip() == "":
        start -= 1  # the blank line that set the removed blocks off
    lines[start:end] = [ln + nl for ln in new]
    return "\n".join(lines)


def _insert_key(tf, entity, header_path, rel_prefix, key, value, schemas) -> str:
    lines = _lines(tf.text)
    nl = _nl_suffix(tf)
    node_order = order_keys(schemas, entity.kind, tuple(rel_prefix),
                            list(_get(tf.data, header_path).keys()) + [key])
    section_end = _section_end(tf, header_path)
    header_line = tf.index.keys[header_path].line
    siblings = {}
    for k in _get(tf.data, header_path):
        loc = tf.index.keys.get(header_path + (k,))
        if loc is not None and header_line < loc.line < section_end and _header_index(tf, header_path + (k,)) is None:
            siblings[k] = loc
    before = [k for k in node_order[: node_order.index(key)] if k in siblings]
    if before:
        after_line = max(siblings[k].end_line for k in before) + 1
    elif siblings:
        after_line = min(loc.line for loc in siblings.values())
    else:
        after_line = header_line + 1
    indent = ""
    if siblings:
        sample = lines[min(loc.line for loc in siblings.values())]
        indent = sample[: len(sample) - len(sample.lstrip(" \t"))]
    new = f"{indent}{render_key(key)} = {render_value(value)}".replace("\n", nl + "\n") + nl
    lines.insert(after_line, new)
    return "\n".join(lines)


def _insert_dotted(tf, entity, container, key, value, after_line) -> str:
    lines = _lines(tf.text)
    header = max((h for h in tf.index.headers if container[: len(h.path)] == h.path), key=lambda h: len(h.path),
                 default=None)
    base = header.path if header else ()
    prefix = ".".join(render_key(p) for p in container[len(base):])
    sample = lines[after_line]
    indent = sample[: len(sample) - len(sample.lstrip(" \t"))]
    lines.insert(after_line + 1, f"{indent}{prefix}.{render_key(key)} = {render_value(value)}" + _nl_suffix(tf))
    return "\n".join(lines)


def _append_table(tf, entity, container, key, value) -> str:
    lines = _lines(tf.text)
    end = entity_span(tf, entity.path)[1]
    base = _header_name(tf, entity.path)
    rest = [render_key(p) for p in container[len(entity.path):] if not isinstance(p, int)]
    block = _table_block(".".join([base, *rest, render_key(key)]), value, array=False)
    nl = _nl_suffix(tf)
    lines[end:end] = [""] + [ln + nl for ln in block]
    return "\n".join(lines)


# -- blocks for new entities ---------------------------------------------------------------


def _table_block(name: str, data: dict, array: bool) -> list[str]:
    """Lines of a table (and its sub-tables) named ``name``."""
    head = f"[[{name}]]" if array else f"[{name}]"
    plain, tables = [], []
    for k, v in data.items():
        if isinstance(v, dict) and k != "custom" and v and all(isinstance(x, dict) for x in v.values()):
            tables.append((k, v, False))
        elif isinstance(v, dict) and k != "custom" and v and any(isinstance(x, (dict, list)) for x in v.values()):
            tables.append((k, v, False))
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            tables.append((k, v, True))
        else:
            plain.append(f"{render_key(k)} = {render_value(v)}")
    out = [head, *plain]
    for k, v, is_array in tables:
        sub = f"{name}.{render_key(k)}"
        if is_array:
            for item in v:
                out += [""] + _table_block(sub, item, array=True)
        elif all(isinstance(x, dict) for x in v.values()):
            for k2, v2 in v.items():
                out += [""] + _table_block(f"{sub}.{render_key(k2)}", v2, array=False)
        else:
            out += [""] + _table_block(sub, v, array=False)
    return out


def _ordered(schemas: SchemaSet, kind: Kind, data: dict, rel: tuple = ()) -> dict:
    out = {}
    for k in order_keys(schemas, kind, rel, list(data)):
        v = data[k]
        if isinstance(v, dict) and k != "custom":
            v = {k2: (_ordered(schemas, kind, v2, rel + (k, k2)) if isinstance(v2, dict) else v2) for k2, v2 in v.items()}
        elif isinstance(v, list) and v and all(isinstance(x, dict) for x in v):
            v = [_ordered(schemas, kind, x, rel + (k, 0)) for x in v]
        out[k] = v
    return out


def add_entity(plan: Plan, kind: str, id: str, fields: dict | None = None, *, schemas: SchemaSet | None = None,
               force: bool = False) -> Change:
    """A Change that adds a new entity after the last one of its kind."""
    schemas = schemas or load_schemas()
    if kind not in KINDS:
        raise EditError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}", code="usage.kind")
    k = KINDS[kind]
    if k.singleton:
        raise EditError(f"the plan has exactly one [{kind}] table; use `set` to change it", code="usage.kind")
    fields = dict(fields or {})
    parent: Entity | None = None
    own_id = id
    if k.parent and not KINDS[k.parent].singleton:
        if "/" not in id:
            raise EditError(f"address a {k.title.lower()} as PARENT_ID/ID, e.g. grow-pipeline/new-kr", code="usage.id")
        parent_id, own_id = id.rsplit("/", 1)
        parent = plan.get(k.parent, parent_id)
    if plan.find(kind, id) is not None:
        raise EditError(f"a {k.title.lower()} with id {id!r} already exists; pick another id", code="edit.duplicate")
    data = _ordered(schemas, k, {"id": own_id, **fields})
    if parent is None and layout.is_split(plan.files, k.file):
        return _add_entity_file(plan, k, id, data, schemas, force)
    file = parent.file if parent is not None else k.file  # a key result sits in its goal's file
    tf = plan.files.get(file)
    if tf is None:
        raise EditError(f"{k.file} does not exist in {plan.root}; create it first (an empty file will do)",
                        file=k.file, code="edit.missing-file")
    if parent is not None:
        array_path = parent.path + k.path
    else:
        array_path = full_path(k)
    try:
        expected = _copy_along(tf.data, array_path[:-1]) if len(array_path) > 1 else dict(tf.data)
    except (KeyError, IndexError, TypeError):
        expected = copy.deepcopy(tf.data)  # the tables on the way are new too
    container = expected
    for part in array_path[:-1]:
        container = container.setdefault(part, {}) if isinstance(part, str) else container[part]
    container[array_path[-1]] = list(container.get(array_path[-1], [])) + [data]
    if not force:
        probe = Entity(k, id, data, file, array_path + (len(container[array_path[-1]]) - 1,))
        _check_schema(schemas, probe, expected, tf)

    siblings = [e for e in plan.all(kind) if e.file == file and (parent is None or e.parent_id == parent.id)]
    if parent is not None:
        name = _header_name(tf, parent.path) + "." + ".".join(render_key(p) for p in k.path)
    else:
        name = ".".join(render_key(p) for p in array_path)
    block = _table_block(name, data, array=True)
    # after the last sibling, a table of its own: found without indexing the whole file
    # where the file's top-level tables can be told apart (tomlindex.PartialIndex)
    window = tf.top_level_lines(siblings[-1].path) if siblings and parent is None else None
    if window is not None:
        _, at = window
    elif siblings:
        _, at = entity_span(tf, siblings[-1].path)
    elif parent is not None:
        _, at = entity_span(tf, parent.path)
    else:
        at = None
    text = insert_block(tf, at, block)
    if window is not None:
        # a new [[name]] table between two tables of a file laid out table by table: the
        # file then reads as before with one more element, so the new table alone is parsed
        _verify(tf, "\n".join(block) + "\n", {array_path[0]: [data]})
        return Change(file, tf, text, expected, f"{kind} {id} added")
    result = _verify(tf, text, expected)
    return Change(file, tf, text, result, f"{kind} {id} added")


def _add_entity_file(plan: Plan, k: Kind, id: str, data: dict, schemas: SchemaSet, force: bool) -> Change:
    """A new entity of a kind kept as one file per entity: a new file, ``<id>.toml``."""
    try:
        name = layout.entity_file(k.file, id)
    except layout.LayoutError as exc:
        raise EditError(exc.message, code=exc.code) from None
    tf = plan.files.get(name)
    if tf is not None and tf.text != "":
        raise EditError(f"{name} exists already and holds something else; rename or remove it first",
                        file=name, code="edit.duplicate")
    tf = tf or layout.new_file(plan.root, name)
    expected = {k.path[0]: [data]}
    if not force:
        _check_schema(schemas, Entity(k, id, data, name, (k.path[0], 0)), expected, tf)
    nl = "\r\n" if any(f.newline == "\r\n" for n, f in plan.files.items() if layout.base_file(n) == k.file
                          and f.text) else "\n"
    text = nl.join(_table_block(render_key(k.path[0]), data, array=True)) + nl
    return Change(name, tf, text, _verify(tf, text, expected), f"{k.name} {id} added")


def insert_block(tf: TomlFile, at: int | None, block: list[str]) -> str:
    """The text of ``tf`` with ``block`` (lines without newlines) inserted before line
    ``at`` (None: at the end), set off by one blank line, in the file's line endings."""
    lines = _lines(tf.text)
    nl = _nl_suffix(tf)
    if at is None or at >= len(lines) or (at == len(lines) - 1 and lines[-1] == ""):
        at = len(lines)
        while at > 0 and lines[at - 1].strip() == "":
            at -= 1
        if at == len(lines) or lines[-1] != "":
            # the file ends without a newline: the last line gets one, and so does ours
            if lines and lines[-1] != "":
                lines[-1] += nl
                lines.append("")
            at = len(lines) - 1
        new = ([""] if at > 0 else []) + block
    else:
        new = ([""] if at > 0 else []) + block
        if lines[at].strip() != "":
            new.append("")
    lines[at:at] = [ln + nl for ln in new]
    return "\n".join(lines)


def remove_entity(plan: Plan, kind: str, id: str) -> Change:
    """A Change that removes one entity's lines."""
    entity = plan.get(kind, id)
    if entity.kind.singleton:
        raise EditError(f"[{kind}] cannot be removed; change its fields instead", code="usage.kind")
    tf = plan.files[entity.file]
    if layout.is_entity_file(entity.file) and entity.kind.parent is None:
        # kept as one file per entity: the file goes (an empty text is a removal, see layout)
        return Change(entity.file, tf, "", {}, f"{kind} {id} removed")
    window = tf.top_level_lines(entity.path) if entity.kind.parent is None and len(entity.path) == 2 else None
    if window is not None:
        # a whole top-level table of a file laid out table by table, its text found to
        # hold just this entity: without it the file reads as before less that element
        lines = _cut_lines(_lines(tf.text), *window)
        name, at = entity.path
        expected = dict(tf.data)  # the other elements are the very objects they were
        expected[name] = [item for n, item in enumerate(tf.data[name]) if n != at]
        if not expected[name]:
            del expected[name]
        return Change(entity.file, tf, "\n".join(lines), expected, f"{kind} {id} removed")
    if _header_index(tf, entity.path) is None:
        parent_path = entity.path[:-1]
        value = copy.deepcopy(_get(tf.data, parent_path))
        del value[entity.path[-1]]
        expected = _copy_along(tf.data, parent_path)
        _get(expected, parent_path[:-1])[parent_path[-1]] = value
        start, end = _value_extent(tf, parent_path)
        text = tf.text[:start] + _render_keeping(tf, parent_path, _get(tf.data, parent_path), value) + tf.text[end:]
    else:
        text = "\n".join(_cut_lines(_lines(tf.text), *entity_span(tf, entity.path)))
        expected = _copy_along(tf.data, entity.path[:-1])
        array = _get(expected, entity.path[:-1])
        del array[entity.path[-1]]
        if not array:
            del _get(expected, entity.path[:-2])[entity.path[-2]]
    data = _verify(tf, text, expected)
    return Change(entity.file, tf, text, data, f"{kind} {id} removed")


def reorder_entities(plan: Plan, kind: str, ids: list[str]) -> Change:
    """A Change that puts sibling entities (a goal's key results, the scoring rules) in
    the order ``ids``, which names each of them once: every entity's lines move as they
    are, and what lies between them (blank lines, comments, other tables) stays."""
    if not ids:
        raise EditError(f"no {kind} to put in order", code="usage.id")
    first = plan.get(kind, ids[0])
    tf = plan.files[first.file]
    array_path = first.path[:-1]
    siblings = sorted((e for e in plan.all(kind) if e.file == first.file and e.path[:-1] == array_path),
                      key=lambda e: e.path[-1])
    if sorted(e.id for e in siblings) != sorted(ids) or len(set(ids)) != len(ids):
        raise EditError(f"the new order must name each {kind} beside {first.id} once", code="usage.id")
    for e in siblings:
        if _header_index(tf, e.path) is None:
            raise EditError(f"{kind} {e.id} is written inline in {tf.name}; reorder these in a text editor",
                            file=tf.name, code="edit.unsupported")
    spans = [entity_span(tf, e.path) for e in siblings]
    lines = _lines(tf.text)
    at = {e.id: n for n, e in enumerate(siblings)}
    order = [at[i] for i in ids]
    new = lines[: spans[0][0]]
    for n, j in enumerate(order):
        new += lines[spans[j][0]:spans[j][1]]
        if n + 1 < len(spans):
            new += lines[spans[n][1]:spans[n + 1][0]]
    new += lines[spans[-1][1]:]
    expected = _copy_along(tf.data, array_path)
    array = _get(expected, array_path)
    _get(expected, array_path[:-1])[array_path[-1]] = [array[j] for j in order]
    text = "\n".join(new)
    return Change(first.file, tf, text, _verify(tf, text, expected), f"{kind}: order {', '.join(ids)}")


# -- applying ----------------------------------------------------------------------------


def apply_change(plan: Plan, change: Change) -> None:
    """Write a Change atomically (refusing a file changed on disk) and update ``plan``."""
    tf = change.before
    if not change.changed:
        return
    raw = tf.encode(change.text)
    write_plan_file(tf, raw, change.text)
    plan.files[change.file] = TomlFile(path=tf.path, name=tf.name, raw=raw, text=change.text, data=change.data, bom=tf.bom,
                                       _previous=plan.files.get(change.file, tf))
    _after_edit(plan, change)


def _after_edit(plan: Plan, change: Change) -> None:
    """Bring the plan's entities (and the file's table places) up to date after ``change``:
    only the changed file's entities are looked at again, and those whose tables did not
    change are kept (a big file's entities were all made again on every edit)."""
    if change.table is not None and plan.files.get(change.file) is not None:
        plan.files[change.file].after_table_edit(change.before, *change.table)
        if _refresh_one_table(plan, change):
            return
    plan.entities = refresh_entities(plan, change.file)


def _refresh_one_table(plan: Plan, change: Change) -> bool:
    """After an edit of one top-level table: only the entity it holds is made again (the
    file's other tables are the very objects they were).  False when that cannot be
    told this simply (a kind with entities inside it, an entity not where expected)."""
    key = change.table[0]
    if len(key) != 2 or not isinstance(key[1], int):
        return False
    kinds = [k for k in KINDS.values() if k.file == layout.base_file(change.file) and k.parent is None
             and not k.singleton and full_path(k) == key[:1]]
    if len(kinds) != 1 or any(other.parent == kinds[0].name for other in KINDS.values()):
        return False
    k = kinds[0]
    entities = plan.entities.get(k.name, [])
    path = (key[0], key[1])
    at = key[1] if key[1] < len(entities) and entities[key[1]].path == path and entities[key[1]].file == change.file \
        else next((n for n, e in enumerate(entities) if e.file == change.file and e.path == path), None)
    items = change.data.get(key[0]) if isinstance(change.data, dict) else None
    if at is None or not isinstance(items, list) or key[1] >= len(items) or not isinstance(items[key[1]], dict):
        return False
    item = items[key[1]]
    fresh = list(entities)
    fresh[at] = Entity(k, str(item.get("id", f"#{key[1] + 1}")), item, change.file, path)
    plan.entities = {**plan.entities, k.name: fresh}
    return True


def apply_changes(plan: Plan, changes: list[Change], *, timeout: float | None = None) -> list[Change]:
    """Write several Changes as one step: the files' locks are taken together (in a
    fixed order), every file is checked against the version its Change was made from
    before any is written, then each is written atomically.  A file changed on disk
    since it was read raises FileChangedError and nothing is written.  Returns the
    Changes that changed something."""
    changes = [c for c in changes if c.changed]
    if not changes:
        return []
    with locked([c.before.path for c in changes], names=[c.before.name for c in changes], timeout=timeout):
        for c in changes:
            now = current_digest(c.before.path)
            if now is None and layout.is_entity_file(c.before.name) and c.before.disk_sha256 == layout.EMPTY_SHA256:
                continue  # a new entity file: nothing there yet, as expected
            if now != c.before.disk_sha256:
                what = "was deleted" if now is None else "changed on disk"
                raise FileChangedError(f"{c.before.name} {what} since it was read; nothing saved. Reload it "
                                       "(your edit can be made again) or compare the versions first",
                                       file=c.before.name, code="save.deleted" if now is None else "save.changed")
        for c in changes:
            apply_change(plan, c)
    return changes


def edit_locked(root: Path | str, op, *, files=(), timeout: float | None = None, attempts: int = 40,
                only=None):
    """Make an edit of the plan at ``root`` so that no concurrent writer can lose it or
    have it lost: ``op(plan)`` returns the Change (or list of Changes) to write and must
    be a pure function of the plan it is given.  If another writer saved one of the
    files between reading and writing, the plan is read again and ``op`` run again on
    it; from the second try on, the files the edit touches are locked before the plan
    is read, so the edit cannot be overtaken again.  ``files`` are locked before the
    first read too (a rename passes every plan file: a reference may sit in any of
    them).  Returns (plan, changes written).

    Raises what ``op`` raises, LockTimeout when another writer holds a file too long,
    and FileChangedError when a file keeps changing under a writer that takes no lock
    (a text editor) ``attempts`` times.

    ``only``: the plan files ``op`` needs (see ``load_plan``); the others are not read."""
    from .model import load_plan

    hold: dict[str, tuple[Path, str]] = {os.path.realpath(p): (Path(p), Path(p).name) for p in files}
    for attempt in range(max(1, attempts)):
        with locked([p for p, _ in hold.values()], names=[n for _, n in hold.values()], timeout=timeout):
            plan = load_plan(root, only=only)
            result = op(plan)
            changes = [result] if isinstance(result, Change) else list(result or [])
            try:
                return plan, apply_changes(plan, changes, timeout=timeout)
            except FileChangedError:
                if attempt == max(1, attempts) - 1:
                    raise
                for c in changes:
                    hold.setdefault(os.path.realpath(c.before.path), (c.before.path, c.before.name))
    raise AssertionError("unreachable")


def save_file(tf: TomlFile) -> TomlFile:
    """Write a file whose edits were staged (refusing one changed on disk since it was
    read); return it as saved."""
    write_plan_file(tf, tf.raw, tf.text)
    return tf.saved()


def write_plan_file(tf: TomlFile, raw: bytes, text: str) -> None:
    """Write the new bytes of plan file ``tf`` atomically, refusing a file changed on disk
    since it was read.  An entity file of a kind kept as one file per entity is created
    when it is new, and removed when its text became empty (see ``layout``)."""
    if layout.is_removal(tf.name, text):
        remove_file(tf.path, tf.disk_sha256, name=tf.name)
    else:
        atomic_write(tf.path, raw, tf.disk_sha256, name=tf.name, create=layout.is_entity_file(tf.name))


def stage_change(plan: Plan, change: Change) -> None:
    """Apply a Change to ``plan`` in memory only (the TUI saves later)."""
    tf = change.before
    plan.files[change.file] = TomlFile(path=tf.path, name=tf.name, raw=tf.encode(change.text), text=change.text,
                                       data=change.data, bom=tf.bom, disk=tf.disk_sha256,
                                       _previous=plan.files.get(change.file, tf))
    _after_edit(plan, change)
