"""Checking a plan: JSON Schema per file, then the cross-file rules.

Every finding is a Problem with a stable code, the file, line and column, the entity
and field, and a message that says how to fix it.  Codes:

  toml.syntax toml.conflict toml.encoding   the file is not valid TOML 1.0 / UTF-8
  schema.<keyword>                           the JSON Schema rejects a value
                                             (schema.unknown-key, schema.required, ...)
  value.not-finite                           nan or inf where the schema expects a number
  value.quoted-date                          a date written as text in quotes
  id.duplicate                               two entities of one kind share an id
  ref.unknown                                a reference names no existing entity
  owner.team                                 a sales/marketing owner is on the wrong team
  goal.shared-owners                         a shared goal lacks a sales or marketing owner
  goal.parent-cycle                          goals are their own ancestors
  plan.dates                                 the quarter ends before it starts
  date.outside-quarter (warning)             a date falls outside the plan's quarter
  glossary.retired-name (warning)            text uses a retired name
  glossary.undefined-term (warning)          SLA criteria or a scoring rule name a term the glossary lacks
  glossary.unlisted-term (warning)           the SLA criteria use a defined term `[sla] terms` leaves out
  glossary.retired-alias (warning)           a retired name is still listed as an alias or a term
  journey.unknown-stage / journey.missing-stage (warning)
  coverage.gap (warning)                     a persona has no content for a journey stage
  kr.direction (warning)                     a key result's target points the wrong way
  message.*                                  the messaging framework's rules (rules_messaging.py)
  file.missing                               a missing file that other files refer to
  check.skipped (warning)                    checks skipped because a file could not be read
  io.not-regular io.outside io.too-large     a plan file refused unread (see document.read_plan_bytes)
  checkin.* content.overdue                  check-ins and content past its date: rules_checkins.py
  rollover.stale-dates (warning)             dates a rollover carried from the closed quarter: rules_rollover.py
"""

from __future__ import annotations

import bisect
import json
import re

try:  # a JSON round trip in C, five times the standard library's
    import orjson
except ImportError:  # pragma: no cover - depends on the machine
    orjson = None

from . import layout, textscan
from .model import Entity, Plan, as_date
from .problems import ERROR, WARNING, Problem, sort_problems
from .registry import KINDS, PLAN_FILES
from .refs import iter_references
from .rules_messaging import message_problems
from .rules_checkins import heartbeat_problems
from .rules_rollover import is_stale_carried, stale_date_problems
from .schema import SchemaSet, is_valid_fast, load_schemas
from .schema_errors import schema_messages, to_json


# The team an owner field's member must be on (rule owner.team).  Forms use it to offer
# only members of that team.
OWNER_TEAMS = {"sales_owner": "sales", "marketing_owner": "marketing"}


class Locator:
    """Maps a data path in a file to its entity and to a line and column."""

    def __init__(self, plan: Plan, file: str, by_path: dict[tuple, Entity] | None = None):
        self.plan = plan
        self.file = file
        self.tf = plan.files.get(file)
        if by_path is None:
            by_path = {}
            for kind_entities in plan.entities.values():
                for e in kind_entities:
                    if e.file == file:
                        by_path[e.path] = e
        self.by_path: dict[tuple, Entity] = by_path

    def entity(self, path: tuple) -> tuple[Entity | None, tuple]:
        for n in range(len(path), 0, -1):
            e = self.by_path.get(path[:n])
            if e is not None:
                return e, path[n:]
        return None, path

    def position(self, path: tuple) -> tuple[int, int]:
        if self.tf is None:
            return 0, 0
        loc = self.tf.locate(path)  # only the entity's table is indexed (document.TomlFile.locate)
        return (loc.line + 1, loc.col + 1) if loc else (1, 1)

    def problem(self, severity: str, code: str, message: str, path: tuple) -> Problem:
        e, rest = self.entity(path)
        line, col = self.position(path)
        field = ".".join(str(p) for p in rest)
        return Problem(severity, code, message, self.file, line, col,
                       e.kind.name if e else "", e.id if e else "", field)


def locators_for(plan: Plan) -> dict[str, Locator]:
    """One locator per file, the entities sorted into them in one pass."""
    by_file: dict[str, dict[tuple, Entity]] = {name: {} for name in plan.files}
    for kind_entities in plan.entities.values():
        for e in kind_entities:
            if e.file in by_file:
                by_file[e.file][e.path] = e
    return {name: Locator(plan, name, by_file[name]) for name in plan.files}


def _json_instance(data) -> tuple[object, list]:
    """``to_json(data)`` and its non-finite numbers.  A JSON round trip (in C) gives the
    same instance as the walk in Python: dates as ISO text, everything else as is.  Only
    when nan or inf may be present is the walk used, to find where they are: orjson
    writes them as null, which TOML has not, so a null in its output is one of them
    (or a string holding the word, which only costs the slower walk)."""
    if orjson is not None:
        try:
            raw = orjson.dumps(data)
        except TypeError:  # not plain TOML data (or an integer beyond 64 bits): the stdlib's way
            pass
        else:
            if b"null" in raw and _JSON_NULL.search(raw):
                bad_numbers: list = []
                return to_json(data, bad_numbers), bad_numbers
            return orjson.loads(raw), []
    text = json.dumps(data, default=_iso, ensure_ascii=False, check_circular=False)
    if "NaN" in text or "Infinity" in text:
        bad_numbers = []
        return to_json(data, bad_numbers), bad_numbers
    return json.loads(text), []


_JSON_NULL = re.compile(rb"[:,\[]null")  # a null value in compact JSON follows one of these


def _iso(value):
    import datetime as _dt

    if isinstance(value, (_dt.date, _dt.time)):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not TOML data")


def _what(loc: Locator, path: tuple) -> str:
    e, rest = loc.entity(path)
    if e is None:
        return loc.file
    name = f"{e.kind.title.lower()} {e.id!r}" if not e.kind.singleton else f"[{'.'.join(e.path)}]"
    return name


def schema_problems(plan: Plan, schemas: SchemaSet, locators: dict) -> list[Problem]:
    out: list[Problem] = []
    for name, tf in plan.files.items():  # entity files of a split kind too (see layout)
        schema_name = layout.schema_of(name)
        loc = locators[name]
        try:
            instance, bad_numbers = _json_instance(tf.data)
        except (TypeError, ValueError):  # not plain TOML data: the walk says what it is
            bad_numbers = []
            instance = to_json(tf.data, bad_numbers)
        if bad_numbers or "\\" in tf.text or _MAYBE_QUOTED_DATE.search(tf.text):
            out.extend(value_problems(schemas, schema_name, tf.data, loc))
        # (else no value can be nan or inf, nor a date in quotes: the walk would find nothing)
        if not bad_numbers and is_valid_fast(schemas, schema_name, instance):
            continue
        import referencing.exceptions  # only now: an error is to be explained

        validator = schemas.validator(schema_name)
        try:
            for err in validator.iter_errors(instance):
                for code, message, path in schema_messages(err, lambda p, loc=loc: _what(loc, p)):
                    out.append(loc.problem(ERROR, code, message, path))
        except referencing.exceptions.Unresolvable as exc:
            out.append(Problem(ERROR, "schema.unresolvable",
                               f"the schema {schema_name} refers to {exc.ref!r}, which cannot be resolved: "
                               "schemas may only refer to the plan's own schema files (nothing is fetched)", name))
    return out


# A string whose text starts like a date, as TOML writes one (after the opening quote, or
# the newline a multi-line string drops); escapes can spell one too (checked apart).
_MAYBE_QUOTED_DATE = textscan.Pattern(r"[\"'](?:\r?\n)?\d{4}-\d{2}-\d{2}")


def value_problems(schemas: SchemaSet, schema_name: str, data, loc: "Locator") -> list[Problem]:
    """nan/inf where a number is expected, quoted text where a date is (see ``values``)."""
    from .values import value_findings

    return [loc.problem(ERROR, code, message, path) for code, path, message in value_findings(schemas, schema_name, data)]


# -- references -------------------------------------------------------------------


def reference_problems(plan: Plan, schemas: SchemaSet, locators: dict, skip: set = frozenset(),
                       refs: list | None = None) -> list[Problem]:
    """``skip``: files that could not be read; references to what they hold are not checked.
    ``refs``: ``iter_references(plan, schemas)`` when the caller has it already."""
    out = []
    ids = {k: {e.own_id for e in plan.all(k)} for k in KINDS}
    ids["stage"] = set(plan.stages)
    unchecked = {k for k in KINDS if KINDS[k].file in skip} | ({"stage"} if "plan.toml" in skip else set())
    for file, path, kind, value in iter_references(plan, schemas) if refs is None else refs:
        if not isinstance(value, str) or value in ids.get(kind, ()) or kind in unchecked:
            continue
        loc = locators[file]
        import difflib  # (only when a name is unknown)

        close = difflib.get_close_matches(value, sorted(ids.get(kind, ())), n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        if kind == "stage":
            msg = f"{value!r} is not a journey stage of this plan (stages: {', '.join(plan.stages)}).{hint}"
        else:
            title = KINDS[kind].title.lower()
            msg = f"no {title} has the id {value!r}.{hint} Use the id of an existing {title} or add one"
        out.append(loc.problem(ERROR, "ref.unknown", msg, path))
    return out


# -- cross-file rules ---------------------------------------------------------------


def rule_problems(plan: Plan, locators: dict, skip: set = frozenset(), only: Entity | None = None) -> list[Problem]:
    """``skip``: files that could not be read; rules that need their data do not run.
    ``only``: the problems of this one entity (a form's, as it would leave it), found
    without looking at the rest of the plan more than its rules need."""
    out: list[Problem] = []
    no_plan = "plan.toml" in skip

    def add(severity, code, message, e: Entity, field: tuple = ()):
        if only is None or e is only:
            out.append(locators[e.file].problem(severity, code, message, e.path + field))

    def chosen(kind_name: str) -> list[Entity]:
        """The entities of a kind whose own problems are wanted."""
        if only is None:
            return plan.all(kind_name)
        return [only] if only.kind.name == kind_name else []

    # unique ids
    for kind_name, entities in plan.entities.items():
        if KINDS[kind_name].singleton:
            continue
        seen: dict[str, Entity] = {}
        for e in entities:
            if e.id in seen:
                first = seen[e.id]
                line, _ = locators[first.file].position(first.path)
                add(ERROR, "id.duplicate",
                    f"another {e.kind.title.lower()} already has the id {e.own_id!r} (line {line}); give this one a different id",
                    e, ("id",))
            else:
                seen[e.id] = e

    members = {e.id: e.data.get("team") for e in plan.all("member")}

    def check_owner(e: Entity, field: str, team: str):
        value = e.data.get(field)
        if isinstance(value, str) and value in members and members[value] != team:
            add(ERROR, "owner.team",
                f"`{field}` is {value!r}, who is on the {members[value]} team; pick a member of the {team} team",
                e, (field,))

    for kind_name in () if no_plan else KINDS:  # every kind with a sales_owner or marketing_owner field
        for e in chosen(kind_name):
            for field, team in OWNER_TEAMS.items():
                check_owner(e, field, team)

    goals = {e.id: e for e in plan.all("goal")}
    for g in goals.values():
        owners = g.data.get("owners")
        if g.data.get("team") == "shared" and isinstance(owners, list) and not no_plan:
            teams = {members.get(o) for o in owners if isinstance(o, str) and isinstance(members.get(o), str)}
            missing = [t for t in ("sales", "marketing") if t not in teams]
            if missing:
                add(ERROR, "goal.shared-owners",
                    f"goal {g.id!r} is shared but has no {' and no '.join(missing)} owner; add one to `owners` "
                    "or set `team` to the one team that owns it", g, ("owners",))
        # parent cycle
        seen = {g.id}
        parent = g.data.get("parent")
        while isinstance(parent, str) and parent in goals:
            if parent in seen:
                add(ERROR, "goal.parent-cycle",
                    f"goal {g.id!r} is its own ancestor through `parent`; break the loop", g, ("parent",))
                break
            seen.add(parent)
            parent = goals[parent].data.get("parent")

    # quarter dates
    plan_entity = plan.find("plan", "plan")
    start = end = None
    if plan_entity is not None:
        start, end = as_date(plan_entity.data.get("start")), as_date(plan_entity.data.get("end"))
        if start and end and end < start:
            add(ERROR, "plan.dates", f"the quarter ends ({end}) before it starts ({start}); swap or correct the dates",
                plan_entity, ("end",))
    if start and end and start <= end:
        for k in KINDS.values():
            for field in k.dated:
                for e in chosen(k.name):
                    d = as_date(e.data.get(field))
                    if d is None or start <= d <= end:
                        continue  # (most dates: nothing to say)
                    if d < start and e.data.get("status") in ("published", "retired"):
                        continue  # published before this quarter: history, kept on purpose
                    if is_stale_carried(e, d, start):
                        continue  # carried by a rollover: one summary per kind (rules_rollover.py)
                    add(WARNING, "date.outside-quarter",
                        f"`{field}` is {d}, outside the quarter {plan.quarter} ({start} to {end}); "
                        "move it into the quarter or to next quarter's plan", e, (field,))

    # key result direction
    for kr in chosen("key_result"):
        b, t, d = kr.data.get("baseline"), kr.data.get("target"), kr.data.get("direction")
        if isinstance(b, (int, float)) and isinstance(t, (int, float)):
            if (d == "increase" and t < b) or (d == "decrease" and t > b):
                add(WARNING, "kr.direction",
                    f"key result {kr.id!r} should {d}, but its target ({t}) is on the wrong side of its baseline ({b}); "
                    "fix the target or the direction", kr, ("target",))

    # journeys and coverage
    stages = plan.stages
    content = [c for c in plan.all("content") if c.data.get("status") != "retired"]
    covered = set()  # (stage, persona) that some content serves: one pass, not one per persona and stage
    for c in content:
        stage, personas = c.data.get("stage"), c.data.get("personas")
        if isinstance(stage, str) and isinstance(personas, list):
            covered.update((stage, x) for x in personas if isinstance(x, str))
    for p in [] if no_plan else chosen("persona"):
        journey = p.data.get("journey")
        if isinstance(journey, dict):
            for stage in journey:
                if stage not in stages:
                    add(WARNING, "journey.unknown-stage",
                        f"persona {p.id!r} has a journey stage {stage!r} that the plan does not use "
                        f"(stages: {', '.join(stages)})", p, ("journey", stage))
        for stage in stages:
            if not isinstance(journey, dict) or stage not in journey:
                add(WARNING, "journey.missing-stage",
                    f"persona {p.id!r} has no journey for the {stage} stage; add [persona.journey.{stage}] "
                    "with the buyer's questions", p)
                continue
            if (stage, p.id) not in covered and "content.toml" not in skip:
                step = journey.get(stage)
                questions = step.get("questions") if isinstance(step, dict) else None
                questions = questions if isinstance(questions, list) else []
                asks = f" They ask: {'; '.join(map(str, questions[:3]))}" if questions else ""
                add(WARNING, "coverage.gap",
                    f"no content is planned for persona {p.id!r} at the {stage} stage.{asks}",
                    p, ("journey", stage))

    if "glossary.toml" not in skip:
        out.extend(retired_name_problems(plan, locators, only=only))
    return out


def _strings(data, path=()):
    if isinstance(data, str):
        yield path, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _strings(v, path + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _strings(v, path + (i,))


def retired_names(plan: Plan) -> dict[str, tuple[str, str]]:
    """Retired name (lower case) -> (its replacement term, since)."""
    out = {}
    for t in plan.all("term"):
        retired = t.data.get("retired")
        for r in retired if isinstance(retired, list) else []:
            if isinstance(r, dict) and isinstance(r.get("name"), str) and r["name"].strip():
                out[r["name"].strip().lower()] = (str(t.data.get("term", t.id)), str(r.get("since", "")))
    return out


def _trie(names) -> str:
    """A regular expression matching exactly the strings ``names``, as a trie: Python's
    engine tries an alternation of hundreds of names one by one at every position."""
    root: dict = {}
    for name in names:
        node = root
        for ch in name:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items()) if ch]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body

    return build(root)


class _RetiredFinder:
    """Where retired names may be written, found fast.  It never misses a match of the
    exact pattern (every name is in the trie, with the same word boundaries), so the
    places it rules out need no closer look; the exact pattern then decides."""

    def __init__(self, names):
        names = sorted(names)
        first = "".join(sorted({re.escape(n[0]) for n in names}))
        body = rf"(?=[{first}])(?<!\w)(?:{_trie(names)})(?!\w)"
        self.any_case = re.compile(body, re.I)
        # the whole file's text is scanned by an automaton where it can be (textscan)
        self.words = textscan.Words(names, self.any_case)
        # a name across lines may be written in a way the raw text does not show (a
        # line break read as another): then every string is looked at
        self.text_safe = not any("\n" in n or "\r" in n for n in names)

    def search(self, text: str) -> bool:
        return self.any_case.search(text) is not None

    def offsets(self, text: str):
        """Offsets in ``text`` (a whole file) where a retired name may be written."""
        return self.words.starts(text)


def _retired_candidates(tf, finder: _RetiredFinder):
    """(path, text) of the strings of ``tf`` that may hold a retired name, in the order
    of ``_strings(tf.data)``.  When the file's top-level tables can be told apart in its
    text, the tables whose text shows no retired name (and no escape that could spell
    one) are not walked at all."""
    regions = tf.top_level_regions() if finder.text_safe else None
    if regions is None:
        for path, text in _strings(tf.data):
            if finder.search(text):
                yield path, text
        return
    starts = sorted((start, key) for key, (start, _) in regions.items())
    offsets = [start for start, _ in starts]
    text = tf.text
    marked = finder.offsets(text)
    if "\\" in text:  # an escape can spell a name the text does not show
        marked += [m.start() for m in re.finditer(r"\\", text)]
    hit = set()
    for at in marked:
        n = bisect.bisect_right(offsets, at) - 1
        if n >= 0:
            hit.add(starts[n][1])
    for k, v in tf.data.items():
        if (k,) in regions:
            if (k,) in hit:
                yield from (x for x in _strings(v, (k,)) if finder.search(x[1]))
        elif (k, 0) in regions and isinstance(v, list):
            for i, item in enumerate(v):
                if (k, i) in hit:
                    yield from (x for x in _strings(item, (k, i)) if finder.search(x[1]))
        else:  # keys before the first header
            yield from (x for x in _strings(v, (k,)) if finder.search(x[1]))


def retired_name_problems(plan: Plan, locators: dict, only: Entity | None = None) -> list[Problem]:
    """``only``: in that entity's data (a form's values, perhaps not in any file yet)."""
    names = retired_names(plan)
    if not names:
        return []
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")(?!\w)", re.I
    )
    if only is not None:
        return _retired_in_entity(only, names, pattern, locators[only.file])
    finder = _RetiredFinder(names)
    out = []
    for name, tf in plan.files.items():
        loc = locators[name]
        lines = None
        for path, text in _retired_candidates(tf, finder):
            if layout.base_file(name) == KINDS["term"].file and _own_record(path):
                continue
            for m in pattern.finditer(text):
                where = tf.locate(path)
                line, col = (where.line + 1, where.col + 1) if where else (1, 1)
                if where:  # point at the word itself where it is written literally
                    if lines is None:
                        lines = tf.text.split("\n")
                    for n in range(where.line, where.end_line + 1):
                        hit = pattern.search(lines[n])
                        if hit:
                            line, col = n + 1, hit.start() + 1
                            break
                e, rest = loc.entity(path)
                out.append(_retired_problem(m.group(1), names, name, line, col, e, rest))
    return out


def _own_record(path: tuple) -> bool:
    """Whether ``path`` (in a term) is the term's own record of a name it retired."""
    return len(path) >= 2 and path[-1] == "name" and "retired" in path


def _retired_problem(word: str, names: dict, file: str, line: int, col: int, e: Entity | None,
                     rest: tuple) -> Problem:
    current, since = names[word.lower()]
    return Problem(WARNING, "glossary.retired-name", f"{word!r} was retired on {since}; say {current!r} instead",
                   file, line, col, e.kind.name if e else "", e.id if e else "", ".".join(str(p) for p in rest))


def _retired_in_entity(e: Entity, names: dict, pattern, loc) -> list[Problem]:
    """The retired names written in one entity's data; each problem at the value's place in
    its file where the entity is in one (a new entity's: where it will be added)."""
    out = []
    for rest, text in _strings(e.data):
        if e.kind.name == "term" and _own_record(rest):
            continue
        for m in pattern.finditer(text):
            line, col = loc.position(e.path + rest)
            out.append(_retired_problem(m.group(1), names, e.file, line, col, e, rest))
    return out


# What cannot be checked while a file is unreadable, beyond references to its kinds.
_NEEDS_FILE = {
    "plan.toml": ("journey stages", "owners' teams", "shared-goal owners", "dates inside the quarter",
                  "glossary terms in the SLA and scoring rules"),
    "content.toml": ("content coverage of each persona's journey",),
    "glossary.toml": ("retired glossary names", "glossary terms in the SLA and scoring rules"),
}


def unavailable_files(plan: Plan, schemas: SchemaSet, refs: list | None = None) -> dict[str, Problem | None]:
    """Plan files whose data the cross-file rules cannot have: unreadable ones (with
    their problem), and missing ones that the rest of the plan refers to (None)."""
    # an unreadable entity file (accounts/<id>.toml) makes its kind's data incomplete
    out: dict[str, Problem | None] = {layout.base_file(n): p for n, p in plan.unreadable.items()}
    absent = [name for name in PLAN_FILES if not layout.has_kind_file(plan.files, name) and name not in out]
    if absent:  # (one more walk over the references, only when a file is absent)
        wanted = {KINDS[kind].file for _, _, kind, _ in (iter_references(plan, schemas) if refs is None else refs)
                  if kind in KINDS}
        for name in absent:
            if name in wanted:
                out[name] = None
    return out


def skipped_checks(plan: Plan, unavailable: dict) -> list[Problem]:
    """One warning per unavailable file naming the checks that were skipped for it."""
    out = []
    for name, p in unavailable.items():
        kinds = [k.plural.lower() for k in KINDS.values() if k.file == name and not k.singleton]
        if name == "plan.toml":
            kinds.append("journey stages")
        what = ([f"references to {', '.join(kinds)}"] if kinds else []) + list(_NEEDS_FILE.get(name, ()))
        shown = p.file if p is not None and p.file else name
        out.append(Problem(WARNING, "check.skipped",
                           f"{shown} could not be read, so checks that need it were skipped: {'; '.join(what)}. "
                           "Fix the file and check again", name))
    return out


def missing_file_problems(plan: Plan, schemas: SchemaSet, unavailable: dict, refs: list | None = None) -> list[Problem]:
    """One error per missing file that other files refer to (instead of one per reference)."""
    out = []
    missing = [name for name, p in unavailable.items() if p is None]
    if not missing:
        return out
    counts: dict[str, list] = {name: [] for name in missing}
    for file, path, kind, _ in iter_references(plan, schemas) if refs is None else refs:
        target = KINDS[kind].file if kind in KINDS else None
        if target in counts:
            counts[target].append(file)
    for name, files in counts.items():
        where = ", ".join(sorted(set(files)))
        out.append(Problem(ERROR, "file.missing",
                           f"{name} is missing, but {len(files)} reference(s) in {where} name what it holds; "
                           f"restore it (e.g. `git checkout -- {name}`) or create it", name))
    return out


def validate(plan: Plan, schemas: SchemaSet | None = None) -> list[Problem]:
    """Every problem in the plan, sorted by file and line.

    A file that cannot be read gives its own problem once; the cross-file rules that
    need its data are skipped (a ``check.skipped`` warning names them) rather than run
    against its absence, so healthy files get no false errors."""
    schemas = schemas or load_schemas()
    locators = locators_for(plan)
    refs = list(iter_references(plan, schemas))  # one walk of the references for every rule
    unavailable = unavailable_files(plan, schemas, refs)
    problems = list(plan.syntax_errors)
    problems += layout.layout_problems(plan)  # entity files named after their ids (one file per entity)
    problems += schema_problems(plan, schemas, locators)
    problems += reference_problems(plan, schemas, locators, skip=set(unavailable), refs=refs)
    problems += rule_problems(plan, locators, skip=set(unavailable))
    if not {"plan.toml", "messaging.toml"} & set(unavailable):
        problems += message_problems(plan, schemas, locators, refs=refs)
    if "plan.toml" not in unavailable:  # both need the quarter's dates
        problems += heartbeat_problems(plan, locators)  # check-ins, overdue content (rules_checkins.py)
        problems += stale_date_problems(plan, locators)  # dates a rollover carried (rules_rollover.py)
    if not {"plan.toml", "glossary.toml"} & set(unavailable):
        from .insights.glossary import glossary_problems

        problems += glossary_problems(plan)
    problems += missing_file_problems(plan, schemas, unavailable, refs)
    problems += skipped_checks(plan, unavailable)
    return sort_problems(dict.fromkeys(problems))


def has_errors(problems) -> bool:
    return any(p.severity == ERROR for p in problems)
