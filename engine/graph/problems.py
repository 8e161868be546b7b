"""Validation problems: what `journeys validate` and the API report (spec: Validation)."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]

__all__ = ["Problem", "Severity", "errors", "warnings", "has_errors"]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a journey document.

    `message` is plain English and starts with where the problem is ("node 'remind': ...",
    "edge 'a' -> 'b': ...", "settings.timezone: ...", "document: ..."). `node` names the node the
    problem is about (None for document-level problems); `edge` is (from, to) for edge problems.
    """

    code: str
    severity: Severity
    message: str
    node: str | None = None
    edge: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "node": self.node,
            "edge": [self.edge[0], self.edge[1]] if self.edge is not None else None,
            "message": self.message,
        }

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


def errors(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that block publishing."""
    return [p for p in problems if p.severity == "error"]


def warnings(problems: Iterable[Problem]) -> list[Problem]:
    """The problems that do not block publishing."""
    return [p for p in problems if p.severity == "warning"]


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity == "error" for p in problems)
