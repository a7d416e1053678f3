"""Two revisions compared by the tables that differ (``document.changed_tables``,
``snapshot.commit_pair``): the same answer as comparing the whole files, for every
kind of change, and a whole comparison wherever the cut could not be sure."""

from __future__ import annotations

import random
import re

import pytest

from tests.history.helpers import git
from tui.history import snapshot as snapshot_mod
from tui.history.repo import PlanRepo
from tui.history.revisions import diff
from tui.history.semdiff import render_json
from tui.plan import document
from tui.plan.document import changed_tables

HEAD = 'title = "x"\n'


def account(i: int, name: str | None = None, extra: str = "") -> str:
    return f'[[account]]\nid = "a{i}"\nname = "{name or f"Account {i}"}"\n{extra}\n'


def test_tables_the_same_on_both_sides_are_left_out_of_both_wherever_they_moved():
    old = HEAD + account(1) + account(2) + account(3)
    new = HEAD + account(3) + account(1) + account(2, "Renamed")
    cut = changed_tables(old, new)
    assert cut == (HEAD + account(2), HEAD + account(2, "Renamed"))


def test_added_and_removed_tables_stay_on_their_own_side():
    old = HEAD + account(1) + account(2)
    new = HEAD + account(2) + account(4)
    assert changed_tables(old, new) == (HEAD + account(1), HEAD + account(4))


def test_nested_tables_go_with_the_table_above_them():
    committee = '[[account.committee]]\nname = "Ana"\nrole = "champion"\n'
    old = HEAD + account(1) + committee + account(2)
    new = HEAD + account(1) + committee.replace("champion", "blocker") + account(2)
    assert changed_tables(old, new) == (HEAD + account(1) + committee,
                                        HEAD + account(1) + committee.replace("champion", "blocker"))


@pytest.mark.parametrize("case, old, new", [
    ("an id written twice", HEAD + account(1) + account(2) + account(1, "Copy"),
     HEAD + account(1) + account(2, "Changed") + account(1, "Copy changed")),
    ("a changed id also written in a table left out", HEAD + account(1) + account(2),
     HEAD + account(1) + account(2).replace('"a2"', '"a1"')),
    ("a table kept without an id", HEAD + account(1) + '[[account]]\nname = "no id"\n',
     HEAD + account(1) + '[[account]]\nname = "no id, changed"\n'),
    ("an id that is not plain text", HEAD + account(1) + '[[account]]\nid = 7\n',
     HEAD + account(1) + '[[account]]\nid = 8\n'),
    ("an escape that can spell an id", HEAD + account(1) + '[[account]]\nid = "\\u0061"\n',
     HEAD + account(1) + '[[account]]\nid = "\\u0062"\n'),
    ("a multi-line string", HEAD + account(1, extra='notes = """\n[[account]]\n"""'), HEAD + account(1)),
    ("a byte order mark", "\ufeff" + HEAD + account(1), "\ufeff" + HEAD + account(1, "B")),
    ("a conflict marker", HEAD + account(1), HEAD + "<<<<<<< ours\n" + account(1, "B")),
    ("a table written twice", HEAD + "[sla]\nhours = 1\n", HEAD + "[sla]\nhours = 2\n[sla]\nhours = 3\n"),
])
def test_whenever_the_cut_could_be_wrong_the_whole_files_are_compared(case, old, new):
    assert changed_tables(old, new) is None, case


# -- whole revisions: the answer is the answer of the whole files ------------------------

_TABLE = re.compile(r"(?m)^\[\[account\]\]\n")


def _tables(text: str) -> tuple[str, list[str]]:
    cuts = [m.start() for m in _TABLE.finditer(text)]
    return text[:cuts[0]], [text[a:b] for a, b in zip(cuts, [*cuts[1:], len(text)])]


def _mutate(text: str, rng: random.Random, n: int) -> str:
    """One quarter's worth of changes to an accounts file: fields changed, accounts
    dropped, added, renamed and moved."""
    head, tables = _tables(text)
    for _ in range(n):
        i = rng.randrange(len(tables))
        op = rng.choice(["field", "field", "drop", "add", "rename", "move"])
        if op == "field":
            tables[i] = re.sub(r'(?m)^(name = ".*?)"$', lambda m: m.group(1) + f' {rng.randrange(99)}"', tables[i], 1)
        elif op == "drop" and len(tables) > 3:
            del tables[i]
        elif op == "add":
            new_id = f"gen-new-{rng.randrange(10**9)}"
            tables.insert(i, re.sub(r'(?m)^id = ".*"$', f'id = "{new_id}"', tables[i], 1))
        elif op == "rename":
            tables[i] = re.sub(r'(?m)^id = "(.*)"$', lambda m: f'id = "{m.group(1)}-renamed"', tables[i], 1)
        else:
            tables.append(tables.pop(i))
    return head + "".join(t if t.endswith("\n") else t + "\n" for t in tables)


def test_a_generated_history_compares_the_same_cut_or_whole(tmp_path, monkeypatch):
    from tests.bench.generate import make_plan

    repo = tmp_path / "repo"
    plans = make_plan(repo / "plans", "medium", checkins=True)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.name", "Test")
    git(repo, "config", "user.email", "test@example.com")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "q0")
    rng = random.Random(11)
    for q in range(1, 5):
        path = plans / "accounts.toml"
        path.write_text(_mutate(path.read_text(encoding="utf-8"), rng, 25), encoding="utf-8")
        content = plans / "content.toml"
        content.write_text(content.read_text(encoding="utf-8").replace('status = "draft"', 'status = "review"', q),
                           encoding="utf-8")
        git(repo, "commit", "-q", "-am", f"q{q}")
    monkeypatch.setattr(snapshot_mod, "CUT_BYTES", 0)  # every file that differs is cut
    cuts = []
    real = document.changed_tables
    monkeypatch.setattr(document, "changed_tables", lambda a, b: cuts.append(real(a, b)) or cuts[-1])
    path.write_text(_mutate(path.read_text(encoding="utf-8"), rng, 10), encoding="utf-8")  # not committed
    revs = [f"HEAD~{n}" for n in range(4, 0, -1)] + ["HEAD"]
    pairs = [(a, b) for a in revs for b in revs if a != b] + [(a, None) for a in revs]  # None: the working tree
    cut = {}
    for a, b in pairs:
        snapshot_mod.clear_cache()
        cut[a, b] = render_json(diff(PlanRepo(plans), a, b))
    assert sum(c is not None for c in cuts) >= len(pairs) - 2, "not cut"
    assert any(len(c[1]) < 0.5 * len((plans / "accounts.toml").read_text()) for c in cuts if c), "cut barely"
    monkeypatch.setattr(document, "changed_tables", lambda a, b: None)  # compare the whole files
    for a, b in pairs:
        snapshot_mod.clear_cache()
        assert render_json(diff(PlanRepo(plans), a, b)) == cut[a, b], (a, b)
    assert any('"renamed"' in text for text in cut.values()) and any('"removed"' in text for text in cut.values())


def test_an_id_is_read_from_its_own_key_not_from_a_key_ending_in_id():
    old = HEAD + account(1) + '[[account]]\nparent_id = "a1"\nname = "x"\n'
    new = HEAD + account(1) + '[[account]]\nparent_id = "a1"\nname = "y"\n'
    assert changed_tables(old, new) is None  # the table kept has no id of its own
