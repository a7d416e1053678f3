"""A plan folder, loaded: its files, and the entities the registry finds in them."""

from __future__ import annotations

import datetime as _dt
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from . import layout
from .document import TomlFile, plan_boundary, read_plan_bytes
from .problems import ERROR, PlanError, Problem, UnreadableError
from .registry import KINDS, PLAN_FILES, Kind, full_path
from .save import TEMP_SUFFIX



@dataclass
class Entity:
    kind: Kind
    id: str  # for key results: "GOAL/KR"
    data: dict
    file: str  # "accounts.toml"
    path: tuple  # where its table sits in the file's data

    @property
    def label(self) -> str:
        value = self.data.get(self.kind.label)
        return str(value) if value not in (None, "") else self.id

    @property
    def own_id(self) -> str:
        return self.id.rsplit("/", 1)[-1]

    @property
    def parent_id(self) -> str | None:
        return self.id.rsplit("/", 1)[0] if self.kind.addressed_by_parent else None


@dataclass
class Plan:
    root: Path
    files: dict[str, TomlFile] = field(default_factory=dict)
    syntax_errors: list[Problem] = field(default_factory=list)
    entities: dict[str, list[Entity]] = field(default_factory=dict)
    # the text of files that were read but do not parse (to show the line of the error)
    unreadable_text: dict[str, str] = field(default_factory=dict)
    # the plan files read, when only some were (``load_plan(only=...)``); None: all of them
    partial: frozenset | None = None

    @property
    def unreadable(self) -> dict[str, Problem]:
        """Plan files that exist but could not be used, each with the one problem that
        says why (syntax error, conflict markers, not UTF-8, not a regular file, a link
        out of the repository, too large).  Their entities are absent from the plan:
        show such a file as unreadable, never as empty."""
        out: dict[str, Problem] = {}
        for p in self.syntax_errors:
            out.setdefault(p.file, p)
        return out

    def text_of(self, file: str) -> str | None:
        """The text of a plan file as read, also when it does not parse."""
        tf = self.files.get(file)
        return tf.text if tf is not None else self.unreadable_text.get(file)

    def all(self, kind: str) -> list[Entity]:
        return self.entities.get(kind, [])

    def find(self, kind: str, id: str) -> Entity | None:
        for e in self.entities.get(kind, []):
            if e.id == id:
                return e
        return None

    def get(self, kind: str, id: str) -> Entity:
        if kind not in KINDS:
            raise PlanError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}", code="usage.kind")
        k = KINDS[kind]
        if k.singleton:
            id = kind
        e = self.find(kind, id)
        if e is None:
            hint = " (key results are addressed as GOAL_ID/KR_ID)" if k.addressed_by_parent and "/" not in id else ""
            import difflib

            close = difflib.get_close_matches(id, [x.id for x in self.all(kind)], n=1)
            did = f"; did you mean {close[0]!r}?" if close else ""
            raise PlanError(f"no {k.title.lower()} with id {id!r}{hint}{did}", code="usage.id")
        return e

    def _plan_table(self) -> dict:
        tf = self.files.get("plan.toml")
        table = tf.data.get("plan") if tf is not None else None
        return table if isinstance(table, dict) else {}

    @property
    def quarter(self) -> str:
        return str(self._plan_table().get("quarter", ""))

    @property
    def stages(self) -> list[str]:
        stages = self._plan_table().get("stages")
        if isinstance(stages, list) and stages and all(isinstance(s, str) for s in stages):
            return list(stages)
        return ["awareness", "consideration", "decision"]


def as_date(value) -> _dt.date | None:
    """A TOML date (or datetime, or ISO text) as a date; None for anything else."""
    if isinstance(value, _dt.datetime):
        return value.date()
    if isinstance(value, _dt.date):
        return value
    if isinstance(value, str):
        try:
            return _dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _dig(data, path):
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or part >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[part] if isinstance(part, int) else data.get(part)
    return data


def collect_entities(files: dict[str, TomlFile], old: dict[tuple, Entity] | None = None) -> dict[str, list[Entity]]:
    """Find every entity of every kind in the parsed files.  With ``old`` ((kind, file,
    path) -> entity, from before an edit), an entity whose table is the very object it
    was, at the same place, is taken from there instead of made again."""
    old = old or {}

    def make(k: Kind, id: str, item: dict, file: str, path: tuple) -> Entity:
        was = old.get((k.name, file, path))
        if was is not None and was.data is item and was.id == id:
            return was
        return Entity(k, id, item, file, path)

    out: dict[str, list[Entity]] = {}
    for k in KINDS.values():
        if k.parent is not None and not KINDS[k.parent].singleton:
            continue  # collected with their parents below
        tf = files.get(k.file)
        if tf is None:
            continue
        path = full_path(k)
        value = _dig(tf.data, path)
        if k.singleton:
            if isinstance(value, dict):
                out.setdefault(k.name, []).append(make(k, k.name, value, k.file, path))
            continue
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                out.setdefault(k.name, []).append(make(k, str(item.get("id", f"#{i + 1}")), item, k.file, path + (i,)))
    # a kind kept as one file per entity (accounts/<id>.toml, see layout): each file's
    # entities, in file-name order, after those of a single file of that kind if any
    for name in layout.entity_files(files):
        k = layout.kind_of_file(name)
        value = _dig(files[name].data, k.path)
        for i, item in enumerate(value if isinstance(value, list) else []):
            if isinstance(item, dict):
                out.setdefault(k.name, []).append(make(k, str(item.get("id", f"#{i + 1}")), item, name, k.path + (i,)))
    for k in KINDS.values():
        if k.parent is None or KINDS[k.parent].singleton:
            continue
        for parent in out.get(k.parent, []):
            value = _dig(parent.data, k.path)
            for i, item in enumerate(value if isinstance(value, list) else []):
                if isinstance(item, dict):
                    own = str(item.get("id", f"#{i + 1}"))
                    out.setdefault(k.name, []).append(
                        make(k, f"{parent.id}/{own}", item, parent.file, parent.path + k.path + (i,)))
    return out


# the order ``collect_entities`` finds kinds in: those at the top of a file, then the
# entities inside another (key results, in their goals)
def _kind_order() -> list[str]:
    top = [k.name for k in KINDS.values() if k.parent is None or KINDS[k.parent].singleton]
    return top + [k.name for k in KINDS.values() if k.name not in top]


def refresh_entities(plan: Plan, file: str) -> dict[str, list[Entity]]:
    """``collect_entities(plan.files)`` after an edit (of ``file``): every file is looked at
    again, but an entity whose table is the very object it was, at the same place, is
    kept instead of made again (an edit copies only the tables on the way to what it
    changed, so a big file's other entities stay as they were)."""
    if layout.is_entity_file(file) or file not in plan.files:
        old = {(kind_name, e.file, e.path): e for kind_name, entities in plan.entities.items() for e in entities}
        return collect_entities(plan.files, old)
    # one file of its kinds (the only place they are: a kind is never both one file and
    # a folder of entity files that are read): the other files' entities stay as they are
    mine = {k.name for k in KINDS.values() if k.file == file}
    mine |= {k.name for k in KINDS.values() if k.parent in mine}
    old = {(kind_name, e.file, e.path): e for kind_name in mine for e in plan.entities.get(kind_name, ())}
    fresh = collect_entities({file: plan.files[file]}, old)
    out = {}
    for name in _kind_order():  # (kinds a registry adds later too)
        entities = fresh.get(name) if name in mine else plan.entities.get(name)
        if entities:
            out[name] = entities
    return out


def find_plan_dir(start: Path | None = None) -> Path | None:
    """The plan folder at ``start``: itself, its ``plans/``, or the nearest one upward."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "plan.toml").is_file():
            return folder
        if (folder / "plans" / "plan.toml").is_file():
            return folder / "plans"
    return None


def clean_temp_files(root: Path, older_than: float = 60.0) -> list[Path]:
    """Remove temp files an interrupted save left behind.  A temp file is removed when
    no save of its file is under way (that file's write lock is free), or, for writes
    that take no lock, once it is older than ``older_than`` seconds."""
    from .locking import LockTimeout, locked

    removed = []
    now = time.time()
    try:
        names = os.listdir(root)
    except OSError:
        return removed
    for name in names:
        if name.startswith(".") and name.endswith(TEMP_SUFFIX):
            path = root / name
            target = name[1: -len(TEMP_SUFFIX)].rsplit(".", 1)[0]
            try:
                if now - path.lstat().st_mtime > older_than:
                    path.unlink()
                    removed.append(path)
                    continue
                if target not in PLAN_FILES or not (root / target).is_file():
                    continue
                with locked([root / target], timeout=0):  # plan files are saved under their lock
                    path.unlink()
                    removed.append(path)
            except (OSError, LockTimeout):
                pass
    return removed


def load_plan(root: Path | str, only=None) -> Plan:
    """Read every file of the plan folder.  Syntax errors become problems, not exceptions;
    a missing or unreadable folder raises UnreadableError.

    ``only``: the plan files (``accounts.toml``, …) to read, for an edit that needs no
    other: one ``set`` in a plan of 10,000 accounts need not parse the content calendar.
    The plan then says which it holds (``partial``); what it lacks is not read, which is
    not the same as missing: such a plan is for editing, never for checking."""
    root = Path(root)
    if not root.is_dir():
        raise UnreadableError(f"{root}: no such plan folder (a plan folder holds plan.toml)", code="io.missing")
    if not (root / "plan.toml").exists():
        raise UnreadableError(
            f"{root} is not a plan folder: plan.toml is missing (create one with `quarterdeck init {root}`)",
            code="io.missing",
        )
    clean_temp_files(root)
    from .statedir import candidate_state_dirs

    for folder in candidate_state_dirs(root):  # a killed write of a recovery copy
        if folder.is_dir():
            clean_temp_files(folder)
    for file in layout.split_kinds():  # a killed save of an entity file (accounts/<id>.toml)
        if (root / layout.folder_of(file)).is_dir():
            clean_temp_files(root / layout.folder_of(file))
    plan = Plan(root=root, partial=None if only is None else frozenset(only))
    boundary = plan_boundary(root)
    for name in PLAN_FILES:
        if only is not None and name not in only:
            continue
        if layout.read_into(plan, root, name, boundary):
            continue  # kept as one file per entity, or both ways (a problem)
        path = root / name
        if not os.path.lexists(path) and name != "plan.toml":
            continue
        raw = None
        try:
            raw = read_plan_bytes(path, name, boundary=boundary)
            plan.files[name] = TomlFile.from_bytes(path, raw, name)
        except PlanError as exc:
            plan.syntax_errors.append(
                Problem(ERROR, exc.code, exc.message, name, exc.line, exc.col)
            )
            if raw is not None:
                plan.unreadable_text[name] = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    plan.entities = collect_entities(plan.files)
    return plan
