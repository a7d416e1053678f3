"""The CSV readers at their edges: encodings, NUL bytes, ragged rows, limits, numbers
TOML cannot hold, sources that are no regular files."""

from __future__ import annotations

import os
import threading

import pytest

from tui.cli import main
from tui.plan.insights import imports
from tui.plan.insights.imports import ImportFileError, plan_account_import, plan_actuals_import, read_csv
from tui.plan.model import load_plan

TEXT = "Account Name,Website,Account Owner,Marketing Owner\nCafé,cafe.example,Luis Romero,Aisha Khan\n"


@pytest.mark.parametrize("data,encoding,bom", [
    (b"\xef\xbb\xbf" + TEXT.encode(), "utf-8", True),
    (TEXT.encode(), "utf-8", False),
    (b"\xff\xfe" + TEXT.encode("utf-16-le"), "utf-16", True),
    (b"\xfe\xff" + TEXT.encode("utf-16-be"), "utf-16", True),
    (TEXT.encode("utf-16-le"), "utf-16-le", False),  # Excel's "Unicode text" without a mark
    (TEXT.encode("utf-16-be"), "utf-16-be", False),
    (TEXT.encode("utf-32"), "utf-32", True),
])
def test_encodings_are_recognised(data, encoding, bom):
    t = read_csv(data, "x.csv")
    assert (t.encoding, t.bom) == (encoding, bom)
    assert t.header == ["Account Name", "Website", "Account Owner", "Marketing Owner"]
    assert t.rows[0][1][0] == "Café"


def test_nul_bytes_and_binary_files_are_refused_with_the_line():
    with pytest.raises(ImportFileError, match=r"x.csv:3: the file holds NUL"):
        read_csv(TEXT.encode() + b"a\x00b,c\n", "x.csv")
    with pytest.raises(ImportFileError, match=r"x.csv:4: the file holds a NUL"):  # past the first 4 KB
        read_csv(TEXT.encode() + b"z" * 5000 + b"\na\x00b,c\n", "x.csv")
    assert str(ImportFileError("x.csv:3: bad", file="x.csv", line=3)) == "x.csv:3: bad"  # named once
    with pytest.raises(ImportFileError, match="NUL bytes"):
        read_csv(b"PK\x03\x04\x14\x00\x06\x00" + bytes(range(256)) * 4, "book.xlsx")


def test_limits(monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_ROWS", 3)
    read_csv(TEXT.encode() * 1, "x.csv")
    with pytest.raises(ImportFileError, match="more than 3 rows"):
        read_csv((TEXT + "a,b,c,d\n" * 5).encode(), "x.csv")
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 50)
    with pytest.raises(ImportFileError, match="more than an import reads"):
        read_csv(TEXT.encode(), "x.csv")


def test_ragged_rows_are_refused_alone(plan_dir):
    data = (TEXT + "Beta,beta.example,Luis Romero,Aisha Khan,surplus\nGamma,gamma.example,Luis Romero,Aisha Khan,,\n")
    r = plan_account_import(load_plan(plan_dir), data.encode())
    assert [x.action for x in r.rows] == ["add", "refused", "add"]  # empty trailing cells are fine
    assert r.rows[1].reasons[0].startswith("the row has 5 cells, the header 4 columns")
    r = plan_actuals_import(load_plan(plan_dir), b"key_result,actual\ngrow-pipeline/new-opportunities,1,2\n")
    assert r.rows[0].action == "refused" and "the row has 3 cells" in r.rows[0].reasons[0]


def test_numbers_toml_cannot_hold(plan_dir):
    data = (b"key_result,actual\ngrow-pipeline/new-opportunities,1e999\ngrow-pipeline/pipeline-coverage,nan\n"
            b"grow-pipeline/sourced-pipeline," + b"9" * 30 + b"\n")
    r = plan_actuals_import(load_plan(plan_dir), data)
    assert [x.action for x in r.rows] == ["refused", "refused", "change"]
    assert r.rows[0].reasons == ["actual '1e999' is not a number"]
    assert r.rows[2].fields["actual"][1] == 1e30 and r.errors == []
    data = TEXT.replace("Marketing Owner\n", "Marketing Owner,Employees\n")
    data = data.replace("Aisha Khan\n", "Aisha Khan," + "9" * 25 + "\n")
    r = plan_account_import(load_plan(plan_dir), data.encode())
    assert r.rows[0].action == "refused" and "too large" in r.rows[0].reasons[0]


def test_a_fifo_source_is_read_and_a_device_is_bounded(plan_dir, tmp_path, monkeypatch, capsys):
    fifo = tmp_path / "in.csv"
    os.mkfifo(fifo)

    def writer():
        with open(fifo, "wb") as fh:
            fh.write(TEXT.encode())

    t = threading.Thread(target=writer, daemon=True)
    t.start()
    assert main(["import", "accounts", str(fifo), "--plan", str(plan_dir), "--dry-run"]) == 0
    t.join(10)
    assert "1 to add" in capsys.readouterr().out
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 1024 * 1024)
    assert main(["import", "accounts", "/dev/zero", "--plan", str(plan_dir)]) == 2
    assert "more than an import reads" in capsys.readouterr().err
    assert main(["import", "accounts", str(tmp_path), "--plan", str(plan_dir)]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_many_new_accounts_take_one_checked_splice(plan_dir, monkeypatch):
    """Thousands of new accounts: added in one splice (not one re-parse per row), in
    the order of the file, each one still checked against the schema."""
    calls = []
    monkeypatch.setattr(imports, "add_entity", lambda *a, **k: calls.append(a) or pytest.fail("slow path"))
    rows = [f"Company {i},company{i}.example,Luis Romero,Aisha Khan,{(i % 3) + 1}" for i in range(3000)]
    rows.append("Bad Tier,bad.example,Luis Romero,Aisha Khan,7")
    data = ("Account Name,Website,Account Owner,Marketing Owner,Tier\n" + "\n".join(rows) + "\n").encode()
    plan = load_plan(plan_dir)
    r = plan_account_import(plan, data)
    assert r.count("add") == 3000 and r.count("refused") == 1 and r.errors == [] and not calls
    assert r.rows[-1].reasons == ["tier '7' must be 1, 2 or 3"]
    imports.apply_import(plan, r)
    after = load_plan(plan_dir)
    added = [a.id for a in after.all("account")][-3000:]
    assert added[:2] == ["company-0", "company-1"] and added[-1] == "company-2999"
    assert after.get("account", "company-5").data["tier"] == 3


def test_the_slow_path_gives_the_same_file(plan_dir):
    """The one-splice path and the one-at-a-time path write the same bytes."""
    data = ("Account Name,Website,Account Owner,Marketing Owner,Plays,Next step due,Record ID\n"
            'Café "Q",cafe.example,Luis Romero,Aisha Khan,"a; b",2026-11-30,77\n'
            "Tab\tName,tab.example,Luis Romero,Aisha Khan,,,\n").encode()
    plan = load_plan(plan_dir)
    fast = plan_account_import(plan, data).changes[0].text
    work = imports._copy(plan)
    results = [r for r in plan_account_import(plan, data).rows if r.action == "add"]
    for r in results:
        imports.stage_change(work, imports.add_entity(work, "account", r.id, r.fields))
    assert work.files["accounts.toml"].text == fast


def test_standard_input_is_a_source(plan_dir, monkeypatch, capsys):
    import io
    import sys

    class Stdin:
        buffer = io.BytesIO(b"key_result,actual\ngrow-pipeline/new-opportunities,121\n")

    monkeypatch.setattr(sys, "stdin", Stdin())
    assert main(["import", "actuals", "-", "--plan", str(plan_dir)]) == 0
    assert capsys.readouterr().out.startswith("standard input: 1 row(s)")
    assert load_plan(plan_dir).get("key_result", "grow-pipeline/new-opportunities").data["actual"] == 121
