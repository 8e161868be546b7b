"""Live changes: in-process from the runtime's listeners, and across processes on PostgreSQL
through LISTEN/NOTIFY within two seconds."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timezone

from engine.analytics.live import LiveFeed, PgChangeListener, install_pg_notifier
from engine.clock import ManualClock
from engine.ids import SequentialIds
from engine.service import Engine
from engine.storage.memory import MemoryStore

START = datetime(2027, 3, 1, 9, tzinfo=timezone.utc)
DOC = {"format": "journeys/v1", "name": "Live",
       "nodes": [{"id": "start", "type": "trigger", "config": {"event": "client_added"}},
                 {"id": "hello", "type": "email", "config": {"subject": "Hi", "body": "Hi"}},
                 {"id": "later", "type": "delay", "config": {"duration": {"days": 1}}},
                 {"id": "end", "type": "exit"}],
       "edges": [{"from": "start", "to": "hello"}, {"from": "hello", "to": "later"},
                 {"from": "later", "to": "end"}]}


def _engine(store=None) -> Engine:
    engine = Engine(store or MemoryStore(), ManualClock(START), SequentialIds())
    engine.create_vendor("V", vendor_id="v")
    return engine


def test_runtime_changes_reach_subscribers():
    engine = _engine()
    feed = LiveFeed().attach(engine.runtime)
    journey = engine.journeys.create("v", DOC)
    other: list = []
    feed.subscribe(other.append, journey_id="somewhere_else")
    engine.journeys.publish("v", journey.id)
    seen: list = []
    unsubscribe = feed.subscribe(seen.append, journey_id=journey.id)
    engine.clients.add("v", {"name": "A", "email": "a@example.com"})
    assert [c.kind for c in seen] == ["run", "event"]
    assert seen[0].data["journey_id"] == journey.id and seen[0].data["status"] == "waiting"
    assert [c.kind for c in other] == ["event"]  # changes naming no journey reach everyone
    unsubscribe()
    engine.run_until(datetime(2027, 3, 3, tzinfo=timezone.utc))
    assert len(seen) == 2 and feed.version == 3


def test_wait_is_a_long_poll():
    feed = LiveFeed()
    threading.Timer(0.05, feed.publish, args=("run", {"journey_id": "j"})).start()
    t0 = time.monotonic()
    assert feed.wait(0, timeout=5) == 1
    assert time.monotonic() - t0 < 2
    assert feed.wait(1, timeout=0.05) == 1  # nothing new: returns at the timeout


def test_a_failing_subscriber_never_breaks_a_step():
    engine = _engine()
    feed = LiveFeed().attach(engine.runtime)
    feed.subscribe(lambda change: 1 / 0)
    journey = engine.journeys.create("v", DOC)
    engine.journeys.publish("v", journey.id)
    engine.clients.add("v", {"name": "A", "email": "a@example.com"})
    assert engine.runs.list("v")[0].node == "later"


def test_postgres_notifies_other_processes_within_two_seconds(pg_url):
    from engine.storage.sql import SqlStore

    store = SqlStore(pg_url)
    try:
        writer = _engine(store)
        journey = writer.journeys.create("v", DOC)
        writer.journeys.publish("v", journey.id)
        writer_feed = LiveFeed().attach(writer.runtime)
        install_pg_notifier(store, writer.runtime, origin=writer_feed.origin)
        dashboard = LiveFeed()  # another process: its own feed, fed only by LISTEN
        heard: list = []
        got = threading.Event()
        dashboard.subscribe(lambda c: (heard.append(c), got.set()) if c.kind == "remote" else 0)
        listener = PgChangeListener(pg_url, dashboard).start()
        try:
            assert listener.connected.wait(10)
            t0 = time.monotonic()
            writer.clients.add("v", {"name": "A", "email": "a@example.com"})
            assert got.wait(2.0), "no notification within 2 s"
            assert time.monotonic() - t0 < 2.0
            assert heard[0].journeys == {journey.id}
            assert set(heard[0].data["kinds"]) == {"run", "event"}
            # the writer's own process skips its echo when it listens too
            echo = LiveFeed()
            own = PgChangeListener(pg_url, echo, skip_origin=writer_feed.origin).start()
            try:
                assert own.connected.wait(10)
                before = echo.version
                got.clear()
                writer.clients.add("v", {"name": "B", "email": "b@example.com"})
                assert got.wait(2.0)
                time.sleep(0.2)
                assert echo.version == before and own.heard >= 1
            finally:
                own.stop()
        finally:
            listener.stop()
    finally:
        store.close()


def test_rolled_back_transactions_send_nothing(pg_url):
    from engine.storage.sql import SqlStore

    store = SqlStore(pg_url)
    try:
        writer = _engine(store)
        install_pg_notifier(store, writer.runtime)
        feed = LiveFeed()
        listener = PgChangeListener(pg_url, feed).start()
        try:
            assert listener.connected.wait(10)
            start = feed.version
            try:
                with store.transaction():
                    writer.runtime.notify("run", {"journey_id": "j"})  # as a step would
                    raise RuntimeError("roll back")
            except RuntimeError:
                pass
            time.sleep(0.5)
            assert feed.version == start
        finally:
            listener.stop()
    finally:
        store.close()
