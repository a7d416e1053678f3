"""A view's place in its tab, built the first time it is shown."""

from __future__ import annotations

import asyncio
from typing import Callable

from textual.containers import Vertical
from textual.css.query import NoMatches
from textual.widgets import ContentSwitcher, TabbedContent, TabPane

from .lists import EntityList


class LazyView(Vertical):
    """A view's place in its tab: the view itself is built the first time it is shown,
    so the app starts with only what the first screen needs."""

    def __init__(self, factory: Callable[[], object], id: str) -> None:
        super().__init__(id=id, classes="lazy-view")
        self.factory = factory
        self.loaded = False

    async def load(self) -> None:
        """Build the view (once) and wait until all of it is there: its nested tabs and
        lists, so whoever asked may select a tab or a row in it at once."""
        if not self.loaded:
            self.loaded = True
            await self.mount(self.factory())
        loop = asyncio.get_running_loop()
        end = loop.time() + 30.0  # a loaded machine may take long; never a crash for it
        while not self.built() and loop.time() < end:
            await asyncio.sleep(0.005)

    def built(self) -> bool:
        if not self.loaded or not self.children:
            return False
        for widget in self.walk_children(with_self=False):
            if not widget.is_mounted:
                return False
            if isinstance(widget, TabbedContent):
                for pane in widget.query_children(ContentSwitcher).first().query_children(TabPane):
                    try:
                        widget.get_tab(pane.id)
                    except (ValueError, NoMatches):
                        return False
            if isinstance(widget, EntityList) and not widget.composed:
                return False
        return True
