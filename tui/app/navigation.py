"""Getting around the main screen: back after a jump, the sub-tabs of a view, the
detail pane out of the way, one pane maximised.

``Navigation`` is mixed into the main screen (it needs its ``#views`` tabs); its keys are
``NAV_BINDINGS``:

* ``backspace`` / ``alt+left``: back, like a browser's: every change of view and every
  jump (from Problems, the palette, a reference) remembers where you were: the view, its
  sub-tab, the list that had the focus and its entry.
* ``[`` / ``]``: the previous / next sub-tab of the view (Team's tabs, Content's list
  and calendar).
* ``d``: the detail pane on or off (the lists get the room; History keeps its diff).
* ``m``: maximise the focused pane (again, or Esc, to restore).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding
from textual.widgets import TabbedContent

BACK_LIMIT = 50  # places remembered

NAV_BINDINGS = [
    Binding("backspace,alt+left", "back", "Back", id="app.back", show=False,
            tooltip="Go back to where you were before the last jump or change of view"),
    Binding("right_square_bracket", "sub_tab(1)", "Next tab", id="app.next-tab", show=False,
            key_display="]", tooltip="The next tab inside this view (Team, Content)"),
    Binding("left_square_bracket", "sub_tab(-1)", "Prev tab", id="app.prev-tab", show=False,
            key_display="[", tooltip="The previous tab inside this view"),
    Binding("d", "toggle_detail", "Detail", id="app.detail", tooltip="Hide or show the detail pane "
            "(the lists get its room)"),
    Binding("m", "maximize_pane", "Maximise", id="app.maximize", show=False,
            tooltip="Fill the screen with the focused pane (m or esc again restores it)"),
]


@dataclass(frozen=True)
class Place:
    view: str
    sub_tab: str | None = None  # the active tab of a view's own tabs
    widget: str | None = None  # id of the focused widget (a list's table)
    entity: str | None = None  # the entry selected in it


class Navigation:
    """Mixed into the main screen: see the module's text."""

    _back: list[Place]
    _going_back: bool = False
    _last_place: Place | None = None

    # -- where we are ---------------------------------------------------------------------

    @property
    def views_tabs(self) -> TabbedContent:
        return self.query_one("#views", TabbedContent)

    def sub_tabs(self) -> TabbedContent | None:
        """The tabs inside the active view (Team's, Content's), if it has any."""
        views = self.views_tabs
        pane = views.get_pane(views.active) if views.active else None
        if pane is None:
            return None
        found = [t for t in pane.query(TabbedContent) if t is not views]
        return found[0] if found else None

    def current_place(self) -> Place | None:
        views = self.views_tabs
        if not views.active:
            return None
        sub = self.sub_tabs()
        focused = self.focused
        widget = entity = None
        if focused is not None and focused.id:
            pane = views.get_pane(views.active)
            if pane is not None and focused in pane.query("*"):
                widget = focused.id
                entity = getattr(focused, "current_id", None)
        return Place(views.active, sub.active if sub is not None else None, widget, entity)

    def remember_place(self, place: Place | None = None) -> None:
        """Remember ``place`` (or where we are) for the back key."""
        if self._going_back:
            return
        place = place or self.current_place()
        if place is None:
            return
        if not hasattr(self, "_back") or self._back is None:
            self._back = []
        if self._back and self._back[-1] == place:
            return
        self._back.append(place)
        del self._back[:-BACK_LIMIT]

    # -- actions ----------------------------------------------------------------------------

    async def action_back(self) -> None:
        stack = getattr(self, "_back", None) or []
        here = self.current_place()
        while stack and stack[-1] == here:
            stack.pop()
        if not stack:
            self.notify("Nowhere to go back to.", timeout=2, markup=False)
            return
        place = stack.pop()
        self._going_back = True
        try:
            await self.restore_place(place)
        finally:
            self._going_back = False
        self._last_place = self.current_place()

    async def restore_place(self, place: Place) -> None:
        await self.show_view_for_back(place.view)
        if place.sub_tab:
            sub = self.sub_tabs()
            if sub is not None:
                sub.active = place.sub_tab
                await self.app_settle()
        if place.widget:
            try:
                widget = self.query_one(f"#{place.widget}")
            except Exception:  # noqa: BLE001 - it went away since (a view rebuilt)
                return
            if place.entity and hasattr(widget, "select_id"):
                widget.select_id(place.entity)
            # once the view is shown (a widget of a hidden tab cannot take the focus yet)
            import asyncio

            for _ in range(25):
                if widget.focusable:
                    break
                await asyncio.sleep(0.02)
            widget.focus()

    async def show_view_for_back(self, view: str) -> None:
        """Show ``view`` (the screen's own way of switching views is used)."""
        self.views_tabs.active = view
        await self.app_settle()

    async def app_settle(self) -> None:
        """Let a switch of tabs take effect (views are built when first shown)."""
        import asyncio

        await asyncio.sleep(0)

    def action_sub_tab(self, step: int) -> None:
        sub = self.sub_tabs()
        if sub is None:
            self.notify("This view has no tabs of its own.", timeout=2, markup=False)
            return
        panes = [p.id for p in sub.query("TabPane") if p.parent is not None and p.parent.parent is sub]
        panes = panes or [p.id for p in sub.query("TabPane")]
        if not panes:
            return
        index = panes.index(sub.active) if sub.active in panes else 0
        new = panes[max(0, min(len(panes) - 1, index + step))]
        if new == sub.active:
            return  # the first or the last: stays (no wrapping round)
        self.remember_place()
        sub.active = new
        self.call_after_refresh(self._focus_in_pane, sub, new)

    def _focus_in_pane(self, tabs: TabbedContent, pane_id: str) -> None:
        """The focus into the tab just shown (its list, its calendar), not left on the tab bar."""
        try:
            pane = tabs.get_pane(pane_id)
        except Exception:  # noqa: BLE001 - gone meanwhile
            return
        for widget in pane.query("*"):
            if widget.focusable and type(widget).__name__ not in ("Input", "ContentTabs", "Tabs", "Tab"):
                widget.focus()
                return

    @property
    def main_screen(self):
        """The screen the views sit on (the bottom of the stack when this is the app)."""
        stack = getattr(self, "screen_stack", None)
        return stack[0] if stack else self

    def action_toggle_detail(self) -> None:
        screen = self.main_screen
        screen.toggle_class("-no-detail")
        shown = not screen.has_class("-no-detail")
        self.notify("Detail pane shown." if shown else "Detail pane hidden: d shows it again.", timeout=2,
                    markup=False)

    def action_maximize_pane(self) -> None:
        screen = self.main_screen
        if screen.maximized is not None:
            screen.minimize()
            return
        focused = self.focused
        if focused is None:
            return
        pane = focused
        for node in [focused, *focused.ancestors]:
            if getattr(node, "MAXIMIZE_PANE", False):
                pane = node
                break
        screen.maximize(pane, container=False)
