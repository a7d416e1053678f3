"""Deterministic synthetic plans and plan histories for the benchmark.

    python -m tests.bench.generate OUT_DIR [--size small|medium|large|huge] [--accounts N]
                                   [--history] [--seed 7] [--checkins]

A plan is the example plan (``plans/``) with generated entities appended to its files:
members, personas (with a journey for every stage), goals with key results, accounts with
buying committees, content items and glossary terms with retired names.  The same size
and seed always give the same bytes.  Everything is meant to pass ``quarterdeck check``
(exit 0; the example's own warnings and a few retired names mentioned in generated text
are warnings, as in a real plan).

``--history`` writes a git repository instead: OUT_DIR/plans (and OUT_DIR/schemas, so
taplo finds the schemas the files name) with 12 quarterly revisions, 2024-Q1 to 2026-Q4,
each committed with plain git and tagged ``plan/YYYY-Qn`` with an annotated tag, as
``quarterdeck commit --quarter`` does.  Each quarter a few percent of the accounts,
content items and key results change, a few accounts are added, removed or renamed.

Key-result check-ins (``--checkins``, off by default): weekly check-ins for every key
result, written only when the goals schema defines a check-in array for key results; the
generator refuses otherwise, so it never writes data the schema would reject.
"""

from __future__ import annotations

import argparse
import copy
import dataclasses
import datetime as dt
import json
import os
import random
import re
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
EXAMPLE = ROOT / "plans"
SCHEMAS = ROOT / "schemas"

QUARTER = "2026-Q4"
Q_START, Q_END = dt.date(2026, 10, 1), dt.date(2026, 12, 31)
STAGES = ["awareness", "consideration", "decision"]

# the example's roster, by team (generated entities also name these people)
EXAMPLE_MEMBERS = {
    "sales": ["dana-okafor", "luis-romero", "tom-becker", "priya-natarajan"],
    "marketing": ["mei-lin", "jonas-weber", "aisha-khan", "sam-oduya"],
    "other": ["rita-alvarez"],
}
EXAMPLE_PERSONAS = ["ops-director", "dispatch-manager", "it-lead"]
EXAMPLE_GOALS = ["grow-pipeline", "tighten-handoff", "land-dispatch-name", "win-enterprise", "content-engine",
                 "keep-customers"]
RETIRED_EXAMPLE = "RouteDesk"  # retired in the example glossary; mentioning it is a warning


@dataclasses.dataclass(frozen=True)
class Shape:
    """How many entities are generated (added to the example's own)."""
    accounts: int = 0
    content: int = 0
    goals: int = 0
    krs_per_goal: int = 3
    personas: int = 0
    terms: int = 0
    members: int = 0


SIZES = {
    "small": Shape(),  # the example plan as shipped
    "medium": Shape(accounts=1_000, content=200, goals=20, personas=10, terms=30, members=12),
    "large": Shape(accounts=10_000, content=2_000, goals=200, personas=30, terms=300, members=40),
    "huge": Shape(accounts=50_000, content=10_000, goals=1_000, personas=30, terms=1_500, members=40),
}

_CITY = ["Harbor", "Summit", "Prairie", "Coastal", "Granite", "Lakeshore", "Northgate", "Ridgeway", "Cedar",
         "Bluewater", "Ironwood", "Maple", "Redrock", "Silverline", "Westfield", "Pinecrest", "Oakridge", "Riverbend",
         "Alder", "Brookside", "Canyon", "Driftwood", "Eastport", "Foxglove", "Glenview", "Highland"]
_TRADE = ["HVAC", "Plumbing", "Elevators", "Utilities", "Facilities", "Solar", "Pest Control", "Telecom",
          "Medical Service", "Fire Safety", "Security Systems", "Appliance Repair"]
_SUFFIX = ["Services", "Group", "Co", "Partners", "Cooperative", "Systems", "Works"]
_FIRST = ["Ana", "Ben", "Chloe", "David", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal", "Kara", "Liam", "Maya",
          "Nikos", "Olga", "Pavel", "Quinn", "Rosa", "Sven", "Tara", "Umar", "Vera", "Wen", "Yusuf", "Zoe"]
_LAST = ["Abbott", "Bauer", "Castillo", "Diallo", "Eriksen", "Fischer", "Gallo", "Haddad", "Ibsen", "Jansen",
         "Kowalski", "Lindgren", "Moreau", "Nakamura", "Okoro", "Petrov", "Quist", "Rahman", "Silva", "Tanaka"]
_TITLES = [("VP Field Operations", "ops-director"), ("Director of Operations", "ops-director"),
           ("Dispatch Manager", "dispatch-manager"), ("Dispatch Supervisor", "dispatch-manager"),
           ("IT Systems Manager", "it-lead"), ("Enterprise Architect", "it-lead"), ("Service Manager", None),
           ("CFO", None), ("Procurement Lead", None)]
_PLAYS = ["dispatch ROI workshop", "executive dinner", "60-day pilot", "customer advisory board seat",
          "renewal review", "storm-season scheduling workshop", "peer reference call", "benchmark briefing"]
_FORMATS = ["blog_post", "case_study", "webinar", "whitepaper", "ebook", "email", "video", "one_pager",
            "battlecard", "demo", "event", "podcast", "social", "guide", "checklist"]
_STATUSES = ["idea", "planned", "drafting", "review", "scheduled", "published", "published", "retired"]
_CHANNELS = ["website", "blog", "email", "linkedin", "events", "sales library", "youtube"]
_BUYING = ["economic_buyer", "champion", "technical_evaluator", "user", "influencer", "gatekeeper"]
_ROLES = ["Regional Service Director", "Fleet Manager", "Scheduling Lead", "Operations Analyst", "Controller",
          "Head of Customer Service", "Field Technician Lead", "Facilities Manager", "Procurement Manager"]
_UNITS = [("count", 100, 160), ("currency", 1_000_000, 1_500_000), ("percent", 40, 55), ("days", 30, 21),
          ("hours", 48, 24), ("ratio", 2.5, 3.5)]
_SYLL = ["ka", "lo", "mir", "ve", "tor", "zen", "qua", "ris", "bel", "dro", "fen", "gal", "hux", "jor", "nex",
         "pol", "sar", "tev", "ulm", "wyn"]


# -- TOML text --------------------------------------------------------------------------


def _value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)  # a TOML basic string
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{ " + ", ".join(f"{k} = {_value(x)}" for k, x in v.items()) + " }"
    raise TypeError(f"no TOML for {type(v).__name__}")


def _block(header: str, data: dict, subtables: dict[str, str]) -> list[str]:
    """``[[header]]`` with ``data``'s plain keys; keys named in ``subtables`` (key -> header
    of their array of tables, or of their table of tables when the value is a dict) after."""
    lines = [f"[[{header}]]"]
    later = []
    for key, value in data.items():
        if key in subtables:
            later.append((key, value))
        else:
            lines.append(f"{key} = {_value(value)}")
    for key, value in later:
        sub = subtables[key]
        if isinstance(value, dict):  # a table of tables: [persona.journey.awareness]
            for name, table in value.items():
                lines += ["", f"[{sub}.{name}]"] + [f"{k} = {_value(x)}" for k, x in table.items()]
        else:
            for item in value:
                lines += [""] + _block(sub, item, {k: f"{sub}.{k}" for k, v in item.items() if isinstance(v, list)
                                                    and v and isinstance(v[0], dict)})
    return lines


def _render(entities: list[dict], header: str, subtables: dict[str, str]) -> str:
    return "".join("\n" + "\n".join(_block(header, e, subtables)) + "\n" for e in entities)


# -- the generated entities ---------------------------------------------------------------


def _day(rng: random.Random, start: dt.date = Q_START, end: dt.date = Q_END) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, (end - start).days))


def _word(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(_SYLL) for _ in range(n)).capitalize()


def _checkin_field(schema_dir: Path) -> tuple[str, list[str]] | None:
    """The key results' check-in array in the goals schema: (its key, the fields of one
    check-in), or None while the schema has none."""
    try:
        schema = json.loads((schema_dir / "goals.schema.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    defs = schema.get("$defs", {})
    props = defs.get("key_result", {}).get("properties", {})
    for key, node in props.items():
        if "checkin" not in key.replace("_", "").replace("-", "").lower():
            continue
        item = node.get("items", {})
        ref = item.get("$ref", "")
        if ref.startswith("#/$defs/"):
            item = defs.get(ref[len("#/$defs/"):], {})
        return key, list(item.get("properties", {}))
    return None


@dataclasses.dataclass
class Generated:
    """The generated entities of one plan, by file (the example's own text stays as is)."""
    members: list[dict]
    personas: list[dict]
    goals: list[dict]
    accounts: list[dict]
    content: list[dict]
    terms: list[dict]


def generate(shape: Shape, seed: int = 7, checkins: bool = False, schema_dir: Path = SCHEMAS) -> Generated:
    rng = random.Random(seed)
    checkin = None
    if checkins:
        checkin = _checkin_field(schema_dir)
        if checkin is None:
            raise ValueError("the goals schema defines no check-in array for key results yet; "
                             "generate without check-ins (the default)")

    members = []
    teams = {t: list(ids) for t, ids in EXAMPLE_MEMBERS.items()}
    for i in range(shape.members):
        team = ("sales", "marketing", "sales", "marketing", "other")[i % 5]
        first, last = rng.choice(_FIRST), rng.choice(_LAST)
        mid = f"{first.lower()}-{last.lower()}-{i:02d}"
        members.append({"id": mid, "name": f"{first} {last}", "team": team,
                        "role": rng.choice(["Account Executive", "SDR", "Field Marketer", "Content Lead",
                                            "Demand Generation Manager", "RevOps Analyst"]),
                        "email": f"{first.lower()}.{last.lower()}{i}@tidewater.example"})
        teams[team].append(mid)
    sales, marketing = teams["sales"], teams["marketing"]
    everyone = sales + marketing + teams["other"]

    personas = []
    for i in range(shape.personas):
        role = _ROLES[i % len(_ROLES)]
        pid = f"gen-persona-{i:02d}"
        personas.append({
            "id": pid, "name": f"{_FIRST[i % len(_FIRST)]}, {role}", "role": role,
            "buying_role": _BUYING[i % len(_BUYING)], "company_size": f"{rng.randint(1, 9) * 100}-5,000 employees",
            "summary": f"Generated persona {i}: owns {role.lower()} decisions and cares about schedule reliability.",
            "pains": [f"Pain {n} of the {role.lower()}" for n in range(3)],
            "goals": [f"Goal {n} of the {role.lower()}" for n in range(2)],
            "objections": ["We tried a tool before and went back to spreadsheets"],
            "channels": ["LinkedIn", "Peer referrals"],
            "sales_owner": rng.choice(sales), "marketing_owner": rng.choice(marketing),
            "journey": {stage: {"questions": [f"What does a {role.lower()} ask at the {stage} stage ({n})?"
                                              for n in range(2)],
                                "content_needs": [f"A {stage} piece for the {role.lower()}"]} for stage in STAGES},
        })
    persona_ids = EXAMPLE_PERSONAS + [p["id"] for p in personas]

    goals = []
    for i in range(shape.goals):
        team = ("shared", "sales", "marketing")[i % 3]
        owners = {"shared": [rng.choice(sales), rng.choice(marketing)], "sales": [rng.choice(sales)],
                  "marketing": [rng.choice(marketing)]}[team]
        gid = f"gen-goal-{i:03d}"
        goal = {"id": gid, "title": f"Generated objective {i}: grow {rng.choice(_TRADE)} revenue",
                "team": team, "owners": owners,
                "status": rng.choice(["not_started", "on_track", "at_risk", "off_track"])}
        if i >= 10 and i % 4 == 0:
            goal["parent"] = f"gen-goal-{rng.randrange(0, i):03d}"  # an earlier goal: no cycles
        krs = []
        for k in range(shape.krs_per_goal):
            unit, base, target = _UNITS[(i + k) % len(_UNITS)]
            direction = "increase" if target >= base else "decrease"
            kr = {"id": f"kr-{k}", "title": f"Key result {k} of objective {i}", "metric": f"Measured {unit}",
                  "unit": unit, "baseline": base, "target": target}
            actual = round(base + (target - base) * rng.uniform(0.0, 1.1), 2)
            if isinstance(base, int):
                actual = int(actual)
            if checkin is not None:
                key, fields = checkin
                rows = []
                day, value = Q_START + dt.timedelta(days=6), base
                while day <= Q_END and day <= dt.date(2026, 11, 27):
                    value = value + (target - base) / 13 * rng.uniform(0.5, 1.3)
                    value = int(value) if isinstance(base, int) else round(value, 2)
                    row = {"date": day, "value": value, "confidence": rng.randint(3, 9),
                           "note": f"Week of {day:%b %d}", "by": rng.choice(owners)}
                    rows.append({f: v for f, v in row.items() if f in fields})
                    day += dt.timedelta(days=7)
                actual = rows[-1]["value"] if rows and "value" in rows[-1] else actual
                kr["actual"] = actual
                kr.update({"direction": direction, "due": _day(rng, dt.date(2026, 12, 1)),
                           "owner": rng.choice(owners), key: rows})
            else:
                kr.update({"actual": actual, "direction": direction, "due": _day(rng, dt.date(2026, 12, 1)),
                           "owner": rng.choice(owners)})
            krs.append(kr)
        goal["key_result"] = krs
        goals.append(goal)
    goal_ids = EXAMPLE_GOALS + [g["id"] for g in goals]

    terms = []
    used_words: set[str] = set()
    for i in range(shape.terms):
        while True:
            old = _word(rng, 3) + " " + _word(rng, 2)
            new = _word(rng, 3)
            if old.lower() not in used_words and new.lower() not in used_words:
                used_words.update({old.lower(), new.lower()})
                break
        term = {"id": f"gen-term-{i:03d}", "term": f"{new} {i}",
                "definition": f"Generated definition {i}: what both teams mean by {new} {i} when they plan.",
                "owner_team": ("sales", "marketing", "shared")[i % 3],
                "aliases": [f"{new.lower()} {i} alias"]}
        if i:
            term["related"] = [f"gen-term-{rng.randrange(0, i):03d}"]
        term["retired"] = [{"name": old, "since": dt.date(2026, 1 + i % 9, 1),
                            "note": f"Renamed to {new} {i} at the spring launch."}]
        terms.append(term)
    retired = [RETIRED_EXAMPLE] + [t["retired"][0]["name"] for t in terms]

    accounts = []
    for i in range(shape.accounts):
        tier = rng.choice([1, 2, 2, 3, 3, 3])
        aid = f"gen-{i:05d}"
        trade = rng.choice(_TRADE)
        stage = rng.choice(["target", "engaged", "opportunity", "customer", "lost"])
        step = f"Follow up with the operations lead about the pilot ({i})"
        if i % 97 == 0:  # about one in a hundred still says a retired name
            step = f"Send the {rng.choice(retired)} migration FAQ before the renewal call ({i})"
        acc = {"id": aid, "name": f"{rng.choice(_CITY)} {trade} {rng.choice(_SUFFIX)} {i}",
               "domain": f"{aid}.example", "tier": tier, "icp_fit": rng.randint(20, 99), "stage": stage,
               "industry": trade, "employees": rng.randint(50, 20000), "region": rng.choice(["US", "CA", "UK", "DE"]),
               "sales_owner": rng.choice(sales), "marketing_owner": rng.choice(marketing)}
        if stage == "opportunity":
            acc["pipeline"] = rng.randint(1, 40) * 5000
        acc.update({"plays": rng.sample(_PLAYS, 2), "next_step": step, "next_step_due": _day(rng, dt.date(2026, 11, 1))})
        if i % 10 == 0:
            acc["custom"] = {"crm_id": f"0015g{i:010d}"}
        committee = []
        for c in range({1: rng.randint(3, 5), 2: rng.randint(2, 3), 3: rng.randint(0, 1)}[tier]):
            first, last = rng.choice(_FIRST), rng.choice(_LAST)
            title, persona = rng.choice(_TITLES)
            if persona is None and personas and rng.random() < 0.5:
                persona = rng.choice(persona_ids)
            person = {"name": f"{first} {last}", "title": title}
            if persona:
                person["persona"] = persona
            person["email"] = f"{first.lower()}.{last.lower()}{c}@{aid}.example"
            committee.append(person)
        acc["committee"] = committee
        accounts.append(acc)
    account_ids = [a["id"] for a in accounts]

    content = []
    pairs = [(p, s) for p in persona_ids for s in STAGES]  # the first items cover every persona and stage
    for i in range(shape.content):
        status = rng.choice(_STATUSES)
        persona, stage = pairs[i] if i < len(pairs) else (rng.choice(persona_ids), rng.choice(STAGES))
        cid = f"gen-content-{i:05d}"
        item = {"id": cid, "title": f"Generated {stage} piece {i} for {persona}", "format": rng.choice(_FORMATS),
                "stage": stage, "personas": sorted({persona, rng.choice(persona_ids)})}
        if account_ids and i % 5 == 0:
            item["accounts"] = sorted(set(rng.sample(account_ids, min(3, len(account_ids)))))
        item.update({"channel": rng.choice(_CHANNELS), "owner": rng.choice(everyone), "status": status})
        if status in ("published", "retired"):
            item["publish_date"] = _day(rng, dt.date(2026, 4, 1), dt.date(2026, 11, 20))
            item["url"] = f"https://tidewater.example/resources/{cid}"
        elif status in ("scheduled", "review", "drafting"):
            item["publish_date"] = _day(rng, dt.date(2026, 11, 21))
        item["goal"] = rng.choice(goal_ids)
        use = "Send it after the discovery call when the buyer asks for proof."
        if i % 101 == 0:
            use = f"Replace the old {rng.choice(retired)} screenshots before sending it."
        item["sales_use"] = use
        content.append(item)

    return Generated(members, personas, goals, accounts, content, terms)


# -- writing ------------------------------------------------------------------------------

_FILES = {  # file -> (attribute of Generated, table header, sub-tables)
    "plan.toml": ("members", "member", {}),
    "personas.toml": ("personas", "persona", {"journey": "persona.journey"}),
    "goals.toml": ("goals", "goal", {"key_result": "goal.key_result"}),
    "accounts.toml": ("accounts", "account", {"committee": "account.committee"}),
    "content.toml": ("content", "content", {}),
    "glossary.toml": ("terms", "term", {"retired": "term.retired"}),
}


def _set_quarter(text: str, quarter: str) -> str:
    year, q = int(quarter[:4]), int(quarter[-1])
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)
    text = re.sub(r'(?m)^quarter = "[^"]*"', f'quarter = "{quarter}"', text, count=1)
    text = re.sub(r"(?m)^start = \S+", f"start = {start.isoformat()}", text, count=1)
    return re.sub(r"(?m)^end = \S+", f"end = {end.isoformat()}", text, count=1)


def write_plan(out: Path, gen: Generated, quarter: str | None = None) -> Path:
    """The example plan with ``gen`` appended, written to ``out`` (replacing what is there)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for src in EXAMPLE.iterdir():
        if not src.is_file():
            continue
        text = src.read_text(encoding="utf-8")
        if src.name in _FILES:
            attr, header, subs = _FILES[src.name]
            text = text.rstrip("\n") + "\n" + _render(getattr(gen, attr), header, subs)
        if quarter and src.name == "plan.toml":
            text = _set_quarter(text, quarter)
        (out / src.name).write_bytes(text.encode("utf-8"))
    return out


def make_plan(out: Path, size: str = "large", *, seed: int = 7, checkins: bool = False,
              accounts: int | None = None) -> Path:
    """Write the plan of ``size`` (``accounts`` overrides its number of accounts) to
    ``out``, replacing it; return ``out``."""
    shape = SIZES[size]
    if accounts is not None:
        shape = dataclasses.replace(shape, accounts=accounts)
    out = Path(out)
    if out.exists():
        shutil.rmtree(out)
    return write_plan(out, generate(shape, seed, checkins))


# -- history ------------------------------------------------------------------------------

def quarters(last: str = QUARTER, count: int = 12) -> list[str]:
    year, q = int(last[:4]), int(last[-1])
    n = year * 4 + q - 1
    return [f"{(n - k) // 4}-Q{(n - k) % 4 + 1}" for k in range(count - 1, -1, -1)]


def _evolve(gen: Generated, rng: random.Random, quarter_no: int, share: float) -> Generated:
    """Next quarter's plan: ``share`` of the accounts, content and key results changed, a
    few accounts added, removed and renamed (references to them follow)."""
    g = copy.deepcopy(gen)
    n_acc = max(1, int(len(g.accounts) * share)) if g.accounts else 0
    for acc in rng.sample(g.accounts, n_acc):
        acc["icp_fit"] = rng.randint(20, 99)
        acc["stage"] = rng.choice(["target", "engaged", "opportunity", "customer", "lost"])
        if acc["stage"] == "opportunity":
            acc["pipeline"] = rng.randint(1, 40) * 5000
        else:
            acc.pop("pipeline", None)
        acc["next_step"] = f"Quarter {quarter_no}: agree the next step with the operations lead"
    for item in rng.sample(g.content, max(1, int(len(g.content) * share)) if g.content else 0):
        item["status"] = rng.choice(_STATUSES)
        item["title"] = item["title"].split(" (rev")[0] + f" (rev {quarter_no})"
    krs = [kr for goal in g.goals for kr in goal["key_result"]]
    for kr in rng.sample(krs, max(1, int(len(krs) * share)) if krs else 0):
        kr["actual"] = type(kr["baseline"])(round(kr["baseline"] + (kr["target"] - kr["baseline"]) * rng.uniform(0, 1.1), 2))
    if g.accounts:
        referenced = {a for item in g.content for a in item.get("accounts", [])}
        free = [a for a in g.accounts if a["id"] not in referenced]
        gone = {a["id"] for a in rng.sample(free, min(len(free), max(1, n_acc // 10)))}
        g.accounts = [a for a in g.accounts if a["id"] not in gone]
        renames = {}
        for acc in rng.sample(g.accounts, min(2, len(g.accounts))):
            new_id = f"{acc['id']}-r{quarter_no}"
            renames[acc["id"]] = new_id
            acc["id"] = new_id
        for item in g.content:
            if "accounts" in item:
                item["accounts"] = [renames.get(a, a) for a in item["accounts"]]
        for k in range(max(1, n_acc // 10)):
            template = copy.deepcopy(rng.choice(g.accounts))
            new_id = f"new-q{quarter_no}-{k:03d}"
            template.update({"id": new_id, "name": f"New account {quarter_no}.{k}", "domain": f"{new_id}.example"})
            for c, person in enumerate(template.get("committee", [])):
                person["email"] = f"contact{c}@{new_id}.example"
            g.accounts.append(template)
    return g


def _git(repo: Path, *args: str, env: dict | None = None) -> str:
    return subprocess.run(["git", "-c", "user.name=Quarterdeck Bench", "-c", "user.email=bench@example.com",
                           "-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false", *args],
                          cwd=repo, check=True, capture_output=True, text=True, env=env).stdout


def make_history(repo: Path, size: str = "large", *, seed: int = 7, count: int = 12, share: float = 0.03,
                 last: str = QUARTER) -> list[str]:
    """A git repository at ``repo`` with ``count`` quarterly revisions of the plan in
    ``repo/plans``, each tagged ``plan/<quarter>`` (annotated); return the quarters."""
    repo = Path(repo)
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    shutil.copytree(SCHEMAS, repo / "schemas")  # beside plans/, as the files' #:schema lines expect
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.devnull}
    _git(repo, "init", "--quiet", "--initial-branch=main", env=env)
    rng = random.Random(seed + 1)
    gen = generate(SIZES[size], seed)
    names = quarters(last, count)
    for n, quarter in enumerate(names):
        if n:
            gen = _evolve(gen, rng, n, share)
        plan_dir = repo / "plans"
        if plan_dir.exists():
            shutil.rmtree(plan_dir)
        write_plan(plan_dir, gen, quarter)
        year, q = int(quarter[:4]), int(quarter[-1])
        when = f"{dt.date(year + (q == 4), (3 * q) % 12 + 1, 1) - dt.timedelta(days=1)}T17:00:00+00:00"
        dated = {**env, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
        _git(repo, "add", "--all", "--", "plans", "schemas", env=dated)
        _git(repo, "commit", "--quiet", "--no-verify", "-m", f"Plan for {quarter}", env=dated)
        _git(repo, "tag", "-a", f"--message=Final revision of the {quarter} plan", "--", f"plan/{quarter}",
             env=dated)
    return names


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=Path)
    parser.add_argument("--size", choices=list(SIZES), default="large")
    parser.add_argument("--accounts", type=int, help="override the size's number of generated accounts")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--history", action="store_true", help="a git repository with 12 tagged quarters")
    parser.add_argument("--checkins", action="store_true",
                        help="weekly key-result check-ins (only once the goals schema has a check-in array)")
    args = parser.parse_args(argv)
    if args.history:
        names = make_history(args.out, args.size, seed=args.seed)
        print(f"{args.out}: git repository, plan in plans/, tags plan/{names[0]} .. plan/{names[-1]}")
        return 0
    try:
        path = make_plan(args.out, args.size, seed=args.seed, checkins=args.checkins, accounts=args.accounts)
    except ValueError as exc:
        parser.error(str(exc))
    total = sum(p.stat().st_size for p in path.iterdir() if p.is_file())
    print(f"{path}: {args.size} plan, {total / 1e6:.1f} MB in {len(list(path.iterdir()))} files")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
