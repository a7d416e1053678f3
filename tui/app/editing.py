"""Edits, saving, quitting, recovery and the disk watch: the machinery under every flow.

``Editing`` belongs to the app (``app.editing``).  Every edit runs in a thread worker on
a fork of the plan and is adopted on the UI thread when its result arrives (one edit or
save at a time: ``app.busy``); the app's result handlers hand the results back here.
What is shown afterwards is the main screen's business (``app.main``).
"""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Callable

from rich.text import Text

from tui.plan.layout import base_file
from tui.plan.model import Plan
from tui.plan.problems import PlanError
from tui.plan.registry import KINDS, list_kinds
from tui.plan.save import atomic_write

from .dialogs.choice import Choice, ChoiceScreen
from .dialogs.new_id import NewIdScreen
from .palette import palette_of
from .present import build_rows, plan_currency, visible
from .results import DiskChanged, EditDone, EditFailed, Saved
from .session import DiskEvent, RecoveryError, Session

if TYPE_CHECKING:
    from textual.app import App

LIST_KINDS = list_kinds()


class Editing:
    """The app's edit, save, recovery and disk-watch machinery (no widgets of its own)."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.quit_after_save = False  # the save under way was asked for by the quit dialog
        self.ended_by: str | None = None  # how the quit guard ended the app, when it did
        self.asking_disk: set[str] = set()
        self.poll_running = False

    # -- editing machinery -------------------------------------------------------------------------------

    def refuse_busy(self, done=None) -> bool:
        if self.app.plan is None:
            self.app.notify("The plan is still loading.", severity="warning", markup=False)
            if done:
                done("The plan is still loading.")
            return True
        if self.app.busy:
            self.app.notify("Still working on the previous edit…", severity="warning", markup=False)
            if done:
                done("Still working on the previous edit; try again in a moment.")
            return True
        return False

    def run_edit(self, op: Callable[[Plan], object] | None, summary: str, focus: tuple[str, str] | None = None,
                 done: Callable[[str | None], None] | None = None, save: bool = False, mode: str = "edit") -> None:
        if self.refuse_busy(done):
            return
        self.app.busy = True
        self.app.main.update_title()
        self.app.run_worker(partial(self._edit_work, op, summary, focus, done, save, mode), thread=True,
                            group="edit")

    def _edit_work(self, op, summary, focus, done, save, mode) -> None:
        try:
            if mode == "undo":
                outcome = self.app.session.compute_undo()
            elif mode == "redo":
                outcome = self.app.session.compute_redo()
            else:
                outcome = self.app.session.compute(op, summary, focus)
            if outcome is None:
                self.app.post_message(EditFailed("Nothing to " + mode + ".", done))
                return
            kinds = [k for k in LIST_KINDS if KINDS[k].file in {base_file(n) for n in outcome.step.after}]
            rows = {k: build_rows(outcome.plan.all(k), self.app.marks, plan_currency(outcome.plan)) for k in kinds}
        except PlanError as exc:
            self.app.post_message(EditFailed(exc.message, done))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user; the edit is refused
            self.app.post_message(EditFailed(f"the edit failed unexpectedly ({type(exc).__name__}: {exc}); "
                                         "nothing was changed", done))
            return
        self.app.post_message(EditDone(outcome, rows, mode, done, save))

    def edit_done(self, message: EditDone) -> None:
        outcome = message.outcome
        if message.mode == "undo":
            self.app.session.commit_undo(outcome)
        elif message.mode == "redo":
            self.app.session.commit_redo(outcome)
        else:
            self.app.session.commit(outcome)
        self.app.busy = False
        # the crash copy of a big plan takes a while to write: after the edit is shown, in
        # its own thread, in the order of the session's states (Session.recovery_ticket)
        self.write_recovery_soon()
        self.app.main.plan_edited(message.rows, outcome.step.focus)
        self.app.start_validation()
        if message.mode in ("undo", "redo"):
            self.app.notify(outcome.step.summary, markup=False, timeout=3)
        if message.done:
            message.done(None)
        if message.save:
            self.save()

    def edit_failed(self, message: EditFailed) -> None:
        self.app.busy = False
        self.app.main.update_title()
        if message.done:
            message.done(message.message)
        else:
            self.app.notify(message.message, severity="error" if "Nothing to" not in message.message else "information",
                        markup=False)

    def request_set_fields(self, kind: str, entity_id: str, changes: dict, done=None, save: bool = False) -> None:
        from tui.plan import ops
        from tui.plan.edit import EditError

        from .formspec import apply_values, check_entity

        schemas = self.app.session.schemas
        k = KINDS[kind]

        def op(plan: Plan) -> None:
            entity = plan.get(kind, entity_id)
            problems = check_entity(schemas, k, entity.data, apply_values(entity.data, changes))
            if problems:
                raise EditError("; ".join(problems))
            ops.set_fields(plan, kind, entity_id, changes, schemas)

        names = ", ".join(".".join(p) for p in changes)
        self.run_edit(op, f"{kind} {entity_id}: {names}", (kind, entity_id), done, save)

    def request_add(self, kind: str, full_id: str, fields: dict, done=None, save: bool = False) -> None:
        from tui.plan import ops
        from tui.plan.edit import EditError

        from .formspec import check_entity

        schemas = self.app.session.schemas
        k = KINDS[kind]

        def op(plan: Plan) -> None:
            problems = check_entity(schemas, k, None, {"id": full_id.rsplit("/", 1)[-1], **fields})
            if problems:
                raise EditError("; ".join(problems))
            ops.add(plan, kind, full_id, fields, schemas)

        self.run_edit(op, f"{kind} {full_id} added", (kind, full_id), done, save)

    def notify_result(self, success: str):
        def done(error: str | None) -> None:
            if error is None:
                self.app.notify(success, markup=False, timeout=3)
            else:
                self.app.notify(error, severity="error", markup=False)

        return done

    def undo(self) -> None:
        if not self.app.session.undo_stack:
            self.app.notify("Nothing to undo.", markup=False, timeout=2)
            return
        self.run_edit(None, "undo", mode="undo")

    def redo(self) -> None:
        if not self.app.session.redo_stack:
            self.app.notify("Nothing to redo.", markup=False, timeout=2)
            return
        self.run_edit(None, "redo", mode="redo")

    # -- saving and quitting ----------------------------------------------------------------------------------

    def save(self, then_quit: bool = False) -> None:
        """Save every edited file; with ``then_quit``, end the app once all are saved.  The
        wish to quit belongs to this one save: a refused or failed save forgets it."""
        if self.app.plan is None:
            return
        if self.app.busy:
            self.app.notify("Still working on the previous edit…" + (" Nothing was saved; quit again in a "
                            "moment." if then_quit else ""), severity="warning", markup=False)
            return
        dirty = self.app.session.dirty_files
        if not dirty:
            self.app.notify("Nothing to save: no unsaved edits.", markup=False, timeout=3)
            if then_quit:
                self._end("quit, nothing to save")
            return
        self.quit_after_save = then_quit
        self.app.busy = True
        self.app.main.update_title()
        files = {name: self.app.plan.files[name] for name in dirty}
        self.app.run_worker(partial(self._save_work, files), thread=True, group="save")

    def _save_work(self, files: dict) -> None:
        report = self.app.session.save_files(files)
        self.app.post_message(Saved(report, files))

    def saved(self, message: Saved) -> None:
        report = message.report
        then_quit, self.quit_after_save = self.quit_after_save, False
        self.app.session.adopt_saved(report, message.files)
        self.app.busy = False
        self.write_recovery_now()
        self.app.main.update_title()
        self.app.main.files_saved()
        if report.saved:
            self.app.notify(f"Saved {', '.join(report.saved)}", markup=False, timeout=3)
        for name, reason in report.failed.items():
            self.app.notify(f"{reason}.\n{self.where_edits_stand()}", title=f"{name} not saved", severity="error",
                            markup=False, timeout=20)
            self.app.session.disk_seen.pop(name, None)
        if report.failed:
            self.poll_disk()
        elif then_quit and not self.app.session.dirty:
            self._end("quit after saving")

    def _end(self, reason: str) -> None:
        """The one way the quit guard ends the app (``ended_by`` says how, for a log or a test)."""
        self.ended_by = reason
        self.app.exit(0)

    def quit(self) -> None:
        """Quit; with unsaved edits, ask first.  An edit still being worked on is an unsaved
        edit too: quitting waits for it (the user is told to quit again)."""
        if self.app.busy:
            self.app.notify("Still working on an edit or a save; quit again in a moment.", severity="warning",
                            markup=False)
            return
        dirty = self.app.session.dirty_files
        if not dirty:
            self._end("quit, no unsaved edits")
            return
        if isinstance(self.app.screen, ChoiceScreen):  # a question is open: answer it first
            return
        body = Text()
        body.append("These files have edits that are not saved:\n")
        for name in dirty:
            body.append(f"  • {name}\n", style="bold")
        body.append("\nSave writes them now; Discard drops the edits; Cancel goes back.", style="dim")

        def chosen(answer: str | None) -> None:
            if answer == "save":
                self.save(then_quit=True)
            elif answer == "discard":
                self.app.session.clear_recovery()
                self._end("quit, edits discarded")

        self.app.push_screen(ChoiceScreen("Quit with unsaved edits?", body,
                                          [Choice("save", "Save", "s", "primary"),
                                           Choice("discard", "Discard", "d", "error"),
                                           Choice("cancel", "Cancel", "c")], id="quit-dialog"), chosen)

    # -- recovery -----------------------------------------------------------------------------------------------

    def offer_recovery(self) -> None:
        session = self.app.session
        try:
            rec = session.read_recovery()
        except RecoveryError as exc:
            session.recovery_enabled = False
            self.app.notify(f"{exc.message}. This session keeps no crash copy of its edits.", severity="warning",
                        markup=False, timeout=12)
            return
        if rec is None:
            return
        if session.owner_alive(rec):
            session.recovery_enabled = False
            self.app.notify(f"Another Quarterdeck session (process {rec.pid}) has unsaved edits in this plan. Saves "
                        "never overwrite each other's changes, but this session keeps no crash copy.",
                        severity="warning", markup=False, timeout=12)
            return
        conflicts = session.recovery_conflicts(rec)
        body = Text()
        body.append("A session that ended without saving left edits to:\n")
        for name in rec.files:
            body.append(f"  • {name}\n", style="bold")
        if rec.written:
            body.append(f"(written {rec.written})\n", style="dim")
        if conflicts:
            body.append(f"\n{', '.join(conflicts)} changed on disk since; restoring replaces that version "
                        "when you save.\n", style=palette_of(self.app).warn)
        body.append("\nRestore stages the edits (review them, then ctrl+s). Discard deletes the recovery file.",
                    style="dim")

        def chosen(answer: str | None) -> None:
            if answer == "restore":
                self.run_edit(Session.recover_op(rec), "recovered unsaved edits",
                              done=self.notify_result("Unsaved edits restored; ctrl+s saves them"))
            elif answer == "discard":
                session.clear_recovery()
                self.app.notify("Recovered edits discarded.", markup=False, timeout=3)
            else:
                session.recovery_enabled = False
                self.app.notify("The recovery file is kept for later; this session keeps no crash copy.",
                            severity="warning", markup=False)

        self.app.push_screen(ChoiceScreen("Restore unsaved edits?", body,
                                      [Choice("restore", "Restore", "r", "primary"),
                                       Choice("discard", "Discard", "d", "error")], cancel="later",
                                      id="recovery-dialog"), chosen)

    # -- watching the disk ------------------------------------------------------------------------------------------

    def poll_disk(self) -> None:
        if self.app.plan is None or self.app.busy or self.poll_running or self.asking_disk:
            return
        self.poll_running = True
        self.app.run_worker(partial(self._poll_work, self.app.session.known_disk_hashes()), thread=True,
                            exclusive=True, group="watch")

    def _poll_work(self, known: dict) -> None:
        try:
            events = self.app.session.poll_disk(known)
        except Exception:  # noqa: BLE001 - a failed poll is retried next time
            events = []
        self.app.post_message(DiskChanged(events))

    def disk_changed(self, message: DiskChanged) -> None:
        self.poll_running = False
        if self.app.busy or self.app.plan is None:
            return
        reloaded = []
        for ev in message.events:
            tf = self.app.plan.files.get(ev.name)
            if tf is not None and ev.sha256 == tf.disk_sha256:
                continue
            if ev.sha256 is not None and self.app.session.disk_seen.get(ev.name) == ev.sha256:
                continue
            if ev.sha256 is None:
                self.app.session.disk_seen[ev.name] = ""
                self.app.notify(f"{ev.name} was deleted on disk. Your version stays open; saving it is refused until "
                            "the file is back.", severity="error", markup=False, timeout=12)
                continue
            if ev.error is not None:
                self.app.session.disk_seen[ev.name] = ev.sha256
                self.app.notify(f"{ev.name} changed on disk and is not valid TOML now ({ev.error}). The version in the "
                            "app stays; fix the file and it is reloaded.", severity="warning", markup=False, timeout=12)
                continue
            if tf is None or not tf.dirty:
                self.app.session.reload_file(ev.tomlfile)
                reloaded.append(ev.name)
                continue
            self._ask_disk_conflict(ev)
        if reloaded:
            self._after_reload(reloaded)

    def _after_reload(self, names: list[str]) -> None:
        self._after_change(names, f"Reloaded {', '.join(names)}: changed on disk.", 4)

    def _after_change(self, names: list[str], note: str, timeout: float) -> None:
        self.app.main.files_changed(names)
        self.app.start_validation()
        self.app.notify(note, markup=False, timeout=timeout)

    def _ask_disk_conflict(self, ev: DiskEvent) -> None:
        self.asking_disk.add(ev.name)
        self.app.session.disk_seen[ev.name] = ev.sha256
        body = Text()
        body.append(f"{ev.name}", style="bold")
        body.append(" changed on disk while you have unsaved edits in it.\n\n")
        body.append("Keep mine: the version on disk and your edits are merged entry by entry, so the other "
                    "side's saved edits stay; where both changed the same field you choose.\n")
        body.append("Reload theirs: your unsaved edits to this file are dropped and the disk version is shown.\n")
        body.append("\nEscape decides later (saving this file stays blocked until you choose).", style="dim")

        def chosen(answer: str | None) -> None:
            self.asking_disk.discard(ev.name)
            if answer == "mine":
                self._merge_with_disk(ev)
            elif answer == "theirs":
                self.app.session.reload_file(ev.tomlfile)
                self.write_recovery_now()
                self._after_reload([ev.name])

        self.app.push_screen(ChoiceScreen(f"{ev.name} changed on disk", body,
                                      [Choice("mine", "Keep mine", "k", "warning"),
                                       Choice("theirs", "Reload theirs", "r", "primary")], cancel="later",
                                      id="disk-dialog"), chosen)

    def _merge_with_disk(self, ev: DiskEvent) -> None:
        """Keep this session's edits of a file someone saved meanwhile, and theirs."""
        if self.app.plan is None or ev.name not in self.app.plan.files or ev.tomlfile is None:
            return
        merge = self.app.session.merge_with_disk(ev.name, ev.tomlfile)

        def take(text: str, note: str) -> None:
            try:
                self.app.session.adopt_merge(merge, text)
            except PlanError as exc:
                self.app.notify(f"The merged {ev.name} is not valid ({exc.message}); nothing changed. Saving it stays "
                            "blocked until you choose again.", severity="error", markup=False, timeout=12)
                self.app.session.disk_seen.pop(ev.name, None)
                return
            self.write_recovery_now()
            self._after_merge(ev.name, note)

        if merge.text is not None:
            take(merge.text, f"Merged {ev.name}: your edits and the ones saved on disk are both kept; "
                             "ctrl+s saves the result.")
            return
        self.asking_disk.add(ev.name)
        body = Text()
        if merge.conflicts:
            body.append("Both you and the version on disk changed the same fields:\n")
            for line in merge.conflicts[:20]:
                body.append(f"  • {visible(line)}\n", style="bold")
            if len(merge.conflicts) > 20:
                body.append(f"  … and {len(merge.conflicts) - 20} more\n")
            body.append("\nEvery other change of both sides is kept either way.\n")
            choices = [Choice("mine", "Mine for these", "m", "warning"),
                       Choice("theirs", "Theirs for these", "t", "primary")]
        else:
            body.append(f"The two versions of {ev.name} cannot be merged entry by entry ({visible(merge.error or '')}).\n\n")
            body.append("Overwrite: your version replaces the disk version when you save (the other side's "
                        "edits to this file are lost).\nReload theirs: your unsaved edits to this file are dropped.\n")
            choices = [Choice("overwrite", "Overwrite with mine", "o", "error"),
                       Choice("reload", "Reload theirs", "r", "primary")]
        body.append("\nEscape decides later (saving this file stays blocked until you choose).", style="dim")

        def chosen(answer: str | None) -> None:
            self.asking_disk.discard(ev.name)
            if answer == "mine" and merge.mine is not None:
                take(merge.mine, f"Merged {ev.name}, your values kept where both changed a field.")
            elif answer == "theirs" and merge.theirs_text is not None:
                take(merge.theirs_text, f"Merged {ev.name}, the disk's values kept where both changed a field.")
            elif answer == "overwrite":
                self.app.session.keep_mine(ev.name, ev.sha256)
                self.write_recovery_now()
                self.app.main.update_title()
                self.app.notify(f"Keeping your version of {ev.name}; ctrl+s saves it over the disk version.",
                            markup=False)
            elif answer == "reload":
                self.app.session.reload_file(ev.tomlfile)
                self.write_recovery_now()
                self._after_reload([ev.name])
            else:
                self.app.session.disk_seen.pop(ev.name, None)  # asked again on the next look at the disk

        self.app.push_screen(ChoiceScreen(f"{ev.name}: edited on both sides", body, choices, cancel="later",
                                      id="merge-dialog"), chosen)

    def _after_merge(self, name: str, note: str) -> None:
        self._after_change([name], note, 6)

    def write_recovery_soon(self) -> None:
        session = self.app.session
        ticket, plan = session.recovery_ticket(), session.plan
        self.app.run_worker(partial(self._recovery_work, plan, ticket), thread=True, group="recovery",
                            description="crash copy")  # no repr of a huge Plan

    def _recovery_work(self, plan: Plan, ticket: int) -> None:
        try:
            self.app.session.write_recovery(plan, ticket=ticket)
        except Exception as exc:  # noqa: BLE001 - a crash copy that failed is said, never a traceback
            message = exc.message if isinstance(exc, PlanError) else \
                f"the crash copy could not be written ({type(exc).__name__}: {exc})"
            try:
                self.app.call_from_thread(self._recovery_failed, message)
            except Exception:  # noqa: BLE001 - the app is closing
                pass

    def _recovery_failed(self, message: str) -> None:
        self.app.notify(f"{message}. {self.where_edits_stand()}", severity="warning", markup=False, timeout=12)

    def write_recovery_now(self) -> None:
        try:
            self.app.session.write_recovery()
        except PlanError as exc:
            self._recovery_failed(exc.message)

    def where_edits_stand(self) -> str:
        """One sentence on the unsaved edits: in this session, and whether a crash copy exists."""
        session = self.app.session
        dirty = session.dirty_files
        if not dirty:
            return "No unsaved edits."
        kept = session.recovery_written
        copy_note = (f"a crash copy is kept in {kept}" if kept is not None
                     else "no crash copy could be written")
        return (f"Your edits to {', '.join(dirty)} stay in this session, not saved ({copy_note}); ctrl+s tries "
                "again, \"Save a copy to…\" in the palette writes them to another folder.")

    def save_copy_flow(self) -> None:
        """Write the edited files' texts to another folder (when the plan's own cannot be written)."""
        dirty = self.app.session.dirty_files
        if not dirty:
            self.app.notify("Nothing to copy: no unsaved edits.", markup=False, timeout=3)
            return

        def check(value: str) -> str:
            folder = Path(value).expanduser()
            if not value:
                return "Give a folder."
            if folder.resolve() == self.app.plan_dir.resolve():
                return "That is the plan's own folder: ctrl+s saves there."
            if folder.exists() and not folder.is_dir():
                return "That is a file, not a folder."
            return ""

        def chosen(value: str | None) -> None:
            if not value:
                return
            folder = Path(value).expanduser()
            texts = {name: self.app.plan.files[name] for name in self.app.session.dirty_files}
            written, failed = [], []
            for name, tf in texts.items():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write(folder / name, tf.encode(tf.text), name=str(folder / name))
                    written.append(name)
                except (PlanError, OSError) as exc:
                    failed.append(f"{name}: {getattr(exc, 'message', None) or exc}")
            if written:
                self.app.notify(f"Copied {', '.join(written)} to {folder}. The edits stay unsaved in the plan itself.",
                            markup=False, timeout=8)
            for line in failed:
                self.app.notify(line, title="copy not written", severity="error", markup=False, timeout=12)

        self.app.push_screen(NewIdScreen("Save a copy of the edited files", "A folder to write "
                                     f"{', '.join(dirty)} to (the plan's files stay as they are on disk).", "",
                                     check, ok_label="Copy"), chosen)

