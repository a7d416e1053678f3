"""Plan text with terminal control sequences (ESC, BEL, OSC, CSI, C1) never reaches a
terminal raw through the history commands or the git drivers: textconv, hunk headers,
`trend`, `log`, `diff` (text, markdown, json), and the merge driver's messages."""

from __future__ import annotations

import json
import re

import pytest

from tests.history.helpers import edit, git, run_cli

pytestmark = pytest.mark.git

HOSTILE = "Acme\x1b]0;pwned\x07 \x1b[2J\x1b[31mred\x9b1m\x07 end"
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _raw(text: str) -> list[str]:
    return RAW.findall(text.replace("\r\n", "\n"))


def _hostile_plan(committed):
    plans = committed / "plans"
    edit(plans, "account", "harbor-hvac", "name", HOSTILE)
    edit(plans, "key_result", "grow-pipeline/sourced-pipeline", "title", HOSTILE)
    return plans


def test_textconv_makes_control_characters_visible(committed, capsys):
    plans = _hostile_plan(committed)
    code, out, _ = run_cli(capsys, "textconv", str(plans / "accounts.toml"))
    assert code == 0
    assert _raw(out) == [] and "\\x1b]0;pwned\\x07" in out and "\\x9b" in out


def test_trend_log_and_diff_make_control_characters_visible(committed, capsys):
    plans = _hostile_plan(committed)
    code, out, _ = run_cli(capsys, "trend", "grow-pipeline/sourced-pipeline", "-C", str(plans))
    assert code == 0 and _raw(out) == [] and "\\x1b[2J" in out
    code, out, _ = run_cli(capsys, "trend", "grow-pipeline/sourced-pipeline", "-C", str(plans), "--format", "json")
    assert code == 0 and _raw(out) == [] and json.loads(out)["points"][-1]["title"] == HOSTILE
    for fmt in ("text", "markdown", "json"):
        code, out, _ = run_cli(capsys, "diff", "-C", str(plans), "--format", fmt)
        assert code == 0 and _raw(out) == [], (fmt, out)
        assert "pwned" in out
    code, out, err = run_cli(capsys, "commit", "-C", str(plans), "-m", "Rename \x1b[2J\x07 it\x9b")
    assert code == 0, err
    assert _raw(out) == [] and _raw(err) == []
    for fmt in ("text", "json"):
        code, out, _ = run_cli(capsys, "log", "-C", str(plans), "--format", fmt, "--changes")
        assert code == 0 and _raw(out) == [], (fmt, out)
        assert "Rename" in out


def test_git_diff_and_its_hunk_headers_show_no_raw_control_characters(committed, capsys):
    plans = committed / "plans"
    code, _, err = run_cli(capsys, "git-setup", "-C", str(plans))
    assert code == 0, err
    git(committed, "add", "-A")
    git(committed, "commit", "-qm", "setup")
    text = (plans / "accounts.toml").read_text()
    # an id line with escapes: the hunk header shows the file's (escaped) text
    (plans / "accounts.toml").write_text(text.replace('id = "harbor-hvac"', 'id = "harbor-\\u001b[2J-hvac"', 1))
    edit(plans, "account", "harbor-\x1b[2J-hvac", "next_step", HOSTILE)
    for semantic in (False, True):
        if semantic:
            code, _, err = run_cli(capsys, "git-setup", "--semantic", "-C", str(plans))
            assert code == 0, err
        out = git(committed, "diff")
        if semantic:
            assert _raw(out) == [], out
        else:
            # git shows the file's own lines: TOML keeps C0 controls and ESC escaped (`\u001b`) in the
            # file, so no escape sequence can start; C1 characters TOML allows raw
            assert [c for c in _raw(out) if c < "\x80"] == [], out
            assert "\\u001b]0;pwned\\u0007" in out
        headers = [ln for ln in out.splitlines() if ln.startswith("@@")]
        assert headers and any("harbor-" in h for h in headers), headers
