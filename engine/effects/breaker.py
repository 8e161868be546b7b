"""Circuit breakers, one per destination (an SMTP relay, a webhook origin).

closed --N consecutive failures--> open --cool-down over--> half-open --probe ok--> closed
                                     ^------------------probe failed (cool-down doubles, capped)--'

While a breaker is open, the dispatcher does not try its effects: it moves their next_attempt_at
to `retry_at()` without spending an attempt, so an outage of the relay costs a handful of probe
attempts, not every email's retry budget.

State lives in memory, per dispatcher process: a restart starts every breaker closed, which costs
at most `threshold` failed attempts per unhealthy destination before it opens again. That is
cheap, and keeps the store contract free of breaker rows.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from engine.clock import Clock, format_utc

CLOSED, OPEN, HALF_OPEN = "closed", "open", "half_open"


@dataclass
class _State:
    state: str = CLOSED
    failures: int = 0           # consecutive
    opens: int = 0              # consecutive openings without a success in between
    opened_at: datetime | None = None
    retry_at: datetime | None = None
    probing: bool = False
    last_error: str | None = None
    total_failures: int = 0
    total_successes: int = 0


class CircuitBreaker:
    def __init__(self, destination: str, clock: Clock, *, threshold: int = 5,
                 cool_down: timedelta = timedelta(seconds=30),
                 max_cool_down: timedelta = timedelta(minutes=10)):
        self.destination = destination
        self.clock = clock
        self.threshold = threshold
        self.cool_down = cool_down
        self.max_cool_down = max(max_cool_down, cool_down)
        self._s = _State()
        self._lock = threading.Lock()

    @property
    def state(self) -> str:
        with self._lock:
            self._tick()
            return self._s.state

    def allow(self) -> bool:
        """May an attempt go now? In half-open, exactly one probe goes until it reports back."""
        with self._lock:
            self._tick()
            s = self._s
            if s.state == CLOSED:
                return True
            if s.state == HALF_OPEN and not s.probing:
                s.probing = True
                return True
            return False

    def retry_at(self) -> datetime:
        """When effects refused by allow() should be tried again."""
        with self._lock:
            now = self.clock.now()
            return max(self._s.retry_at or now, now)

    def record_success(self) -> None:
        with self._lock:
            s = self._s
            s.state, s.failures, s.opens, s.probing = CLOSED, 0, 0, False
            s.opened_at = s.retry_at = None
            s.total_successes += 1

    def record_failure(self, error: str | None = None) -> None:
        with self._lock:
            self._tick()
            s, now = self._s, self.clock.now()
            s.failures += 1
            s.total_failures += 1
            s.last_error = error
            if s.state == HALF_OPEN or (s.state == CLOSED and s.failures >= self.threshold):
                wait = min(self.max_cool_down, self.cool_down * (2 ** min(s.opens, 30)))
                s.state, s.opened_at, s.retry_at = OPEN, now, now + wait
                s.opens += 1
            s.probing = False

    def release_probe(self) -> None:
        """The attempt ended in a way that says nothing about the destination (a bad message):
        let the next effect be the probe."""
        with self._lock:
            self._s.probing = False

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            self._tick()
            s = self._s
            return {"destination": self.destination, "state": s.state,
                    "consecutive_failures": s.failures, "openings": s.opens,
                    "opened_at": format_utc(s.opened_at) if s.opened_at else None,
                    "retry_at": format_utc(s.retry_at) if s.retry_at else None,
                    "last_error": s.last_error, "total_failures": s.total_failures,
                    "total_successes": s.total_successes}

    def _tick(self) -> None:
        s = self._s
        if s.state == OPEN and s.retry_at is not None and self.clock.now() >= s.retry_at:
            s.state, s.probing = HALF_OPEN, False


class Breakers:
    """The breakers of one dispatcher process, created on first use per destination."""

    def __init__(self, clock: Clock, *, threshold: int = 5,
                 cool_down: timedelta = timedelta(seconds=30),
                 max_cool_down: timedelta = timedelta(minutes=10)):
        self.clock = clock
        self._options = {"threshold": threshold, "cool_down": cool_down,
                         "max_cool_down": max_cool_down}
        self._breakers: dict[str, CircuitBreaker] = {}
        self._lock = threading.Lock()

    def get(self, destination: str) -> CircuitBreaker:
        with self._lock:
            breaker = self._breakers.get(destination)
            if breaker is None:
                breaker = CircuitBreaker(destination, self.clock, **self._options)
                self._breakers[destination] = breaker
            return breaker

    def snapshot(self) -> list[dict[str, Any]]:
        with self._lock:
            breakers = sorted(self._breakers.values(), key=lambda b: b.destination)
        return [b.snapshot() for b in breakers]
