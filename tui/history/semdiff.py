"""Semantic diff of two plan revisions: entities added, removed, changed and renamed.

Entities are matched by kind and id (the registry says where each kind sits), never by
line.  Key results are their own kind, so a goal's entry never repeats its key
results.  For a changed entity every changed field is listed with its old and new
value; lists of plain values (ids, strings) are compared as sets (``+item``/``-item``);
lists of tables (a buying committee) are matched by identity (below) and shown by
``name`` where names are unique; long
text gets a word-level diff; an entity whose id changed while everything else stayed
is a rename.  Text whose words are unchanged (only re-wrapped) is not a change.

Provenance (``custom.carried_from``, which a rollover sets on every entity it carries) is
metadata: by default it is folded out of each entity's fields and counted instead, one
line per value ("34 entities carried from 2026-Q4"); an entity whose only change was that
mark is not listed.  ``all_fields=True`` (``quarterdeck diff --all-fields``) lists it.

Arrays of tables inside an entity are matched by the identity keys the registry declares
for them (``Kind.identities``: a key result's check-ins by ``date``), then by ``id`` or
``name``, and by position only when nothing identifies them.  A check-in added to a key
result is one change (op ``"checkin"``) rendered as one line through
``tui.plan.checkins.checkin_summary`` ("sourced-pipeline: 2,150,000 → 2,310,000
(confidence 7, Rita: ...)"); ``old`` is the value before it (the previous check-in's, else
the old ``actual``).  The ``actual`` that comes with the newest check-in is folded into
that line (named in its ``folded`` list) when the line already says the same old → new;
otherwise it is listed as a change of its own.

JSON format (``PlanDiff.to_json()``; stable, versioned)::

    {
      "format": "quarterdeck.diff/1",      # changes only with a new version number
      "version": 1,
      "plan": "plans",                     # the plan folder inside the repository
      "old": {"label": "2026-Q3", "commit": "<sha>" | null},   # null: working tree
      "new": {"label": "working tree", "commit": null},
      "summary": {"added": 3, "changed": 2, "removed": 1, "renamed": 0},
      "notes": ["..."],                    # e.g. a file that does not parse
      "folded": [                          # provenance folded away (not in "changes";
        {"field": "custom.carried_from",   # empty with --all-fields)
         "value": "2026-Q4", "entities": 34}
      ],
      "changes": [
        {
          "op": "added" | "removed" | "changed" | "renamed",
          "kind": "account",               # a registry kind; key results: "key_result"
          "id": "acme",                    # key results: "GOAL/KR"; renames: the new id
          "old_id": "acme-old" | null,     # renames only
          "label": "Acme Corp",
          "file": "accounts.toml",
          "data": {...} | null,            # added/removed: the entity's fields (dates as
                                           # ISO text; nested key results left out)
          "fields": [                      # changed (and renamed-with-no-change: [])
            {
              "field": "target",           # dotted path; list-of-table items as
                                           # committee[Kenji Moriyama].title
              "op": "changed" | "added" | "removed" | "items" | "text" | "reordered" | "checkin",
              "old": <value> | null,       # "added": null; "removed": new is null;
                                           # "checkin": old = the value before, new = the
                                           # check-in's table
              "new": <value> | null,
              "added": [...], "removed": [...],   # op "items": set difference
              "words": [["=", "We start "], ["-", "slowly"], ["+", "fast"]],  # op "text"
              "summary": "sourced-pipeline: 2,150,000 → 2,310,000 (confidence 7, Rita: ...)",
              "folded": ["actual"]         # op "checkin" only: the line, the fields it covers
            }
          ]
        }
      ]
    }

Changes are ordered by kind (registry order), then id.
"""

from __future__ import annotations

import datetime as dt
import difflib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any

from tui.plan.layout import base_file
from tui.plan.registry import CHILD_KEYS, KINDS, Kind, identity_keys

FORMAT = "quarterdeck.diff/1"
VERSION = 1
_MISSING = object()
_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+\Z")
_TOKENS = re.compile(r"\S+|\s+")
LONG_TEXT = 80  # strings longer than this (or with a newline) get a word diff
# provenance: metadata a rollover sets on every carried entity; folded into one summary
# line per value unless all fields are asked for
PROVENANCE_FIELDS = ("custom.carried_from",)


def jsonable(value):
    """Plain JSON values: dates as ISO text, non-finite numbers as text."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    return value


@dataclass
class FieldChange:
    field: str
    op: str  # changed | added | removed | items | text | reordered
    old: Any = None
    new: Any = None
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    words: list = field(default_factory=list)  # [(op, text)], op one of "=", "-", "+"
    summary: str = ""  # op "checkin": the check-in's one line
    folded: list = field(default_factory=list)  # op "checkin": fields it stands for ("actual")

    def to_json(self) -> dict:
        out = {"field": self.field, "op": self.op, "old": jsonable(self.old), "new": jsonable(self.new),
               "added": jsonable(self.added), "removed": jsonable(self.removed),
               "words": [list(w) for w in self.words]}
        if self.op == "checkin":
            out["summary"] = self.summary
            out["folded"] = list(self.folded)
        return out


@dataclass
class EntityChange:
    op: str  # added | removed | changed | renamed
    kind: str
    id: str
    label: str
    file: str
    old_id: str | None = None
    fields: list[FieldChange] = field(default_factory=list)
    data: dict | None = None

    def field(self, name: str) -> FieldChange | None:
        for f in self.fields:
            if f.field == name:
                return f
        return None

    def to_json(self) -> dict:
        return {"op": self.op, "kind": self.kind, "id": self.id, "old_id": self.old_id, "label": self.label,
                "file": self.file, "data": jsonable(self.data) if self.data is not None else None,
                "fields": [f.to_json() for f in self.fields]}


@dataclass
class PlanDiff:
    old_label: str
    new_label: str
    old_commit: str | None = None
    new_commit: str | None = None
    plan: str = ""
    changes: list[EntityChange] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    # provenance folded away: field -> new value (None: removed) -> number of entities
    folded: dict[str, dict[Any, int]] = field(default_factory=dict)

    @property
    def counts(self) -> dict[str, int]:
        out = {"added": 0, "changed": 0, "removed": 0, "renamed": 0}
        for c in self.changes:
            out[c.op] += 1
        return out

    def __bool__(self) -> bool:
        return bool(self.changes or self.folded)

    def folded_lines(self) -> list[str]:
        """One line per folded provenance value: "34 entities carried from 2026-Q4"."""
        out = []
        for name, values in self.folded.items():
            for value, n in values.items():
                what = "entity" if n == 1 else "entities"
                if name == "custom.carried_from" and value is not None:
                    out.append(f"{n} {what} carried from {value}")
                elif value is None:
                    out.append(f"{n} {what} lost {name}")
                else:
                    out.append(f"{n} {what} marked {name} = {show_value(value, 60)}")
        return out

    def find(self, kind: str, id: str) -> EntityChange | None:
        for c in self.changes:
            if c.kind == kind and c.id == id:
                return c
        return None

    def summary_line(self) -> str:
        n = self.counts
        text = f"{n['added']} added, {n['changed']} changed, {n['removed']} removed"
        if n["renamed"]:
            text += f", {n['renamed']} renamed"
        return text

    def to_json(self) -> dict:
        return {
            "format": FORMAT,
            "version": VERSION,
            "plan": self.plan,
            "old": {"label": self.old_label, "commit": self.old_commit},
            "new": {"label": self.new_label, "commit": self.new_commit},
            "summary": self.counts,
            "notes": list(self.notes),
            "folded": [{"field": name, "value": jsonable(value), "entities": n}
                       for name, values in self.folded.items() for value, n in values.items()],
            "changes": [c.to_json() for c in self.changes],
        }


# -- computing -------------------------------------------------------------------------


def _strip(kind: Kind, data: dict) -> dict:
    children = CHILD_KEYS.get(kind.name)
    if not children:
        return data
    return {k: v for k, v in data.items() if k not in children}


def same(a, b) -> bool:
    """Equal as plan data: ``True`` is not ``1``, text is not a number."""
    if type(a) is bool or type(b) is bool:
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, str) != isinstance(b, str):
        return False
    return a == b


def _same_pickle(a, b) -> bool:
    """A quick ``same(a, b)`` for data already ``==``: the same pickled bytes mean the same
    types everywhere (``True`` pickles unlike ``1``).  False only means "look closer"."""
    import pickle

    try:
        return pickle.dumps(a, 5) == pickle.dumps(b, 5)
    except Exception:  # noqa: BLE001 - anything unpicklable: the walk decides
        return False


def _key_text(key: str) -> str:
    return key if _BARE_KEY.match(key) else json.dumps(key, ensure_ascii=False)


def _join(path: str, key: str) -> str:
    return f"{path}.{_key_text(key)}" if path else _key_text(key)


def _scalar(v) -> bool:
    return not isinstance(v, (dict, list))


def _words(text: str) -> str:
    return " ".join(text.split())


def is_long_text(a, b=None) -> bool:
    for v in (a, b):
        if isinstance(v, str) and ("\n" in v or len(v) > LONG_TEXT):
            return True
    return False


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Word-level differences: [("=", text), ("-", removed), ("+", added)], whitespace
    collapsed to single spaces."""
    a = _words(old).split(" ") if old.strip() else []
    b = _words(new).split(" ") if new.strip() else []
    out: list[tuple[str, str]] = []

    def push(op: str, words: list[str]) -> None:
        if not words:
            return
        text = " ".join(words)
        if out and out[-1][0] == op:
            out[-1] = (op, out[-1][1] + " " + text)
        else:
            out.append((op, text))

    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            push("=", a[i1:i2])
        else:
            push("-", a[i1:i2])
            push("+", b[j1:j2])
    return out


def _item_key(a: list, b: list, preferred: tuple[str, ...] = ()) -> str | None:
    # the identity keys the registry declares for this array (a key result's check-ins by
    # `date`) first, then the usual keys, then the identity keys named for other arrays of
    # tables (a message's proof points by `claim`)
    declared = (f for k in KINDS.values() for fields in k.identities.values() for f in fields)
    for key in dict.fromkeys((*preferred, "id", "name", "term", "title", *declared)):
        ok = True
        for items in (a, b):
            seen = set()
            for item in items:
                v = item.get(key) if isinstance(item, dict) else None
                if isinstance(v, bool) or not isinstance(v, (str, int, dt.date, dt.time)) or v in seen:
                    ok = False
                    break
                seen.add(v)
            if not ok:
                break
        if ok:
            return key
    return None


def _contains(items: list, value) -> bool:
    return any(same(x, value) for x in items)


def diff_fields(old: dict, new: dict, path: str = "", kind: str | None = None) -> list[FieldChange]:
    """The field changes from ``old`` to ``new``; ``kind`` (a registry kind) names the
    identity keys of the entity's arrays of tables."""
    out: list[FieldChange] = []
    _diff_value(path, old, new, out, kind)
    return out


def _diff_value(path: str, a, b, out: list[FieldChange], kind: str | None = None) -> None:
    if a is not _MISSING and b is not _MISSING and same(a, b):
        return
    if a is _MISSING and isinstance(b, dict) and b:
        a = {}  # a new table: list its keys
    if b is _MISSING and isinstance(a, dict) and a:
        b = {}
    if a is _MISSING:
        out.append(FieldChange(path, "added", new=b))
        return
    if b is _MISSING:
        out.append(FieldChange(path, "removed", old=a))
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for k in list(a) + [k for k in b if k not in a]:
            _diff_value(_join(path, k), a.get(k, _MISSING), b.get(k, _MISSING), out, kind)
        return
    if isinstance(a, list) and isinstance(b, list):
        if all(_scalar(x) for x in a) and all(_scalar(x) for x in b):
            added = [x for x in b if not _contains(a, x)]
            removed = [x for x in a if not _contains(b, x)]
            op = "items" if added or removed else "reordered"
            out.append(FieldChange(path, op, old=a, new=b, added=added, removed=removed))
            return
        if all(isinstance(x, dict) for x in a + b):
            top = path if _BARE_KEY.match(path) else None  # an array directly in the entity
            key = _item_key(a, b, identity_keys(kind, top) if kind and top else ())
            if key:
                am = {x[key]: x for x in a}
                bm = {x[key]: x for x in b}
                before = len(out)
                # matched by identity (a member's email), shown by name where names are unique
                shown = "name" if key != "name" and _item_key(a, b, ("name",)) == "name" else key
                for k in list(am) + [k for k in bm if k not in am]:
                    name = (bm.get(k) or am[k])[shown]
                    sub = f"{path}[{name.isoformat() if isinstance(name, (dt.date, dt.time)) else name}]"
                    if k not in bm:
                        out.append(FieldChange(sub, "removed", old=am[k]))
                    elif k not in am:
                        out.append(FieldChange(sub, "added", new=bm[k]))
                    else:
                        _diff_value(sub, am[k], bm[k], out)
                if len(out) == before:
                    out.append(FieldChange(path, "reordered", old=a, new=b))
                return
            for i in range(max(len(a), len(b))):
                _diff_value(f"{path}[{i}]", a[i] if i < len(a) else _MISSING, b[i] if i < len(b) else _MISSING, out)
            return
    if isinstance(a, str) and isinstance(b, str) and is_long_text(a, b):
        if _words(a) == _words(b):
            return  # only the line breaks or spacing differ: the same text
        out.append(FieldChange(path, "text", old=a, new=b, words=word_diff(a, b)))
        return
    out.append(FieldChange(path, "changed", old=a, new=b))


def _canonical(data: dict) -> str:
    body = {k: v for k, v in data.items() if k != "id"}
    return json.dumps(jsonable(body), sort_keys=True, ensure_ascii=False)


def _label(kind: Kind, data: dict, id: str) -> str:
    value = data.get(kind.label) if isinstance(data, dict) else None
    return str(value) if value not in (None, "") else id


def diff_snapshots(old, new, *, plan: str = "", all_fields: bool = False) -> PlanDiff:
    """Compare two Snapshots (see ``tui.history.snapshot``); provenance is folded away
    unless ``all_fields``."""
    result = PlanDiff(old.label, new.label, old.commit, new.commit, plan=plan)
    skipped_files = set()
    for snap in (old, new):
        for name, err in snap.errors.items():
            skipped_files.add(base_file(name))  # an entity file (accounts/<id>.toml): its whole kind
            where = f"line {err.line}: " if err.line else ""
            result.notes.append(f"{name} in {snap.label} cannot be read ({where}{err.message}); "
                                "its entities are not compared")
    members = _members(old, new)
    for kind in KINDS.values():
        if kind.file in skipped_files:
            continue
        result.changes.extend(_diff_kind(kind, old.entities.get(kind.name, []), new.entities.get(kind.name, []),
                                         members))
    if not all_fields:
        fold_provenance(result)
    return result


def _is_provenance(name: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in PROVENANCE_FIELDS)


def fold_provenance(diff: PlanDiff) -> PlanDiff:
    """Move provenance field changes out of ``diff.changes`` into ``diff.folded``."""
    kept = []
    for c in diff.changes:
        marks = [f for f in c.fields if _is_provenance(f.field)] if c.op == "changed" else []
        for f in marks:
            value = f.new if f.op in ("changed", "added") else None
            counts = diff.folded.setdefault(f.field, {})
            key = value if isinstance(value, (str, int, float, bool)) or value is None else show_value(value)
            counts[key] = counts.get(key, 0) + 1
        if marks:
            c.fields = [f for f in c.fields if not _is_provenance(f.field)]
            if not c.fields:
                continue
        kept.append(c)
    diff.changes = kept
    return diff


def _members(*snaps) -> dict[str, str]:
    """Member id -> name, for the names in check-in lines (the newer revision wins)."""
    out: dict[str, str] = {}
    for snap in snaps:
        for e in snap.entities.get("member", []):
            name = e.data.get("name") if isinstance(e.data, dict) else None
            if isinstance(name, str) and name.strip():
                out[e.id] = name
    return out


CHECKIN_KEY = "checkin"


def _checkin_date(entry) -> Any:
    return entry.get("date") if isinstance(entry, dict) else None


def _fold_checkins(kr_id: str, a: dict, b: dict, fields: list[FieldChange], members: dict[str, str]) -> list[FieldChange]:
    """A check-in added to a key result as one change (op "checkin") instead of one
    change per key of its table; the ``actual`` that came with the newest one is folded
    into its line when that line already says old → new."""
    expanded: list[FieldChange] = []
    for f in fields:  # the first check-ins of a key result that had none: one each
        if f.field == CHECKIN_KEY and f.op == "added" and isinstance(f.new, list) and f.new and all(
                isinstance(c, dict) and _checkin_date(c) is not None for c in f.new):
            expanded += [FieldChange(f"{CHECKIN_KEY}[{_date_text(_checkin_date(c))}]", "added", new=c) for c in f.new]
        else:
            expanded.append(f)
    fields = expanded
    added = [f for f in fields if f.op == "added" and f.field.startswith(CHECKIN_KEY + "[")
             and isinstance(f.new, dict) and _checkin_date(f.new) is not None]
    if not added:
        return fields
    entries = [c for c in b.get(CHECKIN_KEY, []) if isinstance(c, dict) and _checkin_date(c) is not None] \
        if isinstance(b.get(CHECKIN_KEY), list) else []
    try:
        entries.sort(key=_checkin_date)
    except TypeError:  # dates and datetimes mixed: keep the file's order
        pass
    latest = entries[-1] if entries else None
    actual = next((f for f in fields if f.field == "actual" and f.op in ("changed", "added")), None)
    out: list[FieldChange] = []
    for f in fields:
        if f not in added:
            out.append(f)
            continue
        entry = f.new
        before = [c for c in entries if c is not entry and _comparable_before(c, entry)]
        old = before[-1].get("value") if before else a.get("actual")
        fc = FieldChange(f.field, "checkin", old=old, new=entry)
        if actual is not None and entry is latest and same(actual.new, entry.get("value")) and (
                actual.op == "added" or same(actual.old, old)):
            fc.folded = ["actual"]
        from tui.plan.checkins import checkin_summary

        fc.summary = checkin_summary(kr_id, old, entry, members)
        out.append(fc)
    if any(f.folded for f in out if f.op == "checkin"):
        out = [f for f in out if f is not actual]
    return out


def _date_text(d) -> str:
    return d.isoformat() if isinstance(d, (dt.date, dt.time)) else str(d)


def _comparable_before(c: dict, entry: dict) -> bool:
    try:
        return _checkin_date(c) < _checkin_date(entry)
    except TypeError:
        return False


def _diff_kind(kind: Kind, old_list, new_list, members: dict[str, str] | None = None) -> list[EntityChange]:
    old_map: dict = {}
    for e in old_list:
        old_map.setdefault(e.id, e)
    new_map: dict = {}
    for e in new_list:
        new_map.setdefault(e.id, e)
    changes: list[EntityChange] = []
    for id, e in new_map.items():
        o = old_map.get(id)
        if o is None or o.data is e.data:  # (the very table: read once for both revisions)
            continue
        a, b = _strip(kind, o.data), _strip(kind, e.data)
        if a == b and (_same_pickle(a, b) or same(a, b)):
            continue
        fields = diff_fields(a, b, kind=kind.name)
        if kind.name == "key_result" and fields:
            fields = _fold_checkins(id, a, b, fields, members or {})
        if fields:
            changes.append(EntityChange("changed", kind.name, id, _label(kind, b, id), e.file, fields=fields))
    removed = [old_map[i] for i in old_map if i not in new_map]
    added = [new_map[i] for i in new_map if i not in old_map]
    if removed and added and not kind.singleton:
        by_body: dict[str, list] = {}
        for e in removed:
            by_body.setdefault(_canonical(_strip(kind, e.data)), []).append(e)
        still_added = []
        for e in added:
            candidates = by_body.get(_canonical(_strip(kind, e.data)))
            if candidates:
                o = candidates.pop(0)
                removed.remove(o)
                changes.append(EntityChange("renamed", kind.name, e.id, _label(kind, e.data, e.id), e.file,
                                            old_id=o.id))
            else:
                still_added.append(e)
        added = still_added
    for e in added:
        data = _strip(kind, e.data)
        changes.append(EntityChange("added", kind.name, e.id, _label(kind, data, e.id), e.file, data=data))
    for e in removed:
        data = _strip(kind, e.data)
        changes.append(EntityChange("removed", kind.name, e.id, _label(kind, data, e.id), e.file, data=data))
    changes.sort(key=lambda c: (c.id, c.op))
    return changes


# -- wording ------------------------------------------------------------------------------


def noun(kind_name: str, n: int) -> str:
    """'1 account', '3 accounts', '2 content items', '1 key result'."""
    k = KINDS.get(kind_name)
    if k is None:
        return f"{n} {kind_name}"
    if k.singleton:
        return {"plan": "plan settings", "sla": "hand-off SLA", "lead_scoring": "lead scoring"}.get(k.name, k.name)
    if n == 1:
        return f"1 {k.title.lower()}"
    plural = k.plural.lower()
    if not plural.endswith("s"):
        plural = k.title.lower() + "s"
    return f"{n} {plural}"


def compact_number(value) -> str:
    """A number short, as everywhere else (``tui.plan.insights.numbers.compact``: 3.2M, 180k)."""
    from tui.plan.insights.numbers import compact

    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    return compact(value)


def show_value(value, limit: int | None = 120) -> str:
    """A short, literal rendering of a value for people."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float) and not math.isfinite(value):
        text = str(value)
    elif isinstance(value, list):
        text = "[" + ", ".join(show_value(v, None) for v in value) + "]"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{_key_text(k)} = {show_value(v, None)}" for k, v in value.items()) + "}"
    elif value is None:
        text = "(none)"
    else:
        text = str(value)
    if limit and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def field_summary(f: FieldChange, compact: bool = False) -> str:
    """One line for one field change: 'target 1.2M → 1.5M', 'owners +mei-lin -dana'."""
    val = (lambda v: compact_number(v) if compact and isinstance(v, (int, float)) else show_value(v, 60))
    if f.op == "changed":
        return f"{f.field} {val(f.old)} → {val(f.new)}"
    if f.op == "added":
        return f"{f.field} set to {val(f.new)}"
    if f.op == "removed":
        return f"{f.field} removed"
    if f.op == "items":
        parts = [f"+{show_value(x, 40).strip(chr(34))}" for x in f.added]
        parts += [f"-{show_value(x, 40).strip(chr(34))}" for x in f.removed]
        return f"{f.field} " + " ".join(parts)
    if f.op == "text":
        return f"{f.field} reworded"
    if f.op == "checkin":
        return f"check-in {checkin_line(f)}"
    return f"{f.field} reordered"


def checkin_line(f: FieldChange, kr_id: str | None = None) -> str:
    """A check-in change as one line: "sourced-pipeline: 2,150,000 → 2,310,000
    (confidence 7, Rita: ...) on 2026-12-01"; with ``kr_id`` the key result's full
    address leads ("grow-pipeline/sourced-pipeline: ...")."""
    text = f.summary
    if kr_id and "/" in kr_id:
        text = kr_id.rsplit("/", 1)[0] + "/" + text
    date = _checkin_date(f.new)
    date_text = date.isoformat() if isinstance(date, (dt.date, dt.time)) else str(date)
    return f"{text} on {date_text}"


def only_checkin(c: "EntityChange") -> FieldChange | None:
    """The one check-in field of a change that holds nothing else, else None."""
    if c.op == "changed" and len(c.fields) == 1 and c.fields[0].op == "checkin":
        return c.fields[0]
    return None


def short_summary(diff: PlanDiff, parts: int = 3) -> str:
    """'3 accounts added, 2 key results changed' — for a commit subject."""
    groups: dict[tuple[str, str], int] = {}
    for c in diff.changes:
        groups[(c.op, c.kind)] = groups.get((c.op, c.kind), 0) + 1
    ranked = sorted(groups.items(), key=lambda kv: -kv[1])
    words = []
    for (op, kind), n in ranked[:parts]:
        k = KINDS.get(kind)
        if k is not None and k.singleton:
            words.append(f"{noun(kind, n)} {op}")
        else:
            words.append(f"{noun(kind, n)} {op}")
    if len(ranked) > parts:
        rest = sum(n for _, n in ranked[parts:])
        words.append(f"{rest} more change{'s' if rest != 1 else ''}")
    return ", ".join(words) if words else "no changes"


def summary_lines(diff: PlanDiff, limit: int = 25, see: str = "quarterdeck diff") -> list[str]:
    """Lines for a commit message body: additions and removals grouped, changes one per entity."""
    lines: list[str] = []
    grouped: dict[tuple[str, str], list[str]] = {}
    for c in diff.changes:
        if c.op in ("added", "removed"):
            grouped.setdefault((c.op, c.kind), []).append(c.id)
    for (op, kind), ids in grouped.items():
        if _singleton(kind):
            lines.append(f"{noun(kind, 1)} {op}")
            continue
        shown = ", ".join(ids[:6]) + (f" and {len(ids) - 6} more" if len(ids) > 6 else "")
        lines.append(f"{noun(kind, len(ids))} {op}: {shown}")
    for c in diff.changes:
        if c.op == "renamed":
            lines.append(f"{c.kind} {c.old_id} renamed to {c.id}")
        elif c.op == "changed" and only_checkin(c):
            lines.append(f"{c.kind} {checkin_line(c.fields[0], c.id)}")
        elif c.op == "changed":
            fields = "; ".join(field_summary(f, compact=True) for f in c.fields[:4])
            more = f"; {len(c.fields) - 4} more" if len(c.fields) > 4 else ""
            name = c.kind if KINDS.get(c.kind) and KINDS[c.kind].singleton else f"{c.kind} {c.id}"
            lines.append(f"{name}: {fields}{more}")
    lines = diff.folded_lines() + lines  # a summary of many entities: first, never cut off
    if len(lines) > limit:
        rest = len(lines) - (limit - 1)
        lines = lines[: limit - 1] + [f"... and {rest} more lines (see `{see}`)"]
    for note in diff.notes:
        lines.append(f"note: {note}")
    return lines


# -- rendering -------------------------------------------------------------------------------


class _Paint:
    CODES = {"red": "31", "green": "32", "yellow": "33", "cyan": "36", "bold": "1", "dim": "2"}

    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, *styles: str) -> str:
        if not self.on or not styles or not text:
            return text
        return f"\x1b[{';'.join(self.CODES[s] for s in styles)}m{text}\x1b[0m"


def _singleton(kind: str) -> bool:
    k = KINDS.get(kind)
    return bool(k and k.singleton)


def _safe(text: str) -> str:
    """User text shown on a terminal, on one line: control characters made visible."""
    from tui.plan.safetext import visible_line

    return visible_line(text)


def _elide(text: str, keep: int = 6) -> str:
    words = text.split(" ")
    if len(words) <= 2 * keep + 2:
        return text
    return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])


def _words_text(f: FieldChange, paint) -> str:
    parts = []
    for i, (op, text) in enumerate(f.words):
        if op == "=":
            if i == 0 and len(f.words) > 1:
                words = text.split(" ")
                text = ("… " + " ".join(words[-6:])) if len(words) > 8 else text
            elif i == len(f.words) - 1 and len(f.words) > 1:
                words = text.split(" ")
                text = (" ".join(words[:6]) + " …") if len(words) > 8 else text
            else:
                text = _elide(text)
            parts.append(_safe(text))
        elif op == "-":
            parts.append(paint(f"[-{_safe(text)}-]", "red"))
        else:
            parts.append(paint(f"{{+{_safe(text)}+}}", "green"))
    return " ".join(parts)


def _checkins_removed(f: FieldChange) -> str | None:
    """All check-ins of a key result removed (a rollover): "9 check-ins, 2026-10-05 … 2026-11-30"."""
    if f.field != CHECKIN_KEY or f.op != "removed" or not isinstance(f.old, list) or not f.old:
        return None
    dates = [_checkin_date(c) for c in f.old]
    if any(d is None for d in dates):
        return None
    n = len(dates)
    span = _date_text(dates[0]) if n == 1 else f"{_date_text(dates[0])} … {_date_text(dates[-1])}"
    return f"{n} check-in{'s' if n != 1 else ''}, {span}"


def _field_line(f: FieldChange, paint) -> str:
    name = paint(_safe(f.field), "bold")
    if _checkins_removed(f):
        return f"{name}: {paint('- ' + _checkins_removed(f), 'red')}"
    if f.op == "changed":
        return f"{name}: {paint(_safe(show_value(f.old)), 'red')} → {paint(_safe(show_value(f.new)), 'green')}"
    if f.op == "added":
        return f"{name}: {paint('+ ' + _safe(show_value(f.new)), 'green')}"
    if f.op == "removed":
        return f"{name}: {paint('- ' + _safe(show_value(f.old)), 'red')}"
    if f.op == "items":
        items = [paint("+" + _safe(show_value(x, 60)), "green") for x in f.added]
        items += [paint("-" + _safe(show_value(x, 60)), "red") for x in f.removed]
        return f"{name}: " + " ".join(items)
    if f.op == "text":
        return f"{name}: {_words_text(f, paint)}"
    if f.op == "checkin":
        return paint("+ check-in ", "green") + _safe(checkin_line(f))
    return f"{name}: reordered {_safe(show_value(f.old))} → {_safe(show_value(f.new))}"


def render_text(diff: PlanDiff, color: bool = False, header: bool = True) -> str:
    paint = _Paint(color)
    out = []
    if header:
        where = f" ({diff.plan}/)" if diff.plan else ""
        out.append(paint(f"plan diff {diff.old_label} → {diff.new_label}{where}", "bold"))
    for note in diff.notes:
        out.append(paint(f"! {_safe(note)}", "yellow"))
    for c in diff.changes:
        label = f'  "{_safe(c.label)}"' if c.label and c.label != c.id and not _singleton(c.kind) else ""
        if _singleton(c.kind) and c.op in ("added", "removed"):
            sign, color = ("+", "green") if c.op == "added" else ("-", "red")
            out.append(paint(f"{sign} {c.kind}", color))
        elif _singleton(c.kind):
            out.append(paint(f"~ {c.kind}", "yellow"))
            for f in c.fields:
                out.append("    " + _field_line(f, paint))
        elif c.op == "added":
            out.append(paint(f"+ {c.kind} {_safe(c.id)}", "green") + label)
        elif c.op == "removed":
            out.append(paint(f"- {c.kind} {_safe(c.id)}", "red") + label)
        elif c.op == "renamed":
            out.append(paint(f"> {c.kind} {_safe(c.old_id or '')} → {_safe(c.id)}", "cyan") + label + " (renamed)")
        elif only_checkin(c):
            out.append(paint(f"~ {c.kind} ", "yellow") + _safe(checkin_line(c.fields[0], c.id)))
        else:
            out.append(paint(f"~ {c.kind} {_safe(c.id)}", "yellow") + label)
            for f in c.fields:
                out.append("    " + _field_line(f, paint))
    folded = diff.folded_lines()
    for line in folded:
        out.append(paint(f"= {_safe(line)} (folded; --all-fields lists each)", "dim"))
    if not diff.changes and not folded:
        out.append("no changes to the plan")
    out.append(paint(diff.summary_line(), "bold"))
    return "\n".join(out)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def _md(text: str) -> str:
    text = _safe(" ".join(str(text).split()))
    return _MD_SPECIAL.sub(r"\\\1", text).replace("&", "&amp;")


def _md_code(text: str) -> str:
    return f"`{text}`" if "`" not in text and "\n" not in text else _md(text)


def _md_value(value) -> str:
    return _md(show_value(value, 200))


def _md_field(f: FieldChange) -> str:
    name = _md_code(f.field)
    if _checkins_removed(f):
        return f"{name}: removed ({_md(_checkins_removed(f))})"
    if f.op == "changed":
        return f"{name}: {_md_value(f.old)} → **{_md_value(f.new)}**"
    if f.op == "added":
        return f"{name}: set to **{_md_value(f.new)}**"
    if f.op == "removed":
        return f"{name}: removed (was {_md_value(f.old)})"
    if f.op == "items":
        parts = []
        if f.added:
            parts.append("added " + ", ".join(f"**{_md_value(x)}**" for x in f.added))
        if f.removed:
            parts.append("removed " + ", ".join(f"~~{_md_value(x)}~~" for x in f.removed))
        return f"{name}: " + "; ".join(parts)
    if f.op == "text":
        segs = []
        for i, (op, text) in enumerate(f.words):
            if op == "=":
                segs.append(_md(_elide(text)))
            elif op == "-":
                segs.append(f"~~{_md(text)}~~")
            else:
                segs.append(f"**{_md(text)}**")
        return f"{name}: " + " ".join(segs)
    if f.op == "checkin":
        return f"check-in {_md(checkin_line(f))}"
    return f"{name}: order changed"


def render_markdown(diff: PlanDiff) -> str:
    """Markdown for a pull-request comment or a CI step summary."""
    out = [f"### Plan changes: {_md(diff.old_label)} → {_md(diff.new_label)}", ""]
    if diff.plan:
        out[0] += f" ({_md(diff.plan)})"
    out.append(f"**{diff.summary_line()}**")
    out.append("")
    for note in diff.notes:
        out.append(f"> ⚠️ {_md(note)}")
        out.append("")
    for line in diff.folded_lines():
        out.append(f"_{_md(line)} (provenance, folded)_")
        out.append("")
    if not diff.changes:
        if not diff.folded:
            out.append("_No changes to the plan._")
        return "\n".join(out) + "\n"
    by_kind: dict[str, list[EntityChange]] = {}
    for c in diff.changes:
        by_kind.setdefault(c.kind, []).append(c)
    for kind, changes in by_kind.items():
        k = KINDS[kind]
        out.append(f"#### {k.plural} ({len(changes)})")
        out.append("")
        for c in changes:
            label = f" — {_md(c.label)}" if c.label and c.label != c.id and not _singleton(c.kind) else ""
            if _singleton(c.kind):
                out.append(f"- **{c.op}**")
            elif only_checkin(c):
                out.append(f"- **check-in** {_md(checkin_line(c.fields[0], c.id))}")
                continue
            elif c.op == "renamed":
                out.append(f"- **renamed** {_md_code(c.old_id or '')} → {_md_code(c.id)}{label}")
            else:
                out.append(f"- **{c.op}** {_md_code(c.id)}{label}")
            for f in c.fields:
                out.append(f"  - {_md_field(f)}")
        out.append("")
    return "\n".join(out)


def render_json(diff: PlanDiff) -> str:
    return json.dumps(diff.to_json(), indent=2, ensure_ascii=False)
