"""Steps per second of one engine process on SQLite (and PostgreSQL), beside the raw durable
single-row commit rate of the same database measured in the same run.

    python -m bench.engine_steps [--clients 2000] [--postgres URL]

A "step" is one node executed (one step-log row). Wake-ups are processed the way the worker
does it: one transaction per due wake-up (claim, decide, write state, step log, outbox, next
wake-up).
"""
from __future__ import annotations

import argparse
import tempfile
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from engine.clock import ManualClock
from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

JOURNEY = {
    "format": "journeys/v1", "name": "Bench",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "d1", "type": "delay", "config": {"duration": {"days": 1}}},
        {"id": "hello", "type": "email", "config": {"subject": "Hi {{ client.name }}", "body": "x"}},
        {"id": "d2", "type": "delay", "config": {"duration": {"days": 1}}},
        {"id": "tag", "type": "action", "config": {"action": "add_tag", "tag": "done"}},
        {"id": "d3", "type": "delay", "config": {"duration": {"days": 1}}},
        {"id": "bye", "type": "email", "config": {"subject": "Bye", "body": "x"}},
    ],
    "edges": [{"from": a, "to": b} for a, b in
              [("start", "d1"), ("d1", "hello"), ("hello", "d2"), ("d2", "tag"), ("tag", "d3"),
               ("d3", "bye")]],
}


def _steps(sa_engine) -> int:
    with sa_engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM step")).scalar()


def measure(url: str, clients: int) -> dict:
    migrate(url)
    sa_engine = make_engine(url)
    clock = ManualClock(datetime(2027, 1, 4, 8, tzinfo=timezone.utc))
    engine = Engine(SqlStore(sa_engine), clock)
    vendor = engine.create_vendor("Bench Studio")
    journey = engine.journeys.create(vendor.id, JOURNEY)
    engine.journeys.publish(vendor.id, journey.id)
    t0 = time.perf_counter()
    for i in range(clients):
        engine.clients.add(vendor.id, {"name": f"C{i}", "email": f"c{i}@example.com"})
    enroll = time.perf_counter() - t0
    before = _steps(sa_engine)
    t0 = time.perf_counter()
    for _ in range(3):
        clock.advance(timedelta(days=1, minutes=1))
        engine.run_due(limit=10**9)
    elapsed = time.perf_counter() - t0
    steps = _steps(sa_engine) - before
    sa_engine.dispose()
    return {"steps": steps, "seconds": elapsed, "steps_per_s": steps / elapsed,
            "enroll_clients_per_s": clients / enroll}


def main(argv: list[str] | None = None) -> int:
    from bench.raw_commit import raw_commit_rate

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--postgres", default=None, help="also measure on this PostgreSQL URL")
    args = parser.parse_args(argv)
    targets = []
    with tempfile.TemporaryDirectory() as tmp:
        targets.append(("sqlite", f"sqlite:///{tmp}/bench.db", f"sqlite:///{tmp}/raw.db"))
        if args.postgres:
            targets.append(("postgresql", args.postgres, args.postgres))
        for name, url, raw_url in targets:
            raw = raw_commit_rate(raw_url, 2.0)
            result = measure(url, args.clients)
            print(f"{name}: {result['steps_per_s']:.0f} steps/s ({result['steps']} steps in "
                  f"{result['seconds']:.2f} s); raw single-row commit rate {raw:.0f}/s; "
                  f"ratio {result['steps_per_s'] / raw:.2f}x; enrollment "
                  f"{result['enroll_clients_per_s']:.0f} clients/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
