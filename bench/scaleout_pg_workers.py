"""Benchmark 2: steps per second of 4 `journeys worker` processes sharing PostgreSQL, beside a
raw SKIP LOCKED claim-and-complete loop run by 4 processes on the same server in the same run.

    .venv/bin/python -m bench.scaleout_pg_workers [--runs 6000] [--workers 4]

N runs wait on their first delay; once the workers are up, every wake-up is made due at once.
Each wake-up is one transaction that completes the delay, sends an email (outbox row) and
schedules the next delay: two steps (step-log rows). Targets: >= 1,500 steps/s and >= 0.5x the
raw loop's claims/s. The raw loop does one claim per transaction, so the ratio of wake-ups
(transactions) to raw claims is printed too. The workers run steps only
(JOURNEYS_DISPATCH_OUTBOX=false, `--dispatch` to send too): the emails land in the outbox, as the
raw loop's rows land in its table; sending them is the dispatcher's work, measured apart.
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bench.engine_steps import JOURNEY
from bench.scaleout_common import (WorkerPool, clone_runs, fresh_database, machine,
                                   raw_skip_locked_rate, record, set_due, template_run)
from engine.clock import SystemClock
from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

TARGET_STEPS, TARGET_RATIO = 1500, 0.5


def _count(sa_engine: sa.Engine, sql: str, **params) -> int:
    with sa_engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar()


def measure(runs: int, workers: int, env: dict[str, str]) -> dict:
    with fresh_database("bench_workers") as url:
        migrate(url)
        raw_before = raw_skip_locked_rate(url, workers, seconds=5.0)
        sa_engine = make_engine(url)
        engine = Engine(SqlStore(sa_engine), SystemClock())
        template = template_run(engine, JOURNEY)
        far = datetime(2100, 1, 1, tzinfo=timezone.utc)
        clone_runs(sa_engine, template, runs, first_due=far)
        pool = WorkerPool(url, workers, env=env)
        try:
            startup = pool.start()
            cpu_before = pool.cpu_s()
            steps_before = _count(sa_engine, "SELECT count(*) FROM step")
            at = datetime.now(timezone.utc) - timedelta(seconds=1)
            t0 = time.perf_counter()
            set_due(sa_engine, at)
            while _count(sa_engine, "SELECT count(*) FROM wakeup WHERE due_at <= :t",
                         t=at + timedelta(seconds=2)):
                time.sleep(0.05)
            elapsed = time.perf_counter() - t0
            rss = pool.rss_mb()
            cpu = [round(b - a, 2) for a, b in zip(cpu_before, pool.cpu_s())]
        finally:
            pool.stop()
        steps = _count(sa_engine, "SELECT count(*) FROM step") - steps_before
        effects = _count(sa_engine, "SELECT count(*) FROM effect")
        sa_engine.dispose()
        raw_after = raw_skip_locked_rate(url, workers, seconds=5.0)
        raw = (raw_before + raw_after) / 2  # before and after: the machine's load drifts
    return {"runs": runs, "workers": workers, "steps": steps, "effects": effects,
            "seconds": elapsed, "steps_per_s": steps / elapsed, "wakeups_per_s": runs / elapsed,
            "raw_claims_per_s": raw, "raw_before": raw_before, "raw_after": raw_after, "ratio_steps": steps / elapsed / raw,
            "ratio_wakeups": runs / elapsed / raw, "worker_start_s": startup,
            "worker_rss_mb": [round(x) for x in rss], "worker_cpu_s": cpu,
            "cpu_ms_per_wakeup": 1000 * sum(cpu) / runs, "env": env}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--batch", type=int, default=50)
    parser.add_argument("--threads", type=int, default=None,
                        help="claim loops per worker (default: the setting's default)")
    parser.add_argument("--per-commit", type=int, default=None,
                        help="wake-ups per transaction (default: the setting's default)")
    parser.add_argument("--dispatch", action="store_true", help="workers also send the outbox")
    args = parser.parse_args(argv)
    env = {"JOURNEYS_CLAIM_BATCH": str(args.batch),
           "JOURNEYS_DISPATCH_OUTBOX": "true" if args.dispatch else "false"}
    if args.threads:
        env["JOURNEYS_CLAIM_THREADS"] = str(args.threads)
    if args.per_commit:
        env["JOURNEYS_STEPS_PER_COMMIT"] = str(args.per_commit)
    info = machine()
    r = measure(args.runs, args.workers, env)
    ok = r["steps_per_s"] >= TARGET_STEPS and r["ratio_steps"] >= TARGET_RATIO
    print(f"[2] {args.workers} workers on PostgreSQL: {r['steps_per_s']:,.0f} steps/s "
          f"({r['steps']} steps, {r['runs']} wake-ups in {r['seconds']:.2f} s; "
          f"{r['wakeups_per_s']:,.0f} wake-ups/s) | raw SKIP LOCKED loop, {args.workers} "
          f"processes: {r['raw_claims_per_s']:,.0f} claims/s | ratio {r['ratio_steps']:.2f}x "
          f"steps, {r['ratio_wakeups']:.2f}x transactions | targets >= {TARGET_STEPS} steps/s "
          f"and >= {TARGET_RATIO}x: {'met' if ok else 'MISSED'}")
    print(f"    worker CPU during the run: {r['worker_cpu_s']} s "
          f"({r['cpu_ms_per_wakeup']:.2f} ms per wake-up, "
          f"{'sending the outbox too' if args.dispatch else 'steps only'}); load average at "
          f"start {info['load_avg_at_start']:.1f}")
    record("2_pg_workers", {**r, "machine": info, "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
