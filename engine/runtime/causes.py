"""Why a run is being walked: past-tense facts handed to the walker."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Start:
    event: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Wake:
    """The run's wake-up came due (a delay ended, a window opened, a timeout passed)."""


@dataclass(frozen=True)
class EventArrived:
    type: str
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ApprovalDecided:
    decision: str  # approved | rejected
    actor: str
    edits: dict[str, Any] | None = None


@dataclass(frozen=True)
class DateAvailable:
    """A needs-date run's anchor date is now set on the client."""


@dataclass(frozen=True)
class Recheck:
    """A date or a pause changed: re-time the current wait and apply the past-due rule."""


@dataclass(frozen=True)
class Retime:
    """The run moved to another version: re-time its wait from when it entered the node."""


@dataclass(frozen=True)
class Skip:
    actor: str


@dataclass(frozen=True)
class Retry:
    actor: str


Cause = (Start | Wake | EventArrived | ApprovalDecided | DateAvailable | Recheck | Retime | Skip
         | Retry)
