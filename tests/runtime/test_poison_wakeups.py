"""One step that raises an unexpected error fails its own run and never blocks the queue;
a database outage writes nothing and leaves every wake-up for the next tick."""
from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import ManualClock
from engine.errors import StorageUnavailable
from engine.ids import SequentialIds
from engine.runtime import stepper
from engine.service import Engine
from engine.storage.memory import MemoryStore

DOC = {"format": "journeys/v1", "name": "P", "nodes": [
    {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
    {"id": "wait", "type": "delay", "config": {"duration": {"days": 1}}},
    {"id": "hi", "type": "email", "config": {"subject": "Hi", "body": "x"}}],
    "edges": [{"from": "start", "to": "wait"}, {"from": "wait", "to": "hi"}]}


def _engine():
    clock = ManualClock(datetime(2027, 1, 1, 9, tzinfo=timezone.utc))
    engine = Engine(MemoryStore(), clock, SequentialIds())
    vendor = engine.create_vendor("Studio")
    journey = engine.journeys.create(vendor.id, DOC)
    engine.journeys.publish(vendor.id, journey.id)
    for name in ("Ana", "Ben", "Cy"):
        engine.clients.add(vendor.id, {"name": name, "email": f"{name.lower()}@example.com"})
    return engine, vendor, clock


def test_a_step_that_raises_fails_only_its_run(monkeypatch):
    engine, vendor, clock = _engine()
    real_walk = stepper.walk

    def flaky_walk(ctx, run, cause):
        if ctx.client.name == "Ben":
            raise RuntimeError("bug in a step")
        return real_walk(ctx, run, cause)

    monkeypatch.setattr(stepper, "walk", flaky_walk)
    clock.advance(timedelta(days=1, minutes=1))
    engine.run_due()
    runs = {engine.clients.get(vendor.id, r.client_id).name: r for r in engine.runs.list(vendor.id)}
    assert runs["Ana"].status == "completed" and runs["Cy"].status == "completed"
    assert runs["Ben"].status == "failed" and "bug in a step" in runs["Ben"].error


def test_database_outage_leaves_wakeups_for_later(monkeypatch):
    engine, vendor, clock = _engine()
    clock.advance(timedelta(days=1, minutes=1))
    store = engine.store
    real = store.transaction

    def down():
        raise StorageUnavailable("database unavailable: connection refused")

    monkeypatch.setattr(store, "transaction", down)
    with pytest.raises(StorageUnavailable):
        engine.run_due()
    monkeypatch.setattr(store, "transaction", real)
    assert all(r.status == "waiting" for r in engine.runs.list(vendor.id))
    engine.run_due()
    assert all(r.status == "completed" for r in engine.runs.list(vendor.id))
