"""A worker process: the engine plus its scheduler (and the outbox dispatcher), no UI.

SIGTERM or SIGINT stops taking new work, lets the step in flight finish, and exits cleanly.

On SQLite one worker runs per database file (a second one refuses to start): its APScheduler
claims and runs due work. On PostgreSQL any number of workers share the database in scale-out
mode (engine.scaleout): each claims due work in leased batches, LISTEN/NOTIFY wakes them, and
APScheduler runs in the elected leader only.
"""
from __future__ import annotations

import logging
import signal
import threading
from datetime import timedelta
from typing import Callable

from engine.bootstrap import Live, build_outbox
from engine.scaleout.node import ScaleoutNode
from engine.scheduling.scheduler import EngineScheduler
from engine.scheduling.single_writer import SqliteProcessLock

log = logging.getLogger("journeys.worker")


class Worker:
    def __init__(self, live: Live, *, dispatch: Callable[[], int] | None | bool = True):
        """`dispatch`: the outbox job (True builds it from the settings, False runs none)."""
        self.live = live
        if dispatch is True:
            dispatch = build_outbox(live) if live.settings.dispatch_outbox else None
        elif dispatch is False:
            dispatch = None
        engine = live.engine

        def next_due():
            with engine.store.transaction() as tx:
                return tx.next_due_at()

        self.node: ScaleoutNode | None = None
        if live.sa_engine.dialect.name == "postgresql":
            settings = live.settings
            self.node = ScaleoutNode(engine.runtime, live.sa_engine, name=settings.worker_name,
                                     lease=timedelta(seconds=settings.lease_seconds),
                                     batch=settings.claim_batch, threads=settings.claim_threads,
                                     group=settings.steps_per_commit,
                                     tick_seconds=settings.tick_seconds,
                                     real_clock=live.real_clock, dispatch=dispatch)
        self.scheduler: EngineScheduler | None = None
        if self.node is None:
            self.scheduler = EngineScheduler(live.settings.worker_name,
                                             # One group per call: the scheduler
                                             # checks for a stop between calls.
                                             run_due=lambda: engine.run_due(
                                                 live.settings.steps_per_commit,
                                                 per_commit=live.settings.steps_per_commit),
                                             next_due=next_due, dispatch=dispatch,
                                             sa_engine=live.sa_engine,
                                             tick_seconds=live.settings.tick_seconds)
        self.stopped = threading.Event()
        self.lock = SqliteProcessLock(live.settings.database_url) \
            if live.settings.database_url.startswith("sqlite") else None

    def start(self) -> None:
        if self.lock is not None:
            self.lock.acquire()  # a second engine on the same SQLite file refuses to start
        if self.node is not None:
            self.node.start()
        else:
            self.scheduler.start()
        log.info("worker %s started", self.live.settings.worker_name)

    def stop(self) -> None:
        if self.node is not None:
            self.node.stop()
        else:
            self.scheduler.stop(wait=True)
        if self.lock is not None:
            self.lock.release()
        self.stopped.set()
        log.info("worker stopped after %d steps", self.steps)

    @property
    def steps(self) -> int:
        """Wake-ups this process ran."""
        return self.node.steps if self.node is not None else self.scheduler.steps

    def run_forever(self) -> int:
        def on_signal(signum, _frame):
            log.info("signal %s: finishing the steps in flight", signum)
            threading.Thread(target=self.stop, daemon=True).start()
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        self.stopped.wait()
        return 0
