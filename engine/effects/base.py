"""What a sender is: something that delivers one effect, or raises EffectError saying why not.

A sender never touches the store; the dispatcher owns every status change. `destination` names
what the sender talks to (an SMTP relay, a webhook host), so one circuit breaker guards each.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

from engine.domain import Effect


@dataclass(frozen=True)
class Delivery:
    status: str = "sent"  # "sent" or "captured"
    detail: dict[str, Any] = field(default_factory=dict)


class Sender(Protocol):
    def destination(self, effect: Effect) -> str:
        """The breaker key for this effect, e.g. "smtp://mail.example.com:587"."""
        ...

    def send(self, effect: Effect) -> Delivery:
        """Deliver, or raise engine.errors.EffectError (retryable or not)."""
        ...

    def close(self) -> None:
        """Release connections; called by the dispatcher after each batch."""
        ...


def payload_fields(effect: Effect) -> dict[str, Any]:
    """The payload without the dispatcher's bookkeeping keys (those start with "_")."""
    return {k: v for k, v in effect.payload.items() if not k.startswith("_")}
