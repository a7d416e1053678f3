"""A plan whose text holds what a terminal would obey: OSC (retitle the window), CSI
(clear the screen), a C1 CSI, a bidi override; and a scanner for raw control characters."""

from __future__ import annotations

import re
from pathlib import Path

OSC = "\x1b]0;pwned\x07"
CLEAR = "\x1b[2J"
C1 = "\x9b31m"
BIDI = "\u202e"
HOSTILE = f"Evil {OSC} title {CLEAR} more {C1} and {BIDI}reversed"

# What must never reach a terminal raw: C0 controls but tab, line feed and carriage
# return (checked apart), DEL, C1, and the bidi controls.
RAW = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def toml_str(text: str) -> str:
    """A TOML basic string with every control character escaped as \\uXXXX."""
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7f <= ord(ch) <= 0x9f or ch in "\u200e\u200f\u202a\u202b\u202c\u202d\u202e":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def raw_controls(text: str, *, crlf_ok: bool = False) -> list[str]:
    """The raw control characters in ``text`` (a lone CR counts; CR LF only when not ``crlf_ok``)."""
    found = RAW.findall(text)
    body = text.replace("\r\n", "\n") if crlf_ok else text
    if "\r" in body:
        found.append("\r")
    return found


def _replace_value(path: Path, old: str, new_value: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new_value, 1), encoding="utf-8")


def make_hostile(plan_dir: Path) -> Path:
    """The example plan (a copy) with hostile text in titles, names, notes, next steps,
    questions, a glossary definition, a key result's title and unit, and a content id."""
    h = toml_str(HOSTILE)
    _replace_value(plan_dir / "goals.toml", 'title = "Make the MQL handoff fast and trusted on both sides"',
                   f"title = {h}")
    _replace_value(plan_dir / "goals.toml", 'title = "Median time from MQL to first sales touch"',
                   f"title = {toml_str('MQL ' + HOSTILE)}")
    with open(plan_dir / "accounts.toml", "a", encoding="utf-8") as fh:
        fh.write(f"""
[[account]]
id = "evil-corp"
name = {h}
domain = "evil.example"
tier = 1
stage = "target"
sales_owner = "luis-romero"
marketing_owner = "aisha-khan"
next_step = {h}
plays = [{h}]
""")
    with open(plan_dir / "personas.toml", "a", encoding="utf-8") as fh:
        fh.write(f"""
[[persona]]
id = "evil-persona"
name = {h}
role = {h}
buying_role = "champion"
sales_owner = "luis-romero"
marketing_owner = "aisha-khan"

[persona.journey.decision]
questions = [{h}]
content_needs = [{h}]
""")
    with open(plan_dir / "content.toml", "a", encoding="utf-8") as fh:
        fh.write(f"""
[[content]]
id = {toml_str("evil" + CLEAR)}
title = {h}
format = "blog_post"
stage = "awareness"
personas = ["evil-persona"]
status = "idea"
owner = "aisha-khan"
summary = {h}
publish_date = 2026-11-03
""")
    with open(plan_dir / "glossary.toml", "a", encoding="utf-8") as fh:
        fh.write(f"""
[[term]]
id = "evil-term"
term = {h}
definition = {h}
owner_team = "shared"
""")
    return plan_dir
