"""Commands on the plan itself: check, get, set, add, rm, rename, kinds, layout."""

from __future__ import annotations

import sys

from tui.plan.safetext import visible_line

from .common import Failed, Paint, UsageError, display_path, emit, json_text, out, plan_dir as find_plan_folder, use_color

COMMANDS = ("check", "get", "set", "add", "rm", "rename", "kinds", "layout")


# -- check --------------------------------------------------------------------------


def _escape_gh(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def cmd_check(args) -> int:
    from tui.plan.model import load_plan
    from tui.plan.validation import validate

    plan_dir = find_plan_folder(args.plan_dir)
    plan = load_plan(plan_dir)
    problems = validate(plan)
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    entities = sum(len(v) for v in plan.entities.values())
    if args.format == "json":
        doc = {
            "format": "quarterdeck.check/1",
            "plan": str(plan_dir),
            "valid": errors == 0,
            "summary": {"errors": errors, "warnings": warnings, "files": len(plan.files) + len(plan.syntax_errors),
                        "entities": entities},
            "problems": [dict(p.to_dict(), path=display_path(plan_dir, p.file)) for p in problems],
        }
        out(json_text(doc, default=str))
    elif args.format == "github":
        for p in problems:
            props = [f"file={_escape_gh(display_path(plan_dir, p.file), True)}"]
            if p.line:
                props.append(f"line={p.line}")
            if p.col:
                props.append(f"col={p.col}")
            props.append(f"title={_escape_gh(p.code, True)}")
            level = "error" if p.severity == "error" else "warning"
            where = f"{p.kind} {p.entity}: " if p.entity else ""
            out(f"::{level} {','.join(props)}::{_escape_gh(visible_line(where + p.message))}")
        out(f"quarterdeck: {errors} error(s), {warnings} warning(s) in {plan_dir}")
    else:
        paint = Paint(use_color(sys.stdout, args.color))
        split: dict[str, list[str] | None] = {}  # each file's lines, split once for all its problems
        for p in problems:
            where = display_path(plan_dir, p.file)
            if p.line:
                where += f":{p.line}:{p.col}"
            sev = paint(p.severity, "red" if p.severity == "error" else "yellow", "bold")
            subject = ""
            if p.entity:
                subject = f" {p.kind} {p.entity}" + (f" › {p.field}" if p.field else "")
            out(f"{paint(visible_line(where), 'bold')}: {sev}[{p.code}]{visible_line(subject)}")
            out(f"  {visible_line(p.message)}")
            if p.file not in split:
                text = plan.text_of(p.file)  # also the text of a file that does not parse
                split[p.file] = text.split("\n") if text is not None else None
            lines = split[p.file]
            if lines is not None and p.line:
                if p.line <= len(lines):
                    src = lines[p.line - 1].rstrip("\r")
                    num = str(p.line)
                    shown = src if len(src) <= 200 else src[:200] + "…"
                    out(paint(f"  {num} | ", "dim") + visible_line(shown))
                    out(paint(f"  {' ' * len(num)} | ", "dim") + " " * max(0, min(p.col, 200) - 1) + paint("^", "cyan"))
        if errors:
            out(paint(f"✗ {plan_dir}: {errors} error(s), {warnings} warning(s)", "red", "bold"))
        else:
            out(paint(f"✓ {plan_dir}: valid", "green", "bold")
                 + f" — {warnings} warning(s), {entities} entities in {len(plan.files)} files")
    if any(p.code.startswith("io.") for p in plan.unreadable.values()):
        return 2  # a plan file could not be read at all
    return 1 if errors else 0


# -- get / set / add / rm -------------------------------------------------------------


def _field_value(entity, field: str):
    from tui.plan.edit import EditError, field_value

    try:
        return field_value(entity, field)
    except EditError as exc:
        raise UsageError(exc.message) from None


def cmd_get(args) -> int:
    from tui.plan.edit import entity_span, render_value
    from tui.plan.model import load_plan
    from tui.plan.validation import to_json

    plan = load_plan(find_plan_folder(args.plan))
    _require_readable(plan, args.kind)
    entity = plan.get(args.kind, args.id)
    if args.field:
        value = _field_value(entity, args.field)
        if args.json:
            out(json_text(to_json(value, [])))
        elif args.raw and isinstance(value, str):
            emit(value)
        else:
            emit(render_value(value))
        return 0
    if args.json:
        out(json_text(to_json(entity.data, [])))
        return 0
    tf = plan.files[entity.file]
    start, end = entity_span(tf, entity.path)
    emit("\n".join(line.rstrip("\r") for line in tf.text.split("\n")[start:end]))
    return 0


def _require_readable(plan, kind: str) -> None:
    from tui.plan.registry import KINDS

    k = KINDS.get(kind)
    if k is None:
        raise UsageError(f"unknown kind {kind!r}; kinds are: {', '.join(KINDS)}")
    p = plan.unreadable.get(k.file)
    if p is not None:
        where = display_path(plan.root, p.file) + (f":{p.line}:{p.col}" if p.line else "")
        raise Failed(f"{where}: {p.message}", 2 if p.code.startswith("io.") else 1)


def _files_of(kind: str):
    """The plan files an edit of one ``kind``'s entity reads: its own (and its parent's:
    a key result sits in its goal's file).  None (every file) for an unknown kind, so the
    error names the kinds as before."""
    from tui.plan.registry import KINDS

    k = KINDS.get(kind)
    if k is None:
        return None
    files = {k.file}
    while k.parent is not None:
        k = KINDS[k.parent]
        files.add(k.file)
    return files


def cmd_set(args) -> int:
    from tui.plan.edit import edit_locked, parse_value, set_field

    value = parse_value(args.value)

    def op(plan):
        _require_readable(plan, args.kind)
        return set_field(plan, args.kind, args.id, args.field, value, force=args.force)

    plan, written = edit_locked(find_plan_folder(args.plan), op, only=_files_of(args.kind))
    if not args.quiet:
        out(f"{display_path(plan.root, written[0].file)}: {written[0].summary}" if written else "no change")
    return 0


def cmd_add(args) -> int:
    from tui.plan.edit import add_entity, edit_locked, parse_value

    fields = {}
    for pair in args.fields:
        key, sep, literal = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"{pair!r}: write fields as FIELD=VALUE, e.g. tier=2 or 'name=\"Acme\"'")
        fields[key.strip()] = parse_value(literal)

    def op(plan):
        _require_readable(plan, args.kind)
        return add_entity(plan, args.kind, args.id, fields, force=args.force)

    plan, written = edit_locked(find_plan_folder(args.plan), op, only=_files_of(args.kind))
    if not args.quiet:
        for change in written:
            out(f"{display_path(plan.root, change.file)}: {change.summary}")
    return 0


def cmd_rm(args) -> int:
    from tui.plan.edit import edit_locked, remove_entity
    from tui.plan.refs import referrers

    def op(plan):
        _require_readable(plan, args.kind)
        entity = plan.get(args.kind, args.id)
        users = referrers(plan, entity)
        if plan.unreadable and not args.force:
            names = ", ".join(sorted(plan.unreadable))
            raise Failed(f"cannot tell whether {names} refer(s) to {entity.kind.name} {entity.id}: "
                         "fix that file first, or pass --force to remove it anyway", 1)
        if users and not args.force:
            listing = "\n".join(f"  {r.entity.kind.name} {r.entity.id} › {r.field}" for r in users[:20])
            more = f"\n  ... and {len(users) - 20} more" if len(users) > 20 else ""
            raise Failed(f"{entity.kind.name} {entity.id} is referred to by:\n{listing}{more}\n"
                         "Remove those references first, or pass --force to remove it anyway", 1)
        return remove_entity(plan, args.kind, args.id)

    plan, written = edit_locked(find_plan_folder(args.plan), op)
    if not args.quiet:
        for change in written:
            out(f"{display_path(plan.root, change.file)}: {change.summary}")
    return 0


def cmd_rename(args) -> int:
    from tui.plan.edit import edit_locked
    from tui.plan.refs import rename_entity

    def op(plan):
        _require_readable(plan, args.kind)
        # every file a rename may touch is locked: references can sit in any of them
        return rename_entity(plan, args.kind, args.id, args.new_id)

    root = find_plan_folder(args.plan)
    plan, written = edit_locked(root, op, files=_plan_files(root))
    if not args.quiet:
        for change in written:
            out(f"{display_path(plan.root, change.file)}: {change.summary}")
    return 0


def _plan_files(root) -> list:
    """Every plan file on disk, the entity files of kinds kept one file per entity too."""
    from tui.plan.layout import folder_names, split_kinds
    from tui.plan.registry import PLAN_FILES

    paths = [root / name for name in PLAN_FILES if (root / name).is_file()]
    for file in split_kinds():
        paths += [root / name for name in folder_names(root, file)]
    return paths


# -- layout --------------------------------------------------------------------------------


def cmd_layout(args) -> int:
    from tui.plan.layout import convert, current_layout, folder_of, kind_of, split_kinds

    root = find_plan_folder(args.plan)
    if args.kind is None:
        words = {"file": "one file", "split": "one file per entity", "both": "BOTH (see quarterdeck check)",
                 "none": "no file"}
        for file, k in split_kinds().items():
            state = current_layout(root, file)
            where = f"{folder_of(file)}/<id>.toml" if state == "split" else file
            out(f"{k.name:<10} {words[state]:<22} {where}")
        return 0
    if args.how is None:
        k = kind_of(args.kind)
        out(current_layout(root, k.file))
        return 0
    result = convert(root, args.kind, args.how)
    k = result.kind
    folder = display_path(root, folder_of(k.file)) + "/"
    single = display_path(root, k.file)
    if result.already:
        how = f"one file per entity in {folder}" if args.how == "split" else f"one file, {single}"
        out(f"{k.plural} are already kept as {how}; nothing changed")
        return 0
    if not args.quiet:
        done = " (finished an interrupted conversion)" if result.finished else ""
        if args.how == "split":
            out(f"{single} -> {folder}: {result.entities} {k.plural.lower()}, one file each{done}; no data changed")
        else:
            out(f"{folder} -> {single}: {result.entities} {k.plural.lower()} in one file{done}; no data changed")
        out("commit the change (quarterdeck commit): git sees the files added and removed")
    return 0


def cmd_kinds(args) -> int:
    from tui.plan.registry import KINDS

    for k in KINDS.values():
        address = "GOAL_ID/ID" if k.addressed_by_parent else ("(one table)" if k.singleton else "ID")
        out(f"{k.name:<15} {k.file:<15} {address:<12} {k.plural}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("check", help="validate a plan folder (exit 0 valid, 1 errors, 2 unreadable)")
    p.add_argument("plan_dir", nargs="?", metavar="PLAN_DIR")
    p.add_argument("--format", choices=("text", "json", "github"), default="text")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto")
    p.set_defaults(func=cmd_check)

    def entity_cmd(name, help_text, func):
        p = sub.add_parser(name, help=help_text)
        p.add_argument("kind", metavar="KIND")
        p.add_argument("id", metavar="ID")
        p.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
        p.add_argument("--quiet", "-q", action="store_true")
        p.set_defaults(func=func)
        return p

    p = entity_cmd("get", "print an entity (its TOML text) or one field", cmd_get)
    p.add_argument("field", nargs="?", metavar="FIELD")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.add_argument("--raw", action="store_true", help="print a text field without quotes")
    p = entity_cmd("set", "change one field; VALUE is a TOML literal (3, '\"text\"', 2026-11-02, '[\"a\"]')", cmd_set)
    p.add_argument("field", metavar="FIELD")
    p.add_argument("value", metavar="VALUE")
    p.add_argument("--force", action="store_true", help="write a value the schema rejects")
    p = entity_cmd("add", "add an entity: quarterdeck add account acme 'name=\"Acme\"' tier=2 ...", cmd_add)
    p.add_argument("fields", nargs="*", metavar="FIELD=VALUE")
    p.add_argument("--force", action="store_true", help="write it even if the schema rejects it")
    p = entity_cmd("rm", "remove an entity (refused while others refer to it, unless --force)", cmd_rm)
    p.add_argument("--force", action="store_true")
    p = entity_cmd("rename", "change an entity's id; references to it follow", cmd_rename)
    p.add_argument("new_id", metavar="NEW_ID")
    p = sub.add_parser("kinds", help="list the kinds of entity")
    p.set_defaults(func=cmd_kinds)
    p = sub.add_parser("layout", help="keep a kind as one file (join) or one file per entity (split): "
                                      "quarterdeck layout account split; no data changes")
    p.add_argument("kind", nargs="?", metavar="KIND", help="account, content, persona, goal, term or message")
    p.add_argument("how", nargs="?", choices=("split", "join"), metavar="split|join")
    p.add_argument("--plan", "-C", metavar="PLAN_DIR", help="the plan folder (default: found from here)")
    p.add_argument("--quiet", "-q", action="store_true")
    p.set_defaults(func=cmd_layout)
