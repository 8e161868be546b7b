"""The dispatcher's loop, for the one process that runs it (see DispatchLoop).

Sleeping goes through a Sleeper, like time goes through a Clock: production uses EventSleeper
(a stoppable wait), tests and simulation use ClockSleeper (advances a ManualClock instead).
"""
from __future__ import annotations

import logging
import threading
from typing import Protocol

from engine.clock import ManualClock
from engine.effects.dispatcher import Dispatcher, DispatchStats

log = logging.getLogger(__name__)


class Sleeper(Protocol):
    def sleep(self, seconds: float) -> None: ...


class EventSleeper:
    """Real waiting that `stop()` cuts short."""

    def __init__(self, stop: threading.Event | None = None):
        self.stopped = stop or threading.Event()

    def sleep(self, seconds: float) -> None:
        self.stopped.wait(seconds)

    def stop(self) -> None:
        self.stopped.set()


class ClockSleeper:
    """Sleeping on a ManualClock is moving it forward."""

    def __init__(self, clock: ManualClock):
        self.clock = clock

    def sleep(self, seconds: float) -> None:
        self.clock.advance(seconds=seconds)


class DispatchLoop:
    def __init__(self, dispatcher: Dispatcher, sleeper: Sleeper, *, batch_size: int | None = None,
                 poll_interval: float = 2.0, error_pause: float = 10.0):
        self.dispatcher = dispatcher
        self.sleeper = sleeper
        self.batch_size = batch_size or dispatcher.batch_size
        self.poll_interval = poll_interval
        self.error_pause = error_pause
        self.total = DispatchStats()
        self._stop = False

    def stop(self) -> None:
        self._stop = True
        if isinstance(self.sleeper, EventSleeper):
            self.sleeper.stop()

    def step(self) -> float:
        """One batch; returns how long to sleep before the next (0 if more may be due)."""
        try:
            stats = self.dispatcher.run_once(self.batch_size)
        except Exception:  # the store is down, say: keep the loop alive, try again later
            log.exception("outbox dispatch failed")
            return self.error_pause
        self.total.add(stats)
        return 0.0 if stats.claimed >= self.batch_size else self.poll_interval

    def run(self, max_steps: int | None = None) -> DispatchStats:
        steps = 0
        while not self._stop and (max_steps is None or steps < max_steps):
            pause = self.step()
            steps += 1
            if pause and not self._stop:
                self.sleeper.sleep(pause)
        return self.total
