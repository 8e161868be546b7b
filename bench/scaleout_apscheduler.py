"""Benchmark 3: the naive design as a peer. APScheduler 3.11 with its SQLAlchemy job store, one
job per step, against the engine, one process each, on the same PostgreSQL server in the same
run.

    .venv/bin/python -m bench.scaleout_apscheduler [--jobs 3000]

The naive design is what a user would write with APScheduler alone: every pending step of every
client is a persistent date job; the job locks and reads the client, renders the email (the
engine's own templating: the same Jinja subject and body as the engine's journey), writes two
step rows, an outbox row and the client's state in one transaction, then adds the job for the
next step (a day later). APScheduler deletes the job it ran and inserts the new one, each in its own
transaction. It is given its best settings (misfire_grace_time=None, coalesce), and a second run
with APScheduler's default misfire_grace_time (1 s) counts how many due jobs it silently drops
when N are due at once. The engine runs the same work (7-node journey: delay, email, delay) in
one `journeys worker` process (steps only: like the naive jobs it writes the outbox, and neither
sends). Target: the engine >= 3x the naive design's steps/s.
"""
from __future__ import annotations

import argparse
import json
import threading
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from apscheduler.events import EVENT_JOB_EXECUTED, EVENT_JOB_MISSED
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bench.engine_steps import JOURNEY
from bench.scaleout_common import fresh_database, machine, record
from bench.scaleout_pg_workers import measure as engine_measure
from engine.templating import render_html, render_text

TARGET = 3.0
_HELLO = next(n["config"] for n in JOURNEY["nodes"] if n["id"] == "hello")
_ENGINE: sa.Engine | None = None
_DONE = {"n": 0}
_LOCK = threading.Lock()
_SCHEDULER: BackgroundScheduler | None = None


def naive_step(client_id: str, node: str) -> None:
    """One step of one client, as a module-level job function (APScheduler's rule)."""
    assert _ENGINE is not None and _SCHEDULER is not None
    now = datetime.now(timezone.utc)
    with _ENGINE.begin() as conn:
        state = conn.execute(sa.text("SELECT name, state FROM naive_client WHERE id = :id "
                                     "FOR UPDATE"), {"id": client_id}).one()
        variables = {"client": {"name": state.name, "email": f"{client_id}@example.com"},
                     "vendor": {"name": "Bench Studio"}}
        subject = render_text(_HELLO["subject"], variables)
        body = render_html(_HELLO["body"], variables)
        conn.execute(sa.text("INSERT INTO naive_step (client_id, node, at) VALUES "
                             "(:c, :n, :at), (:c, :e, :at)"),
                     {"c": client_id, "n": node, "e": f"email-after-{node}", "at": now})
        conn.execute(sa.text("INSERT INTO naive_outbox (client_id, key, payload) VALUES "
                             "(:c, :k, CAST(:p AS jsonb))"),
                     {"c": client_id, "k": f"{client_id}:{node}",
                      "p": json.dumps({"to": f"{client_id}@example.com", "subject": subject,
                                       "body": body})})
        conn.execute(sa.text("UPDATE naive_client SET state = CAST(:s AS jsonb) WHERE id = :id"),
                     {"id": client_id, "s": json.dumps({"node": f"after-{node}", "at": str(now)})})
    _SCHEDULER.add_job(naive_step, "date", run_date=now + timedelta(days=1),
                       args=[client_id, f"after-{node}"], id=f"{client_id}:after-{node}")
    with _LOCK:
        _DONE["n"] += 1


def _naive(url: str, jobs: int, grace: float | None) -> dict:
    global _ENGINE, _SCHEDULER
    _ENGINE = sa.create_engine(url, pool_size=12)
    with _ENGINE.begin() as conn:
        conn.execute(sa.text("DROP TABLE IF EXISTS naive_client, naive_step, naive_outbox, "
                             "naive_jobs"))
        conn.execute(sa.text("CREATE TABLE naive_client (id text PRIMARY KEY, name text, "
                             "state jsonb)"))
        conn.execute(sa.text("CREATE TABLE naive_step (id bigserial PRIMARY KEY, client_id text,"
                             " node text, at timestamptz, UNIQUE (client_id, node))"))
        conn.execute(sa.text("CREATE TABLE naive_outbox (id bigserial PRIMARY KEY, client_id "
                             "text, key text UNIQUE, payload jsonb)"))
        conn.execute(sa.text("INSERT INTO naive_client SELECT 'n' || g, 'Couple ' || g, "
                             "'{}'::jsonb FROM generate_series(1, :n) g"), {"n": jobs})
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=_ENGINE, tablename="naive_jobs")},
        job_defaults={"coalesce": True, "misfire_grace_time": grace}, timezone=timezone.utc)
    _SCHEDULER = scheduler
    missed = {"n": 0}
    scheduler.add_listener(lambda e: missed.__setitem__("n", missed["n"] + 1), EVENT_JOB_MISSED)
    finished = threading.Event()

    def executed(_event) -> None:
        if _DONE["n"] + missed["n"] >= jobs:
            finished.set()

    scheduler.add_listener(executed, EVENT_JOB_EXECUTED | EVENT_JOB_MISSED)
    _DONE["n"] = 0
    scheduler.start(paused=True)
    due = datetime.now(timezone.utc) - timedelta(seconds=1)
    for i in range(1, jobs + 1):
        scheduler.add_job(naive_step, "date", run_date=due, args=[f"n{i}", "d1"], id=f"n{i}:d1")
    time.sleep(1.5)  # with the default grace these are now late by more than a second
    t0 = time.perf_counter()
    scheduler.resume()
    finished.wait(timeout=900)
    elapsed = time.perf_counter() - t0
    scheduler.shutdown(wait=True)
    with _ENGINE.connect() as conn:
        steps = conn.execute(sa.text("SELECT count(*) FROM naive_step")).scalar()
        outbox = conn.execute(sa.text("SELECT count(*) FROM naive_outbox")).scalar()
    _ENGINE.dispose()
    return {"jobs": jobs, "ran": _DONE["n"], "missed": missed["n"], "steps": steps,
            "outbox": outbox, "seconds": elapsed, "steps_per_s": steps / elapsed}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--jobs", type=int, default=3000)
    args = parser.parse_args(argv)
    info = machine()
    with fresh_database("bench_naive") as url:
        naive = _naive(url, args.jobs, None)
        dropped = _naive(url, min(args.jobs, 1000), 1)
    steps_only = {"JOURNEYS_DISPATCH_OUTBOX": "false"}  # the naive jobs only write the outbox
    ours = engine_measure(args.jobs, 1, steps_only)
    ours4 = engine_measure(args.jobs, 4, steps_only)  # APScheduler cannot share its job store
    ratio = ours["steps_per_s"] / naive["steps_per_s"]
    ratio4 = ours4["steps_per_s"] / naive["steps_per_s"]
    ok = ratio >= TARGET
    print(f"[3] engine, 1 worker on PostgreSQL: {ours['steps_per_s']:,.0f} steps/s | naive "
          f"APScheduler 3.11 + SQLAlchemyJobStore, one job per step (misfire_grace_time=None, "
          f"its default 10 threads): "
          f"{naive['steps_per_s']:,.0f} steps/s ({naive['steps']} steps in "
          f"{naive['seconds']:.1f} s) | ratio {ratio:.1f}x | target >= {TARGET}x: "
          f"{'met' if ok else 'MISSED'} | with APScheduler's default grace (1 s), "
          f"{dropped['missed']} of {dropped['jobs']} due jobs were dropped as missed")
    print(f"    scaled out: the engine with 4 workers {ours4['steps_per_s']:,.0f} steps/s, "
          f"{ratio4:.1f}x (a second APScheduler process on the same job store would run jobs "
          f"twice, so the naive design stays at one)")
    record("3_apscheduler", {"engine": ours, "engine_4_workers": ours4, "naive": naive,
                             "naive_default_grace": dropped, "ratio": ratio,
                             "ratio_4_workers": ratio4, "machine": info, "met": ok})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
