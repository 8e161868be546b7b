"""Settings for the outbox: where email goes, what webhooks may reach, how the dispatcher polls.

Plain pydantic models, so the application's pydantic-settings object can nest them (read from the
environment or a file there); nothing here reads the environment itself.
"""
from __future__ import annotations

import ipaddress
from datetime import timedelta
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, field_validator

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class SmtpSettings(BaseModel):
    """An SMTP relay. With no SmtpSettings at all, emails are captured, not sent."""

    host: str
    port: int = Field(587, ge=1, le=65535)
    security: Literal["none", "starttls", "tls"] = "starttls"
    username: str | None = None
    password: SecretStr | None = None
    timeout: float = Field(30.0, gt=0, description="seconds, per SMTP command")
    from_address: str = Field(..., description="envelope sender and From address")
    message_id_domain: str = Field("journeys.local", description="right-hand side of Message-IDs")
    local_hostname: str | None = Field(None, description="name sent in EHLO; default the FQDN")
    ca_file: str | None = Field(None, description="extra CA bundle for a private relay")
    verify_tls: bool = True
    max_messages_per_connection: int = Field(50, ge=1)

    @property
    def destination(self) -> str:
        return f"smtp://{self.host}:{self.port}"


class WebhookSettings(BaseModel):
    connect_timeout: float = Field(5.0, gt=0)
    timeout: float = Field(15.0, gt=0, description="seconds for the whole exchange once connected")
    allow_private: list[str] = Field(
        default_factory=list,
        description="IP addresses or networks (CIDR) that webhooks may reach although they are "
                    "loopback, private, link-local or otherwise not public, e.g. ['127.0.0.1']")
    user_agent: str = "Journeys-Webhooks/1"
    verify_tls: bool = True

    @field_validator("allow_private")
    @classmethod
    def _networks_parse(cls, value: list[str]) -> list[str]:
        for item in value:
            ipaddress.ip_network(item, strict=False)  # raises ValueError on nonsense
        return value

    def allowed_networks(self) -> list[Network]:
        return [ipaddress.ip_network(item, strict=False) for item in self.allow_private]


class DispatcherSettings(BaseModel):
    batch_size: int = Field(50, ge=1, description="effects claimed per run_once")
    poll_interval: float = Field(2.0, gt=0, description="seconds between polls when idle")
    claim_lease: timedelta = Field(timedelta(minutes=5),
                                   description="how long a claimed effect is hidden from other "
                                               "dispatchers; a crashed claim is retried after it")
    breaker_threshold: int = Field(5, ge=1, description="consecutive failures that open a breaker")
    breaker_cool_down: timedelta = timedelta(seconds=30)
    breaker_max_cool_down: timedelta = timedelta(minutes=10)


class EffectsSettings(BaseModel):
    smtp: SmtpSettings | None = None
    webhooks: WebhookSettings = Field(default_factory=WebhookSettings)
    dispatcher: DispatcherSettings = Field(default_factory=DispatcherSettings)
