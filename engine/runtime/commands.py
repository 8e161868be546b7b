"""What a walk decides. The walker returns these; the service carries them out in one transaction."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass
class RecordStep:
    node: str
    visit: int
    type: str
    outcome: str
    at: datetime
    entered_at: datetime | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    actor: str = "engine"
    seq: int = 0  # the run's step counter for this line: the timeline's order


@dataclass
class EnqueueEffect:
    key: str
    kind: str  # email | form | webhook | task
    payload: dict[str, Any]
    destination: str | None = None


@dataclass
class CreateApproval:
    node: str
    visit: int
    email: dict[str, Any]
    deadline: datetime | None
    on_timeout: str | None


@dataclass
class ResolveApproval:
    node: str
    visit: int
    status: str  # approved | rejected | expired
    actor: str


@dataclass
class CreateFormRequest:
    token: str
    form_key: str
    node: str
    expires_at: datetime | None = None


@dataclass
class UpdateClient:
    """The walker changed its working copy of the client (an action node)."""
    changes: dict[str, Any]


Command = RecordStep | EnqueueEffect | CreateApproval | ResolveApproval | CreateFormRequest | UpdateClient
