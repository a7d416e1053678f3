"""Collections of garbage that leave the shown plan alone.

CPython's full collection walks every object that can hold others.  With a 10,000-account
plan in memory (documents, entities, rows: a few hundred thousand such objects) one full
collection takes 0.2 to 0.6 s, and while keys were typed one came every few seconds: a
key that met one waited that long.  The plan the app shows is long-lived by design, so
once it is shown its objects move to the permanent generation (``gc.freeze``), which
collections skip.  Each new state of the plan is frozen in turn.  What only a collection
of cycles would free, from states let go since, waits at most ``REFRESH`` states: then
everything is thawed and collected once, and frozen again.

What the screens make meanwhile (forms opened and closed, the caches of drawn lines:
tens of thousands of objects a minute) is not frozen with the plan, and a full
collection that came while a form opened or a key was handled walked all of it: 60 to
120 ms on the example plan.  ``CollectsWhenIdle`` (mixed into the app) collects once the
user has left the keyboard and mouse alone for ``IDLE_SECONDS``, and freezes what is left,
so the collections that come while they type have little to walk.
"""

from __future__ import annotations

import contextlib
import gc
import threading
import time

from textual import events

REFRESH = 25  # plan states shown (and idle collections) between two full collections of what was frozen
IDLE_SECONDS = 1.0  # no input for this long: the user is reading, and a collection is not felt
TICK = 0.25  # seconds between looks at whether the user is idle
# younger-generation collections between two full ones (Python's default: 10); the idle
# collections do most of the full work, while nobody waits for it
OLDEST_THRESHOLD = 100

_settled = 0
_builders = 0  # plans being built now (in threads)
_was_enabled = True  # whether collection was on when the first of them began
_lock = threading.Lock()
_thresholds: tuple[int, int, int] | None = None  # the collector's thresholds before the app changed them


@contextlib.contextmanager
def building():
    """No automatic collection while a plan is being built: a load makes hundreds of
    thousands of objects and frees none, so every collection meanwhile walks them in vain
    (a fifth of a large plan's load).  Collection resumes when the last builder is done;
    the ``settle`` that follows puts the plan out of its way."""
    global _builders, _was_enabled
    with _lock:
        _builders += 1
        if _builders == 1:
            _was_enabled = gc.isenabled()
            gc.disable()
    try:
        yield
    finally:
        with _lock:
            _builders -= 1
            if _builders == 0 and _was_enabled:
                gc.enable()


def settle(collect: bool = False) -> None:
    """The plan now shown is the one to keep: freeze it (and, every REFRESH times, collect
    what earlier states left before freezing).  With ``collect``, what is not frozen yet
    is collected first, so only live objects are frozen."""
    global _settled
    _settled += 1
    if _settled % REFRESH == 0:
        gc.unfreeze()
        gc.collect()
    elif collect:
        gc.collect()
    gc.freeze()


def collect_idle() -> bool:
    """Collect what is not frozen and freeze the rest, unless a plan is being built (its
    builder turned collection off on purpose).  True when it collected."""
    if _builders:
        return False
    settle(collect=True)
    return True


class CollectsWhenIdle:
    """An App mixin: one collection (``collect_idle``) each time the user stops, once they
    have not touched a key, the mouse or the window's size for ``IDLE_SECONDS``.  It starts
    when the app is mounted (Textual calls the ``_on_mount`` of each class of the app).
    While it runs, the full collections that come by themselves are rarer
    (``OLDEST_THRESHOLD``); the setting is given back when the app ends."""

    _input_at = 0.0
    _collected = True  # nothing happened since the last collection

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, (events.Key, events.MouseEvent, events.Resize, events.Paste)):
            self._input_at = time.monotonic()
            self._collected = False
        await super().on_event(event)

    def _on_mount(self, event: events.Mount) -> None:
        global _thresholds
        self.set_interval(TICK, self._collect_if_idle, name="collect when idle")
        if _thresholds is None:  # the full collections that come by themselves: rarer
            _thresholds = gc.get_threshold()
            gc.set_threshold(_thresholds[0], _thresholds[1], max(_thresholds[2], OLDEST_THRESHOLD))

    def _on_unmount(self, event: events.Unmount) -> None:
        global _thresholds
        if _thresholds is not None:
            gc.set_threshold(*_thresholds)
            _thresholds = None

    def _collect_if_idle(self) -> None:
        if self._collected or time.monotonic() - self._input_at < IDLE_SECONDS:
            return
        self._collected = collect_idle()


__all__ = ["IDLE_SECONDS", "REFRESH", "CollectsWhenIdle", "building", "collect_idle", "settle"]
