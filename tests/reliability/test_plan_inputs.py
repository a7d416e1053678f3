"""RELIABILITY.md cases 46 and 50: plan files that cannot be read, and inputs that harm."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tui.plan.document import MAX_FILE_BYTES, TomlFile, max_file_bytes
from tui.plan.edit import apply_change, set_field
from tui.plan.model import load_plan
from tui.plan.problems import UnreadableError
from tui.plan.validation import validate


def _cli(plan_dir, *args, timeout=60, env=None):
    return subprocess.run([sys.executable, "-m", "tui", *args], capture_output=True, text=True, cwd=ROOT,
                          timeout=timeout, env=dict(os.environ, **(env or {})))


BREAKAGES = {
    "syntax": lambda t: t + "\nbroken = = 1\n",
    "conflict": lambda t: t.replace("[[goal]]", "<<<<<<< HEAD\n[[goal]]", 1) + "=======\n>>>>>>> other\n",
    "encoding": lambda t: t.replace("Grow", "Gr\udcffow", 1),
    "missing": None,
}


# 46 — one file unreadable: its error once; rules that need it skipped and said so;
# no false errors in healthy files; the plan says which files are unreadable
# (without plan.toml a folder is no plan: tested below)
@pytest.mark.parametrize("file,how", [(f, h) for f in ("goals.toml", "personas.toml", "plan.toml", "glossary.toml",
                                                       "content.toml", "accounts.toml")
                                      for h in BREAKAGES if (f, h) != ("plan.toml", "missing")])
def test_case_46_one_unreadable_file_gives_one_error_and_no_false_ones(plan_dir, file, how):
    path = plan_dir / file
    text = path.read_text()
    if how == "missing":
        path.unlink()
    else:
        broken = BREAKAGES[how](text if file == "goals.toml" or how != "conflict" else "<<<<<<< a\n" + text)
        path.write_bytes(broken.encode("utf-8", "surrogateescape") if how == "encoding" and "\udcff" in broken
                         else (b"\xff" + broken.encode()) if how == "encoding" else broken.encode())
    healthy = validate(load_plan(ROOT / "plans"))
    plan = load_plan(plan_dir)
    problems = validate(plan)
    errors = [p for p in problems if p.severity == "error"]
    if how == "missing":
        # a missing file counts only when other files refer to what it held: then once
        assert [p.code for p in errors] in ([], ["file.missing"])
        assert all(p.file == file for p in errors)
    else:
        (error,) = errors
        assert error.file == file and error.line >= 1 and error.code.startswith("toml.")
        assert list(plan.unreadable) == [file] and plan.unreadable[file] == error
        assert plan.text_of(file) is not None  # the text is kept to show the error's line
    # nothing new in healthy files (a file that is simply absent may leave honest warnings:
    # with no content.toml, no content is planned)
    others = {(p.file, p.code, p.line) for p in problems if p.file != file and p.code != "check.skipped"
              and (how != "missing" or p.severity == "error")}
    assert others <= {(p.file, p.code, p.line) for p in healthy}
    skipped = [p for p in problems if p.code == "check.skipped"]
    if how != "missing" or errors:
        (note,) = skipped
        assert note.severity == "warning" and note.file == file and "skipped" in note.message


def test_case_46_check_reports_the_broken_file_with_its_line_and_the_skipped_checks(plan_dir):
    goals = plan_dir / "goals.toml"
    goals.write_text(goals.read_text() + "\nbroken = = 1\n")
    n = goals.read_text().count("\n")
    proc = _cli(plan_dir, "check", str(plan_dir), "--color", "never")
    assert proc.returncode == 1
    assert f"goals.toml:{n}:10: error[toml.syntax]" in proc.stdout
    assert f"  {n} | broken = = 1" in proc.stdout and "|          ^" in proc.stdout
    assert "warning[check.skipped]" in proc.stdout and "references to goals" in proc.stdout
    assert "ref.unknown" not in proc.stdout
    doc = json.loads(_cli(plan_dir, "check", str(plan_dir), "--format", "json").stdout)
    codes = [p["code"] for p in doc["problems"]]
    assert "toml.syntax" in codes and "check.skipped" in codes and "ref.unknown" not in codes
    assert doc["summary"]["errors"] == 1


def test_case_46_edits_of_other_files_still_work_and_renames_are_refused(plan_dir):
    goals = plan_dir / "goals.toml"
    goals.write_text(goals.read_text() + "\nbroken = = 1\n")
    proc = _cli(plan_dir, "set", "account", "harbor-hvac", "tier", "2", "-C", str(plan_dir))
    assert proc.returncode == 0, proc.stderr
    proc = _cli(plan_dir, "set", "goal", "grow-pipeline", "title", '"x"', "-C", str(plan_dir))
    assert proc.returncode == 1 and "goals.toml:" in proc.stderr and "Traceback" not in proc.stderr
    proc = _cli(plan_dir, "rename", "member", "tom-becker", "tom-b", "-C", str(plan_dir))
    assert proc.returncode != 0 and "goals.toml" in proc.stderr and "cannot be read" in proc.stderr
    assert 'id = "tom-becker"' in (plan_dir / "plan.toml").read_text()


def test_case_46_an_underline_in_a_multiline_string_is_not_a_conflict(plan_dir):
    goals = plan_dir / "goals.toml"
    text = goals.read_text()
    goals.write_text(text + '\n[goal_notes]\ntext = """\nRisks\n=======\nnone yet\n"""\n')
    plan = load_plan(plan_dir)
    assert not any(p.code == "toml.conflict" for p in plan.syntax_errors)


def test_case_46_missing_folder_or_plan_toml_and_non_utf8_files(plan_dir, tmp_path):
    with pytest.raises(UnreadableError):
        load_plan(tmp_path / "nope")
    with pytest.raises(UnreadableError) as info:
        load_plan(tmp_path)
    assert "plan.toml is missing" in str(info.value)
    (plan_dir / "glossary.toml").write_bytes(b'[[term]]\nid = "x"\nterm = "caf\xe9"\n')
    (p,) = load_plan(plan_dir).syntax_errors
    assert (p.code, p.line) == ("toml.encoding", 3)


def test_case_46_a_missing_file_that_others_refer_to_is_one_error(plan_dir):
    (plan_dir / "personas.toml").unlink()
    problems = validate(load_plan(plan_dir))
    errors = [p for p in problems if p.severity == "error"]
    assert [p.code for p in errors] == ["file.missing"] and "personas.toml is missing" in errors[0].message
    assert any(p.code == "check.skipped" and p.file == "personas.toml" for p in problems)


# 50 — a plan file that leaves the repository, a FIFO, a device, or too large: refused,
# never read out, never a hang
def test_case_50_symlink_leaving_the_repository_is_refused_and_not_read_out(plan_dir, tmp_path):
    secret = tmp_path / "secret.toml"
    secret.write_text('[[term]]\nid = "x"\nterm = "TOP-SECRET-VALUE"\n')
    (plan_dir / "glossary.toml").unlink()
    (plan_dir / "glossary.toml").symlink_to(secret)
    plan = load_plan(plan_dir)
    p = plan.unreadable["glossary.toml"]
    assert p.code == "io.outside" and "outside" in p.message and "glossary.toml" not in plan.files
    proc = _cli(plan_dir, "check", str(plan_dir))
    assert proc.returncode == 2 and "TOP-SECRET-VALUE" not in proc.stdout + proc.stderr
    assert "symbolic link to a file outside" in proc.stdout
    proc = _cli(plan_dir, "get", "term", "x", "-C", str(plan_dir))
    assert proc.returncode == 2 and "TOP-SECRET-VALUE" not in proc.stdout + proc.stderr


def test_case_50_symlinks_inside_the_repository_are_followed(plan_dir, tmp_path):
    (tmp_path / ".git").mkdir()
    shared = tmp_path / "shared-glossary.toml"
    shutil.move(plan_dir / "glossary.toml", shared)
    (plan_dir / "glossary.toml").symlink_to(os.path.relpath(shared, plan_dir))
    plan = load_plan(plan_dir)
    assert "glossary.toml" in plan.files and not plan.unreadable


def test_case_50_a_fifo_is_refused_without_hanging(plan_dir):
    (plan_dir / "accounts.toml").unlink()
    os.mkfifo(plan_dir / "accounts.toml")
    start = time.monotonic()
    plan = load_plan(plan_dir)
    assert plan.unreadable["accounts.toml"].code == "io.not-regular"
    assert "named pipe" in plan.unreadable["accounts.toml"].message
    proc = _cli(plan_dir, "check", str(plan_dir), timeout=30)
    assert proc.returncode == 2 and "named pipe" in proc.stdout
    assert time.monotonic() - start < 30


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/null", "/dev/urandom"])
def test_case_50_a_device_is_refused(plan_dir, tmp_path, device):
    if not os.path.exists(device):
        pytest.skip(f"{device} is not on this system")
    (plan_dir / "content.toml").unlink()
    (plan_dir / "content.toml").symlink_to(device)
    (plan_dir.parent / ".git").mkdir(exist_ok=True)
    plan = load_plan(plan_dir)  # /dev is outside the repository: refused before it is opened
    assert plan.unreadable["content.toml"].code in ("io.outside", "io.not-regular")
    with pytest.raises(UnreadableError) as info:
        TomlFile.read(plan_dir / "content.toml", "content.toml", boundary=Path("/"))  # even where /dev is inside
    assert info.value.code == "io.not-regular" and "device" in info.value.message


def test_case_50_a_file_over_the_limit_is_refused(plan_dir, monkeypatch):
    assert MAX_FILE_BYTES == 64 * 1024 * 1024 and max_file_bytes() == MAX_FILE_BYTES
    monkeypatch.setenv("QUARTERDECK_MAX_FILE_BYTES", "4096")
    assert max_file_bytes() == 4096
    plan = load_plan(plan_dir)
    big = [p.name for p in plan_dir.glob("*.toml") if p.stat().st_size > 4096]
    assert big and not set(big) & set(plan.files) and all(plan.unreadable[name].code == "io.too-large" for name in big)
    assert "QUARTERDECK_MAX_FILE_BYTES" in plan.unreadable[big[0]].message
    monkeypatch.setenv("QUARTERDECK_MAX_FILE_BYTES", "not a number")
    assert max_file_bytes() == MAX_FILE_BYTES


def test_case_50_a_save_never_blocks_on_a_file_that_became_a_fifo(plan_dir):
    from tui.plan.problems import FileChangedError

    plan = load_plan(plan_dir)
    change = set_field(plan, "account", "harbor-hvac", "tier", 2)
    (plan_dir / "accounts.toml").unlink()
    os.mkfifo(plan_dir / "accounts.toml")
    with pytest.raises(FileChangedError):
        apply_change(plan, change)
