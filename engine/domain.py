"""The engine's entities as plain dataclasses, shared by every store and the runtime.

Stores persist them (SQL rows or memory dicts); the runtime copies before it changes one, so a
rolled-back transaction never leaves a half-changed object behind.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any


def _shallow(obj: Any) -> Any:
    """copy.copy for these plain dataclasses, without its generic __reduce_ex__ round trip."""
    new = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    return new


class RunStatus:
    ACTIVE = "active"          # being walked right now (never left in this state between steps)
    WAITING = "waiting"        # waiting for a wake-up, an event or an approval
    NEEDS_DATE = "needs_date"  # reached a step anchored on a date the client does not have yet
    PAUSED = "paused"
    COMPLETED = "completed"
    EXITED = "exited"          # ended by an exit_on event
    CANCELLED = "cancelled"
    FAILED = "failed"

    OPEN = frozenset({ACTIVE, WAITING, NEEDS_DATE, PAUSED, FAILED})
    ENDED = frozenset({COMPLETED, EXITED, CANCELLED})
    ALL = OPEN | ENDED


@dataclass
class Vendor:
    id: str
    name: str
    timezone: str = "UTC"
    email: str | None = None
    reply_to: str | None = None
    phone: str | None = None
    blackout_dates: list[date] = field(default_factory=list)
    settings: dict[str, Any] = field(default_factory=dict)
    created_at: datetime | None = None

    def template_view(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "email": self.email or "",
                "reply_to": self.reply_to or self.email or "", "phone": self.phone or "",
                "timezone": self.timezone}


@dataclass
class Client:
    id: str
    vendor_id: str
    name: str
    email: str
    external_id: str | None = None
    status: str | None = None
    timezone: str | None = None
    wedding_date: date | None = None
    dates: dict[str, date] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    form_answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    created_at: datetime | None = None
    updated_at: datetime | None = None

    def anchor_dates(self) -> dict[str, date | None]:
        """Every date a TIME may be anchored on, by anchor name."""
        return {"wedding_date": self.wedding_date, **self.dates}

    def clone(self) -> "Client":
        # Hot path (every step): copy containers one level down; nested field values deep.
        new = _shallow(self)
        new.dates = dict(self.dates)
        new.fields = {k: copy.deepcopy(v) if isinstance(v, (dict, list)) else v
                      for k, v in self.fields.items()}
        new.tags = list(self.tags)
        new.form_answers = {k: dict(v) for k, v in self.form_answers.items()}
        return new

    def view(self) -> dict[str, Any]:
        """What templates and conditions see as `client`."""
        first = self.name.split(" ")[0] if self.name else ""
        return {"id": self.external_id or self.id, "name": self.name, "first_name": first,
                "email": self.email, "status": self.status, "timezone": self.timezone,
                "wedding_date": self.wedding_date, "dates": dict(self.dates),
                "fields": dict(self.fields), "tags": list(self.tags)}


@dataclass
class Journey:
    id: str
    vendor_id: str
    name: str
    draft: dict[str, Any]
    live_version: int | None = None
    latest_version: int = 0
    archived: bool = False
    created_at: datetime | None = None
    updated_at: datetime | None = None
    updated_by: str | None = None


@dataclass
class JourneyVersion:
    journey_id: str
    version: int
    document: dict[str, Any]
    published_at: datetime
    published_by: str | None = None


@dataclass
class Run:
    id: str
    vendor_id: str
    journey_id: str
    version: int
    client_id: str
    status: str
    node: str | None
    visit: int = 0
    visits: dict[str, int] = field(default_factory=dict)
    # What the run waits for: {"kind": delay|window|wait_for|approval|needs_date, "due": iso|None,
    # "anchor": name|None, "spec": TIME|None, "event": type, "match": group, ...}
    wait: dict[str, Any] | None = None
    event: dict[str, Any] = field(default_factory=dict)
    due_at: datetime | None = None
    split_key: str = ""
    seq: int = 0
    paused_status: str | None = None
    error: str | None = None
    goal_at: datetime | None = None
    entered_at: datetime | None = None
    started_at: datetime | None = None
    ended_at: datetime | None = None
    updated_at: datetime | None = None

    def clone(self) -> "Run":
        new = _shallow(self)
        new.visits = dict(self.visits)
        new.wait = dict(self.wait) if self.wait is not None else None
        new.event = dict(self.event)
        return new

    @property
    def is_open(self) -> bool:
        return self.status in RunStatus.OPEN


@dataclass
class StepRecord:
    """One line of a run's log. `key` is unique per run: "node#visit" for steps, "control#seq"
    for manual controls, so a second execution of the same (run, node, visit) cannot be written."""
    run_id: str
    key: str
    node: str | None
    visit: int
    type: str
    outcome: str
    at: datetime
    seq: int
    actor: str = "engine"
    detail: dict[str, Any] = field(default_factory=dict)
    vendor_id: str = ""
    journey_id: str = ""
    version: int = 0
    client_id: str = ""
    entered_at: datetime | None = None


@dataclass
class Event:
    id: str
    vendor_id: str
    client_id: str | None
    type: str
    data: dict[str, Any]
    key: str | None
    received_at: datetime
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class WakeUp:
    """A row per pending wake-up: a run's next step, or a date trigger for (journey, client).
    The database is the source of truth for every wake-up; the scheduler only asks what is due."""
    id: str
    vendor_id: str
    kind: str  # "run" | "date_trigger"
    due_at: datetime
    run_id: str | None = None
    journey_id: str | None = None
    client_id: str | None = None
    anchor: str | None = None
    lease_owner: str | None = None
    lease_until: datetime | None = None


@dataclass
class Effect:
    """An outbox row: something to do in the world, written with the state change that caused it."""
    id: str
    vendor_id: str
    key: str  # deterministic idempotency key "run:node:visit"
    kind: str  # email | form | webhook | task
    payload: dict[str, Any]
    created_at: datetime
    run_id: str | None = None
    client_id: str | None = None
    status: str = "pending"  # pending | sending | sent | captured | dead | discarded
    attempts: int = 0
    next_attempt_at: datetime | None = None
    sent_at: datetime | None = None
    last_error: str | None = None
    destination: str | None = None


@dataclass
class Approval:
    id: str
    vendor_id: str
    run_id: str
    client_id: str
    journey_id: str
    node: str
    visit: int
    email: dict[str, Any]  # rendered subject/body/to
    created_at: datetime
    deadline: datetime | None = None
    on_timeout: str | None = None
    status: str = "pending"  # pending | approved | rejected | expired
    decided_by: str | None = None
    decided_at: datetime | None = None


@dataclass
class FormRequest:
    id: str
    vendor_id: str
    token: str
    form_key: str
    client_id: str
    run_id: str | None
    node: str | None
    created_at: datetime
    expires_at: datetime | None = None
    submitted_at: datetime | None = None
    answers: dict[str, Any] | None = None
