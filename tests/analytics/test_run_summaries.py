"""The run summaries (analytics_run_total / _run_day / _goal_time / _split_total), kept by
triggers: exact against the run table whatever changes a run without a step (a goal, a version
migration), before and after refresh(), after rebuild(); cohorts fixed at each run's start.

The end-to-end test drives the real engine on SQLite and PostgreSQL and compares every
run-based figure with the same figure worked out in Python from the run and step tables."""
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.pool import NullPool

from engine.analytics import Analytics, rollup
from engine.analytics import tables as A
from engine.clock import ManualClock
from engine.ids import SequentialIds
from engine.service import Engine
from engine.storage.database import make_engine
from engine.storage.sql import SqlStore
from engine.storage.sql import tables as T

from . import handmade as H

UTC = timezone.utc
START = datetime(2027, 3, 1, 9, tzinfo=UTC)


@pytest.fixture
def engine(sql_url):
    engine = make_engine(sql_url, poolclass=NullPool)
    yield engine
    engine.dispose()


def _figures(a: Analytics, vendor: str, journey: str) -> dict:
    return {
        "runs": a.funnel(vendor, journey, with_times=False).runs,
        "versions": [(v.version, v.runs, v.median_seconds_to_goal)
                     for v in a.versions(vendor, journey)],
        "months": [(c.key, c.runs) for c in a.cohorts(vendor, journey, by="wedding_month")],
        "sources": [(c.key, c.runs) for c in a.cohorts(vendor, journey, by="lead_source")],
        "splits": [(s.node, [(b.label, b.runs, b.converted, b.completed) for b in s.branches])
                   for s in a.splits(vendor, journey)],
        "trends": [(d.day, d.started, d.completed, d.exited, d.converted)
                   for d in a.trends(vendor, journey)],
    }


def _change_rows(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(A.run_change)).scalar_one()


def test_changes_without_steps_are_followed_exactly(engine):
    """A goal arriving, a run completing and a version migration write no step: the triggers
    still move the run's contribution, read live before a refresh and folded after it."""
    with engine.begin() as conn:
        H.load(conn)
    a = Analytics(engine, auto_refresh=False)
    assert _change_rows(engine) > 0
    before = _figures(a, H.VENDOR, H.JOURNEY)  # all from the change log
    rollup.refresh(engine)
    assert _change_rows(engine) == 0
    assert _figures(a, H.VENDOR, H.JOURNEY) == before  # all from the summaries

    R = T.run
    goal = H.NOW - timedelta(days=1)
    with engine.begin() as conn:  # r4 converts while waiting, r6 completes, r2 moves to v2
        conn.execute(update(R).where(R.c.id == "r4").values(goal_at=goal))
        conn.execute(update(R).where(R.c.id == "r6").values(status="completed", ended_at=goal))
        conn.execute(update(R).where(R.c.id == "r2").values(version=2))
        conn.execute(update(R).where(R.c.id == "r4").values(status="active"))  # same class
    live = _figures(a, H.VENDOR, H.JOURNEY)
    runs = live["runs"]
    assert (runs.started, runs.completed, runs.active, runs.converted) == (7, 5, 1, 4)
    assert {v: (t.started, t.converted) for v, t, _ in live["versions"]} == {1: (5, 3), 2: (2, 1)}
    # r6 (instagram, June) completed; r4 (referral, July) converted
    sources = dict(live["sources"])
    assert (sources["instagram"].completed, sources["instagram"].active) == (3, 0)
    assert (sources["referral"].converted, sources["referral"].active) == (3, 1)
    [(_, branches)] = live["splits"]
    assert branches == [("a", 3, 2, 3), ("b", 1, 0, 1)]  # r6 (branch a) now completed
    day = {d: (c, conv) for d, _, c, _, conv in live["trends"]}
    assert day[goal.date()] == (1, 1)
    rollup.refresh(engine)
    assert _figures(a, H.VENDOR, H.JOURNEY) == live
    rollup.rebuild(engine)
    assert _figures(a, H.VENDOR, H.JOURNEY) == live


def test_cohorts_are_fixed_at_run_start(engine):
    """Editing or deleting a client later does not move its runs between cohorts."""
    with engine.begin() as conn:
        H.load(conn)
    rollup.refresh(engine)
    a = Analytics(engine, auto_refresh=False)
    before = _figures(a, H.VENDOR, H.JOURNEY)
    C = T.client
    with engine.begin() as conn:
        conn.execute(update(C).where(C.c.id == "c1").values(
            fields={"lead_source": "wedding_fair"}, wedding_date=date(2028, 1, 1)))
        conn.execute(C.delete().where(C.c.id == "c3"))
    assert _figures(a, H.VENDOR, H.JOURNEY) == before
    rollup.rebuild(engine)  # the recorded keys are history: a rebuild keeps them
    assert _figures(a, H.VENDOR, H.JOURNEY) == before
    # a window reads the run table, joined to the same recorded keys
    window = {"since": H.T0 - timedelta(days=1), "until": H.NOW}
    by_source = {c.key: c.runs.started
                 for c in a.cohorts(H.VENDOR, H.JOURNEY, by="lead_source", **window)}
    assert by_source == {"instagram": 3, "referral": 3, None: 1}
    by_month = {c.key: c.runs.started
                for c in a.cohorts(H.VENDOR, H.JOURNEY, by="wedding_month", **window)}
    assert by_month == {"2027-06": 3, "2027-07": 3, None: 1}


def test_deleted_runs_leave_the_summaries(engine):
    with engine.begin() as conn:
        H.load(conn)
    rollup.refresh(engine)
    with engine.begin() as conn:
        conn.execute(T.run.delete().where(T.run.c.id.in_(("r1", "r7"))))
    a = Analytics(engine, auto_refresh=False)
    runs = a.funnel(H.VENDOR, H.JOURNEY, with_times=False).runs
    assert (runs.started, runs.converted) == (5, 1)
    [split] = a.splits(H.VENDOR, H.JOURNEY)
    assert {b.label: b.runs for b in split.branches} == {"a": 1, "b": 1}
    assert [v.version for v in a.versions(H.VENDOR, H.JOURNEY)] == [1]


JOURNEY_DOC = {
    "format": "journeys/v1", "name": "Summaries",
    "settings": {"goal": {"event": "payment_received"}},
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "hello", "type": "email", "config": {"subject": "Hi", "body": "Hi"}},
        {"id": "test", "type": "split", "title": "Test",
         "config": {"branches": [{"label": "x", "weight": 50}, {"label": "y", "weight": 50}]}},
        {"id": "wait", "type": "wait_for",
         "config": {"event": "form_submitted", "timeout": {"days": 5}}},
        {"id": "later", "type": "delay", "config": {"duration": {"days": 2}}},
        {"id": "end", "type": "exit"},
    ],
    "edges": [
        {"from": "start", "to": "hello"}, {"from": "hello", "to": "test"},
        {"from": "test", "to": "wait", "when": "x"}, {"from": "test", "to": "later", "when": "y"},
        {"from": "wait", "to": "end", "when": "event"},
        {"from": "wait", "to": "later", "when": "timeout"},
        {"from": "later", "to": "end"},
    ],
}
SOURCES = ["instagram", "referral", None]


def _truth(store_engine, journey: str, sources: dict[str, str | None],
           months: dict[str, str | None]) -> dict:
    """The same figures from the run and step tables, in Python."""
    R, S = T.run, T.step
    with store_engine.connect() as conn:
        runs = conn.execute(select(R.c.id, R.c.client_id, R.c.version, R.c.status, R.c.goal_at,
                                   R.c.ended_at, R.c.started_at)
                            .where(R.c.journey_id == journey)).all()
        branches = conn.execute(select(S.c.run_id, S.c.detail)
                                .where(S.c.journey_id == journey, S.c.type == "split",
                                       S.c.visit == 1, S.c.outcome == "done")).all()
    ended = ("completed", "exited", "cancelled", "failed")

    def totals(rows):
        c = Counter(r.status if r.status in ended else "active" for r in rows)
        return (len(rows), c["completed"], c["exited"], c["cancelled"], c["failed"],
                c["active"], sum(r.goal_at is not None for r in rows))

    def grouped(key):
        groups = defaultdict(list)
        for r in runs:
            groups[key(r)].append(r)
        return {k: totals(v) for k, v in groups.items()}

    by_run = {r.id: r for r in runs}
    split = defaultdict(lambda: [0, 0, 0])
    for run_id, detail in branches:
        r = by_run[run_id]
        acc = split[detail["branch"]]
        acc[0] += 1
        acc[1] += r.goal_at is not None
        acc[2] += r.status == "completed"
    completed = Counter(r.ended_at.date() for r in runs if r.status == "completed")
    converted = Counter(r.goal_at.date() for r in runs if r.goal_at is not None)
    return {"runs": totals(runs), "versions": grouped(lambda r: r.version),
            "sources": grouped(lambda r: sources[r.client_id]),
            "months": grouped(lambda r: months[r.client_id]),
            "splits": {k: tuple(v) for k, v in split.items()},
            "completed": dict(completed), "converted": dict(converted)}


def _as_tuple(t) -> tuple:
    return (t.started, t.completed, t.exited, t.cancelled, t.failed, t.active, t.converted)


def _answer(a: Analytics, vendor: str, journey: str) -> dict:
    trends = a.trends(vendor, journey)
    [split] = a.splits(vendor, journey)
    return {"runs": _as_tuple(a.funnel(vendor, journey, with_times=False).runs),
            "versions": {v.version: _as_tuple(v.runs) for v in a.versions(vendor, journey)},
            "sources": {c.key: _as_tuple(c.runs)
                        for c in a.cohorts(vendor, journey, by="lead_source")},
            "months": {c.key: _as_tuple(c.runs)
                       for c in a.cohorts(vendor, journey, by="wedding_month")},
            "splits": {b.label: (b.runs, b.converted, b.completed) for b in split.branches
                       if b.runs},
            "completed": {d.day: d.completed for d in trends if d.completed},
            "converted": {d.day: d.converted for d in trends if d.converted}}


def test_the_engine_keeps_run_summaries_exact(sql_url):
    """Clients join, branch, convert, get edited and deleted, runs migrate to a new version;
    refreshes happen in between. Every run-based figure matches the tables, computed by hand."""
    store = SqlStore(sql_url)
    try:
        eng = Engine(store, ManualClock(START), SequentialIds(), seed=3)
        vendor = eng.create_vendor("V").id
        journey = eng.journeys.create(vendor, JOURNEY_DOC).id
        eng.journeys.publish(vendor, journey)
        a = Analytics(store.engine, auto_refresh=False)
        sources, months, clients = {}, {}, []
        for i in range(24):
            source = SOURCES[i % 3]
            wedding = date(2027, 6 + i % 4, 10)
            client = eng.clients.add(vendor, {
                "name": f"C{i}", "email": f"c{i}@example.com",
                "wedding_date": wedding.isoformat(),
                "fields": {"lead_source": source} if source else {}})
            sources[client.id], months[client.id] = source, wedding.strftime("%Y-%m")
            clients.append(client.id)
            if i == 10:
                rollup.refresh(store.engine)
        eng.run_until(START + timedelta(days=1))
        for i, cid in enumerate(clients):
            if i % 2 == 0:
                eng.events.ingest(vendor, client=cid, type="form_submitted")
            if i % 3 != 2:
                eng.events.ingest(vendor, client=cid, type="payment_received")
        rollup.refresh(store.engine)
        eng.clients.update(vendor, clients[0], {"fields": {"lead_source": "fair"}})
        eng.clients.delete(vendor, clients[1])  # its open run is cancelled
        eng.journeys.publish(vendor, journey)  # version 2; open runs move to it
        eng.journeys.migrate_runs(vendor, journey, to_version=2,
                                  mapping={n["id"]: n["id"] for n in JOURNEY_DOC["nodes"]})
        eng.run_until(START + timedelta(days=3))
        truth = _truth(store.engine, journey, sources, months)
        got = _answer(a, vendor, journey)
        assert got == truth
        assert truth["runs"][1] > 0 and truth["runs"][6] > 0 and len(truth["splits"]) == 2
        assert set(truth["versions"]) == {1, 2} and truth["runs"][3] >= 1  # moved; cancelled
        rollup.refresh(store.engine)
        assert _answer(a, vendor, journey) == truth
        rollup.rebuild(store.engine)
        assert _answer(a, vendor, journey) == truth
    finally:
        store.close()


@pytest.mark.parametrize("since, until", [
    (H.T0 + timedelta(days=1), H.NOW - timedelta(hours=9)),     # whole days: the summaries
    (H.T0 + timedelta(hours=1), H.T0 + timedelta(days=8, hours=3)),  # any instants: the runs
    (None, H.T0 + timedelta(days=7, minutes=1)),
])
def test_trends_in_windows(engine, since, until):
    with engine.begin() as conn:
        H.load(conn)
    rollup.refresh(engine)
    a = Analytics(engine, auto_refresh=False)
    got = {d.day: (d.completed, d.exited, d.converted)
           for d in a.trends(H.VENDOR, H.JOURNEY, since=since, until=until)}

    def inside(t):
        return t is not None and (since is None or t >= since) and t < until
    want: dict = defaultdict(lambda: [0, 0, 0])
    for r in H.RUNS:
        if r["status"] == "completed" and inside(r["ended_at"]):
            want[r["ended_at"].date()][0] += 1
        if inside(r["goal_at"]):
            want[r["goal_at"].date()][2] += 1
    assert {d: v for d, v in got.items() if any(v)} == {d: tuple(v) for d, v in want.items()}
    assert want  # the window holds something


def test_goal_time_histogram_survives_runs_leaving_a_bucket(engine):
    """A converted run moving to another version takes its count out of its goal-time bucket;
    the bucket's range stays a bound, so the median stays within the bucket's 1%."""
    R = T.run
    with engine.begin() as conn:
        H.load(conn)
        # r3 converts 2 days + 10 minutes after its start: r7's bucket (2 days) in version 1
        conn.execute(update(R).where(R.c.id == "r3").values(
            goal_at=H.T0 + timedelta(days=3, minutes=10), version=2))
    rollup.refresh(engine)
    with engine.begin() as conn:
        conn.execute(update(R).where(R.c.id == "r7").values(version=1))
        conn.execute(update(R).where(R.c.id == "r3").values(version=1))
        conn.execute(update(R).where(R.c.id == "r7").values(version=2))
    a = Analytics(engine, auto_refresh=False)
    for _ in range(2):  # from the change log, then folded
        versions = {v.version: v.median_seconds_to_goal for v in a.versions(H.VENDOR, H.JOURNEY)}
        assert versions[2] == pytest.approx(2 * 86400, rel=0.01)
        # version 1: r1 (2 days), r3 (2 days 10 min) -> 2 days 5 min, within 1%
        assert versions[1] == pytest.approx(2 * 86400 + 300, rel=0.01)
        rollup.refresh(engine)
