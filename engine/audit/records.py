"""The audit trail's own records: effect attempts and journey changes (plain dataclasses).

Everything else in a timeline is read from where the engine already keeps it: run steps and
manual controls from the step log, events from the event table.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

DISPATCHER = "dispatcher"


@dataclass
class EffectAttempt:
    """One try at delivering an outbox effect, or a person's decision about it.

    outcome: sent | captured | retry | dead (attempts by the dispatcher; `attempt` is 1, 2, ...),
    superseded attempts are recorded as retry/dead too; replayed | discarded (by a person,
    `actor` says who, no attempt number)."""
    effect_id: str
    at: datetime
    outcome: str
    attempt: int | None = None
    error: str | None = None
    retryable: bool | None = None
    destination: str | None = None
    actor: str = DISPATCHER
    vendor_id: str = ""
    run_id: str | None = None
    client_id: str | None = None
    kind: str = ""
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None  # insertion order, given by the store


# Journey changes, past tense like every event in the engine.
CREATED = "created"
DRAFT_SAVED = "draft_saved"
PUBLISHED = "published"
UNPUBLISHED = "unpublished"
ARCHIVED = "archived"
DELETED = "deleted"
JOURNEY_CHANGES = (CREATED, DRAFT_SAVED, PUBLISHED, UNPUBLISHED, ARCHIVED, DELETED)


@dataclass
class JourneyChange:
    """Who changed a journey, when, how (a JOURNEY_CHANGES word) and, for a publish, which
    version. `detail` summarises a draft edit: nodes added, removed and changed, edges, settings."""
    journey_id: str
    vendor_id: str
    at: datetime
    change: str
    actor: str | None = None
    version: int | None = None
    name: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    id: int | None = None


__all__ = ["DISPATCHER", "EffectAttempt", "JourneyChange", "JOURNEY_CHANGES", "CREATED",
           "DRAFT_SAVED", "PUBLISHED", "UNPUBLISHED", "ARCHIVED", "DELETED"]
