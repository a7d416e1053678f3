"""One TOML file of a plan: its exact bytes, its data, and where things sit in it.

Reading uses rtoml (fast) and holds every file to TOML 1.0: rtoml also accepts some
TOML 1.1 syntax, so text that may use it is confirmed with the standard library's
parser, which is strict 1.0.  Syntax errors are always worded by that parser, so the
CLI and the TUI give the same answer for the same file.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import errno
import functools
import hashlib
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

import rtoml

from .problems import TomlSyntaxError, UnreadableError
from .tomlindex import UNKNOWN, PartialIndex, TomlIndex, header_line, index_toml, reindex, top_level_split

BOM = "\ufeff"
# Git writes `<<<<<<< ours`, `||||||| base` (diff3), `=======` and `>>>>>>> theirs` at the
# start of lines.  A line of seven `=` alone is also a heading underline in text, so it
# only counts when the file holds one of the other markers too.
_CONFLICT_SIDE = re.compile(r"^(<{7}|\|{7}|>{7})(?: |\r?$)", re.M)
_CONFLICT_SPLIT = re.compile(r"^={7}\r?$", re.M)
# A time followed by a UTC offset: the data may hold a datetime with rtoml's own tzinfo.
_OFFSET = re.compile(r"\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:[Zz]|[+-]\d\d:\d\d)")
_OFFSET_TAIL = re.compile(_OFFSET.pattern[len(r"\d\d"):])  # from the colon: a literal to scan for


def _has_offset(text: str) -> bool:
    """``_OFFSET.search(text) is not None``, several times faster on a big file: the
    search runs from each colon (a literal the engine finds quickly) and the two digits
    before it are checked by hand."""
    pos = 0
    while True:
        m = _OFFSET_TAIL.search(text, pos)
        if m is None:
            return False
        i = m.start()
        if i >= 2 and text[i - 2: i].isdecimal():  # what \d matches
            return True
        pos = i + 1

MAX_FILE_BYTES = 64 * 1024 * 1024
"""The largest plan file read (64 MiB, far beyond any real plan; a plan of 10,000
accounts is about 3 MB).  ``QUARTERDECK_MAX_FILE_BYTES`` sets another limit."""
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
    m = conflict_marker(text)
    if m is not None:
        line = text.count("\n", 0, m) + 1
        raise TomlSyntaxError(
            "git conflict marker: this file holds an unfinished merge. Resolve the "
            "conflict (keep one side of each <<<<<<< ======= >>>>>>> block), then run again",
            file=name, line=line, col=1, code="toml.conflict",
        )
    try:
        data = rtoml.loads(text)
    except Exception as fast_error:  # noqa: BLE001 - rtoml raises its own error type
        import tomllib  # (only for what rtoml refused, or may have taken for newer TOML)

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
        import tomllib

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
    if _has_offset(text):
        data = _plain_datetimes(data)
    return data


def _splittable(text: str) -> bool:
    """Whether a text may be taken apart table by table at all (``top_level_split`` then
    says whether it can be): no byte order mark, conflict marker or TOML 1.1 syntax."""
    return not (text.startswith(BOM) or conflict_marker(text) is not None or _maybe_toml11(text))


def parse_toml_like(text: str, name: str, like: "TomlFile") -> dict | None:
    """``parse_toml(text)`` for a revision of the file ``like`` (an already parsed
    version): top-level tables whose text is the same in both are taken from ``like``'s
    data, and only the others are parsed.  A quarter's diff of a 10,000-account file
    where 3% changed then parses 3% of the older side.

    A table's text that stands on its own (``tomlindex.top_level_split``) means the same
    wherever it sits, and ``like`` parsed, so a table taken from it is valid.  None
    (parse the whole text the usual way) whenever anything is unusual, and whenever the
    tables parsed here do not parse: the whole parse then says where the error is."""
    if not _splittable(text):
        return None
    ours, theirs = top_level_split(text), top_level_split(like.text)
    if ours is None or theirs is None or not isinstance(like.data, dict):
        return None
    known: dict[str, list[tuple]] = {}
    for key, start, stop in theirs[1]:
        known.setdefault(like.text[start:stop], []).append(key)
    taken: dict[tuple, object] = {}
    rest: list[tuple[tuple, str]] = []
    for key, start, stop in ours[1]:
        piece = text[start:stop]
        same = known.get(piece)
        value = _dig_key(like.data, same.pop(0)) if same else None
        if value is None:
            rest.append((key, piece))
        else:
            taken[key] = value
    try:
        root = parse_toml(text[:ours[0]], name)
        parsed = parse_toml("\n".join(p if p.endswith("\n") else p + "\n" for _, p in rest), name) if rest else {}
    except TomlSyntaxError:
        return None
    out = dict(root)
    counts: dict[str, int] = {}
    for key, _, _ in ours[1]:
        top = key[0]
        if top in root:
            return None  # a root key that a table also defines: the whole parse says so
        if len(key) == 1:
            out[top] = taken[key] if key in taken else parsed.get(top)
        else:
            if key in taken:
                out.setdefault(top, []).append(taken[key])
            else:
                n = counts.get(top, 0)
                counts[top] = n + 1
                items = parsed.get(top)
                if not isinstance(items, list) or n >= len(items):
                    return None
                out.setdefault(top, []).append(items[n])
    if any(isinstance(parsed.get(top), list) and len(parsed[top]) != n for top, n in counts.items()):
        return None
    if any(v is None for v in out.values()):
        return None
    return out


_TOP_ID = re.compile(r"""^[ \t]*(?:id|"id"|'id')[ \t]*=[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)')[ \t]*(?:#[^\n]*)?\r?$""", re.M)


def _own_id(piece: str) -> str | None:
    """The ``id`` written in a top-level table's own lines (before any nested header),
    when it is a plain string; else None."""
    end = piece.find("\n[")
    own = piece if end < 0 else piece[:end]
    found = None
    for m in _TOP_ID.finditer(own):
        if found is not None:
            return None  # two: the parse will say which, not a search
        found = m.group(1) if m.group(1) is not None else m.group(2)
    return found


_ID_LINE = re.compile(r"""\n[ \t]*(?:id|"id"|'id')[ \t]*=[ \t]*(?:"([^"\\\n]*)"|'([^'\n]*)')""")


def _id_counts(text: str, ids: set[str]) -> dict[str, int]:
    """How many lines of ``text`` write ``id = "x"`` (any quoting) for each x of ``ids``.
    (The search starts each line with a literal newline: found at C speed.)"""
    counts: dict[str, int] = {}
    for double, single in _ID_LINE.findall("\n" + text):
        key = double or single
        if key in ids:
            counts[key] = counts.get(key, 0) + 1
    return counts


def changed_tables(old: str, new: str) -> tuple[str, str] | None:
    """Two versions of a file's text cut down to what differs, for comparing their
    entities: the text before the first header, then each top-level table whose text is
    not found, the same, on the other side (a table that moved is the same).  A table
    whose text is the same on both sides holds the same entities on both, so leaving it
    out of both changes nothing the comparison finds; a quarter's 10,000-account file
    where 3% changed is then parsed 3% per side instead of whole.

    None (compare the whole files) whenever that could be wrong or is not sure: a text
    ``top_level_split`` cannot cut, a byte order mark, a conflict marker, TOML 1.1
    syntax, an escape that could spell an id, a table kept without a plain ``id`` of its
    own (an entity without an id is named by its place, which the cut changes), or an
    id of a table kept that is also written elsewhere in the file (two entities with one
    id: which one counts depends on the others)."""
    for text in (old, new):
        if not _splittable(text) or "\\u" in text or "\\U" in text:
            return None
    a, b = top_level_split(old), top_level_split(new)
    if a is None or b is None:
        return None
    pieces_a = [old[start:stop] for _, start, stop in a[1]]
    pieces_b = [new[start:stop] for _, start, stop in b[1]]
    left: dict[str, int] = {}
    for piece in pieces_a:
        left[piece] = left.get(piece, 0) + 1
    kept_b = []
    for piece in pieces_b:
        n = left.get(piece, 0)
        if n:
            left[piece] = n - 1
        else:
            kept_b.append(piece)
    kept_a = []
    for piece in pieces_a:  # what is left over of the older side, in its own order
        n = left.get(piece, 0)
        if n:
            left[piece] = n - 1
            kept_a.append(piece)
    out = []
    for text, split, kept in ((old, a, kept_a), (new, b, kept_b)):
        ids = [_own_id(piece) for piece in kept]
        if any(i is None for i in ids):
            return None
        cut = text[:split[0]] + "".join(p if p.endswith("\n") else p + "\n" for p in kept)
        if ids:
            whole, here = _id_counts(text, set(ids)), _id_counts(cut, set(ids))
            if whole != here:
                return None
        out.append(cut)
    return out[0], out[1]


_PLAIN_ID = re.compile(r"[A-Za-z0-9_.-]+")
_HIDING = (b'"""', b"'''", b"\\u", b"\\U")  # a multi-line string, or an escape that can spell an id


def hides_ids(raw: bytes) -> bool:
    """Whether a file's bytes hold something a plain search for an id could miss (a
    multi-line string, a ``\\u`` escape): ``tables_with_id`` then answers ``UNKNOWN``."""
    return any(s in raw for s in _HIDING)  # (searches of bytes: faster than of text, or a regex)


def tables_with_id(raw: bytes, array: str, eid: str, name: str = "<text>",
                   hiding: bool | None = None) -> list[dict] | object:
    """The elements of the top-level array of tables ``[[array]]`` whose ``id`` is
    ``eid``, in file order, found in a file's bytes without parsing (or decoding) all of
    it: the places where the id is written are looked up, and only the tables around
    them parsed.  The history of one entity reads a 10,000-entity file at a dozen
    revisions; a whole parse of each is seconds, this is milliseconds.

    ``UNKNOWN`` whenever the text could hide the answer from a plain search: a
    multi-line string (a header-like line may sit in one), a ``\\u`` escape (it can spell
    an id), an id that is not a plain word, an id written outside such a table, a
    table that does not parse on its own.  The caller then parses the whole text.  For a
    file that parses as a whole, an answer given here is the one that parse gives (one
    that does not may still give one: the tables around the id are all it reads).
    ``hiding``: ``hides_ids(raw)``, when the caller knows it already."""
    if raw.startswith(BOM.encode("utf-8")):
        raw = raw[3:]
    if not _PLAIN_ID.fullmatch(eid) or (hides_ids(raw) if hiding is None else hiding):
        return UNKNOWN
    spans: dict[int, int] = {}
    for literal in (f'"{eid}"'.encode(), f"'{eid}'".encode()):
        at = raw.find(literal)
        while at >= 0:
            span = _table_around(raw, at, array)
            if span is None:
                return UNKNOWN
            spans[span[0]] = span[1]
            at = raw.find(literal, at + len(literal))
    found = []
    for start in sorted(spans):
        try:
            piece = raw[start:spans[start]].decode("utf-8")
            data = parse_toml(piece if piece.endswith("\n") else piece + "\n", name)
        except (TomlSyntaxError, UnicodeDecodeError):
            return UNKNOWN
        items = data.get(array)
        if set(data) != {array} or not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
            return UNKNOWN
        if str(items[0].get("id", "")) == eid:
            found.append(items[0])
    return found


def _header_at(raw: bytes, start: int):
    """``tomlindex.header_line`` of the line of ``raw`` starting at ``start``."""
    end = raw.find(b"\n", start)
    line = raw[start: end if end >= 0 else len(raw)]
    if b"[" not in line:
        return None
    try:
        return header_line(line.decode("utf-8"))
    except UnicodeDecodeError:
        return None


def _table_around(raw: bytes, at: int, array: str) -> tuple[int, int] | None:
    """[start, stop) of the ``[[array]]`` table (with the tables nested in it) that holds
    offset ``at``; None when ``at`` is in some other table or before any."""
    line = raw.rfind(b"\n", 0, at) + 1  # the start of the line holding ``at``
    while True:
        head = _header_at(raw, line)
        if head is not None:
            is_array, parts = head
            if parts == (array,) and is_array:
                break
            if not parts or parts[0] != array:
                return None
        if line == 0:
            return None
        line = raw.rfind(b"\n", 0, line - 1) + 1
    start = line
    pos = raw.find(b"\n", start)
    while pos >= 0:
        head = _header_at(raw, pos + 1)
        if head is not None and (not head[1] or head[1][0] != array or head[1] == (array,)):
            return start, pos + 1
        pos = raw.find(b"\n", pos + 1)
    return start, len(raw)


def _dig_key(data: dict, key: tuple):
    value = data.get(key[0])
    if len(key) == 1:
        return value if isinstance(value, dict) else None
    return value[key[1]] if isinstance(value, list) and key[1] < len(value) and isinstance(value[key[1]], dict) else None


def conflict_marker(text: str) -> int | None:
    """Offset of the first git conflict marker in ``text``, or None.  Markers count
    wherever they are, inside a multi-line string too (an unfinished merge may split
    one); a lone `=======` line without `<<<<<<<`/`>>>>>>>` is taken as an underline."""
    if "<<<<<<<" not in text and "|||||||" not in text and ">>>>>>>" not in text:
        return None  # (a quick test first: the pattern tries every line of a big file)
    side = _CONFLICT_SIDE.search(text)
    if side is None:
        return None
    split = _CONFLICT_SPLIT.search(text)
    return min(side.start(), split.start()) if split else side.start()


def _plain_datetimes(value):
    """``value`` with every offset datetime given a standard-library timezone: rtoml's
    own tzinfo cannot be copied or pickled, and tomlkit cannot render it."""
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, (dict, list, _dt.datetime)):
                value[k] = _plain_datetimes(v)
        return value
    if isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, (dict, list, _dt.datetime)):
                value[i] = _plain_datetimes(v)
        return value
    if isinstance(value, _dt.datetime) and value.tzinfo is not None and type(value.tzinfo) is not _dt.timezone:
        return value.replace(tzinfo=_dt.timezone(value.utcoffset()))
    return value


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
    _partial: PartialIndex | None = field(default=None, repr=False, compare=False)  # see locate()

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

    @functools.cached_property
    def newline(self) -> str:  # (cached: two counts over a big file's text are not free)
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

    def locate(self, path: tuple):
        """``self.index.locate(path)``, without indexing the whole text when it has not
        been indexed yet: only the top-level table holding ``path`` is scanned (see
        ``tomlindex.PartialIndex``).  Checking a big plan needs a few positions only."""
        if self._index is None and (self._previous is None or self._previous._index is None):
            loc = self._partial_index().locate(path)
            if loc is not UNKNOWN:
                return loc
        return self.index.locate(path)

    def top_level_regions(self) -> dict[tuple, tuple[int, int]] | None:
        """Each top-level table -> the [start, stop) offsets of its text, when the
        file's layout allows finding them without indexing it (else None)."""
        return self._partial_index().regions()

    def top_level_table(self, key: tuple) -> tuple[int, int, TomlIndex] | None:
        """The text span of one top-level table and its own index (lines counted from
        its start), without indexing the whole file; None when that cannot be done.
        (Also when the whole index exists: an edit then needs no whole parse either.)"""
        return self._partial_index().table(key)

    @property
    def indexed(self) -> bool:
        """Whether the whole file's position index is built (then it answers at once)."""
        return self._index is not None

    def top_level_lines(self, key: tuple) -> tuple[int, int] | None:
        """``edit.entity_span`` of a top-level table (lines [first, end), trailing blank
        and comment lines left out) without indexing the whole file; None when the file
        is indexed already (its index answers at once) or the table cannot be told apart."""
        if self._index is not None:
            return None
        return self._partial_index().table_lines(key)

    def after_table_edit(self, before: "TomlFile", key: tuple, start: int, stop: int) -> None:
        """This file is ``before`` with the text of its top-level table ``key`` (then at
        [start, stop)) replaced: the other tables' places are shifted instead of found
        again (see ``PartialIndex.shifted``)."""
        old = before._partial
        if self._index is None and old is not None and old.regions() is not None:
            self._partial = old.shifted(key, start, stop, self.text, self.data)

    def _partial_index(self) -> PartialIndex:
        if self._partial is None:
            self._partial = PartialIndex(self.text, self.data)
        return self._partial

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
    def from_bytes(cls, path: Path, raw: bytes, name: str | None = None, like: "TomlFile | None" = None) -> "TomlFile":
        """``like``: another version of this file, already parsed (see ``parse_toml_like``)."""
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
        data = parse_toml_like(text, name, like) if like is not None else None
        if data is None:
            data = parse_toml(text, name)
        return cls(path=path, name=name, raw=raw, text=text, data=data, bom=bom)

    @classmethod
    def read(cls, path: Path, name: str | None = None, *, boundary: Path | None = None) -> "TomlFile":
        """Read a plan file (see ``read_plan_bytes`` for what is refused)."""
        raw = read_plan_bytes(Path(path), name or str(path), boundary=boundary)
        return cls.from_bytes(Path(path), raw, name)


def max_file_bytes() -> int:
    value = os.environ.get("QUARTERDECK_MAX_FILE_BYTES", "")
    try:
        return int(value) if int(value) > 0 else MAX_FILE_BYTES
    except ValueError:
        return MAX_FILE_BYTES


def plan_boundary(folder: Path) -> Path:
    """The folder plan files must stay inside: the git work tree holding ``folder``
    (the nearest parent with a ``.git``), else ``folder`` itself; fully resolved."""
    here = Path(os.path.realpath(os.path.abspath(folder)))
    for candidate in (here, *here.parents):
        if os.path.lexists(candidate / ".git"):
            return candidate
    return here


def _inside(path: str, folder: Path) -> bool:
    try:
        return os.path.commonpath([path, str(folder)]) == str(folder)
    except ValueError:
        return False


def read_plan_bytes(path: Path, name: str, *, boundary: Path | None = None) -> bytes:
    """The bytes of a plan file, refusing what a hostile change could use to hang, exhaust
    or read out the machine: a symlink that leads outside the repository (or the plan
    folder, outside git), anything that is not a regular file (a FIFO would block, a
    device never ends) and a file larger than ``max_file_bytes()``.  Symlinks that stay
    inside are followed.  Nothing is read before those checks; the open never blocks."""
    path = Path(path)
    where = boundary if boundary is not None else plan_boundary(path.parent)
    where = Path(os.path.realpath(where))
    real = os.path.realpath(path)
    if not os.path.lexists(path):
        raise UnreadableError(f"{path}: no such file", file=name, code="io.missing")
    if not _inside(real, where):
        raise UnreadableError(
            f"{name} is a symbolic link to a file outside the plan's repository; it was not read. Plan files must "
            "live inside the repository: replace the link with the file itself", file=name, code="io.outside")
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise UnreadableError(f"{path}: no such file (a link to a file that does not exist)", file=name,
                              code="io.missing") from None
    except IsADirectoryError:
        raise UnreadableError(f"{path} is a folder, not a file", file=name, code="io.unreadable") from None
    except OSError as exc:
        raise UnreadableError(f"cannot read {path}: {exc.strerror}", file=name, code="io.unreadable") from None
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise UnreadableError(f"{path} is a folder, not a file", file=name, code="io.unreadable")
        if not stat.S_ISREG(st.st_mode):
            what = ("a named pipe (FIFO)" if stat.S_ISFIFO(st.st_mode) else
                    "a device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode) else
                    "a socket" if stat.S_ISSOCK(st.st_mode) else "not a regular file")
            raise UnreadableError(f"{name} is {what}, not a regular file; it was not read. Plan files must be "
                                  "ordinary files", file=name, code="io.not-regular")
        limit = max_file_bytes()
        if st.st_size > limit:
            raise UnreadableError(
                f"{name} is {st.st_size:,} bytes, more than the {limit:,} a plan file may have; it was not read "
                "(QUARTERDECK_MAX_FILE_BYTES sets another limit)", file=name, code="io.too-large")
        chunks, total = [], 0
        while True:
            # the whole file in one read as a rule (one copy of a big file, not two)
            chunk = os.read(fd, min(st.st_size + 1 if not total else 1 << 20, limit + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            if total > limit:
                raise UnreadableError(f"{name} grew past {limit:,} bytes while it was read; it was not used",
                                      file=name, code="io.too-large")
        return b"".join(chunks)
    except OSError as exc:
        if exc.errno == errno.EISDIR:
            raise UnreadableError(f"{path} is a folder, not a file", file=name, code="io.unreadable") from None
        raise UnreadableError(f"cannot read {path}: {exc.strerror}", file=name, code="io.unreadable") from None
    finally:
        os.close(fd)
