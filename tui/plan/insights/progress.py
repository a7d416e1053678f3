"""How far a key result has come: the one progress formula of Quarterdeck.

``kr_progress(kr)`` is the fraction of the way from the baseline to the target,
respecting the direction:

* ``increase`` and ``decrease``: ``(actual - baseline) / (target - baseline)``; 0.0 at the
  baseline, 1.0 at the target, more past it, negative when the metric moved the wrong
  way.  With no baseline, an increase starts from 0; a decrease has no starting point
  and no progress (None).  When target equals baseline: 1.0 once the target is
  reached (at or past it in the direction), else 0.0.
* ``maintain`` (stay where it is): 1.0 on the target, less the further the actual
  strays either way, relative to the target: ``max(0, 1 - |actual - target| / |target|)``
  (a zero target: 1.0 only when the actual is 0).

None when it cannot be computed: no target, no actual yet, or a value no arithmetic
can use (``inf``, ``nan``, an integer with hundreds of digits) — ``kr_progress_note``
says which, in words.
"""

from __future__ import annotations

import math

from ._common import NOT_A_NUMBER, is_number, is_numeric


def _data(kr) -> dict:
    data = getattr(kr, "data", kr)
    return data if isinstance(data, dict) else {}


def kr_progress_note(kr) -> tuple[float | None, str]:
    """(progress, note): the progress as ``kr_progress`` gives it, and a short note
    ("no target", "no actual yet", "not a number", "no baseline", "target points the
    other way", or "")."""
    d = _data(kr)
    target, actual, baseline = d.get("target"), d.get("actual"), d.get("baseline")
    direction = d.get("direction") or "increase"
    for value, missing in ((target, "no target"), (actual, "no actual yet")):
        if value is None:
            return None, missing
        if not is_number(value):
            return None, NOT_A_NUMBER
    if baseline is not None and not is_number(baseline):
        if is_numeric(baseline):
            return None, NOT_A_NUMBER
        baseline = None
    try:
        t, a = float(target), float(actual)
        if direction == "maintain":
            if t == 0:
                return (1.0 if a == 0 else 0.0), ""
            return max(0.0, 1.0 - abs(a - t) / abs(t)), ""
        note = ""
        if baseline is None:
            if direction == "decrease":
                return None, "no baseline"
            b, note = 0.0, "no baseline"
        else:
            b = float(baseline)
        span = t - b
        if not math.isfinite(span):
            return None, NOT_A_NUMBER
        if span == 0:
            reached = a >= t if direction != "decrease" else a <= t
            return (1.0 if reached else 0.0), note
        fraction = (a - b) / span
        if not math.isfinite(fraction):
            return None, NOT_A_NUMBER
        if (direction == "decrease" and span > 0) or (direction != "decrease" and span < 0):
            note = "target points the other way"
        return fraction, note
    except (OverflowError, ValueError, ZeroDivisionError):
        return None, NOT_A_NUMBER


def kr_progress(kr) -> float | None:
    """The fraction of the way from baseline to target (see the module's text), or
    None when it cannot be computed.  ``kr``: a key result's data (a dict) or its Entity."""
    return kr_progress_note(kr)[0]


__all__ = ["kr_progress", "kr_progress_note"]
