"""Make a large plan for measuring the app: the example plan with 10,000 accounts.

    python3 tests/app/make_big_plan.py OUT_DIR [--accounts N]

The example's own accounts are kept (content items name some of them), and generated
accounts are appended after them until the file holds N accounts.  Every generated
account is valid against the schema and refers only to members and personas that exist,
so the big plan validates like the example does.
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
from pathlib import Path

EXAMPLE = Path(__file__).resolve().parents[2] / "plans"

SALES = ["dana-okafor", "luis-romero", "tom-becker", "priya-natarajan"]
MARKETING = ["mei-lin", "jonas-weber", "aisha-khan", "sam-oduya"]
PERSONAS = ["ops-director", "dispatch-manager", "it-lead"]
STAGES = ["target", "engaged", "opportunity", "customer", "lost"]
INDUSTRIES = ["HVAC", "Utilities (electric)", "Utilities (water)", "Facilities management",
              "Medical equipment service", "Telecom installation", "Elevator service", "Pest control"]
REGIONS = ["US Northeast", "US Midwest", "US South", "US West", "Canada", "UK", "DACH", "Nordics"]
FIRST = ["Alder", "Birch", "Cedar", "Delta", "Ember", "Falcon", "Granite", "Harbor", "Iron", "Juniper",
         "Keystone", "Lumen", "Maple", "North", "Orchard", "Pioneer", "Quarry", "River", "Summit", "Tidal"]
SECOND = ["Air", "Power", "Water", "Facilities", "Medical", "Telecom", "Climate", "Service", "Field", "Grid"]
SUFFIX = ["Group", "Services", "Partners", "Co", "Systems", "Solutions", "Works", "Holdings"]
PLAYS = ["executive dinner", "60-day pilot", "ROI workshop", "reference call", "field day",
         "direct mail", "webinar invite", "renewal review"]


def account_block(rng: random.Random, n: int) -> str:
    first, second, suffix = rng.choice(FIRST), rng.choice(SECOND), rng.choice(SUFFIX)
    slug = f"{first}-{second}-{n}".lower()
    tier = rng.choice([1, 2, 2, 3, 3, 3])
    stage = rng.choice(STAGES)
    lines = [
        "[[account]]",
        f'id = "{slug}"',
        f'name = "{first} {second} {suffix} {n}"',
        f'domain = "{slug}.example"',
        f"tier = {tier}",
        f"icp_fit = {rng.randint(20, 99)}",
        f'stage = "{stage}"',
        f'industry = "{rng.choice(INDUSTRIES)}"',
        f"employees = {rng.randint(40, 9000)}",
        f'region = "{rng.choice(REGIONS)}"',
        f'sales_owner = "{rng.choice(SALES)}"',
        f'marketing_owner = "{rng.choice(MARKETING)}"',
    ]
    if stage == "opportunity":
        lines.append(f"pipeline = {rng.randint(10, 300) * 1000}")
    plays = rng.sample(PLAYS, k=rng.randint(1, 3))
    lines.append("plays = [" + ", ".join(f'"{p}"' for p in plays) + "]")
    lines.append(f'next_step = "Follow up on the {plays[0]} with the operations lead"')
    lines.append(f"next_step_due = 2026-{rng.randint(10, 12)}-{rng.randint(1, 28):02d}")
    if tier == 1:
        lines += ["", "[[account.committee]]", 'name = "Alex Morgan"', 'title = "Director of Operations"',
                  f'persona = "{rng.choice(PERSONAS)}"']
    return "\n".join(lines) + "\n"


def make_big_plan(out: Path, accounts: int = 10_000, seed: int = 7) -> Path:
    """Copy the example plan to ``out`` and grow its accounts file to ``accounts`` accounts."""
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(EXAMPLE, out)
    path = out / "accounts.toml"
    text = path.read_text(encoding="utf-8")
    have = text.count("\n[[account]]\n") + (1 if text.startswith("[[account]]\n") else 0)
    rng = random.Random(seed)
    blocks = [account_block(rng, n) for n in range(1, max(0, accounts - have) + 1)]
    if not text.endswith("\n"):
        text += "\n"
    path.write_text(text + "\n" + "\n".join(blocks), encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--accounts", type=int, default=10_000)
    args = parser.parse_args(argv)
    out = make_big_plan(args.out, args.accounts)
    print(f"wrote {out} with {args.accounts} accounts")
    return 0


if __name__ == "__main__":
    sys.exit(main())
