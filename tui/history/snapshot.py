"""A plan as it is in one revision (or in the working tree): its files and entities.

Files of a revision are read from git blobs and parsed once: parsed files are cached
by blob id, so walking many revisions parses each distinct file version once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from tui.plan.document import TomlFile
from tui.plan.model import Entity, Plan, collect_entities
from tui.plan.problems import PlanError
from tui.plan.registry import PLAN_FILES

_CACHE_BYTES = 96 * 1024 * 1024
CUT_BYTES = 512 * 1024  # a file this big that differs between two revisions is compared by its changed tables
_cache: "OrderedDict[tuple[str, str], tuple[int, object]]" = OrderedDict()
_cache_size = 0
_lock = threading.Lock()


def _cached(key: tuple[str, str]):
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return hit[1]
    return None


def _remember(key: tuple[str, str], size: int, value) -> None:
    global _cache_size
    with _lock:
        if key in _cache:
            return
        _cache[key] = (size, value)
        _cache_size += size
        while _cache_size > _CACHE_BYTES and len(_cache) > 1:
            _, (old, _) = _cache.popitem(last=False)
            _cache_size -= old


def clear_cache() -> None:
    global _cache_size
    with _lock:
        _cache.clear()
        _cache_size = 0


@dataclass
class Snapshot:
    """The plan files of one revision.  ``commit`` is None for the working tree."""

    label: str  # what the user asked for: "HEAD", "2026-Q3", "working tree"
    commit: str | None
    root: Path
    files: dict[str, TomlFile] = field(default_factory=dict)
    blobs: dict[str, str] = field(default_factory=dict)  # file name -> blob id (revisions only)
    errors: dict[str, PlanError] = field(default_factory=dict)  # files that do not parse
    _entities: dict | None = field(default=None, repr=False)

    @property
    def entities(self) -> dict[str, list[Entity]]:
        if self._entities is None:
            self._entities = collect_entities(self.files)
        return self._entities

    @property
    def quarter(self) -> str:
        tf = self.files.get("plan.toml")
        return str(tf.data.get("plan", {}).get("quarter", "")) if tf else ""

    def plan(self) -> Plan:
        """A core Plan holding these files (for validation)."""
        from tui.plan.problems import ERROR, Problem

        problems = [Problem(ERROR, e.code, e.message, e.file or name, e.line, e.col) for name, e in self.errors.items()]
        return Plan(root=self.root, files=dict(self.files), syntax_errors=problems, entities=self.entities)

    @classmethod
    def from_plan(cls, plan: Plan, label: str = "working tree") -> "Snapshot":
        errors = {}
        for p in plan.syntax_errors:
            errors[p.file] = PlanError(p.message, file=p.file, line=p.line, col=p.col, code=p.code)
        return cls(label=label, commit=None, root=plan.root, files=dict(plan.files), errors=errors,
                   _entities=plan.entities)

    @classmethod
    def from_folder(cls, folder: Path, label: str = "working tree", only=None) -> "Snapshot":
        """``only``: the plan files (``goals.toml``, …; a split kind's entity files go with
        its name) to read, for a question about one kind; None: all."""
        from tui.plan.layout import folder_names, split_kinds

        snap = cls(label=label, commit=None, root=Path(folder))
        names = [n for n in PLAN_FILES if only is None or n in only]
        for file in split_kinds():  # entity files of kinds kept one file per entity
            if only is not None and file not in only:
                continue
            try:
                names += folder_names(Path(folder), file)
            except PlanError as exc:
                snap.errors[file] = exc
        for name in names:
            path = Path(folder) / name
            if not path.exists():
                continue
            try:
                snap.files[name] = TomlFile.read(path, name)
            except PlanError as exc:
                snap.errors[name] = exc
        _drop_both(snap)
        return snap

    @classmethod
    def from_blobs(cls, label: str, commit: str | None, root: Path, blobs: dict[str, str], read,
                   like: "Snapshot | None" = None) -> "Snapshot":
        """Files given as {name: blob id}; ``read(blob_id) -> bytes``.  ``like``: another
        revision, already read, that this one is to be compared with: a file's tables
        that are the same text in both are taken from it (``document.parse_toml_like``)."""
        snap = cls(label=label, commit=commit, root=root, blobs=dict(blobs))
        for name, sha in blobs.items():
            other = like.files.get(name) if like is not None and like.blobs.get(name) != sha else None
            parsed = parse_blob(sha, name, read, root, like=other)
            if isinstance(parsed, PlanError):
                snap.errors[name] = parsed
            else:
                snap.files[name] = parsed
        _drop_both(snap)
        return snap


def _drop_both(snap: "Snapshot") -> None:
    """A kind present both as one file and as a folder is read neither way (see layout)."""
    from tui.plan.layout import drop_both

    drop_both(snap.files, snap.errors, lambda file, message: PlanError(message, file=file, code="layout.both"))


def parse_blob(sha: str, name: str, read, root: Path, like: TomlFile | None = None):
    """The TomlFile of a blob (or the PlanError saying why it does not parse), cached by
    blob id; ``like``: another version of the file, parsed (see ``TomlFile.from_bytes``)."""
    key = (sha, name)
    hit = _cached(key)
    if hit is not None:
        return hit
    raw = read(sha)
    try:
        value = TomlFile.from_bytes(Path(root) / name, raw, name, like=like)
    except PlanError as exc:
        value = exc
    _remember(key, len(raw) * 4 + 1024, value)
    return value


def empty(label: str, root: Path) -> Snapshot:
    """A revision before the plan existed (no files)."""
    return Snapshot(label=label, commit=None, root=Path(root))


def snapshot_at(prepo, rev: str | None, label: str | None = None, like: Snapshot | None = None) -> Snapshot:
    """The plan at a revision (``None`` = the working tree) of a PlanRepo; ``like``: a
    revision it is to be compared with (see ``Snapshot.from_blobs``)."""
    if rev is None:
        return Snapshot.from_folder(prepo.plan_dir, label or "working tree")
    commit = prepo.resolve(rev)
    return snapshot_of_commit(prepo, commit, label or rev, like=like)


def snapshot_of_commit(prepo, commit: str, label: str, only=None, like: Snapshot | None = None) -> Snapshot:
    """The plan at ``commit``; ``only``: the plan files to read (see ``from_folder``);
    ``like``: a revision it is to be compared with (see ``Snapshot.from_blobs``)."""
    blobs = prepo.tree_blobs(commit)
    if only is not None:
        from tui.plan.layout import base_file

        blobs = {name: sha for name, sha in blobs.items() if base_file(name) in only}
    return Snapshot.from_blobs(label, commit, prepo.plan_dir, blobs, prepo.read_blob, like=like)


def _cut(name: str, old_raw: bytes, new_raw: bytes, root: Path) -> tuple[TomlFile, TomlFile] | None:
    """Both versions of a big file that differs, cut down to their tables that differ
    (``document.changed_tables``), parsed; None: read them whole."""
    from tui.plan.document import changed_tables

    if old_raw == new_raw or max(len(old_raw), len(new_raw)) < CUT_BYTES:
        return None
    try:
        texts = changed_tables(old_raw.decode("utf-8"), new_raw.decode("utf-8"))
        if texts is None:
            return None
        path = Path(root) / name
        return (TomlFile.from_bytes(path, texts[0].encode("utf-8"), name),
                TomlFile.from_bytes(path, texts[1].encode("utf-8"), name))
    except (UnicodeDecodeError, PlanError):
        return None  # read whole: the error is then told with its true line


def _cuttable(name: str, *sides) -> bool:
    """Whether ``name`` may be read cut: a plan file, not the members' (the names in
    check-in lines come from all of them), and on no side kept one file per entity too
    (both ways at once is an error that only the whole reading reports)."""
    from tui.plan.layout import base_file
    from tui.plan.registry import KINDS

    return (name in PLAN_FILES and name != KINDS["member"].file
            and not any(base_file(n) == name and n != name for names in sides for n in names))


def _with_cut(old: Snapshot, new: Snapshot, cut: dict[str, tuple[TomlFile, TomlFile]], old_blobs: dict,
              new_blobs: dict | None = None) -> None:
    """The cut files put into the two snapshots read without them (``new_blobs``: None
    for the working tree, which has none)."""
    for name, (old_file, new_file) in cut.items():
        old.files[name], new.files[name] = old_file, new_file
        old.blobs[name] = old_blobs[name]
        if new_blobs is not None:
            new.blobs[name] = new_blobs[name]
    old._entities = new._entities = None


def commit_pair(prepo, old_commit: str, new_commit: str, old_label: str, new_label: str) -> tuple[Snapshot, Snapshot]:
    """Two revisions read to be compared with each other (``semdiff.diff_snapshots``).
    A big file that differs between them is read as only its tables that differ
    (``document.changed_tables``): the same tables on both sides hold the same entities,
    which the comparison would find equal.  Every other file, and a big one that cannot
    be cut for sure, is read whole, as ``snapshot_of_commit`` does.  The members (for
    the names in check-in lines) are always read whole."""
    old_blobs, new_blobs = prepo.tree_blobs(old_commit), prepo.tree_blobs(new_commit)
    cut = {}
    for name in sorted(old_blobs.keys() & new_blobs.keys()):
        if old_blobs[name] != new_blobs[name] and _cuttable(name, old_blobs, new_blobs):
            pair = _cut(name, prepo.read_blob(old_blobs[name]), prepo.read_blob(new_blobs[name]), prepo.plan_dir)
            if pair is not None:
                cut[name] = pair
    new = Snapshot.from_blobs(new_label, new_commit, prepo.plan_dir,
                              {n: sha for n, sha in new_blobs.items() if n not in cut}, prepo.read_blob)
    old = Snapshot.from_blobs(old_label, old_commit, prepo.plan_dir,
                              {n: sha for n, sha in old_blobs.items() if n not in cut}, prepo.read_blob, like=new)
    _with_cut(old, new, cut, old_blobs, new_blobs)
    return old, new


def folder_pair(prepo, old_commit: str, old_label: str, new_label: str = "working tree") -> tuple[Snapshot, Snapshot]:
    """A revision and the plan folder on disk, read to be compared (see ``commit_pair``).
    A file that cannot be read from disk, or whose folder cannot be listed, is read the
    usual way, which reports why."""
    from tui.plan.document import read_plan_bytes
    from tui.plan.layout import folder_names, split_kinds

    folder = Path(prepo.plan_dir)
    old_blobs = prepo.tree_blobs(old_commit)
    try:
        on_disk = [n for n in PLAN_FILES if (folder / n).is_file()]
        for file in split_kinds():
            on_disk += folder_names(folder, file)
    except (OSError, PlanError):
        on_disk = None
    cut = {}
    for name in sorted(old_blobs) if on_disk is not None else ():
        if name not in on_disk or not _cuttable(name, old_blobs, on_disk):
            continue
        try:
            if (folder / name).stat().st_size < CUT_BYTES:
                continue
            new_raw = read_plan_bytes(folder / name, name)
        except (OSError, PlanError):
            continue
        pair = _cut(name, prepo.read_blob(old_blobs[name]), new_raw, folder)
        if pair is not None:
            cut[name] = pair
    new = Snapshot.from_folder(folder, new_label, only=None if not cut else [n for n in PLAN_FILES if n not in cut])
    old = Snapshot.from_blobs(old_label, old_commit, folder,
                              {n: sha for n, sha in old_blobs.items() if n not in cut}, prepo.read_blob, like=new)
    _with_cut(old, new, cut, old_blobs)
    return old, new
