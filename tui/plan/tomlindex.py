"""Where things sit in a TOML text.

The data of a plan file is read by a fast parser that knows nothing of positions.
This module walks the same text once more and records, for every table header and
every key (array elements and inline-table keys included), the resolved path of the
value and its line and column.  It assumes the text is valid TOML (the parser has
already said so) and is written to be fast on the common one-line ``key = value``.

Paths are tuples of keys and array indices, exactly as they are in the parsed data:
``("account", 3, "committee", 0, "persona")``.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

_BARE = r"[A-Za-z0-9_-]+"
_BASIC = r'"(?:[^"\\\n]|\\.)*"'
_LITERAL = r"'[^'\n]*'"
_KEYPART = rf"(?:{_BARE}|{_BASIC}|{_LITERAL})"
_KEY = rf"{_KEYPART}(?:[ \t]*\.[ \t]*{_KEYPART})*"
_KEYPART_RE = re.compile(rf"[ \t]*({_KEYPART})[ \t]*\.?")

# A whole simple line: `key = scalar-or-one-line-string  # comment`
_SIMPLE_VALUE = (
    rf"(?:{_BASIC}(?!\")|{_LITERAL}(?!')|"
    r"[0-9A-Za-z_+\-.:]+(?:[ ][0-9]{2}:[0-9:.+\-Zz]+)?|\[[ \t]*\]|\{[ \t]*\})"
)
_SIMPLE_LINE = re.compile(rf"[ \t]*({_KEY})[ \t]*=[ \t]*({_SIMPLE_VALUE})[ \t]*(?:#[^\n]*)?\r?$")
_BLANK_OR_COMMENT = re.compile(r"[ \t]*(?:#[^\n]*)?\r?$")
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY})[ \t]*\]\]?[ \t]*(?:#[^\n]*)?\r?$")
_LINE_BODY = (
    rf"[ \t]*(?:(?P<skey>{_KEY})[ \t]*=[ \t]*{_SIMPLE_VALUE}"
    rf"|(?P<hopen>\[\[?)[ \t]*(?P<hkey>{_KEY})[ \t]*\]\]?)?[ \t]*(?:#[^\n]*)?\r?$"
)
_LINE = re.compile(_LINE_BODY)
_LINE_ALL = re.compile("^" + _LINE_BODY, re.M)
_KEY_EQ = re.compile(rf"[ \t]*({_KEY})[ \t]*=[ \t]*")
_WS = re.compile(r"[ \t]*")
_WS_NL_COMMENT = re.compile(r"(?:[ \t\r\n]|#[^\n]*)*")
_BASIC_STR = re.compile(_BASIC)
_LITERAL_STR = re.compile(_LITERAL)
_SCALAR = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})?)?"
    r"|[^\s,\]\}#]+"
)


def _unquote(part: str) -> str:
    if part.startswith('"'):
        import tomllib

        return tomllib.loads(f"k = {part}")["k"]
    if part.startswith("'"):
        return part[1:-1]
    return part


@functools.lru_cache(maxsize=4096)
def split_key(key: str) -> tuple[str, ...]:
    """Split a dotted TOML key (``a."b.c".d``) into its parts."""
    parts = []
    pos = 0
    while pos < len(key):
        m = _KEYPART_RE.match(key, pos)
        if not m or m.end() == pos:
            break
        parts.append(_unquote(m.group(1)))
        pos = m.end()
    return tuple(parts)


@dataclass(slots=True)
class Header:
    path: tuple  # resolved path; for [[x]] it ends with the element's index
    is_array: bool
    line: int  # 0-based
    col: int
    offset: int  # offset of the start of the header's line


@dataclass(slots=True)
class Loc:
    line: int  # 0-based
    col: int
    end_line: int  # line on which the value ends


@dataclass
class TomlIndex:
    headers: list[Header] = field(default_factory=list)
    keys: dict[tuple, Loc] = field(default_factory=dict)
    line_offsets: list[int] = field(default_factory=list)

    @functools.cached_property
    def header_numbers(self) -> dict[tuple, int]:
        """Path of each header -> its place in ``headers``."""
        return {h.path: i for i, h in enumerate(self.headers)}

    def line_of_offset(self, offset: int) -> int:
        return bisect.bisect_right(self.line_offsets, offset) - 1

    def locate(self, path: tuple) -> Loc | None:
        """The position of ``path``, or of its nearest ancestor that has one."""
        path = tuple(path)
        while path:
            loc = self.keys.get(path)
            if loc is not None:
                return loc
            path = path[:-1]
        return None


def line_offsets(text: str, start: int = 0) -> list[int]:
    """Offsets of the starts of the lines of ``text`` from ``start`` on."""
    offsets = [start]
    find = text.find
    pos = find("\n", start)
    while pos != -1:
        offsets.append(pos + 1)
        pos = find("\n", pos + 1)
    return offsets


class _Scanner:
    def __init__(self, text: str, offsets: list[int] | None = None):
        self.text = text
        self.index = TomlIndex()
        self.aot_counts: dict[tuple, int] = {}
        self.table: tuple = ()
        self.index.line_offsets = line_offsets(text) if offsets is None else offsets

    # -- helpers -------------------------------------------------------------
    def _resolve(self, parts: tuple) -> tuple:
        """Insert the current index of every array of tables along ``parts``."""
        out: list = []
        for part in parts:
            out.append(part)
            count = self.aot_counts.get(tuple(out))
            if count is not None:
                out.append(count - 1)
        return tuple(out)

    def _record(self, path: tuple, offset: int, end_offset: int) -> None:
        idx = self.index
        line = idx.line_of_offset(offset)
        end_line = idx.line_of_offset(max(offset, end_offset - 1)) if end_offset > offset else line
        idx.keys[path] = Loc(line, offset - idx.line_offsets[line], end_line)

    # -- values ------------------------------------------------------------
    def _value(self, pos: int, path: tuple) -> int:
        """Scan the value starting at ``pos``; return the offset after it."""
        text = self.text
        if text.startswith('"""', pos) or text.startswith("'''", pos):
            quote = text[pos : pos + 3]
            search = pos + 3
            while True:
                end = text.find(quote, search)
                if end == -1:
                    return len(text)
                if quote == '"""':
                    backslashes = 0
                    k = end - 1
                    while k >= search and text[k] == "\\":
                        backslashes += 1
                        k -= 1
                    if backslashes % 2:
                        search = end + 1
                        continue
                end += 3
                extra = 0
                while extra < 2 and end < len(text) and text[end] == quote[0]:
                    end += 1
                    extra += 1
                return end
        char = text[pos] if pos < len(text) else ""
        if char == '"':
            m = _BASIC_STR.match(text, pos)
            return m.end() if m else pos + 1
        if char == "'":
            m = _LITERAL_STR.match(text, pos)
            return m.end() if m else pos + 1
        if char == "[":
            pos += 1
            i = 0
            while True:
                pos = _WS_NL_COMMENT.match(text, pos).end()
                if pos >= len(text) or text[pos] == "]":
                    return pos + 1
                start = pos
                pos = self._value(pos, path + (i,))
                self._record(path + (i,), start, pos)
                i += 1
                pos = _WS_NL_COMMENT.match(text, pos).end()
                if pos < len(text) and text[pos] == ",":
                    pos += 1
        if char == "{":
            pos += 1
            while True:
                pos = _WS_NL_COMMENT.match(text, pos).end()
                if pos >= len(text) or text[pos] == "}":
                    return pos + 1
                m = _KEY_EQ.match(text, pos)
                if not m:
                    return pos + 1
                key_path = path + split_key(m.group(1))
                start = pos
                pos = self._value(m.end(), key_path)
                self._record(key_path, start, pos)
                pos = _WS_NL_COMMENT.match(text, pos).end()
                if pos < len(text) and text[pos] == ",":
                    pos += 1
        m = _SCALAR.match(text, pos)
        return m.end() if m else pos + 1

    # -- statements ----------------------------------------------------------
    def _header(self, m, line: int, start: int) -> None:
        parts = split_key(m.group("hkey"))
        if m.group("hopen") == "[[":
            resolved = self._resolve(parts[:-1]) + (parts[-1],)
            count = self.aot_counts.get(resolved, 0)
            self.aot_counts[resolved] = count + 1
            path = resolved + (count,)
            is_array = True
        else:
            path = self._resolve(parts)
            is_array = False
        self._table_path = path
        col = m.start("hopen") - start
        self.index.headers.append(Header(path, is_array, line, col, start))
        self.index.keys[path] = Loc(line, col, line)

    def _complex(self, line: int) -> int:
        """Index the statement on ``line`` (a value spanning lines, or something the
        line patterns do not know); return the line after it."""
        text = self.text
        offsets = self.index.line_offsets
        start = offsets[line]
        end = offsets[line + 1] - 1 if line + 1 < len(offsets) else len(text)
        m = _LINE.match(text, start, end)
        if m and m.group("hkey") is not None:
            self._header(m, line, start)
            return line + 1
        m = _KEY_EQ.match(text, start, end)
        if not m:  # not valid TOML; the parser reports it
            return line + 1
        path = self._table_path + split_key(m.group(1))
        value_end = self._value(m.end(), path)
        end_line = self.index.line_of_offset(max(value_end - 1, start))
        self.index.keys[path] = Loc(line, m.start(1) - start, end_line)
        if value_end >= len(text):
            return len(offsets)
        return self.index.line_of_offset(value_end) + 1

    def run(self, first: int = 0, stop: int | None = None) -> TomlIndex:
        """One pass of a line pattern over lines [first, stop) for the common lines
        (blank, comment, header, ``key = one-line value``); the rest one statement at a
        time."""
        text = self.text
        offsets = self.index.line_offsets
        stop = len(offsets) if stop is None else stop
        end_offset = offsets[stop] if stop < len(offsets) else len(text)
        keys = self.index.keys
        line = first  # the line the next statement starts on
        pos = offsets[first] if first < len(offsets) else len(text)  # and its offset
        for m in _LINE_ALL.finditer(text, pos, end_offset):
            at = m.start()
            if at < pos:
                continue  # inside a value already indexed
            while at > pos:  # lines the pattern skipped: multi-line values
                line = self._complex(line)
                pos = offsets[line] if line < len(offsets) else len(text) + 1
            if at < pos:
                continue
            skey = m.group("skey")
            if skey is not None:
                keys[self._table_path + split_key(skey)] = Loc(line, m.start("skey") - at, line)
            elif m.group("hkey") is not None:
                self._header(m, line, at)
            line += 1
            pos = offsets[line] if line < len(offsets) else len(text) + 1
        while line < stop and pos <= end_offset:
            line = self._complex(line)
            pos = offsets[line] if line < len(offsets) else len(text) + 1
        return self.index

    _table_path: tuple = ()


def index_toml(text: str) -> TomlIndex:
    """Index the positions of headers and keys in ``text`` (valid TOML)."""
    return _Scanner(text).run()


def is_blank_or_comment(line: str) -> bool:
    """True for a line that holds nothing but blanks and perhaps a comment."""
    return _BLANK_OR_COMMENT.match(line) is not None


def value_span(index: TomlIndex, text: str, path: tuple) -> tuple[int, int] | None:
    """Character offsets [start, end) of the value at ``path`` (a key's value or an
    array element) in ``text``, which ``index`` indexes; None when no value is there."""
    loc = index.keys.get(path)
    if loc is None:
        return None
    offset = index.line_offsets[loc.line] + loc.col
    if isinstance(path[-1], int):
        start = offset
    else:
        m = _KEY_EQ.match(text, offset)
        if not m:
            return None
        start = m.end()
    return start, _Scanner(text, index.line_offsets)._value(start, path)


def _top_level(h: Header) -> bool:
    return len(h.path) == 1 or (len(h.path) == 2 and h.is_array)


def _local(headers: list[Header]) -> bool:
    """True when every nested header belongs to the top-level table just above it, as
    in plan files (`[[goal]]` then its `[[goal.key_result]]`s).  Only then can a part of
    the text be indexed again on its own."""
    top = None
    for h in headers:
        if _top_level(h):
            top = h.path
        elif top is None or h.path[: len(top)] != top:
            return False
    return True


def _newlines(text: str, start: int, stop: int):
    pos = text.find("\n", start, stop)
    while pos != -1:
        yield pos
        pos = text.find("\n", pos + 1, stop)


def _common_prefix(a: str, b: str) -> int:
    lo, hi = 0, min(len(a), len(b))
    while lo < hi:  # binary search on slices: each comparison runs in C
        mid = (lo + hi + 1) // 2
        if a[:mid] == b[:mid]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _common_suffix(a: str, b: str, limit: int) -> int:
    lo, hi = 0, limit
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if a[len(a) - mid:] == b[len(b) - mid:]:
            lo = mid
        else:
            hi = mid - 1
    return lo


def reindex(old: TomlIndex, old_text: str, new_text: str) -> TomlIndex | None:
    """The index of ``new_text`` built from the index of ``old_text``: only the
    top-level tables the edit touched are scanned again; everything after them is
    shifted.  None when the file's layout does not allow it (index it whole)."""
    if not _local(old.headers):
        return None
    prefix = _common_prefix(old_text, new_text)
    suffix = _common_suffix(old_text, new_text, min(len(old_text), len(new_text)) - prefix)
    if prefix == len(old_text) == len(new_text):
        return old
    first_changed = old.line_of_offset(prefix)
    suffix_start_old = len(old_text) - suffix  # text from here on is the same in both
    suffix_start_new = len(new_text) - suffix
    # line starts of the new text: those in the common prefix, the ones found in the
    # changed middle, and those in the common suffix (shifted)
    char_delta = len(new_text) - len(old_text)
    offsets = old.line_offsets
    cut = bisect.bisect_right(offsets, prefix)
    tail_from = bisect.bisect_left(offsets, suffix_start_old + 1)
    middle = [p + 1 for p in _newlines(new_text, prefix, suffix_start_new)]
    new_offsets = offsets[:cut] + [o for o in middle if o > prefix] + [o + char_delta for o in offsets[tail_from:]]
    delta = len(new_offsets) - len(offsets)
    tops = [h for h in old.headers if _top_level(h)]
    start = 0
    for h in tops:
        # strictly before: text inserted just above a header can share that header's
        # first characters, and then belongs to the table before it
        if h.line < first_changed:
            start = h.line
        else:
            break
    stop_old = len(offsets)
    for h in tops:
        if h.line > start and h.line >= tail_from:  # its line start lies in the common suffix
            stop_old = h.line
            break
    scanner = _Scanner(new_text, new_offsets)
    new = scanner.index
    stop_new = stop_old + delta
    for h in tops:  # arrays of tables counted up to the region
        if h.line >= start:
            break
        if h.is_array:
            scanner.aot_counts[h.path[:1]] = h.path[1] + 1
    scanner.run(start, stop_new)
    region_headers, scanned = new.headers, new.keys
    # how many elements each top-level array gained or lost in the region
    shift: dict[str, int] = {}
    for h in region_headers:
        if _top_level(h) and h.is_array:
            shift[h.path[0]] = shift.get(h.path[0], 0) + 1
    for h in old.headers:
        if start <= h.line < stop_old and _top_level(h) and h.is_array:
            shift[h.path[0]] = shift.get(h.path[0], 0) - 1

    def moved(path: tuple) -> tuple:
        n = shift.get(path[0]) if path and isinstance(path[0], str) else None
        if n and len(path) > 1 and isinstance(path[1], int):
            return (path[0], path[1] + n) + path[2:]
        return path

    shift = {name: n for name, n in shift.items() if n}
    headers = [h for h in old.headers if h.line < start] + region_headers
    for h in old.headers:
        if h.line >= stop_old:
            headers.append(Header(moved(h.path) if shift else h.path, h.is_array, h.line + delta, h.col,
                                  new.line_offsets[h.line + delta]))
    keys: dict[tuple, Loc] = {}
    for path, loc in old.keys.items():
        if loc.line < start:
            keys[path] = loc
    keys.update(scanned)
    after = [(path, loc) for path, loc in old.keys.items() if loc.line >= stop_old]
    if shift:
        after = [(moved(path), loc) for path, loc in after]
    if delta:
        keys.update((path, Loc(loc.line + delta, loc.col, loc.end_line + delta)) for path, loc in after)
    else:
        keys.update(after)  # Loc objects are never changed in place, so they can be shared
    new.headers = headers
    new.keys = keys
    return new


# -- positions one top-level table at a time ------------------------------------------

HEADER_ALL = re.compile(rf"^[ \t]*(\[\[?)[ \t]*({_KEY})[ \t]*\]\]?[ \t]*(?:#[^\n]*)?\r?$", re.M)

_HEADER_LINE = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_KEY})[ \t]*\]\]?[ \t]*(?:#[^\n]*)?\r?$")


@functools.lru_cache(maxsize=65536)
def header_line(line: str) -> tuple[bool, tuple] | None:
    """(is it ``[[...]]``, its key's parts) when ``line`` is a header line; the same few
    lines (``[[account]]``) come back thousands of times."""
    m = _HEADER_LINE.match(line)
    return (m.group(1) == "[[", split_key(m.group(2))) if m else None


_LINE_OF_BRACKET = re.compile(r"\n(\[[^\n]*)")


def _header_lines(text: str):
    """(offset, is_array, parts) of every line of ``text`` that reads as a header, in order
    (``HEADER_ALL``'s matches).  When no line is indented, only lines starting with `[`
    can be headers: a search for "\n[" finds them in C instead of trying every line."""
    if "\n " in text or "\n\t" in text or text[:1] in (" ", "\t"):
        for m in HEADER_ALL.finditer(text):
            yield m.start(), m.group(1) == "[[", split_key(m.group(2))
        return
    if text.startswith("["):
        end = text.find("\n")
        head = header_line(text if end < 0 else text[:end])
        if head is not None:
            yield 0, head[0], head[1]
    for m in _LINE_OF_BRACKET.finditer(text):  # (a literal "\n[" first: found at C speed)
        head = header_line(m.group(1))
        if head is not None:
            yield m.start(1), head[0], head[1]


def top_level_split(text: str) -> tuple[int, list[tuple[tuple, int, int]]] | None:
    """The text of a file as its top-level tables, without its data: (where the first
    header starts, [(key, start, stop)] with keys (name,) for ``[name]`` and (name, i)
    for the i-th ``[[name]]``).  None unless each table's text stands on its own: no
    multi-line string (a header-like line could sit in one), every nested header under
    the top-level table just above it, each ``[name]`` once, no name both ways."""
    if '"""' in text or "'''" in text:
        return None
    starts: list[tuple[tuple, int]] = []
    arrays: dict[str, int] = {}
    tables: set[str] = set()
    for offset, is_array, parts in _header_lines(text):
        if not parts:
            return None
        if len(parts) == 1:
            name = parts[0]
            if is_array:
                i = arrays.get(name, 0)
                arrays[name] = i + 1
                starts.append(((name, i), offset))
            elif name in tables:
                return None
            else:
                tables.add(name)
                starts.append(((name,), offset))
        elif not starts or parts[0] != starts[-1][0][0]:
            return None
    if tables & set(arrays):
        return None
    out = [(key, start, starts[n + 1][1] if n + 1 < len(starts) else len(text)) for n, (key, start) in enumerate(starts)]
    return (starts[0][1] if starts else len(text)), out


UNKNOWN = object()
"""What ``PartialIndex.locate`` answers when it cannot be sure: index the whole text."""


def _dig(data, path: tuple):
    for part in path:
        if isinstance(part, int):
            if not isinstance(data, list) or not 0 <= part < len(data):
                return UNKNOWN
            data = data[part]
        else:
            if not isinstance(data, dict) or part not in data:
                return UNKNOWN
            data = data[part]
    return data


class PartialIndex:
    """The positions of ``index_toml``, found only for the top-level tables asked about.

    A check of a big plan needs the positions of a few hundred entities out of tens of
    thousands; indexing the whole text for them cost more than the rest of the check.
    The header lines are found with one regular expression; when they lay the file out
    the way ``reindex`` can handle (every nested header inside the top-level table just
    above it) and agree with the parsed data (as many ``[[name]]`` headers as elements,
    each ``[name]`` once), each top-level table's lines are scanned on their own, when
    a path inside it is first asked for.  A scanned table whose keys do not match the
    data (a header-like line inside a multi-line string, say) makes ``locate`` answer
    ``UNKNOWN``: the caller then indexes the whole text, so answers never differ."""

    def __init__(self, text: str, data: dict):
        self.text = text
        self.data = data
        self.keys: dict[tuple, Loc] = {}
        self._regions: dict[tuple, tuple[int, int]] | None = None  # (name,) or (name, i) -> [start, stop)
        self._root_end = 0
        self._arrays: dict[str, int] = {}
        self._lines: dict[tuple, int] = {}
        self._scanned: set = set()
        self.broken = False

    def regions(self) -> dict[tuple, tuple[int, int]] | None:
        """Top-level table -> its [start, stop) offsets; None when the layout is not one
        this class can use.  Text before the first header belongs to no region."""
        if self._regions is None and not self.broken:
            self._partition()
        return self._regions

    def _partition(self) -> None:
        text, data = self.text, self.data
        split = top_level_split(text)  # (None: a multi-line string, a nested header away from its table, ...)
        if split is None or not isinstance(data, dict):
            self.broken = True
            return
        root_end, tables = split
        arrays: dict[str, int] = {}
        for key, _, _ in tables:
            if len(key) == 2:
                arrays[key[0]] = key[1] + 1
            elif not isinstance(data.get(key[0]), dict):
                self.broken = True
                return
        for name, n in arrays.items():
            value = data.get(name)
            if not isinstance(value, list) or len(value) != n:
                self.broken = True
                return
        regions = {}
        lines = {}  # the line each region starts on, counted once for all
        line = prev = 0
        for key, start, stop in tables:
            regions[key] = (start, stop)
            line += text.count("\n", prev, start)  # (C, and each character once)
            lines[key] = line
            prev = start
        self._lines = lines
        self._root_end = root_end
        self._arrays = arrays
        self._regions = regions

    def _scan_region(self, key: tuple | None) -> TomlIndex | None:
        """The index of one region's text on its own (lines counted from its start;
        None: the text before the first header), or None when what it holds does not
        match the data."""
        start, stop = (0, self._root_end) if key is None else self._regions[key]
        scanner = _Scanner(self.text[start:stop])
        if key is not None and len(key) == 2:
            scanner.aot_counts[key[:1]] = key[1]
        index = scanner.run()
        found = index.keys
        data = self.data
        tops = self._regions
        for path in found:
            if key is None:
                if not path or (path[0],) in tops or path[0] in self._arrays:
                    return None
            elif path[: len(key)] != key:
                return None
            if _dig(data, path) is UNKNOWN:
                return None
        # every key the data has there must have been seen
        node = data if key is None else _dig(data, key)
        if isinstance(node, dict):
            prefix = len(key) if key is not None else 0
            seen = {path[prefix] for path in found if len(path) > prefix}
            for k in node:
                if key is None and ((k,) in tops or k in self._arrays):
                    continue
                if k not in seen:
                    return None
        return index

    def table(self, key: tuple) -> tuple[int, int, TomlIndex] | None:
        """The top-level table ``key`` ((name,) or (name, i)): the [start, stop) offsets
        of its text and the index of that text on its own, or None when unknown."""
        if self.broken or self.regions() is None or key not in self._regions:
            return None
        index = self._scan_region(key)
        if index is None:
            return None
        start, stop = self._regions[key]
        return start, stop, index

    def table_lines(self, key: tuple) -> tuple[int, int] | None:
        """Lines [first, end) of the top-level table ``key``, its trailing blank and
        comment lines (which introduce what follows) left out; None when unknown.  The
        table's text is scanned and found to hold what the data holds there first."""
        found = self.table(key)
        if found is None:
            return None
        start, stop, _ = found
        lines = self.text[start:stop].split("\n")
        if lines and lines[-1] == "":
            lines.pop()  # the newline before the next header
        n = len(lines)
        while n > 1 and is_blank_or_comment(lines[n - 1]):
            n -= 1
        first = self._lines[key]
        return first, first + n

    def shifted(self, key: tuple, start: int, stop: int, text: str, data: dict) -> "PartialIndex":
        """The partial index of ``text``: this one's text with the region ``key`` (then
        [start, stop)) replaced by a table holding no other top-level header.  Regions
        after it move; positions are found again when asked for."""
        new = PartialIndex(text, data)
        chars = len(text) - len(self.text)
        lines = text.count("\n", start, stop + chars) - self.text.count("\n", start, stop)
        regions, line_of = {}, {}
        for k, (a, b) in self._regions.items():
            if a > start:
                regions[k] = (a + chars, b + chars)
                line_of[k] = self._lines[k] + lines
            else:
                regions[k] = (a, b + chars) if k == key else (a, b)
                line_of[k] = self._lines[k]
        new._regions, new._lines = regions, line_of
        new._root_end = self._root_end if self._root_end <= start else self._root_end + chars
        new._arrays = self._arrays
        return new

    def _scan(self, key: tuple | None) -> bool:
        """Add one region's positions to ``keys``; False when it does not match the data."""
        if key in self._scanned:
            return True
        self._scanned.add(key)
        index = self._scan_region(key)
        if index is None:
            return False
        base = 0 if key is None else self._lines[key]
        keys = self.keys
        if base:
            for path, loc in index.keys.items():
                keys[path] = Loc(loc.line + base, loc.col, loc.end_line + base)
        else:
            keys.update(index.keys)
        return True

    def locate(self, path: tuple):
        """``TomlIndex.locate`` of the whole text, or ``UNKNOWN``."""
        if self.broken or self.regions() is None:
            return UNKNOWN
        path = tuple(path)
        if not self._scan(None):
            self.broken = True
            return UNKNOWN
        if path:
            key = None
            if (path[0],) in self._regions:
                key = (path[0],)
            elif len(path) > 1 and isinstance(path[1], int) and (path[0], path[1]) in self._regions:
                key = (path[0], path[1])
            if key is not None and not self._scan(key):
                self.broken = True
                return UNKNOWN
        keys = self.keys
        while path:
            loc = keys.get(path)
            if loc is not None:
                return loc
            path = path[:-1]
        return None
