"""An outage of an hour, on a ManualClock: 1,000 delays come due while no worker runs; when the
workers come back every one of them runs exactly once (late, never lost, never doubled).

On PostgreSQL two full scale-out nodes (claim loops, heartbeat, LISTEN, leader election and its
APScheduler timer) share the work; on the memory store two claim loops do."""
from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import ManualClock, SystemClock
from engine.scaleout import ClaimLoop, ScaleoutNode
from engine.service import Engine
from engine.storage.base import Store

T0 = datetime(2027, 5, 1, 9, 0, tzinfo=timezone.utc)
CLIENTS = 1000
JOURNEY = {
    "format": "journeys/v1", "name": "Outage",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "hello", "type": "email", "config": {"subject": "Hello", "body": "Welcome"}},
        {"id": "wait", "type": "delay", "config": {"duration": {"hours": 1}}},
        {"id": "later", "type": "email", "config": {"subject": "An hour later", "body": "Hi"}},
    ],
    "edges": [{"from": "start", "to": "hello"}, {"from": "hello", "to": "wait"},
              {"from": "wait", "to": "later"}],
}


def _seed(engine: Engine, clock: ManualClock) -> str:
    vendor = engine.create_vendor("Outage Studio")
    journey = engine.journeys.create(vendor.id, JOURNEY)
    engine.journeys.publish(vendor.id, journey.id)
    for i in range(CLIENTS):  # enrolled over an hour: the delays come due over the next hour
        clock.set(T0 + timedelta(seconds=3.6 * i))
        engine.clients.add(vendor.id, {"name": f"Couple {i}", "email": f"c{i}@example.com"})
    return vendor.id


def _tally(store: Store, vendor_id: str) -> dict:
    with store.transaction() as tx:
        runs = tx.list_runs(vendor_id, limit=10 * CLIENTS)
        steps = [s for r in runs for s in tx.steps_for_run(r.id)]
        effects = tx.list_effects(vendor_id, limit=10 * CLIENTS)
        wakeups = tx.count_wakeups()
    per_node: dict[str, int] = {}
    for step in steps:
        per_node[step.node] = per_node.get(step.node, 0) + 1
    statuses: dict[str, int] = {}
    for run in runs:
        statuses[run.status] = statuses.get(run.status, 0) + 1
    return {"runs": statuses, "per_node": per_node, "effects": len(effects),
            "effect_keys": len({e.key for e in effects}),
            "step_keys": len({(s.run_id, s.key) for s in steps}), "steps": len(steps),
            "wakeups": wakeups}


def _drain_with_two_loops(engine: Engine) -> None:
    loops = [ClaimLoop(engine.runtime, owner=f"loop{i}", lease=timedelta(minutes=5), batch=25)
             for i in range(2)]

    def work(loop: ClaimLoop) -> None:
        while loop.run_batch():
            pass

    threads = [threading.Thread(target=work, args=(loop,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert sum(loop.stats.ran for loop in loops) == CLIENTS


def _drain_with_two_nodes(engine: Engine, sa_engine, vendor_id: str) -> None:
    nodes = [ScaleoutNode(engine.runtime, sa_engine, name=f"n{i}", lease=timedelta(seconds=5),
                          batch=25, tick_seconds=0.2, real_clock=SystemClock())
             for i in range(2)]
    for node in nodes:
        node.start()
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            if _tally(engine.store, vendor_id)["runs"] == {"completed": CLIENTS}:
                break
            time.sleep(0.5)
        assert any(node.is_leader for node in nodes)
    finally:
        for node in nodes:
            node.stop()
    assert sum(node.steps for node in nodes) == CLIENTS
    assert all(node.steps > 0 for node in nodes)  # both took a share


def test_an_hour_long_outage_on_memory(capsys):
    from engine.storage.memory import MemoryStore

    _outage("memory", MemoryStore(), capsys)


@pytest.mark.postgres
def test_an_hour_long_outage_on_postgres(pg_url, capsys):
    from engine.storage.sql.store import SqlStore

    _outage("postgres", SqlStore(pg_url), capsys)


def _outage(kind: str, store: Store, capsys) -> None:
    clock = ManualClock(T0)
    engine = Engine(store, clock)
    vendor_id = _seed(engine, clock)
    before = _tally(store, vendor_id)
    assert before["runs"] == {"waiting": CLIENTS} and before["wakeups"] == CLIENTS

    clock.set(T0 + timedelta(hours=2, minutes=1))  # the outage: every delay came due meanwhile
    started = time.monotonic()
    if kind == "memory":
        _drain_with_two_loops(engine)
    else:
        _drain_with_two_nodes(engine, store.engine, vendor_id)
    elapsed = time.monotonic() - started

    after = _tally(store, vendor_id)
    with capsys.disabled():
        print(f"\n[outage {kind}] {CLIENTS} overdue delays ran in {elapsed:.1f}s: {after}")
    assert after["runs"] == {"completed": CLIENTS}
    assert after["per_node"] == {n: CLIENTS for n in ("start", "hello", "wait", "later")}
    assert after["steps"] == after["step_keys"] == 4 * CLIENTS
    assert after["effects"] == after["effect_keys"] == 2 * CLIENTS
    assert after["wakeups"] == 0
    with store.transaction() as tx:  # ran late, at the end of the outage, not skipped
        run = tx.list_runs(vendor_id, limit=1)[0]
        later = [s for s in tx.steps_for_run(run.id) if s.node == "later"][0]
    assert later.at >= T0 + timedelta(hours=2)
    clock.advance(days=30)  # nothing more to run, ever
    assert engine.run_due() == 0
    store.close()
