"""Benchmark 6: 1,000,000 pending wake-ups. Load time, due-query p99, engine memory.

    .venv/bin/python -m bench.scaleout_million [--pending 1000000]

- load: the pending runs (client, run and wake-up rows: three million rows) are bulk-loaded by
  cloning an engine-made run (INSERT ... SELECT); then a `journeys worker` starts against the
  loaded database: its start-up time is the engine's "load time" (the engine keeps no wake-ups
  in memory, so this does not grow with the backlog; APScheduler's own job stores also query,
  but a scheduler holding one job per step would have to add a million jobs).
- due query: the statements the engine runs against the wake-up table with a million rows
  pending, 1% of them due: the claim (UPDATE ... SKIP LOCKED ... RETURNING 50, then rolled back
  so every sample sees the same table), the leader's "is anything claimable" and "next due"
  queries, and the SQLite worker's due query; each timed 1,000 times; p50/p99.
- memory: resident set size of a worker process after it has started with the million pending
  and run the due ones (10,000).
Targets: due query p99 <= 10 ms; engine memory < 300 MB.
"""
from __future__ import annotations

import argparse
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bench.engine_steps import JOURNEY
from bench.scaleout_common import (WorkerPool, clone_runs, fresh_database, machine, percentile,
                                   record, template_run)
from engine.clock import SystemClock
from engine.service import Engine
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore, _statements

P99_MS, RSS_MB = 10.0, 300.0


def _time_query(sa_engine: sa.Engine, stmt, params: dict, samples: int) -> list[float]:
    times = []
    with sa_engine.connect() as conn:
        for _ in range(samples):
            t0 = time.perf_counter()
            trans = conn.begin()
            conn.execute(stmt, params).all()
            trans.rollback()
            times.append((time.perf_counter() - t0) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pending", type=int, default=1_000_000)
    parser.add_argument("--due", type=float, default=0.01, help="fraction due now")
    parser.add_argument("--samples", type=int, default=1000)
    args = parser.parse_args(argv)
    info = machine()
    now = datetime.now(timezone.utc)
    due_count = int(args.pending * args.due)
    with fresh_database("bench_million") as url:
        migrate(url)
        sa_engine = make_engine(url)
        engine = Engine(SqlStore(sa_engine), SystemClock())
        template = template_run(engine, JOURNEY)
        # 1% overdue (spread over the last hour), the rest spread over the coming year.
        load_s = clone_runs(sa_engine, template, due_count, first_due=now - timedelta(hours=1),
                            spacing_s=3600 / max(due_count, 1), prefix="d")
        load_s += clone_runs(sa_engine, template, args.pending - due_count,
                             first_due=now + timedelta(minutes=10),
                             spacing_s=365 * 86400 / max(args.pending - due_count, 1))
        with sa_engine.connect() as conn:
            pending = conn.execute(sa.text("SELECT count(*) FROM wakeup")).scalar()
            size = conn.execute(sa.text(
                "SELECT pg_size_pretty(pg_total_relation_size('wakeup'))")).scalar()
        s = _statements("postgresql")
        from engine.scaleout.timer import _CLAIMABLE, _NEXT_AFTER
        queries = {
            "claim 50 (UPDATE ... SKIP LOCKED ... RETURNING)": (s.claim_due, {
                "now": now, "limit": 50, "owner": "bench", "until": now + timedelta(seconds=30),
                "lease_now": now}),
            "leader: anything claimable?": (_CLAIMABLE, {"now": now, "lease_now": now}),
            "leader: next due": (_NEXT_AFTER, {"now": now}),
            "SQLite-mode due query (SELECT ... SKIP LOCKED LIMIT 1)": (s.due_wakeups, {
                "now": now, "limit": 1}),
        }
        timings = {}
        for name, (stmt, params) in queries.items():
            _time_query(sa_engine, stmt, params, 50)  # warm
            t = _time_query(sa_engine, stmt, params, args.samples)
            timings[name] = {"p50_ms": percentile(t, 50), "p99_ms": percentile(t, 99),
                             "max_ms": max(t)}
        pool = WorkerPool(url, 1)
        try:
            start_s = pool.start()
            t0 = time.perf_counter()
            while True:
                with sa_engine.connect() as conn:
                    left = conn.execute(sa.text("SELECT count(*) FROM wakeup WHERE due_at <= "
                                                ":t"), {"t": now}).scalar()
                if not left or time.perf_counter() - t0 > 900:
                    break
                time.sleep(0.5)
            drain_s = time.perf_counter() - t0
            rss = pool.rss_mb()[0]
        finally:
            pool.stop()
        sa_engine.dispose()
    worst = max(v["p99_ms"] for v in timings.values())
    claim = timings["claim 50 (UPDATE ... SKIP LOCKED ... RETURNING)"]
    ok = worst <= P99_MS and rss < RSS_MB
    print(f"[6] {pending:,} pending wake-ups (wakeup table {size}): bulk load {load_s:.1f} s; "
          f"worker start-up with them pending {start_s:.1f} s; due queries p99 "
          + "; ".join(f"{k}: {v['p99_ms']:.2f} ms" for k, v in timings.items())
          + f" | worker memory after running the {due_count:,} due ones ({drain_s:.0f} s): "
          f"{rss:.0f} MB | targets due-query p99 <= {P99_MS:.0f} ms (claim p50 "
          f"{claim['p50_ms']:.2f} ms), memory < {RSS_MB:.0f} MB: {'met' if ok else 'MISSED'}")
    record("6_million", {"pending": pending, "table_size": size, "load_s": load_s,
                         "worker_start_s": start_s, "queries": timings, "worker_rss_mb": rss,
                         "drained": due_count, "drain_s": drain_s, "machine": info, "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
