"""One headless run of the app, in a fresh process, for the benchmark (not a test).

    python -m tests.bench.tui_probe PLAN_DIR --t0 EPOCH_SECONDS --out RESULT.json [--accounts N]

``--t0`` is the wall-clock time just before the parent started this process, so the
figures include the interpreter's start and every import.  It drives the app as a user
would, through keys (found in tests/app: 4 Accounts, / filter, e edit, ctrl+j apply,
ctrl+s save) with Textual's Pilot, and writes what it saw as JSON: seconds since t0 for
the first frame, the Accounts table holding every row and all problems known; key-press
latencies (scrolling, typing a filter), filter applied, edit applied, save on disk.  A
step that fails records "n/a (reason)" and the run goes on with the next one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

_START = time.time()  # before the heavy imports

SIZE = (120, 40)
SCROLL_KEYS = ["down"] * 20 + ["pagedown"] * 10 + ["end", "home"]  # the bare table's baseline presses the same


def _since(t0: float, t: float | None = None) -> float:
    return (time.time() if t is None else t) - t0


def _table(app, kind: str = "account"):
    """The table of ``kind`` on screen: the app's own row table, else any DataTable."""
    for selector in (f"#table-{kind}",):
        found = app.query(selector)
        if found:
            return found.first()
    try:
        from textual.widgets import DataTable

        tables = [t for t in app.query(DataTable) if t.display]
        return tables[0] if tables else None
    except Exception:
        return None


def _rows(table) -> tuple[int, int]:
    """(rows held, rows shown after the filter) of a table, whatever its class."""
    if table is None:
        return 0, 0
    rows = getattr(table, "rows", None)
    view = getattr(table, "view", None)
    if isinstance(rows, list):
        return len(rows), len(view) if isinstance(view, list) else len(rows)
    count = getattr(table, "row_count", 0)
    return count, count


async def _until(pilot, condition, timeout: float, what: str) -> None:
    end = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except Exception:
            pass
        if time.monotonic() > end:
            raise TimeoutError(f"{what} did not happen within {timeout:.0f} s")
        if _crashed(pilot.app):
            raise RuntimeError(_crashed(pilot.app))
        await asyncio.sleep(0.01)


def _crashed(app) -> str | None:
    exc = getattr(app, "_exception", None)
    return f"the app stopped on {type(exc).__name__}: {exc}" if exc is not None else None


async def _watch(app, conditions: dict, timeout: float) -> dict[str, float]:
    """Poll every 10 ms until every condition held once; the wall-clock time each first
    held (missing: it did not within ``timeout``, or the app stopped on an error)."""
    seen: dict[str, float] = {}
    end = time.monotonic() + timeout
    while len(seen) < len(conditions) and time.monotonic() < end and not _crashed(app):
        for name, condition in conditions.items():
            if name not in seen:
                try:
                    if condition():
                        seen[name] = time.time()
                except Exception:
                    pass
        await asyncio.sleep(0.01)
    return seen


def _send_key(app, key: str) -> None:
    """The key event a terminal would deliver (what Pilot.press sends, without its idle waits)."""
    from textual import events

    try:
        import unicodedata

        from textual.keys import REPLACED_KEYS, _character_to_key, _get_unicode_name_from_key

        if len(key) == 1 and not key.isalnum():
            key = _character_to_key(key)
        try:
            char = unicodedata.lookup(_get_unicode_name_from_key(REPLACED_KEYS.get(key, key)))
        except KeyError:
            char = key if len(key) == 1 else None
        event = events.Key(key, char)
        event.set_sender(app)
        app.post_message(event)  # in the app's queue at once, as the driver's thread puts it
    except Exception:  # Textual moved its key helpers: the public way
        app.simulate_key(key)


async def _timed_key(pilot, key: str) -> float:
    """Seconds from a key's arrival until every message it caused is handled and the
    screen has been painted again."""
    app = pilot.app
    t = time.perf_counter()
    _send_key(app, key)
    await _settled(app)
    await _painted(app)
    return time.perf_counter() - t


async def _settled(app, timeout: float = 30.0) -> None:
    """Until no message waits in the queue of the app or of any widget on its screen, no
    handler is still running and no key is held back (timers and idle notices aside).

    Looked at every millisecond, from outside: Pilot's own wait posts a message to every
    widget and waits for each to be handled, which costs as much as a key press itself."""
    from textual import events

    try:
        from tui.app.keyorder import busy
    except ImportError:  # the app has no such helper: the queues alone
        def busy(node, ignore):
            queue = getattr(node, "_message_queue", None)
            return any(not isinstance(m, ignore) for m in getattr(queue, "values", ()) or ())
    ignore = (events.Idle, events.Timer)
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        await asyncio.sleep(0.001)
        if getattr(app, "_keys_held", None):
            continue
        try:
            nodes = [app, *app.screen.walk_children(with_self=True)]
        except Exception:
            return
        still = [node for node in nodes if busy(node, ignore)]
        if not still:
            return
    what = "; ".join(f"{type(n).__name__}#{n.id} awaiting {_awaiting(n)}" for n in still[:4])
    raise TimeoutError(f"the app was still busy after {timeout:.0f} s ({what})")


def _frames(app) -> list:
    """From now on, (screen, perf_counter) of each frame the app draws: what it hands to
    the terminal (headless, the hand-over is skipped, not the drawing before it)."""
    frames: list = []
    display = app._display

    def recorded(screen, renderable):
        if renderable is not None:
            frames.append((screen, time.perf_counter()))
        return display(screen, renderable)

    app._display = recorded
    return frames


def _awaiting(node) -> str:
    """Where ``node``'s task is suspended, coroutine by coroutine (what a hang is stuck on)."""
    import gc

    task = getattr(node, "_task", None)
    where = []
    awaiting = task.get_coro() if task is not None else None
    while awaiting is not None and len(where) < 40:
        frame = getattr(awaiting, "cr_frame", None) or getattr(awaiting, "gi_frame", None)
        if frame is not None:
            where.append(f"{frame.f_code.co_name}:{frame.f_lineno}")
        nxt = getattr(awaiting, "cr_await", None) or getattr(awaiting, "gi_yieldfrom", None)
        if nxt is None and frame is None:  # an awaitable's own __await__: the coroutine inside
            nxt = next((r for r in gc.get_referents(awaiting) if hasattr(r, "cr_frame")), None)
        awaiting = nxt
    return " > ".join(where) or "nothing"


async def _painted(app) -> None:
    """Until the screen has been painted with what is pending now."""
    painted = asyncio.get_running_loop().create_future()
    app.call_after_refresh(lambda: painted.done() or painted.set_result(None))
    await asyncio.wait_for(painted, 30)


def _na(out: dict, key: str, exc: BaseException) -> None:
    out[key] = f"n/a ({type(exc).__name__}: {str(exc).splitlines()[0][:120] if str(exc) else ''})"


def _latency(samples: list[float]) -> dict:
    return {"median": statistics.median(samples), "max": max(samples), "count": len(samples)}


async def drive(plan_dir: str, t0: float, expected: int, out: dict) -> None:
    import datetime as dt

    from tui.app import QuarterdeckApp

    out["imports"] = _since(t0)
    try:
        app = QuarterdeckApp(plan_dir, today=dt.date(2026, 11, 20), watch=None)
    except TypeError:  # the constructor changed: the plain form
        app = QuarterdeckApp(plan_dir)
    try:
        app.animation_level = "none"
    except Exception:
        pass
    async with app.run_test(size=SIZE) as pilot:
        entered = time.time()
        # Accounts: the key a user presses at once; shown = every row in the table, painted.
        # Sent as a terminal sends it: Pilot's press waits for the whole screen to be idle
        # (the lazy views, the check's results), which is not what the user waits for.
        _send_key(app, "4")
        seen = await _watch(app, {
            "accounts": lambda: expected and min(_rows(_table(app))) >= expected,
            "validated": lambda: getattr(app, "validated", False),
        }, 180)
        if _crashed(app):
            raise RuntimeError(_crashed(app)[:200])
        offset = time.time() - time.perf_counter()  # the app's marks use perf_counter
        timings = getattr(app, "timings", None) or {}
        if "first_frame" in timings:
            out["first_frame"] = _since(t0, timings["first_frame"] + offset)
        else:
            out["first_frame"] = _since(t0, entered)
            out["first_frame_note"] = "when the test driver handed over (the app has no first_frame mark)"
        out["accounts_shown"] = _since(t0, seen["accounts"]) if "accounts" in seen else \
            f"n/a ({_crashed(app) or 'the Accounts table never held every row'})"
        if "validated" in timings:
            out["problems_known"] = _since(t0, timings["validated"] + offset)
        elif "validated" in seen:
            out["problems_known"] = _since(t0, seen["validated"])
        else:
            out["problems_known"] = "n/a (the app never said it had validated the plan)"
        await pilot.pause()

        table = _table(app)
        # scrolling: each key press until the screen has caught up
        try:
            if table is None:
                raise LookupError("no Accounts table on screen")
            table.focus()
            await pilot.pause()
            samples = []
            for key in SCROLL_KEYS:
                samples.append(await _timed_key(pilot, key))
            out["key_scroll"] = _latency(samples)
        except Exception as exc:
            _na(out, "key_scroll", exc)

        # filtering: '/' then a field filter typed key by key; then until the table shows it
        try:
            if table is None:
                raise LookupError("no Accounts table on screen")
            total, _ = _rows(table)
            samples = []
            for key in ["slash", *"stage:customer"]:
                t = time.perf_counter()  # the last one's: filter applied counts from its arrival
                samples.append(await _timed_key(pilot, key))
            out["key_filter"] = _latency(samples)
            plan = getattr(app, "plan", None)  # the rows `stage:customer` keeps (a substring of the field)
            want = sum(1 for e in plan.all("account") if "customer" in str(e.data.get("stage", "")).casefold()) \
                if plan is not None else None
            # until the table shows the whole filter's rows, not those of a prefix typed so far
            await _until(pilot, lambda: 0 < _rows(table)[1] < total and (want is None or _rows(table)[1] == want),
                         60, "the filtered table")
            await _painted(app)
            out["filter_applied"] = time.perf_counter() - t
            out["filter_rows"] = _rows(table)[1]
            await pilot.press("escape")  # clears the filter
            await _until(pilot, lambda: _rows(table)[1] == total, 60, "the filter cleared")
            await pilot.press("escape")
            table.focus()
            await pilot.press("home")
            await pilot.pause()
        except Exception as exc:
            _na(out, "filter_applied", exc)

        # one edit through the form: e, a new value, ctrl+j; applied = in the plan in memory
        new_value = None
        entity_id = None
        try:
            if table is None:
                raise LookupError("no Accounts table on screen")
            table.focus()
            entity_id = getattr(table, "current_id", None)
            base = app.screen
            frames = _frames(app)
            t = time.perf_counter()
            _send_key(app, "e")
            await _until(pilot, lambda: app.screen is not base, 30, "the edit form")
            # the first frame drawn of the form (the frames the app hands to the terminal;
            # an after-refresh callback would wait for the fields mounted after that frame)
            await _until(pilot, lambda: any(screen is app.screen for screen, _ in frames), 30,
                         "the edit form drawn")
            out["form_open"] = next(when for screen, when in frames if screen is app.screen) - t
            # forms mount their first fields at once and the rest after the first frame
            await _until(pilot, lambda: getattr(app.screen, "loaded", True), 30, "every field of the form")
            await _painted(app)
            out["form_ready"] = time.perf_counter() - t
            from textual.widgets import Input

            box = app.screen.query("#f-icp_fit")
            widget = box.first() if box else next(w for w in app.screen.query(Input) if str(w.value).isdigit())
            new_value = 17 if str(widget.value) != "17" else 18
            widget.value = str(new_value)
            await pilot.pause()
            t = time.perf_counter()
            _send_key(app, "ctrl+j")

            def applied() -> bool:
                if app.screen is base and not getattr(app, "busy", False):
                    plan = getattr(app, "plan", None)
                    if plan is None or entity_id is None:
                        return True
                    return plan.get("account", entity_id).data.get("icp_fit") == new_value
                return False

            await _until(pilot, applied, 60, "the edit applied")
            await _painted(app)
            out["edit_applied"] = time.perf_counter() - t
        except Exception as exc:
            _na(out, "edit_applied", exc)

        # save: ctrl+s until the file on disk holds the new value
        try:
            if new_value is None:
                raise RuntimeError("no edit to save")
            from pathlib import Path

            path = Path(plan_dir) / "accounts.toml"
            before = path.stat().st_mtime_ns
            t = time.perf_counter()
            _send_key(app, "ctrl+s")
            await _until(pilot, lambda: path.stat().st_mtime_ns != before and not getattr(app, "busy", False), 120,
                         "accounts.toml written")
            out["save"] = time.perf_counter() - t
            if f"icp_fit = {new_value}" not in path.read_text(encoding="utf-8"):
                out["save_note"] = "the file changed, but the new value is not in it"
        except Exception as exc:
            _na(out, "save", exc)
        await pilot.press("ctrl+q")
    out["total"] = _since(t0)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("plan")
    parser.add_argument("--t0", type=float, default=_START)
    parser.add_argument("--out", required=True)
    parser.add_argument("--accounts", type=int, default=0, help="rows the Accounts table holds when complete")
    args = parser.parse_args()
    out: dict = {"interpreter": _START - args.t0}
    try:
        asyncio.run(drive(args.plan, args.t0, args.accounts, out))
    except Exception as exc:  # keep what was measured
        _na(out, "error", exc)
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
