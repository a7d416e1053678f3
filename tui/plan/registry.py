"""The one registry of entity kinds.

Loading, validation, diff, merge, the CLI and the TUI's forms all read this table.
Adding a kind means a schema and one entry here; which fields refer to which kind is
read from the schemas themselves (a ``$ref`` to ``common.schema.json#/$defs/member_ref``
means "a member id").
"""

from __future__ import annotations

from dataclasses import dataclass


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

    @property
    def is_list(self) -> bool:
        return not self.singleton


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("plan", "Plan", "Plan", "plan.toml", "plan.schema.json", ("plan",), singleton=True,
             label="company", columns=("company", "quarter", "start", "end")),
        Kind("member", "Member", "Members", "plan.toml", "plan.schema.json", ("member",),
             columns=("id", "name", "team", "role", "email")),
        Kind("sla", "Lead hand-off SLA", "SLA", "plan.toml", "plan.schema.json", ("sla",), singleton=True,
             label="period", columns=("mql_commitment", "period", "follow_up_hours"), dated=("review_date",)),
        Kind("lead_scoring", "Lead scoring", "Lead scoring", "plan.toml", "plan.schema.json", ("lead_scoring",),
             singleton=True, label="threshold", columns=("threshold", "decay_days")),
        Kind("rule", "Scoring rule", "Scoring rules", "plan.toml", "plan.schema.json", ("rule",),
             parent="lead_scoring", label="description", columns=("id", "category", "points", "description")),
        Kind("meeting", "Meeting", "Meetings", "plan.toml", "plan.schema.json", ("meeting",),
             columns=("id", "name", "cadence", "day", "owner")),
        Kind("responsibility", "Responsibility", "Responsibilities", "plan.toml", "plan.schema.json",
             ("responsibility",), label="area", columns=("id", "area", "owner", "team")),
        Kind("goal", "Goal", "Goals", "goals.toml", "goals.schema.json", ("goal",), label="title",
             columns=("id", "title", "team", "owners", "status")),
        Kind("key_result", "Key result", "Key results", "goals.toml", "goals.schema.json", ("key_result",),
             parent="goal", label="title", addressed_by_parent=True,
             columns=("id", "title", "baseline", "target", "actual", "direction", "due"), dated=("due",)),
        Kind("persona", "Persona", "Personas", "personas.toml", "personas.schema.json", ("persona",),
             columns=("id", "name", "role", "buying_role", "sales_owner", "marketing_owner")),
        Kind("account", "Account", "Accounts", "accounts.toml", "accounts.schema.json", ("account",),
             columns=("id", "name", "domain", "tier", "stage", "icp_fit", "sales_owner", "marketing_owner"),
             dated=("next_step_due",)),
        Kind("content", "Content item", "Content", "content.toml", "content.schema.json", ("content",),
             label="title", columns=("id", "title", "format", "stage", "status", "publish_date", "owner"),
             dated=("publish_date",)),
        Kind("term", "Glossary term", "Glossary", "glossary.toml", "glossary.schema.json", ("term",),
             label="term", columns=("id", "term", "owner_team", "aliases")),
    )
}

# Kinds a plan file holds, in the order the files are read and reported.
PLAN_FILES: dict[str, str] = {
    "plan.toml": "plan.schema.json",
    "goals.toml": "goals.schema.json",
    "personas.toml": "personas.schema.json",
    "accounts.toml": "accounts.schema.json",
    "content.toml": "content.schema.json",
    "glossary.toml": "glossary.schema.json",
}

# `$defs` names in common.schema.json that hold references, and the kind they name.
# "stage" is not an entity kind: stages are the plan's `stages` list.
REFERENCE_DEFS: dict[str, str] = {
    "member_ref": "member", "member_refs": "member",
    "persona_ref": "persona", "persona_refs": "persona",
    "account_ref": "account", "account_refs": "account",
    "goal_ref": "goal", "goal_refs": "goal",
    "term_ref": "term", "term_refs": "term",
    "stage_ref": "stage", "stage_refs": "stage",
}


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        known = ", ".join(KINDS)
        raise KeyError(f"unknown kind {name!r}; kinds are: {known}") from None


def kinds_in_file(file: str) -> list[Kind]:
    return [k for k in KINDS.values() if k.file == file]


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
