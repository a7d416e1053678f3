"""Baseline for the benchmark (not a test): a bare Textual app showing a DataTable of
10,000 rows, headless, in a fresh process.

    python -m tests.bench.bare_table --t0 EPOCH_SECONDS --out RESULT.json [--rows 10000]

Writes the seconds since ``--t0`` (taken by the parent just before starting this
process) until the first frame and until the table, holding every row, has been painted;
then the latency of the same keys the app's probe presses while scrolling (down, page
down, end, home), timed the same way (``tui_probe._timed_key``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import time

from tests.bench.tui_probe import SCROLL_KEYS, _timed_key

COLUMNS = ["id", "name", "tier", "stage", "ICP fit", "sales owner", "marketing owner", "next step due"]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--t0", type=float, default=time.time())
    parser.add_argument("--out", required=True)
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    from textual.app import App, ComposeResult
    from textual.widgets import DataTable

    rows = [(f"gen-{i:05d}", f"Harbor HVAC Services {i}", str(1 + i % 3), "engaged", str(20 + i % 80),
             "tom-becker", "sam-oduya", f"2026-11-{1 + i % 28:02d}") for i in range(args.rows)]
    out: dict = {}

    class Bare(App):
        def compose(self) -> ComposeResult:
            yield DataTable(id="t", cursor_type="row")

        def on_mount(self) -> None:
            self.call_after_refresh(self.fill)

        def fill(self) -> None:
            out.setdefault("first_frame", time.time() - args.t0)
            table = self.query_one(DataTable)
            table.add_columns(*COLUMNS)
            table.add_rows(rows)
            self.call_after_refresh(lambda: out.setdefault("table_shown", time.time() - args.t0))

    async def run() -> None:
        app = Bare()
        async with app.run_test(size=(120, 40)) as pilot:
            while "table_shown" not in out:
                await asyncio.sleep(0.005)
            table = app.query_one(DataTable)
            out["row_count"] = table.row_count
            table.focus()
            await pilot.pause()
            samples = [await _timed_key(pilot, key) for key in SCROLL_KEYS]
            out["key_scroll"] = {"median": statistics.median(samples), "max": max(samples), "count": len(samples)}
            await pilot.press("ctrl+q")

    asyncio.run(run())
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(out, fh)
    return 0


if __name__ == "__main__":
    sys.exit(main())
