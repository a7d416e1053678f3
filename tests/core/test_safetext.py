"""``visible`` and ``visible_line`` return printable text unchanged without looking at it
character by character; the answer must be the one the full escaping gives, for every
character that a terminal obeys and for text around them."""

from __future__ import annotations

import random

from tui.plan import safetext

UNSAFE = [chr(c) for c in [*range(0x00, 0x20), *range(0x7f, 0xa0), 0x200e, 0x200f, *range(0x202a, 0x202f),
                           *range(0x2066, 0x206a)]]
OTHER = list("abc XYZ 019-_.,;:'\"\\/[]{}#=") + ["é", "ß", "漢", "🙂", "\u00a0", "\u2028", "\u200b", "\ufeff", "\r\n"]


def _full_line(text: str) -> str:
    text = str(text).replace("\r\n", "\n").replace("\n", " ⏎ ").replace("\t", " ")
    return safetext._UNSAFE_LINE.sub(safetext._escape, text)


def _full(text: str) -> str:
    if "\r\n" in text:
        return "\n".join(safetext._UNSAFE.sub(safetext._escape, part) for part in text.split("\r\n"))
    return safetext._UNSAFE.sub(safetext._escape, text)


def test_every_unsafe_character_is_escaped_alone_and_in_text():
    for ch in UNSAFE:
        for text in (ch, f"Acme{ch}Corp", f"{ch}x", f"x{ch}"):
            assert safetext.visible_line(text) == _full_line(text)
            assert safetext.visible(text) == _full(text)
            shown = safetext.visible_line(text)
            assert not any(c in shown for c in UNSAFE if c != " ")


def test_random_texts_read_as_the_full_escaping_reads_them():
    rng = random.Random(11)
    pool = UNSAFE + OTHER * 4
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 12)))
        assert safetext.visible_line(text) == _full_line(text), repr(text)
        assert safetext.visible(text) == _full(text), repr(text)


def test_printable_text_comes_back_as_it_is():
    for text in ("Harbor HVAC", "Größe 3 · 漢字 🙂", ""):
        assert safetext.visible_line(text) == text and safetext.visible(text) == text
