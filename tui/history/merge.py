"""Three-way merge of a plan file by entity id (git's ``merge.quarterdeck.driver``).

git gives the common ancestor (O), our version (A, where the result goes) and their
version (B).  The merge works on A's text and applies B's changes relative to O, entity
by entity, through the core edit functions, so A's formatting, comments and order
survive:

- an entity only B changed: B's text of that entity replaces A's;
- an entity both changed: field by field (nested tables key by key).  A field only B
  changed takes B's value; lists of plain values (owners, plays) that both changed
  are merged as sets (both sides' additions kept, both sides' removals applied);
  a field both changed to different values is a conflict;
- an entity B added is inserted after its nearest preceding sibling (as in B);
  one B removed is removed, unless A changed it (a conflict);
- key results are entities of their own inside their goal.

Text outside the entities (comments between them) is taken from whichever side
changed it; when both changed it differently, or a file does not parse, the merge
falls back to git's own line merge (``git merge-file``).  Every merged entity is
checked against the expected data after the merge; any mismatch also falls back.

A conflict is written as conflict markers around that one entity (for a goal with
key results, around the goal's own fields): the "ours" side holds A with all of B's
non-conflicting changes, the "theirs" side the same with B's values for the
conflicting fields, so either choice keeps every other edit.  The driver then exits
non-zero and git reports the file as conflicted.
"""

from __future__ import annotations

import copy
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.document import TomlFile
from tui.plan.edit import insert_block
from tui.plan.model import Entity, Plan, collect_entities
from tui.plan.problems import PlanError
from tui.plan.registry import KINDS, PLAN_FILES, kinds_in_file
from tui.plan.save import atomic_write

from .semdiff import CHILD_KEYS, same as _same

_MISSING = object()


class _Fallback(Exception):
    """The entity merge cannot do this one safely; use git's line merge."""


@dataclass
class MergeOutcome:
    text: str | None  # the merged text (None when the fallback wrote the file)
    conflicts: list[str] = field(default_factory=list)  # "account acme: tier"
    messages: list[str] = field(default_factory=list)
    fallback: bool = False
    raw: bytes | None = None  # the merged bytes (BOM kept)


# -- helpers ------------------------------------------------------------------------------


def _parse(raw: bytes, name: str, side: str) -> TomlFile:
    try:
        return TomlFile.from_bytes(Path(name), raw, name)
    except PlanError as exc:
        raise _Fallback(f"{side} version of {name} does not parse ({exc.message})") from None


def _plan(tf: TomlFile) -> Plan:
    return Plan(root=Path("."), files={tf.name: tf}, entities=collect_entities({tf.name: tf}))


def _own(e: Entity) -> dict:
    children = CHILD_KEYS.get(e.kind.name, ())
    return {k: v for k, v in e.data.items() if k not in children}


def _children_kinds(kind_name: str) -> list[str]:
    return [k.name for k in KINDS.values() if k.parent == kind_name]


def _entities(plan: Plan, kinds: list[str]) -> dict[tuple[str, str], Entity]:
    out = {}
    for k in kinds:
        for e in plan.all(k):
            out.setdefault((k, e.id), e)
    return out


def _lines(text: str) -> list[str]:
    return text.split("\n")


def _span(tf: TomlFile, e: Entity) -> tuple[int, int]:
    from tui.plan.edit import entity_span

    return entity_span(tf, e.path)


def _is_comment(line: str) -> bool:
    return line.lstrip().startswith("#")


def _block(tf: TomlFile, e: Entity, with_comments: bool = True) -> list[str]:
    """The entity's lines (and the comment lines directly above it), without line ends."""
    start, end = _span(tf, e)
    lines = _lines(tf.text)
    if with_comments:
        while start > 0 and _is_comment(lines[start - 1]):
            start -= 1
    return [ln.rstrip("\r") for ln in lines[start:end]]


def _own_section(tf: TomlFile, e: Entity, plan: Plan) -> tuple[int, int]:
    """Lines of an entity without its child entities (a goal without its key results)."""
    start, end = _span(tf, e)
    kids = [c for k in _children_kinds(e.kind.name) for c in plan.all(k) if c.path[: len(e.path)] == e.path]
    if kids:
        end = min(_span(tf, c)[0] for c in kids)
        lines = _lines(tf.text)
        while end > start + 1 and (not lines[end - 1].strip() or _is_comment(lines[end - 1])):
            end -= 1
    return start, end


def _skeleton(tf: TomlFile, plan: Plan, kinds: list[str]) -> str:
    """The text outside the (top-level) entities, blank runs collapsed."""
    lines = _lines(tf.text)
    drop = set()
    for k in kinds:
        if KINDS[k].parent:
            continue
        for e in plan.all(k):
            start, end = _span(tf, e)
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


def _field_name(path: tuple) -> str:
    return ".".join(str(p) for p in path)


def merge_fields(o, x, y, prefix: tuple = ()) -> tuple[list[tuple[tuple, object]], list[tuple]]:
    """Y's changes relative to O, to apply on X: ([(path, value or _MISSING)], [conflicting paths])."""
    edits: list[tuple[tuple, object]] = []
    conflicts: list[tuple] = []
    keys = list(x) + [k for k in y if k not in x] + [k for k in o if k not in x and k not in y]
    for key in keys:
        ov, xv, yv = o.get(key, _MISSING), x.get(key, _MISSING), y.get(key, _MISSING)
        path = prefix + (key,)
        if _eq(yv, ov) or _eq(xv, yv):
            continue
        if _eq(xv, ov):
            edits.append((path, yv))
            continue
        if isinstance(xv, dict) and isinstance(yv, dict) and (ov is _MISSING or isinstance(ov, dict)):
            e2, c2 = merge_fields(ov if isinstance(ov, dict) else {}, xv, yv, path)
            edits += e2
            conflicts += c2
            continue
        if _plain_list(xv) and _plain_list(yv) and (ov is _MISSING or _plain_list(ov)):
            base = ov if isinstance(ov, list) else []
            merged = [v for v in xv if not (_in(base, v) and not _in(yv, v))]
            merged += [v for v in yv if not _in(base, v) and not _in(merged, v)]
            if not _eq(merged, xv):
                edits.append((path, merged))
            continue
        conflicts.append(path)
    return edits, conflicts


def _eq(a, b) -> bool:
    if a is _MISSING or b is _MISSING:
        return a is b
    return _same(a, b)


def _in(items, value) -> bool:
    return any(_same(v, value) for v in items)


def _plain_list(v) -> bool:
    return isinstance(v, list) and all(not isinstance(i, (dict, list)) for i in v)


def _apply(plan: Plan, name: str, kind: str, id: str, edits) -> None:
    """Apply field edits to one entity of the in-memory plan (raises EditError)."""
    from tui.plan.edit import set_field, stage_change, unset_field

    schemas = _schemas()
    for path, value in edits:
        if value is _MISSING:
            change = unset_field(plan, kind, id, path, schemas=schemas, force=True)
        else:
            change = set_field(plan, kind, id, path, value, schemas=schemas, force=True, allow_id=True)
        stage_change(plan, change)


def _schemas():
    from tui.plan.schema import load_schemas

    return load_schemas()


def _replace_lines(plan: Plan, name: str, start: int, end: int, new: list[str]) -> None:
    tf = plan.files[name]
    lines = _lines(tf.text)
    nl = "\r" if tf.newline == "\r\n" else ""
    lines[start:end] = [ln + nl for ln in new]
    _set_text(plan, name, "\n".join(lines))


def _set_text(plan: Plan, name: str, text: str) -> None:
    old = plan.files[name]
    try:
        tf = TomlFile.from_bytes(old.path, old.encode(text), name)
    except PlanError as exc:
        raise _Fallback(f"an entity merge step produced invalid TOML ({exc.message})") from None
    plan.files[name] = tf
    plan.entities = collect_entities(plan.files)


def _insert_block(plan: Plan, name: str, at: int, block: list[str]) -> None:
    _set_text(plan, name, insert_block(plan.files[name], at, block))


# -- the merge ------------------------------------------------------------------------------


class _Merger:
    def __init__(self, o: TomlFile, a: TomlFile, b: TomlFile, name: str, kinds: list[str], swapped: bool):
        self.name = name
        self.kinds = kinds
        self.swapped = swapped  # True: the text worked on is B's, and A's changes are applied
        self.o, self.x, self.y = o, (b if swapped else a), (a if swapped else b)
        self.po, self.py = _plan(o), _plan(self.y)
        self.cur = _plan(self.x)  # the plan being edited (starts as X)
        self.eo = _entities(self.po, kinds)
        self.ey = _entities(self.py, kinds)
        self.ex = _entities(self.cur, kinds)
        self.expected: dict[tuple[str, str], dict | None] = {}
        self.conflicts: list[tuple[str, str, str, list[tuple]]] = []  # (kind, id, how, paths)
        self.messages: list[str] = []
        self.done: set[tuple[str, str]] = set()

    # lookups on the current text
    def now(self, kind: str, id: str) -> Entity | None:
        return self.cur.find(kind, id)

    def run(self) -> None:
        top = [k for k in self.kinds if not KINDS[k].parent]
        for k in top:
            self._merge_kind(k, parent_id=None)

    def _order(self, kind: str, parent_id: str | None) -> list[str]:
        """Ids of a kind as ordered in O, X and Y together (X's order first)."""
        k = KINDS[kind]
        seen, out = set(), []
        for plan in (self.cur, self.py, self.po):
            for i in (e.id for e in plan.all(kind) if not k.addressed_by_parent or e.parent_id == parent_id):
                if i not in seen:
                    seen.add(i)
                    out.append(i)
        return out

    def _merge_kind(self, kind: str, parent_id: str | None) -> None:
        for id in self._order(kind, parent_id):
            key = (kind, id)
            if key in self.done:
                continue
            self.done.add(key)
            self._merge_entity(kind, id)

    def _full(self, e: Entity | None):
        return None if e is None else e.data

    def _merge_entity(self, kind: str, id: str) -> None:
        key = (kind, id)
        o, x, y = self.eo.get(key), self.ex.get(key), self.ey.get(key)
        kids = _children_kinds(kind)
        if y is None and o is None:
            self.expected[key] = self._full(x) and _own(x)
            self._children(kind, id, kids)  # X added it: nothing from Y (its children too)
            return
        if x is None and o is None:  # Y added it
            self._insert_from_y(kind, id)
            self._mark_children_done(kind, id, kids, self.py)
            self.expected[key] = _own(y)
            return
        if y is None:  # Y removed it
            if x is None:
                self.expected[key] = None
                self._mark_children_done(kind, id, kids, self.po)
                return
            if _same(x.data, o.data):
                from tui.plan.edit import remove_entity, stage_change

                stage_change(self.cur, remove_entity(self.cur, kind, id))
                self.expected[key] = None
                self._mark_children_done(kind, id, kids, self.po)
                self._mark_children_done(kind, id, kids, self.cur)
                return
            self.conflicts.append((kind, id, "theirs removed it, ours changed it", []))
            self.expected[key] = _own(x)
            self._mark_children_done(kind, id, kids, self.cur, expect=False)
            return
        if x is None:  # X removed it
            if o is not None and _same(y.data, o.data):
                self.expected[key] = None
                self._mark_children_done(kind, id, kids, self.po)  # gone, with their children
                self._mark_children_done(kind, id, kids, self.py, expect=False)
                return
            self.conflicts.append((kind, id, "ours removed it, theirs changed it", []))
            self.expected[key] = None
            self._mark_children_done(kind, id, kids, self.py, expect=False)
            return
        base = o.data if o is not None else {}
        if _same(y.data, base) or _same(x.data, y.data):
            self.expected[key] = _own(x)
            self._mark_children_done(kind, id, kids, self.cur)
            return
        if o is not None and _block(self.x, x, with_comments=False) == _block(self.o, o, with_comments=False):
            # only Y changed it (X's text of it is the ancestor's): take Y's text of it
            now = self.now(kind, id)
            start, end = _span(self.cur.files[self.name], now)
            self._replace(start, end, _block(self.y, y, with_comments=False))
            self.expected[key] = _own(y)
            self._mark_children_done(kind, id, kids, self.py)
            self._mark_children_done(kind, id, kids, self.cur)
            return
        # both changed it: field by field, then its children one by one
        obase = _own(o) if o is not None else {}
        edits, conflicts = merge_fields(obase, _own(x), _own(y))
        expected = copy.deepcopy(_own(x))
        for path, value in edits:
            _assign(expected, path, value)
        applied = self._try_apply(kind, id, edits, kids)
        if not applied:
            conflicts = conflicts or [()]
        if conflicts:
            self.conflicts.append((kind, id, "both changed it", conflicts))
        self.expected[key] = expected if not conflicts else None
        self._children(kind, id, kids)

    def _try_apply(self, kind, id, edits, kids) -> bool:
        from tui.plan.edit import EditError

        if not edits:
            return True
        snapshot = self.cur.files[self.name]
        try:
            _apply(self.cur, self.name, kind, id, edits)
            return True
        except (EditError, _Fallback):
            self.cur.files[self.name] = snapshot
            self.cur.entities = collect_entities(self.cur.files)
        if kids:
            return False
        # the other way round: X's changes onto Y's text of the entity, then that text into X
        o = self.eo.get((kind, id))
        x_edits, x_conflicts = merge_fields(_own(o) if o is not None else {}, _own(self.ey[(kind, id)]),
                                            _own(self.now(kind, id)))
        if x_conflicts:
            return False
        side = _plan(self.y)
        try:
            _apply(side, self.name, kind, id, x_edits)
        except (EditError, _Fallback):
            return False
        e = side.find(kind, id)
        block = _block(side.files[self.name], e, with_comments=False)
        start, end = _span(self.cur.files[self.name], self.now(kind, id))
        self._replace(start, end, block)
        return True

    def _children(self, kind: str, id: str, kids: list[str]) -> None:
        for child in kids:
            self._merge_kind(child, parent_id=id if not KINDS[kind].singleton else None)

    def _mark_children_done(self, kind, id, kids, plan: Plan, expect: bool = True) -> None:
        for child in kids:
            for e in plan.all(child):
                if KINDS[kind].singleton or e.parent_id == id:
                    self.done.add((child, e.id))
                    if expect:
                        self.expected.setdefault((child, e.id), _own(e) if plan is not self.po else None)

    def _replace(self, start: int, end: int, lines: list[str]) -> None:
        _replace_lines(self.cur, self.name, start, end, lines)

    def _insert_from_y(self, kind: str, id: str) -> None:
        y = self.ey[(kind, id)]
        block = _block(self.y, y)
        at = self._position(kind, y)
        _insert_block(self.cur, self.name, at, block)

    def _position(self, kind: str, y: Entity) -> int:
        """Where an entity Y added goes in the current text: after its nearest preceding
        sibling (as ordered in Y) that the text has, else before the first sibling it has."""
        k = KINDS[kind]
        tf = self.cur.files[self.name]
        same_parent = (lambda e: e.parent_id == y.parent_id) if k.addressed_by_parent else (lambda e: True)
        y_sibs = [e.id for e in self.py.all(kind) if same_parent(e)]
        here = {e.id: e for e in self.cur.all(kind) if same_parent(e)}
        i = y_sibs.index(y.id)
        x_order = list(here)
        in_o = {e.id for e in self.po.all(kind)}
        in_y = set(y_sibs)
        for prev in reversed(y_sibs[:i]):
            if prev in here:
                # after prev, and after the entities only this side added right behind it
                j = x_order.index(prev)
                while j + 1 < len(x_order) and x_order[j + 1] not in in_o and x_order[j + 1] not in in_y:
                    j += 1
                return _span(tf, here[x_order[j]])[1]
        for nxt in y_sibs[i + 1:]:
            if nxt in here:
                start = _span(tf, here[nxt])[0]
                lines = _lines(tf.text)
                while start > 0 and _is_comment(lines[start - 1]):
                    start -= 1
                return start
        if here:
            return _span(tf, list(here.values())[-1])[1]
        if k.parent:
            parent = self.cur.find(k.parent, y.parent_id or k.parent)
            if parent is not None:
                return _span(tf, parent)[1]
        return len(_lines(tf.text))

    # -- checking and conflicts ------------------------------------------------------------
    def verify(self) -> None:
        final = _entities(self.cur, self.kinds)
        conflicted = {(k, i) for k, i, _, _ in self.conflicts}
        for key, want in self.expected.items():
            if key in conflicted:
                continue
            got = final.get(key)
            if want is None:
                if got is not None and key not in conflicted:
                    raise _Fallback(f"{key[0]} {key[1]} should have been removed")
                continue
            if got is None or not _same(_own(got), want):
                raise _Fallback(f"{key[0]} {key[1]} did not merge as expected")

    def conflict_text(self, marker_size: int) -> str:
        """The current text with conflict markers around each conflicting entity."""
        tf = self.cur.files[self.name]
        lines = _lines(tf.text)
        nl = "\r" if tf.newline == "\r\n" else ""
        regions = []  # (start, end, ours lines, theirs lines)
        for kind, id, how, paths in self.conflicts:
            now = self.now(kind, id)
            y = self.ey.get((kind, id))
            if now is None:  # removed on the side whose text this is
                at = self._position(kind, y) if y is not None else len(lines)
                mine, other = [], _block(self.y, y, with_comments=False)
                start = end = at
            elif y is None:
                start, end = _span(tf, now)
                mine, other = [ln.rstrip("\r") for ln in lines[start:end]], []
            else:
                start, end = _own_section(tf, now, self.cur)
                mine = [ln.rstrip("\r") for ln in lines[start:end]]
                other = self._their_section(kind, id, paths, y)
            ours, theirs = (other, mine) if self.swapped else (mine, other)
            regions.append((start, end, ours, theirs, f"{kind} {id}"))
        for start, end, ours, theirs, what in sorted(regions, key=lambda r: -r[0]):
            block = ([f"{'<' * marker_size} ours ({what})"] + ours + ["=" * marker_size] + theirs
                     + [f"{'>' * marker_size} theirs ({what})"])
            if start == end:  # a block of its own between two entities
                if start > 0 and lines[start - 1].strip():
                    block.insert(0, "")
                if start < len(lines) and lines[start].strip():
                    block.append("")
            lines[start:end] = [ln + nl for ln in block]
        return "\n".join(lines)

    def _their_section(self, kind: str, id: str, paths: list[tuple], y: Entity) -> list[str]:
        """The entity's own section with the other side's values for the conflicting fields."""
        from tui.plan.edit import EditError

        if paths and all(paths):
            trial = _plan(self.cur.files[self.name])
            edits = [(p, _dig(_own(y), p)) for p in paths]
            try:
                _apply(trial, self.name, kind, id, edits)
                e = trial.find(kind, id)
                tf = trial.files[self.name]
                start, end = _own_section(tf, e, trial)
                return [ln.rstrip("\r") for ln in _lines(tf.text)[start:end]]
            except (EditError, _Fallback, KeyError):
                pass
        start, end = _own_section(self.y, y, self.py)
        return [ln.rstrip("\r") for ln in _lines(self.y.text)[start:end]]


def _dig(data, path):
    for p in path:
        if not isinstance(data, dict) or p not in data:
            return _MISSING
        data = data[p]
    return data


def _assign(target: dict, path: tuple, value) -> None:
    for p in path[:-1]:
        target = target.setdefault(p, {})
    if value is _MISSING:
        target.pop(path[-1], None)
    else:
        target[path[-1]] = copy.deepcopy(value)


def _file_name(path: str, data: dict) -> str | None:
    from .textconv import guess_name

    base = Path(path).name
    if base in PLAN_FILES:
        return base
    return guess_name(path, data)


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
    so, sa, sb = (_skeleton(tf, _plan(tf), kinds) for tf in (o, a, b))
    swapped = False
    if sb != so and sa != sb:
        if sa != so:
            raise _Fallback("both sides changed the text between entities (comments)")
        swapped = True  # B changed the comments: work on B's text and apply A's changes
    m = _Merger(o, a, b, name, kinds, swapped)
    m.run()
    m.verify()
    outcome = MergeOutcome(None, messages=m.messages)
    for kind, id, how, paths in m.conflicts:
        fields = ", ".join(_field_name(p) for p in paths if p) or "the whole entity"
        outcome.conflicts.append(f"{kind} {id}: {how} ({fields})")
    if outcome.conflicts:
        text = m.conflict_text(marker_size)
    else:
        text = m.cur.files[name].text
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
        return _fallback(base, ours, theirs, path, marker_size, str(exc))
    except Exception as exc:  # noqa: BLE001 - a merge must never lose work: let git's merge do it
        return _fallback(base, ours, theirs, path, marker_size, f"unexpected problem ({type(exc).__name__}: {exc})")
    _write(ours, outcome.raw if outcome.raw is not None else outcome.text.encode("utf-8"))
    name = path or Path(ours).name
    if outcome.conflicts:
        outcome.messages.append(f"{name}: conflicts in " + "; ".join(outcome.conflicts))
    else:
        outcome.messages.append(f"{name}: merged entity by entity")
    return outcome


def _fallback(base, ours, theirs, path, marker_size, why) -> MergeOutcome:
    status = _git_merge_file(base, ours, theirs, marker_size, path)
    out = MergeOutcome(None, fallback=True,
                       messages=[f"{path or ours}: merged line by line instead ({why})"])
    if status != 0:
        out.conflicts.append(f"{path or ours}: line conflicts (git merge-file)")
    return out


def _write(path: str, data: bytes) -> None:
    atomic_write(Path(path), data, name=Path(path).name)
