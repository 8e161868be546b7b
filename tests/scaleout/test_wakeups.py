"""LISTEN/NOTIFY on PostgreSQL: a commit that writes near-term work notifies (a rolled-back one
does not), and an idle worker whose poll is 30 s away runs it at once."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from engine.clock import ManualClock, SystemClock
from engine.domain import WakeUp
from engine.scaleout import ScaleoutNode
from engine.scaleout.wakeups import CHANNEL, install_notifier
from engine.service import Engine
from engine.storage.sql.store import SqlStore

pytestmark = pytest.mark.postgres
NOW = datetime(2027, 5, 1, 9, 0, tzinfo=timezone.utc)


def _listener(store: SqlStore) -> psycopg.Connection:
    args, kwargs = store.engine.dialect.create_connect_args(store.engine.url)
    kwargs.pop("context", None)
    conn = psycopg.connect(*args, **kwargs, autocommit=True)
    conn.execute(f"LISTEN {CHANNEL}")
    return conn


def _heard(conn: psycopg.Connection, seconds: float = 1.0) -> list[str]:
    return [n.payload for n in conn.notifies(timeout=seconds)]


def _wakeup(i: int, due: datetime) -> WakeUp:
    return WakeUp(id=f"w:r{i}", vendor_id="v1", kind="run", due_at=due, run_id=f"r{i}",
                  journey_id="j1", client_id=f"c{i}")


def test_commits_with_near_term_wakeups_notify(pg_url):
    store = SqlStore(pg_url)
    install_notifier(store, ManualClock(NOW), timedelta(seconds=5))
    conn = _listener(store)
    try:
        with store.transaction() as tx:
            tx.put_wakeup(_wakeup(1, NOW + timedelta(seconds=2)))
            tx.put_wakeup(_wakeup(2, NOW + timedelta(seconds=1)))
        assert _heard(conn) == [(NOW + timedelta(seconds=1)).isoformat()]  # one, the earliest
        with store.transaction() as tx:
            tx.put_wakeup(_wakeup(3, NOW + timedelta(hours=1)))  # far off: the timer's job
        assert _heard(conn) == []
        with pytest.raises(RuntimeError):
            with store.transaction() as tx:
                tx.put_wakeup(_wakeup(4, NOW))
                raise RuntimeError("rolled back")
        assert _heard(conn) == []  # NOTIFY is transactional
    finally:
        conn.close()
        store.close()


JOURNEY = {
    "format": "journeys/v1", "name": "Wake",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "wait", "type": "delay", "config": {"duration": {"days": 3}}},
        {"id": "hello", "type": "email", "config": {"subject": "Hello", "body": "Hi"}},
    ],
    "edges": [{"from": "start", "to": "wait"}, {"from": "wait", "to": "hello"}],
}


def test_an_idle_worker_runs_work_made_due_now_without_waiting_for_its_poll(pg_url):
    store = SqlStore(pg_url)
    clock = SystemClock()
    install_notifier(store, clock, timedelta(seconds=1))
    engine = Engine(store, clock)
    vendor = engine.create_vendor("Wake Studio")
    journey = engine.journeys.create(vendor.id, JOURNEY)
    engine.journeys.publish(vendor.id, journey.id)
    engine.clients.add(vendor.id, {"name": "C", "email": "c@example.com"})
    node = ScaleoutNode(engine.runtime, store.engine, name="idle", lease=timedelta(seconds=60),
                        tick_seconds=30, poll_seconds=30, real_clock=clock)
    node.start()
    try:
        deadline = time.monotonic() + 20
        while not (node.listener.connected.is_set() and node.is_leader):
            assert time.monotonic() < deadline
            time.sleep(0.05)
        time.sleep(0.5)  # past the first tick; the next one is 30 s away
        run = engine.runs.list(vendor.id)[0]
        asked = time.monotonic()
        engine.runs.reschedule(vendor.id, run.id, at=clock.now(), actor="test")  # "send now"
        while engine.runs.get(vendor.id, run.id).status != "completed":
            assert time.monotonic() - asked < 10, "not woken by NOTIFY"
            time.sleep(0.02)
        latency = time.monotonic() - asked
    finally:
        node.stop()
        store.close()
    assert node.listener.heard >= 1
    assert latency < 5
