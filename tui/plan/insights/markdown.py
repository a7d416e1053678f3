"""The one Markdown escaper of the insights: plan text inside Markdown output.

Everything a user wrote is shown, never interpreted: Markdown punctuation is
backslash-escaped (CommonMark lets any ASCII punctuation be escaped), a leading list,
quote or heading marker is neutralised, line breaks become spaces (a cell or a line
stays one), and control characters are made visible (``tui.plan.safetext``), so the
Markdown is also safe to print on a terminal.
"""

from __future__ import annotations

import re

from ..safetext import visible_line

_MD_SPECIAL = "\\`*_[]<>#|~!&"
_LIST_START = re.compile(r"^(\d+)([.)])")


def md_text(text) -> str:
    """``text`` as literal Markdown inline text on one line."""
    out = str(text).replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    out = visible_line(out)
    out = "".join("\\" + ch if ch in _MD_SPECIAL else ch for ch in out)
    # text that would start a list item, a block quote or a setext underline
    if out[:1] in ("-", "+", "=", ">"):
        out = "\\" + out
    elif _LIST_START.match(out):
        out = _LIST_START.sub(r"\1\\\2", out)
    return out


def md_code(text) -> str:
    """``text`` as a Markdown code span (shown as typed, in a monospace font)."""
    text = visible_line(str(text))
    ticks = "`"
    while ticks in text:
        ticks += "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


__all__ = ["md_code", "md_text"]
