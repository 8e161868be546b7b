"""Benchmark 1: steps per second of one engine process on SQLite, beside the raw durable
single-row commit rate of SQLite with the same settings (WAL, synchronous=FULL - the default,
where a commit is on disk when it returns - and BEGIN IMMEDIATE), measured in the same run on
the same disk. The same pair with synchronous=NORMAL (commits not fsynced) is printed beside it.

    .venv/bin/python -m bench.scaleout_sqlite [--clients 2000]

N clients on the 7-node journey of bench/engine_steps.py (delay, email, delay, action, delay,
email); three days of wake-ups are run the way the SQLite worker runs them: due wake-ups claimed
in groups of `steps_per_commit` (the setting's default, 50) per transaction, each step deciding,
writing state, step log, outbox and next wake-up. The same with one wake-up per transaction
(steps_per_commit=1) is printed beside it. Targets: >= 1,000 steps/s and >= 0.25x the raw
commit rate.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bench.engine_steps import JOURNEY
from bench.raw_commit import raw_commit_rate
from bench.scaleout_common import ROOT, machine, record
from engine.clock import ManualClock
from engine.service import Engine
from engine.settings import Settings
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

TARGET_STEPS, TARGET_RATIO = 1000, 0.25


def _steps(sa_engine) -> int:
    with sa_engine.connect() as conn:
        return conn.execute(sa.text("SELECT count(*) FROM step")).scalar()


def measure(url: str, clients: int, per_commit: int) -> dict:
    migrate(url)
    sa_engine = make_engine(url)
    clock = ManualClock(datetime(2027, 1, 4, 8, tzinfo=timezone.utc))
    engine = Engine(SqlStore(sa_engine), clock)
    vendor = engine.create_vendor("Bench Studio")
    journey = engine.journeys.create(vendor.id, JOURNEY)
    engine.journeys.publish(vendor.id, journey.id)
    for i in range(clients):
        engine.clients.add(vendor.id, {"name": f"C{i}", "email": f"c{i}@example.com"})
    before = _steps(sa_engine)
    t0 = time.perf_counter()
    wakeups = 0
    for _ in range(3):
        clock.advance(timedelta(days=1, minutes=1))
        wakeups += engine.run_due(limit=10**9, per_commit=per_commit)
    elapsed = time.perf_counter() - t0
    steps = _steps(sa_engine) - before
    sa_engine.dispose()
    return {"steps": steps, "wakeups": wakeups, "seconds": elapsed,
            "steps_per_s": steps / elapsed, "wakeups_per_s": wakeups / elapsed,
            "per_commit": per_commit}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=2000)
    args = parser.parse_args(argv)
    info = machine()
    folder = ROOT / ".journeys" / "bench"  # the project's disk, not a tmpfs
    folder.mkdir(parents=True, exist_ok=True)
    per_commit = Settings.model_fields["steps_per_commit"].default
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        raw_before = raw_commit_rate(f"sqlite:///{tmp}/raw1.db", 2.0)
        started = time.perf_counter()
        cpu0 = os.times()
        result = measure(f"sqlite:///{Path(tmp) / 'engine.db'}", args.clients, per_commit)
        cpu = os.times()
        single = measure(f"sqlite:///{Path(tmp) / 'single.db'}", args.clients, 1)
        raw_after = raw_commit_rate(f"sqlite:///{tmp}/raw2.db", 2.0)
        # The same pair with synchronous=NORMAL (commits not fsynced: a power-loss window).
        raw_normal = raw_commit_rate(f"sqlite:///{tmp}/raw3.db", 2.0,
                                     sqlite_synchronous="NORMAL")
        normal = measure(f"sqlite:///{Path(tmp) / 'normal.db'}?synchronous=NORMAL",
                         args.clients, per_commit)
    raw = (raw_before + raw_after) / 2
    ratio = result["steps_per_s"] / raw
    ok = result["steps_per_s"] >= TARGET_STEPS and ratio >= TARGET_RATIO
    print(f"[1] one process on SQLite (WAL, synchronous=FULL, the default): "
          f"{result['steps_per_s']:,.0f} steps/s ({result['steps']} steps in "
          f"{result['seconds']:.2f} s; {result['wakeups_per_s']:,.0f} wake-ups/s, {per_commit} "
          f"per commit; one per commit: {single['steps_per_s']:,.0f} steps/s) | raw durable "
          f"single-row commits: {raw:,.0f}/s (before {raw_before:,.0f}, after {raw_after:,.0f}) | "
          f"ratio {ratio:.3f}x | targets >= {TARGET_STEPS} steps/s and >= {TARGET_RATIO}x: "
          f"{'met' if ok else 'MISSED'}")
    print(f"    with synchronous=NORMAL: {normal['steps_per_s']:,.0f} steps/s vs raw "
          f"{raw_normal:,.0f} commits/s: {normal['steps_per_s'] / raw_normal:.3f}x")
    record("1_sqlite", {**result, "raw_commits_per_s": raw, "ratio": ratio,
                        "synchronous": "FULL", "one_per_commit": single, "normal": normal,
                        "raw_normal": raw_normal,
                        "ratio_normal": normal["steps_per_s"] / raw_normal,
                        "cpu_s": (cpu.user + cpu.system) - (cpu0.user + cpu0.system),
                        "wall_s": time.perf_counter() - started, "machine": info, "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
