"""Keys in the order they were typed, each acting where the keys before it left the focus.

Textual hands a key to the focused widget's message queue and goes on with the next
one at once.  A key the widget does not take (Tab) travels back up through its
ancestors' queues to the app, where the bindings move the focus; by then the keys typed
after it have already been handed to the old widget.  So "2310000 Tab 7" typed in one
burst (a fast typist, a paste, a slow terminal) put "23100007" in the first field and
moved the focus afterwards.  The same happens to whatever a key sets going by message:
Enter moving to the next row, a key opening a sub-form whose first field is focused when
it is mounted.

``KeysInOrder`` (mixed into the app) holds each key back until the one before it is done:
taken by a widget or handled by a binding, the messages it caused along the focus's chain
handled, and the screen on top mounted.  Keys typed slowly are not held at all; a key is
never held longer than ``HOLD_LIMIT`` (a widget that never answers must not eat the
keyboard).
"""

from __future__ import annotations

import time
from collections import deque

from textual import events, messages

HOLD_LIMIT = 1.0  # seconds a key waits at most for the one before it
MOUNT_LIMIT = 5.0  # ... and for a screen it opened to be mounted (a big form on a busy machine)
POLL = 0.004  # seconds between looks at whether the key in flight is done


def _queued(node) -> list:
    """The messages waiting in ``node``'s queue (Textual's own queue keeps them in
    ``values``; one taken out to be combined with the next is ``_pending_message``)."""
    queue = node._message_queue
    waiting = list(getattr(queue, "values", None) or getattr(queue, "_queue", None) or ())
    pending = getattr(node, "_pending_message", None)
    return waiting + [pending] if pending is not None else waiting


# What Textual queues to keep the screen drawn, the time-driven and the input still to come
# (held here, in order, once the app takes it): none of it is what a key set off to move the
# focus, so none of it holds the next key.  A busy list redrawing after every typed letter
# fills the screen's queue with these; waiting for them held each letter up to a second.
_UPKEEP = (messages.Update, messages.Layout, messages.UpdateScroll, messages.Prompt,
           messages.ScrollToRegion, events.Timer, events.Idle, events.InputEvent)


_HANDLING = frozenset({"_dispatch_message", "_flush_next_callbacks"})


def _handling(node) -> bool:
    """Whether ``node`` is in the middle of handling a message: a handler awaiting something
    (its message is in no queue then, and it may yet move the focus).  Read off what the
    node's task is awaiting, coroutine by coroutine; an idle node awaits its next message."""
    task = getattr(node, "_task", None)
    if task is None or task.done():
        return False
    awaiting = task.get_coro()
    for _ in range(64):  # a chain of awaits is short; never loop on something odd
        if awaiting is None:
            return False
        code = getattr(awaiting, "cr_code", None) or getattr(awaiting, "gi_code", None)
        if code is not None and code.co_name in _HANDLING:
            return True
        awaiting = getattr(awaiting, "cr_await", None) or getattr(awaiting, "gi_yieldfrom", None)
    return False


def busy(node, ignore: tuple = _UPKEEP) -> bool:
    """Whether ``node`` has in its queue a message other than those of the ``ignore`` kinds
    (by default: what the next key may depend on), or is handling one."""
    return any(not isinstance(m, ignore) for m in _queued(node)) or _handling(node)


class KeysInOrder:
    """An App mixin: hand a key to the focused widget only when the key before it is done."""

    _keys_held: deque
    _key_in_flight: events.Key | None = None
    _key_chain: list | tuple = ()
    _key_screen = None
    _key_since: float = 0.0
    _key_arrived = False
    _key_polling = False
    _key_mounting = False
    _key_settling = False

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            if not event.is_forwarded:  # from the terminal
                if not hasattr(self, "_keys_held"):
                    self._keys_held = deque()
                if self._key_in_flight is not None or self._keys_held:
                    self._keys_held.append(event)
                    self._poll_keys()
                    return
                await self._send_key(event)
                return
            if event is self._key_in_flight:  # came back up to the app: the bindings' turn
                await super().on_event(event)
                self._key_arrived = True
                return
        await super().on_event(event)

    async def _send_key(self, event: events.Key) -> None:
        try:
            focused = self.focused
        except Exception:  # noqa: BLE001 - no screen any more (the app is closing): the keys go nowhere
            self._keys_held.clear()
            self._key_in_flight = None
            return
        self._key_mounting = self._key_settling = False
        self._key_chain = list(focused.ancestors_with_self) if focused is not None else []
        self._key_in_flight = event
        self._key_arrived = False
        self._key_since = time.monotonic()
        self._key_screen = self.screen if self._screen_stack else None
        await super().on_event(event)
        if not event.is_forwarded:  # a priority binding took it here
            self._key_arrived = True
        self._poll_keys()

    def _key_done(self) -> bool:
        event = self._key_in_flight
        if event is None:
            return True
        waited = time.monotonic() - self._key_since
        try:
            screen = self.screen
        except Exception:  # noqa: BLE001 - no screen (closing): nothing to wait for
            return True
        if screen is not self._key_screen and not self._key_mounting:
            # a screen the key opened: its first field gets the next keys, once it is mounted and
            # its focus set (Textual's auto-focus first, then the screen's own choice, by callbacks)
            self._key_mounting = self._key_settling = True
            self.call_after_refresh(self._key_settled)
        if not screen._is_mounted or self._key_settling:
            return waited > MOUNT_LIMIT
        if waited > HOLD_LIMIT:
            return True
        if not (self._key_arrived or event._stop_propagation):
            return False
        if any(m is event for m in _queued(self)):  # stopped at the screen, on its way here
            return False
        nodes = list(self._key_chain)
        nodes.append(screen)
        if screen is not self._key_screen and screen.focused is not None:
            nodes.extend(screen.focused.ancestors_with_self)
        # a widget gone meanwhile (a form closed by the key) will not handle what is left in its queue
        if any(busy(node) for node in nodes
               if node is not self and not node._closing and not node._closed and node.is_attached):
            return False
        # the app's own queue too: a binding may have asked for a screen by a message (the app's
        # own handling in progress is this very look, when it runs as a callback)
        return not any(not isinstance(m, _UPKEEP) for m in _queued(self))

    def _key_settled(self) -> None:
        try:
            mounted = self.screen._is_mounted
        except Exception:  # noqa: BLE001 - closing
            mounted = True
        if not mounted:
            self.call_after_refresh(self._key_settled)
            return
        self._key_settling = False
        self._key_since = time.monotonic()  # the usual wait from here

    def _poll_keys(self) -> None:
        if self._key_polling:
            return
        self._key_polling = True
        self.call_later(self._next_key)

    async def _next_key(self) -> None:
        self._key_polling = False
        if not self._key_done():
            self._key_polling = True
            self.set_timer(POLL, self._next_key)
            return
        self._key_in_flight = None
        self._key_chain = []
        while self._keys_held and self._key_in_flight is None:
            await self._send_key(self._keys_held.popleft())


__all__ = ["HOLD_LIMIT", "MOUNT_LIMIT", "KeysInOrder", "busy"]
