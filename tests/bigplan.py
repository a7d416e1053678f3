"""Make a big plan for benchmarks: the example plan with thousands of generated accounts.

    python -m tests.bigplan OUT_DIR [--accounts 10000]
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parent.parent / "plans"

_WORDS = ["Harbor", "Summit", "Prairie", "Coastal", "Granite", "Lakeshore", "Northgate", "Ridgeway", "Cedar",
          "Bluewater", "Ironwood", "Maple", "Redrock", "Silverline", "Westfield", "Pinecrest", "Oakridge", "Riverbend"]
_TRADES = ["HVAC", "Plumbing", "Elevators", "Utilities", "Facilities", "Solar", "Pest Control", "Telecom",
           "Medical Service", "Fire Safety"]
_STAGES = ["target", "engaged", "opportunity", "customer", "lost"]
_SALES = ["luis-romero", "tom-becker", "priya-natarajan", "dana-okafor"]
_MARKETING = ["aisha-khan", "jonas-weber", "sam-oduya", "mei-lin"]


def account_block(i: int, rng: random.Random) -> str:
    name = f"{rng.choice(_WORDS)} {rng.choice(_TRADES)} {i}"
    slug = f"gen-{i:05d}"
    tier = rng.choice([1, 2, 2, 3, 3, 3])
    lines = [
        "[[account]]",
        f'id = "{slug}"',
        f'name = "{name}"',
        f'domain = "{slug}.example"',
        f"tier = {tier}",
        f"icp_fit = {rng.randint(20, 99)}",
        f'stage = "{rng.choice(_STAGES)}"',
        f'industry = "{rng.choice(_TRADES)}"',
        f"employees = {rng.randint(50, 20000)}",
        'region = "US"',
        f'sales_owner = "{rng.choice(_SALES)}"',
        f'marketing_owner = "{rng.choice(_MARKETING)}"',
        f"pipeline = {rng.randint(0, 40) * 5000}",
        'plays = ["dispatch ROI workshop", "executive dinner"]',
        f'next_step = "Follow up with the operations lead about the pilot ({i})"',
        f"next_step_due = 2026-{rng.randint(10, 12)}-{rng.randint(1, 28):02d}",
    ]
    if tier == 1:
        lines += ["", "[[account.committee]]", f'name = "Contact {i}"', 'title = "Director of Operations"',
                  'persona = "ops-director"']
    return "\n".join(lines) + "\n"


def make_big_plan(out: Path, accounts: int = 10_000, seed: int = 7) -> Path:
    """Copy the example plan to ``out`` and append ``accounts`` generated accounts."""
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(EXAMPLE, out)
    rng = random.Random(seed)
    with open(out / "accounts.toml", "a", encoding="utf-8") as fh:
        for i in range(accounts):
            fh.write("\n" + account_block(i, rng))
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args()
    path = make_big_plan(args.out, args.accounts)
    size = (path / "accounts.toml").stat().st_size
    print(f"{path}: {args.accounts} generated accounts, accounts.toml is {size / 1e6:.1f} MB")
