"""Make a big plan: the example plan with thousands of generated accounts (only accounts;
for the full shapes of the benchmark see tests/bench/generate.py).

    python -m tests.bigplan OUT_DIR [--accounts 10000]
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from tests.bench.generate import EXAMPLE, Shape, generate, write_plan

__all__ = ["EXAMPLE", "make_big_plan"]


def make_big_plan(out: Path, accounts: int = 10_000, seed: int = 7) -> Path:
    """Write the example plan plus ``accounts`` generated accounts (ids gen-00000 ...,
    each with a buying committee) to ``out``, replacing it; return ``out``."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    return write_plan(out, generate(Shape(accounts=accounts), seed))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()
    path = make_big_plan(args.out, args.accounts)
    size = (path / "accounts.toml").stat().st_size
    print(f"{path}: {args.accounts} generated accounts, accounts.toml is {size / 1e6:.1f} MB")
