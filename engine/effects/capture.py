"""CaptureSender: with no SMTP relay configured, emails are built exactly as they would be sent
and kept instead (status "captured"), like a local mail catcher, so a new user sees what their
journeys would send without mailing a real couple by accident."""
from __future__ import annotations

from collections import deque
from email.message import EmailMessage

from engine.clock import Clock
from engine.domain import Effect
from engine.effects.base import Delivery
from engine.effects.message import build_email


class CaptureSender:
    def __init__(self, clock: Clock, *, from_address: str = "journeys@localhost",
                 domain: str = "journeys.local", keep: int = 200):
        self.clock = clock
        self.from_address = from_address
        self.domain = domain
        # The latest messages, for a preview in this process; the effect row is the record.
        self.messages: deque[EmailMessage] = deque(maxlen=keep)

    def destination(self, effect: Effect) -> str:
        return "capture"

    def send(self, effect: Effect) -> Delivery:
        msg = build_email(effect, from_address=self.from_address, domain=self.domain,
                          now=self.clock.now())
        self.messages.append(msg)
        return Delivery("captured", {"message_id": msg["Message-ID"]})

    def close(self) -> None:
        pass
