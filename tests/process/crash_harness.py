"""Shared pieces of the process-level crash tests: a 5-step journey, a worker subprocess on a
fast virtual clock, and checks that every step and effect happened exactly once."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import sqlalchemy as sa

from engine.clock import ScaledClock, format_utc
from engine.service import Engine

ROOT = Path(__file__).resolve().parents[2]
SCALE = 120.0  # one virtual minute is half a real second

FIVE_STEPS = {
    "format": "journeys/v1", "name": "Crash test",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "hello", "type": "email", "config": {"subject": "Hello {{ client.name }}",
                                                    "body": "Welcome aboard"}},
        {"id": "pause1", "type": "delay", "config": {"duration": {"minutes": 1}}},
        {"id": "checkin", "type": "email", "config": {"subject": "Checking in", "body": "Hi"}},
        {"id": "pause2", "type": "delay", "config": {"duration": {"minutes": 2}}},
        {"id": "tag", "type": "action", "config": {"action": "add_tag", "tag": "welcomed"}},
    ],
    "edges": [{"from": "start", "to": "hello"}, {"from": "hello", "to": "pause1"},
              {"from": "pause1", "to": "checkin"}, {"from": "checkin", "to": "pause2"},
              {"from": "pause2", "to": "tag"}],
}
EXPECTED_NODES = ["start", "hello", "pause1", "checkin", "pause2", "tag"]


class VirtualTime:
    def __init__(self) -> None:
        real = datetime.now(timezone.utc)
        self.spec = f"{format_utc(datetime(2027, 3, 1, 9, tzinfo=timezone.utc))},{real.isoformat()},{SCALE}"
        self.clock = ScaledClock(datetime(2027, 3, 1, 9, tzinfo=timezone.utc), real, SCALE)


def start_worker(url: str, vt: VirtualTime, log: Path) -> subprocess.Popen:
    env = {**os.environ, "JOURNEYS_CLOCK": vt.spec, "JOURNEYS_TICK_SECONDS": "0.2",
           "DATABASE_URL": url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "engine.cli", "worker"], cwd=ROOT, env=env,
                            stdout=log.open("ab"), stderr=subprocess.STDOUT)


def seed(engine: Engine, clients: int) -> str:
    vendor = engine.create_vendor("Crash Studio", timezone="Europe/London")
    journey = engine.journeys.create(vendor.id, FIVE_STEPS)
    engine.journeys.publish(vendor.id, journey.id)
    for i in range(clients):
        engine.clients.add(vendor.id, {"name": f"Couple {i}", "email": f"c{i}@example.com"})
    return vendor.id


def kill_repeatedly(url: str, vt: VirtualTime, log: Path, kills: int, rng: random.Random,
                    done) -> int:
    worker = start_worker(url, vt, log)
    killed = 0
    try:
        while killed < kills:
            time.sleep(rng.uniform(0.4, 1.6))
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            killed += 1
            worker = start_worker(url, vt, log)
        deadline = time.monotonic() + 240
        while not done() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()
    return killed


def exactly_once_report(sa_engine: sa.Engine) -> dict:
    with sa_engine.connect() as conn:
        q = lambda sql: conn.execute(sa.text(sql)).all()  # noqa: E731
        return {
            "runs": dict(q("SELECT status, count(*) FROM run GROUP BY status")),
            "step_dupes": q("SELECT run_id, key, count(*) FROM step GROUP BY run_id, key "
                            "HAVING count(*) > 1"),
            "steps_per_node": dict(q("SELECT node, count(*) FROM step GROUP BY node")),
            "effect_dupes": q("SELECT key, count(*) FROM effect GROUP BY key HAVING count(*) > 1"),
            "effects": q("SELECT count(*) FROM effect")[0][0],
            "wakeups": q("SELECT count(*) FROM wakeup")[0][0],
        }
