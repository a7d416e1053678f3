"""What widgets ask of the app, as messages: a widget posts one and the app (wiring,
workers, flows) acts on it.  No widget calls the app or imports it."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from tui.plan.problems import Problem


@dataclass
class Request(Message):
    """Base of the requests (dataclass messages: Textual's set-up runs in __post_init__)."""


@dataclass
class EditRequested(Request):
    """Open the form of an entity (on ``field`` when given)."""

    kind: str
    entity_id: str
    field: str | None = None


@dataclass
class AddRequested(Request):
    """Open the form for a new entity of ``kind`` (inside ``parent_id`` when given)."""

    kind: str
    parent_id: str | None = None


@dataclass
class DuplicateRequested(Request):
    kind: str
    entity_id: str


@dataclass
class RenameRequested(Request):
    kind: str
    entity_id: str


@dataclass
class DeleteRequested(Request):
    kind: str
    entity_id: str


@dataclass
class MoveRequested(Request):
    """Move an entity's date by ``days`` (the calendar)."""

    kind: str
    entity_id: str
    days: int


@dataclass
class JumpRequested(Request):
    """Show an entity in its view, selected."""

    kind: str
    entity_id: str


@dataclass
class ProblemJumpRequested(Request):
    """Show the entity a problem is about and open its form on the field."""

    problem: Problem


@dataclass
class CurrentChanged(Request):
    """The entity the user is looking at changed (what palette actions apply to)."""

    kind: str
    entity_id: str
