"""Scans of a whole file's text for a set of literal words or a simple pattern.

Python's ``re`` looks at every position of a text in turn; on a 6 MB accounts file that
is a quarter of a second per pattern.  RE2 (google-re2) runs the same search as an
automaton over the bytes, about ten times faster.  It is used where its answer is
certain to be the one ``re`` would give: ASCII text (byte offsets are character
offsets) and ASCII words or patterns.  Anything else, or a machine without RE2, takes
Python's ``re`` and the same answers, only slower.
"""

from __future__ import annotations

import re

try:  # a compiled wheel; absent on an unusual platform: then Python's re does the work
    import re2 as _re2
except ImportError:  # pragma: no cover - depends on the machine
    _re2 = None

_RE2_OPTIONS = None


def _options():
    global _RE2_OPTIONS
    if _RE2_OPTIONS is None:
        _RE2_OPTIONS = _re2.Options()
        _RE2_OPTIONS.max_mem = 256 << 20  # hundreds of names make a big automaton
    return _RE2_OPTIONS


def _literal(word: str) -> bytes:
    """``word`` as an RE2 pattern of bytes matching exactly it."""
    return b"".join(bytes([c]) if chr(c).isalnum() else b"\\x%02x" % c for c in word.encode("ascii"))


def available() -> bool:
    return _re2 is not None


class Words:
    """Where any of ``words`` (lower case) is written in a text, ignoring case.

    ``starts(text)`` gives the offsets where a leftmost, non-overlapping match begins, as
    ``re.finditer`` of an alternation of the words would, which is all a prefilter needs:
    a match that overlaps an earlier one starts on the same line as it."""

    def __init__(self, words, fallback: re.Pattern):
        self.words = sorted({w.lower() for w in words}, key=len, reverse=True)
        self.fallback = fallback  # matches (at least) every place a word is written, any case
        self._ascii = None
        if _re2 is not None and self.words and all(w.isascii() for w in self.words):
            try:
                self._ascii = _re2.compile(b"|".join(_literal(w) for w in self.words), _options())
            except Exception:  # too big for the automaton's memory: the slow way
                self._ascii = None

    def starts(self, text: str) -> list[int]:
        if self._ascii is not None and text.isascii():
            return [m.start() for m in self._ascii.finditer(text.lower().encode("ascii"))]
        return [m.start() for m in self.fallback.finditer(text)]


class Pattern:
    """``re.search(pattern, text) is not None``, by RE2 on ASCII text where it can."""

    def __init__(self, pattern: str, flags: int = 0):
        self.fallback = re.compile(pattern, flags)
        self._ascii = None
        if _re2 is not None and pattern.isascii() and not flags:
            try:
                self._ascii = _re2.compile(pattern.encode("ascii"), _options())
            except Exception:  # a construct RE2 does not have: Python's re
                self._ascii = None

    def search(self, text: str) -> bool:
        if self._ascii is not None and text.isascii():
            return self._ascii.search(text.encode("ascii")) is not None
        return self.fallback.search(text) is not None
