"""How fast the app is, on the example plan and on one with 10,000 accounts.

    python3 tests/bench_tui.py [--accounts 10000] [--runs 3]

Runs the app headless (Textual's test driver, 120x40) and prints, for each plan:
time to the first frame, to the plan loaded, to the Accounts table holding every row,
to the first check finished; then on the Accounts view: showing it, filtering,
sorting, paging, one edit (staged) and saving it.  This is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.bigplan import make_big_plan  # noqa: E402
from tui.app import QuarterdeckApp  # noqa: E402

TODAY = dt.date(2026, 11, 20)


async def _until(pilot, condition, timeout: float = 120.0) -> None:
    end = time.perf_counter() + timeout
    while not condition():
        if time.perf_counter() > end:
            raise TimeoutError("the app did not get there in time")
        await pilot.pause(0.005)


async def measure(plan_dir: Path) -> dict[str, float]:
    out: dict[str, float] = {}
    app = QuarterdeckApp(plan_dir, today=TODAY, watch=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await _until(pilot, lambda: "accounts_ready" in app.timings and "validated" in app.timings)
        t0 = app.timings["start"]
        for name in ("first_frame", "plan_loaded", "accounts_ready", "validated"):
            out[name] = app.timings[name] - t0

        t = time.perf_counter()
        await pilot.press("4")
        await _until(pilot, lambda: app.query("#table-account") and app.query_one("#table-account").view)
        await pilot.pause()
        out["show accounts view"] = time.perf_counter() - t
        table = app.query_one("#table-account")
        total = len(table.rows)

        lst = app.query_one("#list-account")
        t = time.perf_counter()
        lst.filter_input.value = "stage:customer"
        lst._apply_view()
        await pilot.pause()
        out[f"filter stage:customer ({len(table.view)} of {total})"] = time.perf_counter() - t
        t = time.perf_counter()
        lst.filter_input.value = "hrbr"
        lst._apply_view()
        await pilot.pause()
        out["fuzzy filter"] = time.perf_counter() - t
        lst.filter_input.value = ""
        lst._apply_view()
        await pilot.pause()

        table.focus()
        t = time.perf_counter()
        table.sort_by(1, False)
        await pilot.pause()
        await pilot.pause()
        out["sort by name"] = time.perf_counter() - t

        t = time.perf_counter()
        for _ in range(10):
            await pilot.press("pagedown")
        out["10 x page down (each)"] = (time.perf_counter() - t) / 10

        t = time.perf_counter()
        app.request_set_fields("account", "harbor-hvac", {("tier",): 2})
        await _until(pilot, lambda: not app.busy)
        await pilot.pause()
        out["edit one field (staged)"] = time.perf_counter() - t

        t = time.perf_counter()
        app.action_save()
        await _until(pilot, lambda: not app.busy)
        out["save"] = time.perf_counter() - t
        await pilot.press("ctrl+q")
    return out


def run(plan_dir: Path, runs: int) -> dict[str, float]:
    results: list[dict[str, float]] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            copy = Path(tmp) / "plans"
            shutil.copytree(plan_dir, copy)
            results.append(asyncio.run(measure(copy)))
    return {key: statistics.median(r[key] for r in results) for key in results[0]}


def show(title: str, numbers: dict[str, float]) -> None:
    print(f"\n{title}")
    for key, value in numbers.items():
        print(f"  {key:<42} {value * 1000:8.0f} ms")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3, help="runs per plan; the median is printed")
    args = parser.parse_args()
    show("Example plan (plans/)", run(ROOT / "plans", args.runs))
    with tempfile.TemporaryDirectory() as tmp:
        big = make_big_plan(Path(tmp) / "big", args.accounts)
        size = (big / "accounts.toml").stat().st_size / 1e6
        show(f"Generated plan: {args.accounts} accounts ({size:.1f} MB accounts.toml)", run(big, args.runs))
    print("\nHeadless (Textual test driver); medians. Times from the app object's creation.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
