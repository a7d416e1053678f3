"""``quarterdeck demo``: a throwaway repository with a year of believable plan history.

The example plan (Tidewater Labs) is the end of the story.  The demo starts from an
earlier version of it in 2026-Q1 (lower targets, fewer accounts, a shorter content
calendar, an older MQL definition) and works forward through 2026-Q2, Q3 and Q4:
a few commits per quarter by the people of the plan, each editing real fields through
the core edit API and committed with ``quarterdeck commit`` at a date inside the
quarter (``GIT_AUTHOR_DATE`` / ``GIT_COMMITTER_DATE``), a check-in of every key result
each Monday (one commit per week, by the key results' owners' numbers from Rita's CRM
pull), and a ``quarterdeck rollover`` at each quarter's end (which tags
``plan/2026-Qn`` and starts the next quarter with no check-ins).  2026-Q4, the current
quarter, checks in the example plan's own check-ins week by week and is tagged at its
latest revision (the Nov 30 check-in).

The example plan is looked for in the ``plans/`` folder next to the package (a
source checkout) or in ``tui/history/example`` (a packaged copy); without either, the
``init`` template is used.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from tui.plan.checkins import add_checkins, checkins_of, new_checkin, remove_all_checkins
from tui.plan.edit import add_entity, remove_entity, set_field, stage_change, unset_field
from tui.plan.model import Plan, load_plan
from tui.plan.refs import referrers
from tui.plan.registry import KINDS
from tui.plan.schema import load_schemas, schema_dir

from .commit import commit_plan, tag_quarter
from .errors import HistoryError
from .gitsetup import git_setup
from .quarters import quarter_bounds
from .repo import GIT_ENV, PlanRepo
from .rollover import rollover, save_staged

PEOPLE = {
    "dana": ("Dana Okafor", "dana.okafor@tidewater.example"),
    "mei": ("Mei Lin", "mei.lin@tidewater.example"),
    "rita": ("Rita Alvarez", "rita.alvarez@tidewater.example"),
    "tom": ("Tom Becker", "tom.becker@tidewater.example"),
    "aisha": ("Aisha Khan", "aisha.khan@tidewater.example"),
    "jonas": ("Jonas Weber", "jonas.weber@tidewater.example"),
    "priya": ("Priya Natarajan", "priya.natarajan@tidewater.example"),
}
# Key result values of the earlier quarters, as shares of the example's Q4 baseline
# (where Q3 ended): (baseline, target, final actual).  Each quarter's final actual is the
# next quarter's baseline, as rollover sets it.
PATH = {"2026-Q1": (0.55, 0.75, 0.70), "2026-Q2": (0.70, 0.90, 0.85), "2026-Q3": (0.85, 1.05, 1.00)}


def example_plan_dir() -> Path | None:
    """The example plan: ``plans/`` beside the package (a source checkout), or a copy
    packaged as ``tui/history/example`` (if the wheel ships one)."""
    here = Path(__file__).resolve().parent
    for folder in (here.parent.parent / "plans", here / "example"):
        if (folder / "plan.toml").is_file():
            return folder
    return None


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _like(original, value):
    if isinstance(original, int) and not isinstance(original, bool):
        return int(round(value))
    return round(float(value), 1)


class _Story:
    def __init__(self, prepo: PlanRepo, ref: Plan | None, progress):
        self.prepo = prepo
        self.ref = ref
        self.progress = progress or (lambda message: None)
        self.schemas = load_schemas()
        self.plan = load_plan(prepo.plan_dir)
        self.commits = 0
        self.weeks: set[dt.date] = set()

    # -- edits through the core API -------------------------------------------------
    def set(self, kind, id, field, value):
        stage_change(self.plan, set_field(self.plan, kind, id, field, value, schemas=self.schemas, force=True))

    def unset(self, kind, id, field):
        e = self.plan.find(kind, kind if KINDS[kind].singleton else id)
        if e is not None and field in e.data:
            stage_change(self.plan, unset_field(self.plan, kind, id, field, schemas=self.schemas, force=True))

    def add_from_ref(self, kind, id):
        if self.ref is None or self.plan.find(kind, id) is not None:
            return
        e = self.ref.find(kind, id)
        if e is None:
            return
        fields = {k: v for k, v in e.data.items() if k != "id"}
        stage_change(self.plan, add_entity(self.plan, kind, id, fields, schemas=self.schemas, force=True))

    def remove(self, kind, id):
        if self.plan.find(kind, id) is not None:
            stage_change(self.plan, remove_entity(self.plan, kind, id))

    def krs(self):
        return [e.id for e in self.plan.all("key_result")]

    def ref_kr(self, id) -> dict:
        e = self.ref.find("key_result", id) if self.ref else None
        return dict(e.data) if e else dict(self.plan.get("key_result", id).data)

    # -- commits ----------------------------------------------------------------------
    def env(self, when: str, who: str) -> dict:
        name, email = PEOPLE[who]
        stamp = f"{when}T{10 + self.commits % 7:02d}:{(self.commits * 13) % 60:02d}:00+00:00"
        return {"GIT_AUTHOR_NAME": name, "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name,
                "GIT_COMMITTER_EMAIL": email, "GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp}

    def commit(self, when: str, who: str, message: str):
        save_staged(self.plan)
        commit_plan(self.prepo, message, env=self.env(when, who), allow_invalid=True)
        self.commits += 1
        self.plan = load_plan(self.prepo.plan_dir)
        self.progress(f"  {when}  {message}")

    def roll(self, when: str, who: str):
        rollover(self.prepo, env=self.env(when, who), allow_invalid=True)
        self.commits += 1
        self.plan = load_plan(self.prepo.plan_dir)
        self.progress(f"  {when}  rollover to {self.plan.quarter}")

    # -- check-ins ---------------------------------------------------------------------------
    def checkins(self, when: dt.date, values: list[tuple]):
        """One week's check-ins, ``(kr_id, value, confidence, note, by)`` each, in one edit."""
        entries = []
        for kr_id, value, confidence, note, by in values:
            kr = self.plan.get("key_result", kr_id)
            entries.append((kr_id, new_checkin(self.plan, kr, value, date=when, confidence=confidence, note=note,
                                               by=by, on=when)))
        if entries:
            stage_change(self.plan, add_checkins(self.plan, entries, schemas=self.schemas, on=when,
                                                 check_schema=False))

    def clear_checkins(self):
        for kr in self.krs():
            change = remove_all_checkins(self.plan, kr)
            if change is not None:
                stage_change(self.plan, change)

    def weekly(self, quarter: str, through: dt.date, final: dt.date | None = None):
        """A check-in of every key result each Monday of ``quarter`` after its first week,
        up to ``through`` (and one on ``final``, where the quarter's path ends), one commit each."""
        start, end = quarter_bounds(quarter)
        b, _, f = PATH[quarter]
        days = [start + dt.timedelta(days=(7 - start.weekday()) % 7 + 7 * i) for i in range(1, 14)]
        days = [d for d in days if d <= through and d not in self.weeks]
        if final is not None:
            days.append(final)
        for when in days:
            self.weeks.add(when)
            elapsed = (when - start).days / max(1, (end - start).days)
            share = 1.0 if when == final else min(1.0, elapsed * (0.9 + 0.1 * ((when.toordinal() // 7) % 3)))
            week = []
            for i, kr in enumerate(self.krs()):
                value = self.kr_value(kr, b + (f - b) * share)
                if _num(value):
                    week.append((kr, value, 6 + (i + when.toordinal() // 7) % 3 if when != final else 7, None, None))
            self.checkins(when, week)
            self.commit(str(when), "rita", f"Check-in {when}" + (f": final {quarter} numbers" if when == final else ""))

    def example_week(self, when: dt.date, who: str = "rita"):
        """The example plan's own check-ins of ``when`` (2026-Q4)."""
        week = []
        for kr in self.krs():
            ref = self.ref.find("key_result", kr) if self.ref else None
            for c in checkins_of(ref) if ref else []:
                if c.get("date") == when:
                    week.append((kr, c["value"], c.get("confidence"), c.get("note"), c.get("by")))
        self.checkins(when, week)
        self.commit(str(when), who, f"Check-in {when}")

    # -- key result numbers -------------------------------------------------------------
    def kr_value(self, kr_id: str, share: float):
        """A value ``share`` of the way to the example's baseline (decreasing metrics come down to it)."""
        d = self.ref_kr(kr_id)
        base, direction = d.get("baseline"), d.get("direction")
        if (not _num(base) or not base) and _num(d.get("target")):
            base = d["target"] * 0.5  # no baseline to work back from: half the target
        if not _num(base) or direction == "maintain":
            return base if _num(base) else d.get("target")
        value = base * share if direction == "increase" else base / share
        if d.get("unit") == "percent":
            value = min(value, 100)
        return _like(base, value)

    def set_targets(self, quarter: str):
        for kr in self.krs():
            value = self.kr_value(kr, PATH[quarter][1])
            if _num(value):
                self.set("key_result", kr, "target", value)


def _git(cwd: Path, *args: str) -> None:
    out = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                         env=dict(os.environ, **GIT_ENV), stdin=subprocess.DEVNULL)
    if out.returncode != 0:
        raise HistoryError(f"git {args[0]} failed in {cwd}: {out.stderr.strip()}", code="demo.git")


def build_demo(target: Path | None = None, progress=None) -> Path:
    """Build the demo repository; return its plan folder."""
    root = Path(target) if target else Path(tempfile.mkdtemp(prefix="quarterdeck-demo-"))
    if root.exists() and any(root.iterdir()):
        raise HistoryError(f"{root} is not empty; give a new or empty folder for the demo", code="demo.exists")
    root.mkdir(parents=True, exist_ok=True)
    source = example_plan_dir()
    plan_dir = root / "plans"
    shutil.copytree(schema_dir(), root / "schemas", ignore=shutil.ignore_patterns("__pycache__", "*.py*"))
    if source is not None:
        shutil.copytree(source, plan_dir, ignore=shutil.ignore_patterns(".*"))
    else:
        from .scaffold import render_plan_files

        plan_dir.mkdir()
        for name, text in render_plan_files("Tidewater Labs", "2026-Q4", "../schemas").items():
            (plan_dir / name).write_text(text, encoding="utf-8")
    _git(root, "init", "--quiet")
    for key, value in (("user.name", "Quarterdeck demo"), ("user.email", "demo@quarterdeck.example"),
                       ("commit.gpgsign", "false"), ("tag.gpgsign", "false"), ("core.hooksPath", ".git/hooks")):
        _git(root, "config", "--local", key, value)
    if progress:
        progress(f"building the demo repository in {root}")
    with PlanRepo(plan_dir) as prepo:
        git_setup(prepo)
        stamp = "2026-01-05T09:00:00+00:00"
        name, email = PEOPLE["rita"]
        prepo.git("add", "--", "schemas", "plans/.gitattributes")
        prepo.git("commit", "--quiet", "--message=Add the plan schemas and Quarterdeck's git attributes",
                  env={"GIT_AUTHOR_DATE": stamp, "GIT_COMMITTER_DATE": stamp, "GIT_AUTHOR_NAME": name,
                       "GIT_AUTHOR_EMAIL": email, "GIT_COMMITTER_NAME": name, "GIT_COMMITTER_EMAIL": email})
        ref = load_plan(plan_dir)
        story = _Story(prepo, ref, progress)
        _write_history(story)
    return plan_dir


def _write_history(s: _Story) -> None:
    ref = s.ref
    plan = s.plan
    # Which accounts and content arrive later in the year (nothing refers to them).
    later_accounts = [e.id for e in plan.all("account") if not referrers(plan, e)
                      and e.data.get("tier") != 1][-12:]
    later_content = [e.id for e in plan.all("content")
                     if (e.data.get("publish_date") or dt.date(2026, 12, 31)) >= dt.date(2026, 11, 15)
                     and not referrers(plan, e)]
    opportunities = [e.id for e in plan.all("account") if e.data.get("stage") == "opportunity"
                     and e.id not in later_accounts]
    mql = plan.find("term", "mql")
    mql_text = mql.data.get("definition") if mql else None

    # -- 2026-Q1: the first joint plan ---------------------------------------------------
    start, end = quarter_bounds("2026-Q1")
    s.set("plan", "plan", "quarter", "2026-Q1")
    s.set("plan", "plan", "start", start)
    s.set("plan", "plan", "end", end)
    if _num(plan.get("plan", "plan").data.get("revenue_target")):
        s.set("plan", "plan", "revenue_target", 1800000)
    sla = plan.find("sla", "sla")
    if sla is not None:
        s.set("sla", "sla", "follow_up_hours", 48)
        s.set("sla", "sla", "mql_commitment", 120)
        if "review_date" in sla.data:
            s.set("sla", "sla", "review_date", dt.date(2026, 3, 10))
    if s.plan.find("lead_scoring", "lead_scoring") is not None:
        s.set("lead_scoring", "lead_scoring", "threshold", 50)
    if mql_text:
        older = re.sub(r"\s+within the 30-day decay\s+window,", ",", mql_text.replace("60 points", "50 points"))
        s.set("term", "mql", "definition", older.replace("commitment of 180", "commitment of 120"))
    s.clear_checkins()
    for kr in s.krs():
        d = s.ref_kr(kr)
        s.unset("key_result", kr, "actual")
        if _num(s.kr_value(kr, PATH["2026-Q1"][0])):
            s.set("key_result", kr, "baseline", s.kr_value(kr, PATH["2026-Q1"][0]))
        if d.get("due"):
            s.set("key_result", kr, "due", end)
    s.set_targets("2026-Q1")
    for acc in opportunities:
        s.set("account", acc, "stage", "engaged")
        s.unset("account", acc, "pipeline")
    for acc in later_accounts:
        s.remove("account", acc)
    for item in later_content:
        s.remove("content", item)
    s.commit("2026-01-05", "dana", "Start the 2026-Q1 plan: first joint plan of sales and marketing")
    s.weekly("2026-Q1", dt.date(2026, 1, 18))

    goals = [e.id for e in s.plan.all("goal")]
    if goals:
        s.set("goal", goals[0], "status", "on_track")
    s.commit("2026-01-19", "mei", "Agree Q1 goals at the kickoff")
    s.weekly("2026-Q1", dt.date(2026, 2, 1))
    for acc in later_accounts[:3]:
        s.add_from_ref("account", acc)
    s.commit("2026-02-02", "aisha", "Add three accounts from the January webinar")
    s.weekly("2026-Q1", dt.date(2026, 3, 8))
    if opportunities:
        s.set("account", opportunities[0], "stage", "opportunity")
        pipeline = ref.get("account", opportunities[0]).data.get("pipeline") if ref else None
        if _num(pipeline):
            s.set("account", opportunities[0], "pipeline", _like(pipeline, pipeline * 0.6))
    if sla is not None:
        s.set("sla", "sla", "follow_up_hours", 36)
    s.commit("2026-03-09", "tom", "First enterprise opportunity; follow-up SLA tightened to 36 hours")
    s.weekly("2026-Q1", dt.date(2026, 3, 26), final=dt.date(2026, 3, 27))
    s.roll("2026-03-31", "dana")

    # -- 2026-Q2 ------------------------------------------------------------------------------
    s.set_targets("2026-Q2")
    s.commit("2026-04-08", "mei", "Q2 targets agreed at the April plan review")
    s.weekly("2026-Q2", dt.date(2026, 5, 12))
    if s.plan.find("lead_scoring", "lead_scoring") is not None:
        s.set("lead_scoring", "lead_scoring", "threshold", 60)
    if mql_text:
        s.set("term", "mql", "definition", mql_text)
    if sla is not None:
        s.set("sla", "sla", "mql_commitment", 150)
    s.commit("2026-05-13", "priya", "Raise the MQL bar: threshold 60 inside the decay window, MQL definition updated")
    s.weekly("2026-Q2", dt.date(2026, 5, 19))
    for acc in later_accounts[3:6]:
        s.add_from_ref("account", acc)
    for acc in opportunities[1:3]:
        s.set("account", acc, "stage", "opportunity")
    s.commit("2026-05-20", "tom", "Three accounts added; two tier-1 accounts move to opportunity")
    s.weekly("2026-Q2", dt.date(2026, 6, 25), final=dt.date(2026, 6, 26))
    s.roll("2026-06-30", "mei")

    # -- 2026-Q3 ------------------------------------------------------------------------------
    s.set_targets("2026-Q3")
    if sla is not None:
        s.set("sla", "sla", "follow_up_hours", 24)
    s.commit("2026-07-06", "dana", "Q3 targets; the SLA moves to a 24-hour first touch")
    s.weekly("2026-Q3", dt.date(2026, 7, 21))
    persona = next(iter(s.plan.all("persona")), None)
    if persona is not None and isinstance(persona.data.get("pains"), list) and persona.data["pains"]:
        s.set("persona", persona.id, "pains", list(persona.data["pains"][:-1]))
        s.commit("2026-07-22", "jonas", f"Persona {persona.id}: pains reviewed after customer interviews")
    s.weekly("2026-Q3", dt.date(2026, 8, 9))
    for acc in later_accounts[6:9]:
        s.add_from_ref("account", acc)
    s.commit("2026-08-10", "aisha", "Add accounts from the partner referral list")
    s.weekly("2026-Q3", dt.date(2026, 9, 27), final=dt.date(2026, 9, 28))
    s.roll("2026-09-30", "dana")

    # -- 2026-Q4: back to the example plan ------------------------------------------------------
    for kr in s.krs():
        d = s.ref_kr(kr)
        for field in ("baseline", "target"):
            if field in d:
                s.set("key_result", kr, field, d[field])
    if ref is not None and _num(ref.get("plan", "plan").data.get("revenue_target")):
        s.set("plan", "plan", "revenue_target", ref.get("plan", "plan").data["revenue_target"])
    if sla is not None and ref is not None:
        for field in ("mql_commitment", "follow_up_hours", "review_date"):
            if field in ref.get("sla", "sla").data:
                s.set("sla", "sla", field, ref.get("sla", "sla").data[field])
    s.commit("2026-10-02", "mei", "Q4 targets agreed at the October pipeline review")
    for when in (dt.date(2026, 10, 5), dt.date(2026, 10, 12)):
        s.example_week(when)
    for acc in later_accounts[9:]:
        s.add_from_ref("account", acc)
    for acc in opportunities:
        want = ref.get("account", acc).data if ref else {}
        s.set("account", acc, "stage", want.get("stage", "opportunity"))
        if _num(want.get("pipeline")):
            s.set("account", acc, "pipeline", want["pipeline"])
    s.commit("2026-10-19", "tom", "Pipeline review: opportunities and amounts updated")
    for when in (dt.date(2026, 10, 19), dt.date(2026, 10, 26)):
        s.example_week(when)
    for item in later_content:
        s.add_from_ref("content", item)
    s.commit("2026-11-02", "jonas", "Content calendar for late November and December")
    for when in (dt.date(2026, 11, 2), dt.date(2026, 11, 9), dt.date(2026, 11, 16)):
        s.example_week(when)
    if persona is not None and ref is not None and ref.find("persona", persona.id) is not None:
        s.set("persona", persona.id, "pains", ref.get("persona", persona.id).data.get("pains", []))
        s.commit("2026-11-18", "jonas", f"Persona {persona.id}: pains updated from the Q4 interviews")
    for when in (dt.date(2026, 11, 23), dt.date(2026, 11, 30)):
        s.example_week(when)
    for kr in s.krs():  # a key result without check-ins in the example keeps its actual
        d = s.ref_kr(kr)
        if _num(d.get("actual")) and not checkins_of(d) and s.plan.get("key_result", kr).data.get("actual") != d["actual"]:
            s.set("key_result", kr, "actual", d["actual"])
    if s.plan.files.get("goals.toml") is not None and s.plan.files["goals.toml"].dirty:
        s.commit("2026-11-30", "rita", "Actuals of the key results without check-ins")
    tag_quarter(s.prepo, "2026-Q4", env=s.env("2026-11-30", "rita"),
                message="Latest revision of the 2026-Q4 plan (the quarter is still open)")
    s.progress("  tagged plan/2026-Q1 .. plan/2026-Q4")


__all__ = ["build_demo", "example_plan_dir"]
