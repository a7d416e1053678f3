"""How a kind is stored: one file (``accounts.toml``) or one file per entity
(``accounts/<id>.toml``), chosen per kind.

Hosted pull-request servers merge with git's own line merge, without custom drivers.
With one file per entity, two people who edit different accounts edit different files,
and git merges them cleanly whatever the server.

Which kinds can be split (the registry decides, ``splittable``): a top-level kind with
ids that is the only top-level kind of its file — goals (their key results stay inside
each goal's file), personas, accounts, content, messages, glossary terms.  ``plan.toml``
holds singletons and several kinds together; it always stays one file.

The folder of a split kind, next to where its single file would be::

    accounts/_header.toml   the single file's opening comment paragraph (no data); optional
    accounts/<id>.toml      one entity each: its table exactly as in the single file

An entity file holds the entity's ``[[account]]`` table (and its sub-tables) with the
comments written above it.  File names are the ids: ids are slugs (lower-case letters,
digits, single hyphens; ``slug.py``), so a name can never leave the folder, and two ids
never differ only in case (a case-insensitive file system cannot confuse them).  A name
is made from an id only after the id is checked to be a slug.  In the split layout
entities are in id order (the order of their file names).

Where comments go on ``split`` (and why ``join`` gives them back):

- the single file's first comment paragraph (the lines before its first blank line,
  when that paragraph is not attached to the first table) is the file's header:
  ``_header.toml`` keeps it, with any comments after the last entity;
- every other comment travels with the entity below it, written right above that
  entity's table (blank lines between comment paragraphs are dropped);
- inside an entity (from its table's header to its last key) nothing changes.

``join`` writes the header paragraph, then each entity file in id order, one blank line
apart.  So ``join`` gives the single file back byte for byte, except for entity order
and the blank lines between entities and above comments; and ``split`` after ``join``
gives exactly the same files again (split -> join -> split is the identity).  Both
check that the data is unchanged before anything is written.

A kind is never stored both ways: when ``accounts.toml`` and ``accounts/`` both exist,
neither is read (``layout.both``), and the message says how to finish.  A conversion
writes the new files first and removes the old ones after, so a crash in between
leaves exactly that state; running the same ``quarterdeck layout`` again finishes it
when the two agree (every file in the folder is what splitting the single file gives),
and otherwise says which files differ.

An entity file that is empty stands for no file at all: a removal staged in memory is
an entity file whose text became empty, and saving it removes the file (``edit``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from .document import TomlFile, digest, parse_toml, read_plan_bytes
from .problems import ERROR, WARNING, PlanError, Problem, UnreadableError
from .registry import KINDS, PLAN_FILES, SPLIT_FILES, Kind
from .slug import ID_RULE, is_slug

HEADER = "_header.toml"
SUFFIX = ".toml"
EMPTY_SHA256 = digest(b"")  # the hash of no bytes: what a file that does not exist yet was "read" as


class LayoutError(PlanError):
    """A conversion that cannot be made; nothing was changed."""


# -- which kinds, which names -----------------------------------------------------------------


def splittable(k: Kind) -> bool:
    """True when kind ``k`` may be stored as one file per entity: it has ids, sits at the
    top of its file, and no other top-level kind shares that file (``registry.SPLIT_FILES``)."""
    return SPLIT_FILES.get(k.file) == k.name


def split_kinds() -> dict[str, Kind]:
    """{single file name: kind} for every kind that can be split (registry order)."""
    return {file: KINDS[name] for file, name in SPLIT_FILES.items()}


def kind_of(name: str) -> Kind:
    """The splittable kind named by a kind name, a plural or a file: ``account``,
    ``accounts``, ``accounts.toml``.  LayoutError (usage) otherwise."""
    split = split_kinds()
    for file, k in split.items():
        if name in (k.name, k.plural.lower(), file, folder_of(file)):
            return k
    k = KINDS.get(name)
    if k is not None:
        why = ("it is one table of plan.toml" if k.singleton else
               f"it sits inside {KINDS[k.parent].plural.lower()}" if k.parent else
               f"{k.file} holds other kinds too")
        raise LayoutError(f"{name!r} cannot be stored as one file per entity: {why}. Kinds that can: "
                          f"{', '.join(k.name for k in split.values())}", code="usage.kind")
    raise LayoutError(f"unknown kind {name!r}; kinds that can be split: {', '.join(k.name for k in split.values())}",
                      code="usage.kind")


def folder_of(file: str) -> str:
    """The folder of a split kind: ``accounts`` for ``accounts.toml``."""
    return file[: -len(SUFFIX)] if file.endswith(SUFFIX) else file


def entity_file(file: str, own_id: str) -> str:
    """The name of an entity's file, ``accounts/<id>.toml``; refuses an id that is not a
    slug (a name made of it could leave the folder, or clash in another case)."""
    if not is_slug(own_id):
        raise LayoutError(f"{own_id!r} is not a valid id ({ID_RULE}), so it cannot name a file in "
                          f"{folder_of(file)}/", code="usage.id")
    return f"{folder_of(file)}/{own_id}{SUFFIX}"


def header_file(file: str) -> str:
    return f"{folder_of(file)}/{HEADER}"


def base_file(name: str) -> str:
    """The single file a plan file name belongs to: ``accounts.toml`` for
    ``accounts/acme.toml`` and ``accounts/_header.toml``; the name itself otherwise."""
    folder, sep, rest = name.partition("/")
    if sep and "/" not in rest:
        candidate = folder + SUFFIX
        if candidate in SPLIT_FILES:
            return candidate
    return name


def file_of_path(path: str) -> str | None:
    """The single file a path names when it is a file of a split kind's folder
    (``plans/accounts/acme.toml`` -> ``accounts.toml``), else None.  The folder decides,
    not the file's own name: an account with the id ``content`` is ``accounts/content.toml``."""
    parts = str(path).replace("\\", "/").split("/")
    if len(parts) < 2:
        return None
    name = f"{parts[-2]}/{parts[-1]}"
    base = base_file(name)
    return base if base != name else None


def is_member(name: str) -> bool:
    """True for a file of a split kind's folder (an entity file or the header)."""
    return base_file(name) != name


def is_header(name: str) -> bool:
    return is_member(name) and name.endswith("/" + HEADER)


def is_entity_file(name: str) -> bool:
    return is_member(name) and not is_header(name)


def schema_of(name: str) -> str:
    """The schema that checks plan file ``name`` (an entity file: its kind's)."""
    return PLAN_FILES[base_file(name)]


def entity_files(files) -> list[str]:
    """The entity files among plan file names (``accounts/<id>.toml``), in name order."""
    return sorted(name for name in files if "/" in name and is_entity_file(name))


def kind_of_file(name: str) -> Kind:
    """The kind an entity file (or a split kind's single file) holds."""
    return KINDS[SPLIT_FILES[base_file(name)]]


def is_split(files, file: str) -> bool:
    """True when the plan in ``files`` keeps ``file``'s kind as a folder."""
    if file in files or file not in SPLIT_FILES:
        return False
    prefix = folder_of(file) + "/"
    return any(name.startswith(prefix) for name in files)


def has_kind_file(files, file: str) -> bool:
    """True when the plan has ``file``'s data, as one file or as a folder."""
    return file in files or is_split(files, file)


# -- reading a plan folder ---------------------------------------------------------------------


def folder_names(root: Path, file: str) -> list[str]:
    """The plan file names in ``file``'s folder on disk (``accounts/<name>.toml``), sorted.
    Hidden files, temp files and sub-folders are not plan files."""
    folder = Path(root) / folder_of(file)
    try:
        entries = sorted(os.listdir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return []
    except OSError as exc:
        raise UnreadableError(f"cannot read the folder {folder}: {exc.strerror}", file=folder_of(file) + "/",
                              code="io.unreadable") from None
    out = []
    for entry in entries:
        if entry.startswith(".") or not entry.endswith(SUFFIX):
            continue
        if os.path.isdir(folder / entry) and not os.path.islink(folder / entry):
            continue
        out.append(f"{folder_of(file)}/{entry}")
    return out


def has_folder(root: Path, file: str) -> bool:
    return file in split_kinds() and os.path.isdir(Path(root) / folder_of(file))


def both_message(file: str) -> str:
    k = split_kinds()[file]
    folder = folder_of(file)
    return (f"{file} and the folder {folder}/ both exist, so neither was read (the plan's {k.plural.lower()} "
            f"are kept one way or the other, never both). An interrupted `quarterdeck layout` leaves this: run "
            f"`quarterdeck layout {k.name} split` (keep the folder) or `quarterdeck layout {k.name} join` "
            f"(keep {file}) to finish it; if the two disagree, it says where, and you keep one yourself")


def read_into(plan, root: Path, file: str, boundary: Path) -> bool:
    """Read ``file``'s folder into ``plan`` (files, syntax errors) when the kind is kept
    split; True when the folder decided how ``file`` is read (split, or both present)."""
    if not has_folder(root, file):
        return False
    if os.path.lexists(Path(root) / file):
        plan.syntax_errors.append(Problem(ERROR, "layout.both", both_message(file), file))
        return True
    try:
        names = folder_names(root, file)
    except PlanError as exc:
        plan.syntax_errors.append(Problem(ERROR, exc.code, exc.message, exc.file or file))
        return True
    for name in names:
        raw = None
        try:
            raw = read_plan_bytes(Path(root) / name, name, boundary=boundary)
            plan.files[name] = TomlFile.from_bytes(Path(root) / name, raw, name)
        except PlanError as exc:
            plan.syntax_errors.append(Problem(ERROR, exc.code, exc.message, name, exc.line, exc.col))
            if raw is not None:
                plan.unreadable_text[name] = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    return True


def drop_both(files: dict, errors: dict, make_error) -> None:
    """In a set of files read from one revision: a kind present both as a file and as a
    folder is read neither way (``make_error(file, message)`` records why)."""
    for file in split_kinds():
        prefix = folder_of(file) + "/"
        if file in files or file in errors:
            members = [n for n in list(files) + list(errors) if n.startswith(prefix)]
            if members:
                for n in [file, *members]:
                    files.pop(n, None)
                    errors.pop(n, None)
                errors[file] = make_error(file, both_message(file))


def new_file(root: Path, name: str) -> TomlFile:
    """An entity file that does not exist yet (empty; saving it creates it)."""
    return TomlFile(path=Path(root) / name, name=name, raw=b"", text="", data={})


def is_removal(name: str, text: str) -> bool:
    """True when writing ``text`` to plan file ``name`` means removing the file."""
    return text == "" and is_entity_file(name)


# -- problems of the layout (part of validation) ------------------------------------------------


def layout_problems(plan) -> list[Problem]:
    """Entity files that do not hold one entity named like the file, headers with data."""
    out: list[Problem] = []
    split = split_kinds()
    for name, tf in plan.files.items():
        base = base_file(name)
        if base == name or tf.text == "":
            continue
        k = split[base]
        key = k.path[0]
        if is_header(name):
            if tf.data:
                out.append(Problem(ERROR, "layout.header",
                                   f"{name} holds data ({', '.join(map(str, tf.data))}); it keeps only the comments "
                                   f"at the top of {base}. Move each entity to a file of its own, {folder_of(base)}"
                                   f"/<id>.toml", name, 1, 1))
            continue
        stem = name.rsplit("/", 1)[1][: -len(SUFFIX)]
        items = tf.data.get(key)
        others = [t for t in tf.data if t != key]
        if others or not isinstance(items, list) or len(items) != 1 or not isinstance(items[0], dict):
            count = len(items) if isinstance(items, list) else 0
            if not tf.data:
                out.append(Problem(WARNING, "layout.empty", f"{name} holds no {k.title.lower()}; remove the file",
                                   name, 1, 1))
                continue
            what = (f"other tables ({', '.join(map(str, others))})" if others else
                    f"{count} {k.plural.lower()}" if count != 1 else f"a [{key}] that is not an array of tables")
            line = 1
            if count > 1:
                loc = tf.index.locate((key, 1))
                line = loc.line + 1 if loc else 1
            out.append(Problem(ERROR, "layout.entity-file",
                               f"{name} holds {what}; a file of {folder_of(base)}/ holds exactly one "
                               f"[[{key}]] table, named after its id (give each its own <id>.toml)", name, line, 1))
            continue
        own = items[0].get("id")
        if own != stem or not is_slug(stem):
            loc = tf.index.locate((key, 0, "id"))
            line, col = (loc.line + 1, loc.col + 1) if loc else (1, 1)
            if not is_slug(stem):
                why = f"{stem!r} is not an id ({ID_RULE})"
            else:
                why = f"it holds {k.title.lower()} {own!r}"
            fix = (f"rename the file to {entity_file(base, own)} (`git mv`)" if isinstance(own, str) and is_slug(own)
                   else "give the entity an id and name the file after it")
            out.append(Problem(ERROR, "layout.file-name",
                               f"{name} is named after another id: {why}. A file of {folder_of(base)}/ is named after "
                               f"the id of the entity it holds; {fix}", name, line, col, k.name,
                               str(own) if own is not None else "", "id"))
    return out


# -- split and join: the texts ----------------------------------------------------------------


def _blank(line: str) -> bool:
    return line.strip() == ""


def _strip_blank(lines: list[str]) -> list[str]:
    start, end = 0, len(lines)
    while start < end and _blank(lines[start]):
        start += 1
    while end > start and _blank(lines[end - 1]):
        end -= 1
    return lines[start:end]


def _text(lines: list[str], nl: str) -> str:
    return nl.join(lines) + nl if lines else ""


@dataclass
class SplitTexts:
    header: str  # the text of _header.toml ("" when the file has no header paragraph)
    entities: dict[str, str] = field(default_factory=dict)  # id -> text of <id>.toml, in id order


def split_text(tf: TomlFile, k: Kind) -> SplitTexts:
    """The texts of the per-entity files for the single file ``tf`` of kind ``k``
    (checked: each parses to exactly its entity, the header to nothing)."""
    key = k.path[0]
    data = tf.data
    items = data.get(key, [])
    others = [t for t in data if t != key]
    if others:
        raise LayoutError(f"{tf.name} holds more than its {k.plural.lower()} ({', '.join(map(str, others))}); "
                          "move or remove that first", file=tf.name, code="layout.refused")
    if not isinstance(items, list) or not all(isinstance(x, dict) for x in items):
        raise LayoutError(f"{tf.name}: [{key}] is not an array of tables", file=tf.name, code="layout.refused")
    ids = []
    for i, item in enumerate(items):
        own = item.get("id")
        if not is_slug(own):
            loc = tf.index.locate((key, i, "id")) or tf.index.locate((key, i))
            raise LayoutError(f"{k.title.lower()} #{i + 1} has the id {own!r}, which is not a valid id ({ID_RULE}); "
                              "a file cannot be named after it. Fix the id first (quarterdeck check shows it)",
                              file=tf.name, line=loc.line + 1 if loc else 0, code="layout.refused")
        ids.append(own)
    folded = {}
    for own in ids:  # ids are slugs, so this only matters if that ever changed
        if own.casefold() in folded:
            raise LayoutError(f"two {k.plural.lower()} have the id {own!r} (ids are unique within a kind); rename "
                              "one first", file=tf.name, code="layout.refused")
        folded[own.casefold()] = own
    nl = tf.newline
    lines = [ln.removesuffix("\r") for ln in tf.text.split("\n")]
    spans = _entity_spans(tf, key, len(items), lines)
    for i, span in enumerate(spans):
        if span is None:
            raise LayoutError(f"{tf.name}: {k.title.lower()} {ids[i]!r} is written inline, not as a [[{key}]] "
                              "table; write it as a table first", file=tf.name, code="layout.refused")
    if lines and lines[-1] == "":
        lines.pop()
    if not spans:
        header = _strip_blank(lines)
        return _checked(SplitTexts(_text(header, nl)), tf, k, [])
    first = spans[0][0]
    lead = lines[:first]
    blank_at = next((n for n, ln in enumerate(lead) if _blank(ln)), None)
    if blank_at is None:
        header, first_lead = [], lead
    else:
        header, first_lead = lead[:blank_at], lead[blank_at:]
    texts: dict[str, str] = {}
    prev_end = None
    for i, (start, end) in enumerate(spans):
        above = first_lead if prev_end is None else lines[prev_end:start]
        body = [ln for ln in above if not _blank(ln)] + lines[start:end]
        texts[ids[i]] = _text(body, nl)
        prev_end = end
    header += [ln for ln in lines[prev_end:] if not _blank(ln)]  # comments below the last entity
    out = SplitTexts(_text(header, nl), dict(sorted(texts.items())))
    if out.header and not all(ln.lstrip().startswith("#") for ln in header):
        raise LayoutError(f"{tf.name} holds something other than comments before its first table; move it into "
                          "a table or remove it first", file=tf.name, code="layout.refused")
    return _checked(out, tf, k, items)


def _entity_spans(tf: TomlFile, key: str, count: int, lines: list[str]) -> list:
    """Lines [start, end) of each top-level entity's table with its sub-tables, found in
    one pass over the headers (``edit.entity_span`` finds one at a time): from its
    ``[[key]]`` header to its last key, trailing blank and comment lines left out (they
    introduce what follows).  None for an entity written inline."""
    from .tomlindex import is_blank_or_comment

    starts: dict[int, int] = {}
    ends: dict[int, int] = {}
    current = None  # the entity whose lines the headers are in
    for h in sorted(tf.index.headers, key=lambda h: h.line):
        path = h.path
        own = path[1] if len(path) >= 2 and path[0] == key and isinstance(path[1], int) else None
        if own is not None and own == current and len(path) > 2:
            continue  # one of its sub-tables
        if current is not None:
            ends[current] = h.line
            current = None
        if own is not None and len(path) == 2:
            starts[own] = h.line
            current = own
    if current is not None:
        ends[current] = len(lines)
    out = []
    for i in range(count):
        if i not in starts:
            out.append(None)
            continue
        start, end = starts[i], ends[i]
        while end > start + 1 and is_blank_or_comment(lines[end - 1]):
            end -= 1
        out.append((start, end))
    return out


def same_data(a, b) -> bool:
    """The same TOML data, key order included (a text copied line for line parses in the
    same order); ``nan`` equals ``nan`` and datetimes agree on their offset (``repr``)."""
    return repr(a) == repr(b)


def _checked(texts: SplitTexts, tf: TomlFile, k: Kind, items: list) -> SplitTexts:
    key = k.path[0]
    if texts.header and parse_toml(texts.header, tf.name) != {}:
        raise LayoutError(f"{tf.name}: its opening lines would not be comments only in {HEADER}; nothing changed",
                          file=tf.name, code="layout.verify")
    by_id = {item["id"]: item for item in items}
    for own, text in texts.entities.items():
        name = entity_file(tf.name if tf.name in PLAN_FILES else k.file, own)
        try:
            got = parse_toml(text, name)
        except PlanError as exc:
            raise LayoutError(f"{k.title.lower()} {own!r} would not parse on its own ({exc.message}); nothing "
                              "changed", file=tf.name, code="layout.verify") from None
        if not same_data(got, {key: [by_id[own]]}):
            raise LayoutError(f"{k.title.lower()} {own!r} would not hold the same data on its own; nothing changed",
                              file=tf.name, code="layout.verify")
    return texts


def join_text(header: str, entity_texts: list[str], nl: str = "\n") -> str:
    """The single file for a header and entity files (given in id order): the header
    paragraph, then each entity, one blank line apart."""
    parts = []
    for text in [header, *entity_texts]:
        lines = _strip_blank([ln.removesuffix("\r") for ln in text.split("\n")])
        if lines:
            parts.append(nl.join(lines))
    return (nl + nl).join(parts) + nl if parts else ""


# -- split and join: on disk -----------------------------------------------------------------------


@dataclass
class LayoutResult:
    kind: Kind
    to: str  # "split" or "join"
    written: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    entities: int = 0
    finished: bool = False  # an interrupted conversion was finished
    already: bool = False  # nothing to do: the kind is already stored that way


def current_layout(root: Path, file: str) -> str:
    """``"file"``, ``"split"``, ``"both"`` or ``"none"`` for ``file``'s kind at ``root``."""
    single = os.path.lexists(Path(root) / file)
    folder = has_folder(root, file)
    return "both" if single and folder else "file" if single else "split" if folder else "none"


def _read(root: Path, name: str, boundary: Path) -> TomlFile:
    return TomlFile.from_bytes(Path(root) / name, read_plan_bytes(Path(root) / name, name, boundary=boundary), name)


def convert(root: Path | str, kind: str, to: str, *, timeout: float | None = None) -> LayoutResult:
    """Store ``kind`` of the plan at ``root`` as one file (``to="join"``) or as one file
    per entity (``to="split"``).  The data does not change (checked before writing).
    New files are written (each through a temp file and a rename, then made durable
    together) before old ones are removed; every file involved is locked throughout, and
    a file changed since it was read is not removed."""
    from .document import plan_boundary
    from .locking import locked
    from .save import atomic_write, crash_point, remove_file, sync_folder, write_new_files

    if to not in ("split", "join"):
        raise LayoutError(f"{to!r}: say split (one file per entity) or join (one file)", code="usage.layout")
    root = Path(root)
    k = kind_of(kind)
    file = k.file
    boundary = plan_boundary(root)
    state = current_layout(root, file)
    result = LayoutResult(k, to)
    if state == "none":
        raise LayoutError(f"the plan has no {file} and no {folder_of(file)}/ folder: there is nothing to convert",
                          file=file, code="layout.missing")
    if (state, to) in (("split", "split"), ("file", "join")):
        result.already = True
        return result
    names = folder_names(root, file)
    paths = [root / file] + [root / n for n in names]
    with locked(paths, names=[file, *names], timeout=timeout):
        if to == "split":
            single = _read(root, file, boundary)
            texts = split_text(single, k)
            wanted = {header_file(file): texts.header}
            wanted.update({entity_file(file, own): text for own, text in texts.entities.items()})
        else:
            members = {n: _read(root, n, boundary) for n in names}
            problems = layout_problems(_Files(members))
            errors = [p for p in problems if p.severity == ERROR]
            if errors:
                p = errors[0]
                raise LayoutError(f"{p.message} (nothing changed)", file=p.file, line=p.line, code="layout.refused")
            header = members.get(header_file(file))
            entity_names = [n for n in names if n != header_file(file) and members[n].text != ""]
            nl = members[entity_names[0]].newline if entity_names else "\n"
            joined = join_text(header.text if header else "", [members[n].text for n in entity_names], nl)
            items = [members[n].data[k.path[0]][0] for n in entity_names]
            check = parse_toml(joined, file) if joined else {}
            if not same_data(check, {k.path[0]: items} if items else {}):
                raise LayoutError(f"joining {folder_of(file)}/ would change its data; nothing changed", file=file,
                                  code="layout.verify")
        if state == "both":
            # an interrupted conversion: finish it only if the folder is part of what
            # splitting the single file gives (either direction then left it so)
            single = _read(root, file, boundary)
            texts = split_text(single, k)
            expect = {header_file(file): texts.header}
            expect.update({entity_file(file, own): text for own, text in texts.entities.items()})
            differ = [n for n in names if n not in expect
                      or (Path(root) / n).read_bytes() != expect[n].encode("utf-8")]
            if differ:
                raise LayoutError(
                    f"{file} and {folder_of(file)}/ both exist and do not agree ({', '.join(differ[:5])}"
                    f"{' ...' if len(differ) > 5 else ''} differ from {file}); nothing changed. Keep one: compare "
                    f"them, then remove {file} or the folder yourself", file=file, code="layout.both")
            result.finished = True
        if to == "split":
            (root / folder_of(file)).mkdir(exist_ok=True)
            # (in a conversion left half-way, the files already there are what is wanted)
            new = {root / name: text.encode("utf-8") for name, text in wanted.items() if name not in names}
            write_new_files(new, {root / name: name for name in wanted})
            result.written += [name for name in wanted if name not in names]
            crash_point("layout-written")
            remove_file(root / file, digest(single.raw), name=file)
            result.removed.append(file)
            result.entities = len(texts.entities)
        else:
            if state == "both":
                single = _read(root, file, boundary)
                result.entities = len(single.data.get(k.path[0], []) or [])
            else:
                atomic_write(root / file, joined.encode("utf-8"), None, name=file)
                result.written.append(file)
                result.entities = len(items)
            crash_point("layout-written")
            for n, name in enumerate(names):
                remove_file(root / name, members[name].sha256, name=name, sync=False)  # as read and joined
                result.removed.append(name)
                if n == 0:
                    crash_point("layout-removing")
            sync_folder(root / folder_of(file))
            try:
                os.rmdir(root / folder_of(file))
            except OSError:
                pass  # something else is in the folder (not a plan file): it stays
    return result


class _Files:
    """The smallest plan-like holder ``layout_problems`` needs."""

    def __init__(self, files: dict):
        self.files = files
