"""Fuzzing the CSV readers: seeded, mutated CRM exports and actuals files through the
import functions.  Whatever the bytes, the answer is a report or an ``ImportFileError``
(the clear error family: a message naming the file), never another exception, never a
hang, and a report's staged files always parse.

The normal run is bounded to about 20 seconds; QUARTERDECK_FUZZ_EXAMPLES=N runs N
examples per reader (no time bound), QUARTERDECK_FUZZ_SEED=S starts from another seed.
"""

from __future__ import annotations

import json
import os
import random
import signal
import time

import pytest

from tests.conftest import EXAMPLE
from tui.cli.common import json_text
from tui.plan.document import parse_toml
from tui.plan.insights.imports import ImportFileError, plan_account_import, plan_actuals_import, read_csv
from tui.plan.model import load_plan

from .test_import import HUBSPOT, SALESFORCE

ACTUALS = (b"key_result,actual,comment\n"
           b"grow-pipeline/new-opportunities,121,from the CRM\n"
           b"tighten-handoff/mql-to-sql,27.5%,\n"
           b"goal;key_result;actual\n"
           b"win-enterprise/enterprise-wins,\"3\",\"quoted, with comma\"\n")
ACCOUNTS_TSV = ("id\tAccount Name\tWebsite\tTier\tICP fit\tAccount Owner\tMarketing Owner\tNext step due\tPlays\n"
                "acme\tAcme\tacme.example\tTier 1\t88\tLuis Romero\tAisha Khan\t2026-11-30\tABM; webinar\n"
                "beta\t\"Beta, Inc.\"\tbeta.example\t2\t40\tluis-romero\taisha-khan\t\t\n").encode("utf-8")
SEEDS = [HUBSPOT, SALESFORCE, ACCOUNTS_TSV, ACTUALS]

EXAMPLES = int(os.environ.get("QUARTERDECK_FUZZ_EXAMPLES", "0") or 0)
SEED = int(os.environ.get("QUARTERDECK_FUZZ_SEED", "20261201"))
BUDGET = None if EXAMPLES else 6.0  # seconds per reader in the normal run (three readers)
HANG = 15  # seconds one example may take before it counts as a hang

NOISE = [b",", b";", b"\t", b"|", b'"', b"'", b"\r", b"\n", b"\r\n", b"\x00", b"\xff", b"\xfe", b"\xef\xbb\xbf",
         b"\x1b[2J", b"=1+1", b"-", b"\xc3", b"\xe2\x80\xae", b" ", b"\\", b"1e999", b"nan", b"9" * 40]


def mutate(data: bytes, rng: random.Random) -> bytes:
    b = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(9)
        pos = rng.randrange(len(b) + 1) if b else 0
        if op == 0 and b:  # flip a byte
            b[min(pos, len(b) - 1)] ^= 1 << rng.randrange(8)
        elif op == 1:  # truncate
            del b[pos:]
        elif op == 2:  # insert a delimiter, a quote or other noise
            b[pos:pos] = rng.choice(NOISE)
        elif op == 3 and b:  # delete a run
            del b[pos:pos + rng.randint(1, 20)]
        elif op == 4:  # duplicate or drop a line
            lines = bytes(b).split(b"\n")
            i = rng.randrange(len(lines))
            if rng.random() < 0.5:
                lines.insert(i, lines[i])
            else:
                del lines[i]
            b = bytearray(b"\n".join(lines))
        elif op == 5:  # another delimiter everywhere
            src, dst = rng.choice([b",", b";", b"\t"]), rng.choice([b",", b";", b"\t", b"|", b" "])
            b = bytearray(bytes(b).replace(src, dst))
        elif op == 6:  # random bytes
            b[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 12)))
        elif op == 7:  # another encoding
            try:
                text = bytes(b).decode("utf-8")
                b = bytearray(rng.choice([b"\xff\xfe" + text.encode("utf-16-le"), text.encode("utf-16-be"),
                                          text.encode("latin-1", "replace"), text.encode("utf-32")]))
            except UnicodeDecodeError:
                pass
        else:  # an unbalanced quote at the start of a cell
            b[pos:pos] = b'"' + bytes(rng.choice(NOISE))
    return bytes(b)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def _check_report(report) -> None:
    json_text(report.to_dict())
    report.text()
    for change in report.changes:
        parse_toml(change.text, change.file)  # a staged file always parses


def _fuzz(call, seeds, label: str) -> tuple[int, int]:
    """(examples run, examples that gave a report rather than a whole-file error)."""
    plan = load_plan(EXAMPLE)
    rng = random.Random(f"{SEED}-{label}")
    start, n, reports = time.monotonic(), 0, 0
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        while True:
            if EXAMPLES and n >= EXAMPLES:
                break
            if BUDGET is not None and time.monotonic() - start > BUDGET:
                break
            data = mutate(rng.choice(seeds), rng)
            signal.setitimer(signal.ITIMER_REAL, HANG)
            try:
                call(plan, data)
                reports += 1
            except ImportFileError as exc:
                assert exc.message and "Traceback" not in exc.message
            except Hang:
                pytest.fail(f"{label}: example {n} took more than {HANG}s (seed {SEED}): {data[:300]!r}")
            except Exception as exc:  # noqa: BLE001 - the point of the test
                pytest.fail(f"{label}: example {n} (seed {SEED}) raised {type(exc).__name__}: {exc}\n"
                            f"input: {data[:500]!r}")
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            n += 1
    finally:
        signal.signal(signal.SIGALRM, old)
    return n, reports


def test_fuzz_read_csv():
    def call(plan, data):
        table = read_csv(data, "fuzz.csv")
        assert isinstance(table.header, list)

    n, read = _fuzz(call, SEEDS, "read_csv")
    assert n >= 50 and 0 < read < n  # both outcomes are exercised


def test_fuzz_account_import():
    def call(plan, data):
        _check_report(plan_account_import(plan, data, source="fuzz.csv", defaults={"marketing_owner": "aisha-khan"}))

    n, reports = _fuzz(call, SEEDS, "accounts")
    assert n >= 20 and 0 < reports < n


def test_fuzz_actuals_import():
    def call(plan, data):
        _check_report(plan_actuals_import(plan, data, source="fuzz.csv"))

    n, reports = _fuzz(call, SEEDS, "actuals")
    assert n >= 20 and 0 < reports < n


def test_mutations_are_seeded():
    rng_a, rng_b = random.Random(1), random.Random(1)
    assert [mutate(HUBSPOT, rng_a) for _ in range(5)] == [mutate(HUBSPOT, rng_b) for _ in range(5)]


def test_fuzz_the_import_commands(tmp_path, capsys):
    """Through the CLI: every mutated file ends in exit 0, 1 or 2 with no unexpected
    error, and a dry run never changes a plan file."""
    import shutil

    from tui.cli import main

    plan_dir = tmp_path / "plans"
    shutil.copytree(EXAMPLE, plan_dir)
    before = {p.name: p.read_bytes() for p in plan_dir.glob("*.toml")}
    rng = random.Random(f"{SEED}-cli")
    src = tmp_path / "in.csv"
    start, n = time.monotonic(), 0
    while (n < EXAMPLES) if EXAMPLES else (time.monotonic() - start < 3.0):
        src.write_bytes(mutate(rng.choice(SEEDS), rng))
        what = rng.choice(["accounts", "actuals"])
        fmt = rng.choice(["text", "json"])
        code = main(["import", what, str(src), "--plan", str(plan_dir), "--dry-run", "--format", fmt])
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (code, err)
        assert "unexpected error" not in err and "Traceback" not in err, (err, src.read_bytes()[:300])
        if fmt == "json" and code != 2:
            json.loads(out)
        n += 1
    assert n >= 5
    assert {p.name: p.read_bytes() for p in plan_dir.glob("*.toml")} == before
