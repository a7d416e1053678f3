"""Small plans written into tmp_path, each holding just what one insight needs."""

from __future__ import annotations

from pathlib import Path

import pytest

PLAN_HEAD = """\
[plan]
schema_version = 1
company = "Acme Rockets"
quarter = "2026-Q4"
start = 2026-10-01
end = 2026-12-31
stages = ["awareness", "consideration", "decision"]
"""

MEMBERS = """
[[member]]
id = "sam"
name = "Sam Seller"
team = "sales"

[[member]]
id = "mia"
name = "Mia Marketer"
team = "marketing"

[[member]]
id = "olga"
name = "Olga Ops"
team = "other"
"""


def toml_value(v) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return str(v)


def block(table: str, **fields) -> str:
    """One [[table]] block; a field named `raw` is pasted as it is."""
    raw = fields.pop("raw", "")
    lines = [f"\n[[{table}]]"] + [f"{k} = {toml_value(v)}" for k, v in fields.items()]
    return "\n".join(lines) + "\n" + raw


def persona(id: str, questions: dict | None = None, **fields) -> str:
    fields.setdefault("name", id.title())
    fields.setdefault("role", "Buyer")
    fields.setdefault("buying_role", "champion")
    fields.setdefault("sales_owner", "sam")
    fields.setdefault("marketing_owner", "mia")
    text = block("persona", id=id, **fields)
    for stage, qs in (questions or {}).items():
        text += f"\n[persona.journey.{stage}]\nquestions = {toml_value(qs)}\n"
    return text


def content(id: str, stage: str, personas=(), status: str = "published", **fields) -> str:
    fields.setdefault("title", id.replace("-", " ").title())
    fields.setdefault("format", "blog_post")
    fields.setdefault("owner", "mia")
    return block("content", id=id, stage=stage, personas=list(personas), status=status, **fields)


def account(id: str, tier: int = 1, **fields) -> str:
    fields.setdefault("name", id.replace("-", " ").title())
    fields.setdefault("domain", f"{id}.example")
    fields.setdefault("stage", "target")
    fields.setdefault("sales_owner", "sam")
    fields.setdefault("marketing_owner", "mia")
    return block("account", id=id, tier=tier, **fields)


def term(id: str, name: str, aliases=(), owner_team: str = "shared", raw: str = "") -> str:
    return block("term", id=id, term=name, definition=f"What {name} means.", owner_team=owner_team,
                 aliases=list(aliases), raw=raw)


def write_plan(root: Path, plan: str = "", **files: str) -> Path:
    """A plan folder: plan.toml = PLAN_HEAD + MEMBERS + ``plan``; other files by name
    (goals=..., personas=..., accounts=..., content=..., glossary=...)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "plan.toml").write_text(PLAN_HEAD + MEMBERS + plan, encoding="utf-8")
    for name, text in files.items():
        (root / f"{name}.toml").write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def make_plan(tmp_path):
    def make(plan: str = "", **files: str) -> Path:
        return write_plan(tmp_path / "plan", plan, **files)

    return make
