"""Errors of the history layer: each carries a message meant for the user."""

from __future__ import annotations

from tui.plan.problems import PlanError


class HistoryError(PlanError):
    """A git or history operation that cannot be done; nothing was changed."""


class NotARepositoryError(HistoryError):
    """The plan folder is not inside a git work tree (exit code 2: nothing to read)."""

    exit_code = 2


class RevisionError(HistoryError):
    """A revision given by the user that does not name a commit."""

    exit_code = 2


class GitFailed(HistoryError):
    """A git command failed; ``output`` holds what git printed."""

    def __init__(self, message: str, *, output: str = "", code: str = "git.failed"):
        super().__init__(message, code=code)
        self.output = output
