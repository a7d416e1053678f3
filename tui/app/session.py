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
import json
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from tui.plan.document import TomlFile, digest, parse_toml
from tui.plan.edit import Change, save_file, stage_change
from tui.plan.model import Plan, collect_entities, load_plan
from tui.plan.problems import PlanError, TomlSyntaxError
from tui.plan.registry import PLAN_FILES
from tui.plan.save import atomic_write
from tui.plan.schema import SchemaSet, load_schemas

RECOVERY_NAME = ".quarterdeck-recovery.json"
RECOVERY_FORMAT = "quarterdeck-recovery"
UNDO_LIMIT = 200


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
        # hashes of on-disk versions already reported to the user (not to ask twice)
        self.disk_seen: dict[str, str] = {}

    # -- loading -------------------------------------------------------------------

    def load(self) -> Plan:
        """Read the plan (call from a worker thread; adopt the result with ``adopt``)."""
        return load_plan(self.root)

    def adopt(self, plan: Plan) -> None:
        self.plan = plan
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
        step = Step(summary, {name: before[name] for name in after if name in before}, after, focus)
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
        report = SaveReport()
        for name, tf in files.items():
            if not tf.dirty:
                continue
            try:
                report.saved[name] = save_file(tf)
            except PlanError as exc:
                report.failed[name] = exc.message
        return report

    def adopt_saved(self, report: SaveReport, files_saved_from: dict[str, TomlFile]) -> None:
        """Mark the saved files clean, unless they were edited again meanwhile."""
        assert self.plan is not None
        for name, clean in report.saved.items():
            current = self.plan.files.get(name)
            if current is files_saved_from.get(name):
                self.plan.files[name] = clean
            elif current is not None:
                # edited again while saving: keep the edit, based on the new disk version
                self.plan.files[name] = current.based_on(clean.sha256)
            self.disk_seen.pop(name, None)
        self.plan.entities = collect_entities(self.plan.files)

    # -- recovery file ------------------------------------------------------------------

    @property
    def recovery_path(self) -> Path:
        return self.root / RECOVERY_NAME

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

    def write_recovery(self, plan: Plan | None = None) -> None:
        """Keep the unsaved edits in the recovery file (or remove it when there are none)."""
        if not self.recovery_enabled:
            return
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
                                    f"{RECOVERY_NAME}; this session keeps no crash copy of its own")
        data = self.recovery_payload(plan)
        if data is None:
            self.clear_recovery()
            return
        atomic_write(self.recovery_path, data, name=RECOVERY_NAME)

    def clear_recovery(self) -> None:
        """Remove the recovery file: ours, or one whose session is gone (never a live one's)."""
        if not self.recovery_enabled or not self.recovery_path.exists():
            return
        try:
            rec = self.read_recovery()
        except RecoveryError:
            return  # damaged: left for the user to look at
        if rec is not None and self.owner_alive(rec):
            return
        try:
            self.recovery_path.unlink()
        except FileNotFoundError:
            pass

    def read_recovery(self) -> Recovery | None:
        path = self.recovery_path
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RecoveryError(f"cannot read {RECOVERY_NAME}: {exc.strerror}") from None
        try:
            payload = json.loads(raw.decode("utf-8"))
            if payload.get("format") != RECOVERY_FORMAT:
                raise ValueError("not a recovery file")
            files = {}
            for name, item in payload["files"].items():
                if name not in PLAN_FILES:
                    raise ValueError(f"unknown file {name!r}")
                files[name] = (str(item["base_sha256"]), str(item["text"]))
            return Recovery(str(payload.get("written", "")), int(payload.get("pid", 0)),
                            str(payload.get("host", "")), files)
        except (ValueError, KeyError, TypeError, AttributeError, UnicodeDecodeError) as exc:
            raise RecoveryError(f"{RECOVERY_NAME} is damaged ({exc}); it was left in place, untouched") from None

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
        for name in PLAN_FILES:
            tf = files.get(name)
            out[name] = tf.disk_sha256 if tf is not None else self.disk_seen.get(name)
        return out

    def poll_disk(self, known: dict[str, str | None]) -> list[DiskEvent]:
        """Compare the files on disk with ``known`` hashes (worker thread).  Content is
        hashed every time: a same-size change within one timestamp tick is still seen."""
        events = []
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
