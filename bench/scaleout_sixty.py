"""Benchmark 7: 1,000 clients running a 60-node journey with several branches at once, on 4
`journeys worker` processes sharing PostgreSQL, over a year of fast virtual time.

    .venv/bin/python -m bench.scaleout_sixty [--clients 1000] [--minutes 2]

The journey is the 50-node benchmark journey (emails and forms in a send window, waits for forms
and payments with timeouts, conditions, two A/B splits, actions, delays anchored on the wedding
date with past-due edges, a lost-lead branch) plus a 10-node album and gallery branch (a
condition, a delay, an A/B split): 60 nodes. 1,000 synthetic couples (engine.simulation.couples,
seed 1) are enrolled at once; their form submissions and payments arrive at the times the
generator drew (as delays after enquiry), through the event API, while the workers run the timers. All workers and the
event feeder share one virtual clock running `scale` times faster than real time, so the year
passes in about `minutes` minutes. Reported: wall time, steps and steps/s, runs by status,
branch counts, the largest backlog of overdue wake-ups seen, and exactly-once checks.
"""
from __future__ import annotations

import argparse
import copy
import random
import threading
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bench.fifty_node import fifty_node_journey
from bench.scaleout_common import WorkerPool, fresh_database, machine, record
from engine.clock import ManualClock, ScaledClock, format_utc, parse_instant
from engine.errors import StorageUnavailable
from engine.service import Engine
from engine.simulation.couples import generate_couples
from engine.storage.database import make_engine, migrate
from engine.storage.sql.store import SqlStore

START = datetime(2027, 1, 4, 9, 0, tzinfo=timezone.utc)


def sixty_node_journey() -> dict:
    """The fifty-node journey plus an album/gallery branch between `congrats` and the review."""
    doc = copy.deepcopy(fifty_node_journey())
    doc["name"] = "Benchmark: sixty nodes"
    doc["settings"].pop("goal", None)  # a paid deposit carries on down the booked path
    email = lambda nid, subject: {"id": nid, "type": "email", "config": {  # noqa: E731
        "subject": subject, "body": "Hi {{ client.first_name }},\n\n" + subject + "\n\n"
                                    "{{ vendor.name }}"}}
    doc["nodes"][-1:-1] = [
        {"id": "album_check", "type": "condition", "config": {"all": [
            {"field": "client.fields.album", "op": "eq", "value": True}]}},
        email("album_email", "Let's design your album"),
        {"id": "album_delay", "type": "delay", "config": {"duration": {"days": 21}}},
        email("album_ready", "Your album proofs are ready"),
        {"id": "album_tag", "type": "action", "config": {"action": "add_tag", "tag": "album"}},
        email("gallery_email", "Your gallery is online"),
        {"id": "gallery_split", "type": "split", "config": {"branches": [
            {"label": "a", "weight": 50}, {"label": "b", "weight": 50}]}},
        email("gallery_a", "Share your favourites"),
        email("gallery_b", "Order prints from your gallery"),
        {"id": "thank_tag", "type": "action", "config": {"action": "add_tag",
                                                         "tag": "gallery_b"}},
    ]
    edges = [e for e in doc["edges"] if (e["from"], e["to"]) != ("congrats", "wait_review")]
    edges += [{"from": "congrats", "to": "album_check"},
              {"from": "album_check", "to": "album_email", "when": "true"},
              {"from": "album_check", "to": "gallery_email", "when": "false"},
              {"from": "album_email", "to": "album_delay"},
              {"from": "album_delay", "to": "album_ready"},
              {"from": "album_ready", "to": "album_tag"},
              {"from": "album_tag", "to": "gallery_split"},
              {"from": "gallery_email", "to": "gallery_split"},
              {"from": "gallery_split", "to": "gallery_a", "when": "a"},
              {"from": "gallery_split", "to": "gallery_b", "when": "b"},
              {"from": "gallery_a", "to": "wait_review"},
              {"from": "gallery_b", "to": "thank_tag"},
              {"from": "thank_tag", "to": "wait_review"}]
    doc["edges"] = edges
    assert len(doc["nodes"]) == 60, len(doc["nodes"])
    return doc


def _q(sa_engine: sa.Engine, sql: str, **params):
    with sa_engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--minutes", type=float, default=2.0, help="real time for the year")
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    info = machine()
    scale = 365 * 86400 / (args.minutes * 60)
    until = START + timedelta(days=365)
    couples = generate_couples(args.clients, start=START, seed=1, until=until)
    with fresh_database("bench_sixty") as url:
        migrate(url)
        sa_engine = make_engine(url)
        setup = Engine(SqlStore(sa_engine), ManualClock(START))
        vendor = setup.create_vendor("Sixty Studio", timezone="America/New_York")
        journey = setup.journeys.create(vendor.id, sixty_node_journey())
        setup.journeys.publish(vendor.id, journey.id)
        t0 = time.perf_counter()
        for raw in couples.clients:  # all at once, at the start of the year
            rng = random.Random(raw["id"])
            fields = {**raw["fields"], "album": rng.random() < 0.5}
            setup.clients.add(vendor.id, {"name": raw["name"], "email": raw["email"],
                                          "external_id": raw["id"], "timezone": raw["timezone"],
                                          "wedding_date": raw["wedding_date"], "fields": fields,
                                          "status": raw["status"]})
        enroll_s = time.perf_counter() - t0
        real_epoch = datetime.now(timezone.utc) + timedelta(seconds=15)  # workers are up by then
        spec = f"{format_utc(START)},{real_epoch.isoformat()},{scale}"
        clock = ScaledClock(START, real_epoch, scale)
        engine = Engine(SqlStore(sa_engine), clock)
        pool = WorkerPool(url, args.workers, env={"JOURNEYS_CLOCK": spec,
                                                   "JOURNEYS_TICK_SECONDS": "0.2"})
        backlog, delivered, retried = [0], [0], [0]
        stop = threading.Event()

        # Everyone enquires at the start; what each couple does keeps its delay after enquiry.
        added = {c["id"]: parse_instant(c["added_at"]) for c in couples.clients}
        timeline = sorted(((START + (parse_instant(e["at"]) - added[e["client"]]), i, e)
                           for i, e in enumerate(couples.events)), key=lambda t: (t[0], t[1]))

        def feed() -> None:
            for at, _i, event in timeline:
                while clock.now() < at and not stop.is_set():
                    time.sleep(min(0.05, max(0.0, (at - clock.now()).total_seconds() / scale)))
                if stop.is_set():
                    return
                for _attempt in range(5):  # as an API client would on a 503
                    try:
                        engine.events.ingest(vendor.id, client=event["client"],
                                             type=event["type"], data=event["data"],
                                             key=f"{event['client']}:{event['at']}:{event['type']}")
                        delivered[0] += 1
                        break
                    except StorageUnavailable:
                        retried[0] += 1
                        time.sleep(0.1)

        try:
            pool.start()
            while datetime.now(timezone.utc) < real_epoch:
                time.sleep(0.05)
            started = time.perf_counter()
            steps0 = _q(sa_engine, "SELECT count(*) FROM step")[0][0]
            feeder = threading.Thread(target=feed, daemon=True)
            feeder.start()
            while clock.now() < until + timedelta(days=30):
                overdue = _q(sa_engine, "SELECT count(*) FROM wakeup WHERE due_at <= :t",
                             t=clock.now() - timedelta(seconds=scale))[0][0]  # 1 s late
                backlog[0] = max(backlog[0], overdue)
                time.sleep(0.5)
            stop.set()
            feeder.join(timeout=30)
            wall = time.perf_counter() - started
            rss = pool.rss_mb()
        finally:
            pool.stop()
        steps = _q(sa_engine, "SELECT count(*) FROM step")[0][0]
        statuses = dict(_q(sa_engine, "SELECT status, count(*) FROM run GROUP BY status"))
        branches = dict(_q(sa_engine, "SELECT node, count(*) FROM step WHERE node IN ("
                           "'referral_thanks','intro_delay','offer_a','offer_b','mark_booked',"
                           "'lost_status','big_wedding_task','album_email','gallery_email',"
                           "'gallery_a','gallery_b','review_short','review_long','end') "
                           "GROUP BY node"))
        dupes = _q(sa_engine, "SELECT count(*) FROM (SELECT run_id, key FROM step GROUP BY "
                              "run_id, key HAVING count(*) > 1) d")[0][0]
        fx_dupes = _q(sa_engine, "SELECT count(*) FROM (SELECT key FROM effect GROUP BY key "
                                 "HAVING count(*) > 1) d")[0][0]
        effects = _q(sa_engine, "SELECT count(*) FROM effect")[0][0]
        nodes_seen = _q(sa_engine, "SELECT count(DISTINCT node) FROM step")[0][0]
        # Runs still open at the end, with what they wait for and whether a wake-up row holds
        # them: an open run with a past due time and no wake-up would be a lost step.
        open_runs = [dict(r._mapping) for r in _q(
            sa_engine, "SELECT r.node, r.status, r.due_at, r.wait->>'kind' AS wait, "
                       "(w.id IS NOT NULL) AS has_wakeup FROM run r LEFT JOIN wakeup w "
                       "ON w.run_id = r.id WHERE r.status NOT IN ('completed','exited')")]
        lost = sum(1 for r in open_runs if r["status"] == "waiting" and r["due_at"] is not None
                   and (not r["has_wakeup"] or r["due_at"] < until + timedelta(days=29)))
        sa_engine.dispose()
    ran = steps - steps0
    print(f"[7] {args.clients:,} clients at once on a 60-node journey, {args.workers} workers, "
          f"a year of virtual time in {wall:.0f} s: {steps:,} steps ({ran / wall:,.0f} steps/s "
          f"while running), {effects:,} outbox effects, {delivered[0]:,} events delivered ({retried[0]} retried); runs "
          f"{statuses}; {nodes_seen} distinct nodes visited; branches {branches}; largest "
          f"backlog of wake-ups more than 1 s (real) overdue: {backlog[0]}; "
          f"{dupes} doubled steps, {fx_dupes} doubled effects; enrolment {enroll_s:.1f} s; "
          f"open at the end: {[{k: str(v) for k, v in r.items()} for r in open_runs]} "
          f"({lost} overdue or without a wake-up)")
    record("7_sixty", {"clients": args.clients, "wall_s": wall, "steps": steps,
                       "steps_per_s": ran / wall, "effects": effects, "events": delivered[0],
                       "runs": statuses, "branches": branches, "nodes_seen": nodes_seen,
                       "max_backlog": backlog[0], "duplicates": dupes, "event_retries": retried[0],
                       "effect_duplicates": fx_dupes, "enroll_s": enroll_s, "scale": scale,
                       "open_runs": [{k: str(v) for k, v in r.items()} for r in open_runs],
                       "lost": lost,
                       "worker_rss_mb": [round(x) for x in rss], "machine": info,
                       "met": dupes == 0 and fx_dupes == 0 and lost == 0
                       and "failed" not in statuses})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
