"""Deployment settings, from environment variables or a `journeys.toml` (pydantic-settings).

Environment variables win over the file: DATABASE_URL, JOURNEYS_BASE_URL, JOURNEYS_SECRET_KEY,
JOURNEYS_PORT, JOURNEYS_SMTP_HOST ... A bad value stops start-up with a message naming it.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field, ValidationError, field_validator
from pydantic_settings import (BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict,
                               TomlConfigSettingsSource)

from engine.errors import InvalidInput


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="JOURNEYS_", extra="forbid",
                                      toml_file=os.environ.get("JOURNEYS_CONFIG", "journeys.toml"))

    database_url: str = Field("sqlite:///./journeys.db",
                              validation_alias=AliasChoices("DATABASE_URL",
                                                            "JOURNEYS_DATABASE_URL",
                                                            "database_url"))
    base_url: str = "http://localhost:3000"
    port: int = Field(3000, ge=1, le=65535)
    secret_key: str = "dev-insecure-change-me"
    tick_seconds: float = Field(1.0, gt=0, le=60)
    worker_name: str = "worker"
    # Scale-out on PostgreSQL (engine.scaleout): several `journeys worker` processes claim due
    # wake-ups in batches under a lease that a heartbeat renews; a dead worker's claims are
    # taken over when the lease ends, and a new leader is elected within two lease periods.
    lease_seconds: float = Field(30.0, ge=0.5, le=3600)
    claim_batch: int = Field(50, ge=1, le=1000)
    # Claim loops per worker process. One is best when the machine's cores are busy (more add
    # contention for Python's lock); more can help where the database is far away.
    claim_threads: int = Field(1, ge=1, le=16)
    # How many due wake-ups share one transaction (group commit; 1: one each), on SQLite and
    # PostgreSQL. A step that raises rolls its group back; the group reruns one per transaction.
    steps_per_commit: int = Field(50, ge=1, le=500)
    # Whether this worker sends the outbox (on PostgreSQL: while it is the leader). False makes
    # a steps-only worker, for deployments that send from dedicated processes.
    dispatch_outbox: bool = True
    # Outbound mail; with no host, emails are captured and shown in the outbox view.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_security: str = "starttls"
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "journeys@localhost"
    smtp_timeout: float = Field(30.0, gt=0)
    # Webhooks to loopback/private addresses are refused unless listed here (IPs or CIDRs).
    webhook_allow_private: list[str] = Field(default_factory=list)

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgresql")):
            raise ValueError("must be a sqlite:/// or postgresql:// URL")
        return value

    @field_validator("smtp_security")
    @classmethod
    def _security(cls, value: str) -> str:
        if value not in ("none", "starttls", "tls"):
            raise ValueError("must be one of none, starttls, tls")
        return value

    @classmethod
    def settings_customise_sources(cls, settings_cls: type[BaseSettings],
                                   init_settings: PydanticBaseSettingsSource,
                                   env_settings: PydanticBaseSettingsSource,
                                   dotenv_settings: PydanticBaseSettingsSource,
                                   file_secret_settings: PydanticBaseSettingsSource,
                                   ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))


def load_settings(**overrides: Any) -> Settings:
    """Settings or an InvalidInput that names every bad setting and how to fix it."""
    try:
        return Settings(**overrides)
    except ValidationError as error:
        lines = []
        for item in error.errors():
            name = ".".join(str(p) for p in item["loc"]) or "settings"
            if item["type"] == "extra_forbidden":
                lines.append(f"{name}: is not a setting (a typo?); remove it")
                continue
            lines.append(f"{name}: {item['msg']} (set it in the environment as "
                         f"{_env_name(name)} or in journeys.toml)")
        raise InvalidInput("bad settings: " + "; ".join(lines)) from None


def _env_name(name: str) -> str:
    return "DATABASE_URL" if name == "database_url" else f"JOURNEYS_{name.upper()}"


def config_path() -> Path:
    return Path(os.environ.get("JOURNEYS_CONFIG", "journeys.toml"))
