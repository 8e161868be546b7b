"""The APScheduler 3 adapter: it decides *when* to look for due work, never *what* is due.

The database holds every wake-up. APScheduler (with its persistent SQLAlchemy job store) keeps
two jobs: a steady tick and a one-shot job at the earliest pending wake-up, so a step starts
on time without a tight poll. Both only ask the engine to claim what is due. Misfires and
coalescing are explicit: a job missed while the process was down runs once, however late
(misfire_grace_time=None), instead of being dropped after APScheduler's default 1 s.
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from typing import Callable

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from engine.clock import Clock, SystemClock
from engine.scheduling import jobs

log = logging.getLogger("journeys.scheduler")

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}
TICK_JOB, NEXT_JOB, OUTBOX_JOB = "journeys-tick", "journeys-next-wakeup", "journeys-outbox"


class EngineScheduler:
    def __init__(self, name: str, *, run_due: Callable[[], int],
                 next_due: Callable[[], datetime | None], dispatch: Callable[[], int] | None,
                 sa_engine=None, tick_seconds: float = 1.0, table: str = "apscheduler_jobs",
                 real_clock: Clock | None = None):
        self.name = name
        self._run_due, self._next_due, self._dispatch = run_due, next_due, dispatch
        store = (SQLAlchemyJobStore(engine=sa_engine, tablename=table)
                 if sa_engine is not None else MemoryJobStore())
        self.scheduler = BackgroundScheduler(
            jobstores={"default": store},
            executors={"default": ThreadPoolExecutor(1), "outbox": ThreadPoolExecutor(1)},
            job_defaults=JOB_DEFAULTS, timezone=timezone.utc)
        self.tick_seconds = tick_seconds
        self.real_clock = real_clock or SystemClock()  # APScheduler itself runs on real time
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self.steps = 0

    # called by engine.scheduling.jobs through the registry
    def tick(self) -> int:
        with self._lock:  # the tick and the next-wake-up job never overlap in one process
            ran = 0
            while not self._stopping.is_set():  # on stop, finish only the batch in flight
                batch = self._run_due()
                ran += batch
                if batch == 0:
                    break
            self.steps += ran
            self._plan_next()
            return ran

    def dispatch(self) -> int:
        return self._dispatch() if self._dispatch else 0

    def _plan_next(self) -> None:
        if self._stopping.is_set():
            return
        due = self._next_due()
        if due is None:
            return
        real_now = self.real_clock.now()
        # The engine's clock may be virtual; APScheduler's is real. Wake at the real instant
        # that corresponds, never later than the next tick anyway.
        at = max(real_now, min(due, real_now + timedelta(seconds=self.tick_seconds)))
        self.scheduler.add_job(jobs.run_due, "date", run_date=at, args=[self.name],
                               id=NEXT_JOB, replace_existing=True)

    def start(self) -> None:
        jobs.register(self.name, self)
        self.scheduler.start()
        self.scheduler.add_job(jobs.run_due, "interval", seconds=self.tick_seconds,
                               args=[self.name], id=TICK_JOB, replace_existing=True,
                               next_run_time=self.real_clock.now())
        if self._dispatch is not None:
            self.scheduler.add_job(jobs.dispatch_outbox, "interval",
                                   seconds=self.tick_seconds, args=[self.name], id=OUTBOX_JOB,
                                   executor="outbox", replace_existing=True)

    def stop(self, wait: bool = True) -> None:
        """Stop taking new jobs; with wait=True the steps in flight finish first."""
        self._stopping.set()
        # Pause first: the scheduler's loop stops submitting jobs, so the job in flight can
        # finish (and touch the scheduler) without racing the executor's shutdown.
        self.scheduler.pause()
        try:
            self.scheduler.remove_job(NEXT_JOB)
        except JobLookupError:
            pass
        self.scheduler.shutdown(wait=wait)
        jobs.unregister(self.name)
