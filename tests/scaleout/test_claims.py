"""The claim loop on every store: leases decide who runs a wake-up, the lock-and-recheck makes
sure nobody runs it twice, a stopped loop hands its claims back. On PostgreSQL, concurrent claim
loops share a backlog and each wake-up runs once."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from engine.clock import ManualClock
from engine.errors import JourneyError
from engine.scaleout import ClaimLoop
from engine.scaleout.heartbeat import Heartbeat
from engine.service import Engine

T0 = datetime(2027, 5, 1, 9, 0, tzinfo=timezone.utc)
LEASE = timedelta(seconds=30)
JOURNEY = {
    "format": "journeys/v1", "name": "Claims",
    "nodes": [
        {"id": "start", "type": "trigger", "config": {"event": "client_added"}},
        {"id": "wait", "type": "delay", "config": {"duration": {"minutes": 10}}},
        {"id": "hello", "type": "email", "config": {"subject": "Hello", "body": "Hi"}},
    ],
    "edges": [{"from": "start", "to": "wait"}, {"from": "wait", "to": "hello"}],
}


def _engine(store, clients: int) -> tuple[Engine, ManualClock, str]:
    clock = ManualClock(T0)
    engine = Engine(store, clock)
    vendor = engine.create_vendor("Claims Studio")
    journey = engine.journeys.create(vendor.id, JOURNEY)
    engine.journeys.publish(vendor.id, journey.id)
    for i in range(clients):
        engine.clients.add(vendor.id, {"name": f"C{i}", "email": f"c{i}@example.com"})
    clock.advance(minutes=11)
    return engine, clock, vendor.id


def _loop(engine: Engine, owner: str, lease_clock: ManualClock, batch: int = 10) -> ClaimLoop:
    return ClaimLoop(engine.runtime, owner=owner, lease=LEASE, batch=batch,
                     lease_clock=lease_clock)


def _hello_steps(engine: Engine, vendor_id: str) -> int:
    with engine.store.transaction() as tx:
        return sum(1 for r in tx.list_runs(vendor_id, limit=10_000) for s in tx.steps_for_run(r.id)
                   if s.node == "hello")


def test_a_wakeup_taken_over_after_its_lease_ended_runs_once(store):
    engine, _clock, vendor_id = _engine(store, 1)
    lease_clock = ManualClock(T0)
    first, second = _loop(engine, "a", lease_clock), _loop(engine, "b", lease_clock)
    (claimed,) = first.claim()
    assert second.claim() == []  # a live lease keeps it
    lease_clock.advance(LEASE + timedelta(seconds=1))  # "a" stalled past its lease
    (taken,) = second.claim()
    assert taken.id == claimed.id and taken.lease_owner == "b"
    assert second.run_one(taken) is True
    assert first.run_one(claimed) is False  # no longer there: never run twice
    assert (first.stats.skipped, second.stats.ran) == (1, 1)
    assert _hello_steps(engine, vendor_id) == 1


def test_a_stalled_claimer_skips_a_wakeup_another_one_holds(store):
    engine, _clock, _vendor = _engine(store, 1)
    lease_clock = ManualClock(T0)
    first, second = _loop(engine, "a", lease_clock), _loop(engine, "b", lease_clock)
    (claimed,) = first.claim()
    lease_clock.advance(LEASE * 2)
    second.claim()  # "b" holds it now but has not run it yet
    assert first.run_one(claimed) is False
    assert second.run_batch() == 1 and second.stats.ran == 1  # "b" re-claims its own and runs it


def test_a_failing_step_fails_its_run_only_while_the_wakeup_is_ours(store, monkeypatch):
    engine, _clock, vendor_id = _engine(store, 1)
    lease_clock = ManualClock(T0)
    first, second = _loop(engine, "a", lease_clock), _loop(engine, "b", lease_clock)

    def broken(tx, wakeup):
        raise JourneyError("the template cannot be rendered")

    monkeypatch.setattr(engine.runtime, "process_wakeup", broken)
    (claimed,) = first.claim()
    lease_clock.advance(LEASE * 2)
    (taken,) = second.claim()
    first.run_one(claimed)  # raised, but "b" holds it: the run is left alone
    assert first.stats.failed == 0 and engine.runs.list(vendor_id)[0].status == "waiting"
    second.run_one(taken)
    assert second.stats.failed == 1
    run = engine.runs.list(vendor_id)[0]
    assert run.status == "failed" and "template" in run.error
    with store.transaction() as tx:
        assert tx.count_wakeups() == 0


def test_stopping_hands_the_rest_of_the_batch_back(store):
    engine, _clock, _vendor = _engine(store, 5)
    lease_clock = ManualClock(T0)
    first, second = _loop(engine, "a", lease_clock), _loop(engine, "b", lease_clock)
    assert len(first.claim()) == 5 and second.claim() == []
    first.stop()
    assert first.release_held() == 5 and first.held() == []
    assert len(second.claim()) == 5  # at once, not after the lease


def test_the_heartbeat_renews_what_a_loop_holds(store):
    engine, _clock, _vendor = _engine(store, 3)
    lease_clock = ManualClock(T0)
    loop = _loop(engine, "a", lease_clock, batch=2)
    loop.claim()
    lease_clock.advance(seconds=20)
    assert Heartbeat([loop], interval=10).beat() == 2
    past_first_lease = T0 + LEASE + timedelta(seconds=10)  # renewed at +20 s: held to +50 s
    with store.transaction() as tx:
        probed = tx.claim_due(T0 + timedelta(hours=1), 10, owner="probe",
                              lease_until=past_first_lease, lease_now=past_first_lease)
    assert len(probed) == 1 and probed[0].id not in loop.held()  # only the unclaimed third


@pytest.mark.postgres
def test_concurrent_claim_loops_run_each_wakeup_once(pg_url):
    from engine.storage.sql.store import SqlStore

    store = SqlStore(pg_url)
    engine, _clock, vendor_id = _engine(store, 120)
    lease_clock = ManualClock(T0)
    loops = [_loop(engine, f"loop{i}", lease_clock, batch=7) for i in range(4)]

    def work(loop: ClaimLoop) -> None:
        while loop.run_batch():
            pass

    threads = [threading.Thread(target=work, args=(loop,)) for loop in loops]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sum(loop.stats.ran for loop in loops) == 120
    assert sum(loop.stats.claimed for loop in loops) == 120  # SKIP LOCKED: disjoint batches
    assert sum(1 for loop in loops if loop.stats.ran) >= 2
    assert _hello_steps(engine, vendor_id) == 120
    assert {r.status for r in engine.runs.list(vendor_id, limit=500)} == {"completed"}
    store.close()


def test_a_storage_outage_fails_no_run_and_keeps_the_claim(store, monkeypatch):
    from engine.errors import StorageUnavailable

    engine, _clock, vendor_id = _engine(store, 1)
    loop = _loop(engine, "a", ManualClock(T0))

    def outage(tx, wakeup):
        raise StorageUnavailable("database unavailable: connection refused")

    monkeypatch.setattr(engine.runtime, "process_wakeup", outage)
    with pytest.raises(StorageUnavailable):
        loop.run_batch()
    assert engine.runs.list(vendor_id)[0].status == "waiting"
    monkeypatch.undo()
    assert loop.run_batch() == 1 and loop.stats.ran == 1  # its own claim, at once


@pytest.mark.parametrize("group", [1, 4])
def test_group_commit_spares_the_group_of_a_broken_step(store, monkeypatch, group):
    engine, _clock, vendor_id = _engine(store, 6)
    loop = ClaimLoop(engine.runtime, owner="a", lease=LEASE, batch=10,
                     lease_clock=ManualClock(T0), group=group)
    victim = sorted(r.id for r in engine.runs.list(vendor_id))[2]
    real = engine.runtime.process_wakeup

    def sometimes_broken(tx, wakeup):
        real(tx, wakeup)
        if wakeup.run_id == victim:
            raise RuntimeError("a bug in one step")

    monkeypatch.setattr(engine.runtime, "process_wakeup", sometimes_broken)
    assert loop.run_batch() == 6
    runs = {r.id: r.status for r in engine.runs.list(vendor_id)}
    assert runs.pop(victim) == "failed"
    assert set(runs.values()) == {"completed"}
    assert (loop.stats.ran, loop.stats.failed) == (5, 1)
    assert _hello_steps(engine, vendor_id) == 5  # the broken step's writes were rolled back


def test_run_due_in_groups_runs_each_wakeup_once_and_isolates_a_broken_step(store, monkeypatch):
    engine, _clock, vendor_id = _engine(store, 7)
    victim = sorted(r.id for r in engine.runs.list(vendor_id))[4]
    real = engine.runtime._process

    def sometimes_broken(tx, wakeup):
        real(tx, wakeup)
        if wakeup.run_id == victim:
            raise RuntimeError("a bug in one step")

    monkeypatch.setattr(engine.runtime, "_process", sometimes_broken)
    assert engine.run_due(per_commit=3) == 7
    runs = {r.id: r.status for r in engine.runs.list(vendor_id)}
    assert runs.pop(victim) == "failed" and set(runs.values()) == {"completed"}
    assert _hello_steps(engine, vendor_id) == 6
    assert engine.run_due(per_commit=3) == 0


@pytest.mark.postgres
def test_a_heartbeat_passes_over_rows_a_step_holds(pg_url):
    """A renewal never waits for (or deadlocks with) the worker's own step transaction: the row
    being stepped on is about to be rewritten anyway."""
    from engine.storage.sql.store import SqlStore

    store = SqlStore(pg_url)
    engine, _clock, _vendor = _engine(store, 3)
    lease_clock = ManualClock(T0)
    loop = _loop(engine, "a", lease_clock)
    claimed = loop.claim()
    renewed: list[int] = []
    with store.transaction() as tx:  # a step of this worker holds the first row
        tx.lock_wakeups([claimed[0].id])
        beat = threading.Thread(target=lambda: renewed.append(loop.renew()))
        beat.start()
        beat.join(timeout=10)
        assert not beat.is_alive(), "the heartbeat waited for the step"
    assert renewed == [2]
    store.close()
