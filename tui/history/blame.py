"""Who changed what: the commit that last changed each field of an entity.

``blame_entity`` starts at HEAD with the entity's fields and walks the history of its
file backwards, commit by commit, parent by parent.  A field passes to a parent whose
version of the entity holds the same value; the commit where no parent holds it is the
one that last changed it (its author, date and subject are reported).  The file's
revisions are parsed once each (cached by blob id); a parent whose blob is the same as
its child's is passed without parsing.

Renames: when the entity's id is missing in a parent, an entity of the same kind whose
id is gone from the child and whose fields are mostly the same (at least half of them,
``RENAME_SIMILARITY``) is taken as the entity under its old id, and the walk goes on
under that id.  The ``id`` field itself is then blamed on the commit that renamed it.

Fields that differ in the working tree from HEAD are reported as not committed yet.
No text from the user reaches git as an argument: the walk reads commit objects and
trees through GitPython.

``kr_checkins_by_quarter`` gives a key result's check-ins in every tagged quarter and
in the working tree, for ``trend``.
"""

from __future__ import annotations

import threading
import types
from collections import OrderedDict
from dataclasses import asdict, dataclass, field

from tui.plan.document import UNKNOWN, hides_ids, parse_toml, tables_with_id
from tui.plan.model import collect_entities, load_plan
from tui.plan.problems import PlanError
from tui.plan.registry import CHILD_KEYS, KINDS, full_path

from .errors import HistoryError
from .repo import PlanRepo

RENAME_SIMILARITY = 0.5
_MISSING = object()


@dataclass
class FieldBlame:
    field: str
    value: object
    commit: str | None  # None: not committed yet
    author: str = ""
    email: str = ""
    date: str = ""  # ISO 8601, the author date
    subject: str = ""
    id_then: str = ""  # the entity's id in that commit (differs after a rename)

    def to_dict(self) -> dict:
        from tui.plan.validation import to_json

        d = asdict(self)
        d["value"] = to_json(self.value, [])
        return d


@dataclass
class EntityBlame:
    kind: str
    id: str
    file: str
    fields: list[FieldBlame] = field(default_factory=list)
    renames: list[tuple[str, str, str]] = field(default_factory=list)  # (old id, new id, commit)
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"format": "quarterdeck.blame/1", "kind": self.kind, "id": self.id, "file": self.file,
                "fields": [f.to_dict() for f in self.fields],
                "renames": [{"old": o, "new": n, "commit": c} for o, n, c in self.renames], "notes": list(self.notes)}


class _Files:
    """The entities of one plan file at any commit (cached by blob id)."""

    def __init__(self, prepo: PlanRepo, name: str, kind: str):
        self.prepo = prepo
        self.name = name
        self.kind = kind
        self.path = prepo.repo_path(name)
        self.parsed: dict[str, dict[str, dict] | None] = {}
        self.broken = False
        # a kind kept as one file per entity: the folder's tree stands for the file
        from tui.plan.layout import SUFFIX, folder_of, split_kinds

        self.folder = prepo.repo_path(folder_of(name)) if name in split_kinds() else None
        self.trees: dict[str, list[tuple[str, str]]] = {}  # "tree:<sha>" -> [(file name, blob id)]
        self.suffix = SUFFIX

    def blob_id(self, commit) -> str | None:
        try:
            return (commit.tree / self.path).hexsha
        except (KeyError, ValueError):
            pass
        except Exception:  # noqa: BLE001 - a missing object (shallow or partial clone)
            return None
        if self.folder is None:
            return None
        try:
            tree = commit.tree / self.folder
            key = f"tree:{tree.hexsha}"
            if key not in self.trees:
                self.trees[key] = [(b.name, b.hexsha) for b in tree.blobs
                                   if b.name.endswith(self.suffix) and not b.name.startswith(".")]
            return key
        except Exception:  # noqa: BLE001 - no such folder at that commit, or a missing object
            return None

    def entity(self, blob: str | None, eid: str):
        """The data of entity ``eid`` in that blob: None when it has none, ``_MISSING``
        when there is no such file or it does not parse.  Its table is found in the text
        where it can be (``document.tables_with_id``): a walk through a dozen revisions
        of a 10,000-entity file then parses a table of each, not the whole file."""
        if blob is None:
            return _MISSING
        if blob not in self.parsed and blob not in self.trees:
            quick = self._quick(blob, eid)
            if quick is not UNKNOWN:
                return quick[-1] if quick else None  # as in {id: data}: the last of a repeated id
        found = self.entities(blob)
        return _MISSING if found is None else found.get(eid)

    def _quick(self, blob: str, eid: str):
        k = KINDS[self.kind]
        path = full_path(k)
        if k.singleton or k.parent is not None or len(path) != 1:
            return UNKNOWN
        try:
            raw = _blob(self.prepo, blob)
        except PlanError:
            return UNKNOWN
        hiding = _HIDES.get(blob)
        if hiding is None:
            hiding = _HIDES[blob] = hides_ids(raw)
        return tables_with_id(raw, path[0], eid, self.name, hiding=hiding)

    def entities(self, blob: str | None) -> dict[str, dict] | None:
        """{id: data} of the kind in that blob, or in the entity files of that folder's
        tree (None: no file or not parseable)."""
        if blob is None:
            return None
        if blob in self.trees:
            out: dict[str, dict] = {}
            for _name, sha in self.trees[blob]:
                found = self.entities(sha)
                out.update(found or {})
            return out
        if blob not in self.parsed:
            try:
                text = _blob(self.prepo, blob).decode("utf-8-sig")
                data = parse_toml(text, self.name)
            except (PlanError, UnicodeDecodeError):
                self.broken = True
                self.parsed[blob] = None
            else:
                found = collect_entities({self.name: types.SimpleNamespace(data=data)})
                self.parsed[blob] = {e.id: e.data for e in found.get(self.kind, [])}
        return self.parsed[blob]


# Blobs read lately, by id (an id names the same bytes in every repository): one lookup
# after another walks the same revisions of a file (the app asks at each entry shown).
BLOB_CACHE_BYTES = 96 * 1024 * 1024
_BLOBS: OrderedDict[str, bytes] = OrderedDict()
_BLOBS_LOCK = threading.Lock()
_HIDES: dict[str, bool] = {}  # blob id -> document.hides_ids of its bytes (a bool each: kept)


def _blob(prepo: PlanRepo, sha: str) -> bytes:
    with _BLOBS_LOCK:
        raw = _BLOBS.get(sha)
        if raw is not None:
            _BLOBS.move_to_end(sha)
            return raw
    raw = prepo.read_blob(sha)
    if len(raw) <= BLOB_CACHE_BYTES // 4:
        with _BLOBS_LOCK:
            _BLOBS[sha] = raw
            total = sum(len(v) for v in _BLOBS.values())
            while total > BLOB_CACHE_BYTES and len(_BLOBS) > 1:
                total -= len(_BLOBS.popitem(last=False)[1])
    return raw


def _in_working_tree(prepo: PlanRepo, k, eid: str):
    """The entity as the working tree holds it (an object with ``data``, or None when it
    is not there), found without parsing its whole file where ``tables_with_id`` can;
    ``UNKNOWN`` otherwise (the file is then loaded as the plan is)."""
    from tui.plan.document import plan_boundary, read_plan_bytes
    from tui.plan.layout import folder_of, split_kinds

    path = full_path(k)
    if k.singleton or k.parent is not None or len(path) != 1:
        return UNKNOWN
    if k.file in split_kinds() and (prepo.plan_dir / folder_of(k.file)).exists():
        return UNKNOWN  # one file per entity (or both ways): the layout rules decide
    try:
        raw = read_plan_bytes(prepo.plan_dir / k.file, k.file, boundary=plan_boundary(prepo.plan_dir))
    except PlanError:
        return UNKNOWN
    found = tables_with_id(raw, path[0], eid, k.file)
    if found is UNKNOWN:
        return UNKNOWN
    return types.SimpleNamespace(data=found[0]) if found else None  # as Plan.find: the first of a repeated id


def _own_fields(kind: str, data: dict) -> dict:
    """The entity's fields, without the entities it holds (a goal's key results)."""
    children = CHILD_KEYS.get(kind, ())
    return {k: v for k, v in data.items() if k not in children}


def _similarity(a: dict, b: dict) -> float:
    keys = (set(a) | set(b)) - {"id"}
    if not keys:
        return 0.0
    same = sum(1 for k in keys if k in a and k in b and a[k] == b[k])
    return same / len(keys)


def _dig(data, path: tuple):
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _split(field_path: str) -> tuple:
    return tuple(int(p) if p.isdigit() else p for p in field_path.split(".") if p != "")


def blame_entity(prepo: PlanRepo, kind: str, id: str, field_path: str | None = None) -> EntityBlame:
    """The last change of each field of entity ``kind``/``id`` (or of one ``field_path``)."""
    if kind not in KINDS:
        raise HistoryError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}", code="usage.kind")
    k = KINDS[kind]
    if k.singleton:
        id = kind
    files = _Files(prepo, k.file, kind)
    result = EntityBlame(kind, id, k.file)
    work = None
    current = _in_working_tree(prepo, k, id)
    if current is UNKNOWN:
        try:
            work = load_plan(prepo.plan_dir, only={k.file})  # the entity's own file is all it needs
        except PlanError:
            pass
        current = work.find(kind, id) if work is not None else None
    head_sha = prepo.head()
    head = prepo.repo.commit(head_sha) if head_sha else None
    head_data = files.entity(files.blob_id(head), id) if head is not None else None
    if head_data is _MISSING:
        head_data = None
    if head_data is None and current is None:
        if work is None:
            try:
                work = load_plan(prepo.plan_dir, only={k.file})
            except PlanError:
                pass
        at_head = files.entities(files.blob_id(head)) if head is not None else None
        known = sorted(set((at_head or {}).keys()) | {e.id for e in (work.all(kind) if work else [])})
        import difflib

        close = difflib.get_close_matches(id, known, n=1)
        raise HistoryError(f"no {k.title.lower()} with id {id!r} at HEAD or in the working tree"
                           + (f"; did you mean {close[0]!r}?" if close else ""), code="usage.id")
    fields_now = _own_fields(kind, head_data if head_data is not None else current.data)
    if field_path:
        path = _split(field_path)
        if not path:
            raise HistoryError(f"bad field {field_path!r}", code="usage.field")
        wanted = {field_path: path}
        source = head_data if head_data is not None else current.data
        if _dig(source, path) is _MISSING:
            raise HistoryError(f"{kind} {id} has no field {field_path!r}; its fields are: {', '.join(fields_now)}",
                               code="usage.field")
    else:
        wanted = {name: (name,) for name in fields_now}
    blamed: dict[str, FieldBlame] = {}
    # fields changed in the working tree
    if current is not None:
        for name, path in wanted.items():
            now = _dig(current.data, path)
            then = _dig(head_data, path) if head_data is not None else _MISSING
            if now is not _MISSING and now != then:
                blamed[name] = FieldBlame(name, now, None, subject="not committed yet")
    if head_data is not None:
        pending = {name: _dig(head_data, path) for name, path in wanted.items() if name not in blamed}
        pending = {n: v for n, v in pending.items() if v is not _MISSING}
        _walk(files, head, id, head_data, pending, wanted, blamed, result)
    order = list(wanted)
    result.fields = [blamed[n] for n in order if n in blamed]
    if files.broken:
        result.notes.append(f"some revisions of {k.file} do not parse; fields are blamed on the commit after them")
    if prepo.shallow_boundaries():
        result.notes.append("this is a shallow clone: changes before its oldest commits are blamed on them")
    return result


def _walk(files: _Files, start, start_id: str, start_data: dict, pending: dict, wanted: dict,
          blamed: dict, result: EntityBlame) -> None:
    # a stack of (commit, id in that commit, entity data there, {field: value still looked for})
    stack = [(start, start_id, start_data, pending)]
    seen_renames = set()
    while stack:
        commit, eid, data, looking = stack.pop()
        if not looking:
            continue
        blob = files.blob_id(commit)
        try:
            parents = list(commit.parents)
        except Exception:  # noqa: BLE001 - a parent the clone does not have
            parents = []
        left = dict(looking)
        moves = []
        for parent in parents:
            if not left:
                break
            pblob = files.blob_id(parent)
            if pblob is not None and pblob == blob:
                moves.append((parent, eid, data, left))
                left = {}
                break
            pid, pdata = eid, files.entity(pblob, eid)
            if pdata is _MISSING:
                continue
            if pdata is None:  # gone under this id: renamed there? (every entity of the parent is looked at)
                entities = files.entities(pblob)
                if entities is None:
                    continue
                pid, pdata = _renamed_from(files, blob, eid, data, entities)
                if pdata is not None and (pid, eid, commit.hexsha) not in seen_renames:
                    seen_renames.add((pid, eid, commit.hexsha))
                    result.renames.append((pid, eid, commit.hexsha))
            if pdata is None:
                continue
            passed = {n: v for n, v in left.items() if _dig(pdata, wanted[n]) == v}
            if passed:
                moves.append((parent, pid, pdata, passed))
                left = {n: v for n, v in left.items() if n not in passed}
        for name, value in left.items():
            if name not in blamed:
                blamed[name] = _blame(name, value, commit, eid)
        for move in reversed(moves):
            stack.append(move)


def _renamed_from(files: _Files, blob: str | None, eid: str, data: dict, parent_entities: dict):
    """The id and data of ``eid`` in the parent, if it was renamed there."""
    child = files.entities(blob) or {}
    best, best_score = None, RENAME_SIMILARITY
    mine = _own_fields(files.kind, data)
    for pid, pdata in parent_entities.items():
        if pid in child:
            continue  # still there under its own id: not this one
        score = _similarity(mine, _own_fields(files.kind, pdata))
        if score >= best_score:
            best, best_score = pid, score
    return (best, parent_entities[best]) if best is not None else (eid, None)


def _blame(name: str, value, commit, eid: str) -> FieldBlame:
    author = commit.author
    return FieldBlame(name, value, commit.hexsha, author.name or "", author.email or "",
                      commit.authored_datetime.isoformat(), commit.summary if isinstance(commit.summary, str)
                      else str(commit.summary), eid)


def entity_blame(plan_dir, kind: str, id: str, field_path: str | None = None) -> EntityBlame:
    """``blame_entity`` with the repository opened and closed."""
    with PlanRepo(plan_dir) as prepo:
        return blame_entity(prepo, kind, id, field_path)


def last_change(plan_dir, kind: str, id: str) -> FieldBlame | None:
    """The most recent change of any field of an entity ("last changed <when> by <who> in <subject>")."""
    blame = entity_blame(plan_dir, kind, id)
    pending = [f for f in blame.fields if f.commit is None]
    if pending:
        return pending[0]
    return max(blame.fields, key=lambda f: f.date, default=None)


# -- check-ins per quarter, for `trend` -------------------------------------------------------


def kr_checkins_by_quarter(prepo: PlanRepo, kr_id: str, include_current: bool = True) -> list:
    """The check-ins of key result ``GOAL/KR`` in every tagged quarter (oldest first), then in
    the working tree: a list of ``tui.plan.insights.pace.QuarterCheckins``."""
    from tui.plan.insights.pace import QuarterCheckins, checkins_in

    from .snapshot import Snapshot, snapshot_of_commit

    if "/" not in kr_id:
        raise HistoryError(f"address a key result as GOAL_ID/KR_ID, not {kr_id!r}", code="usage.id")
    only = {KINDS["key_result"].file, "plan.toml"}  # the key result's file and the quarter, no other
    snaps = [(q, snapshot_of_commit(prepo, c, prepo.tag_name(q), only=only)) for q, c in prepo.quarter_tags().items()]
    if include_current:
        snap = Snapshot.from_folder(prepo.plan_dir, only=only)
        snaps.append((snap.quarter, snap))
    out = []
    for quarter, snap in snaps:
        kr = next((e for e in snap.entities.get("key_result", []) if e.id == kr_id), None)
        if kr is None:
            continue
        num = (lambda v: v if isinstance(v, (int, float)) and not isinstance(v, bool) else None)
        out.append(QuarterCheckins(quarter, snap.label, num(kr.data.get("baseline")), num(kr.data.get("target")),
                                   checkins_in(kr.data)))
    return out


def key_result_checkins(plan_dir, kr_id: str, include_current: bool = True) -> list:
    with PlanRepo(plan_dir) as prepo:
        return kr_checkins_by_quarter(prepo, kr_id, include_current)


__all__ = ["EntityBlame", "FieldBlame", "blame_entity", "entity_blame", "key_result_checkins",
           "kr_checkins_by_quarter", "last_change"]
