"""The one registry of entity kinds.

Loading, validation, references, diff, merge, the CLI and the TUI all read this table.
Adding a kind means a schema and one ``Kind`` entry here (or one ``register_kind`` call);
everything else is derived from the two:

- ``PLAN_FILES`` (file -> schema) from ``Kind.file`` and ``Kind.schema``;
- which fields refer to which kind from the schemas themselves: a ``$ref`` to a
  ``$defs`` entry named ``<kind>_ref`` (one id) or ``<kind>_refs`` (a list of ids),
  for every kind marked ``referable`` (``REFERENCE_DEFS``);
- which keys of an entity hold entities of another kind (``CHILD_KEYS``);
- which plan files a plan may leave out (``OPTIONAL_FILES``, from ``Kind.optional``);
- which kinds may be kept as one file per entity (``SPLIT_FILES``: a top-level kind with
  ids that no other top-level kind shares its file with; see ``layout``);
- how the app shows a kind: its view, the tab inside that view, its list columns and
  their short titles (``views``, ``list_kinds``).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Kind:
    name: str  # "account"
    title: str  # "Account"
    plural: str  # "Accounts"
    file: str  # "accounts.toml"
    schema: str  # "accounts.schema.json"
    path: tuple[str, ...]  # where its array (or table) sits, inside its file or parent entity
    parent: str | None = None  # kind whose entities hold these (key results sit in goals)
    singleton: bool = False  # one table, no id (plan, sla, lead_scoring)
    label: str = "name"  # field that names an entity for people
    columns: tuple[str, ...] = ()  # default table columns
    dated: tuple[str, ...] = ()  # date fields that belong inside the quarter
    addressed_by_parent: bool = False  # id written as PARENT/ID (key results)
    # Other entities may name this kind by id: the schemas hold `<name>_ref` and
    # `<name>_refs` definitions, and `rm` looks for referrers.
    referable: bool = False
    # Arrays of tables inside an entity that are not entities of their own, and the keys
    # that identify one element, tried in order (a committee member: by email, else by
    # name), for matching the elements of two versions (merge, diff); an array not named
    # here is matched by position.
    identities: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    # How the app shows it: the view (a tab of the main screen) and the tab inside it.
    view: str = ""
    tab: str = ""
    view_title: str = ""  # only for a kind that opens a view of its own (not in VIEWS)
    # Short titles of list columns; any other column: "ID" for `id`, else its key capitalised.
    column_titles: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    # A plan may leave its file out: nothing is missing then (the messaging framework).
    optional: bool = False

    @property
    def is_list(self) -> bool:
        return not self.singleton

    @property
    def list_columns(self) -> tuple[str, ...]:
        """The columns of its list in the app."""
        return self.columns or ("id", self.label)

    def column_title(self, key: str) -> str:
        """The short title of a list column: "ICP" for ``icp_fit``."""
        if key in self.column_titles:
            return self.column_titles[key]
        if key == "id":
            return "ID"
        return key.replace("_", " ").capitalize()


_OWNER_TITLES = {"marketing_owner": "Mkt owner"}

KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("plan", "Plan", "Plan", "plan.toml", "plan.schema.json", ("plan",), singleton=True,
             label="company", columns=("company", "quarter", "start", "end"), view="overview"),
        Kind("member", "Member", "Members", "plan.toml", "plan.schema.json", ("member",),
             columns=("id", "name", "team", "role", "email"), referable=True, view="team", tab="team-roster"),
        Kind("sla", "Lead hand-off SLA", "SLA", "plan.toml", "plan.schema.json", ("sla",), singleton=True,
             label="period", columns=("mql_commitment", "period", "follow_up_hours"), dated=("review_date",),
             view="team", tab="team-sla", column_titles={"mql_commitment": "MQLs"}),
        Kind("lead_scoring", "Lead scoring", "Lead scoring", "plan.toml", "plan.schema.json", ("lead_scoring",),
             singleton=True, label="threshold", columns=("threshold", "decay_days"), view="team", tab="team-scoring"),
        Kind("rule", "Scoring rule", "Scoring rules", "plan.toml", "plan.schema.json", ("rule",),
             parent="lead_scoring", label="description", columns=("id", "category", "points", "description"),
             view="team", tab="team-scoring"),
        Kind("meeting", "Meeting", "Meetings", "plan.toml", "plan.schema.json", ("meeting",),
             columns=("id", "name", "cadence", "day", "owner"), view="team", tab="team-meetings"),
        Kind("responsibility", "Responsibility", "Responsibilities", "plan.toml", "plan.schema.json",
             ("responsibility",), label="area", columns=("id", "area", "owner", "team"), view="team",
             tab="team-resp"),
        Kind("goal", "Goal", "Goals", "goals.toml", "goals.schema.json", ("goal",), label="title",
             columns=("id", "title", "team", "owners", "status"), referable=True, view="goals"),
        Kind("key_result", "Key result", "Key results", "goals.toml", "goals.schema.json", ("key_result",),
             parent="goal", label="title", addressed_by_parent=True,
             columns=("id", "title", "baseline", "target", "actual", "direction", "due"), dated=("due",),
             identities={"checkin": ("date",)}, view="goals"),
        Kind("persona", "Persona", "Personas", "personas.toml", "personas.schema.json", ("persona",),
             columns=("id", "name", "role", "buying_role", "sales_owner", "marketing_owner"), referable=True,
             view="personas", column_titles=_OWNER_TITLES),
        Kind("account", "Account", "Accounts", "accounts.toml", "accounts.schema.json", ("account",),
             columns=("id", "name", "domain", "tier", "stage", "icp_fit", "sales_owner", "marketing_owner"),
             dated=("next_step_due",), referable=True, identities={"committee": ("email", "name")},
             view="accounts", column_titles={"icp_fit": "ICP", **_OWNER_TITLES}),
        Kind("content", "Content item", "Content", "content.toml", "content.schema.json", ("content",),
             label="title", columns=("id", "title", "format", "stage", "status", "publish_date", "owner"),
             dated=("publish_date",), referable=True, view="content", tab="content-list",
             column_titles={"publish_date": "Publish"}),
        Kind("message", "Message", "Messages", "messaging.toml", "messaging.schema.json", ("message",),
             label="text", columns=("id", "status", "personas", "stages", "owners", "text"), referable=True,
             identities={"proof": ("claim",)}, view="messaging", view_title="Messaging", optional=True),
        Kind("term", "Glossary term", "Glossary", "glossary.toml", "glossary.schema.json", ("term",),
             label="term", columns=("id", "term", "owner_team", "aliases"), referable=True,
             identities={"retired": ("name",)}, view="glossary", column_titles={"owner_team": "Team"}),
    )
}

# The app's views that show kinds, in tab order (id -> title).  The app adds its own
# (Problems, History) after them.  A kind may open a new view by naming it in
# ``Kind.view`` with a ``Kind.view_title``; it comes after these.
VIEWS: dict[str, str] = {
    "overview": "Overview", "goals": "Goals", "personas": "Personas", "accounts": "Accounts",
    "content": "Content", "glossary": "Glossary", "team": "Team",
}

# Pseudo-kinds a reference may name that are not entities: journey stages are the
# plan's `stages` list.
REFERENCE_PSEUDO_KINDS = ("stage",)

# -- derived tables (rebuilt in place, so `from .registry import PLAN_FILES` stays live) --

# Kinds a plan file holds, in the order the files are read and reported: file -> schema.
PLAN_FILES: dict[str, str] = {}
# `$defs` names in the schemas that hold references, and the kind they name.
REFERENCE_DEFS: dict[str, str] = {}
# Keys under which an entity holds entities of another kind (goal -> ("key_result",)).
CHILD_KEYS: dict[str, tuple[str, ...]] = {}
# Plan files a plan may leave out (``Kind.optional``): their absence is not a problem.
OPTIONAL_FILES: set[str] = set()
# Plan files whose kind may be kept as a folder of one file per entity: file -> kind name.
SPLIT_FILES: dict[str, str] = {}


def _derive() -> None:
    files: dict[str, str] = {}
    for k in KINDS.values():
        if k.parent is not None and k.parent not in KINDS:
            raise ValueError(f"kind {k.name!r}: its parent {k.parent!r} is not a kind")
        if files.setdefault(k.file, k.schema) != k.schema:
            raise ValueError(f"kind {k.name!r}: {k.file} is checked by {files[k.file]}, not {k.schema}")
    refs: dict[str, str] = {}
    for name in [k.name for k in KINDS.values() if k.referable] + list(REFERENCE_PSEUDO_KINDS):
        refs[f"{name}_ref"] = name
        refs[f"{name}_refs"] = name
    children = {k.name: tuple(c.path[0] for c in KINDS.values() if c.parent == k.name) for k in KINDS.values()}
    for table, value in ((PLAN_FILES, files), (REFERENCE_DEFS, refs), (CHILD_KEYS, children)):
        table.clear()
        table.update(value)
    optional = {f for f in files if all(k.optional for k in KINDS.values() if k.file == f)}
    OPTIONAL_FILES.clear()
    OPTIONAL_FILES.update(optional)

    def top(k: Kind) -> Kind:
        while k.parent is not None:
            k = KINDS[k.parent]
        return k

    split = {k.file: k.name for k in KINDS.values() if not k.singleton and k.parent is None
             and all(top(other) is k for other in KINDS.values() if other.file == k.file)}
    SPLIT_FILES.clear()
    SPLIT_FILES.update(split)


_derive()


def register_kind(k: Kind) -> Kind:
    """Add (or replace) a kind at run time: a plug-in's kind, or a test's.  Its schema
    must sit in the schema folder in use; the derived tables follow."""
    previous = KINDS.get(k.name)
    KINDS[k.name] = k
    try:
        _derive()
    except ValueError:
        if previous is None:
            del KINDS[k.name]
        else:
            KINDS[k.name] = previous
        _derive()
        raise
    return k


def unregister_kind(name: str) -> None:
    """Remove a kind added with ``register_kind``."""
    KINDS.pop(name, None)
    _derive()


# -- lookups -------------------------------------------------------------------------


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise KeyError(f"unknown kind {name!r}; kinds are: {known}") from None


def kinds_in_file(file: str) -> list[Kind]:
    return [k for k in KINDS.values() if k.file == file]


def children(name: str) -> list[Kind]:
    """The kinds whose entities sit inside entities of kind ``name`` (a goal's key results)."""
    return [k for k in KINDS.values() if k.parent == name]


def referable_kinds() -> tuple[str, ...]:
    """Names of the kinds other entities may refer to by id."""
    return tuple(k.name for k in KINDS.values() if k.referable)


def identity_keys(kind_name: str, key: str) -> tuple[str, ...]:
    """The keys that identify one element of the array of tables ``key`` inside an
    entity of kind ``kind_name``: ``("id",)`` for entities of a child kind (key results),
    the registry's natural keys otherwise (a committee member: email, else name), ``()``
    when elements are matched by position."""
    if key in CHILD_KEYS.get(kind_name, ()):
        return ("id",)
    k = KINDS.get(kind_name)
    return k.identities.get(key, ()) if k is not None else ()


def views() -> dict[str, str]:
    """The views that show kinds, in tab order (id -> title)."""
    out = {v: t for v, t in VIEWS.items()}
    for k in KINDS.values():
        if k.view and k.view not in out:
            out[k.view] = k.view_title or k.plural
    return out


def list_kinds() -> tuple[str, ...]:
    """The kinds the app lists (every kind with ids), by view, then in registry order."""
    order = list(views())
    listed = [k for k in KINDS.values() if not k.singleton]
    rank = {k.name: (order.index(k.view) if k.view in order else len(order), i) for i, k in enumerate(listed)}
    return tuple(sorted(rank, key=rank.__getitem__))


def full_path(k: Kind) -> tuple[str, ...]:
    """The path of a kind's array from its file's root, for kinds whose parent is a singleton."""
    if k.parent is None:
        return k.path
    parent = KINDS[k.parent]
    return full_path(parent) + k.path if parent.singleton else k.path


def entity_schema_path(k: Kind) -> tuple:
    """The data path of an entity of kind ``k`` in its file, with index 0 for each
    array (the path its schema is found at)."""
    if k.singleton:
        return full_path(k)
    if k.parent and not KINDS[k.parent].singleton:
        return entity_schema_path(KINDS[k.parent]) + k.path + (0,)
    return full_path(k) + (0,)
