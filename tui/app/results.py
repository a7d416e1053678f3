"""What the app's thread workers post when they are done: each result a message, handled
on the UI thread by a handler wrapped in ``guard.result_handler`` (a late one is dropped)."""

from __future__ import annotations

from tui.plan.model import Plan
from tui.plan.problems import Problem

from .guard import WorkerResult
from .session import DiskEvent, Outcome, SaveReport


class PlanLoaded(WorkerResult):
    def __init__(self, plan: Plan, rows: dict) -> None:
        super().__init__()
        self.plan = plan
        self.rows = rows


class LoadFailed(WorkerResult):
    def __init__(self, message: str, code: int) -> None:
        super().__init__()
        self.message = message
        self.code = code


class ProblemsReady(WorkerResult):
    def __init__(self, generation: int, problems: list[Problem], marks: dict, rows: dict) -> None:
        super().__init__()
        self.generation = generation
        self.problems = problems
        self.marks = marks
        self.rows = rows


class EditDone(WorkerResult):
    def __init__(self, outcome: Outcome, rows: dict, mode: str, done, save: bool) -> None:
        super().__init__()
        self.outcome = outcome
        self.rows = rows
        self.mode = mode
        self.done = done
        self.save = save


class EditFailed(WorkerResult):
    def __init__(self, message: str, done) -> None:
        super().__init__()
        self.message = message
        self.done = done


class ReferrersReady(WorkerResult):
    def __init__(self, kind: str, entity_id: str, users: list) -> None:
        super().__init__()
        self.kind = kind
        self.entity_id = entity_id
        self.users = users


class Saved(WorkerResult):
    def __init__(self, report: SaveReport, files: dict) -> None:
        super().__init__()
        self.report = report
        self.files = files


class DiskChanged(WorkerResult):
    def __init__(self, events: list[DiskEvent]) -> None:
        super().__init__()
        self.events = events
