"""One `journeys worker` process in scale-out mode: claim loops, heartbeat, LISTEN, election.

    node = ScaleoutNode(runtime, sa_engine, name="w1", lease=timedelta(seconds=30))
    node.start()   # claims and runs due work until stop()
    node.stop()    # finishes the steps in flight, hands back the rest of its claims

Every node claims and runs steps, and sends the outbox if given a dispatcher (the dispatcher
claims effects with SKIP LOCKED and a lease of its own, so several send safely); the elected
leader also runs the timer (APScheduler) that announces due work.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import Engine

from engine.clock import Clock
from engine.runtime.stepper import Runtime
from engine.scaleout.claims import ClaimLoop
from engine.scaleout.heartbeat import Heartbeat
from engine.scaleout.leader import LeaderElection
from engine.scaleout.pg import session_factory
from engine.scaleout.timer import LeaderTimer
from engine.scaleout.wakeups import WakeListener

log = logging.getLogger("journeys.scaleout")


class ScaleoutNode:
    def __init__(self, runtime: Runtime, sa_engine: Engine, *, name: str = "worker",
                 lease: timedelta = timedelta(seconds=30), batch: int = 50, threads: int = 1,
                 group: int = 10,
                 tick_seconds: float = 1.0, real_clock: Clock | None = None,
                 dispatch: Callable[[], int] | None = None, poll_seconds: float | None = None):
        self.runtime = runtime
        self.sa_engine = sa_engine
        self.name = name
        # Unique per process: a restarted worker never mistakes its predecessor's claims for its
        # own (they are taken over when their lease ends).
        self.identity = f"{name}@{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.real_clock = real_clock or runtime.clock
        self.lease = lease
        lease_s = lease.total_seconds()
        self.poll_seconds = poll_seconds or min(lease_s / 2, max(5 * tick_seconds, 1.0))
        self.loops = [ClaimLoop(runtime, owner=f"{self.identity}/{i}", lease=lease, batch=batch,
                                lease_clock=self.real_clock, group=group)
                      for i in range(threads)]
        self._wake = [threading.Event() for _ in self.loops]
        self.heartbeat = Heartbeat(self.loops, interval=lease_s / 3)
        self.timer = LeaderTimer(self.identity, sa_engine=sa_engine, clock=runtime.clock,
                                 lease_clock=self.real_clock, real_clock=self.real_clock,
                                 tick_seconds=tick_seconds)
        self.dispatch = dispatch
        self.tick_seconds = tick_seconds
        self.listener = WakeListener(
            session_factory(sa_engine, application_name=f"journeys-listen:{os.getpid()}",
                            keepalive=lease_s),
            on_wake=self._on_wake)
        self.election = LeaderElection(
            session_factory(sa_engine, application_name=f"journeys-leader:{os.getpid()}",
                            keepalive=lease_s),
            on_elected=self.timer.start, on_deposed=lambda: self.timer.stop(wait=False),
            check_seconds=lease_s / 2)
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self.errors = 0

    @property
    def steps(self) -> int:
        return sum(loop.stats.ran for loop in self.loops)

    @property
    def is_leader(self) -> bool:
        return self.election.is_leader

    # -- waking ------------------------------------------------------------------------------
    def _on_wake(self, due: datetime | None) -> None:
        if due is None or due <= self.runtime.clock.now():
            self.wake()
        if self.election.is_leader:
            self.timer.consider(due)

    def wake(self) -> None:
        for event in self._wake:
            event.set()

    # -- the claim loops ---------------------------------------------------------------------
    def _serve(self, loop: ClaimLoop, wake: threading.Event) -> None:
        pause = 0.1
        while not self._stopping.is_set():
            wake.clear()
            try:
                claimed = loop.run_batch()
                pause = 0.1
            except Exception as error:  # noqa: BLE001 - the database went away, or a bug
                self.errors += 1
                log.warning("claim loop %s: %s: %s; retrying in %.1fs", loop.owner,
                            type(error).__name__, error, pause, exc_info=self.errors % 50 == 1)
                self._stopping.wait(pause)  # real time; the database may be restarting
                pause = min(pause * 2, self.poll_seconds)
                continue
            if claimed < loop.batch:
                wake.wait(self.poll_seconds)

    def _send(self) -> None:
        """The outbox: drain what is due, then look again every tick."""
        assert self.dispatch is not None
        while not self._stopping.wait(self.tick_seconds):  # real-time wait; no clock read
            try:
                while self.dispatch() and not self._stopping.is_set():
                    pass
            except Exception as error:  # noqa: BLE001 - the database went away; next tick
                log.warning("outbox dispatch: %s: %s", type(error).__name__, error)

    # -- life --------------------------------------------------------------------------------
    def start(self) -> None:
        self.listener.start()
        self.heartbeat.start()
        for i, (loop, wake) in enumerate(zip(self.loops, self._wake)):
            thread = threading.Thread(target=self._serve, args=(loop, wake), daemon=True,
                                      name=f"journeys-claim-{i}")
            thread.start()
            self._threads.append(thread)
        if self.dispatch is not None:
            sender = threading.Thread(target=self._send, daemon=True, name="journeys-outbox")
            sender.start()
            self._threads.append(sender)
        self.election.start()
        log.info("scale-out worker %s started (%d claim loop(s), batch %d, %d per commit, "
                 "lease %.1fs)", self.identity, len(self.loops), self.loops[0].batch,
                 self.loops[0].group, self.lease.total_seconds())

    def stop(self) -> None:
        """Stop claiming; let each loop finish its step in flight; hand back unrun claims."""
        self._stopping.set()
        for loop in self.loops:
            loop.stop()
        self.wake()
        for thread in self._threads:
            thread.join(timeout=60)
        for loop in self.loops:
            loop.release_held()
        self.election.stop()
        self.heartbeat.stop()
        self.listener.stop()
