"""One error tree for the engine. Errors carry data (codes, retryability) rather than prose only."""
from __future__ import annotations

from datetime import timedelta
from typing import Any


class JourneyError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "JOURNEY_ERROR"
    http_status = 400

    def __init__(self, message: str, *, details: Any = None):
        super().__init__(message)
        self.message = message
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class NotFound(JourneyError, LookupError):
    """A named thing (journey, client, run, version...) does not exist for this vendor."""

    code = "NOT_FOUND"
    http_status = 404

    def __init__(self, kind: str, ident: Any):
        super().__init__(f"{kind} {ident!r} not found", details={"kind": kind, "id": ident})
        self.kind = kind
        self.ident = ident


class InvalidInput(JourneyError, ValueError):
    """Input that is malformed or breaks a rule; nothing was written."""

    code = "INVALID_INPUT"
    http_status = 422


class InvalidDocument(InvalidInput):
    """A journey document with validation errors; `problems` lists all of them."""

    code = "INVALID_DOCUMENT"

    def __init__(self, problems: list[Any], message: str | None = None):
        errors = [p for p in problems if getattr(p, "severity", "error") == "error"]
        super().__init__(
            message or f"journey document has {len(errors)} error(s): "
            + "; ".join(getattr(p, "message", str(p)) for p in errors[:5]),
            details=[p.to_dict() if hasattr(p, "to_dict") else p for p in problems],
        )
        self.problems = problems


class Conflict(JourneyError):
    """The operation does not fit the current state (e.g. resuming a run that is not paused)."""

    code = "CONFLICT"
    http_status = 409


class CalendarError(InvalidInput):
    """A time zone, holiday code or time specification the calendar cannot use."""

    code = "INVALID_TIME"


class MissingDate(JourneyError):
    """A step is anchored on a client date that the client does not have (yet)."""

    code = "MISSING_DATE"

    def __init__(self, anchor: str):
        super().__init__(f"client has no date {anchor!r}", details={"anchor": anchor})
        self.anchor = anchor


class DuplicateStep(JourneyError):
    """A (run, node, visit) was already executed: the unique key refused a second execution."""

    code = "DUPLICATE_STEP"
    http_status = 409


class EffectError(JourneyError):
    """Delivering an effect failed. `retryable` and `retry_after` say what to do next."""

    code = "EFFECT_FAILED"

    def __init__(self, message: str, *, retryable: bool, retry_after: timedelta | None = None,
                 details: Any = None):
        super().__init__(message, details=details)
        self.retryable = retryable
        self.retry_after = retry_after


class StorageUnavailable(JourneyError):
    """The database could not be reached or was busy: nothing was written; try again later."""

    code = "STORAGE_UNAVAILABLE"
    http_status = 503
    retryable = True


class AuthError(JourneyError):
    code = "UNAUTHORIZED"
    http_status = 401


class RateLimited(JourneyError):
    code = "RATE_LIMITED"
    http_status = 429

    def __init__(self, retry_after: float):
        super().__init__(f"too many requests; retry after {retry_after:.0f} s",
                         details={"retry_after": retry_after})
        self.retry_after = retry_after
