"""The benchmark: Quarterdeck against its peers, on generated plans (not part of the tests).

    python -m tests.bench [--sizes small,large] [--repeat N] [--json] [--keep DIR]
    python -m tests.bench --show RESULTS.json      (the tables of an earlier --json run)

For each size (small = the example plan; medium, large = example + 10,000 accounts and
the rest of issue 13's shape; huge = 50,000 accounts) it generates the plan and a git
history of 12 tagged quarters (tests/bench/generate.py), then measures:

- our CLI as whole processes (`python -m tui ...`): check, set, add, rm, rename of the
  member with the most references, diff of the last two quarters, log, trend of a key
  result over the 12 quarters, and `git log -p` with the drivers of `quarterdeck git-setup`;
- the core in this process: load_plan, validate, set_field + apply_change once loaded;
- the app headless (Textual's Pilot) in a fresh process each run, imports included:
  first frame, the Accounts table shown with every row, all problems known, key-press
  latency while scrolling and while typing a filter, the filter applied, one edit
  applied, one save on disk;
- baselines in the same run: `taplo check` with the bundled schemas, rtoml and tomllib
  parses of the same files (whole processes and in process), plain `git diff` and
  `git log -p` of the same revisions, `python -c pass`, a bare Textual app showing a
  DataTable of 10,000 rows.

Our modules are byte-compiled first (as pip does on install), so no process pays for
compiling them.  Whole-process figures are the median of N runs (``--repeat``; `git log -p` runs once),
with the median CPU seconds (user + system, children included: on a busy machine the
steadier figure) and peak memory, the largest maxrss of those processes (os.wait4).  It
prints one table per size, our figures as ratios to the baselines, and the targets of
issue 13 with pass/miss; ``--json`` prints the same as JSON instead.  A step that fails
(e.g. after a refactor) shows "n/a (reason)"; the rest still runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from pathlib import Path

from . import generate as gen

PY = sys.executable
ROOT = gen.ROOT
PLAN_FILES = ["plan.toml", "goals.toml", "personas.toml", "accounts.toml", "content.toml", "glossary.toml"]


class NotAvailable(Exception):
    """A figure that could not be measured; the message says why."""


# -- measuring -----------------------------------------------------------------------------


def run_process(cmd: list[str], *, cwd=None, env=None, timeout: float = 900, ok=(0,),
                cpu: list | None = None) -> tuple[float, float, str]:
    """Run ``cmd`` to its end: (wall seconds, peak resident MB of it and its children, stdout);
    its CPU seconds (user + system, children included) are appended to ``cpu``."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        try:
            proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        except OSError as exc:
            raise NotAvailable(f"{cmd[0]}: {exc.strerror}") from exc
        killed = threading.Event()

        def kill() -> None:
            killed.set()
            proc.kill()

        timer = threading.Timer(timeout, kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if cpu is not None:
        cpu.append(usage.ru_utime + usage.ru_stime)
    if killed.is_set():
        raise NotAvailable(f"timed out after {timeout:.0f} s")
    if proc.returncode not in ok:
        last = (stderr.strip() or stdout.strip()).splitlines()[-1:] or [""]
        raise NotAvailable(f"exit {proc.returncode}: {last[0][:150]}")
    return elapsed, usage.ru_maxrss / 1024, stdout


def figure(label: str, group: str, runs: list[float], peak: float | None = None, note: str = "",
           cpu: list[float] | None = None) -> dict:
    return {"label": label, "group": group, "seconds": statistics.median(runs), "runs": runs, "peak_mb": peak,
            "cpu_seconds": statistics.median(cpu) if cpu else None, "note": note}


def na(label: str, group: str, reason: str) -> dict:
    return {"label": label, "group": group, "seconds": None, "runs": [], "peak_mb": None, "na": reason}


def processes(label: str, group: str, make_cmd, repeat: int, **kw) -> dict:
    """``make_cmd(i)`` run ``repeat`` times; the median time and the peak memory."""
    runs, peak, cpu = [], 0.0, []
    try:
        for i in range(repeat):
            seconds, mb, _ = run_process(make_cmd(i), cpu=cpu, **kw)
            runs.append(seconds)
            peak = max(peak, mb)
    except NotAvailable as exc:
        return na(label, group, str(exc))
    return figure(label, group, runs, peak, cpu=cpu)


def in_process(label: str, group: str, fn, repeat: int, setup=None) -> dict:
    runs, cpu = [], []
    try:
        state = setup() if setup else None
        for i in range(repeat):
            start, start_cpu = time.perf_counter(), time.process_time()
            fn(state, i) if setup else fn(i)
            runs.append(time.perf_counter() - start)
            cpu.append(time.process_time() - start_cpu)
    except Exception as exc:  # noqa: BLE001 - a refactor may change anything; report, go on
        return na(label, group, f"{type(exc).__name__}: {str(exc)[:150]}")
    return figure(label, group, runs, cpu=cpu)


# -- the plans ------------------------------------------------------------------------------


def _member_with_most_references(plan_dir: Path) -> tuple[str, int]:
    members = [m["id"] for m in tomllib.loads((plan_dir / "plan.toml").read_text(encoding="utf-8")).get("member", [])]
    texts = [(plan_dir / name).read_text(encoding="utf-8") for name in PLAN_FILES]
    counts = {m: sum(t.count(f'"{m}"') for t in texts) - 1 for m in members}
    best = max(counts, key=counts.get)
    return best, counts[best]


def prepare(size: str, work: Path) -> dict:
    """The plan (work/SIZE/plans beside a copy of schemas/) and its git history."""
    base = work / size
    plan_dir = base / "plans"
    if base.exists():
        shutil.rmtree(base)
    base.mkdir(parents=True)
    shutil.copytree(gen.SCHEMAS, base / "schemas")
    gen.make_plan(plan_dir, size)
    repo = base / "repo"
    quarters = gen.make_history(repo, size)
    kr = "gen-goal-000/kr-0" if gen.SIZES[size].goals else "grow-pipeline/sourced-pipeline"
    text = (plan_dir / "accounts.toml").read_text(encoding="utf-8")
    accounts = len(re.findall(r"(?m)^\[\[account\]\]", text))
    return {"plan": plan_dir, "repo": repo, "quarters": quarters, "kr": kr, "accounts": accounts,
            "mb": sum((plan_dir / n).stat().st_size for n in PLAN_FILES) / 1e6,
            "set_id": "gen-00000" if gen.SIZES[size].accounts else "harbor-hvac"}


# -- one size ---------------------------------------------------------------------------------


def _env() -> dict:
    env = {**os.environ, "GIT_CONFIG_NOSYSTEM": "1", "GIT_PAGER": "cat", "COLUMNS": "120"}
    env.pop("NO_COLOR", None)  # Textual's monochrome filter fails on it (measured separately, not here)
    return env


def bench_cli(p: dict, repeat: int, out: dict) -> None:
    plan, repo = str(p["plan"]), p["repo"]
    env = _env()
    qd = [PY, "-m", "tui"]
    old, new = p["quarters"][-2], p["quarters"][-1]

    out["check"] = processes("check", "ours", lambda i: qd + ["check", plan, "--color", "never"], repeat,
                             ok=(0, 1), env=env)
    out["set"] = processes("set (one field)", "ours", lambda i: qd + [
        "set", "account", p["set_id"], "icp_fit", str(11 + i), "-C", plan, "-q"], repeat, env=env)
    fields = ['name="Bench Added"', "tier=3", 'stage="target"', 'sales_owner="luis-romero"',
              'marketing_owner="aisha-khan"']
    out["add"] = processes("add (one account)", "ours", lambda i: qd + [
        "add", "account", f"bench-added-{i}", f'domain="bench-added-{i}.example"', *fields, "-C", plan, "-q"],
        repeat, env=env)
    out["rm"] = processes("rm (one account)", "ours", lambda i: qd + [
        "rm", "account", f"bench-added-{i}", "-C", plan, "-q"], repeat, env=env)
    member, refs = _member_with_most_references(p["plan"])
    names = [member, f"{member}-renamed"]
    out["rename"] = processes(f"rename (member, {refs} references)", "ours", lambda i: qd + [
        "rename", "member", names[i % 2], names[(i + 1) % 2], "-C", plan, "-q"], repeat, env=env)
    if repeat % 2:  # put the old id back
        try:
            run_process(qd + ["rename", "member", names[1], names[0], "-C", plan, "-q"], env=env)
        except NotAvailable:
            pass
    hplan = str(repo / "plans")
    first = processes(f"diff {old} {new}", "ours", lambda i: qd + ["diff", old, new, "-C", hplan, "--color", "never"],
                      1, cwd=repo, env=env, ok=(0, 1))
    out["diff"] = processes(f"diff {old} {new}", "ours", lambda i: qd + [
        "diff", old, new, "-C", hplan, "--color", "never"], repeat, cwd=repo, env=env, ok=(0, 1))
    if first.get("seconds") is not None:
        out["diff_first"] = dict(first, label=f"diff {old} {new}, first run (no cache)")
    out["log"] = processes("log", "ours", lambda i: qd + ["log", "-C", hplan, "--color", "never"], repeat,
                           cwd=repo, env=env)
    out["trend"] = processes(f"trend {p['kr']} (12 quarters)", "ours", lambda i: qd + [
        "trend", p["kr"], "-C", hplan], repeat, cwd=repo, env=env)

    # baselines on the same files and revisions
    files = [str(p["plan"] / n) for n in PLAN_FILES]
    taplo = shutil.which("taplo")
    taplo = os.path.abspath(taplo) if taplo else None  # (run in the plan's folder: a relative PATH entry fails there)
    if taplo:
        out["taplo"] = processes("taplo check (bundled schemas)", "baseline", lambda i: [
            taplo, "check", "--colors", "never", *PLAN_FILES], repeat, cwd=plan, env=env)
    else:
        out["taplo"] = na("taplo check", "baseline", "taplo is not installed (pip install -e '.[test]')")
    parse = "import sys, {m}\nfor f in sys.argv[1:]:\n    {m}.loads(open(f, encoding='utf-8').read())"
    out["rtoml_proc"] = processes("rtoml parse, whole process", "baseline",
                                  lambda i: [PY, "-c", parse.format(m="rtoml"), *files], repeat)
    out["tomllib_proc"] = processes("tomllib parse, whole process", "baseline",
                                    lambda i: [PY, "-c", parse.format(m="tomllib"), *files], repeat)
    out["git_diff"] = processes(f"git diff {old} {new} (no textconv)", "baseline", lambda i: [
        "git", "diff", "--no-textconv", "--no-ext-diff", f"plan/{old}", f"plan/{new}"], repeat, cwd=repo, env=env)
    out["git_log"] = processes("git log", "baseline", lambda i: ["git", "log"], repeat, cwd=repo, env=env)
    out["git_log_p_plain"] = processes("git log -p (no textconv)", "baseline", lambda i: [
        "git", "log", "-p", "--no-textconv"], repeat, cwd=repo, env=env)

    # git log -p with the drivers (once: it runs a textconv process per file version)
    try:
        run_process(qd + ["git-setup", "-C", hplan], cwd=repo, env=env)
        out["git_log_p"] = processes("git log -p with the drivers (12 quarters)", "ours",
                                     lambda i: ["git", "log", "-p"], 1, cwd=repo, env=env, timeout=1800)
    except NotAvailable as exc:
        out["git_log_p"] = na("git log -p with the drivers", "ours", f"git-setup: {exc}")


def bench_core(p: dict, repeat: int, out: dict) -> None:
    try:
        import rtoml
    except ImportError:
        rtoml = None
    files = [p["plan"] / n for n in PLAN_FILES]
    if rtoml is not None:
        out["rtoml_inproc"] = in_process("rtoml parse, in process", "baseline", lambda i: [
            rtoml.loads(f.read_text(encoding="utf-8")) for f in files], repeat)
    out["tomllib_inproc"] = in_process("tomllib parse, in process", "baseline", lambda i: [
        tomllib.loads(f.read_text(encoding="utf-8")) for f in files], repeat)
    try:
        from tui.plan.model import load_plan
        from tui.plan.validation import validate
    except Exception as exc:  # noqa: BLE001
        out["load_inproc"] = na("load_plan, in process", "ours", f"{type(exc).__name__}: {exc}")
        return
    out["load_inproc"] = in_process("load_plan, in process", "ours", lambda i: load_plan(p["plan"]), repeat)
    out["check_inproc"] = in_process("load_plan + validate, in process", "ours",
                                     lambda i: validate(load_plan(p["plan"])), repeat)

    def one_set(plan, i):
        from tui.plan.edit import apply_change, set_field

        apply_change(plan, set_field(plan, "account", p["set_id"], "icp_fit", 31 + i % 2))

    out["set_inproc"] = in_process("set_field + apply_change, plan loaded", "ours", one_set, max(repeat, 3),
                                   setup=lambda: load_plan(p["plan"]))


TUI_FIGURES = [  # probe key, label
    ("first_frame", "TUI first frame (imports included)"),
    ("accounts_shown", "TUI Accounts table shown, every row"),
    ("problems_known", "TUI all problems known"),
    ("key_scroll", "TUI key press while scrolling"),
    ("key_filter", "TUI key press while typing a filter"),
    ("filter_applied", "TUI filter shown, from the last key"),
    ("form_open", "TUI edit form open (first frame)"),
    ("form_ready", "TUI edit form complete (every field)"),
    ("edit_applied", "TUI one edit applied"),
    ("save", "TUI one save (on disk)"),
]


def bench_tui(p: dict, repeat: int, out: dict, timeout: float = 600) -> None:
    results, peak, reason = [], 0.0, None
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            dest = Path(tmp) / "result.json"
            t0 = time.time()
            try:
                _, mb, _ = run_process([PY, "-m", "tests.bench.tui_probe", str(p["plan"]), "--t0", repr(t0),
                                        "--out", str(dest), "--accounts", str(p["accounts"])],
                                       cwd=ROOT, env=_env(), timeout=timeout)
                results.append(json.loads(dest.read_text(encoding="utf-8")))
                peak = max(peak, mb)
            except (NotAvailable, OSError, ValueError) as exc:
                reason = str(exc)
    for key, label in TUI_FIGURES:
        values = [r.get(key) for r in results]
        good = [v for v in values if isinstance(v, (int, float, dict))]
        if not good:
            bad = next((v for v in values if isinstance(v, str)), None) or next(
                (r["error"] for r in results if isinstance(r.get("error"), str)), None) or (
                f"n/a ({reason})" if reason else "n/a (not reached: an earlier step of the run failed)")
            out[f"tui_{key}"] = na(label, "ours", bad.removeprefix("n/a (").removesuffix(")"))
            continue
        if isinstance(good[0], dict):  # key-press latencies: median of medians, max of maxima
            fig = figure(label, "ours", [g["median"] for g in good], peak)
            fig["max"] = max(g["max"] for g in good)
            fig["note"] = f"{good[0]['count']} keys per run; max {fig['max'] * 1000:.0f} ms"
        else:
            fig = figure(label, "ours", good, peak)
        out[f"tui_{key}"] = fig
    if results and "first_frame_note" in results[0]:
        out["tui_first_frame"]["note"] = results[0]["first_frame_note"]


def bench_shared(repeat: int, out: dict) -> None:
    out["python_pass"] = processes("python -c pass", "baseline", lambda i: [PY, "-c", "pass"], max(repeat, 5))
    runs, shown, keys, peak = [], [], [], 0.0
    try:
        for _ in range(repeat):
            with tempfile.TemporaryDirectory() as tmp:
                dest = Path(tmp) / "r.json"
                t0 = time.time()
                _, mb, _ = run_process([PY, "-m", "tests.bench.bare_table", "--t0", repr(t0), "--out", str(dest)],
                                       cwd=ROOT, env=_env(), timeout=600)
                r = json.loads(dest.read_text(encoding="utf-8"))
                runs.append(r["first_frame"])
                shown.append(r["table_shown"])
                if isinstance(r.get("key_scroll"), dict):
                    keys.append(r["key_scroll"])
                peak = max(peak, mb)
        out["bare_frame"] = figure("bare Textual app, first frame", "baseline", runs, peak)
        out["bare_table"] = figure("bare Textual app, DataTable of 10,000 rows shown", "baseline", shown, peak)
        if keys:  # the same keys as the app's probe, timed the same way: median of medians, max of maxima
            fig = figure("bare Textual app, DataTable key press while scrolling", "baseline",
                         [k["median"] for k in keys], peak)
            fig["max"] = max(k["max"] for k in keys)
            fig["note"] = f"{keys[0]['count']} keys per run; max {fig['max'] * 1000:.0f} ms"
            out["bare_key_scroll"] = fig
    except (NotAvailable, OSError, ValueError, KeyError) as exc:
        out["bare_table"] = na("bare Textual DataTable of 10,000 rows", "baseline", str(exc))


# -- ratios and targets --------------------------------------------------------------------

RATIOS = {  # our figure -> baselines it is shown against
    "check": ["taplo", "rtoml_proc"], "set": ["rtoml_proc"], "add": ["rtoml_proc"], "rm": ["rtoml_proc"],
    "rename": ["rtoml_proc"], "diff": ["rtoml_proc", "git_diff"], "log": ["git_log"], "trend": ["python_pass"],
    "git_log_p": ["git_log_p_plain"], "check_inproc": ["rtoml_inproc"], "load_inproc": ["rtoml_inproc"],
    "tui_first_frame": ["bare_frame"], "tui_accounts_shown": ["bare_table"], "tui_key_scroll": ["bare_key_scroll"],
}
SHORT = {"taplo": "taplo", "rtoml_proc": "rtoml parse", "git_diff": "git diff", "git_log": "git log",
         "python_pass": "python -c pass", "git_log_p_plain": "plain git log -p", "rtoml_inproc": "rtoml parse",
         "bare_frame": "bare app", "bare_table": "bare DataTable", "bare_key_scroll": "bare DataTable's keys"}


def _sec(fig: dict | None, key: str = "seconds") -> float | None:
    return fig.get(key) if fig else None


def targets(size: str, figs: dict, shared: dict) -> list[dict]:
    """Issue 13's targets (set for the 10,000-account plan; the small plan's own target on
    small) that this size's figures allow to judge."""
    def get(k):
        return _sec(figs.get(k) or shared.get(k))

    rows = []

    def add(target: str, measured: float | None, limit: float, unit: str = "×", why: str = ""):
        if measured is None:
            rows.append({"size": size, "target": target, "measured": None, "limit": limit, "unit": unit,
                         "pass": None, "why": why or "not measured"})
        else:
            rows.append({"size": size, "target": target, "measured": measured, "limit": limit, "unit": unit,
                         "pass": measured <= limit})

    def ratio(a, b):
        x, y = get(a), get(b)
        return x / y if x is not None and y else None

    if size == "small":
        add("check ≤ 5× python -c pass", ratio("check", "python_pass"), 5)
        return rows
    add("check ≥ 3× faster than taplo (≤ 0.33× taplo)", ratio("check", "taplo"), 1 / 3)
    add("check ≤ 2× rtoml parse (processes)", ratio("check", "rtoml_proc"), 2)
    add("set ≤ 1× rtoml parse (processes)", ratio("set", "rtoml_proc"), 1)
    add("set in process, plan loaded ≤ 20 ms", get("set_inproc"), 0.020, "s")
    add("diff of two quarters ≤ 3× rtoml parse", ratio("diff", "rtoml_proc"), 3)
    add("TUI first frame ≤ 0.5 s (imports included)", get("tui_first_frame"), 0.5, "s")
    add("TUI Accounts shown ≤ 1 s", get("tui_accounts_shown"), 1.0, "s")
    for key in ("tui_key_scroll", "tui_key_filter"):
        fig = figs.get(key) or {}
        add(f"any key press ≤ 50 ms ({'scrolling' if 'scroll' in key else 'filtering'}, slowest)",
            fig.get("max"), 0.050, "s")
    add("one edit applied ≤ 100 ms", get("tui_edit_applied"), 0.100, "s")
    add("all problems known ≤ 1.5 s", get("tui_problems_known"), 1.5, "s")
    ours = [(f.get("peak_mb"), f["label"]) for f in figs.values() if f.get("group") == "ours" and f.get("peak_mb")]
    if ours:
        mb, label = max(ours)
        label = "the app session" if label.startswith("TUI") else label
        add(f"peak memory ≤ 300 MB (largest: {label})", mb, 300, "MB")
    return rows


def scaling(small: str, big: str, results: dict) -> list[dict]:
    """Each of our figures at ``big`` against ``small``: at most linear in the accounts."""
    a, b = results["sizes"][small], results["sizes"][big]
    factor = b["accounts"] / a["accounts"]
    rows = []
    for key, fig in b["figures"].items():
        base = a["figures"].get(key)
        if fig.get("group") != "ours" or not base or base.get("seconds") is None or fig.get("seconds") is None:
            continue
        growth = fig["seconds"] / base["seconds"]
        rows.append({"size": big, "target": f"{fig['label']}: grows ≤ {factor:.1f}× from {small}",
                     "measured": growth, "limit": factor, "unit": "×", "pass": growth <= factor})
    return rows


# -- output -----------------------------------------------------------------------------------


def _fmt_s(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def _fmt_measured(row: dict) -> str:
    if row["measured"] is None:
        return f"n/a ({row.get('why', '')})"
    if row["unit"] == "s":
        return _fmt_s(row["measured"])
    if row["unit"] == "MB":
        return f"{row['measured']:.0f} MB"
    return f"{row['measured']:.2f}×"


def _fmt_limit(row: dict) -> str:
    return {"s": _fmt_s(row["limit"]), "MB": f"{row['limit']:.0f} MB"}.get(row["unit"], f"{row['limit']:.2f}×")


def print_table(results: dict) -> None:
    m = results["machine"]
    print(f"Quarterdeck benchmark, {m['date']} · {m['cpus']} CPUs, {m['memory_gb']:.1f} GB, Python {m['python']}, "
          f"{m['platform']} · load average {m['load_before']} before, {m['load_after']} after · "
          f"median of {results['repeat']} runs")
    shared = results["shared"]
    for size, data in results["sizes"].items():
        figs = data["figures"]
        print(f"\n== {size}: {data['accounts']:,} accounts, {data['mb']:.1f} MB of plan files, "
              f"history of {len(data['quarters'])} quarters ({data['quarters'][0]} .. {data['quarters'][-1]})")
        print(f"{'figure':<52} {'median':>10} {'CPU':>9} {'peak':>8}  ratio to baseline")
        for group in ("ours", "baseline"):
            if group == "baseline":
                print(f"{'-- baselines':<52}")
            for key, fig in list(figs.items()) + ([(k, v) for k, v in shared.items()] if group == "baseline" else []):
                if fig.get("group") != group:
                    continue
                if fig.get("na"):
                    print(f"{fig['label'][:52]:<52} {'n/a':>10} {'':>9} {'':>8}  ({fig['na']})")
                    continue
                peak = f"{fig['peak_mb']:.0f} MB" if fig.get("peak_mb") else "—"
                ratios = []
                for b in RATIOS.get(key, []):
                    base = _sec(figs.get(b) or shared.get(b))
                    if base:
                        ratios.append(f"{fig['seconds'] / base:.2f}× {SHORT[b]}")
                extra = "; ".join(filter(None, [", ".join(ratios), fig.get("note", "")]))
                cpu = _fmt_s(fig.get("cpu_seconds"))
                print(f"{fig['label'][:52]:<52} {_fmt_s(fig['seconds']):>10} {cpu:>9} {peak:>8}  {extra}")
    if results["targets"]:
        print(f"\n== targets (issue 13)\n{'size':<7} {'target':<62} {'measured':>12} {'limit':>9}  result")
        for row in results["targets"]:
            verdict = "—" if row["pass"] is None else ("pass" if row["pass"] else "MISS")
            print(f"{row['size']:<7} {row['target'][:62]:<62} {_fmt_measured(row):>12} {_fmt_limit(row):>9}  {verdict}")


def machine() -> dict:
    mem = 0.0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    try:
        from importlib.metadata import version

        textual = version("textual")
    except Exception:  # noqa: BLE001
        textual = "?"
    return {"date": dt.datetime.now().strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "memory_gb": mem,
            "python": platform.python_version(), "platform": platform.system() + " " + platform.machine(),
            "textual": textual, "load_before": load}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="small,large",
                        help=f"comma-separated, of {', '.join(gen.SIZES)} (default: small,large)")
    parser.add_argument("--repeat", type=int, default=3, help="whole-process runs per figure (median; default 3)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON instead of tables")
    parser.add_argument("--keep", type=Path, help="generate the plans here and keep them (default: a temp folder)")
    parser.add_argument("--no-tui", action="store_true", help="skip the app's figures")
    parser.add_argument("--show", type=Path, metavar="RESULTS.json", help="print the tables of an earlier --json run")
    args = parser.parse_args(argv)
    if args.show:
        print_table(json.loads(args.show.read_text(encoding="utf-8")))
        return 0
    sizes = [s.strip() for s in args.sizes.split(",") if s.strip()]
    unknown = [s for s in sizes if s not in gen.SIZES]
    if unknown or args.repeat < 1:
        parser.error(f"unknown size {', '.join(unknown)}" if unknown else "--repeat must be at least 1")
    results = {"format": "quarterdeck.bench/1", "machine": machine(), "repeat": args.repeat, "sizes": {},
               "shared": {}, "targets": []}

    def log(message: str) -> None:
        print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)

    work = args.keep or Path(tempfile.mkdtemp(prefix="quarterdeck-bench-"))
    try:
        # byte-compiled first, as an installed package is (pip compiles; a first run does
        # too), so no figure pays for compiling our modules, whatever PYTHONDONTWRITEBYTECODE says
        import compileall

        compileall.compile_dir(str(ROOT / "tui"), quiet=1)
        results["compiled"] = True
        log("baselines: python -c pass, bare Textual DataTable")
        bench_shared(args.repeat, results["shared"])
        for size in sizes:
            log(f"{size}: generating the plan and its history")
            p = prepare(size, work)
            figs: dict = {}
            log(f"{size}: CLI and baselines")
            bench_cli(p, args.repeat, figs)
            log(f"{size}: core in process")
            bench_core(p, args.repeat, figs)
            if not args.no_tui:
                log(f"{size}: the app, headless")
                bench_tui(p, args.repeat, figs)
            results["sizes"][size] = {"accounts": p["accounts"], "mb": p["mb"], "quarters": p["quarters"],
                                      "figures": figs}
            results["targets"] += targets(size, figs, results["shared"])
        if "large" in results["sizes"] and "huge" in results["sizes"]:
            results["targets"] += scaling("large", "huge", results)
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    try:
        results["machine"]["load_after"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        results["machine"]["load_after"] = "?"
    if args.json:
        json.dump(results, sys.stdout, indent=2, default=str)
        print()
    else:
        print_table(results)
    return 0
