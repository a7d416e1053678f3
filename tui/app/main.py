"""The Quarterdeck app: the plan's parts as tabs, edits staged in memory until ctrl+s.

Slow work runs in thread workers that only post messages: loading, validating, every
edit (computed on a fork of the plan), saving, and watching the files on disk.  The
UI thread adopts their results.  One edit or save runs at a time (``busy``).

The app is wiring, workers and lifecycle: what is shown and the flows the views ask for
are the main screen's (``screens/main.py``); the edit, save, recovery and disk-watch
machinery is ``editing.py``; the workers' result messages are ``results.py``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import socket
import time
import traceback
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from tui.plan import offload
from tui.plan.model import Plan
from tui.plan.problems import ERROR, PlanError, Problem
from tui.plan.safetext import visible as safe_text

from . import heap, heartbeat
from .commands import PlanCommands
from .config import Settings, load_settings, remember_theme, unknown_keys
from .dialogs.help import HelpScreen
from .editing import Editing
from .guard import result_handler
from .keyorder import KeysInOrder
from .widgets.compact import StylesOnMount
from .messages import Request
from .present import build_rows, plan_currency, problem_marks, visible
from .results import (  # noqa: F401 - the workers' results, also reachable here
    DiskChanged,
    EditDone,
    EditFailed,
    LoadFailed,
    PlanLoaded,
    ProblemsReady,
    Saved,
)
from .screens.main import KIND_VIEW, LIST_KINDS, VIEWS, MainScreen  # noqa: F401 - KIND_VIEW for callers
from .session import Session, fork
from .strips import TerminalSafe

WATCH_SECONDS = 2.0


def validate(plan: Plan, schemas) -> list[Problem]:
    """The plan's problems (``tui.plan.validation``, imported when first needed: the first
    frame does without it and jsonschema)."""
    from tui.plan.validation import validate as validate_plan

    return validate_plan(plan, schemas)


def warm_up(app: App | None = None) -> None:
    """Import what the first frame went without (forms, dialogs, the other views), in a
    worker once the plan is shown and checked, then (in the app's own thread) have the
    forms' default styles parsed: the first form opens as soon as a later one."""
    import importlib

    for name in ("jsonschema", "tui.plan.ops", "tui.app.formspec", "tui.app.dialogs.form", "tui.app.dialogs.choice",
                 "tui.app.dialogs.new_id", "tui.app.views.content", "tui.app.views.team", "tui.app.views.problems",
                 "tui.app.views.history", "tui.app.dialogs.trend"):
        try:
            importlib.import_module(name)
        except Exception:  # noqa: BLE001 - imported again (and any error shown) when needed
            pass
    if app is not None:
        try:
            from .dialogs.form import warm_styles

            app.call_from_thread(warm_styles, app)
        except Exception:  # noqa: BLE001 - the app is closing, or the styles are parsed when first needed
            pass


class QuarterdeckApp(heap.CollectsWhenIdle, KeysInOrder, StylesOnMount, heartbeat.HeartbeatActions, App[int]):
    """Keep one shared quarterly plan: goals, personas, accounts, content, agreements."""

    TITLE = "Quarterdeck"
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # 80×24 is short: the lists get more room
    COMMANDS = App.COMMANDS | {PlanCommands}
    NOTIFICATION_TIMEOUT = 6

    # every key of the main screen is here (the footer lists them in this order); an action
    # of the main screen is bound as "screen.<action>" where it needs no app state
    BINDINGS = [
        Binding("1", "show_view('overview')", "Views", id="view.overview", key_display="1‥9",
                tooltip="Show a part of the plan: " + ", ".join(f"{n % 10} {title}"
                                                                for n, (_v, title) in enumerate(VIEWS[:10], 1))),
        *[Binding(str(n % 10), f"show_view('{vid}')", title, id=f"view.{vid}", show=False,
                  tooltip=f"Show {title}") for n, (vid, title) in enumerate(VIEWS[:10], 1) if n > 1],
        Binding("t", "trend", "Trend", id="app.trend", tooltip="Show the selected key result's target and "
                "actual at each tagged quarter (Goals view)"),
        Binding("ctrl+s", "save", "Save", id="app.save", tooltip="Save every edited file (atomically; files "
                "changed on disk meanwhile are not overwritten)"),
        Binding("ctrl+z", "undo", "Undo", id="app.undo", tooltip="Undo the last edit"),
        Binding("ctrl+y,ctrl+shift+z", "redo", "Redo", id="app.redo", show=False, tooltip="Redo the edit just undone"),
        Binding("question_mark,f1", "help", "Keys", id="app.help", tooltip="List every key"),
        Binding("ctrl+q", "quit", "Quit", id="app.quit", priority=True, show=False,
                tooltip="Quit (asks first when there are unsaved edits)"),
        *heartbeat.BINDINGS,
    ]

    def __init__(self, plan_dir: Path | str, today: dt.date | None = None, *, watch: float | None = WATCH_SECONDS,
                 settings: Settings | None = None):
        super().__init__()
        self.settings = settings if settings is not None else load_settings()
        self._settings_applied = False
        self.timings: dict[str, float] = {"start": time.perf_counter()}
        self.plan_dir = Path(plan_dir)
        self.session = Session(self.plan_dir)
        self._today = today
        self.watch_seconds = watch
        self.problems: list[Problem] = []
        self.marks: dict = {}
        self.rows: dict[str, list] = {}  # kind -> table rows, also for views not built yet
        self.validated = False
        self.busy = False
        self.current: tuple[str, str] | None = None
        self.crash_report: str | None = None
        self._validation_generation = 0
        self._validation_timer = None
        self._terminal_safe = TerminalSafe()
        self.editing = Editing(self)
        self.main = MainScreen()
        self.checker = offload.started_for(self.plan_dir, self.session.schemas.folder)  # None: checked here

    # -- basics ------------------------------------------------------------------------------

    def get_line_filters(self):
        # first: the colour filters (NO_COLOR) then see a style on every segment
        return [self._terminal_safe, *super().get_line_filters()]

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = True) -> None:
        # notifications often quote plan text: never markup, never a control character
        super().notify(safe_text(str(message)), title=safe_text(str(title)), severity=severity, timeout=timeout,
                       markup=False)

    @property
    def today(self) -> dt.date:
        return self._today or dt.date.today()

    @property
    def plan(self) -> Plan | None:
        return self.session.plan

    def on_mount(self) -> None:
        self._apply_settings()
        self.sub_title = f"{self.plan_dir.name} · loading…"
        self.call_after_refresh(self._mark, "first_frame")
        # the plan is loaded once the main screen's widgets are there (MainScreen.on_mount)

    def _apply_settings(self) -> None:
        settings = self.settings
        if settings.theme:
            if settings.theme in self.available_themes:
                self.theme = settings.theme
            else:
                self.notify(f"{settings.path}: no theme {settings.theme!r}; themes are: "
                            f"{', '.join(sorted(self.available_themes))}", severity="warning", timeout=10)
        if settings.keys:
            self.set_keymap(settings.keys)
            unknown = unknown_keys(settings)
            if unknown:
                self.notify(unknown, severity="warning", timeout=10)
        if settings.problem:
            self.notify(settings.problem, severity="warning", timeout=10)
        self._settings_applied = True

    def watch_theme(self, theme: str) -> None:
        # the theme chosen (palette: "Change theme") is the next start's theme too
        if not self._settings_applied or theme == self.settings.theme:
            return
        self.settings.theme = theme
        try:
            remember_theme(theme, self.settings.path)
        except (OSError, PlanError) as exc:
            self.notify(f"The theme could not be remembered in {self.settings.path}: "
                        f"{getattr(exc, 'message', None) or exc}", severity="warning")

    def on_unmount(self) -> None:
        self.session.retire()
        offload.stop(self.checker)
        from .lastlookup import stop_process

        stop_process()

    def _tell_other_sessions(self) -> None:
        try:
            others = self.session.announce()
        except Exception:  # noqa: BLE001 - telling is best effort; saving stays safe either way
            return
        if others:
            who = ", ".join(f"process {o['pid']}" + (f" on {o['host']}" if o["host"] != socket.gethostname() else "")
                            for o in others)
            self.notify(f"Another Quarterdeck session has this plan open ({visible(who)}). Saves never overwrite "
                        "each other: a file the other session saves is merged with your edits, entry by entry.",
                        title="Plan open elsewhere", severity="warning", markup=False, timeout=15)

    def _mark(self, name: str) -> None:
        self.timings.setdefault(name, time.perf_counter())

    def _fatal_error(self) -> None:
        # keep the details for a log file instead of printing a traceback at the user,
        # and the unsaved edits in the recovery file (the last edit may not be in it yet)
        self.crash_report = traceback.format_exc()
        try:
            if self.session.dirty:
                self.session.write_recovery()
        except Exception:  # noqa: BLE001 - what was kept is reported by crash_note
            pass
        self._close_messages_no_wait()

    def crash_note(self) -> str:
        """What became of the unsaved edits, for the message after a crash."""
        session = self.session
        if not session.dirty:
            return "There were no unsaved edits."
        kept = session.recovery_written
        if kept is not None and kept.exists():
            return f"Unsaved edits are kept in {kept} and offered when you start again."
        return ("The unsaved edits could not be kept: no recovery file could be written "
                f"({', '.join(session.dirty_files)} are as last saved).")

    # -- loading --------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", description="_load")  # no repr of a huge Plan
    def load_plan(self) -> None:
        try:
            with heap.building():
                plan = self.session.load()
                rows = {k: build_rows(plan.all(k), currency=plan_currency(plan)) for k in LIST_KINDS}
        except PlanError as exc:
            self.post_message(LoadFailed(str(exc), exc.exit_code))
            return
        self.post_message(PlanLoaded(plan, rows))

    @on(LoadFailed)
    @result_handler
    def _load_failed(self, message: LoadFailed) -> None:
        self.exit(message.code, return_code=message.code, message=Text(f"quarterdeck: {message.message}"))

    @on(PlanLoaded)
    @result_handler
    def _plan_loaded(self, message: PlanLoaded) -> None:
        self.session.adopt(message.plan)
        self._mark("plan_loaded")
        self.main.show_rows(message.rows)
        self.main.plan_shown()
        self.call_after_refresh(self._mark, "accounts_ready")
        self.editing.offer_recovery()
        self._tell_other_sessions()
        heartbeat.check_uncommitted(self)
        heap.settle()  # the check that follows need not walk the plan it is checking
        self.start_validation(delay=0)
        if self.watch_seconds:
            self.set_interval(self.watch_seconds, self.poll_disk)

    # -- validation ----------------------------------------------------------------------------------

    def start_validation(self, delay: float = 0.3) -> None:
        if self._validation_timer is not None:
            self._validation_timer.stop()
        if delay:
            self._validation_timer = self.set_timer(delay, self._start_validation_now)
        else:
            self._start_validation_now()

    def _start_validation_now(self) -> None:
        if self.plan is None:
            return
        self._validation_generation += 1
        self._validate(self._validation_generation, fork(self.plan))

    @work(thread=True, exclusive=True, group="validate", description="_validate")  # no repr of a huge Plan
    def _validate(self, generation: int, plan: Plan) -> None:
        try:
            problems = self._check(plan)
        except Exception as exc:  # noqa: BLE001 - a checker bug must not take the app down
            problems = [Problem(ERROR, "app.validate", f"the plan could not be checked: {exc}", "plan.toml")]
        marks = problem_marks(problems)
        rows = {k: build_rows(plan.all(k), marks, plan_currency(plan)) for k in LIST_KINDS}
        self.post_message(ProblemsReady(generation, problems, marks, rows))

    def _check(self, plan: Plan) -> list[Problem]:
        return offload.check_with(self.checker, plan, lambda: validate(plan, self.session.schemas))

    @on(ProblemsReady)
    @result_handler
    def _problems_ready(self, message: ProblemsReady) -> None:
        if message.generation != self._validation_generation:
            return
        self.problems = message.problems
        self.marks = message.marks
        first = not self.validated
        self.validated = True
        self.main.problems_shown(message.rows)
        heap.settle()
        self._mark("validated")
        if first:  # what the first frame went without, imported while the user reads it
            self.run_worker(lambda: warm_up(self), thread=True, group="warm-up", description="warm_up")

    # -- wiring: keys and palette to the main screen and the edit machinery -------------------------

    def get_default_screen(self) -> Screen:
        return self.main

    async def action_show_view(self, view: str) -> None:
        await self.main.action_show_view(view)

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "trend":
            return self.main.check_action(action, parameters)
        return True

    def action_trend(self) -> None:
        self.main.action_trend()

    def action_save(self) -> None:
        self.editing.save()

    def action_undo(self) -> None:
        self.editing.undo()

    def action_redo(self) -> None:
        self.editing.redo()

    async def action_quit(self) -> None:
        self.editing.quit()

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.main.key_sections()))

    def palette_actions(self) -> list[tuple[str, str, Callable]]:
        return self.main.palette_actions()

    def request_set_fields(self, kind: str, entity_id: str, changes: dict, done=None, save: bool = False) -> None:
        self.editing.request_set_fields(kind, entity_id, changes, done, save)

    def request_add(self, kind: str, full_id: str, fields: dict, done=None, save: bool = False) -> None:
        self.editing.request_add(kind, full_id, fields, done, save)

    def poll_disk(self) -> None:
        self.editing.poll_disk()

    @on(Request)
    def _request_elsewhere(self, request: Request) -> None:
        # a request from another screen (a dialog, the palette) is the main screen's to handle
        self.main.post_message(dataclasses.replace(request))

    # -- results of the edit machinery's workers -------------------------------------------------

    @on(EditDone)
    @result_handler
    def _edit_done(self, message: EditDone) -> None:
        self.editing.edit_done(message)

    @on(EditFailed)
    @result_handler
    def _edit_failed(self, message: EditFailed) -> None:
        self.editing.edit_failed(message)

    @on(Saved)
    @result_handler
    def _saved(self, message: Saved) -> None:
        self.editing.saved(message)

    @on(DiskChanged)
    @result_handler
    def _disk_changed(self, message: DiskChanged) -> None:
        self.editing.disk_changed(message)


def run(plan_dir: Path, today: dt.date | None = None) -> int:
    """Run the app on ``plan_dir``; the exit code."""
    import sys
    import tempfile

    app = QuarterdeckApp(plan_dir, today)
    try:
        result = app.run()
    except Exception as exc:  # noqa: BLE001 - e.g. no usable terminal
        print(f"quarterdeck: the app could not run: {exc}", file=sys.stderr)
        return 1
    if app.crash_report:
        fd, log = tempfile.mkstemp(prefix="quarterdeck-crash-", suffix=".log")
        with open(fd, "w", encoding="utf-8") as fh:
            fh.write(app.crash_report)
        print(f"quarterdeck: stopped after an unexpected error; details are in {log}. {app.crash_note()}",
              file=sys.stderr)
        return 1
    if isinstance(result, int):
        return result
    return app.return_code or 0
