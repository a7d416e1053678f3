"""One TOML file of a plan: its exact bytes, its data, and where things sit in it.

Reading uses rtoml (fast) and holds every file to TOML 1.0: rtoml also accepts some
TOML 1.1 syntax, so text that may use it is confirmed with the standard library's
parser, which is strict 1.0.  Syntax errors are always worded by that parser, so the
CLI and the TUI give the same answer for the same file.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import rtoml

from .problems import TomlSyntaxError, UnreadableError
from .tomlindex import TomlIndex, index_toml, reindex

BOM = "\ufeff"
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7})(?: |\r?$)", re.M)
# Constructs that TOML 1.1 allows and 1.0 does not (newlines or a trailing comma in
# inline tables, \x and \e escapes, times without seconds).  A match only means
# "ask the strict parser too"; it may be a false alarm inside a string.
# Separate patterns, each starting with a literal character: one alternation of them
# was thirty times slower on a big file.
_MAYBE_TOML11 = tuple(re.compile(p) for p in (r"\{[^}\n]*(?:\n|,\s*\})", r"\\[xe]", r":\d\d(?![:\d])"))
_LINE_COL = re.compile(r"line (\d+),? column (\d+)")


def _tomllib_error(exc: Exception, source: str) -> tuple[str, int, int]:
    text = str(exc)
    m = _LINE_COL.search(text)
    if m:
        line, col = int(m.group(1)), int(m.group(2))
    else:  # "at end of document": point at the last line
        lines = source.split("\n")
        while len(lines) > 1 and not lines[-1].strip():
            lines.pop()
        line, col = len(lines), len(lines[-1].rstrip("\r")) + 1
    msg = re.sub(r"\s*\(at line \d+, column \d+\)|\s*\(at end of document\)", "", text)
    return msg, line, col


def parse_toml(text: str, name: str = "<text>") -> dict:
    """Parse TOML 1.0 text; raise TomlSyntaxError with a line and column."""
    if text.startswith(BOM):
        raise TomlSyntaxError("invalid TOML: a byte-order mark may only appear once, at the very start of the file; "
                              "remove the extra one", file=name, line=1, col=1, code="toml.syntax")
    m = _CONFLICT.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise TomlSyntaxError(
            "git conflict marker: this file holds an unfinished merge. Resolve the "
            "conflict (keep one side of each <<<<<<< ======= >>>>>>> block), then run again",
            file=name, line=line, col=1, code="toml.conflict",
        )
    try:
        data = rtoml.loads(text)
    except Exception as fast_error:  # noqa: BLE001 - rtoml raises its own error type
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg, line, col = _tomllib_error(exc, text)
            raise TomlSyntaxError(f"invalid TOML: {msg}", file=name, line=line, col=col, code="toml.syntax") from None
        except RecursionError:
            raise TomlSyntaxError("invalid TOML: values are nested too deeply", file=name, line=1, col=1, code="toml.syntax") from None
        msg = str(fast_error)
        m = _LINE_COL.search(msg)
        line, col = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
        msg = re.sub(r"\s*at line \d+ column \d+", "", msg)
        raise TomlSyntaxError(f"invalid TOML: {msg}", file=name, line=line, col=col, code="toml.syntax") from None
    if _maybe_toml11(text):
        try:
            tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            msg, line, col = _tomllib_error(exc, text)
            raise TomlSyntaxError(
                f"invalid TOML 1.0: {msg} (newer TOML syntax is not accepted)",
                file=name, line=line, col=col, code="toml.syntax",
            ) from None
        except RecursionError:
            raise TomlSyntaxError("invalid TOML: values are nested too deeply", file=name, line=1, col=1, code="toml.syntax") from None
    return data


def _maybe_toml11(text: str) -> bool:
    braces, escapes, minutes = _MAYBE_TOML11
    if braces.search(text) or escapes.search(text):
        return True
    for m in minutes.finditer(text):  # HH:MM without seconds (not the :SS of HH:MM:SS)
        i = m.start()
        if text[i - 2: i].isdigit() and not (text[i - 3: i - 2] == ":" and text[i - 5: i - 3].isdigit()):
            return True
    return False


def dominant_newline(text: str) -> str:
    crlf = text.count("\r\n")
    return "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"


def digest(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


@dataclass
class TomlFile:
    """A TOML file as read: bytes, text, data, and a lazily built position index."""

    path: Path  # as given (may be a symlink)
    name: str  # name used in messages, e.g. "accounts.toml"
    raw: bytes
    text: str  # decoded, without the byte-order mark
    data: dict
    bom: bool = False
    disk: str | None = None  # hash of the bytes on disk when read, if the text has edits not saved yet
    _index: TomlIndex | None = field(default=None, repr=False)
    _previous: "TomlFile | None" = field(default=None, repr=False)  # the version this one was edited from

    @functools.cached_property
    def sha256(self) -> str:
        return digest(self.raw)

    @property
    def disk_sha256(self) -> str:
        """Hash of the file as it was on disk when read or last saved."""
        return self.disk or self.sha256

    @property
    def dirty(self) -> bool:
        return self.disk is not None and self.disk != self.sha256

    @property
    def newline(self) -> str:
        return dominant_newline(self.text)

    @property
    def index(self) -> TomlIndex:
        if self._index is None:
            before = self._previous
            if before is not None and before._index is not None:
                self._index = reindex(before._index, before.text, self.text)
            if self._index is None:
                self._index = index_toml(self.text)
            self._previous = None
        return self._index

    def saved(self) -> "TomlFile":
        """This file as it is once its bytes are on disk (nothing left unsaved)."""
        return dataclasses.replace(self, disk=None)

    def based_on(self, disk_sha256: str) -> "TomlFile":
        """This text, to be saved over the disk version with hash ``disk_sha256``."""
        return dataclasses.replace(self, disk=disk_sha256)

    def encode(self, text: str) -> bytes:
        """Bytes for ``text`` as this file stores them (the BOM kept)."""
        return ((BOM if self.bom else "") + text).encode("utf-8")

    @classmethod
    def from_bytes(cls, path: Path, raw: bytes, name: str | None = None) -> "TomlFile":
        name = name or path.name
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = raw[: exc.start].count(b"\n") + 1
            col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
            raise TomlSyntaxError(
                "the file is not UTF-8 text: save it as UTF-8 (TOML files must be UTF-8)",
                file=name, line=line, col=col, code="toml.encoding",
            ) from None
        bom = text.startswith(BOM)
        if bom:
            text = text[1:]
        data = parse_toml(text, name)
        return cls(path=path, name=name, raw=raw, text=text, data=data, bom=bom)

    @classmethod
    def read(cls, path: Path, name: str | None = None) -> "TomlFile":
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise UnreadableError(f"{path}: no such file", file=name or str(path), code="io.missing") from None
        except IsADirectoryError:
            raise UnreadableError(f"{path} is a folder, not a file", file=name or str(path), code="io.unreadable") from None
        except OSError as exc:
            raise UnreadableError(f"cannot read {path}: {exc.strerror}", file=name or str(path), code="io.unreadable") from None
        return cls.from_bytes(Path(path), raw, name)
