"""Compact controls that cost what they draw.

``Input(compact=True)`` (and Button, TextArea, ...) sets its ``compact`` reactive in its
constructor, and the class it toggles restyles the widget there and then, before it is
even mounted; an Input also validates its first value, adding one more class and one
more restyle.  In a form of twenty fields that was most of the time to its first frame.
``compact(widget)`` gives the same widget the same look with no restyle: the class is
added without an update (the widget is styled once, when it is mounted).

Other constructors do the same (a Button's variant, a Picker's blank class): the app
mixes in ``StylesOnMount``, which skips restyling a widget that is not mounted yet, as
mounting styles it from scratch anyway.

A screen is styled widget by widget as it is mounted, and Textual then styles the whole
of it once more when it first shows (its first ``ScreenResume``): a screen mixing in
``StyledOnce`` skips that second pass.  Later resumes (a dialog closed over it, a theme
changed meanwhile) restyle as before.
"""

from __future__ import annotations

from typing import TypeVar

from textual import events
from textual.widget import Widget

W = TypeVar("W", bound=Widget)
COMPACT = "-textual-compact"


def compact(widget: W) -> W:
    """``widget`` (built without ``compact=True``) made compact without restyling it."""
    reactive = getattr(type(widget), "compact", None)
    if reactive is not None:
        widget.set_reactive(reactive, True)
    widget.add_class(COMPACT, update=False)
    return widget


class StylesOnMount:
    """An App mixin: no restyle of a widget that is not mounted (its classes change in its
    constructor); it is styled when it is mounted."""

    def update_styles(self, node, animate: bool = True) -> None:
        if isinstance(node, Widget) and node not in self._registry:
            return
        super().update_styles(node, animate)


class StyledOnce:
    """A Screen mixin: no restyle of the whole screen when it first shows, just after
    mounting styled each of its widgets (for a form, 15 to 20 ms of its first frame)."""

    _shown_once = False

    def _on_screen_resume(self, event: events.ScreenResume) -> None:
        # the screen's own handler runs after this one (Textual calls each class's)
        if not self._shown_once:
            self._shown_once = True
            event.refresh_styles = False


__all__ = ["COMPACT", "StyledOnce", "StylesOnMount", "compact"]
