"""The Quarterdeck app: the plan's parts as tabs, edits staged in memory until ctrl+s.

Slow work runs in thread workers that only post messages: loading, validating, every
edit (computed on a fork of the plan), saving, and watching the files on disk.  The
UI thread adopts their results.  One edit or save runs at a time (``busy``).
"""

from __future__ import annotations

import copy
import datetime as dt
import socket
import time
import traceback
from functools import partial
from pathlib import Path
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, Header, TabbedContent, TabPane

from tui.plan import ops
from tui.plan.edit import EditError
from tui.plan.model import Plan
from tui.plan.problems import ERROR, PlanError, Problem
from tui.plan.registry import KINDS, list_kinds
from tui.plan.registry import views as registry_views
from tui.plan.safetext import visible as safe_text
from tui.plan.save import atomic_write
from tui.plan.validation import validate

from .commands import PlanCommands
from .config import Settings, load_settings, remember_theme, unknown_keys
from .dialogs.choice import Choice, ChoiceScreen
from .dialogs.form import FormScreen
from .dialogs.help import HelpScreen
from .dialogs.new_id import NewIdScreen
from .dialogs.trend import TrendScreen
from .formspec import apply_values, check_entity, check_new_id, fresh_id
from .footer import PriorityFooter
from .guard import WorkerResult, result_handler
from .messages import (
    AddRequested,
    CurrentChanged,
    DeleteRequested,
    DuplicateRequested,
    EditRequested,
    JumpRequested,
    MoveRequested,
    ProblemJumpRequested,
    RenameRequested,
)
from .navigation import NAV_BINDINGS, Navigation
from .palette import palette_of
from .present import as_date, build_rows, plan_currency, problem_marks, references_phrase, rename_preview, visible
from .session import DiskEvent, Outcome, RecoveryError, SaveReport, Session, fork
from .strips import TerminalSafe
from .table import RowTable
from .tablabels import fit_labels
from .views.calendar import CalendarView
from .views.content import ContentView
from .views.history import HistoryView
from .views.lazy import LazyView
from .views.lists import DetailPane, EntityList, ListDetail
from .views.overview import OverviewView
from .views.problems import ProblemsView
from .views.singleton import SingletonPanel
from .views.team import TeamView

# The views, their lists and where each kind is shown all come from the registry; the
# app adds its own two views (Problems, History) after the plan's first seven, and any
# further kind view (Messaging, or a kind added later) after those, so digit keys stay put.
_KIND_VIEWS = list(registry_views().items())
VIEWS = _KIND_VIEWS[:7] + [("problems", "Problems"), ("history", "History")] + _KIND_VIEWS[7:]
LIST_KINDS = list_kinds()
KIND_VIEW = {k.name: k.view for k in KINDS.values() if k.view}
TEAM_TABS = {k.name: k.tab for k in KINDS.values() if k.view == "team" and k.tab}
# views with a layout of their own; every other kind view is a list and a detail pane
_SPECIAL_VIEWS = {"overview", "goals", "content", "team", "problems", "history"}


def _list_view(kinds: list[str], view_id: str) -> ListDetail:
    """A kind view with no layout of its own: its first kind's list and the detail pane
    (a child kind, scoped to the selected entry, below it)."""
    first, *rest = kinds
    return ListDetail(EntityList(first), *[EntityList(k, scoped=True) for k in rest], id=view_id)
WATCH_SECONDS = 2.0


# -- messages from workers ------------------------------------------------------------------


class PlanLoaded(WorkerResult):
    def __init__(self, plan: Plan, rows: dict) -> None:
        super().__init__()
        self.plan = plan
        self.rows = rows


class LoadFailed(WorkerResult):
    def __init__(self, message: str, code: int) -> None:
        super().__init__()
        self.message = message
        self.code = code


class ProblemsReady(WorkerResult):
    def __init__(self, generation: int, problems: list[Problem], marks: dict, rows: dict) -> None:
        super().__init__()
        self.generation = generation
        self.problems = problems
        self.marks = marks
        self.rows = rows


class EditDone(WorkerResult):
    def __init__(self, outcome: Outcome, rows: dict, mode: str, done, save: bool) -> None:
        super().__init__()
        self.outcome = outcome
        self.rows = rows
        self.mode = mode
        self.done = done
        self.save = save


class EditFailed(WorkerResult):
    def __init__(self, message: str, done) -> None:
        super().__init__()
        self.message = message
        self.done = done


class ReferrersReady(WorkerResult):
    def __init__(self, kind: str, entity_id: str, users: list) -> None:
        super().__init__()
        self.kind = kind
        self.entity_id = entity_id
        self.users = users


class Saved(WorkerResult):
    def __init__(self, report: SaveReport, files: dict) -> None:
        super().__init__()
        self.report = report
        self.files = files


class DiskChanged(WorkerResult):
    def __init__(self, events: list[DiskEvent]) -> None:
        super().__init__()
        self.events = events


# -- the app --------------------------------------------------------------------------------------


class QuarterdeckApp(Navigation, App[int]):
    """Keep one shared quarterly plan: goals, personas, accounts, content, agreements."""

    TITLE = "Quarterdeck"
    CSS_PATH = "app.tcss"
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS = [(0, "-short"), (30, "-tall")]  # 80×24 is short: the lists get more room
    COMMANDS = App.COMMANDS | {PlanCommands}
    NOTIFICATION_TIMEOUT = 6

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
        *NAV_BINDINGS,
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
        self._quit_after_save = False
        self._asking_disk: set[str] = set()
        self._poll_running = False
        self._navigating = False
        self._back = []  # places to go back to (the back key)
        self._place_recorded = False  # the place before the coming change of view is remembered
        self._tab_titles: dict[str, str] = {}
        self._terminal_safe = TerminalSafe()

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

    def compose(self) -> ComposeResult:
        yield Header(icon="⚓")
        with TabbedContent(id="views", initial="overview"):
            with TabPane("Overview", id="overview"):
                yield OverviewView(id="overview-view")
            with TabPane("Goals", id="goals"):
                yield LazyView(lambda: ListDetail(EntityList("goal"), EntityList("key_result", scoped=True),
                                                  id="goals-view"), id="lazy-goals")
            with TabPane("Personas", id="personas"):
                yield LazyView(lambda: ListDetail(EntityList("persona"), id="personas-view"), id="lazy-personas")
            with TabPane("Accounts", id="accounts"):
                yield LazyView(lambda: ListDetail(EntityList("account"), id="accounts-view"), id="lazy-accounts")
            with TabPane("Content", id="content"):
                yield LazyView(lambda: ContentView(id="content-view"), id="lazy-content")
            with TabPane("Glossary", id="glossary"):
                yield LazyView(lambda: ListDetail(EntityList("term"), id="glossary-view"), id="lazy-glossary")
            with TabPane("Team", id="team"):
                yield LazyView(lambda: TeamView(id="team-view"), id="lazy-team")
            with TabPane("Problems", id="problems"):
                yield LazyView(ProblemsView, id="lazy-problems")
            with TabPane("History", id="history"):
                yield LazyView(HistoryView, id="lazy-history")
            for vid, title in VIEWS:
                if vid in _SPECIAL_VIEWS or vid in ("personas", "accounts", "glossary"):
                    continue
                kinds = [k for k in LIST_KINDS if KIND_VIEW.get(k) == vid]
                with TabPane(title, id=vid):
                    yield LazyView(partial(_list_view, kinds, f"{vid}-view"), id=f"lazy-{vid}")
        yield PriorityFooter()

    def on_mount(self) -> None:
        self._apply_settings()
        self.sub_title = f"{self.plan_dir.name} · loading…"
        self.call_after_refresh(self._mark, "first_frame")
        self._load()

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

    @work(thread=True, exclusive=True, group="load")
    def _load(self) -> None:
        try:
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
        self._show_rows(message.rows)
        self._redraw_all()
        self._update_title()
        self.call_after_refresh(self._mark, "accounts_ready")
        self._offer_recovery()
        self._tell_other_sessions()
        self.start_validation(delay=0)
        if self.watch_seconds:
            self.set_interval(self.watch_seconds, self.poll_disk)
        focus = self.query_one("#overview-view")
        if self.query_one("#views", TabbedContent).active == "overview":
            focus.focus()

    # -- showing ------------------------------------------------------------------------------------

    def _show_rows(self, rows: dict, keep: tuple[str, str] | None = None) -> None:
        self.rows.update(rows)
        for kind, kind_rows in rows.items():
            for lst in self.query(f"#list-{kind}").results(EntityList):
                lst.set_rows(kind_rows, keep_id=keep[1] if keep and keep[0] == kind else None)

    def _redraw_all(self) -> None:
        if self.plan is None:
            return
        self.query_one(OverviewView).redraw()
        for pane in self.query(DetailPane):
            if pane.id != "calendar-detail":
                pane.redraw()
        for panel in self.query(SingletonPanel):
            panel.redraw()
        for calendar in self.query(CalendarView):
            calendar.set_plan(self.plan, self.today)
            self.query_one("#calendar-detail", DetailPane).show("content", calendar.picked)

    def _update_title(self) -> None:
        plan = self.plan
        if plan is None:
            return
        data = plan.files["plan.toml"].data.get("plan", {}) if "plan.toml" in plan.files else {}
        company = visible(str(data.get("company", "")))
        parts = [p for p in (company, plan.quarter, self.plan_dir.name) if p]
        dirty = self.session.dirty_files
        sub = " · ".join(parts)
        if dirty:
            sub += f" · ● unsaved: {', '.join(dirty)}"
        if self.busy:
            sub += " · working…"
        self.sub_title = sub

    async def action_show_view(self, view: str) -> None:
        # the back key returns to where this change of view leaves (its list and entry)
        if self.query_one("#views", TabbedContent).active != view:
            self.remember_place()
            self._place_recorded = True
        # build the view while its tab is still hidden, then show it
        await self.ensure_view(view)
        self.query_one("#views", TabbedContent).active = view

    async def ensure_view(self, view: str) -> None:
        """Build a view the first time it is needed."""
        for lazy in self.query(f"#lazy-{view}").results(LazyView):
            await lazy.load()

    def _focus_view(self, view: str) -> None:
        pane = self.query_one(f"#{view}", TabPane)
        for widget in pane.query("*"):
            if widget.focusable and widget.display and not isinstance(widget, (TabbedContent,)) \
                    and type(widget).__name__ not in ("Input", "ContentTabs", "Tabs"):
                widget.focus()
                return

    @on(TabbedContent.TabActivated, "#views")
    async def _view_activated(self, event: TabbedContent.TabActivated) -> None:
        # the back key returns to where this change of view left (its list and entry): a
        # key or a jump said so before the change; a click on a tab is known only now
        if not self._place_recorded and self._last_place is not None and self._last_place.view != event.pane.id:
            self.remember_place(self._last_place)
        self._place_recorded = False
        self.call_after_refresh(self._note_place)
        await self.ensure_view(event.pane.id)
        if event.pane.id == "history":
            for view in self.query(HistoryView):
                if view.in_repo is not None:  # shown again: commits or saves may have happened meanwhile
                    view.action_reload()
        if not self._navigating:
            self.call_after_refresh(self._focus_view, event.pane.id)

    # -- requests from the widgets -------------------------------------------------------------

    @on(EditRequested)
    def _edit_requested(self, request: EditRequested) -> None:
        self.edit_entity(request.kind, request.entity_id, request.field)

    @on(AddRequested)
    def _add_requested(self, request: AddRequested) -> None:
        self.add_entity_flow(request.kind, request.parent_id)

    @on(DuplicateRequested)
    def _duplicate_requested(self, request: DuplicateRequested) -> None:
        self.duplicate_entity(request.kind, request.entity_id)

    @on(RenameRequested)
    def _rename_requested(self, request: RenameRequested) -> None:
        self.rename_entity_flow(request.kind, request.entity_id)

    @on(DeleteRequested)
    def _delete_requested(self, request: DeleteRequested) -> None:
        self.delete_entity_flow(request.kind, request.entity_id)

    @on(MoveRequested)
    def _move_requested(self, request: MoveRequested) -> None:
        self.move_content(request.entity_id, request.days)

    @on(JumpRequested)
    def _jump_requested(self, request: JumpRequested) -> None:
        # a jump may build a view first: not inside this handler, so the app keeps running meanwhile
        self.run_worker(self.goto_entity(request.kind, request.entity_id), group="jump")

    @on(ProblemJumpRequested)
    def _problem_jump_requested(self, request: ProblemJumpRequested) -> None:
        self.run_worker(self.jump_to_problem(request.problem), group="jump")

    @on(CurrentChanged)
    def _current_changed(self, request: CurrentChanged) -> None:
        self.current = (request.kind, request.entity_id)

    @on(EntityList.Selected)
    def _list_selected(self, event: EntityList.Selected) -> None:
        # only a list on screen says what the user looks at (lists of views being built
        # in the background report their first row too)
        stale = event.entity_id != event.entity_list.current_id
        if event.entity_id and not stale and self._shown(event.entity_list):
            self.current = (event.entity_list.kind.name, event.entity_id)
            self._note_place()

    @staticmethod
    def _shown(widget) -> bool:
        """Is ``widget`` in the shown pane of every tab set around it?"""
        node = widget
        while node is not None:
            parent = node.parent
            if isinstance(node, TabPane) and isinstance(parent, ContentSwitcher) and parent.current != node.id:
                return False
            node = parent
        return True

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

    @work(thread=True, exclusive=True, group="validate")
    def _validate(self, generation: int, plan: Plan) -> None:
        try:
            problems = validate(plan, self.session.schemas)
        except Exception as exc:  # noqa: BLE001 - a checker bug must not take the app down
            problems = [Problem(ERROR, "app.validate", f"the plan could not be checked: {exc}", "plan.toml")]
        marks = problem_marks(problems)
        rows = {k: build_rows(plan.all(k), marks, plan_currency(plan)) for k in LIST_KINDS}
        self.post_message(ProblemsReady(generation, problems, marks, rows))

    @on(ProblemsReady)
    @result_handler
    def _problems_ready(self, message: ProblemsReady) -> None:
        if message.generation != self._validation_generation:
            return
        self.problems = message.problems
        self.marks = message.marks
        self.validated = True
        self._show_rows(message.rows)
        for view in self.query(ProblemsView):
            view.set_problems(self.problems)
        errors = sum(1 for p in self.problems if p.severity == ERROR)
        tab = self.query_one("#views", TabbedContent).get_tab("problems")
        self._fit_tab_labels()  # "Problems 8" (or "Probs 8" on a narrow screen)
        tab.set_class(errors > 0, "-has-errors")
        self._redraw_all()
        self._mark("validated")

    # -- editing machinery -------------------------------------------------------------------------------

    def _refuse_busy(self, done=None) -> bool:
        if self.plan is None:
            self.notify("The plan is still loading.", severity="warning", markup=False)
            if done:
                done("The plan is still loading.")
            return True
        if self.busy:
            self.notify("Still working on the previous edit…", severity="warning", markup=False)
            if done:
                done("Still working on the previous edit; try again in a moment.")
            return True
        return False

    def run_edit(self, op: Callable[[Plan], object] | None, summary: str, focus: tuple[str, str] | None = None,
                 done: Callable[[str | None], None] | None = None, save: bool = False, mode: str = "edit") -> None:
        if self._refuse_busy(done):
            return
        self.busy = True
        self._update_title()
        self._edit_worker(op, summary, focus, done, save, mode)

    @work(thread=True, group="edit")
    def _edit_worker(self, op, summary, focus, done, save, mode) -> None:
        try:
            if mode == "undo":
                outcome = self.session.compute_undo()
            elif mode == "redo":
                outcome = self.session.compute_redo()
            else:
                outcome = self.session.compute(op, summary, focus)
            if outcome is None:
                self.post_message(EditFailed("Nothing to " + mode + ".", done))
                return
            kinds = [k for k in LIST_KINDS if KINDS[k].file in outcome.step.after]
            rows = {k: build_rows(outcome.plan.all(k), self.marks, plan_currency(outcome.plan)) for k in kinds}
            try:
                self.session.write_recovery(outcome.plan)
            except PlanError as exc:
                outcome.value = ("recovery-failed", exc.message)
        except PlanError as exc:
            self.post_message(EditFailed(exc.message, done))
            return
        except Exception as exc:  # noqa: BLE001 - no traceback for the user; the edit is refused
            self.post_message(EditFailed(f"the edit failed unexpectedly ({type(exc).__name__}: {exc}); "
                                         "nothing was changed", done))
            return
        self.post_message(EditDone(outcome, rows, mode, done, save))

    @on(EditDone)
    @result_handler
    def _edit_done(self, message: EditDone) -> None:
        outcome = message.outcome
        if message.mode == "undo":
            self.session.commit_undo(outcome)
        elif message.mode == "redo":
            self.session.commit_redo(outcome)
        else:
            self.session.commit(outcome)
        self.busy = False
        focus = outcome.step.focus
        self._show_rows(message.rows, keep=focus)
        if focus and self.plan.find(*focus) is not None:
            self.current = focus
            for lst in self.query(f"#list-{focus[0]}").results(EntityList):
                lst.table.select_id(focus[1])
        self._redraw_all()
        self._update_title()
        self.start_validation()
        if isinstance(outcome.value, tuple) and outcome.value[:1] == ("recovery-failed",):
            self.notify(f"{outcome.value[1]}. {self.where_edits_stand()}", severity="warning", markup=False,
                        timeout=12)
        if message.mode in ("undo", "redo"):
            self.notify(outcome.step.summary, markup=False, timeout=3)
        if message.done:
            message.done(None)
        if message.save:
            self.action_save()

    @on(EditFailed)
    @result_handler
    def _edit_failed(self, message: EditFailed) -> None:
        self.busy = False
        self._update_title()
        if message.done:
            message.done(message.message)
        else:
            self.notify(message.message, severity="error" if "Nothing to" not in message.message else "information",
                        markup=False)

    # -- edit flows -----------------------------------------------------------------------------------------

    def _entity_or_warn(self, kind: str, entity_id: str):
        entity = self.plan.find(kind, entity_id) if self.plan is not None else None
        if entity is None:
            self.notify(f"No {KINDS[kind].title.lower()} {entity_id!r} in the plan (any more).", severity="warning",
                        markup=False)
        return entity

    def edit_entity(self, kind: str, entity_id: str, field: str | None = None) -> None:
        if self._refuse_busy():
            return
        if self._entity_or_warn(kind, entity_id) is None:
            return
        self.push_screen(FormScreen(self.plan, self.session.schemas, KINDS[kind], entity_id, focus_field=field))

    def add_entity_flow(self, kind: str, parent_id: str | None = None) -> None:
        if self._refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            self.notify(f"The plan has exactly one {k.title}; edit it instead.", markup=False)
            return
        if k.addressed_by_parent and parent_id is None and self.current and self.current[0] == k.parent:
            parent_id = self.current[1]
        self.push_screen(FormScreen(self.plan, self.session.schemas, k, None, parent_id=parent_id))

    def request_set_fields(self, kind: str, entity_id: str, changes: dict, done=None, save: bool = False) -> None:
        schemas = self.session.schemas
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
        schemas = self.session.schemas
        k = KINDS[kind]

        def op(plan: Plan) -> None:
            problems = check_entity(schemas, k, None, {"id": full_id.rsplit("/", 1)[-1], **fields})
            if problems:
                raise EditError("; ".join(problems))
            ops.add(plan, kind, full_id, fields, schemas)

        self.run_edit(op, f"{kind} {full_id} added", (kind, full_id), done, save)

    def duplicate_entity(self, kind: str, entity_id: str) -> None:
        entity = self._entity_or_warn(kind, entity_id)
        if entity is None or self._refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            return
        schemas = self.session.schemas
        new_own = fresh_id(self.plan, k, entity.own_id, entity.parent_id)
        full = f"{entity.parent_id}/{new_own}" if entity.parent_id else new_own
        fields = {key: copy.deepcopy(v) for key, v in entity.data.items() if key != "id"}

        def op(plan: Plan) -> None:
            problems = check_entity(schemas, k, None, {"id": new_own, **fields})
            if problems:
                raise EditError("; ".join(problems))
            ops.duplicate(plan, kind, entity_id, schemas, new_own_id=new_own)

        self.run_edit(op, f"{kind} {entity_id} duplicated as {full}", (kind, full),
                      done=self._notify_result(f"Duplicated as {full}"))

    def _notify_result(self, success: str):
        def done(error: str | None) -> None:
            if error is None:
                self.notify(success, markup=False, timeout=3)
            else:
                self.notify(error, severity="error", markup=False)

        return done

    def rename_entity_flow(self, kind: str, entity_id: str) -> None:
        entity = self._entity_or_warn(kind, entity_id)
        if entity is None or self._refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            return

        def check(value: str) -> str:
            return check_new_id(self.plan, k, value, entity.parent_id)

        def chosen(new_own: str | None) -> None:
            if not new_own:
                return
            schemas = self.session.schemas
            full = f"{entity.parent_id}/{new_own}" if entity.parent_id else new_own

            report: list[ops.RenameReport] = []

            def op(plan: Plan) -> None:
                report.append(ops.rename(plan, kind, entity_id, new_own, schemas))

            def done(error: str | None) -> None:
                if error is not None:
                    self.notify(error, severity="error")
                    return
                r = report[-1]
                ref_files = [f for f in r.files if f != entity.file] if r.references else []
                ref_files = ref_files or (r.files if r.references else [])
                self.notify(f"Renamed to {r.new_id}; {references_phrase(r.references, users_files or ref_files)} "
                            "followed", timeout=5)

            self.run_edit(op, f"{kind} {entity_id} renamed to {full}", (kind, full), done=done)

        users_files: list[str] = []
        snapshot = fork(self.plan)
        schemas = self.session.schemas

        def preview() -> str:
            users = ops.find_referrers(snapshot, kind, entity_id, schemas)
            users_files[:] = sorted({u.file for u in users})
            return rename_preview(users)

        self.push_screen(NewIdScreen(f"Rename {k.title.lower()} {entity_id}",
                                     "The new id is written everywhere the plan refers to this one.",
                                     entity.own_id, check, preview=preview), chosen)

    def delete_entity_flow(self, kind: str, entity_id: str) -> None:
        entity = self._entity_or_warn(kind, entity_id)
        if entity is None or self._refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            self.notify(f"The {k.title} cannot be deleted; edit its fields instead.", markup=False)
            return
        # finding what refers to it reads the whole plan: off the UI thread
        self.busy = True
        self._update_title()
        self._referrers_worker(kind, entity_id, fork(self.plan))

    @work(thread=True, group="referrers")
    def _referrers_worker(self, kind: str, entity_id: str, plan: Plan) -> None:
        try:
            users = ops.find_referrers(plan, kind, entity_id, self.session.schemas)
        except PlanError as exc:
            self.post_message(EditFailed(exc.message, None))
            return
        self.post_message(ReferrersReady(kind, entity_id, users))

    @on(ReferrersReady)
    @result_handler
    def _confirm_delete(self, message: ReferrersReady) -> None:
        self.busy = False
        self._update_title()
        kind, entity_id, users = message.kind, message.entity_id, message.users
        entity = self._entity_or_warn(kind, entity_id)
        if entity is None:
            return
        k = KINDS[kind]
        body = Text()
        body.append(f"Delete {k.title.lower()} ")
        body.append(visible(entity.label), style="bold")
        body.append(f" ({entity.id})?\n\n")
        if users:
            body.append(f"{len(users)} reference{'s' if len(users) != 1 else ''} to it will point nowhere "
                        "(the Problems view will list them):\n", style=palette_of(self).warn)
            for r in users[:20]:
                body.append(f"  • {r.entity.kind.title.lower()} {visible(r.entity.label)} ({r.entity.id}) — {r.field}\n")
            if len(users) > 20:
                body.append(f"  … and {len(users) - 20} more\n")
        else:
            body.append("Nothing in the plan refers to it.\n", style="dim")
        body.append("\nThe deletion is staged: ctrl+z undoes it, ctrl+s saves it.", style="dim")

        def chosen(answer: str | None) -> None:
            if answer != "delete":
                return

            def op(plan: Plan) -> None:
                ops.delete(plan, kind, entity_id, self.session.schemas)

            self.run_edit(op, f"{kind} {entity_id} deleted", None, done=self._notify_result(f"Deleted {entity_id}"))

        self.push_screen(ChoiceScreen(f"Delete {k.title.lower()}?", body,
                                      [Choice("delete", "Delete", "d", "error"), Choice("cancel", "Cancel", "n")],
                                      focus="cancel"), chosen)

    def move_content(self, entity_id: str, days: int) -> None:
        entity = self._entity_or_warn("content", entity_id)
        if entity is None:
            return
        day = as_date(entity.data.get("publish_date"))
        if day is None:
            self.notify("This item has no publish date; set one in its form (e).", severity="warning", markup=False)
            return
        new_day = day + dt.timedelta(days=days)
        schemas = self.session.schemas

        def op(plan: Plan) -> None:
            ops.move_by_days(plan, "content", entity_id, "publish_date", days, schemas)

        self.run_edit(op, f"content {entity_id}: publish_date {new_day.isoformat()}", ("content", entity_id))

    def action_undo(self) -> None:
        if not self.session.undo_stack:
            self.notify("Nothing to undo.", markup=False, timeout=2)
            return
        self.run_edit(None, "undo", mode="undo")

    def action_redo(self) -> None:
        if not self.session.redo_stack:
            self.notify("Nothing to redo.", markup=False, timeout=2)
            return
        self.run_edit(None, "redo", mode="redo")

    # -- navigation -----------------------------------------------------------------------------------------

    async def goto_entity(self, kind: str, entity_id: str) -> bool:
        """Show an entity in its view, selected (and focused)."""
        if self.plan is None or self.plan.find(kind, entity_id) is None:
            self._entity_or_warn(kind, entity_id)
            return False
        view = KIND_VIEW[kind]
        self.remember_place()  # a jump: the back key returns here
        self._place_recorded = self.query_one("#views", TabbedContent).active != view
        self._navigating = True
        try:
            await self.ensure_view(view)
            self.query_one("#views", TabbedContent).active = view
            if view == "team":
                self.query_one("#team-tabs", TabbedContent).active = TEAM_TABS[kind]
            if view == "content":
                self.query_one("#content-tabs", TabbedContent).active = "content-list"
        except (ValueError, NoMatches):  # the view is still being built: say so, never stop
            self.notify(f"The {view} view is not ready yet; try again in a moment.", severity="warning")
            return False
        finally:
            self.call_after_refresh(setattr, self, "_navigating", False)
        if KINDS[kind].singleton:
            target = "#overview-view" if kind == "plan" else f"#single-{kind}"
            self.call_after_refresh(self.query_one(target).focus)
            return True
        if kind == "key_result":
            goal_list = self.query_one("#list-goal", EntityList)
            parent = entity_id.rsplit("/", 1)[0]
            self._reveal(goal_list, parent)
            self.query_one("#list-key_result", EntityList).set_scope(parent)
        lst = self.query_one(f"#list-{kind}", EntityList)
        self._reveal(lst, entity_id)
        self.current = (kind, entity_id)
        self.call_after_refresh(lst.table.focus)
        return True

    def _reveal(self, lst: EntityList, entity_id: str) -> None:
        if not lst.table.select_id(entity_id):
            lst.filter_input.value = ""
            lst._apply_view(entity_id)
            lst.table.select_id(entity_id)

    async def jump_to_problem(self, problem: Problem) -> None:
        if not problem.kind:
            where = f"{problem.file}:{problem.line}:{problem.col}" if problem.line else problem.file
            self.notify(f"{where}: fix this in a text editor ({problem.message})", severity="warning", markup=False)
            return
        entity_id = problem.entity or problem.kind
        if await self.goto_entity(problem.kind, entity_id):
            self.edit_entity(problem.kind, entity_id, field=problem.field or None)

    # -- saving and quitting ----------------------------------------------------------------------------------

    def action_save(self) -> None:
        if self.plan is None:
            return
        if self.busy:
            self.notify("Still working on the previous edit…", severity="warning", markup=False)
            return
        dirty = self.session.dirty_files
        if not dirty:
            self.notify("Nothing to save: no unsaved edits.", markup=False, timeout=3)
            if self._quit_after_save:
                self.exit(0)
            return
        self.busy = True
        self._update_title()
        files = {name: self.plan.files[name] for name in dirty}
        self._save_worker(files)

    @work(thread=True, group="save")
    def _save_worker(self, files: dict) -> None:
        report = self.session.save_files(files)
        self.post_message(Saved(report, files))

    @on(Saved)
    @result_handler
    def _saved(self, message: Saved) -> None:
        report = message.report
        self.session.adopt_saved(report, message.files)
        self.busy = False
        self._write_recovery_now()
        self._update_title()
        for view in self.query(HistoryView):
            if view.in_repo:  # the working tree changed: its diff too
                view.action_reload()
        if report.saved:
            self.notify(f"Saved {', '.join(report.saved)}", markup=False, timeout=3)
        for name, reason in report.failed.items():
            self.notify(f"{reason}.\n{self.where_edits_stand()}", title=f"{name} not saved", severity="error",
                        markup=False, timeout=20)
            self.session.disk_seen.pop(name, None)
        if report.failed:
            self._quit_after_save = False
            self.poll_disk()
        elif self._quit_after_save:
            self.exit(0)

    async def action_quit(self) -> None:
        dirty = self.session.dirty_files
        if not dirty:
            self.exit(0)
            return
        body = Text()
        body.append("These files have edits that are not saved:\n")
        for name in dirty:
            body.append(f"  • {name}\n", style="bold")
        body.append("\nSave writes them now; Discard drops the edits; Cancel goes back.", style="dim")

        def chosen(answer: str | None) -> None:
            if answer == "save":
                self._quit_after_save = True
                self.action_save()
            elif answer == "discard":
                self.session.clear_recovery()
                self.exit(0)

        if not isinstance(self.screen, ChoiceScreen):
            self.push_screen(ChoiceScreen("Quit with unsaved edits?", body,
                                          [Choice("save", "Save", "s", "primary"), Choice("discard", "Discard", "d",
                                                                                          "error"),
                                           Choice("cancel", "Cancel", "c")], id="quit-dialog"), chosen)

    def action_help(self) -> None:
        if isinstance(self.screen, HelpScreen):
            return
        self.push_screen(HelpScreen(self.key_sections()))

    def key_sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        def rows(bindings):
            out = []
            for b in bindings:
                if isinstance(b, tuple):
                    continue
                keys = " / ".join(self.get_key_display(Binding(k.strip(), b.action)) for k in b.key.split(","))
                out.append((keys, b.description or b.action, b.tooltip))
            return out

        palette = [(self.get_key_display(Binding(self.COMMAND_PALETTE_BINDING, "command_palette")),
                    "Command palette", "Run any action or jump to any entry by name")]
        views = [("1 … 9, 0", "Views", ", ".join(f"{n % 10} {title}" for n, (_v, title) in enumerate(VIEWS[:10], 1)))]
        general = [b for b in self.BINDINGS if not (b.id or "").startswith("view.")]
        return [
            ("Everywhere", views + rows(general) + palette),
            ("Lists", rows(EntityList.BINDINGS) + rows(RowTable.BINDINGS)),
            ("Content", rows(ContentView.BINDINGS)),
            ("Calendar", rows(CalendarView.BINDINGS)),
            ("Overview and settings", rows(OverviewView.BINDINGS) + rows(SingletonPanel.BINDINGS)),
            ("Problems", rows(ProblemsView.BINDINGS)),
            ("History", rows(HistoryView.BINDINGS)),
            ("Forms", rows(FormScreen.BINDINGS)),
        ]

    async def compare_quarters(self) -> None:
        await self.action_show_view("history")
        self.query_one(HistoryView).action_compare_quarters()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "trend":
            return self.query_one("#views", TabbedContent).active == "goals"
        if action in ("back", "sub_tab", "toggle_detail", "maximize_pane") and len(self.screen_stack) > 1:
            return False  # a dialog is open: these keys are about the main screen
        if action == "sub_tab":
            return self.sub_tabs() is not None
        return True

    # -- getting around (see navigation.py) -------------------------------------------------------

    def on_descendant_focus(self) -> None:
        self._note_place()

    def _note_place(self) -> None:
        if not self._going_back and len(self.screen_stack) == 1:
            place = self.current_place()
            if place is not None:
                self._last_place = place

    async def show_view_for_back(self, view: str) -> None:
        self._navigating = True
        try:
            await self.action_show_view(view)
        finally:
            self.call_after_refresh(setattr, self, "_navigating", False)

    async def app_settle(self) -> None:
        for lazy in self.query("LazyView").results(LazyView):
            if lazy.display and self._shown(lazy):
                await lazy.load()

    def on_resize(self) -> None:
        self._fit_tab_labels()

    def _fit_tab_labels(self) -> None:
        """Short tab labels when the full ones do not fit (80 columns): no tab scrolls off."""
        try:
            tabs = self.query_one("#views", TabbedContent)
        except NoMatches:
            return
        panes = [p.id for p in tabs.query(TabPane) if p.parent is not None and p.parent.parent is tabs]
        if not self._tab_titles:
            for vid in panes:
                label = str(tabs.get_tab(vid).label)
                self._tab_titles[vid] = "Problems" if vid == "problems" else label
        extra = {"problems": f" {len(self.problems)}"} if self.problems else {}
        labels = fit_labels({v: self._tab_titles.get(v, v) for v in panes}, self.size.width - 2, extra)
        for vid, label in labels.items():
            tab = tabs.get_tab(vid)
            text = label + extra.get(vid, "")
            if str(tab.label) != text:
                tab.label = Content(text)

    def action_trend(self) -> None:
        """The trend of the key result selected in the Goals view."""
        kr_id = None
        for lst in self.query("#list-key_result").results(EntityList):
            kr_id = lst.current_id
        if kr_id is None and self.current and self.current[0] == "key_result":
            kr_id = self.current[1]
        if kr_id is None:
            self.notify("Select a key result first (Goals view, lower list).", severity="warning", markup=False)
            return
        entity = self.plan.find("key_result", kr_id) if self.plan is not None else None
        title = visible(str(entity.data.get("title", ""))) if entity is not None else ""
        self.push_screen(TrendScreen(self.plan_dir, kr_id, title))

    def palette_actions(self) -> list[tuple[str, str, Callable]]:
        out: list[tuple[str, str, Callable]] = []
        for vid, title in VIEWS:
            out.append((f"Go to {title}", f"Show the {title} view", partial(self.action_show_view, vid)))
        out += [
            ("Save", "Save every edited file", self.action_save),
            ("Save a copy to…", "Write the edited files to another folder", self.save_copy_flow),
            ("Undo", "Undo the last edit", self.action_undo),
            ("Redo", "Redo the edit just undone", self.action_redo),
            ("Keys", "List every key", self.action_help),
            ("Edit plan settings", "Company, quarter, dates, stages, targets", partial(self.edit_entity, "plan", "plan")),
            ("Edit hand-off SLA", "The lead hand-off agreement", partial(self.edit_entity, "sla", "sla")),
            ("Edit lead scoring", "Threshold and decay", partial(self.edit_entity, "lead_scoring", "lead_scoring")),
            ("Content calendar", "Show the content calendar", self._show_calendar),
            ("Check the plan again", "Validate every file now", partial(self.start_validation, 0)),
            ("Compare two quarters", "Semantic diff between two tagged quarters (History view)",
             self.compare_quarters),
        ]
        for kind in LIST_KINDS:
            k = KINDS[kind]
            out.append((f"Add {k.title.lower()}", f"A new {k.title.lower()}", partial(self.add_entity_flow, kind)))
        if self.current and self.current[0] == "key_result":
            out.append(("Key result trend", self.current[1], self.action_trend))
        if self.current:
            kind, entity_id = self.current
            title = KINDS[kind].title.lower()
            out += [
                (f"Edit selected {title}", entity_id, partial(self.edit_entity, kind, entity_id)),
                (f"Duplicate selected {title}", entity_id, partial(self.duplicate_entity, kind, entity_id)),
                (f"Rename selected {title}", entity_id, partial(self.rename_entity_flow, kind, entity_id)),
                (f"Delete selected {title}", entity_id, partial(self.delete_entity_flow, kind, entity_id)),
            ]
        return out

    async def _show_calendar(self) -> None:
        self._navigating = True
        await self.ensure_view("content")
        self.query_one("#views", TabbedContent).active = "content"
        self.query_one("#content-tabs", TabbedContent).active = "content-calendar"
        self.call_after_refresh(setattr, self, "_navigating", False)
        self.call_after_refresh(self.query_one(CalendarView).focus)

    # -- recovery -----------------------------------------------------------------------------------------------

    def _offer_recovery(self) -> None:
        session = self.session
        try:
            rec = session.read_recovery()
        except RecoveryError as exc:
            session.recovery_enabled = False
            self.notify(f"{exc.message}. This session keeps no crash copy of its edits.", severity="warning",
                        markup=False, timeout=12)
            return
        if rec is None:
            return
        if session.owner_alive(rec):
            session.recovery_enabled = False
            self.notify(f"Another Quarterdeck session (process {rec.pid}) has unsaved edits in this plan. Saves "
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
                        "when you save.\n", style=palette_of(self).warn)
        body.append("\nRestore stages the edits (review them, then ctrl+s). Discard deletes the recovery file.",
                    style="dim")

        def chosen(answer: str | None) -> None:
            if answer == "restore":
                self.run_edit(Session.recover_op(rec), "recovered unsaved edits",
                              done=self._notify_result("Unsaved edits restored; ctrl+s saves them"))
            elif answer == "discard":
                session.clear_recovery()
                self.notify("Recovered edits discarded.", markup=False, timeout=3)
            else:
                session.recovery_enabled = False
                self.notify("The recovery file is kept for later; this session keeps no crash copy.",
                            severity="warning", markup=False)

        self.push_screen(ChoiceScreen("Restore unsaved edits?", body,
                                      [Choice("restore", "Restore", "r", "primary"),
                                       Choice("discard", "Discard", "d", "error")], cancel="later",
                                      id="recovery-dialog"), chosen)

    # -- watching the disk ------------------------------------------------------------------------------------------

    def poll_disk(self) -> None:
        if self.plan is None or self.busy or self._poll_running or self._asking_disk:
            return
        self._poll_running = True
        self._poll_worker(self.session.known_disk_hashes())

    @work(thread=True, exclusive=True, group="watch")
    def _poll_worker(self, known: dict) -> None:
        try:
            events = self.session.poll_disk(known)
        except Exception:  # noqa: BLE001 - a failed poll is retried next time
            events = []
        self.post_message(DiskChanged(events))

    @on(DiskChanged)
    @result_handler
    def _disk_changed(self, message: DiskChanged) -> None:
        self._poll_running = False
        if self.busy or self.plan is None:
            return
        reloaded = []
        for ev in message.events:
            tf = self.plan.files.get(ev.name)
            if tf is not None and ev.sha256 == tf.disk_sha256:
                continue
            if ev.sha256 is not None and self.session.disk_seen.get(ev.name) == ev.sha256:
                continue
            if ev.sha256 is None:
                self.session.disk_seen[ev.name] = ""
                self.notify(f"{ev.name} was deleted on disk. Your version stays open; saving it is refused until "
                            "the file is back.", severity="error", markup=False, timeout=12)
                continue
            if ev.error is not None:
                self.session.disk_seen[ev.name] = ev.sha256
                self.notify(f"{ev.name} changed on disk and is not valid TOML now ({ev.error}). The version in the "
                            "app stays; fix the file and it is reloaded.", severity="warning", markup=False, timeout=12)
                continue
            if tf is None or not tf.dirty:
                self.session.reload_file(ev.tomlfile)
                reloaded.append(ev.name)
                continue
            self._ask_disk_conflict(ev)
        if reloaded:
            self._after_reload(reloaded)

    def _after_reload(self, names: list[str]) -> None:
        kinds = [k for k in LIST_KINDS if KINDS[k].file in names]
        self._show_rows({k: build_rows(self.plan.all(k), self.marks, plan_currency(self.plan)) for k in kinds})
        self._redraw_all()
        self._update_title()
        self.start_validation()
        self.notify(f"Reloaded {', '.join(names)}: changed on disk.", markup=False, timeout=4)

    def _ask_disk_conflict(self, ev: DiskEvent) -> None:
        self._asking_disk.add(ev.name)
        self.session.disk_seen[ev.name] = ev.sha256
        body = Text()
        body.append(f"{ev.name}", style="bold")
        body.append(" changed on disk while you have unsaved edits in it.\n\n")
        body.append("Keep mine: the version on disk and your edits are merged entry by entry, so the other "
                    "side's saved edits stay; where both changed the same field you choose.\n")
        body.append("Reload theirs: your unsaved edits to this file are dropped and the disk version is shown.\n")
        body.append("\nEscape decides later (saving this file stays blocked until you choose).", style="dim")

        def chosen(answer: str | None) -> None:
            self._asking_disk.discard(ev.name)
            if answer == "mine":
                self._merge_with_disk(ev)
            elif answer == "theirs":
                self.session.reload_file(ev.tomlfile)
                self._write_recovery_now()
                self._after_reload([ev.name])

        self.push_screen(ChoiceScreen(f"{ev.name} changed on disk", body,
                                      [Choice("mine", "Keep mine", "k", "warning"),
                                       Choice("theirs", "Reload theirs", "r", "primary")], cancel="later",
                                      id="disk-dialog"), chosen)

    def _merge_with_disk(self, ev: DiskEvent) -> None:
        """Keep this session's edits of a file someone saved meanwhile, and theirs."""
        if self.plan is None or ev.name not in self.plan.files or ev.tomlfile is None:
            return
        merge = self.session.merge_with_disk(ev.name, ev.tomlfile)

        def take(text: str, note: str) -> None:
            try:
                self.session.adopt_merge(merge, text)
            except PlanError as exc:
                self.notify(f"The merged {ev.name} is not valid ({exc.message}); nothing changed. Saving it stays "
                            "blocked until you choose again.", severity="error", markup=False, timeout=12)
                self.session.disk_seen.pop(ev.name, None)
                return
            self._write_recovery_now()
            self._after_merge(ev.name, note)

        if merge.text is not None:
            take(merge.text, f"Merged {ev.name}: your edits and the ones saved on disk are both kept; "
                             "ctrl+s saves the result.")
            return
        self._asking_disk.add(ev.name)
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
            self._asking_disk.discard(ev.name)
            if answer == "mine" and merge.mine is not None:
                take(merge.mine, f"Merged {ev.name}, your values kept where both changed a field.")
            elif answer == "theirs" and merge.theirs_text is not None:
                take(merge.theirs_text, f"Merged {ev.name}, the disk's values kept where both changed a field.")
            elif answer == "overwrite":
                self.session.keep_mine(ev.name, ev.sha256)
                self._write_recovery_now()
                self._update_title()
                self.notify(f"Keeping your version of {ev.name}; ctrl+s saves it over the disk version.",
                            markup=False)
            elif answer == "reload":
                self.session.reload_file(ev.tomlfile)
                self._write_recovery_now()
                self._after_reload([ev.name])
            else:
                self.session.disk_seen.pop(ev.name, None)  # asked again on the next look at the disk

        self.push_screen(ChoiceScreen(f"{ev.name}: edited on both sides", body, choices, cancel="later",
                                      id="merge-dialog"), chosen)

    def _after_merge(self, name: str, note: str) -> None:
        kinds = [k for k in LIST_KINDS if KINDS[k].file == name]
        self._show_rows({k: build_rows(self.plan.all(k), self.marks, plan_currency(self.plan)) for k in kinds})
        self._redraw_all()
        self._update_title()
        self.start_validation()
        self.notify(note, markup=False, timeout=6)

    def _write_recovery_now(self) -> None:
        try:
            self.session.write_recovery()
        except PlanError as exc:
            self.notify(f"{exc.message}. {self.where_edits_stand()}", severity="warning", markup=False, timeout=12)

    def where_edits_stand(self) -> str:
        """One sentence on the unsaved edits: in this session, and whether a crash copy exists."""
        session = self.session
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
        dirty = self.session.dirty_files
        if not dirty:
            self.notify("Nothing to copy: no unsaved edits.", markup=False, timeout=3)
            return

        def check(value: str) -> str:
            folder = Path(value).expanduser()
            if not value:
                return "Give a folder."
            if folder.resolve() == self.plan_dir.resolve():
                return "That is the plan's own folder: ctrl+s saves there."
            if folder.exists() and not folder.is_dir():
                return "That is a file, not a folder."
            return ""

        def chosen(value: str | None) -> None:
            if not value:
                return
            folder = Path(value).expanduser()
            texts = {name: self.plan.files[name] for name in self.session.dirty_files}
            written, failed = [], []
            for name, tf in texts.items():
                try:
                    folder.mkdir(parents=True, exist_ok=True)
                    atomic_write(folder / name, tf.encode(tf.text), name=str(folder / name))
                    written.append(name)
                except (PlanError, OSError) as exc:
                    failed.append(f"{name}: {getattr(exc, 'message', None) or exc}")
            if written:
                self.notify(f"Copied {', '.join(written)} to {folder}. The edits stay unsaved in the plan itself.",
                            markup=False, timeout=8)
            for line in failed:
                self.notify(line, title="copy not written", severity="error", markup=False, timeout=12)

        self.push_screen(NewIdScreen("Save a copy of the edited files", "A folder to write "
                                     f"{', '.join(dirty)} to (the plan's files stay as they are on disk).", "",
                                     check, ok_label="Copy"), chosen)


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
