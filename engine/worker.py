"""A worker process: the engine plus its scheduler (and the outbox dispatcher), no UI.

SIGTERM or SIGINT stops taking new work, lets the step in flight finish, and exits cleanly.
"""
from __future__ import annotations

import logging
import signal
import threading
from typing import Callable

from engine.bootstrap import Live
from engine.scheduling.scheduler import EngineScheduler
from engine.scheduling.single_writer import SqliteProcessLock

log = logging.getLogger("journeys.worker")


class Worker:
    def __init__(self, live: Live, *, dispatch: Callable[[], int] | None = None):
        self.live = live
        engine = live.engine

        def next_due():
            with engine.store.transaction() as tx:
                return tx.next_due_at()

        self.scheduler = EngineScheduler(live.settings.worker_name, run_due=lambda: engine.run_due(200),
                                         next_due=next_due, dispatch=dispatch,
                                         sa_engine=live.sa_engine,
                                         tick_seconds=live.settings.tick_seconds)
        self.stopped = threading.Event()
        self.lock = SqliteProcessLock(live.settings.database_url) \
            if live.settings.database_url.startswith("sqlite") else None

    def start(self) -> None:
        if self.lock is not None:
            self.lock.acquire()  # a second engine on the same SQLite file refuses to start
        self.scheduler.start()
        log.info("worker %s started", self.live.settings.worker_name)

    def stop(self) -> None:
        self.scheduler.stop(wait=True)
        if self.lock is not None:
            self.lock.release()
        self.stopped.set()
        log.info("worker stopped after %d steps", self.scheduler.steps)

    def run_forever(self) -> int:
        def on_signal(signum, _frame):
            log.info("signal %s: finishing the steps in flight", signum)
            threading.Thread(target=self.stop, daemon=True).start()
        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        self.start()
        self.stopped.wait()
        return 0
