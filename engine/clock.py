"""Time is injected. Only the bootstrap creates a SystemClock; tests and simulation use ManualClock."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from typing import Protocol

UTC = timezone.utc


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to: tests and simulation skip months in milliseconds."""

    def __init__(self, start: datetime):
        self._now = ensure_utc(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        # Reading one attribute is atomic; the lock only orders the writers (advance reads,
        # adds and writes). Called several times per step by the simulator.
        return self._now

    def set(self, instant: datetime) -> None:
        with self._lock:
            self._now = ensure_utc(instant)

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        with self._lock:
            self._now = self._now + (delta or timedelta(**kwargs))
            return self._now


def ensure_utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError(f"naive datetime {instant!r}: the engine works with aware UTC instants")
    return instant.astimezone(UTC)


def format_utc(instant: datetime) -> str:
    """ISO 8601 with a Z, whole seconds: the spec's wire format for instants."""
    u = ensure_utc(instant)
    # Formatted by hand: always four-digit years, and several times faster than strftime
    # (a hot path of the simulator).
    return "%04d-%02d-%02dT%02d:%02d:%02dZ" % (u.year, u.month, u.day, u.hour, u.minute,
                                                u.second)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 instant; a bare date or naive time is read as UTC."""
    value = text.strip()
    if value.endswith("Z") or value.endswith("z"):
        value = value[:-1] + "+00:00"
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


class ScaledClock:
    """Virtual time that runs `scale` times faster than real time from a fixed epoch.

    Used by process-level tests (crash and soak tests) so that a one-minute delay takes a second,
    and so that a restarted process continues the same timeline: both instances compute
    epoch + (real now - real_epoch) * scale.
    """

    def __init__(self, epoch: datetime, real_epoch: datetime, scale: float):
        self.epoch, self.real_epoch, self.scale = ensure_utc(epoch), ensure_utc(real_epoch), scale

    def now(self) -> datetime:
        real = datetime.now(UTC)
        return self.epoch + (real - self.real_epoch) * self.scale
