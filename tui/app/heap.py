"""Collections of garbage that leave the shown plan alone.

CPython's full collection walks every object that can hold others.  With a 10,000-account
plan in memory (documents, entities, rows: a few hundred thousand such objects) one full
collection takes 0.2 to 0.6 s, and while keys were typed one came every few seconds: a
key that met one waited that long.  The plan the app shows is long-lived by design, so
once it is shown its objects move to the permanent generation (``gc.freeze``), which
collections skip.  Each new state of the plan is frozen in turn.  What only a collection
of cycles would free, from states let go since, waits at most ``REFRESH`` states: then
everything is thawed and collected once, and frozen again.
"""

from __future__ import annotations

import contextlib
import gc
import threading

REFRESH = 25  # plan states shown between two full collections of what was frozen

_settled = 0
_builders = 0  # plans being built now (in threads)
_was_enabled = True  # whether collection was on when the first of them began
_lock = threading.Lock()


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


def settle() -> None:
    """The plan now shown is the one to keep: freeze it (and, every REFRESH times, collect
    what earlier states left before freezing)."""
    global _settled
    _settled += 1
    if _settled % REFRESH == 0:
        gc.unfreeze()
        gc.collect()
    gc.freeze()


__all__ = ["REFRESH", "building", "settle"]
