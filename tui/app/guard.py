"""Results of thread workers arrive as messages, possibly late: after the user quit, or
after the view that asked for them was closed.  Every handler of such a message is
wrapped in ``result_handler``: a result for an app that is shutting down, or for a
widget no longer on screen, is dropped quietly instead of querying widgets that are gone.
"""

from __future__ import annotations

import functools
import inspect

from textual.css.query import NoMatches
from textual.message import Message
from textual.widget import Widget


class WorkerResult(Message):
    """Base of every message a worker posts with its result."""


def gone(node) -> bool:
    """Is ``node`` (the app or a widget) past the point where a result can be shown?"""
    try:
        app = node.app
    except Exception:  # noqa: BLE001 - no active app: certainly gone
        return True
    if getattr(app, "_exit", False) or app._closing or app._closed:
        return True
    stack = app.screen_stack
    if not stack or any(s._closing or s._closed or s._pruning for s in stack):  # shutting down
        return True
    if isinstance(node, Widget) and (node._closing or node._closed or not node.is_attached):
        return True
    return False


def result_handler(handler):
    """Wrap a handler of a worker's result so that a late result is dropped quietly."""

    if inspect.iscoroutinefunction(handler):
        @functools.wraps(handler)
        async def guarded_async(self, message):
            if gone(self):
                return None
            try:
                return await handler(self, message)
            except NoMatches:
                if gone(self):
                    return None
                raise

        guarded_async.drops_late_results = True
        return guarded_async

    @functools.wraps(handler)
    def guarded(self, message):
        if gone(self):
            return None
        try:
            return handler(self, message)
        except NoMatches:
            if gone(self):
                return None
            raise

    guarded.drops_late_results = True
    return guarded
