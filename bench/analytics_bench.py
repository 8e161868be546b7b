"""Analytics benchmark: every analytics query over 100,000 runs of the 50-node journey.

    .venv/bin/python -m bench.analytics_bench [--runs 100000] [--base 5000]
        [--sqlite PATH] [--pg URL] [--only sqlite|postgres] [--repeat 5] [--reuse]

How the data is made: the real simulator runs `--base` synthetic couples through the 50-node
journey for a year (so every row is one the runtime really writes: steps with entered_at and
detail, runs with goal_at, clients with wedding dates and lead sources); that history is then
replicated, with fresh ids and each copy shifted by a day, until there are `--runs` runs, and
bulk-inserted (executemany on SQLite, COPY on PostgreSQL) into a freshly migrated database.

Each query is timed `--repeat` times after one warm-up run; the median is printed beside the
median of a plain `SELECT count(*) FROM step` timed the same way in the same process, so the
figures can be read against what merely touching every step row costs on this machine.
Target: every query under 100 ms. `--reuse` skips loading when the database already holds the
data (same --runs), to re-time after a change (newer revisions are applied, then the summaries
are rebuilt). Also printed: what keeping the summaries current costs (folding new steps; the
run trigger's cost on an UPDATE that converts runs; folding the change rows it wrote).
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass, fields
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterator

from sqlalchemy import JSON, text

from bench.fifty_node import fifty_node_journey
from engine.analytics import rollup
from engine.analytics.service import Analytics
from engine.domain import Client, Run, StepRecord
from engine.simulate import Simulation
from engine.simulation.couples import generate_couples
from engine.storage.database import make_engine, migrate
from engine.storage.sql import tables as T

START = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)
VENDOR = "ven_bench"
JOURNEY = "jny_bench"
TARGET_MS = 100.0
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_SCHEMA = "bench_analytics"


@dataclass
class History:
    clients: list[Client]
    runs: list[Run]
    steps: list[StepRecord]
    document: dict[str, Any]
    end: datetime


def simulate_history(base: int, seed: int = 7) -> History:
    document = fifty_node_journey()
    couples = generate_couples(base, start=START, seed=seed)
    sim = Simulation(document, couples.clients, couples.events, start=START,
                     until=START + timedelta(days=365), seed=seed)
    sim.run()
    with sim.engine.store.transaction() as tx:
        runs = tx.list_runs("sim", limit=10**9)
        clients = [tx.get_client(r.client_id) for r in runs]
        steps = [s for r in runs for s in tx.steps_for_run(r.id)]
    return History(clients=clients, runs=runs, steps=steps, document=document, end=sim.until)


def _shift(value: datetime | None, delta: timedelta) -> datetime | None:
    return value + delta if value is not None else None


def replicas(history: History, total_runs: int) -> Iterator[tuple[int, timedelta]]:
    copies = -(-total_runs // len(history.runs))
    for r in range(copies):
        yield r, timedelta(days=r)


def client_rows(history: History, r: int, delta: timedelta, limit: int) -> list[dict]:
    out = []
    for c in history.clients[:limit]:
        out.append({"id": f"{c.id}_{r}", "vendor_id": VENDOR, "name": c.name, "email": c.email,
                    "external_id": f"{c.external_id}_{r}", "status": c.status,
                    "timezone": c.timezone, "wedding_date": c.wedding_date,
                    "dates": {}, "fields": c.fields, "tags": c.tags, "form_answers": {},
                    "created_at": _shift(c.created_at, delta),
                    "updated_at": _shift(c.updated_at, delta)})
    return out


def run_rows(history: History, r: int, delta: timedelta, limit: int) -> list[dict]:
    out = []
    for run in history.runs[:limit]:
        row = {f.name: getattr(run, f.name) for f in fields(Run)}
        row.update(id=f"{run.id}_{r}", vendor_id=VENDOR, journey_id=JOURNEY,
                   client_id=f"{run.client_id}_{r}", split_key=f"{run.split_key}_{r}")
        for name in ("due_at", "goal_at", "entered_at", "started_at", "ended_at", "updated_at"):
            row[name] = _shift(row[name], delta)
        out.append(row)
    return out


def step_rows(history: History, r: int, delta: timedelta, run_ids: set[str]) -> list[dict]:
    out = []
    for s in history.steps:
        if s.run_id not in run_ids:
            continue
        out.append({"run_id": f"{s.run_id}_{r}", "key": s.key, "node": s.node, "visit": s.visit,
                    "type": s.type, "outcome": s.outcome, "at": s.at + delta, "seq": s.seq,
                    "actor": s.actor, "detail": s.detail, "vendor_id": VENDOR,
                    "journey_id": JOURNEY, "version": s.version,
                    "client_id": f"{s.client_id}_{r}", "entered_at": _shift(s.entered_at, delta)})
    return out


def load(url: str, history: History, total_runs: int, log: Callable[[str], None]) -> int:
    """A fresh schema with `total_runs` runs; returns the number of step rows."""
    engine = make_engine(url)
    postgres = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        conn.execute(T.vendor.insert(), [{"id": VENDOR, "name": "Bench", "timezone": "UTC",
                                          "blackout_dates": [], "settings": {},
                                          "created_at": START}])
        conn.execute(T.journey.insert(), [{"id": JOURNEY, "vendor_id": VENDOR,
                                           "name": history.document["name"],
                                           "draft": history.document, "live_version": 1,
                                           "latest_version": 1, "archived": False}])
        conn.execute(T.journey_version.insert(), [{"journey_id": JOURNEY, "version": 1,
                                                   "document": history.document,
                                                   "published_at": START}])
    steps = 0
    left = total_runs
    t0 = time.perf_counter()
    for r, delta in replicas(history, total_runs):
        take = min(left, len(history.runs))
        left -= take
        clients, runs = client_rows(history, r, delta, take), run_rows(history, r, delta, take)
        ids = {run.id for run in history.runs[:take]}
        rows = step_rows(history, r, delta, ids)
        steps += len(rows)
        if postgres:
            _copy(engine, T.client, clients)
            _copy(engine, T.run, runs)
            _copy(engine, T.step, rows)
        else:
            with engine.begin() as conn:
                conn.execute(T.client.insert(), clients)
                conn.execute(T.run.insert(), runs)
                conn.execute(T.step.insert(), rows)
        log(f"  copy {r + 1}: {total_runs - left} runs, {steps} steps "
            f"({time.perf_counter() - t0:.0f} s)")
        if left <= 0:
            break
    with engine.connect() as conn:
        if postgres:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE"))
        else:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    engine.dispose()
    return steps


def _copy(engine: Any, table: Any, rows: list[dict]) -> None:
    """PostgreSQL COPY: the fast path for millions of rows."""
    from psycopg.types.json import Jsonb

    if not rows:
        return
    names = [c.name for c in table.c if c.name in rows[0]]
    json_cols = {c.name for c in table.c if isinstance(c.type, JSON)}
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            with cur.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row([Jsonb(row[n]) if n in json_cols and row[n] is not None
                                    else row[n] for n in names])
        raw.commit()
    finally:
        raw.close()


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    result = fn()  # warm-up (caches, plans)
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), result


def queries(a: Analytics, end: datetime) -> list[tuple[str, Callable[[], Any]]]:
    month = (end - timedelta(days=30), end)
    return [
        ("funnel (counts, moves, totals)", lambda: a.funnel(VENDOR, JOURNEY, with_times=False)),
        ("node times (median, p90)", lambda: a.node_times(VENDOR, JOURNEY)),
        ("funnel, last 30 days", lambda: a.funnel(VENDOR, JOURNEY, since=month[0],
                                                  until=month[1])),
        ("stuck clients", lambda: a.stuck(VENDOR, JOURNEY, now=end,
                                          threshold=timedelta(days=7))),
        ("trends per day (all)", lambda: a.trends(VENDOR, JOURNEY)),
        ("trends per day, last 30 days", lambda: a.trends(VENDOR, JOURNEY, since=month[0],
                                                          until=month[1])),
        ("cohorts by wedding month", lambda: a.cohorts(VENDOR, JOURNEY, by="wedding_month")),
        ("cohorts by lead source", lambda: a.cohorts(VENDOR, JOURNEY, by="lead_source")),
        ("per-version comparison", lambda: a.versions(VENDOR, JOURNEY)),
        ("split branches + test", lambda: a.splits(VENDOR, JOURNEY)),
    ]


DELTA_ROWS = 10_000


def measure(url: str, end: datetime, repeat: int) -> dict[str, Any]:
    engine = make_engine(url)
    a = Analytics(engine)

    def count() -> int:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM step")).scalar_one()

    count_ms, steps = _time(count, repeat)
    runs = _time(lambda: _scalar(engine, "SELECT count(*) FROM run"), 1)[1]
    # The one-time cost: fold the whole existing step log into the summaries and the run
    # summaries from the run table (what a first refresh after the migrations costs).
    t0 = time.perf_counter()
    rollup.rebuild(engine)
    fold_s = time.perf_counter() - t0
    figures = {"database": engine.dialect.name, "runs": runs, "steps": steps,
               "full_count_ms": round(count_ms, 1), "initial_fold_s": round(fold_s, 1),
               "queries": {}, "with_delta": {}}
    for name, fn in queries(a, end):
        ms, _ = _time(fn, repeat)
        figures["queries"][name] = round(ms, 1)
    # The live path: the same summary-backed queries with DELTA_ROWS steps logged since the
    # last refresh, read from the log. (Timing only: the watermark is moved back and restored,
    # so those rows count twice in these answers.)
    mark = _scalar(engine, "SELECT step_id FROM analytics_watermark WHERE name = 'steps'")
    live = Analytics(engine, auto_refresh=False)
    with engine.begin() as conn:
        conn.execute(text("UPDATE analytics_watermark SET step_id = :m WHERE name = 'steps'"),
                     {"m": mark - DELTA_ROWS})
    try:
        for name, fn in queries(live, end)[:2] + queries(live, end)[4:5]:
            ms, _ = _time(fn, repeat)
            figures["with_delta"][name] = round(ms, 1)
    finally:
        with engine.begin() as conn:
            conn.execute(text("UPDATE analytics_watermark SET step_id = :m "
                              "WHERE name = 'steps'"), {"m": mark})
    figures["refresh"] = refresh_costs(engine, mark)
    engine.dispose()
    return figures


RUN_CHANGES = 1_000


def refresh_costs(engine: Any, mark: int) -> dict[str, float]:
    """What keeping the summaries current costs, each in a transaction rolled back afterwards:
    folding DELTA_ROWS steps; RUN_CHANGES runs converting (the UPDATE, whose trigger appends
    -1/+1 change rows, beside the same UPDATE with the trigger dropped), and folding the change
    rows that made."""
    out = {}
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text(
            "SELECT id FROM run WHERE goal_at IS NULL ORDER BY id LIMIT :n"), {"n": RUN_CHANGES})]
        conn.rollback()
    # The same statement and rows with and without the trigger (dropped, or disabled, in the
    # transaction that is rolled back: DDL is transactional on both databases).
    tracked = text("UPDATE run SET goal_at = started_at WHERE id = :id")

    def without_trigger(conn: Any) -> None:
        if conn.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE run DISABLE TRIGGER analytics_run_update"))
        else:
            conn.execute(text("DROP TRIGGER analytics_run_update"))

    def timed_update(conn: Any, trigger: bool) -> float:
        if not trigger:
            without_trigger(conn)
        t0 = time.perf_counter()
        conn.execute(tracked, [{"id": i} for i in ids])
        return time.perf_counter() - t0

    for name, work in (
            ("fold_steps_ms", lambda conn: rollup._fold(conn, mark - DELTA_ROWS, mark)),
            ("update_untracked_ms", lambda conn: timed_update(conn, False)),
            ("update_tracked_ms", lambda conn: timed_update(conn, True))):
        samples = []
        for _ in range(3):
            with engine.connect() as conn:
                tx = conn.begin()
                rollup._ensure_ln(conn)
                t0 = time.perf_counter()
                seconds = work(conn)
                samples.append((seconds if seconds is not None
                                else time.perf_counter() - t0) * 1000)
                tx.rollback()
        out[name] = round(statistics.median(samples), 1)
    samples = []
    for _ in range(3):
        with engine.connect() as conn:
            tx = conn.begin()
            conn.execute(tracked, [{"id": i} for i in ids])
            t0 = time.perf_counter()
            rollup._fold_run_changes(conn)
            samples.append((time.perf_counter() - t0) * 1000)
            tx.rollback()
    out["fold_run_changes_ms"] = round(statistics.median(samples), 1)
    return out


def _scalar(engine: Any, sql: str) -> Any:
    with engine.connect() as conn:
        return conn.execute(text(sql)).scalar_one()


def _has_data(url: str, total_runs: int) -> bool:
    try:
        engine = make_engine(url)
        try:
            return _scalar(engine, "SELECT count(*) FROM run") == total_runs
        finally:
            engine.dispose()
    except Exception:  # noqa: BLE001 - no schema yet
        return False


def _fresh_pg(url: str) -> str:
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{PG_SCHEMA}" CASCADE')
        conn.execute(f'CREATE SCHEMA "{PG_SCHEMA}"')
    return _pg_schema_url(url)


def _pg_schema_url(url: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options=-csearch_path%3D{PG_SCHEMA}"


def report(figures: dict[str, Any]) -> None:
    print(f"\n{figures['database']}: {figures['runs']:,} runs, {figures['steps']:,} step rows; "
          f"SELECT count(*) FROM step = {figures['full_count_ms']:.1f} ms")
    print(f"  rebuild (fold the whole step log, reseed the run summaries): "
          f"{figures['initial_fold_s']:.1f} s")
    width = max(len(k) for k in figures["queries"]) + 2
    for name, ms in figures["queries"].items():
        flag = "ok" if ms <= TARGET_MS else "OVER"
        print(f"  {name:<{width}}  {ms:8.1f} ms  ({ms / figures['full_count_ms']:.2f}x count)"
              f"  {flag}")
    cost = figures.get("refresh", {})
    if cost:
        print(f"  refresh: fold {DELTA_ROWS:,} new steps {cost['fold_steps_ms']:.1f} ms; "
              f"{RUN_CHANGES:,} runs converting: UPDATE {cost['update_tracked_ms']:.1f} ms "
              f"(the same UPDATE without the trigger {cost['update_untracked_ms']:.1f} ms), "
              f"then fold their change rows {cost['fold_run_changes_ms']:.1f} ms")
    print(f"  with {DELTA_ROWS:,} steps logged since the last refresh (read live from the log):")
    for name, ms in figures["with_delta"].items():
        flag = "ok" if ms <= TARGET_MS else "OVER"
        print(f"  {name:<{width}}  {ms:8.1f} ms  ({ms / figures['full_count_ms']:.2f}x count)"
              f"  {flag}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000)
    parser.add_argument("--base", type=int, default=5_000,
                        help="couples really simulated, then replicated")
    parser.add_argument("--sqlite", default="/tmp/journeys-analytics-bench.db")
    parser.add_argument("--pg", default=os.environ.get("DATABASE_URL_PG") or PG_DEFAULT)
    parser.add_argument("--only", choices=("sqlite", "postgres"))
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    targets = []
    if args.only != "postgres":
        targets.append(("sqlite", f"sqlite:///{args.sqlite}"))
    if args.only != "sqlite":
        targets.append(("postgres", args.pg))
    history: History | None = None
    end = START + timedelta(days=365 + -(-args.runs // args.base))
    results = []
    for kind, url in targets:
        target = url if kind == "sqlite" else _pg_schema_url(url)
        if not (args.reuse and _has_data(target, args.runs)):
            if history is None:
                log(f"simulating {args.base} couples for a year...")
                t0 = time.perf_counter()
                history = simulate_history(args.base)
                log(f"  {len(history.runs)} runs, {len(history.steps)} steps in "
                    f"{time.perf_counter() - t0:.0f} s")
            if kind == "sqlite":
                if os.path.exists(args.sqlite):
                    os.remove(args.sqlite)
                for suffix in ("-wal", "-shm"):
                    if os.path.exists(args.sqlite + suffix):
                        os.remove(args.sqlite + suffix)
            else:
                target = _fresh_pg(url)
            migrate(target)
            log(f"loading {args.runs} runs into {kind}...")
            t0 = time.perf_counter()
            steps = load(target, history, args.runs, log)
            log(f"  {steps} step rows in {time.perf_counter() - t0:.0f} s")
        migrate(target)  # a reused database gets any newer analytics revision
        figures = measure(target, end, args.repeat)
        results.append(figures)
        if args.json:
            print(json.dumps(figures))
        else:
            report(figures)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
