"""The main screen: the plan's parts as tabs, and what the user does in them.

Views and widgets post requests (``messages.py``); this screen turns each into a flow:
a dialog where one is needed, then a call into the plan's operations (``tui.plan.ops``)
run by the app's edit machinery (``app.editing``).  It also shows what changed (rows,
detail panes, the title) and navigates (views, jumps to an entity or a problem).

To add a view: a kind with a ``view`` in the registry gets its tab here on its own; a
view with a layout of its own is one ``TabPane`` in ``compose`` (listed in _SPECIAL_VIEWS).
A palette command is one entry in ``palette_actions``; another screen or dialog is
pushed with ``self.app.push_screen``.
"""

from __future__ import annotations

import copy
import datetime as dt
from functools import partial
from typing import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Header, TabbedContent, TabPane

from tui.plan.model import Plan
from tui.plan.problems import ERROR, PlanError, Problem
from tui.plan.registry import KINDS, list_kinds
from tui.plan.registry import views as registry_views

from .. import heartbeat
from ..guard import result_handler
from ..messages import (
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
from ..footer import PriorityFooter
from ..navigation import NAV_BINDINGS, Navigation
from ..palette import palette_of
from ..present import as_date, plan_currency, references_phrase, rename_preview, visible
from ..tablabels import fit_labels
from ..results import EditFailed, ReferrersReady
from ..session import fork
from ..table import RowTable
from ..views.lazy import LazyView
from ..views.lists import DetailPane, EntityList, ListDetail
from ..views.overview import OverviewView

# What the first screen does not show is imported when first needed (the first frame
# comes sooner): the forms and dialogs, the plan's operations, the views of other tabs.
# Those views are found by their class names ("HistoryView") until then.


def _views():
    from ..views.calendar import CalendarView
    from ..views.content import ContentView
    from ..views.history import HistoryView
    from ..views.problems import ProblemsView
    from ..views.singleton import SingletonPanel
    from ..views.team import TeamView

    return CalendarView, ContentView, HistoryView, ProblemsView, SingletonPanel, TeamView


def _content_view(**kw):
    from ..views.content import ContentView

    return ContentView(**kw)


def _team_view(**kw):
    from ..views.team import TeamView

    return TeamView(**kw)


def _problems_view():
    from ..views.problems import ProblemsView

    return ProblemsView()


def _history_view():
    from ..views.history import HistoryView

    return HistoryView()

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


class MainScreen(Navigation, Screen):
    """The tabs of the plan's views, the flows they ask for, and navigation."""

    BINDINGS = [*NAV_BINDINGS]

    def __init__(self) -> None:
        super().__init__(id="_default")
        self._navigating = False
        self._back = []  # places to go back to (the back key)
        self._place_recorded = False  # the place before the coming change of view is remembered
        self._tab_titles: dict[str, str] = {}
        self._stale: set = set()  # panes that missed a change while hidden (drawn when shown)

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
                yield LazyView(lambda: _content_view(id="content-view"), id="lazy-content")
            with TabPane("Glossary", id="glossary"):
                yield LazyView(lambda: ListDetail(EntityList("term"), id="glossary-view"), id="lazy-glossary")
            with TabPane("Team", id="team"):
                yield LazyView(lambda: _team_view(id="team-view"), id="lazy-team")
            with TabPane("Problems", id="problems"):
                yield LazyView(_problems_view, id="lazy-problems")
            with TabPane("History", id="history"):
                yield LazyView(_history_view, id="lazy-history")
            for vid, title in VIEWS:
                if vid in _SPECIAL_VIEWS or vid in ("personas", "accounts", "glossary"):
                    continue
                kinds = [k for k in LIST_KINDS if KIND_VIEW.get(k) == vid]
                with TabPane(title, id=vid):
                    yield LazyView(partial(_list_view, kinds, f"{vid}-view"), id=f"lazy-{vid}")
        yield PriorityFooter()

    def on_mount(self) -> None:
        # its results are shown in the widgets composed here; read once the first frame is
        # drawn (parsing a large plan holds the interpreter for a while)
        self.call_after_refresh(self.app.load_plan)

    def plan_shown(self) -> None:
        """The plan was loaded: show it, focused on the overview."""
        self.redraw_all()
        self.update_title()
        if self.query_one("#views", TabbedContent).active == "overview":
            self.query_one("#overview-view").focus()

    def plan_edited(self, rows: dict, focus: tuple[str, str] | None) -> None:
        """An edit (or undo, redo) was adopted: its rows shown, its entity selected."""
        self.show_rows(rows, keep=focus)
        if focus and self.app.plan.find(*focus) is not None:
            self.app.current = focus
            for lst in self.query(f"#list-{focus[0]}").results(EntityList):
                lst.table.select_id(focus[1])
        self.redraw_all()
        self.update_title()

    def files_changed(self, names: list[str]) -> None:
        """Files were reloaded or merged from disk: their kinds shown again."""
        from ..present import build_rows

        kinds = [k for k in LIST_KINDS if KINDS[k].file in names]
        self.show_rows({k: build_rows(self.app.plan.all(k), self.app.marks, plan_currency(self.app.plan)) for k in kinds})
        self.redraw_all()
        self.update_title()
        heartbeat.check_uncommitted(self.app)

    def files_saved(self) -> None:
        heartbeat.check_uncommitted(self.app)
        for view in self.query("HistoryView"):
            if view.in_repo:  # the working tree changed: its diff too
                view.action_reload()

    def problems_shown(self, rows: dict) -> None:
        """A validation finished: marks in the lists, the Problems view and its tab."""
        problems = self.app.problems
        self.show_rows(rows)
        for view in self.query("ProblemsView"):
            view.set_problems(problems)
        errors = sum(1 for p in problems if p.severity == ERROR)
        tab = self.query_one("#views", TabbedContent).get_tab("problems")
        self._fit_tab_labels()  # "Problems 8" (or "Probs 8" on a narrow screen)
        tab.set_class(errors > 0, "-has-errors")
        self.redraw_all()

    # -- showing ------------------------------------------------------------------------------------

    def show_rows(self, rows: dict, keep: tuple[str, str] | None = None) -> None:
        self.app.rows.update(rows)
        for kind, kind_rows in rows.items():
            for lst in self.query(f"#list-{kind}").results(EntityList):
                lst.set_rows(kind_rows, keep_id=keep[1] if keep and keep[0] == kind else None)

    def redraw_all(self) -> None:
        """Draw again what shows the plan.  Only what is on screen is drawn now (the overview
        of a large plan takes a second): a hidden pane is drawn when its tab is shown."""
        if self.app.plan is None:
            return
        widgets = [*self.query(OverviewView), *(p for p in self.query(DetailPane) if p.id != "calendar-detail"),
                   *self.query("SingletonPanel"), *self.query("CalendarView")]
        for widget in widgets:
            if self._shown(widget):
                self._stale.discard(widget)
                self._redraw(widget)
            else:
                self._stale.add(widget)

    def _redraw(self, widget) -> None:
        if type(widget).__name__ == "CalendarView":
            widget.set_plan(self.app.plan, self.app.today)
            self.query_one("#calendar-detail", DetailPane).show("content", widget.picked)
        else:
            widget.redraw()

    def _redraw_stale(self) -> None:
        """Draw the hidden panes that missed a change, now that their tab is shown."""
        if self.app.plan is None:
            return
        for widget in list(self._stale):
            if not widget.is_attached:
                self._stale.discard(widget)
            elif self._shown(widget):
                self._stale.discard(widget)
                self._redraw(widget)

    @on(TabbedContent.TabActivated)
    def _any_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        # a tab of the views or one inside a view (Content's list and calendar, Team's tabs)
        if self._stale:
            self._redraw_stale()

    def update_title(self) -> None:
        plan = self.app.plan
        if plan is None:
            return
        data = plan.files["plan.toml"].data.get("plan", {}) if "plan.toml" in plan.files else {}
        company = visible(str(data.get("company", "")))
        parts = [p for p in (company, plan.quarter, self.app.plan_dir.name) if p]
        dirty = self.app.session.dirty_files
        sub = " · ".join(parts)
        if dirty:
            sub += f" · ● unsaved: {', '.join(dirty)}"
        sub += heartbeat.uncommitted_note(self.app)
        if self.app.busy:
            sub += " · working…"
        self.app.sub_title = sub

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
            for view in self.query("HistoryView"):
                if view.in_repo is not None:  # shown again: commits or saves may have happened meanwhile
                    view.action_reload()
        if not self._navigating:
            self.call_after_refresh(self._focus_view, event.pane.id)

    # -- requests from the widgets (stopped here: the app passes on those of other screens) -------

    @on(EditRequested)
    def _edit_requested(self, request: EditRequested) -> None:
        request.stop()
        self.edit_entity(request.kind, request.entity_id, request.field)

    @on(AddRequested)
    def _add_requested(self, request: AddRequested) -> None:
        request.stop()
        self.add_entity_flow(request.kind, request.parent_id)

    @on(DuplicateRequested)
    def _duplicate_requested(self, request: DuplicateRequested) -> None:
        request.stop()
        self.duplicate_entity(request.kind, request.entity_id)

    @on(RenameRequested)
    def _rename_requested(self, request: RenameRequested) -> None:
        request.stop()
        self.rename_entity_flow(request.kind, request.entity_id)

    @on(DeleteRequested)
    def _delete_requested(self, request: DeleteRequested) -> None:
        request.stop()
        self.delete_entity_flow(request.kind, request.entity_id)

    @on(MoveRequested)
    def _move_requested(self, request: MoveRequested) -> None:
        request.stop()
        self.move_content(request.entity_id, request.days)

    @on(JumpRequested)
    def _jump_requested(self, request: JumpRequested) -> None:
        request.stop()
        # a jump may build a view first: not inside this handler, so the app keeps running meanwhile
        self.run_worker(self.goto_entity(request.kind, request.entity_id), group="jump")

    @on(ProblemJumpRequested)
    def _problem_jump_requested(self, request: ProblemJumpRequested) -> None:
        request.stop()
        self.run_worker(self.jump_to_problem(request.problem), group="jump")

    @on(CurrentChanged)
    def _current_changed(self, request: CurrentChanged) -> None:
        request.stop()
        self.app.current = (request.kind, request.entity_id)

    @on(EntityList.Selected)
    def _list_selected(self, event: EntityList.Selected) -> None:
        # only a list on screen says what the user looks at (lists of views being built
        # in the background report their first row too)
        stale = event.entity_id != event.entity_list.current_id
        if event.entity_id and not stale and self._shown(event.entity_list):
            self.app.current = (event.entity_list.kind.name, event.entity_id)
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

    # -- edit flows -----------------------------------------------------------------------------------------

    def _entity_or_warn(self, kind: str, entity_id: str):
        entity = self.app.plan.find(kind, entity_id) if self.app.plan is not None else None
        if entity is None:
            self.app.notify(f"No {KINDS[kind].title.lower()} {entity_id!r} in the plan (any more).", severity="warning",
                        markup=False)
        return entity

    def edit_entity(self, kind: str, entity_id: str, field: str | None = None, then=None) -> None:
        """Open an entity's form (``then`` is called with its result when it closes)."""
        from ..dialogs.form import FormScreen

        if self.app.editing.refuse_busy():
            return
        if self._entity_or_warn(kind, entity_id) is None:
            return
        top = self.app.screen
        if isinstance(top, FormScreen) and top.kind.name == kind and top.entity_id == entity_id:
            return  # asked twice (a key that is both a binding and a row's activation): one form
        self.app.push_screen(FormScreen(self.app.plan, self.app.session.schemas, KINDS[kind], entity_id,
                                        focus_field=field), then)

    def add_entity_flow(self, kind: str, parent_id: str | None = None) -> None:
        from ..dialogs.form import FormScreen

        if self.app.editing.refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            self.app.notify(f"The plan has exactly one {k.title}; edit it instead.", markup=False)
            return
        if k.addressed_by_parent and parent_id is None and self.app.current and self.app.current[0] == k.parent:
            parent_id = self.app.current[1]
        self.app.push_screen(FormScreen(self.app.plan, self.app.session.schemas, k, None, parent_id=parent_id))

    def duplicate_entity(self, kind: str, entity_id: str) -> None:
        from tui.plan import ops
        from tui.plan.edit import EditError

        from ..formspec import check_entity

        entity = self._entity_or_warn(kind, entity_id)
        if entity is None or self.app.editing.refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            return
        schemas = self.app.session.schemas
        new_own = ops.fresh_copy_id(self.app.plan, kind, entity.own_id, entity.parent_id)
        full = f"{entity.parent_id}/{new_own}" if entity.parent_id else new_own
        fields = {key: copy.deepcopy(v) for key, v in entity.data.items() if key != "id"}

        def op(plan: Plan) -> None:
            problems = check_entity(schemas, k, None, {"id": new_own, **fields})
            if problems:
                raise EditError("; ".join(problems))
            ops.duplicate(plan, kind, entity_id, schemas, new_own_id=new_own)

        self.app.editing.run_edit(op, f"{kind} {entity_id} duplicated as {full}", (kind, full),
                      done=self.app.editing.notify_result(f"Duplicated as {full}"))

    def rename_entity_flow(self, kind: str, entity_id: str) -> None:
        from tui.plan import ops

        from ..dialogs.new_id import NewIdScreen
        from ..formspec import check_new_id

        entity = self._entity_or_warn(kind, entity_id)
        if entity is None or self.app.editing.refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            return

        def check(value: str) -> str:
            return check_new_id(self.app.plan, k, value, entity.parent_id)

        def chosen(new_own: str | None) -> None:
            if not new_own:
                return
            schemas = self.app.session.schemas
            full = f"{entity.parent_id}/{new_own}" if entity.parent_id else new_own

            report: list[ops.RenameReport] = []

            def op(plan: Plan) -> None:
                report.append(ops.rename(plan, kind, entity_id, new_own, schemas))

            def done(error: str | None) -> None:
                if error is not None:
                    self.app.notify(error, severity="error")
                    return
                r = report[-1]
                ref_files = [f for f in r.files if f != entity.file] if r.references else []
                ref_files = ref_files or (r.files if r.references else [])
                self.app.notify(f"Renamed to {r.new_id}; {references_phrase(r.references, users_files or ref_files)} "
                                "followed", timeout=5)

            self.app.editing.run_edit(op, f"{kind} {entity_id} renamed to {full}", (kind, full), done=done)

        users_files: list[str] = []
        snapshot = fork(self.app.plan)
        schemas = self.app.session.schemas

        def preview() -> str:
            users = ops.find_referrers(snapshot, kind, entity_id, schemas)
            users_files[:] = sorted({u.file for u in users})
            return rename_preview(users)

        self.app.push_screen(NewIdScreen(f"Rename {k.title.lower()} {entity_id}",
                                         "The new id is written everywhere the plan refers to this one.",
                                         entity.own_id, check, preview=preview), chosen)

    def delete_entity_flow(self, kind: str, entity_id: str) -> None:
        entity = self._entity_or_warn(kind, entity_id)
        if entity is None or self.app.editing.refuse_busy():
            return
        k = KINDS[kind]
        if k.singleton:
            self.app.notify(f"The {k.title} cannot be deleted; edit its fields instead.", markup=False)
            return
        # finding what refers to it reads the whole plan: off the UI thread
        self.app.busy = True
        self.update_title()
        self._referrers_worker(kind, entity_id, fork(self.app.plan))

    @work(thread=True, group="referrers", description="_referrers_worker")  # no repr of a huge Plan
    def _referrers_worker(self, kind: str, entity_id: str, plan: Plan) -> None:
        from tui.plan import ops

        try:
            users = ops.find_referrers(plan, kind, entity_id, self.app.session.schemas)
        except PlanError as exc:
            self.app.post_message(EditFailed(exc.message, None))
            return
        self.post_message(ReferrersReady(kind, entity_id, users))

    @on(ReferrersReady)
    @result_handler
    def _confirm_delete(self, message: ReferrersReady) -> None:
        from tui.plan import ops

        from ..dialogs.choice import Choice, ChoiceScreen

        self.app.busy = False
        self.update_title()
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
                ops.delete(plan, kind, entity_id, self.app.session.schemas)

            self.app.editing.run_edit(op, f"{kind} {entity_id} deleted", None, done=self.app.editing.notify_result(f"Deleted {entity_id}"))

        self.app.push_screen(ChoiceScreen(f"Delete {k.title.lower()}?", body,
                                      [Choice("delete", "Delete", "d", "error"), Choice("cancel", "Cancel", "n")],
                                      focus="cancel"), chosen)

    def move_content(self, entity_id: str, days: int) -> None:
        from tui.plan import ops

        entity = self._entity_or_warn("content", entity_id)
        if entity is None:
            return
        day = as_date(entity.data.get("publish_date"))
        if day is None:
            self.app.notify("This item has no publish date; set one in its form (e).", severity="warning", markup=False)
            return
        new_day = day + dt.timedelta(days=days)
        schemas = self.app.session.schemas

        def op(plan: Plan) -> None:
            ops.move_by_days(plan, "content", entity_id, "publish_date", days, schemas)

        self.app.editing.run_edit(op, f"content {entity_id}: publish_date {new_day.isoformat()}", ("content", entity_id))

    # -- navigation -----------------------------------------------------------------------------------------

    async def goto_entity(self, kind: str, entity_id: str) -> bool:
        """Show an entity in its view, selected (and focused)."""
        if self.app.plan is None or self.app.plan.find(kind, entity_id) is None:
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
            self.app.notify(f"The {view} view is not ready yet; try again in a moment.", severity="warning")
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
        self.app.current = (kind, entity_id)
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
            self.app.notify(f"{where}: fix this in a text editor ({problem.message})", severity="warning", markup=False)
            return
        entity_id = problem.entity or problem.kind
        back = self._where_the_user_is()
        if await self.goto_entity(problem.kind, entity_id):
            self.edit_entity(problem.kind, entity_id, field=problem.field or None, then=lambda _r: self._return(back))

    def _where_the_user_is(self) -> tuple[str, object]:
        return self.query_one("#views", TabbedContent).active, self.focused

    def _return(self, back: tuple[str, object]) -> None:
        """Back to the view (and the widget in it) the user was in before a jump."""
        view, widget = back
        tabs = self.query_one("#views", TabbedContent)
        if tabs.active != view:
            self._navigating = True
            tabs.active = view
            self.call_after_refresh(setattr, self, "_navigating", False)

        def refocus() -> None:
            if widget is not None and widget.is_attached and widget.focusable and widget.screen is self:
                widget.focus()
            else:
                self._focus_view(view)

        self.call_after_refresh(refocus)

    def key_sections(self) -> list[tuple[str, list[tuple[str, str, str]]]]:
        from ..dialogs.form import FormScreen

        CalendarView, ContentView, HistoryView, ProblemsView, SingletonPanel, _team = _views()

        def rows(bindings):
            out = []
            for b in bindings:
                if isinstance(b, tuple):
                    continue
                keys = " / ".join(self.app.get_key_display(Binding(k.strip(), b.action)) for k in b.key.split(","))
                out.append((keys, b.description or b.action, b.tooltip))
            return out

        palette = [(self.app.get_key_display(Binding(self.app.COMMAND_PALETTE_BINDING, "command_palette")),
                    "Command palette", "Run any action or jump to any entry by name")]
        views = [("1 … 9, 0", "Views", ", ".join(f"{n % 10} {title}" for n, (_v, title) in enumerate(VIEWS[:10], 1)))]
        if VIEWS[10:]:  # views past the digit keys are reached from the palette ("Go to …")
            views.append(("palette", "More views", ", ".join(title for _v, title in VIEWS[10:])))
        general = [b for b in self.app.BINDINGS if not (b.id or "").startswith("view.")]
        return [
            ("Everywhere", views + rows(general) + palette),
            ("Lists", rows(EntityList.BINDINGS) + rows(RowTable.BINDINGS)),
            ("Content", rows(ContentView.BINDINGS)),
            ("Calendar", rows(CalendarView.BINDINGS)),
            ("Overview and settings", rows(OverviewView.BINDINGS) + rows(SingletonPanel.BINDINGS)),
            ("Problems", rows(ProblemsView.BINDINGS)),
            ("History", rows(HistoryView.BINDINGS)),
            ("Forms", rows(FormScreen.BINDINGS)),
            heartbeat.key_section(self.app, rows),
        ]

    async def compare_quarters(self) -> None:
        await self.action_show_view("history")
        self.query_one("HistoryView").action_compare_quarters()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        if action == "trend":
            return self.query_one("#views", TabbedContent).active == "goals"
        if action in ("back", "sub_tab", "toggle_detail", "maximize_pane") and len(self.app.screen_stack) > 1:
            return False  # a dialog is open: these keys are about the main screen
        if action == "sub_tab":
            return self.sub_tabs() is not None
        return True

    # -- getting around (see navigation.py) -------------------------------------------------------

    def on_descendant_focus(self) -> None:
        self._note_place()

    def _note_place(self) -> None:
        if not self._going_back and len(self.app.screen_stack) == 1:
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
        problems = self.app.problems
        extra = {"problems": f" {len(problems)}"} if problems else {}
        labels = fit_labels({v: self._tab_titles.get(v, v) for v in panes}, self.size.width - 2, extra)
        for vid, label in labels.items():
            tab = tabs.get_tab(vid)
            text = label + extra.get(vid, "")
            if str(tab.label) != text:
                tab.label = Content(text)

    def action_trend(self) -> None:
        """The trend of the key result selected in the Goals view."""
        from ..dialogs.trend import TrendScreen

        kr_id = None
        for lst in self.query("#list-key_result").results(EntityList):
            kr_id = lst.current_id
        if kr_id is None and self.app.current and self.app.current[0] == "key_result":
            kr_id = self.app.current[1]
        if kr_id is None:
            self.app.notify("Select a key result first (Goals view, lower list).", severity="warning", markup=False)
            return
        entity = self.app.plan.find("key_result", kr_id) if self.app.plan is not None else None
        title = visible(str(entity.data.get("title", ""))) if entity is not None else ""
        self.app.push_screen(TrendScreen(self.app.plan_dir, kr_id, title))

    def palette_actions(self) -> list[tuple[str, str, Callable]]:
        out: list[tuple[str, str, Callable]] = []
        for vid, title in VIEWS:
            out.append((f"Go to {title}", f"Show the {title} view", partial(self.action_show_view, vid)))
        out += [
            ("Save", "Save every edited file", self.app.action_save),
            ("Save a copy to…", "Write the edited files to another folder", self.app.editing.save_copy_flow),
            ("Undo", "Undo the last edit", self.app.action_undo),
            ("Redo", "Redo the edit just undone", self.app.action_redo),
            ("Keys", "List every key", self.app.action_help),
            ("Edit plan settings", "Company, quarter, dates, stages, targets", partial(self.edit_entity, "plan", "plan")),
            ("Edit hand-off SLA", "The lead hand-off agreement", partial(self.edit_entity, "sla", "sla")),
            ("Edit lead scoring", "Threshold and decay", partial(self.edit_entity, "lead_scoring", "lead_scoring")),
            ("Content calendar", "Show the content calendar", self._show_calendar),
            ("Check the plan again", "Validate every file now", partial(self.app.start_validation, 0)),
            ("Compare two quarters", "Semantic diff between two tagged quarters (History view)",
             self.compare_quarters),
        ]
        for kind in LIST_KINDS:
            k = KINDS[kind]
            out.append((f"Add {k.title.lower()}", f"A new {k.title.lower()}", partial(self.add_entity_flow, kind)))
        if self.app.current and self.app.current[0] == "key_result":
            out.append(("Key result trend", self.app.current[1], self.action_trend))
        if self.app.current:
            kind, entity_id = self.app.current
            title = KINDS[kind].title.lower()
            out += [
                (f"Edit selected {title}", entity_id, partial(self.edit_entity, kind, entity_id)),
                (f"Duplicate selected {title}", entity_id, partial(self.duplicate_entity, kind, entity_id)),
                (f"Rename selected {title}", entity_id, partial(self.rename_entity_flow, kind, entity_id)),
                (f"Delete selected {title}", entity_id, partial(self.delete_entity_flow, kind, entity_id)),
            ]
        return out + heartbeat.palette_actions(self.app)

    async def _show_calendar(self) -> None:
        self._navigating = True
        await self.ensure_view("content")
        self.query_one("#views", TabbedContent).active = "content"
        self.query_one("#content-tabs", TabbedContent).active = "content-calendar"
        self.call_after_refresh(setattr, self, "_navigating", False)
        self.call_after_refresh(self.query_one("CalendarView").focus)

