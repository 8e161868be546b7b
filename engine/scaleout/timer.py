"""The leader's timer: APScheduler 3, in the elected leader only.

It decides *when* workers should look for due work and wakes them with NOTIFY; it never runs
steps (those are claimed by every worker) and never sends (every worker's dispatcher does). Two
jobs:

- `journeys-leader-tick`, every `tick_seconds`, in the persistent SQLAlchemy job store: announces
  due work that nobody holds (including wake-ups whose claimer died and whose lease has ended)
  and plans the next wake-up job. A leader that takes over after an outage runs it once, however
  late (misfire_grace_time=None, coalesce).
- `journeys-leader-wake`, a one-shot job at the earliest pending wake-up, in a memory job store:
  it is derived from the wake-up table, replanned after every run and whenever a commit announces
  an earlier wake-up, so persisting it would only add a write per plan.

Jobs hold only the timer's name; the module-level functions look it up (APScheduler's rule).
"""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers import SchedulerNotRunningError
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import Engine, bindparam, func, or_, select

from engine.clock import Clock
from engine.scaleout.wakeups import announce
from engine.scheduling.scheduler import JOB_DEFAULTS, NEXT_JOB, OUTBOX_JOB, TICK_JOB
from engine.storage.sql import tables as T

log = logging.getLogger("journeys.scaleout")

LEADER_TICK, LEADER_WAKE = "journeys-leader-tick", "journeys-leader-wake"
_TIMERS: dict[str, "LeaderTimer"] = {}
# Executors log through "apscheduler.executors.<alias>"; a distinct alias keeps ours quiet alone.
LEADER = "journeys-leader"

_w = T.wakeup
_NOW = bindparam("now", type_=_w.c.due_at.type)
_CLAIMABLE = select(_w.c.id).where(
    _w.c.due_at <= _NOW, or_(_w.c.lease_until.is_(None),
                             _w.c.lease_until < bindparam("lease_now", type_=_w.c.lease_until.type))
).order_by(_w.c.due_at, _w.c.id).limit(1)
_NEXT_AFTER = select(func.min(_w.c.due_at)).where(_w.c.due_at > _NOW)


def _quiet(name: str, level: int = logging.WARNING) -> logging.Logger:
    """APScheduler logs every run of every job at INFO (several lines a second here), and a
    tick skipped because the previous one still runs at WARNING: both are routine."""
    logger = logging.getLogger(name)
    logger.setLevel(level)
    return logger


def fire(name: str) -> None:
    timer = _TIMERS.get(name)
    if timer is not None:
        timer.fire()


class LeaderTimer:
    def __init__(self, name: str, *, sa_engine: Engine, clock: Clock, lease_clock: Clock,
                 real_clock: Clock, tick_seconds: float, table: str = "apscheduler_jobs"):
        self.name = name
        self.sa_engine = sa_engine
        self.clock, self.lease_clock, self.real_clock = clock, lease_clock, real_clock
        # A virtual clock running `scale` times faster: waits are that much shorter in real time.
        self.scale = float(getattr(clock, "scale", 1.0) or 1.0)
        self.tick_seconds = tick_seconds
        self.table = table
        self.fired = self.announced = 0
        self._planned: datetime | None = None
        self._lock = threading.Lock()
        self.scheduler: BackgroundScheduler | None = None

    # -- jobs --------------------------------------------------------------------------------
    def fire(self) -> None:
        """Announce due work nobody holds; plan the next wake-up job."""
        with self._lock:
            now = self.clock.now()
            with self.sa_engine.begin() as conn:
                claimable = conn.execute(_CLAIMABLE, {
                    "now": now, "lease_now": self.lease_clock.now()}).first() is not None
                following = conn.execute(_NEXT_AFTER, {"now": now}).scalar()
                if claimable:
                    announce(conn)
            self.fired += 1
            self.announced += claimable
            self._plan(following)

    def consider(self, due: datetime | None) -> None:
        """A commit announced a wake-up due at `due`: fire then if that is before the plan."""
        if due is None or self.scheduler is None:
            return
        with self._lock:
            if self._planned is None or due < self._planned:
                self._plan(due)

    def _plan(self, due: datetime | None) -> None:
        if self.scheduler is None:
            return
        if due is None:
            self._planned = None
            try:
                self.scheduler.remove_job(LEADER_WAKE, jobstore="memory")
            except JobLookupError:
                pass
            return
        wait = min(max(0.0, (due - self.clock.now()).total_seconds() / self.scale),
                   self.tick_seconds)
        self._planned = self.clock.now() + timedelta(seconds=wait * self.scale)
        try:
            self.scheduler.add_job(fire, "date", args=[self.name], id=LEADER_WAKE,
                                   jobstore="memory", executor=LEADER, replace_existing=True,
                                   run_date=self.real_clock.now() + timedelta(seconds=wait))
        except SchedulerNotRunningError:  # stepping down
            pass

    # -- life --------------------------------------------------------------------------------
    def start(self) -> None:
        _TIMERS[self.name] = self
        scheduler = BackgroundScheduler(
            jobstores={"default": SQLAlchemyJobStore(engine=self.sa_engine, tablename=self.table),
                       "memory": MemoryJobStore()},
            executors={LEADER: ThreadPoolExecutor(1)},
            job_defaults=JOB_DEFAULTS, timezone=timezone.utc,
            logger=_quiet("journeys.scaleout.apscheduler", logging.ERROR))
        _quiet(f"apscheduler.executors.{LEADER}")
        scheduler.start()
        self.scheduler = scheduler
        # A single-process worker's jobs, and an earlier leader's outbox job.
        for legacy in (TICK_JOB, NEXT_JOB, OUTBOX_JOB, "journeys-leader-outbox"):
            try:
                scheduler.remove_job(legacy)
            except JobLookupError:
                pass
        scheduler.add_job(fire, "interval", seconds=self.tick_seconds, args=[self.name],
                          id=LEADER_TICK, executor=LEADER, replace_existing=True,
                          next_run_time=self.real_clock.now())

    def stop(self, wait: bool = True) -> None:
        scheduler, self.scheduler = self.scheduler, None
        if scheduler is not None:
            try:
                scheduler.shutdown(wait=wait)
            except Exception:  # noqa: BLE001 - already stopped
                log.debug("timer shutdown", exc_info=True)
        if _TIMERS.get(self.name) is self:
            del _TIMERS[self.name]
