"""Plan text on its way to a terminal: one place that makes control characters visible.

A plan is data written by people and pull requests; a terminal reads some characters
as commands (ESC starts CSI and OSC sequences that move the cursor, clear the screen or
retitle the window; BEL rings; C1 codes do the same in one byte; bidi overrides reorder
the rest of a line).  Every path from plan text to a terminal or a terminal-like
reader passes through ``visible`` (text with line breaks kept) or ``visible_line``
(one line): such characters become ``\\x1b``-style escapes (``\\u202e`` for the
invisible bidi controls), so the text is shown, never obeyed.
"""

from __future__ import annotations

import re

# C0 controls except tab and line feed, DEL, C1 controls, and the bidi embedding,
# override and isolate controls (and the two marks).
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escape(m: re.Match) -> str:
    code = ord(m.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str) -> str:
    """``text`` with its line breaks (LF, and CR LF pairs) kept and every other control
    character shown as an escape."""
    text = str(text)
    if text.isprintable():  # (no control character is printable: nothing to escape)
        return text
    if "\r\n" in text:
        return "\n".join(_UNSAFE.sub(_escape, part) for part in text.split("\r\n"))
    return _UNSAFE.sub(_escape, text)


def visible_line(text: str) -> str:
    """``text`` as one line: line breaks shown as ``⏎``, tabs as spaces, every other
    control character as an escape."""
    text = str(text)
    if text.isprintable():  # no line break, tab or control character: the common case, at C speed
        return text
    text = text.replace("\r\n", "\n").replace("\n", " ⏎ ").replace("\t", " ")
    return _UNSAFE_LINE.sub(_escape, text)


def is_safe(text: str) -> bool:
    """True when ``text`` holds nothing a terminal would obey (line breaks and tabs allowed)."""
    return _UNSAFE.search(str(text).replace("\r\n", "\n")) is None
