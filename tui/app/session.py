"""The app's editing session, without any Textual: the plan as edited so far, the undo
and redo history, saving, the crash-recovery file, and watching the files on disk.

Every edit is computed on a *fork* of the plan (a new files dict sharing the unchanged
TomlFile objects, which are never mutated), so a worker thread can build it while the
UI keeps reading the current plan; the UI thread then adopts the result with
``commit``.  Edits are staged in memory through the core's ``stage_change`` and reach
the disk only through ``save`` (atomic, refusing files that changed on disk).
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tui.plan.document import TomlFile, digest, parse_toml
from tui.plan.layout import base_file, folder_names
from tui.plan.model import Plan, collect_entities, load_plan, refresh_entities
from tui.plan.problems import PlanError, TomlSyntaxError
from tui.plan.registry import PLAN_FILES
from tui.plan.save import atomic_write
from tui.plan.schema import SchemaSet, load_schemas
from tui.plan.statedir import STATE_DIR_NAME, candidate_state_dirs, fallback_state_dir, state_dir

RECOVERY_FILE = "recovery.json"
RECOVERY_NAME = f"{STATE_DIR_NAME}/{RECOVERY_FILE}"  # inside the plan folder, when it can be written
LEGACY_RECOVERY_NAME = ".quarterdeck-recovery.json"  # where older versions kept it: still looked at
RECOVERY_FORMAT = "quarterdeck-recovery"
UNDO_LIMIT = 200
SESSIONS_DIR = "sessions"  # in the state folder: one file per running session of the plan


@dataclass
class Step:
    """One undoable edit: the texts of the files it changed, before and after."""

    summary: str
    before: dict[str, str]
    after: dict[str, str]
    focus: tuple[str, str] | None = None  # (kind, id) to show after the edit


@dataclass
class Outcome:
    """An edit computed on a fork of the plan, ready to be adopted."""

    plan: Plan
    step: Step
    value: object = None  # whatever the edit function returned

    @property
    def changed(self) -> bool:
        return bool(self.step.after)


@dataclass
class Recovery:
    """Unsaved edits a previous session left behind."""

    written: str
    pid: int
    host: str
    files: dict[str, tuple[str, str]]  # name -> (on-disk hash the edits were based on, text)
    path: Path | None = None  # where it was read from


class RecoveryError(PlanError):
    """The recovery file exists but cannot be used."""


@dataclass
class DiskEvent:
    """A plan file whose bytes on disk are not the ones the session knows."""

    name: str
    sha256: str | None  # None: the file was deleted
    tomlfile: TomlFile | None = None  # parsed, when it parses
    error: PlanError | None = None  # why it does not


@dataclass
class SaveReport:
    saved: dict[str, TomlFile] = field(default_factory=dict)
    failed: dict[str, str] = field(default_factory=dict)  # name -> message


def fork(plan: Plan) -> Plan:
    """A plan sharing every file with ``plan``; staging on it leaves ``plan`` alone."""
    return Plan(root=plan.root, files=dict(plan.files), syntax_errors=list(plan.syntax_errors),
                entities=plan.entities)


def restore_texts(plan: Plan, texts: dict[str, str], summary: str = "restored") -> None:
    """Stage ``texts`` (file name -> full text) on ``plan``."""
    from tui.plan.edit import Change, stage_change

    for name, text in texts.items():
        tf = plan.files.get(name)
        if tf is None or tf.text == text:
            continue
        data = parse_toml(text, name)
        stage_change(plan, Change(name, tf, text, data, summary))


class Session:
    def __init__(self, root: Path, schemas: SchemaSet | None = None):
        self.root = Path(root)
        self.schemas = schemas or load_schemas()
        self.plan: Plan | None = None
        self.undo_stack: list[Step] = []
        self.redo_stack: list[Step] = []
        self.recovery_enabled = True
        self._recovery_owner_checked = False
        # writes of the crash copy may come from threads: each has a ticket, taken in the
        # order the session's state changed, and none writes over a newer one's copy
        self._recovery_lock = threading.RLock()
        self._recovery_tickets = 0
        self._recovery_done = 0
        self.recovery_written: Path | None = None  # where the crash copy of this session's edits is now
        # hashes of on-disk versions already reported to the user (not to ask twice)
        self.disk_seen: dict[str, str] = {}
        # the bytes of each file as this session last read or saved it: the common
        # ancestor when the disk version and this session's edits are merged
        self.base_raw: dict[str, bytes] = {}
        self.marker: Path | None = None  # this session's "plan is open" file

    # -- loading -------------------------------------------------------------------

    def load(self) -> Plan:
        """Read the plan (call from a worker thread; adopt the result with ``adopt``)."""
        return load_plan(self.root)

    def adopt(self, plan: Plan) -> None:
        self.plan = plan
        self.base_raw = {name: tf.raw for name, tf in plan.files.items()}
        # files that did not parse are not in the plan: remember the bytes seen, so the
        # watcher reports them only when they change (and reloads them once they parse)
        for name in PLAN_FILES:
            if name not in plan.files:
                try:
                    self.disk_seen[name] = digest((self.root / name).read_bytes())
                except OSError:
                    pass

    # -- state -----------------------------------------------------------------------

    @property
    def dirty_files(self) -> list[str]:
        if self.plan is None:
            return []
        return [name for name, tf in self.plan.files.items() if tf.dirty]

    @property
    def dirty(self) -> bool:
        return bool(self.dirty_files)

    # -- edits -----------------------------------------------------------------------

    def compute(self, op: Callable[[Plan], object], summary: str, focus: tuple[str, str] | None = None) -> Outcome:
        """Run ``op`` (which stages changes on the plan it is given) on a fork of the
        plan.  Safe to call from a worker thread: the session's plan is not touched."""
        assert self.plan is not None
        work = fork(self.plan)
        before = {name: tf.text for name, tf in work.files.items()}
        value = op(work)
        after = {name: tf.text for name, tf in work.files.items() if tf.text != before.get(name)}
        step = Step(summary, {name: before.get(name, "") for name in after}, after, focus)  # "": a new entity file
        return Outcome(work, step, value)

    def commit(self, outcome: Outcome, record: bool = True) -> None:
        """Adopt an edit computed by ``compute`` (UI thread)."""
        self.plan = outcome.plan
        if record and outcome.changed:
            self.undo_stack.append(outcome.step)
            del self.undo_stack[:-UNDO_LIMIT]
            self.redo_stack.clear()

    def compute_undo(self) -> Outcome | None:
        if not self.undo_stack:
            return None
        step = self.undo_stack[-1]
        return self.compute(lambda p: restore_texts(p, step.before, "undo"), f"Undo: {step.summary}", step.focus)

    def commit_undo(self, outcome: Outcome) -> None:
        step = self.undo_stack.pop()
        self.plan = outcome.plan
        self.redo_stack.append(step)

    def compute_redo(self) -> Outcome | None:
        if not self.redo_stack:
            return None
        step = self.redo_stack[-1]
        return self.compute(lambda p: restore_texts(p, step.after, "redo"), f"Redo: {step.summary}", step.focus)

    def commit_redo(self, outcome: Outcome) -> None:
        step = self.redo_stack.pop()
        self.plan = outcome.plan
        self.undo_stack.append(step)

    def forget_history(self, name: str) -> None:
        """Drop undo/redo steps that touch ``name`` (its text was replaced from disk)."""
        self.undo_stack = [s for s in self.undo_stack if name not in s.after]
        self.redo_stack = [s for s in self.redo_stack if name not in s.after]

    # -- saving ------------------------------------------------------------------------

    def save_files(self, files: dict[str, TomlFile]) -> SaveReport:
        """Write the dirty files among ``files`` atomically (worker thread).  A file that
        changed on disk since it was read is refused; the others are still saved."""
        from tui.plan.edit import save_file

        report = SaveReport()
        for name, tf in files.items():
            if not tf.dirty:
                continue
            try:
                report.saved[name] = save_file(tf)
            except PlanError as exc:
                report.failed[name] = exc.message
            except OSError as exc:  # e.g. no temporary file can be made in a read-only folder
                reason = {errno.ENOSPC: "the disk is full", errno.EACCES: "permission denied",
                          errno.EPERM: "permission denied", errno.EROFS: "the file system is read-only"}.get(
                    exc.errno, exc.strerror or str(exc))
                report.failed[name] = f"cannot save {name}: {reason}; the file on disk is unchanged"
            except Exception as exc:  # noqa: BLE001 - never lose the session over one file
                report.failed[name] = f"cannot save {name}: unexpected {type(exc).__name__}: {exc}"
        return report

    def adopt_saved(self, report: SaveReport, files_saved_from: dict[str, TomlFile]) -> None:
        """Mark the saved files clean, unless they were edited again meanwhile."""
        assert self.plan is not None
        for name, clean in report.saved.items():
            current = self.plan.files.get(name)
            self.base_raw[name] = clean.raw
            if current is files_saved_from.get(name):
                self.plan.files[name] = clean
            elif current is not None:
                # edited again while saving: keep the edit, based on the new disk version
                self.plan.files[name] = current.based_on(clean.sha256)
            self.disk_seen.pop(name, None)
        # a saved file keeps its tables: its entities stay the ones shown (none made again)
        self.plan.entities = refresh_entities(self.plan, "")

    # -- recovery file ------------------------------------------------------------------

    @property
    def recovery_path(self) -> Path:
        """Where this session writes its crash copy: in the plan's state folder (ignored by
        git), or the per-user one when the plan folder cannot be written."""
        return self._state_folders()[0] / RECOVERY_FILE

    def recovery_candidates(self) -> list[Path]:
        """Every place a crash copy of this plan may be (the old place beside the files too)."""
        return [d / RECOVERY_FILE for d in candidate_state_dirs(self.root)] + [self.root / LEGACY_RECOVERY_NAME]

    def recovery_payload(self, plan: Plan | None = None) -> bytes | None:
        plan = plan or self.plan
        if plan is None:
            return None
        dirty = {name: tf for name, tf in plan.files.items() if tf.dirty}
        if not dirty:
            return None
        payload = {
            "format": RECOVERY_FORMAT,
            "version": 1,
            "written": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "files": {name: {"base_sha256": tf.disk_sha256, "text": tf.text} for name, tf in dirty.items()},
        }
        return json.dumps(payload, ensure_ascii=False, indent=1).encode("utf-8")

    def recovery_ticket(self) -> int:
        """A place in the order of crash-copy writes: take it when the state to be kept is
        the session's (on the UI thread), write it later from any thread."""
        with self._recovery_lock:
            self._recovery_tickets += 1
            return self._recovery_tickets

    def write_recovery(self, plan: Plan | None = None, ticket: int | None = None) -> Path | None:
        """Keep the unsaved edits in the recovery file (or remove it when there are none).
        Returns where the copy is; raises RecoveryError when it could be kept nowhere
        (``recovery_written`` is then None: there is no crash copy).  With ``ticket``, a
        write that comes after one of a later ticket (or a clear) does nothing: the copy
        on disk is newer than what it holds."""
        with self._recovery_lock:
            ticket = self.recovery_ticket() if ticket is None else ticket
            if ticket < self._recovery_done:
                return self.recovery_written
            self._recovery_done = ticket
            return self._write_recovery(plan)

    def _write_recovery(self, plan: Plan | None) -> Path | None:
        if not self.recovery_enabled:
            return None
        if not self._recovery_owner_checked:
            # never write over the crash copy of another session that is still running
            self._recovery_owner_checked = True
            try:
                other = self.read_recovery()
            except RecoveryError:
                other = None
            if other is not None and self.owner_alive(other):
                self.recovery_enabled = False
                raise RecoveryError(f"another Quarterdeck session (process {other.pid}) keeps its unsaved edits in "
                                    f"{other.path}; this session keeps no crash copy of its own")
        data = self.recovery_payload(plan)
        if data is None:
            self._clear_recovery()
            return None
        reasons = []
        for folder in self._state_folders():
            path = folder / RECOVERY_FILE
            try:
                folder.mkdir(parents=True, exist_ok=True)
                atomic_write(path, data, name=str(path))
            except (PlanError, OSError) as exc:
                reasons.append(getattr(exc, "message", None) or str(exc))
                continue
            if self.recovery_written is not None and self.recovery_written != path:
                self._remove(self.recovery_written)
            self.recovery_written = path
            return path
        if self.recovery_written is not None:
            self._remove(self.recovery_written)  # an older copy would restore less than the session holds
        self.recovery_written = None
        raise RecoveryError("no crash copy of the unsaved edits could be written (" + "; ".join(reasons) + ")")

    def _state_folders(self) -> list[Path]:
        """Where this session may write its own files, best first (never raises)."""
        try:
            first = state_dir(self.root)
        except OSError:  # not even the per-user folder can be made
            first = None
        return [f for f in dict.fromkeys([first, fallback_state_dir(self.root)]) if f is not None]

    @staticmethod
    def _remove(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass

    def clear_recovery(self) -> None:
        """Remove the recovery file: ours, or one whose session is gone (never a live one's).
        A write still on its way with an earlier ticket will not bring it back."""
        with self._recovery_lock:
            self._recovery_done = self.recovery_ticket()
            self._clear_recovery()

    def _clear_recovery(self) -> None:
        if not self.recovery_enabled:
            return
        for path in self.recovery_candidates():
            if not path.exists():
                continue
            try:
                rec = self._read_recovery_at(path)
            except RecoveryError:
                continue  # damaged: left for the user to look at
            if rec is not None and self.owner_alive(rec):
                continue
            self._remove(path)
        self.recovery_written = None

    def read_recovery(self) -> Recovery | None:
        """The crash copy left for this plan, from wherever it was kept (None: there is none)."""
        for path in self.recovery_candidates():
            rec = self._read_recovery_at(path)
            if rec is not None:
                return rec
        return None

    def _read_recovery_at(self, path: Path) -> Recovery | None:
        try:
            raw = path.read_bytes()
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as exc:
            raise RecoveryError(f"cannot read the recovery file {path}: {exc.strerror}") from None
        try:
            payload = json.loads(raw.decode("utf-8"))
            if payload.get("format") != RECOVERY_FORMAT:
                raise ValueError("not a recovery file")
            files = {}
            for name, item in payload["files"].items():
                if base_file(name) not in PLAN_FILES:
                    raise ValueError(f"unknown file {name!r}")
                files[name] = (str(item["base_sha256"]), str(item["text"]))
            return Recovery(str(payload.get("written", "")), int(payload.get("pid", 0)),
                            str(payload.get("host", "")), files, path)
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise RecoveryError(f"the recovery file {path} is damaged ({exc}); it was left in place, untouched") \
                from None

    @staticmethod
    def owner_alive(rec: Recovery) -> bool:
        """Is the session that wrote ``rec`` still running (on this machine)?"""
        if rec.host != socket.gethostname() or rec.pid in (0, os.getpid()):
            return False
        try:
            os.kill(rec.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        except OSError:
            return False
        return True

    def recovery_conflicts(self, rec: Recovery) -> list[str]:
        """Files whose disk version is not the one the recovered edits were based on."""
        assert self.plan is not None
        out = []
        for name, (base, _text) in rec.files.items():
            tf = self.plan.files.get(name)
            if tf is None or tf.disk_sha256 != base:
                out.append(name)
        return out

    @staticmethod
    def recover_op(rec: Recovery) -> Callable[[Plan], list[str]]:
        def op(plan: Plan) -> list[str]:
            skipped = []
            for name, (_base, text) in rec.files.items():
                if name not in plan.files:
                    skipped.append(name)
                    continue
                restore_texts(plan, {name: text}, "recovered")
            return skipped

        return op

    # -- watching the disk ----------------------------------------------------------------

    def known_disk_hashes(self) -> dict[str, str | None]:
        plan = self.plan
        files = dict(plan.files) if plan is not None else {}
        out: dict[str, str | None] = {}
        # the plan files, and every entity file of a kind kept one file per entity
        for name in [*PLAN_FILES, *(n for n in files if n not in PLAN_FILES)]:
            tf = files.get(name)
            out[name] = tf.disk_sha256 if tf is not None else self.disk_seen.get(name)
        return out

    def poll_disk(self, known: dict[str, str | None]) -> list[DiskEvent]:
        """Compare the files on disk with ``known`` hashes (worker thread).  Content is
        hashed every time: a same-size change within one timestamp tick is still seen."""
        events = []
        known = dict(known)
        # an entity file that appeared in a split kind's folder (another writer added it)
        for base in sorted({base_file(n) for n in known if base_file(n) != n}):
            try:
                for name in folder_names(self.root, base):
                    known.setdefault(name, None)
            except PlanError:
                continue
        for name, known_sha in known.items():
            path = self.root / name
            try:
                raw = path.read_bytes()
            except FileNotFoundError:
                if known_sha is not None and self.plan is not None and name in self.plan.files:
                    events.append(DiskEvent(name, None))
                continue
            except OSError:
                continue
            sha = digest(raw)
            if sha == known_sha:
                continue
            try:
                tf = TomlFile.from_bytes(path, raw, name)
            except TomlSyntaxError as exc:
                events.append(DiskEvent(name, sha, error=exc))
                continue
            events.append(DiskEvent(name, sha, tomlfile=tf))
        return events

    def reload_file(self, tf: TomlFile) -> None:
        """Take the disk version of one file (UI thread); its undo history goes."""
        assert self.plan is not None
        self.plan.files[tf.name] = tf
        self.base_raw[tf.name] = tf.raw
        self.plan.syntax_errors = [p for p in self.plan.syntax_errors if p.file != tf.name]
        self.plan.entities = collect_entities(self.plan.files)
        self.forget_history(tf.name)
        self.disk_seen.pop(tf.name, None)

    def keep_mine(self, name: str, disk_sha256: str) -> None:
        """Keep the edited text; a save will now replace the new disk version (the user chose)."""
        assert self.plan is not None
        tf = self.plan.files[name]
        self.plan.files[name] = tf.based_on(disk_sha256)
        self.disk_seen.pop(name, None)

    def merge_with_disk(self, name: str, theirs: TomlFile) -> "DiskMerge":
        """Merge the disk version of ``name`` (saved by someone else meanwhile) with this
        session's edits, entity by entity: base = the bytes this session read, ours =
        its edited text, theirs = the disk now.  Nothing is changed yet (see adopt_merge)."""
        from tui.history.merge import merge_bytes

        assert self.plan is not None
        ours_tf = self.plan.files[name]
        base = self.base_raw.get(name)
        ours = ours_tf.encode(ours_tf.text)
        if base is None:
            return DiskMerge(name, theirs, None, error="this session has no record of the version it read")
        try:
            outcome = merge_bytes(base, ours, theirs.raw, name, marker_size=MERGE_MARKER)
        except Exception as exc:  # noqa: BLE001 - the entity merge cannot do it: the user decides
            return DiskMerge(name, theirs, None, error=str(exc) or type(exc).__name__)
        text = outcome.text if outcome.text is not None else (outcome.raw or b"").decode("utf-8", "replace")
        if text.startswith("\ufeff"):
            text = text[1:]
        if outcome.fallback:
            return DiskMerge(name, theirs, None, error="the files could not be merged entity by entity")
        if outcome.conflicts:
            mine, other = _sides(text)
            return DiskMerge(name, theirs, None, conflicts=list(outcome.conflicts), mine=mine, theirs_text=other)
        return DiskMerge(name, theirs, text)

    def adopt_merge(self, merge: "DiskMerge", text: str) -> None:
        """Take ``text`` (a merge of this session's edits and the disk version) as the
        session's version of the file, based on the disk version now (UI thread)."""
        from tui.plan.edit import Change, stage_change

        assert self.plan is not None
        name = merge.name
        base = self.plan.files[name].based_on(merge.disk.sha256)
        data = parse_toml(text, name)
        stage_change(self.plan, Change(name, base, text, data, "merged with the version on disk"))
        if self.plan.files[name].raw == merge.disk.raw:
            self.plan.files[name] = merge.disk
        self.base_raw[name] = merge.disk.raw
        self.forget_history(name)  # undoing past the merge would drop the other side's saved edits
        self.disk_seen.pop(name, None)

    # -- other sessions --------------------------------------------------------------------

    def announce(self) -> list[dict]:
        """Mark this plan as open in this session, and return the other live sessions'
        marks ({pid, host, started}).  Best effort: a folder that cannot be written
        just means others are not told."""
        others = []
        for folder in candidate_state_dirs(self.root):
            for path in sorted((folder / SESSIONS_DIR).glob("*.json")) if (folder / SESSIONS_DIR).is_dir() else []:
                try:
                    info = json.loads(path.read_text(encoding="utf-8"))
                    pid, host = int(info["pid"]), str(info["host"])
                except (OSError, ValueError, KeyError, TypeError):
                    continue
                if pid == os.getpid() and host == socket.gethostname():
                    continue
                if self.owner_alive(Recovery("", pid, host, {})) or host != socket.gethostname():
                    others.append({"pid": pid, "host": host, "started": str(info.get("started", ""))})
                else:
                    self._remove(path)  # left by a session that is gone
        payload = {"pid": os.getpid(), "host": socket.gethostname(),
                   "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")}
        for folder in self._state_folders():
            path = folder / SESSIONS_DIR / f"{socket.gethostname()}-{os.getpid()}.json"
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                atomic_write(path, json.dumps(payload).encode("utf-8"), name=str(path))
            except (PlanError, OSError):
                continue
            self.marker = path
            break
        return others

    def retire(self) -> None:
        """This session no longer has the plan open."""
        if self.marker is not None:
            self._remove(self.marker)
            self.marker = None


MERGE_MARKER = 19  # conflict markers longer than any line a plan would hold


def _sides(text: str) -> tuple[str, str]:
    """The two complete texts in a merge with conflict markers: each side's choice for
    the conflicting fields, with every change that did not conflict in both."""
    mine, theirs = [], []
    where = None
    for line in text.splitlines(keepends=True):
        bare = line.rstrip("\r\n")
        if bare.startswith("<" * MERGE_MARKER + " "):
            where = "mine"
            continue
        if bare == "=" * MERGE_MARKER and where == "mine":
            where = "theirs"
            continue
        if bare.startswith(">" * MERGE_MARKER + " ") and where == "theirs":
            where = None
            continue
        if where != "theirs":
            mine.append(line)
        if where != "mine":
            theirs.append(line)
    return "".join(mine), "".join(theirs)


@dataclass
class DiskMerge:
    """This session's edits of one file merged with the version someone saved meanwhile."""

    name: str
    disk: TomlFile  # the version on disk now
    text: str | None  # the merged text, when nothing conflicted
    conflicts: list[str] = field(default_factory=list)  # "account acme: both changed (tier)"
    mine: str | None = None  # with conflicts: the text keeping this session's values for them
    theirs_text: str | None = None  # ... and the one keeping the disk's values
    error: str | None = None  # why no merge was possible
