"""Process-level pieces for the scale-out fault tests: `journeys worker` processes on PostgreSQL
with short leases and a fast virtual clock, a feeder that enrolls clients while they run, and
queries that find the leader and check every step and effect happened exactly once."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import sqlalchemy as sa

from engine.errors import Conflict
from engine.service import Engine
from tests.process.crash_harness import FIVE_STEPS, ROOT, VirtualTime

LEASE_SECONDS = 2.0


class Workers:
    """A pool of `journeys worker` processes on one database, each with its own log."""

    def __init__(self, url: str, vt: VirtualTime, logs: Path, *, lease: float = LEASE_SECONDS,
                 batch: int = 20):
        self.url, self.vt, self.logs = url, vt, logs
        self.env = {**os.environ, "JOURNEYS_CLOCK": vt.spec, "JOURNEYS_TICK_SECONDS": "0.2",
                    "DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
                    "JOURNEYS_LEASE_SECONDS": str(lease), "JOURNEYS_CLAIM_BATCH": str(batch)}
        self.procs: dict[str, subprocess.Popen] = {}
        self.started_at: dict[str, float] = {}
        self.started = 0

    def start(self, name: str) -> subprocess.Popen:
        self.started += 1
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "worker", "--name", name],
                                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        self.procs[name] = proc
        self.started_at[name] = time.monotonic()
        return proc

    def kill(self, name: str) -> None:
        proc = self.procs[name]
        proc.send_signal(signal.SIGKILL)
        proc.wait()

    def by_pid(self, pid: int) -> str | None:
        return next((n for n, p in self.procs.items() if p.pid == pid and p.poll() is None), None)

    def alive(self, for_at_least: float = 0.0) -> list[str]:
        now = time.monotonic()
        return [n for n, p in self.procs.items()
                if p.poll() is None and now - self.started_at[n] >= for_at_least]

    def stop_all(self) -> dict[str, int]:
        codes = {}
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for name, proc in self.procs.items():
            try:
                codes[name] = proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                codes[name] = proc.wait()
        return codes

    def tail(self, lines: int = 40) -> str:
        out = []
        for path in sorted(self.logs.glob("*.log")):
            text = path.read_text(errors="replace").splitlines()[-lines:]
            out.append(f"== {path.name}\n" + "\n".join(text))
        return "\n".join(out)[-6000:]


def ready_pids(sa_engine: sa.Engine) -> set[int]:
    """OS pids of the workers that are up (their LISTEN session is open)."""
    with sa_engine.connect() as conn:
        names = conn.execute(sa.text(
            "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
            "AND application_name LIKE 'journeys-listen:%'")).scalars().all()
    return {int(n.split(":", 1)[1]) for n in names}


def leader_pid(sa_engine: sa.Engine) -> int | None:
    """The OS pid of the worker holding the leader lock (its session's application_name)."""
    with sa_engine.connect() as conn:
        name = conn.execute(sa.text(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
            "WHERE l.locktype = 'advisory' AND l.granted AND l.database = "
            "(SELECT oid FROM pg_database WHERE datname = current_database()) "
            "AND a.application_name LIKE 'journeys-leader:%'")).scalar()
    return int(name.split(":", 1)[1]) if name else None


def wait_for(predicate, timeout: float, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def new_studio(engine: Engine) -> str:
    vendor = engine.create_vendor("Scale-out Studio", timezone="Europe/London")
    journey = engine.journeys.create(vendor.id, FIVE_STEPS)
    engine.journeys.publish(vendor.id, journey.id)
    return vendor.id


class Feeder(threading.Thread):
    """Enrolls clients one after another while the workers run, `count` of them or until
    stop(). A failed transaction (the test may cut every database session) is retried; the
    external id keeps each client once."""

    def __init__(self, engine: Engine, vendor_id: str, count: int | None = None,
                 pause: float = 0.0):
        super().__init__(daemon=True)
        self.engine, self.vendor_id, self.count, self.pause = engine, vendor_id, count, pause
        self.added = 0
        self.retries = 0
        self._halt = threading.Event()

    def stop(self) -> int:
        self._halt.set()
        self.join(timeout=120)
        return self.added

    def run(self) -> None:
        i = 0
        while not self._halt.is_set() and (self.count is None or i < self.count):
            while True:
                try:
                    self.engine.clients.add(self.vendor_id, {
                        "name": f"Couple {i}", "email": f"c{i}@example.com",
                        "external_id": f"couple-{i}"})
                    break
                except Conflict:
                    break  # committed before the connection dropped
                except Exception:  # noqa: BLE001 - a terminated session; try again
                    self.retries += 1
                    time.sleep(0.2)
            i += 1
            self.added = i
            if self.pause:
                self._halt.wait(self.pause)
