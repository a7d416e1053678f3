"""The CLI's output helpers: plan text on stdout/stderr and in JSON, shown but never obeyed."""

from __future__ import annotations

import json

from tui.cli.common import emit, json_text, out

from .hostile import HOSTILE, raw_controls


def test_json_text_keeps_the_value_and_escapes_what_a_terminal_obeys():
    doc = {"title": HOSTILE, "n": [1, 2.5, float("inf"), float("nan")], "bidi": "\u2066x\u2069"}
    text = json_text(doc)
    assert raw_controls(text) == []
    back = json.loads(text)
    assert back["title"] == HOSTILE and back["bidi"] == "\u2066x\u2069"  # the same strings
    assert back["n"] == [1, 2.5, "inf", "nan"]  # JSON has no inf or nan: written as text
    assert json_text({"a": "é ✓"}) == '{\n  "a": "é ✓"\n}'


def test_emit_and_errors_make_controls_visible(capsys):
    emit(f"a{HOSTILE}\r\nb\tc")
    out(f"oops {HOSTILE}", err=True)
    o, e = capsys.readouterr()
    assert raw_controls(o, crlf_ok=True) == [] and raw_controls(e) == []
    assert o.endswith("\r\nb\tc\n")  # CR LF pairs and tabs kept
    assert "\\x1b]0;pwned\\x07" in o and "\\x9b31m" in e and "\\u202e" in e


def test_out_to_stdout_keeps_a_command_s_own_colours(capsys):
    out("\x1b[1mbold\x1b[0m")  # painted by a command itself, not plan text
    assert capsys.readouterr().out == "\x1b[1mbold\x1b[0m\n"
