"""Shared pieces of the scale-out benchmarks (bench/scaleout_*.py): a fresh PostgreSQL database
per benchmark, bulk seeding of runs waiting on a wake-up, a pool of `journeys worker` processes,
the raw SKIP LOCKED baseline, percentiles and a description of the machine.

Bulk seeding enrolls one template client through the engine, then clones its client, run and
wake-up rows with INSERT ... SELECT generate_series: the clones are exactly what the engine
would have written, and a million of them load in a minute instead of hours.
"""
from __future__ import annotations

import json
import multiprocessing as mp
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import psycopg
import sqlalchemy as sa

from engine.storage.sql import tables as T

ROOT = Path(__file__).resolve().parents[1]
SERVER_URL = os.environ.get("DATABASE_URL_PG") or "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def database_url(name: str) -> str:
    return SERVER_URL.rsplit("/", 1)[0] + f"/{name}"


@contextmanager
def fresh_database(prefix: str = "bench") -> Iterator[str]:
    """A new, empty PostgreSQL database (dropped afterwards): benchmarks never share tables."""
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(libpq(SERVER_URL), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(libpq(SERVER_URL), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


# -- seeding ----------------------------------------------------------------------------------

def _clone_sql(table: sa.Table, overrides: dict[str, str], where: str) -> str:
    cols = [c.name for c in table.c]
    exprs = [overrides.get(c, f'src."{c}"') for c in cols]
    return (f'INSERT INTO "{table.name}" ({", ".join(chr(34) + c + chr(34) for c in cols)}) '
            f'SELECT {", ".join(exprs)} FROM "{table.name}" src, generate_series(1, :n) g '
            f"WHERE {where}")


def clone_runs(sa_engine: sa.Engine, run_id: str, count: int, *, first_due: datetime,
               spacing_s: float = 0.0, prefix: str = "b", chunk: int = 100_000) -> float:
    """Clone run `run_id` (waiting on a wake-up) `count` times, each with its own client; the
    i-th clone is due at first_due + i * spacing_s. Returns the seconds it took."""
    due = f"(:base + ((:offset + g - 1) * :spacing) * interval '1 second')"
    cid, rid = f"'c{prefix}' || (:offset + g)", f"'r{prefix}' || (:offset + g)"
    client_sql = _clone_sql(T.client, {"id": cid, "external_id": "NULL",
                                       "email": f"'c{prefix}' || (:offset + g) || '@example.com'"},
                            "src.id = :client_id")
    run_sql = _clone_sql(T.run, {"id": rid, "client_id": cid, "due_at": due}, "src.id = :run_id")
    wake_sql = _clone_sql(T.wakeup, {"id": f"'w:' || {rid}", "run_id": rid, "client_id": cid,
                                     "due_at": due}, "src.run_id = :run_id")
    started = time.perf_counter()
    with sa_engine.begin() as conn:
        client_id = conn.execute(sa.text("SELECT client_id FROM run WHERE id = :r"),
                                 {"r": run_id}).scalar_one()
    for offset in range(0, count, chunk):
        params = {"n": min(chunk, count - offset), "offset": offset, "base": first_due,
                  "spacing": spacing_s, "client_id": client_id, "run_id": run_id}
        with sa_engine.begin() as conn:
            for sql in (client_sql, run_sql, wake_sql):
                conn.execute(sa.text(sql), params)
    with sa_engine.begin() as conn:
        conn.execute(sa.text("ANALYZE client; ANALYZE run; ANALYZE wakeup"))
    return time.perf_counter() - started


def template_run(engine: Any, document: dict, *, vendor_name: str = "Bench Studio") -> str:
    """Publish `document` and enroll one client; returns the id of its (waiting) run."""
    vendor = engine.create_vendor(vendor_name)
    journey = engine.journeys.create(vendor.id, document)
    engine.journeys.publish(vendor.id, journey.id)
    engine.clients.add(vendor.id, {"name": "Template", "email": "template@example.com"})
    (run,) = engine.runs.list(vendor.id)
    assert run.status == "waiting", run
    return run.id


def set_due(sa_engine: sa.Engine, at: datetime, *, like: str = "rb%", spacing_s: float = 0.0,
            notify: bool = True) -> None:
    """Move the cloned runs' wake-ups (and runs) to `at` (+ i * spacing by clone number)."""
    expr = ("(:at + ((substr(id, 3)::bigint - 1) * :spacing) * interval '1 second')")
    with sa_engine.begin() as conn:
        conn.execute(sa.text(f"UPDATE run SET due_at = {expr} WHERE id LIKE :like"),
                     {"at": at, "spacing": spacing_s, "like": like})
        conn.execute(sa.text(
            f"UPDATE wakeup w SET due_at = r.due_at FROM run r WHERE w.run_id = r.id "
            f"AND r.id LIKE :like"), {"like": like})
        if notify:
            conn.execute(sa.text("SELECT pg_notify('journeys_wakeup', '')"))


# -- workers ----------------------------------------------------------------------------------

class WorkerPool:
    """`journeys worker` processes on one database."""

    def __init__(self, url: str, count: int, *, env: dict[str, str] | None = None,
                 logs: Path | None = None):
        self.url, self.count = url, count
        self.logs = logs or Path(tempfile.mkdtemp(prefix="journeys-bench-"))
        self.env = {**os.environ, "DATABASE_URL": url, "PYTHONUNBUFFERED": "1",
                    **(env or {})}
        self.procs: list[subprocess.Popen] = []

    def start(self, ready_timeout: float = 120) -> float:
        started = time.perf_counter()
        for i in range(self.count):
            self.procs.append(subprocess.Popen(
                [sys.executable, "-m", "engine.cli", "worker", "--name", f"bench{i}"],
                cwd=ROOT, env=self.env, stdout=(self.logs / f"w{i}.log").open("ab"),
                stderr=subprocess.STDOUT))
        engine = sa.create_engine(self.url, poolclass=sa.pool.NullPool)
        try:
            deadline = time.monotonic() + ready_timeout
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    ready = conn.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name LIKE 'journeys-listen:%'")).scalar()
                    leader = conn.execute(sa.text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                        " AND application_name LIKE 'journeys-leader:%'")).scalar()
                if ready == self.count and leader == self.count:
                    return time.perf_counter() - started
                if any(p.poll() is not None for p in self.procs):
                    raise RuntimeError(f"a worker exited; see {self.logs}")
                time.sleep(0.2)
        finally:
            engine.dispose()
        raise RuntimeError(f"workers not ready after {ready_timeout}s; see {self.logs}")

    def rss_mb(self) -> list[float]:
        return [rss_mb(p.pid) for p in self.procs]

    def cpu_s(self) -> list[float]:
        """CPU seconds (user + system) each worker has used so far."""
        tick = os.sysconf("SC_CLK_TCK")
        out = []
        for proc in self.procs:
            with open(f"/proc/{proc.pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            out.append((int(fields[11]) + int(fields[12])) / tick)
        return out

    def stop(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


# -- the raw baseline -------------------------------------------------------------------------

def _raw_worker(dsn: str, seconds: float, out: Any, start: Any) -> None:
    conn = psycopg.connect(dsn)
    start.wait()
    done, deadline = 0, time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        with conn.transaction():
            row = conn.execute("SELECT id, payload FROM raw_queue WHERE due_at <= now() "
                               "ORDER BY due_at, id LIMIT 1 FOR UPDATE SKIP LOCKED").fetchone()
            if row is None:
                break
            conn.execute("DELETE FROM raw_queue WHERE id = %s", (row[0],))
            conn.execute("INSERT INTO raw_done (id, payload, at) VALUES (%s, %s, now())", row)
        done += 1
    conn.close()
    out.put(done)


def raw_skip_locked_rate(url: str, workers: int, seconds: float = 5.0,
                         rows: int = 200_000) -> float:
    """Claims per second of `workers` processes each looping: BEGIN; SELECT the earliest due row
    FOR UPDATE SKIP LOCKED; DELETE it; INSERT a 200-byte completion row; COMMIT."""
    dsn = libpq(url)
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_queue, raw_done")
        conn.execute("CREATE TABLE raw_queue (id bigserial PRIMARY KEY, "
                     "due_at timestamptz NOT NULL, payload text NOT NULL)")
        conn.execute("CREATE INDEX ON raw_queue (due_at, id)")
        conn.execute("CREATE TABLE raw_done (id bigint PRIMARY KEY, payload text, "
                     "at timestamptz)")
        conn.execute("INSERT INTO raw_queue (due_at, payload) SELECT now() - interval '1 hour',"
                     " repeat('x', 200) FROM generate_series(1, %s)", (rows,))
        conn.execute("ANALYZE raw_queue")
    ctx = mp.get_context("spawn")
    out, start = ctx.Queue(), ctx.Event()
    procs = [ctx.Process(target=_raw_worker, args=(dsn, seconds, out, start))
             for _ in range(workers)]
    for proc in procs:
        proc.start()
    time.sleep(1.0)  # connected
    t0 = time.perf_counter()
    start.set()
    total = sum(out.get() for _ in procs)
    elapsed = time.perf_counter() - t0
    for proc in procs:
        proc.join()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS raw_queue, raw_done")
    return total / elapsed


# -- figures ----------------------------------------------------------------------------------

def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1)))))
    return ordered[k]


def machine() -> dict[str, Any]:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = 0.0
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) / 1024 / 1024
    except OSError:
        pass
    try:
        with psycopg.connect(libpq(SERVER_URL)) as conn:
            pg = conn.execute("SHOW server_version").fetchone()[0]
            sync = conn.execute("SHOW synchronous_commit").fetchone()[0]
    except Exception:  # noqa: BLE001
        pg, sync = "unreachable", "?"
    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "cores": os.cpu_count(), "memory_gb": round(mem, 1),
            "python": platform.python_version(), "postgresql": pg,
            "synchronous_commit": sync, "load_avg_at_start": os.getloadavg()[0]}


def record(name: str, result: dict[str, Any]) -> Path:
    """Append one benchmark's result to .journeys/bench/scaleout-results.jsonl (collected by
    bench/scaleout_report.py into bench/results-<date>.md/json)."""
    folder = ROOT / ".journeys" / "bench"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "scaleout-results.jsonl"
    with path.open("a") as out:
        out.write(json.dumps({"bench": name, **result}, default=str) + "\n")
    return path


# -- lateness: due time -> step start -----------------------------------------------------------

def timed_run(runs: int, workers: int, *, spacing_s: float, lead_s: float = 3.0,
              env: dict[str, str] | None = None, journey: dict | None = None) -> dict[str, Any]:
    """Seed `runs` runs waiting on a delay, start `workers` worker processes, then make the i-th
    wake-up due at T0 + i * spacing_s (T0 = now + lead_s) and wait until all have run.
    Lateness of each = when its step started (the step log's `at`, taken by the worker when it
    began the step) - when it was due."""
    from datetime import timedelta as _td

    from bench.engine_steps import JOURNEY
    from engine.clock import SystemClock
    from engine.service import Engine
    from engine.storage.database import make_engine, migrate
    from engine.storage.sql.store import SqlStore

    with fresh_database("bench_timed") as url:
        migrate(url)
        sa_engine = make_engine(url)
        engine = Engine(SqlStore(sa_engine), SystemClock())
        template = template_run(engine, journey or JOURNEY)
        far = datetime(2100, 1, 1, tzinfo=timezone.utc)
        load_s = clone_runs(sa_engine, template, runs, first_due=far)
        pool = WorkerPool(url, workers, env=env)
        try:
            pool.start()
            time.sleep(1.0)
            t0 = datetime.now(timezone.utc) + _td(seconds=lead_s)
            set_due(sa_engine, t0, spacing_s=spacing_s, notify=False)
            last_due = t0 + _td(seconds=spacing_s * (runs - 1))
            deadline = time.monotonic() + lead_s + spacing_s * runs + 600
            while time.monotonic() < deadline:
                with sa_engine.connect() as conn:
                    left = conn.execute(sa.text(
                        "SELECT count(*) FROM wakeup WHERE due_at <= :t AND run_id LIKE 'rb%'"),
                        {"t": last_due}).scalar()
                if not left and datetime.now(timezone.utc) > last_due:
                    break
                time.sleep(0.2)
            rss = pool.rss_mb()
        finally:
            pool.stop()
        with sa_engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT substr(s.run_id, 3)::bigint, s.at FROM step s "
                "WHERE s.run_id LIKE 'rb%' AND s.node = 'd1'")).all()
            dupes = conn.execute(sa.text(
                "SELECT count(*) FROM (SELECT run_id, key FROM step GROUP BY run_id, key "
                "HAVING count(*) > 1) d")).scalar()
        sa_engine.dispose()
    lateness = [(at - (t0 + _td(seconds=spacing_s * (i - 1)))).total_seconds()
                for i, at in rows]
    first = min(at for _, at in rows) if rows else t0
    last = max(at for _, at in rows) if rows else t0
    return {"runs": runs, "ran": len(rows), "duplicates": dupes, "workers": workers,
            "spacing_s": spacing_s, "lateness_s": lateness, "load_s": load_s,
            "p50_s": percentile(lateness, 50), "p90_s": percentile(lateness, 90),
            "p99_s": percentile(lateness, 99), "max_s": max(lateness) if lateness else None,
            "span_s": (last - first).total_seconds(), "worker_rss_mb": [round(x) for x in rss]}
