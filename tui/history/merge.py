"""Three-way merge of a plan file (git's ``merge.quarterdeck.driver``).

git gives the common ancestor (O), our version (A, where the result goes) and their
version (B).  The merge has two halves:

1. **The data.**  The three parsed files are merged as data, recursively: tables key
   by key; arrays of tables element by element, the elements matched across the three
   versions by identity (an ``id``; else a natural key named in ``IDENTITY``, such as a
   committee member's email, then name; else their position, when both sides kept the
   length) *and by rename* (an element whose id changed while most of its fields
   stayed: an edit on the other side is carried onto the renamed element; two sides
   renaming it to different ids is a conflict); lists of plain values as sets, where
   dropping an item that the other side reworded is a conflict, never a silent loss;
   multi-line text as a three-way line merge of that one value.  A change made on both
   sides to the same element, differently, is a conflict.  The result is the data the
   merged file must hold (``expected``), once with our value at each conflict and once
   with theirs.

2. **The text.**  The file is written so that it holds exactly that data, changing as
   little as possible: first git's own line merge of the whole file is tried (it keeps
   every comment and layout choice of both sides) and taken when it is clean and holds
   the expected data; otherwise A's text is edited towards the expected data entity by
   entity, each entity by the cheapest means that gives the right data: B's text of
   it, a line merge of its three texts, B's lines of one field, a line merge of one
   field's lines, and last the core's surgical edit functions.  Every step is checked
   by parsing; the final text must hold the expected data, or the merge falls back to
   git's line merge and says so.

A true conflict is written as conflict markers around the lines that differ between
the two resolutions (our value, their value; every other change of both sides is in
both), widened to whole fields, so either side of the markers is a whole, valid version
of that field and the person resolving it sees a few lines, not the whole entity.  The
driver then exits non-zero and git reports the file as conflicted.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.document import TomlFile
from tui.plan.model import Entity, Plan, collect_entities
from tui.plan.problems import PlanError
from tui.plan.registry import KINDS, PLAN_FILES, kinds_in_file
from tui.plan.save import atomic_write

from .semdiff import CHILD_KEYS, same as _same

_MISSING = object()

# Arrays of tables without an ``id``: the keys that identify an element, by the array's
# key (the first of them an element has is its identity).
IDENTITY: dict[str, tuple[str, ...]] = {
    "committee": ("email", "name"),
    "retired": ("name",),
    "rule": ("id", "description"),
    "key_result": ("id",),
    "check_in": ("date",),
    "checkins": ("date",),
    "check_ins": ("date",),
}
# Lists of plain values whose order means something (all others are sets).
ORDERED = frozenset({"stages"})
# An element counts as renamed when at least this share of its fields (id aside) is unchanged.
RENAME_SIMILARITY = 0.5


class _Fallback(Exception):
    """The entity merge cannot do this one safely; use git's line merge."""


@dataclass
class MergeOutcome:
    text: str | None  # the merged text (None when the fallback wrote the file)
    conflicts: list[str] = field(default_factory=list)  # "account acme: tier (both changed it)"
    messages: list[str] = field(default_factory=list)
    fallback: bool = False
    raw: bytes | None = None  # the merged bytes (BOM kept)


# -- small helpers ----------------------------------------------------------------------------


def _eq(a, b) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return _same(a, b)


def _plain_list(v) -> bool:
    return isinstance(v, list) and all(not isinstance(i, (dict, list)) for i in v)


def _table_list(v) -> bool:
    return isinstance(v, list) and all(isinstance(i, dict) for i in v)


def _key(value):
    """A hashable stand-in for a plain value (for sets of list items)."""
    return (type(value).__name__ if isinstance(value, bool) else "v", repr(value) if not isinstance(value, str)
            else value)


def _parse(raw: bytes, name: str, side: str) -> TomlFile:
    try:
        return TomlFile.from_bytes(Path(name), raw, name)
    except PlanError as exc:
        raise _Fallback(f"{side} version of {name} does not parse ({exc.message})") from None


def _plan(tf: TomlFile) -> Plan:
    return Plan(root=Path("."), files={tf.name: tf}, entities=collect_entities({tf.name: tf}))


def _own(data: dict, kind_name: str) -> dict:
    children = CHILD_KEYS.get(kind_name, ())
    return {k: v for k, v in data.items() if k not in children}


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def line_merge(base: str, ours: str, theirs: str) -> str | None:
    """git's three-way line merge of three texts: the merged text, or None on a conflict."""
    if ours == theirs or base == theirs:
        return ours
    if base == ours:
        return theirs
    with tempfile.TemporaryDirectory(prefix="quarterdeck-merge-") as tmp:
        paths = []
        for name, text in (("ours", ours), ("base", base), ("theirs", theirs)):
            p = os.path.join(tmp, name)
            with open(p, "wb") as fh:
                fh.write(text.encode("utf-8", "surrogatepass"))
            paths.append(p)
        try:
            done = subprocess.run(["git", "merge-file", "-p", "-q", "--", *paths], capture_output=True,
                                  stdin=subprocess.DEVNULL)
        except OSError:
            return None
    if done.returncode != 0:
        return None
    return done.stdout.decode("utf-8", "surrogatepass")


def merge_lines(o: list[str], a: list[str], b: list[str]) -> list[str] | None:
    """A three-way merge of lists of lines in which changes to different lines never
    conflict, even on neighbouring lines (git's merge conflicts there); changes to the
    same lines, or insertions at one place, do unless they are identical."""
    def changes(side):
        sm = difflib.SequenceMatcher(a=o, b=side, autojunk=False)
        return [(i1, i2, tuple(side[j1:j2])) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]

    ca, cb = changes(a), changes(b)
    merged = {c for c in ca} | {c for c in cb}
    both = sorted(merged, key=lambda c: (c[0], c[1]))
    for n, x in enumerate(both):
        for y in both[n + 1:]:
            if y[0] > x[1]:
                break
            if x[0] < y[1] and y[0] < x[1]:
                return None  # the same lines changed differently
            if x[0] == x[1] and y[0] == y[1] and x[0] == y[0]:
                return None  # two insertions at one place: their order is not known
            for ins, rng in ((x, y), (y, x)):
                if ins[0] == ins[1] and rng[0] < ins[0] < rng[1]:
                    return None
    out = list(o)
    for i1, i2, new in sorted(both, key=lambda c: (c[0], c[1]), reverse=True):
        out[i1:i2] = list(new)
    return out


def _text_merge(o: str, a: str, b: str) -> str | None:
    """A three-way line merge of one multi-line string value."""
    merged = merge_lines(o.split("\n"), a.split("\n"), b.split("\n"))
    return None if merged is None else "\n".join(merged)


# -- 1. the data --------------------------------------------------------------------------------


@dataclass
class _Conflict:
    where: str  # "account acme: tier"
    why: str


class DataMerge:
    """The three-way merge of one file's data.  ``prefer`` says which side's value a
    conflict takes ("ours" or "theirs"); ``origins`` maps the data path of every element
    of an array of tables in the result to its paths in O, A and B (None where absent)."""

    def __init__(self, prefer: str = "ours"):
        self.prefer = prefer
        self.conflicts: list[_Conflict] = []
        self.origins: dict[tuple, tuple] = {}

    def merge(self, o: dict, a: dict, b: dict) -> dict:
        return self.value(o, a, b, (), (), (), (), ())

    def conflict(self, where: tuple, why: str, a, b):
        self.conflicts.append(_Conflict(_where(where), why))
        return a if self.prefer == "ours" else b

    def value(self, o, a, b, where: tuple, dp: tuple, op, ap, bp):
        if _eq(a, b) or _eq(b, o):
            self.trace(a, 1, o, a, b, dp, op, ap, bp, where)
            return a
        if _eq(a, o):
            self.trace(b, 2, o, a, b, dp, op, ap, bp, where)
            return b
        if a is _MISSING:
            return self.conflict(where, "ours removed it, theirs changed it", a, b)
        if b is _MISSING:
            return self.conflict(where, "theirs removed it, ours changed it", a, b)
        if isinstance(a, dict) and isinstance(b, dict) and (o is _MISSING or isinstance(o, dict)):
            return self.table(o if isinstance(o, dict) else {}, a, b, where, dp, op, ap, bp)
        if _table_list(a) and _table_list(b) and (o is _MISSING or _table_list(o)) and (a or b):
            return self.tables(o if isinstance(o, list) else [], a, b, where, dp, op, ap, bp)
        if _plain_list(a) and _plain_list(b) and (o is _MISSING or _plain_list(o)):
            return self.plain_list(o if isinstance(o, list) else [], a, b, where)
        if isinstance(a, str) and isinstance(b, str) and isinstance(o, str) and ("\n" in o + a + b):
            merged = _text_merge(o, a, b)
            if merged is not None:
                return merged
            return self.conflict(where, "both changed the same lines", a, b)
        return self.conflict(where, "both changed it", a, b)

    def trace(self, result, side: int, o, a, b, dp, op, ap, bp, where) -> None:
        """Record the origins of the arrays of tables inside a value taken whole from one side."""
        if isinstance(result, dict):
            for k, v in result.items():
                if isinstance(v, (dict, list)):
                    pick = (lambda x: x.get(k, _MISSING) if isinstance(x, dict) else _MISSING)
                    self.trace(v, side, pick(o), pick(a), pick(b), dp + (k,), _sub(op, k), _sub(ap, k), _sub(bp, k),
                               where + (k,))
        elif _table_list(result) and result:
            lists = [x if _table_list(x) else [] for x in (o, a, b)]
            key = next((p for p in reversed(where) if isinstance(p, str) and not p.startswith("\0")), "")
            groups = match_elements(lists[0], lists[1], lists[2], key) or []
            by_side = {g[side]: g for g in groups if g[side] is not None}
            for i, v in enumerate(result):
                g = by_side.get(i, (None, None, None))
                if side == 1:
                    g = (g[0], i, g[2])
                else:
                    g = (g[0], g[1], i)
                self.origins[dp + (i,)] = (_sub(op, g[0]), _sub(ap, g[1]), _sub(bp, g[2]))
                items = [lists[n][g[n]] if g[n] is not None else _MISSING for n in range(3)]
                self.trace(v, side, *items, dp + (i,), _sub(op, g[0]), _sub(ap, g[1]), _sub(bp, g[2]),
                           where + ("\0" + _label(v, key),))

    def table(self, o: dict, a: dict, b: dict, where, dp, op, ap, bp) -> dict:
        out = {}
        keys = list(a) + [k for k in b if k not in a] + [k for k in o if k not in a and k not in b]
        for k in keys:
            v = self.value(o.get(k, _MISSING), a.get(k, _MISSING), b.get(k, _MISSING), where + (k,), dp + (k,),
                           _sub(op, k), _sub(ap, k), _sub(bp, k))
            if v is not _MISSING:
                out[k] = v
        return out

    def tables(self, o: list, a: list, b: list, where, dp, op, ap, bp) -> list:
        key = next((p for p in reversed(where) if isinstance(p, str) and not p.startswith("\0")), "")
        groups = match_elements(o, a, b, key)
        if groups is None:
            return self.conflict(where, "both changed this list of tables and its elements cannot be matched", a, b)
        out: list = []
        for go, ga, gb in groups:
            ov = o[go] if go is not None else _MISSING
            av = a[ga] if ga is not None else _MISSING
            bv = b[gb] if gb is not None else _MISSING
            label = _label(av if av is not _MISSING else bv if bv is not _MISSING else ov, key)
            v = self.value(ov, av, bv, where + ("\0" + label,), dp + (len(out),),
                           _sub(op, go), _sub(ap, ga), _sub(bp, gb))
            if v is _MISSING:
                continue
            self.origins[dp + (len(out),)] = (_sub(op, go), _sub(ap, ga), _sub(bp, gb))
            out.append(v)
        return out

    def plain_list(self, o: list, a: list, b: list, where) -> list:
        if where and where[-1] in ORDERED:
            return self.conflict(where, "both changed this ordered list", a, b)
        ra, rb = _rewords(o, a), _rewords(o, b)
        gone_a = {_key(v) for v in o} - {_key(v) for v in a}
        gone_b = {_key(v) for v in o} - {_key(v) for v in b}
        for item, words in ra.items():
            if item in gone_b and item not in rb:
                return self.conflict(where, "ours reworded an item theirs removed", a, b)
            if item in rb and rb[item] != words:
                return self.conflict(where, "both reworded the same item differently", a, b)
        for item in rb:
            if item in gone_a and item not in ra:
                return self.conflict(where, "theirs reworded an item ours removed", a, b)
        base = {_key(v) for v in o}
        in_b = {_key(v) for v in b}
        merged = [v for v in a if not (_key(v) in base and _key(v) not in in_b)]
        have = {_key(v) for v in merged}
        for i, v in enumerate(b):
            if _key(v) in base or _key(v) in have:
                continue
            # after the item before it in B, when the merged list has that one
            at = len(merged)
            for prev in reversed(b[:i]):
                keys = [_key(m) for m in merged]
                if _key(prev) in keys:
                    at = keys.index(_key(prev)) + 1
                    break
            merged.insert(at, v)
            have.add(_key(v))
        return merged


def _sub(path, part):
    if path is None or part is None:
        return None
    return path + (part,)


def _label(item, key: str) -> str:
    if isinstance(item, dict):
        for k in ("id",) + IDENTITY.get(key, ()):
            if isinstance(item.get(k), (str, int)) and not isinstance(item.get(k), bool):
                return str(item[k])
    return "?"


def _where(where: tuple) -> str:
    """'account acme: committee.kenji@x.title' from a merge path."""
    parts = [p[1:] if isinstance(p, str) and p.startswith("\0") else str(p) for p in where]
    if len(where) >= 2 and isinstance(where[1], str) and where[1].startswith("\0"):
        head = f"{where[0]} {parts[1]}"
        rest = parts[2:]
    else:
        head, rest = (parts[0] if parts else "the file"), parts[1:]
    return head + (": " + ".".join(rest) if rest else "")


def _rewords(o: list, s: list) -> dict:
    """Items of O that side S replaced in place: {item key: the replacing items' keys}."""
    out = {}
    sm = difflib.SequenceMatcher(a=[_key(v) for v in o], b=[_key(v) for v in s], autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "replace":
            continue
        new = tuple(_key(v) for v in s[j1:j2] if _key(v) not in {_key(x) for x in o})
        if not new:
            continue
        for v in o[i1:i2]:
            if _key(v) not in {_key(x) for x in s}:
                out[_key(v)] = new
    return out


def _identity(lists: list[list], key: str):
    """A function giving an element's identity, or None when the elements have none."""
    items = [x for lst in lists for x in lst]
    candidates = [("id",)] + ([IDENTITY[key]] if key in IDENTITY else [])
    for names in candidates:
        def ident(x, names=names):
            for n in names:
                v = x.get(n)
                if v is not None and not isinstance(v, (dict, list)):
                    return (n, _key(v))
            return None
        if all(ident(x) is not None for x in items) and \
                all(len({ident(x) for x in lst}) == len(lst) for lst in lists):
            return ident
    return None


def _similarity(a: dict, b: dict) -> float:
    keys = (set(a) | set(b)) - {"id"}
    if not keys:
        return 0.0
    return sum(1 for k in keys if k in a and k in b and _same(a[k], b[k])) / len(keys)


def match_elements(o: list, a: list, b: list, key: str) -> list[tuple] | None:
    """Groups (index in O, in A, in B; None where absent) in the merged order, or None."""
    ident = _identity([o, a, b], key)
    if ident is None:
        if len(o) == len(a) == len(b):
            return [(i, i, i) for i in range(len(o))]
        return None
    io = {ident(x): i for i, x in enumerate(o)}
    ia = {ident(x): i for i, x in enumerate(a)}
    ib = {ident(x): i for i, x in enumerate(b)}
    groups = [[i, ia.get(k), ib.get(k)] for k, i in io.items()]
    used = [set(), {g[1] for g in groups if g[1] is not None}, {g[2] for g in groups if g[2] is not None}]
    if all("id" in x for x in o + a + b):  # renames: ids are the only identity that is meant to change
        for side, lst in ((1, a), (2, b)):
            lost = [g for g in groups if g[side] is None]
            new = [j for j in range(len(lst)) if j not in used[side]]
            pairs = sorted(((_similarity(o[g[0]], lst[j]), n, j) for n, g in enumerate(lost) for j in new),
                           key=lambda p: (-p[0], p[1], p[2]))
            taken_g, taken_j = set(), set()
            for score, n, j in pairs:
                if score < RENAME_SIMILARITY or n in taken_g or j in taken_j:
                    continue
                lost[n][side] = j
                used[side].add(j)
                taken_g.add(n)
                taken_j.add(j)
    new_a = {ident(a[j]): j for j in range(len(a)) if j not in used[1]}
    new_b = {ident(b[j]): j for j in range(len(b)) if j not in used[2]}
    for k, j in new_a.items():
        groups.append([None, j, new_b.pop(k, None)])
    for k, j in new_b.items():
        groups.append([None, None, j])
    # the merged order: A's, each element only B has after the one before it in B
    with_a = sorted((g for g in groups if g[1] is not None), key=lambda g: g[1])
    rest = sorted((g for g in groups if g[1] is None and g[2] is not None), key=lambda g: g[2])
    order = list(with_a)
    for g in rest:
        at = 0
        for h in sorted((h for h in order if h[2] is not None and h[2] < g[2]), key=lambda h: h[2]):
            at = order.index(h) + 1
        while at < len(order) and order[at][0] is None and order[at][2] is None:
            at += 1  # after what only A added right there
        order.insert(at, g)
    gone = [g for g in groups if g[1] is None and g[2] is None]
    return [tuple(g) for g in order + gone]


# -- 2. the text ---------------------------------------------------------------------------------


def _skeleton(tf: TomlFile, kinds: list[str]) -> str:
    """The text outside the (top-level) entities, blank runs collapsed."""
    plan = _plan(tf)
    lines = _tf_lines(tf)
    drop = set()
    for k in kinds:
        if KINDS[k].parent:
            continue
        for e in plan.all(k):
            start, end = _espan(tf, e.path)
            while start > 0 and _is_comment(lines[start - 1]):
                start -= 1
            drop.update(range(start, end))
    out: list[str] = []
    for i, line in enumerate(lines):
        if i in drop:
            continue
        line = line.rstrip("\r").rstrip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#[^\n]*)?\r?$")


def _tf_lines(tf: TomlFile) -> list[str]:
    lines = getattr(tf, "_qd_lines", None)
    if lines is None:
        lines = _lines(tf.text)
        object.__setattr__(tf, "_qd_lines", lines)
    return lines


def _espan(tf: TomlFile, path: tuple) -> tuple[int, int]:
    """Lines [start, end) of the table at ``path`` with its sub-tables (as the core's
    entity_span, on lines split once per text)."""
    i = tf.index.header_numbers.get(path)
    if i is None:
        from tui.plan.edit import entity_span

        return entity_span(tf, path)
    lines = _tf_lines(tf)
    headers = tf.index.headers
    start, end = headers[i].line, len(lines)
    for h in headers[i + 1:]:
        if h.path[: len(path)] != path:
            end = h.line
            break
    while end > start + 1 and _BLANK_OR_COMMENT.match(lines[end - 1]):
        end -= 1
    return start, end


def _entity_at(plan: Plan, path: tuple) -> Entity | None:
    index = getattr(plan, "_qd_paths", None)
    if index is None:
        index = {e.path: e for items in plan.entities.values() for e in items}
        plan._qd_paths = index  # type: ignore[attr-defined]
    return index.get(path)


def _find(plan: Plan, kind: str, id: str) -> Entity | None:
    index = getattr(plan, "_qd_ids", None)
    if index is None:
        index = {}
        for k, items in plan.entities.items():
            for e in items:
                index.setdefault((k, e.id), e)
        plan._qd_ids = index  # type: ignore[attr-defined]
    return index.get((kind, id))


def _kids(kind_name: str) -> list[str]:
    return [k.name for k in KINDS.values() if k.parent == kind_name]


class _Writer:
    """Edits a text until it holds the target data."""

    def __init__(self, name: str, start: TomlFile, o: TomlFile, y: TomlFile, kinds: list[str]):
        self.name = name
        self.tf = start
        self.x0 = start
        self.o, self.y = o, y
        self.po, self.py, self.px0 = _plan(o), _plan(y), _plan(start)
        self.kinds = kinds
        self.alone = False  # True: the text is one entity's lines on their own
        self.pending: list[tuple[int, int, list[str]]] = []  # merged entity lines not yet in the text
        self._cur: Plan | None = None

    # the text as it is now
    @property
    def cur(self) -> Plan:
        if self._cur is None:
            self._cur = _plan(self.tf)
        return self._cur

    def _try(self, text: str) -> TomlFile | None:
        try:
            return TomlFile.from_bytes(self.tf.path, self.tf.encode(text), self.name)
        except PlanError:
            return None

    def _take(self, tf: TomlFile) -> None:
        self.tf = tf
        self._cur = None

    def flush(self) -> None:
        """Put the entities merged on their own lines back into the text, all in one step."""
        if not self.pending:
            return
        lines = list(_tf_lines(self.tf))
        nl = "\r" if self.tf.newline == "\r\n" else ""
        for start, end, block in sorted(self.pending, key=lambda p: (-p[0], -p[1])):
            lines[start:end] = [ln + nl for ln in block]
        self.pending = []
        tf = self._try("\n".join(lines))
        if tf is None:
            raise _Fallback("entities merged on their own did not fit back in the file")
        self._take(tf)

    def _span(self, tf: TomlFile, plan: Plan, e: Entity, own: bool = True) -> tuple[int, int]:
        start, end = _espan(tf, e.path)
        if own:
            kids = [c for k in _kids(e.kind.name) for c in plan.all(k) if c.path[: len(e.path)] == e.path
                    and len(c.path) > len(e.path)]
            if kids:
                end = min(_espan(tf, c.path)[0] for c in kids)
                lines = _tf_lines(tf)
                while end > start + 1 and (not lines[end - 1].strip() or _is_comment(lines[end - 1])):
                    end -= 1
        return start, end

    def _block(self, tf: TomlFile, plan: Plan, e: Entity, own: bool = True, comments: bool = False) -> list[str]:
        start, end = self._span(tf, plan, e, own)
        lines = _tf_lines(tf)
        if comments:
            while start > 0 and _is_comment(lines[start - 1]):
                start -= 1
        return [ln.rstrip("\r") for ln in lines[start:end]]

    def _splice(self, start: int, end: int, new: list[str]) -> TomlFile | None:
        lines = _lines(self.tf.text)
        nl = "\r" if self.tf.newline == "\r\n" else ""
        lines[start:end] = [ln + nl for ln in new]
        return self._try("\n".join(lines))

    # -- the walk ----------------------------------------------------------------------------
    def write(self, target: dict, origins: dict) -> str:
        """Edit the text to hold ``target``; origins as DataMerge gives them with ``x`` the
        side whose text this is and ``y`` the other.  Raises _Fallback."""
        from tui.plan.edit import EditError

        stub = type("_Stub", (), {})()
        stub.data = target
        want = collect_entities({self.name: stub})  # type: ignore[dict-item]
        # which of X's entities the target keeps (by their path in X)
        kept: set[tuple] = set()
        for (kind, items) in want.items():
            for e in items:
                org = self._origin(e, origins)
                if org[1] is not None:
                    kept.add(org[1])
        try:
            self._remove_dropped(kept)
            for k in self.kinds:
                if KINDS[k].parent:
                    continue
                self._kind(k, want, origins, parent=None)
            self.flush()
        except EditError as exc:
            raise _Fallback(f"an edit step failed ({exc.message})") from None
        if not _same(self.tf.data, target):
            raise _Fallback("the merged text does not hold the merged data")
        return self.tf.text

    def _origin(self, e: Entity, origins: dict) -> tuple:
        if e.kind.singleton:
            p = e.path
            have = lambda plan: p if _entity_at(plan, p) is not None else None  # noqa: E731
            return (have(self.po), have(self.px0), have(self.py))
        return origins.get(e.path, (None, None, None))

    def _remove_dropped(self, kept: set) -> None:
        from tui.plan.edit import remove_entity

        x_entities = [e for k in self.kinds for e in self.px0.all(k)]
        drop = [e for e in x_entities if e.path not in kept]
        # a child goes with its parent
        drop = [e for e in drop if not any(p is not e and p.path == e.path[: len(p.path)] for p in drop)]
        for e in drop:
            if e.kind.singleton:
                raise _Fallback(f"[{e.kind.name}] was removed")
        ids = [(e.kind.name, e.id) for e in drop]
        for kind, id in ids:
            ent = _find(self.cur, kind, id)
            if ent is None:
                raise _Fallback(f"{kind} {id} vanished while merging")
            self._take(self._change(remove_entity(self.cur, kind, id)))

    def _change(self, change) -> TomlFile:
        tf = self._try(change.text)
        if tf is None:
            raise _Fallback("an edit step produced invalid TOML")
        return tf

    def _x_entity(self, xpath) -> Entity | None:
        return _entity_at(self.px0, xpath) if xpath is not None else None

    def _kind(self, kind: str, want: dict, origins: dict, parent: Entity | None) -> None:
        k = KINDS[kind]
        targets = [e for e in want.get(kind, []) if parent is None or e.path[: len(parent.path)] == parent.path]
        prev: str | None = None  # id (now) of the previous sibling
        for t in targets:
            org = self._origin(t, origins)
            xe = self._x_entity(org[1])
            cur_id = None
            if xe is not None:
                cur_id = xe.id if not k.addressed_by_parent else f"{parent.id}/{xe.own_id}"
            cur = _find(self.cur, kind, cur_id) if cur_id is not None else None
            if cur is None:
                cur = self._insert(t, org, prev, parent)
            self._entity(cur, t, org)
            prev = t.id
            if _kids(kind):
                self.flush()
                self._find_path_of(t)
            for child in _kids(kind):
                self._kind(child, want, origins, parent=t)

    def _find_path_of(self, t: Entity) -> Entity:
        e = _find(self.cur, t.kind.name, t.id)
        if e is None:
            raise _Fallback(f"{t.kind.name} {t.id} is missing after its merge")
        return e

    def _insert(self, t: Entity, org: tuple, prev: str | None, parent: Entity | None) -> Entity:
        from tui.plan.edit import insert_block

        self.flush()

        ye = _entity_at(self.py, org[2]) if org[2] is not None else None
        if ye is None:
            raise _Fallback(f"{t.kind.name} {t.id} has no text to take")
        block = self._block(self.y, self.py, ye, own=True, comments=True)
        tf = self.tf
        k = t.kind
        if prev is not None:
            at = self._span(tf, self.cur, _find(self.cur, k.name, prev), own=False)[1]
        else:
            sibs = [e for e in self.cur.all(k.name) if not k.addressed_by_parent or e.parent_id == parent.id]
            if sibs:
                at = self._span(tf, self.cur, sibs[0], own=False)[0]
                lines = _tf_lines(tf)
                while at > 0 and _is_comment(lines[at - 1]):
                    at -= 1
            elif parent is not None:
                pe = _find(self.cur, parent.kind.name, parent.id)
                at = self._span(tf, self.cur, pe, own=False)[1] if pe is not None else None
            else:
                at = None
        new = self._try(insert_block(tf, at, block))
        if new is None:
            raise _Fallback(f"inserting {k.name} {t.id} gave invalid TOML")
        self._take(new)
        # the inserted one: the entity of that kind whose id is the Y id, at the new place
        y_id = ye.id if not k.addressed_by_parent else f"{parent.id}/{ye.own_id}"
        e = _find(self.cur, k.name, y_id)
        if e is None:
            raise _Fallback(f"{k.name} {t.id} could not be placed")
        return e

    def _entity(self, cur: Entity, t: Entity, org: tuple) -> None:
        kind = t.kind.name
        want = _own(t.data, kind)
        oe = _entity_at(self.po, org[0]) if org[0] is not None else None
        ye = _entity_at(self.py, org[2]) if org[2] is not None else None
        if not self.alone and oe is not None and ye is not None:
            self._comments_above(cur, oe, ye)
        same = _same(_own(cur.data, kind), want)
        # B changed the entity's text (a comment, a layout) though perhaps not its data
        b_text = oe is not None and ye is not None and self._block(self.y, self.py, ye) != self._block(self.o, self.po, oe)
        if same and not b_text:
            return
        if not self.alone and len(cur.path) == 2 and not t.kind.singleton and not _kids(kind):
            if self._entity_alone(cur, t, oe, ye):
                return
        self.flush()
        cur = _entity_at(self.cur, cur.path)
        start, end = self._span(self.tf, self.cur, cur)
        mine = [ln.rstrip("\r") for ln in _tf_lines(self.tf)[start:end]]
        candidates = []
        if ye is not None and _same(_own(ye.data, kind), want) and (
                oe is None or self._block(self.o, self.po, oe) == mine):
            candidates.append(self._block(self.y, self.py, ye))  # only B changed it: B's text
        if ye is not None and oe is not None:
            merged = line_merge("\n".join(self._block(self.o, self.po, oe)) + "\n", "\n".join(mine) + "\n",
                                "\n".join(self._block(self.y, self.py, ye)) + "\n")
            if merged is not None:
                candidates.append(merged[:-1].split("\n") if merged.endswith("\n") else merged.split("\n"))
        for block in candidates:
            tf = self._splice(start, end, block)
            if tf is None:
                continue
            got = _entity_at(_plan(tf), cur.path)
            if got is not None and _same(_own(got.data, kind), want):
                self._take(tf)
                return
        if same:
            return  # the data is right; B's layout changes overlap ours: ours are kept
        # field by field
        have = _own(cur.data, kind)
        keys = list(have) + [k for k in want if k not in have]
        for key in keys:
            self._field(cur.path, kind, (key,), want.get(key, _MISSING), oe, ye)

    def _above(self, tf: TomlFile, plan: Plan, e: Entity) -> tuple[int, int, list[str]]:
        """The comment lines directly above an entity: (first line, its header line, the lines)."""
        start = self._span(tf, plan, e, own=False)[0]
        lines = _tf_lines(tf)
        first = start
        while first > 0 and _is_comment(lines[first - 1]):
            first -= 1
        return first, start, [ln.rstrip("\r") for ln in lines[first:start]]

    def _comments_above(self, cur: Entity, oe: Entity, ye: Entity) -> None:
        """B's changes to the comments above an entity, kept (merged with ours when both changed them)."""
        first, start, mine = self._above(self.tf, self.cur, cur)
        base = self._above(self.o, self.po, oe)[2]
        theirs = self._above(self.y, self.py, ye)[2]
        if theirs == base or theirs == mine:
            return
        if mine == base:
            new = theirs
        else:
            merged = line_merge("".join(ln + "\n" for ln in base), "".join(ln + "\n" for ln in mine),
                                "".join(ln + "\n" for ln in theirs))
            new = merged.split("\n")[:-1] if merged is not None else mine + [ln for ln in theirs if ln not in mine]
        self.pending.append((first, start, new))

    def _mini(self, tf: TomlFile, plan: Plan, e: Entity) -> tuple[TomlFile, tuple[int, int]] | None:
        """One entity's lines as a file of their own (cheap to re-parse after each step)."""
        start, end = self._span(tf, plan, e, own=False)
        text = "\n".join(_tf_lines(tf)[start:end]) + "\n"
        try:
            mini = TomlFile.from_bytes(tf.path, tf.encode(text), self.name)
        except PlanError:
            return None
        if not _same(mini.data.get(e.path[0], [None])[0] if isinstance(mini.data.get(e.path[0]), list) else None,
                     e.data):
            return None
        return mini, (start, end)

    def _entity_alone(self, cur: Entity, t: Entity, oe, ye) -> bool:
        """Merge one entity on its own lines, then put them back in one step."""
        mx = self._mini(self.tf, self.cur, cur)
        mo = self._mini(self.o, self.po, oe) if oe is not None else None
        my = self._mini(self.y, self.py, ye) if ye is not None else None
        if mx is None or (oe is not None and mo is None) or (ye is not None and my is None):
            return False
        empty = TomlFile.from_bytes(self.tf.path, b"", self.name)
        sub = _Writer(self.name, mx[0], mo[0] if mo else empty, my[0] if my else empty, self.kinds)
        sub.alone = True
        here = (cur.path[0], 0)
        try:
            sub._entity(_entity_at(sub.cur, here), Entity(t.kind, t.id, t.data, t.file, here),
                        (here if mo else None, here, here if my else None))
        except (_Fallback, KeyError, IndexError, TypeError):
            return False
        except PlanError:
            return False
        got = _entity_at(sub.cur, here)
        if got is None or not _same(got.data, t.data):
            return False
        block = sub.tf.text.split("\n")
        if block and block[-1] == "":
            block.pop()
        start, end = mx[1]
        self.pending.append((start, end, [ln.rstrip("\r") for ln in block]))
        return True

    def _field(self, path: tuple, kind: str, rel: tuple, value, oe, ye) -> None:
        from tui.plan.edit import EditError, set_field, unset_field

        e = _entity_at(self.cur, path)
        now = _dig(e.data, rel)
        if _eq(now, value):
            return
        full = path + rel
        # B's lines of the field, or a line merge of the field's three texts
        y_lines = self._key_lines(self.y, ye.path + rel) if ye is not None else None
        o_lines = self._key_lines(self.o, oe.path + rel) if oe is not None else None
        x_span = self._key_span(self.tf, full)
        if x_span is not None:
            mine = [ln.rstrip("\r") for ln in _tf_lines(self.tf)[x_span[0]:x_span[1]]]
            tries = []
            if y_lines is not None:
                tries.append(y_lines)
                if o_lines is not None:
                    merged = line_merge("\n".join(o_lines) + "\n", "\n".join(mine) + "\n", "\n".join(y_lines) + "\n")
                    if merged is not None:
                        tries.append(merged[:-1].split("\n"))
            if isinstance(value, str) and "\n" in value:
                block = _multiline(mine[0], value)
                if block is not None:
                    tries.append(block)
            for block in tries:
                tf = self._splice(x_span[0], x_span[1], block)
                if tf is not None:
                    got = _entity_at(_plan(tf), path)
                    if got is not None and _eq(_dig(got.data, rel), value):
                        self._take(tf)
                        return
        ent = _entity_at(self.cur, path)
        try:
            if value is _MISSING:
                change = unset_field(self.cur, kind, ent.id, rel, force=True)
            else:
                change = set_field(self.cur, kind, ent.id, rel, value, force=True, allow_id=True)
            self._take(self._change(change))
            return
        except (EditError, KeyError, IndexError, TypeError):
            pass
        # nested: key by key, or element by element
        if isinstance(now, dict) and isinstance(value, dict):
            for k in list(now) + [k for k in value if k not in now]:
                self._field(path, kind, rel + (k,), value.get(k, _MISSING), oe, ye)
            return
        if _table_list(now) and _table_list(value) and len(now) == len(value):
            for i, item in enumerate(value):
                self._field(path, kind, rel + (i,), item, None, None)
            return
        raise _Fallback(f"cannot write {kind} {ent.id}: {'.'.join(map(str, rel))}")

    def _key_span(self, tf: TomlFile, full: tuple) -> tuple[int, int] | None:
        loc = tf.index.keys.get(full)
        if loc is None or full in tf.index.header_numbers:
            return None
        line = _tf_lines(tf)[loc.line]
        if line.lstrip().startswith("[") or not line.lstrip()[:1]:
            return None
        return loc.line, loc.end_line + 1

    def _key_lines(self, tf: TomlFile, full: tuple) -> list[str] | None:
        span = self._key_span(tf, full)
        if span is None:
            return None
        return [ln.rstrip("\r") for ln in _tf_lines(tf)[span[0]:span[1]]]


_OPENING = re.compile(r'^(\s*[^=]+?=\s*)"""\s*$')


def _multiline(first: str, value: str) -> list[str] | None:
    """A multi-line string written as the file wrote it before: the opening line
    (``key = \"\"\"``) kept, the text one line per line, so an edit changes only the lines
    it changes."""
    m = _OPENING.match(first)
    if not m:
        return None

    def esc(line: str) -> str:
        line = line.replace("\\", "\\\\").replace('"""', '""\\"')
        return re.sub(r"[\x00-\x08\x0b-\x1f\x7f]", lambda c: f"\\u{ord(c.group()):04x}", line)

    body = [esc(ln) for ln in value.split("\n")]
    if body[-1].endswith('"'):
        body[-1] = body[-1][:-1] + '\\"'
    if value.endswith("\n"):
        body[-1] = '"""'
    else:
        body[-1] += '"""'
    return [first.rstrip("\r")] + body


def _dig(data, path):
    for p in path:
        if isinstance(data, dict) and p in data:
            data = data[p]
        elif isinstance(data, list) and isinstance(p, int) and p < len(data):
            data = data[p]
        else:
            return _MISSING
    return data


def _markers(ours: str, theirs: str, size: int, labels: list[str], nl: str, ours_tf: TomlFile,
             theirs_tf: TomlFile) -> str:
    """Conflict markers around the lines that differ between the two resolutions,
    widened to whole fields (multi-line values) on both sides."""
    a, b = ours.split("\n"), theirs.split("\n")
    sm = difflib.SequenceMatcher(a=[ln.rstrip("\r") for ln in a], b=[ln.rstrip("\r") for ln in b], autojunk=False)
    regions = [_slide([i1, i2, j1, j2], a, b) for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]
    spans_a, spans_b = _value_spans(ours_tf), _value_spans(theirs_tf)
    for n, r in enumerate(regions):
        floor = regions[n - 1][1] if n else 0  # the equal run before this region starts here (in A)
        ceil = regions[n + 1][0] if n + 1 < len(regions) else len(a)
        for _ in range(8):
            up = min(max(_grow(r[0], r[1], spans_a)[0], _grow(r[2], r[3], spans_b)[0]), r[0] - floor)
            down = min(max(_grow(r[0], r[1], spans_a)[1], _grow(r[2], r[3], spans_b)[1]), ceil - r[1])
            if up <= 0 and down <= 0:
                break
            r[0] -= up
            r[2] -= up
            r[1] += down
            r[3] += down
    merged: list[list[int]] = []
    for r in regions:  # regions that now touch become one
        if merged and r[0] <= merged[-1][1]:
            merged[-1][1], merged[-1][3] = max(merged[-1][1], r[1]), max(merged[-1][3], r[3])
        else:
            merged.append(r)
    label = "; ".join(dict.fromkeys(labels)) or "conflict"
    out: list[str] = []
    at = 0
    for i1, i2, j1, j2 in merged:
        out += a[at:i1]
        out += [f"{'<' * size} ours ({label})" + nl] + a[i1:i2] + ["=" * size + nl]
        out += b[j1:j2] + [f"{'>' * size} theirs ({label})" + nl]
        at = i2
    out += a[at:]
    return "\n".join(out)


def _slide(r: list[int], a: list[str], b: list[str]) -> list[int]:
    """A block only one side has can sit at several places among equal lines: put it where
    it starts with a table header (or else a line that is not blank), as a person would."""
    i1, i2, j1, j2 = r
    if i1 != i2 and j1 != j2:
        return r
    lines, s, e = (b, j1, j2) if i1 == i2 else (a, i1, i2)
    other = a if lines is b else b
    o_at = i1 if lines is b else j1
    options = [0]
    k = 1  # upwards: the line above equals the block's last line
    while s - k >= 0 and o_at - k >= 0 and lines[s - k] == lines[e - k] and other[o_at - k] == lines[s - k]:
        options.append(-k)
        k += 1
    k = 0  # downwards: the block's first line equals the line below it
    while e + k < len(lines) and o_at + k < len(other) and lines[s + k] == lines[e + k] and other[o_at + k] == lines[e + k]:
        options.append(k + 1)
        k += 1

    def score(d: int) -> int:
        first = lines[s + d].lstrip()
        return 2 if first.startswith("[") else 1 if first.strip() and not first.startswith("#") else 0

    best = max(options, key=lambda d: (score(d), -abs(d)))
    return [i1 + best, i2 + best, j1 + best, j2 + best]


def _value_spans(tf: TomlFile) -> list[tuple[int, int]]:
    return [(loc.line, loc.end_line + 1) for loc in tf.index.keys.values() if loc.end_line > loc.line]


def _grow(i1: int, i2: int, spans) -> tuple[int, int]:
    """How many lines a region [i1, i2) must grow up and down to hold whole values."""
    up = down = 0
    for s, e in spans:
        if (s < i2 and e > i1) if i2 > i1 else (s < i1 < e):
            up = max(up, i1 - s)
            down = max(down, e - i2)
    return up, down


def _file_name(path: str, data: dict) -> str | None:
    from .textconv import guess_name

    from tui.plan.layout import file_of_path

    split = file_of_path(path)  # accounts/<id>.toml: a file of the kind kept one file per entity
    if split is not None:
        return split
    base = Path(path).name
    if base in PLAN_FILES:
        return base
    return guess_name(path, data)


def _check_ids(tf: TomlFile, kinds: list[str]) -> None:
    plan = _plan(tf)
    for k in kinds:
        ids = [e.id for e in plan.all(k)]
        if len(ids) != len(set(ids)):
            raise _Fallback(f"{tf.name} has two {k} entities with one id")


def merge_bytes(base: bytes, ours: bytes, theirs: bytes, path: str = "", *, marker_size: int = 7) -> MergeOutcome:
    """Merge three versions of a plan file in memory (raises _Fallback when it cannot)."""
    if ours == theirs or base == theirs:
        return MergeOutcome(ours.decode("utf-8", "replace"), raw=ours)
    if base == ours:
        return MergeOutcome(theirs.decode("utf-8", "replace"), raw=theirs)
    probe = _parse(ours, Path(path).name or "plan.toml", "our")
    name = _file_name(path, probe.data)
    if name is None:
        raise _Fallback(f"{path or 'the file'} is not a plan file")
    o, a, b = _parse(base, name, "the common ancestor's"), _parse(ours, name, "our"), _parse(theirs, name, "their")
    kinds = [k.name for k in kinds_in_file(name)]
    for tf in (o, a, b):
        _check_ids(tf, kinds)
    # the data, once with our value at each conflict and once with theirs
    m_ours, m_theirs = DataMerge("ours"), DataMerge("theirs")
    want_ours = m_ours.merge(o.data, a.data, b.data)
    want_theirs = m_theirs.merge(o.data, a.data, b.data)
    conflicts = [f"{c.where} ({c.why})" for c in m_ours.conflicts]
    outcome = MergeOutcome(None)
    if not conflicts:
        # git's line merge keeps both sides' layout and comments: take it when it is right
        whole = line_merge(o.text, a.text, b.text)
        if whole is not None:
            try:
                tf = TomlFile.from_bytes(a.path, a.encode(whole), name)
            except PlanError:
                tf = None
            if tf is not None and _same(tf.data, want_ours):
                outcome.text, outcome.raw = whole, tf.raw
                return outcome
    so, sa, sb = (_skeleton(tf, kinds) for tf in (o, a, b))
    swapped = False
    if sb != so and sa != sb:
        if sa != so:
            raise _Fallback("both sides changed the text between entities (comments)")
        swapped = True  # B changed the comments around the entities: write on B's text
    x, y = (b, a) if swapped else (a, b)

    def write(want: dict, merger: DataMerge) -> TomlFile:
        origins = {p: ((org[0], org[2], org[1]) if swapped else org) for p, org in merger.origins.items()}
        w = _Writer(name, x, o, y, kinds)
        w.write(want, origins)
        return w.tf

    t_ours = write(want_ours, m_ours)
    if not conflicts:
        outcome.text, outcome.raw = t_ours.text, t_ours.raw
        return outcome
    t_theirs = write(want_theirs, m_theirs)
    nl = "\r" if a.newline == "\r\n" else ""
    text = _markers(t_ours.text, t_theirs.text, marker_size, [c.where for c in m_ours.conflicts], nl, t_ours,
                    t_theirs)
    outcome.conflicts = conflicts
    outcome.text = text
    outcome.raw = a.encode(text)
    return outcome


def _git_merge_file(base: str, ours: str, theirs: str, marker_size: int, path: str) -> int:
    label = path or "file"
    try:
        done = subprocess.run(["git", "merge-file", f"--marker-size={marker_size}", "-L", f"ours ({label})",
                               "-L", "base", "-L", f"theirs ({label})", "--", ours, base, theirs],
                              capture_output=True, stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        return 2
    return done.returncode


def merge_files(base: str, ours: str, theirs: str, path: str = "", *, marker_size: int = 7) -> MergeOutcome:
    """The merge driver: merge into the file ``ours``; fall back to git's line merge."""
    try:
        raws = [Path(p).read_bytes() for p in (base, ours, theirs)]
    except OSError as exc:
        return MergeOutcome(None, conflicts=[f"cannot read the versions to merge: {exc.strerror}"],
                            messages=[f"cannot read the versions to merge: {exc.strerror}"], fallback=True)
    try:
        outcome = merge_bytes(*raws, path, marker_size=marker_size)
    except _Fallback as exc:
        return _fallback(base, ours, theirs, path, marker_size, str(exc), raws)
    except Exception as exc:  # noqa: BLE001 - a merge must never lose work: let git's merge do it
        return _fallback(base, ours, theirs, path, marker_size, f"unexpected problem ({type(exc).__name__}: {exc})",
                         raws)
    _write(ours, outcome.raw if outcome.raw is not None else outcome.text.encode("utf-8"))
    name = path or Path(ours).name
    if outcome.conflicts:
        outcome.messages.append(f"{name}: conflicts in " + "; ".join(outcome.conflicts))
    else:
        outcome.messages.append(f"{name}: merged entity by entity")
    return outcome


def _fallback(base, ours, theirs, path, marker_size, why, raws=None) -> MergeOutcome:
    status = _git_merge_file(base, ours, theirs, marker_size, path)
    out = MergeOutcome(None, fallback=True,
                       messages=[f"{path or ours}: merged line by line instead ({why})"])
    if status != 0:
        out.conflicts.append(f"{path or ours}: line conflicts (git merge-file)")
    elif raws is not None:
        # a clean line merge the entity merge could not confirm: keep it, but let a person look
        try:
            merged = Path(ours).read_bytes()
            name = Path(path).name or "plan.toml"
            ok = _confirm(raws, merged, name)
        except (OSError, _Fallback):
            ok = False
        if not ok:
            out.conflicts.append(f"{path or ours}: merged line by line, and the result could not be checked "
                                 "against both sides' changes; review it before committing")
    return out


def _confirm(raws, merged: bytes, name: str) -> bool:
    """True when a line merge's result holds the data the entity merge expects (no conflicts)."""
    try:
        o, a, b = (TomlFile.from_bytes(Path(name), r, name) for r in raws)
        got = TomlFile.from_bytes(Path(name), merged, name)
    except PlanError:
        return False
    m = DataMerge("ours")
    want = m.merge(o.data, a.data, b.data)
    return not m.conflicts and _same(got.data, want)


def _write(path: str, data: bytes) -> None:
    atomic_write(Path(path), data, name=Path(path).name)


__all__ = ["DataMerge", "IDENTITY", "MergeOutcome", "line_merge", "match_elements", "merge_bytes", "merge_files"]
