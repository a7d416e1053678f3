"""The merge matrix: each category of concurrent plan edit x random seeds, merged by real
`git merge` twice, with the merge driver (configured as `git-setup` configures it) and
without (git's own line merge), and each result classified:

- clean & correct: no conflict, and the merged data equals the data the two sides'
  intended edits give together (and no comment of either side's text is lost);
- conflict: git reports the file conflicted;
- wrong or lost: no conflict reported, but the data is not what both sides meant, a
  comment was dropped, or the file no longer parses — or, where the two sides really do
  disagree, a clean merge that silently picked one.

The driver must be at least as good as plain git in every row, and never wrong or lost.
The table is printed and written to ``merge-matrix.txt`` in the test's temporary folder.
More seeds: ``QUARTERDECK_MERGE_SEEDS=20 pytest tests/history/test_merge_matrix.py -s``.
"""

from __future__ import annotations

import os
import random
import re
import shutil
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tests.history.helpers import EXAMPLE, git, init_repo
from tui.plan.registry import PLAN_FILES
from tui.history.gitsetup import config_entries
from tui.plan.edit import add_entity, apply_change, remove_entity, set_field
from tui.plan.model import load_plan

pytestmark = pytest.mark.git

SEEDS = int(os.environ.get("QUARTERDECK_MERGE_SEEDS", "3"))


@dataclass
class Case:
    file: str
    ours: list
    theirs: list
    expected: list | None  # the edits that together give the intended result; None: a true disagreement
    setup: list = field(default_factory=list)  # edits made before the common ancestor is committed
    field_lines: int = 0  # a conflict's markers hold at most this many lines a side (0: not checked)


# -- edits: ("set", kind, id, field, value) ("add", kind, id, fields) ("rm", kind, id)
#           ("rename", kind, id, new_id) ("text", file, old, new)


def apply(plan_dir: Path, edits: list) -> None:
    for op, *args in edits:
        plan = load_plan(plan_dir)
        if op == "set":
            kind, id, f, value = args
            apply_change(plan, set_field(plan, kind, id, f, value, force=True))
        elif op == "add":
            kind, id, fields = args
            apply_change(plan, add_entity(plan, kind, id, fields, force=True))
        elif op == "rm":
            apply_change(plan, remove_entity(plan, *args))
        elif op == "rename":
            kind, id, new = args
            apply_change(plan, set_field(plan, kind, id, "id", new, force=True, allow_id=True))
        elif op == "text":
            name, old, new = args
            path = plan_dir / name
            text = path.read_text(encoding="utf-8")
            assert old in text, f"{old!r} not in {name}"
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
        else:  # pragma: no cover
            raise AssertionError(op)


def _plan():
    return load_plan(EXAMPLE)


def _text_field(rng, kind, exclude=()):
    plan = _plan()
    e = rng.choice([e for e in plan.all(kind) if e.id not in exclude])
    fields = [k for k, v in e.data.items() if isinstance(v, str) and k != "id" and "\n" not in v
              and not re.fullmatch(r"[a-z0-9-]+", v)]
    return e, rng.choice(fields)


def different_entities(rng, seed):
    kind = rng.choice(["account", "member", "content", "meeting"])
    e1, f1 = _text_field(rng, kind)
    e2, f2 = _text_field(rng, kind, exclude={e1.id})
    ours = [("set", kind, e1.id, f1, e1.data[f1] + f" (ours {seed})")]
    theirs = [("set", kind, e2.id, f2, e2.data[f2] + f" (theirs {seed})")]
    return Case(e1.kind.file, ours, theirs, ours + theirs)


def different_fields(rng, seed):
    plan = _plan()
    e = rng.choice(plan.all("account"))
    ints = [k for k, v in e.data.items() if isinstance(v, int) and not isinstance(v, bool)]
    strs = [k for k, v in e.data.items() if isinstance(v, str) and k not in ("id", "sales_owner",
                                                                             "marketing_owner", "stage")]
    f1, f2 = rng.sample(ints + strs, 2)
    if isinstance(e.data.get("custom"), dict) and len(e.data["custom"]) >= 2 and rng.random() < 0.3:
        k1, k2 = rng.sample(sorted(e.data["custom"]), 2)  # two keys of one inline table
        ours = [("set", "account", e.id, ("custom", k1), f"ours {seed}")]
        theirs = [("set", "account", e.id, ("custom", k2), f"theirs {seed}")]
        return Case("accounts.toml", ours, theirs, ours + theirs)

    def change(f, who):
        v = e.data[f]
        return v + 1 + (who == "theirs") if isinstance(v, int) else f"{v} ({who} {seed})"

    ours, theirs = [("set", "account", e.id, f1, change(f1, "ours"))], [("set", "account", e.id, f2, change(f2, "theirs"))]
    return Case("accounts.toml", ours, theirs, ours + theirs)


def both_append(rng, seed):
    kind = rng.choice(["account", "member"])
    if kind == "account":
        def new(who):
            return ("add", "account", f"{who}-co-{seed}", {"name": f"{who.title()} Co {seed}", "domain": f"{who}.example",
                                                           "tier": rng.randint(1, 3), "stage": "target",
                                                           "sales_owner": "luis-romero", "marketing_owner": "aisha-khan"})
        file = "accounts.toml"
    else:
        def new(who):
            return ("add", "member", f"{who}-person-{seed}", {"name": f"{who.title()} Person", "team": "sales",
                                                              "role": "AE", "email": f"{who}{seed}@example.com"})
        file = "plan.toml"
    ours, theirs = [new("ours")], [new("theirs")]
    if rng.random() < 0.5:
        ours.append(new("ours2"))
    return Case(file, ours, theirs, ours + theirs)


def arrays_of_tables(rng, seed):
    plan = _plan()
    choice = rng.choice(["committee", "journey", "key_result", "committee add", "committee remove", "kr add"])
    if choice in ("committee add", "committee remove"):
        e = rng.choice([a for a in plan.all("account") if len(a.data.get("committee", [])) >= 3])
        members = e.data["committee"]
        i = rng.randrange(len(members))
        j = rng.choice([n for n in range(len(members)) if n != i])
        if choice == "committee add":
            new = {"name": f"New Person {seed}", "title": "Controller", "persona": members[0]["persona"],
                   "email": f"new{seed}@example.com"}
            changed = members + [new]
        else:
            changed = members[:i] + members[i + 1:]
        ours = [("set", "account", e.id, ("committee",), changed)]
        edited = [dict(m) for m in members]
        edited[j]["title"] = edited[j]["title"] + f" (theirs {seed})"
        theirs = [("set", "account", e.id, ("committee", j, "title"), edited[j]["title"])]
        if choice == "committee add":
            expected = [("set", "account", e.id, ("committee",), edited + [new])]
        else:
            expected = [("set", "account", e.id, ("committee",), edited[:i] + edited[i + 1:])]
        return Case("accounts.toml", ours, theirs, expected)
    if choice == "kr add":
        g = rng.choice([g for g in plan.all("goal") if len(g.data.get("key_result", [])) >= 2])
        k = rng.choice(g.data["key_result"])
        new = ("add", "key_result", f"{g.id}/added-{seed}", {"title": "Added", "metric": "m", "unit": "count",
                                                             "target": 3, "direction": "increase"})
        edit = ("set", "key_result", f"{g.id}/{k['id']}", "target", (k.get("target") or 0) + 7)
        return Case("goals.toml", [new], [edit], [new, edit])
    if choice == "committee":
        e = rng.choice([a for a in plan.all("account") if len(a.data.get("committee", [])) >= 2])
        i, j = rng.sample(range(len(e.data["committee"])), 2)
        ours = [("set", "account", e.id, ("committee", i, "title"), e.data["committee"][i]["title"] + f" (ours {seed})")]
        theirs = [("set", "account", e.id, ("committee", j, "title"), e.data["committee"][j]["title"] + f" (theirs {seed})")]
        return Case("accounts.toml", ours, theirs, ours + theirs)
    if choice == "journey":
        e = rng.choice(plan.all("persona"))
        s1, s2 = rng.sample(sorted(e.data["journey"]), 2)
        q1 = e.data["journey"][s1]["questions"]
        q2 = e.data["journey"][s2]["questions"]
        ours = [("set", "persona", e.id, ("journey", s1, "questions"), q1 + [f"Ours asks {seed}?"])]
        theirs = [("set", "persona", e.id, ("journey", s2, "questions"), q2[:-1] + [q2[-1] + " (theirs)"])]
        return Case("personas.toml", ours, theirs, ours + theirs)
    g = rng.choice([g for g in plan.all("goal") if len(g.data.get("key_result", [])) >= 2])
    k1, k2 = rng.sample([k["id"] for k in g.data["key_result"]], 2)
    ours = [("set", "key_result", f"{g.id}/{k1}", "title", f"Ours {seed}")]
    theirs = [("set", "key_result", f"{g.id}/{k2}", "title", f"Theirs {seed}")]
    return Case("goals.toml", ours, theirs, ours + theirs)


def rename_vs_edit(rng, seed):
    kind = rng.choice(["account", "meeting", "member", "key_result"])
    if kind == "key_result":
        g = rng.choice([g for g in _plan().all("goal") if g.data.get("key_result")])
        k = rng.choice(g.data["key_result"])
        rename = [("rename", kind, f"{g.id}/{k['id']}", f"{k['id']}-renamed")]
        edit = [("set", kind, f"{g.id}/{k['id']}", "title", k["title"] + f" (edited {seed})")]
        ours, theirs = (rename, edit) if rng.random() < 0.5 else (edit, rename)
        return Case("goals.toml", ours, theirs, edit + rename)
    e, f = _text_field(rng, kind)
    rename = [("rename", kind, e.id, f"{e.id}-renamed")]
    edit = [("set", kind, e.id, f, e.data[f] + f" (edited {seed})")]
    ours, theirs = (rename, edit) if rng.random() < 0.5 else (edit, rename)
    return Case(e.kind.file, ours, theirs, edit + rename)


def delete_vs_edit(rng, seed):
    plan = _plan()
    ids = [a.id for a in plan.all("account")]
    n = rng.randrange(len(ids) - 1)
    gone, other = ids[n], ids[n + 1]  # the edited one right after the removed one
    e, f = plan.get("account", other), "next_step"
    delete = [("rm", "account", gone)]
    edit = [("set", "account", other, f, str(e.data.get(f, "")) + f" (edited {seed})")]
    ours, theirs = (delete, edit) if rng.random() < 0.5 else (edit, delete)
    return Case("accounts.toml", ours, theirs, delete + edit)


def delete_vs_edit_same(rng, seed):
    e, f = _text_field(rng, "account")
    delete = [("rm", "account", e.id)]
    edit = [("set", "account", e.id, f, e.data[f] + f" (edited {seed})")]
    ours, theirs = (delete, edit) if rng.random() < 0.5 else (edit, delete)
    return Case("accounts.toml", ours, theirs, None)


def true_conflict(rng, seed):
    kind = rng.choice(["account", "member"])
    e, f = _text_field(rng, kind)
    return Case(e.kind.file, [("set", kind, e.id, f, f"ours {seed}")], [("set", kind, e.id, f, f"theirs {seed}")], None,
                field_lines=1)


def comments_nearby(rng, seed):
    """Comments inside and around what both sides edit: a commented multi-line list one
    side appends to while the other edits the next field; edits next to comment lines."""
    plan = _plan()
    e = rng.choice([a for a in plan.all("account") if len(a.data.get("plays", [])) >= 2])
    plays = e.data["plays"]
    one_line = "plays = [" + ", ".join(f'"{p}"' for p in plays) + "]"
    commented = "plays = [\n" + "".join(f'  "{p}",  # why: reason {i}\n' for i, p in enumerate(plays)) + "]"
    setup = [("text", "accounts.toml", one_line, commented)]
    last = f'  "{plays[-1]}",  # why: reason {len(plays) - 1}\n]'
    append = [("text", "accounts.toml", last, last[:-1] + f'  "new play {seed}",\n]')]
    if rng.random() < 0.6:  # comments attached above another entity, and at the end of a line of this one
        o = rng.choice([a for a in plan.all("account") if a.id != e.id])
        header = f'[[account]]\nid = "{o.id}"'
        append.append(("text", "accounts.toml", header, f"# about {o.id}: note {seed}\n" + header))
        line = f'name = "{e.data["name"]}"\n'
        append.append(("text", "accounts.toml", line, line[:-1] + f"  # named in {seed}\n"))
    other = [("set", "account", e.id, "next_step", f"Next step {seed}")]
    if rng.random() < 0.5:
        near = "# Tier 1: eight named accounts, one AE and one marketer each"
        other.append(("text", "accounts.toml", near, near + f"\n# reviewed {seed}"))
    ours, theirs = (append, other) if rng.random() < 0.5 else (other, append)
    return Case("accounts.toml", ours, theirs, append + other, setup=setup)


def double_rename(rng, seed):
    kind = rng.choice(["account", "meeting"])
    e, _ = _text_field(rng, kind)
    return Case(e.kind.file, [("rename", kind, e.id, f"{e.id}-ours")], [("rename", kind, e.id, f"{e.id}-theirs")], None,
                field_lines=1)


def list_drop_vs_reword(rng, seed):
    plan = _plan()
    e = rng.choice([a for a in plan.all("persona")])
    f = rng.choice(["pains", "goals", "objections", "channels"])
    items = e.data[f]
    i = rng.randrange(len(items))
    drop = [("set", "persona", e.id, f, items[:i] + items[i + 1:])]
    reword = [("set", "persona", e.id, f, items[:i] + [items[i] + " (reworded)"] + items[i + 1:])]
    ours, theirs = (drop, reword) if rng.random() < 0.5 else (reword, drop)
    return Case("personas.toml", ours, theirs, None, field_lines=len(items) + 2)


def long_text(rng, seed):
    plan = _plan()
    e = rng.choice([t for t in plan.all("term") if t.data.get("definition", "").count("\n") >= 4])
    lines = e.data["definition"].split("\n")
    gap = rng.choice([1, 2])  # 1: neighbouring lines
    i = rng.randrange(0, len(lines) - 1 - gap - 1)
    j = i + gap
    if rng.random() < 0.5:  # edited in an editor
        ours = [("text", "glossary.toml", lines[i] + "\n", lines[i] + " (ours)\n")]
        theirs = [("text", "glossary.toml", lines[j] + "\n", lines[j] + " (theirs)\n")]
    else:  # edited through quarterdeck set
        a = lines.copy()
        a[i] += " (ours)"
        b = lines.copy()
        b[j] += " (theirs)"
        both = lines.copy()
        both[i] += " (ours)"
        both[j] += " (theirs)"
        ours = [("set", "term", e.id, "definition", "\n".join(a))]
        theirs = [("set", "term", e.id, "definition", "\n".join(b))]
        return Case("glossary.toml", ours, theirs, [("set", "term", e.id, "definition", "\n".join(both))])
    return Case("glossary.toml", ours, theirs, ours + theirs)


CATEGORIES = {
    "different entities": different_entities,
    "different fields": different_fields,
    "both append": both_append,
    "arrays of tables": arrays_of_tables,
    "rename vs edit": rename_vs_edit,
    "delete vs edit (neighbours)": delete_vs_edit,
    "delete vs edit (same entity)": delete_vs_edit_same,
    "true conflict": true_conflict,
    "comments nearby": comments_nearby,
    "double rename": double_rename,
    "list drop vs reword": list_drop_vs_reword,
    "long text": long_text,
}


# -- running one case ------------------------------------------------------------------------------


def _normal(value, key=""):
    """Data compared without the order of entities or of set-like lists."""
    if isinstance(value, dict):
        return {k: _normal(v, k) for k, v in value.items()}
    if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        items = [_normal(v) for v in value]
        return sorted(items, key=lambda d: str(d.get("id", d.get("email", d.get("name", "")))) + repr(d))
    if isinstance(value, list):
        items = [_normal(v) for v in value]
        return items if key == "stages" else sorted(items, key=repr)
    return value


def _comments(text: str) -> set[str]:
    return {m.group(0).strip() for m in re.finditer(r"#[^\n]*", text) if not m.group(0).startswith("#:")}


def _resolve(text: str, side: str) -> str:
    """A conflicted text resolved by taking one side of every conflict."""
    out, state = [], None
    for line in text.splitlines(keepends=True):
        if line.startswith("<<<<<<<"):
            state = "ours"
        elif line.startswith("=======") and state:
            state = "theirs"
        elif line.startswith(">>>>>>>") and state:
            state = None
        elif state is None or state == side:
            out.append(line)
    return "".join(out)


def run_case(tmp: Path, case: Case) -> dict:
    root = init_repo(tmp / "repo")
    plans = root / "plans"
    shutil.copytree(EXAMPLE, plans)
    (plans / ".gitattributes").write_text("".join(f"/{n} diff=quarterdeck merge=quarterdeck\n"
                                                  for n in PLAN_FILES))
    apply(plans, case.setup)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    base_text = (plans / case.file).read_text(encoding="utf-8")
    expected = None
    if case.expected is not None:
        exp_dir = tmp / "expected"
        shutil.copytree(plans, exp_dir)
        apply(exp_dir, case.expected)
        expected = tomllib.loads((exp_dir / case.file).read_text(encoding="utf-8"))
    git(root, "checkout", "-qb", "theirs")
    apply(plans, case.theirs)
    git(root, "commit", "-qam", "theirs")
    theirs_text = (plans / case.file).read_text(encoding="utf-8")
    git(root, "checkout", "-q", "main")
    apply(plans, case.ours)
    git(root, "commit", "-qam", "ours")
    ours_text = (plans / case.file).read_text(encoding="utf-8")
    kept = (_comments(ours_text) & _comments(theirs_text)) | (
        (_comments(ours_text) ^ _comments(theirs_text)) - _comments(base_text))
    results = {}
    driver = config_entries()["merge.quarterdeck.driver"]
    for how, extra in (("plain", []), ("driver", ["-c", f"merge.quarterdeck.driver={driver}"])):
        git(root, "reset", "-q", "--hard", "main")
        out = git(root, *extra, "merge", "--no-edit", "theirs", check=False)
        text = (plans / case.file).read_text(encoding="utf-8")
        conflicted = "CONFLICT" in out or "<<<<<<<" in text
        git(root, "merge", "--abort", check=False)
        results[how] = _classify(case, text, conflicted, expected, kept, how)
    return results


def _classify(case: Case, text: str, conflicted: bool, expected, kept: set, how: str) -> str:
    if conflicted:
        if how == "driver":  # each side of the markers must be a whole, valid version
            for side in ("ours", "theirs"):
                tomllib.loads(_resolve(text, side))
            if case.field_lines:  # the markers hold the field, not the entity
                for block in re.findall(r"<<<<<<<[^\n]*\n(.*?)>>>>>>>", text, re.S):
                    ours, _, theirs = block.partition("=======\n")
                    assert ours.count("\n") <= case.field_lines and theirs.count("\n") <= case.field_lines, block
        return "conflict"
    if case.expected is None:
        return "wrong"  # the two sides disagree: a clean merge silently picked one
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return "wrong"
    if _normal(data) != _normal(expected):
        return "wrong"
    if not kept <= _comments(text):
        return "wrong"
    return "correct"


def test_merge_matrix(tmp_path, capsys):
    rows = {}
    failures = []
    for name, make in CATEGORIES.items():
        row = rows.setdefault(name, {"n": 0, "driver": {"correct": 0, "conflict": 0, "wrong": 0},
                                     "plain": {"correct": 0, "conflict": 0, "wrong": 0}})
        for seed in range(SEEDS):
            rng = random.Random(f"{name}/{seed}")
            case = make(rng, seed)
            res = run_case(tmp_path / f"{name.replace(' ', '-')}-{seed}", case)
            row["n"] += 1
            for how in ("driver", "plain"):
                row[how][res[how]] += 1
            if res["driver"] == "wrong" or (res["plain"] == "correct" and res["driver"] != "correct"):
                failures.append(f"{name} seed {seed}: driver {res['driver']}, plain git {res['plain']}: {case}")
    head = "category | n | driver clean & correct | conflict | wrong or lost | plain git clean & correct"
    lines = [head, "-" * len(head)]
    for name, row in rows.items():
        d = row["driver"]
        lines.append(f"{name} | {row['n']} | {d['correct']} | {d['conflict']} | {d['wrong']} | {row['plain']['correct']}"
                     f" (plain git: {row['plain']['conflict']} conflict, {row['plain']['wrong']} wrong or lost)")
    table = "\n".join(lines)
    (tmp_path / "merge-matrix.txt").write_text(table + "\n")
    with capsys.disabled():
        print("\n" + table)
    assert not failures, "\n".join(failures)
    for name, row in rows.items():
        assert row["driver"]["wrong"] == 0
        assert row["driver"]["correct"] >= row["plain"]["correct"], name
