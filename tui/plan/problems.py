"""Problems found in a plan: one shape for syntax, schema and cross-file findings."""

from __future__ import annotations

from dataclasses import asdict, dataclass

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Problem:
    severity: str  # "error" or "warning"
    code: str  # stable, e.g. "schema.enum", "ref.unknown"
    message: str  # says what is wrong and how to fix it
    file: str  # file name inside the plan folder, e.g. "accounts.toml"
    line: int = 0  # 1-based; 0 when the problem concerns the whole file
    col: int = 0  # 1-based
    kind: str = ""  # entity kind, e.g. "account"
    entity: str = ""  # entity id (GOAL/KR for key results)
    field: str = ""  # dotted field path inside the entity

    def sort_key(self) -> tuple:
        return (self.file, self.line, self.col, self.code, self.message)

    def to_dict(self) -> dict:
        return asdict(self)


def sort_problems(problems) -> list[Problem]:
    return sorted(problems, key=Problem.sort_key)


class PlanError(Exception):
    """A failure that stops an operation, with a message meant for the user."""

    exit_code = 1

    def __init__(self, message: str, *, file: str = "", line: int = 0, col: int = 0, code: str = "error"):
        super().__init__(message)
        self.message = message
        self.file = file
        self.line = line
        self.col = col
        self.code = code

    def __str__(self) -> str:
        where = self.file
        if where and self.line:
            where += f":{self.line}"
            if self.col:
                where += f":{self.col}"
        return f"{where}: {self.message}" if where else self.message


class UnreadableError(PlanError):
    """A file or folder that cannot be read at all (exit code 2 in the CLI)."""

    exit_code = 2


class TomlSyntaxError(PlanError):
    """A file that is not valid TOML 1.0."""


class FileChangedError(PlanError):
    """The file on disk is no longer the one that was read."""
