"""Fuzzing the readers: mutated TOML never gives a traceback or a hang.

Files of the example plan and valid files of the toml-test corpus get random byte
flips, insertions (of bytes TOML cares about) and deletions, a few per case, from a
fixed seed; and valid TOML of the wrong shape (a value anywhere in a plan file replaced
by one of another type).  Each result goes through loading, validation and a few
edits.  Only the
PlanError family may come out, and each case must finish within a few seconds.
``QUARTERDECK_FUZZ_EXAMPLES`` sets the number of cases per test (default 50).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import random
import shutil
import signal
from pathlib import Path

import pytest

from tests.conftest import EXAMPLE
from tui.plan.document import TomlFile
from tui.plan.edit import add_entity, remove_entity, set_field, unset_field
from tui.plan.model import load_plan
from tui.plan.problems import PlanError
from tui.plan.refs import rename_entity
from tui.plan.registry import PLAN_FILES
from tui.plan.validation import validate

EXAMPLES = int(os.environ.get("QUARTERDECK_FUZZ_EXAMPLES", "50"))
CASE_SECONDS = 10
SHARED = Path(__file__).parents[2].parent / "shared"
CORPUS = SHARED / "corpus" / "toml-test"
TOKENS = [b"[", b"]", b"[[", b"]]", b"{", b"}", b'"', b"'", b'"""', b"'''", b"=", b",", b".", b"\n", b"\r\n", b"\r",
          b"#", b"\\", b"\\u00", b"\x00", b"\xff", b"\xef\xbb\xbf", b"<<<<<<< ours\n", b"=======\n", b">>>>>>> x\n",
          b"nan", b"inf", b"-0", b"1979-05-27T07:32:00Z", b"07:32", b"+05:45", b"0x", b"1e400", b"9" * 30,
          b"\xe2\x80\xae", b"\x1b[2J", b"id = ", b"custom.", b"[[account]]\n", b"[[goal.key_result]]\n"]


@contextlib.contextmanager
def time_limit(seconds: int, what: str):
    def expired(*_):
        raise TimeoutError(f"{what} took longer than {seconds} s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def mutate(raw: bytes, rng: random.Random) -> bytes:
    data = bytearray(raw)
    for _ in range(rng.randint(1, 5)):
        where = rng.randint(0, len(data))
        how = rng.random()
        if how < 0.3 and data:
            i = min(where, len(data) - 1)
            data[i] ^= 1 << rng.randint(0, 7)
        elif how < 0.7:
            data[where:where] = rng.choice(TOKENS)
        else:
            data[where:where + rng.randint(1, 40)] = b""
    return bytes(data)


def exercise(root: Path, what: str) -> None:
    """Load, validate and try one edit; only clear errors may come out."""
    with time_limit(CASE_SECONDS, what):
        try:
            plan = load_plan(root)
        except PlanError:
            return
        problems = validate(plan)
        for p in problems:
            assert p.message and p.severity in ("error", "warning") and p.file, (what, p)
        for kind in ("account", "goal", "term", "persona", "content", "member", "key_result", "plan", "sla"):
            for entity in plan.all(kind)[:1]:
                for edit in (lambda: set_field(plan, kind, entity.id, "custom.fuzz", "x", force=True),
                             lambda: set_field(plan, kind, entity.id, "name", "n", force=True),
                             lambda: set_field(plan, kind, entity.id, "custom.when", dt.date(2026, 11, 2)),
                             lambda: unset_field(plan, kind, entity.id, "name"),
                             lambda: remove_entity(plan, kind, entity.id),
                             lambda: rename_entity(plan, kind, entity.id, "fuzz-new-id"),
                             lambda: add_entity(plan, kind, "fuzz-added", {"name": "x"}, force=True)):
                    try:
                        edit()
                    except PlanError:
                        pass


def test_mutated_example_plan_files_give_only_clear_errors(tmp_path):
    rng = random.Random(8)
    root = tmp_path / "plans"
    shutil.copytree(EXAMPLE, root)
    originals = {name: (root / name).read_bytes() for name in PLAN_FILES}
    for case in range(EXAMPLES):
        name = rng.choice(list(PLAN_FILES))
        (root / name).write_bytes(mutate(originals[name], rng))
        exercise(root, f"case {case} ({name})")
        (root / name).write_bytes(originals[name])


def _corpus_valid() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the toml-test corpus is not here ({CORPUS} is absent; it sits beside the repository in CI)")
    return sorted((CORPUS / "valid").rglob("*.toml"))


def test_mutated_corpus_files_give_only_clear_errors(tmp_path):
    files = _corpus_valid()
    rng = random.Random(1)
    root = tmp_path / "plans"
    shutil.copytree(EXAMPLE, root)
    originals = {name: (root / name).read_bytes() for name in PLAN_FILES}
    for case in range(EXAMPLES):
        source = rng.choice(files)
        raw = source.read_bytes()
        if rng.random() < 0.8:
            raw = mutate(raw, rng)
        with time_limit(CASE_SECONDS, str(source)):
            try:
                TomlFile.from_bytes(source, raw, source.name)
            except PlanError:
                pass
        name = rng.choice(list(PLAN_FILES))  # as a plan file: the validator sees any shape of data
        (root / name).write_bytes(raw)
        exercise(root, f"case {case} ({source.name} as {name})")
        (root / name).write_bytes(originals[name])


WRONG = [5, -1, 0.5, math.nan, math.inf, "", "x", "2026-11-02", True, [], [1, "a"], [{"id": 3}], {}, {"id": 7},
         {"a": {"b": []}}, dt.date(2026, 11, 2), dt.time(7, 32),
         dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=45)))]


def _paths(data, path=()):
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, path + (i,))


def test_wrong_shapes_give_only_clear_errors(tmp_path):
    import copy

    import tomlkit

    rng = random.Random(46)
    root = tmp_path / "plans"
    shutil.copytree(EXAMPLE, root)
    plan = load_plan(root)
    originals = {name: (root / name).read_bytes() for name in PLAN_FILES}
    for case in range(EXAMPLES):
        name = rng.choice(list(PLAN_FILES))
        data = copy.deepcopy(plan.files[name].data)
        for _ in range(rng.randint(1, 3)):
            paths = [p for p in _paths(data) if p]
            path = rng.choice(paths)
            node = data
            for part in path[:-1]:
                node = node[part]
            node[path[-1]] = copy.deepcopy(rng.choice(WRONG))
        (root / name).write_text(tomlkit.dumps(data), encoding="utf-8")
        exercise(root, f"case {case} ({name}: {path})")
        (root / name).write_bytes(originals[name])
