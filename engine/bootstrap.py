"""The one place that builds a live engine: settings -> database -> store -> Engine.

Only here is a SystemClock created; everything below takes the clock it is given.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from engine.clock import Clock, ScaledClock, SystemClock, parse_instant
from engine.service import Engine
from engine.settings import Settings, load_settings


@dataclass
class Live:
    settings: Settings
    engine: Engine
    sa_engine: Any
    # Real time, for what must not run on a virtual clock: scale-out leases and timers.
    real_clock: Clock = field(default_factory=SystemClock)


def clock_from_env() -> Clock:
    """JOURNEYS_CLOCK="<virtual epoch>,<real epoch>,<scale>" runs on fast virtual time (soak and
    crash tests: a one-minute delay in a second); otherwise the system clock."""
    spec = os.environ.get("JOURNEYS_CLOCK")
    if not spec:
        return SystemClock()
    epoch, real_epoch, scale = spec.split(",")
    return ScaledClock(parse_instant(epoch), parse_instant(real_epoch), float(scale))


def effects_settings(settings: Settings):
    """The outbox's settings from the deployment settings: SMTP when a host is set (otherwise
    emails are captured and shown in the outbox view), private webhook targets if allowed."""
    from urllib.parse import urlparse

    from engine.effects import EffectsSettings, SmtpSettings, WebhookSettings

    smtp = None
    if settings.smtp_host:
        smtp = SmtpSettings(host=settings.smtp_host, port=settings.smtp_port,
                            security=settings.smtp_security, username=settings.smtp_username,
                            password=settings.smtp_password, from_address=settings.smtp_from,
                            timeout=settings.smtp_timeout,
                            message_id_domain=urlparse(settings.base_url).hostname or "journeys.local")
    return EffectsSettings(smtp=smtp,
                           webhooks=WebhookSettings(allow_private=settings.webhook_allow_private))


def build_outbox(live: "Live"):
    """The dispatcher for this process, as the callable the scheduler's outbox job runs."""
    from engine.effects import build_dispatcher

    dispatcher = build_dispatcher(live.engine.store, live.engine.clock,
                                  effects_settings(live.settings))
    return lambda: dispatcher.run_once().claimed


def open_live(settings: Settings | None = None, *, clock: Clock | None = None,
              migrate_first: bool = True) -> Live:
    from engine.storage.database import make_engine, migrate
    from engine.storage.sql.store import SqlStore

    settings = settings or load_settings()
    if migrate_first:
        from engine.ops.schema import refuse_newer_database

        refuse_newer_database(settings.database_url)  # never run old code on a newer schema
        migrate(settings.database_url)
    sa_engine = make_engine(settings.database_url)
    store = SqlStore(sa_engine)
    engine = Engine(store, clock or clock_from_env(), base_url=settings.base_url)
    if sa_engine.dialect.name == "postgresql":
        # Commits that write near-term wake-ups wake the scale-out workers (LISTEN/NOTIFY).
        from engine.scaleout.wakeups import install_notifier

        install_notifier(store, engine.clock, timedelta(seconds=settings.tick_seconds))
    return Live(settings=settings, engine=engine, sa_engine=sa_engine)
