"""What the CLI puts out (RELIABILITY.md cases 39 CLI side, 40, 47 CLI side, 48, 49):
plan text shown literally and never obeyed by a terminal, CSV imports that report
instead of failing, CSV exports a spreadsheet cannot run, output files written safely."""

from __future__ import annotations

import csv
import io
import os
import re
import stat
import threading
from pathlib import Path

import pytest

from tests.insights.hostile import BIDI, C1, CLEAR, HOSTILE, OSC, make_hostile, raw_controls, toml_str
from tui.cli import main
from tui.plan.model import load_plan


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def no_traceback(err: str) -> None:
    assert "Traceback" not in err and "unexpected error" not in err, err


# -- 39: any text field, shown literally ------------------------------------------------------

LONG = "long " * 2000  # 10,000 characters
ODD_TEXTS = {"empty": "", "long": LONG, "emoji": "Launch 🚀🎉 👩🏽‍💻", "rtl": "שלום עולם مرحبا",
             "markup": "[bold]not bold[/bold] [link=https://x.example]x[/link] *not* _em_",
             "controls": HOSTILE}


def _odd_plan(plan_dir: Path) -> Path:
    with open(plan_dir / "accounts.toml", "a", encoding="utf-8") as fh:
        for n, (key, text) in enumerate(ODD_TEXTS.items()):
            fh.write(f"""
[[account]]
id = "odd-{key}"
name = {toml_str(text or "x")}
domain = "odd{n}.example"
tier = 1
stage = "target"
sales_owner = "luis-romero"
marketing_owner = "aisha-khan"
next_step = {toml_str(text)}
""")
    return plan_dir


def test_case_39_any_text_field_is_exported_exactly_and_shown_literally(plan_dir, tmp_path, capsys):
    _odd_plan(plan_dir)
    out_file = tmp_path / "accounts.csv"
    code, _, err = run(capsys, "export", "csv", "account", "-C", plan_dir, "-o", out_file)
    assert code == 0, err
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(out_file.read_text(encoding="utf-8"), newline=""))}
    for key, text in ODD_TEXTS.items():
        assert rows[f"odd-{key}"]["next_step"] == text  # the file holds the text exactly
    # on a terminal: every text shown, markup as typed, nothing obeyed
    code, out, err = run(capsys, "export", "csv", "account", "-C", plan_dir)
    assert code == 0 and not raw_controls(out + err, crlf_ok=True)
    for key in ("long", "emoji", "rtl", "markup"):
        assert ODD_TEXTS[key] in out
    assert "\\x1b]0;pwned\\x07" in out and "\\u202e" in out
    # the report: Markdown that shows the markup as text (escaped), never as markup
    code, out, err = run(capsys, "report", plan_dir)
    assert code == 0, err
    assert "\\[bold\\]not bold\\[/bold\\]" in out and "\\*not\\* \\_em\\_" in out
    assert "🚀🎉" in out and "שלום עולם" in out
    assert not raw_controls(out + err)


# -- 47: control characters never reach a terminal raw --------------------------------------

COMMANDS = {
    "report": ["report", "{plan}"],
    "report-html": ["report", "{plan}", "--format", "html"],
    "coverage": ["coverage", "{plan}"],
    "coverage-markdown": ["coverage", "{plan}", "--format", "markdown"],
    "coverage-json": ["coverage", "{plan}", "--format", "json"],
    "stage": ["stage", "{plan}"],
    "stage-json": ["stage", "{plan}", "--format", "json"],
    "sla": ["sla", "{plan}"],
    "sla-json": ["sla", "{plan}", "--format", "json"],
    "export-csv-account": ["export", "csv", "account", "-C", "{plan}"],
    "export-csv-persona": ["export", "csv", "persona", "-C", "{plan}"],
    "export-csv-content": ["export", "csv", "content", "-C", "{plan}"],
    "export-csv-goal": ["export", "csv", "goal", "-C", "{plan}"],
    "export-csv-key_result": ["export", "csv", "key_result", "-C", "{plan}"],
    "export-csv-term": ["export", "csv", "term", "-C", "{plan}"],
    "export-ics": ["export", "ics", "-C", "{plan}"],
    "check": ["check", "{plan}"],
    "check-json": ["check", "{plan}", "--format", "json"],
    "check-github": ["check", "{plan}", "--format", "github"],
    "get-account": ["get", "account", "evil-corp", "-C", "{plan}"],
    "get-field": ["get", "account", "evil-corp", "next_step", "-C", "{plan}"],
    "get-raw": ["get", "account", "evil-corp", "next_step", "--raw", "-C", "{plan}"],
    "get-json": ["get", "account", "evil-corp", "--json", "-C", "{plan}"],
}
# commands whose output shows the hostile text (the others show ids and numbers only)
SHOWS_TEXT = {"report", "report-html", "coverage", "coverage-markdown", "coverage-json", "export-csv-account",
              "export-csv-persona", "export-csv-content", "export-csv-goal", "export-csv-key_result",
              "export-csv-term", "export-ics", "get-account", "get-raw"}


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_case_47_control_characters_in_plan_text_never_reach_the_terminal(name, plan_dir, capsys):
    make_hostile(plan_dir)
    argv = [a.replace("{plan}", str(plan_dir)) for a in COMMANDS[name]]
    code, out, err = run(capsys, *argv)
    assert code in (0, 1), err
    no_traceback(err)
    assert raw_controls(out + err, crlf_ok=name.startswith("export")) == []
    for raw in (OSC, CLEAR, C1, BIDI):
        assert raw not in out + err
    if name in SHOWS_TEXT:  # the text is shown (escaped), not dropped
        shown = re.sub(r"\\(.)", r"\1", out)  # without Markdown's (and iCalendar's) backslash escapes
        assert "pwned" in out and ("x1b]0;pwned" in shown or "u001b]0;pwned" in shown), out[:2000]
        assert "u202e" in shown.lower()


def test_case_47_import_reports_make_control_characters_visible(plan_dir, tmp_path, capsys):
    src = tmp_path / "evil.csv"
    src.write_text("Account Name,Website,Account Owner,Marketing Owner,Industry\n"
                   f"{HOSTILE},evil.example,Luis Romero,Aisha Khan,{HOSTILE}\n"
                   f"Other,other.example,{HOSTILE},Aisha Khan,HVAC\n"
                   f"{OSC},{CLEAR}.example,Luis Romero,Aisha Khan,HVAC\n", encoding="utf-8")
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "import", "accounts", src, "--plan", plan_dir, "--dry-run", "--format", fmt)
        assert code == 1
        no_traceback(err)
        assert raw_controls(out + err) == [], (out, err)
    src.write_text(f"key_result,actual\n{HOSTILE},12\ngrow-pipeline/new-opportunities,{CLEAR}\n", encoding="utf-8")
    code, out, err = run(capsys, "import", "actuals", src, "--plan", plan_dir, "--dry-run")
    assert code == 1 and raw_controls(out + err) == []
    # plan text in an import report: the hostile title of the key result being changed
    make_hostile(plan_dir)
    src.write_text("key_result,actual\ntighten-handoff/first-touch-time,18\n", encoding="utf-8")
    for fmt in ("text", "json"):
        code, out, err = run(capsys, "import", "actuals", src, "--plan", plan_dir, "--dry-run", "--format", fmt)
        assert code == 0 and "pwned" in out and raw_controls(out + err) == []
    # a file name with control characters, in an error message
    bad = tmp_path / f"x{CLEAR}.csv"
    code, out, err = run(capsys, "import", "actuals", bad, "--plan", plan_dir)
    assert code == 2 and raw_controls(out + err) == [] and "\\x1b[2J" in err


def test_case_47_html_report_escapes_markup_and_controls(plan_dir, capsys):
    make_hostile(plan_dir)
    with open(plan_dir / "personas.toml", "a", encoding="utf-8") as fh:
        fh.write('\n[[persona]]\nid = "html-persona"\nname = "<img src=x onerror=alert(1)> & \\"q\\" \'s"\n'
                 'role = "r"\nbuying_role = "champion"\nsales_owner = "luis-romero"\nmarketing_owner = "aisha-khan"\n')
    code, out, err = run(capsys, "report", plan_dir, "--format", "html")
    assert code == 0, err
    assert "<img" not in out and "&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &#x27;s" in out
    assert raw_controls(out) == [] and "\\x1b[2J" in out


# -- 48: CSV exports a spreadsheet cannot run ---------------------------------------------------

FORMULAS = {"=": "=HYPERLINK(\"http://evil.example\",\"click\")", "+": "+1+cmd|' /C calc'!A0",
            "-": "-2+3+cmd|' /C calc'!A0", "@": "@SUM(1+1)*cmd|' /C calc'!A0", "tab": "\t=1+1", "cr": "\r=1+1",
            "nul": "\x00=1+1"}


@pytest.mark.parametrize("lead", sorted(FORMULAS))
def test_case_48_csv_export_neutralises_formula_cells(lead, plan_dir, tmp_path, capsys):
    text = FORMULAS[lead]
    with open(plan_dir / "accounts.toml", "a", encoding="utf-8") as fh:
        fh.write(f'\n[[account]]\nid = "formula"\nname = {toml_str(text)}\ndomain = "formula.example"\ntier = 2\n'
                 f'stage = "target"\nsales_owner = "luis-romero"\nmarketing_owner = "aisha-khan"\n'
                 f'plays = [{toml_str(text)}, "second"]\ncustom = {{ score = -5, note = {toml_str(text)} }}\n')
    out_file = tmp_path / "accounts.csv"
    assert run(capsys, "export", "csv", "account", "-C", plan_dir, "-o", out_file)[0] == 0
    raw = out_file.read_bytes().decode("utf-8")  # no newline translation: a CR in a cell stays a CR
    row = [r for r in csv.reader(io.StringIO(raw, newline="")) if r[0] == "formula"][0]
    header = next(csv.reader(io.StringIO(raw, newline="")))
    cell = dict(zip(header, row))
    assert cell["name"] == "'" + text  # shown as text by a spreadsheet, the text kept after the quote
    assert cell["plays"] == "'" + text + "; second"
    # the neutralised cell is quoted in the file
    assert '"' + ("'" + text).replace('"', '""') + '"' in raw
    for value in row:
        assert not value.startswith(("=", "+", "-", "@", "\t", "\r", "\x00")), value


def test_case_48_numbers_stay_numbers(plan_dir, tmp_path, capsys):
    goals = plan_dir / "goals.toml"
    goals.write_text(goals.read_text(encoding="utf-8").replace("baseline = 41", "baseline = -41", 1), encoding="utf-8")
    out_file = tmp_path / "krs.csv"
    assert run(capsys, "export", "csv", "key_result", "-C", plan_dir, "-o", out_file)[0] == 0
    raw = out_file.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(raw, newline="")))
    kr = [r for r in rows if r["id"] == "tighten-handoff/first-touch-time"][0]
    assert kr["baseline"] == "-41"  # a negative number stored as a number stays a number, unquoted
    assert ",-41," in raw
    with pytest.raises(SystemExit):
        main(["export", "csv", "--help"])
    out = capsys.readouterr().out
    assert "formula" in out and "single quote" in out


# -- 49: output files ------------------------------------------------------------------------


def test_case_49_fifo_is_written_in_place(plan_dir, tmp_path, capsys):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got = {}

    def reader():
        with open(fifo, "rb") as fh:
            got["data"] = fh.read()

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    code, _, err = run(capsys, "report", plan_dir, "-o", fifo)
    t.join(10)
    assert code == 0, err
    assert got["data"].startswith(b"# Quarterly review: ")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)  # still a FIFO, not a new regular file


def test_case_49_fifo_without_a_reader_is_a_clear_error_not_a_hang(plan_dir, tmp_path, monkeypatch, capsys):
    from tui.cli import common

    monkeypatch.setattr(common, "FIFO_WAIT", 0.3)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    code, _, err = run(capsys, "export", "csv", "account", "-C", plan_dir, "-o", fifo)
    assert code == 2 and "no process read from it" in err
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_case_49_character_devices_are_written_in_place(plan_dir, tmp_path, capsys):
    # a terminal (a pseudo-terminal's device) first: a device nobody else depends on
    master, slave = os.openpty()
    try:
        tty = os.ttyname(slave)
        code, _, err = run(capsys, "export", "csv", "term", "-C", plan_dir, "-o", tty, "-q")
        assert code == 0, err
        assert stat.S_ISCHR(os.stat(tty).st_mode)
        assert b"id,term,definition" in os.read(master, 65536)
    finally:
        os.close(master)
        os.close(slave)
    # then /dev/null itself (as root, replacing it would break the machine)
    for argv in (["export", "csv", "account", "-C", plan_dir, "-o", "/dev/null"],
                 ["report", plan_dir, "-o", "/dev/null"]):
        code, _, err = run(capsys, *argv)
        assert code == 0, err
        assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_case_49_read_only_file_is_a_clear_error_and_untouched(plan_dir, tmp_path, capsys):
    target = tmp_path / "brief.md"
    target.write_text("keep me\n")
    target.chmod(0o444)
    code, _, err = run(capsys, "report", plan_dir, "-o", target)
    assert code == 2
    assert "read-only" in err and "brief.md" in err and "nothing written" in err
    assert target.read_text() == "keep me\n" and stat.S_IMODE(target.stat().st_mode) == 0o444
    code, _, err = run(capsys, "export", "csv", "account", "-C", plan_dir, "-o", target)
    assert code == 2 and target.read_text() == "keep me\n"


@pytest.mark.parametrize("how", ["direct", "dotdot", "symlink", "symlink-folder", "hardlink"])
def test_case_49_plan_files_are_refused(how, plan_dir, tmp_path, capsys):
    goals = plan_dir / "goals.toml"
    before = goals.read_bytes()
    if how == "direct":
        target = goals
    elif how == "dotdot":
        (plan_dir / "sub").mkdir()
        target = plan_dir / "sub" / ".." / "goals.toml"
    elif how == "symlink":
        target = tmp_path / "link.md"
        target.symlink_to(goals)
    elif how == "symlink-folder":
        (tmp_path / "folder-link").symlink_to(plan_dir, target_is_directory=True)
        target = tmp_path / "folder-link" / "goals.toml"
    else:
        target = tmp_path / "hard.md"
        os.link(goals, target)
    for argv in (["report", plan_dir, "-o", target], ["export", "csv", "goal", "-C", plan_dir, "-o", target],
                 ["export", "ics", "-C", plan_dir, "-o", target]):
        code, _, err = run(capsys, *argv)
        assert code == 2, err
        assert "file of the plan" in err
        assert goals.read_bytes() == before
    if how == "symlink":
        assert target.is_symlink()


def test_case_49_regular_files_are_replaced_atomically(plan_dir, tmp_path, capsys):
    target = tmp_path / "accounts.csv"
    target.write_text("old\n")
    target.chmod(0o640)
    assert run(capsys, "export", "csv", "account", "-C", plan_dir, "-o", target)[0] == 0
    assert target.read_text(encoding="utf-8").startswith("id,name,domain")
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "plans") == ["accounts.csv"]  # no temp left
    # a symlink to a regular file: the file is written, the link stays a link
    link = tmp_path / "link.csv"
    link.symlink_to(target)
    assert run(capsys, "report", plan_dir, "-o", link)[0] == 0
    assert link.is_symlink() and target.read_text(encoding="utf-8").startswith("# Quarterly review")
    # a folder, or a folder that does not exist: clear errors
    code, _, err = run(capsys, "report", plan_dir, "-o", tmp_path)
    assert code == 2 and "is a folder" in err
    code, _, err = run(capsys, "report", plan_dir, "-o", tmp_path / "nope" / "x.md")
    assert code == 2 and "does not exist" in err


# -- 40: CSV imports ---------------------------------------------------------------------------

GOOD = "Account Name,Website,Account Owner,Marketing Owner\nAcme,acme.example,Luis Romero,Aisha Khan\n"


def _import(capsys, plan_dir, src, *extra):
    code, out, err = run(capsys, "import", "accounts", src, "--plan", plan_dir, *extra)
    no_traceback(err)
    return code, out, err


def test_case_40_csv_imports_report_and_never_write_part(plan_dir, tmp_path, capsys):
    accounts = plan_dir / "accounts.toml"
    before = accounts.read_bytes()
    src = tmp_path / "in.csv"

    def unchanged():
        assert accounts.read_bytes() == before

    # missing columns: the whole file is refused, naming what is missing
    src.write_text("Account Name,Phone\nAcme,123\n")
    code, _, err = _import(capsys, plan_dir, src)
    assert code == 2 and "no column gives the account's domain" in err
    unchanged()
    # extra columns: listed as ignored
    src.write_text("Account Name,Website,Account Owner,Marketing Owner,Shoe size\nAcme,acme.example,Luis Romero,"
                   "Aisha Khan,44\n")
    code, out, _ = _import(capsys, plan_dir, src, "--dry-run")
    assert code == 0 and "ignored columns: 'Shoe size'" in out and "1 to add" in out
    unchanged()
    # another delimiter (sniffed) and another encoding
    for data, what in ((GOOD.replace(",", ";").encode(), "semicolon"), (GOOD.replace(",", "\t").encode(), "tab"),
                       (GOOD.replace(",", "|").encode(), "pipe"),
                       (b"\xff\xfe" + GOOD.encode("utf-16-le"), "utf-16 with byte-order mark")):
        src.write_bytes(data)
        code, out, err = _import(capsys, plan_dir, src, "--dry-run")
        assert code == 0 and what in out.splitlines()[0] and "1 to add" in out, (what, out, err)
    latin = GOOD.replace("Acme", "Café Ñandú").encode("latin-1")
    src.write_bytes(latin)
    code, _, err = _import(capsys, plan_dir, src, "--dry-run")
    assert code == 2 and "not UTF-8 text" in err and "--encoding" in err
    for enc in ("latin-1", "cp1252"):
        code, out, _ = _import(capsys, plan_dir, src, "--dry-run", "--encoding", enc)
        assert code == 0 and "'Café Ñandú'" in out
    unchanged()
    # duplicate ids and domains: within the file and against the plan
    src.write_text("id,Account Name,Website,Account Owner,Marketing Owner\n"
                   "acme,Acme,acme.example,Luis Romero,Aisha Khan\n"
                   "acme,Acme Two,acme2.example,Luis Romero,Aisha Khan\n"
                   "harbor-hvac,Harbor Copy,harbor-copy.example,Luis Romero,Aisha Khan\n"
                   "acme3,Acme Three,acme.example,Luis Romero,Aisha Khan\n")
    code, out, _ = _import(capsys, plan_dir, src)
    assert code == 1 and "nothing written: 3 row(s) refused" in out
    assert "id 'acme' is taken" in out and "id 'harbor-hvac' is taken" in out and "duplicate domain" in out
    unchanged()
    # empty file, only a header, ragged rows, NUL bytes
    src.write_bytes(b"")
    code, _, err = _import(capsys, plan_dir, src)
    assert code == 2 and "empty" in err
    src.write_text("Account Name,Website\n")
    code, out, _ = _import(capsys, plan_dir, src)
    assert code == 0 and "0 row(s)" in out and "nothing to change" in out
    src.write_text(GOOD + "Beta,beta.example,Luis Romero,Aisha Khan,extra,cells\nGamma,gamma.example\n")
    code, out, _ = _import(capsys, plan_dir, src)
    assert code == 1 and "the row has 6 cells, the header 4 columns" in out and "a new account needs" in out
    unchanged()
    src.write_bytes(GOOD.encode() + b"Nul\x00Corp,nul.example,Luis Romero,Aisha Khan\n")
    code, _, err = _import(capsys, plan_dir, src)
    assert code == 2 and "NUL" in err and "in.csv:3" in err
    unchanged()
    # the good rows of a mixed file go in with --skip-refused, in one write
    src.write_text(GOOD + "Beta,beta.example,Luis Romero,Aisha Khan,extra\n")
    code, out, _ = _import(capsys, plan_dir, src, "--skip-refused")
    assert code == 0 and "wrote" in out
    plan = load_plan(plan_dir)
    assert plan.find("account", "acme") is not None and plan.find("account", "beta") is None


def test_case_40_a_10_mb_csv_gives_a_report(plan_dir, tmp_path, capsys):
    filler = "x" * 800
    lines = ["Account Name,Website,Account Owner,Marketing Owner,Industry"]
    n = 0
    while sum(map(len, lines)) < 10 * 1024 * 1024:
        owner = "Luis Romero" if n % 1000 == 0 else "Nobody Known"
        lines.append(f"Company {n},company{n}.example,{owner},Aisha Khan,{filler}")
        n += 1
    src = tmp_path / "big.csv"
    src.write_text("\n".join(lines) + "\n")
    assert src.stat().st_size >= 10 * 1024 * 1024
    before = (plan_dir / "accounts.toml").read_bytes()
    accounts_before = len(load_plan(plan_dir).all("account"))
    code, out, err = _import(capsys, plan_dir, src, "--format", "json")
    assert code == 1 and "nothing written" in err
    assert (plan_dir / "accounts.toml").read_bytes() == before
    import json

    summary = json.loads(out)["summary"]
    good = len(range(0, n, 1000))
    assert summary == {"add": good, "change": 0, "unchanged": 0, "refused": n - good}
    code, out, err = _import(capsys, plan_dir, src, "--skip-refused", "--format", "json")
    assert code == 0, err
    after = load_plan(plan_dir)
    assert len(after.all("account")) == accounts_before + good
    assert after.find("account", "company-1000") is not None and after.find("account", "company-1") is None
