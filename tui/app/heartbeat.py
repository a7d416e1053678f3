"""The app's side of the weekly heartbeat: opening the Check-in screen, the Commit and
Rollover dialogs and an entry's blame, taking written check-ins into the session, and
knowing whether the plan has saved changes that are not committed (for the title).

The app calls these with itself; they read its state (plan folder, session, current
entry) and push screens, so the App class only needs a binding or palette line each.
"""

from __future__ import annotations

from functools import partial

from textual.binding import Binding

from tui.plan.safetext import visible_line

from .guard import gone, result_handler

BINDINGS = [
    Binding("w", "checkin", "Check-in", id="app.checkin", tooltip="The weekly check-in: type every key result's new "
            "value, save them as check-ins, then commit"),
    Binding("C", "commit", "Commit", id="app.commit", tooltip="Commit the saved plan to git: its changes, the "
            "message, validation, hooks and signing, and the quarter's tag"),
    Binding("b", "blame", "Blame", id="app.blame", show=False, tooltip="Who changed each field of the selected "
            "entry, in which commit"),
]


class HeartbeatActions:
    """The actions behind ``BINDINGS`` and the check-in result, for the class that holds
    the plan's session (the app)."""

    uncommitted: list[str] | None = None  # saved plan files that differ from HEAD (None: no git)

    def action_checkin(self) -> None:
        open_checkin(self)

    def action_commit(self) -> None:
        open_commit(self)

    def action_blame(self) -> None:
        open_blame(self)

    @result_handler
    def on_commit_dialog_committed(self, message) -> None:
        after_history_changed(self)

    @result_handler
    def on_checkin_screen_saved(self, message) -> None:
        names = adopt_checkins(self, message.files)
        self.main.files_changed(names)  # rows, details and title; and asks git about the title's note
        self.start_validation()


def palette_actions(app) -> list[tuple]:
    """The palette's entries for the heartbeat (the selected entry's blame too)."""
    out = [
        ("Check-in", "Type every key result's new value; save them as check-ins", partial(open_checkin, app)),
        ("Commit…", "Commit the saved plan to git (hooks, signing and identity as git is configured)",
         partial(open_commit, app)),
        ("Tag the quarter's final revision…", "Commit (if needed) and tag the quarter",
         partial(open_commit, app, None, True)),
        ("Roll over to the next quarter…", "Preview, then tag this quarter and start the next",
         partial(open_rollover, app)),
    ]
    if getattr(app, "current", None):
        from tui.plan.registry import KINDS

        kind, entity_id = app.current
        out.append((f"Blame selected {KINDS[kind].title.lower()}", entity_id, partial(open_blame, app, kind, entity_id)))
    return out


def key_section(app, rows) -> tuple[str, list]:
    from .dialogs.commit import CommitDialog
    from .screens.checkin import CheckinScreen

    return ("Check-in and commit", rows(CheckinScreen.BINDINGS) + rows(CommitDialog.BINDINGS))


def uncommitted_note(app) -> str:
    """" · ✎ not committed: goals.toml" for the title, "" when there is nothing to say."""
    files = getattr(app, "uncommitted", None)
    if not files:
        return ""
    shown = ", ".join(files[:3]) + (f" +{len(files) - 3}" if len(files) > 3 else "")
    return f" · ✎ not committed: {visible_line(shown)}"


def check_uncommitted(app) -> None:
    """Ask git (in a worker) which plan files differ from HEAD; the title follows."""
    from tui.history.pending import uncommitted_files

    plan_dir = app.plan_dir

    def look() -> None:
        try:
            files = uncommitted_files(plan_dir)
        except Exception:  # noqa: BLE001 - the title note is a courtesy
            files = None
        if gone(app):
            return
        try:
            app.call_from_thread(_adopt_uncommitted, app, files)
        except RuntimeError:  # the app stopped meanwhile
            pass

    app.run_worker(look, thread=True, group="uncommitted")


def _adopt_uncommitted(app, files) -> None:
    if gone(app):
        return
    app.uncommitted = files
    app.main.update_title()


def open_checkin(app) -> None:
    from .screens.checkin import CheckinScreen

    if app.plan is None:
        app.notify("The plan is still loading.", severity="warning", markup=False)
        return
    if not app.plan.all("key_result"):
        app.notify("The plan has no key results to check in.", markup=False)
        return
    app.push_screen(CheckinScreen(app.plan, app.plan_dir, app.today, dirty=app.session.dirty_files))


def open_commit(app, message: str | None = None, tag: bool = False) -> None:
    from .dialogs.commit import CommitDialog, result_lines

    if app.plan is None:
        return

    def done(result) -> None:
        if result is None:
            return
        app.notify("\n".join(result_lines(result)), markup=False, timeout=6)

    app.push_screen(CommitDialog(app.plan_dir, message, unsaved=app.session.dirty_files, tag=tag), done)


def open_rollover(app) -> None:
    from .dialogs.rollover import RolloverDialog

    if app.plan is None:
        return
    dirty = app.session.dirty_files
    if dirty:
        app.notify(f"Save or undo the edits to {', '.join(dirty)} first: the rollover starts from the committed "
                   "plan.", severity="warning", markup=False, timeout=8)
        return

    def done(result) -> None:
        if result is None:
            return
        lines = result.lines()
        app.notify("\n".join(visible_line(line) for line in lines[:6]), title="Rolled over", markup=False,
                   timeout=10)
        app.poll_disk()  # every plan file changed on disk: the session takes them
        after_history_changed(app)

    app.push_screen(RolloverDialog(app.plan_dir), done)


def open_blame(app, kind: str | None = None, entity_id: str | None = None) -> None:
    from tui.plan.registry import KINDS

    from .dialogs.blame import BlameDialog

    if kind is None or entity_id is None:
        if not app.current:
            app.notify("Select an entry first.", severity="warning", markup=False)
            return
        kind, entity_id = app.current
    entity = app.plan.find(kind, entity_id) if app.plan is not None else None
    label = entity.label if entity is not None else ""
    if kind not in KINDS:
        return
    app.push_screen(BlameDialog(app.plan_dir, kind, entity_id, label))


def adopt_checkins(app, files: dict) -> list[str]:
    """Take the files the Check-in screen wrote into the session (their edits were
    refused while unsaved, so nothing of the session is lost).  Returns the names."""
    names = []
    for name, tf in files.items():
        current = app.plan.files.get(name) if app.plan is not None else None
        if current is not None and current.dirty:
            continue  # edited meanwhile: the watcher asks, as for any outside save
        app.session.reload_file(tf)
        names.append(name)
    return names


def after_history_changed(app) -> None:
    """A commit, a tag or a rollover happened: the title and the History view follow."""
    check_uncommitted(app)
    for view in app.main.query("HistoryView"):
        if getattr(view, "in_repo", None):
            view.action_reload()


__all__ = ["BINDINGS", "HeartbeatActions", "adopt_checkins", "key_section", "palette_actions", "after_history_changed", "check_uncommitted", "open_blame", "open_checkin",
           "open_commit", "open_rollover", "uncommitted_note"]
